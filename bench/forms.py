"""Benchmark (not a test): the size and speed of the printed paper.

    .venv/bin/python bench/forms.py [--content content/] [--village songgang] [--as-of 2026-11-23] [--runs 3]

Prints, with the PDF cache off (every document really rendered):

- the Python that runs it (Debian's python3, built with PGO and LTO, is about 15 % faster than a plain build);
- the field font: the GB 2312 subset, made from scratch in a temporary cache, its size and seconds;
- each blank form and one pre-filled form: size in MB and CPU seconds (one process);
- the dossiers of one village, rendered as one worker renders its batch (one process, the fonts loaded once):
  CPU seconds per household, best and median of `--runs` runs (on a shared virtual machine the same work takes a
  fifth more or less CPU from one minute to the next: the best run is the one least slowed by the neighbours);
- the dossiers of one village on every core (`CARELEDGER_JOBS` workers, else one a core), as a build prints them:
  how busy the cores were (CPU seconds of all processes / wall seconds / cores) and how long the first worker to
  finish then waited for the last, with the batches in the records' order (as before 2026-12-05) and as
  `careledger.paper.pdf.partition` makes them (costliest first), alternating, `--runs` times each;
- every dossier and every blank form of the records on every core (worker processes): PDFs per second, and how
  busy the cores were (CPU seconds of all processes / wall seconds / cores).

The figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careledger.audit import read_history  # noqa: E402
from careledger import workers  # noqa: E402
from careledger.paper import fonts, pdf as pdf_module, printing  # noqa: E402
from careledger.paper.pdf import render, render_all, render_batch  # noqa: E402
from careledger.pipeline import check_records  # noqa: E402
from careledger.rules import Facts  # noqa: E402
from careledger.views.dossier import build_dossiers  # noqa: E402


def cpu() -> float:
    """CPU seconds of this process and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


TIMES = Path(tempfile.gettempdir()) / f"careledger-bench-batches-{os.getpid()}"


def timed_batch(jobs):
    """render_batch, noting (worker, end, CPU seconds) of each batch (workers are forked: they find this function)."""
    start = time.process_time()
    out = render_batch(jobs)
    with open(TIMES, "a", encoding="ascii") as log:
        log.write(f"{os.getpid()} {time.time()} {time.process_time() - start}\n")
    return out


def records_order(jobs, count, per_worker=4):
    """The partition before 2026-12-05: batches of equal count in the records' order."""
    size = max(1, -(-len(jobs) // (count * per_worker)))
    return [list(range(i, min(i + size, len(jobs)))) for i in range(0, len(jobs), size)]


def on_every_core(jobs, partition) -> tuple[float, float, float, float]:
    """Wall seconds, cores busy (CPU / wall / workers), the seconds the first worker to finish waited for the last,
    and the balance: the workers' CPU seconds / (workers × the busiest worker's), which the neighbours on a shared
    machine do not change (1 = every worker had as much to do as the busiest)."""
    count = workers.count()
    TIMES.unlink(missing_ok=True)
    kept_batch, kept_partition = pdf_module.render_batch, pdf_module.partition
    pdf_module.render_batch, pdf_module.partition = timed_batch, partition
    try:
        before, start = cpu(), time.perf_counter()
        pdf_module._render_many(jobs, count)
        wall, used = time.perf_counter() - start, cpu() - before
    finally:
        pdf_module.render_batch, pdf_module.partition = kept_batch, kept_partition
    ends: dict[str, float] = {}
    work: dict[str, float] = {}
    for line in TIMES.read_text(encoding="ascii").splitlines():
        pid, end, seconds = line.split()
        ends[pid] = max(ends.get(pid, 0.0), float(end))
        work[pid] = work.get(pid, 0.0) + float(seconds)
    TIMES.unlink(missing_ok=True)
    waited = max(ends.values()) - min(ends.values()) if len(ends) == count else wall
    balance = sum(work.values()) / (count * max(work.values()))
    return wall, used / wall / count, waited, balance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=Path(__file__).resolve().parent.parent / "content")
    parser.add_argument("--village", default="songgang")
    parser.add_argument("--as-of", default="2026-11-23")
    parser.add_argument("--runs", type=int, default=3, help="times the village's dossiers are rendered")
    parser.add_argument("--cores-only", action="store_true",
                        help="only the village on every core (no forms, no single-process runs, no whole run)")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    # The interpreter matters: Debian's python3 (built with PGO and LTO) lays a dossier out about 15 % faster than
    # a plain source build such as pyenv's.
    print(f"Python {platform.python_version()}: {os.path.realpath(sys.executable)}")

    records, findings = check_records(args.content, as_of=as_of)
    history = read_history(args.content, records)  # the dossiers print the household's changes, as a build's do
    dossiers = build_dossiers(Facts(records, records.profile, as_of, history), findings, "bench", history)
    village = [d for d in dossiers if d.village_id == args.village]
    _, jobs = printing.dossier_jobs(dossiers, printing.Selection(villages=frozenset({args.village})))
    if not args.cores_only:
        with tempfile.TemporaryDirectory() as cache:
            start = time.perf_counter()
            path = fonts.field_font(directory=Path(cache))
            print(f"field font (GB 2312, {len(fonts.gb2312())} characters): {path.stat().st_size / 1e6:.2f} MB, "
                  f"made in {time.perf_counter() - start:.1f} s")

        plan, _ = printing.plan_paper(records)
        forms, _ = printing.form_definitions()
        blank = printing.form_jobs(printing.blank_documents(forms, plan))
        render(blank[0][1])  # warm up: imports, fontconfig
        print("\nform                      size MB   CPU s")
        for path, job in blank:  # each alone, as when one form is printed
            start = time.process_time()
            pdf = render(job)
            print(f"{Path(path).stem:24s} {len(pdf) / 1e6:8.2f} {time.process_time() - start:7.2f}")
        filled = printing.filled_documents([f for f in forms if f.name == "wangcheng-info"], records, dossiers, plan,
                                           as_of=as_of, commit="bench")
        start = time.process_time()
        pdf = render(printing.form_jobs(filled)[0][1])
        print(f"{'wangcheng-info, filled':24s} {len(pdf) / 1e6:8.2f} {time.process_time() - start:7.2f}")

        runs = []
        for _ in range(args.runs):
            start = time.process_time()
            render_batch([job for _, job in jobs])  # as one worker renders its batch
            runs.append((time.process_time() - start) / len(village))
        visits = sum(len(d.visits) for d in village)
        print(f"\ndossiers of {args.village}: {len(village)} households, {visits} visits; CPU s per household: "
              f"best {min(runs):.2f}, median {statistics.median(runs):.2f} of {len(runs)} runs "
              f"({', '.join(f'{r:.2f}' for r in runs)}; load average {os.getloadavg()[0]:.1f})")

    village_jobs = [job for _, job in jobs]
    print(f"\ndossiers of {args.village} on every core ({workers.count()} workers; load average "
          f"{os.getloadavg()[0]:.1f}): wall s, cores busy, s the first worker to finish waited for the last, "
          f"balance of the workers' CPU seconds")
    for _ in range(args.runs):
        for name, scheme in (("records' order", records_order), ("costliest first", pdf_module.partition)):
            wall, busy, waited, balance = on_every_core(village_jobs, scheme)
            print(f"  {name:16s} {wall:6.1f} s  busy {busy:4.0%}  waited {waited:4.1f} s  balance {balance:4.0%}")
    if args.cores_only:
        return

    _, jobs = printing.dossier_jobs(dossiers)
    everything = [job for _, job in jobs + blank]  # noqa: F821 (made above unless --cores-only)
    cores = os.cpu_count() or 1
    before, start = cpu(), time.perf_counter()
    render_all(everything, cache=False)
    wall, used = time.perf_counter() - start, cpu() - before
    print(f"every dossier and blank form ({len(everything)} PDFs) on {cores} cores: {wall:.1f} s, "
          f"{len(everything) / wall:.1f} PDFs/s, cores {used / wall / cores:.0%} busy")


if __name__ == "__main__":
    main()
