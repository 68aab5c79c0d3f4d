"""The household cache of the rules stage (issue 16: a household is the unit).

Most rule families judge household by household: a household's findings depend only on its own records (its file,
the visits naming it, its custody ledgers), the staff, the profile, the site's settings and the as-of date. Those
*household-local* parts (`LOCAL`) are judged here one household at a time, on facts restricted to that household,
and their findings are kept on disk under a key that hashes those inputs (`Keys`). On the next build a household
whose key is unchanged takes its findings from the cache; the others are judged again. The families and parts
that need the whole jurisdiction (cadre pay and penalties, spot-check samples, the audit of the git history, the
staffing of villages, the office's monthly reports) are not here: `judge` runs them over everything, as before.

The findings come out in the order a judgement of the whole jurisdiction gives them: a family's local findings are
put in order by `ORDER` (within a family, the parts in the order `check` runs them; across households, the order
of the item each part iterates: the household, its ledger file, the visit that found a problem, the household's
first judged visit). tests/test_rules_households.py proves both the locality and the order on every profile's demo.

Beside its findings a household's entry keeps its share of the rule results the views list (gaps, visits due,
monthly minimums, review cycles, open problems: `derived.Part`); `Judged.derived` merges them into what those
functions give over the whole jurisdiction, and `judge(..., cached=True)` hands that to the views (`Facts.derived`).

Key of a household (`Keys.of`): the rules' code, the profile, the site settings the rules read, the blob ids of
every staff file, and the blob ids (with paths) of the household's file, of each visit file naming it and of each
of its ledgers; not the as-of date. A household is judged with a watched as-of date (`daywatch.py`), which tells
the first later day on which its findings or its share could differ; the entry keeps (the day it was judged as of,
that day) and is used on an as-of date from the one to before the other. An earlier as-of date judges it again.
The first family (`APART`, cadence: half the cost of a household) is judged first and its own days are kept too: an
entry whose days are over but whose cadence findings still hold judges the other families only (most households a
new day judges again do so for a day count in an open problem's message). Entries live in
`cachestore.FolderStore("rules", ...)`, a sealed pickle per village folder (`households/<village>`), versioned by the
code; a missing, torn or foreign file is a miss.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from .. import cachestore, workers
from ..findings import Finding
from . import agreements, daywatch, assessment, assignment, cadence, content, custody, derived, ledgers, needs, reviews

# What orders a part's findings across households (`_in_order`).
HOUSEHOLD, LEDGER, PROBLEM, FIRST_VISIT = "household", "ledger", "problem", "first judged visit"

# family -> its household-local part. A family's county part, if any, runs after it over the whole jurisdiction
# (`COUNTY`); the families not in LOCAL (pay, spotcheck, audit) are county-wide whole.
LOCAL: dict[object, Callable] = {
    cadence: cadence.check,
    assignment: assignment.check_cases,
    assessment: assessment.check,
    custody: custody.check,
    agreements: agreements.check,
    reviews: reviews.check,
    content: content.check,
    needs: needs.check,
    ledgers: ledgers.check_households,
}
COUNTY: dict[object, Callable] = {assignment: assignment.check_staffing, ledgers: ledgers.check_reports}
_CUSTODIAN = frozenset({"CUS-NO-CUSTODIAN", "CUS-NO-LEDGER", "CUS-LEDGER-CUSTODIAN", "CUS-EXCLUDED-ROLE",
                        "CUS-NOT-ELECTABLE", "CUS-IS-CAREGIVER"})
# family -> its local part's phases in run order: (the codes of the phase, None for the rest; what orders it).
ORDER: dict[object, tuple[tuple[frozenset | None, str], ...]] = {
    cadence: ((None, HOUSEHOLD),),
    assignment: ((None, HOUSEHOLD),),
    assessment: ((None, HOUSEHOLD),),
    custody: ((_CUSTODIAN, HOUSEHOLD), (None, LEDGER)),
    agreements: ((None, HOUSEHOLD),),
    reviews: ((frozenset({"REV-MISSING", "FUP-MISSING"}), HOUSEHOLD), (None, PROBLEM)),
    content: ((None, FIRST_VISIT),),
    needs: ((frozenset({"NEED-NO-MEASURE"}), HOUSEHOLD), (frozenset({"NEED-PRINCIPAL"}), HOUSEHOLD),
            (None, HOUSEHOLD)),
    ledgers: ((frozenset({"BEN-CARE-ALLOWANCE"}), HOUSEHOLD), (frozenset({"CARE-REVIEW-DUE"}), HOUSEHOLD),
              (None, HOUSEHOLD)),
}
# Everything the local parts' findings are computed by: another version of any of it is another cache.
CODE = ("rules.__init__", "rules.households", "rules.daywatch",
        "rules.derived", "rules.cases", "rules.people", "rules.periods",
        *(f"rules.{family.__name__.rsplit('.', 1)[-1]}" for family in LOCAL),
        "findings", "records", "slotted", "policy", "vocab", "schema", "identifiers")


@dataclass
class Unit:
    """One household's records (`household` None for an id that only visits or ledgers name)."""

    id: str
    household: object = None
    visits: list = field(default_factory=list)
    custody: list = field(default_factory=list)
    visit_files: set | None = None  # the files of `visits`, when `units` took them a month at a time


@dataclass
class Judged:
    """The local parts' findings per family, in the order a whole judgement gives, the views' rule results, and
    what the cache did."""

    findings: dict  # family module -> list[Finding]
    derived: derived.Derived  # equal to `derived.of` the whole jurisdiction
    judged: list[str]  # the households judged (their key was new, or they cannot be cached)
    reused: int  # the households whose findings came from the cache


def units(records) -> list[Unit]:
    """Every household, in the records' order, then the ids that only visits or ledgers name (in the order of their
    first visit). In a process that keeps its caches the visits are taken a month at a time, each month's already by
    household (made at an earlier build for each unchanged month), when `records.visits` is the loader's join of its
    months (`Records.visit_months`); else visit by visit (grouping every month afresh would cost more). There, too,
    a household whose own records are the very objects of the last build's (its file, its ledgers, its entry in
    each month: `_KeptUnits`) keeps its unit, the same object, and the others' units are made again."""
    months = records.visit_months() if cachestore.keeping() else None
    if months is not None:
        return _KEPT_UNITS.units(records, months)
    return _units(records, months)


def _units(records, months) -> list[Unit]:
    out = {h.id: Unit(h.id, h) for h in records.households}
    for month in months or ():
        for household, (visits, files) in month.by_household.items():
            unit = out.get(household)
            if unit is None:
                unit = out[household] = Unit(household)
            if unit.visit_files is None:
                unit.visit_files = set()
            unit.visits += visits
            unit.visit_files.update(files)
    for visit in records.visits if months is None else ():
        unit = out.get(visit.household)
        if unit is None:  # (not `setdefault`: a Unit made for each of a million visits costs more than the loop)
            unit = out[visit.household] = Unit(visit.household)
        unit.visits.append(visit)
    for ledger in records.custody:
        unit = out.get(ledger.household)
        if unit is None:
            unit = out[ledger.household] = Unit(ledger.household)
        unit.custody.append(ledger)
    return list(out.values())


class _KeptUnits:
    """The last build's units (a process that keeps its caches), and what each was made of: a rebuild makes again
    only the units of the households whose file, ledgers or entry in some month (`load._Month.by_household`, the
    same object while its records are) is not the one it had, and takes the others back as they were. Anything else
    that moved (the households' order, a month more or less, ids that only visits or ledgers name) makes them all."""

    def __init__(self):
        self.last: tuple | None = None  # (root, months, households, custody, units)

    def units(self, records, months: tuple) -> list[Unit]:
        last, self.last = self.last, None
        households, custody = records.households, records.custody
        redo = self._changed(last, records, months) if last is not None else None
        if redo is None:
            every = _units(records, months)
        else:
            old = last[4]
            ledgers: dict[str, list] = {}
            for ledger in custody:
                if ledger.household in redo:
                    ledgers.setdefault(ledger.household, []).append(ledger)
            every = [self._made(household, months, ledgers) if household.id in redo else unit
                     for household, unit in zip(households, old)]
        if len(every) == len(households):  # (ids that only visits or ledgers name: made again every time)
            self.last = (str(records.root), months, households, custody, every)
        return every

    @staticmethod
    def _changed(last: tuple, records, months: tuple) -> set[str] | None:
        """The ids of the households whose unit is to be made again, or None for all."""
        root, old_months, old_households, old_custody, _ = last
        households, custody = records.households, records.custody
        if (root != str(records.root) or len(old_months) != len(months) or len(old_households) != len(households)
                or any(a.id != b.id for a, b in zip(households, old_households))):
            return None
        redo = {new.id for new, old in zip(households, old_households) if new is not old}
        if len(custody) != len(old_custody):
            return None
        redo.update(ledger.household for new, old in zip(custody, old_custody) if new is not old
                    for ledger in (new, old))
        for new, old in zip(months, old_months):
            if new is old:
                continue
            if new.month != old.month:
                return None  # (another month in this place)
            now, then = new.by_household, old.by_household
            redo.update(h for h in now.keys() | then.keys() if now.get(h) is not then.get(h))
        known = {h.id for h in households}
        return redo if redo <= known else None

    @staticmethod
    def _made(household, months: tuple, ledgers: dict) -> Unit:
        """A household's unit, as `_units` makes it."""
        unit = Unit(household.id, household)
        for month in months:
            entry = month.by_household.get(household.id)
            if entry is not None:
                if unit.visit_files is None:
                    unit.visit_files = set()
                unit.visits += entry[0]
                unit.visit_files.update(entry[1])
        unit.custody = ledgers.get(household.id, [])
        return unit


_KEPT_UNITS = _KeptUnits()


def restricted(facts, unit: Unit, as_of: dt.date | None = None):
    """The facts of one household: its records only, the staff, profile, site and as-of date of the whole (or
    `as_of`: the watched stand-in for it, `daywatch.Day`)."""
    from . import Facts

    records = dataclasses.replace(facts.records, households=(unit.household,) if unit.household else (),
                                  visits=tuple(unit.visits), custody=tuple(unit.custody), inspections=(),
                                  spot_checks=())
    records.__dict__["staff_by_id"] = facts.records.staff_by_id  # the cached index, shared (not rebuilt per household)
    return Facts(records, facts.profile, facts.as_of if as_of is None else as_of, None)


APART = cadence  # the family judged first, whose findings keep days of their own (module docstring)


def judge_unit(facts, unit: Unit, held: tuple | None = None) -> tuple[dict, derived.Part, dt.date, tuple]:
    """(family -> the household's local findings, in the order its `check` gives them; its share of the views' rule
    results; the first day after the as-of date on which either may differ: `daywatch`; (the day `APART`'s findings
    were judged as of, the first day they may differ)). Raises what a rule raises. `held`: (`APART`'s findings, their
    days) from an earlier judgement of the same inputs, whose days hold the as-of date: that family is not judged.

    `APART` runs first, on facts nothing has read yet, so what the watch notes by its end is all it read. The other
    families may read what it worked out and kept in the facts (`Facts.counted_visits`) without noting it again:
    their days never outlast its days. Judged without it, they work that out themselves and note it."""
    watch, day = daywatch.watched(facts.as_of)
    mine = restricted(facts, unit, day)
    if held is None:
        first, first_until = daywatch.judged(watch, list(LOCAL[APART](mine)))
        held = (first, (facts.as_of, first_until))
    rest = [family for family in LOCAL if family is not APART]
    (lists, share), until = daywatch.judged(watch, ([list(LOCAL[family](mine)) for family in rest], derived.part(mine)))
    found = {APART: held[0], **dict(zip(rest, lists))}
    return {family: found[family] for family in LOCAL}, share, min(until, held[1][1]), held[1]


class Keys:
    """The cache key of each household: what its local findings are computed from (module docstring)."""

    def __init__(self, facts):
        records = facts.records
        self.blobs = records.blob_ids
        site = records.site
        settings = (site.records_since, site.visit_content_since, site.ledgers_since, site.special_periods,
                    site.villages, site.synthetic_ids)
        staff = sorted((rel, blob) for rel, blob in self.blobs.items() if rel.startswith("staff/"))
        common = repr((cachestore.code_hash(*CODE), repr(facts.profile), repr(settings), staff))
        self.common = hashlib.blake2b(common.encode("utf-8", "surrogateescape"), digest_size=20).digest()
        self.parts: dict[str, str] = {}  # path -> repr((path, blob id)), for `of`
        # A process that keeps its caches: the last build's keys by unit, while everything common is the same. A
        # unit taken back whole (`_KeptUnits`) has the very records, so the very files and blob ids, it had then.
        _KEPT_KEYS.begin(self.common)

    def of(self, unit: Unit) -> str | None:
        """The key, or None when a file it comes from has no blob id (then the household is judged, not cached).
        The digest of `repr((unit.id, sorted((path, blob id) of its files)))`, its text joined from each file's part,
        made once a build (a visit file names several households; `tests/test_rules_households.py`)."""
        return _KEPT_KEYS.get(unit, lambda: self._of(unit))

    def done(self) -> None:
        """The keys of this build, for the next one (a process that keeps its caches)."""
        _KEPT_KEYS.done()

    def _of(self, unit: Unit) -> str | None:
        if unit.household is None:
            return None
        files = set(unit.visit_files) if unit.visit_files is not None else {v.source.file for v in unit.visits}
        files.add(unit.household.source.file)
        for ledger in unit.custody:
            files.add(ledger.source.file)
        parts, made = [], self.parts
        for rel in sorted(files):  # (a path is in the list once: sorted by path is sorted by (path, blob))
            part = made.get(rel)
            if part is None:
                blob = self.blobs.get(rel, "")
                if not blob:
                    return None
                part = made[rel] = repr((rel, blob))
            parts.append(part)
        digest = hashlib.blake2b(self.common, digest_size=20)
        digest.update(f"({unit.id!r}, [{', '.join(parts)}])".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()


_KEPT_KEYS = cachestore.PerObject()  # the last build's key of each unit (`Keys`), while `Keys.common` is the same


def _valid(key, value) -> bool:
    """An entry read back: (key, {family name: [Finding, ...]} for the local families, derived.Part, (the day it was
    judged as of, the first day it may differ), the same two days of `APART`'s findings, which hold them)."""
    if not (isinstance(key, str) and isinstance(value, tuple) and len(value) == 5 and isinstance(value[0], str)
            and isinstance(value[1], dict) and set(value[1]) == set(_NAMES.values())
            and isinstance(value[2], derived.Part) and derived.well_formed(value[2])
            and all(isinstance(days, tuple) and len(days) == 2 and all(type(d) is dt.date for d in days)
                    and days[0] < days[1] for days in value[3:])
            and value[4][0] <= value[3][0] and value[3][1] <= value[4][1]):
        return False
    return all(isinstance(f, list) and all(isinstance(x, Finding) for x in f) for f in value[1].values())


_NAMES = {family: family.__name__.rsplit(".", 1)[-1] for family in LOCAL}


@dataclass
class Begun:
    """The households' cache looked up and those to judge handed to workers (`begin`), before the history is read:
    the local parts never read it (`restricted` gives them none)."""

    store: object
    every: list
    looked: list
    villages: dict
    tasks: list
    held: dict  # index of a unit to judge -> (`APART`'s findings, their days) that still hold
    running: object  # workers.Started

    def close(self) -> None:
        self.running.close()

    def __enter__(self) -> "Begun":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def begin(facts, *, cache: bool = True) -> Begun | None:
    """Start `judge_households` on `facts` (its records, profile and as-of date: no history needed): the households
    to judge go to workers forked now, and the building process may read the history meanwhile; pass the result to
    `judge_households` (via `rules.judge`). None when it raises (the judgement then raises it again, as without)."""
    try:
        with cachestore.without_gc():
            return _begin(facts, cache)
    except Exception:
        return None


def judge_households(facts, *, cache: bool = True, begun: Begun | None = None) -> Judged:
    """The local parts' findings of every household: from the cache when its key is unchanged, else judged on its
    own records (and stored). Raises what a rule raises (the caller then judges the whole jurisdiction). `begun`:
    what `begin` started on these records (its tasks run here if no worker took them)."""
    with cachestore.without_gc():  # unpickling 2,500 households' findings makes many objects and no cycles
        return _judge_households(facts, begun or _begin(facts, cache))


def _begin(facts, cache: bool) -> Begun:
    records = facts.records
    store = cachestore.FolderStore("rules", records.root, cachestore.code_hash(*CODE), _valid) if cache else None
    keys = Keys(facts) if cache else None
    every = units(records)
    looked: list[tuple[str | None, str, object]] = []  # per unit: (key, its cache file, the cached entry or None)
    held = {}
    for i, unit in enumerate(every):
        key = keys.of(unit) if keys else None
        rel = unit.household.source.file if key else ""
        hit = store.folder(rel).get(unit.id) if key else None
        same = hit is not None and hit[0] == key
        fits = same and hit[3][0] <= facts.as_of < hit[3][1]  # daywatch: its days
        if same and not fits and hit[4][0] <= facts.as_of < hit[4][1]:
            held[i] = (hit[1][_NAMES[APART]], hit[4])
        looked.append((key, rel, hit if fits else None))
    if keys:
        keys.done()
    villages, tasks, spread = _missed_tasks(every, looked, store)
    running = workers.start_map(_judge_task, tasks, jobs=None if spread else 1, shared=(facts, every, held))
    return Begun(store, every, looked, villages, tasks, held, running)


def _judge_households(facts, begun: Begun) -> Judged:
    store, every, looked = begun.store, begun.every, begun.looked
    missed, outside = _judge_missed(facts, begun)
    per_unit: list[tuple[Unit, dict]] = []
    parts: list[tuple[Unit, derived.Part]] = []
    judged, reused = [], 0
    present: dict[str, set] = defaultdict(set)  # cache folder -> the households of it now
    for i, (unit, (key, rel, hit)) in enumerate(zip(every, looked)):
        if hit is not None:
            found, share = {family: hit[1][name] for family, name in _NAMES.items()}, hit[2]
            reused += 1
        else:
            by_name, share, until, apart = missed[i]
            found = {family: by_name[name] for family, name in _NAMES.items()}
            judged.append(unit.id)
            if key and rel.rpartition("/")[0] not in outside:
                store.put(rel, unit.id, (key, by_name, share, (facts.as_of, until), apart))
            elif key:
                outside[rel.rpartition("/")[0]][unit.id] = (key, by_name, share, (facts.as_of, until), apart)
        if key:
            present[rel.rpartition("/")[0]].add(unit.id)
        per_unit.append((unit, found))
        parts.append((unit, share))
    if store is not None:
        for folder, entries in outside.items():
            store.written_elsewhere(folder, entries)
        _forget_gone(store, present)
        store.save()
    return Judged(_in_order(facts, per_unit), derived.merge(parts, facts.as_of), judged, reused)


IN_PROCESS_UP_TO = 200  # fewer households to judge than this are judged in this process: a fork costs more


def _judge_missed(facts, begun: Begun) -> tuple[dict, dict[str, dict]]:
    """(index -> ({family name: findings}, its share of the views' results, the first day they may differ) of the
    households to judge; the cache folders whose file a task wrote, each with {} for the caller to fill). On every
    core (workers.start_map, forked after loading: the facts are read in place, the tasks are indexes), a village a
    task (the folder of the household's file); in the building process when they are few. A village the cache has
    nothing of (a cold build) has its cache file written by the process that judged it, so the building process need
    not pickle it."""
    results = begun.running.results(shared=(facts, begun.every, begun.held))
    missed, outside = {}, {}
    for folder, (indexes, _, _), (done, wrote) in zip(begun.villages, begun.tasks, results):
        missed.update(zip(indexes, done))
        if wrote:
            outside[folder] = {}
    return missed, outside


def _missed_tasks(every: list[Unit], looked: list, store) -> tuple[dict, list, bool]:
    """The households to judge by village (folder → their indexes), a task a village, and whether they are enough
    to spread over the cores."""
    villages: dict[str, list[int]] = {}
    for i, (unit, (_, _, hit)) in enumerate(zip(every, looked)):
        if hit is None:
            villages.setdefault(unit.household.source.file.rpartition("/")[0] if unit.household else "", []).append(i)
    spread = sum(map(len, villages.values())) >= IN_PROCESS_UP_TO
    tasks = []
    for folder, indexes in villages.items():
        rels = {looked[i][1] for i in indexes if looked[i][0]}
        target = store.file_of(folder) if spread and store and rels and not store.folder(next(iter(rels))) else None
        tasks.append((indexes, [looked[i][0] for i in indexes], target))
    return villages, tasks, spread


def _judge_task(task: tuple) -> tuple[list[tuple[dict, derived.Part, dt.date, tuple]], bool]:
    """The judgement of these units of the shared (facts, units, held: `Begun.held`), by family name (a module does
    not pickle); with a target, their cache entries written there (those with a key), as `FolderStore.save` would.
    Returns the judgements and whether the file was written."""
    indexes, keys, target = task
    facts, every, held = workers.shared()
    out = []
    for i in indexes:
        found, share, until, apart = judge_unit(facts, every[i], held.get(i))
        out.append(({_NAMES[family]: f for family, f in found.items()}, share, until, apart))
    if target is None:
        return out, False
    entries = {every[i].id: (key, by_name, share, (facts.as_of, until), apart)
               for i, key, (by_name, share, until, apart) in zip(indexes, keys, out) if key}
    try:
        cachestore.write_sealed(target, entries, sync_folder=False)  # the building process fsyncs the folder (save)
    except OSError:
        return out, False
    return out, True


def _forget_gone(store, present: dict[str, set]) -> None:
    """Drop the entries of households no longer in a cache folder that this build read."""
    for folder, entries in list(store.folders.items()):
        gone = set(entries) - present.get(folder, set())
        if gone:
            store.drop(folder, gone)


def _in_order(facts, per_unit: list[tuple[Unit, dict]]) -> dict:
    """family -> its local findings over every household, in the order a judgement of the whole gives them: phase
    by phase (`ORDER`); in a phase ordered by household, the households' order (no sort); else by its anchor, then
    the household's order, then the finding's place in the household's list."""
    rank = {unit.id: i for i, (unit, _) in enumerate(per_unit)}
    anchors = _Anchors(facts)
    out = {}
    for family, parts in ORDER.items():
        phase_of: dict[str, int] = {}  # code -> its phase: the first whose codes hold it (None: any code)
        phases: list[list] = [[] for _ in parts]
        for unit, found in per_unit:
            found_on = None
            for n, finding in enumerate(found[family]):
                phase = phase_of.get(finding.code)
                if phase is None:
                    phase = phase_of[finding.code] = next(i for i, (codes, _) in enumerate(parts)
                                                          if codes is None or finding.code in codes)
                kind = parts[phase][1]
                if kind == HOUSEHOLD:
                    phases[phase].append(finding)
                    continue
                if kind == LEDGER:  # custody/<village>/<household>-<member>.yaml: a ledger a file
                    anchor = (anchors.ledger_rank.get(finding.source.file, len(anchors.ledger_rank)),)
                elif kind == PROBLEM:  # the visit that found it, by the loader's order of visits
                    found_on = found_on or {p.source: v for v in unit.visits for p in v.problems}
                    visit = found_on.get(finding.source)
                    source = visit.source if visit else finding.source
                    anchor = (visit.date if visit else dt.date.max, source.file, source.line, source.column)
                else:
                    anchor = (anchors.first_visit.get(unit.id, len(anchors.first_visit)),)
                phases[phase].append(((anchor, rank[unit.id], n), finding))
        for (_, kind), listed in zip(parts, phases):
            if kind != HOUSEHOLD:
                listed.sort(key=lambda pair: pair[0])
                listed[:] = [finding for _, finding in listed]
        out[family] = [finding for listed in phases for finding in listed]
    return out


class _Anchors:
    """What orders the findings of a phase that is not ordered by household, worked out when first asked."""

    def __init__(self, facts):
        self.facts = facts

    @cached_property
    def ledger_rank(self) -> dict[str, int]:
        """A custody file -> the place of its first ledger in the records."""
        ranks: dict[str, int] = {}
        for i, ledger in enumerate(self.facts.records.custody):
            ranks.setdefault(ledger.source.file, i)
        return ranks

    @cached_property
    def first_visit(self) -> dict[str, int]:
        """A household -> its place in the order of first judged visits (`content.judged_visits`)."""
        return {household: i for i, household in enumerate(content.judged_visits(self.facts))}
