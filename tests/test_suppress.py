"""Small counts and complementary suppression: what a reader can work out from a published table.

`brute_force` is an independent audit: it tries every assignment of the hidden cells (within a bound) that fits
the published cells, the marks (`<3` is 1 or 2, `×` is anything) and the lines, and collects the values each hidden
cell can take. A hidden small count must be able to take at least two.
"""

import itertools

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from careledger.views.suppress import Grid, Suppression, System, _Audit, feasible_values, suppress

K = 3


def grid(rows: dict[str, list[int]]):
    """Cells "v.j", row totals "v.T", column totals "*.j", grand total "*.T": (values, system)."""
    ncols = len(next(iter(rows.values())))
    columns = tuple(str(j) for j in range(ncols))
    values = {}
    for v, counts in rows.items():
        for j, c in enumerate(counts):
            values[f"{v}.{j}"] = c
        values[f"{v}.T"] = sum(counts)
    for j in [*columns, "T"]:
        values[f"*.{j}"] = sum(values[f"{v}.{j}"] for v in rows)
    spec = Grid(rows=tuple(rows), columns=columns, cells={(v, j): f"{v}.{j}" for v in rows for j in columns},
                row_totals={v: f"{v}.T" for v in rows}, column_totals={j: f"*.{j}" for j in columns}, grand="*.T")
    return values, System((spec,))


def shown(values, suppression):
    return {c: suppression.mark(c, v) or str(v) for c, v in values.items()}


def brute_force(values, system, suppression, floors=None, slack=3):
    """Every value each hidden cell can take, by trying them all. Only the cells that are no line's total are
    enumerated (at most max+slack); totals follow from them."""
    lines = system.lines()
    totals = {line.total for line in lines}
    hidden = sorted(suppression.hidden)
    inner = [c for c in hidden if c not in totals]
    top = max(values[c] for c in values if c not in totals) + slack

    def allowed(cell, value) -> bool:
        if value < (floors or {}).get(cell, 0):
            return False
        return 1 <= value <= K - 1 if suppression.mark(cell, values[cell]) == f"<{K}" else value >= 0

    seen = {c: set() for c in hidden}
    for combo in itertools.product(*[[v for v in range(top + 1) if allowed(c, v)] for c in inner]):
        trial = {**values, **dict(zip(inner, combo))}
        for _ in range(3):  # totals of totals: rows, then the grand total
            for line in lines:
                if line.total in suppression.hidden:
                    trial[line.total] = sum(trial[p] for p in line.parts)
        if all(sum(trial[p] for p in line.parts) == trial[line.total] for line in lines) and all(
                allowed(c, trial[c]) for c in hidden):
            for c in hidden:
                seen[c].add(trial[c])
    return seen


def assert_protected(values, system, suppression, floors=None):
    seen = brute_force(values, system, suppression, floors)
    for cell, value in values.items():
        small = 1 <= value <= K - 1
        unlisted = floors is not None and cell in floors and 1 <= value - floors[cell] <= K - 1
        if small or unlisted:
            assert cell in suppression.hidden, f"{cell} = {value} is published"
            assert value in seen[cell] and len(seen[cell]) >= 2, f"{cell} = {value} can be worked out: {seen[cell]}"
        if small:
            assert suppression.mark(cell, value) in (f"<{K}", "×")
        elif cell in suppression.hidden:
            assert suppression.mark(cell, value) == "×"  # a hidden 0 or large count is never shown as <3


# A village with 1 subject of a category, and one with 2 (the "done when").
TABLES = {
    "one subject in a category": {"v1": [1, 4, 5], "v2": [3, 6, 4], "v3": [5, 3, 7]},
    "two subjects in a category": {"v1": [2, 4, 5], "v2": [3, 6, 4], "v3": [5, 3, 7]},
    "one and two in one village": {"v1": [1, 2, 5, 4], "v2": [3, 4, 6, 0], "v3": [5, 0, 7, 3]},
    "a village of one subject": {"v1": [0, 1, 0], "v2": [4, 3, 5], "v3": [6, 3, 4]},
    "a column total of two": {"v1": [1, 4, 5], "v2": [1, 6, 4], "v3": [0, 3, 7]},
    "zeros around a one": {"v1": [1, 0, 0], "v2": [0, 6, 4], "v3": [0, 3, 7]},
    "nothing small": {"v1": [3, 4, 5], "v2": [3, 6, 4], "v3": [5, 3, 7]},
}


@pytest.mark.parametrize("name", TABLES)
def test_no_small_count_can_be_worked_out(name):
    values, system = grid(TABLES[name])
    suppression = suppress(values, system, K)
    assert_protected(values, system, suppression)
    # the solver's own audit agrees with the brute force on every hidden cell
    seen = brute_force(values, system, suppression)
    for cell in suppression.hidden - {line.total for line in system.lines()}:
        assert feasible_values(values, system, suppression, cell, limit=max(values.values()) + 3) == seen[cell]


def test_one_subject_shows_as_less_than_three_and_a_complement_goes_with_it():
    values, system = grid(TABLES["one subject in a category"])
    suppression = suppress(values, system, K)
    table = shown(values, suppression)
    assert table["v1.0"] == "<3"
    row = [table[f"v1.{j}"] for j in range(3)] + [table["v1.T"]]
    column = [table[f"{v}.0"] for v in ("v1", "v2", "v3")] + [table["*.0"]]
    assert row.count("×") + row.count("<3") >= 2 and column.count("×") + column.count("<3") >= 2
    # complements are other villages' cells, not the totals: the category totals stay published
    assert {"v2.0", "v3.0"} & suppression.hidden and not {"*.0", "*.T", "v1.T"} & suppression.hidden


def test_two_subjects_show_as_less_than_three():
    values, system = grid(TABLES["two subjects in a category"])
    suppression = suppress(values, system, K)
    assert shown(values, suppression)["v1.0"] == "<3"
    assert_protected(values, system, suppression)


def test_nothing_small_nothing_hidden():
    values, system = grid(TABLES["nothing small"])
    assert suppress(values, system, K).hidden == frozenset()


def test_marks_alone_can_give_a_count_away_and_then_one_is_not_shown_at_all():
    # Column 0 is 1 + 1 = 2: "<3", "<3" and a total "<3" can only be 1, 1 and 2. One of them must become "×".
    values, system = grid(TABLES["a column total of two"])
    suppression = suppress(values, system, K)
    column = {c: suppression.mark(c, values[c]) for c in ("v1.0", "v2.0", "*.0")}
    assert "×" in column.values(), column
    assert_protected(values, system, suppression)


def test_children_under_the_listed_floor_are_protected_too():
    """The 公示 lists everyone aged 14+, so the listed counts are public: with floors, the unlisted rest (children)
    must not be recoverable either, even where the cell itself is large."""
    values, system = grid({"v1": [4, 3, 6], "v2": [3, 4, 7], "v3": [5, 3, 7]})
    floors, _ = grid({"v1": [4, 3, 5], "v2": [3, 4, 7], "v3": [5, 3, 7]})  # one child in v1, column 2
    suppression = suppress(values, system, K, floors=floors)
    assert {"v1.2", "v1.T", "*.2", "*.T"} & suppression.hidden
    assert suppression.mark("v1.2", 6) == "×"
    assert_protected(values, system, suppression, floors)
    without = suppress(values, system, K)
    assert without.hidden == frozenset()  # no small count: only the 公示 makes the 6 sensitive


def test_a_larger_k():
    values, system = grid({"v1": [4, 6, 5], "v2": [3, 6, 8], "v3": [5, 9, 7]})
    suppression = suppress(values, system, 5)
    assert {"v1.0", "v2.0"} <= suppression.hidden and suppression.mark("v1.0", 4) == "<5"
    assert feasible_values(values, system, suppression, "v2.0") >= {3, 4} or len(
        feasible_values(values, system, suppression, "v2.0")) >= 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4), min_size=3, max_size=3), min_size=2, max_size=3),
       st.sets(st.integers(0, 15), max_size=6), st.booleans())
def test_the_fast_audit_agrees_with_max_flow_and_brute_force(rows, picks, with_floors):
    """`protected` asks only for the true value ± 1 along a residual path; the max-flow audit and the brute force
    try every value: all three agree on every hidden cell of random tables and random choices of hidden cells."""
    values, system = grid({f"v{i}": r for i, r in enumerate(rows)})
    cells = sorted(values)
    hidden = frozenset(cells[i % len(cells)] for i in picks)
    demoted = frozenset(c for c in hidden if 1 <= values[c] <= K - 1 and hash(c) % 3 == 0)
    floors = {c: max(0, v - 1) for c, v in values.items()} if with_floors else None
    suppression = Suppression(hidden, demoted, K)
    audit = _Audit(values, system, K, floors or {})
    seen = brute_force(values, system, suppression, floors)
    for cell in hidden:
        fast = audit.protected((hidden, demoted), cell, floors is not None)
        flow = feasible_values(values, system, suppression, cell, floors=floors, limit=max(values.values()) + 3)
        assert values[cell] in flow and values[cell] in seen[cell]
        assert fast == (len(flow) >= 2) == (len(seen[cell]) >= 2), (cell, flow, seen[cell])


def subject_tables(subjects, categories=3, levels=2):
    """The subject system as `public_tables` builds it (village × category chained with village × level, listed +
    children = all, the 公示 counts as floors) from (village, category, level, listed) tuples."""
    from collections import Counter

    from careledger.views.public_tables import _Grid

    rows = sorted({s[0] for s in subjects})
    shared = {"row_total": "subjects|{row}", "grand": "subjects|*"}
    values, floors, specs = {}, {}, []
    for kind, columns, part in (("category", range(categories), 1), ("level", range(levels), 2)):
        columns = [str(c) for c in columns]
        counts = Counter((s[0], str(s[part])) for s in subjects)
        listed = Counter((s[0], str(s[part])) for s in subjects if s[3])
        grid = _Grid(kind, rows, columns, counts, **shared)
        values.update(grid.values)
        floors.update(_Grid(kind, rows, columns, listed, **shared).values)
        specs.append(grid.spec())
    values.update({"listed": sum(1 for s in subjects if s[3]), "children": sum(1 for s in subjects if not s[3])})
    return values, System(grids=tuple(specs), known="listed", extra="children"), floors


def assert_flow_protected(values, system, suppression, floors, targets):
    """Max-flow from scratch (not the search the solver uses): each target can take its true value and another."""
    for cell, use_floors in targets:
        seen = feasible_values(values, system, suppression, cell, floors=floors if use_floors else None,
                               limit=values[cell] + 1)
        assert values[cell] in seen and len(seen) >= 2, (cell, use_floors, values[cell], seen)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.integers(0, 2), st.integers(0, 1), st.booleans()),
                min_size=1, max_size=24))
def test_subject_tables_with_floors_are_protected(subjects):
    """Random chained subject tables, as published: every small count and every small unlisted rest is protected by
    the exact audit (max-flow), and the solver's own proofs agree."""
    values, system, floors = subject_tables(subjects)
    suppression = suppress(values, system, K, floors=floors)
    targets = _Audit(values, system, K, floors).targets()
    assert {cell for cell, _ in targets} <= suppression.hidden
    assert_flow_protected(values, system, suppression, floors, targets)


def test_a_county_scale_table_is_protected():
    """300 villages of about ten subjects: suppression stays exact at scale (no timing here: bench/suppress.py)."""
    import random

    rng = random.Random(3)
    subjects = [(f"v{v:03d}", rng.choices(range(5), (8, 4, 2, 1, 1))[0], rng.choices(range(3), (5, 3, 1))[0],
                 rng.random() < 0.9) for v in range(300) for _ in range(rng.randint(5, 15))]
    values, system, floors = subject_tables(subjects, categories=5, levels=3)
    suppression = suppress(values, system, K, floors=floors)
    audit = _Audit(values, system, K, floors)
    targets = audit.targets()
    assert len(targets) > 1000
    for cell, use_floors in targets:
        assert audit.protected((suppression.hidden, suppression.demoted), cell, use_floors), cell
    assert_flow_protected(values, system, suppression, floors, targets[::97])
