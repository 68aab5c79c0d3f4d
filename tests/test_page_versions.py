"""Issue 16, "a page changes when its content changes": the published pages do not carry the commit (only
site/version.html and BUILD.json do), so a commit rewrites the pages whose content it changed and no other."""

import hashlib
import json
import re
from itertools import count
from pathlib import Path

import pytest

from careledger.pipeline import build_all

from .conftest import AS_OF
from .gitkit import basic_repo, git

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


def commit_whose_id_reads_like_a_mobile(root: Path) -> str:
    """An empty commit on HEAD whose id holds eleven digits, standing alone, that read like a mobile number (about
    one commit in 540 does): its object is made here, trying messages until one gives such an id."""
    tree, parent = git(root, "rev-parse", "HEAD^{tree}").strip(), git(root, "rev-parse", "HEAD").strip()
    for n in count():
        data = (f"tree {tree}\nparent {parent}\nauthor 周文清 <zhouwq@example.invalid> 1763632800 +0800\n"
                f"committer 周文清 <zhouwq@example.invalid> 1763632800 +0800\n\n记录核对 {n}\n").encode()
        commit = hashlib.sha1(b"commit %d\0" % len(data) + data).hexdigest()
        if re.search(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", commit):
            break
    made = git(root, "hash-object", "-t", "commit", "-w", "--stdin", input=data.decode()).strip()
    assert made == commit
    git(root, "update-ref", "HEAD", commit)
    return commit


def test_a_commit_id_that_reads_like_a_mobile_number_is_published(tmp_path):
    """version.html names the commit; its digits are no one's number, so the privacy proof lets it through."""
    repo = basic_repo(tmp_path / "records")
    commit = commit_whose_id_reads_like_a_mobile(repo.root)
    result = build_all(repo.root, tmp_path / "out", as_of=AS_OF, paper=False)
    assert result.stamp.commit == commit
    assert commit.encode() in (tmp_path / "out" / "site" / "version.html").read_bytes()
