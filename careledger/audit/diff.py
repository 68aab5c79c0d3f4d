"""Which fields of a record changed between two versions, field by field, with their Chinese labels.

Lists of records are matched by their id (`id` for members, needs and agreements, `member` for subjects) where
they have one, otherwise by position. Values are shown as the records hold them, choices with their Chinese label.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from ..schema import Choice, ListOf, schema_fields

_KEYS = ("id", "member")  # the fields that identify an item in a list of records
_LONG = 60


@dataclass(frozen=True)
class FieldChange:
    path: str  # e.g. subjects[m1].level
    label: str  # e.g. 关爱帮扶对象[m1]·关爱帮扶等级
    old: str  # "" when the field was added
    new: str  # "" when the field was removed

    def describe(self) -> str:
        if not self.old:
            return f"{self.label}：新增“{self.new}”"
        if not self.new:
            return f"{self.label}：删除“{self.old}”"
        return f"{self.label}：“{self.old}”→“{self.new}”"


def diff_records(old, new) -> tuple[FieldChange, ...]:
    """The fields that differ between two records of one type (either may be None: all its fields then count)."""
    out: list[FieldChange] = []
    _diff(type(new if new is not None else old), old, new, "", "", out)
    return tuple(out)


def _diff(cls, old, new, path: str, label: str, out: list[FieldChange]) -> None:
    for spec in schema_fields(cls):
        a = getattr(old, spec.name) if old is not None else None
        b = getattr(new, spec.name) if new is not None else None
        if a == b or (_empty(a) and _empty(b)):
            continue
        kind = spec.metadata["kind"]
        here = f"{path}.{spec.name}" if path else spec.name
        title = f"{label}·{spec.metadata['label']}" if label else spec.metadata["label"]
        item = kind.item if isinstance(kind, ListOf) else kind
        if dataclasses.is_dataclass(item):
            if isinstance(kind, ListOf):
                _diff_list(item, a or (), b or (), here, title, out)
            else:
                _diff(item, a, b, here, title, out)
        else:
            out.append(FieldChange(here, title, _show(a, item), _show(b, item)))


def _diff_list(cls, old: tuple, new: tuple, path: str, label: str, out: list[FieldChange]) -> None:
    key = next((k for k in _KEYS if any(f.name == k for f in schema_fields(cls))), None)
    old_keys = [getattr(x, key) for x in old] if key else []
    new_keys = [getattr(x, key) for x in new] if key else []
    if key is None or len(set(old_keys)) != len(old_keys) or len(set(new_keys)) != len(new_keys):
        pairs = [(str(i), old[i] if i < len(old) else None, new[i] if i < len(new) else None)
                 for i in range(max(len(old), len(new)))]
    else:
        by_old, by_new = dict(zip(old_keys, old)), dict(zip(new_keys, new))
        order = old_keys + [k for k in new_keys if k not in by_old]
        pairs = [(k, by_old.get(k), by_new.get(k)) for k in order]
    for name, a, b in pairs:
        if a != b:
            _diff(cls, a, b, f"{path}[{name}]", f"{label}[{name}]", out)


def _empty(value) -> bool:
    return value is None or value == () or value == ""


def _show(value, kind) -> str:
    if _empty(value):
        return ""
    if isinstance(value, tuple):
        return "、".join(_show(v, kind) for v in value)
    if isinstance(kind, Choice):
        label = kind.vocabulary.get(value)
        return f"{label}（{value}）" if label else str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= _LONG else text[:_LONG - 1] + "…"
