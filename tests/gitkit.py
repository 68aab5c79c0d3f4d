"""Temporary git repositories with scripted authors and dates, for the audit tests.

`Repo(root).commit("2026-11-10", files={...}, author=CLERK)` writes the files (dedented; None deletes one), stages
everything and commits with GIT_AUTHOR_DATE and GIT_COMMITTER_DATE at 18:00 Beijing time of that day (or the
timestamps given), so the commit ids of a script are always the same.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

from .conftest import FIXTURES

CLERK = ("周文清", "zhouwq@example.invalid")  # s-minzheng in the basic fixture: a clerk
STRANGER = ("路人甲", "someone@example.invalid")  # in no staff record

ISOLATED = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}


def git(cwd: Path, *args: str, env: dict | None = None, input: str | None = None) -> str:
    full = {**os.environ, **ISOLATED, **(env or {})}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        full.pop(name, None)
    run = subprocess.run(["git", *args], cwd=cwd, env=full, capture_output=True, text=True, input=input)
    assert run.returncode == 0, run.stderr
    return run.stdout


def stamp(when: str) -> str:
    return when if "T" in when else f"{when}T18:00:00+08:00"


class Repo:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        git(self.root, "init", "-q", "-b", "main")

    def write(self, files: dict[str, str | None]) -> None:
        for rel, text in files.items():
            path = self.root / rel
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")

    def append(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(textwrap.dedent(text))

    def replace(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def commit(self, when: str, message: str = "录入走访记录", *, author=CLERK, files=None,
               committed: str | None = None) -> str:
        if files:
            self.write(files)
        git(self.root, "add", "-A")
        env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_AUTHOR_DATE": stamp(when),
               "GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1],
               "GIT_COMMITTER_DATE": stamp(committed or when)}
        git(self.root, "commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.head()

    def head(self) -> str:
        return git(self.root, "rev-parse", "HEAD").strip()


def basic_repo(root: Path, when: str = "2026-11-09") -> Repo:
    """A repository whose first commit imports the basic fixture (a bulk import, never judged visit by visit)."""
    shutil.copytree(FIXTURES / "basic", root)
    repo = Repo(root)
    repo.commit(when, "导入记录")
    return repo


def loaded_demo(tmp_path, monkeypatch, as_of) -> "Repo":
    """A 30-household demo committed in a repository under tmp_path, loaded once so the parse cache holds every
    file (a cache of its own under tmp_path)."""
    from careledger.demo import DemoSpec, write_demo
    from careledger.load import load

    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "content"
    write_demo(root, DemoSpec(households=30, months=2))
    repo = Repo(root)
    repo.commit("2026-11-10", "导入")
    load(root, today=as_of)
    return repo
