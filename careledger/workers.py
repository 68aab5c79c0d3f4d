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

`shared_map` hands its tasks to `count()` workers, and the building process takes their results. It used to run
tasks itself as well, from the end of the list, but then it starved its workers: the pool's threads that pass the
tasks and results on (concurrent.futures) wait for the interpreter's lock while the building process runs Python, so
the worker sat idle between tasks (a cold build at 2,500 households: the building process rendered 2,207 of 2,447
pages; docs/performance.md, the thirteenth round). Given `shared=`, the workers are forked after the caller has
loaded that object (say, the judged facts), and read it copy-on-write instead of receiving it: only the tasks
(small: indexes) go out and the results come back. A fork copies only the forking thread, so while another thread
runs (the history reader's, a preview server's) that is unsafe, and everything then runs in the building process,
as it does without fork (not Linux) and with CARELEDGER_JOBS=1. The results are in the order of the tasks whichever
process ran them. `in_order` hands them over one at a time as they come, so the building process works on the
first while the workers run the rest.

`start_map` hands its tasks to `count()` workers forked at once and returns: the building process does other work
(reads the history) while they run, and takes the results later (`Started.results`). Where no fork is made, the
tasks run in the building process when their results are asked for.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Iterator
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


_SHARED: object = None  # what forked workers of `shared_map` read (set in the building process before the fork)


def shared() -> object:
    """The object the running `shared_map` shares with its workers (in the building process too)."""
    return _SHARED


def shared_map(fn, tasks: list, *, jobs: int | None = None, shared: object = None) -> list:
    """[fn(task) for task in tasks], run by `jobs` workers (default `count()`; one: in this process; module
    docstring). `fn` and the tasks must pickle (a module-level function; small tasks); `fn` reads the shared object
    with `shared()`. An exception that `fn` raises comes out of here, as in the loop."""
    return list(in_order(fn, tasks, jobs=jobs, shared=shared))


def in_order(fn, tasks: list, *, jobs: int | None = None, shared: object = None) -> Iterator:
    """`shared_map`'s results one at a time, in the order of the tasks, each as soon as the workers hand it over: the
    caller works on the first ones while the workers run the rest (a cold build's parse: the building process
    unpickles each batch of records as it comes instead of all of them after the last). Leaving the loop early stops
    the tasks not yet begun and waits for the others."""
    jobs = jobs or count()
    runner = futures = None
    if jobs > 1 and len(tasks) > 1:
        runner, futures = _submitted(fn, tasks, shared, lambda: _forked_pool(jobs) if shared is not None else pool(jobs))
    if runner is None:
        yield from _here(fn, tasks, shared)
        return
    finished = False
    try:
        for i in range(len(futures)):
            future, futures[i] = futures[i], None  # (a result the caller is done with is not held here to the end)
            yield future.result()
        finished = True
    finally:
        runner.shutdown(wait=True, cancel_futures=not finished)


def _here(fn, tasks: list, shared: object) -> Iterator:
    """The tasks run in this process, `shared()` giving `shared` while each runs."""
    global _SHARED
    for task in tasks:
        previous, _SHARED = _SHARED, shared
        try:
            result = fn(task)
        finally:
            _SHARED = previous
        yield result


def _forked_pool(max_workers: int) -> ProcessPoolExecutor | None:
    """A pool forked from this process as it is now, or None where a fork is unsafe or impossible."""
    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return None
    if threading.active_count() > 1:  # a lock another thread holds would stay locked in the children
        return None
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with, initargs=(os.getpid(),))


def start_map(fn, tasks: list, *, shared: object, jobs: int | None = None) -> "Started":
    """`shared_map(fn, tasks, shared=shared)` begun in `jobs` workers forked now (all of them, before
    this returns: a thread the caller starts next is not copied into them), its results taken with
    `Started.results`; where no fork is made (one job, one task, another thread running), nothing runs until then."""
    jobs = jobs or count()
    runner = futures = None
    if jobs > 1 and len(tasks) > 1:
        runner, futures = _submitted(fn, tasks, shared, lambda: _forked_pool(jobs))
    return Started(fn, tasks, runner, futures)


def _submitted(fn, tasks: list, shared: object, make_pool) -> tuple:
    """(the pool `make_pool()` gives, the futures of the tasks handed to it), or (None, None) where it gives none.
    The workers are forked at the first submit, so they have `shared` as `shared()`; this process goes on without."""
    global _SHARED
    pickle.dumps(fn)  # refused here: a pool handed a function it cannot pickle would wait for it for ever
    previous, _SHARED = _SHARED, shared
    runner = None
    try:
        runner = make_pool()
        return runner, [runner.submit(fn, task) for task in tasks] if runner is not None else None
    except BaseException:
        if runner is not None:
            runner.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        _SHARED = previous


class Started:
    """Tasks begun by `start_map`: `results()` waits for them; `close()` (or leaving a `with`) stops what has not
    started and waits for the rest, so no worker outlives the caller's use of them."""

    def __init__(self, fn, tasks: list, runner: ProcessPoolExecutor | None, futures: list | None):
        self.fn, self.tasks, self.runner, self.futures = fn, tasks, runner, futures

    def results(self, shared: object = None) -> list:
        """[fn(task) for task in tasks], in order, from the workers; where no worker was forked, all of them run
        here: `fn` then reads `shared`, the caller's object as it is now (equal, for what `fn` reads, to the one the
        workers would have had). This process runs none beside the workers (it would starve them: module docstring)."""
        if self.runner is None:
            return shared_map(self.fn, self.tasks, jobs=1, shared=shared)
        try:
            return [future.result() for future in self.futures]
        finally:
            self.close()

    def close(self) -> None:
        if self.runner is not None:
            self.runner.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "Started":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
