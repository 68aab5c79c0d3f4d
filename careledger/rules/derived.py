"""The views' rule results besides the findings, household by household (issue 16).

The public view shows each subject's current gap (`cadence.current_gaps`); the reports and the desk list the visits
due (`cadence.due_list`), the monthly minimums still to meet (`cadence.month_short`), the review cycles missing or
due (`reviews.cycles_due`) and the open problems (`reviews.open_problems`). A household's share of each depends only
on what its household-local findings depend on (its records, the staff, the profile, the site settings, the as-of
date), so the household cache (households.py) keeps it beside them as a `Part`, and `merge` puts the parts of every
household together into what the functions give over the whole jurisdiction (`of`), in their order.

The views read `Facts.derived`: `of(facts)` on first use, unless `judge(facts, cached=True)` supplied the merged
parts (the same values; tests/test_rules_households.py compares them).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import cadence, reviews


@dataclass(frozen=True)
class Derived:
    """The views' rule results over the whole jurisdiction."""

    gaps: dict  # case key -> days without a counted responsible visit (`cadence.current_gaps`)
    due: list  # [cadence.Due], as `cadence.due_list` sorts them
    short: list  # [cadence.MonthShort], as `cadence.month_short` sorts them
    cycles: list  # [reviews.CycleDue], households in the records' order
    problems: list  # [(visit, problem)], as `reviews.open_problems` of the records' visits


@dataclass(frozen=True)
class Part:
    """One household's share, as the cache keeps it: its open problems as places among its own visits
    (`reviews.open_problem_places`), not as copies of the visits; its gaps as where they count from
    (`cadence.current_gap_starts`) and its monthly minimums without the days left, both counted on the as-of date by
    `merge`: so a share holds from day to day until something in it changes (rules/daywatch.py)."""

    gaps: dict  # case key -> (cadence.GapFrom, ...)
    due: list
    short: list  # [cadence.MonthShort] with days_left 0
    cycles: list
    problems: list  # [(index among the household's visits, index among that visit's problems)]


def of(facts) -> Derived:
    """Every result computed over every case."""
    return Derived(cadence.current_gaps(facts), cadence.due_list(facts), cadence.month_short(facts),
                   reviews.cycles_due(facts), reviews.open_problems(facts.records.visits, facts.as_of))


def part(facts) -> Part:
    """A household's share, from facts restricted to it (`households.restricted`: its visits in the records' order)."""
    return Part(cadence.current_gap_starts(facts), cadence.due_list(facts),
                cadence.month_short(facts, days_left=False),
                reviews.cycles_due(facts), facts.open_problem_places)


def well_formed(mine: Part) -> bool:
    """A part read back from the cache has the types `part` gives (a foreign pickle may not)."""
    return (isinstance(mine.gaps, dict) and isinstance(mine.due, list) and isinstance(mine.short, list)
            and isinstance(mine.cycles, list) and isinstance(mine.problems, list)
            and all(isinstance(g, tuple) and all(isinstance(x, cadence.GapFrom) for x in g) for g in mine.gaps.values())
            and all(isinstance(r, cadence.Due) for r in mine.due)
            and all(isinstance(r, cadence.MonthShort) for r in mine.short)
            and all(isinstance(c, reviews.CycleDue) for c in mine.cycles))


def merge(parts, as_of) -> Derived:
    """`of` the whole on `as_of`, from [(unit, part)] of every household (`households.units`, in their order): each
    list in household order, then sorted as the whole functions sort it (stably: the ties of one subject keep its
    order); the open problems in the records' order of visits, which is the loader's; the gaps and days left counted
    on `as_of`."""
    gaps: dict = {}
    due, short, cycles, problems = [], [], [], []
    for unit, mine in parts:
        gaps.update(cadence.gap_days(mine.gaps, as_of))
        due += mine.due
        short += [cadence.with_days_left(row, as_of) for row in mine.short]
        cycles += mine.cycles
        problems += [(unit.visits[i], j) for i, j in mine.problems]
    due.sort(key=cadence.due_order)
    short.sort(key=cadence.short_order)
    # the loader's order of visits (load._Reader.dated_lists, as households._in_order), then the visit's problems
    problems.sort(key=lambda vj: (vj[0].date, vj[0].source.file, vj[0].source.line, vj[0].source.column, vj[1]))
    return Derived(gaps, due, short, cycles, [(visit, visit.problems[j]) for visit, j in problems])
