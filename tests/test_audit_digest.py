"""The audit from per-commit digests (careledger/audit/digest.py, kept between builds) equals a straightforward
judgement of every event: over random histories (late, future, changed and removed visits, duplicate keys within
and across files, bulk commits, level changes, staff gaining or losing a git identity, amends, resets, rebases),
profiles and rebuilds with the digests kept from the builds before."""

import dataclasses
import datetime as dt
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careledger.audit import resume
from careledger.audit import digest as digest_module
from careledger.audit import read_history
from careledger.audit.parse import VisitKey
from careledger.findings import WARNING, Finding, Source
from careledger.load import load
from careledger.rules import Facts
from careledger.rules import audit as rule
from careledger.views import audit as report

from .conftest import AS_OF
from .gitkit import CLERK, STRANGER, basic_repo, git

SHUJI = ("李建国", "lijg@example.invalid")  # ds-shuji, not a clerk; a staff record lists it only at some steps
AUTHORS = (CLERK, STRANGER, SHUJI)
FILES = ("visits/2026-11/ds-shuji.yaml", "visits/2026-10/ds-shuji.yaml", "visits/2026-11/ds-lianxi1.yaml",
         "visits/2026-09/ds-shuji.yaml")
HOUSEHOLD = "households/dongshan/ds-001.yaml"
STAFF = "staff/dongshan.yaml"


@pytest.fixture(autouse=True)
def every_digest_kept(monkeypatch):
    """Keep the digest of every commit, however small, so that the rebuilds take them back."""
    monkeypatch.setattr(digest_module, "KEPT_FROM", 1)


# --- the straightforward judgement: every event, every visit, at every build ------------------------------------


class Plain(rule._Judge):
    def __init__(self, facts, history):
        super().__init__(facts, history)
        self.bulk = plain_bulk(history, facts.profile.bulk_commit_months)
        self.by_commit = defaultdict(list)
        for e in history.visit_events:
            self.by_commit[e.commit.id].append(e)
        self.houses = defaultdict(list)
        for e in history.household_events:
            self.houses[e.commit.id].append(e)
        self.all_sources = {}
        for visit in sorted(facts.records.visits, key=lambda v: (v.source.file, v.source.line)):
            key = VisitKey(visit.visitor, visit.date, visit.household, visit.duty)
            while key in self.all_sources:
                key = key._replace(n=key.n + 1)
            self.all_sources[key] = visit.source

    def commit(self, commit):
        visits, households = self.by_commit[commit.id], self.houses[commit.id]
        if commit.id in self.bulk:
            if commit.root and self.history.state == "shallow":
                return []
            return [self.plain_bulk_finding(commit, visits, households)] if visits or households else []
        out = []
        for e in visits:
            if e.action == "added" and e.first.id == commit.id:
                out += self.late(e)
            if e.action in ("added", "changed") and e.key.date > commit.date:
                out.append(self.future(e))
            if e.action == "changed":
                out.append(self.changed(e))
            elif e.action == "removed":
                out.append(self.removed(e))
        out += self.plain_author(commit, visits)
        for e in households:
            out += self.levels(e)
        return out

    def _source(self, e):
        return self.all_sources.get(e.key, Source(e.path))

    def plain_author(self, commit, events):
        person = self.authors.of(commit)
        on_duty = person is not None and person.active_on(commit.date)
        if on_duty and "clerk" in person.roles:
            return []
        foreign = [e for e in events if not (on_duty and e.key.visitor == person.id)]
        if not foreign:
            return []
        visitors = sorted({e.key.visitor for e in foreign})
        who = f"{person.name}（{person.id}）" if person else f"“{commit.author}”"
        why = ("不在任何人员记录的 git 身份中" if person is None else
               f"在 {commit.date} 不在职" if not on_duty else "不是录入员，也不是这些走访的走访人")
        names = "、".join(self._staff(v) for v in visitors[:5]) + (" 等" if len(visitors) > 5 else "")
        return [Finding("AUD-AUTHOR", WARNING, f"提交 {commit.short}（{commit.date}）由 {who} 写入了 {len(foreign)} 条走访记录"
                        f"（走访人：{names}），而提交人{why}", Source(foreign[0].path),
                        subject=foreign[0].key.household if len({e.key.household for e in foreign}) == 1 else "",
                        staff=person.id if person else "",
                        evidence={"commit": commit.id, "author": commit.author, "visits": len(foreign),
                                  "visitors": visitors})]

    def plain_bulk_finding(self, commit, visits, households):
        count, months, late = defaultdict(int), set(), 0
        for e in visits:
            count[e.action] += 1
            months.add(f"{e.key.date:%Y-%m}")
            if e.action == "added" and e.first.id == commit.id and (commit.date - e.key.date).days > self.allowed:
                late += 1
        levels = sum(1 for e in households for s in (e.after.subjects if e.after and e.before else ())
                     if any(o.member == s.member and (o.level, o.category) != (s.level, s.category)
                            for o in e.before.subjects))
        kind = "导入" if commit.order == 0 or commit.root else "批量重写"
        parts = [f"新增 {count['added']} 条（其中 {late} 条在走访日期 {self.allowed} 天以后才提交）" if count["added"] else "",
                 f"修改 {count['changed']} 条" if count["changed"] else "",
                 f"删除 {count['removed']} 条" if count["removed"] else ""]
        visit_text = "、".join(p for p in parts if p)
        what = [f"一次写入 {min(months)} 至 {max(months)} 共 {len(months)} 个月份的走访记录：{visit_text}" if months else "",
                f"户档案变动 {len(households)} 个（等级或类别改变 {levels} 人次）" if households else ""]
        author = self.authors.of(commit)
        return Finding("AUD-BULK", WARNING, f"提交 {commit.short}（{commit.date}，{self.authors.name(commit)}，“{commit.subject}”）"
                       f"是{kind}：" + "；".join(w for w in what if w) + "。"
                       "批量提交只作汇总，不逐条检查录入时间和修改，明细见内部报表“审计：修改记录”",
                       Source("site.yaml"), staff=author.id if author else "",
                       evidence={"commit": commit.id, "kind": kind, "author": commit.author,
                                 "visits_added": count["added"], "visits_added_late": late,
                                 "visits_changed": count["changed"], "visits_removed": count["removed"],
                                 "months": sorted(months), "household_files": len(households),
                                 "level_changes": levels})


def plain_bulk(history, months):
    touched = defaultdict(set)
    for e in history.visit_events:
        touched[e.commit.id].add((e.key.date.year, e.key.date.month))
        if e.before_key:
            touched[e.commit.id].add((e.before_key.date.year, e.before_key.date.month))
    return {c.id for c in history.commits if c.order == 0 or c.root or len(touched.get(c.id, ())) >= months}


def plain_check(facts):
    history = facts.history
    out = list(rule.trail_findings(history))
    judge = Plain(facts, history)
    for commit in history.commits:
        out += judge.commit(commit)
    return out


def plain_commit_rows(history, authors, bulk):
    """The audit report's commit table counted over every event."""
    visits = defaultdict(Counter)
    for e in history.visit_events:
        visits[e.commit.id][e.action] += 1
    households = Counter(e.commit.id for e in history.household_events)
    return [(c.id, str(visits[c.id]["added"]), str(visits[c.id]["changed"]), str(visits[c.id]["removed"]),
             str(households.get(c.id, 0)), "是" if c.id in bulk else "") for c in reversed(history.commits)]


def plain_change_rows(history):
    """The audit report's changes: every household event, then every visit changed or removed, per commit."""
    rows = []
    for commit in history.commits:
        rows += [(commit.id, "household", e.path) for e in history.household_events if e.commit is commit]
        rows += [(commit.id, e.action, e.path) for e in history.visit_events
                 if e.commit is commit and e.action != "added"]
    return rows


# --- random histories ---------------------------------------------------------------------------------------


def entry(n: int) -> str:
    """A visit: its day, household and duty from n (equal n: a duplicate key); dated up to a week after the commit
    days below (a visit in the future) or weeks before them (late)."""
    month, day = ((9, 10, 11)[n % 3], 1 + n * 7 % 28)
    household = ("ds-001", "ds-002")[n // 3 % 2]
    duty = ("responsible", "contact")[n // 6 % 2]
    mode = ("in_person", "phone")[n // 12 % 2]
    return f"- date: 2026-{month:02d}-{day:02d}\n  household: {household}\n  duty: {duty}\n  mode: {mode}\n"


def in_month(n: int, rel: str) -> str:
    """`entry(n)` moved to the month of its file (a visit file holds its month's visits), keeping its day."""
    month = rel.split("/")[1][-2:]
    return entry(n).replace(entry(n)[8:15], f"2026-{month}", 1)


OPS = st.lists(st.tuples(st.sampled_from(["commit", "commit", "commit", "remove", "bulk", "level", "staff", "amend",
                                          "reset", "rebase"]),
                         st.integers(0, len(FILES) - 1), st.lists(st.integers(0, 30), max_size=5),
                         st.integers(0, len(AUTHORS) - 1)),
               min_size=3, max_size=8)
PROFILES = st.tuples(st.integers(0, 20), st.integers(2, 4))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, profile=PROFILES)
def test_the_digests_judge_as_every_event_does(tmp_path_factory, monkeypatch, ops, profile):
    tmp_path = tmp_path_factory.mktemp("digest")
    repo = basic_repo(tmp_path / "c", when="2026-09-01")
    warm = tmp_path / "warm"
    day = [0]

    def when() -> str:
        day[0] += 3
        return f"2026-{9 + day[0] // 28:02d}-{1 + day[0] % 28:02d}T{day[0] % 24:02d}:00:00+08:00"

    for step, (op, which, entries, who) in enumerate(ops):
        rel, author = FILES[which], AUTHORS[who]
        path = repo.root / rel
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if op in ("commit", "amend"):
            repo.write({rel: text + "".join(in_month(n, rel) for n in entries)})
            if op == "commit" or int(git(repo.root, "rev-list", "--count", "HEAD")) < 2:
                repo.commit(when(), f"录入 {step}", author=author)
            else:
                git(repo.root, "add", "-A")
                git(repo.root, "commit", "-q", "--allow-empty", "--amend", "-m", f"改 {step}",
                    env=identity(author, when()))
        elif op == "remove":
            items = text.split("- date:")
            kept = [item for i, item in enumerate(items) if i == 0 or i % 2 != (entries[0] if entries else 0) % 2]
            repo.write({rel: "- date:".join(kept) if len(kept) > 1 else None} if text else {})
            repo.commit(when(), f"删 {step}", author=author)
        elif op == "bulk":  # visits of three months at once, some of them the same visit again
            repo.write({f: (f == rel and text or "") + "".join(in_month(n, f) for n in entries + [step])
                        for f in FILES[:2] + FILES[3:]})
            repo.commit(when(), f"批量 {step}", author=author)
        elif op == "level":
            household = (repo.root / HOUSEHOLD).read_text(encoding="utf-8")
            level = "level: '3'" if "level: '2'" in household else "level: '2'"
            repo.write({HOUSEHOLD: household.replace("level: '3'", level, 1).replace("level: '2'", level, 1)})
            repo.commit(when(), f"改等级 {step}", author=author)
        elif op == "staff":  # ds-shuji gains or loses the git identity SHUJI commits under
            staff = (repo.root / STAFF).read_text(encoding="utf-8")
            line = f"  git: [{SHUJI[1]}]\n"
            anchor = "  post: 村党总支书记\n"
            repo.write({STAFF: staff.replace(line, "") if line in staff else staff.replace(anchor, anchor + line)})
            repo.commit(when(), f"人员 {step}", author=CLERK)
        elif op == "reset":
            if int(git(repo.root, "rev-list", "--count", "HEAD")) > 1:
                git(repo.root, "reset", "-q", "--hard", "HEAD~1")
        elif op == "rebase":  # the last commit again on a new base: other commit ids, the same changes
            if int(git(repo.root, "rev-list", "--count", "HEAD")) > 2:
                git(repo.root, "rebase", "-q", "--force-rebase", "HEAD~2", env=identity(author, when()))
        same(repo.root, warm, tmp_path / f"cold{step}", monkeypatch, profile)


def identity(author, when: str) -> dict:
    return {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_COMMITTER_NAME": author[0],
            "GIT_COMMITTER_EMAIL": author[1], "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}


def same(root, warm, cold, monkeypatch, profile_values):
    """With the digests kept from the builds before and with none, the audit's findings (in order) and report
    equal the straightforward ones."""
    records, _ = load(root, today=AS_OF)
    late, months = profile_values
    profile = dataclasses.replace(records.profile, late_entry_days=late, bulk_commit_months=months)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(warm))
    kept = read_history(root, records)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(cold))
    fresh = read_history(root, records)
    assert kept == fresh
    expected = plain_check(Facts(records, profile, AS_OF, fresh))
    for history in (kept, fresh):
        facts = Facts(records, profile, AS_OF, history)
        assert rule.check(facts) == expected
        bulk = plain_bulk(history, months)
        assert rule.bulk_commits(history, months) == bulk
        changes, commits = report.audit_tables(facts)
        assert [(r[1][:10], r[6]) for r in changes.rows] == [(c[:10], p) for c, _, p in plain_change_rows(history)]
        assert [(r[1], *r[5:]) for r in commits.rows] == plain_commit_rows(history, None, bulk)
    return expected


def test_the_import_of_a_county_is_summed_up_from_its_kept_digest(tmp_path, monkeypatch):
    """A rebuild takes the import's digest back instead of going over its events, and judges the same."""
    repo = basic_repo(tmp_path / "c")
    repo.append(FILES[0], entry(2) + entry(2))  # a duplicate key, entered late
    repo.commit("2026-11-20", author=STRANGER)
    records, _ = load(repo.root, today=AS_OF)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "warm"))
    read_history(repo.root, records)
    made = []
    original = digest_module.digest
    monkeypatch.setattr(digest_module, "digest", lambda *a: made.append(a[0]) or original(*a))
    history = read_history(repo.root, records)
    assert made == []  # every digest was kept
    found = same(repo.root, tmp_path / "warm", tmp_path / "cold", monkeypatch, (3, 3))
    assert {f.code for f in found} >= {"AUD-BULK", "AUD-LATE", "AUD-AUTHOR"}
    assert rule.check(Facts(records, records.profile, AS_OF, history)) == found


@pytest.mark.parametrize("lazy_from", [200, 2])
def test_a_shallow_clone_and_its_deepening_judge_as_every_event_does(tmp_path, monkeypatch, lazy_from):
    """The edge of a shallow clone is a root (its digest sums up the whole tree); deepened, the same commit has
    other events, under another chain of commits: its kept digest is not taken (nor its kept walk's lazy events,
    `resume.LAZY_FROM`)."""
    monkeypatch.setattr(resume, "LAZY_FROM", lazy_from)
    repo = basic_repo(tmp_path / "c", when="2026-09-01")
    for n, day in enumerate(("2026-09-20", "2026-10-02", "2026-10-30", "2026-11-12")):
        repo.append(FILES[n % 3], in_month(n * 4 + 1, FILES[n % 3]))
        repo.commit(day, f"录入 {n}", author=AUTHORS[n % 3])
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo.root}", str(clone))
    warm = tmp_path / "warm"
    shallow = same(clone, warm, tmp_path / "cold0", monkeypatch, (3, 3))
    assert {f.code for f in shallow} >= {"AUD-SHALLOW"}
    git(clone, "fetch", "-q", "--deepen", "2")
    deeper = same(clone, warm, tmp_path / "cold1", monkeypatch, (3, 3))
    git(clone, "fetch", "-q", "--unshallow")
    assert "AUD-SHALLOW" not in {f.code for f in same(clone, warm, tmp_path / "cold2", monkeypatch, (3, 3))}
    assert shallow != deeper


def test_digests_are_not_kept_for_a_history_read_with_versions_missing(tmp_path, monkeypatch):
    """A partial clone may give other events once the missing versions are fetched: nothing is kept or taken."""
    repo = basic_repo(tmp_path / "c")
    records, _ = load(repo.root, today=AS_OF)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "warm"))
    history = read_history(repo.root, records)
    kept = next((tmp_path / "warm" / "history").iterdir()) / digest_module.FILE
    assert kept.is_file() and history._digests
    kept.unlink()
    for partial in (dataclasses.replace(history, incomplete=True, _digests={}),
                    dataclasses.replace(history, unreadable=((history.head, FILES[0]),), _digests={})):
        digest_module.attach(partial, kept.parent)
        assert not kept.exists() and not partial._digests
        assert rule.check(Facts(records, records.profile, AS_OF, partial)) == plain_check(
            Facts(records, records.profile, AS_OF, partial))


def test_an_amended_commits_digest_is_dropped(tmp_path, monkeypatch):
    repo = basic_repo(tmp_path / "c")
    repo.append(FILES[0], entry(2))
    repo.commit("2026-11-20", author=STRANGER)
    same(repo.root, tmp_path / "warm", tmp_path / "cold0", monkeypatch, (3, 3))
    kept = next((tmp_path / "warm" / "history").iterdir()) / digest_module.FILE
    before = set(unseal_digests(kept))
    assert len(before) == 2
    repo.append(FILES[0], entry(5))
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "--amend", "-m", "改", env=identity(CLERK, "2026-11-21T10:00:00+08:00"))
    same(repo.root, tmp_path / "warm", tmp_path / "cold1", monkeypatch, (3, 3))
    after = set(unseal_digests(kept))
    assert len(after) == 2 and len(before & after) == 1  # the import's stays, the amended commit's is replaced


def unseal_digests(path):
    from careledger.cachestore import unseal

    return unseal(path.read_bytes())["digests"]


def test_the_changes_table_kept_commit_by_commit_equals_one_made_anew(tmp_path, monkeypatch):
    """In a process that keeps its caches (the build server), each commit's rows are made once and handed out again
    while its events, its bulk marker and the staff's git identities are equal: after each of a visit, a level
    change, a staff member gaining the identity a commit was made under, and an amend, the tables equal those of a
    history read anew in a process that keeps nothing; a visit commit makes the rows of that commit only."""
    from careledger import cachestore
    from careledger.audit import trail

    repo = basic_repo(tmp_path / "c", when="2026-09-01")
    made = []
    for name in ("household_change", "visit_change"):
        original = getattr(trail, name)
        monkeypatch.setattr(report, name, lambda event, authors, original=original: made.append(event) or
                            original(event, authors))

    cachestore.keep_in_memory()
    kept_rows = report._COMMIT_ROWS

    def tables(cache: str, rows_kept: cachestore.PerObject):
        """The tables of a history read with this cache folder, the commits' rows kept in `rows_kept`."""
        monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / cache))
        monkeypatch.setattr(report, "_COMMIT_ROWS", rows_kept)
        records, _ = load(repo.root, today=AS_OF)
        return report.audit_tables(Facts(records, records.profile, AS_OF, read_history(repo.root, records)))

    steps = [("visit", 1), ("level", 2), ("staff", 0), ("visit", 2), ("amend", 1), ("visit", 2)]
    for step, (op, who) in enumerate(steps):
        if op == "visit":
            repo.append(FILES[0], entry(step) + entry(step))  # a duplicate entry: a changed visit to list
            repo.commit(f"2026-11-{10 + step:02d}", f"录入 {step}", author=AUTHORS[who])
        elif op == "level":
            household = (repo.root / HOUSEHOLD).read_text(encoding="utf-8")
            repo.write({HOUSEHOLD: household.replace("level: '3'", "level: '2'", 1)
                        .replace("level: '2'", "level: '1'", 1)})
            repo.commit(f"2026-11-{10 + step:02d}", "改等级", author=AUTHORS[who])
        elif op == "staff":
            staff = (repo.root / STAFF).read_text(encoding="utf-8")
            anchor = "  post: 村党总支书记\n"
            repo.write({STAFF: staff.replace(anchor, anchor + f"  git: [{SHUJI[1]}]\n")})
            repo.commit(f"2026-11-{10 + step:02d}", "人员", author=CLERK)
        else:
            repo.append(FILES[2], entry(step))
            git(repo.root, "add", "-A")
            git(repo.root, "commit", "-q", "--amend", "-m", f"改 {step}",
                env=identity(AUTHORS[who], "2026-11-20T09:00:00+08:00"))
        made.clear()
        warm = tables("warm", kept_rows)
        warm_made = len(made)
        assert warm == tables(f"cold{step}", cachestore.PerObject()), (step, op)  # a walk from the first commit
        rows = len(warm[0].rows)
        assert rows, step
        if step and op == "visit":
            assert warm_made < rows, (step, warm_made, rows)  # only the new commit's rows were made
    [level] = [r for r in warm[0].rows if r[4] == "户档案" and r[7] == "修改"]
    assert level[2].startswith("李建国（")  # made before her identity was listed, remade after it
