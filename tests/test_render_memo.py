"""Issue 16, "a page changes when its content changes": the render memo (careledger/render/memo.py) renders a page
only when the digest of its declared inputs differs from the previous build's, and reuses the output's bytes
otherwise. What must hold, on real builds:

- the declarations are complete: every page of every profile's demo comes out the same from the narrowed context
  (the declared fields only, as built) as from the whole view and stamp (as before the memo), so a template that
  reads or tests a field it does not declare is caught here;
- after one visit committed only the pages whose inputs changed are rendered, and a build whose inputs are
  unchanged renders none;
- a page of the previous output that was edited or deleted is rendered again, not trusted.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from careledger import pipeline
from careledger.demo import DemoSpec, write_demo
from careledger.pipeline import BuildFailed, build_all
from careledger.render import memo as memos
from careledger.render import reports as report_render
from careledger.render import site as site_render

from .gitkit import loaded_demo

AS_OF = dt.date(2026, 11, 23)
PROFILES = sorted(p.stem for p in (Path(site_render.__file__).parent.parent / "profiles").glob("*.yaml"))


@pytest.fixture
def captured(monkeypatch):
    """What the build handed the site's and the reports' renderers, and the memos it made."""
    seen = {"site": [], "reports": [], "memos": []}

    def capture(name, function):
        def wrapper(*args, **kwargs):
            seen[name].append((args, kwargs))
            return function(*args, **kwargs)
        return wrapper

    class Counting(memos.Memo):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen["memos"].append(self)

    monkeypatch.setattr(pipeline, "render_site", capture("site", pipeline.render_site))
    monkeypatch.setattr(pipeline, "render_reports", capture("reports", pipeline.render_reports))
    monkeypatch.setattr(pipeline, "Memo", Counting)
    return seen


def whole_context(monkeypatch) -> None:
    """Templates given the whole view and the whole stamp, as they were before the memo."""
    monkeypatch.setattr(memos, "narrow", lambda whole, values: whole)


def rendered_both_ways(seen, monkeypatch, **reports_options) -> tuple[dict, dict]:
    """The site and reports rendered again from what the last build rendered them from (with `reports_options`
    changed): narrowed, and whole."""
    (site_args, site_kwargs), (report_args, report_kwargs) = seen["site"][-1], seen["reports"][-1]
    report_kwargs = {**report_kwargs, **reports_options}

    def render_all():
        files = {f"site/{rel}": data for rel, data in
                 site_render.render_site(*site_args, **{**site_kwargs, "memo": None}).items()}
        files.update({f"reports/{rel}": data for rel, data in
                      report_render.render_reports(*report_args, **{**report_kwargs, "memo": None}).items()})
        return files

    narrowed = render_all()
    with monkeypatch.context() as patch:
        whole_context(patch)
        whole = render_all()
    return narrowed, whole


def differing(a: dict, b: dict) -> list[str]:
    return sorted(rel for rel in a.keys() | b.keys() if a.get(rel) != b.get(rel))


def tree(output: Path, folders=("site/", "reports/")) -> dict[str, bytes]:
    files = {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    return {rel: data for rel, data in files.items() if rel.startswith(folders)}


@pytest.mark.parametrize("profile", PROFILES)
def test_every_page_of_each_profiles_demo_is_the_same_from_the_declared_fields_as_from_the_whole_view(
        profile, tmp_path, monkeypatch, captured):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    content, output = tmp_path / "content", tmp_path / "out"
    write_demo(content, DemoSpec(households=40, months=4, profile=profile))
    build_all(content, output, as_of=AS_OF, paper=False)
    narrowed, whole = rendered_both_ways(captured, monkeypatch)
    assert len(captured["memos"][-1].rendered) > 20
    assert set(captured["memos"][-1].rendered) <= narrowed.keys()
    assert not differing(narrowed, whole)
    assert narrowed == tree(output)  # and what the build wrote is what rendering gives


def test_with_a_commit_and_uncommitted_changes_the_pages_are_the_same_both_ways(tmp_path, monkeypatch, captured):
    """The stamp's commit, its time and the dirty notice (version pages, footers, the 通报)."""
    repo = loaded_demo(tmp_path, monkeypatch, AS_OF)
    build_all(repo.root, tmp_path / "out", as_of=AS_OF, paper=False)
    narrowed, whole = rendered_both_ways(captured, monkeypatch)
    assert captured["site"][-1][1]["stamp"].commit.encode() in narrowed["site/version.html"]
    assert not differing(narrowed, whole)
    visits = sorted((repo.root / "visits").glob("*/*.yaml"))[-1]
    visits.write_text(visits.read_text(encoding="utf-8") + "# 未提交\n", encoding="utf-8")
    build_all(repo.root, tmp_path / "out", as_of=AS_OF, allow_dirty=True, paper=False)
    assert captured["site"][-1][1]["stamp"].dirty
    for dossiers in (False, True):  # the working lists link to the dossiers when a build prints them
        narrowed, whole = rendered_both_ways(captured, monkeypatch, dossiers=dossiers)
        assert not differing(narrowed, whole)


def test_the_comparison_catches_a_template_that_tests_an_undeclared_field(tmp_path, monkeypatch, captured):
    """The check above can fail: page.html testing `site.cadres` (not declared for it) renders otherwise narrowed,
    and a declared field left out stops the build with the template's name."""
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    content = tmp_path / "content"
    write_demo(content, DemoSpec(households=20, months=2))
    templates = tmp_path / "templates"
    shutil.copytree(site_render.TEMPLATES, templates)
    page = templates / "page.html"
    tested = "{% if site.cadres is defined %}<p>包保责任人</p>{% endif %}"
    page.write_text(page.read_text(encoding="utf-8").replace("{% block content %}", "{% block content %}" + tested, 1),
                    encoding="utf-8")
    assert "site.cadres" in page.read_text(encoding="utf-8")
    monkeypatch.setattr(site_render, "TEMPLATES", templates)
    build_all(content, tmp_path / "out", as_of=AS_OF, paper=False)
    narrowed, whole = rendered_both_ways(captured, monkeypatch)
    assert differing(narrowed, whole) and all(rel.startswith("site/pages/") for rel in differing(narrowed, whole))

    monkeypatch.setattr(site_render, "TEMPLATES", site_render.assets.SITE_TEMPLATES)
    monkeypatch.setitem(site_render.READS, "village.html",
                        {k: v for k, v in site_render.READS["village.html"].items() if k != "office_phone"})
    with pytest.raises(BuildFailed) as failed:
        build_all(content, tmp_path / "out2", as_of=AS_OF, paper=False)
    assert any(f.code == "E-TEMPLATE" and "village.html" in str(f.source) for f in failed.value.findings)


def add_visit(root: Path) -> Path:
    """One more visit, a copy of the last one of the last visit file (as bench/stages.py adds it)."""
    path = sorted((root / "visits").glob("*/*.yaml"))[-1]
    text = path.read_text(encoding="utf-8")
    path.write_text(text + text[text.rindex("\n- date:") + 1:], encoding="utf-8")
    return path


def touch(output: Path) -> None:
    """The output seen as changed (a file's time, its bytes the same), so the next build is not skipped
    (fingerprint.py) and runs every stage on inputs that have not changed."""
    path = output / "BUILD.json"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_one_visit_committed_renders_only_the_pages_whose_inputs_changed(tmp_path, monkeypatch, captured):
    repo = loaded_demo(tmp_path, monkeypatch, AS_OF)
    output = tmp_path / "out"
    build_all(repo.root, output, as_of=AS_OF, paper=False)
    first = captured["memos"][-1]
    assert not first.reused and len(first.rendered) > 30
    before = tree(output)

    add_visit(repo.root)
    repo.commit("2026-11-23", "补录一次走访")
    build_all(repo.root, output, as_of=AS_OF, paper=False)
    second = captured["memos"][-1]
    after = tree(output)
    changed = {rel for rel in differing(before, after) if rel in second.digests}
    rendered = set(second.rendered)
    assert changed <= rendered  # (a page whose bytes changed was rendered, necessarily: checked anyway)
    assert {"site/version.html", "reports/version.html"} <= rendered  # they name the commit
    assert rendered == {rel for rel, key in second.digests.items() if first.digests.get(rel) != key}
    # Rendered and come out as they were: only a list's or a table's CSV, which shows less than its page, and the
    # status page, which reads the villages' and cadres' figures to show some of them. The search page and its
    # index list the villages and cadres without their figures: not rendered.
    assert rendered - changed <= {rel[:-5] + ".csv" for rel in changed if rel.endswith(".html")} | {
        "site/status.html"}, sorted(rendered - changed)
    assert {"site/search.html", "site/search-index.js"} <= set(second.reused) and "site/index.html" in rendered
    one_village = [rel for rel in rendered if rel.startswith("site/villages/")]
    assert len(one_village) == 1 and len([rel for rel in before if rel.startswith("site/villages/")]) > 1
    assert len(rendered) < len(second.digests) / 3, (len(rendered), len(second.digests))
    assert sorted(second.reused) == sorted(set(second.digests) - rendered)
    narrowed, whole = rendered_both_ways(captured, monkeypatch)  # and the pages are what rendering gives
    assert narrowed == after and not differing(narrowed, whole)

    touch(output)  # the same inputs: nothing rendered, every page read back
    result = build_all(repo.root, output, as_of=AS_OF, paper=False)
    third = captured["memos"][-1]
    assert third is not second and not result.skipped
    assert third.rendered == [] and len(third.reused) == len(second.digests)
    assert tree(output) == after


def test_an_edited_or_deleted_page_of_the_previous_output_is_rendered_again(tmp_path, monkeypatch, captured):
    repo = loaded_demo(tmp_path, monkeypatch, AS_OF)
    output = tmp_path / "out"
    build_all(repo.root, output, as_of=AS_OF, paper=False)
    built = tree(output)
    village = next(rel for rel in sorted(built) if rel.startswith("site/villages/"))
    desk = "reports/desk-all.csv"
    edited = built[village].replace("</main>".encode(), "<p>手工改过</p></main>".encode())
    assert edited != built[village]
    (output / village).write_bytes(edited)
    (output / desk).unlink()
    # the same size, another byte: still caught (the recorded hash, not the size or time)
    table = next(rel for rel in sorted(built) if rel.startswith("reports/") and rel.endswith(".html")
                 and rel not in ("reports/index.html",) and b"<td>" in built[rel])
    data = bytearray(built[table])
    at = data.index(b"<td>") + 4
    data[at:at + 1] = b"X" if data[at:at + 1] != b"X" else b"Y"
    stat = (output / table).stat()
    (output / table).write_bytes(bytes(data))
    os.utime(output / table, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    build_all(repo.root, output, as_of=AS_OF, paper=False)
    memo = captured["memos"][-1]
    assert sorted(memo.rendered) == sorted([village, desk, table])
    assert tree(output) == built


def test_another_as_of_date_or_a_dirty_build_renders_the_pages_that_show_it(tmp_path, monkeypatch, captured):
    """An output written with --allow-dirty, or for another day, is not taken for this build's."""
    repo = loaded_demo(tmp_path, monkeypatch, AS_OF)
    output = tmp_path / "out"
    build_all(repo.root, output, as_of=AS_OF, paper=False)
    clean = tree(output)
    pages = {rel for rel in clean if rel.endswith(".html") and rel != "reports/index.html"}

    build_all(repo.root, output, as_of=AS_OF + dt.timedelta(days=1), paper=False)  # every page shows the day
    assert pages <= set(captured["memos"][-1].rendered)

    add_visit(repo.root)  # uncommitted: every page says so
    build_all(repo.root, output, as_of=AS_OF, allow_dirty=True, paper=False)
    assert pages <= set(captured["memos"][-1].rendered)
    assert all("含未提交的修改".encode() in tree(output)[rel] for rel in pages if rel.startswith("site/"))

    repo.commit("2026-11-23", "补录一次走访")  # committed: the dirty pages are not reused
    build_all(repo.root, output, as_of=AS_OF, paper=False)
    assert pages <= set(captured["memos"][-1].rendered)
    assert all("含未提交的修改".encode() not in data for rel, data in tree(output).items() if rel in pages)


def test_a_changed_template_renders_every_page_again(tmp_path, monkeypatch, captured):
    """The templates' folder is in every page's digest (a base.html, an include or a static file)."""
    repo = loaded_demo(tmp_path, monkeypatch, AS_OF)
    output = tmp_path / "out"
    build_all(repo.root, output, as_of=AS_OF, paper=False)
    pages = set(captured["memos"][-1].digests)
    templates = tmp_path / "templates"
    shutil.copytree(site_render.TEMPLATES, templates)
    village = templates / "village.html"
    village.write_text(village.read_text(encoding="utf-8").replace(
        "{% block content %}", "{% block content %}<p>模板改过</p>", 1), encoding="utf-8")
    monkeypatch.setattr(site_render, "TEMPLATES", templates)
    touch(output)  # (the build's fingerprint holds the package's templates, not this copy)
    build_all(repo.root, output, as_of=AS_OF, paper=False)
    rendered = set(captured["memos"][-1].rendered)
    assert {rel for rel in pages if rel.startswith("site/")} <= rendered
    assert not {rel for rel in rendered if rel.startswith("reports/")}  # their templates are another folder
    villages = {rel: data for rel, data in tree(output).items() if rel.startswith("site/villages/")}
    assert villages and all("模板改过".encode() in data for data in villages.values())


def test_the_code_the_libraries_and_python_are_in_every_pages_digest(tmp_path, monkeypatch):
    code = tmp_path / "careledger"
    shutil.copytree(memos.assets.PACKAGE, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(memos.assets, "PACKAGE", code)
    first = memos.base_digest(site_render.TEMPLATES)
    assert memos.base_digest(site_render.TEMPLATES) == first
    charts = code / "render" / "charts.py"
    charts.write_text(charts.read_text(encoding="utf-8") + "\n# 改过\n", encoding="utf-8")
    second = memos.base_digest(site_render.TEMPLATES)
    assert second != first
    assert memos.base_digest(report_render.TEMPLATES) != second
    real = memos.metadata.version
    monkeypatch.setattr(memos.metadata, "version", lambda name: "0.0" if name == "jinja2" else real(name))
    third = memos.base_digest(site_render.TEMPLATES)
    assert third != second
    monkeypatch.setattr(memos.sys, "version", memos.sys.version + " (another build)")
    assert memos.base_digest(site_render.TEMPLATES) != third


def test_a_kept_parts_digest_is_the_very_objects_and_its_only(monkeypatch, tmp_path):
    """In a process that keeps its caches, the digest of a frozen part or of a tuple of strings (a long table's row) is
    kept from one build (a Memo's life) to the next for that very object; an equal new object, another tuple and
    anything outside such a process are digested again."""
    from careledger import cachestore
    from careledger.views.public_parts import Term

    digested = []
    real = memos.digest
    monkeypatch.setattr(memos, "digest", lambda value: digested.append(value) or real(value))
    cachestore.keep_in_memory()
    part, row, mixed = Term("1", "特困供养人员", ""), ("a", "b"), ("a", 1)
    memo = memos.Memo(tmp_path / "out")
    memos.Parts().of(part), memos.Parts().of(row), memos.Parts().of(mixed)
    memo.settle()
    assert digested == [part, row, mixed]
    memo = memos.Memo(tmp_path / "out")
    assert memos.Parts().of(part) == real(part) and memos.Parts().of(row) == real(row)
    assert len(digested) == 3  # the very objects: kept
    assert memos.Parts().of(Term("1", "特困供养人员", "")) == real(part) and len(digested) == 4  # an equal one
    assert memos.Parts().of(tuple(["a", "b"])) == real(row) and len(digested) == 5  # (not the code's constant)
    memos.Parts().of(mixed)
    assert len(digested) == 6
    memo.settle()
    cachestore.keep_in_memory(False)
    memo = memos.Memo(tmp_path / "out")
    memos.Parts().of(part), memos.Parts().of(row)
    assert len(digested) == 8


def test_a_villages_and_cadres_projections_are_kept_with_them(tmp_path):
    """The search page's and the navigation's projections of a village or a cadre's row are made again only for a
    part the view made anew, so that an unchanged village's digest is kept (render/site._PROJECTED)."""
    from careledger import cachestore
    from careledger.load import load
    from careledger.rules import run_rules
    from careledger.views.public import redact

    from .publickit import AS_OF as PUBLIC_AS_OF, jurisdiction

    records, _ = load(jurisdiction(tmp_path / "content"), today=PUBLIC_AS_OF)
    view = redact(records, run_rules(records, PUBLIC_AS_OF), PUBLIC_AS_OF, records.site.privacy)
    cachestore.keep_in_memory()
    made = []
    for _ in range(2):
        site_render._PROJECTED.begin(None)
        made.append((*site_render._search_villages(view), *site_render._search_cadres(view),
                     *site_render._indexed_cadres(view), *site_render._village_links(view)))
        site_render._PROJECTED.done()
    assert len(made[0]) > 3 and all(a is b for a, b in zip(*made))
    assert made[0] == tuple(x for f in (site_render._search_villages, site_render._search_cadres,
                                        site_render._indexed_cadres, site_render._village_links) for x in f(view))


def test_a_tuple_of_parts_keeps_its_digest_while_it_holds_the_very_parts(monkeypatch):
    """`site._Narrowed.digest_of` in a process that keeps its caches: a field's tuple of parts (the cadres' rows)
    made anew of the very parts keeps its digest; another part in it, or a process that keeps nothing, digests it
    again, to the digest a tuple read the first time has."""
    from careledger import cachestore
    from careledger.views.public_parts import Term

    digested = []
    real = site_render.digest
    monkeypatch.setattr(site_render, "digest", lambda value: digested.append(value) or real(value))
    monkeypatch.setattr(site_render, "_PART_TUPLES", {})
    cachestore.keep_in_memory()
    key = ("categories", site_render.WHOLE)
    parts = (Term("1", "特困供养人员", ""), Term("2", "低保对象", ""))
    first = site_render._Narrowed(None).digest_of(parts, key)
    assert site_render._Narrowed(None).digest_of(tuple(list(parts)), key) == first and len(digested) == 1
    other = (parts[0], Term("2", "低保边缘对象", ""))
    changed = site_render._Narrowed(None).digest_of(other, key)
    assert len(digested) == 2 and changed != first
    assert changed == site_render._Narrowed(None).digest_of(tuple(list(other)), ("another", None))
    cachestore.keep_in_memory(False)
    assert site_render._Narrowed(None).digest_of(other, key) == changed and len(digested) == 4
