"""Listing and reading the content tree, with one policy for what is not a plain folder or a plain file.

Every entry below the content directory is a real folder or a regular file, or it is a located error: a symbolic
link (E-SYMLINK: one pointing out of the tree could publish /etc files, one pointing inside it would count a record
twice, so none is followed, whatever it points at), a FIFO, socket or device (E-FILE-KIND: reading a FIFO would
hang the build), a folder that cannot be listed (E-FOLDER-READ), a file where a folder belongs (E-NOT-FOLDER), a
folder named like a record file (E-NOT-FILE), a file that cannot be read (E-FILE-READ). Names starting with a dot
(.git, editors' swap files) are not content and are left alone. Files are opened without following a symlink and
checked to be regular after opening, so one swapped in after the listing is refused too; and a file below the
content root is reached folder by folder from the root (`read_below`: each folder opened with O_NOFOLLOW and
O_DIRECTORY relative to the one above), so a folder swapped for a symlink after the listing is refused as well
(`LinkInPath`, E-SYMLINK), never followed. A process that builds many times (the preview) keeps each folder's
listing, findings included, under the folder's stat, and lists again only the folders whose stat changed (`Kept`).
"""

from __future__ import annotations

import errno
import os
import stat
import time
from operator import attrgetter
from pathlib import Path

from .findings import ERROR, Finding, Source

RECORD_SUFFIXES = (".yaml", ".yml", ".md")
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_NAME = attrgetter("name")
_REASONS = {
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.ENOENT: "文件不存在（可能刚被移走或删除）",
    errno.ELOOP: "这是符号链接，careledger 不跟随符号链接",
    errno.EISDIR: "这是目录，不是文件",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EIO: "磁盘读写错误",
    errno.ENXIO: "这不是普通文件",
    errno.EINVAL: "这不是普通文件",
}


def reason(exc: OSError) -> str:
    """Why a file or folder could not be read, in Chinese (the system's own words after it)."""
    zh = _REASONS.get(exc.errno or 0)
    detail = exc.strerror or str(exc)
    return f"{zh}（{detail}）" if zh else detail


def _error(rel: str, code: str, message: str) -> Finding:
    return Finding(code, ERROR, message, Source(rel))


def symlink_error(rel: str) -> Finding:
    return _error(rel, "E-SYMLINK", "这是符号链接：记录目录中的符号链接一律不读取（指向目录外会把别处的文件发布出去，"
                                    "指向目录内会把同一份记录读两次）。请把链接换成文件或目录本身")


def kind_error(rel: str) -> Finding:
    return _error(rel, "E-FILE-KIND", "这不是普通文件（是管道、套接字或设备文件）：记录目录中只能有普通文件和目录")


def check_folder(root: Path, rel: str, findings: list[Finding]) -> bool:
    """Whether `rel` is a real folder to list; an absent one is simply not there, anything else is reported."""
    try:
        st = os.lstat(root / rel)
    except FileNotFoundError:
        return False
    except OSError as exc:
        findings.append(_error(rel, "E-FOLDER-READ", f"无法读取目录：{reason(exc)}"))
        return False
    if stat.S_ISLNK(st.st_mode):
        findings.append(symlink_error(rel))
        return False
    if not stat.S_ISDIR(st.st_mode):
        findings.append(_error(rel, "E-NOT-FOLDER", f"“{rel}”应是目录，这里却是文件：请把它改回目录"
                                                    "（见 docs/records.md）"))
        return False
    return True


def check_file(root: Path, rel: str, findings: list[Finding]) -> bool | None:
    """Whether `rel` is a regular file: None when absent, False (reported) when it is something else."""
    try:
        st = os.lstat(root / rel)
    except FileNotFoundError:
        return None
    except OSError as exc:
        findings.append(_error(rel, "E-FILE-READ", f"无法读取文件：{reason(exc)}"))
        return False
    if stat.S_ISLNK(st.st_mode):
        findings.append(symlink_error(rel))
    elif stat.S_ISDIR(st.st_mode):
        findings.append(_error(rel, "E-NOT-FILE", "这里应是文件，却是目录"))
    elif not stat.S_ISREG(st.st_mode):
        findings.append(kind_error(rel))
    else:
        return True
    return False


def walk(root: Path, folder: str, findings: list[Finding], kept: Kept | None = None
         ) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The regular files and the folders below `folder`, each as (path relative to `root`, level below `folder`:
    1 for its own entries), in name order, folders first visited; everything else is reported. `kept`: the folders'
    listings of the last walk, taken back for each folder whose stat is the one it had then (`Kept`)."""
    files: list[tuple[str, int]] = []
    folders: list[tuple[str, int]] = []
    if not check_folder(root, folder, findings):
        return files, folders
    if kept is not None:
        return kept.walk(root, folder, findings)
    _walk(root, folder, 1, files, folders, findings, kept)
    return files, folders


def _walk(root: Path, rel: str, level: int, files: list, folders: list, findings: list[Finding],
          kept: Kept | None) -> None:
    entries = _list(root, rel, findings) if kept is None else kept.entries(root, rel, findings)
    if entries is None:
        return
    for child, kind in entries:
        if kind is _FILE:
            files.append((child, level))
        elif kind is _FOLDER:
            folders.append((child, level))
            _walk(root, child, level + 1, files, folders, findings, kept)
        else:
            findings.append(kind)


_FILE, _FOLDER = "file", "folder"


def _list(root: Path, rel: str, findings: list[Finding]) -> tuple | None:
    """A folder's own entries in name order, as (path relative to `root`, _FILE, _FOLDER or the finding that refuses
    it); None when the folder cannot be listed (reported)."""
    try:
        with os.scandir(root / rel) as it:
            entries = sorted((e for e in it if not e.name.startswith(".")), key=_NAME)
    except OSError as exc:
        findings.append(_error(rel, "E-FOLDER-READ", f"无法读取目录，其中的记录都没有读到：{reason(exc)}"))
        return None
    return tuple((child := f"{rel}/{entry.name}", _kind(entry, child)) for entry in entries)


def _kind(entry: os.DirEntry, child: str):
    try:
        if entry.is_file(follow_symlinks=False):  # the usual case first (a symlink is neither file nor folder)
            return _FILE
        if entry.is_dir(follow_symlinks=False):
            if entry.name.endswith(RECORD_SUFFIXES):
                return _error(child, "E-NOT-FILE", "这里应是记录文件，却是同名的目录：其中的内容不会被读取")
            return _FOLDER
        return symlink_error(child) if entry.is_symlink() else kind_error(child)
    except OSError as exc:  # the entry vanished or cannot be inspected
        return _error(child, "E-FILE-READ", f"无法读取：{reason(exc)}")


# A folder modified or changed within this long before its listing was taken is listed again next time: a change in
# the same tick of the file system's clock (coarser than the system's, up to 2 s on FAT) keeps the folder's stat.
RACE_MARGIN_NS = 3_000_000_000
now_ns = time.time_ns  # the clock a listing is taken by (a test sets it ahead)


def _identity(path: Path) -> tuple | None:
    """A folder's device, inode, size, modification and change time (ns); None when it cannot be statted."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


class Kept:
    """Each folder's listing (`_list`: its entries and the findings that refuse some) under the folder's own stat:
    device, inode, size, modification and change time. A file or folder made, removed or renamed in a folder changes
    its modification and change time (as git's untracked cache relies on), so a folder whose stat is the one it had
    when listed lists the same entries, of the same kinds (an entry's kind is its inode's, and a name gets another
    inode only by such a change). A listing is kept only when the folder was not modified or changed within
    `RACE_MARGIN_NS` before it was taken ("racily clean", as bulkread's cache entries: a change in that same tick
    keeps the stat), and when it holds no error: a folder that cannot be listed, or an entry that cannot be
    inspected, is listed again. Only the last walk's folders are kept (`done`)."""

    def __init__(self):
        self.last: dict[tuple[str, str], tuple] = {}
        self.now: dict[tuple[str, str], tuple] = {}
        self.walks: dict[tuple[str, str], tuple] = {}  # (root, folder) -> (the listings it took, what it gave)
        self.trail: list = []

    def walk(self, root: Path, folder: str, findings: list[Finding]) -> tuple[list, list]:
        """`walk`'s files and folders; the very lists of the last walk of `folder` when every listing it took is the
        very one it took then (all kept), so what is made of them can be kept by their identity. Read-only."""
        self.trail = []
        files: list[tuple[str, int]] = []
        folders: list[tuple[str, int]] = []
        found: list[Finding] = []
        _walk(root, folder, 1, files, folders, found, self)
        key, trail = (str(root), folder), tuple(self.trail)
        last = self.walks.get(key)
        walked = (files, folders, found)
        if (last is not None and len(last[0]) == len(trail) and None not in trail
                and all(before is now for before, now in zip(last[0], trail))):
            walked = last[1]
        self.walks[key] = (trail, walked)  # holds the listings: an identity stays theirs
        findings += walked[2]
        return walked[0], walked[1]

    def entries(self, root: Path, rel: str, findings: list[Finding]) -> tuple | None:
        key = (str(root), rel)
        taken_ns = now_ns()
        identity = _identity(root / rel)
        entry = self.last.get(key) or self.now.get(key)
        if identity is not None and entry is not None and entry[0] == identity:
            self.now[key] = entry
            self.trail.append(entry[1])
            return entry[1]
        entries = _list(root, rel, findings)
        self.trail.append(entries)
        if identity is None:
            return entries  # listed as without, and not kept
        if (entries is not None and max(identity[3], identity[4]) < taken_ns - RACE_MARGIN_NS
                and all(kind is _FILE or kind is _FOLDER or kind.code != "E-FILE-READ" for _, kind in entries)):
            self.now[key] = (identity, entries)
        return entries

    def done(self, keep: bool) -> None:
        """The end of a load: keep its listings for the next one (`keep`), or none."""
        self.last, self.now = (self.now if keep else {}), {}
        if not keep:
            self.walks = {}


class LinkInPath(OSError):
    """A part of a path below the content root was a symbolic link when it was read (`component`, relative to the
    root): swapped in after the listing, since the listing refuses links."""

    def __init__(self, component: str):
        super().__init__(errno.ELOOP, "symbolic link", component)
        self.component = component


def read_below(root: Path, rel: str) -> bytes:
    """The bytes of the regular file `rel` below `root`, reached one folder at a time from `root` without following
    a symlink at any step (the root itself is where the user pointed, and is followed). A link anywhere on the way is
    LinkInPath; the file is then checked as `read_bytes` checks it."""
    parts = rel.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise OSError(errno.EINVAL, "not a plain relative path", rel)
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for i, part in enumerate(parts[:-1]):
            try:
                inner = os.open(part, _FOLDER_FLAGS, dir_fd=folder)
            except OSError:
                _raise_if_link(folder, part, "/".join(parts[:i + 1]))
                raise
            os.close(folder)
            folder = inner
        try:
            fd = os.open(parts[-1], _OPEN_FLAGS, dir_fd=folder)
        except OSError:
            _raise_if_link(folder, parts[-1], rel)
            raise
    finally:
        os.close(folder)
    return _read_regular(fd, rel)


def _raise_if_link(folder: int, name: str, component: str) -> None:
    try:
        is_link = stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except OSError:
        return
    if is_link:
        raise LinkInPath(component)


def _read_regular(fd: int, name) -> bytes:
    """The bytes behind an open descriptor, which is closed; a FIFO, device or folder is refused (EINVAL)."""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(name))
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    finally:
        os.close(fd)


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file, never through a symlink (OSError ELOOP) and never blocking on a FIFO or device
    (OSError EINVAL): the listing already refused those, this holds when one is swapped in after it."""
    return _read_regular(os.open(path, _OPEN_FLAGS), path)
