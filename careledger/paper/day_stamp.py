"""The as-of date on a dossier's cover, drawn into the finished PDF, so that the render stays cached across days.

A dossier must say which day its findings were judged on; but a date in the HTML would change every dossier's bytes,
and so its PDF cache key, every day (issue 16: a new day re-renders only the dossiers whose content changed). So the
page that is rendered holds, where the date goes, a blank placeholder image of a fixed size (`PLACEHOLDER`), the same
every day; the rendered PDF is cached as it is; and each build then writes the day into its copy of the PDF with a PDF
incremental update (ISO 32000-1, 7.5.6): the placeholder's image object is replaced by a form XObject of the same
number that draws the date in Helvetica (one of the PDF's standard fonts: digits and hyphens, nothing to embed).
The update is appended to the file, about 600 bytes, and costs well under a millisecond: no parsing, no rendering.
Viewers, printers, poppler (pdftotext) and pypdf read the date as text in the cover's "基准日" cell.

The HTML a build writes beside the PDF (for the browser) carries the date as text instead (`html_with_day`).
"""

from __future__ import annotations

import re

# A 7 × 1 white PNG: its size marks it in the PDF (nothing else a dossier prints is 7 pixels wide and 1 high).
_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAcAAAABCAIAAACdaSOZAAAAD0lEQVR4nGP8//8/AwYAADvwAv+gwIw+AAAAAElFTkSuQmCC"
WIDTH_PT, HEIGHT_PT = 60.0, 7.0  # the placeholder's box: the date's width at FONT_PT, its digits' height
FONT_PT = 9.0  # the cover table's text
# Its size is set in report_templates/dossier.css (.day-stamp: WIDTH_PT × HEIGHT_PT), not in a style attribute,
# which the pages' Content-Security-Policy refuses.
PLACEHOLDER = f'<img class="day-stamp" alt="" src="data:image/png;base64,{_PNG}">'

_IMAGE = re.compile(rb"\n(\d+) 0 obj\n<</Type /XObject/Subtype /Image/Width 7/Height 1/")
_END = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


class StampProblem(Exception):
    """The rendered PDF is not as WeasyPrint writes it (no placeholder, or no cross-reference stream)."""


def html_with_day(page: str, day: str) -> str:
    """The page as a browser shows it: the date in place of the placeholder."""
    return page.replace(PLACEHOLDER, day)


def stamp_day(pdf: bytes, day: str) -> bytes:
    """`pdf` (rendered from a page with the PLACEHOLDER) with `day` (digits and hyphens) drawn in its place."""
    if not re.fullmatch(r"[0-9-]{1,12}", day):
        raise ValueError(day)
    image, end = _IMAGE.search(pdf), _END.search(pdf[-64:])
    if image is None or end is None:
        raise StampProblem("no placeholder or no startxref")
    previous = int(end[1])
    trailer = pdf[previous:]
    size, root, info = (re.search(rb"/Size (\d+)", trailer), re.search(rb"/Root (\d+ \d+ R)", trailer),
                        re.search(rb"/Info (\d+ \d+ R)", trailer))
    if b"/Type /XRef" not in trailer[:200] or size is None or root is None:
        raise StampProblem("no cross-reference stream")
    number, xref_number = int(image[1]), int(size[1])
    content = f"BT /F1 {FONT_PT:g} Tf 0 0.5 Td ({day}) Tj ET".encode("ascii")
    form = (f"{number} 0 obj\n<</Type /XObject/Subtype /Form/BBox [0 0 {WIDTH_PT:g} {HEIGHT_PT:g}]"
            f"/Matrix [{1 / WIDTH_PT:.6f} 0 0 {1 / HEIGHT_PT:.6f} 0 0]"
            f"/Resources <</Font <</F1 <</Type /Font/Subtype /Type1/BaseFont /Helvetica/Encoding /WinAnsiEncoding>>>>>>"
            f"/Length {len(content)}>>\nstream\n").encode("ascii") + content + b"\nendstream\nendobj\n"
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    form_at = len(body)
    xref_at = form_at + len(form)
    entries = b"\x01" + form_at.to_bytes(4, "big") + b"\x00\x00" + b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00"
    xref = (f"{xref_number} 0 obj\n<</Type /XRef/Index [{number} 1 {xref_number} 1]/W [1 4 2]/Size {xref_number + 1}"
            f"/Root {root[1].decode()}" + (f"/Info {info[1].decode()}" if info else "") +
            f"/Prev {previous}/Length {len(entries)}>>\nstream\n").encode("ascii")
    return (body + form + xref + entries + b"\nendstream\nendobj\nstartxref\n" + str(xref_at).encode("ascii")
            + b"\n%%EOF\n")
