"""Issue 16: the rows of the long tables are rendered once and kept across builds (careledger/render/rows.py). What
must hold: a page made with the rows kept from earlier builds is byte for byte the page made without them, whatever
changed in between (rows edited, added, removed, reordered; a list's other arguments), and the kept rows are used.
The views are a demo build's, edited at random; each "build" keeps the rows the previous one left (Rows.to_keep)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from careledger import pipeline
from careledger.demo import DemoSpec, write_demo
from careledger.pipeline import build_all
from careledger.render import memo as memos
from careledger.render import reports as report_render
from careledger.render import rows as rowcache
from careledger.render import site as site_render

AS_OF = dt.date(2026, 11, 23)


class Rendering:
    """A memo that renders every page (no output to reuse) and keeps the rows, as the build's Memo does."""

    def __init__(self, kept=None):
        self.rows = rowcache.Rows(kept)
        self.rendered: list[str] = []

    def page(self, path, inputs, render):
        inputs()  # the digest is the memo's business; its inputs must still be worked out without failing
        self.rendered.append(path)
        self.rows.page = path
        return render()

    def always(self, path, render):
        self.rendered.append(path)
        self.rows.page = path
        return render()

    def kept(self):
        return self.rows.to_keep(self.rendered, set(self.rendered))


@pytest.fixture(scope="module")
def views(tmp_path_factory):
    """The public and reports views of a demo build (and the other arguments their renderers were given)."""
    tmp = tmp_path_factory.mktemp("rows")
    seen = {}
    patch = pytest.MonkeyPatch()
    patch.setenv("CARELEDGER_CACHE_DIR", str(tmp / "cache"))
    for name in ("render_site", "render_reports"):
        real = getattr(pipeline, name)
        patch.setattr(pipeline, name, lambda *a, _real=real, _name=name, **k: (
            seen.__setitem__(_name, (a, {n: v for n, v in k.items() if n != "memo"})), _real(*a, **k))[1])
    try:
        write_demo(tmp / "content", DemoSpec(households=60, months=4))
        build_all(tmp / "content", tmp / "out", as_of=AS_OF, paper=False)
    finally:
        patch.undo()
    return seen


def edited_rows(rows: tuple, rng: random.Random, edit) -> tuple:
    """Some rows edited (`edit`), some dropped, some copied to another place, the order changed here and there."""
    out = [edit(row) if rng.random() < 0.15 else row for row in rows if rng.random() > 0.1]
    for _ in range(rng.randint(0, 3)):
        if rows:
            out.insert(rng.randint(0, len(out)), edit(rng.choice(rows)))
    if len(out) > 2 and rng.random() < 0.5:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    return tuple(out)


def edited_reports(view, rng: random.Random):
    def cell_edit(row):
        i = rng.randrange(len(row))
        return row[:i] + (rng.choice(["", "=1+1", "<b>改</b>", row[i] + "改", "张*"]),) + row[i + 1:]

    def desk_edit(row):
        return dataclasses.replace(row, what=row.what + "（改）", days_overdue=row.days_overdue + 1)

    tables = tuple(dataclasses.replace(t, rows=edited_rows(t.rows, rng, cell_edit)) for t in view.tables)
    desk = view.desk and dataclasses.replace(view.desk, lists=tuple(
        dataclasses.replace(wl, rows=edited_rows(wl.rows, rng, desk_edit)) for wl in view.desk.lists))
    return dataclasses.replace(view, tables=tables, desk=desk)


def edited_site(view, rng: random.Random):
    """Villages' statuses and cadres traded among them, and the villages reordered, dropped and doubled: the rows
    of the status, home and village pages then differ from the kept ones in content and in place."""
    statuses = [v.status for v in view.villages]
    cadres = [c for v in view.villages for c in v.cadres]

    def village_edit(village):
        status = dataclasses.replace(rng.choice(statuses), label=village.status.label)
        return dataclasses.replace(village, status=status, cadres=tuple(rng.sample(cadres, min(len(cadres), 2))))

    villages = edited_rows(view.villages, rng, village_edit)
    seen, unique = set(), []
    for village in villages:  # a village once (its page's path)
        if village.id not in seen:
            seen.add(village.id)
            unique.append(village)
    return dataclasses.replace(view, villages=tuple(unique), cadres=edited_rows(
        view.cadres, rng, lambda c: dataclasses.replace(c, gap_band=rng.choice(["≤7天", ">30天", "—"]))))


def test_report_pages_with_kept_rows_are_those_rendered_without_after_random_edits(views):
    (view, *_), options = views["render_reports"]
    assert len(view.tables) > 5 and view.desk and sum(len(t.rows) for t in view.tables) > 100
    rng = random.Random(16)
    kept = None
    for round in range(6):
        edited = view if round == 0 else edited_reports(view, rng)
        memo = Rendering(kept)
        with_kept = report_render.render_reports(edited, **options, memo=memo)
        without = report_render.render_reports(edited, **options)
        assert dict(with_kept.items()) == dict(without.items()), round
        total = sum(len(rows) for rows in memo.rows.used.values())
        if round:
            assert 0 < memo.rows.made < total / 2, (memo.rows.made, total)  # most rows kept, the edited made
        kept = memo.kept()


def test_site_pages_with_kept_rows_are_those_rendered_without_after_random_edits(views):
    (view, pages_html), options = views["render_site"]
    assert len(view.villages) > 3 and view.cadres
    rng = random.Random(18)
    kept = None
    for round in range(6):
        edited = view if round == 0 else edited_site(view, rng)
        memo = Rendering(kept)
        with_kept = site_render.render_site(edited, pages_html, **options, memo=memo)
        without = site_render.render_site(edited, pages_html, **options)
        assert dict(with_kept.items()) == dict(without.items()), round
        if round:
            assert memo.rows.made < sum(len(rows) for rows in memo.rows.used.values())
        kept = memo.kept()


def test_a_kept_row_is_keyed_by_the_macro_s_other_arguments_too(views):
    """The desk's rows link to the dossiers or not (`dossiers`): the same rows, the other way, are made anew."""
    (view, *_), options = views["render_reports"]
    first = Rendering()
    report_render.render_reports(view, **{**options, "dossiers": True}, memo=first)
    second = Rendering(first.kept())
    other = report_render.render_reports(view, **{**options, "dossiers": False}, memo=second)
    assert dict(other.items()) == dict(report_render.render_reports(view, **{**options, "dossiers": False}).items())
    desk_rows = {row for wl in view.desk.lists for row in wl.rows}  # (a row on several lists is made once)
    assert desk_rows and second.rows.made == len(desk_rows)  # the tables' rows kept, every desk row made anew


def test_a_template_can_give_kept_rows_only_a_macro(views):
    with pytest.raises(TypeError):
        rowcache.Rows().render(lambda: b"", print, ["x"])
    with pytest.raises(TypeError):
        rowcache.unkept(print, ["x"])


def test_the_build_keeps_the_rows_and_a_rebuild_uses_them(tmp_path, monkeypatch):
    """Through the real memo: the rows are recorded after a build and read by the next, whose output is the same."""
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    made = []

    class Counting(memos.Memo):
        def remember(self, tree, **options):
            made.append(self._rows.made if self._rows is not None else None)
            return super().remember(tree, **options)

    monkeypatch.setattr(pipeline, "Memo", Counting)
    monkeypatch.setenv("CARELEDGER_JOBS", "1")  # the count is the building process's (workers keep rows too)
    write_demo(tmp_path / "content", DemoSpec(households=40, months=3))
    build_all(tmp_path / "content", tmp_path / "out", as_of=AS_OF, paper=False)
    first = {p.relative_to(tmp_path / "out"): p.read_bytes() for p in (tmp_path / "out").rglob("*.html")}
    build_all(tmp_path / "content", tmp_path / "out", as_of=AS_OF + dt.timedelta(days=1), paper=False)
    build_all(tmp_path / "content", tmp_path / "out", as_of=AS_OF, paper=False)  # back: the rows of the first
    again = {p.relative_to(tmp_path / "out"): p.read_bytes() for p in (tmp_path / "out").rglob("*.html")}
    assert again == first
    assert made[0] > 100 and made[2] < made[0]


def test_rows_rendered_in_workers_are_kept_as_in_one_process(tmp_path, monkeypatch):
    """Pages rendered in forked workers (render/spread.py) send their rows back: the rows' record equals the one a
    single process leaves."""
    from careledger.render import spread

    write_demo(tmp_path / "content", DemoSpec(households=40, months=3))
    monkeypatch.setattr(spread, "IN_PROCESS_UP_TO", 0)  # the demo is small: render it on both cores all the same
    forked = []
    real = spread.workers.shared_map
    monkeypatch.setattr(spread.workers, "shared_map", lambda fn, tasks, **kw: (
        forked.append(kw.get("jobs")), real(fn, tasks, **kw))[1])
    kept = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("CARELEDGER_JOBS", jobs)
        monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / f"cache{jobs}"))
        build_all(tmp_path / "content", tmp_path / "out", as_of=AS_OF, paper=False)
        kept[jobs] = memos._load_rows(tmp_path / "out")
        (tmp_path / "out").rename(tmp_path / f"out{jobs}")
    assert 2 in forked  # the second build rendered its pages in workers
    assert kept["2"] == kept["1"] and len(kept["1"]) > 5


def test_a_worker_sends_back_the_rows_it_made_and_only_the_keys_of_those_kept(views):
    """A page rendered in a worker comes back with its rows (Rows.taken): the HTML of the rows the worker made, the
    key alone of a row kept from the previous build. The building process, which holds the same previous rows, puts
    back the very strings it keeps (Rows.given): the page's rows equal the worker's, without a copy of each."""
    (view, *_), options = views["render_reports"]
    first = Rendering()
    report_render.render_reports(view, **options, memo=first)
    worker = Rendering(first.kept())
    report_render.render_reports(edited_reports(view, random.Random(7)), **options, memo=worker)
    building = rowcache.Rows(first.kept())
    sent = with_html = 0
    for page, used in list(worker.rows.used.items()):
        taken = worker.rows.taken(page)
        assert page not in worker.rows.used and [key for key, _ in taken] == list(used)
        assert all((html is None) == (key not in worker.rows.fresh) for key, html in taken)
        building.given(page, taken)
        assert building.used[page] == used
        assert all(building.used[page][key] is building.kept[key] for key, _ in taken)
        sent, with_html = sent + len(taken), with_html + sum(html is not None for _, html in taken)
    assert 0 < with_html < sent / 2  # the edited rows' HTML, the others by key


def test_rows_let_go_after_the_rendering_keep_what_the_next_build_starts_from(views):
    """`settle` drops the rows no page keeps; `to_keep` afterwards is what it was before."""
    (view, *_), options = views["render_reports"]
    first = Rendering()
    report_render.render_reports(view, **options, memo=first)
    second = Rendering(first.kept())
    report_render.render_reports(edited_reports(view, random.Random(9)), **options, memo=second)
    pages = [*second.rendered, *first.rendered[:3]]
    rendered = set(second.rendered[len(second.rendered) // 2:])  # as if the others were reused from the output
    before = second.rows.to_keep(pages, rendered)
    second.rows.settle(rendered)
    assert second.rows.to_keep(pages, rendered) == before and not second.rows.kept
    assert not set(second.rows.previous) & rendered
