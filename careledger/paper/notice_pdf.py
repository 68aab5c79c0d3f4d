"""The 通报 as PDF (issue 18): its page as printed, with a subset of exactly its characters, as the dossiers are.

It goes to output/reports/notice.pdf beside its HTML page, in builds that make paper and from `careledger notice`.
"""

from __future__ import annotations

from . import fonts
from .pdf import Job
from .printing import render_jobs
from ..render.notice import TEMPLATES, notice_html

PATH = "notice.pdf"


def notice_pdf(view, *, stamp=None, cache: bool = True) -> dict[str, bytes]:
    """{"notice.pdf": PDF}, or {} when the view has no notice."""
    if view.notice is None:
        return {}
    page = notice_html(view, paper=True, stamp=stamp)
    chars = "".join(sorted(set(page)))
    css = fonts.font_face_css(fonts.text_font(chars), fonts.text_font(chars, bold=True))
    return render_jobs([(PATH, Job(page, base_url=f"{TEMPLATES.as_uri()}/", fonts=css))], cache=cache)
