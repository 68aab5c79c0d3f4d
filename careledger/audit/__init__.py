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

import importlib

# name -> the submodule that defines it. Imported on first use (PEP 562): `fingerprint.py` needs git.py alone, and a
# build that finds nothing changed must not pay for importing the history's parsers and the records' types.
_EXPORTS = {"FieldChange": "diff", "diff_records": "diff", "Commit": "history", "History": "history",
            "HouseholdEvent": "history", "VisitEvent": "history", "read_history": "history", "VisitKey": "parse",
            "Authors": "trail", "Change": "trail", "household_history": "trail"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
