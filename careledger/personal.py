"""The personal values of the records, found by the schema's marks (`field_(..., personal=...)` in records.py).

The proof looks for exactly what this yields, so a field marked personal is looked for from the moment it is
marked (a member's landline, or any field added later), and nobody keeps a second list of what is personal.

`values_of(record)` walks a record and the records inside it (a household's members, a member's disability, …)
and yields one `Personal` per marked field that holds a value: the value as it is published if it ever were (a
choice's Chinese label, not its code), the mark, and the kind of value in Chinese for the finding ("家庭成员的固定电话").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from .schema import Choice, ListOf, schema_fields

MARKS = ("name", "text", "place", "number", "private")
LOOKED_FOR = ("name", "text", "place", "number")  # "private" values are never published, but not searched as text


@dataclass(frozen=True)
class Personal:
    value: str
    mark: str  # one of MARKS
    kind: str  # "家庭成员的姓名": the record's and the field's labels
    field: str  # "Member.name"


def values_of(record) -> Iterator[Personal]:
    """Every personal value in `record` and the records it holds."""
    for name, mark, kind, label, nested in _plan(type(record)):
        value = getattr(record, name, None)
        if value is None or value == ():
            continue
        if nested:
            for item in value if isinstance(value, tuple) else (value,):
                yield from values_of(item)
            continue
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(kind, Choice):
                item = kind.vocabulary.get(item, item)
            if isinstance(item, str) and item:
                yield Personal(item, mark, label, f"{type(record).__name__}.{name}")


_PLANS: dict[type, tuple] = {}


def _plan(cls) -> tuple:
    """For each field of `cls` that is marked or holds records: (name, mark, scalar kind, kind label, nested)."""
    plan = _PLANS.get(cls)
    if plan is None:
        rows = []
        for f in schema_fields(cls) if dataclasses.is_dataclass(cls) else ():
            kind = f.metadata["kind"]
            item = kind.item if isinstance(kind, ListOf) else kind
            mark = f.metadata.get("personal")
            if mark is not None and mark not in MARKS:
                raise ValueError(f"{cls.__name__}.{f.name}: personal={mark!r} is not one of {MARKS}")
            if isinstance(item, type) and dataclasses.is_dataclass(item):
                rows.append((f.name, None, item, "", True))  # marked or not, its own fields carry the marks
            elif mark in LOOKED_FOR:
                rows.append((f.name, mark, item, f"{getattr(cls, 'LABEL', cls.__name__)}的"
                             f"{f.metadata['label'].split('（')[0]}", False))
        plan = _PLANS[cls] = tuple(rows)
    return plan
