"""Benchmark (not a test): how long the privacy proof takes on the published site of a street and of a county.

    .venv/bin/python bench/proof.py [--households 2500 25000] [--work /tmp/careledger-proof]

For each size it generates the records with `careledger demo --months 1` and renders the published site in memory
(records → rules → redacted view → pages → site, as `build` does), keeping both under --work: a second run only
loads the records and the pickled site. It then prints the seconds of `secrets_of` (the sensitive and public values
from the records) and of `scan` (every file of the site, in every form), and how many findings the scan made.
Figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import pickle
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careledger.load import load  # noqa: E402
from careledger.proof import scan, secrets_of  # noqa: E402
from careledger.render import convert_pages, render_site  # noqa: E402
from careledger.rules import run_rules  # noqa: E402
from careledger.views.public import redact  # noqa: E402

AS_OF = dt.date(2026, 11, 23)
CARELEDGER = str(Path(sys.executable).parent / "careledger")


def site_of(records, content: Path) -> dict[str, bytes]:
    """The published files, rendered once and kept next to the records."""
    kept = content.with_suffix(".site.pickle")
    if kept.exists():
        return pickle.loads(kept.read_bytes())
    view = redact(records, run_rules(records, AS_OF), AS_OF, records.site.privacy)
    pages_html, _ = convert_pages(view.pages)
    files = dict(render_site(view, pages_html))
    kept.write_bytes(pickle.dumps(files))
    return files


def measure(households: int, work: Path) -> None:
    content = work / f"h{households}"
    if not content.exists():
        subprocess.run([CARELEDGER, "demo", str(content), "--households", str(households), "--months", "1"],
                       check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    records, _ = load(content, today=AS_OF)
    loaded = time.perf_counter() - started
    files = site_of(records, content)
    started = time.perf_counter()
    secrets = secrets_of(records, records.site.privacy, AS_OF)
    secrets_seconds = time.perf_counter() - started
    started = time.perf_counter()
    found = scan(files, secrets)
    scan_seconds = time.perf_counter() - started
    megabytes = sum(len(data) for data in files.values()) / 1e6
    print(f"{households} households: {len(secrets.texts)} texts, {len(secrets.numbers)} numbers, "
          f"{len(files)} files, {megabytes:.1f} MB (records loaded in {loaded:.1f} s)")
    print(f"  secrets_of {secrets_seconds:.2f} s   scan {scan_seconds:.2f} s   findings {len(found)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, nargs="+", default=[2500, 25000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/careledger-proof"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    for households in args.households:
        measure(households, args.work)


if __name__ == "__main__":
    main()
