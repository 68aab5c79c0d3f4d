"""The internal reports: written beside the site, from the same rows as HTML and CSV, never into the site."""

import csv
import io
import subprocess

from click.testing import CliRunner

from careledger.cli import main
from careledger.load import load
from careledger.rules import Facts, spotcheck

from .conftest import AS_OF


def build(content, out, as_of="2026-11-23"):
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--output", str(out), "--as-of", as_of])
    assert result.exit_code == 0, result.output
    return out / "reports"


def read_csv(path):
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode("utf-8")), "Excel needs the BOM to show Chinese"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_warning_list_and_notice_name_the_cadres(basic, tmp_path):
    reports = build(basic, tmp_path / "out")
    warnings = read_csv(reports / "warnings.csv")
    assert warnings[0][:3] == ["村（社区）", "责任人", "走访身份"]
    by_subject = {(row[4], row[2]): row for row in warnings[1:]}
    # ds-001 (三级): the principal last visited on 11-05; 18 days by 11-23, warned from 11-11 (gap past 5 days).
    assert by_subject[("ds-001/m1", "包保责任人")][6:10] == ["18", "预警", "2026-11-05", "2026-11-11"]
    assert by_subject[("ds-001/m1", "包保责任人")][1] == "李建国（ds-shuji）"
    notice = read_csv(reports / "notice.csv")
    assert notice[0] == ["村（社区）", "被预警的包保责任人", "本月预警次数", "涉及对象数", "本月未按时走访次数"]
    counts = {row[1]: (row[2], row[3]) for row in notice[1:]}
    # Each warned gap was also one missed interval in November (over 3, 7 and 15 days on 11-09, 11-09, 11-17).
    assert {row[1]: row[4] for row in notice[1:]} == {"李建国（ds-shuji）": "1", "王秀兰（ds-baopian）": "1",
                                                      "陈国强（xw-zhuren）": "1"}
    # Warned in November: the principal for ds-001 (11-11), the area cadre for ds-002 (11-12) and the director for
    # xw-001 (一级: 21 days since records began on 11-01 > 20, on 11-22). The contact of ds-001 and ds-002 is in
    # the warning list but not in the notice: contacts answer through inspections.
    assert counts == {"李建国（ds-shuji）": ("1", "1"), "王秀兰（ds-baopian）": ("1", "1"), "陈国强（xw-zhuren）": ("1", "1")}


def test_every_table_is_an_html_page_and_a_csv_with_the_same_rows(basic, tmp_path):
    reports = build(basic, tmp_path / "out")
    index = (reports / "index.html").read_text(encoding="utf-8")
    for name in ("warnings", "problems", "reviews", "findings", "subsidy-2026-Q4"):  # the notice: test_notice.py
        rows = read_csv(reports / f"{name}.csv")
        html = (reports / f"{name}.html").read_text(encoding="utf-8")
        assert f'href="{name}.html"' in index
        assert html.count("<tr>") == len(rows) or (len(rows) == 1 and "无。" in html)


def test_subsidy_sheet_amounts(basic, tmp_path):
    reports = build(basic, tmp_path / "out")
    rows = read_csv(reports / "subsidy-2026-Q3.csv")[1:]
    due = {(r[0], r[2]): r[7] for r in rows}
    # Q3 2026: ds-001 (三级, 300/月) and ds-002 (二级, 300/月) both in care all quarter: 3 × 300 each;
    # xw-001 (一级, 200/月) likewise 3 × 200.
    assert due[("赵小红（ds-lianxi1）", "ds-001/m1")] == "900"
    assert due[("吴丽（xw-lianxi）", "xw-001/m1")] == "600"
    assert all(r[2] and r[1] != "合计" for r in rows)  # data rows only: the totals are a table of their own
    totals = read_csv(reports / "subsidy-2026-Q3-totals.csv")
    assert totals[0] == ["联系人", "包保对象数", "应发金额（元）"]
    assert totals[1:] == [["赵小红（ds-lianxi1）", "2", "1800"], ["吴丽（xw-lianxi）", "1", "600"], ["总计", "3", "2400"]]
    assert sum(int(r[7]) for r in rows) == 2400


def test_reports_stay_out_of_the_published_site(basic, tmp_path):
    out = tmp_path / "out"
    build(basic, out)
    for path in (out / "site").rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="ignore")
            assert "欧阳福生" not in text and "预警名单" not in text


def test_spot_check_sample_does_not_change_with_the_commit(basic, tmp_path):
    def sample_of(reports):
        (path,) = reports.glob("spot-check-*.csv")
        intro = path.with_suffix(".html").read_text(encoding="utf-8")
        return [row[1] for row in read_csv(path)[1:]], intro

    before, intro = sample_of(build(basic, tmp_path / "a"))
    assert "与提交无关" in intro
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "records"]):
        subprocess.run(["git", "-C", str(basic), *args], check=True, env=env)
    drawn, _ = sample_of(build(basic, tmp_path / "b"))
    assert drawn == before
    records, _ = load(basic, today=AS_OF)
    facts = Facts(records, records.profile, AS_OF)
    assert drawn == spotcheck.sample(facts, records.profile.spot_checks[0], "2026-Q4")


def test_visit_reminders_per_person(basic, tmp_path):
    # 走访提醒 as of 11-23: everyone in the fixture is past their interval (三级 ds-001 last visited 11-05 → due
    # 11-08; ds-002 二级 never visited since records began 11-01 → due 11-08; xw-001 一级 → due 11-16).
    reports = build(basic, tmp_path / "out")
    rows = read_csv(reports / "reminders.csv")
    assert rows[0] == ["责任人", "走访身份", "村（社区）", "对象", "对象编号", "上次走访", "应走访日期", "状态"]
    got = {(r[0], r[4]): (r[5], r[6], r[7]) for r in rows[1:]}
    assert got[("李建国（ds-shuji）", "ds-001/m1")] == ("2026-11-05", "2026-11-08", "已逾期")
    assert got[("王秀兰（ds-baopian）", "ds-002/m1")] == ("无", "2026-11-08", "已逾期")
    assert got[("陈国强（xw-zhuren）", "xw-001/m1")] == ("无", "2026-11-16", "已逾期")


def test_the_spot_check_list_shows_the_results_recorded(basic, tmp_path):
    reports = build(basic, tmp_path / "a")
    (path,) = reports.glob("spot-check-*.csv")
    rows = read_csv(path)
    drawn = rows[1][1]
    (basic / "spot-checks/2026-11").mkdir(parents=True)
    (basic / "spot-checks/2026-11/s-minzheng.yaml").write_text(
        f"- date: 2026-11-18\n  spot_check: 街道督查、抽查关爱帮扶联系人履职情况\n  household: {drawn}\n"
        "  method: phone\n  passed: false\n  problems: 联系人本月未上门\n", encoding="utf-8")
    rows = read_csv(next((build(basic, tmp_path / "b")).glob("spot-check-*.csv")))
    assert rows[0][-1] == "抽查结果" and rows[0][2] == "户主 · 关爱帮扶对象"
    assert all("对象 " in row[2] for row in rows[1:])  # the checker knows whom to ask for
    assert rows[1][1] == drawn and rows[1][-1] == "2026-11-18 电话抽查 不合格：联系人本月未上门（周文清（s-minzheng））"
    assert all(r[-1] == "未抽查" for r in rows[2:])
