"""The demo exercises what the documents ask beyond visits (issue 15): each profile's demo shows the findings of its
rules once or a few times (one deliberate lapse of each kind), never a flood."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from careledger.demo import DemoSpec, write_demo
from careledger.load import load
from careledger.rules import content, ledgers, needs, run_rules

END = dt.date(2026, 11, 23)
CODES = set(content.CODES) | set(needs.CODES) | set(ledgers.CODES)
SHOWN = {
    "wangcheng-2020": {"VIS-CONTENT"},
    "qiandongnan-2023": {"CARE-REVIEW-DUE", "PAY-LATE"},
    "tianhu-2022": {"VIS-NOT-SEEN"},
    "guiyang-2022": {"NEED-PRINCIPAL", "PAY-LATE", "RPT-MONTHLY-LATE"},
    "jizhou-2020": {"BEN-CARE-ALLOWANCE"},
}


@pytest.mark.parametrize("profile", sorted(SHOWN))
def test_demo_shows_the_document_findings_without_flooding(tmp_path, profile):
    root = tmp_path / "content"
    write_demo(root, DemoSpec(households=60, months=6, profile=profile, end=END))
    records, findings = load(root, today=END)
    assert [f.format() for f in findings if f.is_error] == []
    counts = Counter(f.code for f in run_rules(records, END) if f.code in CODES)
    assert set(counts) == SHOWN[profile], counts
    assert sum(counts.values()) <= 8, counts
    site = records.site
    assert site.visit_content_since and site.ledgers_since
    households = records.households
    if records.profile.payments:
        assert any(h.payments for h in households)
    if records.profile.monthly_report_day:
        assert site.monthly_reports
    if records.profile.visit_content and any(r.seen for r in records.profile.visit_content):
        assert any(v.seen for v in records.visits) and any(v.seen is False for v in records.visits)
    assert any(h.income_changes for h in households)
