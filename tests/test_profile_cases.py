"""For each profile, a hand-made content set and the findings worked out by hand from the document.

`tests/cases/<profile>/content/` is a small jurisdiction; `tests/cases/<profile>/expected.yaml` lists every finding
the engine must produce on the as-of date (no more, no fewer: codes, subjects, staff and the evidence named),
and where the profile has them, the subsidy sheet and spot-check samples. Each expected entry carries a `why`
that shows the arithmetic from the document's figures.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from careledger.load import load
from careledger.rules import Facts, run_rules
from careledger.rules import pay, spotcheck

CASES = Path(__file__).parent / "cases"
PROFILES = ("wangcheng-2020", "qiandongnan-2023", "tianhu-2022", "guiyang-2022", "jizhou-2020")


def expected_for(profile: str) -> dict:
    with open(CASES / profile / "expected.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def loaded(profile: str):
    expected = expected_for(profile)
    as_of = expected["as_of"]
    records, findings = load(CASES / profile / "content", today=as_of)
    assert [f.format() for f in findings if f.is_error] == []
    assert records.profile.id == profile
    return records, expected, as_of


def as_text(value) -> str:
    return str(value) if not isinstance(value, (dt.date, Decimal)) else value.isoformat() \
        if isinstance(value, dt.date) else str(value)


def matches(finding, entry: dict) -> bool:
    if (finding.code, finding.subject, finding.staff) != (entry["code"], entry.get("subject", ""), entry.get("staff", "")):
        return False
    return all(as_text(finding.evidence.get(k)) == as_text(v) for k, v in (entry.get("evidence") or {}).items())


@pytest.mark.parametrize("profile", PROFILES)
def test_engine_matches_the_hand_worked_findings(profile):
    records, expected, as_of = loaded(profile)
    assert_same_findings(run_rules(records, as_of), expected["findings"])


def assert_same_findings(actual, expected: list[dict]) -> None:
    """Each expected entry matches one finding, and no finding is left over."""
    unmatched, missing = list(actual), []
    for entry in expected:
        hit = next((f for f in unmatched if matches(f, entry)), None)
        if hit is None:
            missing.append(entry)
        else:
            unmatched.remove(hit)
    extra = [(f.code, f.subject, f.staff, f.evidence) for f in unmatched]
    assert not missing and not extra, f"missing: {missing}\nunexpected: {extra}"


@pytest.mark.parametrize("profile", PROFILES)
def test_every_rule_family_the_profile_uses_is_exercised(profile):
    _, expected, _ = loaded(profile)
    families = {entry["code"].split("-")[0] for entry in expected["findings"]}
    assert {"CAD", "ASG"} <= families, f"{profile}: the case set should show cadence and assignment findings"


@pytest.mark.parametrize("profile", [p for p in PROFILES if expected_for(p).get("subsidy_sheet")])
def test_subsidy_sheet(profile):
    records, expected, as_of = loaded(profile)
    facts = Facts(records, records.profile, as_of)
    for period, rows in expected["subsidy_sheet"].items():
        got = sorted((r.contact, r.subject, len(r.months), str(r.amount_due)) for r in pay.subsidy_sheet(facts, period))
        want = sorted((r["contact"], r["subject"], r["months"], str(Decimal(str(r["amount_due"])))) for r in rows)
        assert got == want, period


@pytest.mark.parametrize("profile", [p for p in PROFILES if expected_for(p).get("spot_checks")])
def test_spot_check_samples(profile):
    records, expected, as_of = loaded(profile)
    facts = Facts(records, records.profile, as_of)
    checks = {c.name: c for c in records.profile.spot_checks}
    for entry in expected["spot_checks"]:
        drawn = spotcheck.sample(facts, checks[entry["name"]], entry["period"])
        assert drawn == entry["sample"], entry["name"]
