"""`careledger demo --git`: the same records as the plain demo, with a year of clerks' commits that the audit reads."""

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from careledger.cli import main
from careledger.demo import DemoSpec, write_demo
from careledger.demo.repo import write_demo_repo
from careledger.pipeline import check_records

from .gitkit import git

SPEC = DemoSpec(households=12, months=12)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo-git") / "records"
    counts = write_demo_repo(root, SPEC)
    assert counts["提交"] > 300  # three evenings a week for a year, and more
    return root


def test_head_holds_exactly_the_plain_demo(repo, tmp_path):
    write_demo(tmp_path / "plain", SPEC)
    assert files(repo) == files(tmp_path / "plain")
    assert git(repo, "status", "--porcelain") == ""


def test_the_same_spec_gives_the_same_commits(repo, tmp_path):
    write_demo_repo(tmp_path / "again", SPEC)
    assert git(tmp_path / "again", "rev-parse", "HEAD") == git(repo, "rev-parse", "HEAD")


def test_the_history_is_a_year_of_the_clerks_work(repo):
    log = git(repo, "log", "--reverse", "--format=%an|%ae|%aI|%cI").splitlines()
    first, last = log[0].split("|"), log[-1].split("|")
    assert first[2].endswith("+08:00") and first[2] == first[3]
    assert dt.date.fromisoformat(first[2][:10]) < dt.date(2025, 11, 24) and last[2].startswith("2026-11-23")
    authors = Counter(line.split("|")[1] for line in log)
    assert set(authors) == {"jd-luru1@example.invalid", "jd-luru2@example.invalid", "intern@example.invalid"}
    assert authors["intern@example.invalid"] == 1


def test_the_build_shows_the_audit_trail_at_once(repo):
    _, findings = check_records(repo, as_of=SPEC.end)
    audit = Counter(f.code for f in findings if f.code.startswith("AUD"))
    assert set(audit) == {"AUD-BULK", "AUD-LATE", "AUD-CHANGED", "AUD-REMOVED", "AUD-FUTURE", "AUD-AUTHOR",
                          "AUD-LEVEL"}
    assert audit["AUD-BULK"] == 1 and audit["AUD-REMOVED"] == 1 and audit["AUD-LEVEL"] == 1
    assert 2 <= audit["AUD-LATE"] <= 30  # a few, not a flood


def test_demo_git_on_the_command_line(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--git", str(tmp_path / "r"), "--households", "6", "--months", "3"])
    assert result.exit_code == 0, result.output
    assert "提交" in result.output and (tmp_path / "r" / ".git").is_dir()
    refused = CliRunner().invoke(main, ["demo", "--git", str(tmp_path / "r")])
    assert refused.exit_code != 0 and "不是空的" in refused.output
