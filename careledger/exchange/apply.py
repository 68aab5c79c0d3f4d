"""Show a plan (what each file gains or how it changes, field by field, and the rows not used) and carry it out.

Works on any planner's `(changes, problems)`: the workbook's (plan.py) and the filled forms' (formpdf.py). Writing
is all or nothing: every change was checked when planned, and if writing one file fails, the files already written
are put back as they were.
"""

from __future__ import annotations

import click

from ..entry.write import Change, check_change, write_atomically
from .diff import field_diff


def _key(record):
    if hasattr(record, "id"):
        return record.id
    if hasattr(record, "inspector"):  # an inspection (a filled inspection form, formpdf.py)
        return (record.date, record.household, record.subject)
    return (record.date, record.household, record.duty)


def _name(records, record) -> str:
    kind = type(record).__name__
    if kind == "Household":
        village = records.site.village(record.village)
        people = "、".join(m.name for m in record.members)
        return f"户 {record.id}（{village.name if village else record.village}）：{people}"
    if kind == "Staff":
        return f"工作人员 {record.name}（{record.id}）"
    if kind == "Visit":
        s = records.staff_by_id.get(record.visitor)
        who = f"{s.name}（{record.visitor}）" if s else record.visitor
        return f"走访 {record.date} {who} → 户 {record.household}"
    if kind == "Inspection":
        s = records.staff_by_id.get(record.inspector)
        who = f"{s.name}（{record.inspector}）" if s else record.inspector
        return f"督查 {record.date} {who} → 户 {record.household} 对象 {record.subject}"
    return str(_key(record))


def describe_change(records, change: Change, today) -> list[str]:
    parsed, _ = check_change(records, [], change, today)
    kind = change.rel.split("/", 1)[0]
    pool = {"staff": records.staff, "visits": records.visits, "households": records.households,
            "inspections": records.inspections}.get(kind, ())
    before = {_key(r): r for r in pool if r.source.file == change.rel}
    lines = []
    for record in parsed:
        old = before.get(_key(record))
        if old is None:
            lines.append(f"    新增 {_name(records, record)}")
        elif old != record:
            lines.append(f"    修改 {_name(records, record)}：")
            lines += [f"      {d}" for d in field_diff(old, record, people=records.staff_by_id)]
    return lines


def show_plan(records, changes: list[Change], problems: list[str], today) -> None:
    if changes:
        click.echo(f"将写入 {len(changes)} 个文件：")
        for change in changes:
            click.echo(f"  {'新建' if change.old is None else '修改'} {change.rel}")
            for line in describe_change(records, change, today):
                click.echo(line)
    if problems:
        click.echo(f"不能使用的行（{len(problems)}）：")
        for p in problems:
            click.echo(f"  {p}")
    if not changes and not problems:
        click.echo("台账中的内容与记录相同，没有要写入的。")


def apply_plan(records, changes: list[Change]) -> None:
    done: list[Change] = []
    try:
        for change in changes:
            write_atomically(records.root, change)
            done.append(change)
    except OSError as exc:
        for change in reversed(done):
            path = records.root / change.rel
            if change.old is None:
                path.unlink(missing_ok=True)
            else:
                write_atomically(records.root, Change(change.rel, change.new, change.old, 1))
        raise click.ClickException(f"写入失败：{exc}。已写的文件已恢复原样，未作任何改动。") from None
    click.echo(f"已写入 {len(changes)} 个文件。请用 careledger check 检查，确认无误后提交到 git。")
