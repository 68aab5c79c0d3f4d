"""The rows of the long tables, each rendered once and kept across builds (issue 16).

A county-wide page (the status of every village and cadre, every finding, every change of the audit trail, every
item of the desk) changes with nearly every commit, but only in a few of its thousands of rows. Its template renders
the rows with `kept_rows(macro, items, *args)`: each item's HTML is made by `macro(item, *args)` once, and kept
under the digest of everything it is made from: the templates' and code's base digest, the macro (its file and
name), the other arguments and the item itself. The next build takes the unchanged rows as they were and renders the
others, so the page costs a digest per row rather than a render per row.

The key holds all a row's HTML depends on only if the macro reads nothing but its arguments: a row macro lives in a
file the templates import without context (`_rows.html`, `_tables.html`), where the page's own variables are not
visible. tests/test_render_rows.py checks that pages made with kept rows are those made without, after random edits.

The kept rows live in the cache (`rows/<hash of the output path>.pickle`, sealed), per page: a page rendered keeps
the rows it used, a page reused from the output keeps the ones it had, a page gone takes its rows with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from jinja2.runtime import Macro
from markupsafe import Markup

from . import memo as memos


class Rows:
    """The rows of one build's pages: `kept` (key → HTML) from the previous build, `used` per page in this one."""

    def __init__(self, kept: dict[str, dict[bytes, str]] | None = None):
        self.previous = kept or {}  # page → {key: HTML}, as the previous build left them
        self.kept: dict[bytes, str] = {key: html for rows in self.previous.values() for key, html in rows.items()}
        self.used: dict[str, dict[bytes, str]] = {}  # page → {key: HTML} of this build's rendered pages
        self.page = ""  # the page being rendered (set by the memo)
        self.made = 0  # rows rendered this build; the others were kept

    def render(self, base: Callable[[], bytes], macro, items: Iterable, *args, parts=None) -> Markup:
        """`macro(item, *args)` for each item, joined: from the kept rows where the key is known. `parts`
        (memo.Parts): the digests of the items the renderer worked out already (the villages)."""
        _check(macro)
        code = macro._func.__code__
        prefix = memos.digest((base(), code.co_filename, macro.name, args))
        of = parts.of if parts is not None else memos.digest
        used = self.used.setdefault(self.page, {})
        out = []
        for item in items:
            key = prefix + of(item)
            html = self.kept.get(key)
            if html is None:
                html = self.kept[key] = str(macro(item, *args))
                self.made += 1
            used[key] = html
            out.append(html)
        return Markup("".join(out))

    def to_keep(self, pages: Iterable[str], rendered: set[str]) -> dict[str, dict[bytes, str]]:
        """What the next build starts from: for each page of this build, the rows it used if it was rendered, the
        rows it had if it was reused."""
        out = {}
        for page in pages:
            rows = self.used.get(page) if page in rendered else self.previous.get(page)
            if rows:
                out[page] = rows
        return out


class Unkept:
    """Every row rendered (no output to keep them for: tests, the preview, a renderer called without a memo)."""

    page = ""

    def render(self, base: Callable[[], bytes], macro, items: Iterable, *args, parts=None) -> Markup:
        return unkept(macro, items, *args)


def unkept(macro, items: Iterable, *args) -> Markup:
    """`kept_rows` of an environment whose pages keep nothing (the PDFs' pages, a template rendered on its own)."""
    _check(macro)
    return Markup("".join(str(macro(item, *args)) for item in items))


def _check(macro) -> None:
    """Only a template's macro: a sandboxed template must not have Python call anything else through this."""
    if not isinstance(macro, Macro):
        raise TypeError("kept_rows renders a template macro only")
