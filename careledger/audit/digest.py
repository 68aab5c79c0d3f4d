"""One commit's events summed up for the audit: `CommitDigest`, computed once and kept (issue 16).

The audit rule and report ask of every commit: how many visits it added, changed or removed, how many months it
touched (`bulk_commit_months` or more: a bulk commit), the months and delays of its new visits (the AUD-BULK
summary), which of its events can give a finding of their own, and whose visits it wrote (AUD-AUTHOR). Going over
the events for that at every build costs the whole history (an import of 75,700 visits, judged again for one new
visit). A digest depends only on the commit's events, so `attach` keeps the digests of large commits in
`digests.pickle` beside the history walk, keyed by the commit and every commit the walk met before it (a commit's
events also depend on those: a change a merged branch already brought is not counted twice), under the version of
the code that makes events and digests. A history with versions git could not give (a partial clone) is summed up
afresh: a later fetch may give other events.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..cachestore import code_hash, read_sealed, write_sealed

VERSION = code_hash("audit.history", "audit.git", "audit.digest", "audit.parse", "schema", "yamlread", "records",
                    "identifiers", "vocab")
FILE = "digests.pickle"
KEPT_FROM = 200  # events: a smaller commit is summed up again at each build (it costs less than keeping it)


@dataclass(frozen=True)
class VisitorDigest:
    visitor: str  # the visit key's visitor
    count: int  # the commit's visit events of this visitor
    first: int  # the index (in the commit's visit events) of the first one
    households: frozenset  # the households of those events, at most two (enough to tell "one household")


@dataclass(frozen=True)
class CommitDigest:
    visits: int  # the commit's visit events
    households: int  # its household events
    actions: dict  # visit events per action ("added", "changed", "removed")
    touched: int  # months of the visits it wrote (their dates before and after the commit)
    months: tuple[str, ...]  # "YYYY-MM" of its visits' dates after the commit, sorted
    delays: tuple[tuple[int, int], ...]  # (days from visit date to commit, count) of the visits it first entered
    notable: tuple[int, ...]  # indexes of the events that can give a finding of their own with a delay allowed ≥ 0
    # (none for the first commit and a root: those are always judged as a whole)
    changes: tuple[int, ...]  # indexes of the visits it changed or removed
    visitors: tuple[VisitorDigest, ...]  # in the order of their first event
    levels: int  # subjects whose level or category a household event changed


def digest(commit, visits, households) -> CommitDigest:
    """The digest of one commit's events (`History.events_of`)."""
    actions: Counter = Counter()
    touched, months = set(), set()
    delays: Counter = Counter()
    notable, changes = [], []
    visitors: dict[str, list] = {}
    day = commit.date
    whole = commit.order == 0 or commit.root
    for i, e in enumerate(visits):
        key = e.key
        actions[e.action] += 1
        touched.add((key.date.year, key.date.month))
        months.add(f"{key.date:%Y-%m}")
        if e.before_key:
            touched.add((e.before_key.date.year, e.before_key.date.month))
        delay = (day - key.date).days
        first = e.action == "added" and e.first.id == commit.id
        if first:
            delays[delay] += 1
        if e.action != "added":
            changes.append(i)
        if not whole and (e.action != "added" or (first and delay > 0) or key.date > day):
            notable.append(i)
        seen = visitors.get(key.visitor)
        if seen is None:
            visitors[key.visitor] = [1, i, {key.household}]
        else:
            seen[0] += 1
            if len(seen[2]) < 2:
                seen[2].add(key.household)
    levels = sum(1 for e in households for s in (e.after.subjects if e.after and e.before else ())
                 if any(o.member == s.member and (o.level, o.category) != (s.level, s.category)
                        for o in e.before.subjects))
    return CommitDigest(len(visits), len(households), dict(actions), len(touched), tuple(sorted(months)),
                        tuple(sorted(delays.items())), tuple(notable), tuple(changes),
                        tuple(VisitorDigest(v, n, first, frozenset(h)) for v, (n, first, h) in visitors.items()),
                        levels)


def attach(history, base: Path) -> None:
    """Give `history` the digests of its large commits, from `base/digests.pickle` where kept, else computed and
    kept (only those of this history: an amended or rebased commit's digest is dropped)."""
    if not history.commits or history.unreadable or history.incomplete:
        return
    try:
        kept = read_sealed(base / FILE)
    except OSError:
        kept = None
    if not isinstance(kept, dict) or kept.get("version") != VERSION or not isinstance(kept.get("digests"), dict):
        kept = {"digests": {}}
    old = kept["digests"]
    new: dict[bytes, CommitDigest] = {}
    chain = hashlib.blake2b(VERSION.encode(), digest_size=16)
    for commit in history.commits:
        chain.update(commit.id.encode())
        visits, households = history.events_of(commit)
        if len(visits) + len(households) < KEPT_FROM:
            continue
        key = chain.digest()
        got = old.get(key)
        if not (type(got) is CommitDigest and got.visits == len(visits) and got.households == len(households)):
            got = digest(commit, visits, households)
        new[key] = got
        history.keep_digest(commit, got)
    if new.keys() != old.keys():
        try:
            base.mkdir(parents=True, exist_ok=True)
            write_sealed(base / FILE, {"version": VERSION, "digests": new})
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower
