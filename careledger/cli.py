"""The command line: each command parses its options, calls one library function, and formats the result.

Shared options are decorator stacks so every command spells them the same way.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from . import __version__
from .findings import SEVERITY_LABELS, group_by_file, has_errors, to_json

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = PROJECT_ROOT / "content"
TIMEZONE = ZoneInfo("Asia/Shanghai")


def today_in_jurisdiction() -> dt.date:
    return dt.datetime.now(TIMEZONE).date()


def _parse_date(ctx, param, value):
    if value is None:
        return today_in_jurisdiction()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”不是日期，请写成 YYYY-MM-DD，例如 2026-11-23") from None


content_option = click.option(
    "--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CONTENT,
    show_default="随附的演示记录 content/", help="记录目录（含 site.yaml）。")
output_option = click.option(
    "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
    show_default=True, help="输出目录。")
as_of_option = click.option(
    "--as-of", "as_of", callback=_parse_date, metavar="YYYY-MM-DD",
    help="以哪一天为准判断逾期等（默认：今天，北京时间）。")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="careledger")
def main():
    """careledger：特殊困难群体关爱帮扶记录的检查与发布工具。

    记录以 YAML 文件保存在 git 仓库中；careledger 检查记录，生成内网公开页面、入户档案和可填写的 PDF 表格。
    """


def print_findings(findings, fmt: str) -> None:
    if fmt == "json":
        click.echo(to_json(findings))
        return
    colour = {"error": "red", "warning": "yellow"}
    for file, items in group_by_file(findings).items():
        click.secho(file, bold=True)
        for f in items:
            where = f"{f.source.line}:{f.source.column}" if f.source.line else "-"
            label = click.style(SEVERITY_LABELS[f.severity], fg=colour[f.severity])
            field = f" {f.path}" if f.path else ""
            click.echo(f"  {where} {label} [{f.code}]{field} {f.message}")
    errors = sum(1 for f in findings if f.is_error)
    warnings = len(findings) - errors
    click.echo(f"共 {errors} 个错误，{warnings} 个警告。", err=True)


@main.command()
@content_option
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式：text 按文件分组显示，json 供程序读取。")
@click.option("--strict", is_flag=True, help="警告也算失败（退出码为 1）。")
def check(content_dir: Path, as_of: dt.date, fmt: str, strict: bool):
    """检查全部记录和政策规则（走访频次、包保安排、协议等），按文件列出问题；有错误时退出码为 1。

    例：careledger check --content content/ --as-of 2026-11-23 --strict
    """
    from .pipeline import check_records

    _, findings = check_records(content_dir, as_of=as_of)
    print_findings(findings, fmt)
    failed = has_errors(findings) or (strict and bool(findings))
    sys.exit(1 if failed else 0)


@main.command()
@content_option
@output_option
@as_of_option
@click.option("--allow-dirty", is_flag=True,
              help="记录目录有未提交的修改时仍然生成（默认拒绝：审计线索不完整）；每一页都会注明。")
def build(content_dir: Path, output_dir: Path, as_of: dt.date, allow_dirty: bool):
    """检查记录，无错误时生成网站到 OUTPUT/site/；有错误则不写任何文件，原有输出保持不变。

    记录目录有未提交的修改时拒绝生成，除非加 --allow-dirty。每一页和 OUTPUT/BUILD.json 都记下记录的提交号和基准日。

    例：careledger build --content content/ --output output/ --as-of 2026-11-23
    """
    from .pipeline import BuildFailed, build_all

    try:
        result = build_all(content_dir, output_dir, as_of=as_of, allow_dirty=allow_dirty)
    except BuildFailed as failed:
        print_findings(failed.findings, "text")
        raise click.ClickException("有错误，生成已停止：未写入任何文件，原有输出保持不变。") from None
    if result.findings:
        print_findings(result.findings, "text")
    policy = result.policy_findings
    errors = sum(1 for f in policy if f.is_error)
    click.echo(f"政策检查：{errors} 个错误，{len(policy) - errors} 个警告（careledger check 列出详情）。")
    click.echo(f"已生成 {result.files_written} 个文件到 {output_dir}/（基准日 {as_of}）。")
    if result.stamp:
        click.echo(result.stamp.text())


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--households", default=60, show_default=True, type=click.IntRange(1), help="户数。")
@click.option("--months", default=None, show_default="6；加 --git 时 12", type=click.IntRange(1, 60),
              help="走访记录的月数。")
@click.option("--seed", default=1, show_default=True, type=int, help="随机种子：同一种子生成完全相同的数据。")
@click.option("--profile", default="wangcheng-2020", show_default=True, help="政策档案。")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default="2026-11-23", show_default=True,
              callback=_parse_date, help="演示数据截止日期。")
@click.option("--git", "as_repo", is_flag=True,
              help="写成 git 仓库：录入员一年来逐日提交的历史（补录、改写、删除等），可直接看审计线索。")
def demo(directory: Path, households: int, months: int | None, seed: int, profile: str, as_of: dt.date,
         as_repo: bool):
    """生成一个完整的虚构辖区（演示数据）到 DIRECTORY：姓名虚构，身份证号地区码以 99 开头。

    加 --git 时 DIRECTORY 是一个 git 仓库，记录相同，另有录入员按日提交的历史，careledger build 会读出审计线索。

    例：careledger demo /tmp/demo --households 200 --months 12 --seed 7 --profile qiandongnan-2023

    例：careledger demo --git /tmp/demo-repo && careledger build --content /tmp/demo-repo --output /tmp/out
    """
    from .demo import DemoSpec, write_demo

    spec = DemoSpec(households=households, months=months or (12 if as_repo else 6), seed=seed, profile=profile,
                    end=as_of)
    if as_repo:
        from .demo.repo import write_demo_repo

        counts = write_demo_repo(directory, spec)
    else:
        counts = write_demo(directory, spec)
    summary = "，".join(f"{k} {v}" for k, v in counts.items())
    click.echo(f"已写入 {directory}/：{summary}")
