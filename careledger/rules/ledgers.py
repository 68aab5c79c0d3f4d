"""Ledgers the documents ask the office to keep beyond visits: the township's monthly assessment of caregivers, the
care allowance for severe disability, monthly payments of assistance money, and the monthly report.

Everything dated is judged from the site's `ledgers_since` on (without it, nothing dated is judged):

- CARE-REVIEW-DUE (the profile's `custody.caregiver_review_days`, Qiandongnan 五（三）3 “乡镇（街道）按月对失能半失能
  特困人员照料护理情况进行评估”): a subject in care who is 失能 or 半失能 (`self_care: none / partial`) and 特困
  (the household's policies include `tekun`, and not in centralized support), whose last `care_reviews` entry (or,
  without one, the later of enrolment and `ledgers_since`) is more than that many days before the as-of date.
- BEN-CARE-ALLOWANCE (the profile's `care_allowance`, Jizhou 二（二）8 “实现重度残疾人护理补贴全覆盖”): a member of a
  household with a subject in care, disabled at one of the grades named, without `care_allowance: true`. Not dated.
- PAY-MISSING / PAY-LATE (the profile's `payments`, Guiyang 二（三） “每月15日前…发放”, Qiandongnan 四（一） “按月发放”):
  for each kind the profile names that the household receives (its `policies`) and each month whose due day (the
  profile's `due_day`, or the month's last day; in a short month its last day) falls while a subject is in care:
  no `payments` entry of that kind and month once the due day is past → PAY-MISSING; one paid after the due day →
  PAY-LATE.
- RPT-MONTHLY-MISSING / RPT-MONTHLY-LATE (the profile's `monthly_report_day`, Guiyang 三（六） “每月30日前向市社会救助
  服务中心报送工作开展情况”): for each month from `ledgers_since` on, no entry in site.yaml's `monthly_reports` once its
  due day is past, or one sent after it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Iterable

from .. import vocab
from ..findings import WARNING, Finding, Source
from .people import case_name, household_names, member_name, staff_name
from .periods import periods_between

CODES = {
    "CARE-REVIEW-DUE": (WARNING, "失能、半失能特困人员的照料护理情况超过规定天数未经乡镇（街道）评估"),
    "BEN-CARE-ALLOWANCE": (WARNING, "重度残疾人未登记享受护理补贴（护理补贴全覆盖）"),
    "PAY-MISSING": (WARNING, "某月的救助资金到期没有发放记录"),
    "PAY-LATE": (WARNING, "救助资金晚于规定日期发放"),
    "RPT-MONTHLY-MISSING": (WARNING, "月报到期未报送"),
    "RPT-MONTHLY-LATE": (WARNING, "月报晚于规定日期报送"),
}

MONEY = {"dibao": "低保金", "tekun": "特困人员供养金", "orphan": "孤儿基本生活费", "unsupported_child": "事实无人抚养儿童基本生活费",
         "low_income": "低收入人口救助金", "temporary_assistance": "临时救助金"}
MONTHLY_REPORT_BASIS = "贵阳市工作方案 三（六）“每月30日前向市社会救助服务中心报送工作开展情况”"


def check(facts) -> Iterable[Finding]:
    yield from check_households(facts)
    yield from check_reports(facts)


def check_households(facts) -> Iterable[Finding]:
    """Care allowance, caregivers' reviews and payments: household by household (rules/households.py)."""
    since = facts.records.site.ledgers_since
    if facts.profile.care_allowance is not None:
        yield from _care_allowance(facts, facts.profile.care_allowance)
    if since is None:
        return
    custody = facts.profile.custody
    if custody is not None and custody.caregiver_review_days:
        yield from _care_reviews(facts, custody, since)
    if facts.profile.payments is not None:
        yield from _payments(facts, facts.profile.payments, since)


def check_reports(facts) -> Iterable[Finding]:
    """The office's monthly reports (site.yaml), whatever the households."""
    since = facts.records.site.ledgers_since
    if since is not None and facts.profile.monthly_report_day:
        yield from _monthly_reports(facts, facts.profile.monthly_report_day, since)


def due_date(year: int, month: int, day: int | None) -> dt.date:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day or last, last))


# --- caregivers -----------------------------------------------------------------------------------------------


def needs_care_review(self_care, policies, support_mode) -> bool:
    """失能 or 半失能, 特困, and not in centralized support (the institution cares)."""
    return self_care in ("none", "partial") and "tekun" in policies and support_mode != "centralized"


def _care_reviews(facts, policy, since) -> Iterable[Finding]:
    for case in facts.in_care:
        if not needs_care_review(case.member.self_care, case.household.policies, case.subject.support_mode):
            continue
        reviews = [r.date for r in case.household.care_reviews if r.subject == case.member.id and r.date <= facts.as_of]
        last = max(reviews, default=None)
        start = max(case.start, since)
        if facts.as_of <= max(last or start, start) + dt.timedelta(days=policy.caregiver_review_days):
            continue  # (dates compared: a count of days changes every day, daywatch.py)
        gap = (facts.as_of - max(last or start, start)).days
        carer = case.assigned("caregiver") or ((case.subject.assigned.family_caregiver,)
                                               if case.subject.assigned and case.subject.assigned.family_caregiver
                                               else ())
        before = f"上次评估 {last}" if last else f"自 {start} 起没有评估记录"
        carers = "、".join(staff_name(facts, c) if c in facts.staff else member_name(case.household, c) for c in carer)
        by = f"（照料护理人 {carers}）" if carers else "（未安排照料护理人）"
        yield Finding("CARE-REVIEW-DUE", WARNING,
                      f"{case_name(case)}{vocab.SELF_CARE[case.member.self_care]}{by}，照料护理情况已 {gap} 天未经乡镇（街道）"
                      f"评估（{before}；每 {policy.caregiver_review_days} 天至少一次，{policy.cite}）",
                      case.household.source, path="care_reviews", subject=case.key,
                      evidence={"last_review": last.isoformat() if last else None, "gap_days": gap,
                                "limit_days": policy.caregiver_review_days, "caregiver": list(carer),
                                "rule": policy.cite})


# --- care allowance -------------------------------------------------------------------------------------------


def _care_allowance(facts, policy) -> Iterable[Finding]:
    in_care = {c.household.id for c in facts.in_care}
    for household in facts.records.households:
        if household.id not in in_care:
            continue
        for member in household.members:
            if member.disability is None or member.disability.grade not in policy.grades or member.care_allowance:
                continue
            if member.left and member.left <= facts.as_of:
                continue
            grade = vocab.DISABILITY_GRADE[member.disability.grade]
            yield Finding("BEN-CARE-ALLOWANCE", WARNING,
                          f"{member_name(household, member.id)}为{grade}残疾，未登记享受重度残疾人护理补贴"
                          f"（care_allowance；{policy.cite}）",
                          member.source, path="members", subject=f"{household.id}/{member.id}",
                          evidence={"grade": member.disability.grade, "rule": policy.cite})


# --- payments -------------------------------------------------------------------------------------------------


def _payments(facts, policy, since) -> Iterable[Finding]:
    cases_by_household: dict[str, list] = {}
    for case in facts.cases:
        cases_by_household.setdefault(case.household.id, []).append(case)
    for household in facts.records.households:
        kinds = [k for k in policy.kinds if k in household.policies]
        cases = cases_by_household.get(household.id, [])
        if not kinds or not cases:
            continue
        first = max(since, min(c.start for c in cases))
        for month in periods_between(first, facts.as_of, 1):
            due = due_date(month.start.year, month.start.month, policy.due_day)
            if due < first or not any(c.in_care_on(due) for c in cases):
                continue
            for kind in kinds:
                paid = [p for p in household.payments if p.month == month.key and p.kind == kind]
                what = f"户 {household.id}（{household_names(household)}）{month.label}的{MONEY.get(kind, vocab.POLICY[kind])}"
                if not paid:
                    if due < facts.as_of:
                        yield Finding("PAY-MISSING", WARNING,
                                      f"{what}没有发放记录（应于 {due} 前发放；{policy.cite}）",
                                      household.source, path="payments", subject=household.id,
                                      evidence={"month": month.key, "kind": kind, "due": due.isoformat(),
                                                "rule": policy.cite})
                    continue
                date = min(p.paid for p in paid)
                if date > due:
                    yield Finding("PAY-LATE", WARNING,
                                  f"{what}于 {date} 发放，晚于 {due}（{(date - due).days} 天；{policy.cite}）",
                                  paid[0].source, path="payments", subject=household.id,
                                  evidence={"month": month.key, "kind": kind, "due": due.isoformat(),
                                            "paid": date.isoformat(), "days_late": (date - due).days,
                                            "rule": policy.cite})


# --- the monthly report ---------------------------------------------------------------------------------------


def _monthly_reports(facts, day: int, since) -> Iterable[Finding]:
    site = facts.records.site
    cite = facts.profile.monthly_report_cite or MONTHLY_REPORT_BASIS
    sent = {}
    for report in site.monthly_reports:
        sent.setdefault(report.month, report)
    for month in periods_between(since, facts.as_of, 1):
        due = due_date(month.start.year, month.start.month, day)
        if due < since:
            continue
        report = sent.get(month.key)
        if report is None:
            if due < facts.as_of:
                yield Finding("RPT-MONTHLY-MISSING", WARNING,
                              f"{month.label}的工作开展情况月报没有报送记录（应于 {due} 前报送；{cite}）",
                              site.source or Source("site.yaml"), path="monthly_reports",
                              evidence={"month": month.key, "due": due.isoformat(), "rule": cite})
        elif report.sent > due:
            yield Finding("RPT-MONTHLY-LATE", WARNING,
                          f"{month.label}的工作开展情况月报于 {report.sent} 报送，晚于 {due}"
                          f"（{(report.sent - due).days} 天；{cite}）",
                          report.source, path="monthly_reports",
                          evidence={"month": month.key, "due": due.isoformat(), "sent": report.sent.isoformat(),
                                    "days_late": (report.sent - due).days, "rule": cite})
