"""The desk's rows and lists handed out again in a process that keeps its caches (`views/desk._ROWS`, `_LISTS`,
`_DUE_ROWS`): after random edits and as-of dates a desk so made equals one made from nothing, and a list nothing
changed is the very list of the last desk, so that the page memo keeps its digest (render/memo.Parts). The same for
the rows of the findings table (`views/reports._FINDING_ROWS`)."""

import datetime as dt
import random

import pytest

from careledger import cachestore
from careledger.load import load
from careledger.rules import Facts
from careledger.views.desk import build_desk

from .publickit import AS_OF, jurisdiction
from .test_public_kept import random_edits


def desk_of(root, as_of):
    records, findings = load(root, today=as_of)
    assert not [f.format() for f in findings if f.is_error]
    return build_desk(Facts(records, records.profile, as_of))


def cold_desk(root, as_of):
    cachestore.keep_in_memory(False)
    try:
        return desk_of(root, as_of)
    finally:
        cachestore.keep_in_memory()


@pytest.mark.parametrize("seed", range(3))
def test_a_desk_from_what_was_kept_equals_a_desk_made_anew(tmp_path, seed):
    rng = random.Random(seed)
    root = jurisdiction(tmp_path / "content")
    cachestore.keep_in_memory()
    on = set()
    visits: dict[str, list[str]] = {}
    last, handed_again = None, 0
    for _ in range(10):
        random_edits(root, rng, on, visits, 2)
        as_of = AS_OF + dt.timedelta(days=rng.choice([0, 0, 1, 7]))
        warm = desk_of(root, as_of)
        cold = cold_desk(root, as_of)
        assert warm == cold and repr(warm) == repr(cold)
        if last is not None:
            before = {wl.slug: wl for wl in last.lists}
            handed_again += sum(wl is before.get(wl.slug) for wl in warm.lists)
        last = warm
    assert handed_again and any(wl.rows for wl in last.lists)


def test_a_list_nothing_changed_is_the_very_list_of_the_last_desk(tmp_path):
    root = jurisdiction(tmp_path / "content")
    cachestore.keep_in_memory()
    first = desk_of(root, AS_OF)
    again = desk_of(root, AS_OF)
    assert any(wl.rows for wl in first.lists)
    assert all(a is b for a, b in zip(first.lists, again.lists)) and len(first.lists) == len(again.lists)
    assert all(a is b for a, b in zip(first.lists[0].rows, again.lists[0].rows))
    # a visit to an overdue subject: the lists that held her row are new, and the rows they keep are the very rows
    overdue = next(row for row in again.lists[0].rows if row.kind == "overdue" and row.staff_id)
    rel = f"visits/{AS_OF:%Y-%m}/{overdue.staff_id}.yaml"
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    with (root / rel).open("a", encoding="utf-8") as out:
        out.write(f"- date: {AS_OF}\n  household: {overdue.household}\n  duty: responsible\n  mode: in_person\n")
    after = desk_of(root, AS_OF)
    assert after == cold_desk(root, AS_OF) and after.lists[0] is not again.lists[0]
    old = {row: row for row in again.lists[0].rows}
    kept = [row for row in after.lists[0].rows if row in old]
    assert kept and all(old[row] is row for row in kept)
    # a day later every overdue row counts one more day: equal to a cold desk's all the same
    assert desk_of(root, AS_OF + dt.timedelta(days=1)) == cold_desk(root, AS_OF + dt.timedelta(days=1))


def test_a_due_row_is_kept_with_its_rule_result_until_its_person_or_village_changes(tmp_path, monkeypatch):
    """As a build judges (the household cache), an unchanged household's visits due are the very rule results of the
    last build, and their rows are not worked out again (`desk._DUE_ROWS`); after a new name or phone of a person
    answerable, a village's new name or another as-of date the rows are those of a desk made from nothing."""
    from careledger import pipeline
    from careledger.views import desk

    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    root = jurisdiction(tmp_path / "content")
    cachestore.keep_in_memory()
    made = []
    monkeypatch.setattr(desk._People, "due_row", lambda self, due, case, made_row=desk._People.due_row:
                        made.append(due) or made_row(self, due, case))

    def judged_desk(as_of=AS_OF):
        made.clear()
        return build_desk(pipeline.prepare(root, tmp_path / "out", as_of=as_of, allow_dirty=True).facts)

    def desk_from_nothing(as_of=AS_OF):
        """The whole rule functions' results (no household cache), the rows and lists kept for the next build left
        as they were."""
        saved = [(kept, dict(vars(kept))) for kept in (desk._ROWS, desk._LISTS, desk._DUE_ROWS)]
        try:
            return desk_of(root, as_of)
        finally:
            for kept, state in saved:
                vars(kept).update(state)

    first = judged_desk()
    due = [row for row in first.lists[0].rows if row.kind in ("overdue", "today", "week")]
    assert due and len(made) == len(due)
    assert judged_desk() == first and not made  # nothing changed: every due row kept
    for rel, old, new in (("staff/v1.yaml", "name: 王秀兰", "name: 王秀英"),
                          ("staff/v2.yaml", "phone: '13900000201'", "phone: '13900000299'"),
                          ("site.yaml", "name: 二村", "name: 二村社区")):
        path = root / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        warm = judged_desk()
        assert made and warm == desk_from_nothing(), rel
        assert judged_desk() == warm and not made, rel
    shown = {(row.staff, row.phone, row.village) for row in judged_desk().lists[0].rows}
    assert any("王秀英" in staff for staff, _, _ in shown) and "13900000299" in {phone for _, phone, _ in shown}
    assert "二村社区" in {village for _, _, village in shown}
    next_day = AS_OF + dt.timedelta(days=1)
    warm = judged_desk(next_day)
    assert made and warm == desk_from_nothing(next_day)


def test_a_kept_due_row_is_not_used_for_another_person_or_village_name(tmp_path):
    """The very rule results with records of another content (what the household cache never hands out today, and
    `desk._DUE_ROWS` does not rely on): the rows follow the records, not the results' identity."""
    root = jurisdiction(tmp_path / "content")
    cachestore.keep_in_memory()
    records, _ = load(root, today=AS_OF)
    first = Facts(records, records.profile, AS_OF)
    build_desk(first)
    for rel, old, new in (("staff/v1.yaml", "name: 王秀兰", "name: 王秀英"), ("site.yaml", "name: 一村", "name: 一村社区")):
        path = root / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        records, _ = load(root, today=AS_OF)
        facts = Facts(records, records.profile, AS_OF)
        facts.__dict__["derived"] = first.derived  # (as `rules.judge(cached=True)` supplies it)
        assert build_desk(facts) == cold_desk(root, AS_OF), rel
        first = facts


def test_a_findings_row_is_kept_with_its_finding_while_its_person_is_shown_the_same(tmp_path):
    """The findings table (`views/reports.all_findings`) in a process that keeps its caches: the very finding gives
    the very row of the last table (the page's kept rows then know it without digesting it again), and a row whose
    person has a new name is the row a table made from nothing has."""
    from careledger.rules import run_rules
    from careledger.views.reports import _Names, all_findings

    root = jurisdiction(tmp_path / "content")
    cachestore.keep_in_memory()
    records, _ = load(root, today=AS_OF)
    findings = run_rules(records, AS_OF)
    first = all_findings(findings, _Names(Facts(records, records.profile, AS_OF)))
    again = all_findings(findings, _Names(Facts(records, records.profile, AS_OF)))
    assert any("王秀兰" in row[5] for row in first.rows)
    assert len(first.rows) == len(findings) and all(a is b for a, b in zip(first.rows, again.rows))
    path = root / "staff/v1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 王秀兰", "name: 王秀英", 1), encoding="utf-8")
    records, _ = load(root, today=AS_OF)
    renamed = all_findings(findings, _Names(Facts(records, records.profile, AS_OF)))
    cachestore.keep_in_memory(False)
    cold = all_findings(findings, _Names(Facts(records, records.profile, AS_OF)))
    cachestore.keep_in_memory()
    assert renamed == cold and any("王秀英" in row[5] for row in renamed.rows)
    assert any(a is b for a, b in zip(first.rows, renamed.rows))  # the others' rows kept
