"""Skip a build that would write exactly what the output already holds.

A build depends on the content files, the git state of the content (its commit, its uncommitted changes, and where
a shallow clone's history stops, which the audit trail reads), the as-of date, the options, and careledger itself
with the libraries that render. The fingerprint of all of that is kept after each successful build, with the
build's result, in the cache (recorded while the output is still locked, so it is this build's output it
describes); the next build whose inputs have the same
fingerprint, into an output nobody has touched since, returns that result without loading anything. Files are
compared by size, modification time and inode (as git's index does), so the check stats every file and reads none.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .cachestore import cache_root, read_sealed, write_sealed

if TYPE_CHECKING:
    from .audit.git import Glance
# (git and the threads are imported where used: the build server's client computes `of_code` alone, at every command)

_RENDERING_LIBRARIES = ("jinja2", "markupsafe", "markdown", "weasyprint", "yaml", "pydyf", "fontTools")  # modules
VERSION = "2"  # bump when what a fingerprint covers changes (2: the shallowness of the clone)


def of_build(content_dir: Path, *, glance: Glance | None = None, **options) -> str:
    """The fingerprint of everything a build into one output reads (`options`: as-of date, flags; `glance`: the
    content's `git.glance`, when already taken)."""
    digest = hashlib.blake2b(f"{VERSION}|{sorted(options.items())}".encode(), digest_size=20)
    _add_content(digest, Path(content_dir), glance)
    digest.update(of_code().encode())
    if options.get("paper", True):
        digest.update(_system_font().encode())
    return digest.hexdigest()


def of_code() -> str:
    """careledger's own files (by their stats) and the libraries that render: what a build server must share with
    its client (buildserver.py), and part of every build's fingerprint. A library is taken by the stat of the
    folder (or file) it is installed in, without reading its metadata (importlib.metadata: 30 ms, a third of a
    client's start): installing, upgrading or removing it removes and writes files in that folder, which changes its
    modification time, or the folder itself."""
    digest = hashlib.blake2b(digest_size=20)
    for code in _code_folders():
        _add_tree(digest, code, skip_dot=False)
    for name in _RENDERING_LIBRARIES:
        digest.update(f"{name}={_installed(name)}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _installed(module: str) -> str:
    """Where `module` is installed, with that folder's (or single file's) identity; "-" when it is not."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return "-"
    where = spec.submodule_search_locations[0] if spec.submodule_search_locations else spec.origin
    try:
        st = os.stat(where)
    except (OSError, TypeError):
        return f"{where}|?"
    return f"{where}|{st.st_dev}|{st.st_ino}|{st.st_mtime_ns}|{st.st_ctime_ns}"


def _code_folders() -> tuple[Path, ...]:
    """careledger itself: its code, and the profiles, templates and form definitions it ships as package data."""
    from . import assets
    return (assets.PACKAGE,)


def _system_font() -> str:
    """The CJK face the PDFs are made from: a font installed or removed since is a reason to build again (and a
    missing one is then reported by the build, not hidden by an earlier result)."""
    from .paper import fonts
    fonts.look_again()  # a process that builds many times (buildserver.py) sees a font installed since, too
    try:
        face = fonts.find_face()
        st = os.stat(face.path)
    except (fonts.FontProblem, OSError):
        return "no CJK font"
    return f"{face.path}|{face.index}|{st.st_size}|{st.st_mtime_ns}"


def _add_content(digest, content: Path, glance: Glance | None = None) -> None:
    """In git: the commit, and the files that differ from it (with their stats); git keeps the stats of the rest
    in its index, so a county's 200,000 files are not walked again here. Outside git: every file's stats."""
    from .audit.git import GitUnavailable, dirty_paths, locate, shallow_boundary

    try:
        location = glance.location if glance else locate(content)
        changed = glance.every if glance else dirty_paths(location, ignored=True)
    except GitUnavailable as why:
        digest.update(f"no git: {why.reason}".encode())
        _add_tree(digest, content, skip_dot=True)
        return
    digest.update(f"git {location.head}\n".encode())
    # after `git fetch --unshallow` (or `--deepen`) the audit has more commits to read although HEAD is the same
    digest.update(b"shallow " + shallow_boundary(location) + b"\n")
    for rel in changed:
        _add_file(digest, rel, content / rel)


def recall_build(content_dir: Path, output_dir: Path, **options) -> tuple[str, object, Glance | None]:
    """(`of_build(content_dir, **options)`, `recall` of it, the content's `git.glance` it was made of, for the
    history to take its status): the output's files are statted on a thread while git stats the content's (in a
    county both take about as long, and git's work is in its own process)."""
    from concurrent.futures import ThreadPoolExecutor

    from .audit.git import glance

    with ThreadPoolExecutor(1) as aside:
        output_state = aside.submit(_output_state, output_dir)
        seen = glance(content_dir)
        fingerprint = of_build(content_dir, glance=seen, **options)
        return fingerprint, recall(output_dir, fingerprint, output_state.result()), seen


def recall(output_dir: Path, fingerprint: str, output_state: str | None = None):
    """The result of the last build into `output_dir` when it had this fingerprint and its output is untouched
    (`output_state`: `_output_state(output_dir)`, when already taken)."""
    try:
        kept = read_sealed(_record(output_dir))  # checked before it is unpickled (cachestore.py)
    except OSError:
        return None
    if not isinstance(kept, dict) or kept.get("fingerprint") != fingerprint:
        return None
    if kept.get("output") != (output_state or _output_state(output_dir)):
        return None
    from .build import BuildResult  # here: build.py imports this module
    result = kept.get("result")
    return result if isinstance(result, BuildResult) else None


def remember(output_dir: Path, fingerprint: str, result) -> None:
    record = _record(output_dir)
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        write_sealed(record, {"fingerprint": fingerprint, "output": _output_state(output_dir), "result": result})
        _forget_old(record.parent)
    except OSError:
        pass  # without the record the next build only takes longer


def _forget_old(directory: Path, days: int = 30) -> None:
    """Records of outputs not built for a month (a test's temporary output, a moved site) are dropped."""
    limit = time.time() - days * 86400
    for path in directory.glob("*.pickle"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _record(output_dir: Path) -> Path:
    key = hashlib.blake2b(str(Path(output_dir).resolve()).encode(), digest_size=10).hexdigest()
    return cache_root() / "builds" / f"{key}.pickle"


def _output_state(output_dir: Path) -> str:
    digest = hashlib.blake2b(digest_size=20)
    _add_tree(digest, Path(output_dir), skip_dot=False)
    return digest.hexdigest()


def _add_tree(digest, root: Path, *, skip_dot: bool) -> None:
    """Every file below `root` by path, size, modification time and inode (caches and .git left out), in os.walk's
    order (a folder's files, then its folders, each sorted; links to folders not followed). Paths are joined as
    strings: a county's output has tens of thousands of files, and `os.path.relpath` for each was half of a build
    that finds nothing changed."""

    def walk(folder: str, prefix: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return
        folders = []
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if not is_folder:
                _add_file(digest, prefix + entry.name, entry)
            elif entry.name != "__pycache__" and not (skip_dot and entry.name.startswith(".")) \
                    and not entry.is_symlink():
                folders.append(entry)
        for entry in folders:
            walk(entry.path, prefix + entry.name + "/")

    walk(str(root), "")


def _add_file(digest, relative: str, entry) -> None:
    """`entry`: an os.DirEntry or a Path (anything whose stat() follows links)."""
    try:
        st = entry.stat()
        state = f"{st.st_size}|{st.st_mtime_ns}|{st.st_ino}"
    except OSError:
        state = "-"  # removed
    digest.update(f"{relative}|{state}\n".encode("utf-8", "surrogateescape"))
