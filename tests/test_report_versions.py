"""Issue 16, "a page changes when its content changes", for the internal reports: only reports/version.html (and the
printed 通报) name the build's commit; a working list (desk sheet) names the newest record version among the
households it lists, so a commit of one visit rewrites the report files whose content it changed and no other."""

import re
from pathlib import Path

import pytest

from careledger.pipeline import build_all

from .conftest import AS_OF
from .gitkit import basic_repo, git
from .test_page_versions import SHUJI, contents_of
from . import test_page_versions as page_versions

STAMP = re.compile(r'<p class="stamp">(.*?)</p>', re.S)
LISTED = re.compile(r"<tr><td>[^<]*</td><td>([^<]+)</td>")  # a working list's row: subject, then subject id


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))


def rebuild(repo, output: Path, before: dict[str, bytes]):
    return page_versions.rebuild(repo, output, before, folder="reports/")


def desk_sheets(files: dict[str, bytes]) -> dict[str, str]:
    return {rel: data.decode("utf-8") for rel, data in files.items()
            if rel.startswith("reports/desk-") and rel.endswith(".html")}


def households(html: str) -> set[str]:
    return {subject.split("/")[0] for subject in LISTED.findall(html)}


def test_a_visit_rewrites_only_the_desk_sheets_that_list_its_household_and_each_names_its_version(tmp_path):
    repo = basic_repo(tmp_path / "records")
    imported = repo.head()
    output = tmp_path / "out"
    build_all(repo.root, output, as_of=AS_OF, paper=False)
    before = contents_of(output)
    sheets = desk_sheets(before)
    assert any("ds-001" in households(html) for html in sheets.values())
    assert any(households(html) and "ds-001" not in households(html) for html in sheets.values())
    for rel, html in sheets.items():  # every household was last changed by the import
        footer = STAMP.search(html).group(1)
        assert (imported[:10] in footer) == bool(households(html)), rel
        assert "所列各户的记录版本 2026-11-09" in footer or not households(html), rel

    repo.append(SHUJI, "- date: 2026-11-20\n  household: ds-001\n  duty: responsible\n  mode: phone\n")
    visit = repo.commit("2026-11-20")
    after, reports = rebuild(repo, output, before)
    assert "reports/version.html" in reports and visit.encode() in after["reports/version.html"]
    when = git(repo.root, "show", "-s", "--format=%cI", "HEAD").strip()
    assert when.encode() in after["reports/version.html"]
    new_sheets = desk_sheets(after)
    unchanged = 0
    for rel, html in new_sheets.items():
        listed = households(html)
        footer = STAMP.search(html).group(1)
        newest = visit if "ds-001" in listed else imported if listed else None
        if newest is None:
            assert "所列各户的记录版本" not in footer and 'href="version.html">记录版本</a>' in footer, rel
        else:  # the newest record version among the households it lists: day, commit, author
            assert f"所列各户的记录版本 {'2026-11-20' if newest == visit else '2026-11-09'}，提交 " in footer, rel
            assert newest[:10] in footer and (visit[:10] in footer) == (newest == visit), rel
        if "ds-001" not in listed | households(sheets[rel]):
            assert rel not in reports, rel  # a cadre's list without the household keeps its bytes
            unchanged += 1
        else:
            assert rel in reports, rel
    assert unchanged >= 2
    assert all(visit[:10] not in STAMP.search(data.decode()).group(1) for rel, data in after.items()
               if rel.endswith(".html") and rel.startswith("reports/") and not rel.startswith("reports/desk-")
               and rel not in ("reports/version.html", "reports/notice.html"))

    # A commit that changes no record: no working list changes; of the other reports the version page, the 通报
    # (which prints the commit it was issued from) and the audit's list of commits (and its count on the index).
    repo.commit("2026-11-21", "空提交")
    _, reports = rebuild(repo, output, after)
    assert "reports/version.html" in reports
    assert reports <= {"reports/version.html", "reports/notice.html", "reports/index.html", "reports/audit.html",
                       "reports/audit-commits.html", "reports/audit-commits.csv"}, reports
