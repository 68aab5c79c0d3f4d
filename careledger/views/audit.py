"""The audit report: the change history of the records, from git, as tables of the internal reports.

`audit_tables(facts)` gives two tables (HTML and CSV each, like every report):

- `audit` (审计：修改记录): every change of a household file (with the fields that changed) and every visit changed
  or removed after it was committed, in commit order, with the day, commit, author and message;
- `audit-commits` (审计：提交记录): every commit that touched the records, with what it did to visits and households.

Visits simply added are not listed one by one (they are most of the history); the ones entered late are findings
(AUD-LATE). Without a readable history (no git, no commits) both tables are empty and say why.
"""

from __future__ import annotations

from collections import Counter

from .. import cachestore
from ..audit.history import History
from ..audit.trail import ACTIONS, Authors, household_change, visit_change
from ..rules.audit import bulk_commits
from .report_table import Table

STATE = {"complete": "完整", "shallow": "浅克隆（只有部分历史）", "no-commits": "记录尚未提交",
         "no-repository": "不在 git 仓库中", "no-git": "没有安装 git"}


def audit_tables(facts) -> list[Table]:
    history: History | None = getattr(facts, "history", None)
    if history is None:
        return []
    authors = Authors(facts.records.staff)
    bulk = bulk_commits(history, facts.profile.bulk_commit_months) if history.available else set()
    intro = _state(history)
    return [changes_table(history, authors, bulk, intro), commits_table(history, authors, bulk, intro)]


def _state(history: History) -> str:
    head = f"记录版本（HEAD）{history.head[:10]}；" if history.head else ""
    dirty = f"另有 {len(history.dirty)} 个文件未提交；" if history.dirty else ""
    return f"审计线索：{STATE[history.state]}。{head}{dirty}"


# In a process that keeps its caches (the build server): each commit's rows of the changes table, by the very commit
# of the kept walk, while what they are made of is equal (its events, whether it is a bulk commit, the staff's git
# identities). A rebuild does not make the rows of every commit since the first again (25,000 for the import of a
# county), only those of the new commits.
_COMMIT_ROWS = cachestore.PerObject()


def changes_table(history: History, authors: Authors, bulk: set[str], intro: str) -> Table:
    rows = []
    _COMMIT_ROWS.begin(None)
    for commit in history.commits:
        marker = "（批量）" if commit.id in bulk else ""
        visits, households = history.events_of(commit)
        changed = [visits[i] for i in history.digest(commit).changes] if visits else []
        made_of = (marker, authors.by_identity, households, changed)
        rows += _COMMIT_ROWS.get(commit, lambda: (made_of, _commit_rows(households, changed, authors, marker)),
                                 fits=lambda kept: kept[0] == made_of)[1]
    _COMMIT_ROWS.done()
    return Table("audit", "审计：修改记录",
                 intro + "户档案的每一次修改（逐字段列出）和提交后又被修改或删除的走访记录，按提交先后排列。"
                 "日期为提交进入仓库的日期（北京时间）；“批量”为导入或整体重写的提交（见 docs/rules/audit.md）。",
                 ("日期", "提交", "提交人", "提交说明", "记录", "户编号", "文件", "操作", "内容"), tuple(rows))


def _commit_rows(households, changed, authors: Authors, marker: str) -> tuple[tuple[str, ...], ...]:
    """A commit's rows: its household files' changes, then its visits changed or removed."""
    return tuple((change.date.isoformat(), change.short + marker, change.author, change.message,
                  "户档案" if change.record == "household" else "走访记录", change.household, change.path,
                  ACTIONS[change.action], change.summary)
                 for change in [household_change(e, authors) for e in households]
                 + [visit_change(e, authors) for e in changed])


def commits_table(history: History, authors: Authors, bulk: set[str], intro: str) -> Table:
    rows = []
    for commit in reversed(history.commits):
        digest = history.digest(commit)
        v = Counter(digest.actions)
        rows.append((commit.date.isoformat(), commit.id, authors.name(commit), commit.subject, str(commit.files),
                     str(v["added"]), str(v["changed"]), str(v["removed"]), str(digest.households),
                     "是" if commit.id in bulk else ""))
    return Table("audit-commits", "审计：提交记录",
                 intro + "修改过记录目录的全部提交，最新的在前：提交人按人员记录中的 git 身份对应到工作人员。",
                 ("日期", "提交", "提交人", "提交说明", "文件数", "新增走访", "修改走访", "删除走访", "户档案变动", "批量"),
                 tuple(rows))
