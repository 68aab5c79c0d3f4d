"""The warm load sees every way git (or an editor) changes the records: an edit not committed, a deleted file, a
renamed one, a branch switch, and a file put back by `git checkout` with the size and modification time it had
before. Each time the load from the cache equals a load that parses every file (issue 16)."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from careledger.load import load

from .gitkit import Repo, git, loaded_demo

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Repo:
    return loaded_demo(tmp_path, monkeypatch, AS_OF)


def everything(loaded) -> list:
    """Records with their sources (records compare without them) and the findings."""
    records, findings = loaded
    kinds = (records.staff, records.households, records.visits, records.inspections, records.custody,
             records.spot_checks, records.pages)
    return [(r, r.source) for kind in kinds for r in kind] + [f for f in findings]


def assert_warm_is_cold(root: Path) -> None:
    warm = everything(load(root, today=AS_OF))
    assert warm == everything(load(root, today=AS_OF, cache=False))


def visit_files(root: Path) -> list[Path]:
    return sorted((root / "visits").glob("*/*.yaml"))


def same_size_edit(text: str) -> str:
    """Another day for the first visit of a file: the same number of bytes, another record."""
    match = re.search(r"date: (\d{4}-\d{2})-(\d{2})", text)
    day = "27" if match[2] == "28" else "28"
    return text[:match.start(2)] + day + text[match.end(2):]


def test_an_edit_not_committed_is_seen(repo):
    path = visit_files(repo.root)[0]
    path.write_text(same_size_edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    before = load(repo.root, today=AS_OF, cache=False)[0].visits
    assert_warm_is_cold(repo.root)
    assert load(repo.root, today=AS_OF)[0].visits == before


def test_a_deleted_file_is_seen_committed_or_not(repo):
    first, second = visit_files(repo.root)[:2]
    first.unlink()
    assert_warm_is_cold(repo.root)
    repo.commit("2026-11-11", "删除", files={second.relative_to(repo.root).as_posix(): None})
    assert_warm_is_cold(repo.root)
    assert not any(v.source.file.endswith((first.name, second.name)) and v.source.file.startswith(
        first.parent.relative_to(repo.root).as_posix()) for v in load(repo.root, today=AS_OF)[0].visits)


def test_a_renamed_file_is_seen(repo):
    path = visit_files(repo.root)[0]
    rel = path.relative_to(repo.root).as_posix()
    git(repo.root, "mv", rel, rel.replace(path.name, "zz-renamed.yaml"))
    assert_warm_is_cold(repo.root)
    repo.commit("2026-11-11", "改名")
    assert_warm_is_cold(repo.root)
    visitors = {v.visitor for v in load(repo.root, today=AS_OF)[0].visits}
    assert "zz-renamed" in visitors


def test_a_branch_switch_is_seen_both_ways(repo):
    git(repo.root, "checkout", "-q", "-b", "other")
    first, second = visit_files(repo.root)[:2]
    first.write_text(same_size_edit(first.read_text(encoding="utf-8")), encoding="utf-8")
    second.unlink()
    repo.commit("2026-11-12", "另一分支")
    assert_warm_is_cold(repo.root)
    other = load(repo.root, today=AS_OF)[0].visits
    git(repo.root, "checkout", "-q", "main")
    assert_warm_is_cold(repo.root)
    assert load(repo.root, today=AS_OF)[0].visits != other
    git(repo.root, "checkout", "-q", "other")
    assert_warm_is_cold(repo.root)
    assert load(repo.root, today=AS_OF)[0].visits == other


def test_an_older_version_put_back_with_the_same_size_and_time_is_seen(repo):
    """`git checkout OLD -- file` (or cp -p, rsync -t, tar) can give a file the bytes of another version with the
    size and modification time the cache remembers; the inode may be the same again (here it is: the file is
    rewritten in place). Only the change time (ctime, which no tool can set) tells: the cache keeps it too."""
    path = visit_files(repo.root)[0]
    rel = path.relative_to(repo.root).as_posix()
    old = path.read_bytes()
    path.write_text(same_size_edit(old.decode("utf-8")), encoding="utf-8")
    repo.commit("2026-11-11", "改日期")
    load(repo.root, today=AS_OF)  # the cache holds the new version
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 10**9))  # a second before, so not racily clean
    load(repo.root, today=AS_OF)
    st = path.stat()
    git(repo.root, "show", f"HEAD~1:{rel}")  # the older version, as git keeps it
    with open(path, "r+b") as f:  # in place: the same inode
        f.write(old)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)
    assert_warm_is_cold(repo.root)
    git(repo.root, "checkout", "-q", "HEAD~1", "--", rel)  # and by git itself, the time set back again
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert_warm_is_cold(repo.root)
