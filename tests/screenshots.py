"""Where the browser tests write their screenshots (test artefacts, git-ignored): artifacts/screenshots/ at the root
of the repository, or the directory CARELEDGER_SCREENSHOTS names. CI (`bash .ci/run` in a fresh clone) finds them in
artifacts/screenshots/ of that clone."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("CARELEDGER_SCREENSHOTS") or ROOT / "artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
