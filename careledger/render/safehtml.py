"""The allowlist of the HTML that notice pages may contain, and the rule for link and image addresses.

`pages.py` refuses raw HTML and unsafe links in the Markdown and says on which line; this module is the last word
on the HTML that came out of Markdown. `clean(html)` parses it with `html.parser` as a browser would read it and
writes it out again from what it parsed: only the tags and attributes of `ALLOWED`, every text and attribute value
escaped anew, and every `href` and `src` judged by `url_allowed` after entity decoding (`&#106;`, `&colon;`,
`&Tab;` are decoded by the parser exactly once, as by a browser). Since the value written out is the value judged,
fully escaped, the browser sees exactly what was checked. Whatever is dropped is returned as a problem, so a gap in
the Markdown-level checks becomes a build error (E-PAGE-UNSAFE) rather than a published script.

Addresses: a browser removes tabs and newlines anywhere in a URL and control characters and spaces around it before
it reads the scheme, so `java&#x09;script:` is `javascript:`. `scheme_of` removes more than that (every control,
whitespace and invisible formatting character, anywhere), so it can only refuse more, never less, than a browser
would run. Allowed: http, https, mailto, and addresses without a scheme (relative paths, `#fragments`, `//host/`).
Everything else (javascript, vbscript, data, file, tel, blob …) is refused: a notice page needs none of them, and a
phone number is written as text (readers' phones offer to dial it).
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
URL_ATTRIBUTES = frozenset({"href", "src"})

# What Python-Markdown with the tables, fenced_code and sane_lists extensions produces, and nothing more.
_TEXT = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "li", "blockquote", "em", "strong", "pre", "hr", "br",
         "table", "thead", "tbody", "tr")
_ALIGN = re.compile(r"text-align: (left|right|center);?")
ALLOWED: dict[str, dict[str, re.Pattern | None]] = {
    **{tag: {} for tag in _TEXT},
    "ol": {"start": re.compile(r"[0-9]{1,9}")},
    "code": {"class": re.compile(r"language-[A-Za-z0-9_#.+-]{1,40}")},
    "a": {"href": None, "title": None},
    "img": {"src": None, "alt": None, "title": None},
    "th": {"style": _ALIGN, "align": re.compile(r"left|right|center")},
    "td": {"style": _ALIGN, "align": re.compile(r"left|right|center")},
}
VOID = frozenset({"br", "hr", "img"})
_DROP_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "textarea",
                           "title", "xmp", "noembed", "noframes"})

# Ignored when reading a scheme: C0/C1 controls, space, DEL, every Unicode space, and invisible format characters.
_IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f"
                      r"\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):", re.ASCII)


def scheme_of(url: str) -> str:
    """The scheme of an entity-decoded address, in lower case; "" when it has none (relative, fragment)."""
    m = _SCHEME.match(_IGNORED.sub("", url))
    return m[1].lower() if m else ""


def url_allowed(url: str) -> bool:
    return scheme_of(url) in ALLOWED_SCHEMES or scheme_of(url) == ""


def clean(html: str) -> tuple[str, list[str]]:
    """The HTML rebuilt from the allowlist, and what was dropped (tags, attributes, addresses), in order."""
    parser = _Cleaner()
    parser.feed(html)
    parser.close()
    return "".join(parser.out), parser.problems


class _Cleaner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.problems: list[str] = []
        self.dropping: list[str] = []  # open elements whose content is dropped with them

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, closed=True)

    def _start(self, tag, attrs, *, closed: bool) -> None:
        if self.dropping:
            return
        if tag not in ALLOWED:
            self.problems.append(f"<{tag}>")
            if tag in _DROP_CONTENT and not closed:
                self.dropping.append(tag)
            return
        kept = []
        for name, value in attrs:
            value = value or ""
            rule = ALLOWED[tag].get(name, False)
            if rule is False or (rule is not None and not rule.fullmatch(value)):
                self.problems.append(f"<{tag} {name}=\"{value}\">")
            elif name == "style":  # the page's policy refuses style attributes (careledger/csp.py): a class instead
                kept.append(f' class="align-{_ALIGN.fullmatch(value).group(1)}"')
            elif name in URL_ATTRIBUTES and not url_allowed(value):
                self.problems.append(value)
                kept.append(f' {name}="#"')
            else:
                kept.append(f' {name}="{escape(value, quote=True)}"')
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_endtag(self, tag):
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in ALLOWED and tag not in VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def handle_comment(self, data):
        self.problems.append("<!-- -->")

    def handle_decl(self, decl):
        self.problems.append(f"<!{decl}>")

    def unknown_decl(self, data):
        self.problems.append(f"<![{data}]>")

    def handle_pi(self, data):
        self.problems.append(f"<?{data}>")
