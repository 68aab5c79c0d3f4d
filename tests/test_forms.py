"""Form definitions are checked like records; templates place exactly the defined fields; docs/forms.md is current;
the paper commands share output/ with the build without ever leaving a half-written tree."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from careledger.cli import main
from careledger.output import MARKER, OutputError, write_tree
from careledger.paper import fonts, printing
from careledger.paper.formdoc import DOCS, render_into
from careledger.paper.formrender import Page, TemplateProblem, render_form
from careledger.paper.forms import FORMS_DIR, load_forms, resolve_type, value_at
from careledger.paper.context import SubjectContext

from .conftest import AS_OF, FIXTURES

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_forms_load_without_a_problem():
    forms, findings = load_forms()
    assert [f.format() for f in findings] == []
    assert len(forms) == 13
    profiles = {f.profile for f in forms}
    assert profiles == {"wangcheng-2020", "qiandongnan-2023", "tianhu-2022", "guiyang-2022", "jizhou-2020"}


def test_docs_forms_md_is_generated_from_the_definitions():
    forms, _ = load_forms()
    text = DOCS.read_text(encoding="utf-8")
    assert render_into(text, forms) == text, "run: python -m careledger.paper.formdoc"
    for form in forms:
        assert f"### `{form.name}` {form.title}" in text
        for name, _ in form.all_fields():
            assert f"`{name.split('_1_')[-1]}`" in text


def write_form(directory: Path, name: str, yaml: str, html: str = "") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.yaml").write_text(textwrap.dedent(yaml), encoding="utf-8")
    (directory / f"{name}.html").write_text(html or '{% extends "_base.html" %}{% block body %}'
                                            '{{ field("name") }}{% endblock %}', encoding="utf-8")
    for shared in ("_base.html", "_form.css"):
        shutil.copy(FORMS_DIR / shared, directory / shared)


HEAD = """\
title: 测试表
document: {title: 文件, issuer: 某街道, seed: x.txt, annex: 附件 1}
profile: wangcheng-2020
nature: subject
"""

BAD = {
    "unknown key": (HEAD + "colour: red\nfields:\n  - {name: name, label: 姓名, path: member.name}\n",
                    "E-UNKNOWN-KEY", 5),
    "misspelt path": (HEAD + "fields:\n  - {name: name, label: 姓名, path: member.nmae}\n", "E-FORM-PATH", 6),
    "path of another nature": (HEAD + "fields:\n  - {name: name, label: 姓名, path: village}\n", "E-FORM-PATH", 6),
    "not a path": (HEAD + "fields:\n  - {name: name, label: 姓名, path: 'member name'}\n", "E-FORM-PATH", 6),
    "select without choices": (HEAD + "fields:\n  - {name: name, label: 姓名, type: select}\n", "E-FORM", 6),
    "bad type": (HEAD + "fields:\n  - {name: name, label: 姓名, type: signature}\n", "E-CHOICE", 6),
    "list check box": (HEAD + "fields:\n  - {name: name, label: 低保, type: checkbox, path: dossier.policy_codes}\n",
                       "E-FORM", 6),
    "duplicate": (HEAD + "fields:\n  - {name: name, label: 姓名}\n  - {name: name, label: 名字}\n",
                  "E-FORM-DUPLICATE", 7),
    "bad field name": (HEAD + "fields:\n  - {name: Name, label: 姓名}\n", "E-FORM-NAME", 6),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_definition_is_reported_with_file_and_line(tmp_path, case):
    yaml, code, line = BAD[case]
    write_form(tmp_path, "test-form", yaml)
    _, findings = load_forms(tmp_path)
    assert [(f.code, f.source.file, f.source.line) for f in findings if f.is_error] == \
        [(code, "forms/test-form.yaml", line)]


def test_paths_resolve_through_optional_values_lists_and_maps():
    assert resolve_type(SubjectContext, "subject.responsible_at[township].phone") == (str, None)
    assert resolve_type(SubjectContext, "visit.checklist[health]")[1] is None
    assert resolve_type(SubjectContext, "dossier.supporters[0].name") == (str, None)
    assert "没有“nmae”" in resolve_type(SubjectContext, "member.nmae")[1]
    assert value_at(None, "a.b") is None


def test_a_template_must_place_every_field_once(tmp_path):
    yaml = HEAD + "fields:\n  - {name: name, label: 姓名}\n  - {name: phone, label: 电话}\n"
    write_form(tmp_path, "left-out", yaml)
    write_form(tmp_path, "twice", yaml, '{% extends "_base.html" %}{% block body %}{{ field("name") }}'
                                        '{{ field("name") }}{{ field("phone") }}{% endblock %}')
    write_form(tmp_path, "unknown", yaml, '{% extends "_base.html" %}{% block body %}{{ field("nmae") }}{% endblock %}')
    forms, findings = load_forms(tmp_path)
    assert findings == []
    page = Page(as_of="", commit="", blank=True)
    messages = {}
    for form in forms:
        with pytest.raises(TemplateProblem) as problem:
            render_form(form, None, page, directory=tmp_path)
        messages[form.name] = str(problem.value)
    assert "没有放置字段：phone" in messages["left-out"]
    assert "不止一次：name" in messages["twice"]
    assert "未定义的字段“nmae”" in messages["unknown"]


# --- the commands and the output tree ------------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(main, [*args, "--as-of", AS_OF.isoformat()])


def tree_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def built(basic, tmp_path) -> Path:
    output = tmp_path / "output"
    result = run("build", "--content", str(basic), "--output", str(output))
    assert result.exit_code == 0, result.output
    return output


def test_build_writes_every_dossier_and_every_blank_form_into_private(built):
    files = tree_of(built)
    assert {"private/dossiers/dongshan/ds-001.pdf", "private/dossiers/dongshan/ds-001.html",
            "private/dossiers/xiwan/xw-001.pdf", "private/forms/blank/wangcheng-info.pdf"} <= set(files)
    assert len([f for f in files if f.startswith("private/forms/blank/")]) == 13
    assert not any(f.startswith("site/") and f.endswith(".pdf") for f in files)


def test_dossier_and_forms_replace_only_their_part_of_the_output(basic, built):
    before = tree_of(built)
    result = run("dossier", "ds-001", "--content", str(basic), "--output", str(built))
    assert result.exit_code == 0, result.output
    after = tree_of(built)
    assert sorted(after) == sorted(before)
    assert [f for f in after if after[f] != before[f]] == []  # same records, same bytes
    result = run("forms", "--all", "--content", str(basic), "--output", str(built))
    assert result.exit_code == 0, result.output
    with_forms = tree_of(built)
    added = sorted(set(with_forms) - set(before))
    assert "private/forms/wangcheng-info/xiwan/xw-001-m1.pdf" in added
    assert all(f.startswith("private/forms/wangcheng-") for f in added)  # the profile's forms
    assert {f: with_forms[f] for f in before} == before
    result = run("forms", "--form", "tianhu-patrol", "--household", "xw-001", "--content", str(basic),
                 "--output", str(built))
    assert result.exit_code == 0, result.output
    assert "private/forms/tianhu-patrol/xiwan/xw-001.pdf" in tree_of(built)
    # a build replaces everything: pre-filled forms printed before are gone
    assert run("build", "--content", str(basic), "--output", str(built)).exit_code == 0
    assert tree_of(built) == before


def test_dossier_all_drops_the_dossier_of_a_household_no_longer_in_the_records(basic, built):
    stale = built / "private/dossiers/dongshan/ds-099.pdf"
    stale.write_bytes(b"old")
    assert run("dossier", "ds-001", "--content", str(basic), "--output", str(built)).exit_code == 0
    assert stale.exists()  # naming one household touches nothing else
    assert run("dossier", "--all", "--content", str(basic), "--output", str(built)).exit_code == 0
    assert not stale.exists() and (built / "private/dossiers/xiwan/xw-001.pdf").exists()


@pytest.mark.parametrize("args, message", [
    (["dossier", "zz-404"], "zz-404"),
    (["dossier", "--village", "nowhere"], "nowhere"),
    (["forms", "--form", "no-such-form", "--all"], "no-such-form"),
])
def test_a_failing_print_run_writes_nothing(basic, built, args, message):
    before = tree_of(built)
    result = run(*args, "--content", str(basic), "--output", str(built))
    assert result.exit_code != 0 and message in result.output
    assert tree_of(built) == before
    assert sorted(p.name for p in built.parent.iterdir()) == ["content", "output"]


def test_the_commands_need_a_selection(basic, tmp_path):
    assert run("dossier", "--content", str(basic)).exit_code == 2
    assert run("forms", "--content", str(basic)).exit_code == 2
    assert run("dossier", "ds-001", "--all", "--content", str(basic)).exit_code == 2


def test_a_partial_write_that_fails_leaves_the_old_tree(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_tree(out, {"site/a.html": b"site", "private/dossiers/x.pdf": b"old", "private/forms/blank/f.pdf": b"f"})
    before = tree_of(out)
    from careledger import output

    real = output._write_new

    def failing(path, data):
        if path.endswith("/y.pdf"):
            raise OSError("disk full")
        return real(path, data)

    monkeypatch.setattr(output, "_write_new", failing)
    with pytest.raises(OutputError, match="disk full"):  # a write the file system refuses: E-OUTPUT, not a traceback
        write_tree(out, {"private/dossiers/x.pdf": b"new", "private/dossiers/y.pdf": b"new"},
                   replace=("private/dossiers/",))
    assert tree_of(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    monkeypatch.undo()
    write_tree(out, {"private/dossiers/y.pdf": b"y"}, replace=("private/dossiers/",))
    assert tree_of(out) == {MARKER: before[MARKER], "site/a.html": b"site", "private/dossiers/y.pdf": b"y",
                            "private/forms/blank/f.pdf": b"f"}


# --- fonts ---------------------------------------------------------------------------------------------------

def test_without_a_cjk_font_the_build_names_the_package_and_writes_nothing(basic, built, monkeypatch):
    def missing(*args, **kwargs):
        raise fonts.FontProblem(f"找不到中文字体：请安装 Debian 软件包 {fonts.FONT_PACKAGE}")

    monkeypatch.setattr(fonts, "find_face", missing)
    before = tree_of(built)
    result = run("build", "--content", str(basic), "--output", str(built))
    assert result.exit_code != 0
    assert "E-FONT-MISSING" in result.output and "fonts-noto-cjk" in result.output
    assert tree_of(built) == before


def test_a_missing_fast_subsetter_is_a_warning_naming_its_package(monkeypatch):
    monkeypatch.setattr(fonts.ctypes.util, "find_library", lambda name: None)
    [finding] = [f for f in printing.check_fonts() if f.code == "W-HARFBUZZ-SUBSET"]
    assert not finding.is_error and "libharfbuzz-subset0" in finding.message


def test_the_gb2312_set_and_the_cjk_face():
    chars = fonts.gb2312()
    assert len(chars) == 7540 and "关" in chars and "堃" not in chars and "A" in chars
    face = fonts.find_face()
    assert face.path.endswith((".ttc", ".otf", ".ttf")) and fonts.missing_glyphs("张堃司马玥王喆李赟", face) == ""


@pytest.mark.parametrize("form, household, why", [
    ("qiandongnan-custody", "ds-002", "此表只为有保障资金代管台账的对象预填，所选范围内的司马玥（ds-002）都不是"),
    ("jizhou-visits", "ds-002", "此表只为分散供养的特困人员预填"),
    ("tianhu-coordinators", "ds-001", "花名册覆盖全辖区，只在加 --all 时预填"),
])
def test_forms_that_make_no_pdf_say_why(tmp_path, form, household, why):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "basic", content)
    result = CliRunner().invoke(main, ["forms", "--form", form, "--household", household, "--content", str(content),
                                       "--output", str(tmp_path / "out"), "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert "已生成 0 个 PDF" in result.output
    assert f"W-FORM-NONE] 表格“{form}”" in result.output and why in result.output, result.output


def test_village_is_taken_by_its_name_as_household_new_takes_it(basic, tmp_path):
    """`--village 西湾社区` prints the village whose id is xiwan; a name that is neither is refused with both listed."""
    out = tmp_path / "out"
    result = run("dossier", "--village", "西湾社区", "--content", str(basic), "--output", str(out))
    assert result.exit_code == 0, result.output
    printed = sorted(p.relative_to(out).as_posix() for p in (out / "private/dossiers").rglob("*.pdf"))
    assert printed == ["private/dossiers/xiwan/xw-001.pdf"]
    refused = run("dossier", "--village", "西湾", "--content", str(basic), "--output", str(out))
    assert refused.exit_code == 1 and "没有名称或编号为“西湾”的村（社区）；可选：东山村（dongshan）、西湾社区（xiwan）" \
        in refused.output, refused.output


def test_a_household_is_taken_by_a_members_name_as_member_add_takes_it(basic, tmp_path):
    out = tmp_path / "out"
    result = run("dossier", "张堃", "--content", str(basic), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "private/dossiers").rglob("*.pdf")) == ["xw-001.pdf"]
    refused = run("dossier", "无此人", "--content", str(basic), "--output", str(out))
    assert refused.exit_code == 1 and "没有编号为“无此人”的家庭档案，也没有名为“无此人”的家庭成员" in refused.output
