"""The records as ledger rows: one value per column key (see layouts.py), as the office reads it.

People are named `姓名（编号）` so that a row read back finds the same person even where two share a name; choices
are their Chinese labels, dates ISO, yes/no 是/否, lists joined with 、 and a household's needs one a line.
"""

from __future__ import annotations

import datetime as dt

from .. import vocab

SEP = "、"


def person(staff_by_id, sid: str | None) -> str:
    if not sid:
        return ""
    s = staff_by_id.get(sid)
    return f"{s.name}（{sid}）" if s is not None else sid


def people(staff_by_id, ids) -> str:
    return SEP.join(person(staff_by_id, i) for i in ids)


def yes_no(value) -> str:
    return "" if value is None else ("是" if value else "否")


def label(vocabulary: dict, code) -> str:
    return vocabulary.get(code, code) if code else ""


def iso(day) -> str:
    return day.isoformat() if day else ""


def in_care(subject, as_of: dt.date) -> bool:
    return subject.enrolled <= as_of and (subject.exited is None or subject.exited > as_of)


def _named(options, code: str | None) -> str:
    """A profile's category or level by its name (一类, 三级), as the documents write it."""
    return next((o.name for o in options if o.code == code), code or "")


def _needs(h) -> str:
    return "\n".join(n.need for n in h.needs)


def _measures(h) -> str:
    return "\n".join(f"{n.need}：{n.measure}" for n in h.needs if n.measure)


def _member_line(m, as_of) -> str:
    age = m.age_on(as_of)
    parts = [m.name, label(vocab.RELATION, m.relation), f"{age}岁" if age is not None else "",
             label(vocab.EMPLOYMENT, m.employment), label(vocab.SCHOOLING, m.schooling), m.illness or ""]
    return " ".join(p for p in parts if p)


def household_row(records, h, member, subject, as_of: dt.date) -> dict[str, str]:
    """A row about `member` of household `h` (their subject entry, or None)."""
    staff = records.staff_by_id
    village = records.site.village(h.village)
    age = member.age_on(as_of) if member is not None else None
    row = {
        "household_id": h.id, "village": village.name if village else h.village, "group": h.group or "",
        "address": h.address, "status": label(vocab.HOUSEHOLD_STATUS, h.status), "status_date": iso(h.status_date),
        "status_reason": h.status_reason or "", "policies": SEP.join(label(vocab.POLICY, p) for p in h.policies),
        "needs": _needs(h), "measures": _measures(h), "note": h.note or "",
        "household_size": str(len(h.members)), "members": "\n".join(_member_line(m, as_of) for m in h.members),
    }
    if member is not None:
        row.update({
            "member_id": member.id, "name": member.name, "relation": label(vocab.RELATION, member.relation),
            "sex": label(vocab.SEX, member.sex), "birth_date": iso(member.birth_date), "age": "" if age is None else str(age),
            "id_number": member.id_number or "", "phone": member.phone or "", "landline": member.landline or "",
            "marital_status": label(vocab.MARITAL_STATUS, member.marital_status),
        })
    if subject is not None:
        assigned = subject.assigned
        row.update({
            "category": _named(records.profile.categories, subject.category),
            "level": _named(records.profile.levels, subject.level), "key_person": yes_no(subject.key_person),
            "support_mode": label(vocab.SUPPORT_MODE, subject.support_mode), "enrolled": iso(subject.enrolled),
            "responsible": people(staff, assigned.responsible if assigned else ()),
            "contact": people(staff, assigned.contact if assigned else ()),
        })
    return row


def subject_rows(records, as_of: dt.date, every_household: bool = False) -> list[dict[str, str]]:
    """One row per subject in care on `as_of`, by household; with `every_household`, a household with none has a
    row about its head."""
    out = []
    for h in sorted(records.households, key=lambda h: (h.village, h.id)):
        members = {m.id: m for m in h.members}
        rows = [household_row(records, h, members.get(s.member), s, as_of) for s in h.subjects if in_care(s, as_of)]
        if not rows and every_household and h.members:
            head = next((m for m in h.members if m.relation == "self"), h.members[0])
            rows = [household_row(records, h, head, None, as_of)]
        out += rows
    return out


def household_rows(records, as_of: dt.date) -> list[dict[str, str]]:
    """One row per household not exited, about its head (the member `self`, else the first)."""
    out = []
    for h in sorted(records.households, key=lambda h: (h.village, h.id)):
        if h.status == "exited" or not h.members:
            continue
        head = next((m for m in h.members if m.relation == "self"), h.members[0])
        subject = next((s for s in h.subjects if s.member == head.id), None)
        out.append(household_row(records, h, head, subject, as_of))
    return out


def visit_rows(records, as_of: dt.date, since: dt.date | None = None) -> list[dict[str, str]]:
    staff = records.staff_by_id
    out = []
    for v in records.visits:
        if v.date > as_of or (since is not None and v.date < since):
            continue
        h = records.households_by_id.get(v.household)
        names = {m.id: m.name for m in h.members} if h else {}
        village = records.site.village(h.village) if h else None
        out.append({
            "date": iso(v.date), "household_id": v.household, "village": village.name if village else "",
            "subjects": SEP.join(f"{names.get(m, m)}（{m}）" for m in v.subjects), "visitor": person(staff, v.visitor),
            "duty": label(vocab.DUTY, v.duty), "mode": label(vocab.VISIT_MODE, v.mode), "seen": yes_no(v.seen),
            "companions": people(staff, v.companions),
            "activities": SEP.join(label(vocab.ACTIVITY, a) for a in v.activities), "visit_note": v.note or "",
        })
    return out


def staff_rows(records) -> list[dict[str, str]]:
    out = []
    for s in records.staff:
        village = records.site.village(s.village) if s.village else None
        out.append({
            "unit": village.name if village else "街道（乡镇）本级", "staff_id": s.id, "name": s.name,
            "roles": SEP.join(label(vocab.ROLE, r) for r in s.roles), "sex": label(vocab.SEX, s.sex),
            "post": s.post or "", "phone": s.phone or "", "office_phone": s.office_phone or "",
            "party_member": yes_no(s.party_member), "since": iso(s.since), "left": iso(s.left),
        })
    return out
