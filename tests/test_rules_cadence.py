"""Cadence worked out by hand from the documents' own figures."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from careledger.rules import cadence

from .contentkit import facts_for, id_number, write_tree

D = dt.date.fromisoformat

STAFF = """\
- id: sec
  name: 甲书记
  roles: [principal]
- id: area
  name: 乙干部
  roles: [area_cadre]
- id: con
  name: 丙联系人
  roles: [contact]
- id: other
  name: 丁干部
  roles: [area_cadre]
"""


def household(level: str, category: str = "1", *, enrolled: str = "2026-10-01", extra: str = "",
              responsible: str = "sec", key_person: str = "false") -> str:
    level_line = f"    level: '{level}'\n" if level else ""
    return f"""\
id: h1
village: v1
address: 一村1号
members:
  - id: m1
    name: 甲某
    relation: self
    birth_date: 1940-01-01
    id_number: '{id_number("1940-01-01", 1)}'
subjects:
  - member: m1
    category: '{category}'
{level_line}    key_person: {key_person}
    enrolled: {enrolled}
    assigned:
      responsible: [{responsible}]
      contact: [con]
{extra}"""


def visits(*dates: str, duty: str = "responsible", mode: str = "in_person") -> str:
    return "".join(f"- date: {d}\n  household: h1\n  duty: {duty}\n  mode: {mode}\n" for d in dates)


def run(tmp_path, files, as_of, *, profile="wangcheng-2020", site_extra=""):
    root = write_tree(tmp_path, {"staff/v1.yaml": STAFF, **files}, profile=profile, site_extra=site_extra)
    findings = list(cadence.check(facts_for(root, D(as_of))))
    return [(f.code, f.evidence.get("duty"), f.evidence.get("gap_days") or f.evidence.get("visits"))
            for f in findings if f.code != "CAD-NOT-COUNTED"], findings


def test_wangcheng_level_3_every_three_days_warned_past_five(tmp_path):
    # 三级: visit at least every 3 days, warning past 5. Visits on the 1st, 4th, 10th; as of the 12th.
    # 1st→4th: gap 3, fine. 4th→10th: gap 6 > 5, warned on the 10th... raised the day the gap passed 5 (the 10th).
    # 10th→12th: gap 2, fine. Enrolled on the 1st, so nothing before.
    files = {"households/v1/h1.yaml": household("3", enrolled="2026-10-01"),
             "visits/2026-10/sec.yaml": visits("2026-10-01", "2026-10-04", "2026-10-10"),
             "visits/2026-10/con.yaml": visits("2026-10-01", "2026-10-08", duty="contact")}
    got, findings = run(tmp_path, files, "2026-10-12")
    assert got == [("CAD-ALERT-PAST", "responsible", 6)]
    assert findings[0].evidence["raised_on"] == "2026-10-10" and findings[0].staff == "sec"


def test_wangcheng_overdue_before_warning_and_warning_after(tmp_path):
    files = {"households/v1/h1.yaml": household("3"),
             "visits/2026-10/sec.yaml": visits("2026-10-01"),
             "visits/2026-10/con.yaml": visits("2026-10-01", duty="contact")}
    # As of the 5th: 4 days > 3 → overdue, not yet past 5 (contact: 4 days, fine).
    assert run(tmp_path / "a", files, "2026-10-05")[0] == [("CAD-OVERDUE", "responsible", 4)]
    # As of the 7th: 6 days > 5 → warning (预警); contact 6 days ≤ 7, fine.
    got, findings = run(tmp_path / "b", files, "2026-10-07")
    assert got == [("CAD-ALERT", "responsible", 6)]
    assert findings[0].is_error and findings[0].evidence["raised_on"] == "2026-10-07"
    # As of the 9th the contact (weekly, no separate threshold) is past 7 days too.
    assert run(tmp_path / "c", files, "2026-10-09")[0] == [("CAD-ALERT", "responsible", 8), ("CAD-ALERT", "contact", 8)]


def test_levels_two_and_one_use_their_own_figures(tmp_path):
    # 二级: weekly, warn past 10; 一级: every 15 days, warn past 20. Ten days after the last visit:
    level2 = {"households/v1/h1.yaml": household("2", responsible="area"),
              "visits/2026-10/area.yaml": visits("2026-10-01"),
              "visits/2026-10/con.yaml": visits("2026-10-01", "2026-10-08", "2026-10-15", duty="contact")}
    assert run(tmp_path / "two", level2, "2026-10-11")[0] == [("CAD-OVERDUE", "responsible", 10)]
    assert run(tmp_path / "two-b", level2, "2026-10-12")[0] == [("CAD-ALERT", "responsible", 11)]
    level1 = {**level2, "households/v1/h1.yaml": household("1", responsible="area")}
    assert run(tmp_path / "one", level1, "2026-10-11")[0] == []
    assert run(tmp_path / "one-b", level1, "2026-10-17")[0] == [("CAD-OVERDUE", "responsible", 16)]
    assert run(tmp_path / "one-c", level1, "2026-10-22")[0][0] == ("CAD-ALERT", "responsible", 21)


def test_only_visits_in_the_right_duty_and_by_the_right_person_count(tmp_path):
    # "other" is an area cadre, not assigned and not a principal: a 三级 subject's visit by him does not count.
    files = {"households/v1/h1.yaml": household("3"),
             "visits/2026-10/sec.yaml": visits("2026-10-01"),
             "visits/2026-10/other.yaml": visits("2026-10-03"),
             "visits/2026-10/con.yaml": visits("2026-10-01", "2026-10-03", duty="contact")}
    got, findings = run(tmp_path, files, "2026-10-05")
    assert got == [("CAD-OVERDUE", "responsible", 4)]
    assert [(f.code, f.staff) for f in findings if f.code == "CAD-NOT-COUNTED"] == [("CAD-NOT-COUNTED", "other")]


def test_contact_visits_by_phone_do_not_count_in_wangcheng(tmp_path):
    files = {"households/v1/h1.yaml": household("1", responsible="area"),
             "visits/2026-10/area.yaml": visits("2026-10-01"),
             "visits/2026-10/con.yaml": visits("2026-10-01", duty="contact") + visits("2026-10-06", duty="contact",
                                                                                      mode="phone")}
    got, _ = run(tmp_path, files, "2026-10-10")
    assert got == [("CAD-ALERT", "contact", 9)]


def test_hospital_stay_pauses_the_clock_and_exit_stops_it(tmp_path):
    # In hospital from the 3rd to the 9th (back on the 9th): 6 days do not count. As of the 10th, 9 days since the
    # 1st minus 6 paused = 3 counted days: fine for a 三级 subject.
    absence = "    absences:\n      - kind: hospital\n        start: 2026-10-03\n        end: 2026-10-09\n"
    files = {"households/v1/h1.yaml": household("3", extra="").replace("    assigned:", absence + "    assigned:"),
             "visits/2026-10/sec.yaml": visits("2026-10-01"),
             "visits/2026-10/con.yaml": visits("2026-10-01", duty="contact")}
    assert run(tmp_path / "a", files, "2026-10-10")[0] == []
    exited = household("3").replace("    assigned:", "    exited: 2026-10-03\n    exit_reason: 迁出\n    assigned:")
    files["households/v1/h1.yaml"] = exited
    assert run(tmp_path / "b", files, "2026-10-30")[0] == []


def test_emergency_period_halves_the_contact_interval(tmp_path):
    # Wangcheng tightens the contact's weekly visits in emergencies (divisor 2 → every 4 days, warn past 4).
    site_extra = "special_periods:\n  - kind: emergency\n    start: 2026-10-05\n    end: 2026-10-20\n"
    files = {"households/v1/h1.yaml": household("1", responsible="area"),
             "visits/2026-10/area.yaml": visits("2026-10-01"),
             "visits/2026-10/con.yaml": visits("2026-10-01", duty="contact")}
    got, findings = run(tmp_path, files, "2026-10-06", site_extra=site_extra)
    assert got == [("CAD-ALERT", "contact", 5)]
    assert findings[0].evidence["threshold_days"] == 4



def test_the_last_day_of_a_special_period_is_still_in_it(tmp_path):
    # The emergency runs Oct 5-20 (its last day included): the contact's weekly visits are every 4 days, warned past
    # 4. Last visit Oct 15: Oct 20 is the 5th day, still in the period, so the warning is raised that day and stands
    # after the period ends; as of Oct 22 the gap is 7 days, which the ordinary weekly interval would allow.
    site_extra = "special_periods:\n  - kind: emergency\n    start: 2026-10-05\n    end: 2026-10-20\n"
    files = {"households/v1/h1.yaml": household("1", responsible="area", enrolled="2026-10-15"),
             "visits/2026-10/area.yaml": visits("2026-10-15"),
             "visits/2026-10/con.yaml": visits("2026-10-15", duty="contact")}
    got, findings = run(tmp_path, files, "2026-10-22", site_extra=site_extra)
    assert got == [("CAD-ALERT", "contact", 7)]
    assert findings[0].evidence["raised_on"] == "2026-10-20" and findings[0].evidence["threshold_days"] == 4


def test_the_limits_in_force_by_span_are_those_of_each_day():
    """cadence.limits works the limits out span by span between the days special periods begin and end: the same
    as looking at each day's periods (`_limits_on`), on every day around overlapping periods of several kinds."""
    import datetime as dt
    import random

    from careledger import policy
    from careledger.records import SpecialPeriod
    from careledger.rules import cadence

    profile = policy.load_profile("wangcheng-2020")[0]
    assert profile.special_periods
    kinds = sorted({kind for special in profile.special_periods for kind in special.kinds}) + ["other"]
    pick = random.Random(16)
    first = dt.date(2026, 1, 1)
    for _ in range(30):
        periods = []
        for _ in range(pick.randint(0, 4)):
            start = first + dt.timedelta(days=pick.randint(0, 60))
            periods.append(SpecialPeriod(kind=pick.choice(kinds[:-1]), start=start,
                                         end=start + dt.timedelta(days=pick.randint(0, 15))))
        periods = tuple(periods)
        for rule in profile.cadence:
            for n in range(-2, 80):
                day = first + dt.timedelta(days=n)
                assert cadence.limits(rule, profile, periods, day) == cadence._limits_on(rule, profile, periods, day)


def test_a_warning_raised_in_a_special_period_names_the_threshold_that_was_passed(tmp_path):
    # Guiyang 二（五）: monthly visits (31 days, our default) halved to ⌈31 / 2⌉ = 16 during extreme weather.
    # Last visit Nov 10; the cold spell runs Nov 28 – Dec 2: on Nov 28 the gap is 18 > 16 → warned. As of Dec 5 the
    # period is over and the gap (25) is under the ordinary 31, but no visit has closed the warning: it stands, and
    # its threshold is the 16 days in force when it was raised, not the 31 of the as-of day (25 does not exceed 31).
    site_extra = "special_periods:\n  - kind: extreme_weather\n    start: 2022-11-28\n    end: 2022-12-02\n"
    staff = STAFF + "- id: cw\n  name: 戊委员\n  roles: [committee_member]\n"
    files = {"staff/v1.yaml": staff,
             "households/v1/h1.yaml": household("", category="orphan", enrolled="2022-10-01", responsible="cw"),
             "visits/2022-10/cw.yaml": visits("2022-10-12"),
             "visits/2022-11/cw.yaml": visits("2022-11-10")}
    got, findings = run(tmp_path, files, "2022-12-05", profile="guiyang-2022", site_extra=site_extra)
    assert got == [("CAD-ALERT", "responsible", 25)]
    assert findings[0].evidence["raised_on"] == "2022-11-28"
    assert findings[0].evidence["threshold_days"] == 16
    assert "超过预警阈值 16 天" in findings[0].message


def test_a_visit_outside_the_visitors_time_in_post_does_not_count(tmp_path):
    # Tianhu 二（一）: key persons patrolled at least monthly (31 days, 1 a month) by the coordinator. xy left on
    # 2022-06-01, so a visit entered under her name on 2022-06-10 is not the village's patrol (docs/rules/assignment.md:
    # someone not in post cannot have their visits count); nor is one by zz before his 任职日期 2022-07-01.
    # Counted: May 12 only → May 12 → Jul 5 = 19 + 30 + 5 = 54 > 31, warned on the 32nd day, Jun 13; June has none.
    staff = ("- id: xy\n  name: 甲协理员\n  roles: [coordinator]\n  left: 2022-06-01\n"
             "- id: zz\n  name: 乙协理员\n  roles: [coordinator]\n  since: 2022-07-01\n")
    files = {"staff/v1.yaml": staff,
             "households/v1/h1.yaml": household("", category="roster", enrolled="2022-05-01", responsible="xy",
                                                key_person="true").replace(
                 "      responsible: [xy]\n      contact: [con]\n", "      coordinator: xy\n"),
             "visits/2022-05/xy.yaml": visits("2022-05-12", duty="coordinator"),
             "visits/2022-06/xy.yaml": visits("2022-06-10", duty="coordinator"),
             "visits/2022-06/zz.yaml": visits("2022-06-20", duty="coordinator")}
    got, findings = run(tmp_path, files, "2022-07-05", profile="tianhu-2022")
    assert got == [("CAD-ALERT", "coordinator", 54), ("CAD-MONTHLY", "coordinator", 0)]
    assert findings[-1].evidence["month"] == "2022-06"
    alert = next(f for f in findings if f.code == "CAD-ALERT")
    assert alert.evidence["raised_on"] == "2022-06-13" and alert.evidence["last_visit"] == "2022-05-12"
    skipped = sorted((f.evidence["visit_date"], f.staff, f.evidence.get("in_post")) for f in findings
                     if f.code == "CAD-NOT-COUNTED")
    assert skipped == [("2022-06-10", "xy", False), ("2022-06-20", "zz", False)]

def test_qiandongnan_group_a_needs_three_visits_a_month(tmp_path):
    # A 类: every 10 days and at least 3 a month. September: visits on the 1st, 11th, 21st → 3, fine;
    # October: the 1st, 11th only → 2 < 3. As of 2026-11-05 the gap since Oct 11 is 25 days: past 10.
    staff = STAFF.replace("roles: [area_cadre]\n- id: con", "roles: [paired_cadre]\n- id: con")
    files = {"staff/v1.yaml": staff,
             "households/v1/h1.yaml": household("", category="A", enrolled="2026-09-01", responsible="area"),
             "visits/2026-09/area.yaml": visits("2026-09-01", "2026-09-11", "2026-09-21"),
             "visits/2026-10/area.yaml": visits("2026-10-01", "2026-10-11")}
    got, _ = run(tmp_path, files, "2026-11-05", profile="qiandongnan-2023")
    assert ("CAD-MONTHLY", "responsible", 2) in got
    assert ("CAD-ALERT", "responsible", 25) in got
    assert not any(g[0] == "CAD-MONTHLY" and g[2] == 3 for g in got)


def test_records_since_starts_the_clock_for_old_subjects(tmp_path):
    files = {"households/v1/h1.yaml": household("1", enrolled="2020-01-01", responsible="area"),
             "visits/2026-10/area.yaml": visits("2026-10-02"),
             "visits/2026-10/con.yaml": visits("2026-10-02", duty="contact")}
    got, _ = run(tmp_path, files, "2026-10-05", site_extra="records_since: 2026-10-01\n")
    assert got == []


class _Unpaused:
    pauses = ()

    @staticmethod
    def paused_on(day):
        return False


@given(st.integers(0, 400), st.lists(st.tuples(st.integers(-30, 400), st.integers(0, 120)), max_size=4),
       st.integers(0, 200))
def test_without_stays_the_first_day_over_is_worked_out_as_counting_would(span, tightened, limit):
    """Limits that change on the given days (special periods halving it), as `limits` makes them."""
    last = dt.date(2026, 1, 1)
    until = last + dt.timedelta(days=span)
    periods = [(last + dt.timedelta(days=a), last + dt.timedelta(days=a + n)) for a, n in tightened]

    def limit_of(day):
        return limit // 2 if any(start <= day <= end for start, end in periods) else limit

    changes = [day for start, end in periods for day in (start, end + dt.timedelta(days=1))]
    counted = cadence.first_day_over(_Paused, last, until, limit_of)
    assert cadence.first_day_over(_Unpaused, last, until, limit_of, changes) == counted


class _Paused(_Unpaused):
    """Counts day by day (a stay that never comes)."""

    pauses = ((dt.date(1900, 1, 1), dt.date(1900, 1, 2)),)


def _case_with(pauses):
    from careledger.rules.cases import Case
    case = Case.__new__(Case)
    case.__dict__["pauses"] = pauses  # the cached property, set directly
    return case


@given(st.lists(st.tuples(st.integers(-20, 120), st.one_of(st.none(), st.integers(0, 120))), min_size=1, max_size=3),
       st.integers(0, 150), st.integers(0, 60))
def test_with_stays_the_first_day_over_is_the_first_day_the_count_passes_the_limit(stays, span, limit):
    """Stays skipped whole (and past the end of the span) find what counting the span's days one by one finds."""
    last = dt.date(2026, 1, 1)
    case = _case_with(tuple((last + dt.timedelta(days=a), None if b is None else last + dt.timedelta(days=a + b))
                            for a, b in stays))
    expected, counted = None, 0
    for n in range(1, span + 1):
        day = last + dt.timedelta(days=n)
        counted += not case.paused_on(day)
        if counted > limit:
            expected = day, counted
            break
    assert cadence.first_day_over(case, last, last + dt.timedelta(days=span), lambda d: limit) == expected


def test_a_stay_does_not_end_the_open_tail_s_days_the_next_day():
    """With a stay in the gap, an open tail not yet over the limit holds a watched as-of date until the day it is
    (rules/daywatch.py), not only until the next day."""
    from careledger.rules import daywatch
    last = dt.date(2026, 11, 1)
    case = _case_with(((dt.date(2026, 11, 5), dt.date(2026, 11, 10)),))  # 5 days paused
    watch, day = daywatch.watched(dt.date(2026, 11, 20))
    assert cadence.first_day_over(case, last, day, lambda d: 30) is None
    assert watch.until == dt.date(2026, 12, 7)  # 24 days counted in November, 31 on 12-07
    assert cadence.first_day_over(case, last, dt.date(2026, 12, 7), lambda d: 30) == (dt.date(2026, 12, 7), 31)


@given(st.lists(st.tuples(st.integers(0, 90), st.one_of(st.none(), st.integers(0, 90))), max_size=3),
       st.integers(0, 90), st.integers(0, 40))
def test_paused_during_a_span_is_paused_on_one_of_its_days(stays, first, length):
    from careledger.rules.cases import Case
    origin = dt.date(2026, 1, 1)
    day = lambda n: origin + dt.timedelta(days=n)  # noqa: E731
    pauses = tuple((day(a), None if b is None else day(b)) for a, b in stays)
    case = Case.__new__(Case)
    case.__dict__["pauses"] = pauses  # the cached property, set directly
    expected = any(case.paused_on(day(first + i)) for i in range(length + 1))
    assert case.paused_during(day(first), day(first + length)) == expected


def test_the_gaps_of_the_very_findings_are_given_again_and_no_others(tmp_path, monkeypatch):
    """`cadence.gaps` gives its last two answers again for the very findings, in order, on the same day, as new lists;
    other findings (an equal copy included), another order, one more finding or another day are typed anew."""
    import dataclasses

    files = {"households/v1/h1.yaml": household("3", enrolled="2026-10-01"),
             "visits/2026-10/sec.yaml": visits("2026-10-01", "2026-10-10"),
             "visits/2026-10/con.yaml": visits("2026-10-01", duty="contact")}
    _, findings = run(tmp_path, files, "2026-10-20")
    assert len(findings) >= 2
    typed = []
    real = cadence._typed_gaps
    monkeypatch.setattr(cadence, "_typed_gaps", lambda f, as_of: typed.append(1) or real(f, as_of))
    monkeypatch.setattr(cadence, "_LAST_GAPS", [])
    day, other_day = D("2026-10-20"), D("2026-10-21")
    first = cadence.gaps(findings, day)
    again = cadence.gaps(list(findings), day)
    assert again == first and again is not first and len(typed) == 1
    some = cadence.one_per_gap(findings)[:1]
    assert cadence.gaps(some, day) == real(some, day) and len(typed) == 2
    assert cadence.gaps(findings, day) == first and cadence.gaps(some, day) and len(typed) == 2  # the last two
    copy = [dataclasses.replace(findings[0]), *findings[1:]]
    for changed, on in ((copy, day), (findings[::-1], day), ([*findings, findings[0]], day), (findings, other_day)):
        count = len(typed)
        assert cadence.gaps(changed, on) == real(changed, on) and len(typed) == count + 1
