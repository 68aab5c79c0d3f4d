"""`careledger notice`: the 通报 of a month with its number, without rebuilding the site (issue 18).

Like a print run (run.py) it loads the records, stops on their errors, judges them on the as-of date and gathers the
files in memory; the one writer then replaces only reports/notice.html, notice.csv and notice.pdf, keeping the
rest of the output as the last build left it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..findings import ERROR, Finding, Source
from ..output import OutputError, Tree, write_tree
from ..pipeline import BuildFailed, _stop_on_errors, prepare
from ..render.notice import notice_files
from ..views.notice import build_notice
from ..views.reports import ReportsView
from .notice_pdf import notice_pdf
from .printing import check_fonts

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class NoticeResult:
    findings: tuple[Finding, ...]
    files: tuple[str, ...]  # below the output directory
    title: str
    number: str  # as printed (blank form when none was given)


def issue_notice(content_dir: Path, output_dir: Path, *, as_of: dt.date, number: str | None = None,
                 month: str | None = None, allow_dirty: bool = False) -> NoticeResult:
    prepared = prepare(content_dir, output_dir, as_of=as_of, allow_dirty=allow_dirty)
    facts, findings = prepared.facts, prepared.findings
    findings += _month_problems(month, as_of) + _profile_problems(facts.profile)
    _stop_on_errors(findings)
    findings += check_fonts()
    _stop_on_errors(findings)
    site = facts.records.site
    view = ReportsView(jurisdiction=site.name, as_of=as_of, profile_title=facts.profile.title, tables=(),
                       notice=build_notice(facts, prepared.policy_findings, number=number, month=month))
    tree = Tree()
    tree.add_all("reports", notice_files(view, pdf=True, stamp=prepared.stamp))
    tree.add_all("reports", notice_pdf(view, stamp=prepared.stamp))
    try:
        write_tree(output_dir, tree, replace=())
    except OutputError as refused:
        raise BuildFailed(findings + [Finding("E-OUTPUT", ERROR, str(refused), Source(str(output_dir)))]) from None
    return NoticeResult(tuple(findings), tuple(tree), view.notice.title, view.notice.number_shown)


def _month_problems(month: str | None, as_of: dt.date) -> list[Finding]:
    if month is None:
        return []
    if not MONTH.match(month):
        return [Finding("E-NOTICE-MONTH", ERROR, f"--month “{month}”应写成 年-月，例如 2026-11", Source("--month"))]
    if month > f"{as_of:%Y-%m}":
        return [Finding("E-NOTICE-MONTH", ERROR, f"--month {month} 在基准日 {as_of} 之后：通报只能写已经过去的月份",
                        Source("--month"))]
    return []


def _profile_problems(profile) -> list[Finding]:
    if profile.alerts:
        return []
    return [Finding("E-NOTICE-NONE", ERROR, f"政策档案 {profile.id}（《{profile.title}》）没有预警和通报机制，不生成通报",
                    Source("site.yaml"))]
