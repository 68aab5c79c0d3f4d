"""What a visit records (走访内容): the service checklist, the care activities, the home checks, whether the person was
seen, and water delivered in the dry season.

Only visits dated on or after the site's `visit_content_since` are judged (visits entered before the requirement was
kept are not); without that setting no visit's content is judged. Content and water are asked of in-person visits
only: a phone or video call checks no house and delivers no water. For each judged visit and each of the profile's
`visit_content` rules whose duty is the visit's and whose selector matches a subject the visit covers:

- VIS-CONTENT: the visit lacks a checklist item the rule lists, any activity (`activities: true`), one of the
  profile's `home_checks` (`home_checks: true`), or, in person, whether the person was seen (`seen: true`). One
  finding per visit, naming everything missing.
- VIS-NOT-SEEN (`seen: true`, Tianhu 二（二） “走访到户不见人不放过”): an in-person visit with `seen: false`, while no
  later in-person visit to the household up to the as-of date saw the person.
- DRY-WATER (the profile's `dry_season_water`, Qiandongnan 四（五）): a visit made during a `dry_season` special period
  of site.yaml to a subject whose self-care is one the policy names (those who cannot move), without the activity
  `water_delivery`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from .. import vocab
from ..findings import WARNING, Finding
from .people import staff_name

CODES = {
    "VIS-CONTENT": (WARNING, "走访记录缺少文件要求的内容（服务清单、关爱帮扶活动、家庭环境或是否见到本人）"),
    "VIS-NOT-SEEN": (WARNING, "上门走访未见到对象本人，此后也没有见到本人的走访（不见人不放过）"),
    "DRY-WATER": (WARNING, "季节性缺水期间走访行动不便的对象，没有记录送水上门"),
}


def check(facts) -> Iterable[Finding]:
    since = facts.records.site.visit_content_since
    if since is None:
        return
    households = facts.records.households_by_id
    cases_of: dict[str, list] = defaultdict(list)
    for case in facts.cases:
        cases_of[case.household.id].append(case)
    for household_id, visits in judged_visits(facts).items():
        household = households.get(household_id)
        if household is None:
            continue
        for visit in visits:
            cases = _covered(cases_of[household_id], visit)
            if not cases:
                continue
            if visit.mode == "in_person":  # a call checks no house and delivers no water: asked of home visits
                yield from _content(facts, visit, household, cases)
                yield from _water(facts, visit, household, cases)
            yield from _not_seen(facts, visit, household, cases, visits)


def judged_visits(facts) -> dict[str, list]:
    """The visits whose content is judged, per household, in date order; the households in the order of their first
    judged visit (the order of the findings). Empty without `visit_content_since`."""
    since = facts.records.site.visit_content_since
    visits_of: dict[str, list] = defaultdict(list)
    if since is None:
        return visits_of
    for visit in facts.records.visits:
        if since <= visit.date <= facts.as_of:
            visits_of[visit.household].append(visit)
    return visits_of


def _covered(cases, visit) -> list:
    """The household's cases the visit covers and that are in care on its day."""
    return [c for c in cases if (not visit.subjects or c.member.id in visit.subjects) and c.in_care_on(visit.date)]


def _rules(facts, visit, cases) -> list:
    return [r for r in facts.profile.visit_content if r.duty == visit.duty
            and any(r.applies_to.matches(**c.selector_facts()) for c in cases)]


def _who(cases, household) -> tuple[str, str]:
    """(names for the message, the finding's subject)."""
    names = "、".join(f"{c.member.name}（{c.key}）" for c in cases)
    return names, cases[0].key if len(cases) == 1 else household.id


def _content(facts, visit, household, cases) -> Iterable[Finding]:
    rules = _rules(facts, visit, cases)
    missing: list[str] = []
    for rule in rules:
        for item in rule.checklist:
            if not (visit.checklist and getattr(visit.checklist, item)):
                missing.append(vocab.CHECKLIST[item])
        if rule.activities and not visit.activities:
            missing.append("关爱帮扶活动")
        if rule.home_checks:
            for item in facts.profile.home_checks:
                if not visit.home_checks or getattr(visit.home_checks, item) is None:
                    missing.append(vocab.HOME_CHECK[item])
        if rule.seen and visit.mode == "in_person" and visit.seen is None:
            missing.append("是否见到本人（seen）")
    missing = list(dict.fromkeys(missing))
    if not missing:
        return
    names, subject = _who(cases, household)
    cites = "；".join(dict.fromkeys(r.cite for r in rules))
    yield Finding("VIS-CONTENT", WARNING,
                  f"{staff_name(facts, visit.visitor)} {visit.date} 走访 {names}的记录缺少：{'、'.join(missing)}"
                  f"（{cites}）",
                  visit.source, subject=subject, staff=visit.visitor,
                  evidence={"date": visit.date.isoformat(), "duty": visit.duty, "missing": missing, "rule": cites})


def _not_seen(facts, visit, household, cases, visits) -> Iterable[Finding]:
    if visit.mode != "in_person" or visit.seen is not False:
        return
    rules = [r for r in _rules(facts, visit, cases) if r.seen]
    if not rules:
        return
    covered = {c.member.id for c in cases}
    for later in visits:  # the household's judged visits
        if (later.date > visit.date and later.mode == "in_person"
                and later.seen and (not later.subjects or covered <= set(later.subjects))):
            return
    names, subject = _who(cases, household)
    days = (facts.as_of - visit.date).days
    yield Finding("VIS-NOT-SEEN", WARNING,
                  f"{staff_name(facts, visit.visitor)} {visit.date} 上门走访 {names}未见到本人，至今 {days} 天"
                  f"没有见到本人的走访：须再次上门（{rules[0].cite}）",
                  visit.source, subject=subject, staff=visit.visitor,
                  evidence={"date": visit.date.isoformat(), "days": days, "rule": rules[0].cite})


def _water(facts, visit, household, cases) -> Iterable[Finding]:
    policy = facts.profile.dry_season_water
    if policy is None or visit.mode != "in_person" or "water_delivery" in visit.activities:
        return
    dry = [p for p in facts.records.site.special_periods
           if p.kind == "dry_season" and p.start <= visit.date <= p.end]
    immobile = [c for c in cases if c.member.self_care in policy.self_care]
    if not dry or not immobile:
        return
    names, subject = _who(immobile, household)
    yield Finding("DRY-WATER", WARNING,
                  f"{staff_name(facts, visit.visitor)} {visit.date} 走访 {names}正值季节性缺水期（{dry[0].start} 至 "
                  f"{dry[0].end}），对象{vocab.SELF_CARE[immobile[0].member.self_care]}，记录中没有送水上门"
                  f"（activities 中写 water_delivery；{policy.cite}）",
                  visit.source, subject=subject, staff=visit.visitor,
                  evidence={"date": visit.date.isoformat(), "dry_season": dry[0].start.isoformat(),
                            "rule": policy.cite})
