"""Where careledger keeps what it can make again: parsed record files, parsed old versions of them, build
fingerprints, font subsets and PDFs. Losing any of it only makes the next run slower.

`FolderStore` keeps entries of one content tree in a pickle per folder of that tree (a month of visits, a village's
households), so a run that changed one file rewrites one folder's pickle, and loads only the folders it asks for.

A pickle is code: whoever can write the cache folder could run code as the next user who builds. So the folder is
created 0700, and one that belongs to another user or that others may write to is refused (`cache_root`: the run
says so and works in a fresh private temporary cache instead). So is one below a folder someone else could swap it
out of (`unsafe_parent`): each folder above it, up to the home folder (or the root for one outside home), must be
this user's or root's and not writable by others, unless sticky like /tmp. Every cache file starts with a blake2b digest of its
pickle (`seal`, `unseal`), checked before anything is unpickled: a torn, truncated or altered file is only a miss.
A cache file is written to a temporary file, fsynced, renamed into place and its folder fsynced (`write_sealed`), so
after a power cut it is the old file or the new one.
Entries whose shape is not the expected one are dropped (`FolderStore`'s `valid`), never a traceback.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import grp
import hashlib
import hmac
import operator
import os
import pickle
import pwd
import shutil
import stat
import tempfile
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Callable

from . import __version__, oscalls


_MAGIC = b"careledger cache 1\n"
_DIGEST_SIZE = 32
_UNPICKLING_ERRORS = (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, KeyError, TypeError,
                      ValueError, MemoryError, RecursionError)
_kept: dict[str, tuple[tuple, Any]] | None = None  # `keep_in_memory`: cache file path -> (its identity, its value)
_deferred: list | None = None  # `saves_after`: the work that waits for the block's end (`when_done`)
_idle: list = []  # `when_idle`: the work left for an idle moment (`finish_idle_work`)
_held = False  # `hold_frozen`: the objects frozen stay so until `collect_frozen`
_refused: dict[str, Path] = {}  # configured cache folder -> the temporary one used instead, this process
_warnings: list[tuple[str, str]] = []  # (folder, why) of the refusals not reported yet (`take_warnings`)


def configured_root() -> Path:
    """$CARELEDGER_CACHE_DIR, else $XDG_CACHE_HOME/careledger, else ~/.cache/careledger."""
    explicit = os.environ.get("CARELEDGER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "careledger"


def cache_root() -> Path:
    """The configured cache folder (`configured_root`), created 0700, when it is safe to load pickles from: a
    folder owned by this user that nobody else may write to. Otherwise a fresh temporary folder, private to this
    user and removed at exit, with a warning (`take_warnings`)."""
    wanted = configured_root()
    fresh = _refused.get(str(wanted))
    if fresh is not None:
        return fresh
    problem = unsafe(wanted)
    if problem is None:
        return wanted
    fresh = Path(tempfile.mkdtemp(prefix="careledger-cache-"))  # 0700, ours
    atexit.register(_remove, fresh, os.getpid())
    _refused[str(wanted)] = fresh
    advice = (f"请删除该目录，或由本人创建并设为只有本人可写（chmod 700 {wanted}）" if not problem.startswith("的上级目录")
              else "请把上级目录设为只有本人可写（chmod go-w），或用环境变量 CARELEDGER_CACHE_DIR 另选本人的缓存目录")
    _warnings.append((str(wanted), f"缓存目录 {wanted} {problem}：缓存文件可以执行代码，不能使用。本次改用临时缓存（结束后删除），"
                     f"所以会慢一些。{advice}"))
    return fresh


def unsafe(folder: Path) -> str | None:
    """Why `folder` must not hold this user's cache, or None: made 0700 when missing; one of ours that others may
    read is closed to them (parsed records hold ID numbers)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(folder)
    except OSError as exc:
        return f"无法创建或打开（{exc.strerror or exc}）"
    if not stat.S_ISDIR(st.st_mode):
        return "不是目录"
    if st.st_uid != _uid():
        return f"属于另一个用户（uid {st.st_uid}）"
    if st.st_mode & 0o022:
        return f"其他用户也可以写入（权限 {stat.S_IMODE(st.st_mode):o}）"
    problem = unsafe_parent(folder)
    if problem is not None:
        return problem
    if st.st_mode & 0o077:
        try:
            os.chmod(folder, 0o700)
        except OSError:
            pass
    return None


def unsafe_parent(folder: Path) -> str | None:
    """Why a folder above `folder` lets someone else replace it (rename it away and put their own, or a symlink, in
    its place), or None. Checked: every folder from `folder`'s parent up to the home folder when it is inside it, else
    up to the root, both as written and with symlinks resolved (a link to a folder others may write is caught). Each
    must belong to this user or to root and be writable by nobody else, unless it is sticky (/tmp: others may not
    rename what is ours). A folder writable by its group is allowed when that group is the user's own private group
    (the Debian convention: named as the user, no other members), which a umask of 002 gives ~/.cache."""
    home = Path(os.path.realpath(Path.home()))
    for start in (Path(os.path.realpath(folder)), Path(os.path.abspath(folder))):
        top = home if start.is_relative_to(home) else Path(start.anchor)
        for parent in start.parents:
            if not parent.is_relative_to(top):
                break
            try:
                st = os.stat(parent)
            except OSError as exc:
                return f"的上级目录 {parent} 无法检查（{exc.strerror or exc}）"
            if st.st_uid not in (_uid(), 0):
                return f"的上级目录 {parent} 属于另一个用户（uid {st.st_uid}）"
            writable = st.st_mode & 0o002 or (st.st_mode & 0o020 and not _own_group(st.st_gid))
            if writable and not st.st_mode & stat.S_ISVTX:
                return f"的上级目录 {parent} 其他用户也可以写入（权限 {stat.S_IMODE(st.st_mode):o}）"
    return None


def _own_group(gid: int) -> bool:
    """Whether `gid` is this user's private group: named as the user, with no other members."""
    try:
        user, group = pwd.getpwuid(_uid()).pw_name, grp.getgrgid(gid)
    except KeyError:
        return False
    return group.gr_name == user and set(group.gr_mem) <= {user}


def _uid() -> int:
    return os.geteuid()


def _remove(folder: Path, pid: int) -> None:
    if os.getpid() == pid:  # not in a forked worker, whose parent still uses it
        shutil.rmtree(folder, ignore_errors=True)


def take_warnings() -> list[tuple[str, str]]:
    """(folder, message) of the cache folders refused since the last call, each said once (the loader reports them
    as findings)."""
    taken = list(_warnings)
    _warnings.clear()
    return taken


def seal(value: Any) -> bytes:
    """The bytes of a cache file: a header with the blake2b digest of the pickle, then the pickle."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _MAGIC + hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest() + payload


def unseal(data: bytes) -> Any:
    """The value `seal` made `data` of, or None: a file of another format, torn, truncated or altered is never
    unpickled."""
    start = len(_MAGIC) + _DIGEST_SIZE
    if not data.startswith(_MAGIC) or len(data) <= start:
        return None
    payload = memoryview(data)[start:]
    if not hmac.compare_digest(hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest(), data[len(_MAGIC):start]):
        return None
    try:
        return pickle.loads(payload)
    except _UNPICKLING_ERRORS:
        return None


def keep_in_memory(keep: bool = True) -> None:
    """From now on this process keeps the value of every cache file it reads or writes (`read_sealed`,
    `write_sealed`) and hands it out again, without unpickling, while the file is the one it was: same device,
    inode, size, modification and change time (a rename, a write or a `touch` changes one of them). For a process
    that builds many times (`careledger serve`): a rebuild then unpickles only the files another process wrote.
    Callers treat what they get as read-only (a FolderStore copies its folder's dict before changing it);
    `tests/test_preview_memory.py` checks that every kept value still equals its file's."""
    global _kept
    _kept = {} if keep else None


def keeping() -> bool:
    """Whether this process keeps cache files' values in memory (`keep_in_memory`): a stage may then keep, between
    builds, what it made of those read-only values (load.py's runs of records by date, `LastMade`)."""
    return _kept is not None


def same_objects(these: Sequence, those: Sequence) -> bool:
    """Whether the two hold the very same objects, in the same order (what a kept value was made of, and now)."""
    return len(these) == len(those) and all(map(operator.is_, these, those))


class LastMade:
    """The value last made, handed back while what it was made of is the very same objects and the rest equal; only
    in a process that keeps the caches in memory (`keeping`), where the parse cache hands out the same read-only
    records for unchanged files, so a visit changed leaves the households and staff as they were. Elsewhere each
    call makes the value anew."""

    def __init__(self):
        self.last: tuple | None = None  # (same, equal, value)

    def get(self, made_of: Callable[[], tuple[Sequence, object]], make: Callable[[], Any]) -> Any:
        """`make()`, or the last value while `made_of()` gives (objects that are the last ones, in order; values
        equal to the last ones)."""
        if not keeping():
            return make()
        same, equal = made_of()
        last = self.last
        if last is not None and last[1] == equal and same_objects(last[0], same):
            return last[2]
        value = make()
        self.last = (tuple(same), equal, value)
        return value


class PerObject:
    """What was last made for each of some objects, by the very object, while the basis they share is equal; only
    in a process that keeps the caches in memory (`keeping`), where an unchanged record is the same object from one
    build to the next (elsewhere `get` makes every value). A build's use runs from `begin` to `done`; only the
    objects it asked for are kept after."""

    def __init__(self):
        self.basis = None
        self.last: dict = {}  # id(object), or (kind, id) -> (the object, kept alive; what was made for it)
        self.now: dict = {}

    def begin(self, basis) -> None:
        """A build's use, with its basis: another basis starts afresh."""
        if keeping():
            if basis != self.basis:
                self.last = {}
            self.basis, self.now = basis, {}

    def get(self, obj, make: Callable[[], Any], kind: str = "", fits: Callable[[Any], bool] | None = None) -> Any:
        """`make()`, or what it gave for this very object last time (`kind`: which of the values made of one
        object, where there are several) when `fits(value)` says it holds still (it was made of more than `obj`)."""
        if not keeping():
            return make()
        key = (kind, id(obj)) if kind else id(obj)
        entry = self.now.get(key) or self.last.get(key)
        if entry is None or entry[0] is not obj or (fits is not None and not fits(entry[1])):
            entry = (obj, make())
        self.now[key] = entry
        return entry[1]

    def done(self) -> None:
        if keeping():
            self.last, self.now = self.now, {}


class ByValue:
    """Frozen values made once from one build to the next, by an equal key; only in a process that keeps the caches
    in memory (`keeping`), elsewhere `get` makes every value. An equal value is the same to every reader, and the
    very object handed out again keeps what was made for it (its digest: render/memo.Parts). A build's use runs
    from `begin` to `done`; only the keys it asked for are kept after."""

    def __init__(self):
        self.last: dict = {}  # key -> the value
        self.now: dict = {}

    def begin(self) -> None:
        self.now = {}

    def get(self, key, make: Callable[[], Any], fits: Callable[[Any], bool] | None = None) -> Any:
        """`make()`, or the value kept under `key`: made of exactly the key, or else `fits(value)` says it is equal
        to what `make` would give."""
        if not keeping():
            return make()
        value = self.now.get(key)
        if value is None:
            value = self.last.get(key)
            if value is None or (fits is not None and not fits(value)):
                value = make()
            self.now[key] = value
        return value

    def done(self) -> None:
        if keeping():
            self.last, self.now = self.now, {}


def _identity(st: os.stat_result) -> tuple:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def read_sealed(path: Path) -> Any:
    """`unseal(path.read_bytes())` (OSError when it cannot be read), or the value kept of that very file."""
    return read_sealed_at(path)[0]


def read_sealed_at(path: Path) -> tuple[Any, os.stat_result]:
    """`read_sealed` and the stat of the very file read."""
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        kept = _kept.get(str(path)) if _kept is not None else None
        if kept is not None and kept[0] == _identity(st):
            return kept[1], st
        value = unseal(f.read())
    if _kept is not None:
        if value is None:
            _kept.pop(str(path), None)
        else:
            _kept[str(path)] = (_identity(st), value)
    return value, st


def forget_gone() -> None:
    """Drop what is kept of cache files that are gone or were replaced since (the proof cache of other secrets, a
    history segment no longer named): a long preview session keeps only what its next rebuild can use."""
    for path, (identity, _) in list((_kept or {}).items()):
        try:
            same = _identity(os.stat(path)) == identity
        except OSError:
            same = False
        if not same:
            del _kept[path]


def kept_values() -> dict[str, tuple[tuple, Any]]:
    """What `keep_in_memory` keeps, by path (for the test that it still equals the files)."""
    return dict(_kept or {})


class _Hashed:
    """A file that pickle writes to, hashing what it writes."""

    def __init__(self, f):
        self.f, self.hash = f, hashlib.blake2b(digest_size=_DIGEST_SIZE)

    def write(self, data) -> int:
        self.hash.update(data)
        return self.f.write(data)


def write_sealed(target: Path, value: Any, *, sync_folder: bool = True) -> None:
    """Write `seal(value)` to `target` by a rename, so a reader sees the old file or the new one, never half of one;
    the file is fsynced before the rename and the folder after it, so a power cut keeps one of the two as well. The
    pickle goes to the file as it is made, its digest written into the header after it: a large value (a county's
    history walk, tens of megabytes) is never held in memory as bytes too. A process that keeps cache files in
    memory keeps `value` as this file's: the caller must not change it afterwards."""

    def write(f) -> None:
        f.write(_MAGIC + bytes(_DIGEST_SIZE))
        hashed = _Hashed(f)
        pickle.dump(value, hashed, protocol=pickle.HIGHEST_PROTOCOL)
        f.seek(len(_MAGIC))
        f.write(hashed.hash.digest())

    _write_durably(target, write, sync_folder)
    if _kept is not None:
        try:
            _kept[str(target)] = (_identity(os.stat(target)), value)
        except OSError:
            _kept.pop(str(target), None)


def kept_as_written(target: Path, value: Any) -> None:
    """In a process that keeps cache files in memory: `value` is what another process (a parse worker) has just
    written to `target` with `write_sealed`, unsealed here from the very bytes it wrote; kept as that file's, so the
    next build of this process does not read it back (a cold build's month of visits, at the first rebuild)."""
    if _kept is not None:
        try:
            _kept[str(target)] = (_identity(os.stat(target)), value)
        except OSError:
            _kept.pop(str(target), None)


def write_durable(target: Path, data: bytes, *, sync_folder: bool = True) -> None:
    """Write `data` to `target` through a temporary file that is fsynced, renamed into place, and the folder fsynced:
    every cache (records, fingerprints, PDFs, font subsets) writes this way. `sync_folder=False`: the caller fsyncs
    the folder once after several files (FolderStore.save)."""
    _write_durably(target, lambda f: f.write(data), sync_folder)


def _write_durably(target: Path, write, sync_folder: bool) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        with open(fd, "wb", closefd=False) as f:
            write(f)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, target)
    if sync_folder:
        fsync_folder(target.parent)


def fsync_folder(folder: Path) -> None:
    """Make the folder's entries (a rename into it) durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


@contextlib.contextmanager
def exempt_from_gc():
    """The objects made so far (a build's records, history and judgement) live as long as the build, so the cyclic
    collector is told not to scan them (`gc.freeze`) until the block ends. Else every full collection that the
    rendering's many new objects set off walks the loaded records again: 0.7 of a one-visit rebuild's 3.7 CPU
    seconds at 2,500 households. On leaving, they are collectable again (a preview server builds many times in one
    process). In a process that holds its objects frozen (`hold_frozen`), they stay so."""
    gc.freeze()
    if _held:
        yield
        return
    try:
        yield
    finally:
        gc.unfreeze()


def long_lived() -> None:
    """Move every object the collector tracks to its oldest generation, without scanning them. Called (with the
    collector off) once a county's records are loaded: they live as long as the build, and leaving them in the
    youngest generation would make the collector scan those millions of objects twice on their way to the oldest
    (0.3 to 0.5 s a scan at 2,500 households, ten times that at 25,000). Nothing is kept from being collected: the
    oldest generation is collected as before (`gc.freeze` alone would exempt the objects for good), or, in a
    process that holds its objects frozen (`hold_frozen`), when it collects them."""
    gc.freeze()
    if not _held:
        gc.unfreeze()


def hold_frozen() -> None:
    """Freeze every object the collector tracks, and keep what is frozen so (`exempt_from_gc` and `long_lived` no
    longer unfreeze): the build server, after each build, so that the next build's collections do not scan the
    county it keeps between builds. A full collection of it took 0.7-1.0 s at 2,500 households, one every few
    builds, in the build or in the work after its answer. Cycles among frozen objects wait for `collect_frozen`."""
    global _held
    _held = True
    gc.freeze()


def collect_frozen() -> None:
    """Collect every object, frozen or not, and freeze what is left (`hold_frozen`): the build server, when idle.
    Then malloc gives back to the system what the builds freed and free() kept (`oscalls.give_back_memory`), rather
    than the server holding it while it waits (docs/performance.md, the eleventh round)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    oscalls.give_back_memory()


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
    the old one is deleted when this one is saved.

    The entries changed since a large folder's file was written go to a second, smaller file beside it (`LATER`: its
    entries put and keys dropped, named with the identity of the folder's file they follow), until they are more
    than `LATER_MOST` of the folder; then the folder's file is written again whole. A rebuild that changed a visit
    file writes that file's entry, not its month of visits (16,000 entries, 0.7 s, at 25,000 households). An entry
    from the later file was written when that file was (`written_at`); one whose folder's file was written again
    since, by another process, is not used. (A process that keeps cache files holds the folder's file's values and
    the later file's: the entries changed are held twice, at most an eighth of the folder.)"""

    def __init__(self, kind: str, root: Path, version: str, valid: Callable[[Any, Any], bool] | None = None):
        self.root = Path(root).resolve()
        self.base = cache_root() / kind / short_hash(str(self.root))
        self.directory = self.base / short_hash(version)
        self.valid = valid  # (key, value) -> whether an entry read back has the shape its user expects
        self.folders: dict[str, dict] = {}
        self.own: set[str] = set()  # the folders whose entries are this store's copy (`put` makes it)
        self.written_ns: dict[str, int] = {}  # folder -> modification time of its cache file when loaded (0: none)
        self.written_as: dict[str, tuple] = {}  # folder -> the identity of its cache file as loaded or written
        self.later: dict[str, tuple[int, set]] = {}  # folder -> (when its later file was written, the keys in it)
        self.changed: set[str] = set()
        self.elsewhere = False  # a folder's file was written by another process (`written_elsewhere`)

    def folder(self, rel: str) -> dict:
        """The entries of the folder that holds `rel` (loaded once). Read-only: they may be the very value kept of
        the cache file (`keep_in_memory`); `put` and `drop` change a copy."""
        folder = rel.rpartition("/")[0]
        entries = self.folders.get(folder)
        if entries is None:
            entries = self.folders[folder] = self._load(folder)
        return entries

    def _load(self, folder: str) -> dict:
        entries, st = _load(self._file(folder), self.valid)
        self.written_ns[folder] = st.st_mtime_ns if st else 0
        if st is None:
            return entries
        self.written_as[folder] = identity = _version_of(st)
        later = _load_later(self._file(folder, LATER), identity, self.valid)
        if later is None:
            return entries
        put, gone, written = later
        entries = {**entries, **put}
        for key in gone:
            entries.pop(key, None)
        self.own.add(folder)  # (a new dict already)
        self.later[folder] = (written, {*put, *gone})
        return entries

    def _file(self, folder: str, suffix: str = "") -> Path:
        return self.directory / f"{short_hash(folder)}{suffix}.pickle"

    def _own(self, rel: str) -> dict:
        """The entries of `rel`'s folder as this store's own copy, to change (a month of visits is copied only when
        one of its entries changes, not at every build of a process that keeps cache files)."""
        folder = rel.rpartition("/")[0]
        if folder not in self.own:
            self.folders[folder] = dict(self.folder(rel))
            self.own.add(folder)
        self.changed.add(folder)
        return self.folders[folder]

    def written(self, rel: str) -> int:
        """When the cache file of `rel`'s folder was written (ns, by the file system's clock; 0 when there was none).
        An entry whose file was modified at or after that time may have changed after it was read: unverified.
        An entry of the folder's later file was written later (`written_at`)."""
        self.folder(rel)
        return self.written_ns[rel.rpartition("/")[0]]

    def written_at(self, rel: str, key) -> int:
        """When the entry `key` of `rel`'s folder was written: `written(rel)`, or the time of the later file that
        holds it."""
        folder = rel.rpartition("/")[0]
        self.folder(rel)
        later = self.later.get(folder)
        return later[0] if later is not None and key in later[1] else self.written_ns[folder]

    def put(self, rel: str, key, value) -> None:
        self._own(rel)[key] = value
        self._later_keys(rel).add(key)

    def drop(self, folder: str, keys) -> None:
        """Remove these entries of `folder` (one this store has loaded)."""
        entries = self._own(f"{folder}/")
        changed = self._later_keys(f"{folder}/")
        for key in keys:
            del entries[key]
            changed.add(key)

    def _later_keys(self, rel: str) -> set:
        """The keys of `rel`'s folder whose entries differ from its cache file's."""
        folder = rel.rpartition("/")[0]
        later = self.later.get(folder)
        if later is None:
            later = self.later[folder] = (0, set())
        return later[1]

    def file_of(self, folder: str) -> Path | None:
        """The cache file of `folder`, its directory made, for another process (a parse worker: bulkread) to write
        with `write_sealed(..., sync_folder=False)`, then `written_elsewhere`; None when the directory cannot be made."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return self._file(folder)

    def written_elsewhere(self, folder: str, entries: dict) -> None:
        """`folder`'s entries, whose cache file another process has written (`file_of`): `save` fsyncs the directory
        and does its other housekeeping, but does not write the file again."""
        self.folders[folder] = entries
        self.own.add(folder)
        self.later.pop(folder, None)
        self.written_as.pop(folder, None)  # (a later file would need its identity: the next change writes it whole)
        self.elsewhere = True

    def save(self) -> None:
        if not self.changed and not self.elsewhere:
            return
        if _deferred is not None:
            when_idle(self.save)
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.base / "root").write_text(str(self.root), encoding="utf-8")
            for folder in sorted(self.changed):  # a copy: this store may change its own after saving
                self._save(folder, self.folders[folder])
            fsync_folder(self.directory)  # once for every rename above (and those of `written_elsewhere`)
            self.changed.clear()
            self.elsewhere = False
            for other in self.base.iterdir():  # another day's or another code version's store
                if other.is_dir() and other != self.directory:
                    shutil.rmtree(other, ignore_errors=True)
            _forget_removed_trees(self.base.parent)
        except OSError:
            pass  # a cache that cannot be written only makes the next run slower

    def _save(self, folder: str, entries: dict) -> None:
        identity = self.written_as.get(folder)
        _, keys = self.later.get(folder, (0, set()))
        later = self._file(folder, LATER)
        if identity is not None and len(entries) >= LATER_FROM and len(keys) <= len(entries) * LATER_MOST:
            gone = tuple(key for key in keys if key not in entries)
            write_sealed(later, (identity, {key: entries[key] for key in keys if key in entries}, gone),
                         sync_folder=False)
            self.later[folder] = (os.stat(later).st_mtime_ns, set(keys))
            return
        path = self._file(folder)
        write_sealed(path, dict(entries), sync_folder=False)
        _kept_checked(path, self.valid)
        st = os.stat(path)
        self.written_ns[folder], self.written_as[folder] = st.st_mtime_ns, _version_of(st)
        self.later.pop(folder, None)
        later.unlink(missing_ok=True)


LATER = ".later"  # a folder's later file: `<folder's hash>.later.pickle`
LATER_FROM = 256  # entries: a smaller folder is written whole (a village's households in the household cache)
LATER_MOST = 1 / 8  # of a folder's entries, changed since its file was written: then it is written again whole


def _version_of(st: os.stat_result) -> tuple:
    """What names one written version of a cache file (a rewrite is a rename: another inode, another time)."""
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _load_later(path: Path, identity: tuple, valid: Callable[[Any, Any], bool] | None) -> tuple | None:
    """(entries put, keys dropped, when it was written) of a folder's later file that follows the very version
    `identity` of the folder's file, its entries those `valid` keeps; None for none, another version's, or a
    damaged one."""
    try:
        value, st = read_sealed_at(path)
    except OSError:
        return None
    if not (isinstance(value, tuple) and len(value) == 3 and value[0] == identity and isinstance(value[1], dict)
            and isinstance(value[2], tuple)):
        return None
    _, put, gone = value
    if valid is not None:
        put = {key: entry for key, entry in put.items() if valid(key, entry)}
    return put, gone, st.st_mtime_ns


@contextlib.contextmanager
def saves_after(leave_idle_work: bool = False):
    """The work that can wait, asked for in the block, is done when it ends: the build server closes its client's
    connection first. That is what the next request reads (`when_done`: the build's fingerprint), then what only a
    later build reads or no one (`when_idle`: the caches of the records, the households' judgements and the history,
    the pages' record, the removal of the output tree the build replaced: 0.6–0.8 s at 25,000 households after a
    visit). With `leave_idle_work` the latter waits for `finish_idle_work`: the server does it once idle, or a
    build that finds something changed does it first, and a request that finds nothing changed is answered before
    it. These caches are keyed by what they are made from and only ever spare work: another process that reads one
    before it is written finds the files changed since and reads them; this process's next build comes after."""
    global _deferred
    outer, _deferred = _deferred, []
    try:
        yield
    finally:
        waiting, _deferred = _deferred, outer
        for work, context in waiting:
            with _as_asked(context):
                work()
        if not leave_idle_work:
            finish_idle_work()


def deferring() -> bool:
    """Whether work asked for now waits for the end of a `saves_after` block."""
    return _deferred is not None


def when_done(work: Callable[[], None]) -> None:
    """`work()` now, or at the end of the enclosing `saves_after` block: work the next request reads (what the build
    recorded of its output). It runs in the working directory, environment and umask it was asked for in (the build
    server's client's, whose request has ended by then: a relative output folder, a cache folder named in the
    environment)."""
    if _deferred is not None:
        _deferred.append((work, _asked()))
    else:
        work()


def when_idle(work: Callable[[], None]) -> None:
    """`work()` now; inside a `saves_after` block, at its end or later (`finish_idle_work`): work that only a later
    build that loads the records reads, or no one. Done in the order asked, in the context asked for (`when_done`)."""
    if _deferred is not None:
        _idle.append((work, _asked()))
    else:
        work()


def idle_work_waiting() -> bool:
    return bool(_idle)


def finish_idle_work() -> None:
    """Do the work `when_idle` left (the build server: once idle, before a build that loads anything, and before
    it exits). Nothing it asks for waits again."""
    global _deferred
    outer, _deferred = _deferred, None
    try:
        while _idle:
            work, context = _idle.pop(0)
            with _as_asked(context):
                work()
    finally:
        _deferred = outer


def _asked() -> tuple:
    mask = os.umask(0o077)
    os.umask(mask)
    return _cwd(), dict(os.environ), mask


def _cwd() -> str | None:
    try:
        return os.getcwd()
    except OSError:  # (removed while the process was in it)
        return None


@contextlib.contextmanager
def _as_asked(context: tuple):
    """The working directory, environment and umask of `when_done`'s caller, for the time of its work."""
    cwd, env, mask = context
    saved_cwd, saved_env, saved_mask = _cwd(), dict(os.environ), os.umask(mask)
    try:
        with contextlib.suppress(OSError, TypeError):  # (a folder gone since: the work's paths are its own to check)
            os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        yield
    finally:
        os.umask(saved_mask)
        with contextlib.suppress(OSError, TypeError):
            os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def _forget_removed_trees(directory: Path) -> None:
    """Delete the stores of content trees that are gone (a test's temporary directory, a removed checkout)."""
    for base in directory.iterdir():
        try:
            gone = not Path((base / "root").read_text(encoding="utf-8")).is_dir()
        except OSError:
            gone = True
        if gone:
            shutil.rmtree(base, ignore_errors=True)


def _load(path: Path, valid: Callable[[Any, Any], bool] | None) -> tuple[dict, os.stat_result | None]:
    """A folder's entries and the stat of its file; ({}, None) for a missing, damaged or foreign file. The
    entries (those `valid` keeps) are what a process that keeps cache files in memory keeps of the file."""
    try:
        entries, written = read_sealed_at(path)
    except OSError:
        return {}, None
    if not isinstance(entries, dict):
        return {}, None
    if valid is not None and getattr(entries, "checked", None) is not valid:
        entries = _Checked({key: value for key, value in entries.items() if valid(key, value)})
        entries.checked = valid
        if _kept is not None and str(path) in _kept:
            _kept[str(path)] = (_kept[str(path)][0], entries)
    return entries, written


def _kept_checked(path: Path, valid: Callable[[Any, Any], bool] | None) -> None:
    """A store's own entries, just written to `path`, kept in memory as checked by `valid` already: the next `_load`
    of the file does not check them one by one (a month of visits is 16,000 entries at 25,000 households)."""
    kept = _kept.get(str(path)) if _kept is not None and valid is not None else None
    if kept is not None:
        entries = _Checked(kept[1])
        entries.checked = valid
        _kept[str(path)] = (kept[0], entries)


class _Checked(dict):
    """A folder's entries that passed its store's `valid` (kept in memory so: not checked again)."""

    checked = None
