"""A finding as a dossier prints it: stated with its fixed dates, without the day counts that grow with the as-of date.

The rules word a finding for the day it is judged on ("包保责任人已 24 天未走访（上次走访 2026-10-30）"): the internal
reports and the desk list them by days overdue, which is what a supervisor sorts by. A printed dossier is kept and
compared; and if its text moved with every as-of date, every dossier would be rendered again every day (issue 16).
Every such message already names the date its count runs from (the last visit, the deadline, the expiry, the last
check), so the dossier drops the count and keeps the date: "包保责任人未走访（上次走访 2026-10-30），……2026-11-20 起超过预警
阈值 20 天". The text then changes only on a day when what it says changes (a threshold passed, a finding raised or
cleared), and the PDF cache keeps the render until then.

One table, by finding code: each pattern is one wording of `careledger/rules/`; a message no pattern matches is
printed as it is (tests/test_dossier_dates.py holds a message of each kind from the rules themselves).
"""

from __future__ import annotations

import re

_N = r"\d+"

# code → (pattern, replacement), applied in order. Counts of a finished span ("间隔 12 天（2026-10-01 至 2026-10-13）")
# do not move with the day and are kept.
PATTERNS: dict[str, tuple[tuple[re.Pattern, str], ...]] = {
    # cadence.py: "{duty}已 {gap} 天未走访（上次走访 D）" / "（自 D 起未走访）"
    "CAD-ALERT": ((re.compile(rf"已 {_N} 天未走访（自 (\S+) 起未走访）"), r"自 \1 起未走访"),
                  (re.compile(rf"已 {_N} 天未走访（"), "未走访（")),
    "CAD-OVERDUE": ((re.compile(rf"已 {_N} 天未走访（自 (\S+) 起未走访）"), r"自 \1 起未走访"),
                    (re.compile(rf"已 {_N} 天未走访（"), "未走访（")),
    # cadence.py: "{month} 还剩 {left} 天（含 {as_of}），{duty}走访 n 次" (raised in the month's last days)
    "CAD-MONTH-AT-RISK": ((re.compile(rf"^(\d{{4}}-\d{{2}}) 还剩 {_N} 天（含 [\d-]+），"), r"\1 月底前，"),),
    # agreements.py: the “四有” visit record of a dispersed-support subject
    "FOUR-HAVES-MISSING": ((re.compile(rf"，已 {_N} 天无探访记录"), "，此后无探访记录"),
                         (re.compile(rf"起没有探访记录（{_N} 天）"), "起没有探访记录")),
    "AGR-EXPIRING": ((re.compile(rf"，还剩 {_N} 天，"), "，"),),
    "AGR-EXPIRED": ((re.compile(rf"（过期 {_N} 天）"), ""),),
    # content.py
    "VIS-NOT-SEEN": ((re.compile(rf"，至今 {_N} 天没有"), "，此后没有"),),
    # custody.py: the open check gap (a finished one, CUS-CHECK-LATE, names both ends)
    "CUS-CHECK-OVERDUE": ((re.compile(rf"已 {_N} 天未检查"), "未检查"),
                          (re.compile(rf"超过规定的 ({_N}) 天 {_N} 天$"), r"超过规定的 \1 天")),
    # ledgers.py
    "CARE-REVIEW-DUE": ((re.compile(rf"照料护理情况已 {_N} 天未经"), "照料护理情况未经"),),
    # reviews.py: open problems
    "PRB-RISK-OPEN": ((re.compile(rf"已 {_N} 天未消除"), "至今未消除"),
                      (re.compile(rf"，已过限期 (\S+) {_N} 天"), r"，已过限期 \1")),
    "PRB-OVERDUE": ((re.compile(rf"，已过期 {_N} 天仍未办结"), "，已过期仍未办结"),),
    "PRB-OPEN-LONG": ((re.compile(rf"未定限期，已 {_N} 天仍未办结（超过 ({_N}) 天）"), r"未定限期，发现后超过 \1 天仍未办结"),),
    # assignment.py
    "ASG-STAFF-NOT-STARTED": ((re.compile(r"，检查日 [\d-]+ 尚未到任"), "，尚未到任"),),
}


def dated(code: str, message: str) -> str:
    """`message` of a finding with `code` as a dossier prints it: its fixed dates, not counts up to the as-of date."""
    for pattern, replacement in PATTERNS.get(code, ()):
        message = pattern.sub(replacement, message)
    return message
