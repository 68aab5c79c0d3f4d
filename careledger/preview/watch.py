"""How the preview notices a saved file. Where the system reports changes (inotify on Linux, its counterparts
elsewhere, through watchdog), a save is seen as it happens: the paths the events name are statted and compared with
the snapshot, and the build starts with no full look at the content. Where it cannot (the watch limit reached, a
file system that reports nothing), and as a safety net every SAFETY_NET seconds besides, the watcher polls: a full
look at every file below the content (`Snapshot.take`: size, modification time, inode and change time of each, since
an editor that saves by renaming changes the inode, and a chmod or a restored modification time the change time)
every few seconds, and in between, every QUICK seconds, a glance (`Snapshot.moved`) at the HOT most recently modified
files and at every folder (a file added, removed or renamed into a folder changes the folder's modification time).

The snapshot holds the four values the parse cache compares (bulkread.py), so the build after a `wait` that took only
events may take them from it (`Watcher.known`) instead of a stat of each of the county's files: the files `wait`
returned are statted again, every other is as the snapshot holds it (a change since has an event that starts the next
build). The build after a full look, and every build while polling, stats every file itself.

A full look costs a stat per file (0.1 CPU s at 2,500 households, 1 s at 25,000): `Watcher` takes one at most every
`interval` seconds (SAFETY_NET with events) and never more than a tenth of a core's time on it."""

from __future__ import annotations

import heapq
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..bulkread import KnownStats

QUICK = 0.1  # seconds between two glances, when polling
HOT = 256  # files glanced at: the most recently modified
SHARE = 0.1  # of a core, at most, spent on full looks
SETTLE = 0.03  # seconds without a new event before a burst (an editor's write, rename and chmod) is taken as one
SAFETY_NET = 60.0  # seconds between full looks when the system reports changes (events it may have dropped)
# not opened or closed; "attrib": a chmod or touch changes the change time, which the parse cache compares
_CHANGES = frozenset({"created", "modified", "deleted", "moved", "attrib"})
_LOST = "events_lost"  # the system's queue overflowed: events were dropped


def _stat(path: str) -> tuple[int, int, int, int] | None:
    """As bulkread's `_stat`: (size, mtime, inode, ctime)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns


@dataclass
class Snapshot:
    files: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # path -> (size, mtime, inode, ctime)
    folders: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    hot: list[str] = field(default_factory=list)

    @classmethod
    def take(cls, content: Path, skip: Path | None = None) -> "Snapshot":
        """Every file below `content` and every folder, as the load lists them: dot files and folders (.git, an
        editor's swap file) left out, and `skip` (the output when it lies inside)."""
        files, folders = {}, {}
        for dirpath, dirnames, filenames in os.walk(content):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and (skip is None or Path(dirpath, d) != skip)]
            state = _stat(dirpath)
            if state is None:
                continue  # removed while walking: the next look sees it gone
            folders[dirpath] = state
            for name in filenames:
                if name.startswith("."):
                    continue
                path = os.path.join(dirpath, name)
                state = _stat(path)
                if state is not None:
                    files[path] = state
        return cls(files, folders, heapq.nlargest(HOT, files, key=lambda p: files[p][1]))

    def moved(self) -> bool:
        """Whether a hot file or a folder is not as it was (then a full look says what changed)."""
        return (any(_stat(p) != self.files[p] for p in self.hot)
                or any(_stat(p) != state for p, state in self.folders.items()))

    def changed(self, now: "Snapshot") -> list[str]:
        """The files added, removed or changed from this snapshot to `now`, sorted."""
        return sorted(set(now.files) ^ set(self.files)
                      | {p for p, state in now.files.items() if p in self.files and self.files[p] != state})

    def update(self, paths) -> list[str] | None:
        """Take the files `paths` again; those added, removed or changed, sorted. None when one of them is a folder
        (a folder made, moved or removed carries files no event named: a full look is needed)."""
        if any(os.path.isdir(path) or path in self.folders for path in paths):
            return None  # before any file is taken again: the full look compares with this snapshot as it was
        changed = []
        for path in paths:
            state = _stat(path)
            if state != self.files.get(path):
                changed.append(path)
                if state is None:
                    self.files.pop(path, None)
                else:
                    self.files[path] = state
        return sorted(changed)


class _Events:
    """The paths the system reports changed below the content, gathered on watchdog's thread until taken."""

    def __init__(self, content: Path, skip: Path | None):
        self.root, self.skip = os.path.abspath(content), str(skip) if skip is not None else None
        self.paths: set[str] = set()
        self.lock, self.ready = threading.Lock(), threading.Event()
        self.last = 0.0
        self.observer = None

    @classmethod
    def start(cls, content: Path, skip: Path | None) -> "_Events | None":
        """Events below `content`, or None where the system gives none (then the watcher polls)."""
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:
            return None
        events = cls(content, skip)

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                events.note(event)

        observer = Observer()
        observer.daemon = True
        try:
            observer.schedule(Handler(), events.root, recursive=True)
            observer.start()
        except OSError:  # the system's watch limit (fs.inotify.max_user_watches), or no such facility
            return None
        events.observer = observer
        return events

    def note(self, event) -> None:
        if event.event_type == _LOST:
            paths = [self.root]  # a folder: only a full look says what changed
        elif event.event_type not in _CHANGES or (event.is_directory and event.event_type == "modified"):
            return  # a folder "modified" is a file in it made or removed, which has an event of its own
        else:
            paths = [p for p in (event.src_path, getattr(event, "dest_path", ""))
                     if p and self._watched(os.fsdecode(p))]
        if paths:
            with self.lock:
                self.paths.update(os.fsdecode(p) for p in paths)
                self.last = time.monotonic()
            self.ready.set()

    def _watched(self, path: str) -> bool:
        """Below the content, outside the output, neither a dot file nor in a dot folder, as `Snapshot.take` looks
        (a swap file saved by the editor the clerk has open is no change to the records)."""
        relative = os.path.relpath(path, self.root)
        if relative == os.curdir or relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return False
        if self.skip is not None and (path == self.skip or path.startswith(self.skip + os.sep)):
            return False
        return not any(part.startswith(".") for part in relative.split(os.sep))

    def take(self, timeout: float) -> set[str]:
        """The paths named since the last take, once no event came for SETTLE seconds; empty after `timeout`."""
        if not self.ready.wait(max(0.0, timeout)):
            return set()
        while (quiet := time.monotonic() - self.last) < SETTLE:
            time.sleep(SETTLE - quiet)
        with self.lock:
            paths, self.paths = self.paths, set()
            self.ready.clear()
        return paths


class Watcher:
    """The snapshot of the content, kept up to date from the system's events, or taken again when a glance sees a
    change or a full look is due. Its paths are absolute, as the events name them."""

    def __init__(self, content: Path, skip: Path | None, interval: float):
        self.content, self.skip, self.interval = Path(os.path.abspath(content)), skip, interval
        self.events = _Events.start(self.content, skip)  # before the first look, so that no change falls between
        self.every = interval
        self.seen = self.look()
        self.changed: list[str] = []  # what the last `wait` returned
        self.walked = True  # whether it took a full look (the first build follows the first look)

    def close(self) -> None:
        """Stop taking the system's events (its thread ends: a process with one thread may fork workers again)."""
        if self.events is not None and self.events.observer is not None:
            self.events.observer.stop()
            self.events.observer.join()

    def known(self) -> KnownStats | None:
        """For the build that follows a `wait`: the snapshot's stats of every file and the files `wait` returned
        (bulkread.KnownStats). None when that build must stat every file itself: before the first `wait`, while
        polling, and after a `wait` that took a full look (a folder made, moved or removed, or the safety net: events
        may have been missed, or named no file)."""
        if self.events is None or self.walked:
            return None
        from ..bulkread import KnownStats  # here: every command imports this module (cli → serve), few build

        return KnownStats(str(self.content), dict(self.seen.files), frozenset(self.changed))

    def look(self) -> Snapshot:
        cpu = time.thread_time()  # this thread walks; the server answers pages in others
        taken = Snapshot.take(self.content, self.skip)
        least = SAFETY_NET if self.events is not None else self.interval
        self.every = max(least, (time.thread_time() - cpu) / SHARE)
        self.last = time.monotonic()
        return taken

    def wait(self) -> list[str]:
        """Block until a file changes; the files changed since the last call (or since the watcher was made)."""
        self.walked = False
        while True:
            due = self.last + self.every - time.monotonic()
            if self.events is not None and due > 0:
                paths = self.events.take(due)
                changed = self.seen.update(paths) if paths else []
                if changed:
                    return self._returned(changed)
                if changed is not None:
                    continue  # nothing the snapshot holds changed (a file written back as it was), or no event
            else:
                time.sleep(max(0.0, min(QUICK, due)))
                if time.monotonic() < self.last + self.every and not self.seen.moved():
                    continue
            now = self.look()
            self.walked = True
            changed = self.seen.changed(now)
            self.seen = now
            if changed:
                return self._returned(changed)

    def _returned(self, changed: list[str]) -> list[str]:
        self.changed = changed
        return changed
