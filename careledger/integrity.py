"""Checks across records: every reference points at something that exists, and nothing is there twice.

These are facts about the data, independent of policy (the rules engine judges policy). Each finding names the
record's file and line and the field path of the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import refs
from .cachestore import PerObject, same_objects
from .findings import ERROR, Finding, Source


@dataclass(frozen=True)
class Unreadable:
    """Files that failed to load: references to what they held are not reported a second time."""

    households: frozenset = frozenset()
    staff_incomplete: bool = False


@dataclass(frozen=True)
class VisitsAtAGlance:
    """What `records.visits` refer to, and the visits that can give a finding when every reference holds: at least
    those that find or resolve a problem, in the order of `records.visits` (any others pass the checks all the
    same)."""

    summary: refs.VisitRefs
    with_problems: tuple


class _Checker:
    def __init__(self, records, unreadable: Unreadable):
        self.records = records
        self.unreadable = unreadable
        self.findings: list[Finding] = []
        self.staff_ids = {s.id for s in records.staff}
        # what the checks of visits and ledgers read besides their records (`_VISITS_KEPT`, `_LEDGERS_KEPT`)
        self.reference_basis = (frozenset(self.staff_ids), unreadable)
        self._subjects: dict[int, set] = {}  # id(household) -> its subjects' member ids, made once a household

    def subject_ids(self, household) -> set:
        found = self._subjects.get(id(household))
        if found is None:
            found = self._subjects[id(household)] = {s.member for s in household.subjects}
        return found

    def apart(self, check: Callable[[], None]) -> list[Finding]:
        """What `check()` reports, taken out of `findings`: the caller adds it (and keeps it for the next check)."""
        start = len(self.findings)
        check()
        made = self.findings[start:]
        del self.findings[start:]
        return made

    def error(self, source: Source, path: str, code: str, message: str, subject: str = "") -> None:
        self.findings.append(Finding(code, ERROR, message, source, path=path, subject=subject))

    def household_ref(self, source: Source, household_id: str):
        """The household referred to, or None after reporting it missing."""
        household = self.records.households_by_id.get(household_id)
        if household is None and household_id not in self.unreadable.households:
            self.error(source, "household", "E-REF-HOUSEHOLD", f"户编号“{household_id}”不存在（households/ 中没有）")
        return household

    def staff_ref(self, source: Source, path: str, staff_id: str | None, label: str) -> None:
        if staff_id and staff_id not in self.staff_ids and not self.unreadable.staff_incomplete:
            self.error(source, path, "E-REF-STAFF", f"{label}“{staff_id}”不在人员名单（staff/）中")


def check(records, unreadable: Unreadable = Unreadable(), glance: VisitsAtAGlance | None = None) -> list[Finding]:
    """The findings across `records`; `glance` (the loader's, from the files' cached summaries) spares a walk over
    every visit, and is made from `records.visits` when not given."""
    c = _Checker(records, unreadable)
    _unique_ids(c)
    _id_numbers(c)
    # In a process that keeps its caches, a household's own findings as the last check made them for that very
    # household object (a household whose file is unchanged is the same object: bulkread._Runs), while what they
    # also depend on is unchanged: the profile's categories, levels and cadence, the staff's ids, whether the staff
    # files were all read.
    profile = records.profile
    _KEPT.begin((profile.id, profile.categories, profile.levels, profile.cadence_driver, c.staff_ids,
                 unreadable.staff_incomplete))
    for household in records.households:
        c.findings += _KEPT.get(household, lambda: c.apart(lambda: _household(c, household)))
    _KEPT.done()
    _visits(c, glance)
    _inspections(c)
    _spot_checks(c)
    _custody(c)
    return c.findings


_KEPT = PerObject()


def _unique_ids(c: _Checker) -> None:
    for kind, items, label in (("staff", c.records.staff, "人员编号"), ("households", c.records.households, "户编号")):
        first: dict[str, Source] = {}
        for item in items:
            if item.id in first:
                c.error(item.source, "id", "E-DUPLICATE-ID",
                        f"{label}“{item.id}”重复：{first[item.id]} 已经用过")
            else:
                first[item.id] = item.source


def _id_numbers(c: _Checker) -> None:
    """The same resident ID number may appear once in the whole jurisdiction (one person, one household)."""
    seen: dict[str, tuple[str, Source]] = {}
    for household in c.records.households:
        for i, member in enumerate(household.members):
            if not member.id_number:
                continue
            if member.id_number in seen:
                other, where = seen[member.id_number]
                place = "本户另一成员" if other == household.id else f"户 {other}"
                c.error(member.source, f"members[{i}].id_number", "E-ID-DUPLICATE",
                        f"身份证号与{place}（{where}）相同：同一人只能登记在一户中", household.id)
            else:
                seen[member.id_number] = (household.id, member.source)


def _household(c: _Checker, household) -> None:
    profile = c.records.profile
    categories = {cat.code for cat in profile.categories}
    levels = {lv.code for lv in profile.levels}
    members = {m.id for m in household.members}
    for i, subject in enumerate(household.subjects):
        path = f"subjects[{i}]"
        if subject.category not in categories:
            known = "、".join(f"{cat.code}（{cat.name}）" for cat in profile.categories)
            c.error(subject.source, f"{path}.category", "E-CATEGORY",
                    f"人员类别“{subject.category}”不在政策档案 {profile.id} 中；可选：{known}", household.id)
        if subject.level is not None and subject.level not in levels:
            known = "、".join(f"{lv.code}（{lv.name}）" for lv in profile.levels) or "（本档案不分等级）"
            c.error(subject.source, f"{path}.level", "E-LEVEL",
                    f"关爱帮扶等级“{subject.level}”不在政策档案 {profile.id} 中；可选：{known}", household.id)
        if subject.level is None and profile.cadence_driver == "level" and not subject.exited:
            c.error(subject.source, f"{path}.level", "E-MISSING",
                    f"政策档案 {profile.id} 按等级确定走访频次：请填写关爱帮扶等级（level）", household.id)
        if subject.assigned:
            a = subject.assigned
            for slot, value in (("responsible", a.responsible), ("contact", a.contact),
                                ("caregiver", (a.caregiver,)), ("custodian", (a.custodian,)),
                                ("coordinator", (a.coordinator,))):
                for staff_id in value:
                    c.staff_ref(a.source, f"{path}.assigned.{slot}", staff_id, "包保安排中的人员")
        if subject.assessment:
            c.staff_ref(subject.assessment.source, f"{path}.assessment.by", subject.assessment.by, "评估人")
    for i, need in enumerate(household.needs):
        if need.member and need.member not in members:
            c.error(need.source, f"needs[{i}].member", "E-REF", f"成员“{need.member}”不在本户家庭成员中", household.id)
        c.staff_ref(need.source, f"needs[{i}].responsible", need.responsible, "负责人")
    for i, agreement in enumerate(household.agreements):
        for slot in ("responsible", "contact", "caregiver"):
            if slot == "caregiver" and agreement.caregiver in members:
                continue  # a family caregiver: a member of the household, not staff
            c.staff_ref(agreement.source, f"agreements[{i}].{slot}", getattr(agreement, slot), "协议中的人员")
    for i, review in enumerate(household.care_reviews):
        c.staff_ref(review.source, f"care_reviews[{i}].by", review.by, "照料护理情况评估人")
    for i, change in enumerate(household.income_changes):
        c.staff_ref(change.source, f"income_changes[{i}].by", change.by, "收入变化记录人")
    for i, review in enumerate(household.reviews):
        c.staff_ref(review.source, f"reviews[{i}].by", review.by, "复核人")


def _visits(c: _Checker, glance: VisitsAtAGlance | None) -> None:
    if glance is None:
        visits = c.records.visits
        glance = VisitsAtAGlance(refs.of_visits(visits), tuple(v for v in visits if v.problems or v.resolved))
    if _references_hold(c, glance.summary):
        _visit_by_visit(c, glance.with_problems)  # only a problem's id can still be wrong
    else:
        _visit_by_visit(c, c.records.visits)


def _references_hold(c: _Checker, summary: refs.VisitRefs) -> bool:
    """Whether every visit's staff, household and subjects exist, from the summary of them all."""
    if not (c.unreadable.staff_incomplete or c.staff_ids.issuperset(summary.staff)):
        return False
    households = c.records.households_by_id
    if not all(map(households.__contains__, summary.households)):
        return False
    return all(member in c.subject_ids(households[household]) for household, member in summary.subjects)


def _visit_by_visit(c: _Checker, visits) -> None:
    """Each visit's references, and its problems' ids within its household (`visits` are in date order, so a
    problem must be found before it is resolved): household by household, then in the visits' order. In a process
    that keeps its caches, a household's findings are those the last check made for that very household object and
    the very same visits, while the staff's ids and what could not be read are as they were (`_VISITS_KEPT`)."""
    of_household: dict[str, list] = {}
    for visit in visits:
        of_household.setdefault(visit.household, []).append(visit)
    _VISITS_KEPT.begin(c.reference_basis)
    found: list[tuple[object, list[Finding]]] = []  # (a visit, its findings), for the visits that have some
    for household_id, mine in of_household.items():
        household = c.records.households_by_id.get(household_id)
        if household is None:
            found += _household_visits(c, household_id, None, mine)
            continue
        kept = _VISITS_KEPT.get(household, lambda: (mine, _household_visits(c, household_id, household, mine)),
                                fits=lambda made: same_objects(made[0], mine))
        found += kept[1]
    _VISITS_KEPT.done()
    if found:
        place = {id(visit): i for i, visit in enumerate(visits)}
        found.sort(key=lambda pair: place[id(pair[0])])
        c.findings += [finding for _, findings in found for finding in findings]


_VISITS_KEPT = PerObject()


def _household_visits(c: _Checker, household_id: str, household, visits: list) -> list[tuple[object, list]]:
    """(visit, its findings) for each of one household's `visits` that has some (`household`: None when missing)."""
    out = []
    problems: dict[str, object] = {}  # problem id -> where the visit that found it was
    for visit in visits:
        found = c.apart(lambda: _visit(c, household_id, household, visit, problems))
        if found:
            out.append((visit, found))
    return out


def _visit(c: _Checker, household_id: str, household, visit, known: dict[str, object]) -> None:
    """A visit's references; with its household, its subjects and its problems' ids (`known`: the problems found
    before it in the household)."""
    c.staff_ref(visit.source, "", visit.visitor, "文件名中的走访人编号")
    for j, companion in enumerate(visit.companions):
        c.staff_ref(visit.source, f"companions[{j}]", companion, "同行人员")
    if household is None:
        c.household_ref(visit.source, household_id)
        return
    subject_ids = c.subject_ids(household)
    for j, member in enumerate(visit.subjects):
        if member not in subject_ids:
            c.error(visit.source, f"subjects[{j}]", "E-REF-SUBJECT",
                    f"“{member}”不是户 {visit.household} 的关爱帮扶对象", visit.household)
    for j, problem in enumerate(visit.problems):
        if problem.id in known:
            c.error(problem.source, f"problems[{j}].id", "E-DUPLICATE-ID",
                    f"问题编号“{problem.id}”在户 {visit.household} 中已用过（{known[problem.id]}）",
                    visit.household)
        else:
            known[problem.id] = problem.source
    for j, resolution in enumerate(visit.resolved):
        if resolution.problem not in known:
            c.error(resolution.source, f"resolved[{j}].problem", "E-REF-PROBLEM",
                    f"户 {visit.household} 在此日期之前没有编号为“{resolution.problem}”的问题", visit.household)


def _spot_checks(c: _Checker) -> None:
    names = {check.name for check in c.records.profile.spot_checks}
    for result in c.records.spot_checks:
        c.staff_ref(result.source, "", result.checker, "文件名中的抽查人员编号")
        c.household_ref(result.source, result.household)
        if result.spot_check not in names:
            known = "、".join(f"“{n}”" for n in sorted(names)) or "（本政策档案没有抽查）"
            c.error(result.source, "spot_check", "E-REF-SPOT-CHECK",
                    f"政策档案 {c.records.profile.id} 中没有名为“{result.spot_check}”的抽查；可选：{known}",
                    result.household)
        if result.period is not None:
            from .rules.periods import parse_key
            try:
                parse_key(result.period)
            except ValueError as exc:
                c.error(result.source, "period", "E-REF-SPOT-CHECK", str(exc), result.household)


def _inspections(c: _Checker) -> None:
    for inspection in c.records.inspections:
        c.staff_ref(inspection.source, "", inspection.inspector, "文件名中的督查人员编号")
        c.staff_ref(inspection.source, "contact", inspection.contact, "被督查的联系人")
        household = c.household_ref(inspection.source, inspection.household)
        if household is not None and inspection.subject not in c.subject_ids(household):
            c.error(inspection.source, "subject", "E-REF-SUBJECT",
                    f"“{inspection.subject}”不是户 {inspection.household} 的关爱帮扶对象", inspection.household)


def _custody(c: _Checker) -> None:
    """Each ledger once for its subject, and its references. In a process that keeps its caches, a ledger's
    references are checked again only when the ledger or its household is another object, or the staff's ids or what
    could not be read changed (`_LEDGERS_KEPT`)."""
    seen: dict[tuple[str, str], Source] = {}
    _LEDGERS_KEPT.begin(c.reference_basis)
    for ledger in c.records.custody:
        key = (ledger.household, ledger.subject)
        if key in seen:
            c.error(ledger.source, "subject", "E-DUPLICATE-ID", f"这位对象已有代管台账：{seen[key]}", ledger.household)
        seen[key] = ledger.source
        household = c.records.households_by_id.get(ledger.household)
        c.findings += _LEDGERS_KEPT.get(ledger, lambda: (household, c.apart(lambda: _ledger(c, ledger))),
                                        fits=lambda made: made[0] is household)[1]
    _LEDGERS_KEPT.done()


_LEDGERS_KEPT = PerObject()


def _ledger(c: _Checker, ledger) -> None:
    """A ledger's references."""
    c.staff_ref(ledger.source, "custodian", ledger.custodian, "保障资金代管人")
    household = c.household_ref(ledger.source, ledger.household)
    if household is not None and ledger.subject not in c.subject_ids(household):
        c.error(ledger.source, "subject", "E-REF-SUBJECT",
                f"“{ledger.subject}”不是户 {ledger.household} 的关爱帮扶对象", ledger.household)
    for i, entry in enumerate(ledger.entries):
        c.staff_ref(entry.source, f"entries[{i}].drawn_by", entry.drawn_by, "支取人")
        c.staff_ref(entry.source, f"entries[{i}].checked_by", entry.checked_by, "检查人")
