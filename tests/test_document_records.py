"""The record model the documents ask for (issue 15): supporters per subject, family caregivers, and what refers to
what."""

import datetime as dt

from careledger.rules import custody

from .contentkit import codes, facts_for, id_number, load_clean, write_tree

D = dt.date.fromisoformat
STAFF = """\
- id: pc
  name: 甲干部
  roles: [paired_cadre]
- id: cu
  name: 丙代管
  roles: [custodian]
  party_member: true
"""


def household(for_members: str) -> str:
    """Two subjects without civil capacity; one guardian, who guards `for_members` (or, empty, both)."""
    return f"""\
id: h1
village: v1
address: 一村1号
policies: [tekun]
members:
  - id: m1
    name: 甲某
    relation: self
    birth_date: 1960-05-01
    id_number: '{id_number("1960-05-01", 1)}'
    civil_capacity: none
  - id: m2
    name: 乙某
    relation: sibling
    birth_date: 1962-05-01
    id_number: '{id_number("1962-05-01", 2)}'
    civil_capacity: none
supporters:
  - relation: child
    name: 甲子
    guardian: true
{for_members}subjects:
  - member: m1
    category: A
    support_mode: dispersed
    enrolled: 2026-01-01
    assigned:
      responsible: [pc]
  - member: m2
    category: A
    support_mode: dispersed
    enrolled: 2026-01-01
    assigned:
      responsible: [pc]
"""


def run(tmp_path, text):
    root = write_tree(tmp_path, {"staff/v1.yaml": STAFF, "households/v1/h1.yaml": text}, profile="qiandongnan-2023")
    return list(custody.check(facts_for(root, D("2026-03-01"))))


def test_a_guardian_of_the_household_guards_every_subject(tmp_path):
    assert run(tmp_path, household("")) == []


def test_a_guardian_of_one_subject_leaves_the_other_without(tmp_path):
    findings = run(tmp_path, household("    for_members: [m2]\n"))
    assert codes(findings) == [("CUS-NO-CUSTODIAN", "h1/m1")]


def test_references_of_the_new_fields_are_checked(tmp_path):
    text = household("    for_members: [m3]\n").replace("      responsible: [pc]\n", "      responsible: [pc]\n"
                                                        "      family_caregiver: m9\n", 1)
    root = write_tree(tmp_path, {"staff/v1.yaml": STAFF, "households/v1/h1.yaml": text}, profile="qiandongnan-2023")
    from careledger.load import load

    _, findings = load(root, today=D("2026-03-01"))
    messages = [f.message for f in findings if f.code == "E-REF"]
    assert any("family_caregiver" in m and "m9" in m for m in messages), messages
    assert any("甲子" in m and "m3" in m for m in messages), messages


def test_a_family_caregiver_may_sign_the_care_agreement(tmp_path):
    text = household("").replace("      responsible: [pc]\n", "      responsible: [pc]\n      family_caregiver: m2\n", 1)
    text += "agreements:\n  - id: c1\n    kind: care\n    subject: m1\n    caregiver: m2\n    signed: 2026-01-02\n"
    root = write_tree(tmp_path, {"staff/v1.yaml": STAFF, "households/v1/h1.yaml": text}, profile="qiandongnan-2023")
    load_clean(root, D("2026-03-01"))  # m2 is a member, not staff: no E-REF
