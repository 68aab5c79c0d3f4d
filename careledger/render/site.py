"""The published site: the summary view through the Jinja2 templates of `site_templates/`.

Templates receive the `SiteSummary` as `site` (plus the village or page being rendered, taken from it) and
`root`, the relative path back to the site's top ("" or "../"), so every link is relative and the site works
opened from disk or served under any path. Autoescape is on and an undefined name is an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..output import Tree
from ..views.summary import SiteSummary

TEMPLATES = Path(__file__).resolve().parents[2] / "site_templates"


def environment(templates: Path = TEMPLATES, stamp=None) -> Environment:
    """`stamp` (careledger.stamp.Stamp, or None) is the global `stamp` of every template: the commit and as-of
    date each page shows."""
    env = Environment(loader=FileSystemLoader(templates), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["zh_date"] = zh_date
    env.globals["stamp"] = stamp
    return env


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render_site(site: SiteSummary, pages_html: Mapping[str, Markup], *, templates: Path = TEMPLATES,
                stamp=None) -> Tree:
    """Every file of the site, by path relative to the site's top."""
    env = environment(templates, stamp)
    files = Tree()

    def render(path: str, template: str, **context) -> None:
        root = "../" * path.count("/")
        html = env.get_template(template).render(site=site, root=root, here=path, **context)
        files.add(path, html.encode("utf-8"))

    render("index.html", "index.html")
    for village in site.villages:
        render(f"villages/{village.id}.html", "village.html", village=village)
    for page in site.pages:
        render(f"pages/{page.slug}.html", "page.html", page=page, body=pages_html[page.slug])
    static = templates / "static"
    for path in sorted(p for p in static.rglob("*") if p.is_file() and not p.name.startswith(".")):
        files.add(f"static/{path.relative_to(static).as_posix()}", path.read_bytes())
    return files
