"""Joint suppression of the published count tables: whole village rows, hidden together in every table.

The site publishes, for every village, subjects by category and by level (sharing the village's total), households
by status, and the 公示 list. These are one linked system, and a reader can solve it: the 公示 gives how many subjects
of each cell are listed (the cell's *floor*), every household in care has at least one subject in care, a village
with a listed subject has a household in care, totals add up, counts are whole and not negative. Hiding cells table
by table, with a `<k` mark on the small ones, let such a reader pin hidden children's counts (issue 14).

The rule here:

- The part of a subject count a reader cannot count on the 公示 is its *unlisted* part (children under 14, or age
  not recorded); of a household count, the count itself. A cell is *sensitive* when that part is 1 to k−1.
- A village with a sensitive cell in the subject tables is *protected* there and in the household table: its whole
  row is hidden in all three (every cell and the row total), with one and the same mark, whatever the value (0, small
  or large). A village with a sensitive household cell hides its household row, and its subject rows too if it has
  fewer than k subjects (households in care ≤ subjects in care would pin its households in care below k).
- There are never fewer than two protected villages (else the totals give the one row back), and for every column
  the protected villages together hold either none or at least k of what is protected (unlisted subjects of that
  category or level, households of that status): more villages are protected until that holds. The unlisted part
  of a hidden cell can then be anything from 0 to that sum (move the children of that column between protected
  villages, with their households: the rows are hidden, the columns' totals still hold), so it can be below k
  and at least k.
- Where even the whole county has only 1 to k−1 of a column's unlisted subjects (or children in all), no set of
  villages can hold k: then that column's total, the grand total and the number of children are hidden too, with
  every other children's column total, and the hidden children can be any number.

Why whole rows: with the row totals hidden the only lines left between hidden cells are the column totals, and
those are the same for every protected village, so moving people between protected villages is invisible; no
corner of the table pins a hidden cell, whatever the values. The cost is that a protected village publishes no
counts at all (its 公示 and status still show). `tests/attackkit.py` checks the result with an integer program.
Linear in the table's size: a few passes over the cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .suppress import SuppressionError

ALL = "*"


@dataclass(frozen=True)
class Table:
    """One count table as cell ids: cells[row][column], the row totals, the column totals and the grand total."""

    cells: Mapping[str, Mapping[str, str]]
    row_totals: Mapping[str, str]
    column_totals: Mapping[str, str]
    grand: str

    def row_cells(self, row: str) -> list[str]:
        return [*self.cells[row].values(), self.row_totals[row]]


def suppress_jointly(rows: Iterable[str], subject_tables: list[Table], households: Table,
                     values: Mapping[str, int], floors: Mapping[str, int], k: int, *,
                     children: str) -> frozenset[str]:
    """The cells to hide (shown with one mark). `values` holds every cell's count, `floors` the listed part of each
    subject cell; `children` is the id of the county's number of unlisted subjects (grand total minus listed)."""
    rows = list(rows)

    def part(cell: str) -> int:
        return values[cell] - floors.get(cell, 0)

    def sensitive(cell: str) -> bool:
        return 1 <= part(cell) <= k - 1

    tables = [*subject_tables, households]
    hidden: set[str] = set()

    # the county's unlisted subjects, column by column: if any column (or all) holds 1..k−1, hide the children's totals
    subject_columns = [(t, col) for t in subject_tables for col in t.column_totals]
    county_small = sensitive(subject_tables[0].grand)
    county_small |= any(sensitive(t.column_totals[col]) for t, col in subject_columns)
    if county_small:
        hidden |= {children, *(t.grand for t in subject_tables)}
        hidden |= {t.column_totals[col] for t, col in subject_columns if part(t.column_totals[col]) > 0}
    # likewise a household status held by 1..k−1 households in the whole county
    small_status = [col for col in households.column_totals if sensitive(households.column_totals[col])]
    if small_status:
        hidden |= {households.grand, *(households.column_totals[col] for col in small_status)}
        # a second status's total too, or the grand total minus the others gives the small one back
        others = sorted((col for col in households.column_totals if col not in small_status),
                        key=lambda col: -values[households.column_totals[col]])
        if len(small_status) == 1 and others:
            hidden.add(households.column_totals[others[0]])

    # the subject tables and the household table each protect their villages, tied both ways by "households in care
    # ≤ subjects": a village protected in the subject tables hides its households too (else its households in care
    # minus its listed subjects would bound its children from below), and a village whose households are hidden and
    # whose subjects number fewer than k is protected in the subject tables too (else that would pin its households
    # in care below k)
    by_subjects = {r for r in rows if any(sensitive(c) for t in subject_tables for c in t.row_cells(r))}
    if county_small:
        by_subjects |= {r for r in rows if part(subject_tables[0].row_totals[r]) > 0}
    by_households = {r for r in rows if any(sensitive(c) for c in households.row_cells(r))}
    while True:
        by_households |= by_subjects
        _grow(rows, by_subjects, [(t, col, True) for t in subject_tables for col in [*t.column_totals, None]],
              values, part, k, hidden)
        _grow(rows, by_households, [(households, col, False) for col in households.column_totals],
              values, part, k, hidden)
        tied = {r for r in by_households - by_subjects if values[subject_tables[0].row_totals[r]] < k}
        tied |= by_subjects - by_households
        if not tied:
            break
        by_subjects |= tied
    if len(rows) == 1 and (by_subjects or by_households):  # one village: its row is the totals
        hidden.add(children)
        for t in tables:
            hidden.add(t.grand)
            hidden.update(t.column_totals.values())
    for r in by_subjects:
        for t in subject_tables:
            hidden.update(t.row_cells(r))
    for r in by_households:
        hidden.update(households.row_cells(r))
    return frozenset(hidden)


def _grow(rows, protected: set[str], columns, values, part, k: int, hidden: set[str]) -> None:
    """Protect more villages until, if any is protected, there are two or more and each column's protected part
    is 0 or at least k (a column whose total is hidden is exempt: its hidden cells are bounded by nothing).
    `columns`: (table, column or None for the row totals, whether the cells are subject counts)."""
    if not protected:
        return

    def cell(t: Table, r: str, col) -> str:
        return t.row_totals[r] if col is None else t.cells[r][col]

    def total(t: Table, col) -> str:
        return t.grand if col is None else t.column_totals[col]

    def amount(t: Table, r: str, col, is_subject: bool) -> int:
        c = cell(t, r, col)
        return part(c) if is_subject else values[c]

    while True:
        need = None
        for t, col, is_subject in columns:
            if total(t, col) in hidden:
                continue
            held = sum(amount(t, r, col, is_subject) for r in protected)
            if 1 <= held <= k - 1:
                need = (t, col, is_subject)
                break
        if need is None and len(protected) >= 2 or len(protected) == len(rows):
            break
        if need is not None:
            t, col, is_subject = need
            candidates = [r for r in rows if r not in protected and amount(t, r, col, is_subject) > 0]
        else:
            candidates = [r for r in rows if r not in protected]
        if not candidates:  # the whole county holds 1..k−1: the totals above are hidden, so this cannot happen
            raise SuppressionError(f"no village can protect column {need[1]}")
        # the least published information lost: the village with the fewest subjects and households
        size = columns[0][0].row_totals
        protected.add(min(candidates, key=lambda r: (values[size[r]], r)))
