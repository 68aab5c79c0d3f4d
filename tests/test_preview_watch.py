"""The preview's watcher (careledger/preview/watch.py): every kind of save is seen, the hot files' at a glance."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from careledger.preview import watch
from careledger.preview.watch import Snapshot, Watcher


pytestmark = pytest.mark.usefixtures("closed_watchers")  # (conftest.py)


def _files(root, n: int):
    for i in range(n):
        folder = root / "visits" / f"2026-{1 + i % 3:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"v{i}.yaml"
        path.write_text(f"- date: 2026-01-0{1 + i % 9}\n", encoding="utf-8")
        os.utime(path, ns=(10**18 + i, 10**18 + i))  # v{n-1} the most recently modified
    return [root / "visits" / f"2026-{1 + i % 3:02d}" / f"v{i}.yaml" for i in range(n)]


def test_a_glance_sees_a_hot_file_saved_in_place_and_a_file_added_or_renamed_over(tmp_path, monkeypatch):
    monkeypatch.setattr(watch, "HOT", 2)
    files = _files(tmp_path, 6)
    seen = Snapshot.take(tmp_path)
    assert set(seen.hot) == {str(files[4]), str(files[5])}
    assert not seen.moved()
    files[5].write_text("- date: 2026-03-05\n", encoding="utf-8")  # in place: same folder mtime, hot file
    assert seen.moved() and seen.changed(Snapshot.take(tmp_path)) == [str(files[5])]
    seen = Snapshot.take(tmp_path)
    files[0].write_text("- date: 2026-01-02\n", encoding="utf-8")  # in place, a cold file: no glance sees it
    os.utime(files[0], ns=(10**18 - 1, 10**18 - 1))
    assert not seen.moved() and seen.changed(Snapshot.take(tmp_path)) == [str(files[0])]
    seen = Snapshot.take(tmp_path)
    new = files[1].with_name("x.yaml.tmp")
    new.write_text("- date: 2026-02-09\n", encoding="utf-8")
    new.replace(files[1])  # saved by a rename: the folder changes
    assert seen.moved() and seen.changed(Snapshot.take(tmp_path)) == [str(files[1])]


@pytest.fixture(params=["events", "polling"])
def mode(request, monkeypatch):
    """Each watcher test runs with the system's events and without them (the polling fallback)."""
    if request.param == "polling":
        monkeypatch.setattr(watch._Events, "start", classmethod(lambda cls, content, skip: None))
    return request.param


def test_the_watcher_returns_every_change_the_cold_one_at_the_next_full_look(tmp_path, mode):
    files = _files(tmp_path, 4)
    watcher = Watcher(tmp_path, None, 0.5)
    changed: list = []

    def save_later():
        time.sleep(0.2)
        files[0].write_text("- date: 2026-01-03\n", encoding="utf-8")

    threading.Thread(target=save_later).start()
    start = time.monotonic()
    changed = watcher.wait()
    assert changed == [str(files[0])] and time.monotonic() - start < 5
    (tmp_path / "visits" / "2026-01" / "new.yaml").write_text("- date: 2026-01-04\n", encoding="utf-8")
    files[2].unlink()
    assert watcher.wait() == sorted([str(tmp_path / "visits" / "2026-01" / "new.yaml"), str(files[2])])


def _counting_looks(monkeypatch) -> list:
    looks: list = []
    take = Snapshot.take.__func__

    def counted(cls, content, skip=None):
        looks.append(content)
        return take(cls, content, skip)

    monkeypatch.setattr(Snapshot, "take", classmethod(counted))
    return looks


def test_with_events_a_save_is_seen_without_a_walk_and_a_new_folder_with_one(tmp_path, tmp_path_factory,
                                                                           monkeypatch):
    files = _files(tmp_path, 4)
    looks = _counting_looks(monkeypatch)
    watcher = Watcher(tmp_path, tmp_path / "output", 60)
    if watcher.events is None:
        pytest.skip("this system reports no file events")
    assert len(looks) == 1  # the first look
    files[0].write_text("- date: 2026-01-03\n", encoding="utf-8")  # in place
    assert watcher.wait() == [str(files[0])]
    saved = files[1].with_name(".v1.yaml.swp")
    saved.write_text("- date: 2026-02-09\n", encoding="utf-8")
    saved.replace(files[1])  # by a rename, as many editors save
    assert watcher.wait() == [str(files[1])] and len(looks) == 1
    (files[2].parent / ".v2.yaml.swp").write_text("x", encoding="utf-8")  # an editor's swap file: not a record
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "index.html").write_text("x", encoding="utf-8")  # the build's own output: not a change
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "index").write_text("x", encoding="utf-8")
    staged = tmp_path_factory.mktemp("staged")  # outside the content, on the same file system
    (staged / "2026-04").mkdir(parents=True)
    (staged / "2026-04" / "a.yaml").write_text("- date: 2026-04-01\n", encoding="utf-8")
    staged.rename(tmp_path / "visits" / "new")  # a folder moved in: no event names the file inside
    assert watcher.wait() == [str(tmp_path / "visits" / "new" / "2026-04" / "a.yaml")] and len(looks) == 2


def test_the_build_after_events_alone_is_given_the_snapshots_stats_after_a_full_look_none(tmp_path, mode):
    """`Watcher.known`: what the load may take instead of its own stats (bulkread.KnownStats), only after a `wait`
    that took events alone; the first build, the build after a full look and every build while polling stat all."""
    from careledger import bulkread

    files = _files(tmp_path, 4)
    watcher = Watcher(tmp_path, None, 0.3 if mode == "polling" else 60)
    assert watcher.known() is None  # the first build
    files[0].write_text("- date: 2026-01-03\n", encoding="utf-8")
    assert watcher.wait() == [str(files[0])]
    known = watcher.known()
    if mode == "polling":
        assert known is None
        return
    assert known.root == str(tmp_path) and known.changed == {str(files[0])}
    assert known.stats == {str(p): bulkread._stat(str(p)) for p in files}  # the four values the parse cache keeps
    assert known.stat(str(files[0])) is None and known.stat(str(files[1])) == bulkread._stat(str(files[1]))
    os.chmod(files[1], 0o600)  # the change time alone: a file made unreadable must be read again
    assert watcher.wait() == [str(files[1])] and watcher.known().changed == {str(files[1])}
    (tmp_path / "visits" / "2026-04").mkdir()  # a folder made: a full look
    (tmp_path / "visits" / "2026-04" / "a.yaml").write_text("- date: 2026-04-01\n", encoding="utf-8")
    assert watcher.wait() == [str(tmp_path / "visits" / "2026-04" / "a.yaml")] and watcher.known() is None
    files[2].write_text("- date: 2026-01-05\n", encoding="utf-8")
    assert watcher.wait() == [str(files[2])] and watcher.known().changed == {str(files[2])}


def test_a_relative_content_folder_is_watched_by_absolute_paths(tmp_path, monkeypatch, mode):
    """The events name absolute paths: a snapshot of relative ones would see every saved file as added, and gone at
    the next full look."""
    files = _files(tmp_path, 2)
    monkeypatch.chdir(tmp_path)
    watcher = Watcher(Path("visits"), None, 0.3 if mode == "polling" else 60)
    files[1].write_text("- date: 2026-02-03\n", encoding="utf-8")
    assert watcher.wait() == [str(files[1])] and set(watcher.seen.files) == set(map(str, files))


def test_events_the_system_lost_take_a_full_look(tmp_path, monkeypatch):
    from watchdog.events import EventsLostEvent

    files = _files(tmp_path, 3)
    looks = _counting_looks(monkeypatch)
    watcher = Watcher(tmp_path, None, 60)
    if watcher.events is None:
        pytest.skip("this system reports no file events")
    note = watcher.events.note
    watcher.events.note = lambda event: None  # the kernel's queue overflowed: this save's events are gone
    files[1].write_text("- date: 2026-02-04\n", encoding="utf-8")
    time.sleep(0.2)
    watcher.events.note = note
    note(EventsLostEvent(str(tmp_path), is_directory=True))
    assert watcher.wait() == [str(files[1])] and len(looks) == 2 and watcher.known() is None
