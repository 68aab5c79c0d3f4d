"""`careledger export` and `careledger import` (registered in cli.py by `register`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .layouts import LAYOUT_ZH, LAYOUTS


def register(main: click.Group) -> None:
    main.add_command(export)
    main.add_command(import_)


def _content_option(f):
    return click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        show_default="当前目录下的 content/", help="记录目录（含 site.yaml）。")(f)


@click.command()
@_content_option
@click.option("--as-of", "as_of_text", metavar="YYYY-MM-DD",
              help="以哪一天为准（在册对象、年龄、截至哪天的走访；默认：今天，演示记录为其最后一天）。")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="写到哪个 .xlsx 文件，或哪个文件夹（文件名为 台账-<格式>-<基准日>.xlsx）。")
@click.option("--layout", type=click.Choice(sorted(LAYOUTS)), default=None,
              help="台账格式：" + "；".join(f"{k} {v}" for k, v in LAYOUT_ZH.items()) + "。默认按所用政策档案。")
def export(content_dir, as_of_text, out, layout):
    """把在册对象花名册、走访台账和工作人员花名册导出为 Excel（.xlsx），栏目与文件附件的台账相同，供向上级报送。

    含个人信息（姓名、身份证号、电话），只供内部使用：不能写到公开网站目录或记录目录中。所有单元格都是文本：
    身份证号、电话不丢位数，以 = + - @ 开头的内容前加 '，Excel 不会当作公式执行。

    例：careledger export --out 报送/  （按政策档案选格式）

    例：careledger export --layout guiyang --as-of 2026-10-31 --out 报送/10月台账.xlsx
    """
    from ..entry.commands import load_records, parse_day
    from .export import ExportRefused, write_export
    from .layouts import layout_for

    today = _today()
    records, _ = load_records(content_dir, today)
    as_of = parse_day(as_of_text, today, "基准日") if as_of_text else _default_as_of(records, today)
    chosen = layout_for(records.site.profile, layout)
    try:
        path = write_export(records, out, chosen, as_of)
    except ExportRefused as exc:
        raise click.ClickException(f"{exc}。未写入任何文件。") from None
    except OSError as exc:
        from ..output import why_unwritable

        raise click.ClickException(f"写入 {out} 失败（{why_unwritable(exc)}），未写入任何文件。") from None
    click.echo(f"已导出（{LAYOUT_ZH[chosen]}，基准日 {as_of}）：{path}。含个人信息，请勿外传或放到网站上。")


def _today() -> dt.date:
    from ..entry.commands import today_here

    return today_here()


def _default_as_of(records, today: dt.date) -> dt.date:
    site = records.site
    return site.demo_as_of if site.synthetic_ids and site.demo_as_of else today


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_content_option
@click.option("--dry-run", is_flag=True, help="只列出将要写入的内容和不能使用的行，不写任何文件。")
@click.option("--update", is_flag=True, help="修改已有的记录（逐字段列出 字段：旧 → 新）；不加时已有的记录保持不变。")
@click.option("--skip-bad", is_flag=True,
              help="跳过不能使用的行，写入其余的行（默认：只要有一行不能使用，就什么也不写）。")
def import_(file, content_dir, dry_run, update, skip_bad):
    """从 Excel 台账（.xlsx）或填好的 PDF 表格（.pdf）读入记录：户和关爱帮扶对象、走访、工作人员；PDF 表格为走访、巡查、督查记录。

    读得懂文件附件的台账（望城街道附件 1、贵阳市附件 1–2、天湖街道附件 1 花名册，标题行合并、中文栏目，
    按栏目名称找列，不要求在固定的行）和本程序 careledger export 导出的台账。已有的记录不会被改动，除非加 --update；
    每个要写的文件都像 visit add 一样先检查，有一处错误就不写。有不能使用的行时什么也不写（全有或全无），
    加 --skip-bad 才跳过这些行写入其余的。

    例：careledger import 花名册.xlsx --dry-run

    例：careledger import 台账.xlsx --update
    """
    from ..entry.commands import load_records
    from .apply import apply_plan, show_plan

    today = _today()
    records, findings = load_records(content_dir, today)
    suffix = file.suffix.lower()
    if suffix == ".xlsx":
        from .plan import plan_workbook as planner
    elif suffix == ".pdf":
        from .formpdf import plan_form as planner
    else:
        raise click.ClickException(f"{file}：只能导入 .xlsx（Excel 台账）或 .pdf（填好的表格），未写入任何文件")
    try:
        changes, problems = planner(file, records, findings, today, update)
    except ValueError as exc:
        raise click.ClickException(f"{file}：{exc}。未写入任何文件。") from None
    show_plan(records, changes, problems, today)
    refused = bool(problems) and not skip_bad  # the import proper would write nothing: a dry run says so too
    if dry_run:
        click.echo("（--dry-run：未写入任何文件。）")
    if refused:
        raise click.ClickException(f"有 {len(problems)} 处不能使用（见上），" + (
            "不加 --skip-bad 导入时什么也不会写入（全有或全无）。" if dry_run else
            "未写入任何文件（全有或全无）。改正后重新导入，或加 --skip-bad 跳过这些行。"))
    if dry_run:
        return
    apply_plan(records, changes)
