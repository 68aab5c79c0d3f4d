"""Find the ledgers in a workbook: the heading row located by its text, wherever it is, and the rows under it.

A sheet is a ledger when one of its first rows holds at least two headings this program knows (layouts.ALIASES);
titles and notes above it, merged or not, are passed over. A heading split over two rows (`联系电话` merged over
`手机` and `固定电话`) is read as `联系电话：手机`. The kind of ledger follows from its headings: a visit date makes
a visit ledger, a staff id or roles a staff roster, a name or ID number a roster of subjects (or households).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .cells import CellProblem, text
from .layouts import ALIASES, LIST_KEYS, STAFF, SUBJECTS, VISITS, heading_keys

SCAN_ROWS = 20
_PLACE = re.compile(r"村（(?:居|社区|社)）[：:]\s*([^\s　：:]+)")  # 村（居）：松岗村 in the lines above the table
_SPACE = re.compile(r"[\s\u3000]+")
_FOLD = str.maketrans({"(": "（", ")": "）", ":": "："})


def norm(heading: str) -> str:
    return _SPACE.sub("", heading).translate(_FOLD)


_NOTE = re.compile(r"[（(][^（()）]*[）)]\s*$")


def lookup(known: dict[str, str], heading: str) -> str | None:
    """The key of a heading: as written, else its first line (`村（居）包保人` over `姓名 职务 电话`), else without a
    closing remark in brackets (`排查方式（入户走访、电话访谈）`)."""
    lines = heading.strip().splitlines() or [""]
    for candidate in (heading, lines[0], _NOTE.sub("", heading)):
        key = known.get(norm(candidate))
        if key is not None:
            return key
    return None


@dataclass
class Row:
    sheet: str
    number: int  # as Excel numbers rows
    values: dict[str, str]  # key -> text (non-empty only)
    headings: dict[str, str]  # key -> the heading as written in the sheet
    problems: list[str] = field(default_factory=list)

    def where(self, key: str | None = None) -> str:
        column = f" {self.headings.get(key) or ALIASES.get(key, (key,))[0]}" if key else ""
        return f"工作表“{self.sheet}”第 {self.number} 行{column}"


@dataclass
class Ledger:
    sheet: str
    kind: str
    rows: list[Row]


def _grid(ws, last: int) -> dict[tuple[int, int], str]:
    """The texts of the first `last` rows, a merged range's text in each of its cells."""
    grid = {}
    for row in ws.iter_rows(min_row=1, max_row=last):
        for c in row:
            if c.value is not None:
                try:
                    grid[c.row, c.column] = text(c.value)
                except CellProblem:
                    continue
    for rng in ws.merged_cells.ranges:
        value = grid.get((rng.min_row, rng.min_col))
        if value is None or rng.min_row > last:
            continue
        for r in range(rng.min_row, min(rng.max_row, last) + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                grid[r, col] = value
    return grid


def _village_above(grid: dict, first_heading_row: int) -> str | None:
    """The village the particulars above the table name (`村（居）：松岗村`, in one cell or two)."""
    for r in range(1, first_heading_row):
        texts = [grid[row, col] for (row, col) in sorted(grid) if row == r]
        joined = "".join(dict.fromkeys(texts))  # a merged line's text once
        m = _PLACE.search(joined.translate(_FOLD))
        if m:
            return m[1]
    return None


def _headings(ws) -> tuple[int, dict[int, tuple[str, str]], str | None] | None:
    """(the last heading row, column -> (key, heading as written), the village named above) or None."""
    known = heading_keys()
    last = min(ws.max_row, SCAN_ROWS)
    grid = _grid(ws, last + 1)
    for r in range(1, last + 1):
        found = {}
        for (row, col), value in grid.items():
            key = lookup(known, value) if row == r else None
            if key is not None:
                found[col] = (key, value)
        if len(found) < 2:
            continue
        below = {col: value for (row, col), value in grid.items() if row == r + 1}
        combined = {}
        for col, value in below.items():
            parent = grid.get((r, col), "")
            both = lookup(known, f"{parent}：{value}")
            if both is not None:
                combined[col] = (both, f"{parent}：{value}")
            elif lookup(known, value) is not None and parent and lookup(known, parent) is None:
                combined[col] = (lookup(known, value), value)
        village = _village_above(grid, r)
        if below and len(combined) == len(below):
            found.update(combined)
            r += 1
        return r, found, village
    return None


def _kind(keys: set[str]) -> str | None:
    if "date" in keys:
        return VISITS
    if keys & {"staff_id", "roles", "unit"}:
        return STAFF
    if keys & {"name", "id_number"}:
        return SUBJECTS
    return None


def read_ledgers(path: Path) -> list[Ledger]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=False, data_only=False)
    except OSError:  # the library's English (Permission denied, …) is no message for a clerk
        raise ValueError("无法读取这个文件（没有读取权限，或磁盘出错）") from None
    except Exception:  # BadZipFile, openpyxl's InvalidFileException and kin: the file is not a workbook
        raise ValueError("不是可以读取的 Excel 文件（.xlsx）：文件已损坏，或不是 .xlsx 格式"
                         "（.xls、.et 等请先在 Excel 或 WPS 中另存为 .xlsx）") from None
    out = []
    for ws in wb.worksheets:
        located = _headings(ws)
        if located is None:
            continue
        last, columns, village = located
        kind = _kind({key for key, _ in columns.values()})
        if kind is None:
            continue
        headings = {key: heading for key, heading in columns.values()}
        rows = []
        for cells in ws.iter_rows(min_row=last + 1):
            values, problems = {}, []
            for c in cells:
                if c.column not in columns or c.value is None:
                    continue
                key, heading = columns[c.column]
                try:
                    value = text(c.value)
                except CellProblem as exc:
                    problems.append(f"工作表“{ws.title}”第 {c.row} 行 {heading}：{exc}")
                    continue
                if value and key in values and key in LIST_KEYS:
                    values[key] += "\n" + value
                elif value and key not in values:
                    values[key] = value
            if values and village and kind == SUBJECTS:
                values.setdefault("village", village)
            if values or problems:
                rows.append(Row(ws.title, cells[0].row, values, headings, problems))
        out.append(Ledger(ws.title, kind, rows))
    if not out:
        raise ValueError("没有找到可以读入的台账：各工作表的前 20 行中都没有认得的栏目（如 姓名、身份证号、走访日期）")
    return out
