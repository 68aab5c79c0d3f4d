"""The first build: the published site from the basic fixture, all or nothing, and nothing personal on it."""

import dataclasses
import datetime as dt
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import Markup

from careledger.cli import main
from careledger.findings import Source
from careledger.load import load
from careledger.output import MARKER, DuplicatePath, OutputError, Packed, Tree, sha256_of, write_tree
from careledger.pipeline import BuildFailed, build_all
from careledger.render.pages import convert_pages
from careledger.render.site import render_site
from careledger.rules import run_rules
from careledger.views.public import PageText, redact

from .conftest import AS_OF
from .contentkit import replace_in

SITE_FILES = ["site/index.html", "site/pages/about.html", "site/search-index.js", "site/search.html",
              "site/static/favicon.svg", "site/static/search.js", "site/static/site.css", "site/status.html", "site/version.html",
              "site/villages/dongshan.html", "site/villages/xiwan.html"]


def build(content: Path, output: Path, as_of: str = AS_OF.isoformat()):
    return CliRunner().invoke(main, ["build", "--content", str(content), "--output", str(output), "--as-of", as_of])


def tree_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def write_page(content: Path, slug: str, markdown: str) -> str:
    (content / "pages" / f"{slug}.md").write_text(markdown, encoding="utf-8")
    return f"pages/{slug}.md"


# --- HTML checks ----------------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class BalanceChecker(HTMLParser):
    """Fails on an end tag that does not close the innermost open element, or elements left open."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID:
            self.problems.append(f"self-closing <{tag}/> at {self.getpos()}")

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problems.append(f"end tag </{tag}> of a void element at {self.getpos()}")
        elif not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"</{tag}> at {self.getpos()} but open is {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def close(self):
        super().close()
        self.problems += [f"<{tag}> at {pos} never closed" for tag, pos in self.stack]


class Tables(HTMLParser):
    """Each table's caption and its rows as lists of cell texts (th and td alike)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.caption = self.cell = self.row = None
        self.in_note = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.caption, self.rows = "", []
        elif tag == "caption":
            self.cell = ""
        elif tag == "tr":
            self.row = []
        elif tag in ("th", "td"):
            self.cell = ""
        elif tag == "span" and ("class", "note") in attrs:
            self.in_note = True

    def handle_endtag(self, tag):
        if tag == "caption":
            self.caption, self.cell = self.cell.strip(), None
        elif tag in ("th", "td"):
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr":
            self.rows.append(self.row)
        elif tag == "table":
            self.tables[self.caption] = self.rows
        elif tag == "span":
            self.in_note = False

    def handle_data(self, data):
        if self.cell is not None and not self.in_note:
            self.cell += data


def tables(html: bytes) -> dict[str, dict[str, list[str]]]:
    """caption → {first cell of a row: the other cells}."""
    parser = Tables()
    parser.feed(html.decode("utf-8"))
    return {caption: {row[0]: row[1:] for row in rows} for caption, rows in parser.tables.items()}


# --- the build ------------------------------------------------------------------------------------------------


@pytest.fixture
def built(basic, tmp_path) -> Path:
    output = tmp_path / "output"
    result = build(basic, output)
    assert result.exit_code == 0, result.output
    return output


def test_build_writes_the_site(built):
    written = tree_of(built)
    assert sorted(f for f in written if not f.startswith(("reports/", "private/"))) == \
        sorted([MARKER, "BUILD.json"] + SITE_FILES)
    assert "reports/index.html" in written  # the internal reports sit beside the site, never inside it
    assert "private/dossiers/dongshan/ds-001.pdf" in written  # so do the printed dossiers and forms


@pytest.mark.parametrize("rel", [f for f in SITE_FILES if f.endswith(".html")])
def test_every_page_is_balanced_html_in_chinese_with_local_assets(built, rel):
    html = (built / rel).read_text(encoding="utf-8")
    checker = BalanceChecker()
    checker.feed(html)
    checker.close()
    assert checker.problems == []
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert '<meta charset="utf-8">' in html
    assert "测试街道" in html and "基准日" in html and "2026-11-23" in html
    for scheme in ("http:", "https:", "//"):
        assert f'href="{scheme}' not in html and f'src="{scheme}' not in html
    # No page needs a script; the search page loads two local ones (and lists everything without them).
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ([] if rel != "site/search.html" else
                       ['<script src="search-index.js">', '<script src="static/search.js">'])


def test_links_are_relative_and_resolve(built):
    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.targets = []

        def handle_starttag(self, tag, attrs):
            self.targets += [v for k, v in attrs if k in ("href", "src")]

    site = built / "site"
    for page in site.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.targets:
            assert not target.startswith("/"), (page, target)
            assert (page.parent / target.split("#")[0]).resolve().is_file(), (page, target)


def test_home_page_counts(built):
    html = (built / "site/index.html").read_bytes()
    text = html.decode("utf-8")
    assert "测试街道" in text and "2026年11月23日" in text and 'datetime="2026-11-23"' in text
    found = tables(html)
    # The fixture's one child (西湾社区) is the county's only one: both villages' rows are hidden, with every total
    # that holds children, all with the one mark (test_attacker.py checks what a reader can solve; here: the page).
    by_category = found["关爱帮扶对象：各村（社区）按人员类别"]
    assert by_category["村（社区）"] == ["一类", "二类", "三类", "四类", "五类", "合计"]
    assert by_category["东山村"] == ["—"] * 6
    assert by_category["西湾社区"] == ["—"] * 6
    assert by_category["合计"] == ["1", "0", "1", "0", "—", "—"]
    by_level = found["关爱帮扶对象：各村（社区）按关爱帮扶等级（由高到低）"]
    assert list(by_level) == ["村（社区）", "东山村", "西湾社区", "合计"]
    assert by_level["村（社区）"] == ["三级", "二级", "一级", "合计"]
    households = found["登记家庭：各村（社区）按状态"]
    assert households["东山村"] == ["—"] * 4 and households["合计"] == ["3", "0", "0", "3"]
    # a shown 1 or 2 counts adults the 公示 lists by name anyway (一类's one and 三类's one); no household count is small
    assert not {"1", "2"} & {cell for row in households.values() for cell in row}


def test_village_page_lists_the_announcement(built):
    html = (built / "site/villages/dongshan.html").read_bytes()
    found = tables(html)
    announcement = found["东山村关爱帮扶对象公示名单"]
    names = sorted(row[0] for row in announcement.values() if row and row[0] != "姓名")
    assert names == ["司马*", "欧阳*"]
    assert found["关爱帮扶对象：按人员类别"]["东山村"] == ["—"] * 6
    assert found["登记家庭：按状态"]["东山村"] == ["—"] * 4
    xiwan = (built / "site/villages/xiwan.html").read_text(encoding="utf-8")
    assert "西湾社区目前没有需要逐人公示的关爱帮扶对象" in xiwan  # its only subject is 11 years old


def test_no_personal_data_on_the_site(basic, built):
    records, _ = load(basic, today=AS_OF)
    officials = {"李建国", "王秀兰", "陈国强", "周文清"}  # published by the default settings
    sensitive = {s.name for s in records.staff} - officials | {s.phone for s in records.staff if s.phone}
    for h in records.households:
        sensitive |= {h.address} | {s.name for s in h.supporters}
        for m in h.members:
            sensitive |= {m.name, m.id_number, m.phone, m.illness} - {None}
    site = tree_of(built / "site")
    for rel, data in site.items():
        text = data.decode("utf-8")
        assert not [value for value in sensitive if value in text], rel
    assert "李建国" in site["villages/dongshan.html"].decode("utf-8")


def test_same_input_same_bytes(basic, tmp_path):
    assert build(basic, tmp_path / "a").exit_code == 0
    assert build(basic, tmp_path / "b").exit_code == 0
    assert tree_of(tmp_path / "a") == tree_of(tmp_path / "b")


def test_library_build_result(basic, tmp_path):
    result = build_all(basic, tmp_path / "out", as_of=AS_OF)
    assert result.files_written == len(tree_of(tmp_path / "out")) - 1  # all but the marker
    assert not any(f.is_error for f in result.findings)


# --- errors stop the build before anything is written ---------------------------------------------------------


def break_an_id_number(content: Path) -> None:
    replace_in(content, "households/dongshan/ds-001.yaml", "'990101194203150017'", "'990101194203150018'")


def test_record_error_leaves_previous_output_intact(basic, built):
    before = tree_of(built)
    break_an_id_number(basic)
    result = build(basic, built)
    assert result.exit_code != 0
    assert "households/dongshan/ds-001.yaml" in result.output
    assert tree_of(built) == before
    assert sorted(p.name for p in built.parent.iterdir()) == sorted(["content", "output"])


def test_record_error_creates_nothing(basic, tmp_path):
    break_an_id_number(basic)
    output = tmp_path / "fresh" / "output"
    result = build(basic, output)
    assert result.exit_code != 0
    assert not (tmp_path / "fresh").exists()
    with pytest.raises(BuildFailed) as failed:
        build_all(basic, output, as_of=AS_OF)
    assert any(f.source.file == "households/dongshan/ds-001.yaml" for f in failed.value.findings if f.is_error)


BAD_PAGES = {
    "script-block": ("# 通知\n\n正文。\n\n<script>alert(1)</script>\n", 5),
    "bold-inline": ("# 通知\n\n请注意 <b>截止日期</b>。\n", 3),
    "comment": ("# 通知\n\n<!-- 内部备注 -->\n", 3),
    "img-onerror": ("# 通知\n\n见图 <img src=x onerror=alert(1)>\n", 3),
    "in-table": ("# 通知\n\n| 项目 | 说明 |\n|---|---|\n| a | <i>x</i> |\n", 5),
    "after-code": ("# 通知\n\n写作 `<b>` 是代码。\n\n但这里 <b>不是</b>。\n", 5),
}


@pytest.mark.parametrize("name", BAD_PAGES)
def test_raw_html_in_a_page_fails_the_build(basic, built, name):
    markdown, line = BAD_PAGES[name]
    before = tree_of(built)
    rel = write_page(basic, name, markdown)
    result = build(basic, built)
    assert result.exit_code != 0
    assert rel in result.output and "E-PAGE-HTML" in result.output
    assert tree_of(built) == before
    with pytest.raises(BuildFailed) as failed:
        build_all(basic, built, as_of=AS_OF)
    [finding] = [f for f in failed.value.findings if f.is_error]
    assert (finding.code, finding.source.file, finding.source.line) == ("E-PAGE-HTML", rel, line)


def test_script_link_in_a_page_fails_the_build(basic, tmp_path):
    rel = write_page(basic, "link", "# 通知\n\n[点这里](javascript:alert(1))\n")
    with pytest.raises(BuildFailed) as failed:
        build_all(basic, tmp_path / "out", as_of=AS_OF)
    [finding] = [f for f in failed.value.findings if f.is_error]
    assert (finding.code, finding.source.file, finding.source.line) == ("E-PAGE-URL", rel, 3)


def test_tags_in_code_are_text(basic, tmp_path):
    write_page(basic, "code", "# 写法说明\n\n不要写 `<tag>`，也不要写 ``<b>``。\n\n```\n<div>示例</div>\n```\n\n"
                              "    <script>缩进代码</script>\n\n1 < 2，网址 <https://example.org/>。\n")
    result = build(basic, tmp_path / "out")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out/site/pages/code.html").read_text(encoding="utf-8")
    assert "<code>&lt;tag&gt;</code>" in html and "&lt;div&gt;示例&lt;/div&gt;" in html
    assert "&lt;script&gt;" in html and "<script" not in html


def test_refused_html_never_reaches_the_output():
    html, _ = convert_pages([PageText("p", "p", "# p\n\n<script>x</script> <b>y</b>\n", Source("pages/p.md"))])
    assert "<script" not in html["p"] and "<b>" not in html["p"]
    assert "&lt;script&gt;" in html["p"]


# --- the view -------------------------------------------------------------------------------------------------


def public_view(records, as_of=AS_OF):
    return redact(records, run_rules(records, as_of), as_of, records.site.privacy)


def test_the_view_counts_subjects_in_care_on_the_as_of_date(basic):
    records, _ = load(basic, today=AS_OF)
    view = public_view(replace_subject(records, "ds-001", exited=dt.date(2026, 11, 1), exit_reason="迁出"))
    assert [e.name for v in view.villages for e in v.entries] == ["司马*"]
    assert view.households.total.cells[0].text == "3"  # households are counted by their recorded status
    early = public_view(records, dt.date(2026, 2, 15))  # xw-001 enrolled 2026-03-01, ds-002 on 2026-02-01
    assert [e.name for v in early.villages for e in v.entries] == ["欧阳*", "司马*"]


def replace_subject(records, household_id: str, **changes):
    households = tuple(dataclasses.replace(h, subjects=tuple(dataclasses.replace(s, **changes) for s in h.subjects))
                       if h.id == household_id else h for h in records.households)
    return dataclasses.replace(records, households=households)


def test_unassessed_subjects_get_a_column_and_levelless_profiles_no_table(basic):
    records, _ = load(basic, today=AS_OF)
    view = public_view(replace_subject(records, "ds-002", level=None))
    assert view.by_level.columns == ("三级", "二级", "一级", "未定级", "合计")
    assert [e.level for e in view.villages[0].entries] == ["三级", "未定级"]

    levelless = dataclasses.replace(records, profile=dataclasses.replace(records.profile, levels=()))
    view = public_view(replace_subject(levelless, "ds-002", level=None))
    assert not view.has_levels and view.by_level is None
    html = render_site(view, {"about": Markup("<p>x</p>")})["index.html"].decode("utf-8")
    assert "按关爱帮扶等级" not in html and "按人员类别" in html


# --- the writer -----------------------------------------------------------------------------------------------


def test_writer_refuses_a_second_write_of_one_path():
    tree = Tree()
    tree.add("site/index.html", b"a")
    with pytest.raises(DuplicatePath):
        tree.add("site/index.html", b"b")
    with pytest.raises(DuplicatePath):
        tree.add("site/INDEX.html", b"b")
    with pytest.raises(DuplicatePath):
        tree.add("site/index.html/x", b"b")
    with pytest.raises(DuplicatePath):
        tree.add("site", b"b")
    with pytest.raises(DuplicatePath):
        Tree().add_all("site", {"a": b"", "A": b""})


def test_a_tree_taken_whole_under_a_folder_is_the_tree_added_file_by_file():
    """`Tree.add_all` takes a Tree under a folder that holds nothing yet without checking each path again: the result
    refuses and lists exactly what adding each file would."""
    part = Tree({"index.html": b"i", "villages/v1.html": b"1", "villages/v2.html": b"2"})
    whole, one_by_one = Tree({"reports/a.html": b"a"}), Tree({"reports/a.html": b"a"})
    whole.add_all("site/en", part)
    for path, data in part.items():
        one_by_one.add(f"site/en/{path}", data)
    assert dict(whole) == dict(one_by_one) and list(whole) == list(one_by_one)
    for path in ("site/en/INDEX.html", "site/en/villages", "SITE/en/villages/v1.html/x", "site", "Site/en",
                 "site/en/villages/V2.html"):
        assert whole.clashes(path) == one_by_one.clashes(path) is True, path
        with pytest.raises(DuplicatePath):
            whole.add(path, b"x")
    whole.add("site/en/villages/v3.html", b"3")  # and what does not clash is added, in order
    assert list(whole)[-2:] == ["site/en/villages/v2.html", "site/en/villages/v3.html"]
    for folder in ("site/en", "SITE/EN", "reports/a.html", "Reports/A.html"):
        with pytest.raises(DuplicatePath):  # a folder that holds a file already: each file checked, and refused
            Tree({"site/en/index.html": b"", "reports/a.html": b""}).add_all(folder, Tree({"index.html": b"",
                                                                                          "villages/v1.html": b""}))
    beside = Tree({"site/en/index.html": b""})
    beside.add_all("site", Tree({"index.html": b"", "villages/v1.html": b""}))
    assert list(beside) == ["site/en/index.html", "site/index.html", "site/villages/v1.html"]
    with pytest.raises(OutputError):
        Tree().add_all("../x", part)


def test_a_tree_filled_in_place_keeps_its_paths():
    tree = Tree({"a.html": b"", "b.html": b"old"})
    tree.fill({"a.html": b"new"})
    assert dict(tree) == {"a.html": b"new", "b.html": b"old"}
    with pytest.raises(KeyError):
        tree.fill({"c.html": b""})
    with pytest.raises(TypeError):
        tree.fill({"a.html": "text"})


def test_a_packed_file_is_held_small_and_written_as_its_bytes(tmp_path):
    page = "<tr><td>村</td><td>2026-11-23</td></tr>\n".encode() * 2000
    tree = Tree({"a.html": b"plain"})
    tree.fill({"a.html": Packed(page)})
    tree.add("b.html", Packed(b""))
    assert len(tree._files["a.html"].data) < len(page) // 10
    assert dict(tree) == {"a.html": page, "b.html": b""}
    assert sha256_of(tree, "a.html") == hashlib.sha256(page).digest() == sha256_of(dict(tree), "a.html")
    write_tree(tmp_path / "out", tree)
    assert (tmp_path / "out" / "a.html").read_bytes() == page and (tmp_path / "out" / "b.html").read_bytes() == b""


@pytest.mark.parametrize("bad", ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a\\b", MARKER])
def test_writer_refuses_paths_outside_the_tree(bad):
    with pytest.raises(OutputError):
        Tree().add(bad, b"")


def test_writer_replaces_the_whole_tree(tmp_path):
    out = tmp_path / "out"
    assert write_tree(out, {"site/a.html": b"1", "site/b.html": b"2"}).files == 2
    write_tree(out, {"site/b.html": b"3"})
    assert tree_of(out) == {MARKER: (out / MARKER).read_bytes(), "site/b.html": b"3"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_exception_mid_write_leaves_old_tree_and_no_temp_dir(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_tree(out, {"site/a.html": b"old", "site/z.html": b"old"})
    before = tree_of(out)
    from careledger import output

    real = output._write_new
    calls = []

    def failing(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(path, data)

    monkeypatch.setattr(output, "_write_new", failing)
    with pytest.raises(OutputError, match="disk full"):
        write_tree(out, {"site/a.html": b"new", "site/m.html": b"new", "site/z.html": b"new"})
    assert tree_of(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_writer_will_not_replace_a_directory_it_did_not_make(tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("重要")
    with pytest.raises(OutputError):
        write_tree(mine, {"site/index.html": b""})
    assert (mine / "keep.txt").read_text() == "重要"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]


@pytest.mark.parametrize("where", [".", "..", "../content", "../.."])
def test_output_holding_the_records_is_refused(basic, tmp_path, monkeypatch, where):
    monkeypatch.chdir(basic)
    before = tree_of(tmp_path)
    result = build(Path("."), Path(where))
    assert result.exit_code != 0 and "E-OUTPUT" in result.output
    assert tree_of(tmp_path) == before


def test_build_into_a_foreign_directory_is_a_finding(basic, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("重要")
    result = build(basic, tmp_path / "notes")
    assert result.exit_code != 0 and "E-OUTPUT" in result.output and MARKER in result.output
    assert (tmp_path / "notes" / "keep.txt").read_text() == "重要"


def test_build_py_is_the_same_program(basic, tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    run = subprocess.run([sys.executable, str(root / "build.py"), "check", "--content", str(basic),
                          "--as-of", "2026-11-06"], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "记录无误" in run.stdout and "[AUD-NO-GIT]" in run.stdout  # a copy outside git: no trail


def test_the_loaded_records_are_exempt_from_the_collector_during_the_build_and_only_then(basic, tmp_path,
                                                                                          monkeypatch):
    """pipeline.build_all freezes what `prepare` made (cachestore.exempt_from_gc), so the rendering's collections do
    not walk the loaded records again; afterwards nothing stays frozen (a preview server builds again and again in
    one process, and its old records must be collectable)."""
    import gc

    from careledger import pipeline

    seen = []
    real = pipeline.render_site

    def watching(*args, **kwargs):
        seen.append(gc.get_freeze_count())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "render_site", watching)
    assert gc.get_freeze_count() == 0
    build_all(basic, tmp_path / "out", as_of=AS_OF, paper=False)
    assert seen and seen[0] > 1000  # the records, among others
    assert gc.get_freeze_count() == 0

    def failing(*args, **kwargs):
        raise RuntimeError("a stage failed")

    monkeypatch.setattr(pipeline, "render_site", failing)
    with pytest.raises(RuntimeError):  # a build that stops in the frozen part unfreezes too
        build_all(basic, tmp_path / "out2", as_of=AS_OF, paper=False)
    assert gc.get_freeze_count() == 0
