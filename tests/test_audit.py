"""The audit trail: findings drawn from scripted git histories (authors and dates set per commit)."""

import datetime as dt

import pytest

from careledger.audit import household_history, read_history
from careledger.pipeline import check_records
from careledger.rules import Facts
from careledger.views.dossier import build_dossiers

from .conftest import AS_OF
from .gitkit import CLERK, STRANGER, Repo, basic_repo, git

SHUJI = "visits/2026-11/ds-shuji.yaml"
IMPORT = ("AUD-BULK", "", "s-minzheng")  # the first commit, by the clerk


def visit(day: str, household: str = "ds-001", duty: str = "responsible", mode: str = "in_person") -> str:
    return f"- date: {day}\n  household: {household}\n  duty: {duty}\n  mode: {mode}\n"


def audit(root, as_of: dt.date = AS_OF):
    records, findings = check_records(root, as_of=as_of)
    assert not [f.format() for f in findings if f.is_error and not f.code.startswith(("CAD", "ASG", "LVL", "PRB"))]
    return [f for f in findings if f.code.startswith("AUD")]


def codes(findings):
    return sorted((f.code, f.subject, f.staff) for f in findings)


# --- the import and ordinary work --------------------------------------------------------------------------


def test_the_first_commit_is_an_import_summed_up_once(tmp_path):
    repo = basic_repo(tmp_path / "c")
    [bulk] = audit(repo.root)
    assert bulk.code == "AUD-BULK" and bulk.evidence["kind"] == "导入"
    assert bulk.evidence["visits_added"] == 5 and bulk.evidence["household_files"] == 3
    assert bulk.evidence["commit"] == repo.head()


def test_visits_entered_on_time_by_a_clerk_find_nothing(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.append(SHUJI, visit("2026-11-12"))
    repo.commit("2026-11-15")  # 3 days after: allowed (late_entry_days 3)
    assert codes(audit(repo.root)) == [IMPORT]


# --- late, future --------------------------------------------------------------------------------------------


def test_a_visit_entered_late(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.append(SHUJI, visit("2026-11-12"))
    commit = repo.commit("2026-11-16")  # 4 days after
    late = [f for f in audit(repo.root) if f.code == "AUD-LATE"]
    assert codes(late) == [("AUD-LATE", "ds-001", "ds-shuji")]
    assert late[0].evidence["delay_days"] == 4 and late[0].evidence["allowed_days"] == 3
    assert late[0].evidence["commit"] == commit
    assert late[0].source.file == SHUJI and late[0].source.line > 0  # the visit in today's records


def test_the_day_of_a_commit_is_its_committer_date_in_beijing_time(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.append(SHUJI, visit("2026-11-12"))
    # written on the 13th; entered the repository at 23:30 UTC on the 15th = 07:30 on the 16th in Beijing
    repo.commit("2026-11-13", committed="2026-11-15T23:30:00+00:00")
    [late] = [f for f in audit(repo.root) if f.code == "AUD-LATE"]
    assert late.evidence["delay_days"] == 4


def test_the_allowed_delay_is_the_profiles(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.append("site.yaml", "overrides:\n  late_entry_days: 5\n")
    repo.append(SHUJI, visit("2026-11-12"))
    repo.commit("2026-11-16")
    assert [f for f in audit(repo.root) if f.code == "AUD-LATE"] == []


def test_a_visit_dated_after_its_commit(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.append(SHUJI, visit("2026-11-20"))
    repo.commit("2026-11-12")
    [future] = [f for f in audit(repo.root) if f.code != "AUD-BULK"]
    assert future.code == "AUD-FUTURE" and future.evidence["days_ahead"] == 8


# --- rewritten and removed -----------------------------------------------------------------------------------


def test_a_rewritten_visit_names_both_commits(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.append(SHUJI, visit("2026-11-12", mode="video"))
    first = repo.commit("2026-11-13")
    repo.replace(SHUJI, "  mode: video\n", "  mode: in_person\n  note: 补记：实为上门\n")
    changed = repo.commit("2026-11-20", "改走访方式")
    [f] = [f for f in audit(repo.root) if f.code != "AUD-BULK"]
    assert (f.code, f.subject, f.staff) == ("AUD-CHANGED", "ds-001", "ds-shuji")
    assert (f.evidence["committed_in"], f.evidence["changed_in"]) == (first, changed)
    assert sorted(f.evidence["fields"]) == ["mode", "note"]
    assert first[:10] in f.message and changed[:10] in f.message
    assert "“视频（video）”→“上门走访（in_person）”" in f.message


def test_a_rewritten_visit_of_the_import_names_the_import(tmp_path):
    repo = basic_repo(tmp_path / "c")
    imported = repo.head()
    repo.replace(SHUJI, "  mode: phone\n", "  mode: in_person\n")
    changed = repo.commit("2026-11-20", "改走访方式")
    [f] = [f for f in audit(repo.root) if f.code == "AUD-CHANGED"]
    assert (f.evidence["committed_in"], f.evidence["changed_in"]) == (imported, changed)
    assert imported[:10] in f.message and changed[:10] in f.message


def test_a_removed_visit_names_both_commits(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.append(SHUJI, visit("2026-11-12", household="ds-002"))
    entered = repo.commit("2026-11-13")
    repo.replace(SHUJI, visit("2026-11-12", household="ds-002"), "")
    removed = repo.commit("2026-11-21", "删除走访")
    found = [f for f in audit(repo.root) if f.code != "AUD-BULK"]
    assert codes(found) == [("AUD-REMOVED", "ds-002", "ds-shuji")]
    assert (found[0].evidence["committed_in"], found[0].evidence["removed_in"]) == (entered, removed)
    assert found[0].source.file == SHUJI


def test_a_backdated_visit_is_one_change_not_a_removal(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.append(SHUJI, visit("2026-11-12"))
    repo.commit("2026-11-13")
    repo.replace(SHUJI, "date: 2026-11-12", "date: 2026-11-10")
    repo.commit("2026-11-20", "改日期")
    found = [f for f in audit(repo.root) if f.code != "AUD-BULK"]
    assert codes(found) == [("AUD-CHANGED", "ds-001", "ds-shuji")]
    assert "走访日期：“2026-11-12”→“2026-11-10”" in found[0].message


def test_moving_a_visit_file_or_reformatting_it_changes_no_visit(tmp_path):
    repo = basic_repo(tmp_path / "c")
    text = (repo.root / SHUJI).read_text(encoding="utf-8")
    repo.write({SHUJI: text.replace("  mode: phone", "  mode: '电话'").replace("- date:", "-   date:")
                .replace("\n  ", "\n    ")})
    repo.commit("2026-11-20", "格式调整")
    assert codes(audit(repo.root)) == [IMPORT]


# --- authors -------------------------------------------------------------------------------------------------


def test_a_commit_by_someone_who_is_not_staff(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.append(SHUJI, visit("2026-11-12"))
    commit = repo.commit("2026-11-13", author=STRANGER)
    [f] = [f for f in audit(repo.root) if f.code != "AUD-BULK"]
    assert f.code == "AUD-AUTHOR" and f.evidence == {"commit": commit, "author": "路人甲 <someone@example.invalid>",
                                                     "visits": 1, "visitors": ["ds-shuji"]}


@pytest.mark.parametrize("author, staff_extra, expected", [
    (("李建国", "LJG@Example.invalid"), "  git: [ljg@example.invalid]\n", []),  # the visitor himself (any case)
    (("ljg", "other@example.invalid"), "  git: [ljg]\n", []),  # matched by user name
    (("李建国", "ljg@example.invalid"), "", [("AUD-AUTHOR", "ds-001", "")]),  # identity not registered
    (("王秀兰", "wxl@example.invalid"), "", [("AUD-AUTHOR", "ds-001", "")]),  # someone else, not staff
])
def test_the_visitor_may_commit_their_own_visits(tmp_path, author, staff_extra, expected):
    repo = basic_repo(tmp_path / "c")
    if staff_extra:
        repo.replace("staff/dongshan.yaml", "  post: 村党总支书记\n", "  post: 村党总支书记\n" + staff_extra)
    repo.append(SHUJI, visit("2026-11-12"))
    repo.commit("2026-11-13", author=author)
    assert codes(f for f in audit(repo.root) if f.code != "AUD-BULK") == expected


def test_a_visitor_committing_anothers_visits_and_a_clerk_who_has_left(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.replace("staff/dongshan.yaml", "  post: 村委委员\n", "  post: 村委委员\n  git: [wxl@example.invalid]\n")
    repo.replace("staff/street.yaml", "  git: [zhouwq@example.invalid]\n",
                 "  git: [zhouwq@example.invalid]\n  left: 2026-11-14\n")
    repo.commit("2026-11-10", "登记身份")
    repo.append(SHUJI, visit("2026-11-12"))
    repo.commit("2026-11-13", author=("王秀兰", "wxl@example.invalid"))  # ds-baopian commits ds-shuji's visit
    repo.append(SHUJI, visit("2026-11-14"))
    repo.commit("2026-11-15", author=CLERK)  # the clerk left on the 14th
    found = [f for f in audit(repo.root) if f.code == "AUD-AUTHOR"]
    assert codes(found) == [("AUD-AUTHOR", "ds-001", "ds-baopian"), ("AUD-AUTHOR", "ds-001", "s-minzheng")]
    assert "不是录入员" in found[0].message and "不在职" in found[1].message


# --- households ----------------------------------------------------------------------------------------------

DS002 = "households/dongshan/ds-002.yaml"
ADJUST = "reviews:\n  - date: {day}\n    result: {result}\n    by: s-minzheng\n"


def test_a_level_changed_without_a_review(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.replace(DS002, "    level: '2'\n", "    level: '3'\n")
    commit = repo.commit("2026-11-20", "调整等级")
    [f] = [f for f in audit(repo.root) if f.code != "AUD-BULK"]
    assert (f.code, f.subject, f.staff) == ("AUD-LEVEL", "ds-002/m1", "s-minzheng")
    assert f.evidence["commit"] == commit and f.evidence["changes"] == [{"field": "关爱帮扶等级", "from": "2", "to": "3"}]
    assert f.evidence["review_window"] == ["2026-11-06", "2026-11-20"]
    assert f.source.file == DS002


@pytest.mark.parametrize("day, result, covered", [
    ("2026-11-18", "adjust", True),
    ("2026-11-07", "adjust", True),  # before the version before, within the entry delay
    ("2026-11-05", "adjust", False),
    ("2026-11-18", "keep", False),  # a review that kept the level does not cover a change
    ("2026-11-21", "adjust", False),  # after the change
])
def test_a_level_change_is_covered_by_an_adjust_review_in_between(tmp_path, day, result, covered):
    repo = basic_repo(tmp_path / "c")
    repo.replace(DS002, "    level: '2'\n", "    level: '3'\n")
    repo.append(DS002, ADJUST.format(day=day, result=result))
    repo.commit("2026-11-20", "调整等级")
    assert bool([f for f in audit(repo.root) if f.code == "AUD-LEVEL"]) is not covered


def test_a_review_entered_after_the_change_still_covers_it(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.replace(DS002, "    category: '3'\n", "    category: '1'\n")
    repo.commit("2026-11-18", "调整类别")
    repo.append(DS002, ADJUST.format(day="2026-11-17", result="adjust"))
    repo.commit("2026-11-19", "补录复核")
    assert [f for f in audit(repo.root) if f.code == "AUD-LEVEL"] == []


def test_household_history_lists_field_changes_and_visits(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.replace(DS002, "    level: '2'\n", "    level: '3'\n")
    repo.replace(DS002, "address: 东山村1组3号", "address: 东山村1组5号")
    repo.commit("2026-11-20", "搬家并调整等级", author=CLERK)
    repo.append(SHUJI, visit("2026-11-21", household="ds-002"))
    repo.commit("2026-11-22")
    records, _ = check_records(repo.root, as_of=AS_OF)
    changes = household_history(read_history(repo.root), "ds-002", records.staff)
    assert [(c.record, c.action, c.message) for c in changes] == [
        ("household", "added", "导入记录"), ("visit", "added", "导入记录"),
        ("household", "changed", "搬家并调整等级"), ("visit", "added", "录入走访记录")]
    change = changes[2]
    assert change.author == "周文清（s-minzheng）" and change.staff == "s-minzheng" and change.date == dt.date(2026, 11, 20)
    assert [(f.path, f.old, f.new) for f in change.fields] == [
        ("address", "东山村1组3号", "东山村1组5号"), ("subjects[m1].level", "2", "3")]
    assert "关爱帮扶对象[m1]·关爱帮扶等级：“2”→“3”" in change.summary


def test_the_dossier_prints_a_days_added_visits_as_one_line(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.append(SHUJI, visit("2026-11-12") + visit("2026-11-13") + visit("2026-11-14", household="ds-002"))
    repo.commit("2026-11-15", "录入三次走访")
    repo.replace(SHUJI, "- date: 2026-11-13\n  household: ds-001\n  duty: responsible\n  mode: in_person\n",
                 "- date: 2026-11-13\n  household: ds-001\n  duty: responsible\n  mode: phone\n")
    repo.commit("2026-11-16", "更正走访方式")
    records, findings = check_records(repo.root, as_of=AS_OF)
    history = read_history(repo.root, records)
    [ds1] = [d for d in build_dossiers(Facts(records, records.profile, AS_OF, history), findings, history=history)
             if d.household_id == "ds-001"]
    lines = [(h.date, h.author, h.lines) for h in ds1.history]
    assert [(date, author) for date, author, _ in lines] == [("2026-11-16", "周文清"), ("2026-11-15", "周文清"),
                                                             ("2026-11-09", "周文清")]
    [changed] = lines[0][2]
    assert changed.startswith("修改走访：2026-11-13 ") and "上门走访" in changed and "电话" in changed
    assert "ds-shuji" not in changed and "（in_person）" not in changed
    assert lines[1][2] == ("新增走访 2 次（见走访记录）",)
    assert lines[2][2] == ("建立户档案", "新增走访 4 次（见走访记录）")  # the import: ds-001's file, its visits
    assert ds1.version is not None and (ds1.version.date, ds1.version.author) == ("2026-11-16", "周文清")
    assert len(household_history(history, "ds-001", records.staff)) == 8  # the report keeps every change


# --- bulk ----------------------------------------------------------------------------------------------------


def test_a_commit_across_three_months_is_one_bulk_finding(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.commit("2026-11-10", "空提交")
    repo.append("visits/2026-09/ds-shuji.yaml", visit("2026-09-02"))
    repo.append("visits/2026-10/ds-shuji.yaml", visit("2026-10-02"))
    repo.replace(SHUJI, "  mode: phone\n", "  mode: video\n")
    commit = repo.commit("2026-11-20", "整体重写", author=STRANGER)
    found = audit(repo.root)
    assert codes(found) == [("AUD-BULK", "", ""), IMPORT]
    rewrite = next(f for f in found if f.evidence["commit"] == commit)
    assert rewrite.evidence["kind"] == "批量重写" and rewrite.evidence["months"] == ["2026-09", "2026-10", "2026-11"]
    assert (rewrite.evidence["visits_added"], rewrite.evidence["visits_added_late"],
            rewrite.evidence["visits_changed"]) == (2, 2, 1)
    assert "路人甲" in rewrite.message


# --- merges --------------------------------------------------------------------------------------------------


def test_a_merged_branch_is_taken_once(tmp_path):
    repo = basic_repo(tmp_path / "c")
    git(repo.root, "checkout", "-q", "-b", "clerk2")
    repo.append("visits/2026-11/ds-lianxi1.yaml", visit("2026-11-12", duty="contact"))
    repo.commit("2026-11-13")
    git(repo.root, "checkout", "-q", "main")
    repo.append(SHUJI, visit("2026-11-12"))
    repo.commit("2026-11-17")  # 5 days: late
    git(repo.root, "merge", "-q", "--no-edit", "clerk2",
        env={"GIT_AUTHOR_NAME": CLERK[0], "GIT_AUTHOR_EMAIL": CLERK[1], "GIT_COMMITTER_NAME": CLERK[0],
             "GIT_COMMITTER_EMAIL": CLERK[1], "GIT_AUTHOR_DATE": "2026-11-18T09:00:00+08:00",
             "GIT_COMMITTER_DATE": "2026-11-18T09:00:00+08:00"})
    history = read_history(repo.root)
    added = [e for e in history.visit_events if e.action == "added" and e.commit.order > 0]
    assert sorted(e.key.visitor for e in added) == ["ds-lianxi1", "ds-shuji"]
    assert codes(f for f in audit(repo.root) if f.code != "AUD-BULK") == [("AUD-LATE", "ds-001", "ds-shuji")]


# --- size ----------------------------------------------------------------------------------------------------


def test_a_commit_of_thousands_of_files_is_read_without_waiting_on_itself(tmp_path):
    """More blob ids than a pipe holds in one commit: the log side must never wait for answers nobody reads."""
    import subprocess
    import threading

    root = tmp_path / "big"
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    parts = [b"commit refs/heads/main\ncommitter Clerk <zhouwq@example.invalid> 1762941600 +0800\ndata 6\nimport\n"]
    for n in range(3000):
        text = f"id: h{n:04d}\nvillage: v1\naddress: '{n}'\nmembers:\n  - id: m1\n    name: '张{n}'\n    relation: self\n"
        data = text.encode()
        parts.append(f"M 100644 inline households/v1/h{n:04d}.yaml\ndata {len(data)}\n".encode() + data + b"\n")
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input=b"".join(parts), check=True)
    git(root, "reset", "-q", "--hard", "main")
    result = []
    reader = threading.Thread(target=lambda: result.append(read_history(root)), daemon=True)
    reader.start()
    reader.join(timeout=60)
    assert not reader.is_alive(), "reading the history hangs"
    assert len(result[0].household_events) == 3000 and result[0].household_events[-1].after.address == "2999"


def test_a_household_moved_to_another_village_is_one_change(tmp_path):
    repo = basic_repo(tmp_path / "c")
    text = (repo.root / DS002).read_text(encoding="utf-8").replace("village: dongshan", "village: xiwan")
    repo.write({DS002: None, "households/xiwan/ds-002.yaml": text})
    repo.commit("2026-11-20", "迁入西湾社区")
    [event] = [e for e in read_history(repo.root).household_events if e.commit.order == 1]
    assert (event.action, event.household, event.path) == ("moved", "ds-002", "households/xiwan/ds-002.yaml")
    [change] = [c for c in household_history(read_history(repo.root), "ds-002") if c.action == "moved"]
    assert [(f.path, f.old, f.new) for f in change.fields] == [("village", "dongshan", "xiwan")]


def test_windows_line_endings_read_the_same(tmp_path):
    repo = basic_repo(tmp_path / "c")
    path = repo.root / SHUJI
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    repo.commit("2026-11-20", "换行符")
    assert codes(audit(repo.root)) == [IMPORT]


def test_an_empty_first_commit_is_not_the_import(tmp_path):
    import shutil

    from .conftest import FIXTURES

    repo = Repo(tmp_path / "c")
    repo.commit("2026-11-01", "初始化仓库")  # empty
    shutil.copytree(FIXTURES / "basic", repo.root, dirs_exist_ok=True)
    repo.commit("2026-11-09", "导入记录")
    [bulk] = audit(repo.root)
    assert bulk.evidence["kind"] == "导入" and bulk.evidence["visits_added"] == 5
    assert len(read_history(repo.root).commits) == 1


def test_the_visits_of_a_few_households_are_found_by_the_loaders_months_as_by_a_scan(tmp_path, monkeypatch):
    """rules/audit.py `_visit_sources`: in a process that keeps its caches, the visits of the households it asks for
    come from the loader's months by household (made by `households.units`); the same sources, by the same keys,
    as a scan of every visit."""
    import dataclasses

    from careledger import cachestore
    from careledger.demo import DemoSpec, write_demo
    from careledger.load import load
    from careledger.rules import audit as audit_rules, households

    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cachestore, "_kept", {})
    root = tmp_path / "content"
    write_demo(root, DemoSpec(households=30, months=4))
    records, _ = load(root, today=AS_OF)
    households.units(records)  # (the months by household, as a build in such a process makes them)
    assert all("by_household" in month.__dict__ for month in records.visit_months())
    asked = {v.household for v in records.visits[::7]} | {"no-such-household"}
    by_months = audit_rules._visit_sources(records, asked)
    scanned = audit_rules._visit_sources(dataclasses.replace(records), asked)  # (a copy: no months)
    assert by_months == scanned and len(by_months) == sum(1 for v in records.visits if v.household in asked)


def test_a_visit_files_repeated_visits_are_counted_up_in_file_order():
    """A visit's identity is (visitor, date, household, duty) and which repeat of it it is, in file order: a file
    of many repeats (a pasted block) takes one lookup a visit, and the keys are those of counting up."""
    import random
    from collections import Counter
    from types import SimpleNamespace

    from careledger.audit.parse import keyed_visits

    rng = random.Random(5)
    visits = [SimpleNamespace(date=dt.date(2026, 11, rng.randint(1, 3)), household=rng.choice("ab"),
                              duty=rng.choice(("responsible", "contact"))) for _ in range(400)]
    keyed = keyed_visits("s1", visits)
    assert list(keyed.values()) == visits
    seen = Counter()
    for key, visit in keyed.items():
        base = ("s1", visit.date, visit.household, visit.duty)
        assert tuple(key) == (*base, seen[base]) and key.n == seen[base]
        seen[base] += 1
