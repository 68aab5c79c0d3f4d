"""The 通报 (issue 18): a document the office can issue, read back from a real build of the basic jurisdiction, as
HTML (parsed) and as PDF (pdftotext): title, number, date, body with the month's counts, the list of the warned
cadres and their subjects, the signature block; never on the published site."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from careledger.cli import main

from .conftest import FIXTURES

CASES = Path(__file__).parent / "cases"
TITLE = "关于2026年11月特殊困难群体关爱帮扶走访预警情况的通报"


class Notice(HTMLParser):
    """Text by class (the first element carrying each class), the tables' rows, every link, and the whole text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.by_class: dict[str, list[str]] = {}
        self.open: list[tuple[str, str | None]] = []
        self.tables, self.row, self.cell, self.links, self.text = [], None, None, [], []
        self.h1 = ""
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("br", "hr", "meta", "link", "col"):
            return
        self.open.append((tag, attrs.get("class")))
        if tag == "style":
            self.in_style = True
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.row = []
        elif tag in ("th", "td"):
            self.cell = ""
        elif tag == "a":
            self.links.append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if tag in ("br", "hr", "meta", "link", "col"):
            return
        self.open.pop()
        if tag == "style":
            self.in_style = False
        elif tag in ("th", "td"):
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr":
            self.tables[-1].append(self.row)

    def handle_data(self, data):
        if self.in_style:
            return
        self.text.append(data)
        if self.cell is not None:
            self.cell += data
        for tag, cls in self.open:
            if cls:
                self.by_class.setdefault(cls, []).append(data)
            if tag == "h1":
                self.h1 += data

    def one(self, cls: str) -> str:
        return "".join(self.by_class.get(cls, [])).strip()


def parse(path: Path) -> Notice:
    page = Notice()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def pdftotext(path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return "".join(text.split())  # the layout breaks lines anywhere in Chinese text: compare without white space


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The basic jurisdiction on 2026-11-23, built with paper (the notice's PDF is paper), with a 机关代字."""
    root = tmp_path_factory.mktemp("notice")
    content = root / "content"
    shutil.copytree(FIXTURES / "basic", content)
    with open(content / "site.yaml", "a", encoding="utf-8") as f:
        f.write("notice_prefix: 测民办\n")
    run("build", "--content", content, "--output", root / "out", "--as-of", "2026-11-23")
    return content, root / "out"


# In November 2026 three responsible cadres were warned once each (test_reports.py has the hand count): the
# principal 李建国 for ds-001 (三级, last visit 11-05, due 11-08, warned 11-11), the area cadre 王秀兰 for ds-002
# (二级, due 11-08, warned 11-12) and the director 陈国强 for xw-001 (一级, due 11-16, warned 11-22); none visited
# since, so on 11-23 they are 15, 15 and 7 days overdue. Two villages; the contacts warned are not named.
CADRES = [["1", "东山村", "李建国（ds-shuji）", "村党总支书记", "1", "1", "1"],
          ["2", "东山村", "王秀兰（ds-baopian）", "村委委员", "1", "1", "1"],
          ["3", "西湾社区", "陈国强（xw-zhuren）", "社区主任（兼包片）", "1", "1", "1"]]
ROWS = [["东山村", "李建国（ds-shuji）", "欧阳福生（ds-001/m1）", "一类 三级", "2026-11-08", "2026-11-11", "15", "至今未走访"],
        ["东山村", "王秀兰（ds-baopian）", "司马玥（ds-002/m1）", "三类 二级", "2026-11-08", "2026-11-12", "15", "至今未走访"],
        ["西湾社区", "陈国强（xw-zhuren）", "张堃（xw-001/m1）", "五类 一级", "2026-11-16", "2026-11-22", "7", "至今未走访"]]
COUNTS = "共发生走访预警 3 次，涉及包保责任人 3 名、关爱帮扶对象 3 名，分布在 2 个村（社区）"


def test_the_notice_page_has_title_number_date_body_list_and_signature(built):
    _, out = built
    page = parse(out / "reports" / "notice.html")
    assert page.h1 == TITLE
    assert page.one("office") == "测试街道民政办"
    # No number given to the build: the office's register gives it; the blank is left to write it in, and said so.
    assert page.one("number") == "测民办〔2026〕\u3000\u3000号"
    assert "文号未填" in page.one("screen warn")
    body = "".join(page.text)
    assert "各村（社区）：" in body
    assert "望办〔2020〕33号 三（二）：“被系统预警的包保责任人，街道民政办将予以通报”" in body
    assert COUNTS in body and "仍有 3 名未走访" in body and "特此通报。" in body
    cadres, rows = page.tables
    assert cadres[1:] == CADRES
    assert rows[1:] == ROWS
    assert "丁" not in "".join(r[1] for r in rows)  # contacts answer through inspections, not the notice
    assert page.one("seal") == "（盖章）"
    assert page.one("issuer") == "测试街道民政办" and page.one("date") == "2026年11月23日"
    assert {"notice.pdf", "notice.csv", "index.html"} <= set(page.links)


def test_the_notice_pdf_reads_back_the_same(built):
    _, out = built
    text = pdftotext(out / "reports" / "notice.pdf")
    for expected in ("测试街道民政办", "测民办〔2026〕", TITLE, "".join(COUNTS.split()), "特此通报。", "（盖章）",
                     "2026年11月23日", "附：预警明细"):
        assert expected in text, expected
    for row in CADRES + ROWS:
        for cell in row:
            assert "".join(cell.split()) in text, cell
    # The screen's notes and links are not printed.
    assert "文号未填" not in text and "返回内部报表" not in text


def test_the_desk_index_links_the_notice_and_the_list_is_a_csv(built):
    _, out = built
    index = parse(out / "reports" / "index.html")
    assert "notice.html" in index.links and "notice.pdf" in index.links
    for name in ("desk-all", "desk-village-dongshan", "desk-cadre-ds-shuji"):  # and every working list
        assert "notice.html" in parse(out / "reports" / f"{name}.html").links, name
    csv_text = (out / "reports" / "notice.csv").read_bytes().decode("utf-8-sig")
    assert csv_text.splitlines()[1] == "东山村,李建国（ds-shuji）,1,1,1"


def test_the_published_site_neither_links_nor_holds_the_notice(built):
    _, out = built
    for path in (out / "site").rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", errors="replace")
            assert TITLE not in data and "notice.pdf" not in data and "预警明细" not in data, path
            assert "reports/" not in data, path
    assert not list((out / "site").rglob("notice.*"))


def test_careledger_notice_prints_it_with_the_number_and_leaves_the_rest(built, tmp_path):
    content, out = built
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    index = (copy / "reports" / "index.html").read_bytes()
    result = run("notice", "--number", "12", "--content", content, "--output", copy, "--as-of", "2026-11-23")
    assert "测民办〔2026〕12号" in result.output
    page = parse(copy / "reports" / "notice.html")
    assert page.one("number") == "测民办〔2026〕12号" and "screen warn" not in page.by_class
    assert "测民办〔2026〕12号" in pdftotext(copy / "reports" / "notice.pdf")
    assert (copy / "reports" / "index.html").read_bytes() == index
    # A full number is taken as written; an earlier month is the whole of that month.
    run("notice", "--number", "望民办〔2026〕9号", "--month", "2026-10", "--content", content, "--output", copy,
        "--as-of", "2026-11-23")
    page = parse(copy / "reports" / "notice.html")
    assert page.one("number") == "望民办〔2026〕9号"
    assert page.h1 == "关于2026年10月特殊困难群体关爱帮扶走访预警情况的通报"
    assert "本月无被预警的包保责任人。" in "".join(page.text)  # records begin on 11-01: nothing in October


def test_a_month_after_the_as_of_date_is_refused(built, tmp_path):
    content, _ = built
    result = CliRunner().invoke(main, ["notice", "--month", "2026-12", "--content", str(content), "--output",
                                       str(tmp_path / "out"), "--as-of", "2026-11-23"])
    assert result.exit_code != 0 and "E-NOTICE-MONTH" in result.output
    assert not (tmp_path / "out").exists()


def build_case(profile: str, as_of: str, root: Path) -> Path:
    content = root / "content"
    shutil.copytree(CASES / profile / "documents" / "content", content)
    run("build", "--content", content, "--output", root / "out", "--as-of", as_of, "--no-paper")
    return root / "out" / "reports"


def test_no_notice_where_the_document_has_no_warnings(tmp_path):
    reports = build_case("tianhu-2022", "2022-08-10", tmp_path)
    assert not (reports / "notice.html").exists()
    assert "notice.html" not in parse(reports / "index.html").links
    result = CliRunner().invoke(main, ["notice", "--content", str(tmp_path / "content"), "--output",
                                       str(tmp_path / "out"), "--as-of", "2022-08-10"])
    assert result.exit_code != 0 and "E-NOTICE-NONE" in result.output


def test_a_document_without_a_notice_rule_says_so(tmp_path):
    """Qiandongnan's document has visit rules but no 通报: the notice lists the cadres past the limit and says the
    document does not provide for it, instead of quoting a rule it does not have."""
    reports = build_case("qiandongnan-2023", "2023-12-20", tmp_path)
    body = "".join(parse(reports / "notice.html").text)
    assert "该文件未规定通报" in body and "将予以通报" not in body
