"""Status rows protected jointly (careledger/views/rates.py): a hidden group's on-time count cannot be pinned from
the shown groups' sums, checked by trying every assignment of on time / late to the subjects."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from careledger.views.rates import MAX, MAX_STATED, MAX_TOP, hidden_groups

K = 3


def readings(groups, values, hidden):
    """For each hidden group, every on-time count that fits all shown sums (brute force over 0/1 per subject)."""
    keys = sorted(set().union(*groups.values()))
    shown = {g: sum(values[a] for a in m) for g, m in groups.items() if g not in hidden and m}
    seen = {g: set() for g in hidden}
    for combo in itertools.product((0, 1), repeat=len(keys)):
        trial = dict(zip(keys, combo))
        if all(sum(trial[a] for a in groups[g]) == n for g, n in shown.items()):
            for g in hidden:
                seen[g].add(sum(trial[a] for a in groups[g]))
    return seen


def stated(groups, values, hidden, g):
    """Every member of g is in a shown group that is all on time or all late."""
    return all(any(a in m and g2 not in hidden and len({values[b] for b in m}) == 1 for g2, m in groups.items())
               for a in groups[g])


def test_a_cadre_of_two_inside_a_village_is_not_its_village_minus_the_other_cadre():
    """村一: five listed; cadre 甲 has three (all on time), cadre 乙 two (one late). 村一 80% minus 甲 100% would give
    乙 one of two: 甲's row is hidden with 乙's, and each of them can still be read two ways."""
    village = frozenset({"a1", "a2", "a3", "a4", "a5"})
    groups = {"*": village | {"b1", "b2", "b3"}, "v:1": village, "v:2": frozenset({"b1", "b2", "b3"}),
              "s:甲": frozenset({"a1", "a2", "a3"}), "s:乙": frozenset({"a4", "a5"})}
    values = {"a1": 1, "a2": 1, "a3": 1, "a4": 0, "a5": 1, "b1": 1, "b2": 1, "b3": 1}
    hidden = hidden_groups(groups, [(values, True)], K)
    assert hidden == {"s:甲", "s:乙"}
    assert all(len(fits) >= 2 for fits in readings(groups, values, hidden).values())


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_no_hidden_group_is_pinned(data):
    n = data.draw(st.integers(4, 9))
    keys = [f"p{i}" for i in range(n)]
    village = {a: data.draw(st.integers(0, 2)) for a in keys}
    cadre = {a: data.draw(st.integers(0, 3)) for a in keys}
    values = {a: data.draw(st.integers(0, 1)) for a in keys}
    groups = {"*": frozenset(keys)}
    groups.update({f"v:{v}": frozenset(a for a in keys if village[a] == v) for v in set(village.values())})
    groups.update({f"s:{c}": frozenset(a for a in keys if cadre[a] == c) for c in set(cadre.values())})
    hidden = hidden_groups(groups, [(values, True)], K)
    assert {g for g, m in groups.items() if 0 < len(m) < K} <= hidden
    for g, fits in readings(groups, values, hidden).items():
        assert sum(values[a] for a in groups[g]) in fits
        assert len(fits) >= 2 or stated(groups, values, hidden, g), (g, groups, values, hidden)


# --- the gap band: a maximum over the group ------------------------------------------------------------------------


def max_readings(groups, values, hidden):
    """For each hidden group, every maximum (band index 0..MAX_TOP) that fits all shown maxima (brute force)."""
    keys = sorted(set().union(*groups.values()))
    shown = {g: max(values[a] for a in m) for g, m in groups.items() if g not in hidden and m}
    seen = {g: set() for g in hidden}
    for combo in itertools.product(range(MAX_TOP + 1), repeat=len(keys)):
        trial = dict(zip(keys, combo))
        if all(max(trial[a] for a in groups[g]) == top for g, top in shown.items()):
            for g in hidden:
                seen[g].add(max(trial[a] for a in groups[g]))
    return seen


def test_a_band_held_by_one_subject_beside_a_lower_shown_cadre_is_hidden():
    """村一: its principal's only subject has 8–14天 (2), its area cadre's three ≤7天 (1): 村一's band of 8–14天
    would give the principal's subject's. The area cadre's row is hidden with it (one of her subjects could then
    hold 村一's band), and 村一's stays."""
    groups = {"v:1": frozenset({"a1", "a2", "a3", "b"}), "s:甲": frozenset({"a1", "a2", "a3"}),
              "s:乙": frozenset({"b"}), "v:2": frozenset({"c1", "c2", "c3"})}
    values = {"a1": 1, "a2": 1, "a3": 1, "b": 2, "c1": 2, "c2": 1, "c3": 3}
    hidden = hidden_groups(groups, [(values, MAX)], K)
    assert hidden == {"s:乙", "s:甲"}
    assert max_readings(groups, values, hidden)["s:乙"] == {0, 1, 2}  # none, ≤7天 or 8–14天


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_no_hidden_band_is_pinned(data):
    n = data.draw(st.integers(4, 6))
    keys = [f"p{i}" for i in range(n)]
    village = {a: data.draw(st.integers(0, 1)) for a in keys}
    cadre = {a: data.draw(st.integers(0, 2)) for a in keys}
    values = {a: data.draw(st.integers(0, MAX_TOP)) for a in keys}
    groups = {f"v:{v}": frozenset(a for a in keys if village[a] == v) for v in set(village.values())}
    groups.update({f"s:{c}": frozenset(a for a in keys if cadre[a] == c) for c in set(cadre.values())})
    hidden = hidden_groups(groups, [(values, MAX)], K)
    assert {g for g, m in groups.items() if 0 < len(m) < K} <= hidden
    shown = {g for g in groups if g not in hidden and groups[g]}
    for g, fits in max_readings(groups, values, hidden).items():
        top = max(values[a] for a in groups[g])
        assert top in fits
        # pinned only where it says "no gap" or every member is in a shown group of ≤7天 or less
        stated = all(any(a in groups[s] and max(values[b] for b in groups[s]) <= MAX_STATED for s in shown)
                     for a in groups[g])
        assert len(fits) >= 2 or top == 0 or stated, (g, groups, values, hidden)


# --- the nearest key, looked up by signature --------------------------------------------------------------------


def walked_nearest(free, keys, members, sig, values):
    """`rates._nearest` as it was before its index (issue 16): every key for every free member."""
    best = None
    for a in free:
        for b in keys:
            if b in members or values[b] == values[a]:
                continue
            differ = sig[a] ^ sig[b]
            if best is None or len(differ) < len(best):
                best = differ
                if len(best) <= 1:
                    return set(best)
    if best is None:
        return {g for a in free for g in sig[a]}
    return set(best)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_nearest_by_signature_is_the_nearest_walked(data):
    from careledger.views.rates import _Near, _nearest

    n = data.draw(st.integers(1, 14))
    keys = [f"p{i:02d}" for i in range(n)]
    shown = [f"g{i}" for i in range(data.draw(st.integers(0, 6)))]
    sig = {a: frozenset(g for g in shown if data.draw(st.booleans())) for a in keys}
    values = {a: data.draw(st.integers(0, 2)) for a in keys}
    members = frozenset(a for a in keys if data.draw(st.booleans()))
    free = sorted(a for a in members if data.draw(st.booleans())) or sorted(members)[:1]
    assert _nearest(free, _Near(keys, sig), members, sig, values) == walked_nearest(free, keys, members, sig, values)
