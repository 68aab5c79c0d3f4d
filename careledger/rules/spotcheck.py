"""Spot checks (抽查): a reproducible random sample of households per period, which anyone can re-draw by hand, and
the results recorded in `spot-checks/`.

The draw, exactly (docs/rules/spotcheck.md):

1. period key: `2026-11` (month), `2026-Q4` (quarter), `2026-H2` (half year), `2026` (year);
2. population = the households with at least one subject matching the spot check's `population` selector and in
   care on the period's first day; with `new_recipients_only`, a matching subject enrolled within the period
   instead (that list is settled when the period is over);
3. seed = SHA-256, hex, of the UTF-8 text `profile id`, `spot-check name`, `period key`, and the population's
   household ids joined by "," (sorted), joined by newlines ("\n", no newline at the end). The seed depends on the
   period and its population only, not on the git commit: the city and the township, on whatever commit of the
   quarter, draw the same list;
4. size n = ceil(rate × population), at least 1 when the population is not empty, computed in decimals;
5. each household's draw key = SHA-256, hex, of the UTF-8 text seed + "\n" + household id; the households sorted
   by draw key (then by id), and the first n are the sample, in that order.

Findings, from the results (`SpotCheckResult`, one per household checked, by phone or on site):
SPOT-FAILED for a failed check, SPOT-NOT-DRAWN for a result of a household not in the period's sample.
"""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal
from typing import Iterable

from ..findings import WARNING, Finding
from ..policy import SpotCheck
from ..records import SPOT_METHOD
from .periods import PERIOD_MONTHS, Period, parse_key, period_of

CODES = {
    "SPOT-FAILED": (WARNING, "抽查不合格：抽查发现的问题须整改"),
    "SPOT-NOT-DRAWN": (WARNING, "抽查结果的户不在该期抽查名单中"),
}


def check(facts) -> Iterable[Finding]:
    checks = {c.name: c for c in facts.profile.spot_checks}
    names = {h.id: h for h in facts.records.households}
    drawn_cache: dict = {}

    def drawn(spot_check, key):
        if (spot_check.name, key) not in drawn_cache:
            drawn_cache[spot_check.name, key] = sample(facts, spot_check, key)
        return drawn_cache[spot_check.name, key]

    for result in getattr(facts.records, "spot_checks", ()):
        spot_check = checks.get(result.spot_check)
        if spot_check is None or result.date > facts.as_of:
            continue  # E-REF-SPOT-CHECK is the loader's
        try:
            key = parse_key(result.period).key if result.period else period_key(result.date, spot_check.period)
        except ValueError:
            continue
        evidence = {"spot_check": spot_check.name, "period": key, "household": result.household,
                    "method": result.method, "checker": result.checker, "date": result.date.isoformat(),
                    "rule": spot_check.cite}
        staff = facts.staff.get(result.checker)
        who = f"{staff.name}（{result.checker}）" if staff else f"（编号 {result.checker}）"
        where = (f"{result.date} {who}{SPOT_METHOD[result.method]}（{spot_check.name} {key}）"
                 f"户 {result.household}")
        if result.household in names and result.household not in drawn(spot_check, key):
            yield Finding("SPOT-NOT-DRAWN", WARNING, f"{where} 不在该期抽查名单中：抽查应按名单进行，名单见内部报表",
                          result.source, subject=result.household, staff=result.checker, evidence=evidence)
        if not result.passed:
            yield Finding("SPOT-FAILED", WARNING, f"{where} 抽查不合格：{result.problems}",
                          result.source, subject=result.household, staff=result.checker,
                          evidence={**evidence, "problems": result.problems})


def period_key(day, period: str) -> str:
    """The key of the `period` ("month", "quarter", "half_year", "year") containing `day`: 2026-Q4 etc."""
    return period_of(day, PERIOD_MONTHS[period]).key


def seed(profile_id: str, name: str, key: str, population_ids=()) -> str:
    lines = (profile_id, name, key, ",".join(sorted(population_ids)))
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def draw_key(seed_hex: str, household_id: str) -> str:
    return hashlib.sha256(f"{seed_hex}\n{household_id}".encode("utf-8")).hexdigest()


def sample_size(rate: Decimal, population: int) -> int:
    if population == 0:
        return 0
    return max(1, math.ceil(Decimal(rate) * population))


def population(facts, spot_check: SpotCheck, period: str | Period) -> list[str]:
    """The ids of the households the spot check draws from in the period, sorted: in care on its first day, or, for
    new recipients only, with a matching subject enrolled within it."""
    if isinstance(period, str):
        period = parse_key(period)
    ids = set()
    for case in facts.cases:
        if not spot_check.population.matches(**case.selector_facts()):
            continue
        if spot_check.new_recipients_only:
            if not period.contains(case.start) or (case.end is not None and case.end <= case.start):
                continue
        elif not case.in_care_on(period.start):
            continue
        ids.add(case.household.id)
    return sorted(ids)


def sample(facts, spot_check: SpotCheck, period_key: str) -> list[str]:
    """The household ids drawn for this spot check and period, in draw order."""
    period = parse_key(period_key)
    pool = population(facts, spot_check, period)
    s = seed(facts.profile.id, spot_check.name, period.key, pool)
    ranked = sorted(pool, key=lambda h: (draw_key(s, h), h))
    return ranked[:sample_size(spot_check.rate, len(pool))]
