"""The 通报 (views/notice.py) as a page: `notice.html` for the screen, the same page without its screen notes for the
PDF (paper/notice_pdf.py), and `notice.csv` with its list of cadres. All three go to output/reports/ only."""

from __future__ import annotations

from .. import assets, csp
from .spreadsheet import to_csv
from .templating import environment

TEMPLATES = assets.REPORT_TEMPLATES


def notice_html(view, *, paper: bool = False, pdf: bool = False, stamp=None, env=None) -> str:
    """`paper`: the page as printed (no screen notes or links); `pdf`: a PDF is written beside the page."""
    env = env or environment(TEMPLATES, stamp)
    return csp.sealed(env.get_template("notice.html").render(view=view, n=view.notice, paper=paper, pdf=pdf))


def notice_files(view, *, pdf: bool, stamp=None, env=None) -> dict[str, bytes]:
    """notice.html and notice.csv, or nothing when the profile's document has no warnings."""
    if view.notice is None:
        return {}
    return {"notice.html": notice_html(view, pdf=pdf, stamp=stamp, env=env).encode("utf-8"),
            "notice.csv": to_csv(view.notice.csv_columns, view.notice.csv_rows())}
