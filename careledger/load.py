"""Load a content tree: read every record file, type it by its schema, and return the records with all findings.

Nothing here raises on bad data: every problem becomes a finding, and a run reports all of them. Cross-record
checks (references, duplicate ID numbers) live in `integrity.py`; policy rules come later, in the rules engine.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import chain, groupby
from operator import attrgetter
from pathlib import Path

from . import integrity, listing, refs
from .bulkread import FileJob, KnownStats, Settings, read_all
from .bulkread import _stat as file_stat  # (size, mtime, inode, ctime) as the parse cache compares them
from .cachestore import keeping, long_lived, same_objects, take_warnings, without_gc
from .findings import ERROR, WARNING, Finding, Source
from .policy import Profile, load_profile
from .records import CustodyLedger, Household, Inspection, Page, Site, SpotCheckResult, Staff, Visit
from .schema import MISSING, Context, convert
from .yamlread import empty_file, read_yaml, unreadable

STREET_OFFICE = "street"  # staff/street.yaml holds the street or township office's own staff
_MONTH_DIR = re.compile(r"^(\d{4})-(\d{2})$")
_PAGE_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# listed by `listing.walk`
CONTENT_FOLDERS = ("staff", "households", "visits", "inspections", "custody", "spot-checks", "pages")
KNOWN_ENTRIES = {"site.yaml", "staff", "households", "visits", "inspections", "custody", "pages", "README.md",
                 ".gitkeep", "spot-checks"}
DATED_FOLDERS = ("visits", "inspections", "spot-checks")  # <yyyy-mm>/<staff-id>.yaml: `load(only=...)` reads a few
_DATE = attrgetter("date")
_FULL_ORDER = attrgetter("date", "source.file", "source.line", "source.column")
_FILE_OF = attrgetter("source.file")  # made in C: a county has a hundred thousand visits to account for
_JOB_FOLDER = attrgetter("folder")


@dataclass(frozen=True)
class Records:
    """Everything read from one content tree. Tuples are in a stable order (by file, then position)."""

    root: Path
    site: Site
    profile: Profile
    staff: tuple
    households: tuple
    visits: tuple
    inspections: tuple
    custody: tuple
    pages: tuple
    blob_ids: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)  # of the files read in bulk
    spot_checks: tuple = ()  # spot-checks/: results of 抽查 (SpotCheckResult)
    # household file -> (its households, their personal values summed up when it was parsed, those values as the
    # proof looks for them and the version of that reading: refs.personal_values),
    # for proof.secrets_of, which takes the values only for those very record objects (not for a replaced household)
    personal: Mapping[str, tuple] = field(default_factory=dict, compare=False, repr=False)
    # (visit file, its visits in the file's order): the loader's read-only lists, for `visits_by_file`
    visit_files: tuple = field(default=(), compare=False, repr=False)

    @cached_property
    def staff_by_id(self) -> dict[str, Staff]:
        return {s.id: s for s in self.staff}

    @cached_property
    def households_by_id(self) -> dict[str, Household]:
        return {h.id: h for h in self.households}

    @cached_property
    def visits_by_file(self) -> dict[str, list]:
        """Visit file -> its visits in the file's order, as the loader read them (made when first asked: the audit
        trail's versions of today's files). Trusted only while `visits_in_date_order` (`visits` the loader's own)."""
        return dict(self.visit_files)

    def visit_months(self) -> tuple | None:
        """The month folders `visits` is made of, one after the other (`_Month`: each month's visits by date, and by
        household), when it is the very tuple `load` joined from them; else None (a copy, a replaced tuple). What is
        made of a month is kept with it, so a process that keeps its caches makes it again for a changed month only."""
        made = self.__dict__.get(_VISIT_MONTHS)
        return made[1] if made is not None and made[0] is self.visits else None


def load(content_dir: Path, *, today: dt.date, cache: bool = True, only: frozenset[str] | None = None,
         known: KnownStats | None = None, glance=None) -> tuple[Records | None, list[Finding]]:
    """Read and check a content tree. Records is None only when site.yaml or the profile cannot be read.
    `cache=False` parses every file again instead of taking unchanged files from the cache (bulkread.py).
    `only` (paths relative to the root) reads, of the dated folders (visits/, inspections/, spot-checks/: the bulk
    of a county's files), just those files; everything else is read whole, so references still resolve
    (`careledger check PATH...`; its caller keeps the findings of those files).
    `known`: the files' stats as the preview's watcher holds them (bulkread.KnownStats), which the parse cache takes
    instead of a stat of each unchanged file. `glance`: the build's `git status` of the content (audit.git.Glance),
    by which a process that keeps its caches spares the stat of the files git says are as they were."""
    with without_gc():  # millions of objects and no cycles: see cachestore.without_gc and long_lived
        try:
            loaded = _load(Path(content_dir), today, cache, only, known, glance)
        finally:
            _MADE.done()
            _LISTED.done(keeping())
        long_lived()
    return loaded


def _load(root: Path, today: dt.date, cache: bool, only: frozenset[str] | None,
          known: KnownStats | None = None, glance=None) -> tuple[Records | None, list[Finding]]:
    findings: list[Finding] = []
    site_file = listing.check_file(root, "site.yaml", findings)
    if site_file is None:
        return None, [Finding("E-SITE-MISSING", ERROR,
                              f"内容目录 {root} 中没有 site.yaml（辖区设置）：这不是 careledger 的记录目录？",
                              Source("site.yaml"))]
    if not site_file:
        return None, findings
    site = _read_site(root, findings, today, known)
    if site is None:
        return None, findings + ([] if any(f.is_error for f in findings) else [_unaccounted("site.yaml")])
    profile, profile_findings = load_profile(site.profile, overrides=site.overrides, today=today,
                                             name_source=site.source)
    findings += profile_findings
    if profile is None:
        return None, findings
    reader = _Reader(root, findings, today, site, only)
    reader.read_in_bulk(cache, known, glance)
    findings += [Finding("W-CACHE-UNSAFE", WARNING, message, Source(folder)) for folder, message in take_warnings()]
    records = Records(
        root=root,
        site=site,
        profile=profile,
        staff=reader.staff(),
        households=reader.households(),
        visits=reader.dated_lists("visits"),
        inspections=reader.dated_lists("inspections"),
        custody=reader.custody(),
        pages=reader.pages(),
        blob_ids=reader.blob_ids,
        spot_checks=reader.dated_lists("spot-checks"),
        personal=reader.personal_values(),
        visit_files=tuple(reader.dated_files.get("visits", ())),
    )
    records.__dict__[_DATE_ORDERED] = records.visits  # see in_date_order
    if reader.joined.get("visits"):
        records.__dict__[_VISIT_MONTHS] = (records.visits, tuple(reader.months["visits"]))  # see visit_months
    reader.unknown_entries()
    findings += reader.unaccounted(records)
    findings += integrity.check(records, integrity.Unreadable(frozenset(reader.unreadable_households),
                                                               reader.staff_incomplete),
                                reader.visits_at_a_glance())
    return records, findings


_SITES: dict[str, tuple] = {}  # a process that keeps its caches: root -> (stat, site, its findings, latest date)


def _read_site(root: Path, findings: list[Finding], today: dt.date, known: KnownStats | None) -> Site | None:
    """site.yaml (`_load_one`). In a process that keeps its caches, the site the last load read while the file's
    stat (size, modification time, inode, change time; as a watcher holds it, `known`, else its own) is the one it
    had then and was not racily clean (listing's margin): at 25,000 households it is 230 KB, 0.2 s to read. It is
    read as of no day in particular, as bulkread reads a record file (its checks' latest date kept with it), so it
    holds on a new day too."""
    if not keeping():
        return _load_one(root, "site.yaml", Site, findings, today, synthetic_ids=False)
    kept = _SITES.get(str(root))
    held = known.stat(f"{known.root}/site.yaml") if known is not None else None
    stat = held if held is not None else file_stat(f"{root}/site.yaml")  # (only a stat of its own is remembered)
    if stat and kept is not None and kept[0] == stat and kept[3] <= today:
        findings += kept[2]
        return kept[1]
    taken, own = listing.now_ns(), []
    site, latest = _load_one_timeless(root, "site.yaml", Site, own)
    if latest > today:  # a check compared a date after the as-of date: read on the day, not kept
        own = []
        site = _load_one(root, "site.yaml", Site, own, today, synthetic_ids=False)
    findings += own
    _SITES.pop(str(root), None)
    if latest <= today and stat and stat is not held and max(stat[1], stat[3]) < taken - listing.RACE_MARGIN_NS:
        _SITES[str(root)] = (stat, site, tuple(own), latest)
    return site


def _unaccounted(rel: str) -> Finding:
    return Finding("E-RECORD", ERROR, "从这个文件中没有读到任何记录，却也没有查出原因：为免记录无声无息地丢失，"
                   "生成已停止。请检查文件内容，并把这个文件报告给 careledger 的维护者", Source(rel))


@lru_cache(maxsize=4096)  # asked once for each of the tens of thousands of files in a dozen month folders
def _month(folder: str) -> tuple[int, int] | None:
    m = _MONTH_DIR.match(folder)
    return (int(m[1]), int(m[2])) if m and 1 <= int(m[2]) <= 12 else None


_DATE_ORDERED = "_visits_in_date_order"
_VISIT_MONTHS = "_visit_months"


def visits_in_date_order(records) -> bool:
    """Whether `records.visits` is the very tuple `load` put in date order (a replaced one is not known to be): the
    views then find a span of days by bisection instead of walking a year of visits."""
    return records.__dict__.get(_DATE_ORDERED) is records.visits


def _in_date_order(records: list, rels: list[str]) -> tuple:
    """By date, then by file, line and column. `records` come file by file (`rels`, the listing's order), a file's in
    the order they are written, so by line and column: when the listing's order is that of the paths (as it is,
    unless a month folder's name ends in a line break or the like), a stable sort by date alone gives that order,
    for a fraction of the keys."""
    return _sorted_by_date(records, rels == sorted(rels))


def _sorted_by_date(records: list, in_path_order: bool) -> tuple:
    """`_in_date_order`, told whether the files came in path order."""
    records.sort(key=_DATE if in_path_order else _FULL_ORDER)
    return tuple(records)


class _ByIdentity:
    """What a load made of read-only values (the record lists and summaries a file's cache entry hands out, the lists
    of files the walk of an unchanged folder hands back: `listing.Kept.walk`), under the identities of those values:
    a preview rebuild (`cachestore.keeping`) takes it back for every folder whose files gave the very same objects,
    and makes it again for the others. Each entry holds its values, so an identity stays theirs while it is kept;
    only the last load's entries are kept."""

    def __init__(self):
        self.last: dict[tuple, tuple] = {}
        self.now: dict[tuple, tuple] = {}

    def get(self, kind: str, values: tuple, make):
        key = (kind, *map(id, values))
        entry = self.last.get(key) or self.now.get(key)
        if entry is None:
            entry = (values, make())
        self.now[key] = entry
        return entry[1]

    def done(self) -> None:
        """The end of a load: keep its entries for the next one (none when this process does not keep caches)."""
        self.last, self.now = (self.now if keeping() else {}), {}


_MADE = _ByIdentity()
_LAST_MONTHS: dict[str, dict[str, "_Month"]] = {}  # root -> month folder -> the last month made of it (keeping)
_LISTED = listing.Kept()  # the folders' listings, from one load to the next while the caches are kept in memory


def _walk(root: Path, folder: str, findings: list[Finding]) -> tuple[list, list]:
    return listing.walk(root, folder, findings, _LISTED if keeping() else None)


def _folder(rel: str) -> str:
    return rel.rpartition("/")[0]


def _dated_order(months: list["_Month"], in_path_order: bool) -> tuple[tuple, bool]:
    """(`_in_date_order` of the records of `months`, whether that is the months' `by_date` one after the other).
    `months` come in the listing's order (`in_path_order`: whether that is the paths' order) and are sorted a folder
    (a month) at a time: when each folder's records all come on or before the next folder's, the stable sort of them
    all is those runs one after the other (an equal date keeps the earlier folder's first, as the whole sort would)."""
    if not in_path_order:
        return _sorted_by_date([record for month in months for _, records in month.files for record in records],
                               False), False
    runs = [month.by_date for month in months if month.by_date]
    if all(before[-1].date <= after[0].date for before, after in zip(runs, runs[1:])):
        return tuple(chain.from_iterable(runs)), True
    return tuple(sorted(chain.from_iterable(runs), key=_DATE)), False  # a record outside its month (E-DATE-PLACE)


@dataclass(frozen=True)
class _FolderRead:
    """What `read_all` gave for the files of one folder, by file (made once for the very same results: `_MADE`)."""

    parsed: dict  # rel -> (records, findings)
    summaries: dict  # rel -> what its records refer to (refs.of_file)
    blob_ids: dict  # rel -> git blob id of the bytes read (the files that could be read)

    @classmethod
    def of(cls, jobs: list[FileJob], results: list) -> "_FolderRead":
        rels = [job.rel for job in jobs]
        return cls({rel: (records, findings) for rel, (records, findings, _, _) in zip(rels, results)},
                   {rel: summary for rel, (_, _, _, summary) in zip(rels, results)},
                   {rel: blob for rel, (_, _, blob, _) in zip(rels, results) if blob})


class _Month:
    """The files of one month folder of visits/, inspections/ or spot-checks/ as `dated_lists` takes them, made
    once for the very same read (`_MADE`): a rebuild in a process that keeps its caches hands over the months whose
    files are unchanged, and makes only the changed month's again."""

    def __init__(self, read: _FolderRead, folder: str, month: tuple[int, int], previous: "_Month | None" = None):
        self.read = read
        self.month = month
        self.previous = previous  # the last month made of the same folder (`by_household`), while this one is new
        self.files: list[tuple[str, list]] = []  # (rel, its records)
        self.findings: list[Finding] = []  # each file's findings, then its records dated outside the month
        for rel, (records, findings) in read.parsed.items():
            self.findings += findings
            self.findings += [_misplaced(rel, folder, record) for record in records
                              if (record.date.year, record.date.month) != month]
            self.files.append((rel, records))

    @cached_property
    def by_date(self) -> list:
        """The month's records by date, those of a date in the files' order."""
        return sorted(chain.from_iterable(records for _, records in self.files), key=_DATE)

    @cached_property
    def by_household(self) -> dict[str, tuple[list, tuple]]:
        """Household id -> (its records of the month by date, the files they are in, sorted): `Records.visit_months`.
        A household whose records are the very ones the previous version of the month gave it keeps that version's
        entry, the same object: `households.units` then knows it unchanged by identity. (The files are a tuple: a
        process that keeps its caches holds an entry for each household and month, and a small frozenset takes four
        times a tuple's memory.)"""
        out: dict[str, tuple[list, set]] = {}
        for record in self.by_date:
            found = out.get(record.household)
            if found is None:
                found = out[record.household] = ([], set())
            found[0].append(record)
            found[1].add(record.source.file)
        before = self.previous.__dict__.get("by_household", {}) if self.previous is not None else {}
        self.previous = None  # (not a chain of every version of the month)
        made, sets = {}, {}  # sets: one object for each set of files (the households visited from the same files)
        for household, (records, files) in out.items():
            old = before.get(household)
            files = tuple(sorted(files))
            if old is not None and same_objects(old[0], records) and old[1] == files:
                made[household] = old
            else:
                made[household] = (records, sets.setdefault(files, files))
        return made

    @cached_property
    def accounted(self) -> frozenset[str]:
        """The files its records came from (`unaccounted`)."""
        return frozenset(map(_FILE_OF, chain.from_iterable(records for _, records in self.files)))

    @cached_property
    def refers_to(self) -> refs.VisitRefs:
        """What its visits refer to: the union of its files' summaries."""
        return refs.union(self.read.summaries.values())

    @cached_property
    def problem_visits(self) -> list:
        """Its visits that find or resolve a problem (looked for in the files whose summary says they hold one)."""
        return [visit for rel, visits in self.files if (summary := self.read.summaries[rel]) and summary.problems
                for visit in visits if visit.problems or visit.resolved]


def _misplaced(rel: str, folder: str, record) -> Finding:
    """A record of a month's file dated outside that month."""
    month_dir = rel.rsplit("/", 2)[-2]
    return Finding("E-DATE-PLACE", ERROR, f"日期 {record.date} 不在目录 {month_dir} 的月份内：请把这条记录放到 "
                   f"{folder}/{record.date:%Y-%m}/{_stem(rel)}.yaml", Source(rel, record.source.line,
                                                                            1 if record.source.line else 0),
                   path="date")


def _by_folder(rels: list[str]) -> list[tuple[str, list[str]]]:
    """(folder, its files) in the order of `rels`."""
    return [(folder, list(group)) for folder, group in groupby(rels, key=_folder)]


def _stem(rel: str) -> str:
    return rel.rpartition("/")[2].rpartition(".")[0]


def read_site(content_dir: Path, today: dt.date | None = None) -> tuple[Site | None, list[Finding]]:
    """site.yaml alone (for `careledger keygen`): the site, or None with the findings that say why."""
    findings: list[Finding] = []
    root = Path(content_dir)
    if not (root / "site.yaml").is_file():
        return None, [Finding("E-SITE-MISSING", ERROR, f"内容目录 {root} 中没有 site.yaml（辖区设置）", Source("site.yaml"))]
    site = _load_one(root, "site.yaml", Site, findings, today or dt.date.today(), synthetic_ids=False)
    return (site if not any(f.is_error for f in findings) else None), findings


def _load_one(root: Path, rel: str, cls, findings: list[Finding], today: dt.date, *, synthetic_ids: bool):
    return _load_one_on(root, rel, cls, findings, today, synthetic_ids)[0]


def _load_one_timeless(root: Path, rel: str, cls, findings: list[Finding]):
    """(the record as of no day in particular, the latest date its checks compared): it is the record of every
    as-of date from that date on (schema.Context.latest)."""
    return _load_one_on(root, rel, cls, findings, dt.date.max, False)


def _load_one_on(root: Path, rel: str, cls, findings: list[Finding], today: dt.date, synthetic_ids: bool):
    parsed, problems = read_yaml(root / rel, rel)
    findings += problems
    empty = None if problems else empty_file(parsed.root, rel)
    if empty is not None:
        findings.append(empty)
    if parsed.root is None or empty is not None:
        return None, dt.date.min
    ctx = Context(findings=findings, today=today, synthetic_ids=synthetic_ids)
    record = convert(cls, parsed.root, ctx)
    return (None if record is MISSING else record), ctx.latest


def _sort_out(files: list[tuple[str, int]], folder: str, depth: int) -> tuple[list[str], list[Finding]]:
    """Of the files `listing.walk` found below `folder`, the YAML files `depth` levels down, and the findings about
    the others (read-only: kept by the identity of `files`, which an unchanged tree keeps, `listing.Kept.walk`)."""
    found, findings = [], []
    for rel, level in files:
        name = rel.rpartition("/")[2]
        if name.endswith(".yml"):
            findings.append(Finding("E-FILE-NAME", ERROR, "扩展名请用 .yaml（不是 .yml），否则不会被读取",
                                    Source(rel, 0, 0)))
        elif not name.endswith(".yaml"):
            findings.append(Finding("W-FILE-IGNORED", WARNING, "不是 .yaml 文件，已忽略", Source(rel)))
        elif level != depth:
            findings.append(Finding("E-FILE-PLACE", ERROR, f"文件位置不对：{folder}/ 下的记录应放在第 {depth} 层目录中"
                                    f"（见 docs/records.md）", Source(rel, 0, 0)))
        else:
            found.append(rel)
    return found, findings


class _Reader:
    """Reads the record files below the content root, one folder convention per kind."""

    def __init__(self, root: Path, findings: list[Finding], today: dt.date, site: Site,
                 only: frozenset[str] | None = None):
        self.root, self.findings, self.today, self.site = root, findings, today, site
        self.only = only
        self.settings = Settings(today, site.synthetic_ids)
        self.village_ids = {v.id for v in site.villages}
        self.listed: dict[tuple[str, int], list[str]] = {}
        self.parsed: dict[str, tuple] = {}  # rel -> (records, findings), read ahead in bulk (not dated folders')
        self.reads: dict[str, _FolderRead] = {}  # folder -> what its files gave
        self.blob_ids: dict[str, str] = {}  # rel -> git blob id of the bytes read
        self.summaries: dict[str, refs.VisitRefs | refs.PersonalValues | None] = {}  # rel -> refs.of_file
        self.household_files: dict[str, tuple] = {}  # rel -> the households `households` took from it
        self.dated_files: dict[str, list] = {}  # folder -> (rel, records) of the files `dated_lists` took
        self.months: dict[str, list[_Month]] = {}  # folder -> the month folders `dated_lists` took
        self.joined: dict[str, bool] = {}  # folder -> whether its records are the months' `by_date` joined
        # What could not be read is not reported again as "unknown" wherever it is referred to.
        self.unreadable_households: set[str] = set()
        self.staff_incomplete = False

    def error(self, rel: str, code: str, message: str, line: int = 0, path: str = "") -> None:
        self.findings.append(Finding(code, ERROR, message, Source(rel, line, 1 if line else 0), path=path))

    def error_count(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    def read_in_bulk(self, cache: bool, known: KnownStats | None = None, glance=None) -> None:
        """Parse the record files at once: cached, and on every core."""
        jobs = [FileJob(rel, Staff, True, (("village", self.staff_unit(rel)),))  # (equal jobs: bulkread._Runs)
                for rel in self.yaml_files("staff", 1) if self.staff_unit(rel) is not None]
        for folder, cls in (("custody", CustodyLedger), ("households", Household)):
            listed = self.yaml_files(folder, 2)
            jobs += _MADE.get(("jobs", folder), (listed,), lambda: [FileJob(rel, cls, False) for rel in listed])
        for folder, cls, author_field in (("visits", Visit, "visitor"), ("inspections", Inspection, "inspector"),
                                          ("spot-checks", SpotCheckResult, "checker")):
            listed = self.yaml_files(folder, 2)  # the jobs kept with the listing (`_sort_out`): the same objects
            jobs += _MADE.get(("jobs", folder), (listed,), lambda: [
                FileJob(rel, cls, True, ((author_field, _stem(rel)),)) for rel in listed if self.month_of(rel)])
        results = read_all(self.root, jobs, self.settings, cache=cache, known=known, glance=glance)
        start = 0
        for folder, group in groupby(jobs, key=_JOB_FOLDER):  # a folder at a time: a county has 200,000 files
            end = start + len(list(group))
            chunk = results[start:end]
            read = _MADE.get("read", chunk, lambda: _FolderRead.of(jobs[start:end], chunk))
            start = end
            self.reads[folder] = read  # (a walk lists a folder's files together: see also `unaccounted`)
            self.blob_ids.update(read.blob_ids)
            if folder.partition("/")[0] not in DATED_FOLDERS:
                self.parsed.update(read.parsed)
                self.summaries.update(read.summaries)

    def staff_unit(self, rel: str) -> str | None:
        """The village a staff file is named after ("" for the street office's), or None for an unknown name."""
        unit = _stem(rel)
        if unit == STREET_OFFICE:
            return ""
        return unit if unit in self.village_ids else None

    def month_of(self, rel: str) -> tuple[int, int] | None:
        return _month(rel.rsplit("/", 2)[-2])

    def yaml_files(self, folder: str, depth: int) -> list[str]:
        """Relative paths of the YAML files exactly `depth` levels below `folder`, sorted; others are reported
        (once: the listing is kept)."""
        if (folder, depth) not in self.listed:
            listed = self._list(folder, depth)
            if self.only is not None and folder in DATED_FOLDERS:
                listed = [rel for rel in listed if rel in self.only]
            self.listed[folder, depth] = listed
        return self.listed[folder, depth]

    def _list(self, folder: str, depth: int) -> list[str]:
        files, folders = _walk(self.root, folder, self.findings)
        found, findings = _MADE.get(("listed", folder, depth), (files,), lambda: _sort_out(files, folder, depth))
        self.findings += findings
        return found

    def records_in(self, rel: str) -> list:
        """The records of a file read in bulk (`read_in_bulk`); its findings join the others here, in file order."""
        records, findings = self.parsed.pop(rel)
        self.findings.extend(findings)
        return records

    def staff(self) -> tuple:
        out = []
        for rel in self.yaml_files("staff", 1):
            if self.staff_unit(rel) is None:
                self.error(rel, "E-FILE-NAME", f"人员文件名应为村（社区）编号或 {STREET_OFFICE}（街道、乡镇本级）；"
                           f"site.yaml 中没有编号为“{_stem(rel)}”的村（社区）")
                continue
            errors_before = self.error_count()
            out += self.records_in(rel)
            self.staff_incomplete |= self.error_count() > errors_before
        return tuple(out)

    def households(self) -> tuple:
        out = []
        for rel in self.yaml_files("households", 2):
            folder, stem = rel.rsplit("/", 2)[-2], _stem(rel)
            households = self.records_in(rel)
            self.household_files[rel] = tuple(households)
            if not households:
                self.unreadable_households.add(stem)
            for household in households:
                line = household.source.line
                if household.id != stem:
                    self.error(rel, "E-FILE-NAME", f"文件名“{stem}.yaml”与户编号 id“{household.id}”不一致："
                               "一户一个文件，文件名就是户编号", line, "id")
                if household.village != folder:
                    self.error(rel, "E-FILE-PLACE", f"户所在村（village: {household.village}）与所在目录"
                               f"“households/{folder}/”不一致", line, "village")
                if household.village not in self.village_ids:
                    self.error(rel, "E-REF", f"site.yaml 中没有编号为“{household.village}”的村（社区）", line,
                               "village")
                out.append(household)
        return tuple(out)

    def dated_lists(self, folder: str) -> tuple:
        """visits/, inspections/, spot-checks/: <yyyy-mm>/<staff-id>.yaml, one person's records of one month."""
        listed = self.yaml_files(folder, 2)
        files, months = [], []
        root, kept = str(self.root), keeping()
        if kept and root not in _LAST_MONTHS:
            _LAST_MONTHS.clear()  # (one content tree's: a process builds one at a time)
            _LAST_MONTHS[root] = {}
        last = _LAST_MONTHS[root] if kept else {}
        for month_dir, rels in _MADE.get(("months", folder), (listed,), lambda: _by_folder(listed)):
            month = _month(month_dir.rpartition("/")[2])
            if month is None:
                for rel in rels:
                    self.error(rel, "E-FILE-PLACE", f"目录名“{month_dir.rpartition('/')[2]}”应为年月，例如 2026-11")
                continue
            read = self.reads[month_dir]
            taken = _MADE.get(("month", folder), (read,), lambda: _Month(read, folder, month, last.get(month_dir)))
            if kept:
                last[month_dir] = taken
            self.findings += taken.findings
            files += taken.files
            months.append(taken)
        self.dated_files[folder], self.months[folder] = files, months
        ordered, self.joined[folder] = _dated_order(months, self.in_path_order(folder))
        return ordered

    def in_path_order(self, folder: str) -> bool:
        """Whether a dated folder's files are listed in the order of their paths (`_in_date_order`)."""
        listed = self.yaml_files(folder, 2)
        return _MADE.get(("in path order", folder), (listed,), lambda: listed == sorted(listed))

    def visits_at_a_glance(self) -> integrity.VisitsAtAGlance:
        """For the checks across visits: the summaries (cached with each file, refs.py) of the files `dated_lists`
        took the visits from, and the visits that find or resolve a problem (looked for in the files that hold one)."""
        months = self.months.get("visits", [])
        with_problems = [visit for month in months for visit in month.problem_visits]
        return integrity.VisitsAtAGlance(refs.union([month.refers_to for month in months]),
                                         _sorted_by_date(with_problems, self.in_path_order("visits")))

    def personal_values(self) -> dict[str, tuple]:
        """The personal values of each household file read, from its summary (cached with its records)."""
        return {rel: (households, summary.values, summary.forms, summary.reading)
                for rel, households in self.household_files.items()
                if type(summary := self.summaries.get(rel)) is refs.PersonalValues}

    def custody(self) -> tuple:
        out = []
        for rel in self.yaml_files("custody", 2):
            out += self.records_in(rel)
        return tuple(out)

    def pages(self) -> tuple:
        out = []
        files, folders = _walk(self.root, "pages", self.findings)
        for rel, level in files:
            path = self.root / rel
            if level != 1 or path.suffix != ".md":
                self.findings.append(Finding("W-FILE-IGNORED", WARNING, "不是 pages/ 下的 .md 文件，已忽略",
                                             Source(rel)))
                continue
            if not _PAGE_SLUG.match(path.stem):
                self.error(rel, "E-FILE-NAME", "页面文件名只能用小写英文字母、数字和“-”（它就是网址）")
                continue
            try:
                raw = listing.read_below(self.root, rel)
            except OSError as exc:
                self.findings.append(unreadable(rel, exc))
                continue
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.error(rel, "E-ENCODING", "文件不是 UTF-8 编码，请用编辑器另存为 UTF-8")
                continue
            title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")
            if not title:
                self.error(rel, "E-PAGE-TITLE", "页面第一行应是以“# ”开头的标题", 1)
                continue
            out.append(Page(slug=path.stem, title=title, body=text, source=Source(rel)))
        self.listed["pages", 1] = [rel for rel, level in files if level == 1 and rel.endswith(".md")]
        return tuple(out)

    def unaccounted(self, records: Records) -> list[Finding]:
        """The safety net: every record file listed gave records or an error. A file that gave neither would be
        a ledger's worst failure, records gone without a word; whatever path of the reader let it through, the build
        stops here."""
        accounted = {f.source.file for f in self.findings if f.is_error}
        for kind in (records.staff, records.households, records.custody, records.pages):
            accounted.update(map(_FILE_OF, kind))
        for months in self.months.values():  # the records of visits/, inspections/, spot-checks/, a month at once
            for month in months:
                accounted.update(month.accounted)
        return [_unaccounted(rel) for files in self.listed.values() for rel in files if rel not in accounted]

    def unknown_entries(self) -> None:
        """Entries of the content root careledger does not read; a symlink among them is refused all the same (the
        folders it reads and site.yaml were checked when they were listed or read)."""
        try:
            names = os.listdir(self.root)
        except OSError as exc:  # site.yaml could be read without listing the folder (x but not r)
            self.error(".", "E-FOLDER-READ", f"无法列出内容目录，其中的文件可能没有全部读到：{listing.reason(exc)}")
            return
        for entry in sorted(names):
            if entry.startswith(".") or entry in CONTENT_FOLDERS or entry == "site.yaml":
                continue
            if os.path.islink(self.root / entry):
                self.findings.append(listing.symlink_error(entry))
            elif entry not in KNOWN_ENTRIES:
                self.findings.append(Finding("W-FILE-IGNORED", WARNING,
                                             "careledger 不认识这个文件或目录，已忽略（见 docs/records.md）",
                                             Source(entry)))
