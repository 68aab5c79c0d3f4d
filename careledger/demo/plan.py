"""The plan of a demo jurisdiction: villages, and for every household its category, persona, level and oddities.

Planning comes before any record is built, because the staff of a village depend on its households (one contact
for a few subjects, a caregiver for two) and because the plan guarantees coverage: every category and every level
of the profile appears, and a few households are planned to be odd on purpose (exited, on the observation list,
overdue at the end date, in hospital, rated lower than their facts suggest, with a fund custody ledger).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from .. import vocab
from ..policy import Profile
from . import texts
from .names import region_code
from .personas import PERSONAS, Persona, personas_for

FACT_ORDER = {f: i for i, f in enumerate(vocab.ASSESSMENT_FACT)}
ADULT_PERSONAS = ("tekun_elder", "disabled", "ill", "empty_nest", "support_lacking", "left_behind_elder")


@dataclass
class Village:
    index: int
    id: str
    name: str
    kind: str
    groups: list[str]
    region: str
    households: list = field(default_factory=list)


@dataclass
class Plan:
    """One household as planned."""

    index: int
    village: Village
    id: str
    group: str
    category: str
    persona: Persona
    status: str = "active"
    level: str | None = None  # recorded level
    facts: list[str] = field(default_factory=list)
    key_person: bool = False
    support_mode: str | None = None
    enrolled: dt.date | None = None
    status_date: dt.date | None = None
    status_reason: str | None = None
    second_subject: bool = False
    caregiver_needed: bool = False
    custody: bool = False
    overdue: bool = False
    contact_overdue: bool = False
    absence: tuple | None = None  # (start, end or None)
    agreement_case: str = ""  # "" | "expiring" | "expired"
    wrong_role: bool = False  # the responsible cadre holds a role the profile does not allow for the level
    review_missed: bool = False  # the last complete review cycle has no review


def selector_matches(selector, plan: Plan, level: str | None = None) -> bool:
    return selector.matches(category=plan.category, level=level if level is not None else plan.level,
                            key_person=plan.key_person, support_mode=plan.support_mode,
                            policies=plan.persona.policies)


def make_villages(rng: random.Random, count: int, households: int) -> list[Village]:
    pairs = [(a, b) for a in texts.PLACE_FIRST for b in texts.PLACE_SECOND]
    rng.shuffle(pairs)
    villages, used = [], set()
    for i in range(count):
        (c1, p1), (c2, p2) = pairs[i % len(pairs)]
        round_ = i // len(pairs)
        community = rng.random() < 0.25
        base = c1 + c2 + (_numeral(round_ + 1) if round_ else "")
        vid = p1 + p2 + (str(round_ + 1) if round_ else "")
        while vid in used:
            vid += "x"
        used.add(vid)
        name = base + ("社区" if community else "村")
        groups = [str(g) for g in range(1, rng.randint(4, 8) + 1)]
        villages.append(Village(i, vid, name, "community" if community else "village", groups, region_code(i)))
    # households per village: about ten each, as even as the count allows
    for i in range(households):
        villages[i * count // households].households.append(None)
    return villages


def _numeral(n: int) -> str:
    digits = texts.NUMERALS
    if n <= 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


class Planner:
    def __init__(self, rng: random.Random, profile: Profile, start: dt.date, end: dt.date):
        self.rng, self.profile, self.start, self.end = rng, profile, start, end
        self.levels = sorted(profile.levels, key=lambda lv: lv.rank)
        self.by_pref = {}
        if self.levels:
            self.by_pref = {"low": self.levels[0], "mid": self.levels[len(self.levels) // 2],
                            "high": self.levels[-1]}
        self.observation_category = next((c.code for c in profile.categories if c.code == "observation"), None)

    # --- the plan of every household -------------------------------------------------------------------------

    def plan(self, villages: list[Village]) -> list[Plan]:
        rng, profile = self.rng, self.profile
        categories = [c for c in profile.categories if c.code != self.observation_category]
        total = sum(len(v.households) for v in villages)
        slots = [(v, k) for v in villages for k in range(len(v.households))]
        plans = []
        for i, (village, k) in enumerate(slots):
            if i < len(profile.categories):
                category = profile.categories[i]
            else:
                category = rng.choice(categories)
            persona = PERSONAS[rng.choice(personas_for(profile.id, category))]
            hid = f"{village.id}-{k + 1:03d}"
            plan = Plan(i, village, hid, rng.choice(village.groups), category.code, persona)
            village.households[k] = plan
            plans.append(plan)
        covered = len(profile.categories) + len(self.levels)
        rest = [p for p in plans if p.index >= covered]
        odd = max(1, round(total * 0.04)) if total >= 12 else 0
        picks = rng.sample(rest, min(len(rest), 2 * odd)) if odd else []
        for p in picks[:odd]:
            p.status = "exited"
        for p in picks[odd:]:
            p.status = "observation"
        for p in plans:
            if p.category == self.observation_category:
                p.status = "observation"
        for p in plans:
            self._basics(p)
        self._levels(plans)
        self._oddities(plans)
        return plans

    def _basics(self, p: Plan) -> None:
        rng = self.rng
        persona = p.persona
        p.support_mode = persona.support_mode
        if persona.key == "tekun_elder" and rng.random() < 0.08 and p.status == "active" and p.index > 10:
            p.support_mode = "centralized"
        severe = persona.key in ("tekun_elder", "disabled", "ill")
        if self.profile.cadence_driver == "key_person":
            p.key_person = rng.random() < (0.8 if severe else 0.55)
        else:
            p.key_person = rng.random() < (0.5 if severe else 0.15)
        if p.status == "observation" and p.category == self.observation_category:
            p.key_person = True
        issued = self.profile.issued or dt.date(2020, 6, 1)
        earliest = max(issued, self.end - dt.timedelta(days=5 * 365))
        latest = self.start - dt.timedelta(days=20)
        if p.index > 5 and rng.random() < 0.08 and (self.end - self.start).days > 40:
            p.enrolled = self.start + dt.timedelta(days=rng.randint(3, (self.end - self.start).days - 30))
        else:
            p.enrolled = earliest + dt.timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
        if p.status != "active":
            low = max(p.enrolled + dt.timedelta(days=20), self.start + dt.timedelta(days=10))
            high = self.end - dt.timedelta(days=10)
            p.status_date = min(self.end, low + dt.timedelta(days=rng.randint(0, max(0, (high - low).days))))
            p.status_reason = rng.choice(texts.EXIT_REASONS if p.status == "exited" else texts.OBSERVATION_REASONS)
        facts = set(persona.facts)
        for fact, chance in persona.optional:
            if rng.random() < chance:
                facts.add(fact)
        if persona.key == "tekun_elder" and not facts & {"semi_disabled", "disabled"} and rng.random() < 0.3:
            facts.add("disabled")
        p.facts = facts  # a set until the levels are fitted; then an ordered list

    # --- levels: every level appears; facts agree with the level, a few recorded too low ---------------------

    def _levels(self, plans: list[Plan]) -> None:
        rng = self.rng
        targets = {}
        for p in plans:
            if self.levels:
                prefs, weights = zip(*p.persona.levels)
                targets[p.index] = self.by_pref[rng.choices(prefs, weights)[0]]
        if self.levels:
            active = [p for p in plans if p.status == "active"]
            for level in self.levels:
                if any(targets[p.index] is level for p in active):
                    continue
                counts = Counter(targets[p.index].code for p in active)
                shared = [p for p in active if counts[targets[p.index].code] > 1]
                fitting = [p for p in shared if any(self.by_pref[pref] is level for pref, _ in p.persona.levels)]
                if fitting or shared:
                    targets[(fitting or shared)[0].index] = level
        for p in plans:
            facts = p.facts
            if self.levels:
                target = targets[p.index]
                if target is self.levels[-1] and p.persona.child:
                    target = self.by_pref["mid"]
                facts = self.fit_facts(target, facts, [f for f, _ in p.persona.optional])
                p.level = target.code
            if p.persona.child:
                facts.discard("lives_alone")
            p.facts = sorted(facts, key=FACT_ORDER.__getitem__)
        # a few recorded one level lower than their facts suggest
        candidates = [p for p in plans if p.status == "active" and p.level and p.level != self.levels[0].code]
        ranks = [lv.code for lv in self.levels]
        for p in rng.sample(candidates, min(len(candidates), max(1, round(len(candidates) * 0.05)))):
            p.level = ranks[ranks.index(p.level) - 1]

    def fit_facts(self, level, facts: set[str], liked=()) -> set[str]:
        """Facts under which `level` is the suggested one: add what its easiest criterion lacks (preferring facts
        the persona often has), then drop facts that would suggest a higher level."""
        facts = set(facts)
        keep: set[str] = set()
        if level.suggest_when and not any(c.holds(facts) for c in level.suggest_when):
            def cost(c):
                return len([f for f in c.all_of if f not in facts]) + (
                    0 if not c.any_of or any(f in facts for f in c.any_of) else 1)
            criterion = min(level.suggest_when, key=cost)
            facts.update(criterion.all_of)
            keep.update(criterion.all_of)
            if criterion.any_of and not any(f in facts for f in criterion.any_of):
                facts.add(next((f for f in criterion.any_of if f in liked), criterion.any_of[0]))
        else:
            for c in level.suggest_when:
                if c.holds(facts):
                    keep.update(c.all_of)
                    keep.update(f for f in c.any_of[:1] if f in facts)
                    break
        for higher in reversed(self.levels):
            if higher.rank <= level.rank:
                continue
            for criterion in higher.suggest_when:
                while criterion.holds(facts):
                    removable = [f for f in criterion.all_of if f in facts and f not in keep]
                    if removable:
                        facts.discard(removable[-1])
                        continue
                    removable = [f for f in criterion.any_of if f in facts and f not in keep]
                    if not removable:
                        break
                    for f in removable:
                        facts.discard(f)
        return facts

    # --- planned oddities ---------------------------------------------------------------------------------------

    def _oddities(self, plans: list[Plan]) -> None:
        rng, profile, end = self.rng, self.profile, self.end
        active = [p for p in plans if p.status == "active"]
        for p in plans:
            p.second_subject = (p.status != "observation" and "lives_alone" not in p.facts
                                and p.persona.key in ("empty_nest", "left_behind_elder", "tekun_elder")
                                and rng.random() < 0.25)
        # fund custody: subjects of the custody policy's groups without capacity and a working guardian; a couple
        # in any profile
        custody_policy = profile.custody
        eligible = [p for p in active if p.persona.key in ADULT_PERSONAS and not p.second_subject
                    and (custody_policy is None or selector_matches(custody_policy.required_for, p))]
        wanted = max(2, len(eligible) // 8) if custody_policy else 2
        for p in rng.sample(eligible, min(wanted, len(eligible))):
            p.custody = True
            p.facts = sorted(set(p.facts) | {"no_capacity", "no_working_guardian"}, key=FACT_ORDER.__getitem__)
        caregiver_rules = [a for a in profile.assignments if a.slot == "caregiver"]
        for p in plans:
            needs_care = bool(set(p.facts) & {"disabled", "semi_disabled", "severe_disability", "lacks_self_care"})
            ruled = any(selector_matches(a.applies_to, p) for a in caregiver_rules)
            four = profile.four_haves is not None and selector_matches(profile.four_haves.required_for, p)
            p.caregiver_needed = p.custody or ruled or four or (needs_care and rng.random() < 0.5)
        singles = [p for p in active if not p.second_subject and p.index >= 8 and p.enrolled < self.start]
        rng.shuffle(singles)
        n_odd = max(2, len(active) // 25)
        for p in singles[:n_odd]:
            p.overdue = True
        for p in singles[n_odd:n_odd + 2]:
            p.contact_overdue = True
        span = (end - self.start).days
        for i, p in enumerate(singles[n_odd + 2:n_odd + 2 + max(2, len(active) // 16)]):
            if i == 0:  # one still in hospital on the end date
                p.absence = (end - dt.timedelta(days=rng.randint(3, 8)), None)
            elif span > 40:
                first = self.start + dt.timedelta(days=rng.randint(10, span - 30))
                p.absence = (first, first + dt.timedelta(days=rng.randint(5, 20)))
        rest = singles[n_odd + 2 + max(2, len(active) // 16):]
        if len(rest) >= 2:
            rest[0].wrong_role = True
            rest[1].review_missed = True
        old = [p for p in singles if p.enrolled < end - dt.timedelta(days=400) and not p.overdue
               and any(selector_matches(a.required_for, p) for a in profile.agreements)]
        if len(old) >= 2:
            old[-1].agreement_case = "expiring"
            old[-2].agreement_case = "expired"
