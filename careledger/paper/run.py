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
    request = _selection_by_id(records, request)
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
        named = _named(records, household)
        if household in known or len(named) == 1:
            continue
        if named:
            why = f"有 {len(named)} 户有名为“{household}”的成员（{'、'.join(named)}）：请写户编号"
        else:
            why = f"没有编号为“{household}”的家庭档案，也没有名为“{household}”的家庭成员"
        problems.append(Finding("E-UNKNOWN-HOUSEHOLD", ERROR, why, Source("households")))
    villages = {v.id for v in records.site.villages} | {v.name for v in records.site.villages}
    for village in sorted(selection.villages or ()):
        if village not in villages:
            problems.append(Finding("E-UNKNOWN-VILLAGE", ERROR,
                                    f"site.yaml 中没有名称或编号为“{village}”的村（社区）；可选："
                                    + "、".join(f"{v.name}（{v.id}）" for v in records.site.villages),
                                    Source("site.yaml")))
    return problems


def _selection_by_id(records, request: PaperRequest) -> PaperRequest:
    """`--village 柳坝村` as `--village liuba`, `dossier 贾海磊` as `dossier liuba-001`: a clerk names a village or a
    household as `household new` and `member add` take them (a name several households share stays, to be refused)."""
    sel = request.selection
    if sel.villages:
        ids = {v.name: v.id for v in records.site.villages}
        sel = replace(sel, villages=frozenset(ids.get(v, v) for v in sel.villages))
    if sel.households:
        known = {h.id for h in records.households}
        sel = replace(sel, households=frozenset(_one(records, h) if h not in known else h for h in sel.households))
    return replace(request, selection=sel)


def _one(records, name: str) -> str:
    named = _named(records, name)
    return named[0] if len(named) == 1 else name


def _named(records, name: str) -> list[str]:
    """The ids of the households with a member called `name` (`dossier 欧阳福生`, as `member add` takes a name)."""
    return [h.id for h in records.households if any(m.name == name for m in h.members)]
