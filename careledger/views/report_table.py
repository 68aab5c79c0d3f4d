"""The one shape of an internal report table, shared by the reports and the audit trail views."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    slug: str  # file name without extension
    title: str
    intro: str  # what the table is and the rule behind it
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
