"""The build stamp: which commit of the records a build came from, its as-of date, the tool and the profile.

Every page and PDF shows it (the templates receive it as the global `stamp`), and `output/BUILD.json` records it.
It holds no clock time: building the same commit with the same as-of date gives the same stamp, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from . import __version__

TRAIL_LABELS = {"complete": "完整", "partial": "不完整", "missing": "缺失"}


@dataclass(frozen=True)
class Stamp:
    commit: str  # the full commit id of HEAD, "" outside git
    as_of: dt.date
    dirty: bool  # built from uncommitted changes (`build --allow-dirty`)
    tool_version: str
    profile: str  # the profile id
    trail: str = "complete"  # the audit trail: "complete", "partial" (shallow clone, dirty tree) or "missing"

    @property
    def short(self) -> str:
        return self.commit[:10] if self.commit else "无"

    @property
    def trail_label(self) -> str:
        return TRAIL_LABELS[self.trail]

    def text(self, version: str | None = None) -> str:
        """One line for a page or PDF footer. `version=""` leaves the commit out (a dossier names its household's
        own record version, and no commit id: those are for the internal audit report)."""
        dirty = "（含未提交的修改）" if self.dirty else ""
        if version == "":
            return (f"{'含未提交的修改 · ' if self.dirty else ''}基准日 {self.as_of.isoformat()} · 审计线索{self.trail_label} · "
                    f"政策档案 {self.profile} · careledger {self.tool_version}")
        return (f"记录版本 {self.short}{dirty} · 基准日 {self.as_of.isoformat()} · 审计线索{self.trail_label} · "
                f"政策档案 {self.profile} · careledger {self.tool_version}")

    def to_json(self) -> bytes:
        data = {"commit": self.commit, "as_of": self.as_of.isoformat(), "tool_version": self.tool_version,
                "profile": self.profile, "dirty": self.dirty, "audit_trail": self.trail}
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def make_stamp(history, as_of: dt.date, profile: str) -> Stamp:
    """The stamp of a build from the records whose History (careledger.audit) is given."""
    return Stamp(commit=history.head if history.available else "", as_of=as_of, dirty=bool(history.dirty),
                 tool_version=__version__, profile=profile, trail=history.trail)
