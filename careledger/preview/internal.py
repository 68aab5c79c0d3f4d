"""What `serve --internal` shows staff, made in memory after each good rebuild and never written to disk: the desk
(the reports as a build renders them, but with each row linking to its household's dossier) and the dossiers' HTML
with their indexes. A preview prints no PDF (`careledger dossier` does), so the dossiers are always those of the
records being edited, and OUTPUT/private/ and OUTPUT/reports/ stay exactly as the last build left them.

Keys are paths as the browser asks for them: "reports/index.html", "private/dossiers/<village>/<household>.html".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def internal_files(content: Path, output: Path, as_of: dt.date) -> dict[str, bytes]:
    from ..pipeline import prepare

    return internal_of(prepare(content, output, as_of=as_of, allow_dirty=True), as_of)


def internal_of(prepared, as_of: dt.date) -> dict[str, bytes]:
    """The staff's files of what `pipeline.prepare` made (the preview's build hands it over: loaded once)."""
    from ..paper.dossier import render_dossier
    from ..paper.dossier_index import dossier_indexes
    from ..paper.printing import ALL
    from ..render.reports import render_reports
    from ..views.dossier import build_dossiers
    from ..views.reports import build_reports

    facts, policy, stamp = prepared.facts, prepared.policy_findings, prepared.stamp
    files = {f"reports/{path}": data for path, data in
             render_reports(build_reports(facts, policy, stamp.commit), stamp=stamp, dossiers=True).items()}
    dossiers = build_dossiers(facts, policy, stamp.commit, facts.history)
    line = stamp.text(version="")
    for d in dossiers:
        page = render_dossier(d, stamp=line, dirty=stamp.dirty)
        files[f"private/dossiers/{d.village_id}/{d.household_id}.html"] = page.encode("utf-8")
    for path, data in dossier_indexes(dossiers, ALL, jurisdiction=facts.records.site.name, as_of=as_of.isoformat(),
                                      stamp=line, dirty=stamp.dirty).items():
        files[f"private/{path}"] = data
    return files
