"""Which status rows may show their rate, band and warnings: groups of listed subjects, protected jointly.

A status row describes a group of listed subjects: the county (the headline), a village, a cadre (all her listed
subjects). Anyone can tell who is in each group (the 公示 names the subjects, their village and their cadres), and
a row shows two sums over its group: subjects visited on time (the rate; exact below 200 subjects) and warnings
this month. A group of fewer than k is not shown, but sums of overlapping groups can give it back: a cadre's
county-wide row minus her other villages, a village minus its other cadres, the county minus the other villages.

The rule: a hidden group is safe when some member `a` has a *twin* `b` outside it — in exactly the same shown groups
— with a different value (on time or not; another number of warnings). Swapping their values changes no shown sum
and changes the hidden group's, so no reader can pin it. Where a hidden group has no twin, the shown groups that
tell its nearest candidate apart are hidden too, and the check runs again. A member whose value a shown group
already states (a shown 100% or 0% rate, a shown 0 warnings) needs no twin: that row says it of all its members.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping


def hidden_groups(groups: Mapping[str, frozenset], measures: list[tuple[Mapping, bool]], k: int) -> set[str]:
    """The groups whose sums are not shown. `groups`: id → member keys; `measures`: (key → value, whether the value
    is 0 or 1 by nature), one per sum shown (on time; warnings, any number). Every group of 1 to k−1 members is
    hidden, and more as needed."""
    hidden = {g for g, members in groups.items() if 0 < len(members) < k}
    keys = sorted(set().union(*groups.values())) if groups else []
    member_of: dict = {key: [] for key in keys}
    for g, members in groups.items():
        for key in members:
            member_of[key].append(g)
    while True:
        shown = {g for g in groups if g not in hidden and groups[g]}
        sig = {key: frozenset(g for g in member_of[key] if g in shown) for key in keys}
        more: set[str] = set()
        for values, binary in measures:
            stated = _stated(groups, shown, values, binary)
            by_sig: dict = {}
            for key in keys:
                by_sig.setdefault(sig[key], Counter())[values[key]] += 1
            for g in sorted(hidden):
                free = [a for a in sorted(groups[g]) if a not in stated]
                if not free or more & {h for a in free for h in sig[a]}:
                    continue
                inside: dict = {}
                for a in groups[g]:
                    inside.setdefault(sig[a], Counter())[values[a]] += 1
                if any(_twin(by_sig[sig[a]], inside[sig[a]], values[a]) for a in free):
                    continue
                more |= _nearest(free, keys, groups[g], sig, values)
        if not more:
            return hidden
        hidden |= more


def _stated(groups, shown, values, binary: bool) -> set:
    """Members whose value a shown group states outright: every member of it has 0, or (a 0/1 measure) every
    member has 1: a shown 0% or 100% rate, a shown 0 warnings."""
    out = set()
    for g in shown:
        seen = {values[a] for a in groups[g]}
        if seen == {0} or (binary and seen == {1}):
            out |= groups[g]
    return out


def _twin(all_with_sig: Counter, inside_with_sig: Counter, value) -> bool:
    """Is there a key with this signature, outside the group, with another value?"""
    return any(n - inside_with_sig.get(v, 0) > 0 for v, n in all_with_sig.items() if v != value)


def _nearest(free, keys, members, sig, values) -> set[str]:
    """The shown groups that tell a free member from the nearest key outside with another value (all the groups
    of the free members when there is none)."""
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
