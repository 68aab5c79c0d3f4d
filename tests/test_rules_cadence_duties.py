"""Issue 15's cadence defects, each worked out by hand from the documents' figures: every missed interval, who
counts for 三级, every person in the duty, duplicates, the month-end notice, the due list, and the messages."""

import datetime as dt

from careledger.rules import cadence

from .contentkit import facts_for, write_tree
from .test_rules_cadence import STAFF, household, visits

D = dt.date.fromisoformat

STREET = """\
- id: jie
  name: 戊街道干部
  roles: [street_cadre]
"""
OTHER_VILLAGE = """\
- id: sec2
  name: 己书记
  roles: [principal]
"""


def findings(tmp_path, files, as_of, *, profile="wangcheng-2020"):
    root = write_tree(tmp_path, {"staff/v1.yaml": STAFF, "staff/street.yaml": STREET, "staff/v2.yaml": OTHER_VILLAGE,
                                 **files}, profile=profile)
    facts = facts_for(root, D(as_of))
    return list(cadence.check(facts)), facts


def test_level_3_visited_every_four_days_misses_every_interval(tmp_path):
    # 三级 “至少每三天走访联系一次”, warning past 5. Visits Oct 1, 5, 9, 13 (and contact weekly): each gap of 4 > 3,
    # none > 5. Overdue on the 5th, 9th, 13th (4 days after the visit); as of Oct 15, gap 2.
    files = {"households/v1/h1.yaml": household("3"),
             "visits/2026-10/sec.yaml": visits("2026-10-01", "2026-10-05", "2026-10-09", "2026-10-13"),
             "visits/2026-10/con.yaml": visits("2026-10-01", "2026-10-08", "2026-10-15", duty="contact")}
    found, _ = findings(tmp_path, files, "2026-10-15")
    missed = [f for f in found if f.code == "CAD-OVERDUE-PAST"]
    assert [(f.evidence["counted_from"], f.evidence["overdue_on"], f.evidence["gap_days"]) for f in missed] == [
        ("2026-10-01", "2026-10-05", 4), ("2026-10-05", "2026-10-09", 4), ("2026-10-09", "2026-10-13", 4)]
    assert all(f.staff == "sec" and f.evidence["interval_days"] == 3 and f.evidence["threshold_days"] == 5
               for f in missed)
    assert "最长间隔 3 天" in missed[0].message and "预警阈值 5 天" in missed[0].message
    assert "包保责任人 甲书记（sec）" in missed[0].message
    assert len(found) == 3


def test_level_3_counts_only_the_own_villages_principal(tmp_path):
    # 三（二）“三级的包保责任人为村、社主要负责人”: the assigned street cadre's calls (Oct 3, 5) and another village's
    # principal (Oct 4) do not close the gap Oct 1 → Oct 7 (6 > 5, warned Oct 7).
    files = {"households/v1/h1.yaml": household("3", responsible="sec, jie"),
             "visits/2026-10/sec.yaml": visits("2026-10-01", "2026-10-07", "2026-10-09"),
             "visits/2026-10/jie.yaml": visits("2026-10-03", "2026-10-05", mode="phone"),
             "visits/2026-10/sec2.yaml": visits("2026-10-04"),
             "visits/2026-10/con.yaml": visits("2026-10-01", "2026-10-08", duty="contact")}
    found, _ = findings(tmp_path, files, "2026-10-10")
    refused = sorted((f.evidence["visit_date"], f.staff) for f in found if f.code == "CAD-NOT-COUNTED")
    assert refused == [("2026-10-03", "jie"), ("2026-10-04", "sec2"), ("2026-10-05", "jie")]
    by_id = {(f.evidence["visit_date"], f.staff): f.message for f in found if f.code == "CAD-NOT-COUNTED"}
    assert "戊街道干部（jie）" in by_id[("2026-10-03", "jie")] and "村（社）主要负责人" in by_id[("2026-10-03", "jie")]
    assert "本村" in by_id[("2026-10-04", "sec2")] and "己书记（sec2）" in by_id[("2026-10-04", "sec2")]
    # Every person in the duty answers: the warning is made for the principal and for the street cadre.
    warned = sorted(f.staff for f in found if f.code == "CAD-ALERT-PAST")
    assert warned == ["jie", "sec"]


def test_the_same_visit_entered_twice_counts_once(tmp_path):
    # Qiandongnan A: at least 3 a month. October: the 1st, 11th and the 11th again, 21st... without the 21st only
    # 2 distinct visits: the copy of the 11th must not make the third.
    staff = STAFF.replace("roles: [area_cadre]\n- id: con", "roles: [paired_cadre]\n- id: con")
    files = {"staff/v1.yaml": staff,
             "households/v1/h1.yaml": household("", category="A", enrolled="2026-10-01", responsible="area"),
             "visits/2026-10/area.yaml": visits("2026-10-01", "2026-10-09", "2026-10-09")}
    root = write_tree(tmp_path, files, profile="qiandongnan-2023")
    found = list(cadence.check(facts_for(root, D("2026-11-02"))))
    dup = [f for f in found if f.code == "CAD-DUPLICATE"]
    assert len(dup) == 1 and dup[0].evidence["visit_date"] == "2026-10-09" and dup[0].source.line == 9
    assert dup[0].evidence["first_entry"].endswith(":5:3") and "乙干部（area）" in dup[0].message
    assert [(f.evidence["month"], f.evidence["visits"]) for f in found if f.code == "CAD-MONTHLY"] == [("2026-10", 2)]


def test_a_notice_before_the_month_ends_short_of_its_minimum(tmp_path):
    # Qiandongnan A, at least 3 a month, every 10 days. As of Oct 25 (7 days left with the 25th): 2 visits → notice.
    # As of Oct 24 (8 days left): no notice yet.
    staff = STAFF.replace("roles: [area_cadre]\n- id: con", "roles: [paired_cadre]\n- id: con")
    files = {"staff/v1.yaml": staff,
             "households/v1/h1.yaml": household("", category="A", enrolled="2026-10-01", responsible="area"),
             "visits/2026-10/area.yaml": visits("2026-10-06", "2026-10-16")}
    root = write_tree(tmp_path, files, profile="qiandongnan-2023")
    at_risk = [f for f in cadence.check(facts_for(root, D("2026-10-25"))) if f.code == "CAD-MONTH-AT-RISK"]
    assert [(f.staff, f.evidence["visits"], f.evidence["days_left"]) for f in at_risk] == [("area", 2, 7)]
    assert "还差 1 次" in at_risk[0].message
    assert not [f for f in cadence.check(facts_for(root, D("2026-10-24"))) if f.code == "CAD-MONTH-AT-RISK"]


def test_due_list_per_person(tmp_path):
    # 三级 every 3 days: last visit Oct 8 → due Oct 11 (the last day before the gap exceeds 3). As of Oct 11: today.
    # Contact weekly: last Oct 3 → due Oct 10: overdue. Both responsible people get the subject on their list.
    files = {"households/v1/h1.yaml": household("3", responsible="sec, jie"),
             "visits/2026-10/sec.yaml": visits("2026-10-01", "2026-10-04", "2026-10-06", "2026-10-08"),
             "visits/2026-10/con.yaml": visits("2026-10-03", duty="contact")}
    _, facts = findings(tmp_path, files, "2026-10-11")
    rows = [(r.staff, r.duty, r.due.isoformat(), r.state) for r in cadence.due_list(facts)]
    assert rows == [("con", "contact", "2026-10-10", "overdue"), ("jie", "responsible", "2026-10-11", "today"),
                    ("sec", "responsible", "2026-10-11", "today")]


def test_tianhu_patrol_gaps_are_not_called_warnings(tmp_path):
    staff = "- id: xy\n  name: 庚协理员\n  roles: [coordinator]\n"
    files = {"staff/v1.yaml": staff,
             "households/v1/h1.yaml": household("", category="roster", key_person="true", responsible="xy",
                                                enrolled="2026-08-01").replace(
                 "      responsible: [xy]\n      contact: [con]\n", "      coordinator: xy\n"),
             "visits/2026-09/xy.yaml": visits("2026-09-01", duty="coordinator")}
    root = write_tree(tmp_path, files, profile="tianhu-2022")
    found = [f for f in cadence.check(facts_for(root, D("2026-10-20"))) if f.code == "CAD-ALERT"]
    assert found and all("预警" not in f.message and "通报" not in f.message for f in found)
    assert "庚协理员（xy）" in found[0].message and "31 天" in found[0].message


def test_the_published_counts_a_warning_per_person_and_an_open_gap_once():
    # Guiyang's hand-worked case as of 2022-10-31: lh-02's October gap names lh-wy and xz-li (two findings): the
    # month's count is of responsible people warned (包保责任人被预警的次数), two, and each cadre's row shows one
    # (qy-03's names nobody, so it is not in the notice). An open gap (当前预警) is one item however many it names.
    from pathlib import Path

    from careledger.load import load
    from careledger.rules import run_rules
    from careledger.views.public import redact

    content = Path(__file__).parent / "cases" / "guiyang-2022" / "content"
    as_of = D("2022-10-31")
    records, _ = load(content, today=as_of)
    findings = run_rules(records, as_of)
    lh02 = [f for f in findings if f.code == "CAD-ALERT-PAST" and f.subject == "lh-02/m1"]
    assert sorted(f.staff for f in lh02) == ["lh-wy", "xz-li"]
    view = redact(records, findings, as_of, records.site.privacy)
    raised = {(f.subject, f.evidence["raised_on"]) for f in findings if f.code in ("CAD-ALERT", "CAD-ALERT-PAST")
              and f.staff and f.evidence["raised_on"].startswith("2022-10")}
    assert raised == {("lh-02/m1", "2022-10-22")} and len(cadence.one_per_gap(lh02)) == 1
    shown = view.headline.warnings_month  # an int, or a Cell where small counts are suppressed
    assert getattr(shown, "value", shown) in (2, None)


def test_tianhu_open_risk_is_not_called_a_warning(tmp_path):
    from careledger.rules import reviews
    staff = "- id: xy\n  name: 庚协理员\n  roles: [coordinator]\n"
    visit = ("- date: 2026-10-10\n  household: h1\n  duty: coordinator\n"
             "  problems:\n    - id: p1\n      text: 电线老化\n      risk: true\n")
    files = {"staff/v1.yaml": staff,
             "households/v1/h1.yaml": household("", category="roster", key_person="true", responsible="xy",
                                                enrolled="2026-08-01").replace(
                 "      responsible: [xy]\n      contact: [con]\n", "      coordinator: xy\n"),
             "visits/2026-10/xy.yaml": visit}
    root = write_tree(tmp_path, files, profile="tianhu-2022")
    (found,) = [f for f in reviews.check(facts_for(root, D("2026-10-20"))) if f.code == "PRB-RISK-OPEN"]
    assert "预警" not in found.message and "重大风险隐患" in found.message


def test_tianhus_published_pages_do_not_speak_of_warnings_or_notices():
    # 主动发现机制通知 has neither 预警 nor 通报: its public pages call a patrol gap 逾期.
    from pathlib import Path

    from careledger.load import load
    from careledger.render.site import render_site
    from careledger.rules import run_rules
    from careledger.views.public import redact

    for profile, alerts in (("tianhu-2022", False), ("wangcheng-2020", True)):
        content = Path(__file__).parent / "cases" / profile / "content"
        as_of = D("2022-07-05") if profile == "tianhu-2022" else D("2026-10-20")  # the cases' as-of dates
        records, _ = load(content, today=as_of)
        view = redact(records, run_rules(records, as_of), as_of, records.site.privacy)
        files = render_site(view, {})
        text = "".join(files[name].decode("utf-8") for name in ("index.html", "status.html"))
        assert ("预警" in text and "通报" in text) == alerts
        assert alerts or "逾期" in text


def test_tianhus_internal_reports_have_no_notice_and_call_the_list_overdue():
    from pathlib import Path

    from careledger.load import load
    from careledger.rules import Facts, run_rules
    from careledger.views.reports import build_reports

    content = Path(__file__).parent / "cases" / "tianhu-2022" / "content"
    as_of = D("2022-07-05")
    records, _ = load(content, today=as_of)
    view = build_reports(Facts(records, records.profile, as_of), run_rules(records, as_of))
    names = {t.slug: t for t in view.tables}
    assert "notice" not in names and "reminders" in names
    assert names["warnings"].title == "走访逾期名单"
    assert names["warnings"].rows and all(row[7] == "逾期" for row in names["warnings"].rows)
