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

The audit is a flow problem. A two-way table with its margins is a circulation: the grand total flows to the
column totals, each column to its cells, the cells to their row, the rows back to the grand total; two tables that
share their rows and grand total (subjects by category and by level) chain into one circulation. A reader's
knowledge is a lower and an upper bound on each edge, so "can this hidden cell be v?" is "is there a feasible
circulation with that edge fixed to v?", which max-flow answers exactly (a circulation with integer bounds has an
integer solution whenever it has one at all). The values a cell can take form an interval, so "protected" only asks
for the true value ± 1: a path in the residual graph of the true values, one breadth-first search.

Side information (`floors`): the 公示 lists every subject aged 14 or more by name, so a reader can count them; a
cell that also counts children under 14 is then at least the listed number. With floors, a cell whose *unlisted*
part (value − floor) is from 1 to k−1 is a target too, and the audit uses the floors as lower bounds: otherwise the
published total minus the names on the list would give the number of children back.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

SECONDARY_MARK = "×"
TRIM_BUDGET = 3000  # feasibility checks spent on giving back complements that turned out unneeded


@dataclass(frozen=True)
class Line:
    """The parts add up to the total."""

    parts: tuple[str, ...]
    total: str


@dataclass(frozen=True)
class Grid:
    """A two-way table of cell ids: cells by (row, column), row totals, column totals and the grand total."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: Mapping = field(hash=False)  # (row, column) -> cell id
    row_totals: Mapping = field(hash=False)  # row -> cell id
    column_totals: Mapping = field(hash=False)  # column -> cell id
    grand: str

    def lines(self) -> list[Line]:
        out = [Line(tuple(self.cells[r, c] for c in self.columns), self.row_totals[r]) for r in self.rows]
        out += [Line(tuple(self.cells[r, c] for r in self.rows), self.column_totals[c]) for c in self.columns]
        out.append(Line(tuple(self.column_totals[c] for c in self.columns), self.grand))
        out.append(Line(tuple(self.row_totals[r] for r in self.rows), self.grand))
        return out


@dataclass(frozen=True)
class System:
    """One grid, or two that share their rows, row totals and grand total; optionally `grand = known + extra` (the
    subjects listed in the 公示, a number anyone can count, plus the children who are not)."""

    grids: tuple[Grid, ...]
    known: str = ""
    extra: str = ""

    def lines(self) -> list[Line]:
        out = [line for grid in self.grids for line in grid.lines()]
        if self.extra:
            out.append(Line((self.known, self.extra), self.grids[0].grand))
        return out


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


def suppress(values: Mapping[str, int], system: System, k: int, *,
             floors: Mapping[str, int] | None = None) -> Suppression:
    """The cells to hide, and how to show them (`floors` as above)."""
    hidden, demoted = _Audit(dict(values), system, k, dict(floors or {})).solve()
    return Suppression(frozenset(hidden), frozenset(demoted), k)


def feasible_values(values: Mapping[str, int], system: System, suppression: Suppression, cell: str, *,
                    floors: Mapping[str, int] | None = None, limit: int = 50) -> set[int]:
    """Every value of a hidden `cell` (up to `limit`) that fits what a reader sees: the audit, for tests."""
    audit = _Audit(dict(values), system, suppression.k, dict(floors or {}))
    state = (suppression.hidden, suppression.demoted)
    use_floors = floors is not None
    lo, hi = audit.domain(cell, state, use_floors)
    return {v for v in range(lo, min(hi, limit) + 1) if audit.feasible(state, cell, v, use_floors)}


class _Audit:
    def __init__(self, values: dict[str, int], system: System, k: int, floors: dict[str, int]):
        self.values, self.system, self.k, self.floors = values, system, k, floors
        self.known = {system.known} if system.known else set()
        self.lines = system.lines()
        self.upper = 2 * sum(values.values()) + 2 * k + 10  # more than any hidden count can need
        self.totals = {line.total for line in self.lines}
        self.lines_of: dict[str, list[Line]] = {}
        for line in self.lines:
            for cell in (*line.parts, line.total):
                self.lines_of.setdefault(cell, []).append(line)
        self.edges = _edges(system)
        self.ends = {c: (a, b) for a, b, c in self.edges}
        self.checks = 0
        self._residual: dict = {}

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
        """Protect the targets one by one. Hiding more (or showing a `<k` as `×`) only ever widens what a reader
        must allow, so a target once protected stays protected."""
        targets = self.targets()
        hidden, demoted = {cell for cell, _ in targets}, set()

        def safe(h, d, target) -> bool:
            return self.protected((frozenset(h), frozenset(d)), *target)

        for target in targets:
            cell = target[0]
            while not safe(hidden, demoted, target):
                candidates = self.candidates(hidden, cell)
                near = [c for c in candidates if self.shares_line(c, cell)][:12]
                helpful = next((c for c in near if safe(hidden | {c}, demoted, target)), None)
                if helpful:
                    hidden.add(helpful)
                    continue
                marked = sorted((c for c in hidden - demoted
                                 if self.small(c) and (c == cell or self.shares_line(c, cell))),
                                key=lambda c: (c in self.totals, c != cell, c))
                demote = next((c for c in marked if safe(hidden, demoted | {c}, target)), None)
                if demote:
                    demoted.add(demote)
                elif candidates:
                    hidden.add(candidates[0])
                elif marked:
                    demoted.add(marked[0])
                else:
                    raise SuppressionError(f"cannot protect {cell}")
        return self.trim(hidden, demoted, targets)

    def trim(self, hidden: set[str], demoted: set[str], targets) -> tuple[set[str], set[str]]:
        """Give back what the targets turn out not to need: `×` marks of small counts first, then complements
        (totals and large cells first), within a budget of checks."""
        start = self.checks

        def all_safe(h, d) -> bool:
            state = (frozenset(h), frozenset(d))
            return all(self.protected(state, c, f) for c, f in targets)

        for cell in sorted(demoted):
            if self.checks - start > TRIM_BUDGET:
                break
            if all_safe(hidden, demoted - {cell}):
                demoted = demoted - {cell}
        primary = {cell for cell, _ in targets}
        for cell in sorted(hidden - primary, key=lambda c: (c not in self.totals, -self.values[c], c)):
            if self.checks - start > TRIM_BUDGET:
                break
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
        """Some value other than the true one fits everything a reader sees.

        The values a cell can take form an interval around the true one (the circulation's constraint matrix is
        totally unimodular), so it is enough to ask for the true value ± 1; and since the true values are a
        feasible circulation, that is a path in its residual graph: to carry one more unit on the cell's edge u→v,
        the unit must get from v back to u through edges that can change (one less: from u to v)."""
        self.checks += 1
        bounds, graph = self.residual(state, use_floors)
        edge_cell = self.system.grids[0].grand if cell == self.system.extra else cell
        u, v = self.ends[edge_cell]
        lo, hi = bounds[edge_cell]  # for the extra cell: the grand total's, which already holds the extra's bounds
        true = self.values[edge_cell]
        return ((true + 1 <= hi and _reaches(graph, v, u, edge_cell))
                or (true - 1 >= lo and _reaches(graph, u, v, edge_cell)))

    def residual(self, state, use_floors: bool):
        """The bounds of every cell and the residual graph of the true values: node → [(node, cell)] for each edge
        that can carry one more (forward) or one less (backward). Kept for the last few states asked about."""
        key = (state, use_floors)
        if key not in self._residual:
            bounds = self.bounds(state, use_floors)
            graph: dict[str, list[tuple[str, str]]] = {}
            for a, b, c in self.edges:
                c_lo, c_hi = bounds[c]
                if self.values[c] < c_hi:
                    graph.setdefault(a, []).append((b, c))
                if self.values[c] > c_lo:
                    graph.setdefault(b, []).append((a, c))
            if len(self._residual) > 8:
                self._residual.clear()
            self._residual[key] = (bounds, graph)
        return self._residual[key]

    def bounds(self, state, use_floors: bool) -> dict[str, tuple[int, int]]:
        """Every cell's domain, the grand total's narrowed by `grand = known + extra`."""
        bounds = {c: self.domain(c, state, use_floors) for c in self.values}
        system = self.system
        if system.extra:
            known, grand = self.values[system.known], system.grids[0].grand
            bounds[grand] = (max(bounds[grand][0], known + bounds[system.extra][0]),
                             min(bounds[grand][1], known + bounds[system.extra][1]))
        return bounds

    # --- the reader's view: what each cell may be, and the circulation -----------------------------------------

    def domain(self, cell: str, state, use_floors: bool) -> tuple[int, int]:
        """What a reader allows for a cell: its value if published, 1..k−1 for `<k`, anything for `×` (never less
        than the names on the 公示 when floors are used)."""
        hidden, demoted = state[:2]
        if len(state) == 4 and cell == state[2]:  # fixed by a question "can it be this?"
            return state[3], state[3]
        if cell not in hidden or cell in self.known:
            return self.values[cell], self.values[cell]
        if self.small(cell) and cell not in demoted:
            lo, hi = 1, self.k - 1
        else:
            lo, hi = 0, self.upper
        if use_floors and cell in self.floors:
            lo = max(lo, self.floors[cell])
        return lo, hi

    def feasible(self, state, cell: str, value: int, use_floors: bool) -> bool:
        """Is there a reading of the hidden cells that fits everything, with `cell` = `value`?"""
        lo, hi = self.domain(cell, state, use_floors)
        if not lo <= value <= hi:
            return False
        state = (state[0], state[1], cell, value)
        bounds = self.bounds(state, use_floors)
        return _circulation([(u, v, *bounds[c]) for u, v, c in self.edges])


def _edges(system: System) -> list[tuple[str, str, str]]:
    """The circulation of the system: (from node, to node, cell) for every cell."""
    first = system.grids[0]
    edges = [("sum", f"a:{c}", first.column_totals[c]) for c in first.columns]
    edges += [(f"a:{c}", f"r:{r}", first.cells[r, c]) for r in first.rows for c in first.columns]
    if len(system.grids) == 1:
        edges += [(f"r:{r}", "rows", first.row_totals[r]) for r in first.rows]
        edges.append(("rows", "sum", first.grand))
        return edges
    second = system.grids[1]
    assert (second.rows, dict(second.row_totals), second.grand) == (first.rows, dict(first.row_totals), first.grand)
    edges += [(f"r:{r}", f"q:{r}", first.row_totals[r]) for r in first.rows]
    edges += [(f"q:{r}", f"b:{c}", second.cells[r, c]) for r in second.rows for c in second.columns]
    edges += [(f"b:{c}", "bsum", second.column_totals[c]) for c in second.columns]
    edges.append(("bsum", "sum", first.grand))
    return edges


def _reaches(graph: dict[str, list[tuple[str, str]]], start: str, goal: str, without: str) -> bool:
    """Is there a path from `start` to `goal` that does not use the edge of cell `without`?"""
    seen, queue = {start}, deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return True
        for nxt, cell in graph.get(node, ()):
            if cell != without and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False


def _circulation(edges: list[tuple[str, str, int, int]]) -> bool:
    """Is there a flow meeting every edge's (lower, upper) bound with conservation at every node?"""
    graph = _Flow()
    excess: dict[str, int] = {}
    for u, v, lo, hi in edges:
        if lo > hi:
            return False
        if hi > lo:
            graph.add(u, v, hi - lo)
        excess[v] = excess.get(v, 0) + lo
        excess[u] = excess.get(u, 0) - lo
    need = 0
    for node, e in excess.items():
        if e > 0:
            graph.add("⊤", node, e)
            need += e
        elif e < 0:
            graph.add(node, "⊥", -e)
    return graph.max_flow("⊤", "⊥") == need


class _Flow:
    """Dinic's max-flow on a small graph."""

    def __init__(self):
        self.to: list[str] = []
        self.cap: list[int] = []
        self.adj: dict[str, list[int]] = {}

    def add(self, u: str, v: str, capacity: int) -> None:
        self.adj.setdefault(u, []).append(len(self.to))
        self.to.append(v)
        self.cap.append(capacity)
        self.adj.setdefault(v, []).append(len(self.to))
        self.to.append(u)
        self.cap.append(0)

    def max_flow(self, source: str, sink: str) -> int:
        if source not in self.adj or sink not in self.adj:
            return 0
        total = 0
        while True:
            level = {source: 0}
            queue = deque([source])
            while queue:
                u = queue.popleft()
                for e in self.adj[u]:
                    if self.cap[e] > 0 and self.to[e] not in level:
                        level[self.to[e]] = level[u] + 1
                        queue.append(self.to[e])
            if sink not in level:
                return total
            pointer = {u: 0 for u in self.adj}

            def push(u: str, limit: int) -> int:
                if u == sink:
                    return limit
                edges = self.adj[u]
                while pointer[u] < len(edges):
                    e = edges[pointer[u]]
                    v = self.to[e]
                    if self.cap[e] > 0 and level.get(v) == level[u] + 1:
                        pushed = push(v, min(limit, self.cap[e]))
                        if pushed:
                            self.cap[e] -= pushed
                            self.cap[e ^ 1] += pushed
                            return pushed
                    pointer[u] += 1
                return 0

            while True:
                pushed = push(source, 1 << 60)
                if not pushed:
                    break
                total += pushed
