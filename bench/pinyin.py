"""Benchmark (not a test): how many false alarms looking for names in pinyin would raise on a clean demo site.

    .venv/bin/python bench/pinyin.py [--households 60 2500] [--work /tmp/careledger-pinyin]

pypinyin is not a dependency of careledger. The script imports it if it can; otherwise it installs it into
`--work`/pypinyin with pip (`pip install --target`) and imports it from there, touching no environment.

For each size it generates the demo (`careledger demo --months 1`; 60 households is the bundled demo's size),
renders the published site in memory and builds what the proof would look for if it looked for pinyin: every
private name (members, supporters, staff the settings do not publish) in toneless pinyin, syllables run together
and in lower case (欧阳明 → ouyangming), as a reader reads it once spaces and capitals are gone. Every file is read
as the proof reads it (reading.py, tags out, lower-cased) and searched with one Aho-Corasick automaton. The demo's
sites are clean, so every hit is a false alarm. It prints the names, the distinct pinyin strings, the strings two
or more different names share, the hits and the files and names behind them, and the commonest matches.
docs/privacy.md records the figures and the decision.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import importlib
import re
import subprocess
import sys
from pathlib import Path

import ahocorasick

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careledger.load import load  # noqa: E402
from careledger.privacy import published_name, private_names  # noqa: E402
from careledger.reading import read  # noqa: E402
from careledger.render import convert_pages, render_site  # noqa: E402
from careledger.rules import run_rules  # noqa: E402
from careledger.views.public import redact  # noqa: E402

AS_OF = dt.date(2026, 11, 23)


def pypinyin_module(work: Path):
    try:
        return importlib.import_module("pypinyin")
    except ImportError:
        target = work / "pypinyin"
        if not (target / "pypinyin").is_dir():
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), "pypinyin"],
                           check=True)
        sys.path.insert(0, str(target))
        return importlib.import_module("pypinyin")


def private(records) -> set[str]:
    names = {m.name for h in records.households for m in h.members}
    names |= {s.name for h in records.households for s in h.supporters}
    hidden = private_names(records, records.site.privacy)
    names |= {s.name for s in records.staff if not published_name(s, records.site.privacy, hidden)}
    return names


def measure(households: int, work: Path, pypinyin) -> None:
    content = work / f"h{households}"
    if not content.exists():
        subprocess.run([sys.executable, "-m", "careledger", "demo", str(content), "--households", str(households),
                        "--months", "1"], check=True, stdout=subprocess.DEVNULL,
                       cwd=Path(__file__).resolve().parent.parent)
    records, _ = load(content, today=AS_OF)
    view = redact(records, run_rules(records, AS_OF), AS_OF, records.site.privacy)
    pages_html, _ = convert_pages(view.pages)
    files = dict(render_site(view, pages_html))

    by_pinyin: dict[str, set[str]] = collections.defaultdict(set)
    for name in private(records):
        spelled = "".join(pypinyin.lazy_pinyin(name, errors="ignore")).lower()  # 陆 the surname, not 6
        if len(spelled) >= 4:
            by_pinyin[spelled].add(name)
    automaton = ahocorasick.Automaton()
    for spelled in by_pinyin:
        automaton.add_word(spelled, spelled)
    automaton.make_automaton()

    hits, files_hit, matched = 0, set(), collections.Counter()
    for path, data in files.items():
        text = read(re.sub(r"<[^<>]*>", "", path + "\n" + data.decode("utf-8"))).lower()
        for _, spelled in automaton.iter(text):
            hits += 1
            files_hit.add(path)
            matched[spelled] += 1
    shared = sum(1 for names in by_pinyin.values() if len(names) > 1)
    names_hit = sum(len(by_pinyin[s]) for s in matched)
    print(f"{households} households: {sum(map(len, by_pinyin.values()))} private names, {len(by_pinyin)} pinyin "
          f"strings ({shared} shared by two or more names); {len(files)} files")
    print(f"  false alarms: {hits} hits of {len(matched)} strings ({names_hit} names) in {len(files_hit)} of "
          f"{len(files)} files", flush=True)
    print("  commonest:", ", ".join(f"{s} ×{n} ({'/'.join(sorted(by_pinyin[s]))})" for s, n in matched.most_common(8)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, nargs="+", default=[60, 2500])
    parser.add_argument("--work", type=Path, default=Path("/tmp/careledger-pinyin"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    pypinyin = pypinyin_module(args.work)
    for households in args.households:
        measure(households, args.work, pypinyin)


if __name__ == "__main__":
    main()
