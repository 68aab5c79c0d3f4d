"""Benchmark (not a test): how long the audit takes to read a large history.

    .venv/bin/python bench/history.py [--commits 100000] [--files 50000] [--rebuilds N] [--keep DIR]

Writes a synthetic repository with one `git fast-import` — `--files` record files (a fifth of them household files,
the rest visit files of 250 visitors over the months) and `--commits` commits: the first imports every household,
each later one enters a visit into one visit file (the files grow through their month), and every tenth also
changes one household file (a phone number; every hundredth a level with its review). Then it reads the history
with `careledger.audit.read_history` and prints the seconds, with the time of the bare `git log` for comparison;
with `--rebuilds N`, then N times commits one more visit and reads again (a rebuild: the walk goes on from the last).
The figure is recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careledger.audit import read_history  # noqa: E402
from careledger.audit.git import environment  # noqa: E402

VISITORS = 250
DUTIES = ("responsible", "contact")
NOTES = ("身体状况稳定", "饮食起居正常", "已送药上门", "屋内整洁，通风良好", "与联系人交流，掌握日常照料情况")


def household(n: int, phone: int, level: str, reviews: int) -> str:
    lines = [f"id: 'h{n:05d}'", f"village: 'v{n % 40:02d}'", f"address: '示范村{n % 9 + 1}组{n % 97 + 1}号'",
             "policies: ['dibao']", "members:", "  - id: 'm1'", f"    name: '张{n:05d}'", "    relation: 'self'",
             "    sex: 'male'", "    birth_date: 1950-01-01", f"    phone: '139{phone:08d}'", "  - id: 'm2'",
             f"    name: '李{n:05d}'", "    relation: 'spouse'", "    sex: 'female'", "subjects:", "  - member: 'm1'",
             "    category: '2'", f"    level: '{level}'", "    enrolled: 2024-01-05", "    assigned:",
             f"      responsible: ['s{n % VISITORS:03d}']", "needs:", "  - id: 'n1'", "    need: '冬季取暖'",
             "    measure: '发放棉被'"]
    if reviews:
        lines.append("reviews:")
        for k in range(reviews):
            lines += [f"  - date: 2025-{k % 12 + 1:02d}-20", "    result: 'adjust'", "    by: 's000'"]
    return "\n".join(lines) + "\n"


def visit(day: dt.date, household_id: int, duty: str, note: str) -> str:
    return (f"- date: {day.isoformat()}\n  household: 'h{household_id:05d}'\n  duty: '{duty}'\n"
            f"  note: '{note}'\n")


def generate(root: Path, commits: int, files: int) -> None:
    rng = random.Random(7)
    households = files // 5
    visit_files = files - households
    months = max(1, visit_files // VISITORS)
    first = dt.date(2020, 1, 1)
    env = environment()
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], env=env, check=True)
    proc = subprocess.Popen(["git", "-C", str(root), "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE,
                            env=env)
    out = proc.stdin
    clock = 1577840400  # 2020-01-01 09:00 +0800

    def commit(message: str, changes: list[tuple[str, str]], when: int) -> None:
        who = f"录入员{when % 3} <clerk{when % 3}@example.invalid> {when} +0800"
        data = message.encode()
        parts = [f"commit refs/heads/main\nauthor {who}\ncommitter {who}\ndata {len(data)}\n".encode(), data, b"\n"]
        for path, text in changes:
            blob = text.encode()
            parts += [f"M 100644 inline {path}\ndata {len(blob)}\n".encode(), blob, b"\n"]
        out.write(b"".join(parts))

    state = {n: [0, "2", 0] for n in range(households)}  # phone, level, reviews
    commit("导入", [(f"households/v{n % 40:02d}/h{n:05d}.yaml", household(n, 0, "2", 0)) for n in range(households)],
           clock)
    texts: dict[int, list[str]] = {}
    for i in range(1, commits):
        k = (i - 1) * visit_files // max(1, commits - 1)  # files fill up in order: month by month, visitor by visitor
        month, visitor = divmod(k, VISITORS)
        year, mon = divmod(month, 12)
        day = dt.date(first.year + year, mon + 1, 1 + len(texts.get(k, [])) % 28)
        texts.setdefault(k, []).append(visit(day, rng.randrange(households), DUTIES[i % 2], rng.choice(NOTES)))
        path = f"visits/{day:%Y-%m}/s{visitor:03d}.yaml"
        changes = [(path, "".join(texts[k]))]
        if i % 10 == 0:
            n = rng.randrange(households)
            state[n][0] += 1
            if i % 100 == 0:
                state[n][1] = "3" if state[n][1] == "2" else "2"
                state[n][2] += 1
            changes.append((f"households/v{n % 40:02d}/h{n:05d}.yaml", household(n, *state[n])))
        when = int(dt.datetime(day.year, day.month, day.day, 18, tzinfo=dt.timezone(dt.timedelta(hours=8)))
                   .timestamp()) + i % 3600
        commit(f"录入走访 {i}", changes, max(when, clock + i))
    out.write(b"done\n")
    out.close()
    if proc.wait() != 0:
        raise SystemExit("fast-import failed")
    subprocess.run(["git", "-C", str(root), "reset", "-q", "--hard", "main"], env=env, check=True)
    print(f"generated: {commits} commits, {households} household files, {len(texts)} visit files "
          f"({months} months × {VISITORS} visitors)")


def one_more_commit(root: Path, n: int) -> None:
    path = sorted((root / "visits").glob("*/*.yaml"))[n]
    with path.open("a", encoding="utf-8") as out:
        out.write(visit(dt.date.fromisoformat(f"{path.parent.name}-28"), n, "contact", "补录"))
    env = {**environment(), "GIT_AUTHOR_NAME": "录入员", "GIT_AUTHOR_EMAIL": "clerk@example.invalid",
           "GIT_COMMITTER_NAME": "录入员", "GIT_COMMITTER_EMAIL": "clerk@example.invalid"}
    subprocess.run(["git", "-C", str(root), "commit", "-qam", f"补录 {n}"], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--rebuilds", type=int, default=0, help="then commit one visit and read again, N times")
    parser.add_argument("--keep", type=Path, help="write the repository here and keep it (default: a temporary one)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="careledger-bench-"))
    try:
        if not (root / ".git").exists():
            started = time.perf_counter()
            generate(root, args.commits, args.files)
            print(f"generating took {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        subprocess.run(["git", "-C", str(root), "log", "--raw", "--no-renames", "--format=%H", "HEAD"],
                       stdout=subprocess.DEVNULL, env=environment(), check=True)
        bare = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        history = read_history(root)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        git_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        print(f"git log --raw alone: {bare:.1f} s")
        print(f"read_history: {seconds:.1f} s — {len(history.commits)} commits, {len(history.visit_events)} visit "
              f"events, {len(history.household_events)} household events")
        print(f"  CPU: python {cpu:.1f} s, git {git_cpu:.1f} s; python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}")
        for n in range(args.rebuilds):  # one more commit, then the rebuild's read (continuing the kept walk)
            one_more_commit(root, n)
            cpu, children = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
            history = read_history(root)
            cpu, after = time.process_time() - cpu, resource.getrusage(resource.RUSAGE_CHILDREN)
            git_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
            print(f"rebuild after one commit: CPU python {cpu:.2f} s, git {git_cpu:.2f} s — {len(history.commits)} commits")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
