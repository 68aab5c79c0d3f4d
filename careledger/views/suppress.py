"""Small-count suppression with complementary (secondary) suppression, checked by an exact audit.

A published table is a set of cells (ids → counts) tied by lines: the parts of a line add up to its total (a row
and its row total, a column and its column total). A count from 1 to k−1 can point at a person, so it is hidden
and shown as `<k` (the *primary* cells). Hiding one cell of a line is not enough: the total minus the other cells
gives it back. So other cells are hidden too (*complementary* cells, shown as `×`), until an audit shows that no
hidden small count can be worked out from what is published.

The audit is exact, not a rule of thumb. It reads the table as a reader would: every published cell is a known
number; a `<k` cell is some number from 1 to k−1; a `×` cell is not published at all and may be any number; and
the lines hold. A hidden small count is *protected* when at least two values of it fit all of that. Complements are
added, smallest first and from the target's own lines first (the usual "suppress the next-smallest cell too"),
until every target is protected. Where the `<k` marks alone give a count away (a line whose total is `<3` and
whose two parts are `<3` must be 1 + 1 = 2), one of those small counts is shown as `×` instead: it is then not
published at all, which the rule allows.

Side information (`floors`): the 公示 lists every subject aged 14 or more by name, so a reader can count them; a
cell that also counts children under 14 is then at least the listed number. With floors, a cell whose *unlisted*
part (value − floor) is from 1 to k−1 is a target too, and the audit uses the floors as lower bounds: otherwise the
published total minus the names on the list would give the number of children back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SECONDARY_MARK = "×"
_BUDGET = 20000  # search nodes per feasibility question; running out counts as "not feasible" (the safe side)


@dataclass(frozen=True)
class Line:
    """The parts add up to the total."""

    parts: tuple[str, ...]
    total: str


class SuppressionError(Exception):
    """No set of complements protects every small count (only possible when known cells pin one down)."""


def primary_mark(k: int) -> str:
    return f"<{k}"


@dataclass(frozen=True)
class Suppression:
    """The hidden cells, and among the small ones those shown as `×` rather than `<k`."""

    hidden: frozenset[str]
    demoted: frozenset[str]
    k: int

    def mark(self, cell: str, value: int) -> str | None:
        """What the cell shows instead of its value, or None when it is published."""
        if cell not in self.hidden:
            return None
        if 1 <= value <= self.k - 1 and cell not in self.demoted:
            return primary_mark(self.k)
        return SECONDARY_MARK


def suppress(values: Mapping[str, int], lines: Iterable[Line], k: int, *, known: Iterable[str] = (),
             floors: Mapping[str, int] | None = None) -> Suppression:
    """The cells to hide. `known` cells are public anyway (never hidden, never a help); `floors` as above."""
    table = _Table(dict(values), tuple(lines), k, frozenset(known), dict(floors or {}))
    hidden, demoted = table.solve()
    return Suppression(frozenset(hidden), frozenset(demoted), k)


def feasible_values(values: Mapping[str, int], lines: Iterable[Line], suppression: Suppression, cell: str, *,
                    known: Iterable[str] = (), floors: Mapping[str, int] | None = None,
                    limit: int = 50) -> set[int]:
    """Every value of a hidden `cell` (up to `limit`) that fits what a reader sees: the audit, for tests."""
    table = _Table(dict(values), tuple(lines), suppression.k, frozenset(known), dict(floors or {}))
    state = (suppression.hidden, suppression.demoted)
    use_floors = floors is not None
    lo, hi = table.domain(cell, state, use_floors)
    return {v for v in range(lo, min(hi, limit) + 1) if table.feasible(state, cell, v, use_floors)}


class _Table:
    def __init__(self, values: dict[str, int], lines: tuple[Line, ...], k: int, known: frozenset[str],
                 floors: dict[str, int]):
        self.values, self.lines, self.k, self.known, self.floors = values, lines, k, known, floors
        self.upper = sum(values.values()) + k  # no hidden count can need more than this
        self.totals = {line.total for line in lines}
        self.lines_of: dict[str, list[Line]] = {}
        for line in lines:
            for cell in (*line.parts, line.total):
                self.lines_of.setdefault(cell, []).append(line)

    # --- what must be protected, and the search for complements ---------------------------------------------

    def small(self, cell: str) -> bool:
        return 1 <= self.values[cell] <= self.k - 1

    def targets(self) -> list[tuple[str, bool]]:
        """(cell, with floors?) for every count that must not be worked out."""
        out = []
        for cell in sorted(self.values):
            if cell in self.known:
                continue
            if self.small(cell):
                out.append((cell, False))
            if cell in self.floors and 1 <= self.values[cell] - self.floors[cell] <= self.k - 1:
                out.append((cell, True))
        return out

    def solve(self) -> tuple[set[str], set[str]]:
        targets = self.targets()
        hidden, demoted = {cell for cell, _ in targets}, set()

        def safe(h, d, target) -> bool:
            return self.protected((frozenset(h), frozenset(d)), *target)

        for _ in range(2 * len(self.values) + 2):
            unsafe = next((t for t in targets if not safe(hidden, demoted, t)), None)
            if unsafe is None:
                return self.trim(hidden, demoted, targets)
            cell = unsafe[0]
            candidates = self.candidates(hidden, cell)
            near = [c for c in candidates if self.shares_line(c, cell)]
            helpful = next((c for c in near if safe(hidden | {c}, demoted, unsafe)), None)
            if helpful:
                hidden.add(helpful)
                continue
            marked = sorted((c for c in hidden - demoted if self.small(c) and (c == cell or self.shares_line(c, cell))),
                            key=lambda c: (c in self.totals, c != cell, c))
            demote = next((c for c in marked if safe(hidden, demoted | {c}, unsafe)), None)
            if demote:
                demoted.add(demote)
            elif candidates:
                hidden.add(candidates[0])
            elif marked:
                demoted.add(marked[0])
            else:
                raise SuppressionError(f"cannot protect {cell}")
        raise SuppressionError("suppression did not settle")  # pragma: no cover - every round hides or demotes one

    def trim(self, hidden: set[str], demoted: set[str], targets) -> tuple[set[str], set[str]]:
        """Give back what the targets turn out not to need: `<k` marks first, then complements (totals and large
        cells first)."""
        def all_safe(h, d) -> bool:
            return all(self.protected((frozenset(h), frozenset(d)), c, f) for c, f in targets)

        for cell in sorted(demoted):
            if all_safe(hidden, demoted - {cell}):
                demoted = demoted - {cell}
        primary = {cell for cell, _ in targets}
        for cell in sorted(hidden - primary, key=lambda c: (c not in self.totals, -self.values[c], c)):
            if all_safe(hidden - {cell}, demoted):
                hidden = hidden - {cell}
        return hidden, demoted

    def candidates(self, hidden: set[str], target: str) -> list[str]:
        free = [c for c in self.values if c not in hidden and c not in self.known]
        return sorted(free, key=lambda c: (not self.shares_line(c, target), c in self.totals,
                                           self.values[c] == 0, self.values[c], c))

    def shares_line(self, a: str, b: str) -> bool:
        return any(b in (*line.parts, line.total) for line in self.lines_of.get(a, ()))

    def protected(self, state, cell: str, use_floors: bool) -> bool:
        """Some value other than the true one fits everything a reader sees."""
        true = self.values[cell]
        lo, hi = self.domain(cell, state, use_floors)
        others = sorted((v for v in range(max(lo, true - 4), min(hi, true + 4) + 1) if v != true),
                        key=lambda v: (abs(v - true), v))
        return any(self.feasible(state, cell, v, use_floors) for v in others)

    # --- the reader's view: domains, equations, search ------------------------------------------------------

    def domain(self, cell: str, state, use_floors: bool) -> tuple[int, int]:
        """The values a reader allows for a hidden cell: 1..k−1 for `<k`, anything for `×` (at least its floor)."""
        hidden, demoted = state
        if cell in hidden and self.small(cell) and cell not in demoted:
            lo, hi = 1, self.k - 1
        else:
            lo, hi = 0, self.upper
        if use_floors and cell in self.floors:
            lo = max(lo, self.floors[cell])
        return lo, hi

    def feasible(self, state, cell: str, value: int, use_floors: bool) -> bool:
        """Can the hidden cells take values that fit every line, with `cell` = `value`?"""
        hidden = {c for c in state[0] if c not in self.known} | {cell}
        lo, hi = self.domain(cell, state, use_floors)
        if not lo <= value <= hi:
            return False
        domains = {c: self.domain(c, state, use_floors) for c in hidden}
        domains[cell] = (value, value)
        equations = []
        for line in self.lines:
            terms: dict[str, int] = {}
            constant = 0
            for c, sign in [(p, 1) for p in line.parts] + [(line.total, -1)]:
                if c in domains:
                    terms[c] = terms.get(c, 0) + sign
                else:
                    constant += sign * self.values[c]
            if not terms:
                if constant:
                    return False
                continue
            equations.append((tuple(terms.items()), -constant))
        self.budget = _BUDGET
        return self._search(domains, equations)

    def _search(self, domains: dict, equations: list) -> bool:
        self.budget -= 1
        if self.budget < 0:
            return False
        domains = _propagate(dict(domains), equations)
        if domains is None:
            return False
        open_ = [(hi - lo, c) for c, (lo, hi) in domains.items() if lo != hi]
        if not open_:
            return True
        _, cell = min(open_)
        lo, hi = domains[cell]
        if hi - lo <= 8:
            branches = [(v, v) for v in range(lo, hi + 1)]
        else:
            mid = (lo + hi) // 2
            branches = [(lo, mid), (mid + 1, hi)]
        return any(self._search({**domains, cell: branch}, equations) for branch in branches)


def _propagate(domains: dict, equations: list) -> dict | None:
    """Narrow every domain by every line until nothing changes; None when a line cannot hold."""
    changed = True
    while changed:
        changed = False
        for terms, rhs in equations:
            low = sum(domains[c][0] if a > 0 else -domains[c][1] for c, a in terms)
            high = sum(domains[c][1] if a > 0 else -domains[c][0] for c, a in terms)
            if low > rhs or high < rhs:
                return None
            for c, a in terms:
                lo, hi = domains[c]
                own_low, own_high = (lo, hi) if a > 0 else (-hi, -lo)
                rest_low, rest_high = low - own_low, high - own_high
                # a·x = rhs − rest, with a = ±1
                x_lo, x_hi = (rhs - rest_high, rhs - rest_low) if a > 0 else (rest_low - rhs, rest_high - rhs)
                new = (max(lo, x_lo), min(hi, x_hi))
                if new[0] > new[1]:
                    return None
                if new != (lo, hi):
                    domains[c] = new
                    changed = True
                    low, high = rest_low + (new[0] if a > 0 else -new[1]), rest_high + (new[1] if a > 0 else -new[0])
    return domains
