"""Benchmark (not a test): what the digest header of the cache files (issue 13) costs when a warm cache is loaded.

    .venv/bin/python bench/cache_format.py [--households 5000] [--months 12] [--repeat 5]

Writes a demo content tree, loads it once to fill the record cache (in a temporary cache folder), then times, over
every cache file of that store:

- before: `pickle.loads` of the bare pickle (the format before issue 13);
- after: `cachestore.unseal` (blake2b-256 of the pickle, compared, then `pickle.loads`), and the same with the
  entries' shape checked as the record store does (`bulkread._valid_entry`);

and the whole warm `load` (every file served from the cache) with today's code. Best of --repeat, seconds. The
figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careledger import bulkread, cachestore  # noqa: E402
from careledger.demo import DemoSpec, write_demo  # noqa: E402
from careledger.load import load  # noqa: E402

AS_OF = dt.date(2026, 11, 23)


def best(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="careledger-bench-cache-"))
    try:
        os.environ["CARELEDGER_CACHE_DIR"] = str(work / "cache")
        content = work / "content"
        write_demo(content, DemoSpec(households=args.households, months=args.months))
        records, _ = load(content, today=AS_OF)
        sealed = [p.read_bytes() for p in sorted((work / "cache" / "records").rglob("*.pickle"))]
        header = len(sealed[0]) - len(pickle.dumps(cachestore.unseal(sealed[0]), protocol=pickle.HIGHEST_PROTOCOL))
        bare = [data[header:] for data in sealed]
        files = sum(len(cachestore.unseal(data)) for data in sealed)

        def checked():
            for data in sealed:
                entries = cachestore.unseal(data)
                {k: v for k, v in entries.items() if bulkread._valid_entry(k, v)}

        with cachestore.without_gc():
            before = best(args.repeat, lambda: [pickle.loads(b) for b in bare])
            after = best(args.repeat, lambda: [cachestore.unseal(d) for d in sealed])
            after_checked = best(args.repeat, checked)
        warm = best(args.repeat, lambda: load(content, today=AS_OF))
        size = sum(len(d) for d in sealed)
        print(f"{args.households} households, {files} record files, {len(records.visits)} visits; "
              f"{len(sealed)} cache files, {size / 1e6:.1f} MB")
        print(f"before: pickle.loads            {before:.3f} s")
        print(f"after:  digest + pickle.loads   {after:.3f} s  (+{(after - before) / before:.0%})")
        print(f"after:  + entries' shape check  {after_checked:.3f} s  (+{(after_checked - before) / before:.0%})")
        print(f"warm load (today's code)        {warm:.3f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
