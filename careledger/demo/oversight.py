"""Oversight records of the demo: inspections of care contacts (督查), spot checks (抽查) and fund custody ledgers.

Inspections sample about a tenth of the subjects with a contact each month; most pass, a few fail on one point,
and one weak contact fails three months running, so the penalty ladder has something to show. Spot checks of the
profile's higher offices are visits in the capacity `inspector`. Custody ledgers hold monthly benefits, expenses
drawn by the caregiver, month-end balance assertions that hold, and the village's periodic checks.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from ..policy import Profile
from ..rules import spotcheck as draw
from ..rules.periods import PERIOD_MONTHS, periods_between
from . import texts
from .emit import money, q
from .plan import Plan, selector_matches
from .world import World, rand_date

ONE_DAY = dt.timedelta(days=1)


def months_between(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each calendar month overlapping [start, end], clipped to it."""
    return [(max(start, m.start), min(end, m.end)) for m in periods_between(start, end, 1)]


def drawn(profile: Profile, rule, cases: list[tuple[Plan, dict]], start: dt.date, end: dt.date):
    """(first, last, plans) per period of a spot check within [start, end]: the households drawn by the rules'
    reproducible draw (careledger.rules.spotcheck) with no commit id, so the demo's checks match that sample."""
    for period in periods_between(start, end, PERIOD_MONTHS[rule.period]):
        pool = {}
        for plan, _ in cases:
            gone = plan.status_date if plan.status != "active" else None
            if plan.enrolled > period.end or (gone is not None and gone <= period.start):
                continue
            if not selector_matches(rule.population, plan):
                continue
            if rule.new_recipients_only and not period.contains(plan.enrolled):
                continue
            pool[plan.id] = plan
        seed = draw.seed(profile.id, rule.name, period.key, "")
        ranked = sorted(pool, key=lambda h: (draw.draw_key(seed, h), h))
        yield max(start, period.start), min(end, period.end), [pool[h] for h in ranked[:draw.sample_size(
            rule.rate, len(pool))]]


def _day_in_care(rng: random.Random, plan: Plan, first: dt.date, last: dt.date) -> dt.date | None:
    low = max(first, plan.enrolled)
    high = min(last, plan.status_date - ONE_DAY) if plan.status != "active" else last
    return rand_date(rng, low, high) if low <= high else None


def inspections(rng: random.Random, profile: Profile, world: World, cases: list[tuple[Plan, dict]],
                start: dt.date, end: dt.date, weak_contact: str | None) -> list[tuple[str, dict]]:
    """(inspector id, inspection record) of every inspection of the contacts."""
    inspectors = [s.id for s in world.staff[""] if "inspector" in s.roles]
    with_contact = {}
    for plan, subject in cases:
        if subject["contact"] and plan.id not in with_contact:
            with_contact[plan.id] = (plan, subject)
    if not inspectors or not with_contact or not world.features.contact:
        return []
    rules = [r for r in profile.spot_checks if r.office_level == "township"]
    if rules:
        rounds = [(first, last, [with_contact[p.id] for p in plans if p.id in with_contact])
                  for rule in rules for first, last, plans in drawn(profile, rule, cases, start, end)]
    else:  # no rate in the profile: about a tenth of the subjects each month
        pairs = list(with_contact.values())
        rounds = [(first, last, rng.sample(pairs, max(1, len(pairs) // 10))) for first, last in
                  months_between(start, end)]
    last_months = list(months_between(start, end))[-3:]
    out = []
    for first, last, sample in rounds:
        for k, (plan, subject) in enumerate(sample):
            day = _day_in_care(rng, plan, first, last)
            if day is None or (subject["contact"][0] == weak_contact and day >= last_months[0][0]):
                continue
            record = {"date": day, "household": plan.id, "subject": subject["member"],
                      "contact": subject["contact"][0], "visited_weekly": True, "activities_done": True,
                      "environment_ok": True, "satisfied": True}
            if rng.random() < 0.06:
                field, remark = rng.choice(texts.INSPECTION_FAILURES[1:])
                record[field] = False
                record["remarks"] = remark
            else:
                record["remarks"] = rng.choice(texts.INSPECTION_REMARKS_OK) or None
            out.append((inspectors[k % len(inspectors)], record))
    weak = [pair for pair in with_contact.values() if pair[1]["contact"][0] == weak_contact]
    for first, last in last_months:  # one contact fails three months running: the whole penalty ladder
        for plan, subject in weak:
            day = _day_in_care(rng, plan, first, last)
            if day is not None:
                out.append((inspectors[0], {"date": day, "household": plan.id, "subject": subject["member"],
                                            "contact": weak_contact, "visited_weekly": False,
                                            "activities_done": True, "environment_ok": True, "satisfied": False,
                                            "remarks": "近两周未上门走访，对象反映联系人很少来"}))
                break
    return out


def spot_checks(rng: random.Random, profile: Profile, world: World, cases: list[tuple[Plan, dict]],
                start: dt.date, end: dt.date):
    """Spot checks by the higher offices, as visits in the capacity `inspector`: (visitor, date, text)."""
    street = world.staff[""]
    out = []
    for rule in profile.spot_checks:
        if rule.office_level == "township" and world.features.contact:
            continue  # the street's inspections of the contacts are its spot checks
        role = {"township": "inspector", "district": "district_cadre", "city": "city_cadre"}.get(rule.office_level)
        checkers = [s.id for s in street if role in s.roles]
        if not checkers:
            continue
        for first, last, plans in drawn(profile, rule, cases, start, end):
            for k, plan in enumerate(plans):
                day = _day_in_care(rng, plan, first, last)
                if day is None:
                    continue
                phone = rng.random() < 0.6
                lines = [f"- date: {day}", f"  household: {q(plan.id)}", "  duty: 'inspector'"]
                if phone:
                    lines.append("  mode: 'phone'")
                how = "：电话核实走访和帮扶措施落实情况，与台账相符" if phone else "：实地核查，台账与实际情况相符"
                lines.append(f"  note: {q(rule.name + how)}")
                out.append((checkers[k % len(checkers)], day, "\n".join(lines)))
    return out


def custody_ledger(rng: random.Random, profile: Profile, plan: Plan, subject: dict, start: dt.date,
                   end: dt.date, *, lapse: bool = False) -> dict:
    village = plan.village.id
    check_days = profile.custody.village_check_days if profile.custody else 90
    elected = min(plan.enrolled + dt.timedelta(days=rng.randint(3, 30)), start - ONE_DAY)
    policies = plan.persona.policies
    income_item, income = texts.CUSTODY_INCOME["tekun" if "tekun" in policies else (
        "dibao" if "dibao" in policies else "other")]
    care_income = texts.CUSTODY_CARE_INCOME if "tekun" in policies else None
    opening = balance = rng.randint(20, 300) * 1000
    entries = []
    drawer = subject["caregiver"]
    last_check = max(start, elected)  # the rules count the first interval from here
    for first, last in months_between(start, end):
        if first.day <= 5 <= last.day:  # benefits are paid on the 5th
            first = first.replace(day=5)
            entries.append(_entry(first, "income", income, item=income_item))
            balance += income
            if care_income:
                entries.append(_entry(first, "income", care_income[1], item=care_income[0]))
                balance += care_income[1]
        for day in sorted(rand_date(rng, first, last) for _ in range(rng.randint(2, 5))):
            item, low, high = rng.choice(texts.CUSTODY_EXPENSES)
            amount = rng.randint(low // 10, high // 10) * 10
            if amount <= balance and drawer:
                who = drawer
                if lapse:  # once: the custodian drew it himself
                    who, lapse = subject["custodian"], False
                entries.append(_entry(day, "expense", amount, item=item, drawn_by=who))
                balance -= amount
        entries.append({"date": last, "kind": "balance", "balance": Decimal(money(balance))})
        if (last + dt.timedelta(days=31) - last_check).days > check_days:  # next month-end would be too late
            last_check = last
            entries.append({"date": last, "kind": "check", "item": "村委会检查台账，收支相符",
                            "checked_by": f"{village}-zhuren"})
    return {"household": plan.id, "subject": subject["member"], "custodian": subject["custodian"],
            "elected": elected, "opening_balance": Decimal(money(opening)), "entries": entries}


def _entry(day: dt.date, kind: str, cents: int, **extra) -> dict:
    return {"date": day, "kind": kind, "amount": Decimal(money(cents)), **extra}
