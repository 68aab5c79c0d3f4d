"""The internal reports: each table of the reports view as an HTML page and a CSV file.

The templates live in `report_templates/`, apart from the published site's `site_templates/`: the published
environment cannot load them. The CSV files are written by `spreadsheet.to_csv` (UTF-8 with a byte-order mark for
Excel; a cell that would be read as a formula is made text), so they differ from the HTML pages only by that quote.
"""

from __future__ import annotations

from pathlib import Path

from .. import assets
from ..output import Tree
from ..views.reports import ReportsView
from .spreadsheet import to_csv
from .templating import environment

TEMPLATES = assets.REPORT_TEMPLATES


def render_reports(view: ReportsView, *, templates: Path = TEMPLATES, stamp=None) -> Tree:
    env = environment(templates, stamp)
    files = Tree()
    files.add("index.html", env.get_template("index.html").render(view=view).encode("utf-8"))
    for table in view.tables:
        files.add(f"{table.slug}.html", env.get_template("table.html").render(view=view, table=table).encode("utf-8"))
        files.add(f"{table.slug}.csv", to_csv(table.columns, table.rows))
    files.add("report.css", (templates / "report.css").read_bytes())
    return files
