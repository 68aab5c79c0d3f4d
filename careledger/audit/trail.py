"""The change history of one household, as the dossier and the audit report show it: `household_history`.

Each `Change` is one commit's change to the household's file (with the fields that changed) or to one visit that
concerns the household (added, changed or removed), with the commit's day, author and message. Authors are named
as staff where a staff record lists their git identity (`Authors`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .diff import FieldChange, diff_records
from .history import Commit, History, HouseholdEvent, VisitEvent

ACTIONS = {"added": "新增", "changed": "修改", "moved": "移动", "removed": "删除"}


class Authors:
    """Maps a commit's author (e-mail or name, case-insensitive) to the staff record that lists that identity."""

    def __init__(self, staff=()):
        self.by_identity: dict[str, object] = {}
        for person in staff:
            for identity in person.git:
                self.by_identity.setdefault(identity.strip().casefold(), person)

    def of(self, commit: Commit):
        """The staff member who made the commit, or None."""
        return (self.by_identity.get(commit.author_email.strip().casefold())
                or self.by_identity.get(commit.author_name.strip().casefold()))

    def name(self, commit: Commit) -> str:
        person = self.of(commit)
        return f"{person.name}（{person.id}）" if person else commit.author


@dataclass(frozen=True)
class Change:
    date: dt.date  # the commit's day (committer date, Asia/Shanghai)
    commit: str  # the full commit id
    author: str  # the staff member (name and id), or the git identity when none lists it
    staff: str  # the staff id of the author, "" when unknown
    message: str  # the commit's subject line
    record: str  # "household" (the household's file) or "visit"
    household: str  # the household id the change concerns
    action: str  # "added", "changed", "moved" or "removed"
    path: str  # the file, relative to the content directory
    what: str  # the household id, or the visit (date, visitor, household, duty)
    fields: tuple[FieldChange, ...]  # what changed, field by field (empty for an addition or removal)

    @property
    def short(self) -> str:
        return self.commit[:10]

    @property
    def summary(self) -> str:
        """One line: what happened and which fields changed."""
        kind = "户档案" if self.record == "household" else f"走访 {self.what}"
        head = f"{ACTIONS[self.action]}{kind}"
        if self.action == "changed" and not self.fields:
            return f"{head}（内容未变，仅格式）"
        if self.fields:
            return f"{head}：" + "；".join(f.describe() for f in self.fields)
        return head


def household_history(history: History | None, household_id: str, staff=()) -> list[Change]:
    """Every change of the household's file and of the visits to it, oldest first. `staff` (the records' staff)
    names the authors; an unavailable history gives an empty list."""
    if history is None or not history.available:
        return []
    authors = Authors(staff)
    files, visits = history.for_household(household_id)
    changes = [household_change(e, authors) for e in files] + [visit_change(e, authors) for e in visits]
    order = {e.commit.id: e.commit.order for e in files + visits}
    changes.sort(key=lambda c: (order[c.commit], c.record != "household", c.what))
    return changes


def household_change(event: HouseholdEvent, authors: Authors) -> Change:
    fields = diff_records(event.before, event.after) if event.action in ("changed", "moved") else ()
    return _change(event.commit, authors, "household", event.household, event.action, event.path, event.household,
                   fields)


def visit_change(event: VisitEvent, authors: Authors) -> Change:
    fields = ()
    if event.action == "changed":
        fields = diff_records(event.before, event.visit)
    what = event.key.label()
    if event.before_key and event.before_key != event.key:
        what = f"{event.before_key.label()} → {event.key.label()}"
    return _change(event.commit, authors, "visit", event.key.household, event.action, event.path, what, fields)


def _change(commit: Commit, authors: Authors, record: str, household: str, action: str, path: str, what: str,
            fields) -> Change:
    person = authors.of(commit)
    return Change(date=commit.date, commit=commit.id, author=authors.name(commit), staff=person.id if person else "",
                  message=commit.subject, record=record, household=household, action=action, path=path, what=what,
                  fields=fields)
