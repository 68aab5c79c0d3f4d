"""The household's change history as the dossier prints it: a clerk's account, not git's.

`dossier_history(history, household, records, profile)` turns the git events of one household (its file, and the
visits to it) into lines grouped by day and by the person who made them, newest day first: people by their name
(a commit's author is the staff member whose record lists that e-mail or name, else the name git gives, never the
e-mail), fields by their Chinese label, values as the dossier shows them (a choice's Chinese label, a staff member's
or a member's name, the profile's name of a level or category), items of a list by their member's name or counted
from 1. No commit ids: they are the internal audit report's (审计：修改记录). `HistoryVersion` is the household's
own record version, the day and author of the last commit that touched its file or its visits (`household_version`,
which the desk's working lists use too).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..audit.diff import Wording, _show, diff_records
from ..audit.trail import ACTIONS, Authors
from ..schema import Choice, Ident
from .. import vocab


@dataclass(frozen=True)
class HistoryEntry:
    """What one person changed in the household's records on one day."""

    date: str
    author: str  # a name: the staff member's, or the one git gives
    lines: tuple[str, ...]

    @property
    def summary(self) -> str:
        return "；".join(self.lines)


@dataclass(frozen=True)
class HistoryVersion:
    """The household's record version: the day and author of the last change to its file or visits."""

    date: str
    author: str
    commit: str = ""  # the commit's full id: the internal reports name it, the dossier does not

    @property
    def short(self) -> str:
        return self.commit[:10]

    def text(self) -> str:
        return f"{self.date}（{self.author} 修改）" if self.author else self.date


class ClerkWording(Wording):
    """Values and items as a clerk reads them."""

    whole_items = True

    def __init__(self, names: dict[str, str], profile):
        self.names = names  # staff, member and village id → name
        self.profile = profile

    def item(self, cls, label: str, key_field: str | None, key: str, index: int) -> str:
        if key_field == "member" or (key_field == "id" and getattr(cls, "LABEL", "") == "家庭成员"):
            return f"{label}（{self.names.get(key, key)}）"
        if key_field:
            return f"{label} {key}"
        return f"{label}（第 {index + 1} 条）"

    def value(self, spec, value, kind) -> str:
        if value is None or value == () or value == "":
            return ""
        if isinstance(value, tuple):
            return "、".join(self.value(spec, v, kind) for v in value)
        if isinstance(kind, Choice):
            return kind.vocabulary.get(value, str(value))
        if spec.name in ("level", "category") and self.profile is not None:
            found = getattr(self.profile, spec.name)(str(value))
            if found is not None:
                return found.name
        if isinstance(kind, Ident):
            return self.names.get(value, value)
        return _show(value, kind)


def dossier_history(history, household, records, profile) -> tuple[tuple[HistoryEntry, ...], HistoryVersion | None]:
    """The household's changes grouped by day and author, newest day first, and its record version."""
    files, visits = history.for_household(household.id)
    if not files and not visits:
        return (), None
    names = {s.id: s.name for s in records.staff}
    names.update((v.id, v.name) for v in records.site.villages)
    for h in [household] + [h for e in files for h in (e.before, e.after) if h is not None]:
        for m in h.members:
            names.setdefault(m.id, m.name)
    wording = ClerkWording(names, profile)
    authors = Authors(records.staff)

    changes = []  # (order, household first, commit, kind, text)
    for e in files:
        changes.append((e.commit.order, 0, e.commit, "file", _file_line(e, wording)))
    for e in visits:
        changes.append((e.commit.order, 1, e.commit, e.action, _visit_line(e, wording, names, household.id)))
    changes.sort(key=lambda c: (c[0], c[1]))

    groups: dict[tuple[dt.date, str], list] = {}
    for _, _, commit, kind, text in changes:
        person = authors.of(commit)
        who = person.name if person else commit.author_name.strip()
        groups.setdefault((commit.date, who), []).append((kind, text))
    entries = []
    for (day, who), items in groups.items():
        lines: list[str] = []
        added = [text for kind, text in items if kind == "added"]
        for kind, text in items:
            if kind != "added":
                lines.append(text)
            elif added:
                lines.append(text if len(added) == 1 else f"新增走访 {len(added)} 次（见走访记录）")
                added = []
        entries.append(HistoryEntry(day.isoformat(), who, tuple(lines)))
    entries.sort(key=lambda e: e.date, reverse=True)  # stable: one day's authors keep the order of their first change
    return tuple(entries), household_version(history, household.id, authors)


def last_change(history, household_id: str):
    """The last commit (audit.history.Commit) that touched the household's file or a visit to it; None without one."""
    return history.last_commit_of(household_id)  # without making the events of an import (`History.lazy`)


def version_of(commit, authors) -> HistoryVersion:
    """A commit as a record version: its day, its author by name (`audit.trail.Authors`) and its id."""
    person = authors.of(commit)
    return HistoryVersion(commit.date.isoformat(), person.name if person else commit.author_name.strip(), commit.id)


def household_version(history, household_id: str, authors) -> HistoryVersion | None:
    """The household's record version (the dossier prints it), or None when git knows no change of it."""
    if history is None or not getattr(history, "available", False):
        return None
    last = last_change(history, household_id)
    return version_of(last, authors) if last is not None else None


def _file_line(event, wording: ClerkWording) -> str:
    if event.action == "added":
        return "建立户档案"
    if event.action == "removed":
        return "删除户档案"
    fields = diff_records(event.before, event.after, wording)
    head = "修改户档案" if event.action == "changed" else "移动户档案文件"
    if not fields:
        return f"{head}（内容未变，仅调整格式）"
    return f"{head}：" + "；".join(f.describe() for f in fields)


def _visit_line(event, wording: ClerkWording, names: dict[str, str], household: str) -> str:
    key = event.before_key or event.key
    what = (f"{key.date.isoformat()} {names.get(key.visitor, key.visitor)}"
            f"（{vocab.DUTY.get(key.duty, key.duty)}）的走访")
    if event.action == "added":
        return f"新增走访：{what}"
    if event.action == "removed":
        return f"删除走访：{what}"
    fields = diff_records(event.before, event.visit, wording)
    moved = event.before_key and event.before_key.household != event.key.household
    if moved:
        other = event.key.household if event.key.household != household else event.before_key.household
        what += f"（改记到户 {other}）" if event.key.household != household else f"（由户 {other} 改记到本户）"
    if not fields:
        return f"{ACTIONS['changed']}走访：{what}（内容未变，仅调整格式）"
    return f"{ACTIONS['changed']}走访：{what}：" + "；".join(f.describe() for f in fields if f.path != "household")


_COMMIT_ALONE = re.compile(r"（提交 [0-9a-f]{7,40}）")
_COMMIT_FIRST = re.compile(r"（提交 [0-9a-f]{7,40}，")
_COMMIT = re.compile(r"提交 [0-9a-f]{7,40}")
_EMAIL = re.compile(r"\s*<[^<>@\s]+@[^<>\s]+>")


def paper_message(message: str) -> str:
    """A finding's message as the dossier prints it: without commit ids and e-mail addresses (the audit rules name
    them for the internal report; the dossier's change history says who changed what on which day)."""
    message = _COMMIT_ALONE.sub("", message)
    message = _COMMIT_FIRST.sub("（", message)
    return _EMAIL.sub("", _COMMIT.sub("提交", message))
