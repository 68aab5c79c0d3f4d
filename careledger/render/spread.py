"""The pages a rendering must make, made on every core (issue 16).

`render_site` and `render_reports` ask their memo for each page (`memo.page(path, inputs, render)`), and render it
at once when the memo cannot reuse it. Wrapped in a `Deferred`, the memo still decides and records every page's
digest, but a page to render is only noted: the renderer puts an empty placeholder in its tree, and `fill` then
renders the noted pages with `workers.shared_map` (workers forked after the view was made, reading the pages'
closures copy-on-write; the tasks are runs of indexes, the results come back in order) and returns the tree with
their bytes in place. So the output is the serial rendering's, byte for byte, whichever process made a page.

A page that fails in a worker is rendered again in the building process, in the order of the pages, so the
exception that comes out (a template error and its finding) is the one the serial rendering raises first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from .. import workers
from ..output import Packed, Tree
from .memo import NoMemo

RUN = 16  # pages a task at most: fewer round trips than a page each
IN_PROCESS_UP_TO = 200  # pages: fewer are rendered in the building process (starting a pool costs more than they do)


class Deferred:
    """A memo (`memo.Memo` seen from a folder, or `NoMemo`) whose pages to render are noted, not rendered. With
    `pack`, pages rendered on every core come back `Packed` (output.py): pages no one reads before they are written
    (the reports: the proof reads the site's)."""

    def __init__(self, memo=None, *, pack: bool = False):
        self.memo = memo if memo is not None else NoMemo()
        self.pending: dict[str, Callable[[], bytes]] = {}  # path → its rendering, in the order asked
        self.pack = pack
        self._packing = False  # while `fill` renders on every core, with `pack`

    @property
    def rows(self):
        return self.memo.rows

    def page(self, path: str, inputs: Callable[[], object], render: Callable[[], bytes]) -> bytes:
        return self.memo.page(path, inputs, lambda: self._note(path, render))

    def always(self, path: str, render: Callable[[], bytes]) -> bytes:
        return self.memo.always(path, render)  # (the reports' index: one page, rendered at once)

    def _note(self, path: str, render: Callable[[], bytes]) -> bytes:
        self.pending[path] = render
        return b""  # in the tree until `fill` puts the page's bytes there

    def fill(self, files: Mapping[str, bytes]) -> Tree:
        """`files` (the renderer's tree) with every noted page rendered, the rest as it was. The kept rows a page
        rendered (render/rows.py) come back with its bytes, from whichever process rendered it."""
        if not self.pending:
            return files if isinstance(files, Tree) else Tree(files)
        paths = list(self.pending)
        self.rows  # the previous build's kept rows loaded before the fork: the workers share them (rows.Rows.taken)
        made = {}
        self._packing = self.pack and len(paths) > IN_PROCESS_UP_TO  # (a few pages: not worth the time)
        for path, (data, rows) in zip(paths, render_all([partial(self._render, path) for path in paths])):
            self.memo.add_rows(path, rows)
            made[path] = data
        self.pending, self._packing = {}, False
        tree = files if isinstance(files, Tree) else Tree(files)
        tree.fill(made)
        return tree

    def _render(self, path: str) -> tuple[bytes | Packed, dict | None]:
        self.memo.rendering(path)
        data = self.pending[path]()
        return Packed(data) if self._packing else data, self.memo.rows_of(path)


def render_all(renders: list[Callable[[], object]]) -> list:
    """[render() for render in renders], on every core; the exception the first failing one raises, as in the loop."""
    jobs = 1 if len(renders) <= IN_PROCESS_UP_TO else workers.count()
    size = max(1, min(RUN, -(-len(renders) // (4 * jobs))))  # at least four tasks a process, to share evenly
    runs = [(start, min(start + size, len(renders))) for start in range(0, len(renders), size)]
    out: list = []
    for made in workers.shared_map(_render_run, runs, jobs=jobs, shared=renders):
        out += made
    for i, data in enumerate(out):
        if data is None:  # failed where it ran: raise here what it raises (not everything pickles its details)
            out[i] = renders[i]()
    return out


def _render_run(run: tuple[int, int]) -> list:
    renders = workers.shared()
    out: list = []
    for i in range(*run):
        try:
            out.append(renders[i]())
        except Exception:
            out.append(None)
    return out
