"""Benchmark (not a test): the size and speed of the printed paper.

    .venv/bin/python bench/forms.py [--content content/] [--village songgang] [--as-of 2026-11-23]

Prints, with the PDF cache off (every document really rendered):

- the field font: the GB 2312 subset, made from scratch in a temporary cache, its size and seconds;
- each blank form and one pre-filled form: size in MB and CPU seconds (one process);
- the dossiers of one village, rendered one after the other in one process: CPU seconds per household;
- every dossier and every blank form of the records on every core (worker processes): PDFs per second, and how
  busy the cores were (CPU seconds of all processes / wall seconds / cores).

The figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careledger.paper import fonts, printing  # noqa: E402
from careledger.paper.pdf import Job, render, render_all  # noqa: E402
from careledger.pipeline import check_records  # noqa: E402
from careledger.rules import Facts  # noqa: E402
from careledger.views.dossier import build_dossiers  # noqa: E402


def cpu() -> float:
    """CPU seconds of this process and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=Path(__file__).resolve().parent.parent / "content")
    parser.add_argument("--village", default="songgang")
    parser.add_argument("--as-of", default="2026-11-23")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)

    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        path = fonts.field_font(directory=Path(cache))
        print(f"field font (GB 2312, {len(fonts.gb2312())} characters): {path.stat().st_size / 1e6:.2f} MB, "
              f"made in {time.perf_counter() - start:.1f} s")

    records, findings = check_records(args.content, as_of=as_of)
    dossiers = build_dossiers(Facts(records, records.profile, as_of), findings, "bench")
    plan, _ = printing.plan_paper(records)
    forms, _ = printing.form_definitions()
    blank = printing.blank_documents(forms, plan)
    render(Job(blank[0].html, forms=True))  # warm up: imports, fontconfig
    print("\nform                      size MB   CPU s")
    for doc in blank:
        start = time.process_time()
        pdf = render(Job(doc.html, forms=True))
        print(f"{doc.form.name:24s} {len(pdf) / 1e6:8.2f} {time.process_time() - start:7.2f}")
    filled = printing.filled_documents([f for f in forms if f.name == "wangcheng-info"], records, dossiers, plan,
                                       as_of=as_of, commit="bench")[0]
    start = time.process_time()
    pdf = render(Job(filled.html, forms=True))
    print(f"{'wangcheng-info, filled':24s} {len(pdf) / 1e6:8.2f} {time.process_time() - start:7.2f}")

    village = [d for d in dossiers if d.village_id == args.village]
    _, jobs = printing.dossier_jobs(village, plan)
    start = time.process_time()
    for _, job in jobs:
        render(job)
    spent = time.process_time() - start
    visits = sum(len(d.visits) for d in village)
    print(f"\ndossiers of {args.village}: {len(village)} households, {visits} visits; "
          f"{spent / len(village):.2f} CPU s per household ({spent:.1f} s in all; load average "
          f"{os.getloadavg()[0]:.1f}: two busy processes on two CPUs make every CPU second longer)")

    _, jobs = printing.dossier_jobs(dossiers, plan)
    everything = [job for _, job in jobs] + [Job(doc.html, forms=True) for doc in blank]
    cores = os.cpu_count() or 1
    before, start = cpu(), time.perf_counter()
    render_all(everything, cache=False)
    wall, used = time.perf_counter() - start, cpu() - before
    print(f"every dossier and blank form ({len(everything)} PDFs) on {cores} cores: {wall:.1f} s, "
          f"{len(everything) / wall:.1f} PDFs/s, cores {used / wall / cores:.0%} busy")


if __name__ == "__main__":
    main()
