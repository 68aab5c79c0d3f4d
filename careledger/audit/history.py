"""The history of a content tree, read from git in one pass: `read_history(content_dir) -> History`.

One `git log` lists every commit that touched the content directory, oldest first, with the blob ids of the files
it changed; one `git cat-file --batch` process returns the old and new versions of the visit and household files
among them. Each commit is compared with its parent, visit by visit and household by household, and the result is
a list of events: a visit added, changed or removed, a household file added, changed, moved or removed, each with
its commit (author, dates, subject). Judging those events is the audit rules' work (`careledger/rules/audit.py`);
nothing here depends on the records, the profile or the as-of date, so the History of one commit is always the same.

What a commit changed is taken once: a merge brings in again what its side branch already did, and a change seen
before (the same visit going to the same content) is not counted twice.
"""

from __future__ import annotations

import datetime as dt
import pickle
import threading
import zlib
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from queue import Full, Queue
from zoneinfo import ZoneInfo

from ..bulkread import superseded
from ..cachestore import FolderStore, code_hash, when_idle, without_gc
from ..load import visits_in_date_order
from ..records import Household, Visit
from ..slotted import compact
from . import digest as digests, git
from .parse import HouseholdParser, VisitKey, VisitParser, household_of, keyed_visits, visitor_of

TIMEZONE = ZoneInfo("Asia/Shanghai")  # the day of a commit is its day in the jurisdiction's time zone


@compact
@dataclass(frozen=True, slots=True)
class Commit:
    id: str
    author_name: str
    author_email: str
    authored: dt.datetime
    committed: dt.datetime  # when it entered the repository (the committer date)
    subject: str
    order: int  # 0 for the oldest commit that touched the content
    root: bool  # no parent: the first commit of the repository, or the edge of a shallow clone
    files: int  # how many files below the content directory it added, changed or removed

    @property
    def date(self) -> dt.date:
        return self.committed.astimezone(TIMEZONE).date()

    @property
    def short(self) -> str:
        return self.id[:10]

    @property
    def author(self) -> str:
        return f"{self.author_name} <{self.author_email}>"


@compact
@dataclass(frozen=True, slots=True)
class VisitEvent:
    action: str  # "added", "changed" or "removed"
    commit: Commit
    key: VisitKey  # the visit's identity after the commit (the one removed, for "removed")
    path: str  # its visit file
    visit: Visit | None  # after the commit; None when removed (its visitor is `key.visitor`, `visit.visitor` is "")
    before: Visit | None  # before the commit; None when added
    before_key: VisitKey | None  # the identity before, when the change altered it (date, duty or household)
    first: Commit  # the commit that first entered the visit
    previous: Commit | None  # the commit of the version this one replaced or removed


@compact
@dataclass(frozen=True, slots=True)
class HouseholdEvent:
    action: str  # "added", "changed", "moved" or "removed"
    commit: Commit
    household: str
    path: str  # the file after the commit (before, for "removed")
    before: Household | None
    after: Household | None
    previous: Commit | None  # the commit of the version before


@dataclass(frozen=True, eq=False)
class History:
    state: str  # "complete", "shallow", "no-commits", "no-repository" or "no-git"
    detail: str = ""  # git's own words when the history could not be read
    head: str = ""
    dirty: tuple[str, ...] = ()  # uncommitted files below the content directory
    commits: tuple[Commit, ...] = ()
    eager_events: tuple[VisitEvent, ...] = ()  # the visit events, in commit order, but those of `lazy` commits
    household_events: tuple[HouseholdEvent, ...] = ()
    unreadable: tuple[tuple[str, str], ...] = ()  # (commit id, path) of versions that could not be read
    incomplete: bool = False  # a blob the walk asked for was missing (a partial clone): a fetch may change events
    # commit order → LazyEvents: a large commit's visit events kept by the last build's walk (`resume.py`), made
    # only when a consumer asks for them (its digest, counts and households are at hand without them)
    lazy: dict = field(default_factory=dict, repr=False)
    _by_household: dict = field(default_factory=dict, repr=False)
    _last_orders: dict = field(default_factory=dict, repr=False)  # household → its last commit's order
    _digests: dict = field(default_factory=dict, repr=False)  # commit order → CommitDigest
    _all: list = field(default_factory=list, repr=False)

    @property
    def visit_events(self) -> tuple[VisitEvent, ...]:
        """Every visit event, in commit order (makes the lazy commits' events)."""
        if not self.lazy:
            return self.eager_events
        if not self._all:
            out: list[VisitEvent] = []
            for commit in self.commits:
                out += self.events_of(commit)[0]
            self._all.append(tuple(out))
        return self._all[0]

    def __eq__(self, other) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _COMPARED)

    __hash__ = None  # type: ignore[assignment]

    @property
    def available(self) -> bool:
        return self.state in ("complete", "shallow")

    @property
    def trail(self) -> str:
        """"complete", "partial" (shallow clone, or uncommitted changes) or "missing"."""
        if not self.available:
            return "missing"
        return "partial" if self.state == "shallow" or self.dirty else "complete"

    def for_household(self, household_id: str) -> tuple[list[HouseholdEvent], list[VisitEvent]]:
        """The events of one household's file and of the visits to it, oldest first (makes the events of the lazy
        commits that touched it)."""
        files, visits = self._eager_of(household_id)
        visits = list(visits)
        touched = [lazy for lazy in self.lazy.values() if household_id in lazy.households]
        if touched:
            for lazy in touched:
                visits += [e for e in lazy if e.key.household == household_id
                           or (e.before_key is not None and e.before_key.household == household_id)]
            visits.sort(key=_order)  # stable: a commit's events keep their order
        return list(files), visits

    def last_commit_of(self, household_id: str) -> Commit | None:
        """The last commit that touched the household's file or a visit to it (without making lazy events): every
        household's, found in one pass over the events the first time (the desk asks for thousands)."""
        if not self._last_orders and self.commits:
            last: dict[str, int] = {}
            events = [(e.household, e.commit.order) for e in self.household_events]
            for e in self.eager_events:  # under its household, and under the one it moved from
                events.append((e.key.household, e.commit.order))
                if e.before_key and e.before_key.household != e.key.household:
                    events.append((e.before_key.household, e.commit.order))
            events += [(household, order) for order, lazy in self.lazy.items() for household in lazy.households]
            for household, order in events:
                if order > last.get(household, -1):
                    last[household] = order
            self._last_orders.update(last)
        order = self._last_orders.get(household_id)
        return self.commits[order] if order is not None else None

    def _eager_of(self, household_id: str) -> tuple[list[HouseholdEvent], list[VisitEvent]]:
        if not self._by_household:
            index: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
            for event in self.household_events:
                index[event.household][0].append(event)
            for event in self.eager_events:  # under its household, and under the one it moved from if another
                household = event.key.household
                index[household][1].append(event)
                if event.before_key and event.before_key.household != household:
                    index[event.before_key.household][1].append(event)
            self._by_household.update(index)
        return self._by_household.get(household_id, ([], []))

    def events_of(self, commit: Commit) -> tuple[Sequence[VisitEvent], tuple[HouseholdEvent, ...]]:
        """The commit's visit and household events. The walk appends events commit by commit, so each list is in
        commit order and a commit's events are one slice of it, found by bisection (not by a pass over all)."""
        lazy = self.lazy.get(commit.order)
        visits = lazy if lazy is not None else _slice(self.eager_events, commit.order)
        return visits, _slice(self.household_events, commit.order)

    def digest(self, commit: Commit):
        """The commit's events summed up for the audit (`digest.CommitDigest`): kept from an earlier build for a
        large commit (`digest.attach`), else computed once."""
        got = self._digests.get(commit.order)
        if got is None:
            got = self._digests[commit.order] = digests.digest(commit, *self.events_of(commit))
        return got

    def keep_digest(self, commit: Commit, got) -> None:
        self._digests[commit.order] = got


_COMPARED = ("state", "detail", "head", "dirty", "commits", "visit_events", "household_events", "unreadable",
             "incomplete")


class LazyEvents(Sequence):
    """One large commit's visit events, made at the first look (`make()` gives them as a tuple). Their count and
    the households they touch are known without them."""

    def __init__(self, count: int, households: frozenset, make):
        self.count, self.households, self._make, self._events = count, households, make, None

    def events(self) -> tuple[VisitEvent, ...]:
        if self._events is None:
            self._events = tuple(self._make())
            if len(self._events) != self.count:
                raise ValueError("lazy events")
        return self._events

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        return self.events()[index]

    def __iter__(self):
        return iter(self.events())

    def __reduce__(self):  # a History sent to another process carries the events, not the walk that makes them
        return _made, (self.count, self.households, self.events())


def _made(count: int, households: frozenset, events: tuple) -> LazyEvents:
    got = LazyEvents(count, households, None)
    got._events = events
    return got


def _order(event) -> int:
    return event.commit.order


def _slice(events: tuple, order: int) -> tuple:
    start = bisect_left(events, order, key=_order)
    return events[start:bisect_right(events, order, lo=start, key=_order)]


_PARSING_MODULES = ("audit.parse", "schema", "yamlread", "records", "identifiers", "vocab", "slotted")


def read_history(content_dir: Path, records=None, glance: git.Glance | None = None) -> History:
    """Read the history of the content directory. Never raises for a missing repository or git: the History's
    `state` says what is missing. `records`, loaded from the same directory without errors, saves parsing the
    versions of files that are the same as the working tree's (`Records.blob_ids`). `glance`: the build's
    `git.glance` of the content (its fingerprint's), whose status stands while HEAD is the same."""
    try:
        location = git.locate(content_dir)
        dirty = glance.dirty if glance is not None and glance.location == location else git.dirty_paths(location)
        if not location.head:
            return History("no-commits", dirty=dirty)
        store = FolderStore("history", Path(content_dir), code_hash(*_PARSING_MODULES), _valid_version)
        with without_gc():
            builder = _walk(location, store, _Seeds(records))
        store.save()
    except git.GitUnavailable as exc:
        return History(exc.reason, detail=str(exc))
    if not builder.commits:
        return History("no-commits", head=location.head, dirty=dirty)
    history = History("shallow" if location.shallow else "complete", head=location.head, dirty=dirty,
                      commits=tuple(builder.commits), eager_events=tuple(builder.visit_events), lazy=builder.lazy,
                      household_events=tuple(builder.household_events), unreadable=tuple(builder.unreadable),
                      incomplete=builder.incomplete)
    with without_gc():  # a few thousand small objects, and the records' millions for the collector to scan
        digests.attach(history, store.base)
    return history


def _walk(location: git.Location, store: FolderStore, seeds: _Seeds) -> _Builder:
    """The walk to HEAD: continued from the last build's when it can be (`resume.py`), else from the first commit;
    kept for the next build."""
    from . import resume  # it builds on this module's walk

    builder, since = resume.load(location, store, seeds)
    if builder is not None:
        try:
            _walk_from(location, builder, since)
        except Gone:  # a version the kept walk refers to is gone: walk from the start
            builder = None
    if builder is None:
        builder = _Builder(store, seeds)
        _walk_from(location, builder, "")
    elif since == location.head:
        return builder.walked()
    # kept, then let go of what only going on needs (`walked`); in the build server after its answer
    when_idle(lambda: (resume.save(location, builder), builder.walked()))
    return builder


def _walk_from(location: git.Location, builder: _Builder, since: str) -> None:
    if since == location.head:
        return
    for raw, contents in _commits_with_blobs(location, builder.seeds.blob_ids, builder.current, since):
        builder.add(raw, contents)


def _valid_version(key, value) -> bool:
    """A cached parsed version as `_Builder._version` puts it: (path, blob) -> a household, visits by key, or None."""
    return (isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key)
            and (value is None or isinstance(value, Household)
                 or isinstance(value, dict) and all(isinstance(v, Visit) for v in value.values())))


def _needed(changes: tuple[git.FileChange, ...], current: dict[str, str], seeded: Mapping[str, str]) -> list[str]:
    """The blobs a commit's visit and household files need read: those not already read as the path's current
    version, nor the working tree's version that the loaded records hold (`seeded`: path → blob id). Updates
    `current` (path → blob id of its version after the commit)."""
    ids = []
    for change in changes:
        if visitor_of(change.path) or household_of(change.path):
            ids += [b for b in (change.old, change.new)
                    if b and b != current.get(change.path) and b != seeded.get(change.path)]
    for change in changes:
        if change.new:
            current[change.path] = change.new
        else:
            current.pop(change.path, None)
    return ids


def _commits_with_blobs(location: git.Location, seeded: Mapping[str, str], current: dict[str, str], since: str = ""):
    """Each commit of the log (after `since`, an ancestor of HEAD whose walk `current` continues: path → blob id
    after it) with the contents of the blobs it needs, oldest first.

    A thread reads the log and asks `git cat-file --batch` for each commit's blobs as soon as it has the commit;
    this thread reads the answers in the same order as it gets to each commit. So git log, git cat-file and the
    parsing here all run at once, and no commit waits for a round trip to git."""
    queue: Queue = Queue(maxsize=4096)
    stop = threading.Event()
    with git.BlobReader(location.toplevel) as blobs:

        def produce() -> None:
            try:
                with closing(git.log(location, since)) as commits:
                    for raw in commits:
                        needed = _needed(raw.changes, current, seeded)
                        # handed over before asking, so the answers are read while they are being asked for
                        if not _put(queue, (raw, needed), stop):
                            return
                        if needed:
                            blobs.request(needed)
                _put(queue, None, stop)
            except BaseException as exc:  # handed over to the reading side
                _put(queue, exc, stop)

        producer = threading.Thread(target=produce, name="careledger-git-log", daemon=True)
        producer.start()
        try:
            while True:
                item = queue.get()
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise item
                raw, needed = item
                yield raw, {blob: blobs.answer() for blob in needed}
        finally:
            stop.set()
            blobs.close()
            producer.join(timeout=10)


def _put(queue: Queue, item, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            queue.put(item, timeout=0.2)
            return True
        except Full:
            continue
    return False


_POSITION = attrgetter("source.line", "source.column")
_FILE_OF = attrgetter("source.file")


class _Seeds:
    """The working tree's versions of the files, as the loader read them: a version of a file whose blob id is
    the working file's is taken from the records instead of being parsed again (the whole tree, the first time)."""

    def __init__(self, records):
        self.blob_ids = records.blob_ids if records is not None else {}
        self.records = records
        self._visits_by_file: dict[str, list] | None = None
        self._households_by_file: dict | None = None
        self._keyed: dict[str, dict] = {}
        self.scans = 0  # files to look up by a pass over the visits before indexing them (`_in_file`)

    def _in_file(self, path: str) -> list:
        """The loaded visits of one file: the loader's own list when these are its records; else, in a continued walk
        (`resume.py`, which asks for the files of its new commits only), a pass over the visits for the first few
        files, and an index of every file otherwise."""
        if self.records is not None and visits_in_date_order(self.records) and self.records.visits_by_file:
            return self.records.visits_by_file.get(path, [])
        if self._visits_by_file is None and self.scans:
            self.scans -= 1
            visits = self.records.visits
            return [visit for visit, file in zip(visits, map(_FILE_OF, visits)) if file == path]
        if self._visits_by_file is None:
            self._visits_by_file = {}
            for visit in self.records.visits:
                in_file = self._visits_by_file.get(visit.source.file)
                if in_file is None:
                    self._visits_by_file[visit.source.file] = [visit]
                else:
                    in_file.append(visit)
        return self._visits_by_file.get(path, [])

    def version(self, path: str, blob: str):
        if self.blob_ids.get(path) != blob:
            return None
        visitor = visitor_of(path)
        if visitor is not None:
            keyed = self._keyed.get(path)
            if keyed is None:  # the loaded records themselves: no copy
                in_file = sorted(self._in_file(path), key=_POSITION)
                keyed = self._keyed[path] = keyed_visits(visitor, in_file)
            return keyed
        if household_of(path) is not None:
            if self._households_by_file is None:
                self._households_by_file = {h.source.file: h for h in self.records.households}
            return self._households_by_file.get(path)
        return None

    @staticmethod
    def before(path: str, blob: str):
        """The version of a file this process read before it last changed (`bulkread.superseded`: the version the
        last commit changed, which a continued walk's events ask for), as the records give it; else None."""
        records = superseded(path, blob)
        if records is None:
            return None
        visitor = visitor_of(path)
        if visitor is not None:
            return keyed_visits(visitor, sorted((r for r in records if type(r) is Visit), key=_POSITION))
        if household_of(path) is not None:
            return next((r for r in records if type(r) is Household), None)
        return None


SHARDS = 64


def shard_of(household: str) -> int:
    """Which of the kept walk's `SHARDS` pickles holds the states of a household's visits (the same in every
    process: not Python's salted string hash)."""
    return zlib.crc32(household.encode("utf-8", "surrogateescape")) % SHARDS


class Gone(Exception):
    """A version the kept walk refers to cannot be had again (`resume.py`): walk from the start."""


_KEPT = object()  # in `_Builder.versions`: the parsed version is kept as a reference (`_Builder._last`)


@dataclass(slots=True)
class _Known:
    visit: Visit
    first: Commit
    last: Commit
    present: bool = True
    ref: tuple | None = None  # (version index, key) of the version `visit` came from (`_Builder.table`)


class _Builder:
    """Walks the commits oldest first, keeping the last readable version of every file and every visit's state.
    Versions parsed in an earlier run come from `store`, by path and blob id (a blob id is its content's hash)."""

    def __init__(self, store: FolderStore, seeds: _Seeds):
        self.store, self.seeds = store, seeds
        self.parser = VisitParser()
        self.household_parser = HouseholdParser()
        self.commits: list[Commit] = []
        self.visit_events: list[VisitEvent] = []
        self.lazy: dict[int, LazyEvents] = {}  # commit order → its visit events, taken back lazily (`resume.py`)
        self.household_events: list[HouseholdEvent] = []
        self.unreadable: list[tuple[str, str]] = []
        self.versions: dict[str, tuple[str, object]] = {}  # path → (blob id, parsed) of its last readable version
        self.visits: dict[VisitKey, _Known] = {}
        # set by `resume.py`: the visits' states kept by the last walk, one pickle per `shard_of` their household,
        # taken into `visits` when the walk meets one of those households again (None: taken)
        self.shards: list[bytes | None] | None = None
        self.household_last: dict[str, Commit] = {}
        # What `resume.py` keeps to continue the walk at the next build: the versions the events' records come
        # from, as (path, blob id), so that a record is kept as a reference and taken again from today's records,
        # the parsed-versions store or git; the walk's last blob of every path (`_needed`); whether a blob was
        # missing (a partial or shallow clone: a later fetch can give another result, so the walk is not kept).
        self.table: list[tuple[str, str]] = []
        self.table_index: dict[tuple[str, str], int] = {}
        # per visit event, the ref of its `visit` and of its `before` (index, key), or None: two lists, not a list of
        # pairs (a county's import has a million events)
        self.visit_refs: tuple[list, list] = ([], [])
        self.household_refs: list[tuple[int, int]] = []  # per household event: index of `before`, of `after` (-1)
        self.current: dict[str, str] = {}
        self.walked_paths: set[str] | None = None  # set by `resume.load`: the paths the walk changed since
        self.incomplete = False
        self.resolve = None  # set by `resume.load`: (version index) -> parsed version, for state kept as references

    def walked(self) -> _Builder:
        """The walk is over (and kept): drop what only going on with it needs, every visit's state above all. A
        lazy commit's events (`LazyEvents`) keep this builder for as long as the build (the history's
        commits, the version table and the parsed-versions store, to make them)."""
        self.visits, self.shards, self.versions, self.current = {}, None, {}, {}
        self.table_index, self.household_last, self.visit_refs, self.household_refs = {}, {}, ([], []), []
        self.kept_visit_rows = self.kept_household_rows = self.kept_segments = self.kept_shards = None
        self.walked_paths = None
        return self

    def add(self, raw: git.RawCommit, contents: dict[str, bytes | None]) -> None:
        """One commit, with the contents of the blobs `_needed` named for it. A commit that changed nothing below the
        content directory (an empty commit, a merge that brought nothing new) is left out."""
        if any(data is None for data in contents.values()):
            self.incomplete = True
        if not raw.changes:
            return
        if self.walked_paths is not None:
            self.walked_paths.update(change.path for change in raw.changes)
        commit = Commit(id=raw.id, author_name=raw.author_name, author_email=raw.author_email,
                        authored=raw.authored, committed=raw.committed, subject=raw.subject, order=len(self.commits),
                        root=not raw.parents, files=len(raw.changes))
        self.commits.append(commit)
        visit_files = [c for c in raw.changes if visitor_of(c.path)]
        household_files = [c for c in raw.changes if household_of(c.path)]
        if visit_files:
            self._visits(commit, visit_files, contents)
        if household_files:
            self._households(commit, household_files, contents)

    def _version(self, change: git.FileChange, blob: str, contents: dict, read):
        """The parsed file at `blob`, or None when that version cannot be read."""
        cached = self._last(change.path)
        if cached and cached[0] == blob:
            return cached[1]
        seeded = self.seeds.version(change.path, blob)
        if seeded is not None:
            return seeded
        key = (change.path, blob)
        if key not in self.store.folder(change.path):
            data = contents.get(blob)
            if data is None:  # not asked of git (see `_needed`): nothing to remember
                return read(None, change.path)
            self.store.put(change.path, key, read(data, change.path))
        return self.store.folder(change.path)[key]

    def _ref(self, path: str, blob: str) -> int:
        index = self.table_index.get((path, blob))
        if index is None:
            index = self.table_index[(path, blob)] = len(self.table)
            self.table.append((path, blob))
        return index

    def _last(self, path: str):
        """(blob id, parsed) of the path's last readable version, or None."""
        got = self.versions.get(path)
        if got is not None and got[1] is _KEPT:
            got = self.versions[path] = (got[0], self.resolve(self._ref(path, got[0])))
        return got

    def _known(self, key) -> _Known | None:
        if self.shards is not None:  # a kept walk: the visits' states of the key's household, taken back now
            shard = shard_of(key[2])
            kept = self.shards[shard]
            if kept is not None:
                self.shards[shard] = None
                self.visits.update(pickle.loads(kept))
        got = self.visits.get(key)
        if type(got) is tuple:  # kept by `resume.py`: (ref, first order, last order, present)
            ref, first, last, present = got
            visit = self.resolve(ref[0]).get(ref[1])
            if visit is None:  # today's records read that version otherwise (they hold no such visit)
                raise Gone(f"{self.table[ref[0]]} {ref[1]}")
            got = self.visits[key] = _Known(visit, self.commits[first], self.commits[last], present, ref)
        return got

    # --- visits ---------------------------------------------------------------------------------------------

    def _visits(self, commit: Commit, changes: list[git.FileChange], contents: dict) -> None:
        old_all: dict[VisitKey, tuple[Visit, str]] = {}
        new_all: dict[VisitKey, tuple[Visit, str]] = {}
        for change in changes:
            old = self._version(change, change.old, contents, self.parser.read) if change.old else {}
            old_ref = self._ref(change.path, change.old) if change.old else -1
            if old is None:
                last = self._last(change.path)
                old, old_ref = (last[1], self._ref(change.path, last[0])) if last else ({}, -1)
            new = self._version(change, change.new, contents, self.parser.read) if change.new else {}
            if new is None:
                self.unreadable.append((commit.id, change.path))
                continue
            new_ref = self._ref(change.path, change.new) if change.new else -1
            if change.new:
                self.versions[change.path] = (change.new, new)
            else:
                self.versions.pop(change.path, None)
            old_all.update((k, (v, change.path, (old_ref, k))) for k, v in old.items())
            new_all.update((k, (v, change.path, (new_ref, k))) for k, v in new.items())

        removed, added = [], []
        for key, (before, path, _) in old_all.items():
            known = self._known(key)
            if key not in new_all:
                if known and known.present:
                    removed.append(key)
                continue
            after, new_path, ref = new_all[key]
            if known is None:  # an old version never seen as new (unreadable before): take it as given
                self.visits[key] = _Known(after, commit, commit, ref=ref)
            elif after is not before and after != before and after != known.visit:
                self._event("changed", commit, key, new_path, after, known.visit, None, known, ref)
        for key, (after, path, ref) in new_all.items():
            if key in old_all:
                continue
            known = self._known(key)
            if known and known.present:
                if after is not known.visit and after != known.visit:  # a merge bringing in another version
                    self._event("changed", commit, key, path, after, known.visit, None, known, ref)
                continue
            added.append(key)

        paired = _pair(removed, added, old_all, new_all)
        for old_key, new_key in paired:
            known = self._known(old_key)
            after, path, ref = new_all[new_key]
            known.present = False
            self._event("changed", commit, new_key, path, after, known.visit, old_key, known, ref)
        paired_old = {o for o, _ in paired}
        paired_new = {n for _, n in paired}
        for key in removed:
            if key not in paired_old:
                known = self._known(key)
                known.present = False
                self.visit_events.append(VisitEvent("removed", commit, key, old_all[key][1], None, known.visit, None,
                                                    known.first, known.last))
                self._refs(None, known.ref)
        for key in added:
            if key not in paired_new:
                after, path, ref = new_all[key]
                earlier = self._known(key)  # a visit removed before and entered again keeps its first commit
                first = earlier.first if earlier else commit
                self.visits[key] = _Known(after, first, commit, ref=ref)
                self.visit_events.append(VisitEvent("added", commit, key, path, after, None, None, first, None))
                self._refs(ref, None)

    def _event(self, action, commit, key, path, after, before, before_key, known: _Known, ref) -> None:
        self.visit_events.append(VisitEvent(action, commit, key, path, after, before, before_key, known.first,
                                            known.last))
        self._refs(ref, known.ref)
        self.visits[key] = _Known(after, known.first, commit, ref=ref)

    def _refs(self, visit_ref, before_ref) -> None:
        self.visit_refs[0].append(visit_ref)
        self.visit_refs[1].append(before_ref)

    # --- households -----------------------------------------------------------------------------------------

    def _households(self, commit: Commit, changes: list[git.FileChange], contents: dict) -> None:
        by_id: dict[str, list[git.FileChange]] = defaultdict(list)
        for change in changes:
            by_id[household_of(change.path)].append(change)
        for household_id, items in sorted(by_id.items()):
            before = after = None
            before_path = after_path = ""
            before_ref = after_ref = -1
            for change in items:
                if change.old:
                    old = self._version(change, change.old, contents, self.household_parser.read)
                    if old is not None:
                        before, before_ref = old, self._ref(change.path, change.old)
                    else:
                        last = self._last(change.path)
                        before, before_ref = (last[1], self._ref(change.path, last[0])) if last else (None, -1)
                    before_path = change.path
                if change.new:
                    new = self._version(change, change.new, contents, self.household_parser.read)
                    if new is None:
                        self.unreadable.append((commit.id, change.path))
                    else:
                        self.versions[change.path] = (change.new, new)
                    after, after_path = new, change.path
                    after_ref = self._ref(change.path, change.new) if new is not None else -1
                else:
                    self.versions.pop(change.path, None)
            if after_path and after is None:
                continue  # unreadable: compared at the next readable version
            if not before_path:
                action = "added"
            elif not after_path:
                action = "removed"
            else:
                action = "moved" if before_path != after_path else "changed"
            self.household_events.append(HouseholdEvent(action, commit, household_id, after_path or before_path,
                                                        before, after, self.household_last.get(household_id)))
            self.household_refs.append((before_ref, after_ref))
            self.household_last[household_id] = commit


def _pair(removed: list[VisitKey], added: list[VisitKey], old: dict, new: dict) -> list[tuple[VisitKey, VisitKey]]:
    """A visit removed and another added in one commit, by the same visitor, that differ only in their date or duty
    are one visit whose date or duty was changed: pair them, in date order."""
    if not removed or not added:
        return []
    both = {(k.visitor, k.household) for k in removed} & {(k.visitor, k.household) for k in added}
    gone: dict[tuple, list[VisitKey]] = defaultdict(list)
    for key in sorted(removed):
        if (key.visitor, key.household) in both:
            gone[(key.visitor, key.household, _rest(old[key][0]))].append(key)
    pairs = []
    for key in sorted(added):
        if (key.visitor, key.household) in both:
            candidates = gone.get((key.visitor, key.household, _rest(new[key][0])))
            if candidates:
                pairs.append((candidates.pop(0), key))
    return pairs


def _rest(visit: Visit) -> Visit:
    """The visit without the fields of its identity that a correction may change."""
    return replace(visit, date=dt.date.min, duty="")
