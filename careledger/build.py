"""A build, from the command's side: has anything it reads changed since the last build into the same output
(fingerprint.py)? If not, the last build's result at once; else the stages of pipeline.py, imported only then, so a
build that finds nothing changed costs the fingerprint, not the import of every stage."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import cachestore, fingerprint, idkey
from .findings import Finding
from .output import tidy

if TYPE_CHECKING:
    from . import pipeline
    from .bulkread import KnownStats
    from .stamp import Stamp


class BuildFailed(Exception):
    """The build stopped before writing anything; `findings` says why (all of them, warnings included)."""

    def __init__(self, findings: list[Finding]):
        super().__init__(f"{sum(f.is_error for f in findings)} error(s); nothing was written")
        self.findings = findings


@dataclass(frozen=True)
class BuildResult:
    findings: tuple[Finding, ...]  # load and page warnings (an error would have stopped the build)
    policy_findings: tuple[Finding, ...]  # what the rules engine found in the records
    files_written: int  # files in the output
    output_dir: Path
    files_changed: tuple[str, ...] = ()  # of them, those new or different from the previous build's
    skipped: bool = False  # nothing had changed since the last build: nothing was loaded, rendered or written
    stamp: Stamp | None = None  # the commit, as-of date, tool and profile every page shows (and BUILD.json)


def build_all(content_dir: Path, output_dir: Path, *, as_of: dt.date, allow_dirty: bool = False,
              paper: bool = True, reports: bool = True,
              prepared_to: Callable[[pipeline.Prepared], None] | None = None,
              known: KnownStats | None = None) -> BuildResult:
    """The whole build. `paper=False` leaves out the dossiers and blank forms (the slow part): the site, the reports
    and BUILD.json are replaced, and output/private/ keeps the PDFs of the last build that made them.
    `reports=False` (with `paper=False`: the preview, which serves the site only) leaves out the reports too: the site
    and BUILD.json are replaced, and output/reports/ keeps what the last build that made them wrote.
    `prepared_to(prepared)` is given what `prepare` made, when it ran (`serve --internal` makes its desk of it).
    `known`: the content files' stats as the preview's watcher holds them, with the files it saw change since the
    last build (bulkread.KnownStats): the load then stats only those and the files whose cache entry disagrees.

    When nothing the build reads has changed since the last build into the same output, and the output is as that
    build left it, its result is returned at once (fingerprint.py)."""
    if reports is False and paper:
        raise ValueError("reports=False needs paper=False")  # the paper's monthly report is made from the reports
    options = {} if reports else {"reports": False}  # (a full build's fingerprint as it always was)
    # (glance: the one `git status` of the build, for the fingerprint and the history)
    inputs, unchanged, glance = fingerprint.recall_build(content_dir, output_dir, as_of=as_of, allow_dirty=allow_dirty,
                                                         paper=paper, id_key=idkey.digest(), **options)
    tidy(output_dir)  # what a killed build left beside the output (private PDFs among it) goes, even if skipped
    if unchanged is not None:
        return dataclasses.replace(unchanged, files_changed=(), skipped=True)
    cachestore.finish_idle_work()  # the build server's: the last build's caches, before this one reads them
    from . import pipeline  # here: a build that finds nothing changed does without the stages' imports (0.2 s)

    prepared = pipeline.prepare(content_dir, output_dir, as_of=as_of, allow_dirty=allow_dirty, glance=glance,
                                known=known)
    if prepared_to is not None:
        prepared_to(prepared)
    with cachestore.exempt_from_gc():  # the records, history and judgement live as long as the build
        return pipeline.views_render_write(prepared, content_dir, output_dir, inputs, as_of=as_of, paper=paper,
                                           reports=reports)
