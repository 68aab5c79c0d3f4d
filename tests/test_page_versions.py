"""Issue 16, "a page changes when its content changes": the published pages do not carry the commit (only
site/version.html and BUILD.json do), so a commit rewrites the pages whose content it changed and no other."""

import json
from pathlib import Path

import pytest

from careledger.pipeline import build_all

from .conftest import AS_OF
from .gitkit import basic_repo

SHUJI = "visits/2026-11/ds-shuji.yaml"  # dongshan's 书记: visits of dongshan households only


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))


def contents_of(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def rebuild(repo, output: Path, before: dict[str, bytes], folder: str = "site/"):
    result = build_all(repo.root, output, as_of=AS_OF, paper=False)
    after = contents_of(output)
    differing = {rel for rel in after.keys() | before.keys() if before.get(rel) != after.get(rel)}
    assert set(result.files_changed) == differing - {".careledger-output"}  # written is what differs, no more
    return after, {rel for rel in differing if rel.startswith(folder)}


def test_a_commit_rewrites_only_the_pages_whose_content_it_changed(tmp_path):
    repo = basic_repo(tmp_path / "records")
    output = tmp_path / "out"
    first = build_all(repo.root, output, as_of=AS_OF, paper=False)
    assert not first.skipped
    before = contents_of(output)
    assert {"site/villages/dongshan.html", "site/villages/xiwan.html", "site/pages/about.html"} <= before.keys()

    # One visit of one village: that village's page and the pages that add up the jurisdiction change, no other.
    repo.append(SHUJI, "- date: 2026-11-20\n  household: ds-001\n  duty: responsible\n  mode: phone\n")
    second = repo.commit("2026-11-20")
    after, site = rebuild(repo, output, before)
    assert {"site/villages/dongshan.html", "site/version.html"} <= site
    assert site <= {"site/villages/dongshan.html", "site/version.html", "site/index.html", "site/status.html",
                    "site/search-index.js"}, site
    assert json.loads(after["BUILD.json"])["commit"] == second
    assert second.encode() in after["site/version.html"]

    # A commit that changes nothing any page shows: only the version page (and BUILD.json) change.
    third = repo.commit("2026-11-21", "空提交")
    final, site = rebuild(repo, output, after)
    assert site == {"site/version.html"}
    assert json.loads(final["BUILD.json"])["commit"] == third
    assert all(third[:10].encode() not in data for rel, data in final.items()
               if rel.startswith("site/") and rel != "site/version.html")
