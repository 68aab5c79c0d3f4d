"""Installable: a wheel built from this checkout, installed into a fresh virtual environment, runs `careledger demo`
and `careledger build` — so every file careledger reads at run time is package data.

The wheel is built once for the module, from a copy of the package (so the checkout gets no build/ or egg-info), with
`pip wheel --no-deps --no-build-isolation` (no network: setuptools and wheel come from the test environment).

The environment it is installed into must not see this checkout's careledger, yet needs the dependencies (jinja2,
weasyprint, ...) without downloading them. So: `python -m venv --without-pip` makes an empty environment (its base is
the interpreter itself, whose own site-packages hold no careledger); pip, run from the test environment with
`--python`, installs the wheel into it with --no-deps; only then a .pth file adds the test environment's
site-packages folders at the end of its sys.path. A folder named by a .pth file is appended as a plain path: the .pth
files inside it are not run, so the editable install's import hook (`__editable__.careledger-*.pth`) stays
inactive, and the environment's own site-packages, with the wheel's careledger, comes first anyway. Every command
runs in a temporary directory with PYTHONPATH unset, and the test asserts where `careledger` is imported from.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from careledger import assets

ROOT = Path(__file__).resolve().parent.parent


def _run(args, cwd, env=None, timeout=600):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def _dependency_folders() -> list[str]:
    """The site-packages folders of the test environment: where the dependencies are installed."""
    folders = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    folders |= {p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")}
    return sorted(p for p in folders if Path(p).is_dir())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    source.mkdir()
    shutil.copytree(ROOT / "careledger", source / "careledger", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", ".",
          "-w", str(base / "dist")], cwd=source)
    (built,) = (base / "dist").glob("careledger-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A fresh environment with the wheel installed: (its bin folder, the environment variables to run it with)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=venv.parent)
    python = venv / "bin" / "python"
    # Installed before the .pth exists: pip sees no other careledger, so it has nothing to uninstall anywhere.
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
         cwd=venv.parent)
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                   cwd=venv.parent).stdout.strip()
    Path(purelib, "zz-careledger-test-dependencies.pth").write_text("\n".join(_dependency_folders()) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = _run([str(python), "-c", "import careledger; print(careledger.__file__)"], cwd=venv.parent, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout  # the wheel's, not this checkout's
    return venv / "bin", env


def test_the_wheel_carries_every_file_careledger_reads_at_run_time(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in (assets.SITE_TEMPLATES, assets.REPORT_TEMPLATES, assets.FORMS, assets.PROFILES):
        files = [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        assert files, folder
        for path in files:
            assert path.relative_to(ROOT).as_posix() in names, f"{path} is not in the wheel (pyproject package-data)"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.title, self.styles, self._in_title = "", [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in_title = tag == "title"
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.styles.append(attrs["href"])

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def test_the_installed_wheel_builds_the_demo(installed, tmp_path):
    bin_dir, env = installed
    careledger = str(bin_dir / "careledger")
    assert "careledger" in _run([careledger, "--version"], cwd=tmp_path, env=env).stdout
    _run([careledger, "demo", "content", "--households", "12", "--months", "2"], cwd=tmp_path, env=env)
    _run([careledger, "build", "--no-paper", "--as-of", "2026-11-23"], cwd=tmp_path, env=env)  # --content content/
    site = tmp_path / "output" / "site"
    page = _Page()
    page.feed((site / "index.html").read_text(encoding="utf-8"))
    name = yaml.safe_load((tmp_path / "content" / "site.yaml").read_text(encoding="utf-8"))["name"]
    assert name in page.title
    assert page.styles and all((site / href).is_file() for href in page.styles)
    assert (tmp_path / "output" / "reports" / "index.html").is_file()  # the internal templates too
    # the form definitions: one blank fillable form
    _run([careledger, "forms", "--blank", "--form", "wangcheng-info"], cwd=tmp_path, env=env)
    assert (tmp_path / "output" / "private" / "forms" / "blank" / "wangcheng-info.pdf").stat().st_size > 1000
