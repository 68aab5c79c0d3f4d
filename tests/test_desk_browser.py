"""The desk's tables in headless Chromium (issue 18): sortable and filterable without a server (file://) and over an
intranet server, complete without JavaScript, printed without the controls; and no page of the published site links
into reports/ or private/.

The screenshots of a working list (1366 and 390 px wide) are kept in artifacts/screenshots/ or $CARELEDGER_SCREENSHOTS
(tests/screenshots.py)."""

import functools
import http.server
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from careledger.cli import main

from .screenshots import screenshot_dir
from .test_browser import CHROMIUM, IN_CI, site  # noqa: F401 (site: the demo's published site)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "basic"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="chromium is not installed")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("desk")
    shutil.copytree(FIXTURE, root / "content")
    result = CliRunner().invoke(main, ["build", "--content", str(root / "content"), "--output", str(root / "out"),
                                       "--as-of", "2026-11-23", "--no-paper"])
    assert result.exit_code == 0, result.output
    return root / "out"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.messages = []
    tab.on("console", lambda m: tab.messages.append(f"console {m.type}: {m.text}"))
    tab.on("pageerror", lambda e: tab.messages.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: tab.messages.append(f"request failed: {r.url}"))
    tab.on("response", lambda r: r.status >= 400 and tab.messages.append(f"{r.status}: {r.url}"))
    yield tab
    context.close()


@pytest.fixture(scope="module")
def served(out):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


OVERDUE = "table[data-kind=overdue]"


def column(page, table: str, index: int, visible_only: bool = True) -> list[str]:
    return page.eval_on_selector_all(
        f"{table} tbody tr", f"(rows, v) => rows.filter(r => !v || !r.hidden).map(r => r.cells[{index}].textContent.trim())",
        visible_only)


def sort_and_filter(page):
    # Subject ids ascending, then descending; the days column as numbers.
    page.click(f"{OVERDUE} th:nth-child(2) button")
    ids = column(page, OVERDUE, 1)
    assert ids == sorted(ids) and len(set(ids)) > 1
    assert page.get_attribute(f"{OVERDUE} th:nth-child(2)", "aria-sort") == "ascending"
    page.click(f"{OVERDUE} th:nth-child(2) button")
    assert column(page, OVERDUE, 1) == sorted(ids, reverse=True)
    assert page.get_attribute(f"{OVERDUE} th:nth-child(2)", "aria-sort") == "descending"
    page.click(f"{OVERDUE} th:nth-child(8) button")
    days = [int(d) for d in column(page, OVERDUE, 7)]
    assert days == sorted(days) and days[0] < days[-1]
    # Filter: the village's rows only, the count says how many of how many.
    total = len(column(page, OVERDUE, 0, False))
    box = page.locator("section#overdue .table-tools input")
    box.fill("西湾")
    assert set(column(page, OVERDUE, 2)) == {"西湾社区"}
    shown = len(column(page, OVERDUE, 2))
    assert 0 < shown < total
    assert page.text_content("section#overdue .table-tools output") == f"显示 {shown} / {total} 行"
    box.fill("西湾 吴丽")  # every word must be in the row
    assert column(page, OVERDUE, 3) == ["吴丽（xw-lianxi）"]
    box.fill("")
    assert len(column(page, OVERDUE, 0)) == total


def test_the_index_and_a_working_list_sort_and_filter_from_file(out, page):
    page.goto((out / "reports" / "index.html").as_uri())
    several = page.eval_on_selector_all("main table", "ts => ts.filter(t => t.tBodies[0].rows.length > 1).length")
    assert page.locator("main .table-tools").count() == several > 2
    page.click("text=李建国（ds-shuji）")
    assert page.url.endswith("desk-cadre-ds-shuji.html")
    assert page.text_content("h1").startswith("工作清单：李建国（ds-shuji）")
    page.goto((out / "reports" / "desk-all.html").as_uri())
    sort_and_filter(page)
    shots = screenshot_dir()
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        png = page.screenshot(full_page=True)
        assert png.startswith(b"\x89PNG") and len(png) > 10_000
        (shots / f"desk-all-{width}.png").write_bytes(png)
    assert page.messages == []


def test_the_working_list_sorts_and_filters_on_an_intranet_server(served, page):
    page.goto(served + "reports/desk-all.html")
    sort_and_filter(page)
    page.goto(served + "reports/warnings.html")
    page.click("main table th:nth-child(7) button")  # 未走访天数
    days = [int(d) for d in column(page, "main table", 6)]
    assert days == sorted(days)
    assert page.messages == []


def test_without_javascript_the_tables_are_complete_and_print_without_controls(out, browser):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto((out / "reports" / "desk-all.html").as_uri())
    assert tab.locator(".table-tools").count() == 0
    assert tab.locator(f"{OVERDUE} tbody tr").count() == 6
    context.close()
    context = browser.new_context()
    tab = context.new_page()
    tab.goto((out / "reports" / "desk-all.html").as_uri())
    assert tab.locator(".table-tools").first.is_visible()
    tab.emulate_media(media="print")
    assert not tab.locator(".table-tools").first.is_visible()
    assert tab.locator(f"{OVERDUE} tbody tr").count() == 6
    context.close()


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [v for k, v in attrs if k in ("href", "src", "action", "data") and v]


def no_links_out_of_the_site(site: Path) -> int:
    """Every href, src, action and data of the site's pages stays out of reports/ and private/ (the directories
    beside site/ in the output); the number of pages looked at."""
    out = site.resolve().parent
    pages = sorted(site.rglob("*.html"))
    for path in pages:
        text = path.read_text(encoding="utf-8")
        links = Links()
        links.feed(text)
        for url in links.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path.resolve()
            inside = target.relative_to(out).parts[0] if target.is_relative_to(out) else ""
            assert inside not in ("reports", "private"), f"{path.relative_to(out)} links to {url}"
        assert "reports/" not in text and "private/" not in text, path
    return len(pages)


def test_no_page_of_the_published_site_links_into_reports_or_private(out):
    assert no_links_out_of_the_site(out / "site") > 3


def test_no_page_of_the_demo_site_links_into_reports_or_private(site):
    assert no_links_out_of_the_site(site) > 10


@pytest.mark.parametrize("rel", ["index.html", "desk-all.html", "desk-cadre-ds-shuji.html", "trends.html",
                                 "warnings.html"])
def test_the_desk_pages_have_no_console_message_and_no_serious_accessibility_violation(served, browser, rel):
    from .test_browser import AXE, BLOCKING_IMPACTS

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.add_init_script(path=AXE / "axe.min.js")
    tab = context.new_page()
    messages = []
    tab.on("console", lambda m: messages.append(f"console {m.type}: {m.text}"))
    tab.on("pageerror", lambda e: messages.append(f"page error: {e}"))
    tab.on("response", lambda r: r.status >= 400 and messages.append(f"{r.status}: {r.url}"))
    tab.goto(served + "reports/" + rel, wait_until="load")
    violations = tab.evaluate("""async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 3)}))""")
    context.close()
    assert messages == []
    assert [v for v in violations if v["impact"] in BLOCKING_IMPACTS] == []
