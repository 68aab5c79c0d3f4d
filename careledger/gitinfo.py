"""What git says about the content directory: the commit the records are at.

The spot-check samples are seeded with it, so anyone holding the same commit re-draws the same list. Outside a
git repository, or without git installed, the commit is "" and the samples are seeded by the period alone.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def head_commit(content_dir: Path) -> str:
    try:
        result = subprocess.run(["git", "-C", str(content_dir), "rev-parse", "--verify", "-q", "HEAD"],
                                capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def commit_time(content_dir: Path, commit: str) -> str:
    """When `commit` entered the repository (its committer date, ISO 8601 with the offset), "" when unknown: the
    time BUILD.json and the site's version page give, the same for every build of that commit."""
    if not commit:
        return ""
    try:
        result = subprocess.run(["git", "-C", str(content_dir), "show", "-s", "--format=%cI", commit],
                                capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""
