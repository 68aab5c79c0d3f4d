"""Benchmark (not a test): the attacker of tests/attackkit.py on many builds, with the figures it pins.

    .venv/bin/python bench/attack.py [--seeds 1 2 3 4] [--sizes 60 200] [--code DIR] [--old] [--pairs]

Builds the bundled demo (content/) and `write_demo` jurisdictions of each seed and size, each on 2026-11-23 and on
the day after, renders each site in memory and asks the attacker for every hidden number, reading the two days
together (counts, status rows with their gap bands, and the weekly charts that tell the days' visits). `--code DIR`
takes the `careledger` package from another checkout (e.g. `git worktree add /tmp/old <commit>`), to measure code
from before issue 14; `--old` tells the attacker that such a build's headline warnings also count children. Prints,
per build (both days) and in all: hidden cells; cells pinned below k although their true unlisted part is 1..k−1
(or pinned exactly); hidden zeros bounded below k; hidden status rows of fewer than k subjects whose on-time count
or warnings are pinned (not stated by a shown 0%/100%/0), or whose gap band is; status rows of fewer than k subjects
that show a figure (the warnings, before issue 14); and the cost: the status rows (villages' and cadres') that show
their figures. `--pairs`: also every two hidden counts of one row or column, and those whose sum is pinned.
Figures: docs/privacy.md, "The published numbers".
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 200])
    parser.add_argument("--code", type=Path, default=ROOT)
    parser.add_argument("--old", action="store_true")
    parser.add_argument("--pairs", action="store_true", help="also bound every two hidden counts of a row or column")
    args = parser.parse_args()
    sys.path[:0] = [str(args.code), str(ROOT)]
    import importlib.util

    from careledger.demo import DemoSpec, write_demo

    # this checkout's attacker, whichever checkout's careledger it attacks
    spec = importlib.util.spec_from_file_location("attackkit", ROOT / "tests" / "attackkit.py")
    attackkit = sys.modules["attackkit"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(attackkit)
    attack_days, build_site, verdict = attackkit.attack_days, attackkit.build_site, attackkit.verdict

    day = dt.date(2026, 11, 23)
    builds = [("bundled demo", ROOT / "content")]
    scratch = Path(tempfile.mkdtemp())
    for seed in args.seeds:
        for size in args.sizes:
            target = scratch / f"s{seed}-{size}"
            write_demo(target, DemoSpec(households=size, months=2, seed=seed))
            builds.append((f"seed {seed}, {size} households", target))
    keys = ("hidden", "pinned_small", "pinned_exactly", "zero_bounded", "rates_pinned", "warnings_pinned",
            "bands_pinned", "small_rows_shown") + (("pairs", "pairs_pinned_small", "pairs_pinned_exactly")
                                                  if args.pairs else ())
    total = dict.fromkeys(keys, 0)
    shown = [0, 0]
    print(f"{'build':<34}{'day':<12}" + "".join(f"{k:>17}" for k in keys) + f"{'rows_shown':>12}{'seconds':>9}")
    for name, content in builds:
        # the two days are read together: the status rows as one system across the days (attackkit.attack_days)
        start = time.perf_counter()
        days = [day, day + dt.timedelta(days=1)]
        built = [build_site(content, as_of) for as_of in days]
        sites, records, views = zip(*built)
        figures = verdict(attack_days(list(sites), views[0].k, headline_counts_all=args.old, pairs=args.pairs),
                          list(records), days, views[0].k)
        counts = {k: figures[k] if k in ("hidden", "pairs") else len(figures[k]) for k in keys}
        # the cost: status rows (villages' and cadres' county-wide rows) that show their figures, of all
        rows = [s for v in views for s in (*(x.status for x in v.villages), *v.cadres) if s.listed.value]
        counts["rows_shown"] = f"{sum(s.on_time.percent is not None for s in rows)}/{len(rows)}"
        shown[0] += sum(s.on_time.percent is not None for s in rows)
        shown[1] += len(rows)
        for k in keys:
            total[k] += counts[k]
        print(f"{name:<34}{'both':<12}" + "".join(f"{counts[k]:>17}" for k in keys)
              + f"{counts['rows_shown']:>12}{time.perf_counter() - start:>9.1f}")
    print(f"{'all':<46}" + "".join(f"{total[k]:>17}" for k in keys) + f"{shown[0]:>6}/{shown[1]}")


if __name__ == "__main__":
    main()
