"""`careledger export`: the ledgers as one .xlsx workbook in a layout (the documents' annex ledgers, or our own).

Each sheet: a title row merged across the table, a line saying whose records and as of when (and that the sheet holds
personal data), the headings, then one row per subject (or household), visit or person. Every cell is text
(cells.put). The workbook holds names, ID numbers and phones: it is refused inside the published site and inside the
records directory.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from . import ledger
from .cells import put
from .layouts import EVERY_HOUSEHOLD_SHEETS, HOUSEHOLD_SHEETS, LAYOUTS, STAFF, SUBJECTS, VISITS, Sheet

NOTICE = "内部资料，含个人信息，不得公开或上传到网站"
HEADING_ROW = 3


class ExportRefused(Exception):
    """The target may not hold personal data (the message is Chinese)."""


def rows_for(sheet: Sheet, records, as_of: dt.date) -> list[dict[str, str]]:
    if sheet.kind == SUBJECTS:
        if sheet.name in HOUSEHOLD_SHEETS:
            return ledger.household_rows(records, as_of)
        return ledger.subject_rows(records, as_of, every_household=sheet.name in EVERY_HOUSEHOLD_SHEETS)
    if sheet.kind == VISITS:
        return ledger.visit_rows(records, as_of)
    if sheet.kind == STAFF:
        return ledger.staff_rows(records)
    raise ValueError(sheet.kind)


def workbook(records, layout: str, as_of: dt.date) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in LAYOUTS[layout]:
        ws = wb.create_sheet(sheet.name)
        width = len(sheet.columns) + 1
        put(ws, 1, 1, sheet.title)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(1, 1).font = Font(bold=True, size=14)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
        put(ws, 2, 1, f"{records.site.name}　基准日：{as_of.isoformat()}　（{NOTICE}）")
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        for col, heading in enumerate(("序号",) + tuple(c.heading for c in sheet.columns), start=1):
            put(ws, HEADING_ROW, col, heading)
            ws.cell(HEADING_ROW, col).font = Font(bold=True)
            ws.cell(HEADING_ROW, col).alignment = Alignment(wrap_text=True, vertical="center")
            ws.column_dimensions[get_column_letter(col)].width = 6 if col == 1 else max(10, min(40, len(heading) * 2 + 2))
        for number, row in enumerate(rows_for(sheet, records, as_of), start=1):
            r = HEADING_ROW + number
            put(ws, r, 1, str(number))
            for col, column in enumerate(sheet.columns, start=2):
                put(ws, r, col, row.get(column.key, ""))
        ws.freeze_panes = ws.cell(HEADING_ROW + 1, 2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def target_file(out: Path, layout: str, as_of: dt.date) -> Path:
    """`out` itself when it names an .xlsx file, else a file named after the layout and date in folder `out`."""
    if out.suffix.lower() == ".xlsx" and not out.is_dir():
        return out
    if out.exists() and not out.is_dir():
        raise ExportRefused(f"{out}：请给出 .xlsx 文件名或一个文件夹")
    return out / f"台账-{layout}-{as_of.isoformat()}.xlsx"


def check_target(path: Path, content_dir: Path) -> None:
    """Refuse the published site (a `site/` beside an output's BUILD.json, reports/ or private/) and the records."""
    resolved = path.resolve()
    content = Path(content_dir).resolve()
    if resolved == content or content in resolved.parents:
        raise ExportRefused(f"{path} 在记录目录 {content_dir} 中：台账含个人信息，且不是记录文件，请写到记录目录之外")
    for folder in resolved.parents:
        if folder.name == "site" and any((folder.parent / n).exists() for n in ("BUILD.json", "reports", "private")):
            raise ExportRefused(f"{path} 在公开网站目录 {folder} 中：台账含个人信息，绝不能放进网站；请写到别处")


def write_export(records, out: Path, layout: str, as_of: dt.date) -> Path:
    path = target_file(out, layout, as_of)
    check_target(path, records.root)
    data = workbook(records, layout, as_of)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o600)  # personal data: the owner's only
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
