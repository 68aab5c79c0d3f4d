"""Reviews (动态调整), follow-up of households that left assistance (跟踪服务) and the closed loop of problems (闭环).

Reviews: the profile's `review.cycle_months` cuts the calendar into cycles (3 → quarters Q1 Jan–Mar … Q4 Oct–Dec).
A household must have a review (`reviews:` in its file) dated inside every cycle it was in care for from the cycle's
first day to its last; a cycle is judged only once it is over, so the current cycle is merely due. A household
enrolled mid-quarter is first due in its first full quarter; cycles that begin before the site's `records_since`
are not judged.

Follow-up: a household with `status: exited` is followed for `review.follow_up_months` from its `status_date`. That
period is cut into windows of `cycle_months` counted from the exit day (the last window may be shorter), and each
window, once over, must hold at least one visit record of the household, whoever made it and however.

Closed loop: a problem found on a visit stays open until a visit's `resolved:` names it. Open past its deadline →
PRB-OVERDUE; open with no deadline for longer than the profile's `problem_open_days` → PRB-OPEN-LONG; a major risk
(`risk: true`, 重大风险隐患) still open → PRB-RISK-OPEN, whatever its deadline. Problems are judged while the
household is followed: in care on the as-of date, or within its follow-up period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from ..findings import ERROR, WARNING, Finding
from .periods import ONE_DAY, Period, add_months, periods_between

CODES = {
    "REV-MISSING": (WARNING, "某个已结束的复核周期（如季度）内没有动态调整复核记录"),
    "FUP-MISSING": (WARNING, "已退出的家庭在跟踪期的某一段内没有任何走访记录（跟踪服务）"),
    "PRB-OVERDUE": (WARNING, "走访发现的问题已过限期仍未办结（闭环）"),
    "PRB-OPEN-LONG": (WARNING, "走访发现的问题未定限期，且超过规定天数仍未办结（闭环）"),
    "PRB-RISK-OPEN": (ERROR, "走访发现的重大风险隐患尚未消除（办结），包保责任人须立即处置"),
}

LOOP_BASIS = "闭环：走访发现的问题跟进至办结（黔东南州实施意见 五（二）；重大风险隐患预警：望办〔2020〕33号 三（二））"


def check(facts) -> Iterable[Finding]:
    spans = care_spans(facts.cases)
    for household in facts.records.households:
        yield from _reviews(household, spans.get(household.id, []), facts)
        yield from _follow_up(household, facts)
    yield from _problems(facts, spans)


# --- reviews --------------------------------------------------------------------------------------------------


def care_spans(cases) -> dict[str, list[tuple[dt.date, dt.date | None]]]:
    """Per household, the merged spans [first day, first day out or None) in which some subject was in care."""
    raw: dict[str, list] = defaultdict(list)
    for case in cases:
        if case.end is None or case.end > case.start:
            raw[case.household.id].append((case.start, case.end))
    merged: dict[str, list] = {}
    for household, spans in raw.items():
        out: list[list] = []
        for start, end in sorted(spans, key=lambda s: s[0]):
            if out and (out[-1][1] is None or start <= out[-1][1]):
                if out[-1][1] is not None and (end is None or end > out[-1][1]):
                    out[-1][1] = end
            else:
                out.append([start, end])
        merged[household] = [tuple(s) for s in out]
    return merged


def in_care_throughout(spans, period: Period) -> bool:
    return any(start <= period.start and (end is None or end > period.end) for start, end in spans)


def review_cycles(household, spans, cycle_months: int, as_of: dt.date, since: dt.date | None = None):
    """(cycle, reviews in it, state) for every cycle the household was in care throughout, up to the current one.
    state is "reviewed", "missing" (over, no review) or "due" (not over yet, no review so far)."""
    if not spans:
        return []
    reviews = [r for r in household.reviews if r.date <= as_of]
    out = []
    for cycle in periods_between(spans[0][0], as_of, cycle_months):
        if since and cycle.start < since:
            continue
        over = cycle.end < as_of
        if not in_care_throughout(spans, cycle if over else Period(cycle.key, cycle.start, as_of)):
            continue
        found = [r for r in reviews if cycle.contains(r.date)]
        out.append((cycle, found, "reviewed" if found else ("missing" if over else "due")))
    return out


@dataclass(frozen=True)
class CycleDue:
    """A review cycle of a household with no review in it: "missing" (the cycle is over) or "due" (the current one)."""

    household: str
    cycle: Period
    state: str
    last_review: dt.date | None  # the household's last review on or before the as-of date


def cycles_due(facts) -> list[CycleDue]:
    """Every household's cycles missing or due (`review_cycles`), households in the records' order."""
    spans = care_spans(facts.cases)
    out = []
    for household in facts.records.households:
        for cycle, _, state in _cycles_of(facts, household, spans.get(household.id, [])):
            if state == "reviewed":
                continue
            last = max((r.date for r in household.reviews if r.date <= facts.as_of), default=None)
            out.append(CycleDue(household.id, cycle, state, last))
    return out


def _cycles_of(facts, household, spans) -> list:
    """`review_cycles` of the household under the facts' policy and date, worked out once per judgement: the check
    and the views' share of the same facts (`cycles_due`) both ask. `spans`: `care_spans` of the facts' cases."""
    known = facts.review_cycles
    cycles = known.get(household.id)
    if cycles is None:
        policy = facts.profile.review
        cycles = known[household.id] = review_cycles(household, spans, policy.cycle_months, facts.as_of,
                                                     facts.records.site.records_since)
    return cycles


def _reviews(household, spans, facts) -> Iterable[Finding]:
    policy = facts.profile.review
    for cycle, _, state in _cycles_of(facts, household, spans):
        if state != "missing":
            continue
        last = max((r.date for r in household.reviews if r.date < cycle.start), default=None)
        before = f"，上次复核 {last}" if last else "，此前没有复核记录"
        yield Finding("REV-MISSING", WARNING,
                      f"户 {household.id} {cycle.label}（{cycle.start} 至 {cycle.end}）没有动态调整复核记录"
                      f"（每 {policy.cycle_months} 个月至少复核一次{before}）",
                      household.source, path="reviews", subject=household.id,
                      evidence={"cycle": cycle.key, "start": cycle.start.isoformat(), "end": cycle.end.isoformat(),
                                "last_review": last.isoformat() if last else None,
                                "cycle_months": policy.cycle_months, "rule": policy.cite})


# --- follow-up ------------------------------------------------------------------------------------------------


def follow_up_windows(household, policy) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each window of the follow-up period of an exited household; [] if none."""
    if household.status != "exited" or not household.status_date or not policy.follow_up_months:
        return []
    start = household.status_date
    stop = add_months(start, policy.follow_up_months)  # first day after the period
    step = min(policy.cycle_months, policy.follow_up_months)
    windows, i = [], 0
    while True:
        first = add_months(start, i * step)
        if first >= stop:
            return windows
        windows.append((first, min(add_months(start, (i + 1) * step), stop) - ONE_DAY))
        i += 1


def in_follow_up(household, policy, day: dt.date) -> bool:
    windows = follow_up_windows(household, policy)
    return bool(windows) and windows[0][0] <= day <= windows[-1][1]


def _follow_up(household, facts) -> Iterable[Finding]:
    policy = facts.profile.review
    windows = follow_up_windows(household, policy)
    if not windows:
        return
    dates = [v.date for v in facts.records.visits if v.household == household.id and v.date <= facts.as_of]
    staff = _principal(household)
    for n, (first, last) in enumerate(windows, 1):
        if last >= facts.as_of or any(first <= d <= last for d in dates):
            continue
        yield Finding("FUP-MISSING", WARNING,
                      f"户 {household.id} 已于 {household.status_date} 退出，跟踪服务第 {n} 段（{first} 至 {last}）"
                      f"没有走访记录（退出后跟踪 {policy.follow_up_months} 个月，每 "
                      f"{min(policy.cycle_months, policy.follow_up_months)} 个月至少走访一次）",
                      household.source, path="status", subject=household.id, staff=staff,
                      evidence={"exited": household.status_date.isoformat(), "window": n,
                                "start": first.isoformat(), "end": last.isoformat(),
                                "follow_up_until": windows[-1][1].isoformat(),
                                "follow_up_months": policy.follow_up_months, "rule": policy.cite})


def _principal(household, members=()) -> str:
    """The first responsible cadre of the household's subjects (of `members` when given)."""
    for subject in household.subjects:
        if members and subject.member not in members:
            continue
        if subject.assigned and subject.assigned.responsible:
            return subject.assigned.responsible[0]
    return ""


# --- the closed loop ------------------------------------------------------------------------------------------


def open_problems(visits, as_of: dt.date) -> list[tuple[object, object]]:
    """(visit, problem) for every problem found on or before `as_of` and not resolved by then, in the visits' order."""
    return [(visits[i], visits[i].problems[j]) for i, j in open_problem_places(visits, as_of)]


def open_problem_places(visits, as_of: dt.date) -> list[tuple[int, int]]:
    """`open_problems` as places: (the visit's index in `visits`, the problem's index in its `problems`). The
    household cache keeps these rather than copies of the visits (rules/derived.py)."""
    found, closed = [], set()
    for i, visit in enumerate(visits):
        if visit.date > as_of:
            continue
        found += [(i, j) for j in range(len(visit.problems))]
        closed.update((visit.household, r.problem) for r in visit.resolved)
    return [(i, j) for i, j in found if (visits[i].household, visits[i].problems[j].id) not in closed]


def _problems(facts, spans) -> Iterable[Finding]:
    as_of, policy = facts.as_of, facts.profile.review
    households = facts.records.households_by_id
    visits = facts.records.visits
    for visit, problem in ((visits[i], visits[i].problems[j]) for i, j in facts.open_problem_places):
        household = households.get(visit.household)
        if household is None:
            continue
        followed = any(s <= as_of and (e is None or as_of < e) for s, e in spans.get(household.id, []))
        if not (followed or in_follow_up(household, policy, as_of)):
            continue
        # dates compared first, the day counts only for a problem reported (a count changes every day: daywatch.py)
        past = bool(problem.deadline) and as_of > problem.deadline
        if not (problem.risk or past or (not problem.deadline and as_of > visit.date + dt.timedelta(
                days=facts.profile.problem_open_days))):
            continue
        days_open = (as_of - visit.date).days
        evidence = {"problem": problem.id, "text": problem.text, "found": visit.date.isoformat(),
                    "found_by": visit.visitor, "deadline": problem.deadline.isoformat() if problem.deadline else None,
                    "days_open": days_open, "risk": problem.risk, "rule": LOOP_BASIS}
        what = f"户 {household.id} {visit.date} 走访发现的问题 {problem.id}“{problem.text}”"
        if past:
            evidence["days_past"] = (as_of - problem.deadline).days
        if problem.risk:
            still = f"已 {days_open} 天未消除" if days_open else "尚未消除"
            late = f"，已过限期 {problem.deadline} {evidence['days_past']} 天" if "days_past" in evidence else ""
            yield Finding("PRB-RISK-OPEN", ERROR,
                          f"{'预警：' if facts.profile.alerts else ''}"
                          f"{what}是重大风险隐患，{still}{late}；请包保责任人立即处置，消除后在走访记录的 resolved 中"
                          f"写明问题编号 {problem.id}",
                          problem.source, subject=household.id, staff=_principal(household, _covered(visit, household)),
                          evidence=evidence)
        elif "days_past" in evidence:
            yield Finding("PRB-OVERDUE", WARNING,
                          f"{what}限期 {problem.deadline}，已过期 {evidence['days_past']} 天仍未办结",
                          problem.source, subject=household.id, staff=visit.visitor, evidence=evidence)
        elif not problem.deadline and days_open > facts.profile.problem_open_days:
            evidence["open_days_limit"] = facts.profile.problem_open_days
            yield Finding("PRB-OPEN-LONG", WARNING,
                          f"{what}未定限期，已 {days_open} 天仍未办结（超过 {facts.profile.problem_open_days} 天）",
                          problem.source, subject=household.id, staff=visit.visitor, evidence=evidence)


def _covered(visit, household) -> tuple:
    return visit.subjects or tuple(s.member for s in household.subjects)
