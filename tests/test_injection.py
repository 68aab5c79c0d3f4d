"""Hostile notice pages (in the manner of the OWASP XSS filter evasion cheat sheet) built into a content set.

Each payload is one page. Those that would run a script are located build errors (E-PAGE-URL for an address,
E-PAGE-HTML for raw HTML) naming the page and line, and the build writes nothing; the site rendered from them
regardless (as if the errors were ignored) and the site the real build publishes from the harmless ones are both
scanned as a browser reads them (`html.parser` decodes entities): no script address in any href or src, no `on*`
attribute, no script but the site's own two files.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from careledger.cli import main
from careledger.findings import Source
from careledger.load import load
from careledger.pipeline import BuildFailed, build_all
from careledger.render import convert_pages, render_site
from careledger.render import pages as pages_module
from careledger.render import safehtml
from careledger.rules import run_rules
from careledger.views.public import redact

from .conftest import AS_OF

JS = "alert(1)"
# slug: (the line of Markdown, the finding it must give: a code, or None for a page that is harmless as written)
PAYLOADS: dict[str, tuple[str, str | None]] = {
    "plain": (f"[点这里](javascript:{JS})", "E-PAGE-URL"),
    "mixed-case": (f"[点这里](JaVaScRiPt:{JS})", "E-PAGE-URL"),
    "decimal-entity": (f"[点这里](&#106;avascript:{JS})", "E-PAGE-URL"),
    "named-colon": (f"[点这里](javascript&colon;{JS})", "E-PAGE-URL"),
    "decimal-colon": (f"[点这里](javascript&#58;{JS})", "E-PAGE-URL"),
    "hex-tab": (f"[点这里](java&#x09;script:{JS})", "E-PAGE-URL"),
    "named-tab": (f"[点这里](java&Tab;script:{JS})", "E-PAGE-URL"),
    "named-newline": (f"[点这里](java&NewLine;script:{JS})", "E-PAGE-URL"),
    "hex-newline": (f"[点这里](jav&#x0A;ascript:{JS})", "E-PAGE-URL"),
    "padded-decimal-no-semicolons": ("[点这里](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114"
                                     f"&#0000105&#0000112&#0000116&#0000058{JS})", "E-PAGE-URL"),
    "hex-no-semicolons": ("[点这里](&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74"
                          "&#x28&#x31&#x29)", "E-PAGE-URL"),
    "all-hex": ("[点这里](&#x6a;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3a;alert(1))", "E-PAGE-URL"),
    "leading-control": (f"[点这里](&#14;javascript:{JS})", "E-PAGE-URL"),
    "leading-space-in-brackets": (f"[点这里](<&#32;javascript:{JS}>)", "E-PAGE-URL"),
    "line-separator": (f"[点这里](&#x2028;javascript:{JS})", "E-PAGE-URL"),
    "with-title": (f'[点这里](javascript:{JS} "标题")', "E-PAGE-URL"),
    "slashes": ("[点这里](javascript://%0Aalert(1))", "E-PAGE-URL"),
    "vbscript": ("[点这里](vbscript:msgbox(1))", "E-PAGE-URL"),
    "image-script": (f"![图](javascript:{JS})", "E-PAGE-URL"),
    "image-entity": (f"![图](&#x6A;avascript:{JS})", "E-PAGE-URL"),
    "image-data": ("![图](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", "E-PAGE-URL"),
    "data-upper": ("[点这里](DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "E-PAGE-URL"),
    "reference": (f"见[通知][r]。\n\n[r]: javascript:{JS}", "E-PAGE-URL"),
    "reference-entity": (f"见[通知][r]。\n\n[r]: &#106;avascript:{JS}", "E-PAGE-URL"),
    "tel": ("[拨打电话](tel:0999-5326572)", "E-PAGE-URL"),
    "script-tag": (f"<script>{JS}</script>", "E-PAGE-HTML"),
    "img-onerror": (f"见图 <img src=x onerror={JS}>", "E-PAGE-HTML"),
    "svg-onload": (f"图 <svg/onload={JS}>", "E-PAGE-HTML"),
    "a-href": (f'见 <a href="javascript:{JS}">链接</a>', "E-PAGE-HTML"),
    "iframe": (f'<iframe src="javascript:{JS}"></iframe>', "E-PAGE-HTML"),
    "autolink-script": (f"<javascript:{JS}>", "E-PAGE-HTML"),
    # Harmless as written: the quote is escaped inside the attribute, the percent is not decoded by the browser.
    "autolink-quote": (f'<https://example.org/"onmouseover="{JS}>', None),
    "href-quote": (f'[点这里](https://example.org/"onclick="{JS})', None),
    "title-quote": (f'[点这里](https://example.org/ "a\\" onclick=\\"{JS}")', None),
    "image-quote": (f'![图](https://example.org/a.png"onerror="{JS})', None),
    "percent-encoded": (f"[点这里](%6Aavascript:{JS})", None),
    "fullwidth-colon": (f"[点这里](javascript：{JS})", None),
    "img-script-src": ("见图 <IMG SRC=JaVaScRiPt:alert('XSS')>", None),  # not HTML to Markdown: shown as text
    "entity-in-text": ("写作 &lt;script&gt; 的只是文字，&#60;script&#62; 也是。", None),
}
SAFE_LINKS = ("[街道](https://example.org/?a=1&b=2) [旧站](http://example.org/) [邮件](mailto:office@example.org) "
              "[状态](../status.html) [本页](#top) [编码](&#104;ttps://example.org/) <office@example.org>")


def page_text(markdown: str) -> tuple[str, int]:
    """A page holding one payload, and the line of the payload's last line (a reference's definition)."""
    return f"# 通知\n\n正文。\n\n{markdown}\n", 5 + markdown.count("\n")


@pytest.fixture
def hostile(basic) -> Path:
    for slug, (markdown, _) in PAYLOADS.items():
        (basic / "pages" / f"{slug}.md").write_text(page_text(markdown)[0], encoding="utf-8")
    return basic


def test_every_hostile_page_is_a_located_error_and_nothing_is_written(hostile, tmp_path):
    output = tmp_path / "out"
    with pytest.raises(BuildFailed) as failed:
        build_all(hostile, output, as_of=AS_OF, paper=False)
    errors = {f.source.file: f for f in failed.value.findings if f.is_error}
    expected = {f"pages/{slug}.md": code for slug, (_, code) in PAYLOADS.items() if code}
    assert {rel: f.code for rel, f in errors.items()} == expected
    for slug, (markdown, code) in PAYLOADS.items():
        if code:
            rel = f"pages/{slug}.md"
            assert errors[rel].source == Source(rel, page_text(markdown)[1], 1), errors[rel].format()
    assert sum(f.is_error for f in failed.value.findings) == len(expected)
    assert not output.exists()
    decoded = errors["pages/decimal-entity.md"].message
    assert "&#106;avascript:alert(1)" in decoded and "浏览器读作 javascript: 地址" in decoded
    assert "浏览器读作 javascript: 地址" in errors["pages/hex-tab.md"].message
    result = CliRunner().invoke(main, ["build", "--content", str(hostile), "--output", str(output),
                                       "--as-of", AS_OF.isoformat()])
    assert result.exit_code != 0 and "pages/named-colon.md\n  5:1 错误 [E-PAGE-URL]" in result.output


def test_the_site_rendered_from_hostile_pages_anyway_is_clean(hostile):
    """Were the errors ignored, the HTML would still carry no script: refused addresses are `#`, raw HTML is text."""
    records, _ = load(hostile, today=AS_OF)
    view = redact(records, run_rules(records, AS_OF), AS_OF, records.site.privacy, commit="")
    pages_html, _ = convert_pages(view.pages)
    files = render_site(view, pages_html)
    assert {f"pages/{slug}.html" for slug in PAYLOADS} <= set(files)
    assert scan_site(files) == []


def test_a_page_with_harmless_payloads_and_allowed_links_is_published_clean(basic, tmp_path):
    for slug, (markdown, code) in PAYLOADS.items():
        if code is None:
            (basic / "pages" / f"{slug}.md").write_text(page_text(markdown)[0], encoding="utf-8")
    (basic / "pages" / "links.md").write_text(page_text(SAFE_LINKS)[0], encoding="utf-8")
    output = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--content", str(basic), "--output", str(output),
                                       "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    site = output / "site"
    files = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert scan_site(files) == []
    links = hrefs(files["pages/links.html"].decode("utf-8"))
    assert {"https://example.org/?a=1&b=2", "http://example.org/", "mailto:office@example.org", "../status.html",
            "#top", "https://example.org/"} <= set(links)
    quoted = files["pages/href-quote.html"].decode("utf-8")
    assert 'href="https://example.org/&quot;onclick=&quot;alert(1"' in quoted


def test_the_output_allowlist_catches_what_the_markdown_checks_would_miss(monkeypatch):
    """With the Markdown-level spotters switched off, raw HTML reaches the output pass: it is dropped and reported."""
    import markdown

    def unguarded(text):
        return markdown.markdown(text, extensions=list(pages_module.EXTENSIONS)), pages_module._Spotted()

    monkeypatch.setattr(pages_module, "to_html", unguarded)
    raw = {slug: markdown_ for slug, (markdown_, code) in PAYLOADS.items() if code}
    pages = [Page(slug, page_text(text)[0]) for slug, text in raw.items()]
    html, findings = convert_pages(pages)
    by_file = {f.source.file: f for f in findings}
    assert {f.code for f in findings} == {"E-PAGE-UNSAFE"}
    # Markdown writes the last `&` of this one as `&amp;`, so a browser reads `javascript&#0000058alert(1)`, a
    # relative address: harmless as output, refused by the Markdown-level check, which decodes what was written.
    harmless_as_output = {"padded-decimal-no-semicolons"}
    assert set(by_file) == {f"pages/{slug}.md" for slug in raw if slug not in harmless_as_output}
    for slug, body in html.items():
        assert scan_html(str(body), f"pages/{slug}.html") == [], slug


@pytest.mark.parametrize("html, problem", [
    ('<p onclick="x()">a</p>', '<p onclick="x()">'),
    ("<a href=\"&#106;avascript:x\">a</a>", "javascript:x"),
    ("<a href=\"java&#x09;script:x\">a</a>", "java\tscript:x"),
    ('<img src="data:image/png;base64,AA" alt="x">', "data:image/png;base64,AA"),
    ("<style>p{}</style>", "<style>"),
    ("<!-- x -->", "<!-- -->"),
    ('<td style="background:url(javascript:x)">a</td>', '<td style="background:url(javascript:x)">'),
    ('<code class="x onload">a</code>', '<code class="x onload">'),
])
def test_the_allowlist_drops_and_reports(html, problem):
    clean, problems = safehtml.clean(html)
    assert problem in problems
    assert scan_html(clean, "x.html") == []
    assert "style>" not in clean and "<!--" not in clean


def test_the_allowlist_keeps_what_markdown_makes():
    html = ('<h2>标题</h2>\n<p>a &amp; b &lt;c&gt; <em>e</em> <strong>s</strong> <code>c</code><br>\n'
            '<a href="https://example.org/?a=1&amp;b=2" title="t &quot;q&quot;">l</a> <img alt="i" src="a.png"></p>\n'
            '<table>\n<thead>\n<tr>\n<th style="text-align: left;">a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n'
            '<td style="text-align: right;">1</td>\n</tr>\n</tbody>\n</table>\n'
            '<pre><code class="language-python">x = 1 &lt; 2\n</code></pre>\n<ol start="3">\n<li>x</li>\n</ol>\n'
            "<blockquote>\n<p>q</p>\n</blockquote>\n<hr>\n<ul>\n<li>u</li>\n</ul>")
    # The tables' alignment becomes a class: the page's Content-Security-Policy refuses style attributes.
    kept = html.replace('style="text-align: left;"', 'class="align-left"').replace(
        'style="text-align: right;"', 'class="align-right"')
    assert safehtml.clean(html) == (kept, [])


@pytest.mark.parametrize("url, scheme", [
    ("javascript:x", "javascript"), (" \x01java\tscr\nipt:x", "javascript"), ("\u200bjavascript:x", "javascript"),
    ("JAVASCRIPT:x", "javascript"), ("https://a/b:c", "https"), ("mailto:a@b", "mailto"), ("../a:b.html", ""),
    ("#x:y", ""), ("//host/x", ""), ("a.html?q=x:y", ""), ("%6Aavascript:x", ""), ("1javascript:x", ""),
])
def test_scheme_of(url, scheme):
    assert safehtml.scheme_of(url) == scheme
    assert safehtml.url_allowed(url) == (scheme in ("", "http", "https", "mailto"))


class Page:
    def __init__(self, slug: str, markdown: str):
        self.slug, self.markdown, self.title = slug, markdown, "通知"
        self.source = Source(f"pages/{slug}.md")


# ---- the scan: the site as a browser reads it ----

SCRIPT_SCHEMES = re.compile(r"(javascript|vbscript|data|livescript|mocha):", re.I)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "srcset", "data",
                  "codebase", "cite", "longdesc", "usemap", "ping"}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "link-import", "portal"}
OWN_SCRIPTS = {"search-index.js", "static/search.js"}


def scan_site(files: dict[str, bytes]) -> list[str]:
    problems = []
    for rel, data in sorted(files.items()):
        if rel.endswith(".html"):
            problems += scan_html(data.decode("utf-8"), rel)
    return problems


def scan_html(html: str, rel: str) -> list[str]:
    scanner = _Scanner(rel)
    scanner.feed(html)
    scanner.close()
    return scanner.problems


def hrefs(html: str) -> list[str]:
    scanner = _Scanner("")
    scanner.feed(html)
    return scanner.hrefs


class _Scanner(HTMLParser):
    def __init__(self, rel: str):
        super().__init__(convert_charrefs=True)
        self.rel, self.problems, self.hrefs, self.in_script = rel, [], [], False
        self.root = "../" * rel.count("/")

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"{self.rel}: <{tag} {name}>")
            if name in URL_ATTRIBUTES:
                # What a URL parser keeps: leading/trailing C0 and space stripped, tab and newline removed anywhere.
                seen = re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(0x21))))
                if SCRIPT_SCHEMES.match(seen) or SCRIPT_SCHEMES.match(re.sub(r"[\x00-\x20]", "", value)):
                    self.problems.append(f"{self.rel}: <{tag} {name}={value!r}>")
                if name == "href":
                    self.hrefs.append(value)
            if name == "http-equiv" and value.lower() == "refresh":
                self.problems.append(f"{self.rel}: <meta http-equiv=refresh>")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"{self.rel}: <{tag}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith(self.root) or src[len(self.root):] not in OWN_SCRIPTS:
                self.problems.append(f"{self.rel}: <script src={src!r}>")
            self.in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append(f"{self.rel}: inline script {data.strip()[:40]!r}")


# ---- the search index: JSON in a script ----

def test_a_title_cannot_break_out_of_the_search_index(basic, tmp_path):
    title = "通知 `</script><script>alert(1)</script><!--` 与 & 号"
    body = "正文\u2028第二段\u2029。 `</SCRIPT >` 也只是文字。"
    (basic / "pages" / "breakout.md").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    site_yaml = basic / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("name: 东山村", 'name: "东山\\u2028村"'),
                         encoding="utf-8")
    output = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--content", str(basic), "--output", str(output),
                                       "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    script = (output / "site" / "search-index.js").read_text(encoding="utf-8")
    prefix, data = script.split("window.CARELEDGER_SEARCH = ", 1)
    assert data.endswith(";\n")
    data = data[:-2]
    for character in "<>&\u2028\u2029":
        assert character not in data, repr(character)
    entries = json.loads(data)
    [entry] = [e for e in entries if e["u"] == "pages/breakout.html"]
    assert entry["t"] == title
    assert "</SCRIPT >" in entry["s"]
    assert "东山\u2028村" in [e["t"] for e in entries]
    # Inlined in a page, the whole index stays one script element.
    inline = _Inline()
    inline.feed(f"<script>{script}</script><p>after</p>")
    assert inline.scripts == [script]


class _Inline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.inside = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.inside = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.scripts[-1] += data
