"""Visits and inspections of the demo, generated per household at the profile's cadence and written as YAML text.

Each visiting duty of a household is a *stream*: one visitor (the first responsible cadre, the contact, the
coordinator) visiting the subjects assigned to them at the shortest interval the profile's cadence rules give,
tightened in declared special periods, paused while a subject is in hospital. Gaps are jittered below the interval,
with a few late ones; a handful of streams stop early so that they are overdue on the end date. Problems found on a
visit get a household-unique id and are mostly closed by a later visit (闭环).

This runs a million times in the scale test, so a visit is rendered straight to text from pre-quoted pieces.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from .. import vocab
from ..policy import Profile
from . import texts
from .emit import q
from .plan import Plan, selector_matches
from ..rules.periods import add_months
from .world import World

ONE_DAY = dt.timedelta(days=1)
DEFAULT_INTERVAL = 45  # a duty without a cadence rule is still visited now and then
HIGHER_OFFICE_INTERVAL = 75

Q_CONTACT_NOTES = tuple(q(t) for t in texts.CONTACT_NOTES)
Q_RESPONSIBLE_NOTES = tuple(q(t) for t in texts.RESPONSIBLE_NOTES)
Q_PHONE_NOTES = tuple(q(t) for t in texts.PHONE_NOTES)
Q_HOSPITAL_NOTE = q(texts.HOSPITAL_NOTE)
Q_HIGHER = tuple(q(t) for t in texts.HIGHER_NOTES)
Q_FOLLOW_UP = tuple(q(t) for t in texts.FOLLOW_UP_NOTES)
Q_OBSERVATION = tuple(q(t) for t in texts.OBSERVATION_NOTES)
Q_CHECKLIST = {k: tuple(q(t) for t in v) for k, v in texts.CHECKLIST.items()}


@dataclass
class Stream:
    visitor: str
    duty: str
    members: list[str]
    interval: int  # the rule's interval (what the rules engine checks)
    warn: int
    target: int  # the interval aimed at (tighter, to meet a monthly minimum)
    modes: tuple
    first: dt.date
    last: dt.date
    regular: bool = True  # a cadence rule applies (else: now and then)
    kind: str = "care"  # care | follow_up | patrol | higher
    weak: bool = False


class Visits:
    def __init__(self, rng: random.Random, profile: Profile, world: World, periods: list, start: dt.date,
                 end: dt.date, weak_contact: str | None):
        self.rng, self.profile, self.world, self.start, self.end = rng, profile, world, start, end
        self.weak_contact = weak_contact
        self.periods = periods  # (kind, start, end) of the site
        self.count = 0
        self.contact_acts = tuple(profile.contact_activities) or ("cleaning", "laundry", "shopping", "medical",
                                                                  "emotional")
        self.activities_duty = "contact" if world.features.contact else "responsible"
        self.dry = [(s.toordinal(), e.toordinal()) for kind, s, e in periods if kind == "dry_season"]
        # per duty: {day ordinal: interval divisor} over the declared special periods that tighten it
        self.divisor_on = {duty: self._divisors(duty) for duty in vocab.DUTY}
        # pre-rendered lines: activities by number of them (each with and without water delivery), home checks
        # (all fine, then each one failing), checklist answers
        self.activity_lines = []
        for k in (1, 2, 3):
            lines = []
            for combo in itertools.combinations(self.contact_acts, min(k, len(self.contact_acts))):
                wet = combo if "water_delivery" in combo else combo + ("water_delivery",)
                lines.append(tuple("  activities: [" + ", ".join(q(a) for a in acts) + "]" for acts in (combo, wet)))
            self.activity_lines.append(lines)
        checks = profile.home_checks
        self.home_lines = [("  home_checks: {" + ", ".join(f"{h}: {'false' if h == bad else 'true'}" for h in checks)
                            + "}") for bad in (None,) + tuple(checks)] if checks else []
        self.checklist_lines = [tuple(f"    {key}: {t}" for t in Q_CHECKLIST[key]) for key in profile.visit_checklist]
        # what the profile's visit_content rules ask of each duty's visits (issue 15): checklist items, seen
        self.content: dict[str, tuple[tuple, bool, bool]] = {}
        for rule in profile.visit_content:
            items, seen, acts = self.content.get(rule.duty, ((), False, False))
            self.content[rule.duty] = (tuple(dict.fromkeys(items + tuple(rule.checklist))), seen or rule.seen,
                                       acts or rule.activities)
        self.dry_water = profile.dry_season_water is not None
        self.content_rng = random.Random(f"content-{start}-{end}")  # its own stream: the visits stay as they were
        first, last = start.toordinal() - 400, end.toordinal() + 400
        self._iso = {o: dt.date.fromordinal(o).isoformat() for o in range(first, last)}

    def iso(self, day: int) -> str:
        text = self._iso.get(day)
        return text if text is not None else dt.date.fromordinal(day).isoformat()

    # --- streams -----------------------------------------------------------------------------------------------

    def streams(self, plan: Plan, subjects: list[dict]) -> list[Stream]:
        profile, start, end = self.profile, self.start, self.end
        out: dict[tuple, Stream] = {}
        stop = plan.status_date - ONE_DAY if plan.status == "exited" else end
        first_day = max(start, plan.enrolled)
        for s in subjects:
            who = {"responsible": s["responsible"][0] if s["responsible"] else None,
                   "contact": s["contact"][0] if s["contact"] else None,
                   "coordinator": s["coordinator"], "caregiver": s["caregiver"]}
            ruled = set()
            for rule in profile.cadence:
                if not selector_matches(rule.applies_to, plan) or not who.get(rule.duty):
                    continue
                ruled.add(rule.duty)
                key = (who[rule.duty], rule.duty)
                target = rule.interval_days
                if rule.monthly_minimum:
                    target = min(target, 28 // rule.monthly_minimum)
                stream = out.get(key)
                warn = rule.warn_after_days or rule.interval_days
                if stream is None:
                    out[key] = Stream(who[rule.duty], rule.duty, [s["member"]], rule.interval_days, warn, target,
                                      tuple(rule.modes), first_day, stop)
                else:
                    if s["member"] not in stream.members:
                        stream.members.append(s["member"])
                    if not stream.regular or target < stream.target:
                        stream.interval, stream.warn, stream.target = rule.interval_days, warn, target
                        stream.modes = tuple(rule.modes)
                    stream.regular = True
            for duty in ("responsible", "contact"):
                if duty not in ruled and who[duty] and (who[duty], duty) not in out:
                    out[(who[duty], duty)] = Stream(who[duty], duty, [s["member"]], DEFAULT_INTERVAL,
                                                    DEFAULT_INTERVAL, DEFAULT_INTERVAL, (), first_day, stop,
                                                    regular=False)
                elif (who[duty], duty) in out and s["member"] not in out[(who[duty], duty)].members:
                    out[(who[duty], duty)].members.append(s["member"])
            for higher in s["responsible"][1:] if plan.key_person else ():
                if (higher, "responsible") not in out:
                    out[(higher, "responsible")] = Stream(higher, "responsible", [s["member"]],
                                                          HIGHER_OFFICE_INTERVAL, HIGHER_OFFICE_INTERVAL,
                                                          HIGHER_OFFICE_INTERVAL, (), first_day, stop,
                                                          regular=False, kind="higher")
        streams = [out[k] for k in out]
        for stream in streams:
            if stream.regular and stream.duty in ("responsible", "coordinator") and plan.overdue:
                stream.last = min(stream.last, end - dt.timedelta(days=stream.warn + self.rng.randint(2, 10)))
            if stream.regular and stream.duty == "contact" and plan.contact_overdue:
                stream.last = min(stream.last, end - dt.timedelta(days=stream.warn + self.rng.randint(2, 6)))
            stream.weak = stream.duty == "contact" and stream.visitor == self.weak_contact
        if plan.status == "exited" and profile.review.follow_up_months and subjects and subjects[0]["responsible"]:
            follow_end = min(end, add_months(plan.status_date, profile.review.follow_up_months))
            streams.append(Stream(subjects[0]["responsible"][0], "responsible", [], 31, 31, 30, (),
                                  plan.status_date + dt.timedelta(days=7), follow_end, regular=False,
                                  kind="follow_up"))
        if plan.status == "observation" and not subjects:  # the observation list is patrolled monthly
            coordinator = self.world.features.coordinator
            streams.append(Stream(f"{plan.village.id}-{'xieli' if coordinator else 'baopian1'}",
                                  "coordinator" if coordinator else "responsible", [], 31, 31, 30, (),
                                  max(start, plan.status_date - dt.timedelta(days=60)), end, regular=False,
                                  kind="patrol"))
        return streams

    def dates(self, stream: Stream, pauses: list) -> list[tuple[int, str]]:
        """(day ordinal, mode) of each visit of the stream. Days are ordinals and random numbers come from
        random() directly: this loop runs for every visit of the scale test."""
        rand = self.rng.random
        divisor_on = self.divisor_on[stream.duty] if stream.regular else {}
        if divisor_on:
            span_first, span_last = min(divisor_on), max(divisor_on)
        phone_ok = not stream.modes or "phone" in stream.modes
        varied = stream.duty != "contact" and phone_ok and stream.kind != "patrol"
        target, warn, weak = stream.target, stream.warn, stream.weak
        low = max(1, (2 * target + 2) // 3)
        span = target - low + 1
        first, last = stream.first.toordinal(), stream.last.toordinal()
        day = first + int(rand() * target)
        out = []
        while day <= last:
            if pauses:
                pause = next((p for p in pauses if p[0] <= day and (p[1] is None or day < p[1])), None)
                if pause is not None:
                    if stream.duty == "responsible" and phone_ok:
                        call = pause[0] + 1 + int(rand() * 4)
                        if call <= last and (pause[1] is None or call < pause[1]):
                            out.append((call, "hospital"))
                    if pause[1] is None:
                        break
                    day = pause[1]
                    continue
            mode = "in_person"
            if varied:
                r = rand()
                if r < 0.07:
                    mode = "phone" if r < 0.05 else "video"
            out.append((day, mode))
            divisor = divisor_on.get(day, 1) if divisor_on else 1
            if divisor > 1:
                limit = max(1, -(-target // divisor))
                gap = max(1, (2 * limit + 2) // 3) + int(rand() * (limit - max(1, (2 * limit + 2) // 3) + 1))
            else:
                r = rand()
                if weak and r < 0.12:
                    gap = target + 1 + int(rand() * 6)
                elif r < 0.004:
                    gap = max(warn, target) + 1 + int(rand() * 3)
                elif r < 0.025 and warn > target:
                    gap = target + 1 + int(rand() * (warn - target))
                else:
                    gap = low + int(rand() * span)
            nxt = day + gap
            if divisor_on and nxt >= span_first and day <= span_last:
                nxt = self._tighten(stream.interval, divisor_on, day, nxt)
            day = nxt
        if not out and stream.regular and first <= last:  # stopped early: one visit before that
            out.append((first + int(rand() * (last - first + 1)), "in_person"))
        return out

    def _divisors(self, duty: str) -> dict[int, int]:
        out: dict[int, int] = {}
        for special in self.profile.special_periods:
            if special.interval_divisor <= 1 or (special.duties and duty not in special.duties):
                continue
            for kind, first, last in self.periods:
                if kind in special.kinds:
                    for day in range(first.toordinal(), last.toordinal() + 1):
                        out[day] = max(out.get(day, 1), special.interval_divisor)
        return out

    @staticmethod
    def _tighten(interval: int, divisor_on: dict[int, int], prev: int, nxt: int) -> int:
        """The next visit no later than the day before the gap would exceed the limit in force (the rules divide
        the interval in special periods, counting from the last visit)."""
        for day in range(prev + 1, nxt + 1):
            if day - prev > -(-interval // divisor_on.get(day, 1)):
                return max(prev + 1, day - 1)
        return nxt

    # --- one household's visits, rendered ----------------------------------------------------------------------

    def household(self, plan: Plan, subjects: list[dict], village_bucket: dict, street_bucket: dict) -> None:
        """Generate the household's visits and add each, rendered, to its visitor's list in the village's bucket
        (or the street office's, for street, district and city staff): visitor -> [(day ordinal, text)]."""
        pauses = [(a["start"].toordinal(), a["end"].toordinal() if a["end"] else None)
                  for s in subjects for a in s["absences"]]
        all_members = sorted(s["member"] for s in subjects)
        hq = q(plan.id)
        visits = []
        for stream in self.streams(plan, subjects):
            members = "" if sorted(stream.members) == all_members or not stream.members else (
                "  subjects: [" + ", ".join(q(m) for m in stream.members) + "]")
            bucket = street_bucket if self.world.by_id[stream.visitor].village == "" else village_bucket
            target = bucket.setdefault(stream.visitor, [])
            head = f"  household: {hq}\n" + (members + "\n" if members else "") + f"  duty: '{stream.duty}'"
            for day, mode in self.dates(stream, pauses if stream.kind == "care" else ()):
                visits.append([day, stream.visitor, stream, head, mode, None, None, target])
        if not visits:
            return
        visits.sort(key=lambda v: (v[0], v[1], v[2].duty))
        self._problems(visits)
        render = self._render
        for day, _, stream, head, mode, problems, resolved, target in visits:
            target.append((day, render(plan, day, stream, head, mode, problems, resolved)))
        self.count += len(visits)

    def _problems(self, visits: list) -> None:
        rng = self.rng
        rand = rng.random
        pending = []  # (day to close it, problem id, note)
        number = 0
        for visit in visits:
            day, _, stream, _, mode, _, _, _ = visit
            in_person = mode == "in_person"
            if pending and in_person:
                closing = [p for p in pending if p[0] <= day]
                if closing:
                    visit[6] = [(pid, note) for _, pid, note in closing]
                    pending = [p for p in pending if p[0] > day]
            chance = 0.015 if stream.duty == "contact" else 0.035
            if in_person and stream.kind != "higher" and rand() < chance:
                number += 1
                risky = rand() < 0.08
                text, action, note = rng.choice(texts.RISK_PROBLEMS if risky else texts.PROBLEMS)
                days = rng.randint(5, 30)
                visit[5] = [(f"p{number}", text, action, day + days, risky)]
                if rand() < (0.95 if risky else 0.85):
                    pending.append((day + rng.randint(1, days + 12), f"p{number}", note))

    def _content(self, lines: list[str], day: int, stream: Stream) -> None:
        """The checklist, `seen` and dry-season water the profile asks of an in-person visit, where the lines above
        did not already write them; one visit in fifty did not see the person, and most visits that list no activity
        where one is asked get one."""
        items, seen, acts = self.content.get(stream.duty, ((), False, False))
        if items and not any(line == "  checklist:" for line in lines):
            lines.append("  checklist:")
            lines += [f"    {key}: {Q_CHECKLIST[key][day % len(Q_CHECKLIST[key])]}" for key in items]
        if seen:
            lines.append("  seen: false" if self.content_rng.random() < 0.02 else "  seen: true")
        listed = any(line.startswith("  activities:") for line in lines)
        if self.dry_water and any(s <= day <= e for s, e in self.dry) and not listed:
            lines.append("  activities: ['water_delivery']")
        elif acts and not listed and self.content_rng.random() < 0.8:
            lines.append(f"  activities: ['{self.contact_acts[day % len(self.contact_acts)]}']")

    def _render(self, plan: Plan, day: int, stream: Stream, head: str, mode: str, problems, resolved) -> str:
        rand, iso = self.rng.random, self.iso
        lines = [f"- date: {iso(day)}", head]
        note = None
        if mode == "hospital":
            mode, note = "phone", Q_HOSPITAL_NOTE
        if mode != "in_person":
            lines.append(f"  mode: '{mode}'")
        if stream.kind == "higher":
            lines.append(f"  companions: [{q(self.world.staff[plan.village.id][0].id)}]")
        if mode == "in_person" and stream.kind == "care":
            duty = stream.duty
            if duty == self.activities_duty and rand() < (0.95 if duty == "contact" else 0.35):
                combos = self.activity_lines[int(rand() * 3)]
                dry = 1 if self.dry and any(s <= day <= e for s, e in self.dry) else 0
                lines.append(combos[int(rand() * len(combos))][dry])
            if duty == "contact" and self.home_lines:
                lines.append(self.home_lines[0] if rand() >= 0.04 else
                             self.home_lines[1 + int(rand() * (len(self.home_lines) - 1))])
            if duty == "responsible" and self.checklist_lines:
                lines.append("  checklist:")
                for choices in self.checklist_lines:
                    lines.append(choices[int(rand() * len(choices))])
        if mode == "in_person" and stream.kind in ("care", "higher", "patrol"):
            self._content(lines, day, stream)
        if problems:
            lines.append("  problems:")
            for pid, text, action, deadline, risky in problems:
                lines += [f"    - id: '{pid}'", f"      text: {q(text)}", f"      action: {q(action)}",
                          f"      deadline: {iso(deadline)}"]
                if risky:
                    lines.append("      risk: true")
        if resolved:
            lines.append("  resolved:")
            for pid, text in resolved:
                lines += [f"    - problem: '{pid}'", f"      note: {q(text)}"]
        pool = None
        if note:
            lines.append(f"  note: {note}")
        elif mode != "in_person":
            pool = Q_PHONE_NOTES
        elif stream.kind == "follow_up":
            pool = Q_FOLLOW_UP
        elif stream.kind == "patrol":
            pool = Q_OBSERVATION
        elif stream.kind == "higher":
            pool = Q_HIGHER
        elif stream.duty == "coordinator" or rand() < 0.6:
            pool = Q_CONTACT_NOTES if stream.duty == "contact" else Q_RESPONSIBLE_NOTES
        if pool:
            lines.append(f"  note: {pool[int(rand() * len(pool))]}")
        return "\n".join(lines)
