"""Wangcheng contacts' subsidy sheet and penalty ladder, worked out by hand (望办〔2020〕33号 四（二）)."""

import datetime as dt
from decimal import Decimal

from careledger.rules import pay

from .contentkit import facts_for, id_number, write_tree

D = dt.date.fromisoformat

STAFF = """\
- id: sec
  name: 甲书记
  roles: [principal]
- id: area
  name: 乙干部
  roles: [area_cadre]
- id: con
  name: 丙联系人
  roles: [contact]
- id: insp
  name: 丁督查
  roles: [inspector]
"""


def household(hid, level, enrolled, *, extra="", seq=1) -> str:
    responsible = "sec" if level == "3" else "area"
    return f"""\
id: {hid}
village: v1
address: 一村{seq}号
members:
  - id: m1
    name: 甲某{seq}
    relation: self
    id_number: '{id_number("1940-01-01", seq)}'
subjects:
  - member: m1
    category: '1'
    level: '{level}'
    enrolled: {enrolled}
    assigned:
      responsible: [{responsible}]
      contact: [con]
{extra}"""


AGREEMENT = """\
agreements:
  - id: a1
    subject: m1
    responsible: area
    contact: con
    signed: 2026-01-05
    expires: 2027-01-04
"""


def inspection(date, *, hid="h1", passed=True, satisfied=None) -> str:
    ok = "true" if passed else "false"
    return (f"- date: {date}\n  household: {hid}\n  subject: m1\n  contact: con\n  visited_weekly: {ok}\n"
            f"  activities_done: true\n  environment_ok: true\n  satisfied: {satisfied or 'true'}\n")


def facts(tmp_path, files, as_of="2027-01-05", site_extra=""):
    root = write_tree(tmp_path, {"staff/v1.yaml": STAFF, **files}, site_extra=site_extra)
    return facts_for(root, D(as_of))


TWO_SUBJECTS = {
    # 一级 in care all of Q4: 3 months × 200. 三级 enrolled 2026-11-15, in the quarter's second month: 2 × 300.
    "households/v1/h1.yaml": household("h1", "1", "2026-06-01", extra=AGREEMENT),
    "households/v1/h2.yaml": household("h2", "3", "2026-11-15", seq=3),
}


def test_quarterly_sheet_pays_each_month_in_care_at_the_level_amount(tmp_path):
    rows = pay.subsidy_sheet(facts(tmp_path, TWO_SUBJECTS), "2026-Q4")
    got = [(r.contact, r.subject, r.level, r.months, r.monthly_amount, r.amount) for r in rows]
    assert got == [
        ("con", "h1/m1", "1", ("2026-10", "2026-11", "2026-12"), Decimal(200), Decimal(600)),
        ("con", "h2/m1", "3", ("2026-11", "2026-12"), Decimal(300), Decimal(600)),
    ]
    assert pay.totals(rows) == {"con": Decimal(1200)}
    assert [r.amount_due for r in rows] == [r.amount for r in rows]  # the name the case tables use
    assert rows[0].contact_name == "丙联系人" and "四（二）" in rows[0].cite
    assert list(pay.check(facts(tmp_path / "b", TWO_SUBJECTS))) == []


def test_months_out_of_care_are_not_paid(tmp_path):
    # Exit on 2026-11-01 (the first day out of care): October only. A whole month in hospital is not paid either.
    exited = household("h1", "1", "2026-06-01", extra="").replace(
        "    assigned:", "    exited: 2026-11-01\n    exit_reason: 迁出\n    assigned:")
    hospital = household("h2", "2", "2026-06-01", seq=3).replace(
        "    assigned:", "    absences:\n      - kind: hospital\n        start: 2026-09-20\n        end: 2026-12-01\n"
                        "    assigned:")
    rows = pay.subsidy_sheet(facts(tmp_path, {"households/v1/h1.yaml": exited, "households/v1/h2.yaml": hospital}),
                             "2026-Q4")
    assert [(r.subject, r.months, r.amount) for r in rows] == [
        ("h1/m1", ("2026-10",), Decimal(200)),
        ("h2/m1", ("2026-12",), Decimal(300)),  # back on December 1
    ]


def test_ladder_warning_then_month_withheld_then_termination(tmp_path):
    files = {**TWO_SUBJECTS,
             "inspections/2026-10/insp.yaml": inspection("2026-10-10", passed=False),
             "inspections/2026-11/insp.yaml": inspection("2026-11-12", passed=False)
             + inspection("2026-11-20", hid="h2"),  # passed: not counted
             "inspections/2026-12/insp.yaml": inspection("2026-12-05", satisfied="false")}
    f = facts(tmp_path, files)
    findings = list(pay.check(f))
    assert [(x.code, x.severity, x.evidence["inspection_date"], x.staff) for x in findings] == [
        ("PEN-WARNING", "warning", "2026-10-10", "con"),
        ("PEN-WITHHELD", "warning", "2026-11-12", "con"),
        ("PEN-TERMINATE", "error", "2026-12-05", "con"),
    ]
    assert findings[1].evidence["withheld_month"] == "2026-11"
    assert findings[2].evidence["failed_items"] == ["satisfied"] and findings[2].subject == "h1/m1"
    # The second failure withholds November for the subject inspected (h1/m1); the third (12-05) stops December,
    # though the termination is not recorded yet: 1 × 200 (October). h2 is untouched.
    rows = pay.subsidy_sheet(f, "2026-Q4")
    assert [(r.subject, r.withheld, r.amount) for r in rows] == [
        ("h1/m1", ("2026-11", "2026-12"), Decimal(200)), ("h2/m1", (), Decimal(600))]
    assert findings[2].evidence["stopped_from"] == "2026-12" and "丙联系人（con）" in findings[2].message
    assert pay.totals(rows) == {"con": Decimal(800)}


def test_recorded_termination_clears_the_error_and_stops_the_pay(tmp_path):
    terminated = AGREEMENT + "    terminated: 2026-12-10\n    terminated_reason: 督查三次不合格\n"
    files = {**TWO_SUBJECTS,
             "households/v1/h1.yaml": household("h1", "1", "2026-06-01", extra=terminated),
             "inspections/2026-10/insp.yaml": inspection("2026-10-10", passed=False),
             "inspections/2026-11/insp.yaml": inspection("2026-11-12", passed=False),
             "inspections/2026-12/insp.yaml": inspection("2026-12-05", passed=False)}
    f = facts(tmp_path, files)
    assert [x.code for x in pay.check(f)] == ["PEN-WARNING", "PEN-WITHHELD"]
    # December is in care under the agreement (it ran until the 10th) but not paid: the third failure (12-05) stops
    # the pay from its month on (三次终止帮扶协议). November was withheld by the second. Q1 2027 is not paid for h1.
    first = pay.subsidy_sheet(f, "2026-Q4")[0]
    assert (first.subject, first.months, first.withheld, first.amount) == (
        "h1/m1", ("2026-10", "2026-11", "2026-12"), ("2026-11", "2026-12"), Decimal(200))
    assert [r.subject for r in pay.subsidy_sheet(f, "2027-Q1")] == ["h2/m1"]


def test_a_renewal_pays_again_though_the_old_agreement_is_marked_terminated(tmp_path):
    # 附件2 二 “服务期限为一年…一年续签一次”: the clerk closed the first year's agreement on the day of the renewal
    # (terminated 2026-10-01, reason 期满续签) and signed a new one with the same contact the same day. The contact
    # serves on, so Q4 is paid in full: 3 × 200. (The sheet used to stop at the earliest termination: nothing.)
    renewed = """\
agreements:
  - id: a1
    subject: m1
    responsible: area
    contact: con
    signed: 2025-10-01
    terminated: 2026-10-01
    terminated_reason: 期满续签
  - id: a2
    subject: m1
    responsible: area
    contact: con
    signed: 2026-10-01
"""
    f = facts(tmp_path, {"households/v1/h1.yaml": household("h1", "1", "2025-10-01", extra=renewed)})
    assert [(r.subject, r.months, r.amount) for r in pay.subsidy_sheet(f, "2026-Q4")] == [
        ("h1/m1", ("2026-10", "2026-11", "2026-12"), Decimal(600))]
    # Re-engaged after a gap: terminated 2026-10-01, signed anew 2026-12-15 → October and November unpaid.
    gap = renewed.replace("signed: 2026-10-01", "signed: 2026-12-15")
    f = facts(tmp_path / "b", {"households/v1/h1.yaml": household("h1", "1", "2025-10-01", extra=gap)})
    assert [(r.subject, r.months, r.amount) for r in pay.subsidy_sheet(f, "2026-Q4")] == [
        ("h1/m1", ("2026-12",), Decimal(200))]


def test_after_a_termination_the_count_starts_again(tmp_path):
    terminated = AGREEMENT + "    terminated: 2026-12-10\n    terminated_reason: 督查三次不合格\n"
    files = {**TWO_SUBJECTS,
             "households/v1/h1.yaml": household("h1", "1", "2026-06-01", extra=terminated),
             "inspections/2026-10/insp.yaml": inspection("2026-10-10", passed=False),
             "inspections/2026-11/insp.yaml": inspection("2026-11-12", passed=False),
             "inspections/2026-12/insp.yaml": inspection("2026-12-05", passed=False)
             + inspection("2026-12-20", hid="h2", passed=False)}
    steps = [(p.inspection.date.isoformat(), p.count, p.step) for p in pay.penalties(facts(tmp_path, files))]
    assert steps == [("2026-10-10", 1, "warning"), ("2026-11-12", 2, "withhold_month"),
                     ("2026-12-05", 3, "terminate"), ("2026-12-20", 1, "warning")]


def test_two_sheets_failed_on_one_day_are_one_failure(tmp_path):
    files = {**TWO_SUBJECTS,
             "inspections/2026-12/insp.yaml": inspection("2026-12-05", passed=False)
             + inspection("2026-12-05", hid="h2", passed=False)}
    assert [x.code for x in pay.check(facts(tmp_path, files))] == ["PEN-WARNING", "PEN-WARNING"]


def test_profiles_without_subsidies_have_no_sheet(tmp_path):
    root = write_tree(tmp_path, {"staff/v1.yaml": STAFF, "households/v1/h1.yaml": household(
        "h1", "", "2026-06-01").replace("category: '1'\n    level: ''", "category: A")}, profile="qiandongnan-2023")
    f = facts_for(root, D("2027-01-05"))
    assert pay.subsidy_sheet(f, "2026-Q4") == [] and list(pay.check(f)) == []


def test_every_code_and_function_is_documented():
    from pathlib import Path
    text = (Path(__file__).resolve().parent.parent / "docs" / "rules" / "pay.md").read_text(encoding="utf-8")
    for code in pay.CODES:
        assert f"`{code}`" in text
    for name in ("subsidy_sheet", "totals", "penalties"):
        assert f"`{name}(" in text


def test_a_worse_month_is_never_paid_more_than_a_better_one(tmp_path):
    # Failures in October (warning), November (withheld) and December (terminate): October 200, November 0,
    # December 0 — never more for the month of the third failure than for the second's.
    files = {**TWO_SUBJECTS,
             "inspections/2026-10/insp.yaml": inspection("2026-10-10", passed=False),
             "inspections/2026-11/insp.yaml": inspection("2026-11-12", passed=False),
             "inspections/2026-12/insp.yaml": inspection("2026-12-05", passed=False)}
    f = facts(tmp_path, files)
    row = next(r for r in pay.subsidy_sheet(f, "2026-Q4") if r.subject == "h1/m1")
    paid = {m: (m not in row.withheld) for m in row.months}
    steps = {p.inspection.date.strftime("%Y-%m"): p.count for p in pay.penalties(f)}
    worse_paid = [(a, b) for a in paid for b in paid if steps.get(a, 0) > steps.get(b, 0) and paid[a] > paid[b]]
    assert paid == {"2026-10": True, "2026-11": False, "2026-12": False} and worse_paid == []
    # The next quarter is not paid for h1 either, the termination still unrecorded.
    assert [r.subject for r in pay.subsidy_sheet(f, "2027-Q1") if r.amount] == ["h2/m1"]


def test_paid_per_contact_pays_a_contact_of_two_subjects_once_a_month(tmp_path):
    # With paid_per: contact (an override; Wangcheng's words pay per subject 包保): h1 (一级, 200, all Q4) and h2 (三级,
    # 300, from 11-15) share the contact. October: h1 only → 200 on h1. November, December: both → once, at 300, on
    # h2's row; h1 lists them as shared. 200 + 600 = 800 instead of 600 + 600.
    site_extra = """\
    overrides:
      subsidies:
        - applies_to: {levels: ['1']}
          monthly_amount: 200
          paid_per: contact
          cite: 测试
        - applies_to: {levels: ['2', '3']}
          monthly_amount: 300
          paid_per: contact
          cite: 测试
    """
    rows = pay.subsidy_sheet(facts(tmp_path, TWO_SUBJECTS, site_extra=site_extra), "2026-Q4")
    assert [(r.subject, r.shared, r.amount) for r in rows] == [
        ("h1/m1", ("2026-11", "2026-12"), Decimal(200)), ("h2/m1", (), Decimal(600))]
    assert pay.totals(rows) == {"con": Decimal(800)}
