"""The published count tables: subjects by village × category and village × level, households by village × status.

The two subject tables share their row totals (subjects per village) and grand total, the number of children
under 14 hangs off the grand total (listed + children = all), and households in care have subjects in care: all
three tables are suppressed together (`joint.py`), whole village rows at a time, and every hidden count shows the
same mark. Each cell's *floor* is the number of subjects of that cell listed in the 公示, which anyone can count
there: what is protected is the unlisted rest (the children).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import cachestore, vocab
from .public_parts import Cell, Row, Table
from . import joint
from . import suppress as sdc
from .public_parts import NOT_SHOWN

ALL = "*"
UNASSESSED = "未定级"


@dataclass(frozen=True)
class CountTables:
    by_category: Table
    by_level: Table | None
    households: Table
    subjects: Cell  # all subjects in care
    children: Cell  # of whom not listed (under 14, or age not recorded)


class _Grid:
    """Counts of one table kind by (row, column), with row, column and grand totals, as suppressible cells."""

    def __init__(self, kind: str, rows: list[str], columns: list[str], counts: Counter, *, row_total: str = "",
                 grand: str = ""):
        self.kind, self.rows, self.columns = kind, rows, columns
        self.row_total = row_total or f"{kind}|{{row}}|{ALL}"
        self.grand = grand or f"{kind}|{ALL}|{ALL}"
        self.values: dict[str, int] = {}
        for r in rows:
            for c in columns:
                self.values[self.cell(r, c)] = counts.get((r, c), 0)
            self.values[self.total_of(r)] = sum(counts.get((r, c), 0) for c in columns)
        for c in columns:
            self.values[self.cell(ALL, c)] = sum(counts.get((r, c), 0) for r in rows)
        self.values[self.grand] = sum(self.values[self.total_of(r)] for r in rows)

    def cell(self, row: str, column: str) -> str:
        return f"{self.kind}|{row}|{column}"

    def total_of(self, row: str) -> str:
        return self.row_total.format(row=row)

    def joint(self) -> joint.Table:
        return joint.Table(cells={r: {c: self.cell(r, c) for c in self.columns} for r in self.rows},
                           row_totals={r: self.total_of(r) for r in self.rows},
                           column_totals={c: self.cell(ALL, c) for c in self.columns}, grand=self.grand)

    def spec(self) -> sdc.Grid:
        return sdc.Grid(rows=tuple(self.rows), columns=tuple(self.columns),
                        cells={(r, c): self.cell(r, c) for r in self.rows for c in self.columns},
                        row_totals={r: self.total_of(r) for r in self.rows},
                        column_totals={c: self.cell(ALL, c) for c in self.columns}, grand=self.grand)

    def table(self, caption: str, head: str, row_labels: dict[str, str], column_labels: list[str],
              show) -> Table:
        def row(code: str, label: str, total: str) -> Row:
            return Row(code, label, tuple(show(self.cell(code, c)) for c in self.columns) + (show(total),))

        return Table(caption=caption, head=head, columns=tuple(column_labels) + ("合计",),
                     rows=tuple(row(r, row_labels[r], self.total_of(r)) for r in self.rows),
                     total=row(ALL, "合计", self.grand))


@dataclass(frozen=True)
class SubjectSystem:
    """The subject tables as one system of cells and lines, with the 公示 counts as floors (see `suppress`)."""

    values: dict
    system: sdc.System
    floors: dict
    by_category: _Grid
    by_level: _Grid | None
    level_names: list


@dataclass(frozen=True)
class Counts:
    """Everything the count tables are made of (`tables_of` reads nothing else), compared by value: a build whose
    counts are the last build's has the last build's tables (a visit changes none of them)."""

    villages: tuple  # ((id, name), ...) in site.yaml's order
    categories: tuple  # ((code, name), ...) in the profile's order
    levels: tuple  # ((code, name), ...) from the highest rank down
    subjects: Counter  # (village, category, level or "", listed) -> subjects in care
    households: Counter  # (village, status) -> households
    k: int


def counts_of(facts, in_care, listed, k: int) -> Counts:
    site, profile = facts.records.site, facts.profile
    listed_keys = {c.key for c in listed}  # (listed are among those in care)
    return Counts(
        villages=tuple((v.id, v.name) for v in site.villages),
        categories=tuple((c.code, c.name) for c in profile.categories),
        levels=tuple((lv.code, lv.name) for lv in sorted(profile.levels, key=lambda lv: -lv.rank)),
        subjects=Counter((c.household.village, c.subject.category, c.subject.level or "", c.key in listed_keys)
                         for c in in_care),
        households=Counter((h.village, h.status) for h in facts.records.households), k=k)


def subject_system(facts, in_care, listed) -> SubjectSystem:
    return _subject_system(counts_of(facts, in_care, listed, 0))


def _subject_system(counts: Counts) -> SubjectSystem:
    villages = [vid for vid, _ in counts.villages]
    categories = [code for code, _ in counts.categories]
    levels = [code for code, _ in counts.levels]
    level_names = [name for _, name in counts.levels]
    if levels and any(not level for (_, _, level, _) in counts.subjects):
        levels.append("")
        level_names.append(UNASSESSED)

    def counter(listed_only: bool, at: int) -> Counter:
        out: Counter = Counter()
        for key, n in counts.subjects.items():
            if key[3] or not listed_only:
                out[key[0], key[at]] += n
        return out

    shared = {"row_total": "subjects|{row}", "grand": "subjects|*"}
    by_cat = _Grid("category", villages, categories, counter(False, 1), **shared)
    grids = [(by_cat, _Grid("category", villages, categories, counter(True, 1), **shared))]
    by_lvl = None
    if levels:
        by_lvl = _Grid("level", villages, levels, counter(False, 2), **shared)
        grids.append((by_lvl, _Grid("level", villages, levels, counter(True, 2), **shared)))
    values, floors = {}, {}
    for grid, listed_grid in grids:
        values.update(grid.values)
        floors.update(listed_grid.values)
    listed = sum(n for key, n in counts.subjects.items() if key[3])
    values.update({"listed": listed, "children": sum(counts.subjects.values()) - listed})
    system = sdc.System(grids=tuple(grid.spec() for grid, _ in grids), known="listed", extra="children")
    return SubjectSystem(values, system, floors, by_cat, by_lvl, level_names)


def household_grid(facts) -> _Grid:
    return _household_grid(counts_of(facts, [], [], 0))


def _household_grid(counts: Counts) -> _Grid:
    return _Grid("households", [vid for vid, _ in counts.villages], list(vocab.HOUSEHOLD_STATUS), counts.households)


# In a process that keeps its caches: the last build's counts and the tables made of them (the joint suppression
# of a county's tables is 0.1 s, and a visit changes no count).
_KEPT = cachestore.LastMade()


def build_tables(facts, in_care, listed, k: int) -> CountTables:
    counts = counts_of(facts, in_care, listed, k)
    return _KEPT.get(lambda: ((), counts), lambda: tables_of(counts))


def tables_of(counts: Counts) -> CountTables:
    names = dict(counts.villages)
    system = _subject_system(counts)
    households = _household_grid(counts)
    values = {**system.values, **households.values}
    subject_grids = [g for g in (system.by_category, system.by_level) if g is not None]
    hidden = joint.suppress_jointly([vid for vid, _ in counts.villages], [g.joint() for g in subject_grids],
                                    households.joint(), values, system.floors, counts.k, children="children")

    def show(cell: str) -> Cell:
        return Cell(NOT_SHOWN, None) if cell in hidden else Cell(str(values[cell]), values[cell])

    return CountTables(
        by_category=system.by_category.table("关爱帮扶对象：各村（社区）按人员类别", "村（社区）", names,
                                             [name for _, name in counts.categories], show),
        by_level=(system.by_level.table("关爱帮扶对象：各村（社区）按关爱帮扶等级（由高到低）", "村（社区）", names,
                                        system.level_names, show) if system.by_level else None),
        households=households.table("登记家庭：各村（社区）按状态", "村（社区）", names,
                                    list(vocab.HOUSEHOLD_STATUS.values()), show),
        subjects=show("subjects|*"), children=show("children"))
