"""Continue the audit's walk of the history where the last build left it (issue 16).

`read_history` walks every commit of the content, oldest first. At the end of a walk, `save` keeps what the walk
needs to go on (the events, the commits, the last version of every file, every visit's state, the walk's last blob
of every path) in `walk.pickle` beside the parsed-versions store (`cachestore.FolderStore` "history", sealed with a
digest, written durably, versioned by the audit's code). `load` takes it back when the walk at its commit C can go
on to HEAD and give what a walk from the start would give:

- C is HEAD: nothing to read;
- C is an ancestor of HEAD (`git merge-base --is-ancestor`), the clone's shallow boundary and the content's place in
  the repository are the same, and git lists C's history first in HEAD's walk (`git.walk_continues`): only C..HEAD
  is read;
- anything else (an amend, a rebase, a reset to an older commit, a force-pushed branch, a deepened shallow clone,
  another content directory, another version of the audit's code, a damaged file): `load` gives None, and the walk
  starts from the first commit.

What is kept costs little to take back, whatever the history's shape (an import of a county and a few commits, or
100,000 small commits):

- the events of a large commit (`LAZY_FROM` visit events or more: an import) are pickles of their rows, taken
  back only when a consumer asks for them (`history.LazyEvents`: a dossier's history, a finding in a large commit
  that is not a bulk one); their count and the households they touch are at hand without them, and their digest is
  kept by `digest.py`. The other events are taken back at once;
- every visit's state is kept in `SHARDS` pickles by household (`history.shard_of`), a file each
  (`shard-<random>.pickle`), each taken back when the walk meets one of its households again, and written again
  only then;
- records whose version today's records hold are not kept as objects: such a record is kept as a reference, the
  version it came from (path and blob id) and its key, and taken again from today's records when the working file
  still has that blob id (as a walk from the start takes them), else from the parsed-versions store, else from git.
  An event's visit of an older version is kept itself (the store would unpickle every version of its folder to
  give it back).

A version that cannot be had again makes `load` (or the walk, for a reference it resolves late) give up: `Gone`, and
`read_history` walks from the start (a lazy commit's events are then made by a walk from the start). The
uncommitted files are not part of what is kept: `git status` runs at every build. The lists that only grow
(commits, events) are written in segments, `walk-<random>.pickle`, one per build that walked on, named by
`walk.pickle` with their lengths (at most 32, then one again); so are the maps by path (each path's last blob and
last readable version) and by household (its last commit): the first segment holds them whole, each later one the
entries of the paths and households its build's commits changed. A rebuild after one commit writes that commit's
part, not the county's 200,000 paths and million visit states (66 MB, 0.4 s at 25,000 households).
"""

from __future__ import annotations

import os
import pickle
import subprocess
from functools import partial

from ..cachestore import FolderStore, code_hash, fsync_folder, read_sealed, write_sealed
from . import git
from .history import (_KEPT, _PARSING_MODULES, SHARDS, Commit, Gone, HouseholdEvent, LazyEvents, VisitEvent,
                      _Builder, _Seeds, shard_of)
from .parse import VisitKey, visitor_of

VERSION = code_hash("audit.history", "audit.git", "audit.resume", *_PARSING_MODULES)
FILE = "walk.pickle"
_key = tuple.__new__  # _key(VisitKey, t): a VisitKey from a plain tuple without the namedtuple's Python __new__


def load(location: git.Location, store: FolderStore, seeds: _Seeds) -> tuple[_Builder | None, str]:
    """The walk kept at commit C, ready to go on, and C; (None, "") when it cannot be used."""
    try:
        state = read_sealed(store.base / FILE)
    except OSError:
        return None, ""
    if not isinstance(state, dict) or state.get("version") != VERSION:
        return None, ""
    state = dict(state)  # its own: the segments are joined into it, never into the value kept of the file
    head = state.get("head")
    if (state.get("toplevel") != str(location.toplevel) or state.get("prefix") != location.prefix
            or state.get("shallow") != git.shallow_boundary(location) or not isinstance(head, str) or not head):
        return None, ""
    if head != location.head and not (git.is_ancestor(location, head, location.head)
                                      and git.walk_continues(location, head, location.head)):
        return None, ""
    try:
        _read_segments(state, store.base)
        return _restore(state, store, seeds, location), head
    except Gone:
        return None, ""
    except (OSError, KeyError, IndexError, TypeError, ValueError, AttributeError):  # a segment gone, another shape
        return None, ""


APPENDED = ("commits", "table", "visit_events", "household_events", "unreadable")  # lists that only grow
MAPS = ("versions", "current", "household_last")  # maps by path or household that a walk changes in part
MOST_SEGMENTS = 32


def _read_segments(state: dict, base) -> None:
    """The lists that only grow, and the maps, are kept in segments, one written by each build that walked on (so
    a rebuild writes its own commits' events and the entries its commits changed, not the whole history again;
    the first segment holds the maps whole): join them into `state`, and read the visits' states' shards."""
    lists: dict[str, list] = {name: [] for name in APPENDED}
    maps: dict[str, dict] = {}
    for name, counts in state["segments"]:
        part = read_sealed(base / name)
        if not isinstance(part, tuple) or len(part) != 2 or len(part[0]) != len(APPENDED) or len(part[1]) != len(MAPS):
            raise ValueError(name)
        for key, items, count in zip(APPENDED, part[0], counts):
            lists[key] += items
            if len(lists[key]) != count:
                raise ValueError(name)
        for key, entries in zip(MAPS, part[1]):
            if key not in maps:
                maps[key] = dict(entries)  # (its own: never the value kept of the file)
                continue
            into = maps[key]
            for entry, value in entries.items():
                if value is None:
                    into.pop(entry, None)
                else:
                    into[entry] = value
    state.update(lists)
    state.update(maps)
    state["shard_names"] = state["shards"]
    state["shards"] = [read_sealed(base / name) for name in state["shards"]]


SCANS = 8  # files a continued walk looks up by a pass over the loaded visits (about 0.05 s each at 75,000)
LAZY_FROM = 200  # visit events: a commit of this many is kept pickled, its events made only when asked


def save(location: git.Location, builder: _Builder) -> None:
    """Keep the walk at HEAD (not when a blob was missing: a later fetch may give another history; then an older
    kept walk is removed). A commit of `LAZY_FROM` visit events or more (an import) is kept as pickles of its
    rows (`_pickled_rows`) that the next build takes back only when a consumer asks for its events (`history.LazyEvents`), so taking
    the walk back costs the small commits' events and the visits' states, not every event of the history."""
    if builder.incomplete:
        _remove_other_segments(builder.store.base, set())
        return
    order = {id(c): c.order for c in builder.commits}
    rows = getattr(builder, "kept_visit_rows", [])
    done = getattr(builder, "kept_eager", 0)  # the events already kept (taken back from the last walk)
    events, refs = builder.visit_events[done:], tuple(items[done:] for items in builder.visit_refs)
    start = 0
    while start < len(events):
        commit, end = events[start].commit, start
        while end < len(events) and events[end].commit is commit:
            end += 1
        if end - start >= LAZY_FROM:
            households = frozenset(h for e in events[start:end]
                                   for h in (e.key.household, e.before_key.household if e.before_key else None) if h)
            rows.append(("lazy", commit.order, end - start, households, _pickled_rows(builder, events, refs, start, end)))
        else:
            rows += [_row(builder, event, visit_ref, before_ref)
                     for event, visit_ref, before_ref in zip(events[start:end], *(r[start:end] for r in refs))]
        start = end
    house_rows = getattr(builder, "kept_household_rows", [])
    households = {event.household for event in builder.household_events[len(house_rows):]}
    for event, (before, after) in zip(builder.household_events[len(house_rows):],
                                      builder.household_refs[len(house_rows):]):
        house_rows.append((event.action, event.commit.order, event.household, event.path, before, after,
                           event.previous.order if event.previous else -1))
    lists = (builder.commits, builder.table, rows, house_rows, builder.unreadable)
    segments = list(getattr(builder, "kept_segments", []))
    if len(segments) >= MOST_SEGMENTS or builder.walked_paths is None:
        segments = []  # one segment again, with the maps whole
    done = segments[-1][1] if segments else (0,) * len(APPENDED)
    name = f"walk-{os.urandom(8).hex()}.pickle"
    part = (tuple(items[start:] for items, start in zip(lists, done)),
            _maps(builder, None if not segments else builder.walked_paths, households))
    segments.append((name, tuple(len(items) for items in lists)))
    store = builder.store
    try:
        store.base.mkdir(parents=True, exist_ok=True)
        (store.base / "root").write_text(str(store.root), encoding="utf-8")
        shards = _save_shards(builder, order)
        write_sealed(store.base / name, part, sync_folder=False)
        fsync_folder(store.base)  # the segment and the shards are in place before the walk that names them
        state = {"version": VERSION, "toplevel": str(location.toplevel), "prefix": location.prefix,
                 "shallow": git.shallow_boundary(location), "head": location.head, "segments": segments,
                 "shards": shards}
        write_sealed(store.base / FILE, state)  # last: until it is in place, the files it names are not used
        builder.kept_segments, builder.kept_shards = segments, shards
        builder.kept_visit_rows, builder.kept_household_rows = rows, house_rows
        builder.kept_eager = len(builder.visit_events)
        _remove_other_segments(store.base, {name for name, _ in segments} | set(shards))
    except OSError:
        pass  # a cache that cannot be written only makes the next build slower


def _maps(builder: _Builder, paths: set[str] | None, households: set[str]) -> tuple[dict, dict, dict]:
    """The walk's maps (each path's last readable version's blob id, each path's last blob id, each household's
    last commit), whole (`paths` None), or the entries of the paths and households the walk changed since the
    kept one (None: a path it no longer has)."""
    if paths is None:
        return ({path: blob for path, (blob, _) in builder.versions.items()}, dict(builder.current),
                {h: c.order for h, c in builder.household_last.items()})
    versions, current, last = builder.versions, builder.current, builder.household_last
    return ({path: versions[path][0] if path in versions else None for path in paths},
            {path: current.get(path) for path in paths}, {h: last[h].order for h in households})


def _save_shards(builder: _Builder, order: dict[int, int]) -> list[str]:
    """Every visit's state, by `shard_of` its household, a file each: the names of the shards' files, those the
    walk took back (`_Builder._known`) written again, the others as kept."""
    kept = getattr(builder, "kept_shards", None) if builder.shards is not None else None
    names = list(kept) if kept else [""] * SHARDS
    keys: dict[int, list] = {shard: [] for shard, name in enumerate(names) if not name or builder.shards[shard] is None}
    for key in builder.visits:  # every one of a shard taken back, or all
        keys[shard_of(key[2])].append(key)
    for shard, of_shard in keys.items():  # one shard's states at a time: a county's import has a million
        group = {}
        for key in of_shard:
            value = builder.visits[key]
            group[key if type(key) is tuple else tuple(key)] = (
                value if type(value) is tuple else
                (_plain(value.ref), order[id(value.first)], order[id(value.last)], value.present))
        names[shard] = f"shard-{os.urandom(8).hex()}.pickle"
        write_sealed(builder.store.base / names[shard], pickle.dumps(group, protocol=pickle.HIGHEST_PROTOCOL),
                     sync_folder=False)
    return names


ROWS_A_PICKLE = 20_000  # a lazy commit's rows are pickled in parts of this many, each made only as it is pickled


def _pickled_rows(builder: _Builder, events: list, refs: tuple[list, list], start: int, end: int) -> tuple[bytes, ...]:
    """The rows of events[start:end] (one large commit's; `refs`: the events' visit refs and before refs), pickled
    part by part: the rows of a county's import (a million tuples) are never all made at once."""
    return tuple(pickle.dumps([_row(builder, event, visit_ref, before_ref)
                               for event, visit_ref, before_ref in zip(*(items[at:min(at + ROWS_A_PICKLE, end)]
                                                                         for items in (events, *refs)))],
                              protocol=pickle.HIGHEST_PROTOCOL)
                 for at in range(start, end, ROWS_A_PICKLE))


def _row(builder: _Builder, event: VisitEvent, visit_ref, before_ref) -> tuple:
    return (event.action, event.commit.order, tuple(event.key), event.path, _kept(builder, visit_ref, event.visit),
            _kept(builder, before_ref, event.before), tuple(event.before_key) if event.before_key else None,
            event.first.order, event.previous.order if event.previous else -1)


def _remove_other_segments(base, keep: set[str]) -> None:
    """Remove the kept walk (when `keep` is empty) or the segments it no longer names."""
    try:
        if not keep:
            (base / FILE).unlink(missing_ok=True)
        for path in [*base.glob("walk-*.pickle"), *base.glob("shard-*.pickle")]:
            if path.name not in keep:
                path.unlink(missing_ok=True)
    except OSError:
        pass


def _kept(builder: _Builder, ref, visit):
    """How an event's visit is kept: as a reference when today's records hold its version (taking it from them
    costs less than unpickling it), else the visit itself (an old version: taking it from the parsed-versions
    store would unpickle every version of its folder)."""
    if ref is None:
        return None
    path, blob = builder.table[ref[0]]
    return _plain(ref) if builder.seeds.blob_ids.get(path) == blob else visit


def _plain(ref):
    return None if ref is None else (ref[0], tuple(ref[1]))


def _restore(state: dict, store: FolderStore, seeds: _Seeds, location: git.Location) -> _Builder:
    builder = _Builder(store, seeds)
    seeds.scans = SCANS  # a continued walk asks for few of today's files: no index of every file
    commits: list[Commit] = state["commits"]
    if not all(type(c) is Commit and c.order == i for i, c in enumerate(commits)):
        raise ValueError("commits")
    builder.commits = list(commits)
    builder.table = list(state["table"])
    builder.table_index = {entry: i for i, entry in enumerate(builder.table)}
    versions = _Versions(builder, location)
    builder.resolve = versions
    rows, house_rows = state["visit_events"], state["household_events"]
    for row in rows:  # every version the events need, read from git at once when not at hand
        if row[0] != "lazy":
            _want(versions, row)
    for row in house_rows:
        for index in row[4:6]:
            if index >= 0:
                versions.want(index)
    versions.fetch()
    c = commits
    visit_events, lazy = [], {}
    for row in rows:
        if row[0] == "lazy":
            _, order, count, households, payload = row
            if type(households) is not frozenset or not 0 <= order < len(c):
                raise ValueError("lazy")
            lazy[order] = LazyEvents(count, households, partial(_lazy_events, builder, versions, location, order,
                                                                payload))
        else:
            visit_events.append(_event(row, versions, c))
    # only the events added after these are turned into rows (`save`): their refs are not needed
    refs = ([None] * len(visit_events), [None] * len(visit_events))
    household_events, house_refs = [], []
    for action, order, household, path, before, after, previous in house_rows:
        household_events.append(HouseholdEvent(action, c[order], household, path,
                                               versions(before) if before >= 0 else None,
                                               versions(after) if after >= 0 else None,
                                               c[previous] if previous >= 0 else None))
        house_refs.append((before, after))
    builder.visit_events, builder.visit_refs, builder.lazy = visit_events, refs, lazy
    builder.kept_eager = len(visit_events)
    builder.household_events, builder.household_refs = household_events, house_refs
    builder.kept_visit_rows, builder.kept_household_rows = list(rows), list(house_rows)
    builder.kept_segments, builder.kept_shards = list(state["segments"]), list(state["shard_names"])
    builder.unreadable = list(state["unreadable"])
    builder.versions = {path: (blob, _KEPT) for path, blob in state["versions"].items()}
    shards = state["shards"]
    if type(shards) is not list or len(shards) != SHARDS or not all(type(s) is bytes for s in shards):
        raise ValueError("shards")
    builder.shards = list(shards)  # taken back, and resolved, when the walk meets the visit again (`_known`)
    builder.household_last = {h: c[order] for h, order in state["household_last"].items()}
    builder.current = state["current"]  # (`_read_segments` made it)
    builder.walked_paths = set()
    return builder


def _want(versions: _Versions, row: tuple) -> None:
    if type(row[4]) is tuple:  # else the visit itself, or None
        versions.want(row[4][0])
    if type(row[5]) is tuple:
        versions.want(row[5][0])


def _event(row: tuple, versions: _Versions, c: list[Commit]) -> VisitEvent:
    action, order, key, path, visit_ref, before_ref, before_key, first, previous = row
    visit = versions(visit_ref[0])[visit_ref[1]] if type(visit_ref) is tuple else visit_ref
    before = versions(before_ref[0])[before_ref[1]] if type(before_ref) is tuple else before_ref
    return VisitEvent(action, c[order], _key(VisitKey, key), path, visit, before,
                      _key(VisitKey, before_key) if before_key else None, c[first],
                      c[previous] if previous >= 0 else None)


def _lazy_events(builder: _Builder, versions: _Versions, location: git.Location, order: int,
                 payload: tuple[bytes, ...]):
    """The visit events of a lazy commit (`save`), made from its rows (`_pickled_rows`); when a version they need
    cannot be had again (`Gone`), from a walk from the first commit, as a build without the kept walk would make
    them."""
    try:
        rows = [row for part in payload for row in pickle.loads(part)]
        for row in rows:
            _want(versions, row)
        versions.fetch()
        return [_event(row, versions, builder.commits) for row in rows]
    except (Gone, KeyError, IndexError, TypeError, ValueError, AttributeError, pickle.UnpicklingError):
        from .history import _walk_from

        fresh = _Builder(builder.store, builder.seeds)
        _walk_from(location, fresh, "")
        return [e for e in fresh.visit_events if e.commit.order == order]


class _Versions:
    """A version of the table, parsed: today's records' when the working file has its blob id, else the
    parsed-versions store's, else read from git and parsed."""

    def __init__(self, builder: _Builder, location: git.Location):
        self.builder, self.location = builder, location
        self.parsed: dict[int, object] = {}
        self.wanted: list[int] = []

    def want(self, index: int) -> None:
        if index not in self.parsed:
            self.parsed[index] = self._at_hand(index)
            if self.parsed[index] is None:
                self.wanted.append(index)

    def fetch(self) -> None:
        """Read the versions wanted and not at hand from git, in one `git cat-file --batch`."""
        missing = [i for i in dict.fromkeys(self.wanted) if self.parsed.get(i) is None]
        self.wanted = []
        if not missing:
            return
        with git.BlobReader(self.location.toplevel) as blobs:
            blobs.request([self.builder.table[i][1] for i in missing])
            for index in missing:
                self.parsed[index] = self._parse(index, blobs.answer())

    def __call__(self, index: int):
        got = self.parsed.get(index)
        if got is None:
            got = self._at_hand(index)
            if got is None:
                got = self._parse(index, _read_blob(self.location, self.builder.table[index][1]))
            self.parsed[index] = got
        return got

    def _at_hand(self, index: int):
        path, blob = self.builder.table[index]
        got = self.builder.seeds.version(path, blob)
        if got is None:
            got = self.builder.store.folder(path).get((path, blob))
        if got is None:
            got = self.builder.seeds.before(path, blob)
            if got is not None:  # kept like a version read from git: the next builds' events ask for it too
                self.builder.store.put(path, (path, blob), got)
        return got

    def _parse(self, index: int, data: bytes | None):
        path, blob = self.builder.table[index]
        read = self.builder.parser.read if visitor_of(path) else self.builder.household_parser.read
        got = read(data, path) if data is not None else None
        if got is None:
            raise Gone(f"{path} {blob}")
        self.builder.store.put(path, (path, blob), got)
        return got


def _read_blob(location: git.Location, blob: str) -> bytes | None:
    try:
        result = subprocess.run(["git", "-C", str(location.toplevel), "cat-file", "blob", blob], capture_output=True,
                                env=git.environment(), timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None
