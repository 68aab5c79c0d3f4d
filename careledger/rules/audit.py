"""Audit: what the git history of the records shows (docs/rules/audit.md).

A pure function of (records, profile, as-of date, History): the History (`careledger/audit/history.py`) is read from
git once by the pipeline and handed over in `Facts.history`; without it (a rule test, a library call) this family
finds nothing.

- a visit entered late: its first commit's day (committer date, Asia/Shanghai) is more than the profile's
  `late_entry_days` after the visit's date;
- a visit dated after the day of the commit that entered or changed it;
- a visit changed or removed after it was committed, naming the commit of the version replaced and the one that
  replaced or removed it;
- a commit of visits by an author who is neither the visitor nor a clerk (`clerk` role) in post that day, authors
  being mapped to staff by their `git:` identities;
- a subject's category or level changed in a household file with no `adjust` review dated between the version
  before (less the entry delay) and the change;
- the trail itself: not a git repository, never committed, a shallow clone, uncommitted changes.

A commit that writes visits of `bulk_commit_months` or more months at once, and the first commit of the content,
is an import or a rewrite of the records as a whole: it is summed up in one AUD-BULK finding, not judged visit by
visit (its details are in the audit report).

Each commit is judged from its digest (`History.digest`, `careledger/audit/digest.py`: kept between builds for a
large commit) and its notable events only, so a rebuild costs the new commits, not the whole history.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from typing import Iterable

from ..audit.diff import diff_records
from ..audit.digest import CommitDigest
from ..audit.history import Commit, History, HouseholdEvent, VisitEvent
from ..audit.parse import VisitKey
from ..audit.trail import Authors
from ..cachestore import PerObject
from ..findings import WARNING, Finding, Source

CODES = {
    "AUD-LATE": (WARNING, "走访记录在走访日期之后超过允许天数才提交（录入过晚）"),
    "AUD-FUTURE": (WARNING, "走访日期晚于录入（提交）这条记录的日期"),
    "AUD-CHANGED": (WARNING, "走访记录提交后又被修改"),
    "AUD-REMOVED": (WARNING, "走访记录提交后又被删除"),
    "AUD-AUTHOR": (WARNING, "走访记录的提交人既不是走访人本人，也不是在职的录入员"),
    "AUD-LEVEL": (WARNING, "关爱帮扶对象的等级或类别被修改，但没有相应的动态调整复核记录"),
    "AUD-BULK": (WARNING, "批量提交（导入或整体重写）：一次提交写入多个月份的走访记录，只作汇总，不逐条检查"),
    "AUD-DIRTY": (WARNING, "记录目录有未提交的修改：本次结果不对应任何提交，审计线索不完整"),
    "AUD-NO-GIT": (WARNING, "记录目录不在 git 仓库中（或未安装 git）：没有修改记录，审计线索缺失"),
    "AUD-NO-COMMITS": (WARNING, "记录目录在 git 仓库中，但从未提交：没有修改记录，审计线索缺失"),
    "AUD-SHALLOW": (WARNING, "浅克隆：较早的提交不在本地，审计线索不完整"),
}

SHOWN = 5  # how many items a summary names before "等"


def check(facts) -> Iterable[Finding]:
    history: History | None = getattr(facts, "history", None)
    if history is None:
        return []
    out = list(trail_findings(history))
    if not history.available:
        return out
    judge = _Judge(facts, history)
    # In a process that keeps its caches (the build server), a commit's findings are those it gave last time while
    # the settings and the staff it was judged by are equal, unless they read today's records (where a visit stands
    # in today's files, today's households): its events are those of the very commit object the continued walk hands
    # back (audit/resume.py). A history of ten thousand commits is not judged again at every rebuild.
    _JUDGED.begin((judge.allowed, judge.months, tuple(facts.records.staff), history.state))
    for commit in history.commits:
        made: list = []
        kept = _JUDGED.get(commit, lambda commit=commit: judge.to_keep(commit, made))
        out += judge.placed(kept) if kept is not None else made[0] if made else judge.commit(commit)
    _JUDGED.done()
    return out


# commit → its findings, each with the visit whose place in today's files it names (or None), as `to_keep` made
# them; None where judging it read today's households. By the very commit object.
_JUDGED = PerObject()


def trail_findings(history: History) -> Iterable[Finding]:
    site = Source("site.yaml")
    if history.state in ("no-repository", "no-git"):
        yield Finding("AUD-NO-GIT", WARNING, "记录目录不在 git 仓库中（或没有安装 git）：没有修改记录，无法说明谁在何时改过记录；"
                      "照常生成。请把记录保存在 git 仓库中并提交", site, evidence={"git": history.detail})
        return
    if history.state == "no-commits":
        yield Finding("AUD-NO-COMMITS", WARNING, "记录目录在 git 仓库中，但还没有任何提交：没有修改记录；照常生成。"
                      "请先提交记录（git add、git commit）", site)
    if history.state == "shallow":
        edge = next((c for c in history.commits if c.root), None)
        since = f"只有 {edge.date} 提交 {edge.short} 以来的历史，" if edge else ""
        yield Finding("AUD-SHALLOW", WARNING, f"这是浅克隆（git clone --depth）：{since}更早的修改记录不在本地，审计线索不完整；"
                      "照常生成。取得完整历史：git fetch --unshallow", site,
                      evidence={"edge": edge.id if edge else "", "commits": len(history.commits)})
    if history.dirty:
        names = "、".join(history.dirty[:SHOWN]) + (f" 等 {len(history.dirty)} 个文件" if len(history.dirty) > SHOWN else "")
        yield Finding("AUD-DIRTY", WARNING, f"记录目录有未提交的修改（{names}）：本次结果不对应任何提交，"
                      "这些修改没有修改记录。请先提交", site, evidence={"files": list(history.dirty)})


def bulk_commits(history: History, months: int) -> set[str]:
    """The commits judged as a whole: the first one of the content, roots, and those writing visits of `months`
    or more months at once."""
    return {c.id for c in history.commits if _bulk(history, c, months)}


def _bulk(history: History, commit: Commit, months: int) -> bool:
    return commit.order == 0 or commit.root or history.digest(commit).touched >= months


class _Judge:
    """Judges one commit at a time from its digest (`History.digest`: kept for a large commit), so a build costs
    the events that can give a finding, not every event of the history."""

    def __init__(self, facts, history: History):
        self.facts, self.history = facts, history
        self.allowed = facts.profile.late_entry_days
        self.months = facts.profile.bulk_commit_months
        self.authors = Authors(facts.records.staff)
        self.staff = facts.records.staff_by_id
        self.current = facts.records.households_by_id
        self.sources: dict[VisitKey, Source] | None = None  # made at the first finding that names a visit
        self.read_today = 0  # how many judgements read today's households (`to_keep`)
        self.placing: dict[int, tuple] = {}  # id(source given) → (that source, the visit's key and path): `_source`

    def to_keep(self, commit: Commit, made: list) -> tuple | None:
        """The commit's findings, to be kept, each with the visit whose place in today's files it names (key and
        path, or None): judged again they would differ in those places only. None when judging it read today's
        households (a level change); the findings are then in `made`."""
        read = self.read_today
        found = self.commit(commit)
        made.append(found)
        if self.read_today != read:
            return None
        return tuple((f, self._placed_visit(f.source)) for f in found)

    def _placed_visit(self, source: Source) -> tuple[VisitKey, str] | None:
        placing = self.placing.get(id(source))
        return placing[1:] if placing is not None and placing[0] is source else None

    def placed(self, kept: tuple) -> list[Finding]:
        """Kept findings, each naming its visit's place in today's files."""
        out = []
        for finding, visit in kept:
            if visit is not None:
                source = self._place(*visit)
                if source != finding.source:
                    finding = replace(finding, source=source)
            out.append(finding)
        return out

    def commit(self, commit: Commit) -> list[Finding]:
        visits, households = self.history.events_of(commit)
        if not visits and not households:
            return []  # a commit of other files (staff, pages): nothing to judge
        digest = self.history.digest(commit)
        if _bulk(self.history, commit, self.months):
            if commit.root and self.history.state == "shallow":
                return []  # the edge of a shallow clone: AUD-SHALLOW says so
            return [self.bulk_finding(commit, digest)]
        out = []
        for i in self._notable(visits, digest):
            e = visits[i]
            if e.action == "added" and e.first.id == commit.id:
                out += self.late(e)
            if e.action in ("added", "changed") and e.key.date > commit.date:
                out.append(self.future(e))
            if e.action == "changed":
                out.append(self.changed(e))
            elif e.action == "removed":
                out.append(self.removed(e))
        out += self.author(commit, visits, digest)
        if households:
            self.read_today += 1  # (a level change is judged with today's household file: `_reviewed`)
        for e in households:
            out += self.levels(e)
        return out

    # --- visits ---------------------------------------------------------------------------------------------

    def late(self, e: VisitEvent) -> list[Finding]:
        delay = (e.commit.date - e.key.date).days
        if delay <= self.allowed:
            return []
        return [Finding("AUD-LATE", WARNING, f"{self._visit(e.key)}在 {e.commit.date} 才提交（{self._commit(e.commit)}），"
                        f"晚了 {delay} 天，超过允许的 {self.allowed} 天", self._source(e), subject=e.key.household,
                        staff=e.key.visitor,
                        evidence={"visit_date": e.key.date.isoformat(), "commit": e.commit.id,
                                  "committed": e.commit.committed.isoformat(), "delay_days": delay,
                                  "allowed_days": self.allowed, "author": e.commit.author})]

    def future(self, e: VisitEvent) -> Finding:
        ahead = (e.key.date - e.commit.date).days
        return Finding("AUD-FUTURE", WARNING, f"{self._visit(e.key)}在 {e.commit.date} 就已录入（{self._commit(e.commit)}），"
                       f"比走访日期早 {ahead} 天：走访还没发生就有了记录", self._source(e), subject=e.key.household,
                       staff=e.key.visitor,
                       evidence={"visit_date": e.key.date.isoformat(), "commit": e.commit.id,
                                 "committed": e.commit.committed.isoformat(), "days_ahead": ahead})

    def changed(self, e: VisitEvent) -> Finding:
        fields = diff_records(e.before, e.visit)
        what = "；".join(f.describe() for f in fields[:SHOWN]) + (" 等" if len(fields) > SHOWN else "")
        moved = f"（原记录：{e.before_key.label()}）" if e.before_key and e.before_key != e.key else ""
        previous = e.previous or e.first
        return Finding("AUD-CHANGED", WARNING, f"{self._visit(e.key)}{moved}已于 {previous.date} 提交（{self._commit(previous)}），"
                       f"又在 {e.commit.date} 被修改（{self._commit(e.commit)}，{self.authors.name(e.commit)}）"
                       f"：{what or '内容未变'}", self._source(e), subject=e.key.household, staff=e.key.visitor,
                       evidence={"visit_date": e.key.date.isoformat(), "committed_in": previous.id,
                                 "first_committed_in": e.first.id, "changed_in": e.commit.id,
                                 "author": e.commit.author, "fields": [f.path for f in fields],
                                 "before": e.before_key.label() if e.before_key else e.key.label()})

    def removed(self, e: VisitEvent) -> Finding:
        previous = e.previous or e.first
        return Finding("AUD-REMOVED", WARNING, f"{self._visit(e.key)}已于 {previous.date} 提交（{self._commit(previous)}），"
                       f"又在 {e.commit.date} 被删除（{self._commit(e.commit)}，{self.authors.name(e.commit)}）",
                       Source(e.path), subject=e.key.household, staff=e.key.visitor,
                       evidence={"visit_date": e.key.date.isoformat(), "committed_in": previous.id,
                                 "first_committed_in": e.first.id, "removed_in": e.commit.id,
                                 "author": e.commit.author})

    def author(self, commit: Commit, visits, digest: CommitDigest) -> list[Finding]:
        person = self.authors.of(commit)
        on_duty = person is not None and person.active_on(commit.date)
        if on_duty and "clerk" in person.roles:
            return []
        own = person.id if on_duty else None  # the visits of the author's own are theirs to commit
        foreign = [v for v in digest.visitors if v.visitor != own]
        if not foreign:
            return []
        visitors = sorted(v.visitor for v in foreign)
        count = sum(v.count for v in foreign)
        first = visits[min(v.first for v in foreign)]
        households = frozenset().union(*(v.households for v in foreign))
        who = f"{person.name}（{person.id}）" if person else f"“{commit.author}”"
        why = ("不在任何人员记录的 git 身份中" if person is None else
               f"在 {commit.date} 不在职" if not on_duty else "不是录入员，也不是这些走访的走访人")
        names = "、".join(self._staff(v) for v in visitors[:SHOWN]) + (" 等" if len(visitors) > SHOWN else "")
        return [Finding("AUD-AUTHOR", WARNING, f"提交 {commit.short}（{commit.date}）由 {who} 写入了 {count} 条走访记录"
                        f"（走访人：{names}），而提交人{why}", Source(first.path),
                        subject=next(iter(households)) if len(households) == 1 else "",
                        staff=person.id if person else "",
                        evidence={"commit": commit.id, "author": commit.author, "visits": count,
                                  "visitors": visitors})]

    # --- households -----------------------------------------------------------------------------------------

    def levels(self, e: HouseholdEvent) -> list[Finding]:
        if e.before is None or e.after is None:
            return []
        before = {s.member: s for s in e.before.subjects}
        out = []
        for subject in e.after.subjects:
            old = before.get(subject.member)
            if old is None:
                continue
            changes = [(label, a, b) for label, a, b in (("人员类别", old.category, subject.category),
                                                         ("关爱帮扶等级", old.level, subject.level))
                       if a and a != b]
            if not changes or self._reviewed(e):
                continue
            since = e.previous.date - dt.timedelta(days=self.allowed) if e.previous else None
            what = "，".join(f"{label}由“{a}”改为“{b or '（空）'}”" for label, a, b in changes)
            window = f"{since} 至 {e.commit.date}" if since else f"{e.commit.date} 以前"
            current = self.current.get(e.household)
            person = self.authors.of(e.commit)
            out.append(Finding("AUD-LEVEL", WARNING, f"提交 {e.commit.short}（{e.commit.date}，{self.authors.name(e.commit)}）"
                               f"把 {e.household}/{subject.member} 的{what}，但户档案中没有 {window} 的“调整等级或类别”复核记录",
                               current.source if current else Source(e.path), path="subjects",
                               subject=f"{e.household}/{subject.member}", staff=person.id if person else "",
                               evidence={"commit": e.commit.id, "previous": e.previous.id if e.previous else "",
                                         "changes": [{"field": label, "from": a, "to": b} for label, a, b in changes],
                                         "review_window": [since.isoformat() if since else "",
                                                           e.commit.date.isoformat()]}))
        return out

    def _reviewed(self, e: HouseholdEvent) -> bool:
        """An `adjust` review dated from the version before (less the entry delay) to the change, in the changed
        file or in today's file (a review entered a little later still covers it)."""
        since = e.previous.date - dt.timedelta(days=self.allowed) if e.previous else dt.date.min
        current = self.current.get(e.household)
        reviews = list(e.after.reviews) + (list(current.reviews) if current else [])
        return any(r.result == "adjust" and since <= r.date <= e.commit.date for r in reviews)

    # --- bulk -----------------------------------------------------------------------------------------------

    def bulk_finding(self, commit: Commit, digest: CommitDigest) -> Finding:
        count = defaultdict(int, digest.actions)
        months, households, levels = digest.months, digest.households, digest.levels
        late = sum(n for delay, n in digest.delays if delay > self.allowed)
        kind = "导入" if commit.order == 0 or commit.root else "批量重写"
        parts = [f"新增 {count['added']} 条（其中 {late} 条在走访日期 {self.allowed} 天以后才提交）" if count["added"] else "",
                 f"修改 {count['changed']} 条" if count["changed"] else "",
                 f"删除 {count['removed']} 条" if count["removed"] else ""]
        visit_text = "、".join(p for p in parts if p)
        what = [f"一次写入 {min(months)} 至 {max(months)} 共 {len(months)} 个月份的走访记录：{visit_text}" if months else "",
                f"户档案变动 {households} 个（等级或类别改变 {levels} 人次）" if households else ""]
        author = self.authors.of(commit)
        return Finding("AUD-BULK", WARNING, f"提交 {commit.short}（{commit.date}，{self.authors.name(commit)}，“{commit.subject}”）"
                       f"是{kind}：" + "；".join(w for w in what if w) + "。"
                       "批量提交只作汇总，不逐条检查录入时间和修改，明细见内部报表“审计：修改记录”",
                       Source("site.yaml"), staff=author.id if author else "",
                       evidence={"commit": commit.id, "kind": kind, "author": commit.author,
                                 "visits_added": count["added"], "visits_added_late": late,
                                 "visits_changed": count["changed"], "visits_removed": count["removed"],
                                 "months": sorted(months), "household_files": households,
                                 "level_changes": levels})

    # --- wording --------------------------------------------------------------------------------------------

    def _staff(self, staff_id: str) -> str:
        person = self.staff.get(staff_id)
        return f"{person.name}（{staff_id}）" if person else f"（编号 {staff_id}，人员名单中没有此人）"

    def _visit(self, key: VisitKey) -> str:
        return f"{self._staff(key.visitor)} {key.date} 对 {key.household} 的走访记录"

    @staticmethod
    def _commit(commit: Commit) -> str:
        return f"提交 {commit.short}"

    def _source(self, e: VisitEvent) -> Source:
        source = self._place(e.key, e.path)
        self.placing[id(source)] = (source, e.key, e.path)
        return source

    def _place(self, key: VisitKey, path: str) -> Source:
        """Where the visit is in today's records (its path at the commit when it is gone)."""
        if self.sources is None:
            self.sources = _visit_sources(self.facts.records, self._judged_households())
        return self.sources.get(key, Source(path))

    def _judged_households(self) -> set[str]:
        """The households of the events judged one by one (a superset of those whose findings name a visit)."""
        out = set()
        for commit in self.history.commits:
            visits, _ = self.history.events_of(commit)
            if visits and not _bulk(self.history, commit, self.months):
                out.update(visits[i].key.household for i in self._notable(visits, self.history.digest(commit)))
        return out

    def _notable(self, visits, digest: CommitDigest):
        """The indexes of the events that can give a finding of their own; the others are visits first entered
        no later than their day (with a negative delay allowed, which the profile does not, every event)."""
        return digest.notable if self.allowed >= 0 else range(len(visits))


def _visit_sources(records, households: set[str]) -> dict[VisitKey, Source]:
    """Where each visit of these households is, by its identity (numbered as `audit.parse` numbers them: the
    household is part of the identity, so numbering only their visits gives the keys numbering all would). Their
    visits are taken from the loader's months by household where it has them (`Records.visit_months`), not looked
    for among a county's million."""
    out: dict[VisitKey, Source] = {}
    months = records.visit_months()
    if months is not None and all("by_household" in month.__dict__ for month in months):
        mine = [v for month in months for h in households for v in month.by_household.get(h, ((),))[0]]
    else:
        mine = [v for v in records.visits if v.household in households]
    for visit in sorted(mine, key=lambda v: (v.source.file, v.source.line)):
        key = VisitKey(visit.visitor, visit.date, visit.household, visit.duty)
        while key in out:
            key = VisitKey(key.visitor, key.date, key.household, key.duty, key.n + 1)
        out[key] = visit.source
    return out
