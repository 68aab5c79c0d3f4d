"""`careledger serve` in headless Chromium: the banner sits above the page without hiding it, and an open page
reloads itself when a rebuild finishes, showing the record error, with no console message or failed request."""

from __future__ import annotations

import pytest

from .test_browser import CHROMIUM, FLAGS, IN_CI
from .test_serve import Preview

pytestmark = pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="chromium is not installed")


def test_an_open_page_shows_the_banner_and_reloads_itself_with_the_error(basic, tmp_path):
    from playwright.sync_api import sync_playwright

    running = Preview(basic, tmp_path / "output")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                for width in (1366, 390):
                    tab = browser.new_page(viewport={"width": width, "height": 800}, locale="zh-CN")
                    messages = []
                    tab.on("console", lambda m: messages.append(f"console {m.type}: {m.text}"))
                    tab.on("pageerror", lambda e: messages.append(f"page error: {e}"))
                    tab.on("response", lambda r: r.status >= 400 and messages.append(f"{r.status}: {r.url}"))
                    tab.goto(f"http://127.0.0.1:{running.port}/villages/dongshan.html")
                    banner = tab.locator("#careledger-preview")
                    assert "政策检查" in banner.inner_text()
                    box, header = banner.bounding_box(), tab.locator("header.site-header").bounding_box()
                    assert box["y"] == 0 and header["y"] >= box["y"] + box["height"] - 1, (width, box, header)
                    tab.close()
                    assert messages == []

                tab = browser.new_page(viewport={"width": 1366, "height": 800}, locale="zh-CN")
                messages = []
                tab.on("pageerror", lambda e: messages.append(f"page error: {e}"))
                tab.goto(f"http://127.0.0.1:{running.port}/")
                household = basic / "households" / "dongshan" / "ds-001.yaml"
                household.write_text(household.read_text(encoding="utf-8") + "\n  bad: [unclosed\n", encoding="utf-8")
                tab.wait_for_selector("#careledger-preview.fail", timeout=60_000)  # nobody pressed reload
                shown = tab.locator("#careledger-preview").inner_text()
                assert "记录有 1 个错误" in shown and "households/dongshan/ds-001.yaml:" in shown
                assert "此页是上次成功生成的页面" in shown and "测试街道" in tab.locator("main").inner_text()
                tab.goto(f"http://127.0.0.1:{running.port}/__preview__/findings")
                assert "ds-001.yaml" in tab.locator("body").inner_text()
                assert messages == []
            finally:
                browser.close()
    finally:
        running.stop()
