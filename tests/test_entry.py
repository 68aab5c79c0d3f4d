"""`careledger visit add`, `household new`, `member add` (issue 17): entering records by name, appended as text,
validated through the loader before anything is written, refused with the disk unchanged."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from careledger import cli
from careledger.cli import main
from careledger.entry.yamltext import Unsafe, append_item, insert_in_block, scalar
from careledger.load import load

TODAY = dt.date(2026, 11, 23)
FIXTURES_BASIC = Path(__file__).parent / "fixtures" / "basic"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "today_in_jurisdiction", lambda: TODAY)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))


def run(content, *args, input=None):
    return CliRunner().invoke(main, [*args, "--content", str(content)], input=input)


def tree_hash(root) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def record_errors(content):
    records, findings = load(content, today=TODAY)
    return records, [f for f in findings if f.is_error]


def test_visit_by_name_appends_an_entry_the_loader_accepts(basic):
    path = basic / "visits/2026-11/ds-shuji.yaml"
    before = path.read_bytes()
    result = run(basic, "visit", "add", "--subject", "欧阳", "--visitor", "李建国", "--date", "2026-11-20",
                 "--note", "身体状况稳定，血压正常")
    assert result.exit_code == 0, result.output
    assert "已记录：2026-11-20 李建国（ds-shuji） 入户走访 欧阳福生（东山村，ds-001/m1）" in result.output
    assert "visits/2026-11/ds-shuji.yaml 第 12 行" in result.output
    after = path.read_bytes()
    assert after.startswith(before)  # the entries already there are kept byte for byte
    records, errors = record_errors(basic)
    assert errors == []
    [visit] = [v for v in records.visits if v.date == dt.date(2026, 11, 20)]
    assert (visit.visitor, visit.household, visit.duty, visit.mode, visit.note) == (
        "ds-shuji", "ds-001", "responsible", "in_person", "身体状况稳定，血压正常")
    checked = run(basic, "check", "--as-of", "2026-11-23")
    assert "[E-" not in checked.output  # `check` finds no record error (only policy findings)


def test_default_date_is_today_and_a_new_month_file_is_made(basic):
    result = run(basic, "visit", "add", "--subject", "ds-002", "--visitor", "赵小红", "--mode", "电话",
                 "--activity", "emotional", "--seen")
    assert result.exit_code == 0, result.output
    text = (basic / "visits/2026-11/ds-lianxi1.yaml").read_text(encoding="utf-8")
    entry = yaml.safe_load(text)[-1]
    assert entry == {"date": TODAY, "household": "ds-002", "duty": "contact", "mode": "phone", "seen": True,
                     "activities": ["emotional"]}
    assert record_errors(basic)[1] == []


def test_an_ambiguous_name_offers_a_numbered_choice(basic):
    result = run(basic, "visit", "add", "--subject", "张堃", "--visitor", "国", "--date", "2026-11-22", input="2\n")
    assert result.exit_code == 0, result.output
    assert "1. 李建国（东山村，ds-shuji）" in result.output
    assert "2. 陈国强（西湾社区，xw-zhuren）" in result.output
    entries = yaml.safe_load((basic / "visits/2026-11/xw-zhuren.yaml").read_text(encoding="utf-8"))
    assert entries == [{"date": dt.date(2026, 11, 22), "household": "xw-001", "duty": "responsible",
                        "mode": "in_person"}]
    assert record_errors(basic)[1] == []


def test_part_of_an_id_picks_too():
    from careledger.entry.find import matches, staff_candidates

    records, _ = load(FIXTURES_BASIC, today=TODAY)
    assert [c.key for c in matches(staff_candidates(records), "lianxi")] == ["ds-lianxi1", "xw-lianxi"]
    assert [c.key for c in matches(staff_candidates(records), "ds-shuji")] == ["ds-shuji"]


def test_missing_subject_and_visitor_are_asked_for(basic):
    result = run(basic, "visit", "add", "--date", "2026-11-22", input="司马玥\n王秀兰\n")
    assert result.exit_code == 0, result.output
    assert "王秀兰（ds-baopian）" in result.output and "司马玥（东山村，ds-002/m1）" in result.output
    assert (basic / "visits/2026-11/ds-baopian.yaml").is_file()


@pytest.mark.parametrize("args, message", [
    (["--subject", "诸葛", "--visitor", "李建国"], "没有找到关爱帮扶对象“诸葛”"),
    (["--subject", "欧阳", "--visitor", "无名氏"], "没有找到走访人“无名氏”"),
    (["--subject", "欧阳", "--visitor", "国"], "走访人“国”不唯一，未作选择：请用编号指定，例如 --visitor ds-shuji"),
    (["--subject", "欧阳", "--visitor", "李建国", "--date", "2026-11-31"], "“2026-11-31”不是日期"),
    (["--subject", "欧阳", "--visitor", "李建国", "--date", "下周"], "“下周”不是日期"),
    (["--subject", "欧阳", "--visitor", "李建国", "--date", "2026-11-24"], "晚于今天（2026-11-23，北京时间）"),
    (["--subject", "欧阳", "--visitor", "李建国", "--date", "2025-12-01"], "2026-01-05 才纳入关爱帮扶"),
    (["--subject", "司马", "--visitor", "李建国"], "李建国（ds-shuji）不在司马玥（东山村，ds-002/m1）的包保安排中"),
    (["--subject", "司马", "--visitor", "李建国", "--duty", "responsible"], "李建国（ds-shuji）不是司马玥"),
    (["--subject", "欧阳", "--visitor", "李建国", "--date", "2026-11-05", "--duty", "responsible"],
     "已有 李建国（ds-shuji）2026-11-05 以包保责任人身份走访户 ds-001 的记录（visits/2026-11/ds-shuji.yaml 第 8 行）"),
    (["--subject", "欧阳", "--visitor", "李建国", "--resolve", "p1"], "户 ds-001 的问题“p1”已经办结"),
    (["--subject", "欧阳", "--visitor", "李建国", "--resolve-note", "好了"], "--resolve-note 须与 --resolve"),
])
def test_bad_input_is_refused_and_nothing_changes(basic, args, message):
    before = tree_hash(basic)
    result = run(basic, "visit", "add", *args, input="")
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert tree_hash(basic) == before


def test_a_visitor_who_has_left_is_refused(basic):
    staff = basic / "staff/dongshan.yaml"
    staff.write_text(staff.read_text(encoding="utf-8").replace("  post: 村党总支书记\n",
                                                               "  post: 村党总支书记\n  left: 2026-11-10\n"),
                     encoding="utf-8")
    before = tree_hash(basic)
    result = run(basic, "visit", "add", "--subject", "欧阳", "--visitor", "李建国", "--date", "2026-11-20")
    assert result.exit_code != 0 and "李建国（ds-shuji）2026-11-20 不在任" in result.output
    assert tree_hash(basic) == before


def test_a_subject_who_has_exited_is_found_only_for_days_before(basic):
    path = basic / "households/dongshan/ds-002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    enrolled: 2026-02-01\n", "    enrolled: 2026-02-01\n    exited: 2026-11-10\n    exit_reason: 迁出\n"),
        encoding="utf-8")
    late = run(basic, "visit", "add", "--subject", "司马玥", "--visitor", "王秀兰", "--date", "2026-11-20")
    assert late.exit_code != 0 and "没有找到关爱帮扶对象“司马玥”" in late.output
    early = run(basic, "visit", "add", "--subject", "司马玥", "--visitor", "王秀兰", "--date", "2026-11-05")
    assert early.exit_code == 0, early.output


def test_appending_keeps_comments_and_layout_of_the_file(basic):
    path = basic / "visits/2026-11/ds-shuji.yaml"
    odd = ("# 李建国 11 月的走访\r\n- date: 2026-11-02   # 上午\r\n  household: ds-001\r\n  duty: 包保责任人\r\n"
           "  note: >\r\n    折叠的\r\n    说明")  # CRLF, comments, a folded scalar, no newline at the end
    path.write_bytes(odd.encode("utf-8"))
    result = run(basic, "visit", "add", "--subject", "欧阳", "--visitor", "ds-shuji", "--date", "2026-11-21",
                 "--note", "它's \"引号\"\n第二行")
    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert after.startswith(odd.encode("utf-8") + b"\r\n- date: 2026-11-21\r\n")
    assert b"\n" not in after.replace(b"\r\n", b"")  # the file's line ends are kept
    records, errors = record_errors(basic)
    assert errors == []
    assert [v.note for v in records.visits if v.date == dt.date(2026, 11, 21)] == ["它's \"引号\"\n第二行"]


def test_an_error_the_entry_would_add_is_refused_with_its_place(basic):
    path = basic / "visits/2026-11/ds-shuji.yaml"
    path.write_text("[]\n", encoding="utf-8")  # a flow list cannot be appended to as text
    before = tree_hash(basic)
    result = run(basic, "visit", "add", "--subject", "欧阳", "--visitor", "李建国", "--date", "2026-11-20")
    assert result.exit_code != 0 and "无法安全地追加" in result.output
    assert tree_hash(basic) == before


def test_resolving_a_problem_found_earlier(basic):
    path = basic / "visits/2026-11/ds-baopian.yaml"
    path.write_text("- date: 2026-11-03\n  household: ds-002\n  duty: responsible\n  problems:\n"
                    "    - id: p7\n      text: 灶台漏气\n", encoding="utf-8")
    result = run(basic, "visit", "add", "--subject", "司马玥", "--visitor", "王秀兰", "--date", "2026-11-20",
                 "--resolve", "p7", "--resolve-note", "已更换软管")
    assert result.exit_code == 0, result.output
    assert "办结问题 p7" in result.output
    records, errors = record_errors(basic)
    assert errors == []
    [visit] = [v for v in records.visits if v.date == dt.date(2026, 11, 20)]
    assert [(r.problem, r.note) for r in visit.resolved] == [("p7", "已更换软管")]
    again = run(basic, "visit", "add", "--subject", "司马玥", "--visitor", "王秀兰", "--date", "2026-11-21",
                "--resolve", "p9")
    assert again.exit_code != 0 and "户 ds-002 的问题“p9”不存在" in again.output


def test_a_problem_found_gets_the_next_free_id_and_can_be_resolved_later(basic):
    result = run(basic, "visit", "add", "--subject", "欧阳福生", "--visitor", "李建国", "--date", "2026-11-20",
                 "--problem", "电线老化", "--action", "联系电工", "--deadline", "2026年12月10日", "--risk")
    assert result.exit_code == 0, result.output
    assert "发现问题 p2（电线老化）" in result.output  # p1 was found on 2026-10-28
    records, errors = record_errors(basic)
    assert errors == []
    [visit] = [v for v in records.visits if v.date == dt.date(2026, 11, 20)]
    [problem] = visit.problems
    assert (problem.id, problem.text, problem.action, problem.deadline, problem.risk) == (
        "p2", "电线老化", "联系电工", dt.date(2026, 12, 10), True)
    closed = run(basic, "visit", "add", "--subject", "欧阳福生", "--visitor", "赵小红", "--date", "2026-11-22",
                 "--resolve", "p2", "--resolve-note", "已更换电线")
    assert closed.exit_code == 0, closed.output
    assert record_errors(basic)[1] == []
    before = tree_hash(basic)
    for args, message in ((["--deadline", "2026-11-01", "--problem", "x"], "限期 2026-11-01 早于走访日期 2026-11-23"),
                          (["--action", "修"], "须与 --problem（发现的问题）一起用")):
        refused = run(basic, "visit", "add", "--subject", "欧阳福生", "--visitor", "李建国", *args)
        assert refused.exit_code != 0 and message in refused.output, refused.output
    assert tree_hash(basic) == before


def test_household_new_writes_a_household_the_loader_accepts(basic):
    result = run(basic, "household", "new", "--village", "东山", "--name", "王小二", "--address", "东山村3组8号",
                 "--category", "1", "--level", "2", "--responsible", "王秀兰", "--contact", "赵小红",
                 "--id-number", "990101195001010010", "--sex", "male")
    assert result.exit_code == 0, result.output
    assert "已建档：王小二（东山村，ds-003/m1）" in result.output
    records, errors = record_errors(basic)
    assert errors == []
    household = records.households_by_id["ds-003"]
    assert household.members[0].name == "王小二"
    assert household.subjects[0].assigned.responsible == ("ds-baopian",)
    assert household.subjects[0].enrolled == TODAY


def test_household_new_with_a_bad_id_number_is_refused_with_the_located_error(basic):
    before = tree_hash(basic)
    result = run(basic, "household", "new", "--village", "dongshan", "--name", "王小二", "--address", "东山村3组8号",
                 "--category", "1", "--level", "2", "--id-number", "990101195001010011")
    assert result.exit_code != 0
    assert "households/dongshan/ds-003.yaml:8:16 [E-ID-NUMBER] members[0].id_number" in result.output
    assert tree_hash(basic) == before


@pytest.mark.parametrize("extra, message", [
    (["--id", "../../evil"], "户编号“../../evil”不合格式"),
    (["--id", "ds-001"], "户编号“ds-001”已有档案（households/dongshan/ds-001.yaml）"),
    (["--category", "99"], "[E-CATEGORY] subjects[0].category 人员类别“99”不在政策档案"),
    (["--responsible", "无名氏"], "没有找到包保责任人“无名氏”"),
    (["--enrolled", "2027-01-01"], "纳入日期 2027-01-01 晚于今天"),
])
def test_household_new_refusals_leave_the_tree_unchanged(basic, extra, message):
    before = tree_hash(basic)
    args = ["--village", "dongshan", "--name", "王小二", "--address", "东山村3组8号", "--category", "1", "--level", "2"]
    result = run(basic, "household", "new", *args, *extra, input="")
    assert result.exit_code != 0 and message in result.output, result.output
    assert tree_hash(basic) == before


def test_member_add_inserts_into_the_members_list_only(basic):
    path = basic / "households/dongshan/ds-002.yaml"
    old_lines = path.read_bytes().splitlines(keepends=True)
    result = run(basic, "member", "add", "--household", "司马德", "--name", "司马小", "--relation", "孙子女",
                 "--birth-date", "2012-9-1")
    assert result.exit_code == 0, result.output
    assert "已添加：司马小（ds-002/m3），孙子女。写入 households/dongshan/ds-002.yaml 第 28 行" in result.output
    new_lines = path.read_bytes().splitlines(keepends=True)
    assert new_lines[:27] + new_lines[31:] == old_lines
    assert b"".join(new_lines[27:31]).decode() == ("  - id: 'm3'\n    name: '司马小'\n    relation: 'grandchild'\n"
                                                   "    birth_date: 2012-09-01\n")
    records, errors = record_errors(basic)
    assert errors == []
    assert [m.id for m in records.households_by_id["ds-002"].members] == ["m1", "m2", "m3"]


def test_member_add_refuses_a_layout_it_cannot_edit_safely(basic):
    path = basic / "households/dongshan/ds-002.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("members:\n"), text.index("subjects:\n")
    path.write_text(text[:start] + "members: [{id: m1, name: 司马玥, relation: self}]\n" + text[end:],
                    encoding="utf-8")
    before = tree_hash(basic)
    result = run(basic, "member", "add", "--household", "ds-002", "--name", "司马小", "--relation", "grandchild")
    assert result.exit_code != 0 and "写在了同一行" in result.output
    assert tree_hash(basic) == before


def test_an_insertion_that_does_not_read_back_as_the_new_member_is_refused(basic, monkeypatch):
    from careledger.entry import yamltext

    monkeypatch.setattr(yamltext, "insert_in_block", lambda old, key, pairs: (old.replace(b"m2", b"m3"), 20))
    before = tree_hash(basic)
    result = run(basic, "member", "add", "--household", "ds-002", "--name", "司马小", "--relation", "grandchild")
    assert result.exit_code != 0 and "写入后读回的记录与录入的不符" in result.output
    assert tree_hash(basic) == before


def test_member_add_refuses_a_namesake_unless_given_an_id(basic):
    before = tree_hash(basic)
    result = run(basic, "member", "add", "--household", "ds-002", "--name", "司马德", "--relation", "child")
    assert result.exit_code != 0 and "户 ds-002 已有成员 司马德（ds-002/m2）" in result.output
    assert tree_hash(basic) == before
    again = run(basic, "member", "add", "--household", "ds-002", "--name", "司马德", "--relation", "child",
                "--id", "m9")
    assert again.exit_code == 0, again.output


def test_member_add_refuses_a_duplicate_id_number(basic):
    before = tree_hash(basic)
    result = run(basic, "member", "add", "--household", "欧阳福生", "--name", "欧阳明", "--relation", "child",
                 "--id-number", "990101194203150017")
    assert result.exit_code != 0 and "[E-ID-DUPLICATE]" in result.output
    assert tree_hash(basic) == before


@pytest.mark.parametrize("value", ["a'b", "x: y", "# not a comment", "line\nbreak", "tab\there", "'", "", "- x",
                                   "yes", "0123", "2026-11-01", "null", "\u2028"])
def test_scalars_read_back_as_the_same_text(value):
    assert yaml.safe_load(f"k: {scalar(value)}") == {"k": value}


def test_insert_in_block_with_items_flush_left_and_comments():
    old = b"id: h\nmembers:\n- id: m1\n  name: a\n  # trailing comment\n\n# about subjects\nsubjects: []\n"
    new, line = insert_in_block(old, "members", [("id", "m2"), ("name", "b")])
    assert new == b"id: h\nmembers:\n- id: m1\n  name: a\n- id: 'm2'\n  name: 'b'\n  # trailing comment\n\n" \
                  b"# about subjects\nsubjects: []\n"
    assert line == 5
    with pytest.raises(Unsafe):
        insert_in_block(b"members:\n  - id: m1\nmembers:\n  - id: m2\n", "members", [("id", "m3")])
    with pytest.raises(Unsafe):
        append_item(b"{}\n", [("date", dt.date(2026, 1, 1))])


def test_household_new_asks_for_what_is_missing(basic):
    result = run(basic, "household", "new", "--level", "2", input="东山\n王小二\n东山村3组8号\n1\n")
    assert result.exit_code == 0, result.output
    assert "人员类别：1 " in result.output  # the profile's categories are listed before the question
    assert "已建档：王小二（东山村，ds-003/m1）" in result.output
    assert record_errors(basic)[1] == []


def test_member_add_asks_for_the_relation_and_lists_the_choices(basic):
    result = run(basic, "member", "add", "--household", "xw-001", "--name", "张小", input="孙子女\n")
    assert result.exit_code == 0, result.output
    assert "与户主关系：self 本人" in result.output and "已添加：张小（xw-001/m3），孙子女" in result.output


def test_errors_already_in_the_tree_do_not_block_an_entry(basic):
    broken = basic / "visits/2026-11/ds-lianxi1.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "- date: 2026-11-31\n  household: ds-001\n", encoding="utf-8")
    errors_before = record_errors(basic)[1]
    assert errors_before
    result = run(basic, "visit", "add", "--subject", "欧阳", "--visitor", "李建国", "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert [f.code for f in record_errors(basic)[1]] == [f.code for f in errors_before]


def test_the_file_is_replaced_whole_keeping_its_permissions(basic):
    path = basic / "visits/2026-11/ds-shuji.yaml"
    path.chmod(0o640)
    result = run(basic, "visit", "add", "--subject", "欧阳", "--visitor", "李建国", "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["ds-lianxi1.yaml", "ds-shuji.yaml"]  # no temp file left


def test_a_new_error_like_one_already_in_the_file_is_still_refused(basic):
    from careledger.entry.write import Change, check_change

    path = basic / "visits/2026-11/ds-shuji.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  companions: [ghost]\n", encoding="utf-8")
    records, findings = load(basic, today=TODAY)
    assert [f.code for f in findings if f.is_error] == ["E-REF-STAFF"]
    old = path.read_bytes()
    new, line = append_item(old, [("date", dt.date(2026, 11, 20)), ("household", "ds-001"), ("duty", "responsible"),
                                  ("companions", ["ghost"])])
    _, added = check_change(records, findings, Change("visits/2026-11/ds-shuji.yaml", old, new, line), TODAY)
    assert [(f.code, f.source.line) for f in added] == [("E-REF-STAFF", line)]
    same, _ = append_item(old, [("date", dt.date(2026, 11, 20)), ("household", "ds-001"), ("duty", "responsible")])
    assert check_change(records, findings, Change("visits/2026-11/ds-shuji.yaml", old, same, line), TODAY)[1] == []


def test_an_error_below_the_inserted_member_is_not_taken_for_a_new_one(basic):
    path = basic / "households/dongshan/ds-002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    category: '3'\n", "    category: '99'\n"),
                    encoding="utf-8")
    assert [f.code for f in record_errors(basic)[1]] == ["E-CATEGORY"]
    result = run(basic, "member", "add", "--household", "ds-002", "--name", "司马小", "--relation", "grandchild")
    assert result.exit_code == 0, result.output
    assert [f.code for f in record_errors(basic)[1]] == ["E-CATEGORY"]


def test_an_entry_after_the_demo_day_says_check_judges_the_demo_as_of_that_day(basic):
    """Demo records are judged as of `demo_as_of`, not today: an entry dated later is written, and the clerk told it
    counts only with --as-of; one on or before that day gets no such note."""
    with open(basic / "site.yaml", "a", encoding="utf-8") as f:
        f.write("demo_as_of: 2026-11-20\n")
    later = run(basic, "visit", "add", "--subject", "ds-001/m1", "--visitor", "ds-shuji", "--date", "2026-11-22")
    assert later.exit_code == 0, later.output
    assert ("注意：这是演示记录，check、build 等命令默认按演示的基准日 2026-11-20 判断；这次走访的日期 2026-11-22 晚于它，"
            "不计入检查和报表。要按这一天判断，请加 --as-of 2026-11-22") in later.output
    earlier = run(basic, "visit", "add", "--subject", "ds-001/m1", "--visitor", "ds-shuji", "--date", "2026-11-19")
    assert earlier.exit_code == 0 and "注意" not in earlier.output, earlier.output
    new = run(basic, "household", "new", "--village", "dongshan", "--name", "王小二", "--address", "东山村3组8号",
              "--category", "1", "--level", "2")
    assert new.exit_code == 0 and "纳入日期 2026-11-23 晚于它" in new.output, new.output
