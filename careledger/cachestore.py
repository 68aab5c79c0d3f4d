"""Where careledger keeps what it can make again: parsed record files, parsed old versions of them, build
fingerprints, font subsets and PDFs. Losing any of it only makes the next run slower.

`FolderStore` keeps entries of one content tree in a pickle per folder of that tree (a month of visits, a village's
households), so a run that changed one file rewrites one folder's pickle, and loads only the folders it asks for.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import shutil
from pathlib import Path

from . import __version__


def cache_root() -> Path:
    """$CARELEDGER_CACHE_DIR, else $XDG_CACHE_HOME/careledger, else ~/.cache/careledger."""
    explicit = os.environ.get("CARELEDGER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "careledger"


@contextlib.contextmanager
def without_gc():
    """Loading or parsing a county's records makes millions of small objects and no cycles: the cyclic garbage
    collector would scan them again and again (a third of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def code_hash(*modules: str) -> str:
    """The hash of careledger's version and of the named modules' source: a cache made by other code is not used."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=8)
    here = Path(__file__).parent
    for name in modules:
        digest.update((here / f"{name.replace('.', '/')}.py").read_bytes())
    return digest.hexdigest()


def short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=10).hexdigest()


class FolderStore:
    """Entries keyed by a path below a content root, kept in a pickle per folder. `kind` names the store (records,
    history); `version` is what the entries depend on besides the root: another version starts an empty store and
    the old one is deleted when this one is saved."""

    def __init__(self, kind: str, root: Path, version: str):
        self.root = Path(root).resolve()
        self.base = cache_root() / kind / short_hash(str(self.root))
        self.directory = self.base / short_hash(version)
        self.folders: dict[str, dict] = {}
        self.changed: set[str] = set()

    def folder(self, rel: str) -> dict:
        """The entries of the folder that holds `rel` (loaded once)."""
        folder = rel.rpartition("/")[0]
        entries = self.folders.get(folder)
        if entries is None:
            entries = self.folders[folder] = _load(self.directory / f"{short_hash(folder)}.pickle")
        return entries

    def put(self, rel: str, key, value) -> None:
        self.folder(rel)[key] = value
        self.changed.add(rel.rpartition("/")[0])

    def save(self) -> None:
        if not self.changed:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.base / "root").write_text(str(self.root), encoding="utf-8")
            for folder in sorted(self.changed):
                target = self.directory / f"{short_hash(folder)}.pickle"
                temporary = target.with_name(f".{target.name}.{os.getpid()}")
                temporary.write_bytes(pickle.dumps(self.folders[folder], protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(temporary, target)
            self.changed.clear()
            for other in self.base.iterdir():  # another day's or another code version's store
                if other.is_dir() and other != self.directory:
                    shutil.rmtree(other, ignore_errors=True)
            _forget_removed_trees(self.base.parent)
        except OSError:
            pass  # a cache that cannot be written only makes the next run slower


def _forget_removed_trees(directory: Path) -> None:
    """Delete the stores of content trees that are gone (a test's temporary directory, a removed checkout)."""
    for base in directory.iterdir():
        try:
            gone = not Path((base / "root").read_text(encoding="utf-8")).is_dir()
        except OSError:
            gone = True
        if gone:
            shutil.rmtree(base, ignore_errors=True)


def _load(path: Path) -> dict:
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return {}
