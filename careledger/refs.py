"""What the visits of one record file refer to, summed up when the file is parsed and cached with its records
(bulkread.py). The checks across visits (integrity.py) then add up a summary a file instead of walking every visit
of the county on every build: a hundred thousand visits, each a few cache misses away."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from . import lookfor
from .lookfor import looked_for
from .personal import values_of
from .records import Household, Visit
from .slotted import compact


@compact
@dataclass(frozen=True, slots=True)
class VisitRefs:
    """A file's summary holds sorted tuples (a county has one a visit file: 166,000 at 25,000 households, where a
    small frozenset takes four times a tuple's memory, and an instance's dict as much again); `union` gives
    frozensets."""

    staff: Collection[str]  # visitors and companions (an empty one is no reference)
    households: Collection[str]
    subjects: Collection[tuple[str, str]]  # (household, member)
    problems: bool  # a visit finds or resolves a problem: the only state carried from one visit to the next


@compact
@dataclass(frozen=True, slots=True)
class PersonalValues:
    values: tuple  # (value, mark, kind) of each `personal.Personal` of the file's households, in their order
    forms: tuple = ()  # each value as the proof looks for it (lookfor.looked_for), in the same order
    reading: str = ""  # lookfor.version() of the forms: forms of another version are not used


def of_file(records: list) -> VisitRefs | PersonalValues | None:
    """The summary of a file's records: what its visits refer to, a household file's personal values, or None
    (nothing to sum up)."""
    visits = [record for record in records if type(record) is Visit]
    if visits:
        return of_visits(visits)
    households = [record for record in records if type(record) is Household]
    return personal_values(households) if households else None


def personal_values(records) -> PersonalValues:
    values = tuple((p.value, p.mark, p.kind) for record in records for p in values_of(record))
    return PersonalValues(values, tuple(looked_for(raw, mark) for raw, mark, _ in values), lookfor.version())


def of_visits(visits) -> VisitRefs:
    staff = {visit.visitor for visit in visits}
    staff.update(companion for visit in visits for companion in visit.companions)
    staff -= {"", None}  # not a reference (integrity's staff_ref passes them)
    subjects = {(visit.household, member) for visit in visits for member in visit.subjects}
    return VisitRefs(tuple(sorted(staff)), tuple(sorted({visit.household for visit in visits})), tuple(sorted(subjects)),
                     any(visit.problems or visit.resolved for visit in visits))


def union(summaries) -> VisitRefs:
    """The summary of several files' visits; None (a file without visits) adds nothing."""
    present = [summary for summary in summaries if summary is not None]
    return VisitRefs(frozenset().union(*(s.staff for s in present)),
                     frozenset().union(*(s.households for s in present)),
                     frozenset().union(*(s.subjects for s in present)),
                     any(s.problems for s in present))
