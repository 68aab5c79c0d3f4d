"""Issue 16's paper target, on real PDFs from builds of a git repository: a commit renders again only the dossiers
whose printed content it changed, and a new day with no commit only those whose findings that day changed; every
other dossier comes from the PDF cache with the bytes it had. Renders are counted where the PDF cache misses."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from careledger.paper import pdf
from careledger.pipeline import build_all

from .conftest import seed_fonts
from .gitkit import basic_repo

SHUJI = "visits/2026-11/ds-shuji.yaml"  # dongshan's 书记: ds-001's principal (三级: every 3 days, warned past 5)
DOSSIERS = "private/dossiers"


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """A fresh cache, so every PDF of the first build is rendered; with the font subsets (not what is counted here)."""
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(seed_fonts(tmp_path / "cache")))


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


def rendered_part(pdf: bytes) -> bytes:
    """The PDF as rendered (and cached): without the incremental update that draws the cover's as-of date in."""
    return pdf[:pdf.index(b"%%EOF") + len(b"%%EOF")]


def text_of(pdf: bytes, tmp: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    (tmp / "doc.pdf").write_bytes(pdf)
    run = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp / "doc.pdf"), "-"], capture_output=True, text=True,
                         check=True)
    assert run.stderr == ""  # poppler reads the appended update without a complaint
    return "".join(run.stdout.split())


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

    # The next day, no commit: no household's findings change, so no dossier is rendered; each PDF is the cached
    # render byte for byte, with the new day drawn into its cover.
    next_day, same, _ = build(repo, output, "2026-11-23", rendered)
    assert next_day == set() and {h: rendered_part(p) for h, p in same.items()} == {
        h: rendered_part(p) for h, p in after.items()}
    for household, data in same.items():
        text = text_of(data, tmp_path)
        assert "基准日2026-11-23" in text and "基准日2026-11-22" not in text, household

    # The day after: ds-001's principal, last there on 11-20 and due every 3 days, is overdue from 11-24. Only that
    # dossier says something new, and only it is rendered again; the new finding is dated, not counted.
    overdue, final, final_html = build(repo, output, "2026-11-24", rendered)
    cover_day = re.compile('<th scope="row">基准日</th><td>[0-9-]+</td>'.encode("utf-8"))
    changed = {h for h in final_html if cover_day.sub(b"", final_html[h]) != cover_day.sub(b"", after_html[h])}
    assert overdue == changed == {"ds-001"}
    text = final_html["ds-001"].decode("utf-8")
    assert '<th scope="row">基准日</th><td>2026-11-24</td>' in text
    assert "CAD-OVERDUE" in text and "包保责任人未走访（上次走访 2026-11-20），超过规定的最长间隔 3 天（2026-11-24 起）" in text
    assert {h: rendered_part(final[h]) for h in ("ds-002", "xw-001")} == {
        h: rendered_part(pdfs[h]) for h in ("ds-002", "xw-001")}
    assert "基准日2026-11-24" in text_of(final["ds-001"], tmp_path)


def test_the_placeholder_is_sized_as_the_stamp_draws_the_day():
    from careledger.assets import REPORT_TEMPLATES
    from careledger.paper.day_stamp import HEIGHT_PT, WIDTH_PT

    css = (REPORT_TEMPLATES / "dossier.css").read_text(encoding="utf-8")
    rule = re.search(r"\.day-stamp \{([^}]*)\}", css)[1]
    assert f"width: {WIDTH_PT:g}pt" in rule and f"height: {HEIGHT_PT:g}pt" in rule


def test_the_workers_get_the_costliest_documents_first_and_each_pdf_comes_back_to_its_job():
    """A village's big households go out first, the small ones last in small batches, so no worker idles at the end
    (bench/forms.py measures it); the PDFs still come back in the jobs' order."""
    import io

    import pypdf

    sizes = [3, 40, 5, 90, 7, 60, 2, 8]
    jobs = [pdf.Job(f"<p>第{i}号</p>" + "<p>一行</p>" * n) for i, n in enumerate(sizes)]
    batches = pdf.partition(jobs, workers=2)
    assert sorted(i for b in batches for i in b) == list(range(len(jobs)))
    assert batches[0] == [3] and batches[1] == [5] and batches[-1][-1] == 6  # 90 first, 60 next, the 2 last
    assert all(len(b) == 1 for b in batches[:3]) and len(batches) <= 2 * 4 + 1
    out = pdf.render_all(jobs, workers=2, cache=False)
    for i, data in enumerate(out):
        assert f"第{i}号" in pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text(), i
