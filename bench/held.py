"""Benchmark (not a test): what a process that keeps its caches (the build server, the preview) holds between
builds, by holder.

    .venv/bin/python bench/held.py CONTENT [--as-of 2026-11-23] [--work /tmp/careledger-held] [--rebuilds 2]

CONTENT is a git repository of records (e.g. a county `bench/run` generated: its `content/`). It is cloned under
--work (kept there, with its cache, so a second run starts warm; the output is made anew). This process keeps what
it reads (`cachestore.keep_in_memory`), builds once, then adds one visit and commits it before each of --rebuilds
rebuilds, as the server builds them (`cachestore.saves_after`). It prints its resident set after them and again
once it has done what the idle server does (`cachestore.collect_frozen`: every cycle collected, malloc's free
memory given back). Then, for each value a careledger module keeps at module level, the bytes of the Python objects
reachable from it and not from a value printed before it (`sys.getsizeof` over `gc.get_referents`; modules,
classes and functions not followed). The cache files' kept values come first, by cache folder; a class's
attributes count as its module's values. What the resident set holds beyond the sum is the interpreter and the
modules the builds imported (printed: the resident set of a fresh process that imports them), what those modules
hold outside Python objects, and the free memory malloc and Python's allocator keep in blocks still partly used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import re
import shutil
import subprocess
import sys
import time
import types
from pathlib import Path

from stages import add_one_visit  # bench/stages.py: this script's folder is on the path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOT_FOLLOWED = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.CodeType,
                type, re.Pattern)
MiB = 1024 * 1024
SHOWN_FROM = 1 * MiB  # holders of less are summed in one line


def resident() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))


class Reach:
    """Bytes reachable from one value after another, each object counted for the first value that reaches it."""

    def __init__(self):
        self.seen: set[int] = set()

    def size(self, value) -> int:
        total, stack = 0, [value]
        while stack:
            obj = stack.pop()
            if id(obj) in self.seen or isinstance(obj, NOT_FOLLOWED):
                continue
            self.seen.add(id(obj))
            total += sys.getsizeof(obj)
            stack.extend(gc.get_referents(obj))
        return total


def holders() -> list[tuple[str, object]]:
    """(label, value): the kept cache files by folder (`cachestore._kept`), then every other module-level value of
    careledger's modules that is not code or a small constant."""
    from careledger import cachestore
    by_folder: dict[str, list] = {}
    root = cachestore.cache_root()
    for path, (_, value) in (cachestore._kept or {}).items():
        folder = Path(path).relative_to(root).parts[0]
        by_folder.setdefault(f"cache files: {folder}/", []).append(value)
    found = sorted(by_folder.items())
    for name in sorted(n for n in sys.modules if n == "careledger" or n.startswith("careledger.")):
        module = sys.modules[name]
        places = [(name, vars(module))] + [(f"{name}.{attr}", vars(value)) for attr, value in vars(module).items()
                                           if isinstance(value, type) and value.__module__ == name]
        for place, values in places:
            for attr, value in values.items():
                label = f"{place}.{attr}"
                if attr.startswith("__") or isinstance(value, NOT_FOLLOWED) or label == "careledger.cachestore._kept":
                    continue
                if isinstance(value, (str, bytes, int, float, tuple, frozenset)) and sys.getsizeof(value) < 10_000:
                    continue
                found.append((label, value))
    return found


def baseline() -> int:
    """The resident set of a fresh interpreter that imports the modules this one has imported."""
    names = sorted(n for n in sys.modules if n != "__main__")
    script = ("import importlib, sys\nfor n in sys.argv[1:]:\n    try: importlib.import_module(n)\n"
              "    except Exception: pass\nprint(next(int(l.split()[1]) * 1024 for l in open('/proc/self/status') "
              "if l.startswith('VmRSS:')))")
    return int(subprocess.run([sys.executable, "-c", script, *names], check=True, capture_output=True, text=True,
                              cwd=ROOT).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--as-of", default="2026-11-23")
    parser.add_argument("--work", type=Path, default=Path("/tmp/careledger-held"))
    parser.add_argument("--rebuilds", type=int, default=2)
    args = parser.parse_args()
    content = args.work / "content"
    if not content.exists():
        subprocess.run(["git", "clone", "-q", str(args.content), str(content)], check=True)
    os.environ["CARELEDGER_CACHE_DIR"] = str(args.work / "cache")
    from careledger import cachestore
    from careledger.pipeline import build_all
    as_of, output = dt.date.fromisoformat(args.as_of), args.work / "output"
    shutil.rmtree(output, ignore_errors=True)
    cachestore.keep_in_memory()
    started = time.perf_counter()
    build_all(content, output, as_of=as_of, paper=False)
    print(f"first build: {time.perf_counter() - started:.1f} s")
    for _ in range(args.rebuilds):
        add_one_visit(content)
        started = time.perf_counter()
        with cachestore.saves_after():
            build_all(content, output, as_of=as_of, paper=False)
        print(f"one visit: {time.perf_counter() - started:.1f} s")
    held = resident()
    cachestore.collect_frozen()  # as the server does once idle: every cycle collected, malloc's free memory given back
    after, before = resident(), baseline()
    print(f"resident set: {held / MiB:,.0f} MiB after the builds, {after / MiB:,.0f} MiB once collected and given "
          f"back as by the idle server; {before / MiB:,.0f} MiB in a fresh process that imports the same modules")
    reach, small, total = Reach(), 0, 0
    for label, value in holders():
        size = reach.size(value)
        total += size
        if size >= SHOWN_FROM:
            print(f"{size / MiB:10,.1f} MiB  {label}")
        else:
            small += size
    print(f"{small / MiB:10,.1f} MiB  the other holders, each under {SHOWN_FROM // MiB} MiB")
    print(f"{total / MiB:10,.1f} MiB  in all ({len(reach.seen):,} objects); the resident set holds "
          f"{(after - before - total) / MiB:,.0f} MiB more than the interpreter and these")


if __name__ == "__main__":
    main()
