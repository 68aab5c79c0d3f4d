"""The parts of the public view: frozen dataclasses of plain values (see `views/public.py`).

Every part checks its fields when it is made: a field may hold only text, numbers, dates, a `Source`, other parts,
or tuples of these. A record, a dict or any other object is refused with a TypeError, so nothing from the raw
records can ride along into the published templates by accident.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
from dataclasses import dataclass

from ..findings import Source

NOT_SHOWN = "—"


class _Part:
    """A part of the public view: its fields may hold only plain values and other parts."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _ALLOWED.add(cls)

    def __post_init__(self):
        # Most values are of an allowed type exactly (set lookups, in C for a part without tuples); anything else
        # (a tuple, a subclass, or what is refused) goes through `_check`: the same verdict, for a fraction of the
        # cost (a county makes 200,000 parts).
        owner = type(self)
        if _ALLOWED.issuperset(map(type, _values_of(owner)(self))):
            return
        fields = self.__dict__
        for name in _field_names(owner):
            value = fields[name]
            kind = type(value)
            if kind in _ALLOWED:
                continue
            if kind is tuple and all(type(item) in _ALLOWED for item in value):
                continue
            _check(owner.__name__, name, value)


@functools.cache
def _field_names(part: type) -> tuple[str, ...]:
    """A part's field names, read once per class (tens of thousands of parts are made per build)."""
    return tuple(f.name for f in dataclasses.fields(part))


@functools.cache
def _values_of(part: type):
    """A function that gives a part's field values as a tuple (made in C: operator.attrgetter)."""
    names = _field_names(part)
    if len(names) < 2:  # attrgetter of one name gives the value itself, not a tuple
        return lambda part_: tuple(getattr(part_, name) for name in names)
    return operator.attrgetter(*names)


_PLAIN = (str, int, float, bool, type(None), dt.date, Source)
_ALLOWED: set[type] = set(_PLAIN)  # exactly these types, and every part class (added as it is defined)


def _check(owner: str, name: str, value) -> None:
    if isinstance(value, tuple):
        for item in value:
            _check(owner, name, item)
    elif not isinstance(value, (_PLAIN, _Part)):
        raise TypeError(f"{owner}.{name}: the public view holds plain values only, not {type(value).__name__}")


@dataclass(frozen=True)
class Cell(_Part):
    """A published count: `text` is what the page shows; `value` is None when the count is hidden."""

    text: str
    value: int | None


@dataclass(frozen=True)
class Rate(_Part):
    text: str  # "93%" or "—"
    percent: int | None


@dataclass(frozen=True)
class Row(_Part):
    code: str  # village id, category code, ...
    label: str
    cells: tuple[Cell, ...]  # one per column, the row total last


@dataclass(frozen=True)
class Table(_Part):
    caption: str
    head: str  # the heading of the label column
    columns: tuple[str, ...]  # the row total's heading last
    rows: tuple[Row, ...]
    total: Row

    def row(self, code: str) -> Row:
        """The (first) row of this code. Each village page asks the county's tables for its own row: at 25,000
        households 10,000 walks of 2,500 rows, so each table's rows are indexed once (`_ROWS_BY_CODE`)."""
        kept = _ROWS_BY_CODE.get(id(self))
        if kept is None or kept[0] is not self:
            if len(_ROWS_BY_CODE) >= 8:  # (a build asks three tables; the earlier builds' go)
                _ROWS_BY_CODE.clear()
            index: dict[str, Row] = {}
            for r in self.rows:
                index.setdefault(r.code, r)
            kept = _ROWS_BY_CODE[id(self)] = (self, index)
        return kept[1][code]


# id(table) -> (the table, kept alive so that the id is not another's; its rows by code): see `Table.row`
_ROWS_BY_CODE: dict[int, tuple[Table, dict[str, Row]]] = {}


@dataclass(frozen=True)
class Term(_Part):
    """A category or level, with the policy's wording."""

    code: str
    name: str
    description: str


@dataclass(frozen=True)
class Cadre(_Part):
    label: str  # the name when published, else the post
    named: bool
    post: str
    phone: str  # office phone when published, else ""


@dataclass(frozen=True)
class Entry(_Part):
    """One line of the 公示."""

    public_id: str
    name: str  # masked: 张*
    category: str
    level: str
    policies: tuple[str, ...]
    cadres: tuple[Cadre, ...]
    contact: str  # names when published, else 已安排 / 未安排
    enrolled: str  # the month only, 2024-03: a day could be matched with other records
    id_number: str  # the masked form site.yaml allows, else ""
    phone: str  # likewise


@dataclass(frozen=True)
class Status(_Part):
    """Visit status over the listed subjects of a village or of a responsible cadre."""

    label: str
    village: str
    listed: Cell
    on_time: Rate
    gap_band: str
    warnings_month: Cell  # "—" with the rate, where the group's figures are hidden
    cadre: Cadre | None = None


@dataclass(frozen=True)
class Week(_Part):
    start: dt.date  # Monday
    label: str
    visits: int


@dataclass(frozen=True)
class Village(_Part):
    id: str
    name: str
    entries: tuple[Entry, ...]
    status: Status
    cadres: tuple[Status, ...]
    weeks: tuple[Week, ...]


@dataclass(frozen=True)
class Headline(_Part):
    subjects: Cell
    children: Cell
    on_time: Rate  # over the listed subjects
    children_on_time: Rate
    open_warnings: int  # on listed subjects
    warnings_month: Cell  # on listed subjects
    open_problems: int
    reviews_done: int
    quarter: str  # 2026年第4季度
    month: str  # 2026年11月


@dataclass(frozen=True)
class PageText(_Part):
    """A Markdown notice page, published as written (after the raw-HTML check in `render`)."""

    slug: str
    title: str
    markdown: str
    source: Source


@dataclass(frozen=True)
class PublicView(_Part):
    jurisdiction: str
    parent: str
    as_of: dt.date
    commit: str  # the records' git commit, shortened; "" outside git
    office_phone: str
    profile_title: str
    profile_document: str
    k: int
    has_levels: bool
    categories: tuple[Term, ...]
    levels: tuple[Term, ...]
    headline: Headline
    by_category: Table  # villages × categories
    by_level: Table | None  # villages × levels
    households: Table  # villages × household status
    villages: tuple[Village, ...]
    cadres: tuple[Status, ...]
    weeks: tuple[Week, ...]
    gap_bands: tuple[str, ...]
    pages: tuple[PageText, ...]
    alerts: bool = True  # the document has 预警 and 通报 (Tianhu's has neither: gaps are 逾期)

    @property
    def alert_word(self) -> str:
        return "预警" if self.alerts else "逾期"

    @property
    def hidden_mark(self) -> str:
        """The one mark of every count not published (small or not: see views/joint.py)."""
        return NOT_SHOWN
