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

import heapq
import itertools
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

SECONDARY_MARK = "×"
TRIM_BUDGET = 3000  # checks spent on giving back complements that turned out unneeded: a floor,
TRIM_PER_CELL = 4  # and this many more per cell of the table


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
    """The audit of one system, holding the state being worked on (the hidden and the demoted cells) as residual
    graphs that change one cell at a time: a question about a state one cell away costs a search, not a rebuild."""

    def __init__(self, values: dict[str, int], system: System, k: int, floors: dict[str, int]):
        self.values, self.system, self.k, self.floors = values, system, k, floors
        self.known = {system.known} if system.known else set()
        self.lines = system.lines()
        self.upper = 2 * sum(values.values()) + 2 * k + 10  # more than any hidden count can need
        self.totals = {line.total for line in self.lines}
        self.lines_of: dict[str, list[int]] = {}
        for i, line in enumerate(self.lines):
            for cell in (*line.parts, line.total):
                self.lines_of.setdefault(cell, []).append(i)
        self.small_key = lambda c: (c in self.totals, c)
        self.smalls = [sorted((c for c in (*line.parts, line.total) if self.small(c)), key=self.small_key)
                       for line in self.lines]
        self.edges = _edges(system)
        self.ends = {c: (a, b) for a, b, c in self.edges}
        self.grand = system.grids[0].grand
        self.checks = 0
        self.hidden: set[str] = set()
        self.demoted: set[str] = set()
        nodes = {n for a, b, _ in self.edges for n in (a, b)}
        self.graphs = [_Residual(nodes) for _ in range(2 if floors else 1)]  # without floors, with floors

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
        picks = _Picks(self)
        for cell, _ in targets:
            self.set(cell, hidden=True)
            picks.take(cell)
        for target in targets:
            cell = target[0]
            while True:
                path, dead = self.search(*target)
                if path:
                    break

                def helps(c: str, *, hidden: bool, demoted: bool) -> bool:
                    if not self.might_help(target, dead, c):
                        return False
                    before = self.state_of(c)
                    self.set(c, hidden=hidden, demoted=demoted)
                    if self.search(*target)[0]:
                        return True
                    self.set(c, *before)
                    return False

                near = picks.near(cell)
                helpful = next((c for c in near if helps(c, hidden=True, demoted=False)), None)
                if helpful:
                    picks.take(helpful)
                    continue
                if any(helps(c, hidden=True, demoted=True) for c in self.marked(cell)):
                    continue
                first = near[0] if near else picks.first()
                marked = None if first else next(self.marked(cell), None)
                if first:
                    self.set(first, hidden=True)
                    picks.take(first)
                elif marked:
                    self.set(marked, hidden=True, demoted=True)
                else:
                    raise SuppressionError(f"cannot protect {cell}")
        return self.trim(targets)

    def marked(self, cell: str):
        """The small counts shown as `<k` on the target's lines, the target first, then the lines' parts before
        their totals: candidates for `×`. Lazily, as the first one usually does."""
        key = self.small_key
        lines = (self.smalls[i] for i in self.lines_of[cell])
        seen = set()
        for c in itertools.chain((cell,), heapq.merge(*lines, key=key)):
            if c not in seen and c in self.hidden and c not in self.demoted and self.small(c):
                seen.add(c)
                yield c

    def might_help(self, target: tuple[str, bool], dead: list, cell: str) -> bool:
        """Can one more change at `cell` protect `target`? Not when the change leaves the target's own bounds alone
        and touches none of the sides its failed search used up: a new path would have to leave such a side (all
        of whose arcs stay inside) through an arc of `cell`."""
        edge = self.edge_of(cell)
        if edge == self.edge_of(target[0]):
            return True
        a, b = self.ends[edge]
        return any(a in side or b in side for side in dead)

    def trim(self, targets) -> tuple[set[str], set[str]]:
        """Give back what the targets turn out not to need: `×` marks of small counts first, then complements
        (totals and large cells first), within a budget of checks. Each target keeps the path that proves it, so
        giving a cell back re-proves only the targets whose path uses that cell."""
        proof: dict[tuple[str, bool], list[str]] = {}
        users: dict[str, set] = {}

        def prove(target) -> bool:
            path = self.search(*target)[0]
            if path is None:
                return False
            for c in proof.get(target, ()):
                users[c].discard(target)
            proof[target] = path
            for c in path:
                users.setdefault(c, set()).add(target)
            return True

        def give_back(cell: str, *, hidden: bool, demoted: bool) -> None:
            before = self.state_of(cell)
            self.set(cell, hidden=hidden, demoted=demoted)
            # a target whose proof fails keeps its old one, which holds again once the cell is hidden again
            if not all(prove(t) for t in list(users.get(self.edge_of(cell), ()))):
                self.set(cell, *before)

        for target in targets:
            if not prove(target):
                raise AssertionError(f"{target[0]} left unprotected")
        budget = self.checks + TRIM_BUDGET + TRIM_PER_CELL * len(self.values)
        primary = {cell for cell, _ in targets}
        for cell in sorted(self.demoted):
            if self.checks < budget:
                give_back(cell, hidden=True, demoted=False)
        for cell in sorted(self.hidden - primary, key=lambda c: (c not in self.totals, -self.values[c], c)):
            if self.checks < budget:
                give_back(cell, hidden=False, demoted=cell in self.demoted)
        return set(self.hidden), set(self.demoted)

    # --- the state worked on, and the question asked of it ----------------------------------------------------

    def edge_of(self, cell: str) -> str:
        """The edge that carries a cell: the extra's is the grand total's (grand = known + extra)."""
        return self.grand if cell == self.system.extra else cell

    def state_of(self, cell: str) -> tuple[bool, bool]:
        return cell in self.hidden, cell in self.demoted

    def set(self, cell: str, hidden: bool, demoted: bool = False) -> None:
        """Hide or publish one cell (and show it as `×` or not), updating only its edge's arcs."""
        for group, member in ((self.hidden, hidden), (self.demoted, demoted)):
            if member:
                group.add(cell)
            else:
                group.discard(cell)
        edge = self.edge_of(cell)
        if edge not in self.ends:  # the known cell: never hidden
            return
        a, b = self.ends[edge]
        for f, graph in enumerate(self.graphs):
            lo, hi = self.bounds_now(edge, bool(f))
            graph.arc(a, b, edge, self.values[edge] < hi)
            graph.arc(b, a, edge, self.values[edge] > lo)

    def goto(self, hidden, demoted) -> None:
        for cell in (self.hidden ^ set(hidden)) | (self.demoted ^ set(demoted)):
            self.set(cell, cell in hidden, cell in demoted)

    def bounds_now(self, cell: str, use_floors: bool) -> tuple[int, int]:
        """A cell's domain in the current state, the grand total's narrowed by `grand = known + extra`."""
        state = (self.hidden, self.demoted)
        lo, hi = self.domain(cell, state, use_floors)
        if self.system.extra and cell == self.grand:
            known = self.values[self.system.known]
            extra_lo, extra_hi = self.domain(self.system.extra, state, use_floors)
            lo, hi = max(lo, known + extra_lo), min(hi, known + extra_hi)
        return lo, hi

    def protected(self, state, cell: str, use_floors: bool) -> bool:
        """Some value other than the true one fits everything a reader sees (in `state`)."""
        self.goto(*state[:2])
        return self.search(cell, use_floors)[0] is not None

    def search(self, cell: str, use_floors: bool) -> tuple[list[str] | None, list]:
        """The cells along which `cell` can move by one in the current state (its own edge first), or None and the
        sides of the failed searches, which no arc leaves.

        The values a cell can take form an interval around the true one (the circulation's constraint matrix is
        totally unimodular), so it is enough to ask for the true value ± 1; and since the true values are a
        feasible circulation, that is a path in its residual graph: to carry one more unit on the cell's edge u→v,
        the unit must get from v back to u through edges that can change (one less: from u to v)."""
        self.checks += 1
        edge = self.edge_of(cell)
        u, v = self.ends[edge]
        graph = self.graphs[1 if use_floors and self.floors else 0]
        lo, hi = self.bounds_now(edge, use_floors)  # for the extra cell: the grand total's, holding the extra's
        true, dead = self.values[edge], []
        for ok, start, goal in ((true + 1 <= hi, v, u), (true - 1 >= lo, u, v)):
            if ok:
                path, side = graph.path(start, goal)
                if path is not None:
                    return [edge, *path], []
                dead.append(side)
        return None, dead

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

    def bounds(self, state, use_floors: bool) -> dict[str, tuple[int, int]]:
        """Every cell's domain, the grand total's narrowed by `grand = known + extra`."""
        bounds = {c: self.domain(c, state, use_floors) for c in self.values}
        system = self.system
        if system.extra:
            known, grand = self.values[system.known], system.grids[0].grand
            bounds[grand] = (max(bounds[grand][0], known + bounds[system.extra][0]),
                             min(bounds[grand][1], known + bounds[system.extra][1]))
        return bounds

    def feasible(self, state, cell: str, value: int, use_floors: bool) -> bool:
        """Is there a reading of the hidden cells that fits everything, with `cell` = `value`? (Max-flow, from
        scratch: the independent audit the tests hold the search to.)"""
        lo, hi = self.domain(cell, state, use_floors)
        if not lo <= value <= hi:
            return False
        state = (state[0], state[1], cell, value)
        bounds = self.bounds(state, use_floors)
        return _circulation([(u, v, *bounds[c]) for u, v, c in self.edges])


class _Picks:
    """The cells not yet hidden, in the order complements are chosen (totals last, then zeros, then by value): per
    line and overall, so the next few candidates of a target come without sorting the table."""

    def __init__(self, audit: _Audit):
        values, totals = audit.values, audit.totals
        self.key = lambda c: (c in totals, values[c] == 0, values[c], c)
        self.audit = audit
        free = [c for c in values if c not in audit.known]
        self.lines = [_Order(sorted((c for c in (*line.parts, line.total) if c not in audit.known), key=self.key))
                      for line in audit.lines]
        self.all = _Order(sorted(free, key=self.key))

    def take(self, cell: str) -> None:
        self.all.take(cell)
        for i in self.audit.lines_of.get(cell, ()):
            self.lines[i].take(cell)

    def near(self, cell: str, n: int = 12) -> list[str]:
        """The first n free cells that share a line with `cell`."""
        pool = {c for i in self.audit.lines_of[cell] for c in self.lines[i].first(n)} - {cell}
        return sorted(pool, key=self.key)[:n]

    def first(self) -> str | None:
        found = self.all.first(1)
        return found[0] if found else None


class _Order:
    """Cells in a fixed order, some taken for good; finds the first ones not taken, skipping each taken run once."""

    def __init__(self, cells: list[str]):
        self.cells = cells
        self.index = {c: i for i, c in enumerate(cells)}
        self.skip = list(range(len(cells) + 1))  # skip[i] == i: cells[i] is free (or i is the end)

    def take(self, cell: str) -> None:
        i = self.index.get(cell)
        if i is not None:
            self.skip[i] = i + 1

    def _free(self, i: int) -> int:
        skip = self.skip
        while skip[i] != i:
            skip[i] = skip[skip[i]]
            i = skip[i]
        return i

    def first(self, n: int) -> list[str]:
        out, i = [], self._free(0)
        while i < len(self.cells) and len(out) < n:
            out.append(self.cells[i])
            i = self._free(i + 1)
        return out


class _Residual:
    """The residual graph of the true values: node → {node: cell} for each edge that can carry one more (forward)
    or one less (backward), kept both ways for searches from either end. No two cells join the same two nodes."""

    def __init__(self, nodes):
        self.out: dict[str, dict[str, str]] = {n: {} for n in nodes}
        self.inn: dict[str, dict[str, str]] = {n: {} for n in nodes}

    def arc(self, x: str, y: str, cell: str, present: bool) -> None:
        if present:
            self.out[x][y] = self.inn[y][x] = cell
        else:
            self.out[x].pop(y, None)
            self.inn[y].pop(x, None)

    def path(self, start: str, goal: str):
        """(cells of a path from start to goal that does not take the arc start→goal, None) or (None, the set of
        nodes one end reaches, which no arc leaves). Searches from both ends, each time growing the side whose
        next layer has fewer arcs: a dead end costs about as much as the smaller side."""
        out, inn = self.out, self.inn
        ahead, behind = {start: None}, {goal: None}  # node → (previous node, cell), from start / towards goal
        queue_a, queue_b = [start], [goal]
        cost_a, cost_b = len(out[start]), len(inn[goal])
        while True:
            if cost_a <= cost_b:
                if not queue_a:
                    return None, ahead
                queue_a, cost_a, meet = _layer(queue_a, ahead, behind, out, (start, goal))
                if meet:
                    return _cells(ahead, meet[0]) + meet[1] + _cells(behind, meet[2]), None
            else:
                if not queue_b:
                    return None, behind
                queue_b, cost_b, meet = _layer(queue_b, behind, ahead, inn, (goal, start))
                if meet:
                    return _cells(ahead, meet[2]) + meet[1] + _cells(behind, meet[0]), None


def _layer(queue, mine: dict, theirs: dict, adjacent: dict, barred: tuple[str, str]):
    """Grow one side of a two-ended search by a layer: (next layer, its arcs, meeting or None). A meeting is (node
    on this side, [cell of the arc between], node on the other side); a new node whose arcs reach the other side
    meets it at once, a step early."""
    layer, cost = [], 0
    for x in queue:
        for y, cell in adjacent[x].items():
            if y in mine or (x, y) == barred:
                continue
            mine[y] = (x, cell)
            if y in theirs:
                return layer, cost, (y, [], y)
            arcs = adjacent[y]
            if not theirs.keys().isdisjoint(arcs.keys()):
                z = next(z for z in arcs if z in theirs)
                return layer, cost, (y, [arcs[z]], z)
            layer.append(y)
            cost += len(arcs)
    return layer, cost, None


def _cells(came: dict, node: str) -> list[str]:
    """The cells on the way from a search's end to `node`."""
    cells = []
    while came[node] is not None:
        node, cell = came[node]
        cells.append(cell)
    return cells


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
