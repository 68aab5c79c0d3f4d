"""The build and the audit trail: the stamp on every page, BUILD.json, dirty trees, no git, shallow clones, and
byte-identical output for the same commit and as-of date."""

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from careledger import __version__
from careledger.cli import main

from .conftest import AS_OF, FIXTURES
from .gitkit import Repo, basic_repo, git

SHUJI = "visits/2026-11/ds-shuji.yaml"


def build(content: Path, output: Path, *extra: str):
    return CliRunner().invoke(main, ["build", "--content", str(content), "--output", str(output),
                                     "--as-of", AS_OF.isoformat(), *extra])


def tree_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def pages(output: Path) -> dict[str, str]:
    return {rel: data.decode("utf-8") for rel, data in tree_of(output).items() if rel.endswith(".html")}


@pytest.fixture
def repo(tmp_path) -> Repo:
    repo = basic_repo(tmp_path / "records")
    repo.append(SHUJI, "- date: 2026-11-12\n  household: ds-001\n  duty: responsible\n")
    repo.commit("2026-11-18", "录入走访")  # 6 days late
    return repo


def test_the_version_page_and_the_reports_show_the_commit_and_every_page_the_as_of_date(repo, tmp_path):
    """Issue 16: of the published site only version.html names the commit (every page links to it), so a commit
    that changes nothing on a page leaves the page as it was; so do the internal reports (reports/version.html), save
the printed 通报."""
    result = build(repo.root, tmp_path / "out")
    assert result.exit_code == 0, result.output
    head = repo.head()
    found = pages(tmp_path / "out")
    assert any(p.startswith("site/") for p in found) and any(p.startswith("reports/") for p in found)
    for rel, html in found.items():
        assert "2026-11-23" in html and "未提交" not in html, rel
        published = rel.startswith("site/")
        if rel.startswith("private/dossiers/"):  # a dossier names its household's version, never a commit (issue 18)
            assert head[:7] not in html, rel
            assert "本户记录版本" in html and ("2026-11-18" in html or "2026-11-09" in html), rel
        elif rel.startswith("reports/desk-"):  # a working list names its households' newest version (issue 16)
            assert "所列各户的记录版本" in html or 'version.html">记录版本</a>' in html, rel
        elif published:  # of the site only version.html names the commit
            assert (head[:10] in html) == (rel == "site/version.html"), rel
        elif rel not in ("reports/version.html", "reports/notice.html"):  # so does the reports' (and the 通报)
            assert head[:10] not in re.search(r'<p class="stamp">.*?</p>', html).group(), rel  # the audit's tables may
        if not rel.startswith(("private/", "reports/desk-", "reports/notice")):
            assert 'version.html">记录版本</a>' in html, rel
    when = git(repo.root, "show", "-s", "--format=%cI", "HEAD").strip()
    for version in ("site/version.html", "reports/version.html"):
        assert head in found[version] and when in found[version]
    assert json.loads((tmp_path / "out" / "BUILD.json").read_bytes()) == {
        "commit": head, "commit_time": when, "as_of": "2026-11-23", "tool_version": __version__,
        "profile": "wangcheng-2020", "dirty": False, "audit_trail": "complete"}
    assert head[:10] in result.output


def test_the_audit_report_lists_changes_and_the_findings_name_the_late_visit(repo, tmp_path):
    repo.replace("households/dongshan/ds-002.yaml", "    level: '2'\n", "    level: '3'\n")
    repo.commit("2026-11-20", "调整等级")
    assert build(repo.root, tmp_path / "out").exit_code == 0
    reports = tmp_path / "out" / "reports"
    audit = (reports / "audit.csv").read_text(encoding="utf-8-sig")
    assert "调整等级" in audit and "关爱帮扶对象[m1]·关爱帮扶等级：“2”→“3”" in audit
    commits = (reports / "audit-commits.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(commits) == 1 + 3 and commits[1].startswith("2026-11-20,")  # newest first
    findings = (reports / "findings.csv").read_text(encoding="utf-8-sig")
    assert "AUD-LATE" in findings and "AUD-LEVEL" in findings
    assert "audit.html" in (reports / "index.html").read_text(encoding="utf-8")


def test_building_the_same_commit_twice_gives_identical_bytes(repo, tmp_path):
    assert build(repo.root, tmp_path / "one").exit_code == 0
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo.root), str(clone))  # another checkout of the same commit
    assert build(clone, tmp_path / "two").exit_code == 0
    one, two = tree_of(tmp_path / "one"), tree_of(tmp_path / "two")
    assert sorted(one) == sorted(two)
    assert [rel for rel in one if one[rel] != two[rel]] == []
    assert {rel.rsplit(".", 1)[-1] for rel in one} >= {"html", "csv", "json", "pdf"}  # the dossiers and forms too


# --- dirty trees ---------------------------------------------------------------------------------------------


def test_a_dirty_tree_is_refused_and_nothing_is_written(repo, tmp_path):
    repo.append(SHUJI, "- date: 2026-11-19\n  household: ds-001\n  duty: responsible\n")
    (repo.root / "pages" / "new.md").write_text("# 新页面\n", encoding="utf-8")  # untracked counts too
    result = build(repo.root, tmp_path / "out")
    assert result.exit_code != 0
    assert "[E-DIRTY]" in result.output and SHUJI in result.output and "--allow-dirty" in result.output
    assert not (tmp_path / "out").exists()


def test_a_dirty_tree_with_allow_dirty_says_so_on_every_page(repo, tmp_path):
    repo.append(SHUJI, "- date: 2026-11-19\n  household: ds-001\n  duty: responsible\n")
    result = build(repo.root, tmp_path / "out", "--allow-dirty")
    assert result.exit_code == 0, result.output
    for rel, html in pages(tmp_path / "out").items():
        assert "含未提交修改的记录" in html and "含未提交的修改" in html, rel
    stamp = json.loads((tmp_path / "out" / "BUILD.json").read_bytes())
    assert stamp["dirty"] is True and stamp["audit_trail"] == "partial" and stamp["commit"] == repo.head()
    findings = (tmp_path / "out" / "reports" / "findings.csv").read_text(encoding="utf-8-sig")
    assert "AUD-DIRTY" in findings and SHUJI in findings


def test_check_only_warns_about_a_dirty_tree(repo):
    repo.append(SHUJI, "- date: 2026-11-19\n  household: ds-001\n  duty: responsible\n")
    result = CliRunner().invoke(main, ["check", "--content", str(repo.root), "--as-of", "2026-11-23"])
    assert "[AUD-DIRTY]" in result.output and "E-DIRTY" not in result.output


def test_changes_outside_the_content_directory_do_not_make_it_dirty(tmp_path):
    root = tmp_path / "office"
    root.mkdir()
    shutil.copytree(FIXTURES / "basic", root / "records")
    repo = Repo(root)
    repo.commit("2026-11-09", "导入记录")
    (root / "notes.txt").write_text("不是记录\n", encoding="utf-8")
    result = build(root / "records", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out" / "BUILD.json").read_bytes())["commit"] == repo.head()


# --- a missing or partial trail ------------------------------------------------------------------------------


def test_not_a_repository_warns_and_still_builds(basic, tmp_path):
    result = build(basic, tmp_path / "out")
    assert result.exit_code == 0, result.output
    stamp = json.loads((tmp_path / "out" / "BUILD.json").read_bytes())
    assert stamp["commit"] == "" and stamp["audit_trail"] == "missing"
    findings = (tmp_path / "out" / "reports" / "findings.csv").read_text(encoding="utf-8-sig")
    assert "AUD-NO-GIT" in findings
    for rel, html in pages(tmp_path / "out").items():
        assert "审计线索缺失" in html, rel


def test_a_shallow_clone_warns_and_still_builds(repo, tmp_path):
    repo.append(SHUJI, "- date: 2026-11-19\n  household: ds-001\n  duty: responsible\n")
    repo.commit("2026-11-19")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    result = build(clone, tmp_path / "out")
    assert result.exit_code == 0, result.output
    findings = (tmp_path / "out" / "reports" / "findings.csv").read_text(encoding="utf-8-sig")
    assert "AUD-SHALLOW" in findings
    assert "AUD-BULK" not in findings and "AUD-LATE" not in findings  # the clone's edge is not judged
    stamp = json.loads((tmp_path / "out" / "BUILD.json").read_bytes())
    assert stamp["commit"] == repo.head() and stamp["audit_trail"] == "partial"


def test_a_repository_without_commits(basic, tmp_path):
    git(basic, "init", "-q")
    result = CliRunner().invoke(main, ["check", "--content", str(basic), "--as-of", "2026-11-23"])
    assert "[AUD-NO-COMMITS]" in result.output and "[AUD-DIRTY]" in result.output


def test_every_pdf_shows_the_commit_and_the_as_of_date(repo, tmp_path):
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert build(repo.root, tmp_path / "out").exit_code == 0
    head = repo.head()
    pdfs = sorted((tmp_path / "out").rglob("*.pdf"))
    assert any("blank" in p.as_posix() for p in pdfs) and any("dossiers" in p.as_posix() for p in pdfs)
    for pdf in pdfs:
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        if "dossiers" in pdf.as_posix():  # a dossier names its household's version, never a commit (issue 18)
            own = "2026-11-18" if pdf.stem == "ds-001" else "2026-11-09"  # ds-002: untouched since the import
            assert head[:7] not in text and f"本户记录版本 {own}" in text and "2026-11-23" in text, pdf
        else:
            assert head[:10] in text and "2026-11-23" in text, pdf
