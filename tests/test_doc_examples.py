"""The worked examples of docs/records.md and docs/rules/*.md give the findings the docs say they give."""

from __future__ import annotations

from pathlib import Path

import pytest

from .docexamples import ROOT, as_text, copy_of, examples, shown, write_samples

PAGES = [ROOT / "docs" / "records.md", *sorted((ROOT / "docs" / "rules").glob("*.md"))]
EXAMPLES = [e for page in PAGES for e in examples(page)]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("sample")
    write_samples(base)
    return base


def test_the_docs_have_worked_examples():
    pages = {e.page for e in EXAMPLES}
    assert "docs/records.md" in pages
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_worked_example_gives_the_findings_shown(example, sample, tmp_path):
    found = shown(copy_of(sample, tmp_path / "records"), example)
    assert any(example.codes.values()), f"{example}: the example shows no finding"
    gives = {file: [f.code for f in found if f.source.file == file] for file in example.codes}
    assert gives == example.codes, f"{example}: check gives\n{as_text(found)}"
