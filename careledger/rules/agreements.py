"""Agreements (协议) and the four haves (四有).

**Agreements.** For each subject in care and each `agreements` rule of the profile that applies to it, an agreement of
the rule's kind must be *current* on the as-of date: signed on or before it, not terminated on or before it, and not
past its last day. A tri-party agreement (Wangcheng: village, responsible cadre, contact) is one per contact–subject
pair: every contact assigned to the subject needs a current agreement naming that contact.

The last day of an agreement is its `expires` date when written, else the signing date plus `term_months`, counted as
the Civil Code counts periods (民法典 第二百零一条、第二百零二条): the period starts the day after signing and its last
day is the day of the final month with the signing day's number, or that month's last day when it has no such day —
2025-12-01 + 12 months → 2026-12-01; 2026-01-31 + 1 month → 2026-02-28. Public holidays do not extend it (第二百零三条
would; we do not know the holiday calendar). "Days left" is last day minus as-of date: 0 on the last day itself.

**Four haves.** Each subject in care matching `four_haves.required_for` must have each listed item: `agreement` (a
current `care` or `tri_party` agreement; a care agreement whose caregiver, staff or household member, has `left` by
the as-of date no longer counts: Jizhou 二（三）14 “委托照料人不能按协议履职尽责的…纳入机构进行集中供养”),
`service_standard` (the household's `four_haves.service_standard` and `four_haves.sign` both true), `visit_record` (a
recorded visit, in any duty and mode, no more than N counted days before the as-of date, where N is the longest
`interval_days` of the profile's cadence rules that apply to the subject, else 31; days in hospital or institutional
care are not counted and the clock starts at enrolment or the site's `records_since`), `emergency_plan`
(`four_haves.emergency_plan` dated on or before the as-of date).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from ..findings import ERROR, WARNING, Finding
from ..policy import HAVE, AgreementPolicy, FourHavesPolicy
from .cadence import counted_days, counts_over
from .cases import Case, person
from .periods import add_months
from .custody import subject_path

CODES = {
    "AGR-MISSING": (ERROR, "没有现行有效的协议（从未签订，或已终止）"),
    "AGR-EXPIRED": (ERROR, "协议已到期，未续签"),
    "AGR-EXPIRING": (WARNING, "协议即将到期，应及时续签"),
    "AGR-CONTACT-MISMATCH": (WARNING, "三方协议的丙方（关爱帮扶联系人）与包保安排中的联系人不一致"),
    "FOUR-HAVES-MISSING": (ERROR, "分散供养特困人员缺少“四有”中的一项"),
}

KIND = {"tri_party": "三方关爱帮扶协议", "care": "委托照料协议"}
DEFAULT_VISIT_DAYS = 31


def last_day(agreement, term_months: int | None) -> dt.date | None:
    if agreement.expires:
        return agreement.expires
    return add_months(agreement.signed, term_months) if term_months else None


def is_current(agreement, as_of: dt.date, term_months: int | None) -> bool:
    end = last_day(agreement, term_months)
    return (agreement.signed <= as_of
            and (agreement.terminated is None or agreement.terminated > as_of)
            and (end is None or as_of <= end))


def check(facts) -> Iterable[Finding]:
    profile = facts.profile
    for case in facts.in_care:
        selector = case.selector_facts()
        for policy in profile.agreements:
            if policy.required_for.matches(**selector):
                yield from _agreements(case, policy, facts.as_of, facts.staff)
        if profile.four_haves and profile.four_haves.required_for.matches(**selector):
            yield from _four_haves(case, profile.four_haves, facts)


def _agreements(case: Case, policy: AgreementPolicy, as_of: dt.date, staff_by_id: dict) -> Iterable[Finding]:
    mine = [(i, a) for i, a in enumerate(case.household.agreements)
            if a.subject == case.member.id and a.kind == policy.kind and a.signed <= as_of]
    current = [(i, a) for i, a in mine if is_current(a, as_of, policy.term_months)]
    contacts = case.subject.assigned.contact if case.subject.assigned else ()
    if policy.kind != "tri_party" or not contacts:
        yield from _cover(case, policy, as_of, mine, current, staff="", staff_by_id=staff_by_id)
        return
    for contact in contacts:
        pair = [(i, a) for i, a in current if a.contact == contact]
        strangers = [(i, a) for i, a in current if a.contact not in contacts]
        if not pair and strangers:
            i, a = max(strangers, key=lambda p: p[1].signed)
            yield Finding("AGR-CONTACT-MISMATCH", WARNING,
                          f"{case.label()} 的关爱帮扶联系人是 {person(staff_by_id, contact)}，但现行三方协议 {a.id} 的丙方是"
                          f"{' ' + person(staff_by_id, a.contact) if a.contact else '（未填写）'}，应与现联系人重新签订协议",
                          a.source, path=f"agreements[{i}].contact", subject=case.key, staff=contact,
                          evidence={"agreement": a.id, "agreement_contact": a.contact, "assigned_contact": contact,
                                    "rule": policy.cite})
        else:
            yield from _cover(case, policy, as_of, [(i, a) for i, a in mine if a.contact == contact], pair,
                              staff=contact, staff_by_id=staff_by_id)
    for i, a in current:
        if a.contact and a.contact not in contacts and all(any(b.contact == c for _, b in current) for c in contacts):
            yield Finding("AGR-CONTACT-MISMATCH", WARNING,
                          f"三方协议 {a.id} 的丙方 {person(staff_by_id, a.contact)} 已不是 {case.label()} 的关爱帮扶联系人，"
                          "该协议应终止",
                          a.source, path=f"agreements[{i}].contact", subject=case.key, staff=a.contact,
                          evidence={"agreement": a.id, "agreement_contact": a.contact,
                                    "assigned_contact": list(contacts), "rule": policy.cite})


def _cover(case: Case, policy: AgreementPolicy, as_of: dt.date, mine: list, current: list, *,
           staff: str, staff_by_id: dict) -> Iterable[Finding]:
    """Findings for one subject (or one contact–subject pair): missing, expired, or expiring soon."""
    kind = KIND[policy.kind]
    who = f"{case.label()}" + (f" 与联系人 {person(staff_by_id, staff)}" if staff else "")
    if current:
        i, a = max(current, key=lambda p: last_day(p[1], policy.term_months) or dt.date.max)
        end = last_day(a, policy.term_months)
        # (dates compared, the days left counted only when warned: a count changes every day, daywatch.py)
        if end is not None and as_of >= end - dt.timedelta(days=policy.renewal_warning_days):
            left = (end - as_of).days
            yield Finding("AGR-EXPIRING", WARNING,
                          f"{who} 的{kind} {a.id} 将于 {end} 到期，还剩 {left} 天，请及时续签",
                          a.source, path=f"agreements[{i}]", subject=case.key, staff=staff,
                          evidence={"agreement": a.id, "signed": a.signed.isoformat(), "expires": end.isoformat(),
                                    "days_left": left, "warning_days": policy.renewal_warning_days,
                                    "term_months": policy.term_months, "rule": policy.cite})
        return
    if not mine:
        yield Finding("AGR-MISSING", ERROR, f"{who} 没有签订{kind}",
                      case.subject.source, path=subject_path(case), subject=case.key, staff=staff,
                      evidence={"kind": policy.kind, "rule": policy.cite})
        return
    i, a = max(mine, key=lambda p: p[1].signed)
    end = last_day(a, policy.term_months)
    if a.terminated is not None and (end is None or a.terminated <= end):
        reason = f"（{a.terminated_reason}）" if a.terminated_reason else ""
        yield Finding("AGR-MISSING", ERROR,
                      f"{who} 的{kind} {a.id} 已于 {a.terminated} 终止{reason}，没有现行协议",
                      a.source, path=f"agreements[{i}].terminated", subject=case.key, staff=staff,
                      evidence={"kind": policy.kind, "agreement": a.id, "terminated": a.terminated.isoformat(),
                                "reason": a.terminated_reason, "rule": policy.cite})
    else:
        yield Finding("AGR-EXPIRED", ERROR,
                      f"{who} 的{kind} {a.id} 已于 {end} 到期（过期 {(as_of - end).days} 天），未续签",
                      a.source, path=f"agreements[{i}]", subject=case.key, staff=staff,
                      evidence={"agreement": a.id, "signed": a.signed.isoformat(), "expires": end.isoformat(),
                                "days_expired": (as_of - end).days, "term_months": policy.term_months,
                                "rule": policy.cite})


def _four_haves(case: Case, policy: FourHavesPolicy, facts) -> Iterable[Finding]:
    household, as_of = case.household, facts.as_of
    haves = household.four_haves
    source = haves.source if haves else household.source

    def missing(item: str, why: str, src=source, path: str = "four_haves", **evidence) -> Finding:
        return Finding("FOUR-HAVES-MISSING", ERROR, f"{case.label()} 缺少“四有”中的“{HAVE[item]}”：{why}",
                       src, path=path, subject=case.key,
                       evidence={"item": item, **evidence, "rule": policy.cite})

    for item in policy.items:
        if item == "agreement":
            terms = {p.kind: p.term_months for p in facts.profile.agreements}
            current = [a for a in household.agreements
                       if a.subject == case.member.id and a.kind in KIND and is_current(a, as_of, terms.get(a.kind))]
            if not current:
                yield missing(item, "没有现行有效的委托照料协议或三方关爱帮扶协议", case.subject.source, subject_path(case))
            elif not [a for a in current if caregiver_gone(a, household, facts) is None]:
                gone, name, day = caregiver_gone(current[0], household, facts)
                yield missing(item, f"委托照料协议 {current[0].id} 的照料人{name}已于 {day} 离开，协议不能再履行"
                              "（照料人不能按协议履职的，应重新安排照料或纳入集中供养）", current[0].source, "agreements",
                              agreement=current[0].id, caregiver=gone, left=day.isoformat())
        elif item == "service_standard":
            absent = [name for name in ("service_standard", "sign") if not (haves and getattr(haves, name))]
            if absent:
                text = "、".join({"service_standard": "服务标准", "sign": "服务标识"}[n] for n in absent)
                yield missing(item, f"未落实{text}", path="four_haves." + absent[0], absent=absent)
        elif item == "visit_record":
            yield from _visit_record(case, facts, missing)
        elif item == "emergency_plan":
            plan = haves.emergency_plan if haves else None
            if plan is None or plan > as_of:
                why = "没有应急预案" if plan is None else f"应急预案日期 {plan} 晚于核查日期"
                yield missing(item, why, path="four_haves.emergency_plan",
                              emergency_plan=plan.isoformat() if plan else None)


def caregiver_gone(agreement, household, facts):
    """(id, name, day) when the agreement's caregiver (staff or household member) left on or before the as-of date,
    else None."""
    who = agreement.caregiver
    if not who:
        return None
    staff = facts.staff.get(who)
    person = staff or household.member(who)
    left = person.left if person else None
    if left is None or left > facts.as_of:
        return None
    return who, f"{person.name}（{who if staff else f'{household.id}/{who}'}）", left


def visit_days(case: Case, profile) -> int:
    """The longest interval of the cadence rules that apply to the subject, else 31 days."""
    intervals = [r.interval_days for r in profile.cadence if r.applies_to.matches(**case.selector_facts())]
    return max(intervals) if intervals else DEFAULT_VISIT_DAYS


def _visit_record(case: Case, facts, missing) -> Iterable[Finding]:
    as_of, since = facts.as_of, facts.records.site.records_since
    limit = visit_days(case, facts.profile)
    visits = [v for v in facts.visits.get(case.key, []) if case.in_care_on(v.date)]
    start = max(case.start, since) if since else case.start
    last = max([v.date for v in visits] + [start])
    if counts_over(case, last, as_of, limit):  # (`counted_days(...) > limit` as a date compared: daywatch.py)
        gap = counted_days(case, last, as_of)
        last_visit = max((v.date for v in visits), default=None)
        why = (f"最近一次走访在 {last_visit}，已 {gap} 天无探访记录" if last_visit
               else f"自 {last} 起没有探访记录（{gap} 天）") + f"，超过 {limit} 天"
        yield missing("visit_record", why, case.subject.source, subject_path(case),
                      last_visit=last_visit.isoformat() if last_visit else None, gap_days=gap, limit_days=limit)
