"""Properties of the rules that must hold for any records (hypothesis builds the records in memory)."""

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from careledger.findings import Source
from careledger.load import Records
from careledger.policy import load_profile
from careledger.records import Absence, Assignment, Household, Member, Site, SpecialPeriod, Staff, Subject, Village, Visit
from careledger.rules import run_rules

from .contentkit import id_number

PROFILE, _ = load_profile("wangcheng-2020")
BASE = dt.date(2026, 3, 1)
SEVERITY_RANK = {"CAD-OVERDUE": 1, "CAD-ALERT": 2}


def build(level: str, visit_days: list[int], duty_of: list[str], as_of_day: int, *, shift: int = 0,
          absence: tuple[int, int] | None = None, emergency: tuple[int, int] | None = None) -> tuple[Records, dt.date]:
    day = lambda n: BASE + dt.timedelta(days=n + shift)  # noqa: E731
    responsible = "sec" if level == "3" else "area"
    absences = (Absence(kind="hospital", start=day(absence[0]), end=day(absence[1])),) if absence else ()
    subject = Subject(member="m1", category="1", level=level, enrolled=day(0), absences=absences,
                      assigned=Assignment(responsible=(responsible,), contact=("con",)),
                      source=Source("households/v1/h1.yaml", 10, 5))
    member = Member(id="m1", name="甲某", relation="self", id_number=id_number("1940-01-01", 1))
    household = Household(id="h1", village="v1", address="一村", members=(member,), subjects=(subject,))
    staff = tuple(Staff(id=i, name=i, roles=(r,), village="v1") for i, r in
                  (("sec", "principal"), ("area", "area_cadre"), ("con", "contact")))
    visitor = {"responsible": responsible, "contact": "con"}
    visits = tuple(sorted((Visit(date=day(d), household="h1", duty=duty, visitor=visitor[duty])
                           for d, duty in zip(visit_days, duty_of)), key=lambda v: v.date))
    periods = (SpecialPeriod(kind="emergency", start=day(emergency[0]), end=day(emergency[1])),) if emergency else ()
    site = Site(name="测试", profile="wangcheng-2020", villages=(Village(id="v1", name="一村"),),
                special_periods=periods)
    records = Records(root=None, site=site, profile=PROFILE, staff=staff, households=(household,), visits=visits,
                      inspections=(), custody=(), pages=())
    return records, day(as_of_day)


def cadence_findings(records, as_of):
    return [f for f in run_rules(records, as_of) if f.code.startswith("CAD-")]


def current_state(findings, duty):
    current = [f for f in findings if f.code in SEVERITY_RANK and f.evidence["duty"] == duty]
    if not current:
        return (0, 0)
    return (SEVERITY_RANK[current[0].code], current[0].evidence["gap_days"])


scenario = st.fixed_dictionaries({
    "level": st.sampled_from(["1", "2", "3"]),
    "visits": st.lists(st.tuples(st.integers(0, 120), st.sampled_from(["responsible", "contact"])), max_size=30),
    "as_of": st.integers(0, 130),
    "absence": st.one_of(st.none(), st.tuples(st.integers(0, 60), st.integers(1, 30)).map(lambda t: (t[0], t[0] + t[1]))),
    "emergency": st.one_of(st.none(), st.tuples(st.integers(0, 100), st.integers(0, 20)).map(lambda t: (t[0], t[0] + t[1]))),
})


def make(s, extra=(), shift=0):
    visits = list(s["visits"]) + list(extra)
    return build(s["level"], [d for d, _ in visits], [k for _, k in visits], s["as_of"], shift=shift,
                 absence=s["absence"], emergency=s["emergency"])


@settings(max_examples=150, deadline=None)
@given(scenario, st.integers(0, 130), st.sampled_from(["responsible", "contact"]))
def test_adding_a_visit_never_makes_a_subject_more_overdue(s, new_day, duty):
    before = cadence_findings(*make(s))
    after = cadence_findings(*make(s, extra=[(new_day, duty)]))
    for d in ("responsible", "contact"):
        assert current_state(after, d) <= current_state(before, d)


def comparable(findings):
    """A finding without its dates: code, subject, staff, duty and day counts."""
    return sorted((f.code, f.subject, f.staff, f.evidence.get("duty"), f.evidence.get("gap_days"),
                   f.evidence.get("threshold_days"), f.evidence.get("interval_days")) for f in findings)


@settings(max_examples=100, deadline=None)
@given(scenario, st.integers(-400, 400))
def test_shifting_every_date_changes_nothing_but_the_dates(s, shift):
    # Wangcheng has no monthly minimum, so calendar months do not enter the cadence findings.
    assert comparable(cadence_findings(*make(s))) == comparable(cadence_findings(*make(s, shift=shift)))


def test_builder_matches_the_loader_shape():
    records, as_of = build("3", [0, 3], ["responsible", "responsible"], 10)
    assert [f.code for f in cadence_findings(records, as_of)] == ["CAD-ALERT", "CAD-ALERT"]
    assert dataclasses.is_dataclass(records.households[0])


@settings(max_examples=60, deadline=None)
@given(scenario)
def test_removing_the_responsible_cadre_always_yields_a_coverage_finding(s):
    records, as_of = make(s)
    household = records.households[0]
    subject = household.subjects[0]
    bare = dataclasses.replace(subject, assigned=dataclasses.replace(subject.assigned, responsible=()))
    records = dataclasses.replace(records, households=(dataclasses.replace(household, subjects=(bare,)),))
    findings = run_rules(records, as_of)
    assert [f.subject for f in findings if f.code == "ASG-NO-RESPONSIBLE"] == ["h1/m1"]
