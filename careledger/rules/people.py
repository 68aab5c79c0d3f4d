"""How the document rules name people in messages: the name, with the id in brackets."""

from __future__ import annotations


def staff_name(facts, staff_id: str) -> str:
    person = facts.staff.get(staff_id)
    return f"{person.name}（{staff_id}）" if person else f"（{staff_id}）"


def staff_names(facts, staff_ids) -> str:
    return "、".join(staff_name(facts, s) for s in staff_ids) or "（无）"


def member_name(household, member_id: str) -> str:
    member = household.member(member_id)
    return f"{member.name}（{household.id}/{member_id}）" if member else f"（{household.id}/{member_id}）"


def household_names(household) -> str:
    """The names of the household's subjects, else of its first member."""
    names = [household.member(s.member).name for s in household.subjects if household.member(s.member)]
    return "、".join(names) or (household.members[0].name if household.members else "")


def case_name(case) -> str:
    return f"{case.member.name}（{case.key}）"
