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


@dataclass
class StatusReading:
    """A hidden status row: the on-time count and the warnings a reader can pin, with what the shown rows state."""

    row: str
    members: frozenset
    on_time: tuple[int, int]
    warnings: tuple[int, int]
    stated_on_time: bool = False  # every member is in a shown row of 0% or 100%
    stated_warnings: bool = False  # every member is in a shown row of 0 warnings


@dataclass
class Attack:
    cells: list[Reading] = field(default_factory=list)
    statuses: list[StatusReading] = field(default_factory=list)
    small_shown: list[str] = field(default_factory=list)  # status rows of 1..k−1 subjects that show a figure


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


def attack(site, k: int, *, statuses: bool = True, headline_counts_all: bool = False) -> Attack:
    """Everything a reader can pin down from the rendered `site` (path → bytes). `headline_counts_all`: the
    headline's warnings may count more than the listed subjects' (builds before issue 14 counted children's)."""
    index = tables_of(site["index.html"])
    result = Attack()
    villages, floors = _villages(site)
    _counts(index, villages, floors, k, result, site)
    if statuses:
        _statuses(site, villages, k, result, headline_counts_all)
    return result


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
        raw = re.findall(r'<tr id="p-[^"]+">(.*?)</tr>', html, re.S)
        for row, source in zip(rows[1:], raw):
            cell = dict(zip(head, row))
            cell["cadres"] = tuple(re.findall(r'<span class="cadre">(.*?)</span>', source))
            got.append(cell)
            for column, table in (("人员类别", CATEGORY), ("关爱帮扶等级", LEVEL)):
                if column in cell:
                    floors[village, cell[column], table] = floors.get((village, cell[column], table), 0) + 1
    return villages, floors


def _counts(index, villages, floors, k: int, result: Attack, site) -> None:
    model = _Model()
    cell_var: dict = {}  # (table, row, column) → (variable, floor, text); the subject totals are shared
    names = list(villages)
    listed = {v: len(villages[v]) for v in names}
    subject_total = {}
    for caption in (CATEGORY, LEVEL, HOUSEHOLDS):
        rows = index.get(caption)
        if rows is None:
            continue
        head, labels = rows[0][1:], [r[0] for r in rows[1:]]
        grid = {}
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
            for v in names:  # households in care ≤ subjects; a listed subject's household is in care
                if v in subject_total and (v, IN_CARE) in grid:
                    model.add({grid[v, IN_CARE]: 1, subject_total[v]: -1}, -BIG, 0)
                    if listed[v]:
                        model.low[grid[v, IN_CARE]] = max(model.low[grid[v, IN_CARE]], 1)
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
        low, high = model.bounds({v: 1})
        result.cells.append(Reading(table, row, col, low - floor, high - floor, floor))


def _rate(text: str):
    m = re.fullmatch(r"(\d+)%", text)
    return int(m.group(1)) if m else None


def _statuses(site, villages, k: int, result: Attack, headline_counts_all: bool) -> None:
    """Binary on-time and whole warnings per listed subject; every shown status row is a constraint."""
    model = _Model()
    subjects = [(v, i, e) for v in villages for i, e in enumerate(villages[v])]
    on = {(v, i): model.var(0, 1) for v, i, _ in subjects}
    cadres_of = {(v, i): e["cadres"] for v, i, e in subjects}
    labels = sorted({lab for labs in cadres_of.values() for lab in labs}, key=len, reverse=True)
    warn = {}
    for key, labs in cadres_of.items():
        for label in [*labs, ""]:
            warn[key, label] = model.var(0, BIG)
    groups: dict = {}  # row → (members, rate, warnings, cadre label or None)
    status = tables_of(site["status.html"])
    for row in status.get(VILLAGE_STATUS, [])[1:]:
        members = frozenset((row[0], i) for i in range(len(villages.get(row[0], []))))
        groups[f"村:{row[0]}"] = (members, row[2], row[4], None)
    for caption, rows in status.items():
        if caption.endswith("包保责任人走访情况与预警次数"):
            for row in rows[1:]:
                label = next((lab for lab in labels if row[0].startswith(lab)), row[0])
                members = frozenset(key for key, labs in cadres_of.items() if label in labs)
                groups[f"人:{label}（{row[1]}）"] = (members, row[4], row[6], label)
    for path in sorted(p for p in site if p.startswith("villages/")):  # a village's page: its cadres' rows there
        m = re.search(r"<h1>(.*?)关爱帮扶公示</h1>", site[path].decode("utf-8"))
        if not m:
            continue
        village = m.group(1)
        for row in tables_of(site[path]).get("各包保责任人", [])[1:]:
            label = next((lab for lab in labels if row[0].startswith(lab)), row[0])
            members = frozenset(key for key, labs in cadres_of.items() if key[0] == village and label in labs)
            groups[f"人:{label}（{row[1]}）@{village}"] = (members, row[4], row[6], label)
    text = re.sub(r"<[^>]+>", "", site["index.html"].decode("utf-8"))
    m_rate = re.search(r"按时走访率\s*(\d+%|—)", text)
    m_warn = re.search(r"\d+年\d+月预警\s*(\S+?)次", text)
    groups["全辖区"] = (frozenset(on), m_rate.group(1) if m_rate else "—", m_warn.group(1) if m_warn else "—", None)

    others = model.var(0, BIG if headline_counts_all else 0)  # warnings on subjects not listed

    def warn_terms(members, label):
        terms = {w: 1 for (key, lab), w in warn.items() if key in members and (label is None or lab == label)}
        return {**terms, others: 1} if members is groups["全辖区"][0] else terms

    stated_on, stated_warn = set(), set()
    for name, (members, rate, warnings, label) in groups.items():
        p, n = _rate(rate), len(members)
        if 0 < n < k and (p is not None or re.fullmatch(r"\d+", warnings or "")):
            result.small_shown.append(name)
        if p is not None and n:
            model.add({on[key]: 100 for key in members}, n * (p - 0.5), n * (p + 0.5))
            if p in (0, 100) and n <= 200:
                stated_on |= members
        if re.fullmatch(r"\d+", warnings or ""):
            model.add(warn_terms(members, label), int(warnings), int(warnings))
            if int(warnings) == 0:
                stated_warn |= members
    for name, (members, rate, warnings, label) in groups.items():
        if not members or (_rate(rate) is not None and re.fullmatch(r"\d+", warnings or "")):
            continue
        result.statuses.append(StatusReading(
            name, members, model.bounds({on[key]: 1 for key in members}), model.bounds(warn_terms(members, label)),
            members <= stated_on, members <= stated_warn))


# --- building the sites to attack, and the truth to judge the attack by -------------------------------------------


def build_site(content, as_of):
    """The published site of a content directory, in memory, as the build renders it; with the records."""
    import tempfile
    from pathlib import Path

    from careledger.pipeline import prepare
    from careledger.render import convert_pages, render_site
    from careledger.views.public import redact

    with tempfile.TemporaryDirectory() as out:
        prepared = prepare(Path(content), Path(out) / "output", as_of=as_of, allow_dirty=True)
    records = prepared.facts.records
    view = redact(records, prepared.policy_findings, as_of, records.site.privacy)
    pages_html, _ = convert_pages(view.pages)
    return render_site(view, pages_html, stamp=prepared.stamp), records, view


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
    out = {}
    for cell, value in {**system.values, **households.values}.items():
        floor = system.floors.get(cell, 0)
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
    """The figures of an attack judged by the truth: cells pinned below k (or exactly), hidden status rows pinned."""
    real = truth(records, as_of)
    figures = {"hidden": 0, "pinned_small": [], "pinned_exactly": [], "zero_bounded": [], "known_large": 0,
               "rates_pinned": [], "warnings_pinned": [], "small_rows_shown": list(attack_result.small_shown)}
    for r in attack_result.cells:
        value, floor = real[r.table, r.row, r.column]
        part = value - floor
        figures["hidden"] += 1
        assert r.floor == floor and r.low <= part <= r.high, (r, value, floor)  # the attack is sound
        if 1 <= part <= k - 1 and r.high < k:
            figures["pinned_small"].append(r)
        if part >= 1 and r.low == r.high:
            figures["pinned_exactly"].append(r)
        if part == 0 and 0 < r.high < k:
            figures["zero_bounded"].append(r)
        if r.low >= k:
            figures["known_large"] += 1
    for s in attack_result.statuses:
        if len(s.members) >= k:  # a hidden row of k or more: its figures would describe no one (like a shown one)
            continue
        if s.on_time[0] == s.on_time[1] and not s.stated_on_time:
            figures["rates_pinned"].append(s)
        if s.warnings[0] == s.warnings[1] and not s.stated_warnings:
            figures["warnings_pinned"].append(s)
    return figures
