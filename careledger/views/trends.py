"""Trends for the supervisor's desk: the on-time rate of each village by month, and warnings by month.

A subject is on time in a month when none of its visiting duties was over its interval on any day of that month it
was in care (a gap from `overdue_on` to the visit that closed it, or to the as-of date). The rate of a village is its
subjects in care in the month that were on time. Warnings (预警) are counted once per gap, in the month it was raised,
whoever answered for it. Months run from the records' start (`records_since`, else the first enrolment) to the
as-of date's month, at most the last twelve; the last month runs to the as-of date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from ..rules import cadence

MONTHS = 12


@dataclass(frozen=True)
class VillageTrend:
    name: str
    on_time: tuple[int | None, ...]  # percent per month; None when nobody was in care
    in_care: tuple[int, ...]
    warnings: tuple[int, ...]


@dataclass(frozen=True)
class Trends:
    months: tuple[str, ...]  # yyyy-mm
    villages: tuple[VillageTrend, ...]
    warnings: tuple[int, ...]  # the whole jurisdiction's, per month
    alerts: bool  # whether the profile has warnings (预警); Tianhu's counts gaps past the upper limit


def build_trends(facts, findings) -> Trends:
    months = _months(facts)
    all_gaps = cadence.gaps(findings, facts.as_of)
    late_months: dict[str, set] = {}
    for gap in all_gaps:
        for month, (first, last) in months.items():
            if gap.overdue_on <= last and gap.until >= first:
                late_months.setdefault(gap.subject, set()).add(month)
    raised = {(g.subject, g.duty, g.raised_on) for g in all_gaps if g.raised_on}
    village_of = {c.key: c.household.village for c in facts.cases}
    cases_of: dict[str, list] = {}
    for c in facts.cases:
        cases_of.setdefault(c.household.village, []).append(c)
    raised_in: dict[str, list] = {}
    for subject, _, day in raised:
        raised_in.setdefault(village_of.get(subject, ""), []).append(day)
    villages = []
    for village in facts.records.site.villages:
        # each case's span and late months, taken once for the months below
        spans = [(c.start, c.end, late_months.get(c.key, ())) for c in cases_of.get(village.id, [])]
        rates, counts, warned = [], [], []
        for month, (first, last) in months.items():
            in_care = [late for start, end, late in spans if start <= last and (end is None or end > first)]
            on_time = sum(1 for late in in_care if month not in late)
            counts.append(len(in_care))
            rates.append(round(100 * on_time / len(in_care)) if in_care else None)
            warned.append(sum(1 for day in raised_in.get(village.id, ()) if first <= day <= last))
        villages.append(VillageTrend(village.name, tuple(rates), tuple(counts), tuple(warned)))
    totals = tuple(sum(1 for _, _, day in raised if first <= day <= last) for first, last in months.values())
    return Trends(tuple(months), tuple(villages), totals, cadence.alerts_named(facts.profile))


def _months(facts) -> dict[str, tuple[dt.date, dt.date]]:
    """yyyy-mm → (first day, last day counted) for each month shown."""
    as_of = facts.as_of
    since = facts.records.site.records_since or min((c.start for c in facts.cases), default=as_of)
    year, month = as_of.year, as_of.month
    out = []
    while len(out) < MONTHS:
        first = dt.date(year, month, 1)
        last = min(as_of, dt.date(year, month, calendar.monthrange(year, month)[1]))
        if last < since:
            break
        out.append((f"{year:04d}-{month:02d}", (max(first, since), last)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return dict(reversed(out))
