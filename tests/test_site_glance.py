"""The first screen of the published site (issue 18) publishes no number of its own: the table by village and the
key figures on index.html repeat cells that status.html already publishes (after the same suppression). On the
bundled demo and on a demo under Tianhu's document, which has no 预警 (its gaps are 逾期)."""

import re
from pathlib import Path

import pytest

from careledger.demo import DemoSpec, write_demo

from .attackkit import VILLAGE_STATUS, build_site, tables_of
from .conftest import AS_OF

CONTENT = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture(scope="module", params=["demo", "tianhu-2022"])
def built(request, tmp_path_factory):
    """(files of the site, the word for a gap past its limit, the number of villages)."""
    content = CONTENT
    if request.param != "demo":
        content = tmp_path_factory.mktemp("glance") / "content"
        write_demo(content, DemoSpec(households=60, months=2, seed=3, profile=request.param))
    site, records, view = build_site(content, AS_OF)
    return site, view.alert_word, len(view.villages)


def test_the_table_by_village_repeats_the_status_pages_cells(built):
    site, word, villages = built
    glance = tables_of(site["index.html"])[f"各村（社区）按时走访率和本月{word}次数"]
    status = tables_of(site["status.html"])[VILLAGE_STATUS]
    assert glance[0] == ["村（社区）", "按时走访率", f"本月{word}（次）"]
    head = status[0]
    by_village = {row[0]: (row[head.index("按时走访率")], row[head.index(f"本月{word}（次）")]) for row in status[1:]}
    assert {row[0]: (row[1], row[2]) for row in glance[1:]} == by_village
    assert len(by_village) == villages


def test_the_key_figures_are_the_ones_the_status_page_states(built):
    site, word, _ = built
    index = site["index.html"].decode("utf-8")
    status = site["status.html"].decode("utf-8")
    glance = index.split('<section id="glance"')[1].split("</section>")[0]
    lead = status.split('<p class="lead">')[1].split("</p>")[0]
    if word == "预警":
        month, current = re.search(r"被预警 <strong>(\S+)</strong> 次，当前预警 (\d+) 项", lead).groups()
    else:
        month, current = re.search(r"超过规定 <strong>(\S+)</strong> 次，当前逾期 (\d+) 项", lead).groups()
    assert f'<a href="status.html">当前{word}</a></dt><dd>{current}<' in glance  # the card leads to the notice page
    assert f'<a href="status.html#cadres">本月{word}</a></dt><dd>{month}<' in glance
