"""The rules engine: pure functions from (records, policy profile, as-of date) to findings.

One module per family of rules; each exposes `CODES` (every code it can emit, documented in docs/rules.md) and
`check(facts) -> iterable of Finding`. `RULES` lists them in a fixed order. A rule that raises becomes one finding
naming the rule, and the other rules still run.
"""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass
from functools import cached_property

from .. import progress
from ..findings import ERROR, Finding, Source
from ..policy import Profile
from . import agreements, assessment, assignment, audit, cadence, custody, pay, reviews, spotcheck
from . import content, ledgers, needs
from .cases import Case, all_cases, visits_by_case
from . import derived as derived_results, households


@dataclass(frozen=True)
class Facts:
    """What every rule reads. The derived indexes are computed once, on first use."""

    records: object  # careledger.load.Records
    profile: Profile
    as_of: dt.date
    history: object = None  # careledger.audit.History of the content, read from git; None: the audit finds nothing

    @cached_property
    def cases(self) -> list[Case]:
        return all_cases(self.records)

    @cached_property
    def in_care(self) -> list[Case]:
        return [c for c in self.cases if c.in_care_on(self.as_of)]

    @cached_property
    def visits(self) -> dict:
        """Visits per case key, dated no later than the as-of date."""
        index = visits_by_case(self.records)
        return {key: [v for v in visits if v.date <= self.as_of] for key, visits in index.items()}

    @cached_property
    def staff(self) -> dict:
        return self.records.staff_by_id

    # What more than one rule (or a rule and the views' share, rules/derived.py) would work out of the same facts,
    # worked out once per judgement and kept here: filled by the rule that owns each (cadence, reviews).
    @cached_property
    def counted_visits(self) -> dict:
        """(case key, id of a cadence rule) -> the case's visits that count for it (`cadence.counted_visits`)."""
        return {}

    @cached_property
    def review_cycles(self) -> dict:
        """household id -> its review cycles (`reviews.review_cycles`)."""
        return {}

    @cached_property
    def open_problem_places(self) -> list[tuple[int, int]]:
        """`reviews.open_problem_places` of the records' visits on the as-of date."""
        return reviews.open_problem_places(self.records.visits, self.as_of)

    @cached_property
    def derived(self) -> derived_results.Derived:
        """The rule results the views list besides the findings (gaps, visits due, monthly minimums, review cycles,
        open problems: derived.py), computed over every case; `judge(..., cached=True)` supplies them instead, merged
        from the household cache (the same values)."""
        return derived_results.of(self)


RULES = (cadence, assignment, assessment, custody, agreements, reviews, pay, spotcheck, audit, content, needs, ledgers)


def run_rules(records, as_of: dt.date, profile: Profile | None = None, history=None) -> list[Finding]:
    return judge(Facts(records, profile or records.profile, as_of, history))


def judge(facts: Facts, *, cached: bool = False, begun: households.Begun | None = None) -> list[Finding]:
    """Every family's findings on these facts (whose indexes the caller may go on using). `cached`: the
    household-local parts come from the household cache where a household's inputs are unchanged (households.py);
    the findings are the same, in the same order, and so is `facts.derived`, which the cache supplies too. `begun`:
    those parts as `households.begin` started them on the same records, before the history was read."""
    judged = _household_local(facts, begun) if cached else None
    local = judged.findings if judged is not None else None
    if judged is not None:  # the cached property's own slot: `facts.derived` is then read, not computed
        facts.__dict__["derived"] = judged.derived
    findings: list[Finding] = []
    with progress.Counter("检查政策规则", len(RULES), unit="类") as counter:
        for family in RULES:
            if local is not None and family in local:
                findings.extend(local[family])
                _run(family, households.COUNTY.get(family), facts, findings)
            else:
                _run(family, family.check, facts, findings)
            counter.advance()
    return findings


def _household_local(facts: Facts, begun: households.Begun | None = None) -> households.Judged | None:
    """The local parts' findings per family and the views' rule results, from the household cache; None when a rule
    raised (the whole jurisdiction is then judged as without the cache, so the crash is reported once, as there)."""
    try:
        return households.judge_households(facts, begun=begun)
    except Exception:
        return None


def _run(family, check, facts: Facts, findings: list[Finding]) -> None:
    if check is None:
        return
    name = family.__name__.rsplit(".", 1)[-1]
    try:
        findings.extend(check(facts))
    except Exception as exc:  # one broken rule must not hide the others' findings
        where = traceback.extract_tb(exc.__traceback__)[-1]
        findings.append(Finding("RULE-CRASH", ERROR, f"规则“{name}”运行出错：{exc!r}"
                                f"（{where.filename}:{where.lineno}）", Source(f"careledger/rules/{name}.py")))


def all_codes() -> dict[str, tuple[str, str]]:
    codes: dict[str, tuple[str, str]] = {"RULE-CRASH": (ERROR, "规则运行出错")}
    for family in RULES:
        codes.update(family.CODES)
    return codes
