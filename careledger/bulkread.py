"""Read many record files at once: each file parsed once for as long as its bytes stay the same, and the new ones
in worker processes, one a core.

`read_file` is the reference reading of one file (YAML → schema → records and findings); everything here only
decides where its result comes from. The cache keeps a file's result under the hash of its bytes (the git blob id,
which the audit trail compares versions by), in a pickle per folder of the content tree (a month of visits, a
village's households), so a build after one visit file changed parses that file and rewrites one folder's pickle.
The cache is valid for one version of the reader's code and one set of reading settings; any change of those starts
a new cache, and the old one is deleted. The as-of date is not part of it: files are read as on the last day of the
calendar, and each result keeps the latest date its checks compared with the as-of date (the birth dates in ID
numbers; schema.Context.latest). For every as-of date from that one on, the result is the same as reading on that
date; the few files with a later date (an ID number born "in the future", an id that holds such a number) are read
again on the as-of date, every build, outside the cache. So the first build of a new day parses no file again.
With a file's result the cache keeps what its visits refer to (`refs.of_file`, made from the same records), which
the checks across visits add up instead of walking every visit.

A cached entry is trusted without reading the file when its size, modification time, inode and change time are
unchanged (as git's index does); otherwise the file is hashed, and parsed again only when its bytes changed. The
change time (ctime) is what no tool can set: `git checkout OLD -- file`, cp -p, rsync -t or tar can give a file
other bytes with the size and modification time the cache remembers, on the same inode again. As in git, an
entry is "racily clean" when its file was modified or changed at or after the time the cache file was written (the
file system's clock): an edit in that same tick keeps all four, so such an entry is hashed too.

A caller that watches the files (the preview's watcher) may hand over the four values it holds of each
(`KnownStats`), with the files it saw change: an entry equal to the values known of a file not named changed, and not
racily clean, is trusted without a stat of the file; every other file is statted (and hashed, parsed) as without, and
only such a stat of its own ever goes into an entry.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import groupby, repeat
from operator import attrgetter
from pathlib import Path

from . import progress, refs
from . import workers as processes  # not `workers`: that is the number of them below
from .cachestore import FolderStore, code_hash, kept_as_written, keeping, seal, unseal, without_gc, write_durable
from .findings import Finding
from . import listing
from .listing import read_below
from .records import CustodyLedger, Household, Inspection, SpotCheckResult, Staff, Visit
from .schema import MISSING, Context, convert
from .yamlread import SequenceNode, decode, empty_file, parse_text, unreadable

# what a record file holds
_RECORD_TYPES = frozenset({CustodyLedger, Household, Inspection, SpotCheckResult, Staff, Visit})
IN_PROCESS_UP_TO = 200  # fewer new files than this are parsed in this process: a pool costs more to start
BATCH_AT_LEAST = 20  # files a task of the parse pool
_READER_MODULES = ("bulkread", "schema", "yamlread", "records", "identifiers", "vocab", "findings", "refs", "personal",
                   "slotted", "lookfor", "reading")


@dataclass(frozen=True)
class Settings:
    """What a file's reading depends on besides its bytes."""

    today: dt.date  # the as-of date: not part of the cache key (see above)
    synthetic_ids: bool


@dataclass(frozen=True, slots=True)  # a job a file, kept from build to build where the caches are (load._MADE)
class FileJob:
    rel: str  # path below the content root
    cls: type  # the record type
    many: bool  # a list of records (visits of a month) rather than one (a household)
    given: tuple = field(default=())  # (field, value) set from the file's place, e.g. the visitor from its name

    @property
    def folder(self) -> str:
        return _folder(self.rel)


@dataclass(frozen=True)
class KnownStats:
    """The stats of the content's files as a watcher of them holds them (`preview/watch.py`: a snapshot kept up to
    date from the system's file events), and the files it saw change since the last build. `read_all` takes a file's
    stat from here when the file is known and not among those changed, and only to confirm a cache entry (the same
    four values, not racily clean); a file known otherwise, or not known, is statted, hashed and parsed as without."""

    root: str  # the content folder, absolute: every key begins with it and "/"
    stats: Mapping[str, tuple]  # absolute path -> (size, mtime_ns, inode, ctime_ns), as `_stat` gives them
    changed: frozenset[str]  # absolute paths

    def stat(self, path: str) -> tuple | None:
        """The stat held of `path`, or None when it changed since the last build or is not known."""
        return None if path in self.changed else self.stats.get(path)


def read_file(root: Path, job: FileJob, settings: Settings) -> tuple[list, list[Finding]]:
    """The reference reading of one record file on the as-of date: its records, and every problem as a finding."""
    try:
        raw = read_below(root, job.rel)
    except OSError as exc:
        return [], [unreadable(job.rel, exc)]
    return read_raw(raw, root, job, settings)


def read_raw(raw: bytes, root: Path, job: FileJob, settings: Settings) -> tuple[list, list[Finding]]:
    """The reference reading of a record file's bytes (on disk or not yet: `careledger visit add` checks an entry
    before it writes it)."""
    return _read_bytes(raw, root, job, settings)[:2]


def _read_bytes(raw: bytes, root: Path, job: FileJob, settings: Settings) -> tuple[list, list[Finding], dt.date]:
    """(records, findings, the latest date a check compared with `settings.today`): every parse goes through here."""
    text, findings = decode(raw, job.rel)
    if text is None:
        return [], findings, dt.date.min
    parsed, findings = parse_text(text, root / job.rel, job.rel)
    empty = None if findings else empty_file(parsed.root, job.rel)
    if empty is not None:
        findings.append(empty)
    if parsed.root is None or empty is not None:
        return [], findings, dt.date.min
    ctx = Context(findings=findings, today=settings.today, synthetic_ids=settings.synthetic_ids)
    given = dict(job.given)
    if not job.many:
        record = convert(job.cls, parsed.root, ctx, **given)
        return ([] if record is MISSING else [record]), findings, ctx.latest
    if not isinstance(parsed.root, SequenceNode):
        ctx.error(parsed.root, "", "E-TYPE", f"这个文件应是{job.cls.LABEL}的列表：每条以“- ”开头")
        return [], findings, ctx.latest
    records = []
    for i, node in enumerate(parsed.root.value):
        record = convert(job.cls, node, ctx, f"[{i}]", **given)
        if record is not MISSING:
            records.append(record)
    return records, findings, ctx.latest


def read_all(root: Path, jobs: list[FileJob], settings: Settings, *, cache: bool = True,
             workers: int | None = None, known: KnownStats | None = None,
             glance=None) -> list[tuple[list, list[Finding], str, refs.VisitRefs | None]]:
    """The result of `read_file` for each job, in order, with the git blob id of the bytes read ("" when the file
    could not be read): the audit trail takes the working tree's versions from here instead of parsing them; and what
    its visits refer to (`refs.of_file`, cached with them: the checks across visits add these up). `known`: the
    stats a watcher of `root` holds (`KnownStats`), to spare a stat of each unchanged file. `glance`: the build's
    `git status` of `root` (audit.git.Glance), to spare a stat of each file git says is as it was (`_Clean`)."""
    if known is not None and known.root != os.path.abspath(root):
        raise ValueError(f"stats known of {known.root}, not of {root}")
    with without_gc():
        return _read_all(Path(root), jobs, settings, cache, workers, known, glance)


def _read_all(root: Path, jobs: list[FileJob], settings: Settings, cache: bool, workers: int | None,
              known: KnownStats | None = None, glance=None):
    timeless = dataclasses.replace(settings, today=dt.date.max)  # a result holds for every as-of date >= its latest
    store = _Store(root, timeless) if cache else None
    _SUPERSEDED.clear()
    runs = _RUNS.of(root, store, settings) if store and keeping() else None
    clean = _Clean.since_last(root, glance) if runs is not None and known is None else None
    results: dict[str, tuple] = {}  # rel -> (records, findings, digest, latest, summary)
    todo: list[tuple[FileJob, tuple]] = []  # (job, stat) of the files to parse
    prefix = f"{root}/"  # a string, not a Path per file: a county has 20,000 files to stat
    known_prefix = f"{known.root}/" if known is not None and store else None
    folders = [(folder, list(group)) for folder, group in groupby(jobs, key=_FOLDER_OF)]
    if runs is not None and len({folder for folder, _ in folders}) < len(folders):
        runs = None  # a folder's files apart (a walk lists them together): read file by file
    stats_of: dict[str, list] = {}  # folder -> its files' stats, for its run (when this process keeps them)
    for folder, group in folders:
        stats = None
        if runs is not None:
            if clean is not None and clean.holds(folder, group) and runs.held(folder, group, clean.before_ns):
                continue
            held = runs.held_stats(folder, clean) if clean is not None else None
            stats = stats_of[folder] = _stats(group, prefix, known, known_prefix, held)
            if runs.unchanged(folder, group, stats):
                continue
        for i, job in enumerate(group):
            held = known.stat(known_prefix + job.rel) if known_prefix else None
            hit = store.confirmed(job.rel, held) if held is not None else None
            if hit is not None:
                results[job.rel] = hit
                continue
            # (the stat `_stats` took of the file itself, if it did: an entry only ever holds a stat of its own)
            stat = stats[i] if stats is not None and held is None else _stat(prefix + job.rel)
            hit = store.get(job.rel, stat) if store else None
            if hit is not None:
                results[job.rel] = hit
            else:
                todo.append((job, stat))
    outside: dict[str, dict] = {}  # the entries of the folders whose cache file a worker wrote
    for (job, stat), (digest, result), wrote in _parse_many(root, todo, timeless, workers, store):
        results[job.rel] = (*result[:2], digest, *result[2:])
        if store and not wrote:
            store.put(job.rel, stat, digest, result)
        elif wrote:
            entries = outside.setdefault(_folder(job.rel), {})
            if _cached(stat, digest):
                entries[job.rel] = (stat, digest, result)
    if store:
        for folder, entries in outside.items():
            store.store.written_elsewhere(folder, entries)
        store.save()
    out = []
    for folder, group in folders:
        run = runs.get(folder) if runs is not None else None
        if run is None:
            run = [_on_the_day(root, job, settings, results[job.rel]) for job in group]
            if runs is not None:
                runs.made(folder, group, stats_of[folder], run, max(results[job.rel][3] for job in group))
        out += run
    if runs is not None:
        runs.done()
        _Clean.seen(root, glance)
    return out


class _Runs:
    """The results of each folder of files as the last read of a content tree in this process gave them, while the
    process keeps cache files in memory (`cachestore.keeping`: the build server, the preview): a folder whose files
    are the same jobs with the same stats as then, none of them racily clean against the folder's cache file, is
    handed over whole, the very same result objects, without a cache lookup of each file (load.py then takes what
    it made of them by their identity). A month of visits is a thousand files at 25,000 households.

    A run is kept only when its results are the timeless ones (no check compared a date later than the as-of date:
    `_on_the_day`), and handed over on any as-of date from the latest date its checks compared on: the first build
    of a new day takes the folders over as a rebuild of the same day does."""

    def __init__(self):
        self.trees: dict[str, tuple] = {}  # root -> (the store's directory, {folder: its run})

    def of(self, root: Path, store: "_Store", settings: Settings) -> "_Runs.Tree":
        version, last = self.trees.get(str(root), (None, {}))
        if version != store.store.directory:  # another reader: read anew
            last = {}
        return _Runs.Tree(self, str(root), store, settings.today, last)

    @dataclass
    class Tree:
        """The runs of one read of a content tree: those of the last read it may hand over, those it leaves."""

        owner: "_Runs"
        root: str
        store: "_Store"
        today: dt.date
        last: dict  # folder -> its run, (jobs, stats, results, the latest date its checks compared), last read
        now: dict = field(default_factory=dict)

        def unchanged(self, folder: str, jobs: list, stats: list) -> bool:
            run = self.last.get(folder)
            if (run is None or run[1] != stats or run[0] != jobs  # (the same jobs, mostly the very same objects)
                    or run[3] > self.today  # (a result that is not the timeless one on this day)
                    or not all(stats) or not self._written_after(jobs, stats)):
                return False
            self.now[folder] = run
            return True

        def _written_after(self, jobs: list, stats: list) -> bool:
            """Whether every file's entry was written after the file's last change (none is racily clean)."""
            store = self.store.store
            if max(max(s[1], s[3]) for s in stats) < store.written(jobs[0].rel):
                return True
            return all(max(s[1], s[3]) < store.written_at(job.rel, job.rel) for job, s in zip(jobs, stats))

        def held(self, folder: str, jobs: list, before_ns: int) -> bool:
            """`unchanged` where git says the folder's files hold the bytes they held at the status taken at
            `before_ns` (`_Clean`), without a stat: the last run's files were not modified since (their stats, as
            the run took them, are older than that by the racy margin), so its results are of those bytes."""
            run = self.last.get(folder)
            if (run is None or run[0] != jobs or run[3] > self.today or not all(run[1])
                    or max(max(s[1], s[3]) for s in run[1]) >= before_ns - listing.RACE_MARGIN_NS):
                return False
            self.now[folder] = run
            return True

        def held_stats(self, folder: str, clean: "_Clean") -> dict[str, tuple] | None:
            """Of a folder git says some files of differ (`_Clean`), the stats the last run took of the others,
            where the files were not modified since: a stat of each is spared, and the parse cache takes them."""
            run = self.last.get(folder)
            if run is None or run[3] > self.today:
                return None
            limit = clean.before_ns - listing.RACE_MARGIN_NS
            return {job.rel: stat for job, stat in zip(run[0], run[1])
                    if stat and max(stat[1], stat[3]) < limit and job.rel not in clean.changed}

        def get(self, folder: str) -> list | None:
            run = self.now.get(folder)
            return run[2] if run is not None else None

        def made(self, folder: str, jobs: list, stats: list, results: list, latest: dt.date) -> None:
            """`latest`: the latest date the checks of the folder's files compared with the as-of date."""
            if (latest <= self.today  # (else a file was read again on the day: its result holds for this day only)
                    and all(stats) and all(digest for _, _, digest, _ in results)):  # (an unreadable one: every time)
                self.now[folder] = (jobs, stats, results, latest)

        def done(self) -> None:
            self.owner.trees[self.root] = (self.store.store.directory, self.now)


_RUNS = _Runs()


class _Clean:
    """What git says of a content tree since the last read of it in this process that had the build's `git status`
    (the build server's, which keeps its runs: `_Runs`): the files that may differ from the bytes read then are
    those committed since (a diff of the two HEADs) and those either status listed (modified, untracked, ignored:
    `Glance.every`). A folder none of whose files is among them, nor below a listed folder, holds what it held, and
    the stat of each of its files is spared (a county has 200,000: half a second). As git's index (and the build
    fingerprint) does, this trusts git's status; a file marked assume-unchanged or skip-worktree is not seen."""

    _last: dict[str, tuple] = {}  # root -> (HEAD, the paths its status listed, when that status was taken)

    def __init__(self, changed: set[str], before_ns: int):
        self.changed = changed
        self.folders = tuple(path for path in changed if path.endswith("/"))  # (git lists an ignored folder whole)
        self.before_ns = before_ns

    @classmethod
    def since_last(cls, root: Path, glance) -> "_Clean | None":
        last = cls._last.get(str(root))
        if glance is None or last is None or not glance.location.head or not last[0]:
            return None
        head, every, taken = last
        if head == glance.location.head:
            committed = ()
        else:
            from .audit.git import changed_between  # (here: the audit package imports this module)

            committed = changed_between(glance.location, head, glance.location.head)
            if committed is None:
                return None
        return cls({*every, *glance.every, *committed}, taken)

    @classmethod
    def seen(cls, root: Path, glance) -> None:
        if glance is not None and glance.taken_ns:
            cls._last[str(root)] = (glance.location.head, frozenset(glance.every), glance.taken_ns)

    def holds(self, folder: str, jobs: list) -> bool:
        inside = folder + "/"
        return (not any(inside.startswith(listed) for listed in self.folders)
                and not any(job.rel in self.changed for job in jobs))

# In a process that keeps its caches, the records of the files whose bytes changed since the last read, under the
# blob id of the bytes they were read from (the last read's only): the history's walk of the new commit asks for the
# version before it of each file it changed, which is this (`superseded`), and need not read it from git again.
_SUPERSEDED: dict[tuple[str, str], list] = {}


def superseded(rel: str, blob: str) -> list | None:
    """The records the last read in this process made of `rel` when its bytes had the git blob id `blob` and it read
    without errors, if the file has changed since; else None."""
    return _SUPERSEDED.get((rel, blob))


def _supersede(rel: str, entry: tuple) -> None:
    records, findings = entry[2][0], entry[2][1]
    if keeping() and not any(f.is_error for f in findings):
        _SUPERSEDED[rel, entry[1]] = records


_FOLDER_OF = attrgetter("folder")


def _stats(jobs: list[FileJob], prefix: str, known: KnownStats | None, known_prefix: str | None,
           held: dict[str, tuple] | None = None) -> list[tuple]:
    """The stats of the jobs' files: as known (`KnownStats`) where the watcher holds them, or as the last read took
    them where git says the file is as it was then (`held`: `_Runs.Tree.held_stats`), else of the file."""
    if held:
        return [held.get(job.rel) or _stat(prefix + job.rel) for job in jobs]
    if known_prefix is None:
        return [_stat(prefix + job.rel) for job in jobs]
    return [known.stat(known_prefix + job.rel) or _stat(prefix + job.rel) for job in jobs]


def _folder(rel: str) -> str:
    return rel.rpartition("/")[0]


def _cached(stat: tuple, digest: str) -> bool:
    """Whether a file's result goes in the cache (`_Store.put`): not when it could not be read or stat'ed."""
    return bool(digest and stat)


def _on_the_day(root: Path, job: FileJob, settings: Settings, result: tuple) -> tuple:
    """A file's result on the as-of date: the timeless one, unless a check compared a later date with it (then the
    file is read again on the day; rare: an ID number born after the as-of date)."""
    records, findings, digest, latest, summary = result
    if latest <= settings.today:
        return records, findings, digest, summary
    records, findings = read_file(root, job, settings)
    return records, findings, digest, refs.of_file(records)


def _parse_many(root: Path, todo: list[tuple[FileJob, tuple]], settings: Settings, workers: int | None,
                store: "_Store | None"):
    """((job, stat), (hash of the bytes, result), whether a worker wrote the cache file of the job's folder) for each
    of `todo`, a folder's files together; in worker processes when there are many. A folder the cache has nothing of
    (a cold build) goes whole to one worker, which writes its cache file too: the building process, which receives every
    result, need not pickle them all again."""
    workers = workers or processes.count()
    with progress.Counter("读取记录文件", len(todo)) as counter:
        if workers <= 1 or len(todo) <= IN_PROCESS_UP_TO:
            for item in todo:
                yield item, _parse_one(root, item[0], settings), False
                counter.advance()
            return
        by_folder: dict[str, list] = {}
        for item in todo:
            by_folder.setdefault(_folder(item[0].rel), []).append(item)
        target = store.target if store else None
        size = max(BATCH_AT_LEAST, min(500, len(todo) // (workers * 8)))
        tasks, items, targets = [], [], {}
        for folder, found in by_folder.items():
            items += found
            path = target(folder) if target and not store.store.folder(found[0][0].rel) else None
            if path is not None:  # nothing cached of it: the worker writes its cache file
                targets[folder] = path
            if len(items) >= size:
                tasks.append((root, items, settings, targets))
                items, targets = [], {}
        if items:
            tasks.append((root, items, settings, targets))

        # each task's results as it comes: this process unpickles a batch while the workers parse the next ones
        # (closed however the reading ends: the tasks not begun are stopped there and then)
        with contextlib.closing(processes.in_order(_parse_task, tasks, jobs=workers)) as results:
            for (parsed, written), (_, items, _, targets) in zip(results, tasks):
                counter.advance(len(parsed))
                entries, wrote = {}, set(written)
                for folder in wrote:
                    value = unseal(written.pop(folder))
                    entries.update(value)
                    kept_as_written(targets[folder], value)  # (the next load here need not read it back)
                for item, result in zip(items, parsed):
                    if result is None:  # in a cache file the worker wrote
                        _, digest, result = entries[item[0].rel]
                        yield item, (digest, result), True
                    else:
                        yield item, result, _folder(item[0].rel) in wrote


def _parse_task(task: tuple) -> tuple[list, dict[str, bytes]]:
    """A worker's task: parse these files; write the cache file of each folder in `targets` (all its files are
    here), as `_Store.put` and `FolderStore.save` would have. Returns the results, None for those in a cache file
    written, and the bytes of each file written: the results go back to the building process in those bytes,
    pickled once for both."""
    root, items, settings, targets = task
    parsed = [_parse_one(root, job, settings) for job, _ in items]
    written, sent = {}, set()
    for folder, path in targets.items():
        entries = {job.rel: (stat, digest, result) for (job, stat), (digest, result) in zip(items, parsed)
                   if _folder(job.rel) == folder and _cached(stat, digest)}
        data = seal(entries)
        try:
            write_durable(path, data, sync_folder=False)  # the building process fsyncs the folder (save)
        except OSError:
            continue  # the building process writes it
        written[folder] = data
        sent.update(entries)
    return [None if job.rel in sent else result for (job, _), result in zip(items, parsed)], written


def _parse_one(root: Path, job: FileJob, settings: Settings) -> tuple[str, tuple]:
    """(hash of the bytes, (records, findings, latest, what the visits refer to))."""
    try:
        raw = read_below(root, job.rel)
    except OSError:
        return "", (*read_file(root, job, settings), dt.date.min, None)  # says why it cannot be read; never cached
    records, findings, latest = _read_bytes(raw, root, job, settings)
    return _digest(raw), (records, findings, latest, refs.of_file(records))


def _stat(path: str) -> tuple:
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns


def _digest(raw: bytes) -> str:
    """The bytes' git blob id: the cache key, and what the audit trail compares versions by."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()


def _valid_entry(rel, entry) -> bool:
    """(stat, digest, (records, findings, latest, summary)), as `_Store.put` writes it: anything else in a cache file
    is ignored."""
    return (isinstance(rel, str) and isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], tuple)
            and len(entry[0]) == 4 and all(map(isinstance, entry[0], repeat(int))) and isinstance(entry[1], str)
            and isinstance(entry[2], tuple) and len(entry[2]) == 4 and isinstance(entry[2][0], list)
            and isinstance(entry[2][1], list) and _RECORD_TYPES.issuperset(map(type, entry[2][0]))
            and all(map(isinstance, entry[2][1], repeat(Finding))) and type(entry[2][2]) is dt.date
            and (entry[2][3] is None or type(entry[2][3]) in (refs.VisitRefs, refs.PersonalValues)))


class _Store:
    """Parsed files of one content tree: {rel: (stat, digest, result)} in a pickle per folder."""

    def __init__(self, root: Path, settings: Settings):
        self.root = root
        version = f"{code_hash(*_READER_MODULES)}|{settings.synthetic_ids}"  # not the as-of date (see above)
        self.store = FolderStore("records", root, version, _valid_entry)

    def get(self, rel: str, stat: tuple):
        entry = self.store.folder(rel).get(rel)
        if entry is None or not stat:
            return None
        if entry[0] != stat or max(stat[1], stat[3]) >= self.store.written_at(rel, rel):  # changed, or racily clean
            try:
                digest = _digest(read_below(self.root, rel))
            except OSError:
                return None
            if digest != entry[1]:
                _supersede(rel, entry)
                return None
            if entry[0] != stat or max(stat[1], stat[3]) < time.time_ns():  # remembered again: trusted after this write
                self.put(rel, stat, digest, entry[2])
        records, findings, latest, summary = entry[2]
        return records, findings, entry[1], latest, summary

    def confirmed(self, rel: str, stat: tuple | None):
        """What `get` gives for a file whose entry has this very `stat` and is not racily clean; otherwise None (the
        caller then stats the file itself: a known stat never makes or remembers an entry)."""
        if stat is None:
            return None
        entry = self.store.folder(rel).get(rel)
        if entry is None or entry[0] != stat or max(stat[1], stat[3]) >= self.store.written_at(rel, rel):
            return None
        records, findings, latest, summary = entry[2]
        return records, findings, entry[1], latest, summary

    def put(self, rel: str, stat: tuple, digest: str, result: tuple) -> None:
        if digest and stat:
            self.store.put(rel, rel, (stat, digest, result))

    def target(self, folder: str) -> Path | None:
        """The cache file of a folder, for a worker to write (None when the cache folder cannot be made)."""
        return self.store.file_of(folder)

    def save(self) -> None:
        self.store.save()
