"""A rebuild's findings on the terminal: the record's in full, one line each as `check --format editor` writes them
(an editor or the terminal jumps to path:line:col); the policy's as a count per code with its Chinese description and
the first few lines, since a jurisdiction has many and they are listed in full on the preview's findings page."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..findings import SEVERITY_LABELS, sort_key
from .banner import policy_line
from .state import Outcome, per_code

FIRST = 5  # policy findings printed in full


def _line(f, content: Path) -> str:
    from ..commands.check import editor_line

    return editor_line(f, os.path.join(str(content), f.source.file) if f.source.file else str(content))


def report(outcome: Outcome, content: Path, address: str | None) -> None:
    colour = {"error": "red", "warning": "yellow"}
    for f in sorted(outcome.record_findings, key=sort_key):
        click.secho(_line(f, content), fg=colour[f.severity])
    if outcome.failed:
        return
    policy = outcome.policy_findings
    click.echo(policy_line(outcome) + ("（careledger check 列出详情）。" if policy else "。"))
    for code, n, severity, text in per_code(policy):
        click.echo(f"  {code} {SEVERITY_LABELS[severity]} ×{n}：{text}")
    if policy:
        first = sorted(policy, key=lambda f: (not f.is_error, sort_key(f)))[:FIRST]  # what must be done first
        click.echo(f"  前 {len(first)} 条：")
        for f in first:
            click.echo("    " + _line(f, content))
        if address:
            click.echo(f"  全部 {len(policy)} 条见 {address}")
