"""Build small content trees from inline YAML, so a test's input and its assertions fit on one screen."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from careledger.identifiers import check_digit
from careledger.load import load
from careledger.rules import Facts

SITE = """\
name: 测试街道
profile: {profile}
synthetic_ids: true
villages:
  - id: v1
    name: 一村
  - id: v2
    name: 二村
"""


def id_number(birth: str, sequence: int) -> str:
    """A synthetic resident ID number (region 99…) for a birth date YYYY-MM-DD; odd sequence = male."""
    first17 = f"990101{birth.replace('-', '')}{sequence:03d}"
    return first17 + check_digit(first17)


def write_tree(root: Path, files: dict[str, str], *, profile: str = "wangcheng-2020", site_extra: str = "") -> Path:
    """Write `files` (relative path -> YAML text, dedented) below root; site.yaml defaults to two villages."""
    files = dict(files)
    files.setdefault("site.yaml", SITE.format(profile=profile) + textwrap.dedent(site_extra))
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def load_clean(root: Path, as_of: dt.date):
    """Load a tree that must have no load errors (rule findings are what the test is about)."""
    records, findings = load(root, today=as_of)
    errors = [f.format() for f in findings if f.is_error]
    assert not errors, errors
    return records


def facts_for(root: Path, as_of: dt.date) -> Facts:
    records = load_clean(root, as_of)
    return Facts(records, records.profile, as_of)


def codes(findings) -> list[tuple[str, str]]:
    """(code, subject) pairs, sorted: the usual shape of an expected-findings table."""
    return sorted((f.code, f.subject) for f in findings)


def replace_in(content: Path, rel: str, old: str, new: str) -> None:
    """Edit one file of a content tree in place: the first `old` (which must be there) becomes `new`."""
    path = content / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(content: Path, rel: str, needle: str) -> int:
    """The 1-based line of `rel` holding `needle`."""
    lines = (content / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)
