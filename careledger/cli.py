"""The command line: each command parses its options, calls one library function, and formats the result.

Shared options are decorator stacks so every command spells them the same way.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from . import __version__, clizh, progress
from .findings import SEVERITY_LABELS, group_by_file, has_errors, to_json

DEFAULT_CONTENT = Path("content")  # relative to the current directory, as --output is: an installed careledger too
TIMEZONE = ZoneInfo("Asia/Shanghai")

clizh.install()  # click's own messages in Chinese, before the decorators below look any of them up


def today_in_jurisdiction() -> dt.date:
    return dt.datetime.now(TIMEZONE).date()


EARLIEST_DATE, LATEST_DATE = dt.date(1970, 1, 1), dt.date(2099, 12, 31)  # dates outside give no sensible ledger


def _parse_date(ctx, param, value):
    if value is None:  # --content is declared before --as-of, so it is in ctx.params already (click's order)
        from .asof import default_as_of

        return default_as_of(ctx.params.get("content_dir"))
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”不是日期，请写成 YYYY-MM-DD，例如 2026-11-23") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise click.BadParameter(f"{value}：--as-of 必须在 {EARLIEST_DATE} 到 {LATEST_DATE} 之间")
    return day


content_option = click.option(
    "--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CONTENT,
    show_default="当前目录下的 content/（在本仓库中即随附的演示记录）", help="记录目录（含 site.yaml）。")
output_option = click.option(
    "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
    show_default=True, help="输出目录。")
as_of_option = click.option(
    "--as-of", "as_of", callback=_parse_date, metavar="YYYY-MM-DD",
    help="以哪一天为准判断逾期等（默认：今天，北京时间；演示记录为其最后一天，即 site.yaml 的 demo_as_of）。")


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


from .commands.check import check  # noqa: E402  (issue 17: records decide the exit code; check PATH...)

main.add_command(check)

from .commands.schema import schema  # noqa: E402  (issue 17: JSON Schema for editors)

main.add_command(schema)

from .commands.notice import notice  # noqa: E402  (issue 18: the 通报 with its number)

main.add_command(notice)


@main.command()
@content_option
@output_option
@as_of_option
@click.option("--allow-dirty", is_flag=True,
              help="记录目录有未提交的修改时仍然生成（默认拒绝：审计线索不完整）；每一页都会注明。")
@click.option("--no-paper", "no_paper", is_flag=True,
              help="不生成入户档案和空白表格（PDF，最费时的部分）：只更新网站、报表和 BUILD.json，OUTPUT/private/ 保留上次生成的文件。")
def build(content_dir: Path, output_dir: Path, as_of: dt.date, allow_dirty: bool, no_paper: bool):
    """检查记录，无错误时生成网站到 OUTPUT/site/；有错误则不写任何文件，原有输出保持不变。

    记录目录有未提交的修改时拒绝生成，除非加 --allow-dirty。每一页和 OUTPUT/BUILD.json 都记下记录的提交号和基准日。

    同时生成每户的入户档案（一户一档一策）和全部空白表格（可填写 PDF）到 OUTPUT/private/（含个人信息，不在网站中）。
    内容没有变化的输出文件不重写（保留原文件和修改时间），只有变化的文件是新写的。

    在终端中运行时，第一次构建后会在后台留下一个构建进程，保留读过的记录：以后的构建只重做有变化的部分。
    它空闲 15 分钟后自行退出；careledger shutdown 可立即停止它；设环境变量 CARELEDGER_BUILD_SERVER=0 则不使用，
    =1 则在脚本中也使用。

    例：careledger build --content content/ --output output/ --as-of 2026-11-23
    """
    from . import buildserver
    from .build import BuildFailed, build_all

    try:  # (the entry point, launch.py, hands the build to a server when one is wanted: here none was)
        buildserver.setting()
    except buildserver.SettingError as problem:
        raise click.ClickException(str(problem)) from None
    progress.enable()
    try:
        result = build_all(content_dir, output_dir, as_of=as_of, allow_dirty=allow_dirty, paper=not no_paper)
    except BuildFailed as failed:
        print_findings(failed.findings, "text")
        raise click.ClickException("有错误，生成已停止：未写入任何文件，原有输出保持不变。") from None
    if result.findings:
        print_findings(result.findings, "text")
    if result.skipped:
        click.echo("记录、设置和程序都没有变化，输出目录保持上次生成的样子（未重新生成）。")
    policy = result.policy_findings
    errors = sum(1 for f in policy if f.is_error)
    click.echo(f"政策检查：{errors} 个错误，{len(policy) - errors} 个警告（careledger check 列出详情）。")
    click.echo(f"已生成 {result.files_written} 个文件到 {output_dir}/（基准日 {as_of}），其中 {len(result.files_changed)} 个"
               "是新的或有变化的，其余未重写。")
    if result.stamp:
        click.echo(result.stamp.text())


@main.command()
def shutdown():
    """停止本用户的后台构建进程（careledger build 在终端中运行时留下的，保留着读过的记录）。

    下次构建会重新读取全部记录（慢一些），并再启动一个。

    例：careledger shutdown
    """
    from . import buildserver

    stopped = buildserver.stop_all()
    if stopped:
        click.echo(f"已停止后台构建进程：{'、'.join(str(pid) for pid in stopped)}。")
    else:
        click.echo("没有正在运行的后台构建进程。")


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


# --- the paper (issue 6): dossiers and forms into OUTPUT/private/ ---------------------------------------------

allow_dirty_option = click.option(
    "--allow-dirty", is_flag=True, help="记录目录有未提交的修改时仍然打印（默认拒绝）；页脚会注明。")


def _print_paper(content_dir: Path, output_dir: Path, as_of: dt.date, allow_dirty: bool, request) -> None:
    from .paper.run import print_paper
    from .pipeline import BuildFailed

    progress.enable()
    try:
        result = print_paper(content_dir, output_dir, request, as_of=as_of, allow_dirty=allow_dirty)
    except BuildFailed as failed:
        print_findings(failed.findings, "text")
        raise click.ClickException("有错误，已停止：未写入任何文件，原有输出保持不变。") from None
    if result.findings:
        print_findings(result.findings, "text")
    pdfs = sum(1 for f in result.files if f.endswith(".pdf"))
    click.echo(f"已生成 {pdfs} 个 PDF 到 {output_dir}/private/（基准日 {as_of}）。")


def _selection(households, villages, everything: bool, *, required: bool):
    from .paper.printing import Selection

    chosen = sum(bool(x) for x in (households, villages, everything))
    if chosen > 1:
        raise click.UsageError("户编号、--village 和 --all 只能选一种")
    if chosen == 0 and required:
        raise click.UsageError("请指定户编号、--village 村编号，或 --all（全部）")
    return Selection(households=frozenset(households) if households else None,
                     villages=frozenset(villages) if villages else None)


@main.command()
@click.argument("households", nargs=-1, metavar="[HOUSEHOLD]...")
@click.option("--village", "villages", multiple=True, metavar="V", help="打印一个村（社区）的全部家庭（可重复）。")
@click.option("--all", "everything", is_flag=True, help="打印全部家庭。")
@content_option
@output_option
@as_of_option
@allow_dirty_option
def dossier(households, villages, everything: bool, content_dir: Path, output_dir: Path, as_of: dt.date,
            allow_dirty: bool):
    """打印入户档案（一户一档一策）：每户一个 PDF 和 HTML，写到 OUTPUT/private/dossiers/<村>/<户编号>.pdf。

    档案有封面、家庭成员、关爱帮扶对象与等级评估依据、需求与措施、包保安排与电话、协议、走访记录、问题闭环、
    资金代管台账和政策检查结果；只替换所打印的档案，网站、报表和其他档案保持不变。

    例：careledger dossier ds-001 ds-002 --as-of 2026-11-23

    例：careledger dossier --village songgang --output output/
    """
    from .paper.printing import PaperRequest

    selection = _selection(households, villages, everything, required=True)
    _print_paper(content_dir, output_dir, as_of, allow_dirty,
                 PaperRequest(dossiers=True, blank_forms=False, selection=selection))


@main.command()
@click.option("--blank", is_flag=True, help="打印空白表格（可在电脑上填写）到 OUTPUT/private/forms/blank/。")
@click.option("--form", "forms", multiple=True, metavar="NAME",
              help="只打印这个表格（可重复；见 docs/forms.md）。默认：空白表全部，预填表为所用政策档案的表格。")
@click.option("--household", "households", multiple=True, metavar="ID", help="按这户的记录预填（可重复）。")
@click.option("--village", "villages", multiple=True, metavar="V", help="按这个村（社区）的记录预填（可重复）。")
@click.option("--all", "everything", is_flag=True, help="按全部记录预填（花名册只在 --all 时打印）。")
@content_option
@output_option
@as_of_option
@allow_dirty_option
def forms(blank: bool, forms, households, villages, everything: bool, content_dir: Path, output_dir: Path,
          as_of: dt.date, allow_dirty: bool):
    """打印可填写的 PDF 表格：空白的，或按记录预填的（每个对象、每户、每村或全辖区一份，依表格而定）。

    预填表写到 OUTPUT/private/forms/<表格>/，字段仍可修改；字段名和出处见 docs/forms.md。

    例：careledger forms --blank

    例：careledger forms --form wangcheng-info --household ds-001 --output output/
    """
    from .paper.printing import PaperRequest

    selection = _selection(households, villages, everything, required=not blank)
    filled = bool(households or villages or everything)
    _print_paper(content_dir, output_dir, as_of, allow_dirty,
                 PaperRequest(dossiers=False, blank_forms=blank, filled_forms=filled, forms=tuple(forms),
                              selection=selection))


@main.command()
@content_option
@click.option("--rotate", is_flag=True,
              help="更换已有的密钥：所有公开编号都会改变，旧的链接和书签失效（见 docs/privacy.md）。")
def keygen(content_dir: Path, rotate: bool):
    """生成公开编号密钥：保存在记录目录之外（~/.config/careledger/keys/），只有本人可读，不要提交或外传。

    公开网站上每位对象的公开编号由这个密钥算出；没有密钥的人无法把公开编号对应到户。真实记录没有密钥时不能生成网站。
    也可以用环境变量 CARELEDGER_ID_KEY（密钥本身）或 CARELEDGER_ID_KEY_FILE（密钥文件）提供密钥。

    例：careledger keygen --content content/
    """
    from . import idkey
    from .load import read_site

    site, findings = read_site(content_dir)
    if site is None:
        print_findings(findings, "text")
        sys.exit(1)
    try:
        path = idkey.keygen(site, rotate=rotate)
    except FileExistsError:
        raise click.ClickException(f"{site.name}已有公开编号密钥 {idkey.key_path(site)}，未作改动。确需更换时加 --rotate"
                                   "（所有公开编号都会改变）") from None
    except OSError as exc:
        from .output import why_unwritable

        raise click.ClickException(f"无法写入密钥文件 {idkey.key_path(site)}（{why_unwritable(exc)}）：未生成密钥。"
                                   "请检查主目录（HOME）的写入权限") from None
    verb = "已更换" if rotate else "已生成"
    click.echo(f"{verb}{site.name}的公开编号密钥：{path}（仅本人可读）。请备份到安全的地方，不要放进记录目录或发给他人；"
               "下次生成网站时使用。")


# Commands kept in modules of their own register here, once `main` exists (hence E402).
from . import serve as _serve  # noqa: E402,F401  -- `careledger serve` (careledger/serve.py)
from .entry.commands import register as _register_entry  # noqa: E402  -- visit add, household new, member add
from .exchange.commands import register as _register_exchange  # noqa: E402  -- export, import (issue 17)

_register_entry(main)
_register_exchange(main)
