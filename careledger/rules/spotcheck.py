"""Spot checks (抽查): a reproducible random sample of households per period, which anyone can re-draw by hand.

The sample is a report, not a finding: `check` finds nothing. The draw, exactly (docs/rules/spotcheck.md):

1. period key: `2026-11` (month), `2026-Q4` (quarter), `2026-H2` (half year), `2026` (year);
2. seed = SHA-256, hex, of the UTF-8 text `profile id`, `spot-check name`, `period key`, `commit` joined by
   newlines ("\\n", no newline at the end); `commit` is the records' git commit id, "" when unknown;
3. population = the households with at least one subject matching the spot check's `population` selector and in
   care on at least one day of the period; with `new_recipients_only`, that subject must also have been enrolled
   within the period;
4. size n = ceil(rate × population), at least 1 when the population is not empty, computed in decimals;
5. each household's draw key = SHA-256, hex, of the UTF-8 text seed + "\\n" + household id; the households sorted
   by draw key (then by id), and the first n are the sample, in that order.
"""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal
from typing import Iterable

from ..findings import Finding
from ..policy import SpotCheck
from .periods import PERIOD_MONTHS, Period, parse_key, period_of

CODES: dict = {}


def check(facts) -> Iterable[Finding]:
    return []


def period_key(day, period: str) -> str:
    """The key of the `period` ("month", "quarter", "half_year", "year") containing `day`: 2026-Q4 etc."""
    return period_of(day, PERIOD_MONTHS[period]).key


def seed(profile_id: str, name: str, key: str, commit: str = "") -> str:
    return hashlib.sha256("\n".join((profile_id, name, key, commit or "")).encode("utf-8")).hexdigest()


def draw_key(seed_hex: str, household_id: str) -> str:
    return hashlib.sha256(f"{seed_hex}\n{household_id}".encode("utf-8")).hexdigest()


def sample_size(rate: Decimal, population: int) -> int:
    if population == 0:
        return 0
    return max(1, math.ceil(Decimal(rate) * population))


def population(facts, spot_check: SpotCheck, period: str | Period) -> list[str]:
    """The ids of the households the spot check draws from in the period, sorted."""
    if isinstance(period, str):
        period = parse_key(period)
    ids = set()
    for case in facts.cases:
        if not spot_check.population.matches(**case.selector_facts()):
            continue
        if case.start > period.end or (case.end is not None and case.end <= period.start) \
                or (case.end is not None and case.end <= case.start):
            continue
        if spot_check.new_recipients_only and not period.contains(case.start):
            continue
        ids.add(case.household.id)
    return sorted(ids)


def sample(facts, spot_check: SpotCheck, period_key: str, commit: str = "") -> list[str]:
    """The household ids drawn for this spot check and period, in draw order."""
    period = parse_key(period_key)
    pool = population(facts, spot_check, period)
    s = seed(facts.profile.id, spot_check.name, period.key, commit)
    ranked = sorted(pool, key=lambda h: (draw_key(s, h), h))
    return ranked[:sample_size(spot_check.rate, len(pool))]
