"""The published numbers against a reader who tries (issue 14): every hidden count, solved with an integer program
from everything the site shows (tests/attackkit.py), must still be able to be below k and at least k; no hidden
status row's on-time count or warnings may be pinned (unless a shown row of 0%, 100% or 0 warnings states it of all
its members). On the bundled demo and on demo seeds and sizes; bench/attack.py runs more and prints the figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from careledger.demo import DemoSpec, write_demo

from .attackkit import attack, build_site, verdict

AS_OF = dt.date(2026, 11, 23)
CONTENT = Path(__file__).resolve().parent.parent / "content"


def judged(content, as_of=AS_OF):
    site, records, view = build_site(content, as_of)
    figures = verdict(attack(site, view.k), records, as_of, view.k)
    return figures, view


def assert_protected(figures):
    assert figures["pinned_small"] == []
    assert figures["pinned_exactly"] == []
    assert figures["zero_bounded"] == []
    assert figures["rates_pinned"] == []
    assert figures["warnings_pinned"] == []
    assert figures["small_rows_shown"] == []


def test_the_bundled_demo_holds():
    figures, view = judged(CONTENT)
    assert figures["hidden"] > 0
    assert_protected(figures)


@pytest.mark.parametrize("seed, households", [(1, 40), (2, 40), (3, 60), (4, 90), (5, 120), (6, 200), (7, 150)])
def test_demo_seeds_and_sizes_hold(tmp_path, seed, households):
    write_demo(tmp_path / "content", DemoSpec(households=households, months=2, seed=seed))
    figures, _ = judged(tmp_path / "content")
    assert_protected(figures)


@pytest.mark.parametrize("profile", ["guiyang-2022", "jizhou-2020", "qiandongnan-2023", "tianhu-2022"])
def test_other_policy_profiles_hold(tmp_path, profile):
    """Other categories and levels (and profiles without levels, or with subjects not yet assessed)."""
    write_demo(tmp_path / "content", DemoSpec(households=90, months=2, seed=8, profile=profile))
    figures, _ = judged(tmp_path / "content")
    assert_protected(figures)


@pytest.mark.parametrize("k", [2, 5])
def test_other_thresholds_hold(tmp_path, k):
    write_demo(tmp_path / "content", DemoSpec(households=120, months=2, seed=2))
    site_yaml = tmp_path / "content" / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    assert "privacy:" not in text  # the demo's site.yaml has no privacy settings of its own
    site_yaml.write_text(text + f"privacy:\n  k: {k}\n", encoding="utf-8")
    figures, view = judged(tmp_path / "content")
    assert view.k == k
    assert_protected(figures)


def test_one_mark_for_every_hidden_count(tmp_path):
    """A `<k` mark would pin a cell below k: every hidden count shows the same mark, small or not."""
    write_demo(tmp_path / "content", DemoSpec(households=60, months=2, seed=3))
    site, records, view = build_site(tmp_path / "content", AS_OF)
    texts = {c.text for t in (view.by_category, view.by_level, view.households) for r in (*t.rows, t.total)
             for c in r.cells if c.value is None}
    assert texts == {"—"}
    html = b"".join(site[p] for p in site if p.endswith(".html")).decode("utf-8")
    assert "&lt;3" not in html and "×" not in html
