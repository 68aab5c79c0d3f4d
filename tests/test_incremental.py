"""Rebuilds (issue 8): parsed files come from the cache exactly as parsing would give them, an unchanged rebuild
rewrites no file, and a changed visit rewrites exactly the pages whose bytes depend on it."""

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from careledger import bulkread, fingerprint
from careledger.demo import DemoSpec, write_demo
from careledger.cachestore import unseal
from careledger.load import load
from careledger.pipeline import build_all

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def demo(tmp_path) -> Path:
    root = tmp_path / "content"
    write_demo(root, DemoSpec(households=30, months=2))
    return root


def files_of(output: Path) -> dict[str, tuple[int, int]]:
    """Every output file with its inode and modification time: what a rewrite would change."""
    out = {}
    for path in sorted(output.rglob("*")):
        if path.is_file():
            st = path.stat()
            out[path.relative_to(output).as_posix()] = (st.st_ino, st.st_mtime_ns)
    return out


def contents_of(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def build(content: Path, output: Path):
    return build_all(content, output, as_of=AS_OF, paper=False)


def with_sources(records) -> list:
    """Records compare without their source (compare=False); the cache must keep that too."""
    return [(r, r.source) for r in (*records.households, *records.visits, *records.inspections)]


def test_cached_load_is_the_parsed_load(demo, cache):
    visit_file = sorted((demo / "visits").glob("*/*.yaml"))[0]
    month, household = visit_file.parent.name, sorted((demo / "households").glob("*/*.yaml"))[0].stem
    visit_file.write_text(visit_file.read_text(encoding="utf-8")  # a warning and an error, to be kept as well
                          + f"- date: {month}-02\n  household: '{household}'\n  duty: 'contact'\n  note: 0123\n"
                          + f"- date: {month.replace('-', '/')}/03\n  household: '{household}'\n  duty: 'contact'\n",
                          encoding="utf-8")
    parsed, parsed_findings = load(demo, today=AS_OF, cache=False)
    first, first_findings = load(demo, today=AS_OF)  # fills the cache
    assert any((cache / "records").rglob("*.pickle"))
    cached, cached_findings = load(demo, today=AS_OF)
    for records, findings in ((first, first_findings), (cached, cached_findings)):
        assert with_sources(records) == with_sources(parsed)
        assert findings == parsed_findings
    assert {"W-YAML-TYPE", "E-DATE-FORMAT"} <= {f.code for f in parsed_findings}


def test_a_changed_file_is_parsed_again(demo, cache):
    load(demo, today=AS_OF)
    household = sorted((demo / "households").glob("*/*.yaml"))[0]
    text = household.read_text(encoding="utf-8")
    assert "\naddress: " in text
    household.write_text(text.replace("\naddress: ", "\naddress: 新址", 1), encoding="utf-8")
    records, _ = load(demo, today=AS_OF)
    assert records.households_by_id[household.stem].address.startswith("新址")
    os.utime(household, ns=(1, 1))  # touched, same bytes: taken from the cache, and still the new text
    records, _ = load(demo, today=AS_OF)
    assert records.households_by_id[household.stem].address.startswith("新址")


def test_the_cache_does_not_depend_on_the_as_of_date(demo, cache):
    load(demo, today=AS_OF)
    before = {p: p.stat().st_mtime_ns for p in (cache / "records").rglob("*.pickle")}
    load(demo, today=AS_OF + dt.timedelta(days=1))  # issue 16: a new day keeps the cache (test_asof_cache.py)
    assert {p: p.stat().st_mtime_ns for p in (cache / "records").rglob("*.pickle")} == before


def test_an_unchanged_rebuild_rewrites_no_file(demo, cache, tmp_path, monkeypatch):
    output = tmp_path / "out"
    first = build(demo, output)
    assert not first.skipped and set(first.files_changed) == set(files_of(output)) - {".careledger-output"}
    before = files_of(output)

    again = build(demo, output)
    assert again.skipped and again.files_changed == ()
    assert again.policy_findings == first.policy_findings
    assert files_of(output) == before

    monkeypatch.setattr(fingerprint, "recall", lambda *args: None)  # build for real: same bytes, nothing written
    rebuilt = build(demo, output)
    assert not rebuilt.skipped and rebuilt.files_changed == ()
    assert {k: v for k, v in files_of(output).items() if k != ".careledger-output"} == \
        {k: v for k, v in before.items() if k != ".careledger-output"}


def test_a_changed_visit_rewrites_exactly_the_pages_that_depend_on_it(demo, cache, tmp_path):
    output = tmp_path / "out"
    build(demo, output)
    before_files, before = files_of(output), contents_of(output)
    villages = sorted(p.stem for p in (output / "site" / "villages").glob("*.html"))
    assert len(villages) >= 3

    visit_file = sorted((demo / "visits").glob("*/*.yaml"))[-1]
    household = next(line.split("'")[1] for line in visit_file.read_text(encoding="utf-8").splitlines()
                     if line.strip().startswith("household:"))
    village = next(p.parent.name for p in (demo / "households").glob(f"*/{household}.yaml"))
    with visit_file.open("a", encoding="utf-8") as out:
        out.write(f"- date: 2026-11-20\n  household: '{household}'\n  duty: 'responsible'\n  mode: 'phone'\n"
                  "  note: '电话询问取暖情况'\n")

    result = build(demo, output)
    after_files, after = files_of(output), contents_of(output)
    differing = {path for path in after if before.get(path) != after[path]}
    assert set(result.files_changed) == differing  # what was written is what differs, no more
    assert f"site/villages/{village}.html" in differing
    # A visit in one village touches that village's page and the pages that add up the whole jurisdiction, never
    # another village's page.
    jurisdiction = {"site/index.html", "site/status.html", "site/search-index.js", "BUILD.json"}
    assert all(path in jurisdiction or path.startswith("reports/") or path == f"site/villages/{village}.html"
               for path in differing), differing
    for path, state in before_files.items():
        if path not in differing and path != ".careledger-output":
            assert after_files[path] == state, f"{path} was rewritten"


def test_touching_the_output_means_a_real_build(demo, cache, tmp_path):
    output = tmp_path / "out"
    build(demo, output)
    (output / "site" / "status.html").unlink()
    result = build(demo, output)
    assert not result.skipped
    assert result.files_changed == ("site/status.html",)


def test_the_fingerprint_follows_the_records_and_the_options(demo, cache):
    first = fingerprint.of_build(demo, as_of=AS_OF, paper=False)
    assert fingerprint.of_build(demo, as_of=AS_OF, paper=False) == first
    assert fingerprint.of_build(demo, as_of=AS_OF, paper=True) != first
    assert fingerprint.of_build(demo, as_of=AS_OF + dt.timedelta(days=1), paper=False) != first
    page = demo / "pages" / "about.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
    assert fingerprint.of_build(demo, as_of=AS_OF, paper=False) != first


def test_the_fingerprint_follows_the_templates_in_the_package(demo, cache, monkeypatch, tmp_path):
    from careledger import assets
    for folder in (assets.SITE_TEMPLATES, assets.REPORT_TEMPLATES, assets.FORMS, assets.PROFILES):
        assert folder.is_dir() and any(folder.is_relative_to(code) for code in fingerprint._code_folders())
    first = fingerprint.of_build(demo, as_of=AS_OF, paper=False)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "base.html").write_text("<html></html>", encoding="utf-8")
    monkeypatch.setattr(fingerprint, "_code_folders", lambda: (templates,))
    before = fingerprint.of_build(demo, as_of=AS_OF, paper=False)
    assert before != first
    (templates / "base.html").write_text("<html><body></body></html>", encoding="utf-8")
    assert fingerprint.of_build(demo, as_of=AS_OF, paper=False) != before


def test_the_fingerprint_follows_a_rendering_library_upgraded_or_removed(monkeypatch, tmp_path):
    """A library is taken by where it is installed and that folder's stat (fingerprint._installed): an upgrade
    (its files removed and written again), a move or its removal each changes the code's fingerprint, and so the
    build server's key."""
    import importlib

    site = tmp_path / "site-packages"
    (site / "renderlib").mkdir(parents=True)
    (site / "renderlib" / "__init__.py").write_text("VERSION = '1.0'\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    monkeypatch.setattr(fingerprint, "_RENDERING_LIBRARIES", ("renderlib", "nosuchlib"))
    first = fingerprint.of_code()
    assert fingerprint.of_code() == first and fingerprint._installed("nosuchlib") == "-"
    os.utime(site / "renderlib", ns=(1, 1))  # as if written long ago
    installed = fingerprint.of_code()
    (site / "renderlib" / "__init__.py").unlink()  # pip's upgrade: the old files out, the new ones in
    (site / "renderlib" / "__init__.py").write_text("VERSION = '2.0'\n", encoding="utf-8")
    assert fingerprint.of_code() != installed
    shutil.rmtree(site / "renderlib")
    importlib.invalidate_caches()
    assert fingerprint._installed("renderlib") == "-" and fingerprint.of_code() != installed


def test_many_new_files_are_parsed_in_worker_processes_with_the_same_result(demo, cache, monkeypatch):
    reference, reference_findings = load(demo, today=AS_OF, cache=False)
    monkeypatch.setattr(bulkread, "IN_PROCESS_UP_TO", 0)
    pooled, pooled_findings = load(demo, today=AS_OF, cache=False)
    assert with_sources(pooled) == with_sources(reference)
    assert pooled_findings == reference_findings
    assert dataclasses.is_dataclass(pooled.visits[0])


def test_the_history_read_again_from_its_cache_is_the_same(tmp_path, cache):
    from careledger.audit import read_history
    from careledger.demo.repo import write_demo_repo

    root = tmp_path / "records"
    write_demo_repo(root, DemoSpec(households=12, months=3))
    first = read_history(root)
    assert any((cache / "history").rglob("*.pickle"))
    again = read_history(root)
    assert first.visit_events and first.household_events
    for name in ("commits", "visit_events", "household_events", "unreadable", "head", "state"):
        assert getattr(again, name) == getattr(first, name), name


def stored_versions(cache: Path) -> int:
    return sum(len(unseal(p.read_bytes())) for p in (cache / "history").rglob("*.pickle"))


def test_the_history_takes_the_working_tree_versions_from_the_loaded_records(tmp_path, monkeypatch):
    from careledger.audit import read_history
    from careledger.demo.repo import write_demo_repo

    root = tmp_path / "records"
    write_demo_repo(root, DemoSpec(households=12, months=3))
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "parsed"))
    parsed = read_history(root)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "seeded"))
    records, findings = load(root, today=AS_OF)
    assert not any(f.is_error for f in findings) and len(records.blob_ids) > 20
    seeded = read_history(root, records)
    for name in ("commits", "visit_events", "household_events", "unreadable"):
        assert getattr(seeded, name) == getattr(parsed, name), name
    # the working tree's versions came from the records: none of them was parsed (or kept) again
    assert stored_versions(tmp_path / "seeded") <= stored_versions(tmp_path / "parsed") - len(records.blob_ids) // 2


def test_in_git_the_fingerprint_follows_commits_and_uncommitted_changes(demo, cache):
    from .gitkit import git as run_git

    def git(cwd, *args):
        return run_git(cwd, "-c", "user.name=Clerk", "-c", "user.email=clerk@example.invalid", *args)

    git(demo, "init", "-q", "-b", "main")
    git(demo, "add", "-A")
    git(demo, "commit", "-q", "-m", "records")
    first = fingerprint.of_build(demo, as_of=AS_OF)
    assert fingerprint.of_build(demo, as_of=AS_OF) == first
    visit_file = sorted((demo / "visits").glob("*/*.yaml"))[-1]
    visit_file.write_text(visit_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    dirty = fingerprint.of_build(demo, as_of=AS_OF)
    assert dirty != first
    visit_file.write_text(visit_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert fingerprint.of_build(demo, as_of=AS_OF) != dirty  # changed again while still uncommitted
    git(demo, "commit", "-q", "-am", "more")
    assert fingerprint.of_build(demo, as_of=AS_OF) not in (first, dirty)
    (demo / ".gitignore").write_text("visits/2099-01/\n", encoding="utf-8")
    git(demo, "add", ".gitignore")
    git(demo, "commit", "-q", "-m", "ignore")
    committed = fingerprint.of_build(demo, as_of=AS_OF)
    hidden = demo / "visits" / "2099-01" / "someone.yaml"
    hidden.parent.mkdir()
    hidden.write_text("[]\n", encoding="utf-8")
    assert fingerprint.of_build(demo, as_of=AS_OF) != committed  # an ignored file is still read by the loader


def test_a_county_s_pages_do_not_each_list_every_village(tmp_path, cache):
    from html.parser import HTMLParser

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.nav, self.links, self.in_nav = [], [], False

        def handle_starttag(self, tag, attrs):
            if tag == "nav":
                self.in_nav = True
            if tag == "a":
                (self.nav if self.in_nav else self.links).append(dict(attrs)["href"])

        def handle_endtag(self, tag):
            if tag == "nav":
                self.in_nav = False

    def links_of(path: Path) -> Links:
        parser = Links()
        parser.feed(path.read_text(encoding="utf-8"))
        return parser

    content = tmp_path / "county"
    write_demo(content, DemoSpec(households=450, months=1))
    output = tmp_path / "out"
    build(content, output)
    villages = sorted(p.stem for p in (output / "site" / "villages").glob("*.html"))
    assert len(villages) == 45
    index = links_of(output / "site" / "index.html")
    assert {f"villages/{v}.html" for v in villages} <= set(index.links)  # every village a click from the home page
    page = links_of(output / "site" / "villages" / f"{villages[7]}.html")
    village_links = [h for h in page.nav if "villages/" in h and not h.endswith("#places")]  # not the phone's
    assert village_links == [f"../villages/{villages[7]}.html"] and "../index.html#counts" in page.nav


def test_the_loaded_records_go_to_the_oldest_generation_without_a_scan(demo, cache):
    """A county's records live as long as the build: they are handed to the collector's oldest generation at once
    (cachestore.long_lived), not scanned on their way there, and the collector is on again after the load; they are
    still freed as soon as nothing refers to them (nothing is frozen for good)."""
    import gc
    import weakref

    load(demo, today=AS_OF)  # the cache is written: the next load is the warm one
    records, _ = load(demo, today=AS_OF)
    assert gc.isenabled()
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(records) in oldest and id(records.visits[0]) in oldest and id(records.households[0]) in oldest
    assert gc.get_freeze_count() == 0
    gone = weakref.ref(records)
    del records
    assert gone() is None


def test_the_command_that_finds_nothing_changed_imports_none_of_the_stages(demo, cache, tmp_path):
    """`careledger build` with nothing changed answers from the fingerprint (build.py) without importing the stages
    (pipeline.py and what it imports: the renderers, the views, the rules); a build that has work imports them."""
    output = tmp_path / "out"
    report = "import sys; from careledger.cli import main\ntry: main()\nexcept SystemExit: pass\n" \
             "print('STAGES', sorted(m for m in ('careledger.pipeline', 'careledger.render', 'careledger.rules') " \
             "if m in sys.modules))"
    command = [sys.executable, "-c", report, "build", "--no-paper", "--content", str(demo), "--output", str(output),
               "--as-of", AS_OF.isoformat()]
    env = {**os.environ, "CARELEDGER_CACHE_DIR": str(cache)}
    first = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    again = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    assert "STAGES ['careledger.pipeline', 'careledger.render', 'careledger.rules']" in first
    assert "未重新生成" in again and "STAGES []" in again
