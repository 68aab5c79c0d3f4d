"""`careledger check`: what was found, split into the clerk's mistakes and the policy's findings, and the verdict.

Record findings come from reading the records (load errors: YAML, schema, file names and places, references).
They are the clerk's to correct and decide the exit code. Policy findings (the rules engine: cadence, assignment,
agreements, the git history …) describe the care given, not the records' form: they are reported and fail the
check only with `--strict`, as do warnings. A rule that crashed fails it too: the check did not finish.

`check_files` checks a few files (an editor's, a pre-commit hook's): the dated files given (visits/, inspections/,
spot-checks/) are read alone, everything else whole, so references still resolve; the findings in the given files
are kept, and the policy rules are not run (they need every visit). Visits that record or resolve a problem are the
exception: problem ids are checked against the household's other visits, so then every visit is read (cached).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding, has_errors
from .recordfiles import is_record_file

RULES_SKIPPED = "记录有错误：改正后才检查政策规则（走访频次、包保安排等），以免据不完整的记录下结论"


@dataclass(frozen=True)
class CheckResult:
    records: object  # load.Records, or None when site.yaml or the profile could not be read
    record_findings: list[Finding]  # from reading the records: their errors decide the exit code
    policy_findings: list[Finding]  # from the rules engine: reported; fail only with --strict
    rules_ran: bool  # False when the records had errors (or only some files were checked)
    as_of: dt.date
    files: tuple[str, ...] | None = None  # the files checked (relative to the root), None for the whole tree
    not_records: tuple[str, ...] = field(default=())  # of the files given, those that are no record file

    @property
    def findings(self) -> list[Finding]:
        return self.record_findings + self.policy_findings

    def failed(self, strict: bool) -> bool:
        if has_errors(self.record_findings) or any(f.code == "RULE-CRASH" for f in self.policy_findings):
            return True
        return strict and bool(self.findings)


def check_all(content_dir: Path, *, as_of: dt.date) -> CheckResult:
    """Every record, then (when they read without errors) the policy rules and the git history."""
    from .audit import read_history
    from .load import load
    from .rules import run_rules

    records, findings = load(content_dir, today=as_of)
    if records is None or has_errors(findings):
        return CheckResult(records, findings, [], False, as_of)
    policy = run_rules(records, as_of, history=read_history(content_dir, records))
    return CheckResult(records, findings, policy, True, as_of)


def check_files(content_dir: Path, files: list[str], *, as_of: dt.date) -> CheckResult:
    """Just these files (paths relative to `content_dir`): their load findings, references resolved against the
    rest of the records. The findings of site.yaml are kept when it cannot be read (nothing else can be)."""
    from .load import load

    wanted = frozenset(files)
    records, findings = load(content_dir, today=as_of, only=wanted)
    if records is not None and any(v.problems or v.resolved for v in records.visits):
        # a problem's id is checked against the household's earlier visits (integrity.py): these need them all
        records, findings = load(content_dir, today=as_of)
    keep = wanted | ({"site.yaml"} if records is None else set())
    mine = [f for f in findings if f.source.file in keep]
    said = {f.source.file for f in mine}  # the loader may have said it already (W-FILE-IGNORED)
    not_records = tuple(rel for rel in files if not is_record_file(rel) and rel not in said)
    return CheckResult(records, mine, [], False, as_of, files=tuple(files), not_records=not_records)


def summary(result: CheckResult) -> str:
    """The last line of a check: one sentence, in Chinese."""
    errors = sum(f.is_error for f in result.record_findings)
    warnings = len(result.record_findings) - errors
    if result.records is None or errors:
        head = f"记录有 {errors} 个错误" + (f"、{warnings} 个警告" if warnings else "") + "，请改正"
        if result.files is None:
            return f"{head}。{RULES_SKIPPED}。"
        return f"{head}（检查了 {len(result.files)} 个文件）。"
    counted = "、".join(f"{n} {unit}" for n, unit in _counts(result) if n)
    head = "记录无误" if not warnings else f"记录无误（{warnings} 个警告）"
    if result.files is not None:
        return f"{head}：检查了 {len(result.files)} 个文件（{counted or '无记录'}）；未检查政策规则（检查全部记录时才检查）。"
    policy = len(result.policy_findings)
    return f"{head}：读入 {counted}；政策提示 {policy} 条（基准日 {result.as_of}）。"


def _counts(result: CheckResult) -> list[tuple[int, str]]:
    records = result.records

    def mine(items):
        if result.files is None:
            return len(items)
        return sum(1 for r in items if r.source.file in result.files)

    return [(mine(records.households), "户"), (mine(records.staff), "名工作人员"), (mine(records.visits), "次走访"),
            (mine(records.inspections), "次督查"), (mine(records.spot_checks), "条抽查结果"),
            (mine(records.custody), "本代管台账"), (mine(records.pages), "个页面")]
