"""A record as the pairs `entry.yamltext` writes: the fields in schema order, codes as stored, defaults left out.

Used where an import changes an existing record: the record is written again from what was read (comments in
that entry are not kept), with the ledger's values laid over it.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from ..schema import schema_fields


def to_pairs(record) -> dict:
    out = {}
    for f in schema_fields(type(record)):
        value = getattr(record, f.name)
        if value is None or value == () or (f.default is not dataclasses.MISSING and value == f.default):
            continue
        out[f.name] = _plain(value)
    return out


def _plain(value):
    if dataclasses.is_dataclass(value):
        return to_pairs(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value
