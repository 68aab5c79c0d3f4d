"""The demo's published site in headless Chromium: no console message of any kind, the search works offline,
screenshots of the home page and a village page are not blank, and every page passes axe-core's accessibility rules
(no violation of impact serious or critical) with no console message, page error or failed request.

Chromium logs every console message (errors, uncaught exceptions, console.log) to stderr as `INFO:CONSOLE` when
run with `--enable-logging=stderr --v=0`; `--dump-dom` prints the page after its scripts ran. The screenshots are
kept in artifacts/screenshots/ (or $CARELEDGER_SCREENSHOTS; see tests/screenshots.py). The accessibility check drives
the same Chromium through Playwright's Python client, over a local http.server, with axe-core 4.14.1, which
scripts/test downloads into .venv/share/axe-core/ (pinned by its sha256 in scripts/lib.sh).

The tests skip when no Chromium is installed, except in CI (the environment variable CI is set), where that is a
failure: scripts/setup installs Chromium on Debian.
"""

import functools
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zlib
from pathlib import Path

import pytest

from careledger import __version__
from careledger.gitinfo import head_commit
from careledger.load import load
from careledger.output import write_tree
from careledger.proof import scan, secrets_of
from careledger.render import convert_pages, render_site
from careledger.rules import run_rules
from careledger.stamp import Stamp
from careledger.views.public import redact

from .conftest import AS_OF
from .screenshots import screenshot_dir

CONTENT = Path(__file__).resolve().parent.parent / "content"
CHROMIUM = next((c for c in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
                 if c and os.access(c, os.X_OK)), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--hide-scrollbars", "--window-size=1280,1600"]

IN_CI = bool(os.environ.get("CI"))
AXE = Path(sys.prefix) / "share" / "axe-core"  # scripts/lib.sh fetch_axe_core
BLOCKING_IMPACTS = ("serious", "critical")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not IN_CI, reason="chromium is not installed: `bash scripts/setup` installs it on Debian "
                                           "(Ubuntu ships Chromium only as a snap, which the setup skips)")


def test_chromium_is_there_in_ci():
    """In CI the browser tests must run, never skip."""
    assert CHROMIUM is not None, "CI must run the browser tests: install chromium (scripts/setup does on Debian)"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The demo's published site, made as the build makes it (view, pages, render, proof) and written to disk."""
    records, _ = load(CONTENT, today=AS_OF)
    view = redact(records, run_rules(records, AS_OF), AS_OF, records.site.privacy, commit=head_commit(CONTENT))
    pages, problems = convert_pages(view.pages)
    assert problems == []
    # With a stamp as `build --allow-dirty` makes it, so the footer line and the warning banner are checked too.
    stamp = Stamp(commit=head_commit(CONTENT) or "0" * 40, as_of=AS_OF, dirty=True, tool_version=__version__,
                  profile=records.profile.id, trail="partial")
    files = render_site(view, pages, stamp=stamp)
    assert scan(files, secrets_of(records, records.site.privacy, AS_OF)) == []
    out = tmp_path_factory.mktemp("browser") / "out"
    write_tree(out, {f"site/{path}": data for path, data in files.items()})
    return out / "site"


@pytest.fixture(scope="module")
def visits(site, tmp_path_factory):
    """Open the pages at once, each in its own fresh profile: (dom, stderr, screenshot) by name."""
    shots = tmp_path_factory.mktemp("shots")
    pages = {"home": "index.html", "village": "villages/liuba.html",
             "search": "search.html?q=%E6%9F%B3%E5%9D%9D"}  # ?q=柳坝: the only page with scripts
    running = {}
    for name, rel in pages.items():
        profile = tempfile.mkdtemp(prefix="chromium-")
        args = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={shots / name}.png", "--dump-dom",
                (site / rel.split("?")[0]).as_uri() + ("?" + rel.split("?")[1] if "?" in rel else "")]
        running[name] = (subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=shots), profile)
    done = {}
    for name, (proc, profile) in running.items():
        out, err = proc.communicate(timeout=120)
        shutil.rmtree(profile, ignore_errors=True)
        assert proc.returncode == 0, err.decode("utf-8", "replace")[-2000:]
        done[name] = (out.decode("utf-8"), err.decode("utf-8", "replace"), shots / f"{name}.png")
    keep = screenshot_dir()
    for _, _, png in done.values():
        shutil.copy(png, keep / f"chromium-{png.name}")
    return done


@pytest.mark.parametrize("name", ["home", "village", "search"])
def test_pages_open_without_console_messages(visits, name):
    dom, err, _ = visits[name]
    console = [line for line in err.splitlines() if ":CONSOLE" in line]
    assert console == []
    assert "</html>" in dom and "<h1>" in dom


def test_the_home_and_village_pages_show_their_content(visits):
    home, _, _ = visits["home"]
    assert "示范街道特殊困难群体关爱帮扶情况" in home and 'class="chart"' in home
    village, _, _ = visits["village"]
    assert "柳坝村关爱帮扶对象公示名单" in village and "*</th>" in village


def test_the_search_runs_offline(visits):
    dom, _, _ = visits["search"]
    assert '<ol id="search-results" class="results">' in dom  # no longer hidden
    results = dom.split('<ol id="search-results" class="results">')[1].split("</ol>")[0]
    assert "柳坝村" in results and results.count("<li>") >= 5
    assert "找到" in dom


@pytest.mark.parametrize("name", ["home", "village"])
def test_screenshots_are_not_blank(visits, name):
    _, _, png = visits[name]
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    inked, colours = ink(png)
    assert inked > 0.02 and colours > 50, (inked, colours)


# ---- accessibility: axe-core over every page, through Playwright ----

@pytest.fixture(scope="module")
def served(site):
    """The site over a local http.server (as a reader's browser gets it: a favicon request, real HTTP statuses)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def every_page(site: Path) -> list[str]:
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    return pages + ["search.html?q=%E6%9F%B3%E5%9D%9D"]  # the search page with its results shown


@pytest.fixture(scope="module")
def audits(site, served):
    """For every page at a desktop and a phone width: (console messages and errors, axe violations)."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "chromium is not installed"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run"]
    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        try:
            for width, height in ((1280, 1000), (390, 844)):
                context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
                context.add_init_script(path=AXE / "axe.min.js")  # in every page, before its own scripts
                page = context.new_page()
                messages: list[str] = []
                page.on("console", lambda m: messages.append(f"console {m.type}: {m.text}"))
                page.on("pageerror", lambda e: messages.append(f"page error: {e}"))
                # A request still in flight when the next page is opened (the favicon, under load) is aborted by that
                # navigation: not a failure of the site. A missing file is a 404, caught by the response handler.
                page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
                        and messages.append(f"request failed: {r.url} ({r.failure})"))
                page.on("response", lambda r: r.status >= 400 and messages.append(f"{r.status}: {r.url}"))
                for rel in every_page(site):
                    messages.clear()
                    page.goto(served + rel, wait_until="load")
                    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ["violations"]}))
                        .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                               nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}))""")
                    found[f"{rel} @{width}px"] = (list(messages), violations)
                context.close()
        finally:
            browser.close()
    return found


def test_every_page_has_no_console_message_and_no_failed_request(audits):
    noisy = {page: messages for page, (messages, _) in audits.items() if messages}
    assert noisy == {}


def test_every_page_has_no_serious_accessibility_violation(audits):
    serious = {page: [f"{v['id']} ({v['impact']}): {v['help']}: {v['nodes'][:3]}" for v in violations
                      if v["impact"] in BLOCKING_IMPACTS]
               for page, (_, violations) in audits.items()}
    assert {page: found for page, found in serious.items() if found} == {}
    assert len(audits) == 2 * len(every_page_names())


def every_page_names() -> list[str]:
    """The pages the demo publishes, counted independently of the fixture: one per village and page, and five."""
    records, _ = load(CONTENT, today=AS_OF)
    return ["index", "status", "search", "search?q", "version"] + [v.id for v in records.site.villages] + \
        [p.slug for p in records.pages]


def test_the_axe_core_is_the_one_scripts_pin():
    lib = (Path(__file__).resolve().parent.parent / "scripts" / "lib.sh").read_text(encoding="utf-8")
    expected = re.search(r"^AXE_SHA256=([0-9a-f]{64})$", lib, re.M)[1]
    data = (AXE / "axe.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == expected
    assert data.startswith(b"/*! axe v4.") and (AXE / "LICENSE").is_file()


def ink(png: Path) -> tuple[float, int]:
    """The share of pixels that are not white, and the number of distinct colours (Pillow when it is there)."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is in the test extras; this keeps the test honest without it
        return _ink_from_png(png.read_bytes())
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 24)
    total = sum(n for n, _ in colours)
    white = sum(n for n, c in colours if c == (255, 255, 255))
    return (total - white) / total, len(colours)


def _ink_from_png(data: bytes) -> tuple[float, int]:
    """A rough reading without Pillow: the share of non-zero bytes in the filtered scanlines (white rows filter to
    zeros) and the number of distinct byte values."""
    pos, idat = 8, b""
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    return sum(1 for b in raw if b) / len(raw), len(set(raw))
