"""Reviews, follow-up and the closed loop, worked out by hand."""

import datetime as dt

import pytest

from careledger.rules import reviews
from careledger.rules.periods import add_months, parse_key, period_of

from .contentkit import facts_for, id_number, write_tree

D = dt.date.fromisoformat

STAFF = """\
- id: area
  name: 乙干部
  roles: [area_cadre]
- id: con
  name: 丙联系人
  roles: [contact]
"""


def household(*, enrolled="2026-01-01", reviews_on=(), status="", extra="") -> str:
    review_lines = "".join(f"  - date: {d}\n    result: keep\n" for d in reviews_on)
    return f"""\
id: h1
village: v1
address: 一村1号
{status}members:
  - id: m1
    name: 甲某
    relation: self
    id_number: '{id_number("1940-01-01", 1)}'
subjects:
  - member: m1
    category: '1'
    level: '1'
    enrolled: {enrolled}
    assigned:
      responsible: [area]
      contact: [con]
{"reviews:" + chr(10) + review_lines if reviews_on else ""}{extra}"""


def visit(date, *, problems="", resolved="") -> str:
    text = f"- date: {date}\n  household: h1\n  duty: responsible\n"
    if problems:
        text += "  problems:\n" + problems
    if resolved:
        text += "  resolved:\n" + "".join(f"    - problem: {p}\n" for p in resolved.split())
    return text


def problem(pid, text="屋顶漏雨", *, deadline=None, risk=False) -> str:
    out = f"    - id: {pid}\n      text: {text}\n"
    if deadline:
        out += f"      deadline: {deadline}\n"
    if risk:
        out += "      risk: true\n"
    return out


def run(tmp_path, files, as_of, *, profile="wangcheng-2020", site_extra=""):
    root = write_tree(tmp_path, {"staff/v1.yaml": STAFF, **files}, profile=profile, site_extra=site_extra)
    return list(reviews.check(facts_for(root, D(as_of))))


def keys(findings, code):
    return [f.evidence.get("cycle") or f.evidence.get("window") or f.evidence.get("problem")
            for f in findings if f.code == code]


# --- periods --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day, months, key, start, end", [
    ("2026-11-10", 3, "2026-Q4", "2026-10-01", "2026-12-31"),
    ("2026-03-31", 3, "2026-Q1", "2026-01-01", "2026-03-31"),
    ("2026-07-01", 6, "2026-H2", "2026-07-01", "2026-12-31"),
    ("2026-02-14", 1, "2026-02", "2026-02-01", "2026-02-28"),
    ("2026-02-14", 12, "2026", "2026-01-01", "2026-12-31"),
    ("2026-02-14", 2, "2026-01/2026-02", "2026-01-01", "2026-02-28"),
])
def test_calendar_periods(day, months, key, start, end):
    period = period_of(D(day), months)
    assert (period.key, period.start, period.end) == (key, D(start), D(end))
    assert parse_key(key) == period


def test_add_months_clamps_to_the_month_end():
    assert add_months(D("2026-01-31"), 1) == D("2026-02-28")
    assert add_months(D("2026-11-15"), 3) == D("2027-02-15")


# --- reviews --------------------------------------------------------------------------------------------------

def test_quarter_without_review_is_missing_and_the_current_quarter_only_due(tmp_path):
    # Enrolled 2026-04-01: Q2 is the first full quarter. Reviewed in Q2 (June 20), not in Q3. As of 2026-11-10 Q3 is
    # over (missing); Q4 runs to December 31 and is only due.
    files = {"households/v1/h1.yaml": household(enrolled="2026-04-01", reviews_on=["2026-06-20"])}
    findings = run(tmp_path, files, "2026-11-10")
    assert keys(findings, "REV-MISSING") == ["2026-Q3"]
    (f,) = findings
    assert f.evidence["last_review"] == "2026-06-20" and f.evidence["end"] == "2026-09-30"
    assert f.subject == "h1" and "2026年第3季度" in f.message


def test_enrolled_mid_quarter_is_due_from_its_first_full_quarter(tmp_path):
    # Enrolled 2026-05-10: Q2 is not full, Q3 is the first due; as of 2026-10-01 Q3 has just ended.
    files = {"households/v1/h1.yaml": household(enrolled="2026-05-10")}
    assert keys(run(tmp_path / "a", files, "2026-10-01"), "REV-MISSING") == ["2026-Q3"]
    assert keys(run(tmp_path / "b", files, "2026-09-30"), "REV-MISSING") == []


def test_a_review_on_the_last_day_of_the_quarter_counts(tmp_path):
    files = {"households/v1/h1.yaml": household(enrolled="2026-07-01", reviews_on=["2026-09-30"])}
    assert run(tmp_path, files, "2026-11-10") == []


def test_records_since_and_exit_bound_the_cycles(tmp_path):
    # Enrolled in 2020 but records kept since 2026-07-01: only Q3 2026 is judged.
    old = {"households/v1/h1.yaml": household(enrolled="2020-01-01")}
    findings = run(tmp_path / "a", old, "2026-11-10", site_extra="records_since: 2026-07-01\n")
    assert keys(findings, "REV-MISSING") == ["2026-Q3"]
    # The household exited on 2026-08-15: Q2 was in care throughout (missing), Q3 was not (not due).
    exited = household(enrolled="2026-04-01", status="status: exited\nstatus_date: 2026-08-15\nstatus_reason: 迁出\n")
    findings = run(tmp_path / "b", {"households/v1/h1.yaml": exited}, "2026-11-10")
    assert keys(findings, "REV-MISSING") == ["2026-Q2"]


def test_review_cycles_report_the_current_cycle_as_due(tmp_path):
    files = {"households/v1/h1.yaml": household(enrolled="2026-04-01", reviews_on=["2026-06-20"])}
    facts = facts_for(write_tree(tmp_path, {"staff/v1.yaml": STAFF, **files}), D("2026-11-10"))
    spans = reviews.care_spans(facts.cases)["h1"]
    got = [(c.key, state) for c, _, state in reviews.review_cycles(facts.records.households[0], spans, 3, facts.as_of)]
    assert got == [("2026-Q2", "reviewed"), ("2026-Q3", "missing"), ("2026-Q4", "due")]


# --- follow-up (Jizhou: 12 months after exit, checked in windows of the 3-month review cycle) -------------------

EXITED = "status: exited\nstatus_date: 2026-01-15\nstatus_reason: 收入超过标准，退出低保\n"


def jizhou_household(**kw):
    return household(**kw).replace("category: '1'\n    level: '1'", "category: dibao")


def test_exited_household_is_followed_in_each_window(tmp_path):
    # Exit 2026-01-15, follow-up to 2027-01-14 in windows Jan 15–Apr 14, Apr 15–Jul 14, Jul 15–Oct 14, Oct 15–Jan 14.
    # A visit in the first window only; as of 2026-11-10 windows 2 and 3 are over and empty, window 4 is running.
    files = {"households/v1/h1.yaml": jizhou_household(enrolled="2025-03-01", reviews_on=["2025-12-10"],
                                                       status=EXITED),
             "visits/2026-02/area.yaml": visit("2026-02-20")}
    findings = [f for f in run(tmp_path, files, "2026-11-10", profile="jizhou-2020") if f.code == "FUP-MISSING"]
    assert [(f.evidence["window"], f.evidence["start"], f.evidence["end"]) for f in findings] == [
        (2, "2026-04-15", "2026-07-14"), (3, "2026-07-15", "2026-10-14")]
    assert findings[0].staff == "area" and findings[0].evidence["follow_up_until"] == "2027-01-14"


def test_follow_up_ends_after_the_profile_period(tmp_path):
    # Visited once in each window: nothing; and long after the period ends nothing more is asked.
    files = {"households/v1/h1.yaml": jizhou_household(enrolled="2025-03-01", status=EXITED),
             "visits/2026-02/area.yaml": visit("2026-02-20"), "visits/2026-05/area.yaml": visit("2026-05-20"),
             "visits/2026-08/area.yaml": visit("2026-08-20"), "visits/2026-12/area.yaml": visit("2026-12-20")}
    findings = run(tmp_path, files, "2028-01-01", profile="jizhou-2020")
    assert [f for f in findings if f.code == "FUP-MISSING"] == []


def test_no_follow_up_where_the_profile_sets_none(tmp_path):
    files = {"households/v1/h1.yaml": household(enrolled="2025-03-01", status=EXITED)}
    assert [f for f in run(tmp_path, files, "2026-11-10") if f.code == "FUP-MISSING"] == []


# --- the closed loop ------------------------------------------------------------------------------------------

def test_open_problem_past_its_deadline_counts_the_days(tmp_path):
    files = {"households/v1/h1.yaml": household(enrolled="2026-10-01"),
             "visits/2026-10/area.yaml": visit("2026-10-20", problems=problem("p1", deadline="2026-11-01"))}
    (f,) = run(tmp_path, files, "2026-11-10")
    assert (f.code, f.severity, f.staff) == ("PRB-OVERDUE", "warning", "area")
    assert (f.evidence["found"], f.evidence["deadline"], f.evidence["days_past"]) == ("2026-10-20", "2026-11-01", 9)
    assert f.source.file == "visits/2026-10/area.yaml"
    # On the deadline itself it is not yet overdue.
    assert run(tmp_path / "b", files, "2026-11-01") == []


def test_resolved_problem_is_closed(tmp_path):
    files = {"households/v1/h1.yaml": household(enrolled="2026-10-01"),
             "visits/2026-10/area.yaml": visit("2026-10-20", problems=problem("p1", deadline="2026-11-01")),
             "visits/2026-11/area.yaml": visit("2026-11-05", resolved="p1")}
    assert run(tmp_path, files, "2026-11-10") == []
    # As of a day before the resolving visit, the problem was still open and overdue.
    assert [f.code for f in run(tmp_path / "b", files, "2026-11-04")] == ["PRB-OVERDUE"]


def test_problem_without_deadline_open_too_long(tmp_path):
    # Found 2026-10-01; the profile's default problem_open_days is 30: open 30 days is fine, 31 is too long.
    files = {"households/v1/h1.yaml": household(enrolled="2026-10-01"),
             "visits/2026-10/area.yaml": visit("2026-10-01", problems=problem("p1"))}
    assert run(tmp_path / "a", files, "2026-10-31") == []
    (f,) = run(tmp_path / "b", files, "2026-11-01")
    assert (f.code, f.evidence["days_open"], f.evidence["open_days_limit"]) == ("PRB-OPEN-LONG", 31, 30)
    # A site may set its own figure.
    assert run(tmp_path / "c", files, "2026-11-01", site_extra="overrides:\n  problem_open_days: 60\n") == []


def test_open_major_risk_is_an_error_for_the_responsible_cadre(tmp_path):
    files = {"households/v1/h1.yaml": household(enrolled="2026-10-01"),
             "visits/2026-11/con.yaml": visit("2026-11-08", problems=problem("p1", "电线老化裸露", risk=True))
             .replace("duty: responsible", "duty: contact")}
    (f,) = run(tmp_path, files, "2026-11-10")
    assert (f.code, f.severity, f.staff, f.evidence["found_by"]) == ("PRB-RISK-OPEN", "error", "area", "con")
    files["visits/2026-11/area.yaml"] = visit("2026-11-09", resolved="p1")
    assert run(tmp_path / "b", files, "2026-11-10") == []


def test_problems_of_households_no_longer_followed_are_not_judged(tmp_path):
    exited = household(enrolled="2026-01-01", reviews_on=["2026-03-01", "2026-06-01"],
                       status="status: exited\nstatus_date: 2026-07-01\nstatus_reason: 迁出\n")
    files = {"households/v1/h1.yaml": exited,
             "visits/2026-06/area.yaml": visit("2026-06-10", problems=problem("p1", deadline="2026-06-20"))}
    assert run(tmp_path, files, "2026-11-10") == []


def test_every_code_and_function_is_documented():
    from pathlib import Path
    text = (Path(__file__).resolve().parent.parent / "docs" / "rules" / "reviews.md").read_text(encoding="utf-8")
    for code in reviews.CODES:
        assert f"`{code}`" in text
    for name in ("review_cycles", "open_problems", "problem_open_days"):
        assert f"`{name}" in text
