"""One household, one file, one policy (一户一档一策) and the observation list (救助观察).

- NEED-NO-MEASURE (the profile's `needs.measure_required`, Guiyang 二（一） “注明具体解决或帮扶措施”): a need of a
  household with a subject in care on the as-of date, still open or in progress, with no `measure`.
- NEED-PRINCIPAL (`needs.special_needs_roles`, Guiyang 二（二） “村（居）支部书记、主任主要负责包保特殊困难群众中有特殊
  困难需求的对象”): a subject in care marked `special_needs: true` none of whose responsible cadres holds one of the
  roles, belongs to the subject's own village and is in post on the as-of date.
- OBS-PATROL (the profile's `observation`, Tianhu 二（一） “对重点人群…定期走访，每月不少于1次”): a household on the
  observation list (`status: observation`) for a whole calendar month that is over, with fewer visits in that month
  than `patrols_per_month`. Months are judged from the site's `ledgers_since` on; without it, none.

The reason an observation household is not eligible (Tianhu 二（二） “备注不符合条件的理由”) is required when the
records are read: `status_reason` (E-MISSING), so no rule repeats it.
"""

from __future__ import annotations

from typing import Iterable

from ..findings import WARNING, Finding
from .people import household_names, member_name, staff_name, staff_names
from .periods import periods_between

CODES = {
    "NEED-NO-MEASURE": (WARNING, "一户一策：困难需求没有注明解决或帮扶措施"),
    "NEED-PRINCIPAL": (WARNING, "有特殊困难需求的对象未由本村（社区）支部书记或主任包保"),
    "OBS-PATROL": (WARNING, "救助观察名单上的家庭某月巡查走访次数不足"),
}


def check(facts) -> Iterable[Finding]:
    policy = facts.profile.needs
    if policy is not None:
        if policy.measure_required:
            yield from _no_measure(facts, policy)
        if policy.special_needs_roles:
            yield from _principal(facts, policy)
    if facts.profile.observation is not None:
        yield from _patrols(facts, facts.profile.observation)


def _no_measure(facts, policy) -> Iterable[Finding]:
    in_care = {c.household.id for c in facts.in_care}
    for household in facts.records.households:
        if household.id not in in_care:
            continue
        for need in household.needs:
            if need.measure or need.status not in ("open", "in_progress"):
                continue
            whose = f"{member_name(household, need.member)}的" if need.member else ""
            who = f"，负责人 {staff_name(facts, need.responsible)}" if need.responsible else ""
            yield Finding("NEED-NO-MEASURE", WARNING,
                          f"户 {household.id} {whose}困难需求 {need.id}“{need.need}”没有注明解决或帮扶措施"
                          f"（measure{who}；{policy.cite}）",
                          need.source, path="needs", subject=household.id, staff=need.responsible or "",
                          evidence={"need": need.id, "rule": policy.cite})


def _principal(facts, policy) -> Iterable[Finding]:
    for case in facts.in_care:
        if not case.subject.special_needs:
            continue
        responsible = case.assigned("responsible")
        ok = [s for s in responsible if (staff := facts.staff.get(s)) is not None
              and any(r in policy.special_needs_roles for r in staff.roles)
              and staff.village == case.household.village and staff.active_on(facts.as_of)]
        if ok:
            continue
        yield Finding("NEED-PRINCIPAL", WARNING,
                      f"{case.member.name}（{case.key}）有特殊困难需求，包保责任人为 {staff_names(facts, responsible)}，"
                      f"其中没有本村（社区）的支部书记或主任（{policy.cite}）",
                      case.subject.source, subject=case.key, staff=responsible[0] if responsible else "",
                      evidence={"responsible": list(responsible), "roles": list(policy.special_needs_roles),
                                "rule": policy.cite})


def _patrols(facts, policy) -> Iterable[Finding]:
    since = facts.records.site.ledgers_since
    if since is None:
        return
    villages = {v.id: v.name for v in facts.records.site.villages}
    watched = {h.id: h for h in facts.records.households if h.status == "observation" and h.status_date}
    dates: dict[str, list] = {h: [] for h in watched}
    for visit in facts.records.visits:
        if visit.household in dates:
            dates[visit.household].append(visit.date)
    for household in watched.values():
        first = max(household.status_date, since)
        visits = dates[household.id]
        for month in periods_between(first, facts.as_of, 1):
            if month.start < first or month.end >= facts.as_of:
                continue
            count = sum(1 for d in visits if month.contains(d))
            if count >= policy.patrols_per_month:
                continue
            last = max((d for d in visits if d < month.start), default=None)
            yield Finding("OBS-PATROL", WARNING,
                          f"{villages.get(household.village, household.village)}户 {household.id}"
                          f"（{household_names(household)}，救助观察自 {household.status_date}）{month.label}巡查走访 {count} 次，少于每月 "
                          f"{policy.patrols_per_month} 次（此前最近一次 {last or '无'}；{policy.cite}）",
                          household.source, path="status", subject=household.id,
                          evidence={"month": month.key, "visits": count, "minimum": policy.patrols_per_month,
                                    "rule": policy.cite})

