"""`careledger dossier` and `careledger forms`: print part of the paper without rebuilding the site.

Like a build, a print run loads the records, stops on their errors, judges them by the rules (the dossiers list the
findings) and gathers every file in memory; the one writer then replaces only the folders the run owns below
`private/` (all dossiers for `--all`, one village's for `--village`, nothing but the named files for households),
keeping the site, the reports and the rest of the paper as the last build left them, in a single swap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from ..findings import ERROR, Finding, Source
from ..output import OutputError, Tree, write_tree
from ..pipeline import BuildFailed, _stop_on_errors, prepare
from .printing import PRIVATE, PaperRequest, Selection, make_paper


@dataclass(frozen=True)
class PrintResult:
    findings: tuple[Finding, ...]  # warnings (fonts, load)
    files: tuple[str, ...]  # the paths written, below the output directory
    output_dir: Path


def print_paper(content_dir: Path, output_dir: Path, request: PaperRequest, *, as_of: dt.date,
                allow_dirty: bool = False) -> PrintResult:
    prepared = prepare(content_dir, output_dir, as_of=as_of, allow_dirty=allow_dirty,
                       more_checks=lambda records: _unknown(records, request.selection))
    records, findings = prepared.facts.records, prepared.findings
    request = _villages_by_id(records, request)
    files, paper_findings = make_paper(prepared.facts, prepared.policy_findings, request, stamp=prepared.stamp)
    findings += paper_findings
    _stop_on_errors(findings)
    tree = Tree()
    tree.add_all(PRIVATE, files)
    try:
        write_tree(output_dir, tree, replace=replaced_folders(request, records))
    except OutputError as refused:
        raise BuildFailed(findings + [Finding("E-OUTPUT", ERROR, str(refused), Source(str(output_dir)))]) from None
    return PrintResult(findings=tuple(findings), files=tuple(tree), output_dir=Path(output_dir))


def replaced_folders(request: PaperRequest, records) -> tuple[str, ...]:
    """The folders below the output that this run rebuilds whole; files elsewhere are kept unless overwritten."""
    sel = request.selection
    folders = []
    if request.dossiers:
        if sel.everything:
            folders.append(f"{PRIVATE}/dossiers/")
        elif sel.households is None:
            folders += [f"{PRIVATE}/dossiers/{v}/" for v in sorted(sel.villages)]
    if request.blank_forms and not request.forms:
        folders.append(f"{PRIVATE}/forms/blank/")
    if request.filled_forms:
        from .printing import form_definitions

        forms, _ = form_definitions(names=request.forms)
        names = [f.name for f in forms if request.forms or f.profile == records.profile.id]
        if sel.everything:
            folders += [f"{PRIVATE}/forms/{n}/" for n in names]
        elif sel.households is None:
            folders += [f"{PRIVATE}/forms/{n}/{v}/" for n in names for v in sorted(sel.villages)]
    return tuple(folders)


def _unknown(records, selection: Selection) -> list[Finding]:
    problems = []
    known = {h.id for h in records.households}
    for household in sorted(selection.households or ()):
        if household not in known:
            problems.append(Finding("E-UNKNOWN-HOUSEHOLD", ERROR, f"没有编号为“{household}”的家庭档案",
                                    Source("households")))
    villages = {v.id for v in records.site.villages} | {v.name for v in records.site.villages}
    for village in sorted(selection.villages or ()):
        if village not in villages:
            problems.append(Finding("E-UNKNOWN-VILLAGE", ERROR,
                                    f"site.yaml 中没有名称或编号为“{village}”的村（社区）；可选："
                                    + "、".join(f"{v.name}（{v.id}）" for v in records.site.villages),
                                    Source("site.yaml")))
    return problems


def _villages_by_id(records, request: PaperRequest) -> PaperRequest:
    """`--village 柳坝村` as `--village liuba`: a clerk names the village as `household new` and `import` take it."""
    sel = request.selection
    if not sel.villages:
        return request
    ids = {v.name: v.id for v in records.site.villages}
    return replace(request, selection=replace(sel, villages=frozenset(ids.get(v, v) for v in sel.villages)))
