"""`careledger schema [DIR]`: JSON Schema of every kind of record file, for editors (docs/editors.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.argument("directory", required=False, default=".schemas", type=click.Path(file_okay=False, path_type=Path))
def schema(directory: Path):
    """把每种记录文件的 JSON Schema（draft 2020-12，中文标题和说明）写到 DIRECTORY（默认 .schemas/）。

    编辑器（如 VS Code 的 YAML 插件）据此在录入时补全字段、提示说明、标出写错的地方；设置方法见 docs/editors.md。
    在记录目录中运行即可：以“.”开头的目录 careledger check 不会当作记录。程序升级后请重新运行。

    例：careledger schema .schemas
    """
    from ..schemajson import vscode_setting, write_schemas

    try:
        written = write_schemas(directory)
    except OSError as exc:
        from ..output import why_unwritable

        raise click.ClickException(f"无法写入 {directory}/（{why_unwritable(exc)}）：请在记录目录中运行，或另给一个可写的目录") \
            from None
    click.echo(f"已写入 {len(written)} 个 JSON Schema 到 {directory}/：" + "、".join(p.name for p in written))
    click.echo("VS Code（YAML 插件）：把下面的设置加到记录目录的 .vscode/settings.json（见 docs/editors.md）：")
    click.echo(json.dumps(vscode_setting(directory.as_posix()), ensure_ascii=False, indent=2))
