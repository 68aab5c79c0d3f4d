"""Every process pool careledger starts (PDF rendering, parsing record files) comes from `pool()`.

A worker must not outlive the build that started it: killed with SIGKILL (by a clerk's Ctrl-\\, the OOM killer, a
CI timeout), the parent runs no clean-up, and its workers would go on rendering for a minute at 160 MB each. So each
worker asks the kernel, first thing, to kill it when its parent dies (prctl PR_SET_PDEATHSIG, oscalls.py), and then
checks that its parent is still the process that started the pool: a parent killed before the request was made
would never trigger it, and the worker would have been adopted by another process.

The kernel sends the signal when the parent *thread* that forked the worker ends, so a pool must be made and used
from one thread that outlives it (as `with workers.pool(n) as p: ...` in the caller's thread does).

How many workers: `count()`, the cores this process may run on, or `$CARELEDGER_JOBS` when set (a positive whole
number; 1 does all the work in the building process, as on one core).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor

from . import oscalls


ENV_JOBS = "CARELEDGER_JOBS"


def count() -> int:
    """The number of worker processes to use: $CARELEDGER_JOBS, else the cores this process may run on."""
    raw = os.environ.get(ENV_JOBS, "").strip()
    if not raw:
        return _cores()
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"环境变量 {ENV_JOBS}=“{raw}”无效：应为正整数（同时使用的进程数，例如 2；1 表示不另开进程）")
    return int(raw)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def pool(max_workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process."""
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=_context(), initializer=_die_with,
                               initargs=(os.getpid(),))


def _context():
    """Workers forked from this process on Linux (as Python before 3.14 did by default): they must be its own
    children, not a fork server's, for the kernel to kill them with it; and they start with careledger loaded."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None  # the platform's default (spawn): also direct children


def _die_with(parent: int) -> None:
    oscalls.die_with_parent()
    if os.getppid() != parent:  # the parent died before the request above: nobody will ask for our results
        os._exit(1)
