"""`careledger notice`: print the month's 通报 with its number into OUTPUT/reports/ (paper/notice_run.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .. import progress
from ..cli import as_of_option, content_option, output_option, print_findings


@click.command()
@click.option("--number", metavar="序号或文号",
              help="文号：发文登记取得的序号（如 12，与 site.yaml 的 notice_prefix 合成“望民办〔2026〕12号”），"
                   "或完整文号。不填则文号留空，打印后手写。")
@click.option("--month", metavar="YYYY-MM", help="通报哪个月（默认：基准日所在月；上月的通报在下月初写 --month 上月）。")
@content_option
@output_option
@as_of_option
@click.option("--allow-dirty", is_flag=True, help="记录目录有未提交的修改时仍然生成（默认拒绝）；通报上会注明。")
def notice(number: str | None, month: str | None, content_dir: Path, output_dir: Path, as_of: dt.date,
           allow_dirty: bool):
    """生成预警通报（HTML 和 PDF）到 OUTPUT/reports/notice.html、notice.pdf：标题、文号、日期、正文、被通报的包保责任人名单和落款。

    只替换这三个文件（含名单 CSV），网站和其他报表保持不变。通报只放在内部报表目录，不放到公开网站。

    例：careledger notice --number 12 --as-of 2026-11-30

    例：careledger notice --month 2026-11 --number "望民办〔2026〕12号" --as-of 2026-12-02
    """
    from ..paper.notice_run import issue_notice
    from ..pipeline import BuildFailed

    progress.enable()
    try:
        result = issue_notice(content_dir, output_dir, as_of=as_of, number=number, month=month,
                              allow_dirty=allow_dirty)
    except BuildFailed as failed:
        print_findings(failed.findings, "text")
        raise click.ClickException("有错误，已停止：未写入任何文件，原有输出保持不变。") from None
    if result.findings:
        print_findings(result.findings, "text")
    click.echo(f"已生成 {result.title}（{result.number}）到 {output_dir}/reports/notice.html 和 notice.pdf（基准日 {as_of}）。")
