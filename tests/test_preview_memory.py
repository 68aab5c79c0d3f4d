"""Issue 16: the preview (`careledger serve`) keeps the cache files' values in memory between its rebuilds
(`cachestore.keep_in_memory`). Several preview rebuilds in one process over random edits (visits added, a
household changed, a file broken then fixed, some committed) must each give the output tree, the findings and, with
--internal, the staff's files of a cold build of the same content (a fresh cache and output, nothing kept in
memory); and nothing a cache handed out may have been changed by its users: every value kept still equals what its
cache file unpickles to. As in `serve`, a watcher (preview/watch.py) sees each edit, and each rebuild takes the stats
of the files it did not see change from the watcher's snapshot (`Watcher.known`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from careledger import cachestore, serve
from careledger.audit import resume
from careledger.pipeline import BuildFailed, build_all
from careledger.preview.internal import internal_files
from careledger.preview.state import Preview
from careledger.preview.watch import Snapshot, Watcher
from careledger.recordfiles import is_record_file

from .gitkit import basic_repo
from .test_cache_equivalence import AS_OF, World, apply, commit, household, level, note, phone, problem, tree, visit

BAD = "\n- date: 2026-11-0\n  household: [unclosed\n"
broken = st.tuples(st.just("break"), st.integers(0, 9))  # a visit file broken; fixed by the next step
STEP = st.tuples(st.one_of(visit, visit, note, level, phone, household, problem, broken), st.booleans())


pytestmark = pytest.mark.usefixtures("closed_watchers")  # (conftest.py)


@pytest.fixture(autouse=True)
def memory(monkeypatch, restore_cache_env):
    """This test's own kept values (as a `serve` process has), and lazy history commits as in a county."""
    monkeypatch.setattr(cachestore, "_kept", {})
    monkeypatch.setattr(resume, "LAZY_FROM", 2)


def edit(world: World, step: tuple, broken_files: list[Path]) -> None:
    for path in broken_files:  # a file broken by the step before is fixed now
        path.write_text(path.read_text(encoding="utf-8").replace(BAD, ""), encoding="utf-8")
    broken_files.clear()
    if step[0] == "break":
        files = world.visit_files()
        path = files[step[1] % len(files)]
        path.write_text(path.read_text(encoding="utf-8") + BAD, encoding="utf-8")
        broken_files.append(path)
    else:
        apply(world, step)


def cold(world: World, work: Path, number: int, internal: bool, monkeypatch):
    """(findings, policy findings, tree, staff's files) of a build in a fresh cache and output, nothing kept."""
    kept = cachestore._kept
    monkeypatch.setattr(cachestore, "_kept", None)
    os.environ["CARELEDGER_CACHE_DIR"] = str(work / f"cold-cache-{number}")
    output = work / f"cold-output-{number}"
    try:
        try:
            result = build_all(world.root, output, as_of=AS_OF, allow_dirty=True, paper=False, reports=False)
        except BuildFailed as failed:
            return "failed", tuple(failed.findings), None, None
        staff = internal_files(world.root, output, AS_OF) if internal else None
        return result.findings, result.policy_findings, tree(output), staff
    finally:
        monkeypatch.setattr(cachestore, "_kept", kept)


def kept_equal_their_files(said: str) -> None:
    """No user of a cache changed what it was handed: each value kept is what its (unchanged) file holds."""
    checked = 0
    for path, (identity, value) in cachestore.kept_values().items():
        try:
            if cachestore._identity(os.stat(path)) != identity:
                continue
            on_disk = cachestore.unseal(Path(path).read_bytes())
        except OSError:
            continue
        assert value == on_disk, f"{said}: the value kept of {path} was changed"
        checked += 1
    assert checked, said


def seen_all(watcher: Watcher, timeout: float = 30) -> None:
    """Wait until the watcher has seen every edit made (events of one edit may come in more than one burst), as
    `serve` would after as many rebuilds."""
    for _ in range(20):
        waited = threading.Thread(target=watcher.wait, daemon=True)
        waited.start()
        waited.join(timeout)
        assert not waited.is_alive(), "the watcher did not see an edit"
        if watcher.seen.files == Snapshot.take(watcher.content, watcher.skip).files:
            return
    raise AssertionError("the watcher's snapshot never caught up with the files")


def run_preview(work: Path, steps: list[tuple], internal: bool, monkeypatch) -> None:
    world = World(basic_repo(work / "content").root)
    output, preview = work / "preview-output", Preview()
    os.environ["CARELEDGER_CACHE_DIR"] = str(work / "preview-cache")
    watcher = Watcher(world.root, None, 60)
    serve.rebuild(world.root, output, AS_OF, preview, internal=internal, known=watcher.known())
    broken_files: list[Path] = []
    given = 0  # rebuilds given the watcher's stats (none where the system gives no events)
    for number, (step, then_commit) in enumerate(steps):
        edit(world, step, broken_files)
        if then_commit and not broken_files:
            commit(world)
        seen_all(watcher)
        known = watcher.known()
        given += known is not None
        os.environ["CARELEDGER_CACHE_DIR"] = str(work / "preview-cache")
        serve.rebuild(world.root, output, AS_OF, preview, internal=internal, known=known)
        outcome = preview.current()[0]
        said = f"after step {number} {step} (committed: {then_commit})"
        kept_equal_their_files(said)
        findings, policy, files, staff = cold(world, work, number, internal, monkeypatch)
        if findings == "failed":
            assert outcome.failed and outcome.record_findings == policy, said
            continue
        assert not outcome.failed, said
        assert (outcome.record_findings, outcome.policy_findings) == (findings, policy), said
        assert tree(output) == files, said
        if internal:
            assert preview.internal == staff, said
    assert given or watcher.events is None


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=2, max_size=4))
def test_preview_rebuilds_in_one_process_equal_cold_builds(monkeypatch, steps):
    with tempfile.TemporaryDirectory(prefix="careledger-preview-") as work:
        run_preview(Path(work), steps, False, monkeypatch)


def test_internal_preview_rebuilds_in_one_process_equal_cold_builds(monkeypatch, tmp_path):
    steps = [(("add_visit", 1, "ds-shuji", "2026-11", 20, "in_person"), False), (("break", 2), False),
             (("level", 0, "3"), True), (("problem", 1, "ds-baopian", "2026-11", 21, False), False),
             (("add_household",), False)]
    run_preview(tmp_path, steps, True, monkeypatch)


def test_the_preview_builds_the_site_alone_and_a_build_after_it_equals_a_cold_one(tmp_path):
    """After `build`, a preview rebuild replaces site/ and BUILD.json and leaves reports/ as the build wrote it (the
    render memo keeps their records); the next `build` then equals a cold one."""
    world = World(basic_repo(tmp_path / "content").root)
    output, cache = tmp_path / "output", tmp_path / "cache"
    os.environ["CARELEDGER_CACHE_DIR"] = str(cache)
    build_all(world.root, output, as_of=AS_OF, allow_dirty=True, paper=False)
    reports = {p: data for p, data in tree(output).items() if p.startswith("reports/")}
    apply(world, ("add_visit", 1, "ds-shuji", "2026-11", 20, "in_person"))
    serve.rebuild(world.root, output, AS_OF, Preview())
    after = tree(output)
    assert {p: data for p, data in after.items() if p.startswith("reports/")} == reports
    cold_site = tmp_path / "cold-site"
    os.environ["CARELEDGER_CACHE_DIR"] = str(tmp_path / "cold-site-cache")
    build_all(world.root, cold_site, as_of=AS_OF, allow_dirty=True, paper=False, reports=False)
    assert {p: data for p, data in after.items() if not p.startswith("reports/")} == tree(cold_site)
    os.environ["CARELEDGER_CACHE_DIR"] = str(cache)
    warm = build_all(world.root, output, as_of=AS_OF, allow_dirty=True, paper=False)
    assert not warm.skipped and any(p.startswith("reports/") for p in warm.files_changed)
    os.environ["CARELEDGER_CACHE_DIR"] = str(tmp_path / "cold-cache")
    cold = build_all(world.root, tmp_path / "cold", as_of=AS_OF, allow_dirty=True, paper=False)
    assert tree(output) == tree(tmp_path / "cold") and warm.findings == cold.findings


def test_what_is_kept_of_a_removed_or_replaced_cache_file_is_forgotten(tmp_path):
    kept, replaced, removed = tmp_path / "kept.pickle", tmp_path / "replaced.pickle", tmp_path / "removed.pickle"
    for path in (kept, replaced, removed):
        cachestore.write_sealed(path, {"file": path.name})
    assert cachestore.read_sealed(kept) is cachestore.kept_values()[str(kept)][1]  # handed out, not unpickled
    removed.unlink()
    replaced.write_bytes(cachestore.seal({"file": "another process's"}))
    cachestore.forget_gone()
    assert set(cachestore.kept_values()) == {str(kept)}
    assert cachestore.read_sealed(replaced) == {"file": "another process's"}


@contextlib.contextmanager
def record_stats(root: Path):
    """The record files below `root` that `os.stat` is called on in the block (relative paths, in call order)."""
    statted: list[str] = []
    real = os.stat

    def counted(path, *args, **kwargs):
        relative = os.path.relpath(os.fspath(path), root)
        if is_record_file(relative.replace(os.sep, "/")):
            statted.append(relative)
        return real(path, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "stat", counted)
        yield statted


def test_a_rebuild_given_the_watchers_stats_stats_only_the_files_it_saw_change(tmp_path, monkeypatch):
    world = World(basic_repo(tmp_path / "content").root)
    output, preview = tmp_path / "output", Preview()
    os.environ["CARELEDGER_CACHE_DIR"] = str(tmp_path / "cache")
    watcher = Watcher(world.root, None, 60)
    if watcher.events is None:
        pytest.skip("this system reports no file events")
    assert watcher.known() is None  # the first build stats every file
    serve.rebuild(world.root, output, AS_OF, preview)
    edits = {"visits/2026-11/ds-shuji.yaml": ("add_visit", 1, "ds-shuji", "2026-11", 20, "in_person"),
             "households/dongshan/ds-002.yaml": ("phone", 1, 42)}
    for number, (rel, step) in enumerate(edits.items()):
        apply(world, step)
        seen_all(watcher)
        known = watcher.known()
        assert known is not None and [os.path.relpath(p, world.root) for p in known.changed] == [rel]
        with record_stats(world.root) as statted:
            serve.rebuild(world.root, output, AS_OF, preview, known=known)
        # the one the watcher saw change, and those the fingerprint stats: git names them uncommitted (the edited)
        assert set(statted) == set(list(edits)[:number + 1]) and not preview.current()[0].failed
        _, cold_policy, cold_tree, _ = cold(world, tmp_path, number, False, monkeypatch)
        assert tree(output) == cold_tree and preview.current()[0].policy_findings == cold_policy
    apply(world, ("add_visit", 2, "ds-baopian", "2026-11", 22, "phone"))
    records = sorted(rel for p in world.root.rglob("*.yaml")  # (site.yaml too: load._read_site, kept by its stat)
                     if is_record_file(rel := p.relative_to(world.root).as_posix()) or rel == "site.yaml")
    with record_stats(world.root) as statted:
        serve.rebuild(world.root, output, AS_OF, preview)  # without the watcher's stats: every file, as `build` does
    assert sorted(set(statted)) == records
