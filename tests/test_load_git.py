"""The build server's load takes git's word (bulkread._Clean): a file that neither the last build's `git status`
nor this one's lists, and that no commit since changed, holds the bytes the last read took, so its stat is spared.
Over random commits, uncommitted edits, reverts, touches, resets, amends and edits of a file git ignores, each load
in one process equals a cold load; and a file changed between a build's status and its read, then put back, is read
again (its stat is newer than that status)."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from careledger import bulkread, cachestore, listing
from careledger import load as loading
from careledger.audit import git as gitcmd
from careledger.demo import DemoSpec, write_demo
from careledger.load import load

from .gitkit import Repo, git

AS_OF = dt.date(2026, 11, 23)
IGNORED = "visits/2026-11/draft.yaml"  # a record file .gitignore hides: the loader reads it all the same
SETTLE = 0.06  # seconds: longer than the racy margin the tests run with, and than the file system's clock tick
OPS = st.lists(st.tuples(st.sampled_from(["commit", "commit", "edit", "revert", "touch", "ignored", "reset", "amend"]),
                         st.integers(0, 500), st.integers(1, 28)), min_size=2, max_size=6)


@pytest.fixture(autouse=True)
def margin(monkeypatch):
    monkeypatch.setattr(listing, "RACE_MARGIN_NS", int(SETTLE * 1e9) // 2)


def snapshot(loaded):
    records, findings = loaded
    assert records is not None, [f.format() for f in findings]
    kinds = (records.staff, records.households, records.visits, records.inspections, records.custody)
    return [[(r, r.source) for r in kind] for kind in kinds], sorted(f.format() for f in findings)


def cold(root: Path, work: Path):
    kept, made, env = cachestore._kept, loading._MADE, os.environ["CARELEDGER_CACHE_DIR"]
    cachestore._kept, loading._MADE = None, loading._ByIdentity()
    os.environ["CARELEDGER_CACHE_DIR"] = str(work / "cold")
    try:
        return snapshot(load(root, today=AS_OF, cache=False))
    finally:
        cachestore._kept, loading._MADE = kept, made
        os.environ["CARELEDGER_CACHE_DIR"] = env


def warm(root: Path):
    time.sleep(SETTLE)  # (the edits before this status are older than it by the margin)
    seen = gitcmd.glance(root)
    loaded = snapshot(load(root, today=AS_OF, glance=seen))
    time.sleep(SETTLE)  # (the edits after it are newer)
    return loaded


def repository(root: Path) -> Repo:
    write_demo(root, DemoSpec(households=30, months=2))
    (root / ".gitignore").write_text(f"{IGNORED}\n", encoding="utf-8")
    (root / IGNORED).write_text("", encoding="utf-8")
    repo = Repo(root)
    repo.commit("2026-11-20", "导入")
    return repo


def visit(day: int, household: str) -> str:
    return f"- date: 2026-11-{day:02d}\n  household: '{household}'\n  duty: 'contact'\n"


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(OPS)
def test_loads_that_take_gits_word_equal_cold_loads(tmp_path_factory, monkeypatch, ops):
    work = tmp_path_factory.mktemp("trust")
    root = work / "content"
    repo = repository(root)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(work / "warm"))
    monkeypatch.setattr(cachestore, "_kept", None)
    monkeypatch.setattr(loading, "_MADE", loading._ByIdentity())
    monkeypatch.setattr(bulkread._Clean, "_last", {})
    cachestore.keep_in_memory()
    statted = []
    real = bulkread._stat
    monkeypatch.setattr(bulkread, "_stat", lambda path: statted.append(path) or real(path))
    files = sorted(p.relative_to(root).as_posix() for p in (root / "visits").glob("*/*.yaml") if p.name != "draft.yaml")
    households = sorted(p.stem for p in (root / "households").glob("*/*.yaml"))
    warm(root)
    spared = False
    for n, (op, pick, day) in enumerate(ops):
        rel = files[pick % len(files)]
        line = visit(day, households[pick % len(households)])
        if op in ("commit", "edit", "amend"):
            with (root / rel).open("a", encoding="utf-8") as out:
                out.write(line)
            if op == "commit":
                repo.commit(f"2026-11-{day:02d}", f"录入 {n}")
            elif op == "amend":
                git(root, "add", "-A")
                git(root, "commit", "-q", "--amend", "--allow-empty", "-m", f"改 {n}",
                    env={"GIT_AUTHOR_NAME": "周文清", "GIT_AUTHOR_EMAIL": "zhouwq@example.invalid",
                         "GIT_COMMITTER_NAME": "周文清", "GIT_COMMITTER_EMAIL": "zhouwq@example.invalid"})
        elif op == "revert":
            git(root, "checkout", "--", ".")
        elif op == "touch":
            os.utime(root / rel)
        elif op == "ignored":
            with (root / IGNORED).open("a", encoding="utf-8") as out:
                out.write(line)
        elif op == "reset" and int(git(root, "rev-list", "--count", "HEAD")) > 1:
            git(root, "reset", "-q", "--hard", "HEAD~1")
        statted.clear()
        loaded = warm(root)
        spared |= len(statted) < len(files) // 2
        assert loaded == cold(root, work), (n, op)
    assert spared  # git's word was taken


@pytest.mark.parametrize("neighbour", [False, True])
def test_a_file_changed_between_the_status_and_the_read_and_put_back_is_read_again(tmp_path, monkeypatch,
                                                                                    neighbour):
    """`neighbour`: another file of its folder is changed too, so that the folder is read file by file."""
    root = tmp_path / "content"
    repository(root)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "warm"))
    monkeypatch.setattr(bulkread._Clean, "_last", {})
    cachestore.keep_in_memory()
    rel, other = sorted((root / "visits").glob("2026-10/*.yaml"))[:2]  # (a folder git lists nothing of)
    original = rel.read_bytes()
    time.sleep(SETTLE)
    seen = gitcmd.glance(root)
    rel.write_bytes(original + visit(3, "ds-001").encode())  # after the status, before the read
    load(root, today=AS_OF, glance=seen)  # (its folder's run is made of the bytes with the visit)
    time.sleep(SETTLE)
    rel.write_bytes(original)  # put back: git's status is clean again, as at the last build's
    if neighbour:
        with other.open("a", encoding="utf-8") as out:
            out.write(visit(4, "ds-001"))
    assert warm(root) == cold(root, tmp_path)


def test_a_file_edited_and_then_put_back_by_git_is_read_again(tmp_path, monkeypatch):
    """Uncommitted at the last build (its status listed it), put back since (`git checkout`): clean now, as it was
    at HEAD all along, and read again all the same."""
    root = tmp_path / "content"
    repository(root)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "warm"))
    monkeypatch.setattr(bulkread._Clean, "_last", {})
    cachestore.keep_in_memory()
    warm(root)
    rel = sorted((root / "visits").glob("2026-10/*.yaml"))[0]
    with rel.open("a", encoding="utf-8") as out:
        out.write(visit(5, "ds-001"))
    assert warm(root) == cold(root, tmp_path)
    git(root, "checkout", "--", ".")
    assert warm(root) == cold(root, tmp_path)
