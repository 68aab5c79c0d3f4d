"""The household dossier as HTML, through `report_templates/dossier.html`: the same page prints to PDF and opens in
a browser. The PDF's running header names the household, its footer the page ("第 x 页 共 y 页"), the household's
record version (the day of its last change), the as-of date and the build stamp without a commit id.
"""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from .. import assets, csp
from ..render.templating import environment
from ..views.dossier import Dossier
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


def dossier_characters(dossiers, stamp: str = "", templates: Path = TEMPLATES) -> str:
    """Every character the dossiers can print: their views' (records, findings, change history), the template's
    and the stamp's."""
    return record_characters(dossiers, stamp, (templates / "dossier.html").read_text(encoding="utf-8"))


def render_dossier(dossier: Dossier, *, stamp: str = "", dirty: bool = False,
                   templates: Path = TEMPLATES) -> str:
    """`stamp` is the build stamp line for the footer (without it the footer names the as-of date); the household's
    record version goes before it;
    `dirty`: the records had uncommitted changes, which the cover says."""
    env = paper_environment(templates)
    css = (templates / "dossier.css").read_text(encoding="utf-8")
    footer = stamp or f"基准日 {dossier.as_of}"
    if dossier.version:
        footer = f"本户记录版本 {dossier.version.date} · {footer}"
    return csp.sealed(env.get_template("dossier.html").render(d=dossier, css=Markup(css), footer=footer, dirty=dirty))
