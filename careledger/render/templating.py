"""The Jinja2 environment of the internal outputs (reports, dossiers, forms): autoescape on, undefined is an error.

The published site does not use this: it has its own sandboxed environment in `render/site.py`, which loads only
`site_templates/` and accepts only the public view.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined

from .. import cachestore
from .rows import unkept


def environment(templates: Path, stamp=None) -> Environment:
    """`stamp` (careledger.stamp.Stamp, or None) is the global `stamp` of every template: the commit and as-of
    date each page shows."""
    env = Environment(loader=FileSystemLoader(templates), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      bytecode_cache=compiled_templates(__name__))
    env.filters["zh_date"] = zh_date
    env.globals["stamp"] = stamp
    env.globals["kept_rows"] = unkept  # render_reports keeps its pages' rows (rows.py)
    return env


def compiled_templates(module: str) -> FileSystemBytecodeCache:
    """Templates compiled by an earlier build (compiling them is a quarter of a second of every build). Jinja keys
    an entry by the template's name, file and source only, not by the environment's options, so the folder is named
    for jinja2's version and the code of `module`, the module that sets those options."""
    options = cachestore.short_hash(jinja2.__version__ + cachestore.code_hash(module.removeprefix("careledger.")))
    folder = cachestore.cache_root() / "jinja" / options
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(folder))


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
