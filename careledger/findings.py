"""Findings are values: every problem the loader or a rule sees becomes one, and is formatted only at the edge."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Iterable

from .slotted import compact

ERROR = "error"
WARNING = "warning"

SEVERITY_LABELS = {ERROR: "错误", WARNING: "警告"}


@compact
@dataclass(frozen=True, order=True, slots=True)  # every record has one: slotted (slotted.py)
class Source:
    """Where a value came from: a file path (relative to the content root), 1-based line and column."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    source: Source
    path: str = ""  # field path, e.g. members[1].id_number
    subject: str = ""  # household id, or household/member, the finding concerns
    staff: str = ""  # the staff member it concerns (the cadre warned, the contact penalised)
    evidence: dict = dataclasses.field(default_factory=dict, compare=False, hash=False)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        where = f" {display_path(self.path)}" if self.path else ""
        return f"{self.source}: [{self.code}]{where} {self.message}"

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.source.file,
            "line": self.source.line,
            "column": self.source.column,
            "field": self.path,
            "subject": self.subject,
            "staff": self.staff,
            "evidence": self.evidence,
        }


_POSITION = re.compile(r"\[(\d+)\]")


def display_path(path: str) -> str:
    """A field path as a clerk reads it: list positions counted from 1, as 第n条 (`members[0].id_number` ->
    `members[第1条].id_number`). `path` itself (and the JSON `field`) keeps the 0-based index tools expect."""
    return _POSITION.sub(lambda m: f"[第{int(m.group(1)) + 1}条]", path)


def sort_key(f: Finding):
    return (f.source.file, f.source.line, f.source.column, f.code, f.path)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


def group_by_file(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for f in sorted(findings, key=sort_key):
        groups.setdefault(f.source.file, []).append(f)
    return groups


def to_json(findings: Iterable[Finding]) -> str:
    items = [f.to_json() for f in sorted(findings, key=sort_key)]
    return json.dumps(items, ensure_ascii=False, indent=2, default=str)


# Codes the loader emits, registered here as they are added (the rules' codes are in their family's `CODES`,
# careledger/rules/, gathered by `careledger.rules.all_codes`).
LOAD_CODES: dict[str, tuple[str, str]] = {
    "W-ID-REGION": (WARNING, "身份证号的地区码不在行政区划表中，或在号码最早可能的发放年份前已撤销：请对照户口簿核对"),
    "E-REF-SPOT-CHECK": (ERROR, "抽查结果所写的抽查名称不在政策档案中，或抽查期间写法不对"),
}
