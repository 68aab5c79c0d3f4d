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
import io
from typing import NamedTuple

import yaml

from .. import vocab
from ..records import Household, Visit
from ..schema import MISSING, Context, convert, convert_value, is_null, schema_fields
from ..yamlread import MappingNode, Node, SequenceNode, _Loader, decode

_FAR_FUTURE = dt.date(9999, 12, 31)  # no birth date is "in the future" when reading history
_VISIT_PATH = re.compile(r"^visits/\d{4}-\d{2}/([a-z0-9][a-z0-9-]*)\.yaml$")
_HOUSEHOLD_PATH = re.compile(r"^households/[^/]+/([a-z0-9][a-z0-9-]*)\.yaml$")


class VisitKey(NamedTuple):
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


def keyed_visits(visitor: str, visits) -> dict[VisitKey, Visit]:
    """A visit file's visits by identity, in file order (a second visit with the same identity counts up `n`)."""
    out: dict[VisitKey, Visit] = {}
    repeats: dict[VisitKey, int] = {}  # a first key → the `n` of its last repeat (a file of many: not n² lookups)
    new = tuple.__new__  # VisitKey(...) without the named tuple's Python-level __new__: this runs for every visit
    for visit in visits:
        key = new(VisitKey, (visitor, visit.date, visit.household, visit.duty, 0))
        if key in out:
            n = repeats[key] = repeats.get(key, 0) + 1
            key = key._replace(n=n)
        out[key] = visit
    return out


def _context() -> Context:
    return Context(findings=[], today=_FAR_FUTURE, synthetic_ids=True)


class HouseholdParser:
    """Parses household files. A change usually touches one top-level field (a phone in `members`, a review in
    `reviews`), so each top-level block's text is parsed once for the whole run; files that do not split into
    `key:` blocks are parsed whole."""

    def __init__(self):
        self._blocks: dict[str, tuple[str, object] | bool] = {}
        self._fields = {f.name: f for f in schema_fields(Household)}

    def read(self, data: bytes | None, path: str) -> Household | None:
        if data is None:
            return None
        text, _ = decode(data, path)
        if text is None:
            return None
        blocks = _blocks(text)
        values: dict[str, object] = {}
        for block in blocks or ():
            got = self._blocks.get(block)
            if got is None:
                got = self._blocks[block] = self._parse_block(block, path)
            if got is False or got[0] in values:
                blocks = None  # read whole: a block that cannot be read alone, or a key written twice
                break
            if got[0]:
                values[got[0]] = got[1]
        if blocks is None:
            return _whole_household(text, path)
        try:
            return Household(**values)
        except TypeError:  # a required field is missing
            return None

    def _parse_block(self, block: str, path: str):
        """(field name, value); ("", None) for a block that gives no value; False when it cannot be read alone."""
        root = _compose(block + "\n", path)
        if not isinstance(root, MappingNode) or len(root.value) != 1:
            return False
        key, value = root.value[0]
        spec = self._fields.get(getattr(key, "value", None))
        if spec is None or is_null(value):
            return ("", None)
        converted = convert_value(spec.metadata["kind"], value, _context(), spec.name, spec.metadata["label"])
        return ("", None) if converted is MISSING else (spec.name, converted)


def _blocks(text: str) -> list[str] | None:
    """The top-level `key: ...` blocks of a mapping written in block style, or None."""
    blocks: list[list[str]] = []
    for line in text.split("\n"):
        if not line.strip() or line[0] in " #" or line.startswith("- ") or line == "-":
            if blocks:
                blocks[-1].append(line)
            elif line.startswith("-"):
                return None
        elif line.startswith(("---", "...", "{", "[", "?", "&", "*", "!", "%")):
            return None
        else:
            blocks.append([line])
    out = []
    for lines in blocks:
        while lines and not lines[-1].strip():
            lines.pop()
        out.append("\n".join(lines))
    return out


def _whole_household(text: str, path: str) -> Household | None:
    root = _compose(text, path)
    if root is None:
        return None
    record = convert(Household, root, _context())
    return None if record is MISSING else record


def _compose(text: str, path: str) -> Node | None:
    """The node tree of a text, or None. Old versions are not checked line by line as today's files are
    (`yamlread.scan_text`): their problems were reported when they were current."""
    stream = io.StringIO(text)
    stream.name = path
    try:
        return yaml.compose(stream, Loader=_Loader)
    except yaml.YAMLError:
        return None


class VisitParser:
    """Parses visit files, remembering every entry text it has seen (old versions repeat most of them)."""

    def __init__(self):
        self._entries: dict[tuple[str, str], Visit | None | bool] = {}  # (visitor, entry text) → visit

    def read(self, data: bytes | None, path: str) -> dict[VisitKey, Visit] | None:
        """The visits of one version of a visit file, by identity; None when the version cannot be read. The
        visitor, the file's name, is in the key and in each Visit, as the loader sets it."""
        visitor = visitor_of(path)
        if data is None or visitor is None:
            return None
        text, _ = decode(data, path)
        if text is None:
            return None
        visits = self._split(text, path, visitor)
        if visits is None:
            visits = self._whole(text, path, visitor)
        if visits is None:
            return None
        return keyed_visits(visitor, visits)

    def _split(self, text: str, path: str, visitor: str) -> list[Visit] | None:
        entries: list[list[str]] = []
        for line in text.split("\n"):
            if line.startswith("- ") or line == "-":
                entries.append([line])
            elif not line.strip() or line[0] in " #":
                if entries:
                    entries[-1].append(line)
            else:
                return None  # something at the top level that is not an entry: read the file whole
        visits = []
        cache = self._entries
        for lines in entries:
            while lines and not lines[-1].strip():
                lines.pop()  # the last entry of a file ends in its newline; the same entry elsewhere does not
            entry = (visitor, "\n".join(lines))
            visit = cache.get(entry)
            if visit is None and entry not in cache:
                visit = cache[entry] = self._parse_entry(entry[1], path, visitor)
            if visit is False:
                return None
            if visit is not None:
                visits.append(visit)
        return visits

    @staticmethod
    def _parse_entry(entry: str, path: str, visitor: str):
        """A Visit, None for an entry that is not a valid visit, False when the entry cannot be read alone."""
        root = _compose(entry + "\n", path)
        if root is None or not isinstance(root, SequenceNode) or len(root.value) != 1:
            return False
        visit = convert(Visit, root.value[0], _context(), visitor=visitor)
        return None if visit is MISSING else visit

    @staticmethod
    def _whole(text: str, path: str, visitor: str) -> list[Visit] | None:
        root = _compose(text, path)
        if root is None or not isinstance(root, SequenceNode):
            return None
        out = []
        for node in root.value:
            visit = convert(Visit, node, _context(), visitor=visitor)
            if visit is not MISSING:
                out.append(visit)
        return out
