"""The published site: the public view through the templates of `site_templates/`, and nothing else.

This is the one place the published pages are made, and it is closed by construction:

- `render_site` accepts a `PublicView` only (a TypeError otherwise), and every value it hands a template is a part of
  that view, plain text or numbers, or HTML it made itself (Markdown pages, charts);
- the environment is sandboxed (no `__class__`, `__globals__` or other ways out of the view) and loads only
  `site_templates/`; the internal templates (`report_templates/`) live elsewhere and are never on its path;
- a template error (a name the view does not have, a syntax error) becomes a finding naming the template and line.

Templates receive the view as `site`, narrowed to the fields the template is declared to read (`READS`), the village
or page being rendered, and `root`, the relative path back to the site's top ("" or "../"), so every link is
relative and the site works opened from disk or served under any path. A page whose declared inputs are those of the
previous build into the same output is not rendered again (`memo.py`).
Besides the pages, the site has `search-index.js` (the search index as JSON, loaded by `static/search.js`; a script
file rather than a .json so that it loads from disk too) and the static files of `site_templates/static/`.
"""

from __future__ import annotations

import json
import re
import traceback
from html import unescape
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .. import assets, csp
from ..cachestore import LastMade, PerObject
from ..findings import ERROR, Finding, Source
from ..output import Tree
from ..stamp import Stamp
from ..views.public import PublicView
from ..views.public_parts import _PLAIN, Cadre, _Part
from .charts import on_time_chart, weeks_chart
from . import memo as memos
from .memo import Fields, NoMemo, base_digest, digest
from .rows import unkept
from .templating import compiled_templates, zh_date

TEMPLATES = assets.SITE_TEMPLATES
_TAGS = re.compile(r"<[^>]+>")
# JSON inside a script: `</script>` or `<!--` in a title must not end or change the script if the index is ever
# inlined in a page, `&` must not start an entity in an XHTML reading, and U+2028/2029 end a line in older JavaScript.
# These characters occur only inside JSON strings, where the \u escapes mean the same.
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def _script_safe(text: str) -> str:
    """`text.translate(_SCRIPT_SAFE)`, by one `str.replace` a character (a county's index is a few megabytes of
    Chinese, which `translate` with a dict looks up character by character); no escape holds a character escaped."""
    for code, escape in _SCRIPT_SAFE.items():
        if chr(code) in text:
            text = text.replace(chr(code), escape)
    return text


class SiteTemplateError(Exception):
    """A published template could not be rendered; `finding` says which and where."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


def published_environment(stamp: Stamp | None = None) -> SandboxedEnvironment:
    env = SandboxedEnvironment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                               bytecode_cache=compiled_templates(__name__))
    env.filters["zh_date"] = zh_date
    env.globals["stamp"] = stamp
    env.globals["kept_rows"] = unkept  # render_site keeps its pages' rows (rows.py)
    return env


@dataclass(frozen=True)
class Link(_Part):
    """A village or notice page as base.html's navigation lists it: an address and a name, nothing that changes with
    the figures (so a visit does not make every page new)."""

    id: str
    name: str


@dataclass(frozen=True)
class PageLink(_Part):
    slug: str
    title: str


@dataclass(frozen=True)
class Listed(_Part):
    """A village as the search page lists it: its address, name and 公示 entries, not its figures (a visit does not
    make the search page new)."""

    id: str
    name: str
    entries: tuple


@dataclass(frozen=True)
class CadreLink(_Part):
    """A cadre as the search page lists them: the label and the village, not the figures."""

    label: str
    village: str


# In a process that keeps its caches: each village's and cadre's projection made of the very village or status row
# the last view held too (public._Kept hands the unchanged ones out again), so that its digest is kept (memo.Parts).
_PROJECTED = PerObject()
_PART_TUPLES: dict = {}  # (field, projection) -> LastMade: its tuple of parts' digest (`digest_of`)


def _search_villages(view: PublicView) -> tuple[Listed, ...]:
    return tuple(_PROJECTED.get(v, lambda v=v: Listed(v.id, v.name, v.entries), "listed") for v in view.villages)


def _search_cadres(view: PublicView) -> tuple[CadreLink, ...]:
    return tuple(_PROJECTED.get(c, lambda c=c: CadreLink(c.label, c.village), "cadre") for c in view.cadres)


@dataclass(frozen=True)
class IndexedCadre(_Part):
    """A cadre as the search index lists them: the search page's fields and the cadre's post (`cadre.post`)."""

    label: str
    village: str
    cadre: Cadre | None


def _indexed_cadres(view: PublicView) -> tuple[IndexedCadre, ...]:
    return tuple(_PROJECTED.get(c, lambda c=c: IndexedCadre(c.label, c.village, c.cadre), "indexed")
                 for c in view.cadres)


def _village_links(view: PublicView) -> tuple[Link, ...]:
    return tuple(_PROJECTED.get(v, lambda v=v: Link(v.id, v.name), "link") for v in view.villages)


def _page_links(view: PublicView) -> tuple[PageLink, ...]:
    return tuple(PageLink(p.slug, p.title) for p in view.pages)


WHOLE = None  # a field read as the view has it
# What each template reads of the view (`site`), base.html's share included: the field as it is (WHOLE) or a
# projection of it. A page is given only these (memo.Fields), and its digest covers only these: a name missing here
# is undefined to the template and fails the build; tests/test_render_memo.py checks they are enough.
_BASE = {"jurisdiction": WHOLE, "parent": WHOLE, "as_of": WHOLE, "alerts": WHOLE, "profile_title": WHOLE,
         "profile_document": WHOLE, "k": WHOLE, "hidden_mark": WHOLE, "villages": _village_links, "pages": _page_links}
READS = {
    "index.html": {**_BASE, "villages": WHOLE, "headline": WHOLE, "alert_word": WHOLE, "by_category": WHOLE,
                   "by_level": WHOLE, "households": WHOLE, "categories": WHOLE, "levels": WHOLE, "weeks": WHOLE},
    "status.html": {**_BASE, "villages": WHOLE, "headline": WHOLE, "alert_word": WHOLE, "gap_bands": WHOLE,
                    "cadres": WHOLE},
    "search.html": {**_BASE, "villages": _search_villages, "cadres": _search_cadres},
    "village.html": {**_BASE, "office_phone": WHOLE, "has_levels": WHOLE, "alert_word": WHOLE, "by_category": WHOLE,
                     "by_level": WHOLE, "households": WHOLE},
    "page.html": _BASE,
    "version.html": _BASE,
}
# What the search index (`search_index`) reads: a visit changes none of it, so it is rendered when a name, an entry
# or a page does (it is a county's largest file: 7 MB at 25,000 households).
INDEX_READS = {"villages": _search_villages, "cadres": _indexed_cadres, "pages": _page_links, "alerts": WHOLE}
# What the templates read of the stamp: base.html's footer, and version.html, the one page that names the commit.
STAMP_SHOWN = ("dirty", "as_of", "trail_label", "tool_version")
STAMP_READS = {"version.html": (*STAMP_SHOWN, "commit", "commit_time", "profile")}


class _Narrowed:
    """The view's fields as the templates read them, each worked out (and digested) once per build."""

    def __init__(self, view: PublicView):
        self.view = view
        self.values: dict[tuple[str, object], object] = {}
        self.digests: dict[tuple[str, object], bytes] = {}
        self.parts = memos.Parts()

    def part(self, value) -> bytes:
        """The digest of one part of the view (a village), worked out once per build whichever pages read it."""
        return self.parts.of(value)

    def digest_of(self, value, key=None) -> bytes:
        """A tuple of parts (the villages) digests as its parts' digests, which the villages' own pages share. In a
        process that keeps its caches, the tuple read under `key` keeps its digest while it holds the very parts it
        held (11,000 cadres' rows at 25,000 households)."""
        if isinstance(value, tuple) and value and all(isinstance(item, _Part) for item in value):
            def made() -> bytes:
                return digest(("parts", tuple(self.part(item) for item in value)))
            return made() if key is None else _PART_TUPLES.setdefault(key, LastMade()).get(lambda: (value, ()), made)
        return digest(value)

    def context(self, context: Mapping) -> tuple:
        """A page's own context (its village, its page) as its digest takes it."""
        return tuple((name, self.part(value) if isinstance(value, _Part) else value)
                     for name, value in sorted(context.items()))

    def value(self, name: str, projection):
        key = (name, projection)
        if key not in self.values:
            self.values[key] = getattr(self.view, name) if projection is WHOLE else projection(self.view)
        return self.values[key]

    def fields(self, reads: Mapping) -> Fields:
        return memos.narrow(self.view, {name: self.value(name, projection) for name, projection in reads.items()})

    def digests_of(self, reads: Mapping) -> tuple:
        out = []
        for name, projection in sorted(reads.items(), key=lambda item: item[0]):
            key = (name, projection)
            if key not in self.digests:
                self.digests[key] = self.digest_of(self.value(name, projection), key)
            out.append((name, getattr(projection, "__name__", "whole"), self.digests[key]))
        return tuple(out)


def render_site(view: PublicView, pages_html: Mapping[str, Markup], *, stamp: Stamp | None = None,
                memo=None) -> Tree:
    """Every file of the site, by path relative to the site's top. `memo` (memo.Memo, seen from `site/`): a page
    whose inputs are those of the previous build is taken from the output rather than rendered again."""
    if not isinstance(view, PublicView):
        raise TypeError(f"the published site renders a PublicView only, not {type(view).__name__}")
    env = published_environment(None)  # the stamp reaches a page in its context, narrowed like the view
    _check_values("stamp", stamp)
    memo = memo or NoMemo()
    _PROJECTED.begin(None)
    narrowed = _Narrowed(view)
    base: list[bytes] = []  # the templates' and code's digest, worked out when a first page needs it
    checked: dict[int, tuple] = {}  # the view's tuples the pages were given, checked once (`_check_values`)
    files = Tree()

    def base_of() -> bytes:
        if not base:
            base.append(base_digest(TEMPLATES))
        return base[0]

    env.globals["kept_rows"] = lambda macro, items, *args: memo.rows.render(base_of, macro, items, *args,
                                                                            parts=narrowed.parts)

    def render(path: str, template: str, charts=None, **context) -> None:
        reads = READS[template]
        shown = None if stamp is None else memos.narrow(
            stamp, {n: getattr(stamp, n) for n in STAMP_READS.get(template, STAMP_SHOWN)})

        def inputs():
            return (base_of(), path, template, narrowed.digests_of(reads), shown, narrowed.context(context))

        def make() -> bytes:
            site = narrowed.fields(reads)
            full = {"site": site, "root": "../" * path.count("/"), "here": path, "stamp": shown, **context,
                    **(charts(site, **context) if charts else {})}
            for name, value in full.items():
                _check_values(name, value, checked)
            try:
                html = env.get_template(template).render(**full)
            except TemplateError as error:
                raise SiteTemplateError(_template_finding(error, template)) from None
            return csp.sealed(html).encode("utf-8")

        files.add(path, memo.page(path, inputs, make))

    render("index.html", "index.html", charts=lambda site: {
        "chart_on_time": on_time_chart("chart-on-time", tuple(v.status for v in site.villages),
                                       "各村（社区）按时走访率", site.k),
        "chart_weeks": weeks_chart("chart-weeks", site.weeks, "全辖区每周走访次数")})
    render("status.html", "status.html", charts=lambda site: {
        "chart_on_time": on_time_chart("chart-status", tuple(v.status for v in site.villages),
                                       "各村（社区）按时走访率", site.k)})
    render("search.html", "search.html")
    render("version.html", "version.html")  # the one page that names the commit (issue 16)
    for village in view.villages:
        render(f"villages/{village.id}.html", "village.html", village=village, charts=lambda site, village: {
            "chart_weeks": weeks_chart("chart-weeks", village.weeks, f"{village.name}每周走访次数")})
    for page in view.pages:
        render(f"pages/{page.slug}.html", "page.html", page=page, body=pages_html[page.slug])
    page_texts = tuple((p.slug, str(pages_html[p.slug])) for p in view.pages)
    files.add("search-index.js", memo.page(
        "search-index.js", lambda: (base_of(), "search-index.js", narrowed.digests_of(INDEX_READS), page_texts),
        lambda: search_index(narrowed.fields(INDEX_READS), pages_html)))
    _PROJECTED.done()
    static = TEMPLATES / "static"
    for path in sorted(p for p in static.rglob("*") if p.is_file() and not p.name.startswith(".")):
        files.add(f"static/{path.relative_to(static).as_posix()}", path.read_bytes())
    return files


def search_index(view, pages_html: Mapping[str, Markup]) -> bytes:
    """What the search page searches: villages, 公示 entries, cadres and pages, each with its address and text.
    `view`: the public view, or its fields `INDEX_READS` names.

    Besides the title (t), kind (k), address (u) and searched text (s), what tells like results apart on the results
    list (issue 18): the village (v), the 公示编号 (n), a short detail (d: category and level, a cadre's post) and the
    page the result opens (p). All of them are on the published pages already (the 公示 row, the status table), and
    the proof scans this file like any page."""
    status_page = "走访情况与通报" if view.alerts else "走访情况"
    entries = []
    for village in view.villages:
        page = f"{village.name}关爱帮扶公示"
        entries.append({"t": village.name, "k": "村（社区）", "u": f"villages/{village.id}.html", "s": village.name,
                        "v": village.name, "p": page})
        for e in village.entries:
            cadres = " ".join(c.label for c in e.cadres)
            entries.append({"t": f"{e.name}（{village.name}）", "k": "公示对象",
                            "u": f"villages/{village.id}.html#p-{e.public_id}",
                            "s": " ".join([e.name, village.name, e.category, e.level, *e.policies, cadres,
                                           e.public_id]),
                            "v": village.name, "n": e.public_id, "d": " ".join(x for x in (e.category, e.level) if x),
                            "p": page})
    for cadre in view.cadres:
        post = cadre.cadre.post if cadre.cadre else ""
        entries.append({"t": f"{cadre.label}（{cadre.village}）", "k": "包保责任人", "u": "status.html#cadres",
                        "s": " ".join([cadre.label, cadre.village, post]), "v": cadre.village, "d": post,
                        "p": status_page})
    for page in view.pages:
        text = " ".join(unescape(_TAGS.sub(" ", str(pages_html[page.slug]))).split())
        entries.append({"t": page.title, "k": "公告与说明", "u": f"pages/{page.slug}.html", "s": text, "p": page.title})
    data = _script_safe(json.dumps(entries, ensure_ascii=False, separators=(",", ":")))
    return f"/* careledger 站内搜索索引：由 build 生成，只含公开页面上已有的内容 */\nwindow.CARELEDGER_SEARCH = {data};\n".encode("utf-8")


def _check_values(name: str, value, checked: dict[int, tuple] | None = None) -> None:
    """What the published templates may receive: parts of the public view, plain values, HTML made here, the stamp.
    `checked`: the tuples found good so far in this build, by identity (kept alive there, so an id is not reused).
    The pages share the view's tuples, and a county's 2,500 village pages each walked every village's (6.4 million
    calls on a new day at 25,000 households); a tuple's items cannot change, so one walk of each answers for all."""
    if isinstance(value, tuple):
        if checked is not None and id(value) in checked:
            return
        for item in value:
            _check_values(name, item, checked)
        if checked is not None:
            checked[id(value)] = value
    elif isinstance(value, Fields):
        for field, item in value._values.items():
            _check_values(f"{name}.{field}", item, checked)
    elif not isinstance(value, (_Part, *_PLAIN, Markup, Stamp)):
        raise TypeError(f"published template value {name!r} is a {type(value).__name__}: "
                        "only the public view may reach a published page")


def _template_finding(error: TemplateError, template: str) -> Finding:
    where, line = template, 0
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        if frame.filename and str(TEMPLATES) in frame.filename:
            where, line = Path(frame.filename).relative_to(TEMPLATES).as_posix(), frame.lineno or 0
            break
    if getattr(error, "lineno", None) and getattr(error, "name", None):
        where, line = error.name, error.lineno
    return Finding("E-TEMPLATE", ERROR, f"公开网站模板出错：{error.message or error}（公开模板只能使用公开视图中的字段，见 "
                   "docs/privacy.md）", Source(f"site_templates/{where}", line, 1 if line else 0))
