"""The Jinja2 environment of the internal outputs (reports, dossiers, forms): autoescape on, undefined is an error.

The published site does not use this: it has its own sandboxed environment in `render/site.py`, which loads only
`site_templates/` and accepts only the public view.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined


def environment(templates: Path, stamp=None) -> Environment:
    """`stamp` (careledger.stamp.Stamp, or None) is the global `stamp` of every template: the commit and as-of
    date each page shows."""
    env = Environment(loader=FileSystemLoader(templates), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["zh_date"] = zh_date
    env.globals["stamp"] = stamp
    return env


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
