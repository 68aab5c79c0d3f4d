"""Hand-worked cases of what the five documents ask beyond visit cadence (issue 15): visit content, needs and
measures, the observation list, caregivers, the care allowance, payments and the monthly report.

`tests/cases/<profile>/documents/content/` is a small jurisdiction; `expected.yaml` beside it lists every finding of
the families `content`, `needs` and `ledgers` (and of the codes under `also`) the engine must produce on the as-of
date: no more, no fewer. The other families' findings on these records are not this file's concern (the cases in
tests/cases/<profile>/ cover them).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from careledger.load import load
from careledger.rules import Facts, content, ledgers, needs, run_rules

from .test_profile_cases import assert_same_findings, matches

CASES = Path(__file__).parent / "cases"
PROFILES = sorted(p.parent.parent.name for p in CASES.glob("*/documents/expected.yaml"))
FAMILY_CODES = set(content.CODES) | set(needs.CODES) | set(ledgers.CODES)


def loaded(profile: str):
    with open(CASES / profile / "documents" / "expected.yaml", encoding="utf-8") as f:
        expected = yaml.safe_load(f)
    records, findings = load(CASES / profile / "documents" / "content", today=expected["as_of"])
    assert [f.format() for f in findings if f.is_error] == []
    return records, expected


def test_every_profile_has_a_documents_case():
    assert PROFILES == sorted(["wangcheng-2020", "qiandongnan-2023", "tianhu-2022", "guiyang-2022", "jizhou-2020"])


@pytest.mark.parametrize("profile", PROFILES)
def test_engine_matches_the_hand_worked_document_findings(profile):
    records, expected = loaded(profile)
    codes = FAMILY_CODES | set(expected.get("also", ()))
    actual = [f for f in run_rules(records, expected["as_of"]) if f.code in codes
              and (f.code in FAMILY_CODES or any(matches(f, e) for e in expected["findings"]))]
    assert_same_findings(actual, expected["findings"])


@pytest.mark.parametrize("profile", PROFILES)
def test_messages_name_people_with_their_ids(profile):
    records, expected = loaded(profile)
    for finding in run_rules(records, expected["as_of"]):
        if finding.code in FAMILY_CODES and finding.staff:
            person = records.staff_by_id[finding.staff]
            assert f"{person.name}（{finding.staff}）" in finding.message, finding.message


def test_content_is_not_judged_without_the_site_setting():
    records, expected = loaded("wangcheng-2020")
    assert any(f.code == "VIS-CONTENT" for f in content.check(Facts(records, records.profile, expected["as_of"])))
    site = dataclasses.replace(records.site, visit_content_since=None)
    facts = Facts(dataclasses.replace(records, site=site), records.profile, expected["as_of"])
    assert list(content.check(facts)) == []
