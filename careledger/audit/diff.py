"""Which fields of a record changed between two versions, field by field, with their Chinese labels.

Lists of records are matched by their id (`id` for members, needs and agreements, `member` for subjects) where
they have one, otherwise by position. Values are shown as the records hold them, choices with their Chinese label.
A `Wording` says how items and values read: the default one is the internal audit report's (codes kept, positions
from 0); the dossier's (`careledger/views/dossier_history.py`) speaks like a clerk.
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


class Wording:
    """How a change reads in the internal audit report: items by key or position from 0, values with their codes."""

    whole_items = False  # True: an item added to or removed from a list is one change, not one per field

    def item(self, cls, label: str, key_field: str | None, key: str, index: int) -> str:
        return f"{label}[{key if key_field else index}]"

    def value(self, spec, value, kind) -> str:
        return _show(value, kind)


REPORT = Wording()


def diff_records(old, new, wording: Wording = REPORT) -> tuple[FieldChange, ...]:
    """The fields that differ between two records of one type (either may be None: all its fields then count)."""
    out: list[FieldChange] = []
    _diff(type(new if new is not None else old), old, new, "", "", out, wording)
    return tuple(out)


def _diff(cls, old, new, path: str, label: str, out: list[FieldChange], wording: Wording = REPORT) -> None:
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
                _diff_list(item, a or (), b or (), here, title, out, wording)
            else:
                _diff(item, a, b, here, title, out, wording)
        else:
            out.append(FieldChange(here, title, wording.value(spec, a, item), wording.value(spec, b, item)))


def _diff_list(cls, old: tuple, new: tuple, path: str, label: str, out: list[FieldChange],
               wording: Wording = REPORT) -> None:
    key = next((k for k in _KEYS if any(f.name == k for f in schema_fields(cls))), None)
    old_keys = [getattr(x, key) for x in old] if key else []
    new_keys = [getattr(x, key) for x in new] if key else []
    if key is None or len(set(old_keys)) != len(old_keys) or len(set(new_keys)) != len(new_keys):
        key = None
        pairs = [(str(i), i, old[i] if i < len(old) else None, new[i] if i < len(new) else None)
                 for i in range(max(len(old), len(new)))]
    else:
        by_old, by_new = dict(zip(old_keys, old)), dict(zip(new_keys, new))
        order = old_keys + [k for k in new_keys if k not in by_old]
        pairs = [(k, i, by_old.get(k), by_new.get(k)) for i, k in enumerate(order)]
    for name, index, a, b in pairs:
        if a == b:
            continue
        title = wording.item(cls, label, key, name, index)
        if wording.whole_items and (a is None or b is None):
            text = _whole(cls, a if b is None else b, wording)
            out.append(FieldChange(f"{path}[{name}]", title, "" if a is None else text, "" if b is None else text))
        else:
            _diff(cls, a, b, f"{path}[{name}]", title, out, wording)


def _whole(cls, record, wording: Wording) -> str:
    """An item added or removed whole, in one line: its fields that hold something ("复核日期 2026-09-27，…")."""
    parts = []
    for spec in schema_fields(cls):
        value = getattr(record, spec.name)
        kind = spec.metadata["kind"]
        item = kind.item if isinstance(kind, ListOf) else kind
        if _empty(value) or dataclasses.is_dataclass(item):
            continue
        parts.append(f"{spec.metadata['label']} {wording.value(spec, value, item)}")
    return "，".join(parts)


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
