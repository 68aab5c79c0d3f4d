"""The desk's rows and lists handed out again in a process that keeps its caches (`views/desk._ROWS`, `_LISTS`):
after random edits and as-of dates a desk so made equals one made from nothing, and a list nothing changed is the
very list of the last desk, so that the page memo keeps its digest (render/memo.Parts)."""

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
