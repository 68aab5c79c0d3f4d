"""Benchmark (not a test): how long small-count suppression takes on tables of 50, 250 and 2,500 villages.

Times the joint suppression the site uses (`careledger/views/joint.py`: whole village rows, all tables at once)
and, for comparison, the older table-by-table audit (`careledger/views/suppress.py`), which the site no longer
uses (issue 14: a reader could solve what it left).

    .venv/bin/python bench/suppress.py [--villages 50 250 2500] [--categories 10] [--levels 6] [--seed 7]

Synthetic counts shaped like the demo's: 6 to 14 households a village (10 on average), most of them with one subject
in care, some with two; categories and levels drawn with skewed weights, so most cells are 0, 1 or 2; nine subjects
in ten listed in the 公示 (the rest are children). It builds the same systems as `careledger/views/public_tables.py`
(village × category chained with village × level, with the 公示 counts as floors; village × household status),
times `suppress` on each, then checks every small count of the result with a fresh audit. The figures are recorded
in docs/performance.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careledger.views import joint, suppress as sdc  # noqa: E402
from careledger.views.public_tables import _Grid  # noqa: E402

K = 3
STATUSES = ("active", "exited", "observation")


def weights(n: int) -> list[float]:
    return [1 / (j + 1) for j in range(n)]  # the first category is common, the last rare


def tables(villages: int, categories: int, levels: int, seed: int):
    """[(name, values, system, floors)] for the subject tables and the household table."""
    rng = random.Random(seed)
    rows = [f"v{i:04d}" for i in range(villages)]
    cats, lvls = [f"c{j}" for j in range(categories)], [f"l{j}" for j in range(levels)]
    in_care, listed, households = Counter(), Counter(), Counter()
    children = 0
    for row in rows:
        for _ in range(rng.randint(6, 14)):
            status = rng.choices(STATUSES, (8, 3, 1))[0]
            households[row, status] += 1
            for _ in range(0 if status == "exited" else rng.choices((1, 2), (6, 1))[0]):
                subject = (rng.choices(cats, weights(categories))[0], rng.choices(lvls, weights(levels))[0])
                in_care[row, subject] += 1
                if rng.random() < 0.9:
                    listed[row, subject] += 1
                else:
                    children += 1

    def by(counts: Counter, part: int) -> Counter:
        out = Counter()
        for (row, subject), n in counts.items():
            out[row, subject[part]] += n
        return out

    shared = {"row_total": "subjects|{row}", "grand": "subjects|*"}
    values, floors, specs = {}, {}, []
    for kind, columns, part in (("category", cats, 0), ("level", lvls, 1)):
        grid = _Grid(kind, rows, columns, by(in_care, part), **shared)
        values.update(grid.values)
        floors.update(_Grid(kind, rows, columns, by(listed, part), **shared).values)
        specs.append(grid.spec())
    values.update({"listed": sum(listed.values()), "children": children})
    subjects = sdc.System(grids=tuple(specs), known="listed", extra="children")
    hh = _Grid("households", rows, list(STATUSES), households)
    grids = [_Grid(kind, rows, columns, by(in_care, part), **shared)
             for kind, columns, part in (("category", cats, 0), ("level", lvls, 1))]
    together = (rows, [g.joint() for g in grids], hh.joint(), {**values, **hh.values}, floors)
    return [("subjects", values, subjects, floors), ("households", hh.values, sdc.System((hh.spec(),)), None)], together


def audit(values, system, floors, suppression) -> set[str]:
    """The cells that must not be worked out, each checked by a fresh audit; stops if any can be."""
    check = sdc._Audit(dict(values), system, K, dict(floors or {}))
    check.goto(suppression.hidden, suppression.demoted)
    targets = check.targets()
    for cell, use_floors in targets:
        if check.search(cell, use_floors)[0] is None:
            raise SystemExit(f"{cell} can be worked out")
    return {cell for cell, _ in targets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, nargs="+", default=[50, 250, 2500])
    parser.add_argument("--categories", type=int, default=10)
    parser.add_argument("--levels", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--joint-only", action="store_true")
    args = parser.parse_args()
    print("joint (the site's): villages  cells  hidden  protected villages  seconds (CPU)")
    for villages in args.villages:
        _, (rows, subject_tables, households, values, floors) = tables(villages, args.categories, args.levels,
                                                                         args.seed)
        start, cpu = time.perf_counter(), time.process_time()
        hidden = joint.suppress_jointly(rows, subject_tables, households, values, floors, K, children="children")
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        protected = sum(1 for r in rows if subject_tables[0].row_totals[r] in hidden)
        print(f"{villages:27d} {len(values):6d} {len(hidden):7d} {protected:19d}  {seconds:.3f} s ({cpu:.3f} s)",
              flush=True)
    if args.joint_only:
        return
    print("table by table (before issue 14):")
    print("villages  table       cells  to hide  complements  ×    suppress (CPU)        audit")
    for villages in args.villages:
        for name, values, system, floors in tables(villages, args.categories, args.levels, args.seed)[0]:
            start, cpu = time.perf_counter(), time.process_time()
            suppression = sdc.suppress(values, system, K, floors=floors)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            start = time.perf_counter()
            targets = audit(values, system, floors, suppression)
            complements = len(suppression.hidden - targets)
            print(f"{villages:8d}  {name:10s} {len(values):6d} {len(targets):8d} {complements:12d} "
                  f"{len(suppression.demoted):4d} {seconds:7.2f} s ({cpu:.2f} s) {time.perf_counter() - start:6.2f} s",
                  flush=True)


if __name__ == "__main__":
    main()
