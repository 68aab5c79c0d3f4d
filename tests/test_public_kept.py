"""The public view's in-process memo (`views/public._Kept`): after random edits and as-of dates, a view made with
what earlier views of the process kept equals one made from nothing, part for part and in its repr."""

import datetime as dt
import random

import pytest

from careledger.load import load
from careledger.rules import run_rules
from careledger.views import public

from .publickit import AS_OF, jurisdiction

# (file, text, its replacement): toggled at random. Names (entries, private names), levels and categories (entry,
# status order), cadres (who is responsible, a cadre's name and post), the settings, and visits (gaps, bands,
# warnings, the weeks, so the hidden rows).
EDITS = [
    ("households/v1/h11.yaml", "name: 欧阳明", "name: 欧阳明德"),
    ("households/v1/h15.yaml", "level: '2'", "level: '1'"),
    ("households/v2/h24.yaml", "category: '2'", "category: '3'"),
    ("households/v2/h27.yaml", "responsible: [v2-shuji]", "responsible: [v2-shuji, v1-bp]"),
    ("households/v1/h15.yaml", "responsible: [v1-bp]", "responsible: [v1-shuji]"),
    ("households/v1/h17.yaml", "responsible: [v1-bp]", "responsible: [v2-shuji]"),
    ("households/v1/h16.yaml", "enrolled: 2025-01-01", "enrolled: 2025-03-01"),
    ("staff/v1.yaml", "name: 王秀兰", "name: 王秀英"),
    ("staff/v1.yaml", "post: 村委委员", "post: 村委副主任"),
    ("staff/v2.yaml", "roles: [contact]", "roles: [contact, grid_worker]"),
    ("site.yaml", "privacy:\n", "privacy:\n  publish_contact_names: true\n"),
    ("site.yaml", "privacy:\n", "privacy:\n  k: 2\n"),
]
VISITS = [("v1-bp", "h15"), ("v1-bp", "h16"), ("v1-shuji", "h11"), ("v2-shuji", "h21"), ("v2-shuji", "h24"),
          ("v2-shuji", "h29")]


def view(root, as_of, *, fresh: bool):
    records, findings = load(root, today=as_of)
    assert not [f.format() for f in findings if f.is_error]
    if fresh:
        public._Kept._last = None
    return public.redact(records, run_rules(records, as_of), as_of, records.site.privacy)


def random_edits(root, rng, on: set, visits: dict, most_visits: int) -> None:
    """One step of random edits: up to two of EDITS toggled (`on`: those in effect), and up to `most_visits` visits
    of the last 60 days written (`visits`: each file's)."""
    for i in rng.sample(range(len(EDITS)), rng.randint(0, 2)):
        rel, old, new = EDITS[i]
        path = root / rel
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(new, old, 1) if i in on else text.replace(old, new, 1), encoding="utf-8")
        on ^= {i}
    for _ in range(rng.randint(0, most_visits)):
        staff, household = rng.choice(VISITS)
        day = AS_OF - dt.timedelta(days=rng.randint(0, 60))
        rel = f"visits/{day:%Y-%m}/{staff}.yaml"
        visits.setdefault(rel, []).append(f"- date: {day}\n  household: {household}\n  duty: responsible\n"
                                          f"  mode: in_person\n")
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("".join(visits[rel]), encoding="utf-8")


@pytest.mark.parametrize("seed", range(3))
def test_a_view_from_what_was_kept_equals_a_view_made_anew(tmp_path, seed):
    rng = random.Random(seed)
    root = jurisdiction(tmp_path / "content")
    on = set()
    visits: dict[str, list[str]] = {}
    reused = 0
    for _ in range(12):
        random_edits(root, rng, on, visits, 3)
        as_of = AS_OF + dt.timedelta(days=rng.choice([0, 0, 1, 7, 40]))
        kept_before = public._Kept._last
        warm = view(root, as_of, fresh=False)
        reused += public._Kept._last is kept_before and kept_before is not None
        cold = view(root, as_of, fresh=True)
        assert warm == cold and repr(warm) == repr(cold)
    assert reused  # the memo was used, not only rebuilt


def test_a_village_nothing_changed_is_the_very_village_of_the_last_view(tmp_path):
    """So that the page memo keeps its digest (render/memo.Parts): a visit in one village leaves the others' parts
    as they were, and a view made again with nothing changed is the same villages."""
    root = jurisdiction(tmp_path / "content")
    first = view(root, AS_OF, fresh=True)
    again = view(root, AS_OF, fresh=False)
    assert all(a is b for a, b in zip(first.villages, again.villages)) and len(first.villages) > 1
    staff, household = VISITS[0]  # a visit this week in v1
    rel = f"visits/{AS_OF:%Y-%m}/{staff}.yaml"
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    with (root / rel).open("a", encoding="utf-8") as out:
        out.write(f"- date: {AS_OF}\n  household: {household}\n  duty: responsible\n  mode: in_person\n")
    after = view(root, AS_OF, fresh=False)
    changed = {v.id for a, v in zip(again.villages, after.villages) if v is not a}
    assert changed == {"v1"}


def test_the_count_tables_are_made_again_only_when_a_count_changes(tmp_path, monkeypatch):
    """In a process that keeps its caches (`public_tables.build_tables`): a visit changes no count, and the tables
    are the very tables of the last view; after a village's new name, a subject's new level, a household leaving
    care or another k they are those of a view made from nothing."""
    from careledger import cachestore

    from careledger.views import public_tables

    monkeypatch.setattr(public_tables, "_KEPT", cachestore.LastMade())
    root = jurisdiction(tmp_path / "content")
    cachestore.keep_in_memory()
    first = view(root, AS_OF, fresh=True)
    staff, household = VISITS[0]
    rel = f"visits/{AS_OF:%Y-%m}/{staff}.yaml"
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(f"- date: {AS_OF}\n  household: {household}\n  duty: responsible\n  mode: in_person\n",
                            encoding="utf-8")
    again = view(root, AS_OF, fresh=False)
    assert again.headline != first.headline or again.villages != first.villages  # (the visit is seen)
    assert again.by_category is first.by_category and again.households is first.households
    for rel, old, new in (("site.yaml", "name: 一村", "name: 一村社区"),
                          ("households/v1/h15.yaml", "level: '2'", "level: '1'"),
                          ("households/v2/h24.yaml", "village: v2\n",
                           "village: v2\nstatus: exited\nstatus_date: 2026-06-30\nstatus_reason: 迁出本街道\n"),
                          ("site.yaml", "privacy:\n", "privacy:\n  k: 2\n")):
        path = root / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        warm = view(root, AS_OF, fresh=False)
        cachestore.keep_in_memory(False)
        cold = view(root, AS_OF, fresh=True)
        cachestore.keep_in_memory()
        assert (warm.by_category, warm.by_level, warm.households) == (cold.by_category, cold.by_level,
                                                                      cold.households), rel
        assert warm.by_category is not again.by_category or warm.households is not again.households, rel
        again = warm


def test_the_weeks_visits_are_counted_again_only_where_they_changed(monkeypatch):
    """`public._week_counts` in a process that keeps its caches: after random visits added or changed, visits read anew
    (other objects, equal), a household moved to another village and other as-of dates, the counts are those of one pass
    over every visit; a week whose visits are the very visits of the last count is not counted again."""
    from collections import Counter, namedtuple

    from careledger import cachestore

    cachestore.keep_in_memory()
    counted = []

    class Counting(Counter):
        def __init__(self, *args, **kwargs):
            counted.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(public, "Counter", Counting)
    monkeypatch.setattr(public, "_WEEKS", [])
    Visit, Household = namedtuple("Visit", "date household"), namedtuple("Household", "village")
    rng = random.Random(7)
    households = {"a": Household("v1"), "b": Household("v2"), "c": Household("v2")}
    visits = [Visit(AS_OF - dt.timedelta(days=rng.randint(0, 100)), rng.choice("abcz")) for _ in range(300)]
    as_of = AS_OF
    for step in range(30):
        change = rng.choice(["visit", "swap", "anew", "move", "day", "none"])
        if change == "swap":  # the same day, another household: as many visits in the week
            i = rng.randrange(len(visits))
            visits[i] = Visit(visits[i].date, rng.choice([h for h in "abcz" if h != visits[i].household]))
        elif change == "visit":
            visits.append(Visit(as_of - dt.timedelta(days=rng.randint(0, 100)), rng.choice("abc")))
        elif change == "anew":
            visits = [Visit(*v) for v in visits]
        elif change == "move":
            key = rng.choice("abc")
            households = {**households, key: Household(rng.choice(["v1", "v2", "v3"]))}
        elif change == "day":
            as_of = AS_OF + dt.timedelta(days=rng.randint(-10, 10))
        ordered = sorted(visits, key=lambda v: v.date)
        counted.clear()
        kept = public._week_counts(ordered, as_of, households, in_order=True)
        if change == "none" and step:
            assert not counted, step  # the very visits, the same villages: nothing counted again
        assert kept == public._week_counts(ordered, as_of, households), (step, change)
