"""Benchmark (not a test): where a `build --no-paper` spends its time, stage by stage, under cProfile.

    .venv/bin/python bench/stages.py CONTENT [--as-of 2026-11-23] [--work /tmp/careledger-stages]

CONTENT is a git repository of records (e.g. a county `bench/run` generated: its `content/`). In one process
(CARELEDGER_JOBS=1, so the parsing is profiled too) it runs a cold build (empty cache, no earlier output), then
adds one visit to one visit file and commits it on a copy of the repository, and runs the warm rebuild. For each
it prints the seconds of each pipeline stage (cumulative time of the stage's function: cProfile slows Python code
about twice, so the shares matter more than the seconds) and of each rule family.

With `--cpu` it runs the same two builds without cProfile and prints each stage's own CPU seconds (`os.times()`
around the stage functions `pipeline.build_all` calls): the figures of an unprofiled rebuild. `--jobs N` (with
`--cpu`) runs them on N processes (CARELEDGER_JOBS=N) and prints for each stage the building process's CPU and its
workers' (the children's, as `os.times()` counts them once they have ended), and the bound on N free cores: each
stage takes at least the larger of the building process's CPU and the stage's total divided by N (stages that run
at the same time taken as one).

With `--new-day` the second and third builds change nothing but the as-of date (the day after, then the day after
that): the first builds of a new day, warm from the day before.

With `--kept` the process keeps what it read between builds (`cachestore.keep_in_memory`), as the build server and
the preview do, and the one-visit rebuild is done three times (a visit added and committed before each): the figures
of a rebuild through the build server (buildserver.py), less its client.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from county import remove_set_aside, set_aside  # noqa: E402  (bench/: this script's folder is on the path)

STAGES = [  # (label, module path suffix, function)
    ("fingerprint", "careledger/fingerprint.py", "of_build"),
    ("load: all", "careledger/load.py", "load"),
    ("  parsing files (bulkread)", "careledger/bulkread.py", "_parse_one"),
    ("  integrity checks", "careledger/integrity.py", None),
    ("history (git log, cat-file, events)", "careledger/audit/history.py", "read_history"),
    ("rules (judge)", "careledger/rules/__init__.py", "judge"),
    ("public view (redact)", "careledger/views/public.py", "redact"),
    ("pages' Markdown", "careledger/render/pages.py", "convert_pages"),
    ("reports' view", "careledger/views/reports.py", "build_reports"),
    ("site rendering", "careledger/render/site.py", "render_site"),
    ("privacy proof: secrets", "careledger/proof.py", "secrets_of"),
    ("privacy proof: scan", "careledger/proof.py", "scan"),
    ("reports' rendering", "careledger/render/reports.py", "render_reports"),
    ("writing the output", "careledger/output.py", "write_tree"),
]


def cumulative(stats: pstats.Stats, suffix: str, name: str | None) -> float:
    total = 0.0
    for (file, _, func), (_, _, _, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if not file.endswith(suffix) or (name is not None and func != name):
            continue
        if name is None and any(c[0].endswith(suffix) for c in callers):
            continue  # a module's own functions calling each other: count the outer calls only
        total += ct
    return total


def rule_families(stats: pstats.Stats) -> list[tuple[str, float]]:
    out = []
    for (file, _, func), (_, _, _, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        if func == "check" and "/careledger/rules/" in file:
            out.append((Path(file).stem, ct))
    return sorted(out, key=lambda x: -x[1])


def profiled(label: str, content: Path, output: Path, as_of: dt.date) -> None:
    from careledger.pipeline import build_all

    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    result = build_all(content, output, as_of=as_of, paper=False)
    profile.disable()
    wall = time.perf_counter() - start
    stats = pstats.Stats(profile)
    print(f"\n== {label}: {wall:.1f} s under cProfile, {len(result.files_changed)} files written anew")
    for name, suffix, func in STAGES:
        print(f"  {name:40} {cumulative(stats, suffix, func):7.2f} s")
    print("  rule families: " + ", ".join(f"{n} {s:.2f}" for n, s in rule_families(stats)[:8]))


# The stage functions as `pipeline.build_all` calls them (names imported into careledger.pipeline).
PIPELINE_STAGES = ("load", "read_history", "judge", "redact", "convert_pages", "build_reports", "render_site",
                   "secrets_of", "scan_changed", "render_reports", "write_tree")
# Stages called through a module or a class, where this version of careledger has them: (label, module, attribute).
OTHER_STAGES = (("households.begin", "careledger.rules.households", "begin"),
                ("pages rendered (Deferred.fill)", "careledger.render.spread", "Deferred.fill"))
# Stages that run at the same time when the first is there: the households judged while the history is read.
OVERLAPPING = ("households.begin", "read_history", "judge")


def _own(times) -> float:
    return times.user + times.system


def _children(times) -> float:
    return times.children_user + times.children_system


def _hooks() -> list[tuple[str, object, str]]:
    """(label, the object holding the stage function, its name) of each stage this careledger has."""
    import importlib

    from careledger import pipeline

    hooks = [(name, pipeline, name) for name in PIPELINE_STAGES]
    for label, module, attribute in OTHER_STAGES:
        try:
            owner = importlib.import_module(module)
        except ImportError:
            continue
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        if hasattr(owner, name):
            hooks.append((label, owner, name))
    return hooks


def timed(label: str, content: Path, output: Path, as_of: dt.date, jobs: int = 1) -> None:
    from careledger import pipeline

    spent: dict[str, float] = {}
    workers: dict[str, float] = {}

    def wrap(name: str, function):
        def stage(*args, **kwargs):
            before = os.times()
            try:
                return function(*args, **kwargs)
            finally:
                after = os.times()
                spent[name] = spent.get(name, 0.0) + _own(after) - _own(before)
                workers[name] = workers.get(name, 0.0) + _children(after) - _children(before)
        return stage

    hooks = _hooks()
    originals = [(owner, name, owner.__dict__[name]) for _, owner, name in hooks]
    for (label_, owner, name), (_, _, function) in zip(hooks, originals):
        setattr(owner, name, wrap(label_, function))
    try:
        before, start = os.times(), time.perf_counter()
        result = pipeline.build_all(content, output, as_of=as_of, paper=False)
        after = os.times()
    finally:
        for owner, name, function in originals:
            setattr(owner, name, function)
    wall = time.perf_counter() - start
    total, children = _own(after) - _own(before), _children(after) - _children(before)
    labels = [label_ for label_, _, _ in hooks]
    if jobs == 1:
        print(f"\n== {label}: {wall:.2f} s wall, {total:.2f} s CPU, {len(result.files_changed)} files written anew")
        for name in labels:
            print(f"  {name:40} {spent.get(name, 0.0):7.2f} s CPU")
        return
    rest, rest_workers = total - sum(spent.values()), children - sum(workers.values())
    groups = [[name] for name in labels if name not in OVERLAPPING or OVERLAPPING[0] not in labels]
    if OVERLAPPING[0] in labels:
        groups.append(list(OVERLAPPING))
    bound = max(rest, (rest + rest_workers) / jobs) + sum(
        max(sum(spent.get(n, 0.0) for n in group), sum(spent.get(n, 0.0) + workers.get(n, 0.0) for n in group) / jobs)
        for group in groups)
    print(f"\n== {label}, {jobs} processes: {wall:.2f} s wall, CPU {total:.2f} s in the building process + "
          f"{children:.2f} s in its children; bound on {jobs} free cores {bound:.2f} s "
          f"(one process: {total + children:.2f})")
    print(f"  {'stage':40} {'building':>9} {'workers':>9}   (CPU s)")
    for name, own, theirs in [(n, spent.get(n, 0.0), workers.get(n, 0.0)) for n in labels] + [
            ("the rest (fingerprint, stamp, memo, ...)", rest, rest_workers)]:
        print(f"  {name:40} {own:9.2f} {theirs:9.2f}")
    if OVERLAPPING[0] in labels:
        print(f"  (the bound takes {', '.join(OVERLAPPING)} as one stage: they run at the same time)")


def add_one_visit(content: Path) -> Path:
    month = sorted((content / "visits").iterdir())[-1]
    path = sorted(month.glob("*.yaml"))[-1]
    text = path.read_text(encoding="utf-8")
    path.write_text(text + text[text.rindex("\n- date:") + 1:], encoding="utf-8")
    git = ["git", "-C", str(content), "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run([*git, "commit", "-q", "-am", "one more visit"], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--as-of", default="2026-11-23")
    parser.add_argument("--work", type=Path, default=Path("/tmp/careledger-stages"))
    parser.add_argument("--cpu", action="store_true", help="each stage's CPU seconds, without cProfile")
    parser.add_argument("--jobs", type=int, default=1, help="with --cpu: processes (CARELEDGER_JOBS)")
    parser.add_argument("--new-day", action="store_true",
                        help="then build as of the next day twice, nothing else changed")
    parser.add_argument("--kept", action="store_true",
                        help="keep what was read between builds, as the build server does; three rebuilds")
    args = parser.parse_args()
    if args.jobs != 1 and not args.cpu:
        parser.error("--jobs goes with --cpu (cProfile sees the building process only)")
    measure = (lambda *a: timed(*a, jobs=args.jobs)) if args.cpu else profiled
    set_aside(args.work)  # the last run's tree, deleted after this one's (county.set_aside)
    try:
        _measure(args, measure)
    finally:
        remove_set_aside()


def _measure(args, measure) -> None:
    content = args.work / "content"
    subprocess.run(["git", "clone", "-q", str(args.content), str(content)], check=True)
    os.environ["CARELEDGER_CACHE_DIR"] = str(args.work / "cache")
    os.environ["CARELEDGER_JOBS"] = str(args.jobs)
    as_of = dt.date.fromisoformat(args.as_of)
    if args.kept:
        from careledger import cachestore

        cachestore.keep_in_memory()
    print(f"load average {os.getloadavg()[0]:.1f}")
    measure("cold build --no-paper" + (", one process" if args.jobs == 1 else ""), content, args.work / "output", as_of)
    if args.new_day:
        for days in (1, 2):
            day = as_of + dt.timedelta(days=days)
            measure(f"first build of a new day, as of {day} (nothing else changed)", content, args.work / "output", day)
    else:
        for _ in range(3 if args.kept else 1):
            changed = add_one_visit(content)
            measure(f"rebuild after one visit added to {changed.relative_to(content)}"
                    + (", caches kept in memory" if args.kept else ""), content, args.work / "output", as_of)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
