"""Each kind of mistake clerks make gets a finding that names the file, line, field and what to do."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from careledger.cli import main
from careledger.load import load

from .conftest import AS_OF
from .contentkit import line_of, replace_in

HOUSEHOLD = "households/dongshan/ds-001.yaml"
VISITS = "visits/2026-11/ds-lianxi1.yaml"


def findings_for(content: Path):
    records, findings = load(content, today=AS_OF)
    return records, findings


def only(findings, code):
    hits = [f for f in findings if f.code == code]
    assert hits, f"no {code} among {[f.format() for f in findings]}"
    return hits[0]


def test_fixture_is_clean(basic):
    records, findings = findings_for(basic)
    assert [f.format() for f in findings] == []
    assert len(records.households) == 3 and len(records.visits) == 5


@pytest.mark.parametrize("old, new, needle, code, column, words", [
    ("  address: ", "\taddress: ", "\taddress", "E-TAB", 1, "制表符"),
    ("address: 东山村", "address：东山村", "address：", "E-FULLWIDTH-COLON", 8, "全角冒号"),
    ("address: 东山村", "address:\u3000东山村", "address:\u3000", "E-FULLWIDTH-SPACE", 9, "全角空格"),
])
def test_typing_mistakes_name_line_and_column(basic, old, new, needle, code, column, words):
    if old.startswith("  "):  # the tab case: indent a nested field with a tab
        replace_in(basic, HOUSEHOLD, "    name: 欧阳福生", "\tname: 欧阳福生")
        needle = "\tname"
    else:
        replace_in(basic, HOUSEHOLD, old, new)
    _, findings = findings_for(basic)
    f = only(findings, code)
    assert f.source.file == HOUSEHOLD
    assert f.source.line == line_of(basic, HOUSEHOLD, needle)
    assert f.source.column == column
    assert words in f.message


def test_duplicate_key_is_refused_not_silently_overwritten(basic):
    replace_in(basic, HOUSEHOLD, "group: '2'\n", "group: '2'\ngroup: '3'\n")
    _, findings = findings_for(basic)
    f = only(findings, "E-DUPLICATE-KEY")
    assert (f.source.file, f.source.line, f.path) == (HOUSEHOLD, 4, "group")
    assert "第 3 行" in f.message


def test_unknown_key_suggests_the_nearest(basic):
    replace_in(basic, HOUSEHOLD, "    relation: self", "    relaton: self")
    _, findings = findings_for(basic)
    f = only(findings, "E-UNKNOWN-KEY")
    assert f.path == "members[0].relaton"
    assert f.source.line == line_of(basic, HOUSEHOLD, "relaton")
    assert "relation" in f.message and "与户主关系" in f.message


def test_chinese_label_as_key_gets_the_english_name(basic):
    replace_in(basic, HOUSEHOLD, "address: ", "现居住地: ")
    _, findings = findings_for(basic)
    assert "address" in only(findings, "E-UNKNOWN-KEY").message


@pytest.mark.parametrize("written, hint", [("2026/11/3", "2026-11-03"), ("2026年11月3日", "2026-11-03"),
                                           ("2026.11.3", "2026-11-03"), ("20261103", "2026-11-03")])
def test_non_iso_dates_say_how_to_write_them(basic, written, hint):
    replace_in(basic, VISITS, "- date: 2026-11-03", f"- date: {written}")
    _, findings = findings_for(basic)
    f = only(findings, "E-DATE-FORMAT")
    assert (f.source.file, f.source.line, f.path) == (VISITS, 1, "[0].date")
    assert hint in f.message


def test_impossible_date(basic):
    replace_in(basic, VISITS, "- date: 2026-11-03", "- date: 2026-02-30")
    _, findings = findings_for(basic)
    assert "不是真实日期" in only(findings, "E-DATE").message


def test_gbk_file_is_named_with_the_fix(basic):
    first_chinese_line = line_of(basic, HOUSEHOLD, "东山村")
    path = basic / HOUSEHOLD
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    _, findings = findings_for(basic)
    f = only(findings, "E-ENCODING")
    assert (f.source.file, f.source.line) == (HOUSEHOLD, first_chinese_line)
    assert "GBK" in f.message and "iconv" in f.message


@pytest.mark.parametrize("number, words", [
    ("990101194203150018", "校验码"),       # last digit off by one
    ("990101194213150011", "不是真实日期"),  # month 13 (check digit recomputed below)
    ("990101212003150010", "在未来"),        # born in 2120
    ("99010119420315001", "18 位"),
])
def test_bad_id_numbers(basic, number, words):
    from careledger.identifiers import check_digit
    if words in ("不是真实日期", "在未来"):
        number = number[:17] + check_digit(number[:17])
    replace_in(basic, HOUSEHOLD, "'990101194203150017'", f"'{number}'")
    _, findings = findings_for(basic)
    f = only(findings, "E-ID-NUMBER")
    assert (f.source.file, f.path) == (HOUSEHOLD, "members[0].id_number")
    assert f.source.line == line_of(basic, HOUSEHOLD, number)
    assert words in f.message


def test_real_region_codes_are_checked_and_synthetic_ones_need_the_setting(basic):
    replace_in(basic, "site.yaml", "synthetic_ids: true", "synthetic_ids: false")
    _, findings = findings_for(basic)
    assert any(f.code == "E-ID-NUMBER" and "99" in f.message for f in findings)


def test_id_number_disagreeing_with_sex_and_birth_date(basic):
    replace_in(basic, HOUSEHOLD, "    sex: male\n    birth_date: 1942-03-15",
               "    sex: female\n    birth_date: 1942-03-16")
    _, findings = findings_for(basic)
    mismatches = {f.path: f for f in findings if f.code == "E-ID-MISMATCH"}
    assert set(mismatches) == {"members[0].sex", "members[0].birth_date"}
    assert mismatches["members[0].sex"].source.line == line_of(basic, HOUSEHOLD, "sex: female")
    assert "1942-03-15" in mismatches["members[0].birth_date"].message


@pytest.mark.parametrize("phone", ["'1380000001'", "'23800000011'", "'12345'"])
def test_bad_mobile_numbers(basic, phone):
    replace_in(basic, HOUSEHOLD, "'13800000011'", phone)
    _, findings = findings_for(basic)
    f = only(findings, "E-PHONE")
    assert (f.source.file, f.path) == (HOUSEHOLD, "members[0].phone")
    assert "手机号" in f.message


def test_landline_and_mobile_forms_are_normalised(basic):
    replace_in(basic, "site.yaml", "'0564-3312345'", "'0564 3312345'")
    replace_in(basic, HOUSEHOLD, "'13800000011'", "'138 0000 0011'")
    records, findings = findings_for(basic)
    assert [f for f in findings if f.is_error] == []
    assert records.households_by_id["ds-001"].members[0].phone == "13800000011"


def test_same_id_number_in_two_households(basic):
    replace_in(basic, "households/dongshan/ds-002.yaml", "'990101193805050078'", "'990101194203150017'")
    replace_in(basic, "households/dongshan/ds-002.yaml", "birth_date: 1938-05-05", "birth_date: 1942-03-15")
    _, findings = findings_for(basic)
    f = only(findings, "E-ID-DUPLICATE")
    assert f.source.file == "households/dongshan/ds-002.yaml"
    assert f.path == "members[1].id_number"
    assert "ds-001" in f.message


@pytest.mark.parametrize("rel, old, new, code, path", [
    (HOUSEHOLD, "responsible: [ds-shuji]", "responsible: [ds-nobody]", "E-REF-STAFF", "subjects[0].assigned.responsible"),
    (VISITS, "household: ds-002", "household: ds-999", "E-REF-HOUSEHOLD", "household"),
    (VISITS, "  duty: contact\n  activities: [cleaning, laundry]",
     "  duty: contact\n  subjects: [m9]\n  activities: [cleaning, laundry]", "E-REF-SUBJECT", "subjects[0]"),
    ("visits/2026-11/ds-shuji.yaml", "problem: p1", "problem: p7", "E-REF-PROBLEM", "resolved[0].problem"),
])
def test_references_to_unknown_things(basic, rel, old, new, code, path):
    replace_in(basic, rel, old, new)
    _, findings = findings_for(basic)
    f = only(findings, code)
    assert f.source.file == rel and f.path == path and f.source.line > 0


def test_visits_of_unknown_staff_file(basic):
    (basic / VISITS).rename(basic / "visits/2026-11/ds-ghost.yaml")
    _, findings = findings_for(basic)
    f = only(findings, "E-REF-STAFF")
    assert f.source.file == "visits/2026-11/ds-ghost.yaml" and "ds-ghost" in f.message


@pytest.mark.parametrize("bad", ["DS-001", "ds_001", "ds 001", "东山-001", "-ds"])
def test_ids_must_be_safe_file_names(basic, bad):
    replace_in(basic, HOUSEHOLD, "id: ds-001", f"id: '{bad}'")
    _, findings = findings_for(basic)
    f = only(findings, "E-ID-FORMAT")
    assert (f.source.file, f.source.line, f.path) == (HOUSEHOLD, 1, "id")


def test_file_name_must_match_the_household_id(basic):
    (basic / HOUSEHOLD).rename(basic / "households/dongshan/ds-009.yaml")
    _, findings = findings_for(basic)
    assert "ds-009" in only(findings, "E-FILE-NAME").message


def test_visit_filed_under_the_wrong_month(basic):
    replace_in(basic, VISITS, "- date: 2026-11-03", "- date: 2026-10-30")
    _, findings = findings_for(basic)
    assert "visits/2026-10/ds-lianxi1.yaml" in only(findings, "E-DATE-PLACE").message


@pytest.mark.parametrize("old, new, raw, yaml_type", [
    ("group: '2'", "group: 02", "02", "整数"),          # YAML 1.1: octal 2
    ("group: '2'", "group: 0777", "0777", "整数"),      # YAML 1.1: octal 511
    ("group: '2'", "group: no", "no", "真假值"),        # YAML 1.1: False
    ("group: '2'", "group: 1:30", "1:30", "整数"),      # YAML 1.1: sexagesimal 90
    ("'990101194203150017'", "990101194203150017", "990101194203150017", "整数"),
    ("'13800000011'", "13800000011", "13800000011", "整数"),
])
def test_yaml_1_1_surprises_keep_the_written_text_and_say_so(basic, old, new, raw, yaml_type):
    replace_in(basic, HOUSEHOLD, old, new)
    records, findings = findings_for(basic)
    assert [f for f in findings if f.is_error] == []
    warning = only(findings, "W-YAML-TYPE")
    assert warning.source.file == HOUSEHOLD and raw in warning.message and yaml_type in warning.message
    household = records.households_by_id["ds-001"]
    assert raw in (household.group, household.members[0].id_number, household.members[0].phone)


def test_missing_required_field(basic):
    replace_in(basic, VISITS, "  duty: contact\n  activities: [cleaning, laundry]", "  activities: [cleaning, laundry]")
    _, findings = findings_for(basic)
    f = only(findings, "E-MISSING")
    assert f.path == "[0].duty" and "走访身份" in f.message


def test_all_errors_of_a_run_are_reported(basic):
    replace_in(basic, HOUSEHOLD, "address: 东山村", "address：东山村")
    replace_in(basic, VISITS, "- date: 2026-11-03", "- date: 2026/11/3")
    replace_in(basic, "households/xiwan/xw-001.yaml", "'990101201506010049'", "'990101201506010040'")
    _, findings = findings_for(basic)
    assert {f.source.file for f in findings if f.is_error} == {HOUSEHOLD, VISITS, "households/xiwan/xw-001.yaml"}


def test_enum_accepts_chinese_label_and_lists_choices(basic):
    replace_in(basic, HOUSEHOLD, "    sex: male", "    sex: 男")
    replace_in(basic, VISITS, "duty: contact", "duty: 路人")
    records, findings = findings_for(basic)
    assert records.households_by_id["ds-001"].members[0].sex == "male"
    assert "关爱帮扶联系人" in only(findings, "E-CHOICE").message


def test_category_and_level_must_exist_in_the_profile(basic):
    replace_in(basic, HOUSEHOLD, "category: '1'", "category: '9'")
    replace_in(basic, HOUSEHOLD, "level: '3'", "level: '7'")
    _, findings = findings_for(basic)
    assert "一类" in only(findings, "E-CATEGORY").message
    assert "三级" in only(findings, "E-LEVEL").message


def test_missing_site_yaml(tmp_path):
    records, findings = load(tmp_path, today=AS_OF)
    assert records is None and only(findings, "E-SITE-MISSING")


def test_check_command_exit_codes_and_json(basic):
    runner = CliRunner()
    ok = runner.invoke(main, ["check", "--content", str(basic), "--as-of", "2026-11-06"])
    assert ok.exit_code == 0, ok.output
    overdue = runner.invoke(main, ["check", "--content", str(basic), "--as-of", "2026-11-23"])
    assert overdue.exit_code == 0 and "CAD-ALERT" in overdue.output  # policy findings fail only with --strict
    strict = runner.invoke(main, ["check", "--content", str(basic), "--as-of", "2026-11-23", "--strict"])
    assert strict.exit_code == 1
    replace_in(basic, HOUSEHOLD, "address: 东山村", "address：东山村")
    bad = runner.invoke(main, ["check", "--content", str(basic), "--as-of", "2026-11-23", "--format", "json"])
    assert bad.exit_code == 1
    items = json.loads(bad.stdout)
    assert items[0]["file"] == HOUSEHOLD and items[0]["line"] == 4 and items[0]["code"] == "E-FULLWIDTH-COLON"
    text = runner.invoke(main, ["check", "--content", str(basic), "--as-of", "2026-11-23"])
    assert HOUSEHOLD in text.output and "4:8" in text.output and "全角冒号" in text.output


@pytest.mark.parametrize("region, code", [("341502", None), ("341599", "W-ID-REGION")])
def test_older_persons_real_region_loads_and_an_unknown_region_is_only_a_warning(basic, region, code):
    from careledger.identifiers import check_digit
    first17 = region + "19420315001"  # synthetic: a real (341502 金安区, created 1999) or unknown region, born 1942
    replace_in(basic, HOUSEHOLD, "'990101194203150017'", f"'{first17 + check_digit(first17)}'")  # synthetic
    records, findings = findings_for(basic)
    assert [f.format() for f in findings if f.is_error] == []
    region_notes = [f for f in findings if f.code == "W-ID-REGION"]
    assert [f.code for f in region_notes] == ([code] if code else [])
    if code:
        assert not region_notes[0].is_error and region_notes[0].path == "members[0].id_number"
        assert region_notes[0].source.line == line_of(basic, HOUSEHOLD, first17)


@pytest.mark.parametrize("spot_check, period, path", [
    ("没有这个抽查", "", "spot_check"),
    ("街道督查、抽查关爱帮扶联系人履职情况", "  period: 2026-Q5\n", "period"),
])
def test_a_spot_check_result_naming_an_unknown_spot_check_or_period(basic, spot_check, period, path):
    rel = "spot-checks/2026-11/s-minzheng.yaml"
    (basic / "spot-checks/2026-11").mkdir(parents=True)
    (basic / rel).write_text(f"- date: 2026-11-18\n  spot_check: {spot_check}\n{period}  household: ds-001\n"
                             "  method: phone\n  passed: true\n", encoding="utf-8")
    records, findings = findings_for(basic)
    f = only(findings, "E-REF-SPOT-CHECK")
    assert (f.source.file, f.source.line, f.path) == (rel, 1, path)
    if path == "spot_check":
        assert "街道督查、抽查关爱帮扶联系人履职情况" in f.message  # the one the profile has
    assert len(records.spot_checks) == 1


def test_a_failed_spot_check_must_say_what_was_found(basic):
    rel = "spot-checks/2026-11/s-minzheng.yaml"
    (basic / "spot-checks/2026-11").mkdir(parents=True)
    (basic / rel).write_text("- date: 2026-11-18\n  spot_check: 街道督查、抽查关爱帮扶联系人履职情况\n"
                             "  household: ds-001\n  method: on_site\n  passed: false\n", encoding="utf-8")
    _, findings = findings_for(basic)
    f = only(findings, "E-MISSING")
    assert f.path == "[0].problems" and "problems" in f.message


@pytest.mark.parametrize("added, named, not_named", [
    ("status: exited\nstatus_date: 2026-11-20\n", "status_reason", "status_date"),
    ("status: exited\nstatus_reason: 迁出本街道\n", "status_date", "status_reason"),
    ("status: exited\n", "status_date（日期）和 status_reason", None),
])
def test_missing_status_fields_name_only_what_is_missing(basic, added, named, not_named):
    replace_in(basic, HOUSEHOLD, "address: 东山村2组15号\n", "address: 东山村2组15号\n" + added)
    _, findings = findings_for(basic)
    f = next(f for f in findings if f.code == "E-MISSING" and f.path == "status")
    assert named in f.message
    assert not_named is None or not_named not in f.message


def test_the_text_output_counts_list_positions_from_1(basic):
    # The first member's bad phone: `path` stays members[0].phone for tools (JSON `field`), the text a clerk reads
    # says the first one.
    replace_in(basic, HOUSEHOLD, "    id_number: '990101194203150017'\n",
               "    id_number: '990101194203150017'\n    phone: '12345'\n")
    _, findings = findings_for(basic)
    f = only(findings, "E-PHONE")
    assert f.path == "members[0].phone" and f.to_json()["field"] == "members[0].phone"
    assert " members[第1条].phone " in f.format()
