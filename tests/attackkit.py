"""A reader who tries: solve everything the published site shows for the numbers it hides (issue 14).

`attack(site, k)` reads the rendered site as any reader can (the count tables, the headline, the status tables and
the 公示 lists of every village page; the charts and the search index say nothing these do not) and turns it into
linear constraints, with the facts a reader knows without being told:

- counts are whole and not negative; rows and columns add up to their totals; the two subject tables share their
  village totals and grand total; all subjects = the listed ones (countable on the 公示) + the children;
- a subject cell holds at least the subjects of that village and category (or level) listed on the 公示;
- every household in care has at least one subject in care (households in care ≤ subjects, village by village),
  and a village with a listed subject has a household in care;
- a `<k` mark (old builds) is 1..k−1; any other mark is any number;
- a status row's rate is the share of its listed subjects (named on the 公示 with their cadres) visited on time,
  rounded to a whole percent; its warnings are warnings on those subjects; the village rows add up to the headline;
  a cadre's row on a village page covers her subjects in that village, her row on the status page all of them.

For every hidden cell it asks scipy's HiGHS (`milp`) for the least and the greatest value that fits, of the part
a reader cannot count on the 公示 (cell − listed). For every hidden status row it asks the same of its on-time
count and of its warnings. `bench/attack.py` runs it on many builds and prints the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

BIG = 100_000
CATEGORY = "关爱帮扶对象：各村（社区）按人员类别"
LEVEL = "关爱帮扶对象：各村（社区）按关爱帮扶等级（由高到低）"
HOUSEHOLDS = "登记家庭：各村（社区）按状态"
VILLAGE_STATUS = "各村（社区）走访情况"
IN_CARE = "在册帮扶"
EVIDENT = -1  # a Reading's floor: the households of listed subjects, which the reader bounds but cannot count
TOTAL = "合计"


class _Tables(HTMLParser):
    """caption → rows of cell texts (header row first)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.caption = None
        self.rows: list[list[str]] | None = None
        self.text: list[str] | None = None
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.rows, self.caption = [], ""
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tr" and self.rows is not None:
            self.rows.append([])
        elif tag in ("td", "th") and self.rows is not None:
            self.text = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th") and self.text is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self.text).split()))
            self.text = None
        elif tag == "table" and self.rows is not None:
            self.tables.setdefault(self.caption, self.rows)
            self.rows = None

    def handle_data(self, data):
        if self.in_caption:
            self.caption += data.strip()
        elif self.text is not None:
            self.text.append(data)


def tables_of(html: bytes) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html.decode("utf-8"))
    return parser.tables


@dataclass
class Reading:
    """One hidden number: the interval of its protected part (the cell minus its 公示 floor) a reader can pin."""

    table: str
    row: str
    column: str
    low: int
    high: int
    floor: int = 0
    day: int = 0


@dataclass
class PairReading:
    """Two hidden counts of one row or column of a table: the interval of the sum of their protected parts."""

    table: str
    cells: tuple  # ((row, column), (row, column))
    low: int
    high: int
    day: int = 0


@dataclass
class StatusReading:
    """A hidden status row: the on-time count and the warnings a reader can pin, with what the shown rows state."""

    row: str
    members: frozenset
    on_time: tuple[int, int]
    warnings: tuple[int, int]
    stated_on_time: bool = False  # every member is in a shown row of 0% or 100%
    stated_warnings: bool = False  # every member is in a shown row of 0 warnings
    day: int = 0  # which of the consecutive days read together
    bands: tuple[int, ...] = ()  # the greatest member's gap band can be any of these (indexes of BAND_STATES)
    stated_band: bool = False  # every member is in a shown row of no gap or ≤7天


@dataclass
class Attack:
    cells: list[Reading] = field(default_factory=list)
    statuses: list[StatusReading] = field(default_factory=list)
    small_shown: list[str] = field(default_factory=list)  # status rows of 1..k−1 subjects that show a figure
    pairs: list = field(default_factory=list)  # PairReading: two hidden counts of one row or column, together
    chart_extra: list[str] = field(default_factory=list)  # on-time chart figures the status table does not show
    truth: list = field(default_factory=list)  # per day: public id → (on time, band index), if known


class _Model:
    """Integer variables with bounds, linear equalities and inequalities; min and max of a variable or a sum."""

    def __init__(self):
        self.low: list[float] = []
        self.high: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def var(self, low: float = 0, high: float = BIG) -> int:
        self.low.append(low)
        self.high.append(high)
        return len(self.low) - 1

    def fix(self, v: int, value: float) -> None:
        self.low[v] = max(self.low[v], value)
        self.high[v] = min(self.high[v], value)

    def add(self, terms: dict[int, float], low: float, high: float) -> None:
        self.rows.append((terms, low, high))

    def feasible(self, fixed: dict[int, float], rows: list) -> bool:
        """Does anything fit everything, with these variables fixed and these rows added?"""
        n = len(self.low)
        low, high = list(self.low), list(self.high)
        for v, value in fixed.items():
            low[v], high[v] = max(low[v], value), min(high[v], value)
        every = [*self.rows, *rows]
        cols, rws, data = [], [], []
        for i, (t, _, _) in enumerate(every):
            for j, c in t.items():
                rws.append(i)
                cols.append(j)
                data.append(c)
        a = csr_matrix((data, (rws, cols)), shape=(len(every), n))
        cons = [LinearConstraint(a, [r[1] for r in every], [r[2] for r in every])]
        if any(lo > hi for lo, hi in zip(low, high)):
            return False
        r = milp(np.zeros(n), constraints=cons, integrality=np.ones(n), bounds=Bounds(low, high))
        return r.status == 0

    def bounds(self, terms: dict[int, float]) -> tuple[int, int]:
        """The least and the greatest value of the sum that fit every constraint (call after the last `add`)."""
        n = len(self.low)
        if getattr(self, "_frozen", None) is None or self._frozen[0] != (n, len(self.rows)):
            cols, rws, data = [], [], []
            for i, (t, _, _) in enumerate(self.rows):
                for j, c in t.items():
                    rws.append(i)
                    cols.append(j)
                    data.append(c)
            a = csr_matrix((data, (rws, cols)), shape=(len(self.rows), n))
            cons = [LinearConstraint(a, [r[1] for r in self.rows], [r[2] for r in self.rows])] if self.rows else []
            self._frozen = ((n, len(self.rows)), cons, Bounds(self.low, self.high))
        _, cons, bounds = self._frozen
        out = []
        for sign in (1, -1):
            c = np.zeros(n)
            for j, w in terms.items():
                c[j] = sign * w
            r = milp(c, constraints=cons, integrality=np.ones(n), bounds=bounds)
            if r.status != 0:
                raise AssertionError(f"the published numbers do not fit together: {r.message}")
            out.append(round(sign * r.fun))
        return out[0], out[1]


def _number(text: str, k: int):
    """(low, high) a reader allows for a shown cell."""
    if re.fullmatch(r"\d+", text):
        return int(text), int(text)
    if text == f"<{k}":
        return 1, k - 1
    return 0, BIG


def attack(site, k: int, *, statuses: bool = True, headline_counts_all: bool = False, pairs: bool = False) -> Attack:
    """Everything a reader can pin down from the rendered `site` (path → bytes). `headline_counts_all`: the
    headline's warnings may count more than the listed subjects' (builds before issue 14 counted children's).
    `pairs`: also bound the sum of every two hidden counts in one row or column of a table (`Attack.pairs`)."""
    return attack_days([site], k, statuses=statuses, headline_counts_all=headline_counts_all, pairs=pairs)


def attack_days(sites, k: int, *, statuses: bool = True, headline_counts_all: bool = False,
                pairs: bool = False) -> Attack:
    """The same, from the builds of consecutive days read together (the status rows as one system; the counts day
    by day). Readings carry the day's index; the truth of each day, when `build_site` made it, rides along."""
    result = Attack()
    days = []
    for day, site in enumerate(sites):
        villages, floors = _villages(site)
        before = len(result.cells)
        before_pairs = len(result.pairs)
        _counts(tables_of(site["index.html"]), villages, floors, k, result, site, pairs)
        for r in [*result.cells[before:], *result.pairs[before_pairs:]]:
            r.day = day
        days.append((site, villages))
        result.truth.append(getattr(site, "truth", None))
        result.chart_extra += _chart_extra(site)
    if statuses:
        _statuses(days, k, result, headline_counts_all)
    return result


def _chart_extra(site) -> list[str]:
    """The on-time charts' figures (their `<desc>`) that the village status table does not show the same."""
    table = {row[0]: row[2] for row in tables_of(site["status.html"]).get(VILLAGE_STATUS, [])[1:]}
    extra = []
    for path in ("index.html", "status.html"):
        for desc in re.findall(r'<svg[^>]* id="chart-(?:on-time|status)".*?<desc[^>]*>(.*?)</desc>',
                               site[path].decode("utf-8"), re.S):
            for part in desc.split("；"):
                label, _, figure = part.rpartition(" ")
                if (table.get(label), figure) not in ((figure, figure), ("—", "不计算")):
                    extra.append(f"{path}: {part}")
    return extra


def _villages(site):
    """village name → its 公示 entries (header → text, and "cadres": the cadre labels), and the floors
    (village, column, table) → how many of the village's listed subjects fall in that column."""
    villages: dict[str, list] = {}
    floors: dict = {}
    for path in sorted(p for p in site if p.startswith("villages/")):
        html = site[path].decode("utf-8")
        m = re.search(r"<h1>(.*?)关爱帮扶公示</h1>", html)
        if not m:
            continue
        village = m.group(1)
        got = villages.setdefault(village, [])
        rows = tables_of(site[path]).get(f"{village}关爱帮扶对象公示名单")
        if not rows:
            continue
        head = rows[0]
        raw = re.findall(r'<tr id="p-([^"]+)">(.*?)</tr>', html, re.S)
        for row, (pid, source) in zip(rows[1:], raw):
            cell = dict(zip(head, row))
            cell["cadres"] = tuple(re.findall(r'<span class="cadre">(.*?)</span>', source))
            cell["id"] = pid
            got.append(cell)
            for column, table in (("人员类别", CATEGORY), ("关爱帮扶等级", LEVEL)):
                if column in cell:
                    floors[village, cell[column], table] = floors.get((village, cell[column], table), 0) + 1
    return villages, floors


def _counts(index, villages, floors, k: int, result: Attack, site, pairs: bool = False) -> None:
    model = _Model()
    cell_var: dict = {}  # (table, row, column) → (variable, floor, text); the subject totals are shared
    names = list(villages)
    listed = {v: len(villages[v]) for v in names}
    subject_total = {}
    with_listed: dict = {}  # village → households in care with a listed subject (a reader knows only 1..listed)
    grids: dict = {}  # caption → (column labels, row labels, (row, column) → variable)
    for caption in (CATEGORY, LEVEL, HOUSEHOLDS):
        rows = index.get(caption)
        if rows is None:
            continue
        head, labels = rows[0][1:], [r[0] for r in rows[1:]]
        grid = {}
        grids[caption] = (head, labels, grid)
        for row in rows[1:]:
            label = row[0]
            for col, text in zip(head, row[1:]):
                lo, hi = _number(text, k)
                if caption == HOUSEHOLDS:
                    key, floor = (caption, label, col), 0
                elif col == TOTAL:
                    key = ("subjects", label, TOTAL)
                    floor = sum(listed.values()) if label == TOTAL else listed.get(label, 0)
                elif label == TOTAL:
                    key, floor = (caption, label, col), sum(floors.get((v, col, caption), 0) for v in names)
                else:
                    key, floor = (caption, label, col), floors.get((label, col, caption), 0)
                if key not in cell_var:
                    cell_var[key] = (model.var(max(lo, floor), hi), floor, text)
                else:  # a subject total shown by both tables
                    v = cell_var[key][0]
                    model.low[v], model.high[v] = max(model.low[v], lo), min(model.high[v], hi)
                    if re.fullmatch(r"\d+", text):
                        cell_var[key] = (v, floor, text)
                grid[label, col] = cell_var[key][0]
        for label in labels:  # rows add up
            model.add({**{grid[label, c]: 1 for c in head[:-1]}, grid[label, TOTAL]: -1}, 0, 0)
        for col in head:  # columns add up
            model.add({**{grid[v, col]: 1 for v in labels if v != TOTAL}, grid[TOTAL, col]: -1}, 0, 0)
        if caption != HOUSEHOLDS:
            subject_total = {v: grid[v, TOTAL] for v in names if (v, TOTAL) in grid}
        else:
            # households in care = those with a listed subject (1 to as many as the village's listed subjects,
            # who may share households) + those whose subjects are all unlisted (each has one: no more than the
            # village's unlisted subjects). Hence households in care ≤ subjects, and ≥ 1 where one is listed.
            for v in names:
                if v in subject_total and (v, IN_CARE) in grid:
                    with_listed[v] = model.var(min(1, listed[v]), listed[v])
                    unlisted_only = model.var(0, BIG)
                    model.add({grid[v, IN_CARE]: 1, with_listed[v]: -1, unlisted_only: -1}, 0, 0)
                    model.add({unlisted_only: 1, subject_total[v]: -1}, -BIG, -listed[v])
    # the weekly charts: a village whose households had a visit has a registered household
    for village, weeks in weeks_of(site).items():
        if village is not None and any(n for _, n in weeks) and (HOUSEHOLDS, village, TOTAL) in cell_var:
            v = cell_var[HOUSEHOLDS, village, TOTAL][0]
            model.low[v] = max(model.low[v], 1)
    # the headline: all subjects = listed + children
    text = re.sub(r"<[^>]+>", "", site["index.html"].decode("utf-8"))
    m = re.search(r"其中未满 14 周岁的儿童 (\S+) 人", text)
    grand = cell_var.get(("subjects", TOTAL, TOTAL))
    if m and grand:
        lo, hi = _number(m.group(1), k)
        children = model.var(lo, hi)
        model.add({grand[0]: 1, children: -1}, sum(listed.values()), sum(listed.values()))
        cell_var["children", TOTAL, TOTAL] = (children, 0, m.group(1))
    for (table, row, col), (v, floor, shown) in cell_var.items():
        if re.fullmatch(r"\d+", shown):
            continue
        if table == HOUSEHOLDS and col in (IN_CARE, TOTAL) and with_listed:
            # what the 公示 does not show of a count of households in care: those without a listed subject (the
            # households of the listed subjects are pointed at by the 公示 itself)
            evident = list(with_listed.values()) if row == TOTAL else [with_listed[row]] if row in with_listed else []
            low, high = model.bounds({v: 1, **{w: -1 for w in evident}})
            result.cells.append(Reading(table, row, col, low, high, EVIDENT if evident else 0))
            continue
        low, high = model.bounds({v: 1})
        result.cells.append(Reading(table, row, col, low - floor, high - floor, floor))
    if pairs:
        _pairs(grids, cell_var, model, result)


def _pairs(grids, cell_var, model, result: Attack) -> None:
    """Bound the sum of the protected parts of every two hidden cells of one row or one column (not the totals; in
    the household table the statuses other than in care, whose protected part is the count itself)."""
    def key(caption, row, col):
        return ("subjects", row, TOTAL) if caption != HOUSEHOLDS and col == TOTAL else (caption, row, col)

    for caption, (head, labels, grid) in grids.items():
        columns = [c for c in head if c != TOTAL and not (caption == HOUSEHOLDS and c == IN_CARE)]
        rows = [r for r in labels if r != TOTAL]
        lines = [[(r, c) for c in columns] for r in rows] + [[(r, c) for r in rows] for c in columns]
        for line in lines:
            hidden = [rc for rc in line if not re.fullmatch(r"\d+", cell_var[key(caption, *rc)][2])]
            for i, a in enumerate(hidden):
                for b in hidden[i + 1:]:
                    (va, fa, _), (vb, fb, _) = cell_var[key(caption, *a)], cell_var[key(caption, *b)]
                    low, high = model.bounds({va: 1, vb: 1})
                    result.pairs.append(PairReading(caption, (a, b), low - fa - fb, high - fa - fb))


def _rate(text: str):
    m = re.fullmatch(r"(\d+)%", text)
    return int(m.group(1)) if m else None


def weeks_of(site) -> dict:
    """The weekly charts as a reader reads them (each chart's `<desc>`, its text for screen readers, checked against
    the numbers printed over the bars): village name (None for the county) → [(week label, visits)]."""
    out = {}
    for path in sorted(site):
        if not path.endswith(".html"):
            continue
        html = site[path].decode("utf-8")
        m = re.search(r'<svg[^>]* id="chart-weeks".*?<title[^>]*>(.*?)每周走访次数</title>'
                      r'<desc[^>]*>(.*?)</desc>(.*?)</svg>', html, re.S)
        if not m:
            continue
        owner = None if m.group(1) == "全辖区" else m.group(1)
        weeks = [(label, int(n)) for label, n in re.findall(r"(\d\d/\d\d) 起一周 (\d+) 次", m.group(2))]
        bars = [int(n) for n in re.findall(r'<text[^>]*fill="#1f2328"[^>]*text-anchor="middle">(\d+)</text>',
                                           m.group(3))]
        assert bars == [n for _, n in weeks], (path, bars, weeks)  # the bars say what the description says
        out[owner] = weeks
    return out


# "—": no visit rule applies to the subject (no gap); then views.public.GAP_BANDS in order
BAND_STATES = ("—", "≤7天", "8–14天", "15–30天", ">30天")


def _groups(site, villages) -> dict:
    """Every status row a reader sees: name → (members, rate, band, warnings, cadre label or None). A member is
    (village, public id) of a 公示 entry."""
    keys = {v: [(v, e["id"]) for e in villages[v]] for v in villages}
    cadres_of = {(v, e["id"]): e["cadres"] for v in villages for e in villages[v]}
    labels = sorted({lab for labs in cadres_of.values() for lab in labs}, key=len, reverse=True)
    groups: dict = {}
    status = tables_of(site["status.html"])
    for row in status.get(VILLAGE_STATUS, [])[1:]:
        groups[f"村:{row[0]}"] = (frozenset(keys.get(row[0], [])), row[2], row[3], row[4], None)
    for caption, rows in status.items():
        if caption.endswith("包保责任人走访情况与预警次数"):
            for row in rows[1:]:
                label = next((lab for lab in labels if row[0].startswith(lab)), row[0])
                members = frozenset(key for key, labs in cadres_of.items() if label in labs)
                groups[f"人:{label}（{row[1]}）"] = (members, row[4], row[5], row[6], label)
    for path in sorted(p for p in site if p.startswith("villages/")):  # a village's page: its cadres' rows there
        m = re.search(r"<h1>(.*?)关爱帮扶公示</h1>", site[path].decode("utf-8"))
        if not m:
            continue
        village = m.group(1)
        for row in tables_of(site[path]).get("各包保责任人", [])[1:]:
            label = next((lab for lab in labels if row[0].startswith(lab)), row[0])
            members = frozenset(key for key, labs in cadres_of.items() if key[0] == village and label in labs)
            groups[f"人:{label}（{row[1]}）@{village}"] = (members, row[4], row[5], row[6], label)
    text = re.sub(r"<[^>]+>", "", site["index.html"].decode("utf-8"))
    m_rate = re.search(r"按时走访率\s*(\d+%|—)", text)
    m_warn = re.search(r"\d+年\d+月预警\s*(\S+?)次", text)
    groups["全辖区"] = (frozenset(cadres_of), m_rate.group(1) if m_rate else "—", "—",
                       m_warn.group(1) if m_warn else "—", None)
    return groups, cadres_of


def _statuses(days, k: int, result: Attack, headline_counts_all: bool) -> None:
    """Binary on-time, a gap band and whole warnings per listed subject and day; every shown status row is a
    constraint, and so is what a reader knows of consecutive days (`days`: [(site, villages)], a day apart):

    - a subject's longest gap grows by at most a day from one day to the next, so its band rises by one at most;
    - the weekly charts tell how many visits each village had on the later day (the growth of its last bar, or the
      new week's bar); where it had none, no gap there shrank (no band fell) and nobody late became on time;
    - warnings this month only accumulate within a month."""
    model = _Model()
    per_day = []
    for site, villages in days:
        groups, cadres_of = _groups(site, villages)
        on = {key: model.var(0, 1) for key in cadres_of}
        band = {key: [model.var(0, 1) for _ in BAND_STATES] for key in cadres_of}
        for key in cadres_of:
            model.add({b: 1 for b in band[key]}, 1, 1)
        warn = {(key, label): model.var(0, BIG) for key, labs in cadres_of.items() for label in [*labs, ""]}
        others = model.var(0, BIG if headline_counts_all else 0)  # warnings on subjects not listed
        everyone = groups["全辖区"][0]

        def warn_terms(members, label, warn=warn, others=others, everyone=everyone):
            terms = {w: 1 for (key, lab), w in warn.items() if key in members and (label is None or lab == label)}
            return {**terms, others: 1} if members is everyone else terms

        stated_on, stated_warn, stated_band = set(), set(), set()
        stated_as: dict = {}  # member → the on-time value a shown 0% or 100% states
        for name, (members, rate, shown_band, warnings, label) in groups.items():
            p, n = _rate(rate), len(members)
            if 0 < n < k and (p is not None or re.fullmatch(r"\d+", warnings or "") or shown_band != "—"):
                result.small_shown.append(name)
            if p is not None and n:
                model.add({on[key]: 100 for key in members}, n * (p - 0.5), n * (p + 0.5))
                if p in (0, 100) and n <= 200:
                    stated_on |= members
                    stated_as.update(dict.fromkeys(members, int(p == 100)))
                # a shown row's band is the greatest of its members' (none at all: "—" beside a shown rate)
                b = BAND_STATES.index(shown_band) if shown_band in BAND_STATES else None
                if b is not None and name != "全辖区":
                    for key in members:
                        for higher in range(b + 1, len(BAND_STATES)):
                            model.fix(band[key][higher], 0)
                    model.add({band[key][b]: 1 for key in members}, 1, BIG)
                    if b <= 1:
                        stated_band |= members
            if re.fullmatch(r"\d+", warnings or ""):
                model.add(warn_terms(members, label), int(warnings), int(warnings))
                if int(warnings) == 0:
                    stated_warn |= members
        per_day.append((site, groups, cadres_of, on, band, warn, warn_terms, stated_on, stated_warn, stated_band,
                        stated_as))

    for (site_a, _, keys_a, on_a, band_a, warn_a, *_), (site_b, _, keys_b, on_b, band_b, warn_b, *_) in \
            zip(per_day, per_day[1:]):
        weeks_a, weeks_b = weeks_of(site_a), weeks_of(site_b)
        same_month = _month(site_a) == _month(site_b)
        for key in keys_a.keys() & keys_b.keys():
            index_a = {b: i for i, b in enumerate(band_a[key])}
            index_b = {b: i for i, b in enumerate(band_b[key])}
            # band index on the later day ≤ the earlier's + 1
            model.add({**index_b, **{b: -i for b, i in index_a.items()}}, -BIG, 1)
            visits = _visits_on_later_day(weeks_a.get(key[0]), weeks_b.get(key[0]))
            if visits == 0:
                model.add({**index_b, **{b: -i for b, i in index_a.items()}}, 0, BIG)
                model.add({on_b[key]: 1, on_a[key]: -1}, -BIG, 0)
            if same_month:
                for label in [*keys_a[key], ""]:
                    if (key, label) in warn_b:
                        model.add({warn_b[key, label]: 1, warn_a[key, label]: -1}, 0, BIG)

    # What a shown row states carries to the next or the day before where the reader's facts above carry it: a
    # shown 0 warnings on a later day of the month states 0 on the earlier days too (warnings only accumulate); in a
    # village without a visit on the later day, a shown 100% then says its members were on time the day before,
    # and a shown 0% the day before says they are still late.
    pairs = list(zip(per_day, per_day[1:]))
    for earlier, later in reversed(pairs):
        if _month(earlier[0]) == _month(later[0]):
            earlier[8].update(later[8])

    def carry(source, target, earlier, later, value):
        weeks_a, weeks_b = weeks_of(earlier[0]), weeks_of(later[0])
        for key, stated in source[10].items():
            if stated == value and key in target[2] and \
                    _visits_on_later_day(weeks_a.get(key[0]), weeks_b.get(key[0])) == 0:
                target[7].add(key)

    for earlier, later in reversed(pairs):
        carry(later, earlier, earlier, later, 1)
    for earlier, later in pairs:
        carry(earlier, later, earlier, later, 0)
    for day, (site, groups, cadres_of, on, band, warn, warn_terms, stated_on, stated_warn, stated_band, _) in \
            enumerate(per_day):
        for name, (members, rate, shown_band, warnings, label) in groups.items():
            if not members or (_rate(rate) is not None and re.fullmatch(r"\d+", warnings or "")):
                continue
            result.statuses.append(StatusReading(
                name, members, model.bounds({on[key]: 1 for key in members}),
                model.bounds(warn_terms(members, label)), members <= stated_on, members <= stated_warn,
                day=day, bands=_band_values(model, band, members), stated_band=members <= stated_band))


def _band_values(model, band, members) -> tuple[int, ...]:
    """The bands (indexes of BAND_STATES) the greatest of the members' can have, given everything."""
    out = []
    for b in range(len(BAND_STATES)):
        fixed = {band[key][higher]: 0 for key in members for higher in range(b + 1, len(BAND_STATES))}
        if model.feasible(fixed, [({band[key][b]: 1 for key in members}, 1, BIG)]):
            out.append(b)
    return tuple(out)


def _visits_on_later_day(earlier, later):
    """Visits a village had on the later of two consecutive days, from its weekly charts; None if unknown."""
    if not earlier or not later:
        return None
    if earlier[-1][0] == later[-1][0]:
        return later[-1][1] - earlier[-1][1]
    return later[-1][1]  # a new week began on the later day


def _month(site) -> str:
    m = re.search(r"(\d+年\d+月)预警", re.sub(r"<[^>]+>", "", site["index.html"].decode("utf-8")))
    return m.group(1) if m else ""


# --- building the sites to attack, and the truth to judge the attack by -------------------------------------------


class Site(dict):
    """A rendered site (path → bytes) with the truth the attack is judged by (`truth`: public id → (on time, band
    index)); a reader has the pages only."""

    truth: dict | None = None


def build_site(content, as_of):
    """The published site of a content directory, in memory, as the build renders it; with the records."""
    import tempfile
    from pathlib import Path

    from careledger.pipeline import prepare
    from careledger.render import convert_pages, render_site
    from careledger.rules import Facts
    from careledger.views import public
    from careledger.views.masks import public_id

    with tempfile.TemporaryDirectory() as out:
        prepared = prepare(Path(content), Path(out) / "output", as_of=as_of, allow_dirty=True)
    records = prepared.facts.records
    view = public.redact(records, prepared.policy_findings, as_of, records.site.privacy)
    pages_html, _ = convert_pages(view.pages)
    site = Site(render_site(view, pages_html, stamp=prepared.stamp))
    people = public._People(Facts(records, records.profile, as_of), prepared.policy_findings, records.site.privacy)
    site.truth = {public_id(c.key, people.salt): (int(c.key not in people.late),
                                                   BAND_STATES.index(public._band(people.gaps[c.key]))
                                                   if c.key in people.gaps else 0)
                  for c in people.listed}
    return site, records, view


def truth(records, as_of) -> dict:
    """(table, row label, column label) → (true count, listed on the 公示), keyed as `attack` keys its readings."""
    from careledger import vocab
    from careledger.rules import Facts
    from careledger.views.public import population
    from careledger.views.public_tables import household_grid, subject_system

    facts = Facts(records, records.profile, as_of)
    in_care, listed = population(facts)
    system = subject_system(facts, in_care, listed)
    households = household_grid(facts)
    names = {v.id: v.name for v in records.site.villages}
    names["*"] = TOTAL
    category = {c.code: c.name for c in records.profile.categories}
    level = {lv.code: lv.name for lv in records.profile.levels}
    level[""] = "未定级"
    listed_keys = {c.key for c in listed}
    evident: dict = {}  # village → households in care with a listed subject
    for h in records.households:
        if h.status == "active" and any(f"{h.id}/{s.member}" in listed_keys for s in h.subjects):
            evident[h.village] = evident.get(h.village, 0) + 1
    out = {}
    for cell, value in {**system.values, **households.values}.items():
        floor = system.floors.get(cell, 0)
        if cell.startswith("households|") and cell.split("|")[2] in ("active", "*"):
            row = cell.split("|")[1]
            floor = (sum(evident.values()) if row == "*" else evident.get(row, 0), EVIDENT)
        parts = cell.split("|")
        if cell == "children":
            key = ("children", TOTAL, TOTAL)
        elif cell == "listed":
            continue
        elif parts[0] == "subjects":
            key = ("subjects", names[parts[1]], TOTAL)
        elif parts[0] == "category":
            key = (CATEGORY, names[parts[1]], category[parts[2]])
        elif parts[0] == "level":
            key = (LEVEL, names[parts[1]], level[parts[2]])
        else:
            key = (HOUSEHOLDS, names[parts[1]], TOTAL if parts[2] == "*" else vocab.HOUSEHOLD_STATUS[parts[2]])
        out[key] = (value, floor)
    return out


def verdict(attack_result: Attack, records, as_of, k: int) -> dict:
    """The figures of an attack judged by the truth: cells pinned below k (or exactly), hidden status rows pinned.
    For an attack on several days, `records` and `as_of` are lists, one per day."""
    if not isinstance(as_of, list):
        records, as_of = [records], [as_of]
    real = [truth(r, day) for r, day in zip(records, as_of)]
    figures = {"hidden": 0, "pinned_small": [], "pinned_exactly": [], "zero_bounded": [], "known_large": 0,
               "rates_pinned": [], "warnings_pinned": [], "bands_pinned": [],
               "small_rows_shown": list(attack_result.small_shown), "chart_extra": list(attack_result.chart_extra)}
    for r in attack_result.cells:
        value, floor = real[r.day][r.table, r.row, r.column]
        if isinstance(floor, tuple):  # households in care: the part without a listed subject
            floor = floor[0] if r.floor == EVIDENT else 0
        part = value - floor
        figures["hidden"] += 1
        assert r.floor in (floor, EVIDENT) and r.low <= part <= r.high, (r, value, floor)  # the attack is sound
        if 1 <= part <= k - 1 and r.high < k:
            figures["pinned_small"].append(r)
        if part >= 1 and r.low == r.high:
            figures["pinned_exactly"].append(r)
        if part == 0 and 0 < r.high < k:
            figures["zero_bounded"].append(r)
        if r.low >= k:
            figures["known_large"] += 1
    figures["pairs"] = len(attack_result.pairs)
    figures["pairs_pinned_small"], figures["pairs_pinned_exactly"] = [], []
    for p in attack_result.pairs:
        parts = 0
        for row, col in p.cells:
            value, floor = real[p.day][p.table, row, col]
            parts += value - (floor if isinstance(floor, int) else 0)
        assert p.low <= parts <= p.high, (p, parts)  # the attack is sound
        if 1 <= parts <= k - 1 and p.high < k:
            figures["pairs_pinned_small"].append(p)
        if parts >= 1 and p.low == p.high:
            figures["pairs_pinned_exactly"].append(p)
    for s in attack_result.statuses:
        known = attack_result.truth[s.day] if s.day < len(attack_result.truth) else None
        if known is not None:  # the attack is sound: the truth fits what it pinned
            on_time = sum(known[pid][0] for _, pid in s.members)
            top = max(known[pid][1] for _, pid in s.members)
            assert s.on_time[0] <= on_time <= s.on_time[1] and top in s.bands, (s, on_time, top)
        if len(s.members) >= k:  # a hidden row of k or more: its figures would describe no one (like a shown one)
            continue
        if s.on_time[0] == s.on_time[1] and not s.stated_on_time:
            figures["rates_pinned"].append(s)
        if s.warnings[0] == s.warnings[1] and not s.stated_warnings:
            figures["warnings_pinned"].append(s)
        # a band pinned to a gap (not "no visit rule applies", which the category and the policy tell anyway)
        if len(s.bands) == 1 and s.bands[0] > 0 and not s.stated_band:
            figures["bands_pinned"].append(s)
    return figures
