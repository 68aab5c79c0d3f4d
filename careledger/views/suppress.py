"""Small-count suppression with complementary (secondary) suppression, checked by an exact audit.

Since issue 14 the published site does not use this table-by-table audit: a reader who also uses the household
table and the status rows could solve what it left (docs/privacy.md, "The published numbers"); the site suppresses
whole village rows jointly (`joint.py`). It is kept for `bench/suppress.py`'s comparison and `SuppressionError`.

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
for the true value ± 1: a cycle through the cell's edge in the residual graph of the true values.

Cost, for tables of thousands of villages: the residual graph is kept for the state being worked on and changed
one cell at a time (a state tried differs from it by one cell); a search grows from both ends of the cell's edge
and stops at the first cycle, or when one end runs out, and then only cells touching the side it used up can help;
a cycle found proves every target on it; and each target keeps its cycle as a proof, so giving back a complement
re-checks only the targets whose cycle uses it. Every proof is checked arc by arc against the final state, from the
cells' bounds alone. Figures: docs/performance.md.

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
FEW = 64  # arcs of a node the search looks two steps past (row nodes; column nodes have thousands)
TRIES = 12  # complements (and `×` marks) tried one at a time for a target before taking one that only may help
TRIM_BUDGET = 3000  # checks spent giving back complements that turned out unneeded, plus
TRIM_PER_CELL = 4  # this many per cell of the table


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
        self.edges = _edges(system)
        self.ends = {c: (a, b) for a, b, c in self.edges}
        self.grand = system.grids[0].grand
        self.incident: dict[str, set[str]] = {}  # node → the cells whose change changes an arc there
        for cell in (*self.ends, system.extra):
            if cell:
                for node in self.ends[self.edge_of(cell)]:
                    self.incident.setdefault(node, set()).add(cell)
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
        for cell, _ in targets:
            self.set(cell, hidden=True)
        on_edge: dict[tuple[str, int], list] = {}  # (edge, graph) → the targets that edge carries
        for target in targets:
            on_edge.setdefault((self.edge_of(target[0]), self.graph_of(target[1])), []).append(target)
        proofs = {}
        for target in targets:
            while target not in proofs:
                proof, dead = self.search(*target)
                if not proof:
                    self.complement(target, dead)
                    continue
                # the cycle proves every target on it (a cycle through a cell lets it move): fewer searches
                node, cells = proof
                for i, c in enumerate(cells):
                    for other in on_edge.get((c, self.graph_of(target[1])), ()):
                        proofs.setdefault(other, (node, cells[i:] + cells[:i]))
                    node = self.other_end(c, node)
        return self.trim(targets, proofs)

    def complement(self, target: tuple[str, bool], dead: list) -> None:
        """Hide one more cell, or show one more `<k` as `×`, for a target a reader can still work out.

        Only a change at the target's own edge, or at a cell whose edge touches a side its failed search used up,
        can help: a new path has to leave that side, and no arc of it does yet. Among those: the first cell of the
        target's lines that protects it on its own (smallest first, totals last: the usual "suppress the
        next-smallest cell too"), else the first small count of its lines that does so shown as `×`, else the first
        cell that can be a step of a longer path."""
        cell = target[0]
        mine = set(self.lines_of[cell])
        own = {cell, self.edge_of(cell)} | ({self.system.extra} if self.edge_of(cell) == self.grand else set())
        touching = own.union(*(self.incident[node] for side in dead for node in side))

        def near(c: str) -> bool:
            return c == cell or not mine.isdisjoint(self.lines_of[c])

        def helps(c: str, demoted: bool) -> bool:
            before = self.state_of(c)
            self.set(c, hidden=True, demoted=demoted)
            if self.search(*target)[0]:
                return True
            self.set(c, *before)
            return False

        free = sorted((c for c in touching if c not in self.hidden and c not in self.known),
                      key=lambda c: (not near(c), c in self.totals, self.values[c] == 0, self.values[c], c))
        marked = sorted((c for c in touching if c in self.hidden and c not in self.demoted and self.small(c)),
                        key=lambda c: (not near(c), c in self.totals, c != cell, c))
        if any(helps(c, demoted=False) for c in free[:TRIES] if near(c)):
            return
        if any(helps(c, demoted=True) for c in marked[:TRIES] if near(c)):
            return
        if free:
            self.set(free[0], hidden=True)
        elif marked:
            self.set(marked[0], hidden=True, demoted=True)
        else:
            raise SuppressionError(f"cannot protect {cell}")

    def trim(self, targets, proofs: dict) -> tuple[set[str], set[str]]:
        """Give back what the targets turn out not to need: `×` marks of small counts first, then complements
        (totals and large cells first), within a budget of checks. Each target keeps a proof (a cycle through its
        edge), so giving a cell back re-proves only the targets whose cycle uses that cell; every proof is checked
        against the final state at the end."""
        users: dict[str, set] = {}
        for target, (_, cells) in proofs.items():
            for c in cells:
                users.setdefault(c, set()).add(target)

        def prove(target) -> bool:
            proof = self.search(*target)[0]
            if proof is None:
                return False
            for c in proofs[target][1]:
                users[c].discard(target)
            proofs[target] = proof
            for c in proof[1]:
                users.setdefault(c, set()).add(target)
            return True

        def give_back(cell: str, *, hidden: bool, demoted: bool) -> None:
            before = self.state_of(cell)
            self.set(cell, hidden=hidden, demoted=demoted)
            # a target whose proof fails keeps its old one, which holds again once the cell is hidden again
            if not all(prove(t) for t in list(users.get(self.edge_of(cell), ()))):
                self.set(cell, *before)

        budget = self.checks + TRIM_BUDGET + TRIM_PER_CELL * len(self.values)
        primary = {cell for cell, _ in targets}
        for cell in sorted(self.demoted):
            if self.checks < budget:
                give_back(cell, hidden=True, demoted=False)
        for cell in sorted(self.hidden - primary, key=lambda c: (c not in self.totals, -self.values[c], c)):
            if self.checks < budget:
                give_back(cell, hidden=False, demoted=cell in self.demoted)
        for target in targets:
            if not self.holds(target, proofs[target]):
                raise AssertionError(f"the proof for {target[0]} does not hold")
        return set(self.hidden), set(self.demoted)

    def holds(self, target: tuple[str, bool], proof) -> bool:
        """Check a proof arc by arc from the cells' bounds, without the residual graphs: a closed walk that starts
        on the target's edge, never takes that edge again, and goes only where a cell can carry one more (along
        its edge) or one less (against it). One unit round it is another reading that fits."""
        cell, use_floors = target
        node, cells = proof
        edge = self.edge_of(cell)
        if cells[0] != edge or edge in cells[1:]:
            return False
        at = node
        for c in cells:
            (a, b), (lo, hi), value = self.ends[c], self.bounds_now(c, use_floors), self.values[c]
            if at == a and value < hi:
                at = b
            elif at == b and value > lo:
                at = a
            else:
                return False
        return at == node

    # --- the state worked on, and the question asked of it ----------------------------------------------------

    def graph_of(self, use_floors: bool) -> int:
        return 1 if use_floors and self.floors else 0

    def other_end(self, cell: str, node: str) -> str:
        a, b = self.ends[cell]
        return b if node == a else a

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

    def search(self, cell: str, use_floors: bool) -> tuple[tuple[str, list[str]] | None, list]:
        """A proof that `cell` can move by one in the current state: (node, the cells of a closed walk from it,
        the cell's own edge first); or None and the node sets the failed searches used up (no arc leaves a side
        grown from a search's start, none enters a side grown back from its goal).

        The values a cell can take form an interval around the true one (the circulation's constraint matrix is
        totally unimodular), so it is enough to ask for the true value ± 1; and since the true values are a
        feasible circulation, that is a path in its residual graph: to carry one more unit on the cell's edge u→v,
        the unit must get from v back to u through edges that can change (one less: from u to v)."""
        self.checks += 1
        edge = self.edge_of(cell)
        u, v = self.ends[edge]
        graph = self.graphs[self.graph_of(use_floors)]
        lo, hi = self.bounds_now(edge, use_floors)  # for the extra cell: the grand total's, holding the extra's
        true, dead = self.values[edge], []
        for ok, start, goal in ((true + 1 <= hi, v, u), (true - 1 >= lo, u, v)):
            if ok:
                path, side = graph.path(start, goal)
                if path is not None:
                    return (goal, [edge, *path]), []
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
        """(the cells of a path from start to goal in order, not taking the arc start→goal, None) or (None, the set
        of nodes one end reaches, which no arc leaves or enters). Searches from both ends, each time growing the
        side whose next layer has fewer arcs: a dead end costs about as much as the smaller side."""
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
                    return _cells(ahead, meet[0])[::-1] + meet[1] + _cells(behind, meet[2]), None
            else:
                if not queue_b:
                    return None, behind
                queue_b, cost_b, meet = _layer(queue_b, behind, ahead, inn, (goal, start))
                if meet:
                    return _cells(ahead, meet[2])[::-1] + meet[1][::-1] + _cells(behind, meet[0]), None


def _layer(queue, mine: dict, theirs: dict, adjacent: dict, barred: tuple[str, str]):
    """Grow one side of a two-ended search by a layer: (next layer, its arcs, meeting or None). A meeting is (node
    on this side, the cells between in this side's direction, node on the other side). A new node meets the other
    side when it is on it, one arc from it, or two through a few-armed node (a row's other half, across the row
    total's edge): that spares going through a column node's thousands of arcs to find the same meeting."""
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
            if len(arcs) <= FEW:
                for w, step in arcs.items():
                    far = adjacent[w]
                    if len(far) <= FEW and w not in mine and not theirs.keys().isdisjoint(far.keys()):
                        z = next(z for z in far if z in theirs)
                        return layer, cost, (y, [step, far[z]], z)
            layer.append(y)
            cost += len(arcs)
    return layer, cost, None


def _cells(came: dict, node: str) -> list[str]:
    """The cells from `node` to the end a search grew from."""
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
