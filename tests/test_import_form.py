"""Paper back in (issue 17): a fillable form printed by the project's own code, filled through pypdf as an office PC
fills it, read back by `exchange.formpdf.plan_form` and written with `entry.write.write_atomically`; the tree then
loads without errors, `check` finds no record error, and the records hold the visit. Every refusal returns no
change and a Chinese line naming the field."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pypdf
import pytest
import yaml
from click.testing import CliRunner

from careledger import cli
from careledger.cli import main
from careledger.entry.write import write_atomically
from careledger.exchange.formpdf import plan_form
from careledger.load import load
from careledger.paper import printing
from careledger.paper.printing import Selection
from careledger.rules import Facts, run_rules
from careledger.views.dossier import build_dossiers

from .conftest import FIXTURES

TODAY = dt.date(2026, 11, 23)
COMMIT = "0123456789abcdef0123456789abcdef01234567"
FORMS = ("qiandongnan-visit", "tianhu-patrol", "jizhou-visits", "wangcheng-info", "wangcheng-inspection")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, bytes]:
    """The blank forms, and the patrol ledger of ds-001 pre-filled from its visits."""
    root = tmp_path_factory.mktemp("forms") / "content"
    shutil.copytree(FIXTURES / "basic", root)
    records, findings = load(root, today=TODAY)
    assert not [f for f in findings if f.is_error]
    forms, problems = printing.form_definitions(names=FORMS)
    assert problems == []
    plan, _ = printing.plan_paper(records)
    dossiers = build_dossiers(Facts(records, records.profile, TODAY), run_rules(records, TODAY), COMMIT)
    patrol = [f for f in forms if f.name == "tianhu-patrol"]
    docs = printing.blank_documents(forms, plan) + printing.filled_documents(
        patrol, records, dossiers, plan, as_of=TODAY, commit=COMMIT,
        selection=Selection(households=frozenset({"ds-001"})))
    return printing.render_jobs(printing.form_jobs(docs))


@pytest.fixture
def content(basic, monkeypatch, tmp_path):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    return basic


def fill(pdf: bytes, values: dict, path: Path) -> Path:
    """What an office PC does: open the form, type into its fields, save."""
    writer = pypdf.PdfWriter()
    writer.append(pypdf.PdfReader(io.BytesIO(pdf)))
    writer.update_page_form_field_values(None, values, auto_regenerate=False)
    writer.set_need_appearances_writer(True)
    with open(path, "wb") as out:
        writer.write(out)
    return path


def plan(path: Path, content: Path, update: bool = False):
    records, findings = load(content, today=TODAY)
    return plan_form(path, records, findings, TODAY, update)


def apply(changes, content: Path) -> None:
    for change in changes:
        write_atomically(content, change)


def accepted(content: Path):
    """The records, after `check` finds no record error in the tree."""
    records, findings = load(content, today=TODAY)
    assert [f for f in findings if f.is_error] == []
    checked = CliRunner().invoke(main, ["check", "--content", str(content), "--as-of", str(TODAY)])
    assert "[E-" not in checked.output and "Traceback" not in checked.output, checked.output
    return records


def entries(content: Path, rel: str) -> list[dict]:
    return yaml.safe_load((content / rel).read_text(encoding="utf-8"))


VISIT = {"subject_name": "欧阳福生", "visit_date": "2026-11-20", "visit_mode": "电话", "visitor": "李建国",
         "health": "血压正常", "housing_safety": "电线老化", "act_policy_advice": "/on", "act_safety_fix": "/on",
         "problems": "屋顶漏雨", "follow_up": "已报村委会", "note": "情绪稳定"}


# --- the visit form (qiandongnan-visit) --------------------------------------------------------------------------

def test_a_filled_visit_form_becomes_the_entry_visit_add_writes(pdfs, content, tmp_path):
    rel = "visits/2026-11/ds-shuji.yaml"
    before = (content / rel).read_bytes()
    changes, problems = plan(fill(pdfs["forms/blank/qiandongnan-visit.pdf"], VISIT, tmp_path / "表格.pdf"), content)
    assert problems == []
    assert [(c.rel, c.old, c.line) for c in changes] == [(rel, before, 12)]
    apply(changes, content)
    assert (content / rel).read_bytes().startswith(before)  # the entries already there are kept byte for byte
    assert entries(content, rel)[-1] == {
        "date": dt.date(2026, 11, 20), "household": "ds-001", "duty": "responsible", "mode": "phone",
        "activities": ["policy_advice", "safety_fix"], "checklist": {"health": "血压正常", "housing_safety": "电线老化"},
        "note": "情绪稳定\n跟进落实情况：已报村委会", "problems": [{"id": "p2", "text": "屋顶漏雨"}]}
    records = accepted(content)
    [visit] = [v for v in records.visits if v.date == dt.date(2026, 11, 20)]
    assert (visit.visitor, visit.household, visit.mode, visit.checklist.health, visit.problems[0].id) == (
        "ds-shuji", "ds-001", "phone", "血压正常", "p2")


def test_a_form_already_imported_is_refused_and_update_rewrites_only_that_entry(pdfs, content, tmp_path):
    rel = "visits/2026-11/ds-shuji.yaml"
    form = fill(pdfs["forms/blank/qiandongnan-visit.pdf"], VISIT, tmp_path / "表格.pdf")
    apply(plan(form, content)[0], content)
    imported = (content / rel).read_bytes()
    changes, problems = plan(form, content)
    assert changes == []
    assert problems == ["表格.pdf：已有 2026-11-20 李建国（ds-shuji） 电话走访 欧阳福生（东山村，ds-001/m1） 的记录"
                        f"（{rel} 第 12 行）：同一人同一天对同一对象只记一次；要用表格的内容替换那条记录，请加 --update"]
    assert plan(form, content, update=True) == ([], [])  # the same form again changes nothing
    corrected = fill(pdfs["forms/blank/qiandongnan-visit.pdf"],
                     {**VISIT, "visit_mode": "上门走访", "act_safety_fix": "/Off", "note": "情绪稳定，已送米面"},
                     tmp_path / "改正.pdf")
    changes, problems = plan(corrected, content, update=True)
    assert problems == [] and [(c.rel, c.old) for c in changes] == [(rel, imported)]
    apply(changes, content)
    assert entries(content, rel)[-1] == {
        "date": dt.date(2026, 11, 20), "household": "ds-001", "duty": "responsible", "mode": "in_person",
        "activities": ["policy_advice"], "checklist": {"health": "血压正常", "housing_safety": "电线老化"},
        "note": "情绪稳定，已送米面\n跟进落实情况：已报村委会", "problems": [{"id": "p2", "text": "屋顶漏雨"}]}
    assert (content / rel).read_bytes().split(b"- date: 2026-11-20")[0] == imported.split(b"- date: 2026-11-20")[0]
    records = accepted(content)
    assert len([v for v in records.visits if v.date == dt.date(2026, 11, 20)]) == 1


@pytest.mark.parametrize("values, line", [
    ({"visit_date": ""}, "“探视日期”（visit_date）没有填写"),
    ({"visit_date": "2026/11/20"}, "“探视日期”（visit_date）“2026/11/20”不是日期：请写成 2026-11-23 这样的 年-月-日"),
    ({"visit_date": "2026-02-30"}, "“探视日期”（visit_date）“2026-02-30”不是日期"),
    ({"visit_date": "2026-12-01"}, "“探视日期”（visit_date） 2026-12-01 晚于今天（2026-11-23，北京时间）：不能导入将来的日期"),
    ({"subject_name": ""}, "“关爱对象姓名”（subject_name）没有填写"),
    ({"subject_name": "张三丰"}, "“关爱对象姓名”（subject_name）：没有找到关爱帮扶对象“张三丰”"),
    ({"visitor": ""}, "“探视人”（visitor）没有填写"),
    ({"visitor": "国"}, "“探视人”（visitor）：与“国”相符的工作人员有 2 个（李建国（东山村，ds-shuji）、"
                       "陈国强（西湾社区，xw-zhuren））"),
    ({"visitor": "吴丽"}, "“探视人”（visitor）：吴丽（xw-lianxi）不在欧阳福生（东山村，ds-001/m1）的包保安排中（包保责任人："
                         "李建国（ds-shuji）；关爱帮扶联系人：赵小红（ds-lianxi1））：请先在户档案的包保安排（assigned）中登记"),
])
def test_a_field_that_cannot_be_used_is_refused_by_name(pdfs, content, tmp_path, values, line):
    before = {p: p.read_bytes() for p in content.rglob("*") if p.is_file()}
    changes, problems = plan(fill(pdfs["forms/blank/qiandongnan-visit.pdf"], {**VISIT, **values},
                                  tmp_path / "表格.pdf"), content)
    assert changes == []
    assert len(problems) == 1 and problems[0].startswith("表格.pdf：" + line), problems
    assert "--duty" not in problems[0]  # `visit add`'s options mean nothing on a form
    assert {p: p.read_bytes() for p in content.rglob("*") if p.is_file()} == before


def test_only_what_the_form_gives_is_written_and_an_inspector_visits_as_inspector(pdfs, content, tmp_path):
    values = {"subject_name": "欧阳福生", "visit_date": "2026-11-21", "visitor": "周文清"}
    changes, problems = plan(fill(pdfs["forms/blank/qiandongnan-visit.pdf"], values, tmp_path / "表格.pdf"), content)
    assert problems == [] and [c.rel for c in changes] == ["visits/2026-11/s-minzheng.yaml"]
    apply(changes, content)
    assert entries(content, "visits/2026-11/s-minzheng.yaml") == [
        {"date": dt.date(2026, 11, 21), "household": "ds-001", "duty": "inspector", "mode": "in_person"}]
    accepted(content)


# --- the patrol ledger (tianhu-patrol): a visit a row --------------------------------------------------------------

def test_a_blank_patrol_ledger_imports_its_good_rows_and_names_the_bad_one(pdfs, content, tmp_path):
    values = {"head": "欧阳福生",
              "patrol_1_date": "2026-11-21", "patrol_1_visitor": "赵小红", "patrol_1_mode": "电话",
              "patrol_1_living": "吃住正常",
              "patrol_2_date": "2026-11-22", "patrol_2_visitor": "李建国", "patrol_2_needs": "缺过冬棉被",
              "patrol_2_handling": "已联系民政办",
              "patrol_3_date": "昨天", "patrol_3_visitor": "李建国",
              "patrol_4_date": "2026-11-22", "patrol_4_visitor": "国", "patrol_4_mode": "走亲戚"}
    changes, problems = plan(fill(pdfs["forms/blank/tianhu-patrol.pdf"], values, tmp_path / "巡查.pdf"), content)
    assert problems == [
        "巡查.pdf：“巡查记录第 3 行巡查日期”（patrol_3_date）“昨天”不是日期：请写成 2026-11-23 这样的 年-月-日",
        "巡查.pdf：“巡查记录第 4 行巡查人”（patrol_4_visitor）：与“国”相符的工作人员有 2 个（李建国（东山村，ds-shuji）、"
        "陈国强（西湾社区，xw-zhuren））：请写全名，或改用 careledger visit add 选择",
        "巡查.pdf：“巡查记录第 4 行巡查方式”（patrol_4_mode）“走亲戚”不是走访方式：写 上门走访、电话、视频 之一"]
    assert sorted(c.rel for c in changes) == ["visits/2026-11/ds-lianxi1.yaml", "visits/2026-11/ds-shuji.yaml"]
    apply(changes, content)
    assert entries(content, "visits/2026-11/ds-lianxi1.yaml")[-1] == {
        "date": dt.date(2026, 11, 21), "household": "ds-001", "duty": "contact", "mode": "phone", "note": "吃住正常"}
    assert entries(content, "visits/2026-11/ds-shuji.yaml")[-1] == {
        "date": dt.date(2026, 11, 22), "household": "ds-001", "duty": "responsible", "mode": "in_person",
        "problems": [{"id": "p2", "text": "缺过冬棉被", "action": "已联系民政办"}]}
    records = accepted(content)
    assert {(v.visitor, v.date) for v in records.visits if v.date >= dt.date(2026, 11, 21)} == {
        ("ds-lianxi1", dt.date(2026, 11, 21)), ("ds-shuji", dt.date(2026, 11, 22))}
    # rows 3 and 4 corrected, the same ledger imported again: the rows already imported are not entries again
    values = {k: v for k, v in values.items() if not k.startswith("patrol_4")}
    again = fill(pdfs["forms/blank/tianhu-patrol.pdf"], {**values, "patrol_3_date": "2026-11-23"}, tmp_path / "再.pdf")
    changes, problems = plan(again, content)
    assert problems == [] and len(changes) == 1
    apply(changes, content)
    assert entries(content, "visits/2026-11/ds-shuji.yaml")[-1] == {
        "date": dt.date(2026, 11, 23), "household": "ds-001", "duty": "responsible", "mode": "in_person"}
    assert plan(again, content) == ([], [])
    accepted(content)


def _printed_rows(pdf: bytes) -> dict[str, str]:
    fields = pypdf.PdfReader(io.BytesIO(pdf)).get_fields()
    return {n: str(f.get("/V") or "") for n, f in fields.items() if n.startswith("patrol_")}


def test_rows_printed_from_the_records_are_not_entries_again(pdfs, content, tmp_path):
    pdf = pdfs["forms/tianhu-patrol/dongshan/ds-001.pdf"]
    printed = _printed_rows(pdf)
    used = sorted({int(n.split("_")[1]) for n, v in printed.items() if v})
    assert used, printed  # the fixture's visits of ds-001 are printed
    free = max(used) + 1
    values = {f"patrol_{free}_date": "2026-11-22", f"patrol_{free}_visitor": "赵小红", f"patrol_{free}_mode": "上门走访",
              f"patrol_{free}_living": "独居，状况稳定"}
    changes, problems = plan(fill(pdf, values, tmp_path / "巡查.pdf"), content)
    assert problems == []
    assert [c.rel for c in changes] == ["visits/2026-11/ds-lianxi1.yaml"]
    apply(changes, content)
    assert accepted(content) is not None
    first = used[0]
    edited = {f"patrol_{first}_living": printed[f"patrol_{first}_living"] + "，另有新情况"}
    changes, problems = plan(fill(pdf, edited, tmp_path / "改过.pdf"), content, update=True)
    assert changes == []
    assert len(problems) == 1 and "与记录印出的不同" in problems[0] and "请直接修改记录文件" in problems[0], problems


# --- the inspection form (wangcheng-inspection) --------------------------------------------------------------------

INSPECTION = {"subject_name": "欧阳福生", "inspection_date": "2026-11-20", "contact_name": "赵小红",
              "visited_result": "是", "activities_result": "是", "environment_result": "否",
              "environment_remarks": "院内杂物多", "satisfied_result": "是", "inspector_name": "周文清"}


def test_a_filled_inspection_form_becomes_an_inspection_entry(pdfs, content, tmp_path):
    rel = "inspections/2026-11/s-minzheng.yaml"
    before = (content / rel).read_bytes()
    form = fill(pdfs["forms/blank/wangcheng-inspection.pdf"], INSPECTION, tmp_path / "督查.pdf")
    changes, problems = plan(form, content)
    assert problems == [] and [(c.rel, c.old) for c in changes] == [(rel, before)]
    apply(changes, content)
    assert entries(content, rel)[-1] == {
        "date": dt.date(2026, 11, 20), "household": "ds-001", "subject": "m1", "contact": "ds-lianxi1",
        "visited_weekly": True, "activities_done": True, "environment_ok": False, "satisfied": True,
        "remarks": "家庭环境：院内杂物多"}
    records = accepted(content)
    [done] = [i for i in records.inspections if i.date == dt.date(2026, 11, 20)]
    assert (done.inspector, done.passed) == ("s-minzheng", False)


def test_an_inspection_already_recorded_is_refused_and_updated_with_update(pdfs, content, tmp_path):
    rel = "inspections/2026-11/s-minzheng.yaml"
    form = fill(pdfs["forms/blank/wangcheng-inspection.pdf"],
                {**INSPECTION, "inspection_date": "2026-11-06", "satisfied_result": "否", "satisfied_remarks": "嫌来得少"},
                tmp_path / "督查.pdf")
    changes, problems = plan(form, content)
    assert changes == [] and problems == [
        "督查.pdf：已有 2026-11-06 周文清（s-minzheng） 督查 欧阳福生（东山村，ds-001/m1） 的记录（inspections/2026-11/"
        "s-minzheng.yaml 第 1 行）：同一人同一天对同一对象只记一次；要用表格的内容替换那条记录，请加 --update"]
    changes, problems = plan(form, content, update=True)
    assert problems == [] and len(changes) == 1
    apply(changes, content)
    assert entries(content, rel) == [{
        "date": dt.date(2026, 11, 6), "household": "ds-001", "subject": "m1", "contact": "ds-lianxi1",
        "visited_weekly": True, "activities_done": True, "environment_ok": False, "satisfied": False,
        "remarks": "家庭环境：院内杂物多；满意度：嫌来得少"}]
    accepted(content)


@pytest.mark.parametrize("values, line", [
    ({"satisfied_result": ""}, "“4 满意度：督查结果”（satisfied_result）没有填写：请选“是”或“否”"),
    ({"inspector_name": "李建国"}, "“督查人员”（inspector_name）：李建国（ds-shuji）不是督查人员"),
    ({"contact_name": "无名氏"}, "“被督查的关爱帮扶联系人”（contact_name）：没有找到工作人员“无名氏”"),
    ({"inspection_date": "2026-11-31"}, "“督查时间”（inspection_date）“2026-11-31”不是日期"),
])
def test_an_inspection_field_that_cannot_be_used_is_refused_by_name(pdfs, content, tmp_path, values, line):
    form = fill(pdfs["forms/blank/wangcheng-inspection.pdf"], {**INSPECTION, **values}, tmp_path / "督查.pdf")
    changes, problems = plan(form, content)
    assert changes == [] and len(problems) == 1 and problems[0].startswith("督查.pdf：" + line), problems


# --- what is not a visit form ----------------------------------------------------------------------------------

def test_a_form_that_holds_no_visits_and_a_file_that_is_no_form_are_refused(pdfs, content, tmp_path):
    changes, problems = plan(fill(pdfs["forms/blank/wangcheng-info.pdf"], {"subject_name": "欧阳福生"},
                                  tmp_path / "信息.pdf"), content)
    assert changes == []
    assert problems[0].startswith("信息.pdf：这是“金安区望城街道特殊困难群体基本信息采集表”（wangcheng-info），"
                                  "不是走访、巡查或督查记录，不能导入；能导入的表格：")
    junk = tmp_path / "坏.pdf"
    junk.write_bytes(b"not a pdf at all")
    changes, problems = plan(junk, content)
    assert changes == [] and problems[0].startswith("坏.pdf：无法读取这个 PDF 文件")


def test_an_empty_ledger_says_so(pdfs, content, tmp_path):
    changes, problems = plan(fill(pdfs["forms/blank/jizhou-visits.pdf"], {"subject_name": "欧阳福生"},
                                  tmp_path / "探访.pdf"), content)
    assert (changes, problems) == ([], ["探访.pdf：表格“探访记录”没有填写任何一行"])


def test_the_clerks_docs_name_every_form_that_imports():
    from careledger.exchange.formpdf import IMPORTABLE

    text = (Path(__file__).parents[1] / "docs" / "forms.md").read_text(encoding="utf-8")
    section = text.split("## 填好的表格导回记录", 1)[1].split("\n## ", 1)[0]
    assert "careledger import 表格.pdf --dry-run" in section and "--update" in section
    assert {name for name in IMPORTABLE} == set(re.findall(r"\[`([a-z-]+)`\]\(#", section))


def test_a_row_of_the_visit_ledger_keeps_each_column_in_the_note_or_as_a_problem(pdfs, content, tmp_path):
    values = {"subject_name": "欧阳福生", "visit_1_date": "2026-11-19", "visit_1_visitor": "赵小红",
              "visit_1_mode": "视频", "visit_1_situation": "身体尚可", "visit_1_safety": "线路老化",
              "visit_1_handling": "需更换电线"}
    changes, problems = plan(fill(pdfs["forms/blank/jizhou-visits.pdf"], values, tmp_path / "探访.pdf"), content)
    assert problems == [] and [c.rel for c in changes] == ["visits/2026-11/ds-lianxi1.yaml"]
    apply(changes, content)
    assert entries(content, "visits/2026-11/ds-lianxi1.yaml")[-1] == {
        "date": dt.date(2026, 11, 19), "household": "ds-001", "duty": "contact", "mode": "video",
        "note": "身体尚可\n居所安全（房舍、线路、餐饮）：线路老化", "problems": [{"id": "p2", "text": "需更换电线"}]}
    accepted(content)


# --- through `careledger import` (careledger/exchange/commands.py) ----------------------------------------------

def run_import(content: Path, form: Path, *flags, monkeypatch):
    monkeypatch.setattr(cli, "today_in_jurisdiction", lambda: TODAY)
    return CliRunner().invoke(main, ["import", str(form), "--content", str(content), *flags])


def test_careledger_import_shows_writes_and_refuses_a_second_time(pdfs, content, tmp_path, monkeypatch):
    form = fill(pdfs["forms/blank/qiandongnan-visit.pdf"], VISIT, tmp_path / "表格.pdf")
    before = (content / "visits/2026-11/ds-shuji.yaml").read_bytes()
    dry = run_import(content, form, "--dry-run", monkeypatch=monkeypatch)
    assert dry.exit_code == 0, dry.output
    assert "修改 visits/2026-11/ds-shuji.yaml" in dry.output and "新增 走访 2026-11-20 李建国（ds-shuji） → 户 ds-001" in dry.output
    assert (content / "visits/2026-11/ds-shuji.yaml").read_bytes() == before
    done = run_import(content, form, monkeypatch=monkeypatch)
    assert done.exit_code == 0, done.output
    assert entries(content, "visits/2026-11/ds-shuji.yaml")[-1]["checklist"] == {"health": "血压正常",
                                                                               "housing_safety": "电线老化"}
    again = run_import(content, form, monkeypatch=monkeypatch)
    assert again.exit_code != 0 and "请加 --update" in again.output, again.output
    accepted(content)


def test_careledger_import_update_shows_an_inspection_field_by_field(pdfs, content, tmp_path, monkeypatch):
    form = fill(pdfs["forms/blank/wangcheng-inspection.pdf"],
                {**INSPECTION, "inspection_date": "2026-11-06", "satisfied_result": "否"}, tmp_path / "督查.pdf")
    result = run_import(content, form, "--update", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert "修改 督查 2026-11-06 周文清（s-minzheng） → 户 ds-001 对象 m1" in result.output, result.output
    assert entries(content, "inspections/2026-11/s-minzheng.yaml")[0]["satisfied"] is False
    accepted(content)
