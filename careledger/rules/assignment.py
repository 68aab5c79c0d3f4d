"""Assignment (包保安排): every subject in care has the people the profile asks for, and they may hold the post.

For each subject in care on the as-of date, the profile's assignment rules that apply to it are read slot by slot
(包保责任人 `responsible`, 关爱帮扶联系人 `contact`, 照料护理人 `caregiver`, 保障资金代管人 `custodian`,
社会救助协理员 `coordinator`):

- a slot that a matching rule marks `required` and that names nobody is reported (ASG-NO-RESPONSIBLE and its
  siblings, one code per slot);
- each person named must hold one of the rule's `staff_roles` (ASG-WRONG-ROLE): Wangcheng 三级 → the village
  principal, 二级/一级 → an area cadre;
- where a required rule lists `office_levels`, the people named in the slot together must hold each level
  (ASG-LEVEL-UNCOVERED): Guiyang's four-level 包保 asks a township and a district cadre for every key person;
- nobody named may have left their post by the as-of date (ASG-STAFF-LEFT), or not yet taken it up
  (ASG-STAFF-NOT-STARTED).

A staff member's office level comes from their roles (`ROLE_OFFICE_LEVEL`); a person whose roles name no level
(a clerk, an inspector) is of the village whose staff file holds them, or of the township for `staff/street.yaml`.
A rule with `office_levels` judges the roles only of the people at one of its levels, so Guiyang's key-person rule
(street or district cadre) does not judge the village cadre, whom the village rule covers. A person at a level that
no matching rule names is taken as extra help and is not judged: Wangcheng's annex 1 has a row for a street-level
包保责任人 beside the village one. An id missing from `staff/` is the loader's E-REF-STAFF and is not repeated here.

Staffing (ASG-STAFFING): each village in site.yaml has at least `minimum_per_village` staff in post holding the role
(Tianhu: one 社会救助协理员 per village), counting the village's own staff file only.
"""

from __future__ import annotations

from typing import Iterable

from .. import vocab
from ..findings import ERROR, WARNING, Finding
from ..policy import OFFICE_LEVEL, AssignmentRule
from .cases import Case

SLOTS = ("responsible", "contact", "caregiver", "custodian", "coordinator")
SLOT_LABEL = {"responsible": "包保责任人", "contact": "关爱帮扶联系人", "caregiver": "照料护理人",
              "custodian": "保障资金代管人", "coordinator": "社会救助协理员"}
MISSING_CODE = {slot: f"ASG-NO-{slot.upper()}" for slot in SLOTS}

# The office (包保层级) a role belongs to. Roles not listed (clerk, inspector) take their staff file's level.
ROLE_OFFICE_LEVEL = {
    "principal": "village", "committee_member": "village", "area_cadre": "village", "paired_cadre": "village",
    "grid_worker": "village", "volunteer": "village", "contact": "village", "coordinator": "village",
    "caregiver": "village", "custodian": "village",
    "street_cadre": "township", "collector": "township",  # 天湖：乡镇（街道）困难救助信息采集组
    "district_cadre": "district", "city_cadre": "city",
}

CODES = {
    "ASG-NO-RESPONSIBLE": (ERROR, "在册对象未安排包保责任人（包保未全覆盖）"),
    "ASG-NO-CONTACT": (ERROR, "政策档案要求安排关爱帮扶联系人，但未安排"),
    "ASG-NO-CAREGIVER": (ERROR, "政策档案要求安排照料护理人，但未安排"),
    "ASG-NO-CUSTODIAN": (ERROR, "政策档案要求安排保障资金代管人，但未安排"),
    "ASG-NO-COORDINATOR": (ERROR, "政策档案要求安排社会救助协理员，但未安排"),
    "ASG-WRONG-ROLE": (ERROR, "安排的人员不具备政策档案规定的角色（如三级对象的包保责任人须为村、社主要负责人）"),
    "ASG-LEVEL-UNCOVERED": (ERROR, "包保责任人未覆盖政策档案要求的全部包保层级（如贵阳四级包保缺乡镇或区级干部）"),
    "ASG-STAFF-LEFT": (ERROR, "安排的人员已离任，须重新安排"),
    "ASG-STAFF-NOT-STARTED": (WARNING, "安排的人员在检查日尚未到任（任职日期在后）"),
    "ASG-STAFFING": (ERROR, "村（社区）在岗的某类人员少于政策档案规定的每村最少人数"),
}


def check(facts) -> Iterable[Finding]:
    yield from check_cases(facts)
    yield from check_staffing(facts)


def check_cases(facts) -> Iterable[Finding]:
    """The findings about each subject's assignment: household by household (rules/households.py)."""
    for case in facts.in_care:
        yield from _case(case, facts)


def check_staffing(facts) -> Iterable[Finding]:
    """ASG-STAFFING: the staff of each village, whatever the households (judged over the whole jurisdiction)."""
    return _staffing(facts)


def office_levels_of(staff) -> frozenset:
    levels = {ROLE_OFFICE_LEVEL[r] for r in staff.roles if r in ROLE_OFFICE_LEVEL}
    return frozenset(levels or {"village" if staff.village else "township"})


def _case(case: Case, facts) -> Iterable[Finding]:
    subject = case.subject
    where = subject.assigned.source if subject.assigned else subject.source
    index = case.household.subjects.index(subject)
    rules = [r for r in facts.profile.assignments if r.applies_to.matches(**case.selector_facts())]
    for slot in SLOTS:
        ctx = _Slot(case, facts, slot, where, f"subjects[{index}].assigned.{slot}")
        yield from ctx.status()
        slot_rules = [r for r in rules if r.slot == slot]
        if not slot_rules:
            continue
        if not ctx.people:
            required = [r for r in slot_rules if r.required]
            if required:
                yield ctx.missing(required)
            continue
        yield from ctx.roles(slot_rules)
        for rule in slot_rules:
            if rule.required and rule.office_levels:
                yield from ctx.levels(rule)


class _Slot:
    """One slot of one subject: the people named in it and the findings about them."""

    def __init__(self, case: Case, facts, slot: str, where, path: str):
        self.case, self.facts, self.slot, self.where, self.path = case, facts, slot, where, path
        self.label = SLOT_LABEL[slot]
        self.people = case.assigned(slot)
        self.known = [facts.staff[p] for p in self.people if p in facts.staff]
        self.active = [s for s in self.known if s.active_on(facts.as_of)]

    def finding(self, code: str, message: str, evidence: dict, staff: str = "") -> Finding:
        return Finding(code, CODES[code][0], message, self.where, path=self.path, subject=self.case.key,
                       staff=staff, evidence={"slot": self.slot, **evidence})

    def who(self) -> str:
        """The subject as the profile sees it: its level or category, for the messages."""
        subject = self.case.subject
        level = self.facts.profile.level(subject.level or "")
        if level is not None:
            return f"{level.name}对象"
        category = self.facts.profile.category(subject.category)
        about = [category.name] if category else []
        about += ["重点人员"] if subject.key_person else []
        return f"本对象（{'，'.join(about)}）" if about else "本对象"

    def status(self) -> Iterable[Finding]:
        as_of = self.facts.as_of
        for staff in self.known:
            if staff.left is not None and staff.left <= as_of:
                yield self.finding("ASG-STAFF-LEFT",
                                   f"{self.label} {staff.name}（{staff.id}）已于 {staff.left} 离任，请重新安排{self.label}",
                                   {"staff": staff.id, "left": staff.left.isoformat()}, staff.id)
            elif staff.since is not None and staff.since > as_of:
                yield self.finding("ASG-STAFF-NOT-STARTED",
                                   f"{self.label} {staff.name}（{staff.id}）的任职日期为 {staff.since}，检查日 {as_of} 尚未到任",
                                   {"staff": staff.id, "since": staff.since.isoformat()}, staff.id)

    def missing(self, required: list[AssignmentRule]) -> Finding:
        roles = _union(r.staff_roles for r in required)
        hint = f"，须由{_role_names(roles)}担任" if roles and roles != (self.slot,) else ""
        cite = _cites(required)
        return self.finding(MISSING_CODE[self.slot], f"{self.who()}未安排{self.label}{hint}（{cite}）",
                            {"allowed_roles": list(roles), "cite": cite})

    def roles(self, rules: list[AssignmentRule]) -> Iterable[Finding]:
        for staff in self.active:
            levels = office_levels_of(staff)
            judging = [r for r in rules if not r.office_levels or levels & set(r.office_levels)]
            if not judging or any(not r.staff_roles for r in judging):
                continue
            allowed = _union(r.staff_roles for r in judging)
            if any(role in allowed for role in staff.roles):
                continue
            cite = _cites(judging)
            yield self.finding("ASG-WRONG-ROLE",
                               f"{self.label} {staff.name}（{staff.id}）的角色为“{_role_names(staff.roles)}”，"
                               f"{self.who()}的{self.label}应为：{_role_names(allowed)}（{cite}）",
                               {"staff": staff.id, "roles": list(staff.roles), "allowed_roles": list(allowed),
                                "cite": cite}, staff.id)

    def levels(self, rule: AssignmentRule) -> Iterable[Finding]:
        """Each level the rule names is held by someone named (one who has left is reported as such, not here)."""
        held = {staff.id: sorted(office_levels_of(staff)) for staff in self.known}
        covered = {level for levels in held.values() for level in levels}
        missing = [level for level in rule.office_levels if level not in covered]
        if not missing:
            return
        names = "、".join(OFFICE_LEVEL[level] for level in missing)
        yield self.finding("ASG-LEVEL-UNCOVERED",
                           f"{self.who()}的{self.label}缺少{names}层级的包保干部"
                           f"（应覆盖：{'、'.join(OFFICE_LEVEL[lv] for lv in rule.office_levels)}；{rule.cite}）",
                           {"missing_levels": missing, "required_levels": list(rule.office_levels),
                            "assigned_levels": held, "cite": rule.cite})


def _staffing(facts) -> Iterable[Finding]:
    site, as_of = facts.records.site, facts.as_of
    for rule in facts.profile.staffing:
        role = vocab.ROLE[rule.role]
        for i, village in enumerate(site.villages):
            holders = [s for s in facts.records.staff if s.village == village.id and rule.role in s.roles]
            in_post = [s.id for s in holders if s.active_on(as_of)]
            if len(in_post) >= rule.minimum_per_village:
                continue
            away = [s.id for s in holders if not s.active_on(as_of)]
            note = f"（另有 {len(away)} 人已离任或未到任）" if away else ""
            yield Finding("ASG-STAFFING", ERROR,
                          f"{village.name}（{village.id}）在岗的{role} {len(in_post)} 人{note}，"
                          f"少于每村至少 {rule.minimum_per_village} 人（{rule.cite}）",
                          village.source, path=f"villages[{i}]",
                          evidence={"village": village.id, "role": rule.role, "in_post": len(in_post),
                                    "minimum": rule.minimum_per_village, "staff": in_post, "not_in_post": away,
                                    "cite": rule.cite})


def _union(groups) -> tuple:
    return tuple(dict.fromkeys(role for group in groups for role in group))


def _role_names(roles) -> str:
    return "、".join(vocab.ROLE.get(r, r) for r in roles)


def _cites(rules) -> str:
    return "；".join(dict.fromkeys(r.cite for r in rules))
