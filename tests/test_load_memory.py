"""A process that keeps cache files in memory (`cachestore.keep_in_memory`, the preview) also keeps what the loader
made of their read-only values (`load._ByIdentity`: each month's visits sorted by date, the months' misplaced
records, the months' summaries of references). Over random edits in one process, each load must equal a cold
one (every file parsed, nothing kept): records with their sources and order, and every finding."""

from __future__ import annotations

import datetime as dt
import os
import re
from operator import attrgetter
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from careledger import cachestore
from careledger import load as loading
from careledger.demo import DemoSpec, write_demo
from careledger.load import load, visits_in_date_order

AS_OF = dt.date(2026, 11, 23)
FULL_ORDER = attrgetter("date", "source.file", "source.line", "source.column")
MONTHS = ("2026-09", "2026-10", "2026-11")

# (what, which file, a month for the date, a day, a household number)
STEP = st.tuples(st.sampled_from(["add", "add", "add", "remove", "break", "problem", "resolve", "unknown", "unstaff",
                                  "uncustodian", "unsubject"]),
                 st.integers(0, 200), st.sampled_from(MONTHS), st.integers(1, 28), st.integers(1, 40))


def apply(root: Path, step: tuple) -> None:
    what, pick, month, day, number = step
    if what in ("uncustodian", "unsubject"):
        ledgers = sorted((root / "custody").glob("*/*.yaml"))
        ledger = ledgers[pick % len(ledgers)].read_text(encoding="utf-8")
        if what == "uncustodian":  # the ledger's custodian no longer in staff/
            rename_staff(root, re.search(r"^custodian: '([^']+)'", ledger, re.M)[1])
        else:  # the ledger's household no longer has its subject among its subjects
            household = re.search(r"^household: '([^']+)'", ledger, re.M)[1]
            subject = re.search(r"^subject: '([^']+)'", ledger, re.M)[1]
            path = next((root / "households").glob(f"*/{household}.yaml"))
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(rf"- member: '{subject}'(\n +category:)", r"- member: 'm9'\1", text, count=1),
                            encoding="utf-8")
        return
    files = sorted((root / "visits").glob("*/*.yaml"))
    path = files[pick % len(files)]
    households = sorted(p.stem for p in (root / "households").glob("*/*.yaml"))
    household = households[number % len(households)] if what != "unknown" else "nowhere-001"
    text = path.read_text(encoding="utf-8")
    if what == "remove":
        path.unlink()
        return
    if what == "unstaff":  # the file's visitor no longer in staff/: each of their visits names nobody
        rename_staff(root, path.stem)
        return
    if what == "break":
        path.write_text(text + "\n- date: 2026-11-0\n  household: [unclosed\n", encoding="utf-8")
        return
    entry = f"\n- date: {month}-{day:02d}\n  household: '{household}'\n  duty: 'contact'\n"
    if what == "problem":
        entry += f"  problems:\n    - id: 'p{number}'\n      what: '漏水'\n"
    elif what == "resolve":
        entry += f"  resolved:\n    - problem: 'p{number}'\n      how: '已修'\n"
    path.write_text(text.rstrip("\n") + "\n" + entry, encoding="utf-8")  # a date outside its month at times


def rename_staff(root: Path, staff_id: str) -> None:
    for staff in (root / "staff").glob("*.yaml"):
        listed = staff.read_text(encoding="utf-8")
        staff.write_text(listed.replace(f"- id: '{staff_id}'\n", f"- id: '{staff_id}-gone'\n"), encoding="utf-8")


def snapshot(loaded):
    records, findings = loaded
    kinds = (records.staff, records.households, records.visits, records.inspections, records.custody,
             records.spot_checks)
    for kind in (records.visits, records.inspections, records.spot_checks):  # the order `load` promises
        assert list(kind) == sorted(kind, key=FULL_ORDER)
    return [[(r, r.source) for r in kind] for kind in kinds], findings, visits_in_date_order(records)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(STEP, min_size=1, max_size=5))
def test_loads_in_one_process_equal_cold_loads(steps):
    loads_equal_cold_loads(steps)


def test_a_visitor_gone_from_staff_is_reported_again_in_one_process():
    """The visits walked one by one (a visit names an unknown household), then their visitor leaves staff/: the
    visit checks kept for unchanged households (integrity._VISITS_KEPT) hold only while the staff's ids do."""
    loads_equal_cold_loads([("unknown", 0, "2026-11", 3, 1), ("unstaff", 0, "2026-11", 4, 1)])


def test_a_ledger_is_checked_again_when_its_custodian_or_its_household_changes():
    """The ledger checks kept for unchanged ledgers (integrity._LEDGERS_KEPT) hold only while the staff's ids and
    the ledger's household do."""
    loads_equal_cold_loads([("uncustodian", 0, "2026-11", 3, 1), ("unsubject", 1, "2026-11", 3, 1)])


def loads_equal_cold_loads(steps):
    saved_kept, saved_made, saved_env = cachestore._kept, loading._MADE, os.environ.get("CARELEDGER_CACHE_DIR")
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "content"
        write_demo(root, DemoSpec(households=30, months=2))
        try:
            os.environ["CARELEDGER_CACHE_DIR"] = f"{work}/warm"
            cachestore.keep_in_memory()
            kept, made = cachestore._kept, loading._ByIdentity()
            loading._MADE = made
            load(root, today=AS_OF)
            reused = 0
            for step in steps:
                apply(root, step)
                before = set(map(id, made.last.values()))
                warm = snapshot(load(root, today=AS_OF))
                reused += len(before & set(map(id, made.last.values())))
                cachestore._kept, loading._MADE = None, loading._ByIdentity()  # a cold load: nothing kept
                os.environ["CARELEDGER_CACHE_DIR"] = f"{work}/cold"
                cold = snapshot(load(root, today=AS_OF, cache=False))
                cachestore._kept, loading._MADE = kept, made
                os.environ["CARELEDGER_CACHE_DIR"] = f"{work}/warm"
                assert warm == cold
            assert reused  # the unchanged months' runs were taken back
        finally:
            cachestore._kept, loading._MADE = saved_kept, saved_made
            if saved_env is None:
                os.environ.pop("CARELEDGER_CACHE_DIR", None)
            else:
                os.environ["CARELEDGER_CACHE_DIR"] = saved_env
