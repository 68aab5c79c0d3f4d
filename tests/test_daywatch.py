"""How long a household's judgement holds as the as-of date moves (issue 16; careledger/rules/daywatch.py).

A household judged on d1 reports the first later day its findings or its share of the views' rule results may
differ (`until`); the household cache reuses the entry on every day in [d1, until). These tests judge demo
households of every profile on random days and check that judging again on any day before `until` gives exactly
the same findings and share (the bound is never too late), and that the bound is often exactly a day on which
something changes (it is not merely "far in the future" and untested).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careledger.demo import DemoSpec, write_demo
from careledger.load import load
from careledger.policy import PROFILE_NAMES
from careledger.rules import Facts, cadence, daywatch, derived, households

END = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def demos(tmp_path_factory) -> dict:
    """profile -> (facts on END, its households as units), 20 households, 6 months."""
    out = {}
    for profile in PROFILE_NAMES:
        root = tmp_path_factory.mktemp(profile) / "content"
        write_demo(root, DemoSpec(households=20, months=6, profile=profile))
        records, findings = load(root, today=END, cache=False)
        assert not [f for f in findings if f.is_error]
        out[profile] = (records, households.units(records))
    return out


def judge(records, unit, day: dt.date, held=None):
    """(findings as JSON per family, the share, until) of one household judged as of `day`."""
    return judge_apart(records, unit, day, held)[:3]


def judge_apart(records, unit, day: dt.date, held=None):
    """`judge`, with the days of the first family's findings and the findings themselves (`held` for another day)."""
    facts = Facts(records, records.profile, day)
    found, share, until, days = households.judge_unit(facts, unit, held)
    as_json = {family.__name__: [f.to_json() for f in fs] for family, fs in found.items()}
    return as_json, share, until, days, found[households.APART]


def plain(records, unit, day: dt.date):
    """The same judged with a plain date, as a build without the cache would (no watch)."""
    mine = households.restricted(Facts(records, records.profile, day), unit)
    found = {family.__name__: [f.to_json() for f in part(mine)] for family, part in households.LOCAL.items()}
    return found, derived.part(mine)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(profile=st.sampled_from(PROFILE_NAMES), which=st.integers(0, 10_000), start=st.integers(-150, 60),
       step=st.integers(1, 60), data=st.data())
def test_a_judgement_holds_on_every_day_before_its_next_change(demos, profile, which, start, step, data):
    records, units = demos[profile]
    unit = units[which % len(units)]
    d1 = END + dt.timedelta(days=start)
    found, share, until = judge(records, unit, d1)
    assert until > d1
    assert (found, share) == plain(records, unit, d1)  # the watch changes nothing of the judgement itself
    d2 = d1 + dt.timedelta(days=step)
    if d2 < until:
        assert plain(records, unit, d2) == (found, share), (unit.id, d1, d2, until)
    else:  # the last day before the change holds too
        last = until - dt.timedelta(days=1)
        if last > d1:
            assert plain(records, unit, last) == (found, share), (unit.id, d1, last, until)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(profile=st.sampled_from(PROFILE_NAMES), which=st.integers(0, 10_000), start=st.integers(-150, 60),
       steps=st.lists(st.integers(1, 40), min_size=1, max_size=3))
def test_the_first_family_s_findings_hold_on_their_own_days(demos, profile, which, start, steps):
    """A household judged again with the first family's findings of an earlier day (its days still holding) judges
    exactly as a judgement from nothing on that day, and names a next change no later than the real one."""
    records, units = demos[profile]
    unit = units[which % len(units)]
    day = END + dt.timedelta(days=start)
    found, share, until, days, first = judge_apart(records, unit, day)
    assert days[0] == day and until <= days[1]
    for step in steps:
        day += dt.timedelta(days=step)
        if not days[0] <= day < days[1]:
            break
        found, share, until, again, _ = judge_apart(records, unit, day, held=(first, days))
        assert again == days and until <= days[1]
        assert (found, share) == plain(records, unit, day), (unit.id, days, day)
        last = min(until, day + dt.timedelta(days=90)) - dt.timedelta(days=1)
        if last > day:
            assert plain(records, unit, last) == (found, share), (unit.id, day, last, until)


def test_the_first_family_often_holds_past_the_household_s_next_change(demos):
    """What the split is for: of the households whose judgement ends the next day, many keep the first family's
    findings longer (an open problem's day count in a message ends the others')."""
    ending, apart = 0, 0
    for records, units in demos.values():
        for unit in units:
            _, _, until, days, _ = judge_apart(records, unit, END)
            if until == END + dt.timedelta(days=1):
                ending += 1
                apart += days[1] > until
    assert ending >= 10 and apart >= 5, (ending, apart)  # 12 of 28 when written (the bench's county: 435 of 730)


def test_the_next_change_is_often_exactly_a_day_something_changes(demos):
    """Over every household of every profile, on a few days: where `until` is later than the next day, judging on
    `until` itself differs from the judged day in most cases, by new findings for some households and by a new share
    of the views' results (a visit coming due, a due visit becoming overdue) for others."""
    later, exact, by_findings, by_share = 0, 0, 0, 0
    for profile, (records, units) in demos.items():
        for offset in (-60, -20, 0):
            d1 = END + dt.timedelta(days=offset)
            for unit in units:
                found, share, until = judge(records, unit, d1)
                if until == daywatch.NEVER or until <= d1 + dt.timedelta(days=1):
                    continue
                later += 1
                then = plain(records, unit, until)
                if then != (found, share):
                    exact += 1
                    by_findings += then[0] != found
                    by_share += then[1] != share
    assert later >= 50, later
    assert exact >= later * 0.7, (exact, later)  # 121 of 163 when written; the rest: a conservative bound
    assert by_findings >= 5 and by_share >= 5, (by_findings, by_share)


def test_the_views_counts_come_from_the_day_not_the_share():
    """The share keeps where a gap counts from and the monthly rows without their days left; `merge` counts them on
    the as-of date, so one share serves every day it holds."""
    froms = {"h/1": (cadence.GapFrom(dt.date(2026, 11, 1), ()),
                     cadence.GapFrom(dt.date(2026, 11, 5), ((dt.date(2026, 11, 10), dt.date(2026, 11, 13)),)))}
    assert cadence.gap_days(froms, dt.date(2026, 11, 20)) == {"h/1": 19}
    assert cadence.gap_days({"h/1": froms["h/1"][1:]}, dt.date(2026, 11, 20)) == {"h/1": 12}  # 3 days paused
    row = cadence.MonthShort("s", "responsible", "h/1", "2026-11", 1, 2, 0, "r")
    assert cadence.with_days_left(row, dt.date(2026, 11, 24)).days_left == 7


def test_a_watched_date_names_the_day_each_question_changes():
    watch, day = daywatch.watched(dt.date(2026, 11, 23))
    assert day < dt.date(2026, 12, 1) and watch.until == dt.date(2026, 12, 1)
    assert not day > dt.date(2026, 11, 27) and watch.until == dt.date(2026, 11, 28)
    assert day >= dt.date(2026, 11, 1) and watch.until == dt.date(2026, 11, 28)  # true from then on
    horizon = day + dt.timedelta(days=6)
    assert dt.date(2026, 11, 29) >= horizon and watch.until == dt.date(2026, 11, 24)  # 11-30 a day later
    watch, day = daywatch.watched(dt.date(2026, 11, 23))
    assert day.replace(day=1) == dt.date(2026, 11, 1) and watch.until == dt.date(2026, 12, 1)  # the month's
    assert (day - dt.date(2026, 11, 1)).days == 22 and watch.until == dt.date(2026, 11, 24)  # a count: next day
    watch, day = daywatch.watched(dt.date(2026, 11, 23))
    result, until = daywatch.judged(watch, {"kept": day})
    assert until == dt.date(2026, 11, 24) and type(result["kept"]) is dt.date  # the date itself kept in a result
    watch, day = daywatch.watched(dt.date(2026, 11, 23))
    assert f"{day}" == "2026-11-23" and watch.until == dt.date(2026, 11, 24)  # written into a message


def test_a_watched_date_on_the_right_of_an_operator_is_watched_too():
    watch, day = daywatch.watched(dt.date(2026, 11, 23))
    assert not dt.date(2026, 11, 30) < day and watch.until == dt.date(2026, 12, 1)  # day > 11-30 from 12-01
    assert min(dt.date(2026, 12, 5), day) is day and watch.until == dt.date(2026, 12, 1)
    assert (dt.date(2026, 12, 1) - day).days == 8 and watch.until == dt.date(2026, 11, 24)  # a count: next day
