"""Issue 16: the checks across visits walk only the visits that can give a finding when every reference holds
(integrity._references_hold). Over random visits with broken or good references, problems found and resolved,
and unreadable staff or households, the findings equal the visit-by-visit check's: same findings, same order. And
the loader's sort of dated records by date alone gives the full order (date, file, line, column)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from careledger import integrity, refs
from careledger.load import load
from careledger.records import Problem, Resolution

from .conftest import FIXTURES

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    root = tmp_path_factory.mktemp("integrity") / "content"
    shutil.copytree(FIXTURES / "basic", root)
    loaded, findings = load(Path(root), today=AS_OF, cache=False)
    assert not [f for f in findings if f.is_error]
    return loaded


def visit_by_visit(records, unreadable):
    """The reference: every visit walked, whatever the references."""
    original = integrity._references_hold
    integrity._references_hold = lambda c, summary: False
    try:
        return integrity.check(records, unreadable)
    finally:
        integrity._references_hold = original


def test_a_clean_jurisdiction_takes_the_short_way(records):
    checker = integrity._Checker(records, integrity.Unreadable())
    assert integrity._references_hold(checker, refs.of_visits(records.visits))
    assert integrity.check(records) == visit_by_visit(records, integrity.Unreadable()) == []


EDIT = st.tuples(
    st.sampled_from(["visitor", "companion", "household", "subject", "problem", "resolved", "copy"]),
    st.integers(0, 50),
    st.sampled_from(["ds-shuji", "ds-nobody", "ds-001", "ds-999", "xw-001", "m1", "m2", "m9", "p1", "p2", ""]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDIT, max_size=6), staff_incomplete=st.booleans(),
       unreadable_households=st.sampled_from([frozenset(), frozenset({"ds-999"})]))
def test_same_findings_as_visit_by_visit(records, edits, staff_incomplete, unreadable_households):
    visits = list(records.visits)
    for kind, index, value in edits:
        visit = visits[index % len(visits)]
        if kind == "visitor":
            visit = dataclasses.replace(visit, visitor=value)
        elif kind == "companion":
            visit = dataclasses.replace(visit, companions=(*visit.companions, value))
        elif kind == "household":
            visit = dataclasses.replace(visit, household=value)
        elif kind == "subject":
            visit = dataclasses.replace(visit, subjects=(*visit.subjects, value))
        elif kind == "problem":
            visit = dataclasses.replace(visit, problems=(
                *visit.problems, Problem(id=value or "p1", text="屋顶漏雨", source=visit.source)))
        elif kind == "resolved":
            visit = dataclasses.replace(visit, resolved=(
                *visit.resolved, Resolution(problem=value or "p1", source=visit.source)))
        else:
            visits.append(visit)
            continue
        visits[index % len(visits)] = visit
    changed = dataclasses.replace(records, visits=tuple(visits))
    unreadable = integrity.Unreadable(unreadable_households, staff_incomplete)
    assert integrity.check(changed, unreadable) == visit_by_visit(changed, unreadable)


@pytest.fixture(scope="module")
def same_days(tmp_path_factory):
    """Visits on the same days in several files: in month folders, in names that sort differently as paths and as
    names ('-' and '.' before '/'), and written on one line."""
    root = tmp_path_factory.mktemp("order") / "content"
    shutil.copytree(FIXTURES / "basic", root)
    one_line = ("[{date: 2026-11-04, household: ds-001, duty: contact}, "
                "{date: 2026-11-04, household: ds-002, duty: contact}, {date: 2026-11-03, household: ds-001, "
                "duty: contact}]\n")
    for name in ("ds-baopian.yaml", "ds-baopian-2.yaml", "ds-baopian.2.yaml", "ds-zhaoliao.yaml"):
        (root / "visits/2026-11" / name).write_text(one_line, encoding="utf-8")
    (root / "visits/2026-10/ds-baopian.yaml").write_text(one_line.replace("2026-11", "2026-10"), encoding="utf-8")
    return load(root, today=AS_OF, cache=False)[0]


def full_order(visits) -> list:
    return sorted(visits, key=lambda r: (r.date, r.source.file, r.source.line, r.source.column))


def test_dated_records_sorted_by_date_alone_keep_file_line_and_column_order(same_days):
    """`load._in_date_order` sorts by date only, relying on the files coming in path order and a file's records in
    line and column order."""
    assert len(same_days.visits) > 15 and list(same_days.visits) == full_order(same_days.visits)
    same_line = [v.source for v in same_days.visits if v.source.file == "visits/2026-11/ds-zhaoliao.yaml"]
    assert {s.line for s in same_line} == {1} and len({s.column for s in same_line}) == 3


def test_dated_records_in_full_order_when_the_listing_is_not_in_path_order(same_days):
    """The fallback of `load._in_date_order`: files listed out of path order are sorted by the whole key."""
    from careledger.load import _in_date_order
    backwards = sorted(same_days.visits, key=lambda v: v.source.file, reverse=True)
    rels = sorted({v.source.file for v in backwards}, reverse=True)
    assert _in_date_order(backwards, rels) == same_days.visits
