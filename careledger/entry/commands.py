"""What the entry commands share (`visit.py`: `visit add`; `household.py`: `household new`, `member add`).

Each one loads the records (to find people by name and to validate), builds the entry as text, checks the would-be
file through the loader (`write.check_change`), and only then writes it. Any refusal leaves the disk as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")

content_option = click.option(
    "--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    show_default="随附的演示记录 content/", help="记录目录（含 site.yaml）。")


def register(main: click.Group) -> None:
    from .household import household, member
    from .visit import visit

    for group in (visit, household, member):
        main.add_command(group)


def today_here() -> dt.date:
    from ..cli import today_in_jurisdiction

    return today_in_jurisdiction()


def parse_day(value: str | None, today: dt.date, what: str, *, future_ok: bool = False) -> dt.date:
    """A date as a clerk writes it (2026-3-5, 2026/03/05, 2026年3月5日); after today only when `future_ok`."""
    if not value:
        return today
    m = _DATE.match(value)
    try:
        day = dt.date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        day = None
    if day is None:
        raise click.ClickException(f"{what}“{value}”不是日期：请写成 年-月-日，例如 {today}")
    if day > today and not future_ok:
        raise click.ClickException(f"{what} {day} 晚于今天（{today}，北京时间）：不能录入将来的日期")
    if day.year < 1900:
        raise click.ClickException(f"{what} {day} 太早了：请检查年份")
    return day


def load_records(content_dir: Path | None, today: dt.date):
    from ..cli import DEFAULT_CONTENT, print_findings
    from ..load import load

    records, findings = load(content_dir or DEFAULT_CONTENT, today=today)
    if records is None:
        print_findings(findings, "text")
        raise click.ClickException("记录目录无法读入（见上）：未写入任何文件")
    return records, findings


def commit(records, findings, change, today: dt.date, landed=None):
    """Validate the change through the loader and write it, or refuse with the errors it would add. `landed`
    tells from the file's records as read back whether the new text became the entry meant (not, say, part of the
    entry before it): a file laid out unusually is refused rather than written wrong."""
    from .write import check_change, describe, write_atomically

    parsed, added = check_change(records, findings, change, today)
    if not added and landed is not None and not landed(parsed):
        raise click.ClickException(f"{change.rel}：写入后读回的记录与录入的不符（文件写法特殊），未写入；请手工录入")
    if added:
        lines = "\n".join(f"  {describe(f)}" for f in added)
        state = "保持不变" if change.old is not None else "未创建；行号指写入后的文件"
        raise click.ClickException(f"录入的内容有错误，未写入（{change.rel} {state}）：\n{lines}")
    try:
        write_atomically(records.root, change)
    except OSError as exc:
        raise click.ClickException(f"写入 {change.rel} 失败：{exc}") from None
    return parsed


def note_after_demo_day(records, day: dt.date, what: str) -> None:
    """Demo records are judged as of their own last day (`demo_as_of`), not today: say so when an entry is later,
    or the clerk trying the demo looks in vain for it in `check` and the site."""
    site = records.site
    last = site.demo_as_of if site.synthetic_ids else None
    if last is not None and day > last:
        click.echo(f"注意：这是演示记录，check、build 等命令默认按演示的基准日 {last} 判断；{what} {day} 晚于它，"
                   f"不计入检查和报表。要按这一天判断，请加 --as-of {day}（例如 careledger check --as-of {day}）。")


def unsafe(rel: str, exc) -> click.ClickException:
    return click.ClickException(f"{rel}：{exc}。未写入任何文件。")


def current_bytes(root: Path, rel: str) -> bytes | None:
    path = root / rel
    return path.read_bytes() if path.exists() else None
