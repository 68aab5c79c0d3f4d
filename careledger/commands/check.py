"""`careledger check [PATH]...`: the records' errors decide the exit code; the policy's findings are listed.

Formats: `text` (grouped by file, policy findings first and the clerk's own mistakes last, nearest the prompt),
`json` (one list; each item has "kind": "record" or "policy") and `editor` (`path:line:col: 代码 说明`, one finding a
line, as gcc writes them, so an editor or a terminal can jump to the place). The one-line summary ends the text
output; with json and editor it goes to stderr, so stdout stays what a program reads.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from ..cli import as_of_option, content_option
from ..findings import SEVERITY_LABELS, display_path, group_by_file, sort_key

if TYPE_CHECKING:
    from ..checking import CheckResult

COLOURS = {"error": "red", "warning": "yellow"}


@click.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...", type=click.Path(dir_okay=False, path_type=Path))
@content_option
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "editor"]), default="text", show_default=True,
              help="输出格式：text 按文件分组；json 供程序读取；editor 每行“路径:行:列: 代码 说明”，编辑器可跳转。")
@click.option("--strict", is_flag=True, help="政策提示和警告也算失败（退出码为 1）。")
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...], content_dir: Path, as_of: dt.date, fmt: str, strict: bool):
    """检查记录：记录本身有错误（格式、字段、文件位置、引用）时退出码为 1。

    政策规则的提示（走访频次、包保安排、协议等）照常列出，加 --strict 时才算失败。

    给出 PATH 时只检查这些记录文件（供编辑器、提交前钩子使用，很快）：格式、字段和引用（对照其余记录），不查政策规则。

    不加 --content 时，记录目录是 PATH 之上含 site.yaml 的目录。

    例：careledger check --content content/ --as-of 2026-11-23

    例：careledger check --format editor visits/2026-11/songgang-baopian1.yaml
    """
    from .. import progress
    from ..checking import check_all, check_files, summary  # here: other commands start without the records' types

    if paths:
        explicit = ctx.get_parameter_source("content_dir") is not ParameterSource.DEFAULT
        root, files = _files_below(paths, content_dir if explicit else None)
        if ctx.get_parameter_source("as_of") is ParameterSource.DEFAULT:
            as_of = _default_as_of(root)
        result = check_files(root, files, as_of=as_of)
        shown = {rel: str(p) for rel, p in zip(files, paths)}
    else:
        progress.enable()
        root = content_dir
        result = check_all(root, as_of=as_of)
        shown = {}
    for rel in result.not_records:
        click.echo(f"{shown.get(rel, rel)}：不是记录文件，未检查（记录文件的位置见 docs/records.md）", err=True)
    _REPORTERS[fmt](result, root, shown, summary(result))
    sys.exit(1 if result.failed(strict) else 0)


def _default_as_of(root: Path) -> dt.date:
    from ..asof import default_as_of

    return default_as_of(root)  # the records found above PATH, not the --content default the option looked at


def _files_below(paths: tuple[Path, ...], content_dir: Path | None) -> tuple[Path, list[str]]:
    """The content root and the paths relative to it. Without --content, the root is the nearest folder above the
    first path that holds a site.yaml; every path must be below it."""
    first = paths[0].resolve()
    root = content_dir.resolve() if content_dir is not None else next(
        (d for d in first.parents if (d / "site.yaml").is_file()), None)
    if root is None:
        raise click.UsageError(f"{paths[0]} 不在记录目录中（其上各级目录都没有 site.yaml）；请用 --content 指定记录目录")
    files = []
    for path in paths:
        try:
            files.append(path.resolve().relative_to(root).as_posix())
        except ValueError:
            raise click.UsageError(f"{path} 不在记录目录 {root} 中") from None
        if not path.is_file():
            raise click.UsageError(f"{path}：文件不存在")
    return root, files


def _where(finding, root: Path, shown: dict[str, str]) -> str:
    file = finding.source.file
    return shown.get(file) or (os.path.join(str(root), file) if file else str(root))


def _text(result: CheckResult, root: Path, shown: dict[str, str], last_line: str) -> None:
    if result.policy_findings:
        click.secho(f"政策提示（{len(result.policy_findings)} 条：照常列出，不算记录错误；加 --strict 时算失败）",
                    bold=True)
        _listing(result.policy_findings, shown)
    if result.record_findings:
        click.secho(f"记录问题（{len(result.record_findings)} 条：录入的错误，须改正）", bold=True)
        _listing(result.record_findings, shown)
    failed = result.failed(False)
    click.secho(last_line, fg="red" if failed else "green")


def _listing(findings, shown: dict[str, str]) -> None:
    """Grouped by file: named as the command was given it (check PATH...), else relative to the records' root."""
    for file, items in group_by_file(findings).items():
        click.secho(shown.get(file) or file or "（全部记录）", bold=True)
        for f in items:
            where = f"{f.source.line}:{f.source.column}" if f.source.line else "-"
            label = click.style(SEVERITY_LABELS[f.severity], fg=COLOURS[f.severity])
            field = f" {display_path(f.path)}" if f.path else ""
            click.echo(f"  {where} {label} [{f.code}]{field} {f.message}")


def _json(result: CheckResult, root: Path, shown: dict[str, str], last_line: str) -> None:
    items = [{**f.to_json(), "kind": kind} for kind, findings in (("record", result.record_findings),
                                                                 ("policy", result.policy_findings))
             for f in sorted(findings, key=sort_key)]
    click.echo(json.dumps(items, ensure_ascii=False, indent=2, default=str))
    click.echo(last_line, err=True)


def _editor(result: CheckResult, root: Path, shown: dict[str, str], last_line: str) -> None:
    """gcc's layout: an unknown line or column is written as 1 (the file's start), so every line stays jumpable."""
    for f in sorted(result.findings, key=sort_key):
        click.echo(editor_line(f, _where(f, root, shown)))
    click.echo(last_line, err=True)


def editor_line(f, where: str) -> str:
    """One finding as `path:line:col: 代码 级别 字段：说明` (also what `careledger serve` prints after a rebuild)."""
    field = f"{display_path(f.path)}：" if f.path else ""
    message = " ".join(f.message.split())  # one finding, one line
    return f"{where}:{f.source.line or 1}:{f.source.column or 1}: {f.code} {SEVERITY_LABELS[f.severity]} {field}{message}"


_REPORTERS = {"text": _text, "json": _json, "editor": _editor}
