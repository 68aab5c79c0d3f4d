"""Render a page only when what it is rendered from has changed (issue 16).

A page is rendered from a narrowed context (`Fields`: the view's fields its templates are declared to read, and
nothing else), so the digest of that context, of the templates' folder, of careledger's code and of the rendering
libraries' versions covers everything the page's bytes can depend on. A template that reads an undeclared field
meets an undefined value and the rendering fails: a declaration cannot be too short without every build saying so.

The previous build into the same output recorded each page's digest and the hash of the bytes it wrote
(`pages/<hash of the output path>.pickle`, written only after a successful build, under the output's lock). A page
whose digest is the recorded one is read back from the output itself, and used only when its bytes still have the
recorded hash: a page edited by hand, or written since by another build, is rendered again. The output is the
source rather than a copy in the cache: the writer links the unchanged files from it anyway (handed the bytes as
`output.Kept`, without reading them again), and the cache does not grow by a second copy of the site and the
reports. Only the rows of the long tables are kept in the cache (rows.py): a county-wide page changes with nearly
every commit, its rows seldom.

A page's key holds the digests of the parts it shares with other pages (`Parts`: a village, a working list, a
template's fields), each worked out once per build.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
import sys
import time
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path

from .. import assets, listing
from ..cachestore import PerObject, cache_root, read_sealed, short_hash, write_sealed
from ..output import read_kept, sha256_of
from . import rows as rowcache

ROWS_FORM = "utf-8"  # the kept rows' HTML as UTF-8 bytes (rows.Rows); a record of str rows is not read
VERSION = "3"  # bump when what a page's digest covers changes (2: the Python version; 3: parts by digest)
_LIBRARIES = ("jinja2", "markupsafe", "markdown")


class Fields:
    """A view as one page's templates see it: the named fields only, each with the value given (the view's own, or
    a projection of it). Any other name is missing, so a template reading it fails (StrictUndefined)."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, object]):
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"{name} is not declared for this page") from None

    def __setattr__(self, name, value):
        raise AttributeError("Fields are read-only")

    def __reduce__(self):  # pickled (for a digest) as its sorted values
        return (Fields, (dict(sorted(self._values.items())),))


def narrow(whole, values: Mapping[str, object]):
    """What a template is given of `whole` (a view, the stamp): the `values` named (Fields), nothing else.
    tests/test_render_memo.py replaces this with one that returns `whole` and checks every page comes out the same:
    a template that tests an undeclared field (`is defined`, `default`) rather than reading it would not fail here,
    but would give other bytes there."""
    return Fields(values)


def digest(value) -> bytes:
    """The digest of a value made of dataclasses, tuples, text, numbers and dates. Pickled without the memo, so equal
    values give equal bytes whether or not they share objects (a string read from the parse cache or parsed anew)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: the bytes depend on the values only
    pickler.dump(value)
    return hashlib.blake2b(buffer.getvalue(), digest_size=20).digest()


# In a process that keeps its caches (the build server, the preview), the digests of the frozen parts the views
# hand out again from one build to the next (public._Kept, desk._LISTS): an unchanged village or list is not
# pickled again. A Memo's life is a build's use of it.
_ACROSS = PerObject()


class Parts:
    """The digests of the parts pages share (a village, a working list, a template's narrowed fields), each worked
    out once per build whichever pages read it: by identity, the value kept alive and unchanged while the pages
    render. A page's key then holds the parts' digests (20 bytes each), not the parts: an unchanged village or list
    costs one digest, not one per page that shows it. A frozen dataclass (a part of a view, immutable all the way
    down) keeps its digest from one build to the next, too (`_ACROSS`)."""

    def __init__(self):
        self._kept: dict[int, tuple[object, bytes]] = {}  # id → (the value, kept alive; its digest)

    def of(self, value) -> bytes:
        kept = self._kept.get(id(value))
        if kept is None:
            made = _ACROSS.get(value, lambda: digest(value)) if _frozen(value) else digest(value)
            kept = self._kept[id(value)] = (value, made)
        return kept[1]


def _frozen(value) -> bool:
    """Whether `value` cannot change: a frozen dataclass (immutable all the way down, as the views make them), or a
    tuple of strings (a long table's row: views/audit.py and views/reports.py hand an unchanged one out again)."""
    kind = type(value)
    return _frozen_dataclass(kind) or (kind is tuple and all(type(item) is str for item in value))


@functools.cache
def _frozen_dataclass(kind: type) -> bool:
    params = getattr(kind, "__dataclass_params__", None)
    return params is not None and params.frozen


def base_digest(templates: Path) -> bytes:
    """What every page depends on besides its context: careledger's code (charts, csp, safehtml, filters, the
    renderers), every file of the templates' folder (extends, includes and imports among them), the libraries and
    Python itself (its escaping, number formatting and JSON). A process that made it before hands it back while
    every one of those files has the stat it had then (`_BASES`: 25 ms a build, reading 200 files twice); the
    libraries are those it loaded, which stay."""
    files = [(folder, path) for folder, suffix in ((str(assets.PACKAGE), ".py"), (str(templates), ""))
             for path in _files(folder, suffix)]
    stats = tuple((path, _signature(os.stat(path))) for _, path in files)
    kept = _BASES.get(str(templates))
    if kept is not None and kept[0] == stats:
        return kept[1]
    h = hashlib.blake2b(f"{VERSION}\0{sys.implementation.name}\0{sys.version}".encode(), digest_size=20)
    for folder, path in files:
        data = Path(path).read_bytes()
        h.update(f"{os.path.relpath(path, folder).replace(os.sep, '/')}\0{len(data)}\0"
                 .encode("utf-8", "surrogateescape"))
        h.update(data)
    for name in _LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-".encode())
    made = h.digest()
    racy = time.time_ns() - listing.RACE_MARGIN_NS
    if all(max(signature[3], signature[4]) < racy for _, signature in stats):  # else it may change unseen
        _BASES[str(templates)] = (stats, made)
    return made


def _files(folder: str, suffix: str) -> list[str]:
    """The files below `folder` whose names end with `suffix` (__pycache__ left out), in the order of their paths'
    parts (as `sorted(Path.rglob(...))` gives them)."""
    found = []
    for where, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if name != "__pycache__"]
        found += [os.path.join(where, name) for name in names if name.endswith(suffix)]
    return sorted(found, key=lambda path: path.split(os.sep))


_BASES: dict[str, tuple[tuple, bytes]] = {}  # templates folder → (every file's stat, the base digest made of them)


def _signature(st) -> tuple:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


class Memo:
    """The pages of one build: each rendered, or reused from the output when its digest is the recorded one."""

    def __init__(self, output_dir: Path | None = None):
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.previous: dict[str, tuple[bytes, bytes]] = _load(self.output_dir) if self.output_dir else {}
        self.digests: dict[str, bytes] = {}  # path in the output → this build's digest
        self.known: dict[str, bytes] = {}  # path → hash of the bytes reused (checked already)
        self.rendered: list[str] = []
        self.reused: list[str] = []
        self.every: list[str] = []  # pages made on every build (`always`)
        self._rows: rowcache.Rows | None = None  # loaded when a page first renders kept rows
        self._page = ""
        _ACROSS.begin(VERSION)

    @property
    def rows(self) -> rowcache.Rows:
        """The kept rows of the long tables (rows.py), as the previous build into the same output left them."""
        if self._rows is None:
            self._rows = rowcache.Rows(_load_rows(self.output_dir) if self.output_dir is not None else None)
            self._rows.page = self._page
        return self._rows

    def page(self, path: str, inputs: Callable[[], object], render: Callable[[], bytes]) -> bytes:
        """The bytes of the output file `path` (relative to the output): `inputs()` is all it is rendered from."""
        key = digest(inputs())
        self.digests[path] = key
        kept = self.previous.get(path)
        if kept is not None and kept[0] == key and self.output_dir is not None:
            data = read_kept(f"{self.output_dir}/{path}")  # for the writer, too: output.Kept
            if data is not None and hashlib.sha256(data).digest() == kept[1]:
                self.known[path] = kept[1]
                self.reused.append(path)
                return data
        self.rendered.append(path)
        self.rendering(path)
        return render()

    def always(self, path: str, render: Callable[[], bytes]) -> bytes:
        """A page made on every build (it reads nearly all of the view): rendered, its rows kept like a page's (not
        in `rendered`, which names the pages whose inputs changed)."""
        self.every.append(path)
        self.rendering(path)
        return render()

    def rendering(self, path: str) -> None:
        """`path` is the page rendered now: the kept rows it renders are noted under it."""
        self._page = path
        if self._rows is not None:
            self._rows.page = path

    def rows_of(self, path: str) -> list | None:
        """The rows page `path` rendered, taken out for `add_rows` (a worker sends them back to the building
        process's memo): `rows.Rows.taken`, the rows kept from the previous build by their keys alone."""
        return self._rows.taken(path) if self._rows is not None else None

    def add_rows(self, path: str, taken: list | None) -> None:
        if taken:
            self.rows.given(path, taken)

    def settle(self) -> None:
        """Every page is rendered: the kept rows no page of this build keeps are let go before the writing."""
        if self._rows is not None:
            self._rows.settle({*self.rendered, *self.every})
        _ACROSS.done()  # the parts this build digested are those the next may hand out again

    def under(self, prefix: str) -> "_Under":
        return _Under(self, prefix)

    def remember(self, tree: Mapping[str, bytes], carried: tuple[str, ...] = ()) -> None:
        """Record this build's digests and the hashes of the bytes written: call after the output is in place.
        `carried`: folders the build left as they were (the preview's reports/): their pages' records are kept."""
        if self.output_dir is None:
            return
        pages = {path: kept for path, kept in self.previous.items() if path.startswith(carried)} if carried else {}
        pages.update({path: (key, self.known.get(path) or sha256_of(tree, path))
                      for path, key in self.digests.items() if path in tree})
        record = _record(self.output_dir)
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            write_sealed(record, {"version": VERSION, "pages": pages})
            if self._rows is not None and self._rows.used:  # else the rows kept are still those of the pages
                _rows_record(self.output_dir).parent.mkdir(parents=True, exist_ok=True)
                rows = self._rows.to_keep([*pages, *self.every], {*self.rendered, *self.every})
                write_sealed(_rows_record(self.output_dir), {"version": VERSION, "form": ROWS_FORM, "rows": rows})
        except OSError:
            pass  # without the record the next build renders every page


class _Under:
    """A memo seen from a folder of the output (`site/`, `reports/`): paths relative to it."""

    def __init__(self, memo: Memo, prefix: str):
        self.memo, self.prefix = memo, prefix.rstrip("/") + "/"

    def page(self, path: str, inputs: Callable[[], object], render: Callable[[], bytes]) -> bytes:
        return self.memo.page(self.prefix + path, inputs, render)

    def always(self, path: str, render: Callable[[], bytes]) -> bytes:
        return self.memo.always(self.prefix + path, render)

    def rendering(self, path: str) -> None:
        self.memo.rendering(self.prefix + path)

    def rows_of(self, path: str) -> list | None:
        return self.memo.rows_of(self.prefix + path)

    def add_rows(self, path: str, taken: list | None) -> None:
        self.memo.add_rows(self.prefix + path, taken)

    @property
    def rows(self) -> rowcache.Rows:
        return self.memo.rows


class NoMemo:
    """Render every page (a caller with no output to reuse from: tests, the preview)."""

    rows = rowcache.Unkept()

    def page(self, path: str, inputs: Callable[[], object], render: Callable[[], bytes]) -> bytes:
        return render()

    def always(self, path: str, render: Callable[[], bytes]) -> bytes:
        return render()

    def rendering(self, path: str) -> None:
        pass

    def rows_of(self, path: str) -> None:
        return None

    def add_rows(self, path: str, taken: list | None) -> None:
        pass


def _record(output_dir: Path) -> Path:
    return cache_root() / "pages" / f"{short_hash(str(Path(output_dir).resolve()))}.pickle"


def _load(output_dir: Path) -> dict[str, tuple[bytes, bytes]]:
    try:
        kept = read_sealed(_record(output_dir))  # checked before it is unpickled (cachestore.py)
    except OSError:
        return {}
    if not isinstance(kept, dict) or kept.get("version") != VERSION or not isinstance(kept.get("pages"), dict):
        return {}
    return kept["pages"]


def _rows_record(output_dir: Path) -> Path:
    return cache_root() / "rows" / f"{short_hash(str(Path(output_dir).resolve()))}.pickle"


def _load_rows(output_dir: Path) -> dict[str, dict[bytes, bytes]]:
    try:
        kept = read_sealed(_rows_record(output_dir))
    except OSError:
        return {}
    if (not isinstance(kept, dict) or kept.get("version") != VERSION or kept.get("form") != ROWS_FORM
            or not isinstance(kept.get("rows"), dict)):
        return {}
    return kept["rows"]
