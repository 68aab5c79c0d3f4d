"""`careledger import` and `careledger export` (issue 17, Excel in and out): ledgers laid out as the documents'
annexes (merged title rows, Chinese headings found by their text) read into records through the same checks as
`visit add`, all or nothing; the export written back in the same layout reads back to the same records."""

import datetime as dt
import hashlib
import re
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from careledger import cli
from careledger.cli import main
from careledger.load import load
from tests.contentkit import id_number, write_tree

TODAY = dt.date(2026, 11, 23)
STAFF = """\
- id: v1-shuji
  name: 李建国
  roles: [principal]
  post: 村党总支书记
  phone: '13900000002'
- id: v1-lianxi
  name: 赵小红
  roles: [contact]
  phone: '13900000004'
"""
ID_A, ID_B, ID_C = id_number("1942-03-15", 17), id_number("1950-07-01", 22), id_number("1961-01-09", 31)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "today_in_jurisdiction", lambda: TODAY)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))


def tree(root: Path, profile: str) -> Path:
    return write_tree(root, {"staff/v1.yaml": STAFF}, profile=profile, site_extra="demo_as_of: 2026-11-23\n")


def run(content, *args):
    return CliRunner().invoke(main, [*args, "--content", str(content)])


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ledger(path: Path, title: str, headings: list[str], rows: list[list], *, heading_row: int = 3, sheet="Sheet1"):
    """A workbook as an office types it: a title merged over the table, a line of particulars, the headings."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.cell(1, 1, title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headings))
    ws.cell(2, 1, "乡镇（街道）：测试街道　填报日期：2026年11月20日")
    ws.merge_cells(start_row=2, start_column=1, end_row=heading_row - 1, end_column=len(headings))
    for col, heading in enumerate(headings, start=1):
        ws.cell(heading_row, col, heading)
    for r, row in enumerate(rows, start=heading_row + 1):
        for col, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, col).value = value
                if isinstance(value, str):
                    ws.cell(r, col).data_type = "f" if value.startswith("=") else "s"
    wb.save(path)
    return path


def records_of(content):
    records, findings = load(content, today=TODAY)
    assert [f.format() for f in findings if f.is_error] == []
    return records


# Each annex layout: (profile, title, headings, two good rows, one bad row, the bad row's reason, household ids made)
ANNEXES = {
    "wangcheng": ("wangcheng-2020", "金安区望城街道特殊困难群体基本信息采集表",
                  ["序号", "关爱帮扶对象姓名", "性 别", "身份证号", "人员类别", "联系电话(手机)", "现居住地", "村（社区）",
                   "关爱帮扶等级", "包保责任人", "关爱帮扶联系人", "纳入日期"],
                  [[1, "欧阳福生", "男", ID_A, "一类", "13800000011", "一村2组15号", "一村", "三级", "李建国", "赵小红",
                    "2026-01-05"],
                   [2, "张桂英", "女", ID_B, "2", "13800000021", "一村3组2号", "一村", "2", "李建国", None, "2026年2月1日"]],
                  [3, "王某某", "男", "990101196101090000", "一类", None, "一村1组1号", "一村", "三级", "李建国", None, None],
                  "身份证号"),
    "guiyang": ("guiyang-2022", "贵阳市全面走访排查特殊困难群众台账",
                ["序号", "户主姓名", "身份证号", "对象类别", "家庭人口", "家庭住址", "村（居）",
                 "家庭成员情况\n（年龄、就业、就学、残疾、患病）", "困难需求", "解决或帮扶措施"],
                [[1, "欧阳福生", ID_A, "分散供养特困人员", 1, "一村2组15号", "一村", "欧阳福生 84岁", "冬季取暖困难",
                  "冬季取暖困难：发放棉被和电暖器"],
                 [2, "张桂英", ID_B, "低保对象", 2, "一村3组2号", "一村", None, "看病贵\n房屋漏雨", None]],
                [3, "王某某", ID_C, "低保对象", 1, "一村1组1号", "三村", None, None, None],
                "村（居）"),
    "tianhu": ("tianhu-2022", "重点人群花名册",
               ["序号", "姓名", "性别", "年龄", "身份证号", "家庭住址", "家庭人口", "人员类别", "已享受救助政策", "主要困难",
                "联系电话", "走访责任人", "备注", "村（社区）"],
               [[1, "欧阳福生", "男", 84, ID_A, "一村2组15号", 1, "重点人群（待调查评估）", "低保对象", "独居无人照料",
                 "13800000011", "李建国 村党总支书记 13900000002", "子女在外省务工", "一村"],
                [2, "张桂英", "女", 76, ID_B, "一村3组2号", 2, "新纳入低保", None, None, None, "赵小红", None, "一村"]],
               [3, "王某某", "男", 65, ID_C, "一村1组1号", 1, "重点人群（待调查评估）", None, None, None, "孙悟空", None,
                "一村"],
               "走访责任人"),
}


@pytest.mark.parametrize("layout", sorted(ANNEXES))
def test_an_annex_ledger_imports_all_or_nothing_and_exports_back_to_the_same_records(layout, tmp_path):
    profile, title, headings, good, bad, bad_heading, = ANNEXES[layout]
    content = tree(tmp_path / "content", profile)
    book = ledger(tmp_path / "in.xlsx", title, headings, good + [bad], heading_row=4 if layout == "guiyang" else 3)
    before = tree_hash(content)

    refused = run(content, "import", str(book))
    assert refused.exit_code == 1, refused.output
    assert f"工作表“Sheet1”第 {4 + len(good) + (layout == 'guiyang')} 行" in refused.output
    assert bad_heading.replace("\n", "") in refused.output.replace("\n", "")
    assert "未写入任何文件（全有或全无）" in refused.output
    assert tree_hash(content) == before  # a bad row the user did not accept: nothing written

    done = run(content, "import", str(book), "--skip-bad")
    assert done.exit_code == 0, done.output
    records = records_of(content)
    assert sorted(m.name for h in records.households for m in h.members) == ["张桂英", "欧阳福生"]
    assert {m.id_number for h in records.households for m in h.members} == {ID_A, ID_B}  # 18 digits kept
    checked = run(content, "check")
    assert checked.exit_code == 0, checked.output

    exported = tmp_path / "out.xlsx"
    result = run(content, "export", "--layout", layout, "--out", str(exported))
    assert result.exit_code == 0, result.output
    again = run(content, "import", str(exported), "--dry-run")
    assert "台账中的内容与记录相同，没有要写入的" in again.output, again.output

    fresh = tree(tmp_path / "fresh", profile)
    back = run(fresh, "import", str(exported))
    assert back.exit_code == 0, back.output
    assert records_of(fresh).households == records.households  # records equal, field by field
    assert records_of(fresh).staff == records.staff


def test_wangcheng_annex_rows_become_subjects_with_their_cadres(tmp_path):
    profile, title, headings, good, _, _ = ANNEXES["wangcheng"]
    content = tree(tmp_path / "content", profile)
    assert run(content, "import", str(ledger(tmp_path / "in.xlsx", title, headings, good))).exit_code == 0
    [first] = [h for h in records_of(content).households if h.members[0].name == "欧阳福生"]
    subject = first.subjects[0]
    assert (first.village, first.address, subject.category, subject.level, subject.enrolled) == (
        "v1", "一村2组15号", "1", "3", dt.date(2026, 1, 5))
    assert (subject.assigned.responsible, subject.assigned.contact) == (("v1-shuji",), ("v1-lianxi",))
    assert first.members[0].phone == "13800000011"


def test_dry_run_lists_what_would_be_written_and_writes_nothing(tmp_path):
    profile, title, headings, good, bad, _ = ANNEXES["tianhu"]
    content = tree(tmp_path / "content", profile)
    before = tree_hash(content)
    workbook = ledger(tmp_path / "in.xlsx", title, headings, good + [bad])
    result = run(content, "import", str(workbook), "--dry-run")
    assert result.exit_code == 1, result.output  # the import proper would refuse: a script sees it from the dry run
    assert "不加 --skip-bad 导入时什么也不会写入" in result.output
    assert run(content, "import", str(workbook), "--dry-run", "--skip-bad").exit_code == 0
    assert "新建 households/v1/v1-001.yaml" in result.output
    assert "新增 户 v1-001（一村）：欧阳福生" in result.output
    assert "不能使用的行（1）" in result.output
    assert "第 6 行 走访责任人：工作人员中没有“孙悟空”" in result.output
    assert "未写入任何文件" in result.output
    assert tree_hash(content) == before


def test_a_changed_record_needs_update_which_shows_the_field_diff(tmp_path):
    profile, title, headings, good, _, _ = ANNEXES["wangcheng"]
    content = tree(tmp_path / "content", profile)
    run(content, "import", str(ledger(tmp_path / "a.xlsx", title, headings, good)))
    moved = [list(good[0])]
    moved[0][headings.index("现居住地")] = "一村4组8号"
    book = ledger(tmp_path / "b.xlsx", title, headings, moved)
    before = tree_hash(content)
    refused = run(content, "import", str(book))
    assert refused.exit_code == 1
    assert "已有记录，与台账不同（现居住地：一村2组15号 → 一村4组8号）；加 --update 才修改" in refused.output
    assert tree_hash(content) == before

    updated = run(content, "import", str(book), "--update")
    assert updated.exit_code == 0, updated.output
    assert "修改 households/v1/v1-001.yaml" in updated.output
    assert "现居住地：一村2组15号 → 一村4组8号" in updated.output
    [h] = [h for h in records_of(content).households if h.id == "v1-001"]
    assert h.address == "一村4组8号" and h.subjects[0].level == "3"  # what the row leaves empty is kept


def test_a_formula_is_stored_as_text_and_exported_neutralised(tmp_path):
    profile, title, headings, good, _, _ = ANNEXES["guiyang"]
    content = tree(tmp_path / "content", profile)
    row = list(good[0])
    formula = '=HYPERLINK("http://evil.invalid/","点此")'
    row[headings.index("困难需求")] = formula
    row[headings.index("解决或帮扶措施")] = None
    book = ledger(tmp_path / "in.xlsx", title, headings, [row])
    assert openpyxl.load_workbook(book).active.cell(4, 9).data_type == "f"  # a live formula in the input
    assert run(content, "import", str(book)).exit_code == 0
    [h] = records_of(content).households
    assert h.needs[0].need == formula
    text = (content / h.source.file).read_text(encoding="utf-8")
    assert yaml.safe_load(text)["needs"][0]["need"] == formula  # text in the record file

    out = tmp_path / "out.xlsx"
    assert run(content, "export", "--layout", "guiyang", "--out", str(out)).exit_code == 0
    ws = openpyxl.load_workbook(out)["附件1 排查台账"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert [(c.value, c.data_type) for c in cells] == [("'" + formula, "s")]
    id_cells = [c for row in ws.iter_rows() for c in row if c.value == ID_A]
    assert id_cells and all(c.data_type == "s" for c in id_cells)  # ID numbers are text, every digit kept
    assert run(content, "import", str(out), "--dry-run").output.startswith("台账中的内容与记录相同")


def test_an_id_number_typed_as_a_number_is_refused(tmp_path):
    profile, title, headings, good, _, _ = ANNEXES["tianhu"]
    content = tree(tmp_path / "content", profile)
    row = list(good[0])
    row[headings.index("身份证号")] = int(ID_A) if ID_A[-1] != "X" else 990101194203150017
    result = run(content, "import", str(ledger(tmp_path / "in.xlsx", title, headings, [row])), "--dry-run")
    assert "第 4 行 身份证号" in result.output and "末几位已丢失" in result.output


def test_visits_and_staff_import_by_name(tmp_path):
    content = tree(tmp_path / "content", "wangcheng-2020")
    profile, title, headings, good, _, _ = ANNEXES["wangcheng"]
    assert run(content, "import", str(ledger(tmp_path / "a.xlsx", title, headings, good))).exit_code == 0
    book = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    visits = wb.active
    visits.title = "走访"
    visits.append(["望城街道特殊困难群体走访记录台账"])
    visits.merge_cells("A1:F1")
    visits.append(["走访日期", "走访对象", "走访人", "走访方式", "关爱帮扶活动", "情况记录"])
    visits.append([dt.datetime(2026, 11, 20), "欧阳福生", "赵小红", "上门走访", "打扫卫生、精神疏导", "身体好"])
    visits.append([dt.datetime(2026, 11, 21), "欧阳福生", "刘新人", "电话", None, "电话问候"])
    visits.append(["2026-12-30", "张桂英", "李建国", None, None, None])
    staff = wb.create_sheet("协理员")
    staff.append(["村级社会救助协理员花名册"])
    staff.merge_cells("A1:E1")
    staff.append(["所属单位", "姓名", "角色", "手机", "职务"])
    staff.append(["一村", "刘新人", "社会救助协理员、包片干部", "13900000009", "协理员"])
    wb.save(book)
    result = run(content, "import", str(book))
    assert result.exit_code == 1
    assert "第 5 行 走访日期：走访日期 2026-12-30 晚于今天" in result.output
    # 刘新人 (added by this workbook's staff sheet) is not the subject's cadre, and the row gives no duty
    assert "第 4 行 走访身份：缺少走访身份，且刘新人（v1-staff01）不是这户对象的包保责任人或联系人" in result.output
    visits.cell(4, 7, "社会救助协理员")
    visits.cell(2, 7, "走访身份")
    wb.save(book)
    result = run(content, "import", str(book), "--skip-bad")
    assert result.exit_code == 0, result.output
    records = records_of(content)
    new = records.staff_by_id["v1-staff01"]
    assert (new.name, new.roles, new.phone) == ("刘新人", ("coordinator", "area_cadre"), "13900000009")
    got = sorted((v.date, v.visitor, v.duty, v.mode, v.note) for v in records.visits)
    assert got == [(dt.date(2026, 11, 20), "v1-lianxi", "contact", "in_person", "身体好"),
                   (dt.date(2026, 11, 21), "v1-staff01", "coordinator", "phone", "电话问候")]
    assert run(content, "check").exit_code == 0


def test_our_own_export_reads_back_as_the_records_it_came_from(basic, tmp_path):
    out = tmp_path / "own.xlsx"
    result = run(basic, "export", "--layout", "careledger", "--out", str(out))
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["关爱帮扶对象", "走访台账", "工作人员"]
    assert sorted(str(r) for r in wb["走访台账"].merged_cells.ranges) == ["A1:L1", "A2:L2"]
    assert wb["关爱帮扶对象"].cell(3, 2).value == "户编号"
    before = tree_hash(basic)
    again = run(basic, "import", str(out))
    assert again.exit_code == 0 and "台账中的内容与记录相同，没有要写入的" in again.output, again.output
    assert tree_hash(basic) == before


def test_export_is_refused_inside_the_published_site_and_the_records(tmp_path):
    content = tree(tmp_path / "content", "wangcheng-2020")
    site = tmp_path / "output" / "site"
    site.mkdir(parents=True)
    (tmp_path / "output" / "BUILD.json").write_text("{}")
    for target in (site / "a.xlsx", site / "sub", content / "x.xlsx"):
        result = run(content, "export", "--out", str(target))
        assert result.exit_code == 1 and "未写入任何文件" in result.output, result.output
    assert not list(site.rglob("*.xlsx")) and not list(content.rglob("*.xlsx"))
    result = run(content, "export", "--out", str(tmp_path / "reports"))
    assert result.exit_code == 0, result.output
    [made] = (tmp_path / "reports").glob("*.xlsx")
    assert made.name == "台账-wangcheng-2026-11-23.xlsx" and made.stat().st_mode & 0o077 == 0


def test_a_broken_pdf_is_refused_in_chinese_and_nothing_is_written(tmp_path):
    content = tree(tmp_path / "content", "wangcheng-2020")
    before = {p: p.read_bytes() for p in content.rglob("*") if p.is_file()}
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    result = run(content, "import", str(pdf))
    assert result.exit_code == 1 and "form.pdf：无法读取这个 PDF 文件" in result.output, result.output
    assert "EOF marker" not in result.output and "Traceback" not in result.output
    assert {p: p.read_bytes() for p in content.rglob("*") if p.is_file()} == before


def test_update_rewrites_one_visit_entry_and_leaves_the_rest_of_the_file(basic, tmp_path):
    out = tmp_path / "own.xlsx"
    assert run(basic, "export", "--layout", "careledger", "--out", str(out)).exit_code == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["走访台账"]
    heads = [c.value for c in ws[3]]
    [row] = [r for r in ws.iter_rows(min_row=4) if r[heads.index("走访日期")].value == "2026-11-05"
             and r[heads.index("走访人")].value == "李建国（ds-shuji）"]
    row[heads.index("情况记录")].value = "电话询问，已按时服药"
    wb.save(out)
    path = basic / "visits/2026-11/ds-shuji.yaml"
    before = path.read_text(encoding="utf-8")

    refused = run(basic, "import", str(out))
    assert refused.exit_code == 1
    assert "2026-11-05 李建国（ds-shuji） 对户 ds-001 的走访已有记录，与台账不同（情况记录：（空） → 电话询问，已按时服药）" \
        in refused.output
    assert path.read_text(encoding="utf-8") == before

    done = run(basic, "import", str(out), "--update")
    assert done.exit_code == 0, done.output
    assert "修改 走访 2026-11-05 李建国（ds-shuji） → 户 ds-001：\n      情况记录：（空） → 电话询问，已按时服药" in done.output
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before.split("- date: 2026-11-05")[0])  # the entries before it are kept byte for byte
    assert after.count("- date:") == before.count("- date:")
    [visit] = [v for v in records_of(basic).visits if v.visitor == "ds-shuji" and v.date == dt.date(2026, 11, 5)]
    assert (visit.note, visit.mode) == ("电话询问，已按时服药", "phone")
    assert "[E-" not in run(basic, "check").output


def test_guiyang_annex_2_reads_the_cadres_of_every_level_and_updates_with_a_diff(tmp_path):
    profile, title, headings, good, _, _ = ANNEXES["guiyang"]
    content = tree(tmp_path / "content", profile)
    (content / "staff/street.yaml").write_text(
        "- id: jd-wang\n  name: 王志刚\n  roles: [street_cadre]\n  post: 民政办主任\n  phone: '13900000010'\n",
        encoding="utf-8")
    assert run(content, "import", str(ledger(tmp_path / "a.xlsx", title, headings, good))).exit_code == 0
    pairing = ledger(tmp_path / "b.xlsx", "贵阳市特殊困难群众“一对一”包保联系帮扶台账",
                     ["序号", "对象姓名", "对象类型", "具体困难需求", "村（居）包保人\n姓名 职务 电话", "乡镇（街道）包保人",
                      "区（市、县）\n民政局联系人", "市民政局联系人", "最近一次联系帮扶", "村（居）"],
                     [[1, "欧阳福生", "分散供养特困人员", "冬季取暖困难", "李建国 村党总支书记 13900000002",
                       "王志刚 民政办主任 13900000010", None, None, "2026-11-20 李建国 上门走访", "一村"]])
    refused = run(content, "import", str(pairing))
    assert refused.exit_code == 1 and "加 --update 才修改" in refused.output
    done = run(content, "import", str(pairing), "--update")
    assert done.exit_code == 0, done.output
    assert "关爱帮扶对象 m1：包保安排：（空） → 包保责任人 李建国（v1-shuji）、王志刚（jd-wang）" in done.output
    [h] = [h for h in records_of(content).households if h.members[0].name == "欧阳福生"]
    assert h.subjects[0].assigned.responsible == ("v1-shuji", "jd-wang")
    assert [n.need for n in h.needs] == ["冬季取暖困难"]  # a need already there is not added twice


def test_the_village_named_above_the_table_applies_to_its_rows(tmp_path):
    profile, title, headings, good, _, _ = ANNEXES["tianhu"]
    content = tree(tmp_path / "content", profile)
    cut = headings.index("村（社区）")
    book = ledger(tmp_path / "in.xlsx", title, headings[:cut], [row[:cut] for row in good])
    ws_book = openpyxl.load_workbook(book)
    ws_book.active.cell(2, 1).value = "乡镇（街道）：测试街道　村（社区）：一村　填报人：周文清"
    ws_book.save(book)
    result = run(content, "import", str(book))
    assert result.exit_code == 0, result.output
    assert {h.village for h in records_of(content).households} == {"v1"}


def test_our_own_export_rebuilds_the_ledgers_in_an_empty_records_directory(basic, tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert run(basic, "export", "--layout", "careledger", "--out", str(first)).exit_code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "site.yaml").write_bytes((basic / "site.yaml").read_bytes())
    result = run(empty, "import", str(first))
    assert result.exit_code == 0 and "不能使用" not in result.output, result.output
    assert "[E-" not in run(empty, "check").output
    assert run(empty, "export", "--layout", "careledger", "--out", str(second)).exit_code == 0

    def cells(path):
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in openpyxl.load_workbook(path)}

    assert cells(second) == cells(first)  # every ledger cell, households (with status), visits and staff


def test_update_keeps_the_codes_of_the_fields_it_did_not_change(basic, tmp_path):
    """The export writes 男, 丧偶, 特困人员 and dates as text; `--update` of one cell must not rewrite the other fields
    of the household file into those words (the loader reads either, but the diff never listed them)."""
    out = tmp_path / "annex.xlsx"
    assert run(basic, "export", "--layout", "wangcheng", "--out", str(out)).exit_code == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    heads = [c.value for c in ws[3]]
    row = next(r for r in ws.iter_rows(min_row=4) if r[heads.index("户编号")].value == "ds-001")
    old_address = row[heads.index("现居住地")].value
    row[heads.index("现居住地")].value = "东山村9组9号"
    wb.save(out)
    path = next(basic.glob("households/*/ds-001.yaml"))
    before = yaml.safe_load(path.read_text(encoding="utf-8"))

    done = run(basic, "import", str(out), "--update")
    assert done.exit_code == 0, done.output
    after = yaml.safe_load(path.read_text(encoding="utf-8"))  # the file is written anew, so compare its data
    assert (before.pop("address"), after.pop("address")) == (old_address, "东山村9组9号")
    assert after == before
    assert "[E-" not in run(basic, "check").output


def test_a_new_visit_row_is_written_with_the_records_codes(basic, tmp_path):
    """A visit typed into the exported ledger in its words (包保责任人, 电话, 是, 精神疏导) is appended as `visit add`
    writes one: codes and a boolean, not the words."""
    out = tmp_path / "annex.xlsx"
    assert run(basic, "export", "--layout", "wangcheng", "--out", str(out)).exit_code == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["走访台账"]
    heads = [c.value for c in ws[3]]
    cells = {"走访日期": "2026-11-18", "户编号": "ds-001", "走访人": "李建国（ds-shuji）", "走访身份": "包保责任人",
             "走访方式": "电话", "见到对象本人": "是", "关爱帮扶活动": "精神疏导", "情况记录": "电话问候"}
    ws.append([cells.get(h) for h in heads])
    wb.save(out)
    done = run(basic, "import", str(out))
    assert done.exit_code == 0, done.output
    text = (basic / "visits/2026-11/ds-shuji.yaml").read_text(encoding="utf-8")
    added = text[text.index("- date: 2026-11-18"):]
    assert "duty: 'responsible'" in added and "mode: 'phone'" in added and "seen: true" in added, added
    assert "activities: ['emotional']" in added, added
    assert "[E-" not in run(basic, "check").output


@pytest.mark.parametrize("content", [b"junk", b"PK\x03\x04 not really a zip"])
def test_a_file_that_is_no_workbook_is_refused_in_chinese(tmp_path, content):
    records = tree(tmp_path / "content", "wangcheng-2020")
    book = tmp_path / "台账.xlsx"
    book.write_bytes(content)
    result = run(records, "import", str(book))
    assert result.exit_code == 1
    assert "不是可以读取的 Excel 文件（.xlsx）：文件已损坏，或不是 .xlsx 格式" in result.output, result.output
    words = set(re.findall(r"[A-Za-z]{3,}", result.output.replace(str(book), ""))) - {"Excel", "WPS", "xlsx", "xls"}
    assert not words, result.output  # no English from the zip or openpyxl library


def test_export_where_the_file_cannot_be_written_says_why_in_chinese(tmp_path):
    content = tree(tmp_path / "content", "wangcheng-2020")
    (tmp_path / "file").write_text("x")
    result = run(content, "export", "--out", str(tmp_path / "file" / "台账.xlsx"))
    assert result.exit_code == 1, result.output
    assert "失败（路径中已有同名的文件），未写入任何文件" in result.output and "Errno" not in result.output, result.output
