"""`careledger check`: the records' errors decide the exit code, the policy's findings only with --strict (issue 17)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from careledger.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "content"


def run(*args):
    return CliRunner().invoke(main, ["check", *map(str, args)])


def test_the_bundled_demo_passes_and_says_so_in_one_line():
    result = subprocess.run([sys.executable, "-m", "careledger", "check", "--content", str(DEMO),
                             "--as-of", "2026-11-23"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"记录无误：读入 60 户、\d+ 名工作人员、\d+ 次走访、.*；政策提示 \d+ 条（基准日 2026-11-23）。", last), last
    assert "政策提示（" in result.stdout  # the policy's findings are listed all the same
    assert "记录问题" not in result.stdout


def test_policy_findings_fail_only_with_strict(basic):
    far = "2027-06-01"  # every subject overdue: CAD-… errors from the rules, none in the records
    relaxed = run("--content", basic, "--as-of", far)
    assert relaxed.exit_code == 0, relaxed.output
    assert "[CAD-" in relaxed.stdout and "记录无误" in relaxed.stdout
    strict = run("--content", basic, "--as-of", far, "--strict")
    assert strict.exit_code == 1


def test_a_record_error_fails_and_rules_skipped_points_at_no_file(basic):
    visits = basic / "visits" / "2026-11" / "ds-shuji.yaml"
    visits.write_text(visits.read_text(encoding="utf-8").replace("2026-11-", "2026-13-", 1), encoding="utf-8")
    result = run("--content", basic, "--as-of", "2026-11-23")
    assert result.exit_code == 1
    out = result.stdout
    assert "记录问题（1 条" in out and "visits/2026-11/ds-shuji.yaml" in out and "[E-DATE]" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("记录有 1 个错误") and "改正后才检查政策规则" in last
    assert "RULES-SKIPPED" not in out and "site.yaml" not in out  # the note names no file it is not about
    assert "政策提示" not in out.replace(last, "")  # the rules did not run


def test_json_keeps_stdout_for_programs_and_tells_record_from_policy(basic):
    result = run("--content", basic, "--as-of", "2027-06-01", "--format", "json")
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert {i["kind"] for i in items} == {"policy"}
    assert "记录无误" in result.stderr


# --- check PATH...: just these files, for an editor or a pre-commit hook --------------------------------------

LIANXI = "visits/2026-11/ds-lianxi1.yaml"


def run_in(cwd: Path, *args):
    """The command as a hook runs it: in the records' folder, with paths relative to it (no --content)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "careledger", "check", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True)


def spoil(root: Path, rel: str, old: str, new: str) -> int:
    """Replace the first `old` in a record file; return the 1-based line it was on."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def test_check_paths_gives_located_lines_an_editor_can_jump_to(basic):
    line = spoil(basic, LIANXI, "date: 2026-11-04", "date: 2026-11-31")
    result = run_in(basic, "--format", "editor", LIANXI)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"{LIANXI}:{line}:9: E-DATE 错误 [第2条].date：走访日期“2026-11-31”不是真实日期"]
    assert result.stderr.strip() == "记录有 1 个错误，请改正（检查了 1 个文件）。"


def test_check_paths_reports_only_the_files_given_and_resolves_references_against_the_rest(basic):
    spoil(basic, LIANXI, "date: 2026-11-04", "date: 2026-11-31")
    other = run_in(basic, "visits/2026-11/ds-shuji.yaml", "households/dongshan/ds-001.yaml")
    # ds-shuji.yaml resolves problem p1, found in visits/2026-10/: the reference holds though that file is not given
    assert other.returncode == 0, other.stdout
    assert other.stdout.strip() == "记录无误：检查了 2 个文件（1 户、2 次走访）；未检查政策规则（检查全部记录时才检查）。"
    spoil(basic, "visits/2026-11/ds-shuji.yaml", "household: ds-001", "household: ds-999")
    bad = run_in(basic, "--format", "editor", "visits/2026-11/ds-shuji.yaml")
    assert bad.returncode == 1  # a reference is reported at its record (line 1, the first visit's "- ")
    assert bad.stdout.startswith("visits/2026-11/ds-shuji.yaml:1:3: E-REF-HOUSEHOLD 错误 household：户编号“ds-999”不存在")
    assert "ds-lianxi1" not in bad.stdout


def test_check_paths_json_and_files_that_are_not_records(basic, tmp_path):
    (basic / "notes.txt").write_text("备忘", encoding="utf-8")
    (basic / "staff" / "README.md").write_text("说明", encoding="utf-8")
    result = run("--format", "json", basic / LIANXI, basic / "notes.txt", basic / "staff" / "README.md")
    assert result.exit_code == 0, result.output  # warnings only
    assert [(i["file"], i["code"], i["kind"]) for i in json.loads(result.stdout)] == [
        ("notes.txt", "W-FILE-IGNORED", "record"), ("staff/README.md", "W-FILE-IGNORED", "record")]
    assert "不是记录文件" not in result.stderr  # said once, by the loader
    assert run("--format", "json", "--strict", basic / LIANXI, basic / "notes.txt").exit_code == 1
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("- date: 2026-11-01\n", encoding="utf-8")
    refused = run("--content", basic, outside)
    assert refused.exit_code == 2 and "不在记录目录" in refused.output


def test_check_paths_without_a_records_folder_above_is_a_usage_error(tmp_path):
    loose = tmp_path / "visit.yaml"
    loose.write_text("- date: 2026-11-01\n", encoding="utf-8")
    result = run(loose)
    assert result.exit_code == 2 and "site.yaml" in result.output and "--content" in result.output
