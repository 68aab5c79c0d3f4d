"""What a form's record paths read: one context per nature of form, built from the household dossiers.

A form is filled once per subject, per household, per village, or once for the whole jurisdiction (a roster). Each
nature has its context type below; a field's `path` in `forms/<name>.yaml` is a dotted path into it
(`member.id_number`, `subject.responsible_at[township].phone`, `dossier.policy_codes`), checked against these types
when the form definitions are loaded, so a misspelt path is an error with its file and line, not an empty field.
Every leaf is display text, a yes/no, or a list of codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..views.dossier import (CustodyView, Dossier, InspectionRow, MemberRow, Person, SubjectRow, VisitRow)

PATROL_ROWS = 12  # Tianhu's patrol ledger: one household, one page


@dataclass(frozen=True)
class SiteInfo:
    name: str  # 辖区（街道、乡镇）
    parent: str
    office_phone: str
    as_of: str
    commit: str
    profile_title: str


@dataclass(frozen=True)
class SubjectContext:
    """One subject in care: their household's dossier, the subject and member, and their latest records."""

    site: SiteInfo
    dossier: Dossier
    subject: SubjectRow
    member: MemberRow
    visit: VisitRow | None  # the latest visit covering the subject, one with a service checklist first
    visits: tuple[VisitRow, ...]  # every visit covering the subject, oldest first
    inspection: InspectionRow | None  # the latest inspection of the subject's contact
    custody: CustodyView | None
    other_policies: str  # 享受政策 beyond Wangcheng annex 1's five check boxes, and policies_other


@dataclass(frozen=True)
class HouseholdContext:
    site: SiteInfo
    dossier: Dossier
    patrols: tuple[VisitRow, ...]  # the latest visits, oldest first, as many as one page holds
    subjects: str  # names and categories of the subjects, one line
    difficulties: str  # the open needs, one line


@dataclass(frozen=True)
class SubjectLine:
    """One subject as a roster row."""

    household_id: str
    name: str
    sex: str
    age: str
    id_number: str
    phone: str
    address: str
    household_size: str
    category: str
    level: str
    key_person: str
    policies: str
    difficulties: str  # the household's open needs
    measures: str
    responsible: str  # names and phones
    contact: str
    coordinator: str
    village_cadre: str  # 包保人 at each office level: name, post, phone
    township_cadre: str
    district_cadre: str
    city_cadre: str
    last_visit: str  # date, who and how
    dossier: Dossier
    subject: SubjectRow


@dataclass(frozen=True)
class HouseholdLine:
    """One household as a ledger row (Guiyang's screening ledger)."""

    household_id: str
    head: str
    head_id_number: str
    address: str
    policies: str
    household_size: str
    members: str  # age structure, employment, schooling, disability, illness, one line a member
    needs: str
    measures: str
    screened_on: str  # the latest visit
    screened_how: str
    screened_by: str
    dossier: Dossier


@dataclass(frozen=True)
class VillageContext:
    site: SiteInfo
    village_id: str
    village: str
    subjects: tuple[SubjectLine, ...]  # subjects in care, by household
    households: tuple[HouseholdLine, ...]  # households not exited


@dataclass(frozen=True)
class RosterContext:
    """The whole jurisdiction: its subjects and its staff by role."""

    site: SiteInfo
    subjects: tuple[SubjectLine, ...]
    coordinators: tuple[Person, ...]  # 社会救助协理员
    collectors: tuple[Person, ...]  # 困难救助信息采集组成员
    staff: tuple[Person, ...]


NATURE_CONTEXT = {"subject": SubjectContext, "household": HouseholdContext, "village": VillageContext,
                  "roster": RosterContext}


def site_info(records, as_of: dt.date, commit: str) -> SiteInfo:
    site = records.site
    return SiteInfo(name=site.name, parent=site.parent or "", office_phone=site.office_phone or "",
                    as_of=as_of.isoformat(), commit=commit, profile_title=records.profile.title)


def subject_contexts(site: SiteInfo, dossier: Dossier) -> list[tuple[str, SubjectContext]]:
    """(key, context) for each subject in care; the key names the output file."""
    out = []
    for s in dossier.subjects_in_care:
        mine = [v for v in reversed(dossier.visits) if not v.subject_ids or s.member_id in v.subject_ids]
        with_checklist = [v for v in mine if v.checklist]
        latest = (with_checklist or mine)[-1] if mine else None
        inspection = next((i for i in dossier.inspections if i.subject == s.member_id), None)
        custody = next((c for c in dossier.custody if c.subject == s.member_id), None)
        out.append((f"{dossier.household_id}-{s.member_id}",
                    SubjectContext(site=site, dossier=dossier, subject=s, member=s.member, visit=latest,
                                   visits=tuple(mine), inspection=inspection, custody=custody,
                                   other_policies=_other_policies(dossier))))
    return out


def household_context(site: SiteInfo, dossier: Dossier) -> HouseholdContext:
    return HouseholdContext(site=site, dossier=dossier, patrols=tuple(reversed(dossier.visits[:PATROL_ROWS])),
                            subjects="；".join(f"{s.name}（{s.category}{' ' + s.level if s.level else ''}）"
                                              for s in dossier.subjects_in_care),
                            difficulties=_needs(dossier))


def subject_lines(dossiers) -> tuple[SubjectLine, ...]:
    lines = []
    for d in dossiers:
        for s in d.subjects_in_care:
            at = s.responsible_at
            last = next((v for v in d.visits if not v.subject_ids or s.member_id in v.subject_ids), None)
            lines.append(SubjectLine(
                household_id=d.household_id, name=s.name, sex=s.member.sex, age=s.member.age,
                id_number=s.member.id_number, phone=s.member.phone or s.member.landline, address=d.address,
                household_size=str(len(d.members)), category=s.category, level=s.level, key_person=s.key_person,
                policies="、".join(d.policies), difficulties=_needs(d), measures=_measures(d),
                responsible="；".join(_reach(p) for p in s.responsible), contact=_reach(s.contact),
                coordinator=_reach(s.coordinator),
                village_cadre=_reach(at.get("village")), township_cadre=_reach(at.get("township")),
                district_cadre=_reach(at.get("district")), city_cadre=_reach(at.get("city")),
                last_visit=f"{last.date} {last.visitor.name} {last.mode}" if last else "",
                dossier=d, subject=s))
    return tuple(lines)


def household_lines(dossiers) -> tuple[HouseholdLine, ...]:
    lines = []
    for d in dossiers:
        if d.status == "已退出":
            continue
        head = d.head
        last = d.visits[0] if d.visits else None
        lines.append(HouseholdLine(
            household_id=d.household_id, head=head.name if head else "", head_id_number=head.id_number if head else "",
            address=d.address, policies="、".join(d.policies), household_size=str(len(d.members)),
            members="\n".join(_member_line(m) for m in d.members), needs=_needs(d, open_only=False),
            measures=_measures(d), screened_on=last.date if last else "", screened_how=last.mode if last else "",
            screened_by=last.visitor.name if last else "", dossier=d))
    return tuple(lines)


def village_context(site: SiteInfo, village_id: str, village: str, dossiers) -> VillageContext:
    mine = [d for d in dossiers if d.village_id == village_id]
    return VillageContext(site=site, village_id=village_id, village=village, subjects=subject_lines(mine),
                          households=household_lines(mine))


def roster_context(site: SiteInfo, dossiers, staff: tuple[Person, ...], roles: dict[str, tuple[str, ...]]
                   ) -> RosterContext:
    """`roles` maps a staff id to its role codes."""
    return RosterContext(site=site, subjects=subject_lines(dossiers),
                         coordinators=tuple(p for p in staff if "coordinator" in roles.get(p.id, ())),
                         collectors=tuple(p for p in staff if "collector" in roles.get(p.id, ())), staff=staff)


ANNEX_POLICIES = ("registered_poor", "dibao", "tekun", "orphan", "disability_allowances")  # 望城 附件1 的勾选项


def _other_policies(d: Dossier) -> str:
    others = [label for code, label in zip(d.policy_codes, d.policies) if code not in ANNEX_POLICIES]
    return "、".join(others + ([d.policies_other] if d.policies_other else []))


def _needs(d: Dossier, open_only: bool = True) -> str:
    return "；".join(n.need for n in d.needs if not open_only or n.status in ("待解决", "落实中"))


def _measures(d: Dossier) -> str:
    return "；".join(f"{n.need}：{n.measure}" for n in d.needs if n.measure)


def _reach(p: Person | None) -> str:
    if p is None or not p.name:
        return ""
    return " ".join(x for x in (p.name, p.post, p.phone) if x)


def _member_line(m: MemberRow) -> str:
    parts = [m.name, m.relation, f"{m.age}岁" if m.age else "", m.employment, m.schooling, m.disability, m.illness]
    return " ".join(p for p in parts if p)
