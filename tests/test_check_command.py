"""`careledger check`: the records' errors decide the exit code, the policy's findings only with --strict (issue 17)."""

import json
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
