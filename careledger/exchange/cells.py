"""Cells: a value becomes a text cell that no spreadsheet evaluates, and a cell becomes the text a record holds.

Writing: every value is put through `render.spreadsheet.cell` (the one rule for formula-looking text: a leading
single quote) and stored as a string cell (`data_type "s"`), so ID numbers and phones keep every digit and a text such
as `=HYPERLINK(...)` is never a formula. Reading undoes exactly that quote, so an export read back gives the records'
own text; a formula typed into a workbook is read as its text (`=SUM(A1)`) and stored as text.
"""

from __future__ import annotations

import datetime as dt

from ..render.spreadsheet import cell as neutral

LONG_NUMBER = 15  # Excel keeps 15 significant digits: a longer number typed as a number has lost its tail


class CellProblem(ValueError):
    """A cell whose value cannot be trusted (the message is Chinese)."""


def put(ws, row: int, column: int, value) -> None:
    """Write `value` as text; None and "" leave the cell empty."""
    if value is None or value == "":
        return
    target = ws.cell(row=row, column=column)
    target.value = neutral(value)
    target.data_type = "s"


def text(value) -> str:
    """The text of a cell's value as read by openpyxl (values only, formulas as their text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            value = int(value)
        else:
            return repr(value)
    if isinstance(value, int):
        digits = str(abs(value))
        if len(digits) > LONG_NUMBER:
            raise CellProblem(f"“{value}”被存成了数字，超过 15 位的数字在 Excel 中末几位已丢失；"
                              "请把该列设为“文本”格式后重新填写")
        return digits if value >= 0 else "-" + digits
    out = str(value).strip()
    if out.startswith("'") and neutral(out[1:]) == out:
        out = out[1:]  # our own neutralising quote, taken off again
    return out
