"""Interrupted builds (issue 13): a build killed (SIGKILL) at any point of writing the output leaves an output that is
the whole old tree or the whole new one, never none and never a mixture; what the killed build left beside the
output is removed by the next build. The kill points are counted file system calls, not moments: no timing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from careledger import oscalls, output
from careledger.output import MARKER, write_tree
from careledger.pipeline import build_all

from .conftest import AS_OF
from .killpoint import tree_for

KILLPOINT = Path(__file__).with_name("killpoint.py")
OTHER_DAY = AS_OF.replace(day=AS_OF.day - 1)


def tree_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name and p.name.startswith(f".{out.name}."))


def run(kill_at: int, count_file: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(KILLPOINT), str(kill_at), str(count_file), *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})})


def points(tmp_path: Path, *args: str, env: dict | None = None) -> tuple[int, int]:
    """How many file system calls the writing makes, and which of them swaps the trees, from one run not killed."""
    count = tmp_path / "count"
    done = run(-1, count, *args, env=env)
    assert done.returncode == 0, done.stderr
    total, swap = map(int, count.read_text().split())
    return total, swap


def test_a_write_killed_at_any_point_leaves_the_old_or_the_new_tree(tmp_path):
    out = tmp_path / "out"
    old = {**tree_for("old"), MARKER: output.MARKER_TEXT}
    new = {**tree_for("new"), MARKER: output.MARKER_TEXT}
    write_tree(tmp_path / "probe", tree_for("old"))
    total, swap = points(tmp_path, "tree", str(tmp_path / "probe"), "new")  # the writing each kill below interrupts
    assert total > 20 and 0 < swap < total
    seen = set()
    for kill_at in range(total):
        write_tree(out, tree_for("old"))  # the next build: it also removes what the killed one left
        assert beside(out) == [] and tree_of(out) == old
        killed = run(kill_at, tmp_path / "unused", "tree", str(out), "new")
        assert killed.returncode == -signal.SIGKILL, (kill_at, killed.stderr)
        now = tree_of(out)  # an output exists, and is one whole tree
        assert now in (old, new), f"killed before call {kill_at}: {sorted(now)}"
        seen.add("new" if now == new else "old")
    assert seen == {"old", "new"}
    write_tree(out, tree_for("old"))
    assert beside(out) == []


def test_exchange_swaps_two_folders(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "y").write_text("b")
    assert oscalls.exchange(a, b)
    assert [p.name for p in a.iterdir()] == ["y"] and [p.name for p in b.iterdir()] == ["x"]
    with pytest.raises(OSError):
        oscalls.exchange(a, tmp_path / "missing")


def test_without_exchange_two_renames_and_a_killed_swap_is_put_back(tmp_path, monkeypatch):
    """Where renameat2 is missing the swap takes two renames; a build killed between them left the old tree as
    `.out.old-*` and no output: the next build (or the next skipped build) puts it back first."""
    monkeypatch.setattr(oscalls, "exchange", lambda a, b: False)
    out = tmp_path / "out"
    write_tree(out, tree_for("old"))
    write_tree(out, tree_for("new"))
    assert tree_of(out) == {**tree_for("new"), MARKER: output.MARKER_TEXT} and beside(out) == []
    os.rename(out, tmp_path / ".out.old-1-abcd")  # as a kill between the renames leaves it
    (tmp_path / ".out.new-1-abcd").mkdir()
    output.tidy(out)
    assert tree_of(out) == {**tree_for("new"), MARKER: output.MARKER_TEXT} and beside(out) == []


def test_leftovers_of_killed_builds_are_removed_by_the_next_build(basic, tmp_path, monkeypatch):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    build_all(basic, out, as_of=AS_OF, paper=False)
    for name in (".out.new-123-aaaa", ".out.old-123-bbbb"):
        (tmp_path / name / "private" / "dossiers").mkdir(parents=True)
        (tmp_path / name / "private" / "dossiers" / "ds-001.pdf").write_bytes(b"%PDF private")
    (tmp_path / ".outer.new-1-cccc").mkdir()  # another output's: not ours to remove
    result = build_all(basic, out, as_of=AS_OF, paper=False)
    assert result.skipped  # even a build that has nothing to write clears them
    assert beside(out) == [] and (tmp_path / ".outer.new-1-cccc").is_dir()


def test_a_build_killed_while_writing_leaves_the_old_or_the_new_output(basic, tmp_path):
    """The whole command, killed at points spread over its writing: the old output or the new one, whole."""
    cache = {"CARELEDGER_CACHE_DIR": str(tmp_path / "cache")}
    out, reference = tmp_path / "out", tmp_path / "reference"

    def cli(where: Path, day, kill_at: int = -1, count: Path = tmp_path / "unused"):
        return run(kill_at, count, "cli", "build", "--content", str(basic), "--output", str(where), "--no-paper",
                   "--as-of", day.isoformat(), env=cache)

    assert cli(reference, OTHER_DAY).returncode == 0
    old = tree_of(reference)
    assert cli(reference, AS_OF).returncode == 0
    new = tree_of(reference)
    assert cli(tmp_path / "probe", OTHER_DAY).returncode == 0
    total, swap = points(tmp_path, "cli", "build", "--content", str(basic), "--output", str(tmp_path / "probe"),
                         "--no-paper", "--as-of", AS_OF.isoformat(), env=cache)
    # the first calls, some in the writing, those around the swap, the removal of the old tree, the fingerprint
    kill_points = sorted({0, 1, 2, swap // 3, swap // 2, *range(swap - 3, swap + 4), (swap + total) // 2,
                          *range(total - 4, total)})
    assert 0 < swap < total and len(kill_points) > 15
    for kill_at in kill_points:
        assert cli(out, OTHER_DAY).returncode == 0
        assert tree_of(out) == old and beside(out) == []
        killed = cli(out, AS_OF, kill_at)
        assert killed.returncode == -signal.SIGKILL, (kill_at, killed.stderr)
        assert tree_of(out) in (old, new), f"killed before call {kill_at} of {total}"
    assert cli(out, AS_OF).returncode == 0
    assert tree_of(out) == new and beside(out) == []


def test_the_fingerprint_is_remembered_while_the_output_is_locked(basic, tmp_path, monkeypatch):
    """Two builds into one output: whichever writes last, the fingerprint kept is that of the output kept. Were it
    recorded after the lock is released, another build could write its output in between (done here whenever the
    lock is free), and the first build's fingerprint would then be remembered for the other's output."""
    import fcntl
    import json

    from careledger import fingerprint

    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    real = fingerprint.remember
    interlopers = []

    def remember(output_dir, inputs, result):
        fd = os.open(tmp_path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            free = True
        except BlockingIOError:
            free = False
        finally:
            os.close(fd)
        if free and not interlopers:  # another build takes its turn in the gap
            interlopers.append(OTHER_DAY)
            build_all(basic, out, as_of=OTHER_DAY, paper=False)
        real(output_dir, inputs, result)

    monkeypatch.setattr(fingerprint, "remember", remember)
    build_all(basic, out, as_of=AS_OF, paper=False)
    monkeypatch.setattr(fingerprint, "remember", real)
    again = build_all(basic, out, as_of=AS_OF, paper=False)
    assert json.loads((out / "BUILD.json").read_bytes())["as_of"] == AS_OF.isoformat(), again.skipped
    assert interlopers == []  # the lock was held throughout


def test_tidying_does_not_wait_for_a_build_that_holds_the_lock(tmp_path):
    """A build starting while another writes does not queue behind it to tidy; the writing build tidies."""
    out = tmp_path / "out"
    write_tree(out, tree_for("old"))
    (tmp_path / ".out.new-1-abcd").mkdir()
    with output._turn(tmp_path):
        child = os.fork()
        if child == 0:  # another process: the lock is held by this one
            try:
                output.tidy(out)
            finally:
                os._exit(0)
        _, status = os.waitpid(child, 0)
        assert os.WEXITSTATUS(status) == 0 and beside(out) == [".out.new-1-abcd"]
    output.tidy(out)
    assert beside(out) == []


@pytest.mark.parametrize("together", [False, True], ids=["one by one", "by threads"])
def test_the_new_tree_is_fsynced_before_the_swap(tmp_path, monkeypatch, together):
    """Every file written anew and every folder of the new tree is fsynced before the exchange, the output's parent
    after it; a file linked unchanged from the old tree is not fsynced again. A large tree's files are fsynced by
    threads (`output.FSYNC_TOGETHER_FROM`): all of them, too, before the exchange."""
    if together:
        monkeypatch.setattr(output, "FSYNC_TOGETHER_FROM", 0)
    out = tmp_path / "out"
    write_tree(out, tree_for("old"))
    calls: list[tuple[str, str]] = []
    real_fsync, real_exchange = os.fsync, oscalls.exchange

    def fsync(fd):
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(oscalls, "exchange", lambda a, b: calls.append(("exchange", "")) or real_exchange(a, b))
    new = tree_for("new")
    write_tree(out, new)
    swap = calls.index(("exchange", ""))
    before = {Path(path).name if kind == "fsync" else kind for kind, path in calls[:swap]}
    written = {Path(p).name for p, data in new.items() if tree_for("old").get(p) != data}
    linked = {Path(p).name for p, data in new.items() if tree_for("old").get(p) == data}
    assert written <= before and linked and not linked & before
    folders = {"site", "private", "dossiers", "reports"} | {f"v{i}" for i in range(4)}
    assert folders <= before and any(name.startswith(".out.new-") for name in before)
    assert calls[swap + 1:] == [("fsync", str(tmp_path))]
    assert (out / "reports" / "new.csv").read_bytes() == b"new"
