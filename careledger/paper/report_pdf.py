"""The monthly report to the city centre as PDF (Guiyang 三（六）), beside the dossiers in output/private/reports/.

The PDF is the report's HTML page (the same rows as its CSV), printed with a subset of exactly its characters, like
the dossiers. It is made only in builds that make paper: a report to be sent on paper is paper.
"""

from __future__ import annotations

from . import fonts
from .pdf import Job
from .printing import render_jobs
from ..render.reports import TEMPLATES
from ..render.templating import environment

PREFIX = "monthly-report-"


def monthly_report_pdfs(view, *, stamp=None, cache: bool = True) -> dict[str, bytes]:
    """reports/<slug>.pdf → PDF, for each monthly report of the reports view."""
    tables = [t for t in view.tables if t.slug.startswith(PREFIX)]
    if not tables:
        return {}
    env = environment(TEMPLATES, stamp)
    pages = {f"reports/{t.slug}.pdf": env.get_template("table.html").render(view=view, table=t) for t in tables}
    chars = "".join(sorted(set("".join(pages.values()))))
    css = (fonts.font_face_css(fonts.text_font(chars), fonts.text_font(chars, bold=True))
           + f'body {{ font-family: "{fonts.FIELD_FAMILY}", "{fonts.FAMILY}", sans-serif; }}\n'
           + "@page { size: A4 landscape; margin: 15mm; }\n")
    jobs = [(path, Job(html, base_url=f"{TEMPLATES.as_uri()}/", fonts=css)) for path, html in pages.items()]
    return render_jobs(jobs, cache=cache)
