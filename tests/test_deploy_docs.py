"""The CI templates of docs/ci/ and docs/deploy.md: the YAML parses, every careledger command in it exists and runs on a
records repository (a small git demo), publishing happens from main only and uploads the site and nothing else."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from careledger.cli import main
from careledger.demo import DemoSpec
from careledger.demo.repo import write_demo_repo

ROOT = Path(__file__).resolve().parent.parent
GITLAB = ROOT / "docs" / "ci" / "gitlab-ci.yml"
GITEA = ROOT / "docs" / "ci" / "gitea-actions.yml"
DEPLOY = ROOT / "docs" / "deploy.md"


def gitlab_jobs() -> dict[str, list[str]]:
    """Job name → its shell lines, the default before_script first."""
    doc = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    before = doc.get("default", {}).get("before_script", [])
    return {name: [*before, *job.get("before_script", []), *job["script"]]
            for name, job in doc.items() if isinstance(job, dict) and "script" in job}


def gitea_jobs() -> dict[str, list[str]]:
    doc = yaml.safe_load(GITEA.read_text(encoding="utf-8"))
    return {name: [line for step in job["steps"] if "run" in step for line in step["run"].splitlines()]
            for name, job in doc["jobs"].items()}


def commands(lines: list[str]) -> list[tuple[list[str], bool]]:
    """The careledger invocations among shell lines: (its arguments, whether a failure is tolerated by `|| true`)."""
    found = []
    for line in lines:
        words = shlex.split(line, comments=True)
        if words[:1] == ["careledger"]:
            cut = words.index("||") if "||" in words else len(words)
            found.append((words[1:cut], words[cut:] == ["||", "true"]))
    return found


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ci") / "records"
    write_demo_repo(root, DemoSpec(households=10, months=2, seed=3))
    return root


@pytest.mark.parametrize("jobs", [gitlab_jobs, gitea_jobs], ids=["gitlab", "gitea"])
def test_every_careledger_command_of_the_templates_runs_on_a_records_repository(jobs, records, tmp_path,
                                                                               monkeypatch):
    monkeypatch.chdir(records)  # the CI runs in the checkout of the records repository
    ran = set()
    for job, lines in jobs().items():
        for args, tolerated in commands([line.replace("/tmp/", f"{tmp_path}/{job}-") for line in lines]):
            assert args and (args[0] in main.commands or args == ["--version"]), f"{job}: careledger {args}"
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 0 or (tolerated and result.exit_code == 1), \
                f"{job}: careledger {' '.join(args)}\n{result.output}"
            ran.add(args[0])
    assert {"build", "check"} <= ran
    published = tmp_path / "publish-careledger-output" / "site" / "index.html"
    assert published.is_file()  # the publish job's build, into the folder its rsync uploads


@pytest.mark.parametrize("jobs", [gitlab_jobs, gitea_jobs], ids=["gitlab", "gitea"])
def test_only_the_site_is_uploaded_and_no_paper_is_made(jobs):
    uploads = [line for lines in jobs().values() for line in lines if re.match(r"\s*(rsync|scp)\b", line)]
    assert uploads, "no upload step"
    for line in uploads:
        words = shlex.split(line, comments=True)
        sources = [w for w in words[1:-1] if not w.startswith("-") and "ssh " not in w]
        assert sources and all(w.endswith("careledger-output/site/") for w in sources), line
    for lines in jobs().values():
        for line in lines:
            code = line.split("#")[0]
            assert "private" not in code and "reports" not in code and "artifacts" not in code, line
    for args, _ in commands([line for lines in jobs().values() for line in lines]):
        if args[0] == "build":
            assert "--no-paper" in args  # the dossiers and forms (full personal data) are never made on a runner


def test_publishing_is_from_main_with_the_whole_history():
    gitlab = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    assert gitlab["variables"]["GIT_DEPTH"] == "0"
    assert gitlab["publish"]["rules"] == [{"if": '$CI_COMMIT_BRANCH == "main"'}]
    assert "rules" not in gitlab["check"] and "only" not in gitlab["check"]  # every push
    gitea = yaml.safe_load(GITEA.read_text(encoding="utf-8"))
    on = gitea.get("on", gitea.get(True))  # YAML 1.1 reads the key `on` as true
    assert on == {"push": None}
    assert gitea["jobs"]["publish"]["if"] == "github.ref == 'refs/heads/main'"
    assert "if" not in gitea["jobs"]["check"]
    for job in gitea["jobs"].values():
        checkout = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout")]
        assert checkout and checkout[0]["with"]["fetch-depth"] == 0


def test_the_real_key_reaches_the_publish_job_only():
    gitea = yaml.safe_load(GITEA.read_text(encoding="utf-8"))
    for name, job in gitea["jobs"].items():
        secrets = [v for s in job["steps"] for v in s.get("env", {}).values() if "secrets." in str(v)]
        assert not secrets if name == "check" else secrets
    gitlab = GITLAB.read_text(encoding="utf-8")
    assert "CARELEDGER_ID_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\"" in gitlab


def test_the_deploy_guide_serves_the_site_folder_only():
    text = DEPLOY.read_text(encoding="utf-8")
    nginx = re.search(r"```nginx\n(.*?)```", text, re.S)
    assert nginx, "docs/deploy.md has no nginx block"
    roots = re.findall(r"^\s*root\s+(\S+);", nginx.group(1), re.M)
    assert roots and all(r.rstrip("/").endswith("/site") for r in roots)
    assert re.search(r"listen\s+[^;]*;", nginx.group(1)) and "autoindex off;" in nginx.group(1)
    for name in ("docs/ci/gitlab-ci.yml", "docs/ci/gitea-actions.yml", "WSL", "git bundle"):
        assert name in text, name
