"""Markdown notice pages to HTML, with raw HTML refused.

Python-Markdown passes raw HTML through and has no safe mode. Here its two raw-HTML handlers are replaced by
spotters that record what they would have passed through and let it become ordinary text:

- the `html_block` preprocessor (blocks such as `<script>…</script>` or `<div>` at the start of a line): the stock
  extractor is run only to learn which blocks it would take; the lines go on unchanged;
- the `html` inline pattern (`<b>`, `</span>`, `<!-- -->` inside a paragraph): the match is kept as text.

Markdown itself decides what is code, so `<tag>` in backticks or in a fenced or indented code block is never
seen by either spotter. Whatever a spotter sees becomes an E-PAGE-HTML finding and fails the build; and since
nothing is ever passed through, the HTML produced is escaped text even if a finding were ignored. Links and
images are judged on the address the browser will see (entities decoded, ignored characters removed; see
`safehtml.scheme_of`): only http, https, mailto and addresses without a scheme pass, the rest become `#` and an
E-PAGE-URL finding. Last, the HTML Markdown produced goes through the allowlist of `safehtml.clean`, which writes
it out again; anything it drops (which the spotters should have caught first) is an E-PAGE-UNSAFE finding.

Markdown loses line numbers, so a finding's line is where the offending text first occurs outside a code span in
the page (best effort: the file is always right).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape

import markdown
from markdown.inlinepatterns import HTML_RE, InlineProcessor
from markdown.preprocessors import HtmlBlockPreprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE
from markupsafe import Markup, escape

from ..findings import ERROR, Finding, Source
from . import safehtml

EXTENSIONS = ("tables", "fenced_code", "sane_lists")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_FIRST_TAG = re.compile(r"<[^<>\n]{1,40}>?")


class _Spotted:
    """What the spotters saw while converting one page."""

    def __init__(self):
        self.html: list[str] = []
        self.urls: list[str] = []


class _HtmlBlockSpotter(HtmlBlockPreprocessor):
    def __init__(self, md, spotted: _Spotted):
        super().__init__(md)
        self.spotted = spotted

    def run(self, lines: list[str]) -> list[str]:
        stash = self.md.htmlStash
        before = len(stash.rawHtmlBlocks)
        super().run(lines)
        self.spotted.html += [str(block) for block in stash.rawHtmlBlocks[before:]]
        del stash.rawHtmlBlocks[before:]
        stash.html_counter = before
        return lines


class _HtmlInlineSpotter(InlineProcessor):
    def __init__(self, spotted: _Spotted):
        super().__init__(HTML_RE)
        self.spotted = spotted

    def handleMatch(self, m, data):
        self.spotted.html.append(m.group(0))
        return m.group(0), m.start(0), m.end(0)  # a string result is inserted as text, so it is escaped


class _UrlSpotter(Treeprocessor):
    def __init__(self, md, spotted: _Spotted):
        super().__init__(md)
        self.spotted = spotted

    def run(self, root):
        for el in root.iter():
            for attr in ("href", "src"):
                url = el.get(attr)
                if url is not None and not safehtml.url_allowed(_as_browser_reads(url)):
                    self.spotted.urls.append(url)
                    el.set(attr, "#")


def _as_browser_reads(url: str) -> str:
    """The address as the browser will decode it: Markdown writes entities in it (`&#106;`, `&colon;`) out as they
    are, and its own `&` placeholder (for the entities of e-mail autolinks) becomes `&`."""
    return unescape(url.replace(AMP_SUBSTITUTE, "&"))


def to_html(text: str) -> tuple[str, _Spotted]:
    """Convert one page; return the HTML and what was refused in it."""
    spotted = _Spotted()
    md = markdown.Markdown(extensions=list(EXTENSIONS), output_format="html")
    md.preprocessors.register(_HtmlBlockSpotter(md, spotted), "html_block", 20)
    md.inlinePatterns.register(_HtmlInlineSpotter(spotted), "html", 90)
    md.treeprocessors.register(_UrlSpotter(md, spotted), "url_spotter", 0)
    return md.convert(text), spotted


def convert_pages(pages: Iterable) -> tuple[dict[str, Markup], list[Finding]]:
    """HTML of each page by slug, and a finding for each line with raw HTML or an unsafe link."""
    html: dict[str, Markup] = {}
    findings: list[Finding] = []
    for page in pages:
        body, spotted = to_html(page.markdown)
        body, dropped = safehtml.clean(body)
        html[page.slug] = Markup(scroll_tables(body, page.title))
        lines = page.markdown.splitlines()
        for line, snippets in _by_line(lines, spotted.html).items():
            tags = "、".join(dict.fromkeys(_first_tag(s) for s in snippets))
            findings.append(Finding("E-PAGE-HTML", ERROR,
                                    f"页面中不能直接写 HTML（{tags}）：请改用 Markdown 写法；"
                                    "如要显示尖括号本身，请用反引号括起来，例如 `<b>`", _at(page, line)))
        for line, urls in _by_line(lines, spotted.urls).items():
            findings.append(Finding("E-PAGE-URL", ERROR,
                                    f"链接或图片地址不安全（{'、'.join(dict.fromkeys(_refused(u) for u in urls))}）："
                                    "只允许 http、https、mailto 或站内相对地址（电话号码请直接写成文字）",
                                    _at(page, line)))
        for line, snippets in _by_line(lines, dropped).items():
            findings.append(Finding("E-PAGE-UNSAFE", ERROR,
                                    f"页面生成的网页含有不允许的内容（{'、'.join(dict.fromkeys(snippets))}），已删除："
                                    "请只用 Markdown 的标题、段落、列表、表格、链接和图片", _at(page, line)))
    return html, findings


_TABLE = re.compile(r"<table>.*?</table>", re.S)
_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.S)
_TAG = re.compile(r"<[^>]*>")


def scroll_tables(body: str, title: str) -> str:
    """Each table (cleaned HTML: Markdown tables do not nest) in its own labelled box that scrolls sideways on a
    narrow screen, as the site's own tables are (site_templates/_tables.html); named after the heading above it,
    or the page's title, numbered when several share a name."""
    labels = []
    for m in _TABLE.finditer(body):
        headings = _HEADING.findall(body, 0, m.start())
        labels.append((unescape(_TAG.sub("", headings[-1])).strip() if headings else "") or title)
    done: list[str] = []

    def wrap(m: re.Match) -> str:
        label = labels[len(done)]
        done.append(label)
        if labels.count(label) > 1:
            label = f"{label}（表 {done.count(label)}）"
        return f'<div class="table-scroll" role="region" aria-label="{escape(label)}" tabindex="0">{m[0]}</div>'

    return _TABLE.sub(wrap, body)


def _at(page, line: int) -> Source:
    return Source(page.source.file, line, 1 if line else 0)


def _refused(url: str) -> str:
    """The address as written (invisible characters shown as escapes) and the scheme the browser would see in it."""
    shown = "".join(c if c.isprintable() and c != "\\" else ascii(c)[1:-1] for c in url)
    scheme = safehtml.scheme_of(_as_browser_reads(url))
    return shown if not scheme or url.lower().startswith(f"{scheme}:") else f"{shown}，浏览器读作 {scheme}: 地址"


def _first_tag(snippet: str) -> str:
    m = _FIRST_TAG.search(snippet)
    return m[0] if m else snippet


def _by_line(lines: list[str], snippets: list[str]) -> dict[int, list[str]]:
    """Group snippets by the 1-based line where each occurs (0 when it cannot be found), in line order."""
    plain = _lines_outside_code(lines)
    found: dict[int, list[str]] = {}
    for snippet in snippets:
        first = snippet.strip().splitlines()[0] if snippet.strip() else snippet
        line = next((i for i, text in enumerate(plain, 1) if first in text), 0)
        if not line:
            line = next((i for i, text in enumerate(lines, 1) if first in text), 0)
        found.setdefault(line, []).append(snippet)
    return dict(sorted(found.items()))


def _lines_outside_code(lines: list[str]) -> list[str]:
    """Each line with code spans removed; lines inside fenced code blocks become empty."""
    out, fence = [], None
    for text in lines:
        m = _FENCE.match(text)
        if fence is None and m:
            fence = m[1][0] * len(m[1])
            out.append("")
        elif fence is not None:
            if text.strip().startswith(fence) and set(text.strip()) == {fence[0]}:
                fence = None
            out.append("")
        else:
            out.append(_CODE_SPAN.sub("", text))
    return out
