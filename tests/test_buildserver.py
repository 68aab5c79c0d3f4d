"""Issue 16: the build server (careledger/buildserver.py). `careledger build` hands its build to a process that
stays and keeps what it read; what it writes and prints must be what a build in the command's own process writes and
prints, after random edits too, and the server must stop when told, when idle, and after an interrupted build."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from careledger import buildserver, cachestore

from .conftest import AS_OF, seed_fonts
from .gitkit import basic_repo
from .test_cache_equivalence import STEP, World, apply, commit, run_steps, tree

ROOT = Path(__file__).resolve().parent.parent
BAD = "\n- date: 2026-11-0\n  household: [unclosed\n"


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=2, max_size=5))
def test_builds_in_one_process_that_keeps_the_caches_equal_cold_builds(restore_cache_env, steps):
    """What the server does between requests: every build of one process that keeps the caches in memory (the
    site, the reports, BUILD.json) equals a cold build after random edits, commits and dates."""
    with tempfile.TemporaryDirectory(prefix="careledger-server-") as work:
        run_steps(Path(work), steps, paper=False, kept={})


@pytest.fixture
def runtime(monkeypatch):
    """A runtime folder of this test's own (the servers it starts are its own; short, as a socket's path must be),
    and every server in it stopped after the test."""
    folder = Path(tempfile.mkdtemp(prefix="cl-run-", dir="/tmp"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder / "careledger"
    for pid in _server_pids(folder / "careledger"):
        _kill(pid)
    shutil.rmtree(folder, ignore_errors=True)


def _server_pids(folder: Path) -> list[int]:
    assert os.environ["XDG_RUNTIME_DIR"] == str(folder.parent)  # (the test's own, from `runtime`)
    return [pid for _, pid in buildserver.servers()]


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (not ours to reap) is gone too
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def careledger(*args: str, cwd: Path, cache: Path, server: str, umask: int = 0o022,
               sigint=signal.SIG_DFL) -> subprocess.CompletedProcess:
    """The command run as a shell runs it (`sigint`: SIG_IGN as in the background of a script)."""
    env = dict(os.environ, CARELEDGER_BUILD_SERVER=server, CARELEDGER_CACHE_DIR=str(cache),
               PYTHONPATH=str(ROOT))

    def prepared() -> None:
        os.umask(umask)
        signal.signal(signal.SIGINT, sigint)

    return subprocess.run([sys.executable, "-m", "careledger", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, preexec_fn=prepared)


def modes(output: Path) -> dict[str, int]:
    return {p.relative_to(output).as_posix(): p.stat().st_mode for p in sorted(output.rglob("*"))}


def test_a_build_through_the_server_prints_and_writes_what_a_build_of_its_own_does(tmp_path, runtime):
    """Builds through one server (started by the first) against builds in their own process, each in a fresh cache:
    the same output (bytes and modes: the client's umask), exit code and messages, after a committed visit, an
    uncommitted one, a broken file (nothing written, the error named by file and line, the server still serving)
    and its repair."""
    world = World(basic_repo(tmp_path / "content").root)
    served, own = tmp_path / "served", tmp_path / "own"
    served.mkdir()
    own.mkdir()
    build = ["build", "--no-paper", "--content", str(world.root), "--output", "out", "--as-of", "2026-11-23"]

    def both(*extra: str, step: int):
        umask = 0o022 if step < 2 else 0o077  # the client's umask, not the server's, for the files it writes
        by_server = careledger(*build, *extra, cwd=served, cache=tmp_path / "served-cache", server="1", umask=umask)
        by_itself = careledger(*build, *extra, cwd=own, cache=tmp_path / f"own-cache-{step}", server="0",
                               umask=umask)
        return by_server, by_itself

    started, alone = both(step=0)
    assert "已在后台启动构建进程" in started.stderr
    assert started.returncode == alone.returncode == 0, started.stderr
    assert started.stdout == alone.stdout
    [pid] = _server_pids(runtime)
    steps = [(("add_visit", 1, "ds-shuji", "2026-11", 20, "in_person"), True),
             (("visit_note", 0, "屋顶已修好"), False), ("break", False), ("fix", True)]
    for number, (step, then_commit) in enumerate(steps, start=1):
        broken = world.visit_files()[0]
        if step == "break":
            broken.write_text(broken.read_text(encoding="utf-8") + BAD, encoding="utf-8")
        elif step == "fix":
            broken.write_text(broken.read_text(encoding="utf-8").replace(BAD, ""), encoding="utf-8")
        else:
            apply(world, step)
        if then_commit:
            commit(world)
        extra = () if not world.dirty() else ("--allow-dirty",)
        by_server, by_itself = both(*extra, step=number)
        said = f"step {number} {step}"
        assert by_server.returncode == by_itself.returncode, (said, by_server.stderr, by_itself.stderr)
        assert (by_server.stdout, by_server.stderr) == (by_itself.stdout, by_itself.stderr), said
        assert _server_pids(runtime) == [pid], f"{said}: served by the first server"
        if step == "break":
            assert by_server.returncode == 1 and f"{broken.relative_to(world.root)}" in by_server.stdout
            assert "未写入任何文件" in by_server.stderr
        assert tree(served / "out") == tree(own / "out"), said
        assert modes(served / "out") == modes(own / "out"), said

    for wrong in (["--no-such-option"], ["--as-of", "2026-02-30"]):  # parsed by the server's own click
        by_server = careledger("build", *wrong, cwd=served, cache=tmp_path / "served-cache", server="1")
        by_itself = careledger("build", *wrong, cwd=own, cache=tmp_path / "own-cache-usage", server="0")
        assert by_server.returncode == by_itself.returncode == 2, by_server.stderr
        assert (by_server.stdout, by_server.stderr) == (by_itself.stdout, by_itself.stderr)
    assert _server_pids(runtime) == [pid]

    stopped = careledger("shutdown", cwd=served, cache=tmp_path / "served-cache", server="1")
    assert str(pid) in stopped.stdout
    assert _gone_within(pid, 10) and not list(runtime.glob("*.sock"))


def test_an_idle_server_exits_and_a_stale_socket_is_replaced(tmp_path, runtime, monkeypatch):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(buildserver, "TICK_SECONDS", 0.2)
    key = buildserver.server_key()
    path = buildserver.socket_path(key)
    path.write_bytes(b"")  # what a server killed outright leaves: nothing listens there
    server = buildserver.start(path, key, idle=1)
    connection = buildserver._wait_for(path, server)
    assert connection is not None, "the server did not take the stale socket's place"
    connection.close()
    assert server.wait(timeout=30) == 0
    assert not path.exists()


def _as_in_a_terminal() -> None:
    """A command a shell starts takes Ctrl+C: SIGINT neither ignored nor blocked, whatever the test runner's
    process holds (a pytest worker may have inherited either)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _sigint_held(pid: int) -> bool:
    """Whether the process ignores or blocks SIGINT (/proc/PID/status: SigIgn, SigBlk)."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    masks = {line.split(":")[0]: int(line.split()[1], 16) for line in lines if line.startswith(("SigIgn", "SigBlk"))}
    return any(mask & (1 << (signal.SIGINT - 1)) for mask in masks.values())


def test_an_interrupted_build_stops_the_server_and_writes_nothing(tmp_path, runtime):
    """Ctrl+C in the terminal goes to the client; it passes it on, the build stops as a local one would (the output
    as it was) and the server exits, since what it kept may be half made. The server was started by a build run in
    the background of a script (SIGINT ignored there, and inherited): it takes its client's Ctrl+C all the same."""
    world = World(basic_repo(tmp_path / "content").root)
    build = ["build", "--content", str(world.root), "--output", "out", "--as-of", "2026-11-23"]
    first = careledger(*build, "--no-paper", cwd=tmp_path, cache=tmp_path / "cache", server="1",
                       sigint=signal.SIG_IGN)
    assert first.returncode == 0, first.stderr
    [pid] = _server_pids(runtime)
    assert _sigint_held(pid) is False
    before = tree(tmp_path / "out")
    apply(world, ("add_visit", 1, "ds-shuji", "2026-11", 20, "in_person"))
    commit(world)
    env = dict(os.environ, CARELEDGER_BUILD_SERVER="1", CARELEDGER_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=str(ROOT))
    client = subprocess.Popen([sys.executable, "-m", "careledger", *build], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_as_in_a_terminal)
    time.sleep(1.0)  # the paper (fonts, dossiers, forms) takes far longer than this
    assert not _sigint_held(client.pid), "the client would never see the Ctrl+C"
    client.send_signal(signal.SIGINT)
    out, err = client.communicate(timeout=120)
    assert client.returncode == 1 and err.endswith("\n已中止。\n"), err  # what click says of a local Ctrl+C
    assert _gone_within(pid, 30)
    assert tree(tmp_path / "out") == before


def test_the_setting_decides_and_unset_only_a_terminal_outside_ci_uses_the_server(monkeypatch):
    class Stream:
        def __init__(self, terminal):
            self.terminal = terminal

        def isatty(self):
            return self.terminal

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv(buildserver.SETTING, "1")
    assert buildserver.wanted(Stream(False))
    monkeypatch.setenv(buildserver.SETTING, "0")
    assert not buildserver.wanted(Stream(True))
    monkeypatch.setenv(buildserver.SETTING, "")
    assert buildserver.wanted(Stream(True)) and not buildserver.wanted(Stream(False))
    monkeypatch.setenv("CI", "true")
    assert not buildserver.wanted(Stream(True))
    monkeypatch.setenv(buildserver.SETTING, "yes")
    with pytest.raises(buildserver.SettingError, match="只能是 1"):
        buildserver.wanted(Stream(True))
    monkeypatch.setenv(buildserver.SETTING, "1")
    monkeypatch.delattr(buildserver.socket, "SO_PEERCRED")  # a system that cannot name the peer (macOS)
    assert not buildserver.wanted(Stream(True)) and buildserver.servers() == []


def test_help_and_a_wrong_setting_start_no_server(tmp_path, runtime):
    """`build --help` is answered by the command itself; a setting other than 0 or 1 is the command's error."""
    helped = careledger("build", "--help", cwd=tmp_path, cache=tmp_path / "cache", server="1")
    assert helped.returncode == 0 and "例：careledger build" in helped.stdout
    wrong = careledger("build", "--content", str(tmp_path), cwd=tmp_path, cache=tmp_path / "cache", server="yes")
    assert wrong.returncode == 1 and "只能是 1" in wrong.stderr
    assert _server_pids(runtime) == [] and not list(runtime.glob("*.sock"))


def test_a_socket_path_too_long_means_no_server(tmp_path, monkeypatch):
    deep = tmp_path / ("x" * 90)
    deep.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    monkeypatch.setenv(buildserver.SETTING, "1")
    with pytest.raises(OSError):
        buildserver.socket_path(buildserver.server_key())
    assert buildserver.hand_over(["build"]) is None


def test_a_runtime_folder_others_may_enter_is_refused(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    (shared / "careledger").mkdir(parents=True)
    (shared / "careledger").chmod(0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    monkeypatch.setenv(buildserver.SETTING, "1")
    with pytest.raises(OSError):
        buildserver.runtime_folder()
    assert buildserver.hand_over(["build"]) is None  # the build then runs in the command's process


def test_with_paper_builds_in_one_process_that_keeps_the_caches_equal_cold_builds(restore_cache_env, tmp_path):
    """The same with the dossiers and forms (slow: one step), as a `careledger build` through the server makes them."""
    run_steps(tmp_path, [(("visit_note", 0, "屋顶已修好"), False)], paper=True, kept={})


def test_when_the_server_dies_mid_build_the_command_builds_in_its_own_process(tmp_path, runtime):
    """A server killed outright (the out-of-memory killer, a `kill -9`) answers nothing: the client says so and
    builds in its own process, to the same output a build of its own makes."""
    world = World(basic_repo(tmp_path / "content").root)
    build = ["build", "--content", str(world.root), "--output", "out", "--as-of", "2026-11-23"]
    seed_fonts(tmp_path / "cache")
    first = careledger(*build, "--no-paper", cwd=tmp_path, cache=tmp_path / "cache", server="1")
    assert first.returncode == 0, first.stderr
    [pid] = _server_pids(runtime)
    env = dict(os.environ, CARELEDGER_BUILD_SERVER="1", CARELEDGER_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=str(ROOT))
    client = subprocess.Popen([sys.executable, "-m", "careledger", *build], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # mid-way through the dossiers and forms
    _kill(pid)
    out, err = client.communicate(timeout=300)
    assert client.returncode == 0, err
    assert "没有完成这次构建就退出了" in err
    (tmp_path / "own").mkdir()
    seed_fonts(tmp_path / "own-cache")
    alone = careledger(*build, cwd=tmp_path / "own", cache=tmp_path / "own-cache", server="0")
    assert alone.returncode == 0, alone.stderr
    assert tree(tmp_path / "out") == tree(tmp_path / "own" / "out")


def test_changed_code_is_served_by_another_server(tmp_path, monkeypatch):
    """The socket's name follows careledger's files: after an upgrade (or a developer's edit) the client finds no
    server of the old code."""
    from careledger import fingerprint

    code = tmp_path / "code"
    code.mkdir()
    (code / "module.py").write_text("A = 1\n", encoding="utf-8")
    monkeypatch.setattr(fingerprint, "_code_folders", lambda: (code,))
    before = buildserver.server_key()
    os.utime(code / "module.py", ns=(1, 1))
    (code / "module.py").write_text("A = 2\n", encoding="utf-8")
    changed = buildserver.server_key()
    assert changed != before
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "another-cache"))  # another cache, another server
    assert buildserver.server_key() != changed


def test_a_server_writes_the_caches_of_a_build_after_its_answer(tmp_path, monkeypatch):
    """cachestore.saves_after: a FolderStore saved inside the block is written when the block ends (the server
    closes the client's connection first), and is read back as saved."""
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    store = cachestore.FolderStore("records", tmp_path, "a version")
    written = store.directory / f"{cachestore.short_hash('visits/2026-11')}.pickle"
    with cachestore.saves_after():
        store.put("visits/2026-11/a.yaml", "a", ("its", "entry"))
        store.save()
        assert not written.exists()
    assert cachestore.read_sealed(written) == {"a": ("its", "entry")}
    assert cachestore.FolderStore("records", tmp_path, "a version").folder("visits/2026-11/a.yaml") == {
        "a": ("its", "entry")}


def test_a_server_removes_the_output_tree_its_build_replaced_after_its_answer(tmp_path):
    """The tree a build swapped out is removed when the `saves_after` block ends (in the server: after the client
    has its answer); outside such a block, at once. The output is the new tree either way."""
    from careledger.output import write_tree

    out = tmp_path / "out"
    write_tree(out, {"a.html": b"one"})
    beside = lambda: sorted(p.name for p in tmp_path.iterdir() if p.name != "out")  # noqa: E731
    with cachestore.saves_after():
        write_tree(out, {"a.html": b"two"})
        assert (out / "a.html").read_bytes() == b"two"
        old = beside()
        assert len(old) == 1 and (tmp_path / old[0] / "a.html").read_bytes() == b"one"
    assert beside() == []
    write_tree(out, {"a.html": b"three"})
    assert beside() == [] and (out / "a.html").read_bytes() == b"three"


def test_a_server_records_its_build_after_its_answer_while_the_output_is_its_own(tmp_path):
    """What a build records about the output it wrote (`then`: its pages and fingerprint) waits for the end of the
    `saves_after` block, is done under the lock again, and is not done when another build has replaced the output
    meanwhile."""
    from careledger.output import write_tree

    out, said = tmp_path / "out", []
    with cachestore.saves_after():
        write_tree(out, {"a.html": b"one"}, then=lambda written: said.append(("one", written.files)))
        assert said == []
    assert said == [("one", 1)]
    write_tree(out, {"a.html": b"three"}, then=lambda written: said.append("three"))  # not in a server: at once
    assert said == [("one", 1), "three"]
    with cachestore.saves_after():
        write_tree(out, {"a.html": b"four"}, then=lambda written: said.append("four"))
        write_tree(out, {"a.html": b"five"})  # replaced before the block ends: "four" is not said
    assert said == [("one", 1), "three"] and (out / "a.html").read_bytes() == b"five"


def test_the_work_a_build_leaves_for_an_idle_moment_waits_for_a_request_that_finds_nothing_changed(tmp_path,
                                                                                                   monkeypatch):
    """In the server (`saves_after(leave_idle_work=True)`) a build's fingerprint is recorded when its block ends;
    its caches, the pages' record and the removal of the tree it replaced wait (`when_idle`: 0.6 s at 25,000
    households). The next request that finds nothing changed is answered without them and leaves the old tree to
    them; one that finds something changed does them before it loads anything, and builds what a cold build does."""
    from careledger import pipeline
    from careledger.render import memo

    world = World(basic_repo(tmp_path / "content").root)
    out = tmp_path / "out"
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    build = lambda: pipeline.build_all(world.root, out, as_of=AS_OF, paper=False)  # noqa: E731
    beside = lambda: [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # noqa: E731
    build()
    record = memo._record(out)
    recorded = record.stat().st_mtime_ns
    apply(world, ("add_visit", 1, "ds-shuji", "2026-11", 20, "in_person"))
    commit(world)
    with cachestore.saves_after(leave_idle_work=True):
        assert not build().skipped
    assert cachestore.idle_work_waiting() and len(beside()) == 1 and record.stat().st_mtime_ns == recorded
    with cachestore.saves_after(leave_idle_work=True):
        assert build().skipped  # (its fingerprint recorded already)
    assert cachestore.idle_work_waiting() and len(beside()) == 1 and record.stat().st_mtime_ns == recorded
    apply(world, ("add_visit", 1, "ds-shuji", "2026-11", 21, "phone"))
    commit(world)
    waiting = []
    real_prepare = pipeline.prepare
    monkeypatch.setattr(pipeline, "prepare", lambda *a, **k: waiting.append(cachestore.idle_work_waiting())
                        or real_prepare(*a, **k))
    with cachestore.saves_after(leave_idle_work=True):
        assert not build().skipped
    assert waiting == [False] and record.stat().st_mtime_ns != recorded  # the last build's work, done first
    cachestore.finish_idle_work()
    assert not cachestore.idle_work_waiting() and beside() == []
    cold = tmp_path / "cold"
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cold-cache"))
    pipeline.build_all(world.root, cold, as_of=AS_OF, paper=False)
    assert tree(out) == tree(cold)


def test_a_server_does_the_work_its_build_left_once_idle(tmp_path, runtime):
    """Without another request, the server removes the tree its build replaced (and writes the caches) once idle
    for `IDLE_WORK_AFTER`, not at its next build or its exit."""
    world = World(basic_repo(tmp_path / "content").root)
    build = ["build", "--no-paper", "--content", str(world.root), "--output", "out", "--as-of", "2026-11-23"]
    assert careledger(*build, cwd=tmp_path, cache=tmp_path / "cache", server="1").returncode == 0
    apply(world, ("add_visit", 1, "ds-shuji", "2026-11", 20, "in_person"))
    commit(world)
    assert careledger(*build, cwd=tmp_path, cache=tmp_path / "cache", server="1").returncode == 0
    [pid] = _server_pids(runtime)
    deadline = time.monotonic() + 30
    while any(p.name.startswith(".out.") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert _server_pids(runtime) == [pid] and _alive(pid)


def test_the_work_after_the_answer_is_done_where_the_build_was_asked_for(tmp_path, monkeypatch):
    """A build in the server with a relative output folder and the cache folder named in the environment: what it
    records after its answer (the pages and the fingerprint) is recorded for that output and in that cache, though
    the server is back in its own folder and environment by then; the same build again finds nothing changed."""
    from careledger.demo import DemoSpec, write_demo

    from .gitkit import git

    write_demo(tmp_path / "content", DemoSpec(households=6, months=2))
    git(tmp_path / "content", "init", "-q")
    git(tmp_path / "content", "add", "-A")
    git(tmp_path / "content", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "import")
    elsewhere = tmp_path / "server"
    elsewhere.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", "cache")  # relative: the client's folder

    def asked() -> tuple:
        from careledger.pipeline import build_all
        return build_all(Path("content"), Path("out"), as_of=AS_OF, paper=False)

    with cachestore.saves_after():
        first = asked()
        os.chdir(elsewhere)  # as the server's `_as_the_client` leaves the request
        monkeypatch.delenv("CARELEDGER_CACHE_DIR")
    assert not first.skipped and not (elsewhere / "cache").exists() and not (elsewhere / "out").exists()
    os.chdir(tmp_path)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", "cache")
    assert asked().skipped  # the fingerprint was recorded for this output, in this cache


def test_a_server_holds_what_it_keeps_frozen_and_collects_it_when_idle(monkeypatch):
    """cachestore.hold_frozen: after a build the server freezes every object, and the next build's blocks
    (`exempt_from_gc`, `long_lived`) leave them frozen, so its collections do not scan the county it keeps; a cycle
    among them is collected by `collect_frozen` (the server, when idle), not before."""
    import gc
    import weakref

    class Node:
        pass

    monkeypatch.setattr(cachestore, "_held", False)
    enabled = gc.isenabled()
    gc.disable()
    try:
        node = Node()
        node.itself = node  # a cycle: only the collector frees it
        gone = weakref.ref(node)
        del node
        cachestore.hold_frozen()
        frozen = gc.get_freeze_count()
        assert frozen and gone() is not None
        for block in (cachestore.exempt_from_gc, lambda: contextlib.nullcontext(cachestore.long_lived())):
            with block():
                pass
            gc.collect()
            assert gc.get_freeze_count() >= frozen and gone() is not None  # still frozen: not scanned, not collected
        cachestore.collect_frozen()
        assert gone() is None and gc.get_freeze_count()
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


_FREED_AND_COLLECTED = """
import sys
from careledger import cachestore

def resident():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))

blocks = [bytes(1000) + bytes([i % 256]) for i in range(100_000)]  # 100 MB of malloc's heap (over pymalloc's 512)
pinned = bytes(1000) + b"!"  # above them: the heap's top stays in use, so free() alone gives nothing back
del blocks
held = resident()
cachestore.collect_frozen()
print(held - resident())
"""


def test_an_idle_server_gives_the_memory_its_builds_freed_back_to_the_system():
    """cachestore.collect_frozen (the idle server) ends with malloc_trim: freed memory below the heap's top, which
    free() keeps, leaves the resident set. In a child process: its heap is this test's alone."""
    given_back = int(subprocess.run([sys.executable, "-c", _FREED_AND_COLLECTED], cwd=ROOT, check=True,
                                    capture_output=True, text=True).stdout)
    assert given_back > 50 * 1024 * 1024


def test_a_server_gives_its_memory_back_when_the_machine_is_short_of_it():
    meminfo = "MemTotal:       24000000 kB\nMemFree:         1000000 kB\nMemAvailable:   {} kB\n"
    assert buildserver.memory_short(meminfo.format(5_000_000))
    assert not buildserver.memory_short(meminfo.format(7_000_000))
    assert not buildserver.memory_short("")  # nothing known: no reason to exit
