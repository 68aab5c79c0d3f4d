"""What a change alters, field by field, in the clerk's words: `字段：旧 → 新`.

Records are compared through their schema (labels from the field declarations, choices by their Chinese labels);
list items are paired by their id (or member, date) so that one more need shows as one line, not as a shifted list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..schema import Choice, ListOf, schema_fields

EMPTY = "（空）"


def show(value, kind=None, people=None) -> str:
    """`people`: staff id -> the person, so that a reference reads `姓名（编号）`."""
    if value is None or value == ():
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(kind, ListOf):
        return "、".join(show(v, kind.item, people) for v in value)
    if isinstance(kind, Choice):
        return kind.vocabulary.get(value, value)
    if dataclasses.is_dataclass(value):
        return "；".join(f"{f.metadata['label']} {show(getattr(value, f.name), f.metadata['kind'], people)}"
                        for f in schema_fields(type(value)) if getattr(value, f.name) not in (None, ()))
    if people and value in people:
        return f"{people[value].name}（{value}）"
    return str(value)


def _key(item):
    for name in ("id", "member", "problem", "date"):
        if hasattr(item, name):
            return getattr(item, name)
    return None


def field_diff(old, new, prefix: str = "", people=None) -> list[str]:
    """Lines `标签：旧 → 新` for each field that differs (nested records and list items by their key)."""
    lines = []
    for f in schema_fields(type(new)):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a == b:
            continue
        label, kind = prefix + f.metadata["label"], f.metadata["kind"]
        if dataclasses.is_dataclass(b) and dataclasses.is_dataclass(a):
            lines += field_diff(a, b, label + "：", people)
        elif isinstance(kind, ListOf) and isinstance(kind.item, type) and dataclasses.is_dataclass(kind.item):
            lines += _list_diff(a, b, label, people)
        else:
            lines.append(f"{label}：{show(a, kind, people)} → {show(b, kind, people)}")
    return lines


def _list_diff(old: tuple, new: tuple, label: str, people) -> list[str]:
    before = {_key(x): x for x in old}
    lines = []
    for item in new:
        k = _key(item)
        if k in before:
            if before[k] != item:
                lines += field_diff(before[k], item, f"{label} {k}：", people)
        else:
            lines.append(f"{label}：新增 {show(item, people=people)}")
    kept = {_key(x) for x in new}
    lines += [f"{label}：删去 {show(x, people=people)}" for x in old if _key(x) not in kept]
    return lines
