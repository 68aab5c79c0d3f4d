"""Fund custody worked out by hand from Qiandongnan 五（三）."""

import datetime as dt
from pathlib import Path

import pytest

from careledger.rules import custody

from .contentkit import codes, facts_for, id_number, write_tree

D = dt.date.fromisoformat

# pc: paired cadre; sec: village secretary (principal, party member); cu: an ordinary custodian (party member);
# cg: the caregiver; plain: neither party member nor elder; elder: a 寨老.
STAFF = """\
- id: pc
  name: 甲干部
  roles: [paired_cadre]
- id: sec
  name: 乙书记
  roles: [principal]
  party_member: true
- id: cu
  name: 丙代管
  roles: [custodian]
  party_member: true
- id: cg
  name: 丁照料
  roles: [caregiver]
- id: plain
  name: 戊村民
  roles: [custodian]
- id: elder
  name: 己寨老
  roles: [custodian]
  elder: true
"""


def household(*, category="A", capacity="none", custodian="cu", caregiver="cg", supporters="") -> str:
    custodian_line = f"      custodian: {custodian}\n" if custodian else ""
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
    civil_capacity: {capacity}
{supporters}subjects:
  - member: m1
    category: {category}
    support_mode: dispersed
    enrolled: 2026-01-01
    assigned:
      responsible: [pc]
      caregiver: {caregiver}
{custodian_line}"""


LEDGER = """\
household: h1
subject: m1
custodian: cu
elected: 2026-01-05
opening_balance: 100
entries:
"""


def entry(date, kind, amount=None, *, balance=None, drawn_by=None, checked_by=None, item=None) -> str:
    lines = [f"  - date: {date}", f"    kind: {kind}"]
    for key, value in (("amount", amount), ("balance", balance), ("drawn_by", drawn_by),
                       ("checked_by", checked_by), ("item", item)):
        if value is not None:
            lines.append(f"    {key}: {value}")
    return "\n".join(lines) + "\n"


def run(tmp_path, files, as_of="2026-03-01", *, profile="qiandongnan-2023"):
    root = write_tree(tmp_path, {"staff/v1.yaml": STAFF, **files}, profile=profile)
    return list(custody.check(facts_for(root, D(as_of))))


def ledger(*entries: str, head: str = LEDGER) -> dict:
    return {"custody/v1/h1-m1.yaml": head + "".join(entries)}


# A ledger with a village check every month and nothing else wrong: the base the cases below break one way each.
CLEAN = ledger(entry("2026-01-10", "income", "980.00"),
               entry("2026-01-12", "expense", "120.50", drawn_by="cg"),
               entry("2026-01-31", "balance", balance="959.50"),
               entry("2026-02-20", "check", checked_by="sec"))


def test_clean_case_has_no_findings(tmp_path):
    assert run(tmp_path, {"households/v1/h1.yaml": household(), **CLEAN}) == []


def test_no_capacity_no_guardian_no_custodian(tmp_path):
    findings = run(tmp_path, {"households/v1/h1.yaml": household(custodian=None)})
    assert codes(findings) == [("CUS-NO-CUSTODIAN", "h1/m1")]
    f = findings[0]
    assert f.is_error and f.path == "subjects[0].assigned.custodian"
    assert f.evidence["rule"] == "黔东南州实施意见 五（三）"
    assert "无监护人" in f.message


@pytest.mark.parametrize("name, kwargs, expected", [
    # A guardian who does the job: no custody needed.
    ("working guardian", {"supporters": "supporters:\n  - relation: child\n    name: 甲子\n    guardian: true\n"},
     []),
    # A guardian who does not fulfil the duty counts as none.
    ("idle guardian", {"supporters": "supporters:\n  - relation: child\n    name: 甲子\n    guardian: true\n"
                                     "    fulfils_duty: false\n"}, [("CUS-NO-CUSTODIAN", "h1/m1")]),
    # A supporter who is not the guardian does not help.
    ("supporter only", {"supporters": "supporters:\n  - relation: child\n    name: 甲子\n    fulfils_duty: true\n"},
     [("CUS-NO-CUSTODIAN", "h1/m1")]),
    ("limited capacity", {"capacity": "limited"}, []),
    ("group C", {"category": "C"}, []),
    ("group B", {"category": "B"}, [("CUS-NO-CUSTODIAN", "h1/m1")]),
])
def test_who_needs_a_custodian(tmp_path, name, kwargs, expected):
    assert codes(run(tmp_path, {"households/v1/h1.yaml": household(custodian=None, **kwargs)})) == expected


def test_idle_guardian_is_named_in_the_message(tmp_path):
    supporters = "supporters:\n  - relation: child\n    name: 甲子\n    guardian: true\n    fulfils_duty: false\n"
    f, = run(tmp_path, {"households/v1/h1.yaml": household(custodian=None, supporters=supporters)})
    assert "监护人不能正常履行职责" in f.message and f.evidence["guardians_not_fulfilling"] == ["甲子"]


def test_custodian_without_a_ledger(tmp_path):
    f, = run(tmp_path, {"households/v1/h1.yaml": household()})
    assert (f.code, f.subject, f.staff, f.severity) == ("CUS-NO-LEDGER", "h1/m1", "cu", "error")
    assert "custody/v1/h1-m1.yaml" in f.message


def test_custodian_who_is_the_village_secretary(tmp_path):
    files = {"households/v1/h1.yaml": household(custodian="sec"), **CLEAN}
    files["custody/v1/h1-m1.yaml"] = files["custody/v1/h1-m1.yaml"].replace("custodian: cu", "custodian: sec")
    findings = run(tmp_path, files)
    assert codes(findings) == [("CUS-EXCLUDED-ROLE", "h1/m1")]
    f = findings[0]
    assert f.is_error and f.staff == "sec" and f.evidence["roles"] == ["principal"]
    assert "村（社）主要负责人" in f.message


def test_custodian_who_is_also_the_caregiver(tmp_path):
    files = {"households/v1/h1.yaml": household(custodian="cu", caregiver="cu"), **CLEAN}
    files["custody/v1/h1-m1.yaml"] = files["custody/v1/h1-m1.yaml"].replace("drawn_by: cg", "drawn_by: cu")
    findings = run(tmp_path, files)
    assert codes(findings) == [("CUS-IS-CAREGIVER", "h1/m1")]
    assert findings[0].staff == "cu" and findings[0].evidence["caregiver"] == "cu"


@pytest.mark.parametrize("custodian, expected", [("plain", ["CUS-NOT-ELECTABLE"]), ("elder", []), ("cu", [])])
def test_custodian_comes_from_party_members_and_elders(tmp_path, custodian, expected):
    files = {"households/v1/h1.yaml": household(custodian=custodian), **CLEAN}
    files["custody/v1/h1-m1.yaml"] = files["custody/v1/h1-m1.yaml"].replace("custodian: cu", f"custodian: {custodian}")
    findings = run(tmp_path, files)
    assert [f.code for f in findings] == expected
    assert all(f.severity == "warning" for f in findings)


def test_ledger_custodian_differs_from_assignment(tmp_path):
    files = {"households/v1/h1.yaml": household(custodian="elder"), **CLEAN}
    f, = run(tmp_path, files)
    assert (f.code, f.staff, f.evidence["assigned_custodian"]) == ("CUS-LEDGER-CUSTODIAN", "cu", "elder")


def test_ledger_goes_negative_on_the_third_entry(tmp_path):
    # Opening 100; +50 → 150; −120 → 30; −40 → −10 (negative here); −5 → −15 (still negative: not reported again);
    # +100 → 85; −90 → −5 (negative again).
    files = {"households/v1/h1.yaml": household(),
             **ledger(entry("2026-01-10", "income", 50),
                      entry("2026-01-11", "expense", 120, drawn_by="cg"),
                      entry("2026-01-12", "expense", 40, drawn_by="cg"),
                      entry("2026-01-13", "expense", 5, drawn_by="cg"),
                      entry("2026-01-20", "income", 100),
                      entry("2026-01-21", "expense", 90, drawn_by="cg"),
                      entry("2026-02-20", "check", checked_by="sec"))}
    negative = [f for f in run(tmp_path, files) if f.code == "CUS-NEGATIVE"]
    assert [(f.path, f.evidence["balance_before"], f.evidence["balance_after"]) for f in negative] == [
        ("entries[2]", "30", "-10"), ("entries[5]", "85", "-5")]
    assert negative[0].source.file == "custody/v1/h1-m1.yaml" and negative[0].source.line == 14
    assert negative[0].staff == "cu" and negative[0].is_error


def test_failing_balance_assertion(tmp_path):
    # Opening 100 + 980.00 − 120.50 = 959.50; the ledger says 950.00.
    files = {"households/v1/h1.yaml": household(),
             **ledger(entry("2026-01-10", "income", "980.00"),
                      entry("2026-01-12", "expense", "120.50", drawn_by="cg"),
                      entry("2026-01-31", "balance", balance="950.00"),
                      entry("2026-02-20", "check", checked_by="sec"))}
    f, = run(tmp_path, files)
    assert (f.code, f.path, f.subject) == ("CUS-BALANCE", "entries[2]", "h1/m1")
    assert (f.evidence["expected"], f.evidence["actual"], f.evidence["difference"]) == ("950.00", "959.50", "-9.50")


def test_balance_column_on_an_expense_line_is_checked_too(tmp_path):
    files = {"households/v1/h1.yaml": household(),
             **ledger(entry("2026-01-10", "expense", "20", drawn_by="cg", balance="80"),
                      entry("2026-01-11", "expense", "20", drawn_by="cg", balance="70"),
                      entry("2026-02-20", "check", checked_by="sec"))}
    f, = run(tmp_path, files)
    assert (f.code, f.path, f.evidence["expected"], f.evidence["actual"]) == ("CUS-BALANCE", "entries[1]", "70", "60")


def test_expense_without_drawer_and_by_someone_else(tmp_path):
    files = {"households/v1/h1.yaml": household(),
             **ledger(entry("2026-01-10", "expense", "10", item="买米"),
                      entry("2026-01-11", "expense", "10", drawn_by="pc"),
                      entry("2026-02-20", "check", checked_by="sec"))}
    findings = run(tmp_path, files)
    assert [(f.code, f.path, f.severity, f.staff) for f in findings] == [
        ("CUS-NO-DRAWER", "entries[0]", "error", "cu"),
        ("CUS-DRAWER-NOT-CAREGIVER", "entries[1]", "warning", "pc")]
    assert findings[0].evidence["item"] == "买米"
    assert findings[1].evidence["caregiver"] == "cg"


def test_entries_out_of_date_order(tmp_path):
    files = {"households/v1/h1.yaml": household(),
             **ledger(entry("2026-01-12", "income", "10"), entry("2026-01-10", "income", "10"),
                      entry("2026-02-20", "check", checked_by="sec"))}
    f, = run(tmp_path, files)
    assert (f.code, f.path, f.evidence["after"]) == ("CUS-ORDER", "entries[1]", "2026-01-12")


def test_village_check_overdue_by_exact_days(tmp_path):
    # Elected 2026-01-05, checked 2026-02-20, then nothing. The profile's figure: every 90 days.
    # As of 2026-05-21: 90 days since the check, fine. As of 2026-06-01: 101 days, overdue by 11.
    files = {"households/v1/h1.yaml": household(), **CLEAN}
    assert run(tmp_path / "a", files, "2026-05-21") == []
    f, = run(tmp_path / "b", files, "2026-06-01")
    assert (f.code, f.severity, f.subject) == ("CUS-CHECK-OVERDUE", "warning", "h1/m1")
    assert {k: f.evidence[k] for k in ("last_check", "gap_days", "limit_days", "overdue_days")} == {
        "last_check": "2026-02-20", "gap_days": 101, "limit_days": 90, "overdue_days": 11}


def test_village_check_never_done_counts_from_election(tmp_path):
    files = {"households/v1/h1.yaml": household(),
             **ledger(entry("2026-01-10", "income", "980.00"))}
    f, = run(tmp_path, files, "2026-04-10")
    # 2026-01-05 → 2026-04-10 is 95 days.
    assert (f.code, f.evidence["from"], f.evidence["gap_days"], f.evidence["overdue_days"]) == (
        "CUS-CHECK-OVERDUE", "2026-01-05", 95, 5)


def test_past_gap_between_checks_and_check_without_checker(tmp_path):
    files = {"households/v1/h1.yaml": household(),
             **ledger(entry("2026-01-10", "check"),
                      entry("2026-05-01", "check", checked_by="sec"))}
    findings = run(tmp_path, files, "2026-05-10")
    assert [f.code for f in findings] == ["CUS-NO-CHECKER", "CUS-CHECK-LATE"]
    late = findings[1]
    # The unsigned check does not count: 2026-01-05 → 2026-05-01 is 116 days.
    assert (late.evidence["from"], late.evidence["until"], late.evidence["gap_days"]) == ("2026-01-05", "2026-05-01",
                                                                                         116)


def test_entries_after_the_as_of_date_are_ignored(tmp_path):
    files = {"households/v1/h1.yaml": household(),
             **ledger(entry("2026-01-10", "check", checked_by="sec"), entry("2026-03-10", "expense", "500",
                                                                              drawn_by="cg"))}
    assert run(tmp_path, files, "2026-03-01") == []


def test_ledger_is_checked_in_a_profile_without_custody(tmp_path):
    # Wangcheng has no custody rules: no custodian is required and there is no check interval, but a ledger that
    # exists must still add up.
    files = {"households/v1/h1.yaml": household(category="1").replace("subjects:\n  - member: m1\n",
                                                                      "subjects:\n  - member: m1\n    level: '2'\n"),
             **ledger(entry("2026-01-10", "expense", "200", drawn_by="cg"))}
    findings = run(tmp_path, files, "2026-12-01", profile="wangcheng-2020")
    assert codes(findings) == [("CUS-NEGATIVE", "h1/m1")]
    assert findings[0].evidence["rule"] is None


def test_every_code_is_documented():
    text = (Path(__file__).resolve().parent.parent / "docs" / "rules" / "custody.md").read_text(encoding="utf-8")
    for code in custody.CODES:
        assert f"`{code}`" in text


@pytest.mark.parametrize("post, excluded", [
    ("村委会主任", True),           # a head of the villagers' committee, entered with the role committee_member
    ("村党支部书记、村委会委员", True),
    ("社区主任", True),
    ("村委会副主任", False),        # a deputy is not a 负责人
    ("妇联主任", False),            # not one of the two committees' heads
    ("村委会委员", False),
])
def test_the_heads_of_the_two_committees_are_excluded_whatever_their_role(tmp_path, post, excluded):
    # 五（三）1 “村（居）两委负责人原则上不能担任保障资金代管人”: the director entered as a committee member was let
    # through when only the role `principal` was checked.
    staff = STAFF + f"- id: dir\n  name: 庚主任\n  roles: [committee_member]\n  post: {post}\n  party_member: true\n"
    clean_ledger = CLEAN["custody/v1/h1-m1.yaml"].replace("custodian: cu", "custodian: dir")
    root = write_tree(tmp_path, {"staff/v1.yaml": staff, "households/v1/h1.yaml": household(custodian="dir"),
                                 "custody/v1/h1-m1.yaml": clean_ledger}, profile="qiandongnan-2023")
    found = [f for f in custody.check(facts_for(root, D("2026-03-01"))) if f.code == "CUS-EXCLUDED-ROLE"]
    assert bool(found) == excluded
    if excluded:
        assert found[0].evidence["roles"] == [] and found[0].evidence["posts"]
        assert "庚主任（dir）" in found[0].message and post in found[0].message
