"""Kinds of people in care (personas), which profile category each fits, and the household built around one.

A persona says how old the subject is, what benefits the household has, which assessment facts are typical and which
level (high, middle, low) it usually gets. `household_members` then builds a household that agrees with the facts:
a subject who `lives_alone` lives alone, one with `severe_disability` has a grade 1 or 2 disability, a child has a
guardian among the supporters, and so on.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from . import texts
from .names import People


@dataclass(frozen=True)
class Persona:
    key: str
    ages: tuple[int, int]
    policies: tuple[str, ...]
    facts: tuple[str, ...]
    optional: tuple[tuple[str, float], ...]
    levels: tuple[tuple[str, int], ...]  # ("high" | "mid" | "low", weight)
    needs: str
    support_mode: str | None = None
    child: bool = False


PERSONAS = {p.key: p for p in (
    Persona("tekun_elder", (60, 94), ("tekun",), ("lacks_self_care",),
            (("lives_alone", 0.75), ("semi_disabled", 0.55), ("remote", 0.5), ("no_neighbour", 0.4)),
            (("high", 5), ("mid", 5)), "elder", support_mode="dispersed"),
    Persona("empty_nest", (68, 92), (), ("empty_nest", "has_guardian"),
            (("lacks_self_care", 0.6), ("lives_alone", 0.35)), (("mid", 6), ("low", 4)), "elder"),
    Persona("left_behind_elder", (64, 88), ("low_income",), ("left_behind", "has_guardian"),
            (("lacks_self_care", 0.4), ("support_lacking", 0.5)), (("mid", 3), ("low", 7)), "elder"),
    Persona("support_lacking", (70, 93), (), ("has_guardian", "support_lacking"),
            (("lacks_self_care", 0.3), ("lives_alone", 0.3)), (("low", 8), ("mid", 2)), "elder"),
    Persona("disabled", (18, 58), ("dibao", "disability_allowances"), ("severe_disability",),
            (("caregiver_in_difficulty", 0.6), ("lacks_self_care", 0.6)), (("mid", 9), ("low", 1)), "disabled"),
    Persona("ill", (35, 68), ("dibao",), ("serious_illness",), (("caregiver_in_difficulty", 0.3),),
            (("mid", 9), ("low", 1)), "ill"),
    Persona("orphan_child", (4, 16), ("orphan",), ("has_guardian",), (("support_lacking", 0.6),),
            (("low", 7), ("mid", 3)), "child", child=True),
    Persona("unsupported_child", (3, 15), ("unsupported_child", "dibao"), ("has_guardian", "support_lacking"), (),
            (("low", 8), ("mid", 2)), "child", child=True),
    Persona("left_behind_child", (5, 14), ("low_income",), ("left_behind", "has_guardian"),
            (("support_lacking", 0.5),), (("low", 1),), "child", child=True),
)}

# Which personas fit a category: by profile and code first, then by the category's code alone.
BY_PROFILE_CODE = {
    ("wangcheng-2020", "1"): ("tekun_elder",),
    ("wangcheng-2020", "2"): ("empty_nest", "left_behind_elder"),
    ("wangcheng-2020", "3"): ("disabled", "ill"),
    ("wangcheng-2020", "4"): ("support_lacking",),
    ("wangcheng-2020", "5"): ("orphan_child", "unsupported_child"),
    ("qiandongnan-2023", "A"): ("tekun_elder", "tekun_elder", "orphan_child"),
    ("qiandongnan-2023", "B"): ("disabled", "ill", "unsupported_child"),
    ("qiandongnan-2023", "C"): ("left_behind_child", "left_behind_elder"),
}
BY_CODE = {
    "tekun": ("tekun_elder",), "dibao": ("disabled", "ill", "left_behind_elder"), "orphan": ("orphan_child",),
    "unsupported_child": ("unsupported_child",), "low_income": ("left_behind_child", "left_behind_elder"),
    "temporary": ("ill",), "referred": ("ill", "disabled"), "observation": ("support_lacking", "ill"),
    "roster": ("support_lacking", "left_behind_elder", "ill"), "edge": ("ill", "disabled"),
    "child": ("left_behind_child", "orphan_child", "unsupported_child"), "disabled": ("disabled",),
    "elderly": ("empty_nest", "support_lacking"),
}
# Last resort, from the words of the category's name and description.
BY_WORD = (("儿童", ("orphan_child", "left_behind_child")), ("残疾", ("disabled",)), ("重病", ("ill",)),
           ("大病", ("ill",)), ("特困", ("tekun_elder",)), ("老", ("empty_nest",)), ("赡养", ("support_lacking",)))


def personas_for(profile_id: str, category) -> tuple[str, ...]:
    found = BY_PROFILE_CODE.get((profile_id, category.code)) or BY_CODE.get(category.code)
    if found:
        return found
    words = category.name + category.description
    for word, keys in BY_WORD:
        if word in words:
            return keys
    return ("support_lacking", "ill")


# --- households ---------------------------------------------------------------------------------------------


def _schooling(age: int) -> tuple[str, str]:
    if age < 6:
        return "preschool", "preschool"
    if age < 12:
        return "student", "primary"
    if age < 15:
        return "student", "junior"
    return "student", "senior"


class HouseholdBuilder:
    """Builds the members and supporters of one household around its first subject."""

    def __init__(self, rng: random.Random, people: People, region: str, end: dt.date):
        self.rng, self.people, self.region, self.end = rng, people, region, end
        self.members: list[dict] = []
        self.supporters: list[dict] = []

    def add(self, relation: str, sex: str, born: dt.date, name: str, **extra) -> dict:
        member = {"id": f"m{len(self.members) + 1}", "name": name, "relation": relation, "sex": sex,
                  "birth_date": born, "id_number": self.people.id_number(self.region, born, sex)}
        age = self.end.year - born.year
        if extra.pop("phone", None) or (18 <= age < 75 and self.rng.random() < 0.7) or (
                age >= 75 and self.rng.random() < 0.25):
            member["phone"] = self.people.mobile()
        if age >= 60 and self.rng.random() < 0.06:
            member["landline"] = f"0999-{self.rng.randrange(2000000, 9000000)}"
        member.update({k: v for k, v in extra.items() if v is not None})
        self.members.append(member)
        return member

    def person(self, sex: str, ages: tuple[int, int], surname: str | None):
        born = self.people.birth_date(*ages)
        return born, self.people.name(sex, surname, member=True)

    def supporter(self, relation: str, sex: str, surname: str | None, *, address: str, fulfils: bool | None,
                  guardian: bool = False, phone: bool = True) -> None:
        entry = {"relation": relation, "name": self.people.name(sex, surname, member=True), "address": address}
        if phone:
            entry["phone"] = self.people.mobile()
        entry["fulfils_duty"] = fulfils
        if guardian:
            entry["guardian"] = True
        self.supporters.append(entry)


def household_members(builder: HouseholdBuilder, persona: Persona, facts: set[str], *,
                      no_capacity: bool = False) -> str:
    """Fill the builder's members and supporters; return the member id of the subject."""
    rng = builder.rng
    sex = "male" if rng.random() < 0.5 else "female"
    other = "female" if sex == "male" else "male"
    alone = "lives_alone" in facts
    self_care = "none" if "disabled" in facts else ("partial" if facts & {"semi_disabled", "lacks_self_care"}
                                                    else "full")
    illness = rng.choice(texts.ILLNESSES) if "serious_illness" in facts else (
        rng.choice(texts.MINOR_ILLNESSES) if rng.random() < 0.4 else None)
    disability = None
    if "severe_disability" in facts or no_capacity:
        kind = rng.choice(("intellectual", "mental")) if no_capacity else rng.choice(
            ("physical", "physical", "visual", "hearing", "multiple", "intellectual"))
        disability = {"kind": kind, "grade": rng.choice(("1", "2"))}
    elif not persona.child and rng.random() < 0.12:
        disability = {"kind": rng.choice(("physical", "visual", "hearing")), "grade": rng.choice(("3", "4"))}
    capacity = "none" if no_capacity else None
    if no_capacity and self_care == "full":
        self_care = "partial"
    support_lacking = "support_lacking" in facts

    if persona.child:
        born, name = builder.person(sex, persona.ages, None)
        surname = builder.people.family_name(name)
        age = builder.end.year - born.year
        employment, schooling = _schooling(age)
        if disability and disability["grade"] in ("1", "2"):
            schooling = "special"
        if not alone:
            g_born, g_name = builder.person("male", (58, 80), surname)
            builder.add("self", "male", g_born, g_name, marital_status="married", employment="farming")
            if rng.random() < 0.6:
                g_age = builder.end.year - g_born.year
                s_born, s_name = builder.person("female", (g_age - 6, g_age + 2), None)
                builder.add("spouse", "female", s_born, s_name, marital_status="married", employment="farming")
        subject = builder.add("grandchild" if builder.members else "self", sex, born, name, employment=employment,
                              schooling=schooling, disability=disability, illness=illness if disability else None,
                              self_care=self_care, marital_status="unmarried",
                              civil_capacity=capacity or ("none" if age < 8 else "limited"))
        guardian = builder.members[0]["name"] if len(builder.members) > 1 else None
        if persona.key == "left_behind_child":
            builder.supporter("parent", "male", surname, address=rng.choice(texts.SUPPORTER_ADDRESSES[2:6]),
                              fulfils=not support_lacking, guardian=True)
            builder.supporter("parent", "female", None, address=rng.choice(texts.SUPPORTER_ADDRESSES[2:6]),
                              fulfils=not support_lacking, guardian=True)
        elif persona.key == "unsupported_child":
            builder.supporter("parent", "male", surname, address=rng.choice(("服刑中", "外出失联")), fulfils=False,
                              phone=False)
        if guardian and "has_guardian" in facts:
            entry = {"relation": "grandparent", "name": guardian, "address": "同住", "fulfils_duty": True,
                     "guardian": True}
            builder.supporters.append(entry)
        return subject["id"]

    born, name = builder.person(sex, persona.ages, None)
    surname = builder.people.family_name(name)
    age = builder.end.year - born.year
    if persona.key == "disabled" and age < 40 and not alone:
        p_born, p_name = builder.person("male", (age + 22, age + 32), surname)
        builder.add("self", "male", p_born, p_name, marital_status="married",
                    employment="farming" if p_born.year > builder.end.year - 65 else "unable",
                    illness=rng.choice(texts.MINOR_ILLNESSES) if "caregiver_in_difficulty" in facts else None)
        relation = "child"
    else:
        relation = "self"
    married = not alone and relation == "self" and (persona.key != "disabled" or rng.random() < 0.4)
    employment = "unable" if (persona.key in ("disabled", "ill") or self_care != "full" or age >= 70) else "farming"
    subject = builder.add(relation, sex, born, name, employment=employment,
                          marital_status="married" if married else rng.choice(
                              ("widowed", "widowed", "unmarried", "divorced") if age > 50 else ("unmarried",)),
                          disability=disability, illness=illness, self_care=self_care, civil_capacity=capacity)
    if married:
        s_born, s_name = builder.person(other, (max(18, age - 6), age + 4), None)
        builder.add("spouse", other, s_born, s_name, marital_status="married",
                    illness=rng.choice(texts.MINOR_ILLNESSES) if "caregiver_in_difficulty" in facts else None,
                    employment="farming" if age < 65 else "unable")
    if persona.key == "ill" and not alone and age < 60:
        c_sex = "male" if rng.random() < 0.5 else "female"
        c_born, c_name = builder.person(c_sex, (max(3, age - 40), max(4, age - 22)), surname)
        c_age = builder.end.year - c_born.year
        if c_age < 18:
            employment, schooling = _schooling(c_age)
            builder.add("child", c_sex, c_born, c_name, employment=employment, schooling=schooling)
        else:
            builder.add("child", c_sex, c_born, c_name, employment="migrant_worker", marital_status="unmarried")
    if persona.key == "left_behind_elder" and not alone and rng.random() < 0.4:
        g_sex = "male" if rng.random() < 0.5 else "female"
        g_born, g_name = builder.person(g_sex, (6, 14), surname)
        employment, schooling = _schooling(builder.end.year - g_born.year)
        builder.add("grandchild", g_sex, g_born, g_name, employment=employment, schooling=schooling)

    if no_capacity and "no_working_guardian" in facts:
        builder.supporter("sibling", other, surname, address=rng.choice(texts.SUPPORTER_ADDRESSES[2:]),
                          fulfils=False, guardian=True)
    elif relation == "child":
        head = builder.members[0]
        builder.supporters.append({"relation": "parent", "name": head["name"], "address": "同住",
                                   "fulfils_duty": not support_lacking, "guardian": no_capacity or None})
    elif "has_guardian" in facts or no_capacity or persona.key in ("empty_nest", "left_behind_elder",
                                                                   "support_lacking"):
        relation_of = "child" if age >= 45 else "sibling"
        for _ in range(rng.randint(1, 3) if relation_of == "child" else 1):
            builder.supporter(relation_of, "male" if rng.random() < 0.5 else "female", surname,
                              address=rng.choice(texts.SUPPORTER_ADDRESSES), fulfils=not support_lacking,
                              guardian=no_capacity and relation_of == "sibling")
    return subject["id"]
