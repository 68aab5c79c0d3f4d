"""Visit cadence: the longest gap, the warning threshold (预警) and the monthly minimum, per visiting duty.

For each subject in care and each cadence rule of the profile that applies to it, the visits that count are those
made in the rule's duty, in an allowed mode, by someone assigned to the subject in that duty or holding a role the
profile allows for it. Time is counted from enrolment (or from the site's `records_since`), stops while the subject
is in hospital or institutional care, and ends at exit. Declared special periods divide the interval and the
threshold by the profile's divisor.

A gap of g days between two visits (or from the last visit to the as-of date) is *overdue* when g exceeds the
interval and raises a *warning* (预警) when g exceeds the threshold: "every 3 days, warn past 5" means a visit on
the 1st makes the 4th... overdue from the 5th and warned from the 7th. Every missed interval is a finding, even one
that a later visit closed below the threshold (CAD-OVERDUE-PAST): its `overdue_on` (the first day over the
interval) puts it in a month, where it is counted per person as the warnings are.
"""

from __future__ import annotations

import bisect
import calendar
import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from typing import Iterable

from .. import vocab
from ..cachestore import same_objects
from ..findings import ERROR, WARNING, Finding
from ..policy import CadenceRule, Profile
from . import cases
from .cases import Case

ONE_DAY = dt.timedelta(days=1)

CODES = {
    "CAD-ALERT": (ERROR, "走访间隔已超过预警阈值（预警），包保责任人将被通报"),
    "CAD-OVERDUE": (WARNING, "走访间隔已超过规定的最长间隔，尚未到预警阈值"),
    "CAD-ALERT-PAST": (WARNING, "过去某段走访间隔超过了预警阈值（已由后来的走访结束），计入当月预警"),
    "CAD-OVERDUE-PAST": (WARNING, "过去某段走访间隔超过了规定的最长间隔、未到预警阈值（已由后来的走访结束），计入当月未按时走访次数"),
    "CAD-MONTHLY": (WARNING, "某个完整月份的走访次数少于每月至少次数"),
    "CAD-MONTH-AT-RISK": (WARNING, "本月即将结束，走访次数尚未达到每月至少次数（提醒）"),
    "CAD-NOT-COUNTED": (WARNING, "这次走访不计入频次：走访人既未被安排担任该身份，也不具备政策档案允许的角色，"
                                 "不是规定的走访人（如三级对象须本村主要负责人），走访方式不计入，或走访时不在任"),
    "CAD-DUPLICATE": (WARNING, "同一对象、同一走访人、同一日期、同一身份的走访录入了两次，只计一次"),
}

SLOT_OF_DUTY = {"responsible": "responsible", "contact": "contact", "coordinator": "coordinator",
                "caregiver": "caregiver"}


def check(facts) -> Iterable[Finding]:
    profile: Profile = facts.profile
    since = facts.records.site.records_since
    for case in facts.cases:
        if case.start > facts.as_of:
            continue
        visits, duplicates = distinct_visits(facts.visits.get(case.key, []))
        for visit, first in duplicates:
            if case.in_care_on(visit.date):
                yield _duplicate(visit, first, case, facts)
        for rule in profile.cadence:
            if not rule.applies_to.matches(**case.selector_facts()):
                continue
            counted = []
            for visit in visits:
                if visit.duty != rule.duty or not case.in_care_on(visit.date):
                    continue
                why = refusal(visit, case, rule, facts)
                if why is None:
                    counted.append(visit)
                elif visit.date >= case.start:
                    yield _not_counted(visit, case, rule, facts, why)
            facts.counted_visits[case.key, id(rule)] = counted  # (for the due list and the monthly minimums)
            yield from _gaps(case, rule, counted, facts, since)
            if rule.monthly_minimum:
                yield from _monthly(case, rule, counted, facts, since)


def distinct_visits(visits: list) -> tuple[list, list]:
    """(the visits with one per subject, visitor, date and duty; [(repeat, the first entry), ...]). `visits` are a
    case's, so the subject is the same."""
    first: dict = {}
    kept, repeats = [], []
    for visit in visits:
        key = (visit.date, visit.visitor, visit.duty)
        if key in first:
            repeats.append((visit, first[key]))
        else:
            first[key] = visit
            kept.append(visit)
    return kept, repeats


def counted_visits(facts, case: Case, rule: CadenceRule) -> list:
    """The case's visits (one per visitor, date and duty: `distinct_visits`) in the rule's duty that count for it, in
    order. Worked out once per judgement: `check` makes them, and the due list and the monthly minimums of the same
    facts take them, rather than asking each visit's `refusal` again."""
    known = facts.counted_visits
    counted = known.get((case.key, id(rule)))
    if counted is None:
        visits, _ = distinct_visits(facts.visits.get(case.key, []))
        counted = known[case.key, id(rule)] = [v for v in visits if v.duty == rule.duty and case.in_care_on(v.date)
                                               and refusal(v, case, rule, facts) is None]
    return counted


def fits(visit, case: Case, rule: CadenceRule, facts) -> bool:
    return refusal(visit, case, rule, facts) is None


def refusal(visit, case: Case, rule: CadenceRule, facts) -> str | None:
    """Why the visit does not count for the rule (Chinese), None when it counts: the mode must be allowed, the visitor
    in post on the day (任职日期 to 离任日期), assigned in this duty or holding an allowed role, and, where the rule
    says so, holding one of its `visitor_roles` and belonging to the subject's village."""
    if rule.modes and visit.mode not in rule.modes:
        allowed = "、".join(vocab.VISIT_MODE[m] for m in rule.modes)
        return f"走访方式“{vocab.VISIT_MODE[visit.mode]}”不计入（只计{allowed}）"
    staff = facts.staff.get(visit.visitor)
    if not in_post(visit, facts):
        term = (f"离任日期 {staff.left}" if staff.left is not None and staff.left <= visit.date
                else f"任职日期 {staff.since}")
        return f"走访日期不在走访人的任职期间（{term}）"
    if rule.visitor_roles and (staff is None or not any(r in rule.visitor_roles for r in staff.roles)):
        wanted = "、".join(vocab.ROLE[r] for r in rule.visitor_roles)
        return f"该对象须由{wanted}走访（{rule.cite}），走访人不是"
    if rule.own_village and (staff is None or staff.village != case.household.village):
        return f"该对象须由本村（社区）的人员走访（{rule.cite}），走访人不属于对象所在村（社区）"
    if visit.visitor in case.assigned(SLOT_OF_DUTY.get(rule.duty, "")):
        return None
    roles = allowed_roles(facts.profile, case, rule.duty)
    if staff is not None and roles is not None and any(r in roles for r in staff.roles):
        return None
    return f"未被安排为该对象的{vocab.DUTY[rule.duty]}，也不具备政策档案允许的角色"


def allowed_roles(profile: Profile, case: Case, duty: str) -> set | None:
    """Roles the profile allows for the duty's slot for this subject; None when it names none."""
    roles = set()
    for rule in profile.assignments:
        if rule.slot == SLOT_OF_DUTY.get(duty) and rule.applies_to.matches(**case.selector_facts()):
            roles.update(rule.staff_roles)
    return roles or None


def answerable(case: Case, duty: str) -> tuple[str, ...]:
    """Everyone assigned in the duty answers for the subject (every 包保责任人, not only the first-named); ("",)
    when nobody is, so that the finding is still made, naming nobody."""
    return case.assigned(SLOT_OF_DUTY.get(duty, "")) or ("",)


def person(facts, staff_id: str) -> str:
    return cases.person(facts.staff, staff_id)


def _whom(facts, duty: str, staff_id: str) -> str:
    return f"{vocab.DUTY[duty]} {person(facts, staff_id)}" if staff_id else f"未安排{vocab.DUTY[duty]}"


def one_per_gap(findings: Iterable[Finding]) -> list[Finding]:
    """Gap findings with one per subject, duty and day raised: the per-person copies of one gap count once (a count
    of gaps, not of people warned)."""
    seen, out = set(), []
    for f in findings:
        key = (f.code, f.subject, f.evidence.get("duty"), f.evidence.get("raised_on") or f.evidence.get("overdue_on"))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def alerts_named(profile: Profile) -> bool:
    """Whether the document has warnings (预警) and notices (通报): Tianhu's has neither."""
    return profile.alerts


def limits(rule: CadenceRule, profile: Profile, periods, day: dt.date) -> tuple[int, int]:
    """(interval, threshold) in force on `day`, tightened during declared special periods."""
    if type(day) is not dt.date:  # the watched as-of date (daywatch.Day): each comparison is noted, as below
        return _limits_on(rule, profile, periods, day)
    spans = _SPANS.get((id(rule), id(profile), id(periods)))
    if spans is None or spans[0] is not rule or spans[1] is not profile or spans[2] is not periods:
        spans = _spans(rule, profile, periods)
    return spans[4][bisect.bisect_right(spans[3], day)]


# (rule, profile, periods) by their ids -> (rule, profile, periods, the days the limits change, the limits before the
# first such day and from each on): the gaps of a county ask for the limits a million times
_SPANS: dict[tuple[int, int, int], tuple] = {}


def _spans(rule: CadenceRule, profile: Profile, periods) -> tuple:
    """The limits `_limits_on` gives, span by span: they change only on the day a special period begins and the day
    after it ends."""
    changes = sorted({day for p in periods for day in (p.start, p.end + ONE_DAY if p.end < dt.date.max else p.end)})
    before = changes[0] - ONE_DAY if changes and changes[0] > dt.date.min else dt.date.min
    values = tuple(_limits_on(rule, profile, periods, day) for day in (before, *changes))
    if len(_SPANS) > 1000:  # (a process that builds many times: new profile objects each build)
        _SPANS.clear()
    spans = _SPANS[(id(rule), id(profile), id(periods))] = (rule, profile, periods, changes, values)
    return spans


def _limits_on(rule: CadenceRule, profile: Profile, periods, day: dt.date) -> tuple[int, int]:
    interval = rule.interval_days
    threshold = rule.warn_after_days or rule.interval_days
    for special in profile.special_periods:
        if special.duties and rule.duty not in special.duties:
            continue
        if any(p.kind in special.kinds and p.start <= day <= p.end for p in periods):
            interval = math.ceil(interval / special.interval_divisor)
            threshold = math.ceil(threshold / special.interval_divisor)
    return interval, threshold


def first_day_over(case: Case, last: dt.date, until: dt.date, limit_of,
                   changes: Iterable[dt.date] = ()) -> tuple[dt.date, int] | None:
    """The first day in (last, until] on which the days counted since `last` exceed the limit in force.

    `changes` are the days on which the limit may change (special periods begin, or end the day before). With no
    stay to pause the count, the count on a day is the days since `last`, so the answer is worked out span by span
    between those days instead of counted day by day (a county has a million gaps to look at)."""
    if not case.pauses:
        starts = sorted({last + ONE_DAY, *(d for d in changes if last < d <= until)})
        for i, start in enumerate(starts):
            end = starts[i + 1] - ONE_DAY if i + 1 < len(starts) else until
            day = max(start, last + dt.timedelta(days=limit_of(start) + 1))
            if day <= end:
                return day, (day - last).days
        return None
    # Stays pause the count: counted day by day, past `until` too, and `until` compared once with the day found (so
    # that a watched as-of date, rules/daywatch.py, holds until that day rather than the next: the open tail).
    counted, day = 0, last
    while day < dt.date.max:
        day += ONE_DAY
        stays = [end for start, end in case.pauses if start <= day and (end is None or day < end)]
        if not stays:
            counted += 1
            if counted > limit_of(day):
                return (day, counted) if day <= until else None
        elif None in stays:
            return None  # paused from here on: the count never passes the limit
        else:
            day = max(stays) - ONE_DAY  # every day before the longest of them ends is paused
    return None


def counted_days(case: Case, last: dt.date, until: dt.date) -> int:
    if not case.pauses:
        return max(0, (until - last).days)
    return sum(1 for i in range(1, (until - last).days + 1) if not case.paused_on(last + dt.timedelta(days=i)))


def counts_over(case: Case, last: dt.date, until: dt.date, limit: int) -> bool:
    """`counted_days(case, last, until) > limit`, as one comparison of `until` with the first day the count passes
    the limit (so that a watched as-of date, rules/daywatch.py, holds until that day rather than the next)."""
    if not case.pauses:
        return until > last + dt.timedelta(days=limit)
    day, counted = last, 0
    open_from = min((start for start, end in case.pauses if end is None), default=None)
    while counted <= limit:
        day += ONE_DAY
        if open_from is not None and day >= open_from and case.paused_on(day):
            return False  # paused from here on: the count never passes the limit
        if not case.paused_on(day):
            counted += 1
    return until >= day


def _gaps(case: Case, rule: CadenceRule, counted: list, facts, since: dt.date | None) -> Iterable[Finding]:
    profile, periods, as_of = facts.profile, facts.records.site.special_periods, facts.as_of
    start = max(case.start, since) if since else case.start
    stop = min(as_of, case.end - ONE_DAY) if case.end else as_of
    duty = vocab.DUTY[rule.duty]
    people = answerable(case, rule.duty)
    alerts = alerts_named(profile)
    last, last_visit = start, None
    changes = [day for p in periods for day in (p.start, p.end + ONE_DAY)]  # where `limits` may change
    for visit in [v for v in counted if v.date >= start] + [None]:
        until = visit.date if visit else stop
        if visit is not None and until <= last:  # a visit on the first day
            last_visit = visit
            continue
        # (the open tail is not compared with `last`: when it has not begun, nothing below finds anything, and a
        # watched as-of date then holds until the limit is passed, not until the next day: daywatch.py)
        threshold_day = first_day_over(case, last, until, lambda d: limits(rule, profile, periods, d)[1], changes)
        overdue_day = first_day_over(case, last, until, lambda d: limits(rule, profile, periods, d)[0], changes)
        ongoing = visit is None and stop == as_of
        evidence = {"duty": rule.duty, "last_visit": last_visit.date.isoformat() if last_visit else None,
                    "counted_from": last.isoformat(), "rule": rule.cite}
        if overdue_day:
            evidence["overdue_on"] = overdue_day[0].isoformat()
        made = None
        if overdue_day and not ongoing:
            gap = counted_days(case, last, until)
            interval, threshold = limits(rule, profile, periods, overdue_day[0])
            span = f"{duty}走访间隔 {gap} 天（{last} 至 {until}），超过规定的最长间隔 {interval} 天（{overdue_day[0]} 起）"
            if threshold_day:
                threshold = limits(rule, profile, periods, threshold_day[0])[1]
                word = "预警阈值" if alerts else "间隔上限"
                made = ("CAD-ALERT-PAST", span + f"，{threshold_day[0]} 起超过{word} {threshold} 天",
                        {"gap_days": gap, "until": until.isoformat(), "raised_on": threshold_day[0].isoformat(),
                         "interval_days": interval, "threshold_days": threshold})
            else:
                made = ("CAD-OVERDUE-PAST", span + (f"，未到预警阈值 {threshold} 天" if alerts else ""),
                        {"gap_days": gap, "until": until.isoformat(), "interval_days": interval,
                         "threshold_days": threshold})
        elif ongoing:
            interval, threshold = limits(rule, profile, periods, as_of)
            if not threshold_day and not counts_over(case, last, as_of, interval):
                continue  # (a count of days is compared as a date: it changes every day, daywatch.py)
            gap = counted_days(case, last, as_of)
            since_text = f"上次走访 {last_visit.date}" if last_visit else f"自 {last} 起未走访"
            if threshold_day:
                # The threshold that was passed: a special period may have ended since, and the warning stands
                # until a visit; the as-of day's (longer) threshold may not be exceeded yet.
                interval = limits(rule, profile, periods, overdue_day[0])[0]
                threshold = limits(rule, profile, periods, threshold_day[0])[1]
                head = "预警：" if alerts else ""
                word = "预警阈值" if alerts else "间隔上限"
                made = ("CAD-ALERT", f"{head}{duty}已 {gap} 天未走访（{since_text}），规定至少每 {interval} 天走访一次，"
                                     f"{threshold_day[0]} 起超过{word} {threshold} 天",
                        {"gap_days": gap, "interval_days": interval, "threshold_days": threshold,
                         "raised_on": threshold_day[0].isoformat()})
            elif gap > interval:
                made = ("CAD-OVERDUE", f"{duty}已 {gap} 天未走访（{since_text}），超过规定的最长间隔 {interval} 天"
                                       f"（{overdue_day[0]} 起），预警阈值 {threshold} 天",
                        {"gap_days": gap, "interval_days": interval, "threshold_days": threshold})
        if made:
            code, text, extra = made
            for staff in people:
                yield Finding(code, CODES[code][0], f"{text}；{_whom(facts, rule.duty, staff)}",
                              case.subject.source, subject=case.key, staff=staff, evidence={**evidence, **extra})
        if visit:
            last, last_visit = visit.date, visit


def _monthly(case: Case, rule: CadenceRule, counted: list, facts, since) -> Iterable[Finding]:
    """Whole calendar months in care, not paused, and over by the as-of date, must reach the minimum; the month of
    the as-of date is noticed (CAD-MONTH-AT-RISK) in its last `month_notice_days` days while short of it."""
    as_of = facts.as_of
    start = max(case.start, since) if since else case.start
    year, month = start.year, start.month
    if start.day != 1:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while True:
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        if case.end and last >= case.end:
            return
        if last >= as_of:
            n = sum(1 for v in counted if first <= v.date <= as_of)
            # days left, the as-of day included, <= month_notice_days; dates compared (daywatch.py)
            if n < rule.monthly_minimum and first <= as_of \
                    and as_of >= last - dt.timedelta(days=rule.month_notice_days - 1) \
                    and not case.paused_during(first, last):
                left = (last - as_of).days + 1  # the as-of day included
                for staff in answerable(case, rule.duty):
                    yield Finding("CAD-MONTH-AT-RISK", WARNING,
                                  f"{first:%Y-%m} 还剩 {left} 天（含 {as_of}），{vocab.DUTY[rule.duty]}走访 {n} 次，"
                                  f"每月至少 {rule.monthly_minimum} 次，还差 {rule.monthly_minimum - n} 次；"
                                  f"{_whom(facts, rule.duty, staff)}",
                                  case.subject.source, subject=case.key, staff=staff,
                                  evidence={"duty": rule.duty, "month": f"{first:%Y-%m}", "visits": n,
                                            "minimum": rule.monthly_minimum, "days_left": left, "rule": rule.cite})
            return
        if not case.paused_during(first, last):
            n = sum(1 for v in counted if first <= v.date <= last)
            if n < rule.monthly_minimum:
                for staff in answerable(case, rule.duty):
                    yield Finding("CAD-MONTHLY", WARNING,
                                  f"{first:%Y-%m} {vocab.DUTY[rule.duty]}走访 {n} 次，少于每月至少 {rule.monthly_minimum} 次；"
                                  f"{_whom(facts, rule.duty, staff)}",
                                  case.subject.source, subject=case.key, staff=staff,
                                  evidence={"duty": rule.duty, "month": f"{first:%Y-%m}", "visits": n,
                                            "minimum": rule.monthly_minimum, "rule": rule.cite})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def in_post(visit, facts) -> bool:
    """The visitor held their post on the visit's date (a visit before `since` or from `left` on does not count)."""
    staff = facts.staff.get(visit.visitor)
    return staff is None or staff.active_on(visit.date)


def _not_counted(visit, case: Case, rule: CadenceRule, facts, why: str) -> Finding:
    evidence = {"visit_date": visit.date.isoformat(), "visitor": visit.visitor, "duty": rule.duty}
    if not in_post(visit, facts):
        evidence["in_post"] = False
    return Finding("CAD-NOT-COUNTED", WARNING,
                   f"{visit.date} {person(facts, visit.visitor)} 以“{vocab.DUTY[rule.duty]}”身份的走访不计入频次：{why}",
                   visit.source, subject=case.key, staff=visit.visitor, evidence=evidence)


def _duplicate(visit, first, case: Case, facts) -> Finding:
    return Finding("CAD-DUPLICATE", WARNING,
                   f"{visit.date} {person(facts, visit.visitor)} 以“{vocab.DUTY[visit.duty]}”身份对 {case.member.name}"
                   f"（{case.key}）的走访录入了两次（第一次在 {first.source}），只计一次",
                   visit.source, subject=case.key, staff=visit.visitor,
                   evidence={"visit_date": visit.date.isoformat(), "visitor": visit.visitor, "duty": visit.duty,
                             "first_entry": str(first.source)})


def current_gaps(facts, duty: str = "responsible") -> dict[str, int]:
    """Days without a counted visit in `duty` up to the as-of date, per case in care (the longest over the cadence
    rules that apply to it), counted as the rules count them: from enrolment or `records_since`, pauses left out.
    Cases no rule of that duty applies to are left out. The published status pages show these only as bands."""
    return gap_days(current_gap_starts(facts, duty), facts.as_of)


@dataclass(frozen=True)
class GapFrom:
    """Where a current gap counts from (the last counted visit, or the start) and the case's stays that pause it:
    the count on any as-of date, without the case (`current_gap_starts`; derived.Part keeps these, not counts, so
    that a household's share holds while only the day moves)."""

    last: dt.date
    pauses: tuple

    def paused_on(self, day: dt.date) -> bool:
        return any(start <= day and (end is None or day < end) for start, end in self.pauses)

    def days(self, as_of: dt.date) -> int:
        return counted_days(self, self.last, as_of)


def gap_days(starts: dict, as_of: dt.date) -> dict[str, int]:
    """`current_gaps` on `as_of` from `current_gap_starts`: per case, the longest over its rules."""
    return {key: max(g.days(as_of) for g in froms) for key, froms in starts.items()}


def current_gap_starts(facts, duty: str = "responsible") -> dict[str, tuple]:
    """case key -> (GapFrom, ...) of the rules `current_gaps` takes the longest of."""
    since = facts.records.site.records_since
    gaps: dict[str, tuple] = {}
    for case in facts.cases:
        if not case.in_care_on(facts.as_of):
            continue
        start = max(case.start, since) if since else case.start
        for rule in facts.profile.cadence:
            if rule.duty != duty or not rule.applies_to.matches(**case.selector_facts()):
                continue
            counted = [v.date for v in facts.visits.get(case.key, []) if v.duty == duty and v.date >= start
                       and case.in_care_on(v.date) and fits(v, case, rule, facts)]
            gaps[case.key] = (*gaps.get(case.key, ()), GapFrom(max(counted, default=start), case.pauses))
    return gaps


@dataclass(frozen=True)
class Due:
    """One line of the 走访提醒: a subject someone answerable must visit by `due` (the last day within the interval).
    `state` is "overdue" (due before the as-of date), "today" or "week"; `warned` says the gap is past the warning
    threshold (预警) too, for a profile that has warnings."""

    staff: str  # "" when nobody is assigned in the duty
    duty: str
    subject: str
    last_visit: dt.date | None
    due: dt.date
    state: str
    rule: str
    warned: bool = False

    def days_overdue(self, as_of: dt.date) -> int:
        return max(0, (as_of - self.due).days)


@dataclass(frozen=True)
class MonthShort:
    """A subject whose monthly minimum of visits in a duty is not yet met in the month of the as-of date."""

    staff: str
    duty: str
    subject: str
    month: str  # yyyy-mm
    visits: int
    minimum: int
    days_left: int  # the as-of day included
    rule: str

    @property
    def missing(self) -> int:
        return self.minimum - self.visits


def _counted_dates(case: Case, rule: CadenceRule, facts, start: dt.date) -> list[dt.date]:
    return [v.date for v in counted_visits(facts, case, rule) if v.date >= start]


def due_list(facts, days_ahead: int = 6) -> list[Due]:
    """走访提醒: per person answerable, each subject whose next counted visit is due by the as-of date plus
    `days_ahead` (a week, the as-of day included), or already overdue. The due day is the last day before the gap
    would exceed the interval in force (pauses and special periods counted as the rules count them)."""
    since = facts.records.site.records_since
    periods = facts.records.site.special_periods
    changes = [day for p in periods for day in (p.start, p.end + ONE_DAY)]
    horizon = facts.as_of + dt.timedelta(days=days_ahead)
    alerts = alerts_named(facts.profile)
    out = []
    for case in facts.cases:
        if not case.in_care_on(facts.as_of) or case.paused_on(facts.as_of):
            continue
        start = max(case.start, since) if since else case.start
        for rule in facts.profile.cadence:
            if not rule.applies_to.matches(**case.selector_facts()):
                continue
            counted = _counted_dates(case, rule, facts, start)
            last = max(counted, default=start)
            over = first_day_over(case, last, horizon + ONE_DAY,
                                  lambda d: limits(rule, facts.profile, periods, d)[0], changes)
            if over is None:
                continue
            due = over[0] - ONE_DAY
            state = "overdue" if due < facts.as_of else "today" if due == facts.as_of else "week"
            warned = state == "overdue" and alerts and first_day_over(
                case, last, facts.as_of, lambda d: limits(rule, facts.profile, periods, d)[1], changes) is not None
            for staff in answerable(case, rule.duty):
                out.append(Due(staff, rule.duty, case.key, max(counted, default=None), due, state, rule.cite, warned))
    return sorted(out, key=due_order)


def due_order(row: Due) -> tuple:
    """The order of the 走访提醒: per person, by due day, then subject."""
    return row.staff, row.due, row.subject


def month_short(facts, days_left: bool = True) -> list[MonthShort]:
    """Per person answerable, the subjects whose monthly minimum is not yet met in the as-of date's month, for the
    months `_monthly` would judge: a whole month in care, not paused, the subject in care on the as-of date.
    `days_left=False`: each row's `days_left` is 0, for `with_days_left` to fill on any day of the month (derived.Part
    keeps these)."""
    since = facts.records.site.records_since
    as_of = facts.as_of
    month = None  # the as-of date's month, asked only for a case a monthly minimum applies to (daywatch.py)
    out = []
    for case in facts.cases:
        rules = [rule for rule in facts.profile.cadence
                 if rule.monthly_minimum and rule.applies_to.matches(**case.selector_facts())]
        if not rules or not case.in_care_on(as_of):
            continue
        if month is None:
            month = as_of.replace(day=1), as_of.replace(day=calendar.monthrange(as_of.year, as_of.month)[1])
        first, last_day = month
        start = max(case.start, since) if since else case.start
        if start > first or (case.end and last_day >= case.end) or case.paused_during(first, last_day):
            continue
        for rule in rules:
            n = sum(1 for d in _counted_dates(case, rule, facts, start) if first <= d <= as_of)
            if n >= rule.monthly_minimum:
                continue
            for staff in answerable(case, rule.duty):
                out.append(MonthShort(staff, rule.duty, case.key, f"{first:%Y-%m}", n, rule.monthly_minimum,
                                      (last_day - as_of).days + 1 if days_left else 0, rule.cite))
    return sorted(out, key=short_order)


def with_days_left(row: MonthShort, as_of: dt.date) -> MonthShort:
    """The row with its days left in its month on `as_of` (a day of that month), the as-of day included."""
    year, month = int(row.month[:4]), int(row.month[5:7])
    last_day = dt.date(year, month, calendar.monthrange(year, month)[1])
    return dataclasses.replace(row, days_left=(last_day - as_of).days + 1)


def short_order(row: MonthShort) -> tuple:
    """The order of the monthly minimums still to meet: per person, by subject, then duty."""
    return row.staff, row.subject, row.duty


GAP_CODES = ("CAD-ALERT", "CAD-OVERDUE", "CAD-ALERT-PAST", "CAD-OVERDUE-PAST")


@dataclass(frozen=True)
class Gap:
    """A missed interval, as the gap findings tell it: over the interval from `overdue_on` to `until` (the visit
    that closed it, or the as-of date while it runs), warned from `raised_on` when it passed the threshold."""

    subject: str
    duty: str
    staff: str
    overdue_on: dt.date
    until: dt.date
    raised_on: dt.date | None
    ongoing: bool
    days: int  # days without a visit, pauses left out: to the as-of date while it runs
    last_visit: dt.date | None  # the visit before the gap, None when there was none since the start

    @property
    def warned(self) -> bool:
        """Past the warning threshold (预警), not only past the interval."""
        return self.raised_on is not None


def gaps(findings: Iterable[Finding], as_of: dt.date) -> list[Gap]:
    """The typed gaps of the cadence findings, one per person answerable (`one_per_gap` first for one per gap).
    The views ask for the gaps of one build's findings six times (and of their `one_per_gap`): the last two answers
    are given again, as new lists, for the very findings in the same order on the same day (10,000 findings at
    25,000 households, 25 ms a time)."""
    findings = findings if isinstance(findings, (list, tuple)) else list(findings)
    for kept, on, made in _LAST_GAPS:
        if on == as_of and same_objects(kept, findings):
            return list(made)
    out = _typed_gaps(findings, as_of)
    _LAST_GAPS[:] = [(tuple(findings), as_of, tuple(out)), *_LAST_GAPS[:1]]
    return out


_LAST_GAPS: list = []  # [(the findings, the as-of date, their gaps)], the latest first


def _typed_gaps(findings: list[Finding], as_of: dt.date) -> list[Gap]:
    out = []
    for f in findings:
        if f.code not in GAP_CODES or "overdue_on" not in f.evidence:
            continue
        ongoing = f.code in ("CAD-ALERT", "CAD-OVERDUE")
        raised, last = f.evidence.get("raised_on"), f.evidence.get("last_visit")
        out.append(Gap(f.subject, f.evidence["duty"], f.staff, dt.date.fromisoformat(f.evidence["overdue_on"]),
                       as_of if ongoing else dt.date.fromisoformat(f.evidence["until"]),
                       dt.date.fromisoformat(raised) if raised else None, ongoing, f.evidence["gap_days"],
                       dt.date.fromisoformat(last) if last else None))
    return out
