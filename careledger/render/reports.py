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
from . import memo as memos
from .memo import NoMemo, base_digest
from .notice import notice_html
from .spreadsheet import to_csv
from .templating import environment

TEMPLATES = assets.REPORT_TEMPLATES


WHOLE = None  # a field read as the view has it
# What each template reads of the view (`view`), base.html's share included: the field as it is, or a projection. A
# page is given only these (memo.Fields) and its digest covers only these; tests/test_render_memo.py checks they are
# enough.
_BASE = {"jurisdiction": WHOLE, "as_of": WHOLE, "profile_title": WHOLE}
READS = {
    "desk.html": {**_BASE, "notice": lambda view: bool(view.notice)},  # only whether there is a 通报 to link to
    "table.html": _BASE,
    "trends.html": _BASE,
    "version.html": _BASE,
}
# What they read of the stamp: base.html's footer; version.html names the commit.
STAMP_SHOWN = ("dirty", "as_of", "trail_label", "profile", "tool_version")
STAMP_READS = {"version.html": (*STAMP_SHOWN, "commit", "commit_time")}


def render_reports(view: ReportsView, *, templates: Path = TEMPLATES, stamp=None, dossiers: bool = True,
                   memo=None) -> Tree:
    """`dossiers`: whether this build writes the household dossiers the working lists link to and the notice's PDF
    (not with --no-paper). `memo` (memo.Memo, seen from `reports/`): a file whose inputs are those of the previous
    build into the same output is taken from the output rather than made again. A page's rendering may run after
    this returns (render/spread.py): it binds the loop's values it reads (`lambda wl=wl: ...`).

    The index reads nearly all of the view (every list's and table's counts) and is made on every build; the 通报
    prints the whole stamp (its commit among it), so its digest holds all of it."""
    env = environment(templates, None)  # the stamp reaches a page in its context, narrowed like the view
    memo = memo or NoMemo()
    base: list[bytes] = []
    projected: dict[tuple[str, str], object] = {}
    narrowed: dict[str, tuple] = {}  # template → (its fields, the stamp's fields it shows): one object each
    parts = memos.Parts()  # a list's digest is shared by its page and its CSV, the fields' by every page

    def fields(template: str) -> tuple:
        if template not in narrowed:
            values = {}
            for name, projection in READS[template].items():
                if (template, name) not in projected:
                    projected[template, name] = getattr(view, name) if projection is WHOLE else projection(view)
                values[name] = projected[template, name]
            shown = None if stamp is None else memos.narrow(
                stamp, {n: getattr(stamp, n) for n in STAMP_READS.get(template, STAMP_SHOWN)})
            narrowed[template] = (memos.narrow(view, values), shown)
        return narrowed[template]

    def base_of() -> bytes:
        if not base:
            base.append(base_digest(templates))
        return base[0]

    env.globals["kept_rows"] = lambda macro, items, *args: memo.rows.render(base_of, macro, items, *args,
                                                                            parts=parts)

    def inputs(path: str, *values):
        """A file's inputs: the templates' and code's digest, its path, and each value's digest (`Parts`)."""
        return lambda: (base_of(), path, *(parts.of(value) for value in values))

    def page(path: str, template: str, charts=None, **context) -> None:
        """`charts(**context)`: more of the context, made only when the page is rendered (from what it digests)."""
        view_fields, stamp_shown = fields(template)
        files.add(path, memo.page(path, inputs(path, template, view_fields, stamp_shown,
                                               *(x for item in sorted(context.items()) for x in item)),
                                  lambda: csp.sealed(env.get_template(template).render(
                                      view=view_fields, stamp=stamp_shown, **context,
                                      **(charts(**context) if charts else {}))).encode("utf-8")))

    files = Tree()
    stamped = environment(templates, stamp)  # the index and the 通报: the whole view, the whole stamp
    stamped.globals["kept_rows"] = env.globals["kept_rows"]  # (a row macro does not read the stamp)
    files.add("index.html", memo.always("index.html", lambda: csp.sealed(stamped.get_template("index.html").render(
        view=view, kinds=KINDS, dossiers=dossiers)).encode("utf-8")))
    for wl in view.desk.lists if view.desk else ():
        page(f"{wl.slug}.html", "desk.html", wl=wl, kinds=KINDS, dossiers=dossiers)
        files.add(f"{wl.slug}.csv", memo.page(f"{wl.slug}.csv", inputs(f"{wl.slug}.csv", CSV_COLUMNS, wl),
                                              lambda wl=wl: to_csv(CSV_COLUMNS, csv_rows(wl))))
    if view.trends and view.trends.months:
        page("trends.html", "trends.html", trends=view.trends, charts=_trends_charts)
    if view.notice is not None:  # the 通报 (issue 18): notice.html reads the view's name and notice only
        shown_notice = memos.narrow(view, {"jurisdiction": view.jurisdiction, "notice": view.notice})
        files.add("notice.html", memo.page("notice.html", inputs("notice.html", shown_notice, dossiers, stamp),
                                           lambda: notice_html(shown_notice, pdf=dossiers, stamp=stamp, env=stamped)
                                           .encode("utf-8")))
        files.add("notice.csv", memo.page("notice.csv", inputs("notice.csv", view.notice),
                                          lambda: to_csv(view.notice.csv_columns, view.notice.csv_rows())))
    for table in view.tables:
        page(f"{table.slug}.html", "table.html", table=table)
        files.add(f"{table.slug}.csv", memo.page(f"{table.slug}.csv", inputs(f"{table.slug}.csv", table),
                                                 lambda table=table: to_csv(table.columns, table.rows)))
    page("version.html", "version.html")
    files.add("report.css", (templates / "report.css").read_bytes())
    files.add("tables.js", (templates / "tables.js").read_bytes())
    return files


def _trends_charts(trends) -> dict:
    word = "预警" if trends.alerts else "走访逾期"
    return {"word": word,
            "rate_chart": rate_lines_chart("on-time-by-month", trends.months,
                                           [(v.name, v.on_time) for v in trends.villages], "各村（社区）按月按时走访率"),
            "warning_chart": month_bars_chart("warnings-by-month", trends.months, trends.warnings, f"按月{word}次数",
                                              "次")}
