"""Benchmark (not a test): what unpickling the records costs, and what their order in memory costs the passes over them.

    .venv/bin/python bench/unpickle.py [CONTENT] [--records 400000] [--as-of 2026-11-23]

Prints, CPU seconds (best of three):

- 400,000 (`--records`) slotted six-field records pickled by `slotted.compact` and unpickled: through each class's
  `_from_fields` (today), and through one shared function that loops over the field names (the way before issue
  16's sixth round, kept here as the reference);
- with CONTENT (a content tree whose parse cache is warm, e.g. a county `bench/run` generated, with its
  CARELEDGER_CACHE_DIR): a warm `load`, then a pass over every visit in the date order `load` hands them out, and
  the same pass over the same visits pickled again as one list in that order (so laid out in memory in it). The
  figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import pickle
import sys
import time
from itertools import repeat
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careledger import slotted  # noqa: E402


@dataclasses.dataclass(frozen=True, slots=True)
class Today:
    a: int
    b: str
    c: tuple
    d: object
    e: object
    f: int


slotted.compact(Today)


class Before(Today):
    """The same record (fields and slots), pickled as before `_from_fields`: through one shared loop."""

    __slots__ = ()

    def __reduce__(self):
        return _made, (Before, _NAMES, (self.a, self.b, self.c, self.d, self.e, self.f))


_NAMES = tuple(field.name for field in dataclasses.fields(Before))
_set = object.__setattr__


def _made(cls, names: tuple, values: tuple):
    """The reference: one function for every class, a loop over the field names."""
    made = object.__new__(cls)
    for _ in map(_set, repeat(made), names, values):
        pass
    return made


def best(seconds) -> float:
    return min(seconds() for _ in range(3))


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def unpickling(count: int) -> None:
    for cls in (Today, Before):
        data = pickle.dumps([cls(i, "x", (), None, i, 3) for i in range(count)], protocol=pickle.HIGHEST_PROTOCOL)
        label = "each class's _from_fields" if cls is Today else "one shared loop over the names"
        print(f"  {count:,} six-field records unpickled, {label}: {best(lambda: cpu(lambda: pickle.loads(data))):.3f} s")


def passes(content: Path, as_of: dt.date) -> None:
    from careledger.load import load

    os.environ.setdefault("CARELEDGER_JOBS", "1")
    records, _ = load(content, today=as_of)
    visits = records.visits
    laid_out = pickle.loads(pickle.dumps(list(visits), protocol=pickle.HIGHEST_PROTOCOL))

    def bare(vs):
        return lambda: sum(1 for v in vs if v.household)

    def deeper(vs):
        return lambda: sum(1 for v in vs if v.source.file and v.checklist is not None)

    print(f"  {len(visits):,} visits in date order, as loaded: a pass {best(lambda: cpu(bare(visits))):.3f} s, "
          f"reading each one's source and checklist {best(lambda: cpu(deeper(visits))):.3f} s")
    print(f"  the same, unpickled in date order: a pass {best(lambda: cpu(bare(laid_out))):.3f} s, "
          f"reading each one's source and checklist {best(lambda: cpu(deeper(laid_out))):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path, nargs="?")
    parser.add_argument("--records", type=int, default=400_000)
    parser.add_argument("--as-of", default="2026-11-23")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    unpickling(args.records)
    if args.content is not None:
        passes(args.content, dt.date.fromisoformat(args.as_of))


if __name__ == "__main__":
    main()
