"""The audit's walk continued from the last build (careledger/audit/resume.py) equals a walk from the first commit:
over random commits, amends, resets, rebases, merges and branch switches, a rebuild's History, audit findings and
audit report equal those of a fresh cache; and a damaged or foreign cache file is only a walk from the start."""

import contextlib
import dataclasses
import datetime as dt
import pickle

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careledger.audit import read_history
from careledger.audit import history as history_module
from careledger.audit import resume
from careledger import cachestore
from careledger.cachestore import FolderStore, code_hash
from careledger.load import load
from careledger.rules import Facts
from careledger.rules.audit import check
from careledger.views.audit import audit_tables

from .conftest import AS_OF
from .gitkit import CLERK, STRANGER, basic_repo, git

IDENTITY = {"GIT_AUTHOR_NAME": CLERK[0], "GIT_AUTHOR_EMAIL": CLERK[1], "GIT_COMMITTER_NAME": CLERK[0],
            "GIT_COMMITTER_EMAIL": CLERK[1]}

FILES = ("visits/2026-11/ds-shuji.yaml", "visits/2026-11/ds-lianxi1.yaml", "visits/2026-10/ds-shuji.yaml")
HOUSEHOLD = "households/dongshan/ds-001.yaml"


@pytest.fixture(autouse=True, params=[10**9, 2])
def lazy_from(monkeypatch, request):
    """Every commit's events kept as rows, or those of a commit of two events or more kept lazily
    (`resume.LAZY_FROM`: a county's import), so the tests continue both kinds of kept walk. A lazy commit's rows
    are pickled two at a time (`resume.ROWS_A_PICKLE`), so its events come from several parts."""
    monkeypatch.setattr(resume, "LAZY_FROM", request.param)
    monkeypatch.setattr(resume, "ROWS_A_PICKLE", 2)


def entry(n: int) -> str:
    day = 1 + n % 27
    household = ("ds-001", "ds-002", "xw-001")[n % 3]
    duty = ("responsible", "contact")[n // 3 % 2]
    mode = ("in_person", "phone")[n // 6 % 2]
    return f"- date: 2026-11-{day:02d}\n  household: {household}\n  duty: {duty}\n  mode: {mode}\n"


def read(root, cache, monkeypatch, records=None):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(cache))
    return read_history(root, records)


def audit_of(root, history, records):
    facts = Facts(records, records.profile, AS_OF, history)
    findings = sorted(f.format() for f in check(facts))
    tables = [(t.slug, t.intro, t.rows) for t in audit_tables(facts)]
    return findings, tables


def same(root, warm, tmp_path, monkeypatch, step, deferred=False):
    """The History read with the kept walk equals a fresh read, and so do the audit's findings and report.
    `deferred`: the kept walk read as in the build server, which keeps its caches in memory (the versions a commit
    changed taken from the records it read before: `bulkread.superseded`) and keeps the walk after its answer
    (`saves_after`)."""
    if deferred:
        cachestore.keep_in_memory()
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(warm))  # the records read as the build reads them
    records, _ = load(root, today=AS_OF)
    seeded = records if step % 2 else None  # with and without today's records to take versions from
    with cachestore.saves_after() if deferred else contextlib.nullcontext():
        incremental = read(root, warm, monkeypatch, seeded)
    full = read(root, tmp_path / f"cold{step}", monkeypatch, seeded)
    assert incremental == full
    for household in ("ds-001", "ds-002", "xw-001", "xw-002"):  # each household's record version: its last event
        files, visits = full.for_household(household)
        last = incremental.last_commit_of(household)
        assert (last.order if last else None) == max((e.commit.order for e in files + visits), default=None)
    assert [e.visit for e in incremental.visit_events] == [e.visit for e in full.visit_events]
    if records is not None:
        assert audit_of(root, incremental, records) == audit_of(root, full, records)


OPS = st.lists(st.tuples(st.sampled_from(["commit", "commit", "commit", "household", "amend", "reset", "switch",
                                          "merge", "rebase", "graph"]),
                         st.integers(0, 2), st.lists(st.integers(0, 40), max_size=6), st.booleans()),
               min_size=3, max_size=9)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, deferred=st.booleans())
def test_a_continued_walk_equals_a_walk_from_the_start(tmp_path_factory, monkeypatch, ops, deferred):
    tmp_path = tmp_path_factory.mktemp("walk")
    repo = basic_repo(tmp_path / "c")
    warm = tmp_path / "warm"
    day = [10]

    def when() -> str:
        day[0] += 1
        return f"2026-11-{day[0] % 28 + 1:02d}T{day[0] % 24:02d}:00:00+08:00"

    for step, (op, which, entries, flag) in enumerate(ops):
        author = STRANGER if flag else CLERK
        if op in ("commit", "amend"):
            repo.write({FILES[which]: "".join(entry(n) for n in entries)})
            if op == "commit":
                repo.commit(when(), f"录入 {step}", author=author)
            else:
                git(repo.root, "add", "-A")
                git(repo.root, "commit", "-q", "--allow-empty", "--amend", "-m", f"改 {step}",
                    env={**IDENTITY, "GIT_COMMITTER_DATE": when(), "GIT_AUTHOR_DATE": when()})
        elif op == "household":
            text = (repo.root / HOUSEHOLD).read_text(encoding="utf-8")
            lines = text.split("\n")
            lines = [f"address: 东山村{step}组" if line.startswith("address:") else line for line in lines]
            repo.write({HOUSEHOLD: "\n".join(lines)})
            repo.commit(when(), f"改户 {step}", author=author)
        elif op == "reset":
            if int(git(repo.root, "rev-list", "--count", "HEAD")) > 1:
                git(repo.root, "reset", "-q", "--hard", "HEAD~1")
        elif op == "switch":
            branches = git(repo.root, "branch", "--format=%(refname:short)").split()
            if "side" not in branches:
                git(repo.root, "branch", "side", "HEAD~1" if flag and repo_count(repo) > 1 else "HEAD")
            current = git(repo.root, "rev-parse", "--abbrev-ref", "HEAD").strip()
            git(repo.root, "checkout", "-q", "main" if current == "side" else "side")
        elif op in ("merge", "rebase"):
            current = git(repo.root, "rev-parse", "--abbrev-ref", "HEAD").strip()
            other = "main" if current == "side" else "side"
            if other in git(repo.root, "branch", "--format=%(refname:short)").split():
                args = (["merge", "-q", "--no-ff", "-m", f"合并 {step}", other] if op == "merge"
                        else ["rebase", "-q", other])
                if not try_git(repo.root, *args, env={**IDENTITY, "GIT_COMMITTER_DATE": when(),
                                                      "GIT_AUTHOR_DATE": when()}):
                    try_git(repo.root, op, "--abort")
                    git(repo.root, "reset", "-q", "--hard")
        elif op == "graph":
            git(repo.root, "commit-graph", "write", "--reachable")
        same(repo.root, warm, tmp_path, monkeypatch, step, deferred)


def repo_count(repo) -> int:
    return int(git(repo.root, "rev-list", "--count", "HEAD"))


def try_git(cwd, *args, env=None) -> bool:
    try:
        git(cwd, *args, env=env)
        return True
    except AssertionError:
        return False


def test_a_merge_whose_side_branch_merged_the_base_in_is_walked_again(tmp_path, monkeypatch):
    """A side branch forked before the last build's commit C, that merged C in and was merged back: git lists the
    side branch's first commit before C in HEAD's walk, so the walk is not continued but read again — and equals."""
    repo = basic_repo(tmp_path / "c")
    warm = tmp_path / "warm"
    repo.commit("2026-11-10", "基", files={FILES[0]: entry(1)})
    git(repo.root, "branch", "side")
    c = repo.commit("2026-11-11", "C", files={FILES[1]: entry(2)})
    same(repo.root, warm, tmp_path, monkeypatch, 0)
    git(repo.root, "checkout", "-q", "side")
    repo.commit("2026-11-12", "旁支", files={FILES[2]: entry(3)})
    git(repo.root, "merge", "-q", "--no-ff", "-m", "合并主线", "main", env=IDENTITY)
    git(repo.root, "checkout", "-q", "main")
    git(repo.root, "merge", "-q", "--no-ff", "-m", "合并旁支", "side", env=IDENTITY)
    location = history_module.git.locate(repo.root)
    assert history_module.git.is_ancestor(location, c, repo.head())
    assert not history_module.git.walk_continues(location, c, repo.head())
    same(repo.root, warm, tmp_path, monkeypatch, 1)
    same(repo.root, warm, tmp_path, monkeypatch, 2)


def test_a_merge_on_top_of_the_last_build_is_read_alone(tmp_path, monkeypatch):
    repo = basic_repo(tmp_path / "c")
    warm = tmp_path / "warm"
    git(repo.root, "branch", "side")
    repo.commit("2026-11-10", "主线", files={FILES[0]: entry(1) + entry(4)})
    same(repo.root, warm, tmp_path, monkeypatch, 0)
    git(repo.root, "checkout", "-q", "side")
    repo.commit("2026-11-11", "旁支", files={FILES[1]: entry(2)})
    git(repo.root, "checkout", "-q", "main")
    git(repo.root, "merge", "-q", "--no-ff", "-m", "合并旁支", "side", env=IDENTITY)
    calls = watch_walks(monkeypatch)
    same(repo.root, warm, tmp_path, monkeypatch, 1)
    assert calls[0] and calls[0] != repo.head()  # the warm read went on from the last build's commit
    assert calls[1] == ""  # the cold one from the start


def watch_walks(monkeypatch) -> list[str]:
    """The commit each walk starts after ("" from the first commit), as `read_history` calls them."""
    calls: list[str] = []
    original = history_module._walk_from

    def walk_from(location, builder, since):
        calls.append(since)
        return original(location, builder, since)

    monkeypatch.setattr(history_module, "_walk_from", walk_from)
    return calls


def walk_file(root, cache, monkeypatch):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(cache))
    return FolderStore("history", root, code_hash(*history_module._PARSING_MODULES)).base / resume.FILE


def test_a_damaged_cache_file_is_a_walk_from_the_start(tmp_path, monkeypatch):
    repo = basic_repo(tmp_path / "c")
    warm = tmp_path / "warm"
    repo.commit("2026-11-10", "录入", files={FILES[0]: entry(1)})
    same(repo.root, warm, tmp_path, monkeypatch, 0)
    kept = walk_file(repo.root, warm, monkeypatch)
    assert kept.is_file()
    data = bytearray(kept.read_bytes())
    data[len(data) // 2] ^= 0xFF
    kept.write_bytes(bytes(data))
    repo.commit("2026-11-11", "录入", files={FILES[1]: entry(2)})
    calls = watch_walks(monkeypatch)
    same(repo.root, warm, tmp_path, monkeypatch, 1)
    assert calls == ["", ""]  # both from the start
    kept.write_bytes(b"not a cache at all")
    same(repo.root, warm, tmp_path, monkeypatch, 2)
    repo.commit("2026-11-12", "录入", files={FILES[2]: entry(3)})
    [segment] = kept.parent.glob("walk-*.pickle")  # the walk's events: one segment after a walk from the start
    segment.unlink()
    del calls[:]
    same(repo.root, warm, tmp_path, monkeypatch, 3)
    assert calls == ["", ""]
    repo.commit("2026-11-13", "录入", files={FILES[0]: entry(4)})
    del calls[:]
    same(repo.root, warm, tmp_path, monkeypatch, 4)
    assert calls[0] and len(list(kept.parent.glob("walk-*.pickle"))) == 2  # went on, and kept its own segment


def kept_maps(root, cache, monkeypatch):
    """The maps of the walk kept in `cache`, as `resume.load` takes them back: each path's last readable version,
    each path's last blob id, each household's last commit."""
    from careledger.audit import git as git_module

    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(cache))
    location = git_module.locate(root)
    store = FolderStore("history", root, code_hash(*history_module._PARSING_MODULES), history_module._valid_version)
    builder, head = resume.load(location, store, history_module._Seeds(None))
    assert builder is not None and head == location.head
    return ({path: blob for path, (blob, _) in builder.versions.items()}, builder.current,
            {household: commit.order for household, commit in builder.household_last.items()})


def test_each_build_keeps_the_entries_its_commits_changed_and_they_add_up_to_a_walk_from_the_start(tmp_path,
                                                                                                    monkeypatch):
    """resume.save: a continued walk's segment holds the map entries of the paths and households its commits
    changed (a file removed, an unreadable version among them), and the segments taken back together give the
    maps of a walk from the start; the visits' states are written only for the shards the walk took back."""
    repo = basic_repo(tmp_path / "c")
    warm = tmp_path / "warm"
    read(repo.root, warm, monkeypatch)
    kept = walk_file(repo.root, warm, monkeypatch).parent
    shards = {path.name: path.stat().st_mtime_ns for path in kept.glob("shard-*.pickle")}
    assert len(shards) == history_module.SHARDS
    steps = [{FILES[0]: entry(1)}, {FILES[1]: None}, {FILES[2]: "- date: [2026-11-01\n"},
             {HOUSEHOLD: (repo.root / HOUSEHOLD).read_text(encoding="utf-8").replace("address:", "address: 改")},
             {FILES[2]: entry(2)}]
    for n, files in enumerate(steps):
        repo.commit(f"2026-11-{11 + n}", f"改 {n}", files=files)
        read(repo.root, warm, monkeypatch)
        read(repo.root, tmp_path / f"cold{n}", monkeypatch)
        assert kept_maps(repo.root, warm, monkeypatch) == kept_maps(repo.root, tmp_path / f"cold{n}", monkeypatch)
    segments = [read_cache_file(path) for path in kept.glob("walk-*.pickle")]
    assert len(segments) == len(steps) + 1
    assert sorted(len(part[1][1]) for part in segments)[:-1] == [1] * len(steps)  # (the first: every path)
    now = {path.name: path.stat().st_mtime_ns for path in kept.glob("shard-*.pickle")}
    assert len(now) == history_module.SHARDS and 0 < len(set(now) - set(shards)) < history_module.SHARDS


def read_cache_file(path):
    return cachestore.unseal(path.read_bytes())


def test_a_version_gone_from_every_cache_is_read_from_git_again(tmp_path, monkeypatch):
    """The kept walk refers to the file's last version, which was the working file's (taken from the records): after
    the file changed and the parsed-versions store was lost, it is read from git."""
    repo = basic_repo(tmp_path / "c")
    warm = tmp_path / "warm"
    repo.commit("2026-11-10", "录入", files={FILES[0]: entry(1) + entry(7)})
    same(repo.root, warm, tmp_path, monkeypatch, 1)  # odd step: read with the records
    kept = walk_file(repo.root, warm, monkeypatch)
    for folder in kept.parent.iterdir():
        if folder.is_dir():
            for pickle in folder.iterdir():
                pickle.unlink()
    repo.commit("2026-11-11", "改", files={FILES[0]: entry(1) + entry(8)})
    same(repo.root, warm, tmp_path, monkeypatch, 3)
    history = read(repo.root, warm, monkeypatch)
    changed = [e for e in history.visit_events if e.commit.subject == "改"]
    assert changed and all(e.before is not None or e.action == "added" for e in changed)
    assert dt.date(2026, 11, 8) in {e.key.date for e in changed}


def test_an_import_is_kept_lazily_and_its_events_made_only_when_asked(tmp_path, monkeypatch):
    """A continued walk takes an import's events back only when a consumer asks for them; the audit, the desk's
    record versions and a dossier's history then equal a walk from the start's."""
    monkeypatch.setattr(resume, "LAZY_FROM", 5)
    repo = basic_repo(tmp_path / "c")  # one commit, eight events
    warm = tmp_path / "warm"
    read(repo.root, warm, monkeypatch)
    repo.commit("2026-11-10", "录入", files={FILES[0]: "".join(entry(n) for n in range(3))})
    records, _ = load(repo.root, today=AS_OF)
    history = read(repo.root, warm, monkeypatch, records)
    full = read(repo.root, tmp_path / "cold", monkeypatch, records)
    assert list(history.lazy) == [0] and not full.lazy
    import_ = history.lazy[0]
    builder = import_._make.args[0]  # kept for making the events: without the walk's states (`_Builder.walked`)
    assert builder.visits == {} and builder.shards is None and builder.versions == {}
    parts = import_._make.args[-1]  # the import's rows, two a part (`ROWS_A_PICKLE`, the fixture's)
    assert builder.kept_visit_rows is None and len(parts) == (len(import_) + 1) // 2 > 1
    assert import_._events is None and len(import_) == len(full.events_of(full.commits[0])[0])
    for household in ("ds-001", "ds-002", "xw-001"):
        assert history.last_commit_of(household) == full.last_commit_of(household)
    assert import_._events is None  # record versions without the import's events
    assert audit_of(repo.root, history, records) == audit_of(repo.root, full, records)
    for household in ("ds-001", "ds-002", "xw-001"):
        assert history.for_household(household) == full.for_household(household)
    assert history == full and import_._events is not None
    assert pickle.loads(pickle.dumps(history)) == full  # (to another process: with the events made)


def test_a_lazy_commit_whose_versions_are_gone_is_made_by_a_walk_from_the_start(tmp_path, monkeypatch):
    monkeypatch.setattr(resume, "LAZY_FROM", 5)
    repo = basic_repo(tmp_path / "c")
    warm = tmp_path / "warm"
    read(repo.root, warm, monkeypatch)
    repo.commit("2026-11-10", "录入", files={FILES[0]: "".join(entry(n) for n in range(3))})
    history = read(repo.root, warm, monkeypatch)  # no records: the import's versions from the store or git

    def gone(*args):
        raise history_module.Gone("a version gone from every cache and from git")

    monkeypatch.setattr(resume, "_event", gone)
    history.lazy[0]._events = None
    full = read(repo.root, tmp_path / "cold", monkeypatch)
    assert history.lazy and tuple(history.events_of(history.commits[0])[0]) == full.events_of(full.commits[0])[0]


def test_the_loaded_visits_of_a_file_are_found_by_its_month_as_by_the_index(tmp_path):
    """The audit trail takes a file's loaded visits from the loader's own lists (`Records.visits_by_file`); for
    records it did not load, a continued walk takes them from a pass over the visits (`history._Seeds`) and a walk
    from the start from an index of every file: the same visits each way, in the file's order once sorted as
    `version` sorts them (visits/2026-10/ds-shuji.yaml holds visits of 2026-11 here)."""
    repo = basic_repo(tmp_path / "c")
    repo.commit("2026-11-10", "录入", files={FILES[0]: "".join(entry(n) for n in range(9)),
                                            FILES[2]: entry(1)})
    records, _ = load(repo.root, today=AS_OF)
    files = sorted({v.source.file for v in records.visits})
    loaded = history_module._Seeds(records)
    by_loader = {path: loaded._in_file(path) for path in files}
    assert loaded._visits_by_file is None and all(by_loader.values())
    replaced = dataclasses.replace(records)  # the same visits, not known to be the loader's
    scanned = history_module._Seeds(replaced)
    scanned.scans = resume.SCANS
    by_pass = {path: sorted(scanned._in_file(path), key=history_module._POSITION) for path in files}
    indexed = history_module._Seeds(replaced)
    assert by_pass == {path: sorted(indexed._in_file(path), key=history_module._POSITION) for path in files}
    assert by_loader == by_pass  # the loader's lists: the same visits, in the file's order already
    assert scanned._visits_by_file is None and indexed._visits_by_file is not None and len(files) < resume.SCANS


def test_in_a_kept_process_the_version_a_commit_changed_is_taken_from_the_records_read_before(tmp_path,
                                                                                              monkeypatch):
    """The build server's continued walk asks for the version of a visit file before the last commit changed it:
    the records the last load read of it (`bulkread.superseded`), not git, and the History is a fresh read's."""
    cachestore.keep_in_memory()
    repo = basic_repo(tmp_path / "c")
    requested = []
    real = resume.git.BlobReader.request
    monkeypatch.setattr(resume.git.BlobReader, "request", lambda self, ids: requested.append(ids) or real(self, ids))
    text = (repo.root / FILES[0]).read_text(encoding="utf-8")
    for n in range(2, 6):  # a visit a commit
        text += entry(n)
        repo.write({FILES[0]: text})
        repo.commit(f"2026-11-{10 + n}", f"录入 {n}")
        monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "warm"))  # the server's one cache
        records, _ = load(repo.root, today=AS_OF)
        requested.clear()
        with cachestore.saves_after():
            warm = read(repo.root, tmp_path / "warm", monkeypatch, records)
        if n > 2:  # (the first build walks from the start)
            assert requested == [], n
        assert warm == read(repo.root, tmp_path / f"cold{n}", monkeypatch, records)


def test_in_a_kept_process_a_commits_findings_are_kept_with_todays_places(tmp_path, monkeypatch):
    """The build server judges a commit once (rules/audit._JUDGED): later builds take its findings again, with the
    place of each visit they name as today's files have it (a visit written above it moves it down), and the audit's
    findings are those of a fresh walk and check."""
    from careledger.cachestore import PerObject
    from careledger.rules import audit as audit_rules

    cachestore.keep_in_memory()
    repo = basic_repo(tmp_path / "c")
    judged = []
    real = audit_rules._Judge.commit
    monkeypatch.setattr(audit_rules._Judge, "commit", lambda self, c: judged.append(c) or real(self, c))
    original = (repo.root / FILES[0]).read_text(encoding="utf-8")
    added = ""
    for n in range(1, 7):
        if n % 3 == 0:  # a visit written at the top: the visits below it move down
            original = entry(40 + n) + original
        else:  # a visit entered weeks after its day (AUD-LATE, naming its place)
            added += entry(n)
        repo.write({FILES[0]: original + added})
        if n == 4:  # a level changed with no review (AUD-LEVEL): judged with today's household, at every build
            repo.replace(HOUSEHOLD, "level: '3'", "level: '2'")
        if n == 6:  # the review written since, in today's file: the level change was reviewed after all
            repo.replace(HOUSEHOLD, "reviews:\n", "reviews:\n  - date: 2026-11-26\n    result: adjust\n"
                                                "    by: s-minzheng\n")
        repo.commit(f"2026-11-{27 if n % 2 else 28}", f"录入 {n}", author=STRANGER if n == 4 else CLERK)
        monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "warm"))
        records, _ = load(repo.root, today=AS_OF)
        with cachestore.saves_after():
            warm = read(repo.root, tmp_path / "warm", monkeypatch, records)
        judged.clear()
        found = audit_of(repo.root, warm, records)
        if n > 1:  # the new commit, and the one of a level change (the import is judged as a whole)
            assert judged == [c for c in warm.commits if c.subject == "录入 4" and n > 4] + [warm.commits[-1]], n
        kept, audit_rules._JUDGED = audit_rules._JUDGED, PerObject()  # a fresh check beside the kept one's
        try:
            cold = read(repo.root, tmp_path / f"cold{n}", monkeypatch, records)
            assert found == audit_of(repo.root, cold, records)
        finally:
            audit_rules._JUDGED = kept
        assert any("AUD-LATE" in f for f in found[0])
        assert any("AUD-LEVEL" in f for f in found[0]) == (n in (4, 5)), n


def test_a_visit_moved_to_another_household_is_the_last_change_of_both(tmp_path, monkeypatch):
    """A visit whose household is corrected in place (removed from one, added to the other: only a date or duty
    correction is one visit changed) is a change of both households' record versions (`History.last_commit_of`,
    which the dossier and the desk print)."""
    repo = basic_repo(tmp_path / "c")
    text = (repo.root / FILES[0]).read_text(encoding="utf-8")
    repo.write({FILES[0]: text + entry(0)})  # ds-001's
    repo.commit("2026-11-12", "录入")
    repo.write({FILES[0]: text + entry(0).replace("ds-001", "xw-001")})
    moved = repo.commit("2026-11-13", "改户")
    history = read(repo.root, tmp_path / "cache", monkeypatch)
    assert history.last_commit_of("ds-001").id == moved == history.last_commit_of("xw-001").id
    assert history.last_commit_of("ds-002").id != moved
