"""The index of the printed dossiers: `private/dossiers/index.html` (every village, when all are printed) and
`private/dossiers/<village>/index.html` (one village, when the whole village is printed), linking each household's
PDF and HTML with its head, subjects, status and record version, so a clerk finds a household without knowing its id.

A run that prints single households leaves the indexes as they are (they list the last whole printing).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import csp
from .dossier import TEMPLATES, paper_environment


@dataclass(frozen=True)
class IndexRow:
    id: str
    head: str
    subjects: str
    status: str
    version: str
    base: str  # the dossier's path without extension, relative to the index


@dataclass(frozen=True)
class VillageRows:
    id: str
    name: str
    rows: tuple[IndexRow, ...]


def dossier_indexes(dossiers, selection, *, jurisdiction: str, as_of: str, stamp: str = "",
                    dirty: bool = False) -> dict[str, bytes]:
    """The index pages this run owns, by path below `private/`. `stamp` is the dossiers' stamp line (no commit id),
    `dirty` says the records had uncommitted changes."""
    if selection.households is not None:
        return {}
    villages: dict[str, list] = {}
    names: dict[str, str] = {}
    for d in dossiers:
        if selection.household(d):
            villages.setdefault(d.village_id, []).append(d)
            names[d.village_id] = d.village
    env = paper_environment(TEMPLATES)
    template = env.get_template("dossier_index.html")

    def page(chosen: list[str], village: str, prefix: str) -> bytes:
        groups = [VillageRows(v, names[v], tuple(_row(d, prefix) for d in villages[v])) for v in chosen]
        html = template.render(villages=groups, village=village, jurisdiction=jurisdiction, as_of=as_of,
                               count=sum(len(g.rows) for g in groups), footer=stamp, dirty=dirty)
        return csp.sealed(html).encode("utf-8")

    out = {f"dossiers/{v}/index.html": page([v], names[v], "") for v in villages}
    if selection.everything:
        out["dossiers/index.html"] = page(list(villages), "", "{village}/")
    return out


def _row(d, prefix: str) -> IndexRow:
    subjects = "、".join(f"{s.name}（{s.category}{' ' + s.level if s.level else ''}）" for s in d.subjects_in_care)
    return IndexRow(id=d.household_id, head=d.head.name if d.head else "", subjects=subjects or "无",
                    status=d.status, version=d.version.date if d.version else "",
                    base=prefix.format(village=d.village_id) + d.household_id)
