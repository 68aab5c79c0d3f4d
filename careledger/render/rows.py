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
    """The rows of one build's pages: `kept` (key → HTML) from the previous build, `used` per page in this one. A
    row's HTML is held as UTF-8 bytes: about half the memory of a str (the markup is ASCII, but one Chinese character
    makes a str two bytes a character), and pickling a str would attach a UTF-8 copy to it for the rest of the
    build (CPython caches it), where bytes pickle as they are."""

    def __init__(self, kept: dict[str, dict[bytes, bytes]] | None = None):
        self.previous = kept or {}  # page → {key: HTML}, as the previous build left them
        self.kept: dict[bytes, bytes] = {key: html for rows in self.previous.values() for key, html in rows.items()}
        self.used: dict[str, dict[bytes, bytes]] = {}  # page → {key: HTML} of this build's rendered pages
        self.page = ""  # the page being rendered (set by the memo)
        self.made = 0  # rows rendered this build; the others were kept
        self.fresh: set[bytes] = set()  # the keys of the rows this process rendered (`taken`)

    def render(self, base: Callable[[], bytes], macro, items: Iterable, *args, parts=None) -> Markup:
        """`macro(item, *args)` for each item, joined: from the kept rows where the key is known. `parts`
        (memo.Parts): the digests of the items the renderer worked out already (the villages)."""
        _check(macro)
        code = macro._func.__code__
        prefix = memos.digest((base(), code.co_filename, macro.name, args))
        of = parts.of if parts is not None else memos.digest
        used = self.used.setdefault(self.page, {})
        kept = self.kept
        out = []
        for item in items:
            key = prefix + of(item)
            data = kept.get(key)
            if data is None:
                html = str(macro(item, *args))
                data = kept[key] = html.encode("utf-8", "surrogatepass")
                self.made += 1
                self.fresh.add(key)
            else:
                html = data.decode("utf-8", "surrogatepass")
            used[key] = data
            out.append(html)
        return Markup("".join(out))

    def taken(self, page: str) -> list[tuple[bytes, bytes | None]] | None:
        """The rows `page` used, taken out to be sent to the building process (`given`): a row this process
        rendered with its HTML, a row kept from the previous build as its key alone. The building process loaded
        the same previous rows before the fork, so a worker's reply is the rows it made, not a copy of every row
        of its pages."""
        used = self.used.pop(page, None)
        if used is None:
            return None
        fresh = self.fresh
        return [(key, data if key in fresh else None) for key, data in used.items()]

    def given(self, page: str, taken: list[tuple[bytes, bytes | None]]) -> None:
        """The rows `taken` gave for `page`: each row, kept or made, one object in this process whichever process
        made it (a row on several pages, made by two workers, is kept once)."""
        kept = self.kept
        self.used[page] = {key: kept[key] if data is None else kept.setdefault(key, data) for key, data in taken}

    def settle(self, rendered: set[str]) -> None:
        """The rendering is over: let go of the rows no page will keep (`to_keep` reads the rows the `rendered`
        pages used, and the previous rows of the others only). On a new day most rows were made again, and the
        previous build's would otherwise be held while the output is written."""
        self.kept = {}
        self.previous = {page: rows for page, rows in self.previous.items() if page not in rendered}

    def to_keep(self, pages: Iterable[str], rendered: set[str]) -> dict[str, dict[bytes, bytes]]:
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
