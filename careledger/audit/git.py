"""The git plumbing of the audit trail: four long-running commands for the whole run, never one per file.

- `locate`: one `git rev-parse` says which repository holds the content directory, where the directory lies in it,
  whether the clone is shallow and which commit HEAD is;
- `log`: one `git log --raw -z` over the history of the content directory, oldest first, streamed: every commit
  with its author, dates, subject and the files it added, changed or removed, with their old and new blob ids;
- `BlobReader`: one `git cat-file --batch` process that returns the contents of those blobs, asked for as soon as
  the log names them;
- `dirty_paths`: one `git status` for uncommitted changes below the content directory (`glance`: one for the
  fingerprint and the history of a build).

Nothing here knows about records: paths are returned relative to the content directory, as the loader names them.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NULL_ID = "0" * 40
# A git hook that runs careledger sets these for its own repository; the content may live in another one.
_INHERITED = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_PREFIX", "GIT_NAMESPACE",
              "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR")
# Every field ends in NUL, the one byte git allows in no commit message, name or path (issue 13: 0x1E and 0x1F,
# the framing before, can be typed into a subject or a name). With -z, git ends each commit's header with one more
# NUL and separates the --raw entries' metadata and paths by NUL too; a metadata token starts with ":", which no
# commit id does, so the stream is read token by token without any byte that a commit could contain.
LOG_FIELDS = ("%H", "%P", "%an", "%ae", "%aI", "%cI", "%s")
LOG_FORMAT = "".join(f"{field}%x00" for field in LOG_FIELDS)


class GitUnavailable(Exception):
    """The content directory has no readable git history. `reason` is "no-git" (git is not installed) or
    "no-repository"; the message is git's own, for the evidence."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Location:
    toplevel: Path
    prefix: str  # the content directory relative to the top of the work tree, "" or ending in "/"
    shallow: bool
    head: str  # "" in a repository without commits
    shallow_file: Path | None = None  # where git lists the commits a shallow clone stops at (absent when complete)

    @property
    def pathspec(self) -> str:
        return f":(literal){self.prefix.rstrip('/')}" if self.prefix else "."


@dataclass(frozen=True)
class FileChange:
    status: str  # A added, M modified, D deleted, T type changed
    path: str  # relative to the content directory
    old: str  # blob id before, "" when added
    new: str  # blob id after, "" when deleted


@dataclass(frozen=True)
class RawCommit:
    id: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored: dt.datetime
    committed: dt.datetime
    subject: str
    changes: tuple[FileChange, ...]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _INHERITED}
    env.update(LC_ALL="C", GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0")
    return env


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, env=environment(), timeout=120,
                              check=False)
    except FileNotFoundError:
        raise GitUnavailable("no-git", "git is not installed") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitUnavailable("no-repository", str(exc)) from None


def locate(content_dir: Path) -> Location:
    """Where the content directory lies in its repository. Raises GitUnavailable outside a work tree."""
    content = Path(content_dir).resolve()
    result = _run(["rev-parse", "--show-toplevel", "--show-prefix", "--is-shallow-repository",
                   "--git-path", "shallow"], content)
    if result.returncode != 0:
        raise GitUnavailable("no-repository", result.stderr.decode("utf-8", "replace").strip())
    lines = result.stdout.decode("utf-8", "surrogateescape").split("\n")
    if len(lines) < 4:
        raise GitUnavailable("no-repository", "git rev-parse gave no work tree")
    head = _run(["rev-parse", "--verify", "-q", "HEAD^{commit}"], content)
    return Location(toplevel=Path(lines[0]), prefix=lines[1], shallow=lines[2] == "true",
                    head=head.stdout.decode().strip() if head.returncode == 0 else "",
                    shallow_file=content / lines[3])  # relative to the directory git ran in


def log(location: Location, since: str = "") -> Iterator[RawCommit]:
    """Every commit of HEAD's history that touches the content directory, oldest first (topological order); with
    `since` (an ancestor of HEAD), only those that are not in `since`'s history.

    `--no-renames`: a moved file is a removal and an addition, so identities are decided by the audit, not by git's
    similarity guess. Merges are compared with their first parent; what a merge brings in from a side branch was
    already seen in the side branch's own commits, and the audit takes each change once.
    """
    if not location.head:
        return
    args = ["git", "-C", str(location.toplevel), "-c", "core.quotepath=off", "log", "-z", "--raw", "--no-abbrev",
            "--no-renames", "--root", "--full-history", "--diff-merges=first-parent", "--topo-order", "--reverse",
            "--no-color", "--no-ext-diff", f"--format={LOG_FORMAT}", *([f"^{since}"] if since else []),
            location.head]
    if location.prefix:  # a pathspec costs git a third more time: only when the content is not the whole tree
        args += ["--", location.pathspec]
    try:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment())
    except FileNotFoundError:
        raise GitUnavailable("no-git", "git is not installed") from None
    prefix = location.prefix.encode("utf-8")
    try:
        yield from _parse_log(_tokens(proc.stdout), prefix)
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read()
        proc.stderr.close()
        code = proc.wait()
    if code != 0:
        raise GitUnavailable("no-repository", stderr.decode("utf-8", "replace").strip())


def _tokens(stream) -> Iterator[bytes]:
    """The NUL-ended tokens of `git log -z` output, read a megabyte at a time."""
    pending = b""
    while True:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        tokens = (pending + chunk).split(b"\0")
        pending = tokens.pop()
        yield from tokens
    if pending:
        yield pending


def _parse_log(tokens: Iterator[bytes], prefix: bytes) -> Iterator[RawCommit]:
    """Commits from the tokens: a header of len(LOG_FIELDS) fields (any of which may be empty, and may hold any
    byte but NUL), an empty token ending it, then pairs of metadata (":…") and path for the files it changed."""
    tokens = iter(tokens)
    header: list[bytes] | None = None
    changes: list[FileChange] = []
    for token in tokens:
        stripped = token.lstrip(b"\n")
        if header is not None and stripped.startswith(b":"):
            change = _change(stripped, next(tokens, b""), prefix)
            if change is not None:
                changes.append(change)
        elif stripped:  # a commit id: a new header
            if header is not None:
                yield _commit(header, changes)
            header = [stripped] + [next(tokens, b"") for _ in LOG_FIELDS[1:]]
            changes = []
    if header is not None:
        yield _commit(header, changes)


def _change(meta: bytes, path: bytes, prefix: bytes) -> FileChange | None:
    parts = meta[1:].split(b" ")
    if len(parts) < 5 or not path.startswith(prefix):
        return None
    old, new, status = parts[2].decode(), parts[3].decode(), parts[4][:1].decode()
    return FileChange(status=status, path=path[len(prefix):].decode("utf-8", "surrogateescape"),
                      old="" if old == NULL_ID else old, new="" if new == NULL_ID else new)


def _commit(header: list[bytes], changes: list[FileChange]) -> RawCommit:
    commit_id, parents, name, email, authored, committed, subject = (f.decode("utf-8", "replace") for f in header)
    try:
        when = dt.datetime.fromisoformat(authored), dt.datetime.fromisoformat(committed)
    except ValueError:
        raise GitUnavailable("no-repository", f"git log: commit {commit_id[:40]!r} has no readable dates") from None
    return RawCommit(id=commit_id, parents=tuple(parents.split()), author_name=name, author_email=email,
                     authored=when[0], committed=when[1], subject=subject, changes=tuple(changes))


class BlobReader:
    """One `git cat-file --batch` for the whole run. `request(ids)` asks for blobs (from one thread), `answer()`
    returns the next answer in the order asked (from another), so git works while the answers are used."""

    def __init__(self, toplevel: Path):
        try:
            self.proc = subprocess.Popen(["git", "-C", str(toplevel), "cat-file", "--batch"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment())
        except FileNotFoundError:
            raise GitUnavailable("no-git", "git is not installed") from None

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:  # a request half-written when the reading side stopped
                pass

    def request(self, ids: list[str]) -> None:
        self.proc.stdin.write("".join(f"{i}\n" for i in ids).encode())
        self.proc.stdin.flush()

    def answer(self) -> bytes | None:
        """The contents of the next blob asked for; None when it is missing (a shallow or partial clone)."""
        header = self.proc.stdout.readline().split()
        if not header:
            raise GitUnavailable("no-repository", "git cat-file stopped")
        if len(header) != 3:  # "<id> missing"
            return None
        data = self.proc.stdout.read(int(header[2]) + 1)
        return data[:-1]


def dirty_paths(location: Location, *, ignored: bool = False) -> tuple[str, ...]:
    """Files below the content directory that differ from HEAD: modified, staged, removed or untracked (and, with
    `ignored`, the files .gitignore hides, which the loader reads all the same)."""
    every, not_ignored = _status(location, ignored)
    return every if ignored else not_ignored


@dataclass(frozen=True)
class Glance:
    """One `git status` of the content, for the build fingerprint and the history both (a county's status is the
    largest of the git commands a rebuild runs): `every` with the ignored files, `dirty` without them."""

    location: Location
    every: tuple[str, ...]  # dirty_paths(location, ignored=True)
    dirty: tuple[str, ...]  # dirty_paths(location)
    taken_ns: int = 0  # the clock just before git looked: a file modified since may or may not be among `every`


def glance(content_dir: Path) -> Glance | None:
    """The content's location and status; None outside git (the callers then ask again and say why)."""
    try:
        location = locate(content_dir)
        taken = time.time_ns()
        return Glance(location, *_status(location, True), taken)
    except GitUnavailable:
        return None


def changed_between(location: Location, older: str, newer: str) -> tuple[str, ...] | None:
    """The files below the content directory that differ between two commits; None when git cannot say (a commit
    gone since, git gone)."""
    try:
        result = _run(["diff", "--name-only", "-z", "--no-renames", older, newer, "--", location.pathspec],
                      location.toplevel)
    except GitUnavailable:
        return None
    if result.returncode != 0:
        return None
    prefix = location.prefix
    paths = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    return tuple(path[len(prefix):] if path.startswith(prefix) else path for path in paths if path)


def _status(location: Location, ignored: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(every path `git status` lists, those of them not ignored). An ignored file is listed as "!! path", and
    `--ignored` adds such lines only: the others are those the command lists without it."""
    result = _run(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames",
                   *(["--ignored=matching"] if ignored else []), "--", location.pathspec], location.toplevel)
    if result.returncode != 0:
        raise GitUnavailable("no-repository", result.stderr.decode("utf-8", "replace").strip())
    prefix = location.prefix
    every, not_ignored = set(), set()
    for entry in result.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if len(entry) > 3:
            path = entry[3:]
            path = path[len(prefix):] if path.startswith(prefix) else path
            every.add(path)
            if not entry.startswith("!! "):
                not_ignored.add(path)
    return tuple(sorted(every)), tuple(sorted(not_ignored))


def shallow_boundary(location: Location) -> bytes:
    """Where a shallow clone's history stops (git's list of its edge commits): b"no" for a complete clone."""
    if not location.shallow:
        return b"no"
    try:
        return location.shallow_file.read_bytes()
    except (OSError, AttributeError):
        return b"yes"


def is_ancestor(location: Location, older: str, newer: str) -> bool:
    return _run(["merge-base", "--is-ancestor", older, newer], location.toplevel).returncode == 0


def walk_continues(location: Location, older: str, newer: str) -> bool:
    """Whether `git log --topo-order --reverse newer` lists `older`'s history first, in the order `git log older`
    lists it, and then the commits of older..newer in the order `git log older..newer` lists them; `older` must be
    an ancestor of `newer`. True when older..newer has no merge (a line of commits on top of `older`). With merges,
    git's topological order (a stack: a merge's later parents are listed before its first) may list a side branch
    forked before `older` ahead of `older` (e.g. a branch that merged `older` in, merged back): it continues when
    `older` comes right after the commits of older..newer in `git rev-list --topo-order newer` (then it starts
    `older`'s own walk from the same state)."""
    merges = _run(["rev-list", "--count", "--min-parents=2", f"^{older}", newer], location.toplevel)
    if merges.returncode != 0:
        return False
    if merges.stdout.strip() == b"0":
        return True
    count = _run(["rev-list", "--count", f"^{older}", newer], location.toplevel)
    if count.returncode != 0:
        return False
    listing = _run(["rev-list", "--topo-order", newer], location.toplevel)
    if listing.returncode != 0:
        return False
    ids = listing.stdout.split(b"\n")
    n = int(count.stdout)
    return len(ids) > n and ids[n].decode() == older
