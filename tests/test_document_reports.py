"""The reports the documents ask for (issue 15), read back from a real build of the documents cases: the monthly
report to the city centre, the key-person measures list, the observation and new-recipient ledgers."""

from __future__ import annotations

import csv
import io
import shutil
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from careledger.cli import main

CASES = Path(__file__).parent / "cases"


class Rows(HTMLParser):
    """The rows of the page's table as lists of cell texts (th and td alike)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.row, self.cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.row = []
        elif tag in ("th", "td"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("th", "td"):
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr":
            self.rows.append(self.row)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def build(profile: str, as_of: str, out: Path) -> Path:
    content = out.parent / "content"  # a copy outside the repository: the build judges its git state otherwise
    shutil.copytree(CASES / profile / "documents" / "content", content)
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--output", str(out), "--as-of", as_of])
    assert result.exit_code == 0, result.output
    return out / "reports"


def table(reports: Path, slug: str) -> list[list[str]]:
    data = (reports / f"{slug}.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    parser = Rows()
    parser.feed((reports / f"{slug}.html").read_text(encoding="utf-8"))
    assert parser.rows == rows, "the HTML page and the CSV file must hold the same rows"
    return rows


def test_monthly_report_counts_the_month_per_village(tmp_path):
    reports = build("guiyang-2022", "2023-01-10", tmp_path / "out")
    november = table(reports, "monthly-report-2022-11")
    # Hand count for November 2022: in care lh-01, lh-02 (莲花村) and qy-01 (青云社区); qy-02 left on Oct 31.
    # One visit (lh-shuji to lh-01, Nov 20). No alert is raised in November: the clock starts on Nov 1 and the
    # threshold is 31 days (first alerts on Dec 3).
    assert november[1:] == [["莲花村", "2", "1", "1", "1", "0", "0", "0", "0", "0"],
                            ["青云社区", "1", "0", "0", "1", "0", "0", "0", "0", "0"],
                            ["合计", "3", "1", "1", "2", "0", "0", "0", "0", "0"]]
    december = table(reports, "monthly-report-2022-12")
    # December: no visits. Alerts raised: lh-02 and qy-01 on Dec 3 (no visit since Nov 1: 32nd day), lh-01 on Dec 22
    # (32 days after Nov 20).
    assert december[1:] == [["莲花村", "2", "0", "0", "2", "2", "0", "0", "0", "0"],
                            ["青云社区", "1", "0", "0", "1", "1", "0", "0", "0", "0"],
                            ["合计", "3", "0", "0", "3", "3", "0", "0", "0", "0"]]
    page = (reports / "monthly-report-2022-11.html").read_text(encoding="utf-8")
    assert "已于 2022-12-02 报送" in page and "2022-11-30 前报送" in page
    assert "逾期未报送" in (reports / "monthly-report-2022-12.html").read_text(encoding="utf-8")
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "monthly-report-2022-12.html" in index and "monthly-report-2023-01.html" in index


def test_key_person_measures_list_names_each_need_and_measure(tmp_path):
    reports = build("guiyang-2022", "2023-01-10", tmp_path / "out")
    rows = table(reports, "key-person-measures")
    by_need = {r[6]: r for r in rows[1:]}
    # lh-01/m1 is a key person and ill; lh-02/m1 is disabled; qy-01/m1 is neither: not listed.
    assert set(by_need) == {"透析费用负担重", "冬季取暖", "房屋漏雨"}
    assert by_need["透析费用负担重"][2] == "杨光明（lh-01/m1）"
    assert by_need["透析费用负担重"][7] == "协助申请医疗救助和大病保险二次报销"
    assert by_need["房屋漏雨"][5] == "肢体残疾二级" and by_need["房屋漏雨"][7] == "（未注明措施）"
    assert by_need["房屋漏雨"][9] == "罗小兰（lh-wy）"
    assert not any("黄小雨" in cell for r in rows for cell in r)


def test_observation_and_new_recipient_ledgers(tmp_path):
    reports = build("tianhu-2022", "2022-08-10", tmp_path / "out")
    observation = table(reports, "observation-ledger")
    assert observation[1:] == [["石街村", "sj-13", "何长发", "2022-05-20",
                                "家庭人均收入略高于低保标准，不符合条件；户主因病卧床，基本生活确有困难", "0", "2022-06-15"]]
    # Enrolled in 2022: sj-11, sj-12 (roster, 待调查评估), sj-13 (observation) in March, sj-14 (新纳入低保) in June.
    # Only 二（四）'s new-recipient categories are listed.
    assert table(reports, "new-recipients")[1:] == [["石街村", "sj-14", "王春生（sj-14/m1）", "新纳入低保", "2022-06-01",
                                                      "低保对象", "在册"]]


def test_no_document_reports_where_the_profile_asks_none(tmp_path):
    reports = build("wangcheng-2020", "2026-11-20", tmp_path / "out")
    names = {p.stem for p in reports.glob("*.csv")}
    assert not names & {"key-person-measures", "observation-ledger", "new-recipients"}
    assert not any(n.startswith("monthly-report-") for n in names)


def test_personal_fields_are_registered_and_stay_off_the_published_site(tmp_path):
    from careledger import records
    from careledger.schema import personal_fields

    assert {"illness", "disability", "self_care", "care_allowance", "left"} <= set(personal_fields(records.Member))
    assert {"caregiver", "family_caregiver", "custodian"} <= set(personal_fields(records.Assignment))
    assert "caregiver" in personal_fields(records.Agreement)
    assert {"income_changes", "payments", "care_reviews"} <= set(personal_fields(records.Household))
    assert {"monthly_income", "change"} <= set(personal_fields(records.IncomeChange))
    reports = build("jizhou-2020", "2020-12-10", tmp_path / "out")
    site = reports.parent / "site"
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.is_file())
    assert "西营村" in text  # the site was built and read
    assert "女儿外出务工" not in text  # xy-11's income change
    assert "刘秀英" not in text  # the family caregiver, a household member


def test_monthly_report_pdf_reads_back_with_the_same_rows(tmp_path):
    import pypdf

    reports = build("guiyang-2022", "2023-01-10", tmp_path / "out")
    pdf = reports.parent / "private" / "reports" / "monthly-report-2022-11.pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    squashed = "".join(text.split())
    assert "工作开展情况月报2022年11月" in squashed
    for row in table(reports, "monthly-report-2022-11")[1:]:
        assert "".join(row) in squashed, row
    assert not (reports / "monthly-report-2022-11.pdf").exists()  # paper goes to private/, never beside the CSV


def test_dossier_lists_income_changes_payments_and_caregiver_assessments(tmp_path):
    reports = build("qiandongnan-2023", "2023-08-20", tmp_path / "out")
    parser = Rows()
    parser.feed((reports.parent / "private" / "dossiers" / "baiyan" / "by-01.html").read_text(encoding="utf-8"))
    lines = [r for r in parser.rows if len(r) == 4 and r[1] in ("收入变化", "资金发放", "照料护理评估")]
    assert lines == [["2023-08-03", "资金发放", "2023-07 特困人员 560 元", ""],
                     ["2023-06-15", "照料护理评估", "杨老岩 照料到位", "龙德明"],
                     ["2023-06-10", "资金发放", "2023-06 特困人员 560 元", ""]]
