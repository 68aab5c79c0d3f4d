"""The build stamp: which commit of the records a build came from, its as-of date, the tool and the profile.

`output/BUILD.json` records it, with the commit's time; of the published site only `version.html` shows the commit
(issue 16: a commit that changes nothing on a page leaves the page's bytes as they were), the other pages its as-of
date, audit trail and tool; the reports and PDFs show it all. It holds no clock time of the build: building the same
commit with the same as-of date gives the same stamp, byte for byte (the commit's own time stands for it).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from . import __version__, gitinfo

TRAIL_LABELS = {"complete": "完整", "partial": "不完整", "missing": "缺失"}


@dataclass(frozen=True)
class Stamp:
    commit: str  # the full commit id of HEAD, "" outside git
    as_of: dt.date
    dirty: bool  # built from uncommitted changes (`build --allow-dirty`)
    tool_version: str
    profile: str  # the profile id
    trail: str = "complete"  # the audit trail: "complete", "partial" (shallow clone, dirty tree) or "missing"
    commit_time: str = ""  # the commit's committer date (ISO 8601), "" outside git

    @property
    def short(self) -> str:
        return self.commit[:10] if self.commit else "无"

    @property
    def trail_label(self) -> str:
        return TRAIL_LABELS[self.trail]

    def text(self, version: str | None = None, *, day: bool = True) -> str:
        """One line for a page or PDF footer. `version=""` leaves the commit out (a dossier names its household's
        own record version, and no commit id: those are for the internal audit report); `day=False` leaves the as-of
        date out too (a dossier's text changes only when its content does: careledger/views/dossier_dates.py)."""
        dirty = "（含未提交的修改）" if self.dirty else ""
        if version == "":
            when = f"基准日 {self.as_of.isoformat()} · " if day else ""
            return (f"{'含未提交的修改 · ' if self.dirty else ''}{when}审计线索{self.trail_label} · "
                    f"政策档案 {self.profile} · careledger {self.tool_version}")
        return (f"记录版本 {self.short}{dirty} · 基准日 {self.as_of.isoformat()} · 审计线索{self.trail_label} · "
                f"政策档案 {self.profile} · careledger {self.tool_version}")

    def to_json(self) -> bytes:
        data = {"commit": self.commit, "commit_time": self.commit_time, "as_of": self.as_of.isoformat(),
                "tool_version": self.tool_version,
                "profile": self.profile, "dirty": self.dirty, "audit_trail": self.trail}
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def make_stamp(history, as_of: dt.date, profile: str, content_dir=None) -> Stamp:
    """The stamp of a build from the records whose History (careledger.audit) is given; the commit's time is read
    from the repository of `content_dir` when given."""
    commit = history.head if history.available else ""
    when = gitinfo.commit_time(content_dir, commit) if content_dir is not None else ""
    return Stamp(commit=commit, as_of=as_of, dirty=bool(history.dirty), tool_version=__version__, profile=profile,
                 trail=history.trail, commit_time=when)
