"""Spot-check samples: sizes from Guiyang's 10 % / 30 % (筑民发〔2022〕159号 三（三）), and the draw re-done by hand."""

import dataclasses
import datetime as dt
import hashlib
import math

import pytest

from careledger.rules import spotcheck

from .contentkit import facts_for, id_number, write_tree

D = dt.date.fromisoformat

STAFF = """\
- id: cun
  name: 甲委员
  roles: [committee_member]
"""


def household(n: int, *, category="dibao", enrolled="2026-01-01") -> str:
    return f"""\
id: h{n:02d}
village: v1
address: 一村{n}号
members:
  - id: m1
    name: 甲某{n}
    relation: self
    id_number: '{id_number("1950-01-01", 2 * n + 1)}'
subjects:
  - member: m1
    category: {category}
    enrolled: {enrolled}
    assigned:
      responsible: [cun]
"""


def guiyang(tmp_path, n=25, as_of="2026-11-10", **kw):
    files = {"staff/v1.yaml": STAFF}
    files.update({f"households/v1/h{i:02d}.yaml": household(i, **kw) for i in range(1, n + 1)})
    return facts_for(write_tree(tmp_path, files, profile="guiyang-2022"), D(as_of))


def checks(facts):
    return {c.office_level: c for c in facts.profile.spot_checks}


@pytest.mark.parametrize("day, period, key", [
    ("2026-11-10", "quarter", "2026-Q4"), ("2026-11-10", "month", "2026-11"),
    ("2026-06-30", "half_year", "2026-H1"), ("2026-06-30", "year", "2026"),
])
def test_period_key(day, period, key):
    assert spotcheck.period_key(D(day), period) == key


def test_guiyang_city_ten_and_district_thirty_percent_of_25(tmp_path):
    facts = guiyang(tmp_path)
    city, district = checks(facts)["city"], checks(facts)["district"]
    assert spotcheck.population(facts, city, "2026-Q4") == [f"h{i:02d}" for i in range(1, 26)]
    assert len(spotcheck.sample(facts, city, "2026-Q4")) == 3  # ceil(2.5)
    assert len(spotcheck.sample(facts, district, "2026-Q4")) == 8  # ceil(7.5)


@pytest.mark.parametrize("rate, population, size", [
    ("0.10", 0, 0), ("0.10", 1, 1), ("0.10", 9, 1), ("0.10", 10, 1), ("0.10", 11, 2), ("0.10", 30, 3),
    ("0.30", 10, 3), ("0.30", 25, 8),
])
def test_sample_size_rounds_up_in_decimals(rate, population, size):
    from decimal import Decimal
    assert spotcheck.sample_size(Decimal(rate), population) == size


def test_same_period_and_population_same_sample_whatever_the_commit(tmp_path):
    # 筑民发〔2022〕159号 三（三）: the city and the district check the same quarter; a record committed later in the
    # quarter (a household enrolled on 11-20, a visit) must not change the list: the seed is the quarter and the
    # households in care on its first day, not the commit.
    facts = guiyang(tmp_path / "a")
    district = checks(facts)["district"]
    first = spotcheck.sample(facts, district, "2026-Q4")
    assert len(set(first)) == 8
    later = {"staff/v1.yaml": STAFF, "households/v1/h26.yaml": household(26, enrolled="2026-11-20")}
    later.update({f"households/v1/h{i:02d}.yaml": household(i) for i in range(1, 26)})
    facts_later = facts_for(write_tree(tmp_path / "b", later, profile="guiyang-2022"), D("2026-12-01"))
    assert spotcheck.sample(facts_later, checks(facts_later)["district"], "2026-Q4") == first
    assert "h26" in spotcheck.population(facts_later, checks(facts_later)["district"], "2027-Q1")
    assert spotcheck.sample(facts, district, "2027-Q1") != first


def test_the_documented_algorithm_redrawn_by_hand(tmp_path):
    facts = guiyang(tmp_path)
    city = checks(facts)["city"]
    ids = [f"h{i:02d}" for i in range(1, 26)]
    seed = hashlib.sha256("\n".join(["guiyang-2022", city.name, "2026-Q4", ",".join(ids)]).encode("utf-8")).hexdigest()
    ranked = sorted(ids, key=lambda h: hashlib.sha256(f"{seed}\n{h}".encode("utf-8")).hexdigest())
    assert spotcheck.sample(facts, city, "2026-Q4") == ranked[:math.ceil(0.10 * 25)]


def test_population_follows_the_selector_and_new_recipients(tmp_path):
    # Tianhu: the city checks only households newly assisted in the quarter, and not the observation list.
    files = {"staff/v1.yaml": STAFF.replace("committee_member", "coordinator"),
             "households/v1/h01.yaml": household(1, category="dibao", enrolled="2026-10-20"),
             "households/v1/h02.yaml": household(2, category="dibao", enrolled="2026-09-30"),
             "households/v1/h03.yaml": household(3, category="tekun", enrolled="2026-12-31"),
             "households/v1/h04.yaml": household(4, category="roster", enrolled="2026-11-01")}
    facts = facts_for(write_tree(tmp_path, files, profile="tianhu-2022"), D("2027-01-05"))
    (check,) = facts.profile.spot_checks
    assert spotcheck.population(facts, check, "2026-Q4") == ["h01", "h03"]
    assert len(spotcheck.sample(facts, check, "2026-Q4")) == 1  # 10 % of 2, at least one
    everyone = dataclasses.replace(check, new_recipients_only=False)
    assert spotcheck.population(facts, everyone, "2026-Q4") == ["h02"]  # in care on 10-01, the quarter's first day


def test_households_out_of_care_in_the_period_are_not_drawn(tmp_path):
    facts = guiyang(tmp_path, n=3, enrolled="2027-02-01", as_of="2027-03-01")
    city = checks(facts)["city"]
    assert spotcheck.population(facts, city, "2026-Q4") == []
    assert spotcheck.sample(facts, city, "2026-Q4") == []
    assert list(spotcheck.check(facts)) == []


def test_every_code_and_function_is_documented():
    from pathlib import Path
    text = (Path(__file__).resolve().parent.parent / "docs" / "rules" / "spotcheck.md").read_text(encoding="utf-8")
    for code in spotcheck.CODES:
        assert f"`{code}`" in text
    for name in ("period_key", "population", "sample_size", "seed", "draw_key", "sample"):
        assert f"`{name}(" in text
