"""The checks across visits add up summaries cached with each file (refs.py) instead of walking every visit. Each way a
file can change under the cache (an edit with the same size and modification time, a rename, a deletion, a duplicate
moving from one file to another) gives the same findings warm, cold, and by the visit-by-visit check (issue 16)."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from careledger import integrity
from careledger.load import load

from .gitkit import Repo, git, loaded_demo

AS_OF = dt.date(2026, 11, 23)
PROBLEM = "visits/2026-09/meiqiao-lianxi02.yaml"  # finds p1 at meiqiao-004; the visitor resolves it in 2026-10


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Repo:
    repo = loaded_demo(tmp_path, monkeypatch, AS_OF)
    assert "p1" in (repo.root / PROBLEM).read_text(encoding="utf-8")
    return repo


def findings(root: Path, monkeypatch) -> list:
    """The warm load's findings, after checking that a cold load and the visit-by-visit check give the same."""
    warm = load(root, today=AS_OF)[1]
    assert warm == load(root, today=AS_OF, cache=False)[1]
    with monkeypatch.context() as m:
        m.setattr(integrity, "_references_hold", lambda c, summary: False)
        assert warm == load(root, today=AS_OF)[1]
    return warm


def codes(found) -> list:
    return [(f.code, f.source.file) for f in found if f.is_error]


def test_a_household_changed_with_the_same_size_and_time(repo, monkeypatch):
    path = sorted((repo.root / "visits").glob("*/*.yaml"))[0]
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    match = re.search(r"household: '([a-z]+)-\d(\d\d)'", text)
    path.write_text(text[:match.start()] + f"household: '{match[1]}-9{match[2]}'" + text[match.end():],
                    encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    rel = path.relative_to(repo.root).as_posix()
    assert codes(findings(repo.root, monkeypatch)) == [("E-REF-HOUSEHOLD", rel)]


def test_a_visit_file_renamed_to_someone_unknown_and_back(repo, monkeypatch):
    rel = "visits/2026-10/liuba-baopian1.yaml"
    git(repo.root, "mv", rel, "visits/2026-10/liuba-ghost.yaml")
    found = findings(repo.root, monkeypatch)
    assert {code for code, _ in codes(found)} == {"E-REF-STAFF"}
    assert all("liuba-ghost" in f.message for f in found if f.is_error)
    git(repo.root, "mv", "visits/2026-10/liuba-ghost.yaml", rel)
    assert codes(findings(repo.root, monkeypatch)) == []


def test_a_deleted_file_takes_its_problems_with_it(repo, monkeypatch):
    (repo.root / PROBLEM).unlink()
    assert ("E-REF-PROBLEM", PROBLEM.replace("2026-09", "2026-10")) in codes(findings(repo.root, monkeypatch))
    repo.commit("2026-11-11", "删除")
    assert ("E-REF-PROBLEM", PROBLEM.replace("2026-09", "2026-10")) in codes(findings(repo.root, monkeypatch))


def test_a_duplicate_problem_moves_from_one_file_to_another(repo, monkeypatch):
    again = ("- date: 2026-09-26\n  household: 'meiqiao-004'\n  duty: 'contact'\n  problems:\n"
             "    - id: 'p1'\n      text: '又发现漏雨'\n")
    first, second = "visits/2026-09/meiqiao-lianxi01.yaml", "visits/2026-09/meiqiao-baopian1.yaml"
    with open(repo.root / first, "a", encoding="utf-8") as f:
        f.write(again)
    assert codes(findings(repo.root, monkeypatch)) == [("E-DUPLICATE-ID", first)]
    repo.commit("2026-11-11", "重复的问题编号")
    text = (repo.root / first).read_text(encoding="utf-8")
    (repo.root / first).write_text(text.replace(again, ""), encoding="utf-8")
    with open(repo.root / second, "a", encoding="utf-8") as f:
        f.write(again)
    assert codes(findings(repo.root, monkeypatch)) == [("E-DUPLICATE-ID", second)]
    repo.commit("2026-11-12", "移到另一个文件")
    assert codes(findings(repo.root, monkeypatch)) == [("E-DUPLICATE-ID", second)]


def test_a_duplicate_id_number_moves_to_another_household(repo, monkeypatch):
    households = repo.root / "households" / "liuba"
    number = re.search(r"id_number: '(\d{17}[\dX])'", (households / "liuba-001.yaml").read_text(encoding="utf-8"))[1]

    def take_number(name: str) -> str:
        path = households / name
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"id_number: '\d{17}[\dX]'", f"id_number: '{number}'", text, count=1),
                        encoding="utf-8")
        return text

    original = take_number("liuba-002.yaml")
    assert ("E-ID-DUPLICATE", "households/liuba/liuba-002.yaml") in codes(findings(repo.root, monkeypatch))
    (households / "liuba-002.yaml").write_text(original, encoding="utf-8")
    take_number("liuba-003.yaml")
    found = codes(findings(repo.root, monkeypatch))
    assert ("E-ID-DUPLICATE", "households/liuba/liuba-003.yaml") in found
    assert not [rel for code, rel in found if rel.endswith("liuba-002.yaml")]
