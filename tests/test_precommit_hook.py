"""`.pre-commit-hooks.yaml`: a records repository runs `careledger check` on the record files a commit changes."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from careledger.cli import main
from careledger.recordfiles import is_record_file

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "content"


def hook() -> dict:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["careledger-check"]
    return hooks[0]


def test_the_hook_names_an_existing_command():
    h = hook()
    script, command = h["entry"].split()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts[script] == "careledger.launch:main" and command in main.commands
    assert h["language"] == "python" and h["pass_filenames"] is True  # pre-commit installs this repository


def test_the_hook_takes_the_record_files_and_nothing_else():
    files = re.compile(hook()["files"])
    records = [p.relative_to(DEMO).as_posix() for p in DEMO.rglob("*") if p.is_file()]
    assert records and all(is_record_file(rel) for rel in records)
    for rel in records:
        assert files.search(rel) and files.search(f"content/{rel}"), rel  # at the root or in a folder
    assert files.search("visits/2026-11/x.yml")  # taken, so that check can say to rename it
    for other in ("README.md", ".schemas/visits.schema.json", "notes/site.txt", "visits/readme.md",
                  ".pre-commit-config.yaml", "output/site/index.html"):
        assert not files.search(other), other


def test_the_hook_refuses_a_commit_of_a_broken_record(basic):
    """What pre-commit runs: the entry with the changed files, relative to the repository's root."""
    entry = hook()["entry"].split()[1:]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    visit = basic / "visits" / "2026-11" / "ds-lianxi1.yaml"

    def commit(*files):
        return subprocess.run([sys.executable, "-m", "careledger", *entry, *files], cwd=basic.parent, env=env,
                              capture_output=True, text=True)

    changed = ["content/visits/2026-11/ds-lianxi1.yaml", "content/households/xiwan/xw-001.yaml"]
    assert commit(*changed).returncode == 0
    visit.write_text(visit.read_text(encoding="utf-8").replace("duty: contact", "duty: friend", 1), encoding="utf-8")
    refused = commit(*changed)
    assert refused.returncode == 1 and "E-CHOICE" in refused.stdout and "content/visits/2026-11/ds-lianxi1.yaml" in (
        refused.stdout)
