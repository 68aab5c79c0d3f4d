"""A process that keeps caches in memory (the preview) keeps each folder's listing under the folder's stat
(`listing.Kept`, through `load._LISTED`): an unchanged folder is not listed again, a changed one is, and a folder
changed in the same tick as its listing ("racily clean") is listed again too. Over random edits of the tree in one
process, each load must equal a cold one, findings about the tree included."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from careledger import cachestore, listing
from careledger import load as loading
from careledger.demo import DemoSpec, write_demo
from careledger.load import load

AS_OF = dt.date(2026, 11, 23)
LATER_NS = 10_000_000_000  # the clock as the listing sees it: every folder changed long before (none racily clean)

STEP = st.tuples(st.sampled_from(["add", "remove", "rename", "add-month", "remove-month", "rename-month", "ignored",
                                  "yml", "dot", "deep", "shallow", "folder-named-file", "symlink", "fifo",
                                  "link-folder"]),
                 st.integers(0, 200))


def apply(root: Path, step: tuple) -> None:
    what, pick = step
    months = sorted(p for p in (root / "visits").iterdir() if p.is_dir() and not p.name.startswith("."))
    month = months[pick % len(months)] if months else root / "visits"
    files = sorted(p for p in month.glob("*.yaml") if p.is_file() and not p.is_symlink())
    some = files[pick % len(files)] if files else None
    if what == "add" and some is not None:
        (month / f"new-{pick}.yaml").write_bytes(some.read_bytes())
    elif what == "remove" and some is not None:
        some.unlink()
    elif what == "rename" and some is not None:
        some.rename(months[(pick + 1) % len(months)] / f"moved-{pick}-{some.name}")
    elif what == "add-month":
        (root / "visits" / f"2026-{pick % 12 + 1:02d}").mkdir(exist_ok=True)
        if some is not None:
            (root / "visits" / f"2026-{pick % 12 + 1:02d}" / f"copy-{pick}.yaml").write_bytes(some.read_bytes())
    elif what == "remove-month" and month.is_dir() and not month.is_symlink() and len(months) > 1:
        shutil.rmtree(month)
    elif what == "rename-month" and not month.is_symlink() and not (root / "visits" / f"2025-{pick % 12 + 1:02d}").exists():
        month.rename(root / "visits" / f"2025-{pick % 12 + 1:02d}")
    elif what in ("ignored", "yml", "dot"):
        (month / {"ignored": f"note-{pick}.txt", "yml": f"v-{pick}.yml", "dot": f".swap-{pick}.yaml"}[what]
         ).write_text("x: 1\n", encoding="utf-8")
    elif what == "deep" and month.is_dir():
        (month / f"deep-{pick}").mkdir(exist_ok=True)
        if some is not None:
            (month / f"deep-{pick}" / some.name).write_bytes(some.read_bytes())
    elif what == "shallow" and some is not None:
        (root / "visits" / f"shallow-{pick}.yaml").write_bytes(some.read_bytes())
    elif what == "folder-named-file":
        (month / f"folder-{pick}.yaml").mkdir(exist_ok=True)
    elif what == "symlink" and some is not None and not (month / f"link-{pick}.yaml").exists():
        (month / f"link-{pick}.yaml").symlink_to(some)
    elif what == "fifo" and hasattr(os, "mkfifo") and not (month / f"fifo-{pick}.yaml").exists():
        os.mkfifo(month / f"fifo-{pick}.yaml")
    elif what == "link-folder" and not (root / "visits" / f"2024-{pick % 12 + 1:02d}").exists():
        (root / "visits" / f"2024-{pick % 12 + 1:02d}").symlink_to(month)


def snapshot(loaded):
    records, findings = loaded
    kinds = (records.staff, records.households, records.visits, records.inspections, records.custody,
             records.pages, records.spot_checks)
    return [[(r, r.source) for r in kind] for kind in kinds], findings


@pytest.fixture
def later_clock(monkeypatch):
    """The listing's clock LATER_NS ahead, so the folders a test has just made are kept (not racily clean)."""
    real = time.time_ns
    monkeypatch.setattr(listing, "now_ns", lambda: real() + LATER_NS)


@pytest.fixture
def kept_in_memory(monkeypatch, tmp_path):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cachestore, "_kept", {})
    monkeypatch.setattr(loading, "_MADE", loading._ByIdentity())
    monkeypatch.setattr(loading, "_LISTED", listing.Kept())


def cold_load(root: Path, work: Path):
    """A load with nothing kept (the kept listings set aside, not lost) and every file parsed."""
    saved = cachestore._kept, loading._MADE, loading._LISTED, os.environ.get("CARELEDGER_CACHE_DIR")
    cachestore._kept, loading._MADE, loading._LISTED = None, loading._ByIdentity(), listing.Kept()
    os.environ["CARELEDGER_CACHE_DIR"] = str(work / "cold")
    try:
        return snapshot(load(root, today=AS_OF, cache=False))
    finally:
        cachestore._kept, loading._MADE, loading._LISTED, os.environ["CARELEDGER_CACHE_DIR"] = saved


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(STEP, min_size=1, max_size=6))
def test_loads_in_one_process_equal_cold_loads_after_edits_of_the_tree(later_clock, kept_in_memory, steps):
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "content"
        write_demo(root, DemoSpec(households=20, months=2))
        loading._LISTED = listing.Kept()
        load(root, today=AS_OF)
        taken_back = 0
        for step in steps:
            time.sleep(0.02)  # past the file system's tick (see the test of the race below)
            apply(root, step)
            before = {key: entry for key, entry in loading._LISTED.last.items()}
            warm = snapshot(load(root, today=AS_OF))
            taken_back += sum(1 for key, entry in loading._LISTED.last.items() if before.get(key) is entry)
            assert warm == cold_load(root, Path(work))
        assert taken_back  # the unchanged folders' listings were taken back


def scandirs(monkeypatch, root: Path) -> list[str]:
    """The folders below `root` listed from now on."""
    listed, real = [], os.scandir

    def counting(path=".", *args):
        if str(path).startswith(str(root)):
            listed.append(os.path.relpath(path, root))
        return real(path, *args)

    monkeypatch.setattr(os, "scandir", counting)
    return listed


def test_an_unchanged_folder_is_not_listed_again(later_clock, kept_in_memory, monkeypatch, tmp_path):
    root = tmp_path / "content"
    write_demo(root, DemoSpec(households=20, months=2))
    listed = scandirs(monkeypatch, root)
    first = snapshot(load(root, today=AS_OF))
    assert len(listed) > 10 and len(listed) == len(set(listed))  # every folder listed, once
    listed.clear()
    walked = loading._LISTED.walks[str(root), "visits"][1]
    assert snapshot(load(root, today=AS_OF)) == first
    assert listed == []
    assert loading._LISTED.walks[str(root), "visits"][1] is walked  # the very files, so their jobs are kept too
    time.sleep(0.02)
    month = sorted((root / "visits").iterdir())[-1]
    shutil.copy(next(month.glob("*.yaml")), month / "zz-new.yaml")
    listed.clear()
    warm = snapshot(load(root, today=AS_OF))
    assert listed == [f"visits/{month.name}"]  # the changed folder alone
    assert loading._LISTED.walks[str(root), "visits"][1] is not walked
    assert warm == cold_load(root, tmp_path)


def test_a_folder_changed_in_the_tick_of_its_listing_is_listed_again(kept_in_memory, monkeypatch, tmp_path):
    """A change in the same tick as the listing keeps the folder's stat: forced here (the folder's stat made
    constant), the new file is seen when the folder was racily clean, and missed (the listing taken back) when the
    clock says it was not, which shows the kept listing is what the race rule guards."""
    root = tmp_path / "content"
    write_demo(root, DemoSpec(households=20, months=2))
    month = sorted((root / "visits").iterdir())[-1]
    real_identity = listing._identity
    frozen = {}
    monkeypatch.setattr(listing, "_identity", lambda path: frozen.setdefault(str(path), real_identity(path)))
    now = max(os.stat(month).st_mtime_ns, os.stat(month).st_ctime_ns)
    for clock, seen in ((now, True), (now + LATER_NS, False)):
        monkeypatch.setattr(loading, "_LISTED", listing.Kept())
        monkeypatch.setattr(listing, "now_ns", lambda: clock)
        load(root, today=AS_OF)
        added = month / f"zz-{clock}.yaml"
        shutil.copy(next(month.glob("*.yaml")), added)
        records, _ = load(root, today=AS_OF)
        assert any(v.source.file == f"visits/{month.name}/{added.name}" for v in records.visits) is seen
        added.unlink()
        frozen.clear()


def test_a_kept_listing_reports_its_findings_again(later_clock, kept_in_memory, monkeypatch, tmp_path):
    root = tmp_path / "content"
    write_demo(root, DemoSpec(households=20, months=2))
    month = sorted((root / "visits").iterdir())[-1]
    (month / "link.yaml").symlink_to(next(month.glob("*.yaml")))
    os.mkfifo(month / "fifo.yaml")
    (month / "folder.yaml").mkdir()
    (month / "note.txt").write_text("x", encoding="utf-8")
    (month / ".swap.yaml").write_text("x", encoding="utf-8")
    (root / "visits" / "2026-13").mkdir()
    unreadable = root / "households" / sorted(p.name for p in (root / "households").iterdir())[0]
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path=".", *a: (_ for _ in ()).throw(PermissionError(13, "denied"))
                        if str(path) == str(unreadable) else real(path, *a))
    codes = {"E-SYMLINK", "E-FILE-KIND", "E-NOT-FILE", "W-FILE-IGNORED", "E-FOLDER-READ"}
    first = snapshot(load(root, today=AS_OF))
    assert codes <= {f.code for f in first[1]}
    time.sleep(0.02)
    listed = scandirs(monkeypatch, root)
    second = snapshot(load(root, today=AS_OF))
    assert listed == [os.path.relpath(unreadable, root)]  # a folder that could not be listed is tried again
    assert second == first == cold_load(root, tmp_path)
