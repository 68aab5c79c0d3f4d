"""Pick a person, household or village by name, part of a name, or id; a numbered choice when several match.

Every candidate is shown as 姓名（村，编号）, so two people of the same name are told apart by where they live.
"""

from __future__ import annotations

from dataclasses import dataclass

import click

SHOWN_AT_MOST = 20  # more matches than this: ask for more of the name instead of a long list


@dataclass(frozen=True)
class Candidate:
    key: str  # the id written into the record
    name: str
    place: str  # the village's name (or the jurisdiction's, for the street office)
    item: object  # the record: Staff, (Household, Subject), Household or Village
    aliases: tuple = ()  # other ids that pick it (a subject's household id)

    def label(self) -> str:
        return f"{self.name}（{self.place}，{self.key}）"


def staff_candidates(records) -> list[Candidate]:
    return [Candidate(s.id, s.name, _place(records, s.village), s) for s in records.staff]


def subject_candidates(records, day) -> list[Candidate]:
    """The subjects in care on the day (not yet exited)."""
    out = []
    for household in records.households:
        for subject in household.subjects:
            member = household.member(subject.member)
            if member is None or (subject.exited and subject.exited <= day):
                continue
            out.append(Candidate(f"{household.id}/{member.id}", member.name, _place(records, household.village),
                                 (household, subject), aliases=(household.id,)))
    return out


def household_candidates(records) -> list[Candidate]:
    """Households by id, or by the name of any member (the head first)."""
    out = []
    for household in records.households:
        names = [m.name for m in household.members]
        out.append(Candidate(household.id, "、".join(names[:3]) + ("等" if len(names) > 3 else ""),
                             _place(records, household.village), household, aliases=tuple(names)))
    return out


def village_candidates(records) -> list[Candidate]:
    return [Candidate(v.id, v.name, records.site.name, v) for v in records.site.villages]


def _place(records, village_id: str) -> str:
    village = records.site.village(village_id) if village_id else None
    return village.name if village else records.site.name


def matches(candidates: list[Candidate], query: str) -> list[Candidate]:
    """Exact id first, then exact name, then names (or ids) that contain the query."""
    q = query.strip()
    if not q:
        return []
    for test in (lambda c: q == c.key,
                 lambda c: q in c.aliases,
                 lambda c: q == c.name,
                 lambda c: q in c.name or q in c.key or any(q in a for a in c.aliases)):
        found = [c for c in candidates if test(c)]
        if found:
            return found
    return []


def choose(candidates: list[Candidate], query: str, what: str, option: str) -> Candidate:
    """The one candidate the query names; a numbered choice on the terminal when several match. Refuses
    (click.ClickException) when none match, or when several do and no choice can be read."""
    found = matches(candidates, query)
    if not found:
        raise click.ClickException(f"没有找到{what}“{query}”：请写姓名、姓名的一部分或编号")
    if len(found) == 1:
        return found[0]
    if len(found) > SHOWN_AT_MOST:
        raise click.ClickException(f"与“{query}”相符的{what}有 {len(found)} 个：请多写几个字，或写编号")
    click.echo(f"与“{query}”相符的{what}有 {len(found)} 个：")
    for i, c in enumerate(found, 1):
        click.echo(f"  {i}. {c.label()}")
    try:
        number = click.prompt("请选择序号", type=click.IntRange(1, len(found)))
    except click.Abort:
        raise click.ClickException(f"{what}“{query}”不唯一，未作选择：请用编号指定，例如 {option} {found[0].key}") from None
    return found[number - 1]


def ask(value: str | None, prompt: str, option: str) -> str:
    """The value given, or one asked for on the terminal; refuses when there is none to read."""
    if value:
        return value
    try:
        answer = click.prompt(prompt, default="", show_default=False).strip()
    except click.Abort:
        answer = ""
    if not answer:
        raise click.ClickException(f"缺少{prompt}：请用 {option} 给出")
    return answer
