"""The public view: everything the published site may show, and the only way from records to it.

`redact(records, findings, as_of, settings)` reads the raw records and the rules engine's findings and returns a
`PublicView`: frozen dataclasses that hold only labels, masked names, opaque ids, dates and counts. Every part
checks its own fields on construction, so a record (or anything but plain values and other parts) cannot be put
into it; the published renderer (`render/site.py`) accepts nothing else. What stays out, and why, is in
docs/privacy.md; the build then proves it by scanning the rendered files (`proof.py`).

Who is counted: subjects in care on the as-of date (enrolled, not exited, in a household whose status is 在册帮扶).
Who is listed in the 公示: those of them aged 14 or more on the first day of the as-of date's quarter. Children
under 14 (and subjects whose age is not recorded) are counted, never listed. Exited and observation-list households
are counted by status only.

Time is a channel: two builds a day apart must not differ on a day derived from a birth date. So the age that
decides the listing is taken at the quarter's start (a child who turns 14 appears, and the child count drops, on
the next quarter's first day, not on her birthday), a 公示 entry shows the month of enrolment only, and a household's
policy that says a child lives there (孤儿, 事实无人抚养儿童) is not shown on an adult's entry.

Status figures per village and per cadre (on-time rate, longest-gap band, warnings this month) are computed over
the listed subjects, whose number anyone can count on the 公示; a group of fewer than k subjects shows none of them,
and groups whose figures would give such a group back are hidden with it (`rates.py`). A village page shows a
cadre's figures only where they are her county-wide ones (all her listed subjects live there). The headline's
warnings count listed subjects only: children are never listed, so a count of them is not shown either. Counts of
people and households are suppressed jointly (`joint.py`); counts of the office's work (visits, problems, reviews)
describe no one and are shown as they are.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
from collections import Counter

from .. import cachestore, vocab
from ..load import visits_in_date_order
from ..privacy import digits, id_salt, private_names, private_phones, published_name, published_phone
from ..rules import Facts, cadence
from ..rules.periods import period_of
from .masks import mask_id_number, mask_name, mask_phone, public_id
from .public_parts import (NOT_SHOWN, Cadre, Cell, Entry, Headline, PageText, PublicView, Rate, Row, Status, Table,
                           Term, Village, Week)
from .public_tables import CountTables, build_tables
from .rates import MAX, hidden_groups

__all__ = ["Cadre", "Cell", "Entry", "Headline", "PageText", "PublicView", "Rate", "Row", "Status", "Table", "Term",
           "Village", "Week", "redact"]

LISTED_AGE = 14
HEALTH_POLICIES = frozenset({"disability_allowances"})  # a benefit that names a disability is not shown per person
CHILD_POLICIES = frozenset({"orphan", "unsupported_child"})  # a household policy that says a child lives there
GAP_BANDS = ((7, "≤7天"), (14, "8–14天"), (30, "15–30天"), (None, ">30天"))  # 1..rates.MAX_TOP as a measure
WEEKS = 12
_DATE = operator.attrgetter("date")
_HOUSEHOLD = operator.attrgetter("household")
_UNKNOWN = object()  # the village of a household not in the records

def redact(records, findings, as_of: dt.date, settings, *, commit: str = "", facts: Facts | None = None) -> PublicView:
    """The public view of `records` on `as_of` under the `privacy:` settings. `facts`: the build's own facts of the
    same records and date, whose indexes (cases, visits per case) the rules have already made; else made anew."""
    if facts is None:
        facts = Facts(records, records.profile, as_of)
    elif facts.records is not records or facts.profile is not records.profile or facts.as_of != as_of:
        raise ValueError("redact: the facts given are not of these records on this date")
    people = _People(facts, findings, settings)
    tables = build_tables(facts, people.in_care, people.listed, settings.k)
    site, profile = records.site, records.profile
    return PublicView(
        jurisdiction=site.name, parent=site.parent or "", as_of=as_of, commit=commit[:12],
        office_phone=site.office_phone if site.office_phone and digits(site.office_phone) not in people.private_phones
        else "", profile_title=profile.title,
        profile_document=profile.document_number or "", k=settings.k, has_levels=bool(profile.levels),
        categories=tuple(Term(c.code, c.name, c.description or "") for c in profile.categories),
        levels=tuple(Term(lv.code, lv.name, lv.description or "")
                     for lv in sorted(profile.levels, key=lambda lv: -lv.rank)),
        headline=people.headline(tables),
        by_category=tables.by_category, by_level=tables.by_level, households=tables.households,
        villages=tuple(people.village(v) for v in site.villages),
        cadres=people.cadre_statuses(None),
        weeks=people.weeks(None),
        gap_bands=tuple(label for _, label in GAP_BANDS),
        pages=tuple(PageText(slug=p.slug, title=p.title, markdown=p.body, source=p.source)
                    for p in sorted(records.pages, key=lambda p: p.slug)),
        alerts=profile.alerts,
    )


def population(facts) -> tuple[list, list]:
    """(in care, listed): the cases counted and, of them, those listed in the 公示."""
    in_care = [c for c in facts.cases if c.household.status == "active" and c.in_care_on(facts.as_of)]
    # A subject whose age is not recorded is treated as a child: never listed unless known to be 14 or more. The age
    # is taken on the quarter's first day, so that no birthday moves anyone between the list and the child count.
    start = period_of(facts.as_of, 3).start
    listed = [c for c in in_care if (c.member.age_on(start) or 0) >= LISTED_AGE]
    return in_care, listed


class _People:
    """The subjects in care and listed, and what is published about them."""

    def __init__(self, facts, findings, settings):
        self.facts, self.settings = facts, settings
        records, as_of = facts.records, facts.as_of
        self.in_care, self.listed = population(facts)
        self.listed_keys = {c.key for c in self.listed}
        self.salt, _ = id_salt(records.site)
        self.private = private_names(records, settings)
        self.private_phones = private_phones(records)
        self.gaps = facts.derived.gaps  # cadence.current_gaps, from the household cache in a build
        self.week_counts = _week_counts(records.visits, as_of, records.households_by_id,
                                        in_order=visits_in_date_order(records))
        gaps = cadence.gaps(findings, as_of)
        self.late = {g.subject for g in gaps if g.ongoing and g.duty == "responsible"}
        month = f"{as_of:%Y-%m}"
        # An open gap is one item, however many people in the duty it names. The month's warnings below count each
        # person warned (包保责任人被预警的次数): a village's count is the sum of its cadres'.
        self.open_alerts = [g for g in cadence.gaps(cadence.one_per_gap(findings), as_of) if g.ongoing and g.warned]
        # The published notice (通报): warnings raised this month on cadres, as in the internal notice list.
        self.month_alerts = [g for g in gaps if g.warned and g.duty != "contact" and g.staff
                             and f"{g.raised_on:%Y-%m}" == month]
        # Indexes by village and by cadre: a county has thousands of villages, each page must not scan them all.
        self.listed_by_village: dict[str, list] = {}
        for case in self.listed:
            self.listed_by_village.setdefault(case.household.village, []).append(case)
        self.alerts_by_village: dict[str, int] = {}
        self.alerted_by_staff: dict[str, list[str]] = {}
        for g in self.month_alerts:
            self.alerted_by_staff.setdefault(g.staff, []).append(g.subject)
            if g.subject in self.listed_keys:
                village = records.households_by_id[g.subject.split("/")[0]].village
                self.alerts_by_village[village] = self.alerts_by_village.get(village, 0) + 1
        self.village_names = {v.id: v.name for v in records.site.villages}
        self.village_order = {v.id: i for i, v in enumerate(records.site.villages)}
        self.responsible = {id(case): case.assigned("responsible") for case in self.listed}  # asked for thrice
        self.by_staff: dict[str, list] = {}
        for case in self.listed:
            for staff_id in self.responsible[id(case)]:
                self.by_staff.setdefault(staff_id, []).append(case)
        profile = facts.profile
        self.categories: dict = {}  # code -> the first category (level) of that code, as profile.category() finds
        self.levels: dict = {}
        for c in profile.categories:
            self.categories.setdefault(c.code, c)
        for lv in profile.levels:
            self.levels.setdefault(lv.code, lv)
        self.category_order = {c.code: i for i, c in enumerate(profile.categories)}
        self.level_ranks = {lv.code: -lv.rank for lv in profile.levels}
        self._cadres: dict[str, Cadre] = {}  # staff id -> how she is shown (cadre())
        self._contact_names: dict[str, str | None] = {}  # staff id -> published name (contact_name())
        self.kept = _Kept.of((self.salt, settings, self.private, self.private_phones, profile))
        self.hidden = self.hidden_groups()

    def hidden_groups(self) -> set[str]:
        """The status rows that show no figures: groups of fewer than k, and those that would give one back."""
        groups = {"*": frozenset(c.key for c in self.listed)}
        groups.update({f"v:{v}": frozenset(c.key for c in cases) for v, cases in self.listed_by_village.items()})
        groups.update({f"s:{s}": frozenset(c.key for c in cases) for s, cases in self.by_staff.items()})
        warned: dict[str, int] = {c.key: 0 for c in self.listed}
        for g in self.month_alerts:
            if g.subject in warned:
                warned[g.subject] += 1
        on_time = {c.key: int(c.key not in self.late) for c in self.listed}
        # a cadre's subjects in one village, where she has subjects elsewhere too: that row shows "—" (see
        # cadre_statuses); fewer than k of them must not be worked out from the other rows either
        for staff_id, cases in self.by_staff.items():
            if len({c.household.village for c in cases}) > 1:
                for v in {c.household.village for c in cases}:
                    part = frozenset(c.key for c in cases if c.household.village == v)
                    if len(part) < self.settings.k:
                        groups[f"s:{staff_id}@{v}"] = part
        # the longest-gap band: a maximum over the group (0: no visit rule applies, then the bands in order)
        band = {c.key: 1 + _band_index(self.gaps[c.key]) if c.key in self.gaps else 0 for c in self.listed}
        measures = [(on_time, True), (warned, False), (band, MAX)]
        return self.kept.hidden(groups, measures, self.settings.k)

    # --- the 公示 ---------------------------------------------------------------------------------------------

    def cadre(self, staff_id: str) -> Cadre:
        """How a responsible cadre is shown: the same part on every entry and status row that names her."""
        if staff_id not in self._cadres:
            staff = self.facts.staff.get(staff_id)
            self._cadres[staff_id] = self.kept.value("cadre", staff_id, staff, lambda: self._make_cadre(staff_id))
        return self._cadres[staff_id]

    def _make_cadre(self, staff_id: str) -> Cadre:
        staff = self.facts.staff.get(staff_id)
        if staff is None:
            return Cadre(label="包保责任人", named=False, post="", phone="")
        name = published_name(staff, self.settings, self.private)
        post = staff.post or "包保责任人"
        return Cadre(label=name or post, named=name is not None, post=post,
                     phone=published_phone(staff, self.settings, self.private_phones) or "")

    def entry(self, case) -> Entry:
        settings = self.settings
        contacts = case.assigned("contact")
        names = [self.contact_name(c) for c in contacts if c in self.facts.staff] \
            if settings.publish_contact_names else []
        contact = "、".join(n for n in names if n) or ("已安排" if contacts else "未安排")
        cadres = tuple(self.cadre(s) for s in self.responsible[id(case)])
        subject, member = case.subject, case.member
        # everything the entry shows besides the context `_Kept` compares once per build
        inputs = (member.name, member.id_number, member.phone, subject.category, subject.level, subject.enrolled,
                  case.household.policies, cadres, contact)
        return self.kept.value("entry", case.key, inputs, lambda: self._make_entry(case, cadres, contact))

    def _make_entry(self, case, cadres: tuple[Cadre, ...], contact: str) -> Entry:
        profile, settings = self.facts.profile, self.settings
        category = self.categories.get(case.subject.category)
        level = self.levels.get(case.subject.level) if case.subject.level else None
        return Entry(
            public_id=public_id(case.key, self.salt), name=mask_name(case.member.name),
            category=category.name if category else case.subject.category,
            level=level.name if level else ("未定级" if profile.levels else ""),
            policies=tuple(vocab.POLICY[p] for p in case.household.policies
                           if p not in HEALTH_POLICIES and p not in CHILD_POLICIES),
            cadres=cadres, contact=contact,
            enrolled=f"{case.subject.enrolled:%Y-%m}",
            id_number=mask_id_number(case.member.id_number or "", settings.id_number_mask),
            phone=mask_phone(case.member.phone or "", settings.phone_mask))

    def contact_name(self, staff_id: str) -> str | None:
        """A care contact's published name (None: not published), worked out once per person."""
        if staff_id not in self._contact_names:
            staff = self.facts.staff[staff_id]
            self._contact_names[staff_id] = self.kept.value(
                "contact", staff_id, staff, lambda: published_name(staff, self.settings, self.private))
        return self._contact_names[staff_id]

    def village(self, village) -> Village:
        order, ranks = self.category_order, self.level_ranks
        cases = self.listed_by_village.get(village.id, [])
        pairs = sorted(((c, self.entry(c)) for c in cases),
                       key=lambda ce: (order.get(ce[0].subject.category, 99), ranks.get(ce[0].subject.level, 0),
                                       ce[1].public_id))
        parts = (village.name, tuple(e for _, e in pairs),
                 self.status(village.name, village.name, cases, self.alerts_by_village.get(village.id, 0),
                             group=f"v:{village.id}"),
                 self.cadre_statuses(village.id), self.weeks(village.id))
        # the very village of the last view when its parts are (an unchanged village's digest is kept: render/memo.py)
        return self.kept.value("village", village.id, parts, lambda: Village(village.id, *parts))

    def weeks(self, village_id: str | None) -> tuple[Week, ...]:
        as_of = self.facts.as_of
        counts = tuple(self.week_counts.get(village_id, ()))
        return self.kept.part(("weeks", as_of, counts), lambda: _weeks(self.week_counts, as_of, village_id))

    # --- status -----------------------------------------------------------------------------------------------

    def status(self, label: str, village: str, cases, warnings: int, cadre: Cadre | None = None, *,
               group: str) -> Status:
        """The figures of a group of listed subjects (its number is on the 公示 anyway), or "—" where hidden."""
        n = len(cases)
        if n == 0 or not group or group in self.hidden:
            return self.kept.part((label, village, n, cadre), lambda: Status(
                label, village, Cell(str(n), n), Rate(NOT_SHOWN, None), NOT_SHOWN,
                Cell(NOT_SHOWN, None) if n else Cell("0", 0), cadre))
        on_time = sum(1 for c in cases if c.key not in self.late)
        percent = round(100 * on_time / n)
        gaps = [self.gaps[c.key] for c in cases if c.key in self.gaps]
        band = _band(max(gaps)) if gaps else NOT_SHOWN
        return self.kept.part((label, village, n, cadre, percent, band, warnings), lambda: Status(
            label, village, Cell(str(n), n), Rate(f"{percent}%", percent), band, Cell(str(warnings), warnings), cadre))

    def cadre_statuses(self, village_id: str | None) -> tuple[Status, ...]:
        """One row per responsible cadre of listed subjects (of one village, or all), village by village. A village's
        row shows figures only when they are the cadre's county-wide ones: a part of her county-wide row would let
        one be subtracted from the other."""
        by_cadre: dict[str, list] = {}
        for case in self.listed if village_id is None else self.listed_by_village.get(village_id, []):
            for staff_id in self.responsible[id(case)]:
                by_cadre.setdefault(staff_id, []).append(case)
        rows = []
        for staff_id, cases in by_cadre.items():
            staff = self.facts.staff.get(staff_id)
            home = staff.village if staff else ""
            cadre = self.cadre(staff_id)
            keys = {c.key for c in cases}
            warnings = sum(1 for subject in self.alerted_by_staff.get(staff_id, ()) if subject in keys)
            whole = len(cases) == len(self.by_staff[staff_id])
            rows.append((self.village_order.get(home, -1), cadre.label, staff_id,
                         self.status(cadre.label, self.village_names.get(home, "街道（乡镇）"), cases, warnings,
                                     cadre, group=f"s:{staff_id}" if whole else "")))
        return tuple(r[-1] for r in sorted(rows, key=lambda r: r[:3]))

    def headline(self, tables: CountTables) -> Headline:
        facts, k = self.facts, self.settings.k
        # warnings on listed subjects only: a count of children's warnings would describe children who are not listed
        warnings = sum(1 for g in self.month_alerts if g.subject in self.listed_keys)
        overall = self.status("", "", self.listed, warnings, group="*")
        children = [c for c in self.in_care if c.key not in self.listed_keys]
        kids = self.status("", "", children, 0, group="children" if len(children) >= k else "")
        quarter = period_of(facts.as_of, 3)
        reviews_done = sum(1 for h in facts.records.households for r in h.reviews
                           if quarter.start <= r.date <= facts.as_of)
        return Headline(subjects=tables.subjects, children=tables.children, on_time=overall.on_time,
                        # only over a published number of children: a rate over a hidden count could give it back
                        children_on_time=(kids.on_time if len(children) >= k and tables.children.value is not None
                                          else Rate(NOT_SHOWN, None)),
                        open_warnings=sum(1 for g in self.open_alerts if g.subject in self.listed_keys),
                        warnings_month=overall.warnings_month,
                        open_problems=len(facts.derived.problems),
                        reviews_done=reviews_done, quarter=quarter.label,
                        month=f"{facts.as_of.year}年{facts.as_of.month}月")


class _Kept:
    """What the last public views of this process made, for the next (the preview rebuilds in one process): each
    value kept with everything it reads besides the context, and used only when those are equal (by value, not by
    identity). The context (the id key, the settings, the private names and phones, the profile) is compared once
    per build; another context starts an empty memo, which a build holds for itself (two builds at once in one
    process never mix their contexts)."""

    _last: "_Kept | None" = None

    def __init__(self, context: tuple):
        self.context = context
        self.values: dict = {}  # (kind, key) -> (inputs, value), used by this build
        self.parts: dict = {}  # a part's values -> the part (`part`), used by this build
        self.old_values: dict = {}  # the same, of the build before
        self.old_parts: dict = {}
        self._hidden = None  # (groups, measures, k, hidden): the last `rates.hidden_groups` call

    @classmethod
    def of(cls, context: tuple) -> "_Kept":
        last = cls._last
        if last is None or last.context != context:
            last = cls._last = cls(context)
        else:  # keep what the last build used, and drop what it did not (removed households, past weeks)
            last.old_values, last.values = last.values, {}
            last.old_parts, last.parts = last.parts, {}
        return last

    def value(self, kind: str, key, inputs, make):
        """`make()`, or the value kept under (kind, key) when it was made from equal `inputs`."""
        kept = self.values.get((kind, key)) or self.old_values.get((kind, key))
        if kept is None or kept[0] != inputs:
            kept = (inputs, make())
        self.values[kind, key] = kept
        return kept[1]

    def part(self, key: tuple, make):
        """A part made of exactly the values in `key` (which holds every one it shows), made once: parts are frozen
        and compared by value, so an equal one is the same to every reader."""
        part = self.parts.get(key) or self.old_parts.get(key) or make()
        self.parts[key] = part
        return part

    def hidden(self, groups: dict, measures: list, k: int) -> set[str]:
        """`rates.hidden_groups(groups, measures, k)`, given again when every argument is equal, in the same order
        (a rebuild that changed no listed subject's group, band, rate or warnings)."""
        last = self._hidden
        if (last is not None and last[2] == k and _ordered_equal(last[0], groups)
                and len(last[1]) == len(measures)
                and all(a[1] == b[1] and _ordered_equal(a[0], b[0]) for a, b in zip(last[1], measures))):
            return set(last[3])
        hidden = hidden_groups(groups, measures, k)
        self._hidden = (groups, measures, k, frozenset(hidden))
        return hidden


def _ordered_equal(a: dict, b: dict) -> bool:
    return a == b and list(a) == list(b)


def _band(days: int) -> str:
    return GAP_BANDS[_band_index(days)][1]


def _band_index(days: int) -> int:
    for i, (limit, _) in enumerate(GAP_BANDS):
        if limit is None or days <= limit:
            return i
    raise ValueError(days)  # unreachable: the last band has no limit


def _weeks(counts: dict, as_of: dt.date, village_id: str | None) -> tuple[Week, ...]:
    """Visits recorded in each of the last WEEKS weeks (Monday to Sunday), up to the as-of date."""
    first = as_of - dt.timedelta(days=as_of.weekday(), weeks=WEEKS - 1)
    return tuple(Week(start=first + dt.timedelta(weeks=i), label=f"{(first + dt.timedelta(weeks=i)):%m/%d}",
                      visits=n) for i, n in enumerate(counts.get(village_id, [0] * WEEKS)))


# In a process that keeps its caches: each week's visits and their count by village, counted again only when the
# week's visits are not the very visits of the last count or a household's village is another (a visit changes one
# week of the twelve; 0.1 s at 25,000 households).
_WEEKS: list = []  # [the village of each household, {a week's first day: (its visits, their count by village)}]


def _week_counts(visits, as_of: dt.date, households, *, in_order: bool = False) -> dict:
    """Visits per week for every village, and for all (key None), in one pass over the visits. `in_order`: the
    visits are known to be in date order (`load.visits_in_date_order`): each week's are then one slice, found by
    bisection and counted by village in C, and the year's other visits are not touched."""
    first = as_of - dt.timedelta(days=as_of.weekday(), weeks=WEEKS - 1)
    counts: dict = {None: [0] * WEEKS}
    if in_order:
        village_of = {key: household.village for key, household in households.items()}
        kept = _WEEKS[1] if cachestore.keeping() and _WEEKS and _WEEKS[0] == village_of else {}
        made = {}
        for week in range(WEEKS):
            start = first + dt.timedelta(weeks=week)
            lo = bisect.bisect_left(visits, start, key=_DATE)
            hi = bisect.bisect_right(visits, min(start + dt.timedelta(days=6), as_of), lo=lo, key=_DATE)
            if hi <= lo:
                continue
            counts[None][week] += hi - lo
            these = visits[lo:hi]
            last = kept.get(start)
            if last is not None and cachestore.same_objects(last[0], these):
                by_village = last[1]
            else:
                by_village = Counter(map(village_of.get, map(_HOUSEHOLD, these), itertools.repeat(_UNKNOWN)))
                by_village.pop(_UNKNOWN, None)  # a visit to a household not in the records counts for all only
            made[start] = (these, by_village)
            for village, n in by_village.items():
                counts.setdefault(village, [0] * WEEKS)[week] += n
        if cachestore.keeping():
            _WEEKS[:] = [village_of, made]
        return counts
    for visit in visits:
        if first <= visit.date <= as_of:
            week = (visit.date - first).days // 7
            counts[None][week] += 1
            household = households.get(visit.household)
            if household is not None:
                counts.setdefault(household.village, [0] * WEEKS)[week] += 1
    return counts
