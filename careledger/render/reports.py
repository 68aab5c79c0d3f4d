"""The internal reports: each table of the reports view as an HTML page and a CSV file.

The templates live in `report_templates/`, apart from the published site's `site_templates/`: the published
environment cannot load them. The CSV files are written by `spreadsheet.to_csv` (UTF-8 with a byte-order mark for
Excel; a cell that would be read as a formula is made text), so they differ from the HTML pages only by that quote.
"""

from __future__ import annotations

from pathlib import Path

from .. import assets, csp
from ..output import Tree
from ..views.desk import CSV_COLUMNS, KINDS, csv_rows
from ..views.reports import ReportsView
from .charts import month_bars_chart, rate_lines_chart
from .notice import notice_files
from .spreadsheet import to_csv
from .templating import environment

TEMPLATES = assets.REPORT_TEMPLATES


def render_reports(view: ReportsView, *, templates: Path = TEMPLATES, stamp=None, dossiers: bool = True) -> Tree:
    """`dossiers`: whether this build writes the household dossiers the working lists link to and the notice's PDF
    (not with --no-paper)."""
    env = environment(templates, stamp)
    files = Tree()
    files.add("index.html", csp.sealed(env.get_template("index.html").render(view=view, kinds=KINDS, dossiers=dossiers))
              .encode("utf-8"))
    for wl in view.desk.lists if view.desk else ():
        files.add(f"{wl.slug}.html", csp.sealed(env.get_template("desk.html").render(
            view=view, wl=wl, kinds=KINDS, dossiers=dossiers)).encode("utf-8"))
        files.add(f"{wl.slug}.csv", to_csv(CSV_COLUMNS, csv_rows(wl)))
    if view.trends and view.trends.months:
        files.add("trends.html", _trends_page(env, view))
    for path, data in notice_files(view, pdf=dossiers, stamp=stamp, env=env).items():  # the 通报 (issue 18)
        files.add(path, data)
    for table in view.tables:
        files.add(f"{table.slug}.html", csp.sealed(env.get_template("table.html").render(view=view, table=table))
                  .encode("utf-8"))
        files.add(f"{table.slug}.csv", to_csv(table.columns, table.rows))
    files.add("version.html", csp.sealed(env.get_template("version.html").render(view=view)).encode("utf-8"))
    files.add("report.css", (templates / "report.css").read_bytes())
    files.add("tables.js", (templates / "tables.js").read_bytes())
    return files


def _trends_page(env, view: ReportsView) -> bytes:
    trends = view.trends
    word = "预警" if trends.alerts else "走访逾期"
    rate_chart = rate_lines_chart("on-time-by-month", trends.months,
                                  [(v.name, v.on_time) for v in trends.villages], "各村（社区）按月按时走访率")
    warning_chart = month_bars_chart("warnings-by-month", trends.months, trends.warnings, f"按月{word}次数", "次")
    return csp.sealed(env.get_template("trends.html").render(view=view, trends=trends, word=word, rate_chart=rate_chart,
                                                         warning_chart=warning_chart)).encode("utf-8")
