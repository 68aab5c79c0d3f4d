"""A small YAML emitter for the demo: records are written as text, never through yaml.dump.

Strings are always single-quoted (an inner quote is doubled), so a group '02', an ID number or a phone can never be
read as a number; dates, booleans, integers and money are written bare. `None` values and empty lists are left out,
so a record carries only the fields it has. Only the shapes the record files use are supported: mappings of
scalars, flow lists of scalars, and block lists of mappings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def q(text: str) -> str:
    """A single-quoted YAML scalar."""
    return "'" + text.replace("'", "''") + "'"


def scalar(value) -> str:
    kind = type(value)
    if kind is str:
        return "'" + value.replace("'", "''") + "'"
    if kind is bool:
        return "true" if value else "false"
    if kind in (int, Decimal, dt.date):
        return str(value)
    raise TypeError(f"cannot write {value!r} as a YAML scalar")


def money(cents: int) -> str:
    """Yuan with two decimals from an integer number of fen."""
    return f"{cents // 100}.{cents % 100:02d}"


def mapping_lines(record: dict, indent: int, out: list[str], first_prefix: str | None = None) -> None:
    """Append the lines of a mapping. `first_prefix` replaces the indent of the first line (for "- " items).
    Dispatches on the exact type: this runs for every household of the scale test."""
    pad = " " * indent
    lead = pad if first_prefix is None else first_prefix
    for key, value in record.items():
        kind = type(value)
        if value is None:
            continue
        if kind is str:
            out.append(f"{lead}{key}: '" + value.replace("'", "''") + "'")
        elif kind is list or kind is tuple:
            if not value:
                continue
            if type(value[0]) is dict:
                out.append(f"{lead}{key}:")
                sequence_lines(value, indent + 2, out)
            else:
                out.append(f"{lead}{key}: [" + ", ".join(map(scalar, value)) + "]")
        elif kind is dict:
            out.append(f"{lead}{key}:")
            mapping_lines(value, indent + 2, out)
        else:
            out.append(f"{lead}{key}: {scalar(value)}")
        lead = pad


def sequence_lines(items, indent: int, out: list[str]) -> None:
    prefix = " " * indent + "- "
    for item in items:
        mapping_lines(item, indent + 2, out, first_prefix=prefix)


def document(record, header: str = "") -> str:
    """A whole file: a mapping, or a list of mappings, with an optional comment header."""
    out = [f"# {line}" for line in header.splitlines()] if header else []
    if isinstance(record, dict):
        mapping_lines(record, 0, out)
    else:
        sequence_lines(record, 0, out)
    return "\n".join(out) + "\n"
