"""The household dossier (一户一档一策): everything the office holds about one household, for printing.

`build_dossiers(facts, findings, commit)` turns the records and the rules engine's findings into one frozen `Dossier`
per household: the cover, the members, the subjects with their assessment, the needs with the measure answering each
(the "one policy"), who is assigned at every level with phones, the agreements and their terms, the visits, the
problems open and closed, the custody ledgers with their running balance, and the findings for this household.
Values are display text ("" when unknown); dates are ISO text. The same view pre-fills the forms (`forms/*.yaml`
name paths into it), so a form and the dossier never disagree.

These views carry full personal data: they are rendered into `output/private/` only, never into the published site.
With the records' git history, `history` lists the household's changes as a clerk reads them, by day and person
(`dossier_history.py`), and `version` is the household's own record version; without it (records outside git, a
library call) both stay None.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .. import vocab
from ..findings import SEVERITY_LABELS, Finding
from ..policy import OFFICE_LEVEL
from ..rules.agreements import is_current, last_day
from ..rules.assignment import SLOT_LABEL, office_levels_of
from .dossier_dates import dated
from .dossier_history import HistoryEntry, HistoryVersion, dossier_history, paper_message

LEVEL_ORDER = ("village", "township", "district", "city")


@dataclass(frozen=True)
class Person:
    """A member of staff as the paper shows them: who, in which post and office, and how to reach them."""

    id: str
    name: str
    post: str
    phone: str
    office: str  # 松岗村 / 街道（乡镇）
    level: str  # 村（居） / 乡镇（街道） / 区（市、县） / 市
    sex: str = ""
    roles: str = ""
    since: str = ""
    party_member: bool = False


    @property
    def office_stem(self) -> str:
        """The office's village name without its 村 / 社区 (a form prints "____村、社" after it)."""
        return village_stem(self.office)


NOBODY = Person("", "", "", "", "", "")

VILLAGE_SUFFIXES = ("社区居委会", "村委会", "居委会", "社区", "村", "社")


def village_stem(name: str) -> str:
    """"清岭村" → "清岭", "梅桥社区" → "梅桥": the name a form's "____村、社" blank takes; a name that is nothing but
    a suffix stays as it is."""
    for suffix in VILLAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class MemberRow:
    id: str
    name: str
    relation: str
    sex: str
    birth_date: str
    age: str
    id_number: str
    phone: str
    landline: str
    marital_status: str
    employment: str
    schooling: str
    disability: str
    illness: str
    self_care: str
    civil_capacity: str


@dataclass(frozen=True)
class SupporterRow:
    relation: str
    name: str
    address: str
    phone: str
    fulfils_duty: str
    guardian: str


@dataclass(frozen=True)
class Assigned:
    """One person in one slot of a subject's assignment (包保责任人 at one level, contact, caregiver …)."""

    slot: str  # 包保责任人 / 关爱帮扶联系人 / …
    level: str
    person: Person


@dataclass(frozen=True)
class AgreementRow:
    id: str
    kind: str
    subject: str  # member id
    subject_name: str
    responsible: Person
    contact: Person
    caregiver: Person
    signed: str
    expires: str  # the last day: written, or signed + the profile's term
    terminated: str
    terminated_reason: str
    term_months: str
    state: str  # 有效 / 已到期 / 已终止 / 未生效


@dataclass(frozen=True)
class SubjectRow:
    member_id: str
    name: str
    member: MemberRow
    category_code: str
    category: str  # 一类 …
    category_description: str
    level_code: str
    level: str  # 三级 …
    key_person: str
    support_mode: str
    dispersed_support: bool  # 分散供养 (Jizhou's four haves)
    enrolled: str
    exited: str
    exit_reason: str
    in_care: bool
    assessment: str  # the facts behind the level, in Chinese
    assessment_date: str
    assessed_by: str
    assessment_note: str
    care_reason: str  # why the subject cannot fully look after themselves (illness, disability, self-care)
    responsible: tuple[Person, ...]
    responsible_at: dict[str, Person]  # office level code → the first responsible cadre at that level
    contact: Person
    contacts: tuple[Person, ...]
    caregiver: Person
    custodian: Person
    coordinator: Person
    assigned: tuple[Assigned, ...]
    agreement: AgreementRow | None  # the current tri-party agreement, else the latest
    care_agreement: AgreementRow | None  # the current care agreement (委托照料), else the latest
    absences: str
    has_custody: bool


@dataclass(frozen=True)
class NeedRow:
    id: str
    member: str
    need: str
    measure: str
    status: str
    since: str
    due: str
    responsible: Person


@dataclass(frozen=True)
class VisitRow:
    date: str
    visitor: Person
    duty: str
    mode: str
    subjects: str  # names of the subjects visited; "" for all of the household's
    subject_ids: tuple[str, ...]  # their member ids; () for all
    companions: str
    done: str  # activities and checklist answers
    found: str  # note, home checks and problems
    activity_codes: tuple[str, ...]
    home_checks: dict[str, bool | None]  # code → True / False / None
    checklist: dict[str, str]  # code → text
    note: str
    problems: str
    resolved: str


@dataclass(frozen=True)
class VisitLine:
    """One line of the printed visit history: a visit with something recorded, or the plain visits of one person
    in one duty and mode in one month, their days listed ("2026-11：2、5、8日")."""

    when: str
    visitor: str  # name (duty · mode)
    done: str
    found: str
    count: int  # visits on this line


@dataclass(frozen=True)
class ProblemRow:
    id: str
    text: str
    found: str
    found_by: Person
    action: str
    deadline: str
    risk: bool
    closed: str  # date it was resolved, "" while open
    closed_note: str
    days_open: str  # the days a closed problem took to close; "" while open


@dataclass(frozen=True)
class LedgerRow:
    date: str
    kind: str
    item: str
    income: str
    expense: str
    balance: str  # running balance after the entry
    stated_balance: str
    drawn_by: Person
    checked_by: Person


@dataclass(frozen=True)
class CustodyView:
    subject: str
    subject_name: str
    custodian: Person
    caregiver: Person
    elected: str
    opening_balance: str
    balance: str  # on the as-of date
    income: str
    expense: str
    rows: tuple[LedgerRow, ...]


@dataclass(frozen=True)
class InspectionRow:
    date: str
    subject: str
    subject_name: str
    contact: Person
    inspector: Person
    visited_weekly: str
    activities_done: str
    environment_ok: str
    satisfied: str
    remarks: str
    passed: bool


@dataclass(frozen=True)
class FindingRow:
    code: str
    severity: str
    subject: str
    staff: str
    message: str
    where: str


@dataclass(frozen=True)
class Dossier:
    household_id: str
    village_id: str
    village: str
    jurisdiction: str
    parent: str
    group: str
    address: str
    status: str
    status_date: str
    status_reason: str
    policies: tuple[str, ...]  # 享受政策, in Chinese
    policy_codes: tuple[str, ...]
    policies_other: str
    profile_id: str
    profile_title: str  # the policy in force
    profile_issuer: str
    profile_number: str
    note: str
    head: MemberRow | None  # 户主 (relation self), else the first subject's member
    members: tuple[MemberRow, ...]
    supporters: tuple[SupporterRow, ...]
    subjects: tuple[SubjectRow, ...]
    needs: tuple[NeedRow, ...]
    agreements: tuple[AgreementRow, ...]
    visits: tuple[VisitRow, ...]  # newest first
    visit_lines: tuple[VisitLine, ...]  # the same visits as printed: plain ones grouped by month, newest first
    problems: tuple[ProblemRow, ...]
    custody: tuple[CustodyView, ...]
    inspections: tuple[InspectionRow, ...]
    reviews: tuple[tuple[str, str, str, str], ...]  # (date, result, by, note)
    four_haves: str
    findings: tuple[FindingRow, ...]
    as_of: str
    commit: str
    office_phone: str
    history: tuple[HistoryEntry, ...] | None = None  # the household's change history (issue 7); None: not available
    version: HistoryVersion | None = None  # the household's own record version: its last change's day and author
    # income changes, payments and the township's caregiver assessments (issue 15): (date, kind, what, by), newest first
    ledger_lines: tuple[tuple[str, str, str, str], ...] = ()

    @property
    def village_stem(self) -> str:
        """The village's name without its 村 / 社区, for a form's "____村、社" blank."""
        return village_stem(self.village)

    @property
    def open_problems(self) -> tuple[ProblemRow, ...]:
        return tuple(p for p in self.problems if not p.closed)

    @property
    def closed_problems(self) -> tuple[ProblemRow, ...]:
        return tuple(p for p in self.problems if p.closed)

    @property
    def subjects_in_care(self) -> tuple[SubjectRow, ...]:
        return tuple(s for s in self.subjects if s.in_care)


def build_dossiers(facts, findings: list[Finding], commit: str = "", history=None) -> tuple[Dossier, ...]:
    """One dossier per household, in the records' order. With the records' git `History`, each dossier lists the
    changes of its household's file and visits (newest day first); without it, `history` stays None."""
    records = facts.records
    by_household: dict[str, list[Finding]] = {}
    for f in findings:
        if f.subject:
            by_household.setdefault(f.subject.split("/")[0], []).append(f)
    visits: dict[str, list] = {}
    for v in records.visits:
        if v.date <= facts.as_of:
            visits.setdefault(v.household, []).append(v)
    inspections: dict[str, list] = {}
    for i in records.inspections:
        if i.date <= facts.as_of:
            inspections.setdefault(i.household, []).append(i)
    ledgers: dict[str, list] = {}
    for ledger in records.custody:
        ledgers.setdefault(ledger.household, []).append(ledger)
    people = People(facts.records)
    dossiers = tuple(_dossier(h, facts, people, visits.get(h.id, []), inspections.get(h.id, []),
                              ledgers.get(h.id, []), by_household.get(h.id, []), commit) for h in records.households)
    if history is None or not getattr(history, "available", False):
        return dossiers
    households = {h.id: h for h in records.households}
    out = []
    for d in dossiers:
        lines, version = dossier_history(history, households[d.household_id], records, facts.profile)
        out.append(dataclasses.replace(d, history=lines, version=version))
    return tuple(out)


class People:
    """Staff ids to `Person`s, as the paper shows them."""

    def __init__(self, records):
        self.staff = records.staff_by_id
        self.villages = {v.id: v.name for v in records.site.villages}

    def __call__(self, staff_id: str | None) -> Person:
        if not staff_id:
            return NOBODY
        s = self.staff.get(staff_id)
        if s is None:
            return Person(staff_id, staff_id, "", "", "", "")
        level = _level_code(s)
        return Person(id=s.id, name=s.name, post=s.post or "", phone=s.phone or s.office_phone or "",
                      office=self.villages.get(s.village, s.village) if s.village else "街道（乡镇）",
                      level=OFFICE_LEVEL[level], sex=vocab.SEX.get(s.sex, "") if s.sex else "",
                      roles="、".join(vocab.ROLE[r] for r in s.roles), since=_iso(s.since),
                      party_member=s.party_member)


def _level_code(staff) -> str:
    levels = office_levels_of(staff)
    return next(level for level in reversed(LEVEL_ORDER) if level in levels) if levels else "village"


def _dossier(h, facts, people: People, visits, inspections, ledgers, findings, commit: str) -> Dossier:
    as_of, profile, site = facts.as_of, facts.profile, facts.records.site
    members = {m.id: _member(m, as_of) for m in h.members}
    term = {a.kind: a.term_months for a in profile.agreements}
    agreements = tuple(_agreement(a, members, people, as_of, term.get(a.kind)) for a in h.agreements)
    custody_subjects = {ledger.subject for ledger in ledgers}
    subjects = tuple(_subject(s, h, members, people, profile, as_of, agreements, custody_subjects)
                     for s in h.subjects if s.member in members)
    head = next((m for m in members.values() if m.relation == vocab.RELATION["self"]), None)
    if head is None and subjects:
        head = subjects[0].member
    problems = _problems(visits, people, as_of)
    visit_rows = tuple(_visit(v, members, people) for v in sorted(visits, key=lambda v: (v.date, v.visitor),
                                                                   reverse=True))
    return Dossier(
        household_id=h.id, village_id=h.village, village=people.villages.get(h.village, h.village),
        jurisdiction=site.name, parent=site.parent or "", group=h.group or "", address=h.address,
        status=vocab.HOUSEHOLD_STATUS[h.status], status_date=_iso(h.status_date), status_reason=h.status_reason or "",
        policies=tuple(vocab.POLICY[p] for p in h.policies), policy_codes=tuple(h.policies),
        policies_other=h.policies_other or "", profile_id=profile.id, profile_title=profile.title,
        profile_issuer=profile.issuer, profile_number=profile.document_number or "", note=h.note or "",
        head=head, members=tuple(members.values()),
        supporters=tuple(SupporterRow(relation=vocab.RELATION[s.relation], name=s.name, address=s.address or "",
                                      phone=s.phone or "", fulfils_duty=_yes_no(s.fulfils_duty),
                                      guardian="是" if s.guardian else "") for s in h.supporters),
        subjects=subjects,
        needs=tuple(NeedRow(id=n.id, member=members[n.member].name if n.member in members else "", need=n.need,
                            measure=n.measure or "", status=vocab.NEED_STATUS[n.status], since=_iso(n.since),
                            due=_iso(n.due), responsible=people(n.responsible)) for n in h.needs),
        agreements=agreements,
        visits=visit_rows, visit_lines=visit_lines(visit_rows),
        problems=problems,
        custody=tuple(_custody(ledger, members, subjects, people, as_of) for ledger in ledgers),
        inspections=tuple(_inspection(i, members, people) for i in sorted(inspections, key=lambda i: i.date,
                                                                          reverse=True)),
        reviews=tuple((_iso(r.date), vocab.REVIEW_RESULT[r.result], people(r.by).name, r.note or "")
                      for r in sorted(h.reviews, key=lambda r: r.date, reverse=True) if r.date <= as_of),
        four_haves=_four_haves(h),
        ledger_lines=_ledger_lines(h, members, people, as_of),
        findings=tuple(FindingRow(code=f.code, severity=SEVERITY_LABELS[f.severity],
                                  subject=members[f.subject.split("/")[1]].name
                                  if "/" in f.subject and f.subject.split("/")[1] in members else "",
                                  staff=people(f.staff).name if f.staff else "", message=paper_message(dated(f.code, f.message)),
                                  where=str(f.source)) for f in findings),
        as_of=as_of.isoformat(), commit=commit, office_phone=site.office_phone or "",
    )


def _member(m, as_of: dt.date) -> MemberRow:
    age = m.age_on(as_of)
    d = m.disability
    return MemberRow(
        id=m.id, name=m.name, relation=vocab.RELATION[m.relation],
        sex=vocab.SEX[m.gender] if m.gender else "", birth_date=_iso(m.born), age="" if age is None else str(age),
        id_number=m.id_number or "", phone=m.phone or "", landline=m.landline or "",
        marital_status=vocab.MARITAL_STATUS.get(m.marital_status, "") if m.marital_status else "",
        employment=vocab.EMPLOYMENT[m.employment] if m.employment else "",
        schooling=vocab.SCHOOLING[m.schooling] if m.schooling else "",
        disability=f"{vocab.DISABILITY_TYPE[d.kind]}{vocab.DISABILITY_GRADE[d.grade]}" if d else "",
        illness=m.illness or "", self_care=vocab.SELF_CARE[m.self_care] if m.self_care else "",
        civil_capacity=vocab.CIVIL_CAPACITY[m.civil_capacity] if m.civil_capacity else "")


def _subject(s, h, members, people: People, profile, as_of, agreements, custody_subjects) -> SubjectRow:
    member = members[s.member]
    category = profile.category(s.category)
    level = profile.level(s.level) if s.level else None
    a = s.assigned
    responsible = tuple(people(r) for r in dict.fromkeys(a.responsible)) if a else ()
    responsible_at: dict[str, Person] = {}
    for staff_id in (a.responsible if a else ()):
        person_level = _level_code(people.staff[staff_id]) if staff_id in people.staff else "village"
        responsible_at.setdefault(person_level, people(staff_id))
    contacts = tuple(people(c) for c in dict.fromkeys(a.contact)) if a else ()
    assigned = [Assigned(SLOT_LABEL["responsible"], p.level, p) for p in responsible]
    assigned += [Assigned(SLOT_LABEL["contact"], p.level, p) for p in contacts]
    for slot in ("caregiver", "custodian", "coordinator"):
        value = getattr(a, slot, None) if a else None
        if value:
            person = people(value)
            assigned.append(Assigned(SLOT_LABEL[slot], person.level, person))
    ended = [d for d in (s.exited, h.status_date if h.status != "active" else None) if d]
    in_care = s.enrolled <= as_of and not any(d <= as_of for d in ended)
    mine = [x for x in agreements if x.subject == s.member]
    facts = s.assessment.facts if s.assessment else ()
    return SubjectRow(
        member_id=s.member, name=member.name, member=member, category_code=s.category,
        category=category.name if category else s.category,
        category_description=category.description if category else "", level_code=s.level or "",
        level=level.name if level else "", key_person="是" if s.key_person else "",
        support_mode=vocab.SUPPORT_MODE[s.support_mode] if s.support_mode else "",
        dispersed_support=s.support_mode == "dispersed", enrolled=_iso(s.enrolled),
        exited=_iso(s.exited), exit_reason=s.exit_reason or "", in_care=in_care,
        assessment="、".join(vocab.ASSESSMENT_FACT[f] for f in facts),
        assessment_date=_iso(s.assessment.date if s.assessment else None),
        assessed_by=people(s.assessment.by).name if s.assessment and s.assessment.by else "",
        assessment_note=s.assessment.note if s.assessment and s.assessment.note else "",
        care_reason=_care_reason(member, facts),
        responsible=responsible, responsible_at=responsible_at,
        contact=contacts[0] if contacts else NOBODY, contacts=contacts,
        caregiver=people(a.caregiver if a else None), custodian=people(a.custodian if a else None),
        coordinator=people(a.coordinator if a else None), assigned=tuple(assigned),
        agreement=_pick([x for x in mine if x.kind == AGREEMENT_KIND["tri_party"]]),
        care_agreement=_pick([x for x in mine if x.kind == AGREEMENT_KIND["care"]]),
        absences="；".join(f"{vocab.ABSENCE[x.kind]} {_iso(x.start)}–{_iso(x.end)}" for x in s.absences),
        has_custody=s.member in custody_subjects)


AGREEMENT_KIND = {"tri_party": "三方关爱帮扶协议", "care": "委托照料协议"}


def _pick(rows: list[AgreementRow]) -> AgreementRow | None:
    current = [r for r in rows if r.state == "有效"]
    pool = current or rows
    return max(pool, key=lambda r: r.signed) if pool else None


def _care_reason(member: MemberRow, facts) -> str:
    parts = [x for x in (member.disability, member.illness, member.self_care if member.self_care != "完全自理" else "")
             if x]
    parts += [vocab.ASSESSMENT_FACT[f] for f in facts if f in ("lives_alone", "disabled", "semi_disabled",
                                                               "serious_illness", "lacks_self_care")]
    return "、".join(dict.fromkeys(parts))


def _agreement(a, members, people: People, as_of: dt.date, term_months) -> AgreementRow:
    end = last_day(a, term_months)
    if a.terminated and a.terminated <= as_of:
        state = "已终止"
    elif a.signed > as_of:
        state = "未生效"
    elif is_current(a, as_of, term_months):
        state = "有效"
    else:
        state = "已到期"
    return AgreementRow(id=a.id, kind=AGREEMENT_KIND[a.kind], subject=a.subject,
                        subject_name=members[a.subject].name if a.subject in members else a.subject,
                        responsible=people(a.responsible), contact=people(a.contact), caregiver=people(a.caregiver),
                        signed=_iso(a.signed), expires=_iso(end), terminated=_iso(a.terminated),
                        terminated_reason=a.terminated_reason or "",
                        term_months=str(term_months) if term_months else "", state=state)


def _visit(v, members, people: People) -> VisitRow:
    done = [vocab.ACTIVITY[x] for x in v.activities]
    checklist = {}
    if v.checklist:
        for code, label in vocab.CHECKLIST.items():
            text = getattr(v.checklist, code)
            if text:
                checklist[code] = text
    checks = {}
    if v.home_checks:
        checks = {code: getattr(v.home_checks, code) for code in vocab.HOME_CHECK}
    found = [v.note] if v.note else []
    found += [f"{label}：{checklist[code]}" for code, label in vocab.CHECKLIST.items() if code in checklist]
    found += [f"{vocab.HOME_CHECK[c]}{'' if ok else '（否）'}" for c, ok in checks.items() if ok is not None]
    problems = "；".join(f"{p.id} {p.text}" + (f"（{p.action}）" if p.action else "") + ("【重大风险】" if p.risk else "")
                        for p in v.problems)
    resolved = "；".join(f"{r.problem} 已办结" + (f"：{r.note}" if r.note else "") for r in v.resolved)
    if problems:
        found.append(f"发现问题：{problems}")
    if resolved:
        done.append(resolved)
    return VisitRow(date=v.date.isoformat(), visitor=people(v.visitor), duty=vocab.DUTY[v.duty],
                    mode=vocab.VISIT_MODE[v.mode],
                    subjects="、".join(members[m].name for m in v.subjects if m in members),
                    subject_ids=tuple(v.subjects),
                    companions="、".join(people(c).name for c in v.companions),
                    done="；".join(done), found="；".join(found), activity_codes=tuple(v.activities),
                    home_checks=checks, checklist=checklist, note=v.note or "", problems=problems, resolved=resolved)


def visit_lines(rows: tuple[VisitRow, ...]) -> tuple[VisitLine, ...]:
    """Visits with something recorded get a line each; plain visits (nothing done or found on record) are grouped
    per month, visitor, duty and mode, so a cadre's visit every three days takes one line a month."""
    lines: list[tuple[str, VisitLine]] = []
    groups: dict[tuple, list[VisitRow]] = {}
    for v in rows:  # newest first
        who = f"{v.visitor.name}（{v.duty}·{v.mode}）" + (f" 同行：{v.companions}" if v.companions else "")
        if v.done or v.found or v.subjects:
            lines.append((v.date, VisitLine(v.date, who + (f" 对象：{v.subjects}" if v.subjects else ""),
                                            v.done, v.found, 1)))
        else:
            groups.setdefault((v.date[:7], who), []).append(v)
    for (month, who), plain in groups.items():
        days = "、".join(str(int(v.date[8:])) for v in reversed(plain))
        when = plain[0].date if len(plain) == 1 else f"{month}：{days}日"
        lines.append((plain[0].date, VisitLine(when, who, "", f"共 {len(plain)} 次" if len(plain) > 1 else "",
                                               len(plain))))
    lines.sort(key=lambda item: item[0], reverse=True)
    return tuple(line for _, line in lines)


def _problems(visits, people: People, as_of: dt.date) -> tuple[ProblemRow, ...]:
    closed = {}
    for v in sorted(visits, key=lambda v: v.date):
        for r in v.resolved:
            closed.setdefault(r.problem, (v.date, r.note or ""))
    rows = []
    for v in sorted(visits, key=lambda v: v.date):
        for p in v.problems:
            when, note = closed.get(p.id, (None, ""))
            if when is not None and when < v.date:
                when, note = None, ""  # a resolution older than the problem closes an earlier one of that id
            # The days a closed problem took; an open one's count would grow with the as-of date (its found date and
            # deadline are printed beside it), and reprint the dossier every day.
            rows.append(ProblemRow(id=p.id, text=p.text, found=v.date.isoformat(), found_by=people(v.visitor),
                                   action=p.action or "", deadline=_iso(p.deadline), risk=p.risk,
                                   closed=_iso(when), closed_note=note, days_open=str((when - v.date).days) if when else ""))
    return tuple(rows)


def _custody(ledger, members, subjects, people: People, as_of: dt.date) -> CustodyView:
    balance = ledger.opening_balance if ledger.opening_balance is not None else Decimal(0)
    income = expense = Decimal(0)
    rows = []
    for e in ledger.entries:
        if e.date > as_of:
            continue
        if e.kind == "income":
            balance += e.amount
            income += e.amount
        elif e.kind == "expense":
            balance -= e.amount
            expense += e.amount
        rows.append(LedgerRow(date=e.date.isoformat(), kind=vocab.LEDGER_ENTRY[e.kind], item=e.item or "",
                              income=_money(e.amount) if e.kind == "income" else "",
                              expense=_money(e.amount) if e.kind == "expense" else "",
                              balance=_money(balance), stated_balance=_money(e.balance),
                              drawn_by=people(e.drawn_by), checked_by=people(e.checked_by)))
    subject = next((s for s in subjects if s.member_id == ledger.subject), None)
    return CustodyView(subject=ledger.subject,
                       subject_name=members[ledger.subject].name if ledger.subject in members else ledger.subject,
                       custodian=people(ledger.custodian), caregiver=subject.caregiver if subject else NOBODY,
                       elected=_iso(ledger.elected), opening_balance=_money(ledger.opening_balance or Decimal(0)),
                       balance=_money(balance), income=_money(income), expense=_money(expense), rows=tuple(rows))


def _inspection(i, members, people: People) -> InspectionRow:
    return InspectionRow(date=i.date.isoformat(), subject=i.subject,
                         subject_name=members[i.subject].name if i.subject in members else i.subject,
                         contact=people(i.contact), inspector=people(i.inspector),
                         visited_weekly=_yes_no(i.visited_weekly), activities_done=_yes_no(i.activities_done),
                         environment_ok=_yes_no(i.environment_ok), satisfied=_yes_no(i.satisfied),
                         remarks=i.remarks or "", passed=i.passed)


def _four_haves(h) -> str:
    f = h.four_haves
    if f is None:
        return ""
    parts = [("有服务标准" if f.service_standard else "无服务标准"), ("有服务标识" if f.sign else "无服务标识"),
             f"应急预案 {_iso(f.emergency_plan)}" if f.emergency_plan else "无应急预案"]
    return "；".join(parts)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _money(amount) -> str:
    return "" if amount is None else f"{Decimal(amount):.2f}"


def _ledger_lines(h, members, people, as_of: dt.date) -> tuple[tuple[str, str, str, str], ...]:
    """The household's income changes, payments and caregiver assessments, dated up to the as-of date."""
    def name(member_id):
        return members[member_id].name if member_id in members else ""

    rows = []
    for c in h.income_changes:
        income = f"（变化后月收入 {c.monthly_income} 元）" if c.monthly_income is not None else ""
        who = f"{name(c.member)}：" if c.member else ""
        rows.append((c.date, "收入变化", f"{who}{c.change}{income}", people(c.by).name if c.by else ""))
    for p in h.payments:
        amount = f" {p.amount} 元" if p.amount is not None else ""
        rows.append((p.paid, "资金发放", f"{p.month} {vocab.POLICY[p.kind]}{amount}", ""))
    for r in h.care_reviews:
        note = f"：{r.note}" if r.note else ""
        rows.append((r.date, "照料护理评估", f"{name(r.subject)} {vocab.CARE_REVIEW_RESULT[r.result]}{note}",
                     people(r.by).name if r.by else ""))
    rows.sort(key=lambda row: row[0], reverse=True)
    return tuple((_iso(d), kind, what, by) for d, kind, what, by in rows if d <= as_of)
