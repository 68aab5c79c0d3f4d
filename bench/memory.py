"""Benchmark (not a test): where a `build --no-paper` holds its memory, stage by stage, in the building process and in
the workers it forks.

    .venv/bin/python bench/memory.py CONTENT [--as-of 2026-11-23] [--work /tmp/careledger-memory] [--new-day] [--tracemalloc]

CONTENT is a git repository of records (e.g. a county `bench/run` generated). It is cloned under --work; a cold
build (empty cache, no earlier output) runs in a child process, then one visit is added to one visit file and
committed, and the rebuild runs in another; with `--new-day`, the second build is the first build of the next day
instead (nothing changed but the as-of date, the caches warm from the cold build). Each child prints, after each
pipeline stage, the building process's resident set (VmRSS) and its peak so far (VmHWM); within the writing, after
the fsyncs and after each record the build keeps (`WRITING_STEPS`); and around each `workers.in_order`, which
`shared_map` goes through (the parse, the proof scan, the pages; not the judge's workers, begun by `start_map`), the
largest resident set of the workers it forked (their VmRSS, read by each worker after each of its tasks). The
parent prints each build's peak as `wait4` reports it (the largest of the process and its children: what
`/usr/bin/time -f %M` and bench/county.py report) and its CPU seconds.

With `--tracemalloc` (slow; use a small county, CARELEDGER_JOBS=1 is set) each child also prints, after each
stage, the traced bytes and the object types that hold the most of them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from county import remove_set_aside, set_aside  # bench/: this script's folder is on the path
from stages import add_one_visit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PIPELINE_STAGES = ("load", "read_history", "judge", "redact", "convert_pages", "build_reports", "render_site",
                   "secrets_of", "scan_changed", "render_reports", "write_tree")
# steps within the writing, reported like the stages: (module, owner in it or None, function)
WRITING_STEPS = (("careledger.output", None, "_make_durable"), ("careledger.render.memo", "Memo", "remember"),
                 ("careledger.fingerprint", None, "remember"))
MB = 1024 * 1024


def status(*fields: str) -> list[int]:
    """Those fields of /proc/self/status, in bytes."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in fields:
                found[name] = int(value.split()[0]) * 1024
    return [found[name] for name in fields]


def _worker_task(fn, task):
    """Runs in a worker: the task's result, and the worker's resident set after it (its VmHWM would include the
    peak the building process had reached before the fork: the kernel copies it into the child)."""
    return fn(task), status("VmRSS")[0]


def child(content: Path, output: Path, as_of: dt.date, trace: bool) -> None:
    from careledger import pipeline, workers

    if trace:
        import tracemalloc
        tracemalloc.start(1)
    worker_peak = [0]

    def report(label: str) -> None:
        rss, hwm = status("VmRSS", "VmHWM")
        line = f"  {label:34} rss {rss / MB:7.0f} MB  peak {hwm / MB:7.0f} MB"
        if trace:
            line += f"  traced {tracemalloc.get_traced_memory()[0] / MB:7.0f} MB"
        print(line, flush=True)
        if trace:
            top(label)

    def wrap(name: str, function):
        def stage(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            finally:
                report(name)
        return stage

    original_in_order = workers.in_order  # `shared_map` takes its results from it too

    def in_order(fn, tasks, **kwargs):
        report(f"before in_order({fn.__name__})")
        largest = 0
        for result, peak in original_in_order(_Measured(fn), tasks, **kwargs):
            largest = max(largest, peak)
            yield result
        worker_peak[0] = max(worker_peak[0], largest)
        print(f"  {'  ' + fn.__name__ + ': largest process':34} {largest / MB:7.0f} MB "
              f"(this process's peak {status('VmHWM')[0] / MB:.0f} MB)", flush=True)

    workers.in_order = in_order
    originals = {name: getattr(pipeline, name) for name in PIPELINE_STAGES}
    for name, function in originals.items():
        setattr(pipeline, name, wrap(name, function))
    for module, owner, name in WRITING_STEPS:
        holder = importlib.import_module(module)
        holder = getattr(holder, owner) if owner else holder
        setattr(holder, name, wrap(f"  {owner or module.rsplit('.', 1)[-1]}.{name}", getattr(holder, name)))
    before = os.times()
    result = pipeline.build_all(content, output, as_of=as_of, paper=False)
    after = os.times()
    report("end")
    print(f"  {len(result.files_changed)} files written anew; this process's CPU "
          f"{after.user - before.user + after.system - before.system:.1f} s, its peak "
          f"{status('VmHWM')[0] / MB:.0f} MB, the workers' {worker_peak[0] / MB:.0f} MB", flush=True)


class _Measured:
    """fn, wrapped to return (result, the peak resident set of the process that ran it); picklable by reference."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, task):
        return _worker_task(self.fn, task)


def top(label: str, count: int = 12) -> None:
    """The allocation sites holding the most memory, by file and line."""
    import tracemalloc

    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    for stat in snapshot.statistics("lineno")[:count]:
        frame = stat.traceback[0]
        where = f"{Path(frame.filename).parent.name}/{Path(frame.filename).name}:{frame.lineno}"
        print(f"      {stat.size / MB:8.1f} MB {stat.count:9} blocks  {where}", flush=True)


def measured(label: str, args: list[str], env: dict) -> None:
    print(f"\n== {label} (load average {os.getloadavg()[0]:.1f})", flush=True)
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, *args], env=env, stdout=out, stderr=subprocess.STDOUT)
        _, code, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        print(out.read().decode("utf-8", "replace"), end="")
    if code:
        raise SystemExit(f"failed: {code}")
    print(f"  wait4: peak {usage.ru_maxrss * 1024 / MB:.0f} MB ({usage.ru_maxrss * 1024:,} bytes), "
          f"CPU {usage.ru_utime + usage.ru_stime:.1f} s, wall {wall:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--as-of", default="2026-11-23")
    parser.add_argument("--work", type=Path, default=Path("/tmp/careledger-memory"))
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--cold-only", action="store_true")
    parser.add_argument("--new-day", action="store_true",
                        help="then build as of the next day, nothing else changed (not a visit added)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    if args.child:
        child(args.content, args.work / "output", as_of, args.tracemalloc)
        return
    set_aside(args.work)  # the last run's tree, deleted after this one's (county.set_aside)
    try:
        _measure(args, as_of)
    finally:
        remove_set_aside()


def _measure(args, as_of: dt.date) -> None:
    content = args.work / "content"
    subprocess.run(["git", "clone", "-q", str(args.content), str(content)], check=True)
    env = dict(os.environ, CARELEDGER_CACHE_DIR=str(args.work / "cache"), PYTHONPATH=str(ROOT))
    if args.tracemalloc:
        env["CARELEDGER_JOBS"] = "1"
    child_args = [str(content), "--as-of", args.as_of, "--work", str(args.work), "--child"]
    child_args += ["--tracemalloc"] if args.tracemalloc else []
    measured("cold build --no-paper", child_args, env)
    if args.new_day:
        day = (as_of + dt.timedelta(days=1)).isoformat()
        measured(f"first build of a new day, as of {day} (nothing else changed)",
                 [str(content), "--as-of", day, *child_args[3:]], env)
    elif not args.cold_only:
        changed = add_one_visit(content)
        measured(f"rebuild after one visit added to {changed.relative_to(content)}", child_args, env)


if __name__ == "__main__":
    main()
