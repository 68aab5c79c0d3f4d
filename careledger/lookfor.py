"""A personal value as the privacy proof looks for it (proof.py), worked out from the value alone: read once when
its household file is parsed and kept with the file's summary (refs.py), not read again on every build.

`looked_for(raw, mark)` is None for a value the proof never looks for (a number shorter than 7 digits, a supporter's
"address" that is no street address, a text shorter than two characters as read); else, for a number, (its digits as
read, the first-generation ID number an 18-digit one was made from or "", a landline's local number or ""), and for
a text, (the text as read,). What the settings decide (published staff names, published phones) is left to proof.py.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from .reading import read, read_number

STREETLIKE = re.compile(r"[0-9０-９号路街巷弄栋幢室楼组]|单元|小区")


def looked_for(raw: str, mark: str) -> tuple | None:
    if mark == "number":
        number = read_number(raw)
        if len(number) < 7:
            return None
        first_generation = number[:6] + number[8:17] if len(number) == 18 else ""  # no century, no check digit
        return number, first_generation, local_number(raw, number)
    if mark == "place" and not STREETLIKE.search(raw):
        return None
    value = read(raw)
    return (value,) if len(value) >= 2 else None


def local_number(written: str, number: str) -> str:
    """A landline's number without its area code ("" for anything else): 0564-3312345 → 3312345."""
    if not number.startswith("0") or len(number) < 10:
        return ""
    parts = re.split(r"[-－—\s()（）]+", written.strip())
    parts = [p for p in parts if p]
    if len(parts) >= 2 and parts[0].startswith("0") and 7 <= len(read_number("".join(parts[1:2]))) <= 8:
        return read_number(parts[1])
    area = 3 if number[1] in "12" else 4  # 010 and 02x are the three-digit area codes
    local = number[area:]
    return local if 7 <= len(local) <= 8 else ""


@functools.cache
def version() -> str:
    """What the forms depend on besides the value: forms kept under another version are worked out again."""
    import opencc

    from . import cachestore

    return repr((unicodedata.unidata_version, getattr(opencc, "__version__", ""),
                 cachestore.code_hash("reading", "lookfor")))
