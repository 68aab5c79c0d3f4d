"""The audit trail: what git says about the records — who changed which household when, which visits were entered
late or rewritten, and which commit a build came from.

- `git.py`: the git commands (one `git log`, one `git cat-file --batch`, one `git status`, one `git rev-parse`);
- `parse.py`: old versions of visit and household files, and the identity of a visit;
- `history.py`: `read_history(content_dir) -> History`, the events of the content's history;
- `resume.py`: the walk of the last build, kept so that a rebuild reads only the commits since (issue 16);
- `digest.py`: each commit's events summed up for the audit rule and report, kept for large commits (issue 16);
- `diff.py`: which fields of a record changed;
- `trail.py`: `household_history(history, household_id, staff) -> list[Change]`, for the dossier and the report.

The findings drawn from a History are a rule family like the others: `careledger/rules/audit.py`.
"""

from .diff import FieldChange, diff_records
from .history import Commit, History, HouseholdEvent, VisitEvent, read_history
from .parse import VisitKey
from .trail import Authors, Change, household_history

__all__ = ["Authors", "Change", "Commit", "FieldChange", "History", "HouseholdEvent", "VisitEvent", "VisitKey",
           "diff_records", "household_history", "read_history"]
