"""The paper of a build: dossiers and forms gathered as files for `output/private/`, rendered on every core.

`plan_paper` checks the fonts and makes the field fonts (see `fonts.py`); `dossier_files` and `form_files` turn views
into HTML and PDF, in memory, ready for the one writer. Paths below `private/`:

    dossiers/<village>/<household>.pdf and .html     the household dossier (一户一档一策)
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
from ..views.dossier import Dossier, People
from . import fonts
from .context import (household_context, roster_context, site_info, subject_contexts, village_context)
from .dossier import render_dossier
from .formrender import Page, TemplateProblem, render_form
from .forms import FORMS_DIR, FormDef, is_truthy, load_forms, value_at
from .pdf import Job, render_all

PRIVATE = "private"


@dataclass(frozen=True)
class FontPlan:
    blank_css: str  # forms without records: the GB 2312 subset
    filled_css: str  # dossiers and pre-filled forms: GB 2312 and every character of the records


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


def plan_paper(records) -> tuple[FontPlan, list[Finding]]:
    """The fonts of this build's paper; the characters no installed font can print are a warning."""
    chars = fonts.record_characters(records.site, records.profile, records.staff, records.households,
                                    records.visits, records.inspections, records.custody,
                                    [getattr(vocab, name) for name in dir(vocab) if name.isupper()])
    findings = []
    missing = fonts.missing_glyphs(chars)
    if missing:
        findings.append(Finding("W-FONT-GLYPH", WARNING,
                                f"字体 {fonts.FAMILY} 中没有这些字：{missing}；PDF 中它们会显示成空框，请改用通用写法或另装字体",
                                Source("fonts")))
    blank = fonts.font_face_css(fonts.field_font())
    filled = fonts.font_face_css(fonts.field_font(chars))
    return FontPlan(blank_css=blank, filled_css=filled), findings


def dossier_files(dossiers, plan: FontPlan, selection: Selection = ALL, *, cache: bool = True) -> dict[str, bytes]:
    chosen = [d for d in dossiers if selection.household(d)]
    files = {}
    jobs = []
    for d in chosen:
        base = f"dossiers/{d.village_id}/{d.household_id}"
        files[f"{base}.html"] = render_dossier(d).encode("utf-8")
        jobs.append(Job(render_dossier(d, font_css=plan.filled_css)))
    for d, pdf in zip(chosen, render_all(jobs, cache=cache)):
        files[f"dossiers/{d.village_id}/{d.household_id}.pdf"] = pdf
    return files


@dataclass(frozen=True)
class FormDocument:
    path: str  # below private/
    form: FormDef
    html: str


def blank_documents(forms: list[FormDef], plan: FontPlan) -> list[FormDocument]:
    page = Page(font_css=plan.blank_css, as_of="", commit="", blank=True)
    return [FormDocument(f"forms/blank/{form.name}.pdf", form, render_form(form, None, page)) for form in forms]


def filled_documents(forms: list[FormDef], records, dossiers, plan: FontPlan, *, as_of: dt.date, commit: str,
                     selection: Selection = ALL) -> list[FormDocument]:
    site = site_info(records, as_of, commit)
    page = Page(font_css=plan.filled_css, as_of=as_of.isoformat(), commit=commit, blank=False)
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
        for key, item in items:
            if all(is_truthy(value_at(item, path)) for path in form.requires):
                docs.append(FormDocument(f"forms/{form.name}/{key}.pdf", form, render_form(form, item, page)))
    return docs


def _people(records):
    lookup = People(records)
    return tuple(lookup(s.id) for s in records.staff)


def render_forms(documents: list[FormDocument], *, cache: bool = True) -> dict[str, bytes]:
    pdfs = render_all([Job(doc.html, forms=True) for doc in documents], cache=cache)
    return {doc.path: pdf for doc, pdf in zip(documents, pdfs)}


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


