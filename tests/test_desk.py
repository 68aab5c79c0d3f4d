"""The supervisor's desk (issue 18): working lists per village and per person in output/reports/, each row naming
the subject, village, person answerable and phone, the days overdue, and linking to the household's dossier."""

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from careledger.cli import main
from careledger.rules import cadence
from careledger.views.desk import build_desk

from .contentkit import facts_for, write_tree
from .test_rules_cadence import STAFF, household, visits
from .test_rules_reviews import problem, visit

D = dt.date.fromisoformat


class Page(HTMLParser):
    """The sections of a page: per table, its heading row and its body rows as cell texts, and every link."""

    def __init__(self):
        super().__init__()
        self.tables, self.links, self.kinds = [], [], []
        self.row = self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append([])
            self.kinds.append(attrs.get("data-kind"))
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "a":
            self.links.append(attrs["href"])

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr":
            self.tables[-1].append(self.row)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def build(content, out, *more):
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--output", str(out),
                                       "--as-of", "2026-11-23", *more])
    assert result.exit_code == 0, result.output
    return out / "reports"


def test_the_index_lists_every_report_with_its_description_and_every_working_list(basic, tmp_path):
    reports = build(basic, tmp_path / "out")
    index = parse(reports / "index.html")
    report_rows = {row[0]: row[1] for table in index.tables for row in table[1:] if len(row) == 4}
    assert report_rows["预警名单"].startswith("基准日仍未走访")
    for name in ("desk-all", "desk-village-dongshan", "desk-village-xiwan", "desk-cadre-ds-shuji"):
        assert f"{name}.html" in index.links
        assert (reports / f"{name}.html").is_file()
    people = next(t for t in index.tables if t[0][0] == "责任人")
    assert ["李建国（ds-shuji）", "13900000002", "1", "0", "0", "0", "0"] in people


def test_overdue_rows_name_person_and_phone_sorted_by_days_and_link_to_the_dossier(basic, tmp_path):
    reports = build(basic, tmp_path / "out")
    page = parse(reports / "desk-all.html")
    overdue = page.tables[page.kinds.index("overdue")]
    assert overdue[0] == ["对象", "对象编号", "村（社区）", "责任人", "电话", "身份", "事项", "逾期天数", "档案"]
    days = [int(r[7]) for r in overdue[1:]]
    assert days == sorted(days, reverse=True) and days[0] > days[-1]
    # ds-001: the principal last visited on 11-05, every 3 days → due 11-08, 15 days overdue on 11-23, warned.
    row = next(r for r in overdue[1:] if r[1] == "ds-001/m1" and r[3] == "李建国（ds-shuji）")
    assert row[:3] == ["欧阳福生", "ds-001/m1", "东山村"]
    assert row[4:8] == ["13900000002", "包保责任人", "上次走访 2026-11-05，最迟应于 2026-11-08 走访（预警）", "15"]
    dossiers = [link for link in page.links if "dossiers" in link]
    assert "../private/dossiers/dongshan/ds-001.html" in dossiers
    for link in dossiers:
        assert (reports / link).resolve().is_file(), link
    village = parse(reports / "desk-village-xiwan.html")
    assert {r[2] for t in village.tables for r in t[1:]} == {"西湾社区"}
    cadre = parse(reports / "desk-cadre-ds-shuji.html")
    assert {r[3] for t in cadre.tables for r in t[1:]} == {"李建国（ds-shuji）"}


def test_without_paper_the_lists_say_the_dossiers_were_not_made(basic, tmp_path):
    reports = build(basic, tmp_path / "out", "--no-paper")
    text = (reports / "desk-all.html").read_text(encoding="utf-8")
    assert "本次生成未包括档案" in text and "dossiers/" not in text
    assert not (tmp_path / "out" / "private" / "dossiers").exists()
    assert "本次生成未包括档案" in (reports / "index.html").read_text(encoding="utf-8")


GUIYANG_STAFF = STAFF + "- id: cw\n  name: 戊委员\n  roles: [committee_member]\n  phone: '13900000009'\n"


def test_monthly_minimum_still_to_meet_and_problems_past_deadline(tmp_path):
    # Guiyang: one visit a calendar month (our default). Enrolled in October; visited on Nov 10 (finding a leaking
    # roof, to be mended by Nov 20) and not yet in December. As of Dec 5: December still needs 1 visit, 27 days left
    # (the 5th included); the problem is 15 days past its deadline. Due: Nov 10 + 31 = Dec 11, within the week.
    files = {"staff/v1.yaml": GUIYANG_STAFF,
             "households/v1/h1.yaml": household("", category="orphan", enrolled="2022-10-01", responsible="cw"),
             "visits/2022-10/cw.yaml": visits("2022-10-12"),
             "visits/2022-11/cw.yaml": visit("2022-11-10", problems=problem("p1", deadline="2022-11-20"))}
    facts = facts_for(write_tree(tmp_path, files, profile="guiyang-2022"), D("2022-12-05"))
    (short,) = cadence.month_short(facts)
    assert (short.staff, short.month, short.visits, short.missing, short.days_left) == ("cw", "2022-12", 0, 1, 27)
    desk = build_desk(facts)
    (person,) = desk.scope("cadre")
    assert (person.name, person.phone) == ("戊委员（cw）", "13900000009")
    got = {(r.kind, r.days_overdue) for r in person.rows}
    assert got == {("week", 0), ("monthly", 0), ("problems", 15)}
    (problem_row,) = person.of("problems")
    assert problem_row.what.startswith("屋顶漏雨（2022-11-10 发现，限期 2022-11-20）")
    assert problem_row.dossier == "../private/dossiers/v1/h1.html"
    (week,) = person.of("week")
    assert week.due == D("2022-12-11")


def test_the_warning_list_puts_the_longest_gaps_first(basic, tmp_path):
    import csv
    import io
    reports = build(basic, tmp_path / "out", "--no-paper")
    rows = list(csv.reader(io.StringIO((reports / "warnings.csv").read_bytes().decode("utf-8-sig"))))[1:]
    days = [int(r[6]) for r in rows]
    assert len(days) > 2 and days == sorted(days, reverse=True) and days[0] > days[-1]


def test_trends_on_time_rate_per_village_and_warnings_by_month(tmp_path):
    # Guiyang: a visit a calendar month, at most 31 days apart, warned past 31. h1 (v1) enrolled Oct 1, visited
    # Oct 12 only: over 31 days from Nov 13 (the 32nd day), warned the same day, still running on Dec 5. So v1 is on
    # time in October, late in November and December; one warning, in November, counted once for two cadres.
    files = {"staff/v1.yaml": GUIYANG_STAFF,
             "households/v1/h1.yaml": household("", category="orphan", enrolled="2022-10-01", responsible="cw, sec"),
             "visits/2022-10/cw.yaml": visits("2022-10-12")}
    root = write_tree(tmp_path, files, profile="guiyang-2022")
    facts = facts_for(root, D("2022-12-05"))
    from careledger.rules import run_rules
    from careledger.views.trends import build_trends
    trends = build_trends(facts, run_rules(facts.records, D("2022-12-05")))
    assert trends.months == ("2022-10", "2022-11", "2022-12")
    v1 = trends.villages[0]
    assert (v1.on_time, v1.in_care, v1.warnings) == ((100, 0, 0), (1, 1, 1), (0, 1, 0))
    assert trends.villages[1].on_time == (None, None, None)
    assert trends.warnings == (0, 1, 0) and trends.alerts


def test_the_trends_page_draws_both_charts_with_their_numbers(basic, tmp_path):
    reports = build(basic, tmp_path / "out", "--no-paper")
    assert "trends.html" in parse(reports / "index.html").links
    text = (reports / "trends.html").read_text(encoding="utf-8")
    assert text.count("<svg") == 2 and 'id="on-time-by-month"' in text and 'id="warnings-by-month"' in text
    page = parse(reports / "trends.html")
    rates, warnings = page.tables
    assert rates[0] == ["村（社区）", "2026-11"] and warnings[-1][0] == "合计"
    # Every fixture subject was over its interval in November (see test_reports): 0% in both villages.
    assert [r[1] for r in rates[1:]] == ["0%（2 人）", "0%（1 人）"]


def test_each_working_list_is_also_a_csv_with_the_same_rows(basic, tmp_path):
    import csv
    import io
    reports = build(basic, tmp_path / "out", "--no-paper")
    rows = list(csv.reader(io.StringIO((reports / "desk-cadre-ds-shuji.csv").read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["类别", "对象", "对象编号", "村（社区）", "责任人", "电话", "身份", "事项", "逾期天数", "户编号"]
    page = parse(reports / "desk-cadre-ds-shuji.html")
    assert "desk-cadre-ds-shuji.csv" in page.links
    html_rows = [r[:8] for t in page.tables for r in t[1:]]
    assert [r[1:9] for r in rows[1:]] == html_rows
    assert rows[1][0] == "已逾期未走访" and rows[1][9] == "ds-001"


def test_subjects_nobody_is_assigned_to_have_their_own_list(tmp_path):
    # 三级 in Wangcheng, every 3 days; nobody is named 包保责任人: the subject is on the list of the unassigned.
    files = {"staff/v1.yaml": STAFF, "households/v1/h1.yaml": household("3", responsible=""),
             "visits/2026-10/con.yaml": visits("2026-10-01", duty="contact")}
    facts = facts_for(write_tree(tmp_path, files), D("2026-10-12"))
    desk = build_desk(facts)
    nobody = next(w for w in desk.scope("cadre") if w.slug == "desk-unassigned")
    assert nobody.name == "未安排责任人" and {(r.staff_id, r.duty, r.kind) for r in nobody.rows} == {
        ("", "包保责任人", "overdue")}
