"""`careledger household new` (a new household file) and `careledger member add` (one more member, inserted at the
end of the household's `members:` list without rewriting the rest of the file)."""

from __future__ import annotations

import re

import click

from .. import vocab
from . import find
from ..schema import Ident
from .choices import choice_option, code_of
from .commands import commit, content_option, current_bytes, load_records, parse_day, today_here, unsafe
from .commands import note_after_demo_day
from .yamltext import mapping_lines

_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def person_options(f):
    """The member fields both commands take."""
    for option in reversed((
        choice_option("--sex", vocab.SEX, "性别。"),
        click.option("--birth-date", "birth_text", metavar="YYYY-MM-DD", help="出生日期。"),
        click.option("--id-number", help="身份证号（18 位）。"),
        click.option("--phone", help="手机号。"),
    )):
        f = option(f)
    return f


def _member_pairs(member_id, name, relation, sex, birth, id_number, phone) -> list:
    return [("id", member_id), ("name", name), ("relation", relation), ("sex", code_of(vocab.SEX, sex)),
            ("birth_date", birth), ("id_number", id_number), ("phone", phone)]


@click.group()
def household():
    """家庭档案：careledger household new 新建一户（见 docs/entering.md）。

    例：careledger household new --village 东山村 --name 王某某 --address 东山村3组8号 --category 1 --level 2
    """


@household.command("new")
@click.option("--village", help="村（社区）：名称或编号。")
@click.option("--name", help="关爱帮扶对象（本户第一名成员）的姓名。")
@click.option("--address", help="现居住地。")
@click.option("--category", help="人员类别代码（见所用政策档案；不给出时列出可选的类别）。")
@click.option("--level", help="关爱帮扶等级代码。")
@click.option("--group", "group_", help="村民小组。")
@click.option("--enrolled", "enrolled_text", metavar="YYYY-MM-DD", help="纳入日期（默认：今天）。")
@choice_option("--support-mode", vocab.SUPPORT_MODE, "供养方式。")
@click.option("--key-person", is_flag=True, help="重点人员。")
@click.option("--responsible", multiple=True, help="包保责任人：姓名或人员编号（可重复）。")
@click.option("--contact", multiple=True, help="关爱帮扶联系人：姓名或人员编号（可重复）。")
@click.option("--id", "household_id", help="户编号（默认：按本村已有户编号顺延，如 ds-003）。")
@person_options
@content_option
def household_new(village, name, address, category, level, group_, enrolled_text, support_mode, key_person,
                  responsible, contact, household_id, sex, birth_text, id_number, phone, content_dir):
    """新建一户的家庭档案：写入 households/<村>/<户编号>.yaml，含一名成员（本人）和他作为关爱帮扶对象的登记。

    写入前按记录规则检查（身份证号、人员类别、包保人员等），有错误时不写入。其他成员用 careledger member add 添加。

    例：careledger household new --village 东山村 --name 王某某 --address 东山村3组8号 --category 1 --responsible 李建国
    """
    from .write import Change

    today = today_here()
    enrolled = parse_day(enrolled_text, today, "纳入日期")
    birth = parse_day(birth_text, today, "出生日期") if birth_text else None
    records, findings = load_records(content_dir, today)
    place = find.choose(find.village_candidates(records), find.ask(village, "村（社区）", "--village"),
                        "村（社区）", "--village").item
    name = find.ask(name, "对象姓名", "--name")
    address = find.ask(address, "现居住地", "--address")
    if not category:
        click.echo("人员类别：" + "；".join(f"{c.code} {c.name}" for c in records.profile.categories))
    category = find.ask(category, "人员类别代码", "--category")
    staff = find.staff_candidates(records)
    assigned = {"responsible": [find.choose(staff, q, "包保责任人", "--responsible").key for q in responsible],
                "contact": [find.choose(staff, q, "关爱帮扶联系人", "--contact").key for q in contact]}
    hid = household_id or _next_id(records, place.id)
    if not Ident.pattern.match(hid):
        raise click.ClickException(f"户编号“{hid}”不合格式：只能用小写英文字母、数字和连字符“-”（它也是文件名）")
    rel = f"households/{place.id}/{hid}.yaml"
    existing = records.households_by_id.get(hid)
    if existing is not None or (records.root / rel).exists():
        raise click.ClickException(f"户编号“{hid}”已有档案（{existing.source.file if existing else rel}），未写入")
    subject = [("member", "m1"), ("category", category), ("level", level), ("key_person", True if key_person else None),
               ("support_mode", code_of(vocab.SUPPORT_MODE, support_mode)), ("enrolled", enrolled),
               ("assigned", {k: v for k, v in assigned.items() if v})]
    lines = mapping_lines([("id", hid), ("village", place.id), ("group", group_), ("address", address),
                           ("members", [dict(_member_pairs("m1", name, "self", sex, birth, id_number, phone))]),
                           ("subjects", [dict(subject)])], 0)
    commit(records, findings, Change(rel, None, ("\n".join(lines) + "\n").encode("utf-8"), 1), today,
           landed=lambda parsed: [h.id for h in parsed] == [hid])
    click.echo(f"已建档：{name}（{place.name}，{hid}/m1），人员类别 {category}，纳入日期 {enrolled}。写入 {rel}。")
    note_after_demo_day(records, enrolled, "纳入日期")


def _next_id(records, village_id: str) -> str:
    """The next number after the village's highest household id of the form <prefix><digits>."""
    best = None
    for h in records.households:
        m = _NUMBERED.match(h.id)
        if h.village == village_id and m:
            if best is None or int(m[2]) > int(best[2]):
                best = m
    prefix, width, number = (best[1], len(best[2]), int(best[2]) + 1) if best else (f"{village_id}-", 3, 1)
    taken = set(records.households_by_id)
    while f"{prefix}{number:0{width}d}" in taken:
        number += 1
    return f"{prefix}{number:0{width}d}"


@click.group()
def member():
    """家庭成员：careledger member add 给一户添加成员（见 docs/entering.md）。

    例：careledger member add --household 欧阳福生 --name 欧阳明 --relation child
    """


@member.command("add")
@click.option("--household", "household_query", help="哪一户：户编号，或户中任一成员的姓名。")
@click.option("--name", help="姓名。")
@choice_option("--relation", vocab.RELATION, "与户主关系。")
@click.option("--id", "member_id", help="成员编号（默认顺延，如 m3）。")
@person_options
@content_option
def member_add(household_query, name, relation, member_id, sex, birth_text, id_number, phone, content_dir):
    """给一户添加一名家庭成员：插入在户档案 members: 列表的末尾，文件的其余部分（含注释）一字不改。

    写入前按记录规则检查，有错误时不写入；文件的写法无法安全插入时（如 members 写在一行里）拒绝并说明原因。

    例：careledger member add --household 欧阳福生 --name 欧阳明 --relation child --sex male
    """
    from .write import Change
    from .yamltext import Unsafe, insert_in_block

    today = today_here()
    birth = parse_day(birth_text, today, "出生日期") if birth_text else None
    records, findings = load_records(content_dir, today)
    home = find.choose(find.household_candidates(records), find.ask(household_query, "户（户编号或成员姓名）", "--household"),
                       "户", "--household").item
    name = find.ask(name, "成员姓名", "--name")
    if not relation:
        click.echo("与户主关系：" + "；".join(f"{k} {v}" for k, v in vocab.RELATION.items()))
    relation = find.ask(relation, "与户主关系", "--relation")
    if relation not in vocab.RELATION and relation not in vocab.RELATION.values():
        raise click.ClickException(f"与户主关系“{relation}”不在可选范围内：" + "、".join(vocab.RELATION))
    taken = {m.id for m in home.members}
    namesake = next((m for m in home.members if m.name == name), None)
    if namesake is not None and not member_id:
        raise click.ClickException(f"户 {home.id} 已有成员 {namesake.name}（{home.id}/{namesake.id}），未写入；"
                                   "确是另一人时用 --id 指定新成员的编号")
    mid = member_id or next(f"m{n}" for n in range(len(taken) + 1, 10_000) if f"m{n}" not in taken)
    if mid in taken:
        raise click.ClickException(f"户 {home.id} 已有成员编号“{mid}”，未写入")
    rel = home.source.file
    old = current_bytes(records.root, rel)
    if old is None:
        raise click.ClickException(f"{rel} 已不存在，未写入")
    pairs = _member_pairs(mid, name, code_of(vocab.RELATION, relation), sex, birth, id_number, phone)
    try:
        new, line = insert_in_block(old, "members", pairs)
    except Unsafe as exc:
        raise unsafe(rel, exc) from None
    old_ids = [m.id for m in home.members]
    commit(records, findings, Change(rel, old, new, line), today,
           landed=lambda parsed: bool(parsed) and [m.id for m in parsed[0].members] == old_ids + [mid])
    click.echo(f"已添加：{name}（{home.id}/{mid}），{vocab.RELATION[code_of(vocab.RELATION, relation)]}。"
               f"写入 {rel} 第 {line} 行。")
