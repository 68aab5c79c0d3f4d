"""How the preview notices a saved file, by polling (no dependency): a full look at every file below the content
(`Snapshot.take`: size, modification time and inode of each, since an editor that saves by renaming changes the
inode) every few seconds, and in between, every QUICK seconds, a glance (`Snapshot.moved`) at the HOT most recently
modified files and at every folder (a file added, removed or renamed into a folder changes the folder's
modification time). A clerk saves the file they are working on again and again, so a save is seen within QUICK
seconds, for a few hundred stats; the first save of a file not touched for a while waits for the next full look.

A full look costs a stat per file (0.1 CPU s at 2,500 households, 1 s at 25,000): `Watcher` takes one at most every
`interval` seconds and never more than a tenth of a core's time on it."""

from __future__ import annotations

import heapq
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

QUICK = 0.1  # seconds between two glances
HOT = 256  # files glanced at: the most recently modified
SHARE = 0.1  # of a core, at most, spent on full looks


def _stat(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


@dataclass
class Snapshot:
    files: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # path -> (size, mtime, inode)
    folders: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    hot: list[str] = field(default_factory=list)

    @classmethod
    def take(cls, content: Path, skip: Path | None = None) -> "Snapshot":
        """Every file below `content` and every folder (dot folders such as .git left out, and `skip`: the output
        when it lies inside)."""
        files, folders = {}, {}
        for dirpath, dirnames, filenames in os.walk(content):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and (skip is None or Path(dirpath, d) != skip)]
            state = _stat(dirpath)
            if state is None:
                continue  # removed while walking: the next look sees it gone
            folders[dirpath] = state
            for name in filenames:
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


class Watcher:
    """The snapshot of the content, taken again when a glance sees a change or a full look is due."""

    def __init__(self, content: Path, skip: Path | None, interval: float):
        self.content, self.skip, self.interval = content, skip, interval
        self.every = interval
        self.seen = self.look()

    def look(self) -> Snapshot:
        cpu = time.thread_time()  # this thread walks; the server answers pages in others
        taken = Snapshot.take(self.content, self.skip)
        self.every = max(self.interval, (time.thread_time() - cpu) / SHARE)
        self.last = time.monotonic()
        return taken

    def wait(self) -> list[str]:
        """Block until a file changes; the files changed since the last call (or since the watcher was made)."""
        while True:
            due = self.last + self.every - time.monotonic()
            time.sleep(max(0.0, min(QUICK, due)))
            if time.monotonic() < self.last + self.every and not self.seen.moved():
                continue
            now = self.look()
            changed = self.seen.changed(now)
            self.seen = now
            if changed:
                return changed
