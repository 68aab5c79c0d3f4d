"""Agreements (Wangcheng 三方协议, one year) and the four haves (Jizhou 四有), worked out by hand."""

import datetime as dt
from pathlib import Path

import pytest

from careledger.rules import agreements

from .contentkit import codes, facts_for, id_number, write_tree

D = dt.date.fromisoformat

STAFF = """\
- id: area
  name: 乙干部
  roles: [area_cadre]
- id: con
  name: 丙联系人
  roles: [contact]
- id: con2
  name: 丁联系人
  roles: [contact]
- id: cg
  name: 戊照料
  roles: [caregiver]
"""


def household(agreements: str = "", *, contacts: str = "[con]", extra: str = "") -> str:
    return f"""\
id: h1
village: v1
address: 一村1号
members:
  - id: m1
    name: 甲某
    relation: self
    birth_date: 1940-01-01
    id_number: '{id_number("1940-01-01", 1)}'
subjects:
  - member: m1
    category: '1'
    level: '2'
    enrolled: 2025-11-01
    assigned:
      responsible: [area]
      contact: {contacts}
agreements:
{agreements or "  []"}
{extra}"""


def agreement(id_: str, signed: str, *, contact: str = "con", extra: str = "") -> str:
    return (f"  - id: {id_}\n    subject: m1\n    responsible: area\n    contact: {contact}\n"
            f"    signed: {signed}\n{extra}")


def run(tmp_path, files, as_of, *, profile="wangcheng-2020"):
    root = write_tree(tmp_path, {"staff/v1.yaml": STAFF, **files}, profile=profile)
    return list(agreements.check(facts_for(root, D(as_of))))


@pytest.mark.parametrize("start, months, end", [
    ("2025-12-01", 12, "2026-12-01"),
    ("2026-01-31", 1, "2026-02-28"),
    ("2028-01-31", 1, "2028-02-29"),
    ("2026-03-31", 1, "2026-04-30"),
    ("2026-11-30", 3, "2027-02-28"),
    ("2024-02-29", 12, "2025-02-28"),
    ("2026-08-15", 120, "2036-08-15"),
])
def test_month_arithmetic(start, months, end):
    assert agreements.add_months(D(start), months) == D(end)


# Signed 2025-12-01, 12-month term: the last day in force is 2026-12-01 (民法典 第二百零二条).
ONE = agreement("a1", "2025-12-01")


def test_current_agreement_far_from_expiry(tmp_path):
    assert run(tmp_path, {"households/v1/h1.yaml": household(ONE)}, "2026-10-31") == []


def test_expiring_within_thirty_days_is_a_warning(tmp_path):
    f, = run(tmp_path, {"households/v1/h1.yaml": household(ONE)}, "2026-11-10")
    assert (f.code, f.severity, f.subject, f.staff) == ("AGR-EXPIRING", "warning", "h1/m1", "con")
    assert (f.evidence["expires"], f.evidence["days_left"], f.evidence["warning_days"]) == ("2026-12-01", 21, 30)
    assert f.path == "agreements[0]" and f.evidence["rule"] == "望办〔2020〕33号 三（三）；附件2 二、六"


@pytest.mark.parametrize("as_of, days_left", [("2026-11-01", 30), ("2026-12-01", 0)])
def test_warning_bounds(tmp_path, as_of, days_left):
    f, = run(tmp_path, {"households/v1/h1.yaml": household(ONE)}, as_of)
    assert (f.code, f.evidence["days_left"]) == ("AGR-EXPIRING", days_left)


def test_thirty_one_days_left_is_quiet(tmp_path):
    assert run(tmp_path, {"households/v1/h1.yaml": household(ONE)}, "2026-10-31") == []


def test_expired_is_an_error(tmp_path):
    f, = run(tmp_path, {"households/v1/h1.yaml": household(ONE)}, "2026-12-02")
    assert (f.code, f.severity, f.subject, f.staff) == ("AGR-EXPIRED", "error", "h1/m1", "con")
    assert (f.evidence["agreement"], f.evidence["expires"], f.evidence["days_expired"]) == ("a1", "2026-12-01", 1)


def test_renewed_agreement_clears_it(tmp_path):
    renewed = ONE + agreement("a2", "2026-11-20")
    assert run(tmp_path / "a", {"households/v1/h1.yaml": household(renewed)}, "2026-12-02") == []
    assert run(tmp_path / "b", {"households/v1/h1.yaml": household(renewed)}, "2026-11-25") == []
    # Before the renewal was signed, the old one was expiring.
    assert codes(run(tmp_path / "c", {"households/v1/h1.yaml": household(renewed)}, "2026-11-19")) == [
        ("AGR-EXPIRING", "h1/m1")]


def test_written_expiry_date_wins(tmp_path):
    # The record says 2026-11-30: as of 2026-12-01 it has expired, a day earlier than the computed term.
    short = agreement("a1", "2025-12-01", extra="    expires: 2026-11-30\n")
    f, = run(tmp_path, {"households/v1/h1.yaml": household(short)}, "2026-12-01")
    assert (f.code, f.evidence["expires"]) == ("AGR-EXPIRED", "2026-11-30")


def test_terminated_agreement_leaves_none(tmp_path):
    ended = agreement("a1", "2025-12-01", extra="    terminated: 2026-06-01\n    terminated_reason: 三次帮扶不到位\n")
    f, = run(tmp_path / "a", {"households/v1/h1.yaml": household(ended)}, "2026-06-01")
    assert (f.code, f.severity, f.path) == ("AGR-MISSING", "error", "agreements[0].terminated")
    assert (f.evidence["terminated"], f.evidence["reason"]) == ("2026-06-01", "三次帮扶不到位")
    # The day before the termination it was still in force.
    assert run(tmp_path / "b", {"households/v1/h1.yaml": household(ended)}, "2026-05-31") == []


def test_no_agreement_at_all(tmp_path):
    f, = run(tmp_path, {"households/v1/h1.yaml": household()}, "2026-03-01")
    assert (f.code, f.subject, f.staff, f.path) == ("AGR-MISSING", "h1/m1", "con", "subjects[0]")


def test_agreement_signed_after_the_as_of_date_does_not_count(tmp_path):
    f, = run(tmp_path, {"households/v1/h1.yaml": household(ONE)}, "2025-11-20")
    assert f.code == "AGR-MISSING"


def test_contact_mismatch(tmp_path):
    # The subject's contact is now con2; the agreement still names con.
    f, = run(tmp_path, {"households/v1/h1.yaml": household(ONE, contacts="[con2]")}, "2026-03-01")
    assert (f.code, f.severity, f.staff, f.path) == ("AGR-CONTACT-MISMATCH", "warning", "con2", "agreements[0].contact")
    assert (f.evidence["agreement_contact"], f.evidence["assigned_contact"]) == ("con", "con2")


def test_each_contact_subject_pair_needs_its_own_agreement(tmp_path):
    # Two contacts, one agreement: the second pair has none.
    f, = run(tmp_path / "a", {"households/v1/h1.yaml": household(ONE, contacts="[con, con2]")}, "2026-03-01")
    assert (f.code, f.staff) == ("AGR-MISSING", "con2")
    both = ONE + agreement("a2", "2026-01-01", contact="con2")
    assert run(tmp_path / "b", {"households/v1/h1.yaml": household(both, contacts="[con, con2]")}, "2026-03-01") == []


def test_agreement_with_a_former_contact_should_be_terminated(tmp_path):
    both = ONE + agreement("a2", "2026-01-01", contact="con2")
    f, = run(tmp_path, {"households/v1/h1.yaml": household(both, contacts="[con2]")}, "2026-03-01")
    assert (f.code, f.staff, f.evidence["agreement"]) == ("AGR-CONTACT-MISMATCH", "con", "a1")


def test_exited_subject_needs_no_agreement(tmp_path):
    text = household().replace("    assigned:", "    exited: 2026-01-01\n    exit_reason: 去世\n    assigned:")
    assert run(tmp_path, {"households/v1/h1.yaml": text}, "2026-03-01") == []


# --- Jizhou: the four haves (四有) of dispersed-support 特困 --------------------------------------------------------

FULL = """\
four_haves:
  service_standard: true
  sign: true
  emergency_plan: 2026-01-10
"""


def jizhou(*, haves: str = FULL, agreement_text: str | None = None, category: str = "tekun",
           support_mode: str = "dispersed") -> str:
    if agreement_text is None:
        agreement_text = ("  - id: c1\n    kind: care\n    subject: m1\n    caregiver: cg\n"
                          "    signed: 2026-01-05\n")
    return f"""\
id: h1
village: v1
address: 一村1号
policies: [tekun]
members:
  - id: m1
    name: 甲某
    relation: self
    birth_date: 1940-01-01
    id_number: '{id_number("1940-01-01", 1)}'
subjects:
  - member: m1
    category: {category}
    support_mode: {support_mode}
    enrolled: 2026-01-01
    assigned:
      responsible: [area]
      caregiver: cg
agreements:
{agreement_text or "  []"}
{haves}"""


def visits(*dates: str, duty: str = "responsible") -> str:
    return "".join(f"- date: {d}\n  household: h1\n  duty: {duty}\n" for d in dates)


def run_jizhou(tmp_path, household_text, as_of="2026-03-01", visit_dates=("2026-02-20",)):
    files = {"households/v1/h1.yaml": household_text}
    if visit_dates:
        files["visits/2026-02/area.yaml"] = visits(*visit_dates)
    return run(tmp_path, files, as_of, profile="jizhou-2020")


def items(findings):
    return [(f.code, f.subject, f.evidence.get("item")) for f in findings]


def test_all_four_haves_present(tmp_path):
    assert run_jizhou(tmp_path, jizhou()) == []


def test_missing_agreement(tmp_path):
    findings = run_jizhou(tmp_path, jizhou(agreement_text=""))
    # The care agreement rule and the four haves both see it.
    assert items(findings) == [("AGR-MISSING", "h1/m1", None), ("FOUR-HAVES-MISSING", "h1/m1", "agreement")]
    assert findings[1].is_error and findings[1].evidence["rule"] == "蓟州区实施方案 二（三）14"


def test_a_tri_party_agreement_also_counts_as_the_agreement_have(tmp_path):
    tri = "  - id: t1\n    subject: m1\n    responsible: area\n    signed: 2026-01-05\n"
    assert items(run_jizhou(tmp_path, jizhou(agreement_text=tri))) == [("AGR-MISSING", "h1/m1", None)]


def test_missing_service_standard(tmp_path):
    f, = run_jizhou(tmp_path, jizhou(haves=FULL.replace("service_standard: true", "service_standard: false")))
    assert (f.code, f.evidence["item"], f.evidence["absent"], f.path) == (
        "FOUR-HAVES-MISSING", "service_standard", ["service_standard"], "four_haves.service_standard")


def test_missing_sign(tmp_path):
    f, = run_jizhou(tmp_path, jizhou(haves=FULL.replace("  sign: true\n", "")))
    assert (f.evidence["item"], f.evidence["absent"]) == ("service_standard", ["sign"])
    assert "服务标识" in f.message


def test_missing_visit_record(tmp_path):
    # Jizhou's cadence for dispersed 特困: 31 days. Last visit 2026-02-20; as of 2026-03-23 that is 31 days (fine);
    # as of 2026-03-24, 32 days.
    assert run_jizhou(tmp_path / "a", jizhou(), "2026-03-23") == []
    f, = run_jizhou(tmp_path / "b", jizhou(), "2026-03-24")
    assert (f.code, f.evidence["item"], f.evidence["last_visit"], f.evidence["gap_days"], f.evidence["limit_days"]) == (
        "FOUR-HAVES-MISSING", "visit_record", "2026-02-20", 32, 31)


def test_no_visit_ever(tmp_path):
    # Enrolled 2026-01-01, never visited: as of 2026-03-01 that is 59 days.
    f, = run_jizhou(tmp_path, jizhou(), visit_dates=())
    assert (f.evidence["item"], f.evidence["last_visit"], f.evidence["gap_days"]) == ("visit_record", None, 59)


def test_missing_emergency_plan(tmp_path):
    f, = run_jizhou(tmp_path / "a", jizhou(haves=FULL.replace("  emergency_plan: 2026-01-10\n", "")))
    assert (f.evidence["item"], f.evidence["emergency_plan"], f.path) == (
        "emergency_plan", None, "four_haves.emergency_plan")
    # A plan dated after the as-of date did not exist yet.
    f, = run_jizhou(tmp_path / "b", jizhou(haves=FULL.replace("2026-01-10", "2026-04-01")))
    assert (f.evidence["item"], f.evidence["emergency_plan"]) == ("emergency_plan", "2026-04-01")


def test_no_four_haves_block_at_all(tmp_path):
    findings = run_jizhou(tmp_path, jizhou(haves=""))
    assert [f.evidence["item"] for f in findings] == ["service_standard", "emergency_plan"]
    assert findings[0].evidence["absent"] == ["service_standard", "sign"]


@pytest.mark.parametrize("category, mode", [("tekun", "centralized"), ("dibao", "dispersed")])
def test_four_haves_only_for_dispersed_tekun(tmp_path, category, mode):
    assert run_jizhou(tmp_path, jizhou(haves="", agreement_text="", category=category, support_mode=mode)) == []


def test_every_code_is_documented():
    text = (Path(__file__).resolve().parent.parent / "docs" / "rules" / "agreements.md").read_text(encoding="utf-8")
    for code in agreements.CODES:
        assert f"`{code}`" in text
