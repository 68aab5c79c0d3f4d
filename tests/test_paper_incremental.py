"""Issue 16's paper target, on real PDFs from builds of a git repository: a commit renders again only the dossiers
whose printed content it changed, and a new day with no commit only those whose findings that day changed; every
other dossier comes from the PDF cache with the bytes it had. Renders are counted where the PDF cache misses."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from careledger.paper import pdf
from careledger.pipeline import build_all

from .gitkit import basic_repo

SHUJI = "visits/2026-11/ds-shuji.yaml"  # dongshan's 书记: ds-001's principal (三级: every 3 days, warned past 5)
DOSSIERS = "private/dossiers"


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The households whose dossier each build rendered (missed in the PDF cache), in the order of the builds."""
    seen: list[set[str]] = []
    render_many = pdf._render_many

    def counting(jobs, workers):
        seen[-1].update(m[1] for job in jobs if (m := re.search(r"<title>一户一档一策 (\S+) ", job.html)))
        return render_many(jobs, workers)

    monkeypatch.setattr(pdf, "_render_many", counting)
    return seen


def dossiers(output: Path, suffix: str) -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in sorted((output / DOSSIERS).glob(f"*/*{suffix}")) if p.stem != "index"}


def build(repo, output: Path, day: str, seen: list) -> tuple[set[str], dict[str, bytes], dict[str, bytes]]:
    seen.append(set())
    build_all(repo.root, output, as_of=dt.date.fromisoformat(day), paper=True)
    return seen[-1], dossiers(output, ".pdf"), dossiers(output, ".html")


def test_a_commit_and_a_new_day_render_only_the_dossiers_whose_content_changed(tmp_path, rendered):
    repo = basic_repo(tmp_path / "records")
    output = tmp_path / "out"
    first, pdfs, html = build(repo, output, "2026-11-22", rendered)
    assert first == {"ds-001", "ds-002", "xw-001"} == pdfs.keys()

    # One visit of ds-001, committed: its dossier is rendered again, and only it; the others keep their bytes.
    repo.append(SHUJI, "- date: 2026-11-20\n  household: ds-001\n  duty: responsible\n  mode: in_person\n")
    repo.commit("2026-11-20")
    again, after, after_html = build(repo, output, "2026-11-22", rendered)
    assert again == {"ds-001"}
    assert after["ds-001"] != pdfs["ds-001"] and "2026-11-20" in after_html["ds-001"].decode("utf-8")
    assert {h: after[h] for h in ("ds-002", "xw-001")} == {h: pdfs[h] for h in ("ds-002", "xw-001")}

    # The next day, no commit: no household's findings change, so no dossier is rendered and none changes a byte.
    next_day, same, _ = build(repo, output, "2026-11-23", rendered)
    assert next_day == set() and same == after

    # The day after: ds-001's principal, last there on 11-20 and due every 3 days, is overdue from 11-24. Only that
    # dossier says something new, and only it is rendered again; the new finding is dated, not counted.
    overdue, final, final_html = build(repo, output, "2026-11-24", rendered)
    changed = {h for h in final_html if final_html[h] != after_html[h]}
    assert overdue == changed == {"ds-001"}
    text = final_html["ds-001"].decode("utf-8")
    assert "CAD-OVERDUE" in text and "包保责任人未走访（上次走访 2026-11-20），超过规定的最长间隔 3 天（2026-11-24 起）" in text
    assert {h: final[h] for h in ("ds-002", "xw-001")} == {h: pdfs[h] for h in ("ds-002", "xw-001")}
