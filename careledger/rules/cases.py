"""The facts rules share: each subject as a case (household, subject, member), when it is in care, and its visits.

Built once per run from the records; pure data, no policy.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from ..records import Household, Member, Subject, Visit

PAUSING_ABSENCES = ("hospital", "institution")  # cadence stops while someone else has the subject in care


@dataclass(frozen=True)
class Case:
    household: Household
    subject: Subject
    member: Member

    @cached_property
    def key(self) -> str:  # made once: the rules and the views ask for it a million times in a county
        return f"{self.household.id}/{self.member.id}"

    @property
    def start(self) -> dt.date:
        return self.subject.enrolled

    @cached_property
    def end(self) -> dt.date | None:
        """The first day the subject is no longer in care (exit of the subject or of the household)."""
        ends = [self.subject.exited]
        if self.household.status != "active":
            ends.append(self.household.status_date)
        ends = [d for d in ends if d is not None]
        return min(ends) if ends else None

    def in_care_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    @cached_property
    def pauses(self) -> tuple[tuple[dt.date, dt.date | None], ...]:
        """(first day, first day back or None) of each hospital or institutional stay."""
        return tuple(sorted((a.start, a.end) for a in self.subject.absences if a.kind in PAUSING_ABSENCES))

    def paused_on(self, day: dt.date) -> bool:
        return any(start <= day and (end is None or day < end) for start, end in self.pauses)

    def paused_during(self, first: dt.date, last: dt.date) -> bool:
        """Paused on some day from `first` to `last`: a stay that begins by `last` and ends after `first`."""
        return any(start <= last and (end is None or (end > first and end > start)) for start, end in self.pauses)

    def assigned(self, slot: str) -> tuple:
        """The staff ids named in an assignment slot (responsible, contact, caregiver, ...), in order, no repeats."""
        known = self.__dict__.get("_assigned")  # (asked for each visit of each rule: kept per slot, as `key` is)
        if known is None:
            known = self.__dict__["_assigned"] = {}
        people = known.get(slot)
        if people is None:
            value = getattr(self.subject.assigned, slot, None) if self.subject.assigned else None
            named = value if isinstance(value, tuple) else ((value,) if value else ())
            people = known[slot] = tuple(dict.fromkeys(named))
        return people

    def selector_facts(self) -> dict:
        """The keyword arguments of `policy.Selector.matches` for this subject."""
        return {"category": self.subject.category, "level": self.subject.level,
                "key_person": self.subject.key_person, "support_mode": self.subject.support_mode,
                "policies": self.household.policies}

    def label(self) -> str:
        return f"户 {self.household.id} 成员 {self.member.id}"


def all_cases(records) -> list[Case]:
    cases = []
    for household in records.households:
        for subject in household.subjects:
            member = household.member(subject.member)
            if member is not None:
                cases.append(Case(household, subject, member))
    return cases


def cases_in_care(records, as_of: dt.date) -> list[Case]:
    return [c for c in all_cases(records) if c.in_care_on(as_of)]


def visits_by_case(records) -> dict[str, list[Visit]]:
    """Visits per case key, in date order; a visit without `subjects` covers every subject of its household."""
    subjects_of = {h.id: [s.member for s in h.subjects] for h in records.households}
    index: dict[str, list[Visit]] = defaultdict(list)
    for visit in records.visits:
        for member in visit.subjects or subjects_of.get(visit.household, ()):
            index[f"{visit.household}/{member}"].append(visit)
    return index


def person(staff_by_id: dict, staff_id: str) -> str:
    """A person as findings name them: 姓名（编号）, never the id alone."""
    staff = staff_by_id.get(staff_id)
    return f"{staff.name}（{staff_id}）" if staff else f"（编号 {staff_id}，人员名单中没有此人）"
