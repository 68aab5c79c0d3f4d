"""A dossier prints its household's findings as of the day it is printed (issue 18): `careledger dossier --as-of D`
judges the records on D, and the findings table says D. Read back from the PDFs of two print runs."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from careledger.cli import main
from careledger.load import load
from careledger.rules import run_rules

from .conftest import FIXTURES


def pdftotext(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return "".join(text.split())


def findings_part(text: str) -> str:
    """The dossier's findings section: from its heading to the end (no change history without git)."""
    return text[text.index("十、政策检查结果"):]


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    root = tmp_path_factory.mktemp("dossier-as-of")
    content = root / "content"
    shutil.copytree(FIXTURES / "basic", content)
    out = {}
    for day in ("2026-11-09", "2026-11-23"):
        result = CliRunner().invoke(main, ["dossier", "ds-001", "--content", str(content), "--output",
                                           str(root / day), "--as-of", day])
        assert result.exit_code == 0, result.output
        out[day] = root / day / "private" / "dossiers" / "dongshan" / "ds-001"
    return content, out


def codes_on(content, day: str) -> list[str]:
    records, _ = load(content, today=dt.date.fromisoformat(day))
    return sorted(f.code for f in run_rules(records, dt.date.fromisoformat(day))
                  if f.subject.split("/")[0] == "ds-001")


def test_two_as_of_dates_print_different_findings_each_dated(printed):
    content, out = printed
    early = findings_part(pdftotext(out["2026-11-09"].with_suffix(".pdf")))
    late = findings_part(pdftotext(out["2026-11-23"].with_suffix(".pdf")))
    # ds-001 (三级): the principal last visited on 11-05; every 3 days, warned past 5. On 11-09 the gap is 4 days:
    # overdue, not yet warned. On 11-23 it is 18 days, warned since 11-11 (and the contact's, since 11-10, too).
    # Each finding says so with its dates, not with a count of days that would change every day (issue 16).
    assert early.startswith("十、政策检查结果按封面所写基准日的规则检查") and late.startswith("十、政策检查结果按封面")
    assert "CAD-OVERDUE" in early and "CAD-ALERT" not in early
    assert "包保责任人未走访（上次走访2026-11-05），超过规定的最长间隔3天（2026-11-09起）" in early
    assert "CAD-OVERDUE" not in late and late.count("CAD-ALERT") == 2 and "2026-11-11起超过预警阈值5天" in late
    assert "已4天" not in early and "已18天" not in late
    # Exactly the rules' findings on each day, no more, no fewer.
    assert codes_on(content, "2026-11-09") == ["CAD-OVERDUE"]
    assert codes_on(content, "2026-11-23") == ["CAD-ALERT", "CAD-ALERT"]


def test_the_cover_says_the_as_of_date_and_the_rendered_page_does_not(printed):
    """The cover prints the day the findings were judged on, drawn into the finished PDF (careledger/paper/day_stamp.py):
    the page that is rendered, and so the PDF cache's key, holds no date, and a new day that leaves a household's
    findings as they were renders nothing again (tests/test_paper_incremental.py)."""
    _, out = printed
    for day, base in out.items():
        html = base.with_suffix(".html").read_text(encoding="utf-8")
        assert f'<th scope="row">基准日</th><td>{day}</td>' in html, day
        assert f"基准日{day}" in pdftotext(base.with_suffix(".pdf")), day
