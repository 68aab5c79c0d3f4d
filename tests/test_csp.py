"""The Content-Security-Policy of every page (careledger/csp.py): the published site, the internal reports and the
desk, the dossiers and their indexes of the demo all carry the policy as their first element after the charset, hold
nothing it refuses (inline scripts, style attributes, event handlers), and open in Chromium, served and from disk,
with no `securitypolicyviolation` event and no console message. A page with an inline script is refused and
reported, so the listener is known to hear."""

from __future__ import annotations

import functools
import http.server
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

from careledger import csp
from careledger.preview.internal import internal_files

from .conftest import AS_OF
from .test_browser import CHROMIUM, CONTENT, IN_CI, site  # noqa: F401 (site: the demo's published site)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
EXPECTED = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
            "form-action 'self'")
# Every violation and console message reaches the console handler: the listener runs before the page's scripts.
LISTEN = """document.addEventListener("securitypolicyviolation", e => console.error(
    "CSP violation: " + e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber));"""


@pytest.fixture(scope="module")
def demo(site, tmp_path_factory) -> Path:  # noqa: F811
    """The demo as a build writes it: site/, reports/ and the dossiers' HTML in private/ (made as `serve --internal`
    makes them, without the PDFs)."""
    root = site.parent
    for path, data in internal_files(CONTENT, tmp_path_factory.mktemp("unused"), AS_OF).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root


def pages(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))


class Head(HTMLParser):
    """The order of elements, the policy metas, and what a strict policy would refuse."""

    def __init__(self):
        super().__init__()
        self.order: list[str] = []
        self.policies: list[str] = []
        self.refused: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.order.append("csp" if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy" else tag)
        if self.order[-1] == "csp":
            self.policies.append(attrs["content"])
        if tag == "script" and "src" not in attrs:
            self.refused.append("inline <script>")
        self.refused += [f"<{tag} {name}>" for name in attrs if name == "style" or name.startswith("on")]
        self.refused += [f"<{tag} {name}={value}>" for name, value in attrs.items()
                         if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:")]


def test_the_demo_has_site_reports_and_dossiers(demo):
    found = pages(demo)
    assert sum(p.startswith("site/") for p in found) >= 13
    assert sum(p.startswith("reports/") for p in found) >= 50 and "reports/notice.html" in found
    assert sum(p.startswith("private/dossiers/") for p in found) >= 60


def test_every_page_carries_the_policy_first_and_nothing_it_refuses(demo):
    wrong = {}
    for rel in pages(demo):
        html = (demo / rel).read_text(encoding="utf-8")
        head = Head()
        head.feed(html)
        problems = list(head.refused)
        if len(head.policies) != 1:
            problems.append(f"{len(head.policies)} policies")
        elif head.order[:head.order.index("csp")] != ["html", "head", "meta"]:  # only <meta charset> before it
            problems.append(f"policy after {head.order[:head.order.index('csp')]}")
        else:
            policy = head.policies[0]
            hashes = [csp.style_hash(text) for text in csp._STYLE.findall(html)]
            want = EXPECTED.replace("style-src 'self'", " ".join(["style-src 'self'", *dict.fromkeys(hashes)]))
            if policy != want:
                problems.append(policy)
        if problems:
            wrong[rel] = problems
    assert wrong == {}


def test_the_nginx_header_in_the_deploy_guide_is_the_policy_with_frame_ancestors():
    import re

    text = (Path(__file__).resolve().parent.parent / "docs" / "deploy.md").read_text(encoding="utf-8")
    headers = re.findall(r'add_header Content-Security-Policy "([^"]*)" always;', text)
    assert headers[0] == csp.HEADER_POLICY == EXPECTED + "; frame-ancestors 'none'"
    assert headers[1:] == ["frame-ancestors 'none'"]  # the desk: its pages' metas do the rest


def test_the_column_classes_of_dossiers_and_the_notice_have_their_widths(demo):
    """The column widths moved from style attributes to classes: each class used has its rule in the page."""
    import re

    for rel in ["reports/notice.html", next(p for p in pages(demo) if re.search(r"dossiers/\w+/\w+-\d+\.html$", p))]:
        html = (demo / rel).read_text(encoding="utf-8")
        used = set(re.findall(r'<col class="(w\d+)">', html))
        assert used and all(f"col.{c} {{ width: {c[1:]}%; }}" in html for c in used), rel


pytestmark_browser = pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="chromium is not installed")


@pytest.fixture(scope="module")
def served(demo):
    class Handler(http.server.SimpleHTTPRequestHandler):
        """Sends the published site with the header docs/deploy.md gives nginx, so that is tested too."""

        def end_headers(self):
            if self.path.startswith("/site/"):
                self.send_header("Content-Security-Policy", csp.HEADER_POLICY)
            super().end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(demo)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "chromium is not installed"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def visit(browser, addresses: list[str], then=None) -> dict[str, list[str]]:
    """Console messages, page errors and failed requests of each address (none expected)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(LISTEN)
    tab = context.new_page()
    messages: list[str] = []
    tab.on("console", lambda m: messages.append(f"console {m.type}: {m.text}"))
    tab.on("pageerror", lambda e: messages.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
           and messages.append(f"request failed: {r.url} ({r.failure})"))
    tab.on("response", lambda r: r.status >= 400 and messages.append(f"{r.status}: {r.url}"))
    noisy = {}
    try:
        for address in addresses:
            messages.clear()
            tab.goto(address, wait_until="load")
            if then:
                then(tab, address)
            tab.wait_for_timeout(50)  # a violation is reported after the task that caused it
            if messages:
                noisy[address] = list(messages)
    finally:
        context.close()
    return noisy


@pytestmark_browser
def test_every_page_served_opens_without_a_policy_violation(demo, served, browser):
    addresses = [served + rel for rel in pages(demo)] + [served + "site/search.html?q=%E6%9F%B3%E5%9D%9D"]
    assert visit(browser, addresses) == {}


@pytestmark_browser
def test_the_site_and_the_desk_opened_from_disk_have_no_violation_and_still_work(demo, browser):
    """From disk ('self' is then file:): the search finds, the desk's tables sort, the charts are drawn."""
    checked = []

    def works(tab, address):
        if "search.html?q=" in address:
            assert tab.locator("#search-results li").count() >= 5
            checked.append("search")
        elif "trends.html" in address:
            assert tab.locator("svg.chart, .chart svg").count() >= 2
            checked.append("charts")
        elif address == desk:
            assert tab.locator("table.worklist th button").count() > 0  # tables.js made the headings buttons
            first = tab.locator("table.worklist th button").first
            first.click()
            assert first.locator("xpath=..").get_attribute("aria-sort") == "ascending"  # and they sort
            checked.append("desk")

    site_pages = [(demo / rel).as_uri() for rel in pages(demo) if rel.startswith("site/")]
    search = (demo / "site" / "search.html").as_uri() + "?q=%E6%9F%B3%E5%9D%9D"
    desk = next(p for p in sorted((demo / "reports").glob("*.html")) if 'class="worklist"' in p.read_text()).as_uri()
    internal = [(demo / rel).as_uri() for rel in ("reports/index.html", "reports/trends.html", "reports/notice.html",
                                                  "private/dossiers/index.html")] + [desk]
    internal.append(next(p for p in (demo / "private" / "dossiers").rglob("*-*.html")).as_uri())
    assert visit(browser, site_pages + [search] + internal, then=works) == {}
    assert sorted(set(checked)) == ["charts", "desk", "search"]


@pytestmark_browser
def test_an_inline_script_is_refused_and_heard(demo, served, browser, tmp_path):
    """The listener hears a violation: a copy of the home page with an inline script and a style attribute."""
    html = (demo / "site" / "index.html").read_text(encoding="utf-8")
    bad = html.replace("<main>", '<main><p style="color:red">x</p><script>document.title = "ran"</script>', 1)
    (demo / "site" / "planted.html").write_text(bad, encoding="utf-8")
    try:
        noisy = visit(browser, [served + "site/planted.html"])
    finally:
        (demo / "site" / "planted.html").unlink()
    text = " ".join(noisy.get(served + "site/planted.html", []))
    assert "CSP violation: script-src-elem inline" in text and "CSP violation: style-src-attr inline" in text


def test_sealing_puts_the_policy_first_with_the_page_s_own_styles_only():
    page = '<!DOCTYPE html><html><head>\n<meta charset="utf-8">\n<title>t</title><style>p{}</style></head></html>'
    sealed = csp.sealed(page)
    assert sealed.index("Content-Security-Policy") < sealed.index("<title>") < sealed.index("<style>")
    assert csp.policy_of(sealed) == EXPECTED.replace("style-src 'self'", "style-src 'self' "
                                                     "'sha256-gG2yISYereRMiG2lMXrbiUgi0Ubw9p7QCeWcroOvy9Y='")
    assert csp.policy_of(csp.sealed("<html><head><title>t</title></head></html>")) == EXPECTED
    for wrong in ("<p>no head</p>", sealed):  # no head; a policy already
        with pytest.raises(ValueError):
            csp.sealed(wrong)
