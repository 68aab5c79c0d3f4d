"""What a build reads from git (issue 13): the shallowness of the clone is an input of the fingerprint, and commit
subjects or author names with any bytes git allows (0x1E, 0x1F, newlines) are read, not split on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from careledger import fingerprint
from careledger.audit import read_history
from careledger.pipeline import build_all

from .conftest import AS_OF
from .gitkit import basic_repo, git

SHUJI = "visits/2026-11/ds-shuji.yaml"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(directory))
    return directory


def findings_csv(output: Path) -> str:
    return (output / "reports" / "findings.csv").read_text(encoding="utf-8-sig")


def test_after_unshallowing_the_build_runs_the_audit_again(tmp_path, cache):
    repo = basic_repo(tmp_path / "records")
    repo.append(SHUJI, "- date: 2026-11-12\n  household: ds-001\n  duty: responsible\n")
    repo.commit("2026-11-18", "录入走访")  # entered 6 days late: a finding only the full history shows
    repo.append(SHUJI, "- date: 2026-11-19\n  household: ds-001\n  duty: responsible\n")
    repo.commit("2026-11-19")
    clone, out = tmp_path / "clone", tmp_path / "out"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    shallow = fingerprint.of_build(clone, as_of=AS_OF, paper=False)
    first = build_all(clone, out, as_of=AS_OF, paper=False)
    assert not first.skipped and "AUD-SHALLOW" in findings_csv(out) and "AUD-LATE" not in findings_csv(out)
    assert build_all(clone, out, as_of=AS_OF, paper=False).skipped  # nothing changed yet

    git(clone, "fetch", "-q", "--unshallow")
    assert git(clone, "rev-parse", "HEAD").strip() == repo.head()  # HEAD is the same commit
    assert fingerprint.of_build(clone, as_of=AS_OF, paper=False) != shallow
    again = build_all(clone, out, as_of=AS_OF, paper=False)
    assert not again.skipped
    assert "AUD-SHALLOW" not in findings_csv(out) and "AUD-LATE" in findings_csv(out)
    assert json.loads((out / "BUILD.json").read_bytes())["audit_trail"] == "complete"


ODD_SUBJECT = "录入\x1e走访\x1f记录"  # the bytes the history reader used to split on
ODD_AUTHOR = ("周\x1e文\x1f清", "zhou\x1fwq@example.invalid")


def test_commits_with_separator_bytes_and_newlines_are_read_whole(tmp_path, cache):
    repo = basic_repo(tmp_path / "records")
    repo.append(SHUJI, "- date: 2026-11-12\n  household: ds-001\n  duty: responsible\n")
    repo.commit("2026-11-13", f"{ODD_SUBJECT}\n\n正文\x1e第二段\n\x1f第三行", author=ODD_AUTHOR)
    repo.append(SHUJI, "- date: 2026-11-14\n  household: ds-001\n  duty: responsible\n")
    repo.commit("2026-11-15", "补录\n第二行\n", author=("李\n四", "li4@example.invalid"))
    looks_raw = ":100644 100644 " + "0" * 40 + " " + "1" * 40 + " M"  # a subject shaped like a --raw line
    repo.append(SHUJI, "- date: 2026-11-16\n  household: ds-001\n  duty: responsible\n")
    repo.commit("2026-11-17", looks_raw)
    history = read_history(repo.root)
    assert history.state == "complete"
    assert [c.subject for c in history.commits] == ["导入记录", ODD_SUBJECT, "补录 第二行", looks_raw]
    assert [c.files for c in history.commits[1:]] == [1, 1, 1]
    odd = history.commits[1]
    assert (odd.author_name, odd.author_email) == ODD_AUTHOR and odd.files == 1
    assert [e.action for e in history.visit_events if e.commit == odd] == ["added"]
    assert history.commits[2].author_name.replace("\n", "") == "李四"  # as git keeps it

    out = tmp_path / "out"
    result = build_all(repo.root, out, as_of=AS_OF, paper=False)
    assert not result.skipped and json.loads((out / "BUILD.json").read_bytes())["commit"] == repo.head()
    audit = "".join(p.read_text(encoding="utf-8-sig") for p in (out / "reports").rglob("*.csv"))
    assert odd.short in audit or odd.id in audit


def test_one_status_serves_the_fingerprint_and_the_history(tmp_path):
    """`git.glance` (one `git status --ignored`) gives exactly what the two commands it replaces give: the paths
    with the ignored ones for the fingerprint, without them for the history; in a subfolder of the repository too."""
    from careledger.audit import git as gitcmd

    repo = basic_repo(tmp_path / "top")
    top = repo.root
    (top / ".gitignore").write_text("records/visits/2099-01/\n*.bak\n", encoding="utf-8")
    records = top / "records"
    records.mkdir()
    (records / "kept.yaml").write_text("a: 1\n", encoding="utf-8")
    (records / "gone.yaml").write_text("a: 1\n", encoding="utf-8")
    (records / "staged.yaml").write_text("a: 1\n", encoding="utf-8")
    repo.commit("2026-11-10", "records")
    for root in (top, records):
        assert gitcmd.glance(root).every == gitcmd.glance(root).dirty == ()
    (records / "kept.yaml").write_text("a: 2\n", encoding="utf-8")
    (records / "gone.yaml").unlink()
    (records / "staged.yaml").write_text("a: 3\n", encoding="utf-8")
    git(top, "add", "records/staged.yaml")
    (records / "new.yaml").write_text("a: 1\n", encoding="utf-8")
    (records / "old.bak").write_text("a: 1\n", encoding="utf-8")
    (records / "visits" / "2099-01").mkdir(parents=True)
    (records / "visits" / "2099-01" / "hidden.yaml").write_text("[]\n", encoding="utf-8")
    (top / "outside.yaml").write_text("a: 1\n", encoding="utf-8")
    for root in (top, records):
        seen = gitcmd.glance(root)
        location = gitcmd.locate(root)
        assert seen.location == location
        assert seen.every == gitcmd.dirty_paths(location, ignored=True)
        assert seen.dirty == gitcmd.dirty_paths(location) != seen.every
        assert read_history(root, glance=seen).dirty == read_history(root).dirty == seen.dirty
        assert fingerprint.of_build(root, glance=seen, as_of=AS_OF) == fingerprint.of_build(root, as_of=AS_OF)
    assert set(gitcmd.glance(records).every) - set(gitcmd.glance(records).dirty) == {"old.bak", "visits/2099-01/"}
    assert gitcmd.glance(tmp_path / "nowhere") is None
