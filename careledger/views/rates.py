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

The longest-gap band is a third figure, a maximum rather than a sum (`MAX`): a village's band of 8–14天 beside
its one shown cadre's ≤7天 says the other cadre's only subject has a gap of 8–14 days. A hidden group's maximum is
free when it can move without moving a shown one: down (every member holding it can be lowered: each shown group
holding one of them has a greater maximum, or a member outside the hidden group that could hold that maximum —
none of its shown groups is lower) or up (a member all of whose shown groups have a greater maximum). Where neither
holds, the fewest shown groups that keep a member outside from holding that maximum are hidden (a cadre's row
rather than her village's), or the shown group itself when it has nobody outside. A shown band of `MAX_STATED` or
less (no gap; ≤7天) states its members' bands. The county's group counts as shown here although the headline shows
no band: that errs on the side of hiding.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping


MAX = "max"  # a measure whose figure is the group's greatest value (the gap band), not its sum
MAX_STATED = 1  # a shown maximum this low states every member's value (band indexes: 0 no gap, 1 ≤7天)
MAX_TOP = 4  # the greatest value a maximum's members can have (>30天)


def hidden_groups(groups: Mapping[str, frozenset], measures: list[tuple[Mapping, bool | str]], k: int) -> set[str]:
    """The groups whose figures are not shown. `groups`: id → member keys; `measures`: (key → value, whether the
    value is 0 or 1 by nature, or MAX for a maximum), one per figure shown (on time; warnings, any number; the gap
    band). Every group of 1 to k−1 members is hidden, and more as needed."""
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
        near = None  # the keys by signature, made when first needed in this pass
        for values, binary in measures:
            stated = _stated(groups, shown, values, binary)
            peak = {g: max(values[a] for a in groups[g]) for g in shown} if binary == MAX else {}
            outsiders = _Outsiders(groups, sig, peak)
            by_sig: dict = {}
            for key in keys:
                by_sig.setdefault(sig[key], Counter())[values[key]] += 1
            for g in sorted(hidden):
                free = [a for a in sorted(groups[g]) if a not in stated]
                if not free or more & {h for a in free for h in sig[a]}:
                    continue
                if binary == MAX:
                    more |= _max_pinned_by(groups, groups[g], values, sig, peak, outsiders)
                    continue
                inside: dict = {}
                for a in groups[g]:
                    inside.setdefault(sig[a], Counter())[values[a]] += 1
                if any(_twin(by_sig[sig[a]], inside[sig[a]], values[a]) for a in free):
                    continue
                near = near or _Near(keys, sig)
                more |= _nearest(free, near, groups[g], sig, values)
        if not more:
            return hidden
        hidden |= more


def _stated(groups, shown, values, binary) -> set:
    """Members whose value a shown group states outright: every member of it has 0, or (a 0/1 measure) every
    member has 1: a shown 0% or 100% rate, a shown 0 warnings; a shown maximum of MAX_STATED or less."""
    out = set()
    for g in shown:
        seen = {values[a] for a in groups[g]}
        if binary == MAX:
            if max(seen) <= MAX_STATED:
                out |= groups[g]
        elif seen == {0} or (binary and seen == {1}):
            out |= groups[g]
    return out


def _max_pinned_by(groups, members, values, sig, peak, outsiders: "_Outsiders") -> set[str]:
    """The shown groups that pin the members' maximum (none if it can move: see the module's doc). `peak`: each
    shown group's maximum; `outsiders`: the same pass's `_Outsiders`."""
    top = max(values[a] for a in members)
    if top == 0:  # no gap at all: the policy's categories tell that anyway
        return set()
    if top < MAX_TOP and any(all(peak[s] > top for s in sig[a]) for a in members):
        return set()  # a member can be raised above it
    holders = [a for a in members if values[a] == top]
    pinned_by = set()
    for s in {s for a in holders for s in sig[a] if peak[s] == top}:
        if groups[s] <= members:  # nobody outside
            pinned_by.add(s)
        elif outsiders.free(s) <= members:
            # nobody outside can hold it: hide what keeps the nearest from it (often a cadre's row)
            pinned_by |= next(lower for b, lower in outsiders.nearest(s) if b not in members)
    return pinned_by


class _Outsiders:
    """Who in a shown group could hold its maximum `top` (= its peak): for each member b, `lower(b)`, the shown groups
    that keep b from it (those whose maximum is below `top`). `free(s)` gives the members with none (free to hold
    it); `nearest(s)` the members with their lower groups, fewest first (ties by key, so that the result does not
    depend on the hash seed), needed only when no member outside a hidden group is free. Worked out once per group
    and pass, not once per hidden group in it: the county's group holds every listed subject, and a county has
    thousands of hidden groups."""

    def __init__(self, groups, sig, peak):
        self.groups, self.sig, self.peak = groups, sig, peak
        self._free: dict[str, frozenset] = {}
        self._nearest: dict[str, list] = {}

    def free(self, s: str) -> frozenset:
        if s not in self._free:
            top, peak, sig = self.peak[s], self.peak, self.sig
            self._free[s] = frozenset(b for b in self.groups[s] if all(peak[g] >= top for g in sig[b]))
        return self._free[s]

    def nearest(self, s: str) -> list[tuple[str, set[str]]]:
        if s not in self._nearest:
            top = self.peak[s]
            lowers = [(b, {g for g in self.sig[b] if self.peak[g] < top}) for b in self.groups[s]]
            # ties by the member's key: a frozenset's order follows the process's hash seed, and two builds of
            # the same records must hide the same rows (a reader who keeps both would see both)
            self._nearest[s] = sorted(lowers, key=lambda bl: (len(bl[1]), bl[0]))
        return self._nearest[s]


def _twin(all_with_sig: Counter, inside_with_sig: Counter, value) -> bool:
    """Is there a key with this signature, outside the group, with another value?"""
    return any(n - inside_with_sig.get(v, 0) > 0 for v, n in all_with_sig.items() if v != value)


def _nearest(free, near: "_Near", members, sig, values) -> set[str]:
    """The shown groups that tell a free member from the nearest key outside with another value (all the groups
    of the free members when there is none). The nearest: of the pairs (free member, key) in that order (free
    members as given, keys in order) the first that differs in at most one group, else the first of those that
    differ in the fewest groups. Keys are looked for by signature: those one group or less away first."""
    for a in free:
        mine = sig[a]
        close = [mine, *(mine - {g} for g in mine), *near.wider.get(mine, ())]  # no group or one apart
        found = [b for s in close if (b := near.first(s, members, values, values[a])) is not None]
        if found:
            return set(mine ^ sig[min(found)])
    best = None  # (groups apart, free member, key): none is one group or less apart
    for a in free:
        mine = sig[a]
        pairs = [(len(mine ^ s), b) for s in near.by_sig if (b := near.first(s, members, values, values[a])) is not None]
        if pairs:
            apart, b = min(pairs)
            if best is None or apart < best[0]:
                best = (apart, a, b)
    if best is None:
        return {g for a in free for g in sig[a]}
    return set(sig[best[1]] ^ sig[best[2]])


class _Near:
    """The keys of each signature (the shown groups a key is in), in key order, and the signatures one group wider
    than another: a pass's index for `_nearest`, whose every hidden group would otherwise walk every key."""

    def __init__(self, keys, sig):
        self.by_sig: dict[frozenset, list] = {}
        for key in keys:
            self.by_sig.setdefault(sig[key], []).append(key)
        self.wider: dict[frozenset, list] = {}
        for s in self.by_sig:
            for g in s:
                self.wider.setdefault(s - {g}, []).append(s)

    def first(self, s, members, values, value):
        """The first key of signature `s`, outside `members`, whose value is not `value` (None: none)."""
        for b in self.by_sig.get(s, ()):
            if values[b] != value and b not in members:
                return b
        return None
