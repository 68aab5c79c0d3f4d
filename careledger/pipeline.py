"""The build, as a script of stages: load → stop on errors → views → pages → render → write. `build.build_all` runs
them when the build's fingerprint says something changed (build.py).

Everything is gathered and checked in memory first; the one writer (`output.write_tree`) then replaces the output
directory in a single swap. Any error, in the records or in a page, stops the build before a file is written,
so a failed build leaves the previous output as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import fingerprint, idkey, oscalls
from .audit import History, git, read_history
from .build import BuildFailed, BuildResult, build_all  # noqa: F401  (the command's side of a build)
from .bulkread import KnownStats
from .findings import ERROR, Finding, Source, has_errors
from .load import load
from .output import OutputError, Tree, write_tree
from .proof import secrets_of
from .proofcache import scan_changed
from .render import convert_pages, render_site
from .render.memo import Memo
from .render.reports import render_reports
from .render.site import SiteTemplateError
from .render.spread import Deferred
from .rules import Facts, households, judge, run_rules
from .stamp import Stamp, make_stamp
from .views.public import redact
from .views.reports import build_reports
from .views.suppress import SuppressionError

def check_records(content_dir: Path, *, as_of: dt.date):
    """Load the records and, when they load without errors, judge them by the policy rules and their git history.

    Returns (records or None, findings). Rules never run on records with load errors: a visit file that failed to
    load would make its subjects look overdue (`checking.check_all`, which `careledger check` reports from).
    """
    from .checking import check_all

    result = check_all(content_dir, as_of=as_of)
    return result.records, result.findings


@dataclass(frozen=True)
class Prepared:
    """The stages every writing command shares: records loaded and judged, with their history and stamp."""

    facts: Facts  # the records, profile, as-of date and git history
    findings: list[Finding]  # load and history warnings so far (errors would have stopped the command)
    policy_findings: list[Finding]  # what the rules engine found: reported, never a reason to stop
    stamp: Stamp  # the commit (stamp.commit, "" when the records are at none), as-of date, tool and profile


def prepare(content_dir: Path, output_dir: Path, *, as_of: dt.date, allow_dirty: bool = False,
            more_checks: Callable[[object], list[Finding]] | None = None,
            glance: git.Glance | None = None, known: KnownStats | None = None) -> Prepared:
    """Load, refuse what cannot be built from (errors, output over the records, a dirty tree), judge by the rules.
    `more_checks(records)` adds a command's own checks on the loaded records (e.g. households it was asked for).
    `glance`: the content's `git.glance` the build's fingerprint was made of (its `git status` serves the load and
    the history).
    `known`: the content files' stats as the preview's watcher holds them, for the load (bulkread.KnownStats)."""
    oscalls.map_large_blocks()  # (once a process would do; it costs a call)
    records, findings = load(content_dir, today=as_of, known=known, glance=glance)
    findings += _output_must_not_hold_content(content_dir, output_dir)
    _stop_on_errors(findings, records is None)
    if more_checks is not None:
        findings += more_checks(records)
    oscalls.give_back_memory()  # the parse's bytes: freed, but resident until given back, before workers fork
    # The households' local rules need no history: workers judge them while this process reads it (issue 16)
    begun = households.begin(Facts(records, records.profile, as_of)) if not has_errors(findings) else None
    try:
        history = read_history(content_dir, records, glance)
        oscalls.give_back_memory()  # the walk's states (oscalls.py)
        findings += _refuse_dirty(history, allow_dirty)
        _stop_on_errors(findings)
        facts = Facts(records, records.profile, as_of, history)
        # households whose inputs are unchanged: from the household cache
        policy_findings = judge(facts, cached=True, begun=begun)
    finally:
        if begun is not None:
            begun.close()
    return Prepared(facts, findings, policy_findings, make_stamp(history, as_of, records.profile.id, content_dir))


def views_render_write(prepared: Prepared, content_dir: Path, output_dir: Path, inputs, *, as_of: dt.date,
                       paper: bool, reports: bool = True) -> BuildResult:
    """The stages after `prepare`: the views, the pages, the proof, the paper and the one write."""
    facts, findings, policy_findings, stamp = (prepared.facts, prepared.findings, prepared.policy_findings,
                                               prepared.stamp)
    records = facts.records

    findings += _id_key(records.site, content_dir, findings)
    site = _public_view(records, policy_findings, as_of, stamp.commit, findings, facts)
    pages_html, page_findings = convert_pages(site.pages)
    findings += page_findings
    _stop_on_errors(findings)
    view = build_reports(facts, policy_findings, stamp.commit) if reports else None

    memo = Memo(output_dir)  # pages whose inputs are the last build's are read back from the output (render/memo.py)
    published = _published_site(site, pages_html, stamp, records, as_of, findings, memo.under("site"))
    tree = Tree()
    tree.add_all("site", published)
    if view is not None:
        deferred = Deferred(memo.under("reports"), pack=True)  # its pages rendered on every core (render/spread.py)
        tree.add_all("reports", deferred.fill(render_reports(view, stamp=stamp, dossiers=paper, memo=deferred)))
    tree.add("BUILD.json", stamp.to_json())
    if paper:  # issue 6: every dossier and every blank form, for output/private/ only, never the site
        _add_paper(tree, facts, policy_findings, view, stamp, findings)
    memo.settle()  # (the previous build's rows that no page keeps: not held while the output is written)
    replace = None if paper else ("site/", "reports/") if reports else ("site/",)
    try:
        written = write_tree(output_dir, tree, replace=replace,  # (the records under the output lock: write_tree)
                             then=lambda done: fingerprint.remember(
                                 output_dir, inputs, _result(done, findings, policy_findings, output_dir, stamp)),
                             later=lambda done: memo.remember(tree, carried=() if reports else ("reports/",)))
    except OutputError as refused:
        raise BuildFailed(findings + [Finding("E-OUTPUT", ERROR, str(refused), Source(str(output_dir)))]) from None
    return _result(written, findings, policy_findings, output_dir, stamp)


def _add_paper(tree: Tree, facts: Facts, policy_findings, view, stamp: Stamp, findings: list[Finding]) -> None:
    """The dossiers, the blank forms and the printed reports. Imported here: a `--no-paper` build (the bench's, the
    preview's, and one that finds nothing changed) does not pay for the paper's modules (0.1 s a command)."""
    from .paper.notice_pdf import notice_pdf
    from .paper.printing import PaperRequest, make_paper
    from .paper.report_pdf import monthly_report_pdfs

    files, paper_findings = make_paper(facts, policy_findings, PaperRequest(), stamp=stamp)
    findings += paper_findings
    _stop_on_errors(findings)
    tree.add_all("private", files)
    tree.add_all("private", monthly_report_pdfs(view, stamp=stamp))  # issue 15: the report sent on paper
    tree.add_all("reports", notice_pdf(view, stamp=stamp))  # issue 18: the 通报, printed to be issued


def _result(written, findings, policy_findings, output_dir: Path, stamp: Stamp) -> BuildResult:
    return BuildResult(findings=tuple(findings), policy_findings=tuple(policy_findings), files_written=written.files,
                       output_dir=Path(output_dir), stamp=stamp, files_changed=written.changed)


def _public_view(records, policy_findings, as_of: dt.date, commit: str, findings: list[Finding], facts=None):
    """The redacted view of the published site (docs/privacy.md); the only way from records to the site."""
    try:
        return redact(records, policy_findings, as_of, records.site.privacy, commit=commit, facts=facts)
    except SuppressionError as failed:
        findings.append(Finding("E-PRIVACY-SUPPRESS", ERROR, f"无法隐去小数而不被合计推算出来（{failed}）：请检查 site.yaml "
                                "的 privacy.k", Source("site.yaml")))
        raise BuildFailed(findings) from None


def _id_key(site, content_dir: Path, findings: list[Finding]) -> list[Finding]:
    """The public ids need a secret key outside the records (idkey.py): a real jurisdiction without one stops here."""
    try:
        return idkey.id_key(site, content_dir)[1]
    except idkey.KeyMissing as missing:
        raise BuildFailed(findings + [missing.finding]) from None


def _published_site(site, pages_html, stamp, records, as_of: dt.date, findings: list[Finding], memo=None) -> Tree:
    """Render the published site (its pages on every core: render/spread.py), then prove it: any personal value in any
    file stops the build (proof.py); pages read back from the output are proved like the others."""
    deferred = Deferred(memo)
    try:
        published = deferred.fill(render_site(site, pages_html, stamp=stamp, memo=deferred))
    except SiteTemplateError as failed:
        findings.append(failed.finding)
        raise BuildFailed(findings) from None
    # (the commit id version.html names: its digits are no one's number)
    findings += scan_changed(published, secrets_of(records, records.site.privacy, as_of), ids=(stamp.commit,))
    _stop_on_errors(findings)
    return published


def _refuse_dirty(history: History, allow_dirty: bool) -> list[Finding]:
    """Publishing uncommitted records would publish what no commit holds: refused unless asked for."""
    if not history.dirty or allow_dirty:
        return []
    shown = "、".join(history.dirty[:5]) + (f" 等 {len(history.dirty)} 个文件" if len(history.dirty) > 5 else "")
    return [Finding("E-DIRTY", ERROR, f"记录目录有未提交的修改（{shown}）：生成的结果将不对应任何提交，审计线索不完整。"
                    "请先提交（git add、git commit）；确需生成时加 --allow-dirty，每一页都会注明“含未提交的修改”",
                    Source(history.dirty[0]))]


def _output_must_not_hold_content(content_dir: Path, output_dir: Path) -> list[Finding]:
    """The output directory is replaced as a whole: it must not be, or contain, the records."""
    content, output = Path(content_dir).resolve(), Path(output_dir).resolve()
    if output != content and output not in content.parents:
        return []
    return [Finding("E-OUTPUT", ERROR, f"输出目录 {output_dir} 包含记录目录 {content_dir}：每次生成都会整体替换输出目录，"
                    "请另选输出目录", Source(str(output_dir)))]


def _stop_on_errors(findings: list[Finding], unusable: bool = False) -> None:
    if unusable and not has_errors(findings):  # the loader always says why; never build from nothing silently
        findings.append(Finding("E-LOAD", ERROR, "记录无法读取", Source("site.yaml")))
    if has_errors(findings):
        raise BuildFailed(findings)
