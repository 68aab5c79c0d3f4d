"""Worker processes die with their build (issue 13): a build killed with SIGKILL while its workers parse records or
render PDFs leaves no worker behind. The workers here are made slow (they wait instead of working), so they are
surely running when the build is killed; the test waits for them to start, and for them to end, with a deadline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from careledger import workers

from .conftest import AS_OF, seed_fonts

ROOT = Path(__file__).resolve().parent.parent

DRIVER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    from careledger import bulkread
    from careledger.paper import pdf
    from careledger.cli import main

    def slow(*args):  # a worker that announces itself, then takes far longer than the test waits
        open(os.path.join({started!r}, str(os.getpid())), "w").close()
        time.sleep(60)
        return []

    os.environ["CARELEDGER_JOBS"] = "2"  # workers even on a machine with one core
    bulkread.IN_PROCESS_UP_TO = 0
    bulkread.BATCH_AT_LEAST = 1  # more than one task: one is parsed in this process
    bulkread._parse_task = slow if {which!r} == "parse" else bulkread._parse_task
    pdf.render_batch = slow if {which!r} == "pdf" else pdf.render_batch
    main({args!r}, prog_name="careledger")
""")


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie has ended: only its exit status is left for its new parent to collect)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(parent: int) -> list[int]:
    """The Python processes `parent` started (its workers; not the git commands of the audit trail)."""
    python = os.path.realpath(sys.executable)
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == parent and os.path.realpath(entry / "exe") == python:
                found.append(int(entry.name))
    return found


def wait_for(condition, deadline: float) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("which", ["parse", "pdf"])
def test_workers_die_with_a_killed_build(basic, tmp_path, which):
    started = tmp_path / "started"
    started.mkdir()
    args = ["build", "--content", str(basic), "--output", str(tmp_path / "out"), "--as-of", AS_OF.isoformat(),
            "--allow-dirty"]
    code = DRIVER.format(root=str(ROOT), started=str(started), which=which, args=args)
    env = {**os.environ, "CARELEDGER_CACHE_DIR": str(seed_fonts(tmp_path / "cache"))}  # no font subsets to make first
    build = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    pids: list[int] = []
    try:
        assert wait_for(lambda: any(started.iterdir()) or build.poll() is not None, 120), "no worker started"
        assert build.poll() is None, build.stderr.read().decode()
        pids = sorted({int(p.name) for p in started.iterdir()} | set(children(build.pid)))
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        assert wait_for(lambda: not any(alive(pid) for pid in pids), 10), \
            f"workers {[p for p in pids if alive(p)]} outlived the killed build"
    finally:
        for pid in pids:  # only on failure: the workers this test started
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        if build.poll() is None:
            build.kill()
            build.wait()
        build.stderr.close()


def test_workers_are_this_process_s_children():
    """A fork server's children (Python 3.14's default) would not die with this process: the pool forks them."""
    with workers.pool(1) as pool:
        assert pool.submit(os.getppid).result() == os.getpid()


def test_a_worker_whose_parent_is_gone_before_it_starts_ends_itself():
    """The race: a parent killed before its worker asked to die with it. The worker sees another parent and exits."""
    child = os.fork()
    if child == 0:
        try:
            workers._die_with(os.getppid() + 1_000_000)  # not our parent: as if it had died and we were adopted
        finally:
            os._exit(0)  # reached only if the worker went on
    _, status = os.waitpid(child, 0)
    assert os.WEXITSTATUS(status) == 1


def test_careledger_jobs_sets_the_number_of_workers(basic, tmp_path, monkeypatch):
    """CARELEDGER_JOBS (issue 16, the core speed-up measured from 1 to N) sets the parse pool's size; 1 parses in this
    process. Without it, the cores this process may run on."""
    from careledger import bulkread
    from careledger.load import load

    sizes: list[int] = []
    real = workers.pool

    def counted(n):
        sizes.append(n)
        return real(n)
    monkeypatch.setattr(workers, "pool", counted)
    monkeypatch.setattr(bulkread, "IN_PROCESS_UP_TO", 0)
    monkeypatch.setattr(bulkread, "BATCH_AT_LEAST", 1)  # more than one task: one is not worth a pool
    cores = len(os.sched_getaffinity(0))
    for jobs, expected in (("3", [3]), ("1", []), ("", [cores] if cores > 1 else [])):
        monkeypatch.setenv("CARELEDGER_JOBS", jobs)
        monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / f"cache-{jobs}"))
        sizes.clear()
        _, findings = load(basic, today=AS_OF)
        assert sizes == expected, jobs
        assert not any(f.is_error for f in findings)


@pytest.mark.parametrize("value", ["0", "abc", "-2", "２"])
def test_a_bad_careledger_jobs_is_refused_in_chinese(basic, tmp_path, value):
    env = {**os.environ, "CARELEDGER_JOBS": value, "CARELEDGER_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "careledger", "build", "--no-paper", "--content", str(basic),
                          "--output", str(tmp_path / "out"), "--as-of", AS_OF.isoformat(), "--allow-dirty"],
                         env=env, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode != 0
    assert f"CARELEDGER_JOBS=“{value}”无效" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out" / "site").exists()
