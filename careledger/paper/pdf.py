"""HTML to PDF with WeasyPrint: one function for one document, one for many on every core.

A document is a `Job`: the HTML (read as a string, so Chinese field values stay UTF-8), whether its `<input>`,
`<textarea>` and `<select>` become AcroForm fields, and the `@font-face` CSS of the font subsets it prints with.
Rendering is a pure function of the job, so the bytes are the same on every run (WeasyPrint writes no file identifier
and no date unless the HTML names one), and a finished PDF is kept in the cache directory under the hash of its job: a
build renders only what changed since the last one.

The font CSS is kept out of the HTML so that a process loads each set of faces once: WeasyPrint otherwise builds a
new fontconfig and Pango font map for every document and lays its text out with cold caches (a twelfth of a
dossier's CPU). One font configuration serves only the jobs with the same font CSS, since the kinds of paper give the
same family name to different subsets.

Many documents are rendered by worker processes (not threads: layout holds the interpreter), each worker taking a
batch of jobs, as many workers as cores. A handful of jobs is rendered in this process: starting workers costs more.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import progress
from ..workers import count as worker_count, pool as pool_of
from ..cachestore import cache_root, write_durable

RENDERER_VERSION = "1"  # bump when the rendering options change: cached PDFs made before are then ignored
CACHE_DAYS = 14  # a cached PDF unused this long is deleted
IN_PROCESS_UP_TO = 2  # jobs; more than this go to worker processes when there is more than one core


@dataclass(frozen=True)
class Job:
    html: str
    forms: bool = False  # render <input>, <textarea>, <select> as fillable AcroForm fields
    base_url: str = ""
    fonts: str = ""  # @font-face rules (careledger.paper.fonts.font_face_css)

    @property
    def key(self) -> str:
        import weasyprint

        parts = (RENDERER_VERSION, weasyprint.__version__, "forms" if self.forms else "flat", self.base_url,
                 self.fonts, self.html)
        return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def render(job: Job, fonts: dict | None = None) -> bytes:
    """The PDF of `job`. `fonts` keeps the font setup of each font CSS for the next documents (`render_batch`)."""
    import weasyprint

    _harfbuzz_arrays_without_parsing()
    sheets, font_config = _font_setup(job.fonts, {} if fonts is None else fonts)
    with _few_collections():
        document = weasyprint.HTML(string=job.html, base_url=job.base_url or None)
        if job.forms:
            return document.write_pdf(stylesheets=sheets, font_config=font_config, pdf_forms=True,
                                      finisher=_check_box_captions)
        return document.write_pdf(stylesheets=sheets, font_config=font_config)


def render_batch(jobs: list[Job], advance=None) -> list[bytes]:
    """What one worker does: render its batch in order (calling `advance` after each), the documents with the same
    font CSS sharing one font configuration. Dropping them at the end lets WeasyPrint delete its temporary copies of
    the faces, which a worker process, ended without running finalisers, would otherwise leave behind: they are held
    in reference cycles, so only a collection frees them."""
    fonts: dict = {}
    out = []
    try:
        for job in jobs:
            out.append(render(job, fonts))
            if advance:
                advance()
        return out
    finally:
        fonts.clear()
        gc.collect()


def _font_setup(css: str, known: dict):
    """The stylesheet of the font CSS `css` and the font configuration that holds its faces, from `known` or new."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    if css not in known:
        font_config = FontConfiguration()
        known[css] = ([weasyprint.CSS(string=css, font_config=font_config)] if css else []), font_config
    return known[css]


@lru_cache(maxsize=None)
def _harfbuzz_arrays_without_parsing() -> None:
    """WeasyPrint passes harfbuzz its glyph lists as `ffi.new(f"hb_codepoint_t[{n}]", ...)`: cffi parses each new
    type string with pycparser (15 ms), and nearly every document has a new number of glyphs (about 20 ms a dossier
    in a village run). An array sized by its initialiser is the same array from one type string, parsed once."""
    try:
        from weasyprint.text.ffi import ffi
    except ImportError:
        return
    new = ffi.new

    def new_array(cdecl, init=None):
        if init is not None and isinstance(cdecl, str) and cdecl.startswith("hb_codepoint_t["):
            cdecl = "hb_codepoint_t[]"
        return new(cdecl, init)

    ffi.new = new_array


@contextmanager
def _few_collections(threshold: int = 50_000):
    """WeasyPrint allocates objects by the million: with the default thresholds the cyclic collector runs about a
    hundred times a dossier, once or twice over every object of the process, which cost about 0.07 CPU s of 0.55."""
    old = gc.get_threshold()
    gc.set_threshold(threshold, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _check_box_captions(document, pdf) -> None:
    """Give check boxes the default appearance viewers draw them with.

    WeasyPrint draws a check box's "on" appearance but sets NeedAppearances, which asks viewers to redraw every
    field; a check box then needs a /DA (ZapfDingbats) and a caption (/MK /CA, "4" is ✔), without which poppler
    draws checked boxes empty ("Missing 'Tf' operator in field's DA string").
    """
    import pydyf

    acroform = pdf.catalog.get("AcroForm")
    if not acroform:
        return
    zapf = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/ZapfDingbats"})
    pdf.add_object(zapf)
    resources = pdf.objects[int(acroform["DR"].split()[0])]
    fonts = resources["Font"]
    fonts = pdf.objects[int(fonts.split()[0])] if isinstance(fonts, bytes) else fonts
    fonts["ZaDb"] = zapf.reference
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("FT") == "/Btn" and "DA" not in obj:
            obj["DA"] = pydyf.String("/ZaDb 0 Tf 0 g")
            obj.setdefault("MK", pydyf.Dictionary())["CA"] = pydyf.String("4")


def render_all(jobs: list[Job], *, workers: int | None = None, cache: bool = True) -> list[bytes]:
    """The PDF of each job, in order. `workers` defaults to `workers.count()` (the cores, or $CARELEDGER_JOBS); `cache=False` renders everything."""
    results: list[bytes | None] = [None] * len(jobs)
    store = _Cache(cache_root() / "pdf") if cache else None
    todo = []
    for i, job in enumerate(jobs):
        hit = store.get(job.key) if store else None
        if hit is None:
            todo.append(i)
        else:
            results[i] = hit
    for i, pdf in zip(todo, _render_many([jobs[i] for i in todo], workers or worker_count())):
        results[i] = pdf
        if store:
            store.put(jobs[i].key, pdf)
    if store and todo:
        store.prune()
    return results  # type: ignore[return-value]


def _render_many(jobs: list[Job], workers: int) -> list[bytes]:
    out: list[bytes | None] = [None] * len(jobs)
    with progress.Counter("生成 PDF", len(jobs)) as counter:
        if workers <= 1 or len(jobs) <= IN_PROCESS_UP_TO:
            return render_batch(jobs, counter.advance)
        batches = partition(jobs, workers)
        with pool_of(min(workers, len(batches))) as pool:
            for indices, pdfs in zip(batches, pool.map(render_batch, [[jobs[i] for i in b] for b in batches])):
                for i, pdf in zip(indices, pdfs):
                    out[i] = pdf
                counter.advance(len(pdfs))
    return out  # type: ignore[return-value]


def partition(jobs: list[Job], workers: int, per_worker: int = 4) -> list[list[int]]:
    """The jobs' indices in batches for `workers` processes: the costliest first (a document's cost taken as the
    length of its HTML: a dossier's visits, problems and history), each batch about a `per_worker`-th of a worker's
    share. The pool hands the batches out in order as workers come free, so the big dossiers start at once and the
    small ones, last and in small batches, fill in while the others finish: the workers end together. (Batches in
    the records' order left a worker idle at the end of a village run whenever a big household came last.)"""
    order = sorted(range(len(jobs)), key=lambda i: (-len(jobs[i].html), i))
    target = sum(len(job.html) for job in jobs) / (workers * per_worker)
    batches: list[list[int]] = []
    batch: list[int] = []
    cost = 0
    for i in order:
        batch.append(i)
        cost += len(jobs[i].html)
        if cost >= target:
            batches.append(batch)
            batch, cost = [], 0
    return batches + [batch] if batch else batches


class _Cache:
    """Finished PDFs by job hash. Writes go to a temporary name first, so a reader never sees half a file."""

    def __init__(self, directory: Path):
        self.directory = directory

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pdf"

    def get(self, key: str) -> bytes | None:
        path = self.path(key)
        try:
            data = path.read_bytes()
            os.utime(path)  # last use, for `prune`
            return data
        except OSError:
            return None

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_durable(target, data)  # fsynced: a power cut must not leave a torn PDF to be served
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower

    def prune(self, max_age_days: int = CACHE_DAYS) -> None:
        """Forget PDFs unused for `max_age_days` (a new as-of date makes every dossier new)."""
        limit = time.time() - max_age_days * 86400
        for path in self.directory.glob("*/*.pdf"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
            except OSError:
                pass
