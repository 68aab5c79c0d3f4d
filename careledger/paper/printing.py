"""The paper of a build: dossiers and forms gathered as files for `output/private/`, rendered on every core.

`make_paper` is the stage: `check_fonts` and `plan_paper` find the fonts and make the field fonts (`fonts.py`);
`dossier_jobs` (which also makes the dossiers' fonts), `blank_documents` and `filled_documents` turn views into
HTML; `render_jobs` makes every PDF, in memory, ready for the one writer. Paths below `private/`:

    dossiers/<village>/<household>.pdf and .html     the household dossier (一户一档一策)
    dossiers/index.html, dossiers/<village>/index.html   their index, all villages and one (dossier_index.py)
    forms/blank/<form>.pdf                            every form, blank and fillable
    forms/<form>/<village>/<household>-<member>.pdf   a form pre-filled for one subject
    forms/<form>/<village>/<household>.pdf            … for one household
    forms/<form>/<village>.pdf                        … for one village
    forms/<form>/all.pdf                              … the jurisdiction's roster
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .. import vocab
from ..findings import ERROR, WARNING, Finding, Source
from ..views.dossier import Dossier, People, build_dossiers
from . import fonts
from .context import (household_context, roster_context, site_info, subject_contexts, village_context)
from .day_stamp import html_with_day, stamp_day
from .dossier import dossier_characters, render_dossier
from .formrender import Page, TemplateProblem, render_form
from .dossier_index import dossier_indexes
from .formwhy import why_none
from .forms import FORMS_DIR, FormDef, is_truthy, load_forms, value_at
from .pdf import Job, render_all

PRIVATE = "private"


@dataclass(frozen=True)
class FontPlan:
    """The CSS that loads the font of each kind of form (the dossiers' is made from them: `dossier_jobs`).

    Blank forms use the GB 2312 subset (made once, at setup). A pre-filled form's fields carry the font whole and
    must hold every character of the records: GB 2312 plus those, a subset made per set of characters (cached).
    """

    blank_css: str
    filled_css: str = ""  # "" unless pre-filled forms are printed


@dataclass(frozen=True)
class Selection:
    """Which households (and so subjects and villages) a run prints; None is all."""

    households: frozenset[str] | None = None
    villages: frozenset[str] | None = None

    def household(self, d: Dossier) -> bool:
        return ((self.households is None or d.household_id in self.households)
                and (self.villages is None or d.village_id in self.villages))

    def village(self, village_id: str, dossiers) -> bool:
        if self.villages is not None:
            return village_id in self.villages
        if self.households is not None:
            return any(d.village_id == village_id and d.household_id in self.households for d in dossiers)
        return True

    @property
    def everything(self) -> bool:
        return self.households is None and self.villages is None


ALL = Selection()


def check_fonts() -> list[Finding]:
    """An error when no CJK font is installed (naming the package), a warning when the fast subsetter is missing."""
    findings = []
    try:
        fonts.find_face()
        fonts.find_face(style="Bold")
    except fonts.FontProblem as problem:
        findings.append(Finding("E-FONT-MISSING", ERROR, str(problem), Source("fonts")))
    warning = fonts.harfbuzz_subset_missing()
    if warning:
        findings.append(Finding("W-HARFBUZZ-SUBSET", WARNING, warning, Source("fonts")))
    return findings


def plan_paper(records, *, filled: bool = True) -> tuple[FontPlan, list[Finding]]:
    """The fonts of this run's forms (`filled`: with the font of the records' characters, for pre-filled forms); the
    characters of the records that no installed font can print are a warning."""
    chars = fonts.record_characters(records.site, records.profile, records.staff, records.households,
                                    records.visits, records.inspections, records.custody,
                                    [getattr(vocab, name) for name in dir(vocab) if name.isupper()])
    findings = []
    missing = fonts.missing_glyphs(chars)
    if missing:
        findings.append(Finding("W-FONT-GLYPH", WARNING,
                                f"字体 {fonts.FAMILY} 中没有这些字：{missing}；PDF 中它们会显示成空框，请改用通用写法或另装字体",
                                Source("fonts")))
    field = fonts.field_font()
    records_font = fonts.field_font(chars) if filled else None
    return FontPlan(blank_css=fonts.font_face_css(field),
                    filled_css=fonts.font_face_css(records_font) if records_font else ""), findings


def dossier_jobs(dossiers, selection: Selection = ALL, *, stamp: str = "", dirty: bool = False
                 ) -> tuple[dict[str, bytes], list[tuple[str, Job]]]:
    """Each chosen dossier's HTML file, and the PDF job of each. Each prints with the GB 2312 subsets and a subset
    of its own characters outside them (`fonts.dossier_font_css`): its PDF depends on its own page only, the same
    from a village run as from a build, and another household's new character leaves it as it was."""
    html, jobs = {}, []
    for d in dossiers:
        if selection.household(d):
            base = f"dossiers/{d.village_id}/{d.household_id}"
            page = render_dossier(d, stamp=stamp, dirty=dirty, for_pdf=True)
            html[f"{base}.html"] = html_with_day(page, d.as_of).encode("utf-8")
            jobs.append((f"{base}.pdf", Job(page, fonts=fonts.dossier_font_css(dossier_characters(page)))))
    return html, jobs


@dataclass(frozen=True)
class FormDocument:
    path: str  # below private/
    form: FormDef
    html: str
    fonts: str  # the font CSS of its job
    item: object = None  # the context it was filled from (None: blank)


def blank_documents(forms: list[FormDef], plan: FontPlan, stamp: str = "") -> list[FormDocument]:
    """Blank forms carry the build stamp too: it says which version of the form definitions printed them."""
    page = Page(as_of="", commit="", blank=True, stamp=stamp)
    return [FormDocument(f"forms/blank/{form.name}.pdf", form, render_form(form, None, page), plan.blank_css)
            for form in forms]


def filled_documents(forms: list[FormDef], records, dossiers, plan: FontPlan, *, as_of: dt.date, commit: str,
                     selection: Selection = ALL, stamp: str = "", tried: dict | None = None) -> list[FormDocument]:
    """`tried`, when given, gets each form's (key, context) pairs before its `requires` are checked (formwhy.py)."""
    site = site_info(records, as_of, commit)
    page = Page(as_of=as_of.isoformat(), commit=commit, blank=False, stamp=stamp)
    villages = {v.id: v.name for v in records.site.villages}
    chosen = [d for d in dossiers if selection.household(d)]
    docs = []
    for form in forms:
        items: list[tuple[str, object]] = []
        if form.nature == "subject":
            for d in chosen:
                items += [(f"{d.village_id}/{key}", ctx) for key, ctx in subject_contexts(site, d)]
        elif form.nature == "household":
            items += [(f"{d.village_id}/{d.household_id}", household_context(site, d)) for d in chosen
                      if d.status != "已退出"]
        elif form.nature == "village":
            items += [(vid, village_context(site, vid, name, dossiers)) for vid, name in villages.items()
                      if selection.village(vid, dossiers)]
        elif selection.everything:  # a roster covers the whole jurisdiction: printed only for --all
            people = _people(records)
            roles = {s.id: s.roles for s in records.staff}
            items.append(("all", roster_context(site, dossiers, people, roles)))
        if tried is not None:
            tried[form.name] = items
        for key, item in items:
            if all(is_truthy(value_at(item, path)) for path in form.requires):
                docs.append(FormDocument(f"forms/{form.name}/{key}.pdf", form, render_form(form, item, page),
                                         plan.filled_css, item))
    return docs


def _people(records):
    lookup = People(records)
    return tuple(lookup(s.id) for s in records.staff)


def form_jobs(documents: list[FormDocument]) -> list[tuple[str, Job]]:
    return [(doc.path, Job(doc.html, forms=True, fonts=doc.fonts)) for doc in documents]


def render_jobs(jobs: list[tuple[str, Job]], *, cache: bool = True) -> dict[str, bytes]:
    """Render every job on every core; path → PDF."""
    return dict(zip((path for path, _ in jobs), render_all([job for _, job in jobs], cache=cache)))


def form_definitions(directory: Path = FORMS_DIR, names: tuple[str, ...] = ()) -> tuple[list[FormDef], list[Finding]]:
    """The forms (all, or those named), with every problem of every definition."""
    forms, findings = load_forms(directory)
    if names:
        known = {f.name for f in forms}
        for name in names:
            if name not in known:
                findings.append(Finding("E-FORM-UNKNOWN", ERROR, f"没有名为“{name}”的表格；可选：{'、'.join(sorted(known))}",
                                        Source("forms")))
        forms = [f for f in forms if f.name in names]
    return forms, findings


def template_problem(problem: TemplateProblem) -> Finding:
    return Finding("E-FORM-TEMPLATE", ERROR, str(problem), Source(str(problem).split("：")[0].split(" ")[0]))




@dataclass(frozen=True)
class PaperRequest:
    """What to print: dossiers, blank forms, pre-filled forms (of the profile, or those named), for whom."""

    dossiers: bool = True
    blank_forms: bool = True
    filled_forms: bool = False
    forms: tuple[str, ...] = ()  # () = every form (blank) or the forms of the jurisdiction's profile (pre-filled)
    selection: Selection = ALL


def make_paper(facts, policy_findings, request: PaperRequest, *, stamp=None,
               cache: bool = True) -> tuple[dict[str, bytes], list[Finding]]:
    """The files of `request` below `private/`, and what stops or worries the printing (fonts, form definitions).
    `facts` are the rules engine's (records, as-of date, history); `stamp` is the build's `careledger.stamp.Stamp`:
    its line goes in every footer and its commit is the one the records are at."""
    records, as_of = facts.records, facts.as_of
    commit = stamp.commit if stamp else ""

    findings = check_fonts()
    forms: list[FormDef] = []
    if request.blank_forms or request.filled_forms:
        forms, problems = form_definitions(names=request.forms)
        findings += problems
    if any(f.is_error for f in findings):
        return {}, findings
    plan, warnings = plan_paper(records, filled=request.filled_forms)
    findings += warnings
    dossiers = build_dossiers(facts, policy_findings, commit, facts.history)
    files: dict[str, bytes] = {}
    dirty = bool(stamp and stamp.dirty)
    # A dossier's footer names its household's version and no as-of date (its findings carry their own dates, and
    # its cover's as-of date is drawn into the rendered PDF afterwards: day_stamp.py), so a new day leaves the page
    # that is rendered, and so the PDF cache's key, as it was.
    dossier_stamp = stamp.text(version="", day=False) if stamp else ""
    index_stamp = stamp.text(version="") if stamp else ""
    stamp = stamp.text() if stamp else ""
    try:
        documents = blank_documents(forms, plan, stamp) if request.blank_forms else []
        if request.filled_forms:
            chosen = forms if request.forms else [f for f in forms if f.profile == records.profile.id]
            tried: dict = {}
            filled = filled_documents(chosen, records, dossiers, plan, as_of=as_of, commit=commit,
                                      selection=request.selection, stamp=stamp, tried=tried)
            documents += filled
            findings += why_none(chosen, filled, records, dossiers, request.selection,
                                 lambda form: tried.get(form.name, []))
    except TemplateProblem as problem:
        return {}, findings + [template_problem(problem)]
    jobs = form_jobs(documents)
    dossier_pdfs: list[tuple[str, Job]] = []
    if request.dossiers:
        html, dossier_pdfs = dossier_jobs(dossiers, request.selection, stamp=dossier_stamp, dirty=dirty)
        files.update(html)
        files.update(dossier_indexes(dossiers, request.selection, jurisdiction=records.site.name,
                                     as_of=as_of.isoformat(), stamp=index_stamp, dirty=dirty))
        jobs = dossier_pdfs + jobs  # the long jobs first, so the workers finish together
    files.update(render_jobs(jobs, cache=cache))
    for path, _ in dossier_pdfs:  # rendered (or cached) without the day, which each build draws in
        files[path] = stamp_day(files[path], as_of.isoformat())
    return files, findings
