"""Spreadsheet cells: the one place where a value becomes a cell the office opens in Excel, WPS or LibreOffice.

Every CSV the build writes goes through `to_csv`, and any future .xlsx writer must put each value through `cell`.

Formula injection (OWASP, "CSV Injection"): a spreadsheet reads a cell whose text begins with `=`, `+`, `-` or
`@`, or with a tab or carriage return before one, as a formula, so a problem text such as
`=HYPERLINK("http://…","点此")` in a visit record would become a live link or a command in the report. `cell`
does what OWASP recommends: such a text gets a single quote in front, which makes it text (the quote shows in the
cell). Also neutralised: the same after leading spaces or line breaks, and the full-width forms ＝＋－＠ that
Chinese input methods produce (an unneeded quote costs little).

Kept as they are: plain decimal numbers (`-3`, `+5`, `-12.50`): a spreadsheet reads them as numbers, which is what
the reports mean, and a number cannot call anything. A phone number written `+8613800000000` is such a number;
`+86 138 0000 0000` or `+86-138…` are not (Excel would compute `+86-138…`), so they get the quote and stay text.

The csv module quotes a cell holding a comma, quote or line break and doubles its quotes, so no cell spills into the
next. CSV files are UTF-8 with a byte-order mark, which Excel needs to show Chinese.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

TRIGGERS = frozenset("=+-@\t\r" + "＝＋－＠")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_LEADING = re.compile(r"[ \t\r\n\u3000]*")
_LOOK_CLOSER = frozenset(" \t\r\n\u3000") | TRIGGERS  # a text starting otherwise is kept as it is


def cell(value) -> str:
    """The text of one cell, with a formula-looking text made inert by a leading single quote."""
    text = "" if value is None else str(value)
    if not text or text[0] not in _LOOK_CLOSER or _NUMBER.fullmatch(text):  # (the first: most cells, quickly)
        return text
    first = text[0]
    rest = text[_LEADING.match(text).end():]
    if first in TRIGGERS or (rest and rest[0] in TRIGGERS):
        return "'" + text
    return text


def to_csv(columns: Iterable, rows: Iterable[Iterable]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(c) for c in columns])
    writer.writerows([cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
