"""Care contacts' subsidies (联系人补助) and the penalty ladder (一次警告、两次扣当月、三次终止协议).

The subsidy sheet of a payment period (Wangcheng: a quarter, `subsidies[].paid`) has one row per care contact and
subject they are assigned to (`assigned.contact`). A month of the period is paid when, on at least one of its days,
the subject was in care and not in hospital or institutional care, the contact was in post (staff `since`/`left`)
and the newest of the contact's tri-party agreements for the subject signed by then had not been terminated (a
renewal, or a new agreement after a termination, pays again). The monthly amount is that of the first of the
profile's `subsidies` whose selector matches the subject (Wangcheng: 200 元 for 一级, 300 元 for 二级 and 三级); a
subject no subsidy matches has no row. With `paid_per: contact` a contact of several subjects is paid once a month
(the highest amount among the subjects paid that month, on that subject's row; the others list the month under
`shared`), and a month withheld or stopped on any of them is not paid.

Penalties: every failed inspection (督查表 with any item answered no) of a contact counts, in date order and across
all the contact's subjects; several sheets failed on one day are one failure (one 督查). The n-th failure takes the
n-th step of `penalties.ladder`, and failures past the end of the ladder repeat its last step. The count starts
again after a termination has been carried out (a tri-party agreement of the contact with `terminated` on or after
the failure that called for it). A `withhold_month` step withholds the subsidy of the month of that inspection, for
the subject inspected. A `terminate` step stops the subsidy for the subject inspected from the month of that
inspection on, whether or not the termination is recorded yet (“三次终止帮扶协议”: a contact is not paid for a month
worse than the one whose pay was withheld), until a new agreement signed after the failure engages the contact
again; it is an error until the contact's tri-party agreement for that subject records `terminated` on or after
the failure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from ..findings import ERROR, WARNING, Finding
from ..policy import PENALTY_STEP
from .cases import Case, person
from .periods import Period, month_end, parse_key

CODES = {
    "PEN-WARNING": (WARNING, "关爱帮扶联系人督查不合格（第一次）：予以警告"),
    "PEN-WITHHELD": (WARNING, "关爱帮扶联系人督查不合格（第二次）：扣发督查当月该对象的联系人补助"),
    "PEN-TERMINATE": (ERROR, "关爱帮扶联系人督查不合格（第三次）：应终止三方关爱帮扶协议，协议尚未记录终止"),
}

STEP_CODE = {"warning": "PEN-WARNING", "withhold_month": "PEN-WITHHELD", "terminate": "PEN-TERMINATE"}

FAILED_ITEMS = {"visited_weekly": "未按每周至少一次开展联系走访", "activities_done": "未开展关爱帮扶活动",
                "environment_ok": "家庭环境不整洁", "satisfied": "对象不满意"}


@dataclass(frozen=True)
class SheetRow:
    """One line of the subsidy sheet: what one contact is due for one subject in one payment period."""

    period: str  # e.g. 2026-Q4
    contact: str  # staff id
    contact_name: str
    subject: str  # case key: household/member
    level: str | None
    months: tuple[str, ...]  # YYYY-MM of each month paid
    monthly_amount: Decimal
    withheld: tuple[str, ...]  # YYYY-MM of each month withheld or stopped (a subset of months)
    amount: Decimal  # (len(months) - len(withheld) - len(shared)) * monthly_amount
    cite: str
    shared: tuple[str, ...] = ()  # paid_per contact: months paid on another row of the same contact

    @property
    def amount_due(self) -> Decimal:
        """应发金额: `amount`, under the name the hand-worked case tables (tests/cases/*/expected.yaml) use."""
        return self.amount


@dataclass(frozen=True)
class Penalty:
    """One failed inspection and the ladder step it takes."""

    inspection: object  # records.Inspection
    count: int  # 1 for the contact's first failure since the last termination
    step: str  # a code of policy.PENALTY_STEP


# --- the subsidy sheet ----------------------------------------------------------------------------------------


def subsidy_sheet(facts, period: str | Period) -> list[SheetRow]:
    """The subsidy sheet of a payment period, by key ("2026-Q4") or Period; rows sorted by contact, subject."""
    if isinstance(period, str):
        period = parse_key(period)
    profile = facts.profile
    if not profile.subsidies:
        return []
    withheld = withheld_months(facts)
    stopped = stopped_from(facts)
    rows, per_contact = [], set()
    for case in facts.cases:
        subsidy = next((s for s in profile.subsidies if s.applies_to.matches(**case.selector_facts())), None)
        if subsidy is None or case.subject.assigned is None:
            continue
        for contact in case.subject.assigned.contact:
            months = paid_months(case, contact, period, facts)
            if not months:
                continue
            stop = stopped.get((contact, case.key))
            held = tuple(m for m in months if m in withheld.get((contact, case.key), ())
                         or (stop is not None and stop[0] <= m and not re_engaged(case, contact, stop[1], m)))
            staff = facts.staff.get(contact)
            rows.append(SheetRow(period=period.key, contact=contact, contact_name=staff.name if staff else "",
                                 subject=case.key, level=case.subject.level, months=months,
                                 monthly_amount=subsidy.monthly_amount, withheld=held,
                                 amount=subsidy.monthly_amount * (len(months) - len(held)), cite=subsidy.cite))
            if subsidy.paid_per == "contact":
                per_contact.add(contact)
    rows = _once_per_contact(rows, per_contact)
    return sorted(rows, key=lambda r: (r.contact, r.subject))


def _once_per_contact(rows: list[SheetRow], contacts: set) -> list[SheetRow]:
    """`paid_per: contact`: each month of a contact is paid once, at the highest amount of the subjects paid that
    month, on that subject's row; a month withheld or stopped on any of the contact's subjects is not paid."""
    if not contacts:
        return rows
    out = [r for r in rows if r.contact not in contacts]
    for contact in sorted(contacts):
        mine = sorted((r for r in rows if r.contact == contact), key=lambda r: (-r.monthly_amount, r.subject))
        months = sorted({m for r in mine for m in r.months})
        held_any = {m for r in mine for m in r.withheld}
        payer = {m: next(r.subject for r in mine if m in r.months) for m in months if m not in held_any}
        for r in mine:
            held = tuple(m for m in r.months if m in held_any)
            shared = tuple(m for m in r.months if m not in held_any and payer[m] != r.subject)
            out.append(dataclasses.replace(r, withheld=held, shared=shared,
                                           amount=r.monthly_amount * (len(r.months) - len(held) - len(shared))))
    return out


def stopped_from(facts) -> dict[tuple[str, str], tuple[str, dt.date]]:
    """(contact, case key) -> (YYYY-MM, day) of the first failure that took the step `terminate`."""
    out: dict = {}
    for p in penalties(facts):
        if p.step == "terminate":
            key = (p.inspection.contact, f"{p.inspection.household}/{p.inspection.subject}")
            if key not in out:
                out[key] = (f"{p.inspection.date:%Y-%m}", p.inspection.date)
    return out


def re_engaged(case: Case, contact: str, failed_on: dt.date, month: str) -> bool:
    """A tri-party agreement of the contact for the subject signed after the failure, by the end of `month`."""
    end = month_end(dt.date(int(month[:4]), int(month[5:]), 1))
    return any(a.kind == "tri_party" and a.subject == case.member.id and a.contact == contact
               and failed_on < a.signed <= end for a in case.household.agreements)


def totals(rows: Iterable[SheetRow]) -> dict[str, Decimal]:
    """Amount due per contact."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        out[row.contact] += row.amount
    return dict(out)


def paid_months(case: Case, contact: str, period: Period, facts) -> tuple[str, ...]:
    staff = facts.staff.get(contact)
    out = []
    for first in period.months():
        day = first
        while day <= month_end(first):
            if (case.in_care_on(day) and not case.paused_on(day) and (staff is None or staff.active_on(day))
                    and engaged(case, contact, day)):
                out.append(f"{first:%Y-%m}")
                break
            day += dt.timedelta(days=1)
    return tuple(out)


def engaged(case: Case, contact: str, day: dt.date) -> bool:
    """False when the newest of the contact's tri-party agreements for the subject signed by `day` was terminated by
    then. A renewal, or a new agreement after a termination, engages the contact again (附件2 二 “一年续签一次”);
    with no agreement signed yet the day is not refused here (a missing agreement is AGR-MISSING)."""
    mine = [a for a in case.household.agreements
            if a.kind == "tri_party" and a.subject == case.member.id and a.contact == contact and a.signed <= day]
    if not mine:
        return True
    newest = max(a.signed for a in mine)
    return any(a.terminated is None or day < a.terminated for a in mine if a.signed == newest)


def termination(case: Case, contact: str, on_or_after: dt.date | None = None) -> dt.date | None:
    """The earliest `terminated` date of the contact's tri-party agreements for this subject (on or after a day)."""
    dates = [a.terminated for a in case.household.agreements
             if a.kind == "tri_party" and a.subject == case.member.id and a.contact == contact and a.terminated
             and (on_or_after is None or a.terminated >= on_or_after)]
    return min(dates, default=None)


# --- the penalty ladder ---------------------------------------------------------------------------------------


def penalties(facts) -> list[Penalty]:
    """Every failed inspection up to the as-of date with its ladder step, by contact then date."""
    profile = facts.profile
    if profile.penalties is None or not profile.penalties.ladder:
        return []
    ladder = profile.penalties.ladder
    terminated_on = _terminations_by_contact(facts.records.households)
    failures: dict[str, list] = defaultdict(list)
    for inspection in facts.records.inspections:
        if inspection.date <= facts.as_of and not inspection.passed:
            failures[inspection.contact].append(inspection)
    out = []
    for contact in sorted(failures):
        by_day: dict[dt.date, list] = defaultdict(list)
        for inspection in failures[contact]:
            by_day[inspection.date].append(inspection)
        count, terminate_from = 0, None
        for day in sorted(by_day):  # several sheets failed on one day are one failure
            if terminate_from and any(terminate_from <= d <= day for d in terminated_on[contact]):
                count, terminate_from = 0, None  # the agreement was terminated: a new engagement starts afresh
            count += 1
            step = ladder[min(count, len(ladder)) - 1]
            if step == "terminate" and terminate_from is None:
                terminate_from = day
            out += [Penalty(inspection, count, step) for inspection in by_day[day]]
    return out


def _terminations_by_contact(households) -> dict[str, list[dt.date]]:
    out: dict[str, list] = defaultdict(list)
    for household in households:
        for agreement in household.agreements:
            if agreement.kind == "tri_party" and agreement.contact and agreement.terminated:
                out[agreement.contact].append(agreement.terminated)
    return out


def withheld_months(facts) -> dict[tuple[str, str], set[str]]:
    """(contact, case key) -> the months (YYYY-MM) whose subsidy is withheld."""
    out: dict[tuple, set] = defaultdict(set)
    for p in penalties(facts):
        if p.step == "withhold_month":
            out[(p.inspection.contact, f"{p.inspection.household}/{p.inspection.subject}")].add(
                f"{p.inspection.date:%Y-%m}")
    return out


def check(facts) -> Iterable[Finding]:
    cases = {c.key: c for c in facts.cases}
    cite = facts.profile.penalties.cite if facts.profile.penalties else ""
    for p in penalties(facts):
        inspection = p.inspection
        key = f"{inspection.household}/{inspection.subject}"
        failed = "、".join(text for item, text in FAILED_ITEMS.items() if not getattr(inspection, item))
        evidence = {"inspection_date": inspection.date.isoformat(), "inspector": inspection.inspector,
                    "contact": inspection.contact, "failure_count": p.count, "step": p.step,
                    "failed_items": [item for item in FAILED_ITEMS if not getattr(inspection, item)],
                    "rule": cite}
        head = (f"{inspection.date} 督查关爱帮扶联系人 {_person(facts, inspection.contact)}"
                f"（对象 {_subject(cases, key)}）不合格：{failed}；这是第 {p.count} 次不合格，应{PENALTY_STEP[p.step]}")
        if p.step == "withhold_month":
            evidence["withheld_month"] = f"{inspection.date:%Y-%m}"
            head += f"（扣发 {inspection.date:%Y-%m} 该对象的联系人补助，已在补助表中扣除）"
        if p.step == "terminate":
            case = cases.get(key)
            ended = termination(case, inspection.contact, inspection.date) if case else None
            if ended:
                continue
            head += (f"；自 {inspection.date:%Y-%m} 起停发该对象的联系人补助；"
                     "三方关爱帮扶协议尚未记录终止（在协议中写 terminated 和 terminated_reason）")
            evidence["stopped_from"] = f"{inspection.date:%Y-%m}"
        yield Finding(STEP_CODE[p.step], ERROR if p.step == "terminate" else WARNING, head, inspection.source,
                      subject=key, staff=inspection.contact, evidence=evidence)


def _person(facts, staff_id: str) -> str:
    return person(facts.staff, staff_id)


def _subject(cases: dict, key: str) -> str:
    case = cases.get(key)
    return f"{case.member.name}（{key}）" if case else key
