"""Reading old versions of record files: visit files into keyed visits, household files into households.

Old versions are read with the project's own YAML reader and schema (`yamlread`, `schema.convert`), so a visit in
history compares equal to the same visit in today's records. Problems in old versions are not reported (they were
reported when those versions were current); a version that cannot be read at all is `None`.

**Visit identity.** Visits have no id. A visit is identified by its visitor (the file name), its date, household and
duty, and, for two such visits on one day, its position among them in the file (`VisitKey`). The month folder is not
part of it: moving a visit to the right month does not make it another visit. Everything else (mode, note,
problems, ...) is its content: a change of content is a change of the visit, a change of identity is the removal of
one visit and the addition of another (which the history then pairs, see `history.py`).

Visit files grow by one entry at a time and most of an old version is byte-identical to the next one, so a visit
file is split into its top-level entries and each entry's text is parsed once for the whole run (`VisitParser`).
Files that do not split cleanly (flow style, anchors, documents markers) are parsed whole.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from .. import vocab
from ..records import Household, Visit
from ..schema import MISSING, Context, convert
from ..yamlread import SequenceNode, decode, parse_text

_FAR_FUTURE = dt.date(9999, 12, 31)  # no birth date is "in the future" when reading history
_VISIT_PATH = re.compile(r"^visits/\d{4}-\d{2}/([a-z0-9][a-z0-9-]*)\.yaml$")
_HOUSEHOLD_PATH = re.compile(r"^households/[^/]+/([a-z0-9][a-z0-9-]*)\.yaml$")
_ENTRY_START = re.compile(r"^-(?: |$)")


@dataclass(frozen=True, order=True)
class VisitKey:
    visitor: str
    date: dt.date
    household: str
    duty: str
    n: int = 0  # position among the visitor's visits to this household in this duty on this day

    def label(self) -> str:
        return f"{self.date.isoformat()} {self.visitor} → {self.household}（{vocab.DUTY.get(self.duty, self.duty)}）"


def visitor_of(path: str) -> str | None:
    """The visitor named by a visit file's path, or None for any other file."""
    m = _VISIT_PATH.match(path)
    return m[1] if m else None


def household_of(path: str) -> str | None:
    m = _HOUSEHOLD_PATH.match(path)
    return m[1] if m else None


def _context() -> Context:
    return Context(findings=[], today=_FAR_FUTURE, synthetic_ids=True)


def read_household(data: bytes | None, path: str) -> Household | None:
    if data is None:
        return None
    text, problems = decode(data, path)
    if text is None:
        return None
    parsed, _ = parse_text(text, PurePosixPath(path), path)
    if parsed.root is None:
        return None
    record = convert(Household, parsed.root, _context())
    return None if record is MISSING else record


class VisitParser:
    """Parses visit files, remembering every entry text it has seen (old versions repeat most of them)."""

    def __init__(self):
        self._entries: dict[str, Visit | None] = {}

    def read(self, data: bytes | None, path: str) -> dict[VisitKey, Visit] | None:
        """The visits of one version of a visit file, by identity; None when the version cannot be read."""
        visitor = visitor_of(path)
        if data is None or visitor is None:
            return None
        text, _ = decode(data, path)
        if text is None:
            return None
        visits = self._split(text, path)
        if visits is None:
            visits = self._whole(text, path)
        if visits is None:
            return None
        out: dict[VisitKey, Visit] = {}
        for visit in visits:
            key = VisitKey(visitor, visit.date, visit.household, visit.duty)
            while key in out:
                key = replace(key, n=key.n + 1)
            out[key] = replace(visit, visitor=visitor)
        return out

    def _split(self, text: str, path: str) -> list[Visit] | None:
        entries: list[list[str]] = []
        for line in text.split("\n"):
            if _ENTRY_START.match(line):
                entries.append([line])
            elif not line or line[0] in " #":
                if entries:
                    entries[-1].append(line)
            else:
                return None  # something at the top level that is not an entry: read the file whole
        visits = []
        for lines in entries:
            entry = "\n".join(lines)
            if entry not in self._entries:
                self._entries[entry] = self._parse_entry(entry, path)
            visit = self._entries[entry]
            if visit is False:
                return None
            if visit is not None:
                visits.append(visit)
        return visits

    @staticmethod
    def _parse_entry(entry: str, path: str):
        """A Visit, None for an entry that is not a valid visit, False when the entry cannot be read alone."""
        parsed, problems = parse_text(entry + "\n", PurePosixPath(path), path)
        if parsed.root is None or not isinstance(parsed.root, SequenceNode) or len(parsed.root.value) != 1:
            return False
        visit = convert(Visit, parsed.root.value[0], _context())
        return None if visit is MISSING else visit

    @staticmethod
    def _whole(text: str, path: str) -> list[Visit] | None:
        parsed, _ = parse_text(text, PurePosixPath(path), path)
        if parsed.root is None or not isinstance(parsed.root, SequenceNode):
            return None
        out = []
        for node in parsed.root.value:
            visit = convert(Visit, node, _context())
            if visit is not MISSING:
                out.append(visit)
        return out
