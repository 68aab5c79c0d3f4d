"""The first screen of the published site (issue 18) publishes no number of its own: the table by village and the
key figures on index.html repeat cells that status.html already publishes (after the same suppression)."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from careledger.cli import main

from .attackkit import VILLAGE_STATUS, tables_of
from .conftest import AS_OF

CONTENT = Path(__file__).resolve().parent.parent / "content"
GLANCE = "各村（社区）按时走访率和本月预警次数"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("glance") / "out"
    result = CliRunner().invoke(main, ["build", "--content", str(CONTENT), "--output", str(out), "--as-of",
                                       AS_OF.isoformat(), "--no-paper", "--allow-dirty"])
    assert result.exit_code == 0, result.output
    return out / "site"


def test_the_table_by_village_repeats_the_status_pages_cells(site):
    glance = tables_of((site / "index.html").read_bytes())[GLANCE]
    status = tables_of((site / "status.html").read_bytes())[VILLAGE_STATUS]
    assert glance[0] == ["村（社区）", "按时走访率", "本月预警（次）"]
    head = status[0]
    by_village = {row[0]: (row[head.index("按时走访率")], row[head.index("本月预警（次）")]) for row in status[1:]}
    assert {row[0]: (row[1], row[2]) for row in glance[1:]} == by_village
    assert len(by_village) == 6


def test_the_key_figures_are_the_ones_the_status_page_states(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    status = (site / "status.html").read_text(encoding="utf-8")
    glance = index.split('<section id="glance"')[1].split("</section>")[0]
    lead = status.split('<p class="lead">')[1].split("</p>")[0]
    warned, current = re.search(r"被预警 <strong>(\S+)</strong> 次，当前预警 (\d+) 项", lead).groups()
    assert f'<a href="status.html">当前预警</a></dt><dd>{current}<' in glance
    assert f'<a href="status.html#cadres">本月预警</a></dt><dd>{warned}<' in glance
