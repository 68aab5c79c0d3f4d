"""Resident ID numbers of real older people: the region code is judged from 1984 on, never from the birth year.

Every real-region number here is made up for the test (sequence 001/002, check digit computed): each carries the
word synthetic on its line.
"""

from __future__ import annotations

import datetime as dt

import pytest

from careledger.identifiers import check_digit, check_id_number, region_warning

TODAY = dt.date(2026, 12, 5)


def number(first17: str) -> str:
    return first17 + check_digit(first17)


@pytest.mark.parametrize("first17", [
    "34150219500101001",  # synthetic: 金安区 341502, created 1999, person born 1950
    "52260119520315002",  # synthetic: 凯里 522601, created 1983, born 1952
    "34188119500707001",  # synthetic: 宁国 341881, created 2000, born 1950
    "52011119521111002",  # synthetic: 花溪 520111, created 1983, born 1952
    "12022519500202001",  # synthetic: 蓟县 120225, 1982–2016 (now 蓟州区), born 1950
    "34020519500101001",  # synthetic: 芜湖 裕溪口区 340205, 1983–1990: in use after 1984, born 1950
])
def test_pilot_areas_numbers_of_people_born_before_their_district_are_valid(first17):
    value, problem = check_id_number(number(first17), synthetic_ok=False, today=TODAY)
    assert problem is None
    assert region_warning(value) is None


def test_the_stdnum_birth_year_check_would_have_refused_them():
    from stdnum.cn import ric
    assert not ric.is_valid(number("34150219500101001"))  # synthetic: 金安区, born 1950 (the old refusal)


@pytest.mark.parametrize("first17, words", [
    ("34159919500101001", "不在 python-stdnum 的行政区划表中"),  # synthetic: no county 341599 in the table
    ("34012019500101001", "1983 年已撤销"),                    # synthetic: 合肥 市区 340120, ended 1983
    ("34020519950101001", "1990 年已撤销"),                    # synthetic: 裕溪口区 ended 1990, born 1995
])
def test_unknown_or_retired_region_is_a_warning_not_an_error(first17, words):
    value, problem = check_id_number(number(first17), synthetic_ok=False, today=TODAY)
    assert problem is None
    assert words in region_warning(value)


@pytest.mark.parametrize("text, words", [
    (number("34150219500101001")[:17] + "0" if number("34150219500101001")[17] != "0" else
     number("34150219500101001")[:17] + "1", "校验码"),  # synthetic: 金安区, wrong check digit
    (number("34150219501301001"), "不是真实日期"),  # synthetic: 金安区, month 13
    (number("34150221200101001"), "在未来"),  # synthetic: 金安区, born 2120
])
def test_checksum_and_date_stay_errors(text, words):
    _, problem = check_id_number(text, synthetic_ok=False, today=TODAY)
    assert words in problem
