"""The as-of date when none is given: today in the jurisdiction, or, for demo records, their own last day.

Demo records end on a fixed day (`careledger demo --as-of`, written to site.yaml as `demo_as_of`): judged as of today
they would look months overdue. Real records never carry it (it counts only with `synthetic_ids: true`), and the date
used is always printed (the summary of `check`, the last lines of `build`, every page's stamp).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Shanghai")


def today_in_jurisdiction() -> dt.date:
    return dt.datetime.now(TIMEZONE).date()


def default_as_of(content_dir: Path | None) -> dt.date:
    """`demo_as_of` of the records' site.yaml when they are demo records, else today (Beijing time)."""
    today = today_in_jurisdiction()
    if content_dir is None:
        return today
    from .load import read_site

    try:
        site, _ = read_site(Path(content_dir), today)
    except OSError:  # unreadable: the command itself will say why
        return today
    if site is not None and site.synthetic_ids and site.demo_as_of is not None:
        return site.demo_as_of
    return today
