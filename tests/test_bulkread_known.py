"""The parse cache given the stats a watcher holds (bulkread.KnownStats, the preview's): a file whose known stat is its
cache entry's is taken without a stat; one named changed, one not known and one whose known stat disagrees with the
entry are statted, hashed and parsed as without them, and no known stat goes into an entry."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from careledger import bulkread, cachestore
from careledger.bulkread import FileJob, KnownStats, Settings, read_all
from careledger.records import Visit

SETTINGS = Settings(dt.date(2026, 11, 23), True)
STAT = bulkread._stat  # as the watcher takes them (not counted below)
VISIT = "- date: 2026-11-{day:02d}\n  household: ds-001\n  duty: contact\n"


def files(root: Path, n: int) -> list[FileJob]:
    (root / "visits" / "2026-11").mkdir(parents=True)
    for i in range(n):
        path = root / "visits" / "2026-11" / f"s{i}.yaml"
        path.write_text(VISIT.format(day=1 + i), encoding="utf-8")
        os.utime(path, ns=(10**18, 10**18 + i))
    time.sleep(0.05)  # the change times a tick or more before the cache file is written: not racily clean
    return [FileJob(f"visits/2026-11/s{i}.yaml", Visit, True, (("visitor", f"s{i}"),)) for i in range(n)]


def known_now(root: Path, jobs: list[FileJob], changed=()) -> KnownStats:
    absolute = os.path.abspath(root)
    return KnownStats(absolute, {f"{absolute}/{job.rel}": STAT(f"{absolute}/{job.rel}") for job in jobs},
                      frozenset(f"{absolute}/{rel}" for rel in changed))


def dates(results) -> list:
    return [[str(record.date) for record in records] for records, *_ in results]


@pytest.fixture(params=["one build", "a process that keeps its caches"])
def counted(request, monkeypatch):
    """The stats taken of the files, by name; in a process that keeps its caches too (the preview's), where a folder
    is first looked at whole (bulkread._Runs)."""
    if request.param != "one build":
        monkeypatch.setattr(cachestore, "_kept", {})
    statted: list[str] = []
    monkeypatch.setattr(bulkread, "_stat", lambda path: statted.append(path.rpartition("/")[2]) or STAT(path))
    return statted


def test_known_stats_spare_the_stats_of_unchanged_files_and_only_those(tmp_path, monkeypatch, counted):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "content"
    jobs = files(root, 4)
    first = read_all(root, jobs, SETTINGS, workers=1)
    assert len(counted) == 4
    counted.clear()
    again = read_all(root, jobs, SETTINGS, workers=1, known=known_now(root, jobs))
    assert counted == [] and dates(again) == dates(first)

    path = root / jobs[1].rel  # saved; the watcher saw it and named it
    path.write_text(VISIT.format(day=20), encoding="utf-8")
    known = known_now(root, jobs, changed=[jobs[1].rel])
    assert dates(read_all(root, jobs, SETTINGS, workers=1, known=known))[1] == ["2026-11-20"]
    assert counted == ["s1.yaml"]


def test_a_known_stat_other_than_the_entrys_is_statted_and_never_cached(tmp_path, monkeypatch, counted):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "content"
    jobs = files(root, 3)
    read_all(root, jobs, SETTINGS, workers=1)
    stale = known_now(root, jobs)  # the snapshot before the next save
    (root / jobs[0].rel).write_text(VISIT.format(day=21), encoding="utf-8")  # its event not taken yet
    (root / jobs[2].rel).write_text(VISIT.format(day=22), encoding="utf-8")
    ahead = dict(stale.stats)
    ahead[f"{stale.root}/{jobs[2].rel}"] = STAT(f"{stale.root}/{jobs[2].rel}")  # seen: not the entry's
    del ahead[f"{stale.root}/{jobs[1].rel}"]  # not known
    counted.clear()
    known = KnownStats(stale.root, ahead, frozenset())
    got = dates(read_all(root, jobs, SETTINGS, workers=1, known=known))
    # s0: the known stat is the entry's, so it is trusted (the event of its save starts the next build); s1 and s2
    # are statted: s1 taken from the cache, s2 parsed again
    assert got == [["2026-11-01"], ["2026-11-02"], ["2026-11-22"]] and counted == ["s1.yaml", "s2.yaml"]
    counted.clear()
    assert dates(read_all(root, jobs, SETTINGS, workers=1, known=known_now(root, jobs, [jobs[0].rel]))) == [
        ["2026-11-21"], ["2026-11-02"], ["2026-11-22"]]  # the next build, its event taken: s0 statted, parsed
    assert counted == ["s0.yaml"]


def test_known_stats_of_another_folder_are_refused(tmp_path):
    with pytest.raises(ValueError):
        read_all(tmp_path, [], SETTINGS, known=KnownStats(str(tmp_path / "other"), {}, frozenset()))
