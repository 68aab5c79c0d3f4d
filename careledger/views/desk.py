"""The supervisor's desk: working lists per cadre and per village, for the office only (output/reports/).

Five lists, each from a typed rule result: overdue now, due today and due this week (`cadence.due_list`), the
monthly minimum still to meet this month (`cadence.month_short`), and open problems past their deadline
(`reviews.open_problems`), all read from `facts.derived` (rules/derived.py). Every row names the subject, the
village, the person answerable and their phone, the days overdue, and the household whose dossier it links to. The
whole township's lists, each village's and each person's are the same rows, filtered.

A list carries the version of its own inputs, not the build's commit (issue 16: a commit rewrites only the lists
whose content it changed): the newest record version among the households it lists (`dossier_history.last_change`,
the one the dossiers print).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import cachestore, vocab
from ..audit.trail import Authors
from .dossier_history import HistoryVersion, last_change, version_of

UNASSIGNED = "未安排责任人"


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    intro: str


KINDS = (
    Kind("overdue", "已逾期未走访", "走访间隔已超过规定的最长间隔、至今仍未走访的对象，逾期最久的在前。"
         "“预警”为已超过预警阈值。"),
    Kind("today", "今天到期", "今天是不超过最长间隔的最后一天：今天走访即按时。"),
    Kind("week", "本周到期", "未来六天内到期的对象，按应走访日期排列。"),
    Kind("monthly", "本月走访次数未达到每月至少次数", "本月已走访次数少于政策规定的每月至少次数，按还差次数排列。"),
    Kind("problems", "问题逾期未办结", "走访发现的问题已过限期、尚未写明办结，逾期最久的在前。"),
)


@dataclass(frozen=True)
class Row:
    kind: str  # a Kind.key
    subject: str  # the subject's name (for a problem: the household's subjects)
    subject_id: str  # household/member, or the household id for a problem
    household: str
    village_id: str
    village: str
    staff_id: str  # "" when nobody is assigned
    staff: str  # the person's name, or UNASSIGNED
    phone: str
    duty: str  # in Chinese
    what: str  # the task: due date, visits still missing, the problem's text
    days_overdue: int  # 0 when not overdue
    due: dt.date | None = None  # visits: the last day within the interval
    missing: int = 0  # the monthly list: visits still to make this month

    @property
    def dossier(self) -> str:
        """The household dossier's HTML, relative to output/reports/ (printing.dossier_jobs writes it)."""
        return f"../private/dossiers/{self.village_id}/{self.household}.html"


@dataclass(frozen=True)
class WorkingList:
    slug: str  # file name without extension
    scope: str  # "all", "village" or "cadre"
    name: str  # the village's or the person's name
    phone: str  # the person's (cadre lists only)
    rows: tuple[Row, ...]
    version: HistoryVersion | None = None  # the newest record version of its households; None: no rows, or no git

    def of(self, kind: str) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.kind == kind)


CSV_COLUMNS = ("类别", "对象", "对象编号", "村（社区）", "责任人", "电话", "身份", "事项", "逾期天数", "户编号")


def csv_rows(wl: WorkingList) -> list[tuple[str, ...]]:
    """The list's rows for the spreadsheet: the kind named in a column, the household id in place of the link."""
    titles = {k.key: k.title for k in KINDS}
    return [(titles[r.kind], r.subject, r.subject_id, r.village, r.staff, r.phone, r.duty, r.what,
             str(r.days_overdue), r.household) for r in wl.rows]


@dataclass(frozen=True)
class Desk:
    as_of: dt.date
    lists: tuple[WorkingList, ...]  # the township's first, then villages, then people

    def scope(self, scope: str) -> tuple[WorkingList, ...]:
        return tuple(w for w in self.lists if w.scope == scope)


# In a process that keeps its caches: the last desk's rows and lists, handed out again where equal, so that an
# unchanged list is the very object and keeps its digest (render/memo.Parts); elsewhere each is made anew.
_ROWS = cachestore.ByValue()  # a row, by its fields
_LISTS = cachestore.ByValue()  # a list, by its slug, when equal
# A visit due's row, by the very rule result (cadence.Due: the household cache hands an unchanged household's out
# again), while the subject's member and household records and the person answerable are the very records they were,
# on the same as-of date with the same village names: not worked out again (a county's desk has 13,000 such rows).
_DUE_ROWS = cachestore.PerObject()


def build_desk(facts) -> Desk:
    _ROWS.begin()
    _LISTS.begin()
    _DUE_ROWS.begin((facts.as_of, tuple((v.id, v.name) for v in facts.records.site.villages)))
    desk = _build_desk(facts)
    _ROWS.done()
    _LISTS.done()
    _DUE_ROWS.done()
    return desk


def _build_desk(facts) -> Desk:
    rows = _rows(facts)
    villages = {v.id: v.name for v in facts.records.site.villages}
    village_order = {vid: i for i, vid in enumerate(villages)}
    by_village: dict[str, list] = {}
    by_person: dict[str, list] = {}
    for r in rows:  # grouped in one pass: a county has thousands of people and a hundred thousand rows
        by_village.setdefault(r.village_id, []).append(r)
        by_person.setdefault(r.staff_id, []).append(r)
    version = _Versions(facts, rows)
    lists = [_kept(WorkingList("desk-all", "all", facts.records.site.name, "", rows, version.of(rows)))]
    for vid, name in villages.items():
        mine = tuple(by_village.get(vid, ()))
        lists.append(_kept(WorkingList(f"desk-village-{vid}", "village", name, "", mine, version.of(mine))))
    for staff_id in sorted(by_person, key=lambda s: (s == "", _village_order(facts, village_order, s), s)):
        mine = tuple(by_person[staff_id])
        slug = f"desk-cadre-{staff_id}" if staff_id else "desk-unassigned"
        lists.append(_kept(WorkingList(slug, "cadre", mine[0].staff, mine[0].phone, mine, version.of(mine))))
    return Desk(facts.as_of, tuple(lists))


class _Versions:
    """A list's version: the newest record version among the households it lists (None: no rows, or no git). Each
    household's last commit is looked up once, and each commit made a version once (a county's ten thousand lists
    share a few hundred commits)."""

    def __init__(self, facts, rows: tuple[Row, ...]):
        history = facts.history
        self.available = history is not None and getattr(history, "available", False)
        self.commits: dict[int, object] = {}  # a commit's order -> the commit
        self.order: dict[str, int] = {}  # household -> the order of its last commit (-1: none)
        self.versions: dict[int, HistoryVersion] = {}
        if not self.available:
            return
        for household in {r.household for r in rows}:  # every list's rows are among the township's
            commit = last_change(history, household)
            self.order[household] = -1 if commit is None else commit.order
            if commit is not None:
                self.commits[commit.order] = commit
        self.authors = Authors(facts.records.staff)

    def of(self, rows: tuple[Row, ...]) -> HistoryVersion | None:
        if not self.available or not rows:
            return None
        newest = max(map(self.order.__getitem__, {r.household for r in rows}))
        if newest < 0:
            return None
        if newest not in self.versions:
            self.versions[newest] = version_of(self.commits[newest], self.authors)
        return self.versions[newest]


def _kept(wl: WorkingList) -> WorkingList:
    """The last desk's list of that slug when it is equal (its rows the very rows: `_ROWS`), else `wl`."""
    return _LISTS.get(wl.slug, lambda: wl, fits=wl.__eq__)  # (rows compared by identity first: C's tuple ==)


def _village_order(facts, village_order: dict[str, int], staff_id: str) -> int:
    """Where the person's village stands in site.yaml's list (`village_order`: village id -> place); last if none."""
    person = facts.staff.get(staff_id)
    return village_order.get(person.village, len(village_order)) if person else len(village_order)


def _rows(facts) -> tuple[Row, ...]:
    people = _People(facts)
    as_of = facts.as_of
    rows = []
    for due in facts.derived.due:
        case = people.cases[due.subject]
        staff = facts.staff.get(due.staff)
        rows.append(_DUE_ROWS.get(due, lambda: (people.due_row(due, case), case.member, case.household, staff),
                                  fits=lambda kept: (kept[1] is case.member and kept[2] is case.household
                                                     and kept[3] is staff))[0])
    for short in facts.derived.short:
        case = people.cases[short.subject]
        what = (f"{short.month} 已走访 {short.visits} 次，每月至少 {short.minimum} 次，还差 {short.missing} 次；"
                f"本月还剩 {short.days_left} 天")
        rows.append(people.row("monthly", case, short.staff, vocab.DUTY[short.duty], what, 0, missing=short.missing))
    for visit, problem in facts.derived.problems:
        if problem.deadline is None or problem.deadline >= as_of:
            continue
        household = facts.records.households_by_id.get(visit.household)
        if household is None:
            continue
        what = f"{problem.text}（{visit.date} 发现，限期 {problem.deadline}）" + ("；重大风险隐患" if problem.risk else "")
        responsible = people.responsible(household.id)
        for staff_id in responsible or (visit.visitor,):
            duty = vocab.DUTY["responsible"] if responsible else "发现人"
            rows.append(people.problem_row(household, staff_id, duty, what, (as_of - problem.deadline).days))
    order = {k.key: i for i, k in enumerate(KINDS)}
    rows.sort(key=lambda r: (order[r.kind], -r.days_overdue, -r.missing, r.due or as_of, r.village_id, r.subject_id,
                             r.staff_id))
    return tuple(rows)


class _People:
    def __init__(self, facts):
        self.facts = facts
        self.villages = {v.id: v.name for v in facts.records.site.villages}
        self.cases = {c.key: c for c in facts.cases}
        self._persons: dict[str, tuple[str, str]] = {}
        self.of_household: dict[str, list] = {}
        for c in facts.cases:
            self.of_household.setdefault(c.household.id, []).append(c)

    def person(self, staff_id: str) -> tuple[str, str]:
        """(name with id, phone) of a person, worked out once: a county's desk has a hundred thousand rows."""
        if staff_id not in self._persons:
            self._persons[staff_id] = self._person(staff_id)
        return self._persons[staff_id]

    def _person(self, staff_id: str) -> tuple[str, str]:
        person = self.facts.staff.get(staff_id)
        if not staff_id:
            return UNASSIGNED, ""
        if person is None:
            return staff_id, ""
        return f"{person.name}（{staff_id}）", person.phone or person.office_phone or ""

    def due_row(self, due, case) -> Row:
        """The row of a visit due (cadence.Due): what it reads besides `due` and `case` is the person answerable,
        the village's name and the as-of date (`_DUE_ROWS`)."""
        last = f"上次走访 {due.last_visit}" if due.last_visit else "无走访记录"
        what = f"{last}，最迟应于 {due.due} 走访" + ("（预警）" if due.warned else "")
        return self.row(due.state, case, due.staff, vocab.DUTY[due.duty], what, due.days_overdue(self.facts.as_of),
                        due=due.due)

    def row(self, kind, case, staff_id, duty, what, days, **more) -> Row:
        name, phone = self.person(staff_id)
        village = case.household.village
        return _row(kind, case.member.name, case.key, case.household.id, village, self.villages.get(village, village),
                    staff_id, name, phone, duty, what, days, more.get("due"), more.get("missing", 0))

    def responsible(self, household_id: str) -> tuple[str, ...]:
        """Who answers for a household's problem: every 包保责任人 of its subjects in care (else who found it)."""
        people = [s for c in self.of_household.get(household_id, ()) if c.in_care_on(self.facts.as_of)
                  for s in c.assigned("responsible")]
        return tuple(dict.fromkeys(people))

    def problem_row(self, household, staff_id, duty, what, days) -> Row:
        name, phone = self.person(staff_id)
        subjects = "、".join(dict.fromkeys(c.member.name for c in self.of_household.get(household.id, ())))
        return _row("problems", subjects or household.id, household.id, household.id, household.village,
                    self.villages.get(household.village, household.village), staff_id, name, phone,
                    duty, what, days, None, 0)


def _row(*fields) -> Row:
    """A row of these fields (all of them, in order): the last desk's when it had an equal one (`_ROWS`)."""
    return _ROWS.get(fields, lambda: Row(*fields))
