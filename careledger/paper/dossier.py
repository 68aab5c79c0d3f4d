"""The household dossier as HTML, through `report_templates/dossier.html`: the same page prints to PDF and opens in
a browser. The PDF's running header names the household, its footer the page ("第 x 页 共 y 页"), the household's
record version (the day of its last change) and the build stamp without a commit id or an as-of date.
"""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from .. import assets, csp
from ..render.templating import environment
from ..views.dossier import Dossier
from .day_stamp import PLACEHOLDER
from .fonts import record_characters

TEMPLATES = assets.REPORT_TEMPLATES


def paper_environment(templates: Path):
    env = environment(templates)
    env.filters["css_string"] = css_string
    return env


def css_string(text: str) -> Markup:
    """Text safe inside a CSS string in double quotes (a page header's `content`)."""
    cleaned = "".join(c for c in str(text) if c.isprintable())
    return Markup(cleaned.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c "))


def dossier_characters(page: str) -> str:
    """Every character a dossier's page (`render_dossier`) can print, each once: its text, its markup and its
    stylesheet (the running header and footer are CSS strings)."""
    return record_characters(page)


def render_dossier(dossier: Dossier, *, stamp: str = "", dirty: bool = False, for_pdf: bool = False,
                   templates: Path = TEMPLATES) -> str:
    """`stamp` is the build stamp line for the footer, without the as-of date (`Stamp.text(day=False)`); the
    household's record version goes before it. Nothing printed moves with the as-of date but what the findings
    and the records say (their fixed dates: careledger/views/dossier_dates.py), so the PDF cache keeps a dossier
    whose content a new day leaves as it was. `for_pdf`: the page to render, whose cover has a placeholder for the
    as-of date, drawn into each build's copy of the PDF (`day_stamp.stamp_day`); else the date as text;
    `dirty`: the records had uncommitted changes, which the cover says."""
    env = paper_environment(templates)
    css = (templates / "dossier.css").read_text(encoding="utf-8")
    footer = stamp
    if dossier.version:
        footer = f"本户记录版本 {dossier.version.date}" + (f" · {footer}" if footer else "")
    return csp.sealed(env.get_template("dossier.html").render(d=dossier, css=Markup(css), footer=footer, dirty=dirty,
                                                              day=Markup(PLACEHOLDER) if for_pdf else dossier.as_of))
