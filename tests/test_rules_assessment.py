"""Level assessment (等级评估) worked out by hand from Wangcheng's 三（一）."""

import datetime as dt
from pathlib import Path

import pytest

from careledger.rules import assessment

from .contentkit import facts_for, write_tree

D = dt.date.fromisoformat
CITE = "望办〔2020〕33号 三（一）"


def household(level: str, facts: str | None, *, hid: str = "h1") -> str:
    """One subject at `level` whose assessment records `facts` (None: no assessment block at all)."""
    block = f"    assessment:\n      facts: [{facts}]\n      date: 2026-09-01\n      by: sec\n" if facts is not None else ""
    return f"""\
id: {hid}
village: v1
address: 一村1号
members:
  - id: m1
    name: 某某
    relation: self
subjects:
  - member: m1
    category: '1'
    level: '{level}'
    enrolled: 2026-01-01
{block}"""


STAFF = "- id: sec\n  name: 甲书记\n  roles: [principal]\n"


def run(tmp_path, level, facts, *, profile="wangcheng-2020"):
    root = write_tree(tmp_path, {"staff/v1.yaml": STAFF, "households/v1/h1.yaml": household(level, facts)},
                      profile=profile)
    return list(assessment.check(facts_for(root, D("2026-11-01"))))


def test_facts_of_level_3_recorded_as_level_1_are_underrated(tmp_path):
    # 三（一）：单独一人生活的失能半失能人员且居住地较为偏僻，周边无常年在家邻居照应的应当定级为三级。
    (found,) = run(tmp_path, "1", "lives_alone, semi_disabled, remote, no_neighbour")
    assert (found.code, found.subject, found.staff, found.severity) == ("LVL-UNDERRATED", "h1/m1", "sec", "warning")
    assert found.evidence == {"recorded": "1", "suggested": "3",
                              "matched_facts": ["lives_alone", "remote", "no_neighbour", "semi_disabled"],
                              "facts": ["lives_alone", "semi_disabled", "remote", "no_neighbour"],
                              "assessed_on": "2026-09-01", "cite": CITE}
    assert found.path == "subjects[0].level" and found.source.file == "households/v1/h1.yaml"
    assert "记录等级为一级" in found.message and "建议定为三级" in found.message


def test_facts_of_level_2_recorded_as_level_3_say_nothing(tmp_path):
    # 有大病重残的 → 二级; recorded 三级 is higher: the office may care more than the minimum.
    assert run(tmp_path, "3", "serious_illness") == []


@pytest.mark.parametrize("level, facts, suggested", [
    ("1", "caregiver_in_difficulty", "2"),  # 有照料人但照料人自身存在困难的 → 二级
    ("1", "has_guardian, support_lacking, lacks_self_care", "2"),  # both 一级 and 二级 hold: the higher wins
    ("2", "lives_alone, disabled, remote, no_neighbour", "3"),
    ("2", "lives_alone, remote, no_neighbour, serious_illness", None),  # not disabled: 二级, as recorded
    ("1", "has_guardian, support_lacking", None),  # 一级, as recorded
    ("1", "left_behind", None),  # no level's criteria hold: nothing to suggest
])
def test_suggested_level_table(tmp_path, level, facts, suggested):
    found = run(tmp_path, level, facts)
    assert [f.evidence["suggested"] for f in found] == ([suggested] if suggested else [])


@pytest.mark.parametrize("facts", [None, ""])
def test_no_assessment_facts_is_no_basis(tmp_path, facts):
    (found,) = run(tmp_path, "2", facts)
    assert (found.code, found.subject, found.evidence["recorded"]) == ("LVL-NO-BASIS", "h1/m1", "2")
    assert found.path == "subjects[0].assessment"


def test_profiles_without_levels_are_not_assessed(tmp_path):
    root = write_tree(tmp_path, {"staff/v1.yaml": STAFF,
                                 "households/v1/h1.yaml": household("", None).replace("    level: ''\n", "")
                                 .replace("category: '1'", "category: A")},
                      profile="qiandongnan-2023")
    assert list(assessment.check(facts_for(root, D("2026-11-01")))) == []


def test_every_code_is_documented():
    text = (Path(__file__).resolve().parent.parent / "docs" / "rules" / "assessment.md").read_text(encoding="utf-8")
    for code, (severity, _) in assessment.CODES.items():
        assert f"### `{code}` — {severity}" in text
