"""The shipped policy profiles: each loads cleanly, carries the document's figures, and a site can override them."""

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from careledger.policy import PROFILE_NAMES, Profile, load_profile, profile_path
from careledger.yamlread import parse_text

ROOT = Path(__file__).resolve().parent.parent
PROFILES_MD = ROOT / "docs" / "profiles.md"

# How each profile's cites name its document. A cite that names none of them must say the figure is ours (未规定).
CITE_PREFIX = {
    "wangcheng-2020": "望办〔2020〕33号",
    "qiandongnan-2023": "黔东南州实施意见",
    "tianhu-2022": "主动发现机制通知",
    "guiyang-2022": "筑民发〔2022〕159号",
    "jizhou-2020": "蓟州区实施方案",
}


def profile(name: str) -> Profile:
    loaded, findings = load_profile(name)
    assert [f.format() for f in findings] == []
    return loaded


def cadence(p: Profile, duty: str, **selector):
    """The one cadence rule for `duty` whose selector has exactly these values."""
    rules = [r for r in p.cadence if r.duty == duty
             and all(getattr(r.applies_to, k) == v for k, v in selector.items())]
    assert len(rules) == 1, rules
    return rules[0]


def cites(record):
    """Every `cite` in a profile, with the record it belongs to."""
    if isinstance(record, tuple):
        for item in record:
            yield from cites(item)
    elif dataclasses.is_dataclass(record):
        if getattr(record, "cite", None) is not None:
            yield type(record).__name__, record.cite
        for f in dataclasses.fields(record):
            yield from cites(getattr(record, f.name))


def site_overrides(text: str):
    parsed, findings = parse_text(text, Path("site.yaml"), "site.yaml")
    assert findings == []
    return next(value for key, value in parsed.root.value if key.value == "overrides")


# --- every profile --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_profile_loads_without_findings(name):
    assert profile_path(name).exists()
    p = profile(name)
    assert p.id == name
    assert p.cadence and p.assignments and p.categories


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_every_cite_names_the_document_or_says_the_figure_is_ours(name):
    found = list(cites(profile(name)))
    assert found
    for kind, cite in found:
        assert CITE_PREFIX[name] in cite or cite.startswith("未规定"), (kind, cite)


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_profiles_md_has_a_section_per_profile(name):
    text = PROFILES_MD.read_text(encoding="utf-8")
    assert f"## {name}" in text


# --- key figures, per profile ---------------------------------------------------------------------------------

def test_wangcheng_levels_and_cadence():
    p = profile("wangcheng-2020")
    assert [c.code for c in p.categories] == ["1", "2", "3", "4", "5"]
    assert {lv.code: lv.rank for lv in p.levels} == {"3": 3, "2": 2, "1": 1}
    for level, interval, warn in [("3", 3, 5), ("2", 7, 10), ("1", 15, 20)]:
        rule = cadence(p, "responsible", levels=(level,))
        assert (rule.interval_days, rule.warn_after_days) == (interval, warn)
    contact = cadence(p, "contact")
    assert contact.interval_days == 7 and contact.applies_to.levels == ()


@pytest.mark.parametrize("facts, level", [
    ({"lives_alone", "remote", "no_neighbour", "semi_disabled"}, "3"),
    ({"lives_alone", "remote", "no_neighbour"}, None),  # neither disabled nor semi-disabled
    ({"caregiver_in_difficulty"}, "2"),
    ({"serious_illness"}, "2"),
    ({"has_guardian", "support_lacking"}, "1"),
    ({"has_guardian"}, None),
])
def test_wangcheng_level_suggestion(facts, level):
    p = profile("wangcheng-2020")
    holding = [lv for lv in p.levels if any(c.holds(facts) for c in lv.suggest_when)]
    best = max(holding, key=lambda lv: lv.rank).code if holding else None
    assert best == level


def test_wangcheng_assignments_subsidies_penalties_agreement():
    p = profile("wangcheng-2020")
    roles = {(a.slot, a.applies_to.levels): a.staff_roles for a in p.assignments}
    assert roles[("responsible", ("3",))] == ("principal",)
    assert roles[("responsible", ("2", "1"))] == ("area_cadre",)
    assert roles[("contact", ())] == ("contact",)
    amounts = {s.applies_to.levels: (s.monthly_amount, s.paid) for s in p.subsidies}
    assert amounts == {("1",): (Decimal(200), "quarter"), ("2", "3"): (Decimal(300), "quarter")}
    assert p.penalties.ladder == ("warning", "withhold_month", "terminate")
    (agreement,) = p.agreements
    assert (agreement.kind, agreement.term_months, agreement.copies) == ("tri_party", 12, 4)
    assert p.special_periods[0].kinds == ("emergency", "disaster", "epidemic")
    assert len(p.contact_activities) == 5 and len(p.home_checks) == 3


def test_qiandongnan_groups_and_custody():
    p = profile("qiandongnan-2023")
    assert p.levels == ()
    for group, interval, minimum in [("A", 10, 3), ("B", 15, 2), ("C", 31, 1)]:
        rule = cadence(p, "responsible", categories=(group,))
        assert (rule.interval_days, rule.monthly_minimum) == (interval, minimum)
    assert len(p.visit_checklist) == 6
    assert p.custody.required_for.categories == ("A", "B")
    assert p.custody.excluded_roles == ("principal",)
    assert p.custody.custodian_pool == ("party_member", "elder")
    assert p.custody.custodian_not_caregiver is True
    assert p.custody.caregiver_review_days == 31
    assert p.review.cycle_months == 3
    assert p.spot_checks == ()


def test_tianhu_active_discovery():
    p = profile("tianhu-2022")
    assert p.cadence_driver == "key_person"
    rule = cadence(p, "coordinator", key_person=True)
    assert (rule.interval_days, rule.monthly_minimum) == (31, 1)
    assert [(s.role, s.minimum_per_village) for s in p.staffing] == [("coordinator", 1)]
    (check,) = p.spot_checks
    assert (check.office_level, check.period, check.new_recipients_only) == ("city", "quarter", True)
    assert "observation" not in check.population.categories
    assert p.review.observation_reason_required is True


def test_guiyang_four_levels_and_spot_checks():
    p = profile("guiyang-2022")
    rates = {s.office_level: s.rate for s in p.spot_checks}
    assert rates == {"city": Decimal("0.10"), "district": Decimal("0.30")}
    assert p.monthly_report_day == 30
    required = {a.office_levels: a.applies_to.key_person for a in p.assignments if a.required}
    assert required == {("village",): None, ("township", "district"): True}
    assert [a.office_levels for a in p.assignments if not a.required] == [("city",)]


def test_jizhou_four_haves_and_follow_up():
    p = profile("jizhou-2020")
    assert p.four_haves.required_for.categories == ("tekun",)
    assert p.four_haves.required_for.support_mode == "dispersed"
    assert p.four_haves.items == ("agreement", "service_standard", "visit_record", "emergency_plan")
    (agreement,) = p.agreements
    assert agreement.kind == "care" and agreement.required_for.support_mode == "dispersed"
    assert p.review.follow_up_months == 12


# --- overrides from site.yaml ---------------------------------------------------------------------------------

def test_override_merges_mappings_key_by_key():
    node = site_overrides("""\
name: 测试街道
profile: wangcheng-2020
overrides:
  review:
    cycle_months: 6
""")
    p, findings = load_profile("wangcheng-2020", overrides=node)
    assert findings == []
    assert p.review.cycle_months == 6
    assert p.review.cite == profile("wangcheng-2020").review.cite  # kept from the profile


def test_override_replaces_lists():
    node = site_overrides("""\
overrides:
  subsidies:
    - monthly_amount: 350
      cite: 本街道 2026 年补充通知
""")
    p, findings = load_profile("wangcheng-2020", overrides=node)
    assert findings == []
    assert [s.monthly_amount for s in p.subsidies] == [Decimal(350)]


@pytest.mark.parametrize("text, code, line", [
    ("name: x\noverrides:\n  review:\n    cycle_month: 6\n", "E-UNKNOWN-KEY", 4),
    ("name: x\noverrides:\n  review:\n    cycle_months: six\n", "E-INT", 4),
    ("overrides:\n  monthly_report_day: 40\n", "E-RANGE", 2),
    ("overrides:\n  spot_checks:\n    - name: 抽查\n      office_level: county\n      rate: 10%\n"
     "      period: quarter\n      cite: x\n", "E-CHOICE", 4),
])
def test_bad_override_is_reported_at_its_line_in_site_yaml(text, code, line):
    node = site_overrides(text)
    _, findings = load_profile("wangcheng-2020", overrides=node)
    assert [(f.code, f.severity, f.source.file, f.source.line) for f in findings] == [(code, "error", "site.yaml", line)]


def test_unknown_profile_name():
    p, findings = load_profile("wangcheng-2021")
    assert p is None
    assert [f.code for f in findings] == ["E-PROFILE-UNKNOWN"]
    assert findings[0].is_error
