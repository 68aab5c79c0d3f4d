"""`careledger visit add`: one visit, appended to the visitor's file of that month, with a problem found on it and
the problems it resolved (the closed loop)."""

from __future__ import annotations

import datetime as dt

import click

from .. import vocab
from . import find
from .choices import choice_option, code_of
from .commands import commit, load_records, current_bytes, today_here, unsafe, content_option, parse_day
from .commands import note_after_demo_day

MODE_PHRASE = {"in_person": "入户走访", "phone": "电话走访", "video": "视频走访"}


@click.group()
def visit():
    """走访记录：careledger visit add 录入一次走访（见 docs/entering.md）。

    例：careledger visit add --subject 欧阳福生 --visitor 李建国
    """


@visit.command("add")
@click.option("--subject", help="走访对象：姓名、姓名的一部分，或编号（户编号/成员编号，如 ds-001/m1）。")
@click.option("--visitor", help="走访人：姓名、姓名的一部分，或人员编号。")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="走访日期（默认：今天，北京时间）。")
@choice_option("--duty", vocab.DUTY, "走访身份（默认按包保安排确定）。")
@choice_option("--mode", vocab.VISIT_MODE, "走访方式（默认上门走访）。")
@click.option("--seen/--not-seen", default=None, help="是否见到对象本人。")
@choice_option("--activity", vocab.ACTIVITY, "开展的关爱帮扶活动（可重复）。", multiple=True)
@click.option("--companion", "companions", multiple=True, help="同行人员：姓名或人员编号（可重复）。")
@click.option("--note", help="情况记录。")
@click.option("--resolve", "resolves", multiple=True, metavar="问题编号",
              help="本次走访办结的问题（该户以前走访发现的问题编号，可重复）。")
@click.option("--resolve-note", help="办结情况（与 --resolve 一起用）。")
@click.option("--problem", help="本次发现的问题（自动编号，如 p2；以后用 --resolve p2 登记办结）。")
@click.option("--action", help="对所发现问题的处理措施（与 --problem 一起用）。")
@click.option("--deadline", "deadline_text", metavar="YYYY-MM-DD", help="问题的限期（与 --problem 一起用）。")
@click.option("--risk", is_flag=True, help="所发现的问题是重大风险隐患（与 --problem 一起用）。")
@content_option
def visit_add(subject, visitor, date_text, duty, mode, seen, activity, companions, note, resolves, resolve_note,
              problem, action, deadline_text, risk, content_dir):
    """录入一次走访：按姓名找到对象和走访人，写入 visits/<年-月>/<走访人编号>.yaml（追加在末尾，原有内容不变）。

    写入前按记录规则检查，有错误时不写入。没有给出的对象、走访人会在终端上询问；几个人相符时列出供选择。

    例：careledger visit add --subject 欧阳福生 --visitor 李建国 --note 身体状况稳定

    例：careledger visit add --subject ds-001 --visitor ds-shuji --date 2026-11-20 --mode phone
    """
    from .yamltext import Unsafe, append_item
    from .write import Change

    today = today_here()
    day = parse_day(date_text, today, "走访日期")
    if not problem and (action or deadline_text or risk):
        raise click.ClickException("--action、--deadline、--risk 须与 --problem（发现的问题）一起用")
    deadline = _deadline(deadline_text, day)
    records, findings = load_records(content_dir, today)
    picked = find.choose(find.subject_candidates(records, day), find.ask(subject, "走访对象（姓名或编号）", "--subject"),
                         "关爱帮扶对象", "--subject")
    home, subj = picked.item
    person = find.choose(find.staff_candidates(records), find.ask(visitor, "走访人（姓名或编号）", "--visitor"),
                         "走访人", "--visitor").item
    if day < subj.enrolled:
        raise click.ClickException(f"{picked.label()} {subj.enrolled} 才纳入关爱帮扶，不能录入 {day} 的走访")
    if not person.active_on(day):
        raise click.ClickException(f"{person.name}（{person.id}）{day} 不在任（任职 {person.since or '—'} 至 "
                                   f"{person.left or '今'}），不能作为走访人")
    duty = _duty(records, person, subj, picked, code_of(vocab.DUTY, duty))
    with_ids = []
    for query in companions:
        other = find.choose(find.staff_candidates(records), query, "同行人员", "--companion").item
        if other.id != person.id and other.id not in with_ids:
            with_ids.append(other.id)
    resolved = _resolutions(records, home, day, resolves, resolve_note)
    found = [{"id": _next_problem_id(records, home), "text": problem, "action": action, "deadline": deadline,
              "risk": True if risk else None}] if problem else []
    mode = code_of(vocab.VISIT_MODE, mode) or "in_person"
    _refuse_a_second_entry(records, person, day, home, duty)
    pairs = [("date", day), ("household", home.id),
             ("subjects", [subj.member] if len(home.subjects) > 1 else None), ("duty", duty), ("mode", mode),
             ("seen", seen), ("companions", with_ids), ("activities", [code_of(vocab.ACTIVITY, a) for a in activity]),
             ("note", note), ("problems", found), ("resolved", resolved)]
    rel = f"visits/{day:%Y-%m}/{person.id}.yaml"
    old = current_bytes(records.root, rel)
    try:
        new, line = append_item(old, pairs)
    except Unsafe as exc:
        raise unsafe(rel, exc) from None
    commit(records, findings, Change(rel, old, new, line), today,
           landed=lambda parsed: bool(parsed) and parsed[-1].source.line == line
           and (parsed[-1].date, parsed[-1].household) == (day, home.id))
    done = f"，发现问题 {found[0]['id']}（{problem}）" if found else ""
    done += f"，办结问题 {'、'.join(r['problem'] for r in resolved)}" if resolved else ""
    click.echo(f"已记录：{day} {person.name}（{person.id}） {MODE_PHRASE[mode]} {picked.label()}，"
               f"走访身份：{vocab.DUTY[duty]}{done}。写入 {rel} 第 {line} 行。")
    note_after_demo_day(records, day, "这次走访的日期")


def _refuse_a_second_entry(records, person, day, home, duty) -> None:
    """The audit trail knows a visit by visitor, date, household and duty: one such visit is entered once."""
    for earlier in records.visits:
        if (earlier.visitor, earlier.date, earlier.household, earlier.duty) == (person.id, day, home.id, duty):
            raise click.ClickException(f"已有 {person.name}（{person.id}）{day} 以{vocab.DUTY[duty]}身份走访户 {home.id} "
                                       f"的记录（{earlier.source.file} 第 {earlier.source.line} 行）：同一天同一身份只记一次，"
                                       "要补充内容请直接修改那条记录")


def _duty(records, person, subj, picked, given: str | None) -> str:
    """The capacity of the visit: as given, or the one the subject's assignment gives the visitor."""
    a = subj.assigned
    held = [duty for duty, ids in (("responsible", a.responsible if a else ()), ("contact", a.contact if a else ()),
                                   ("coordinator", (a.coordinator,) if a else ()),
                                   ("caregiver", (a.caregiver,) if a else ())) if person.id in ids]
    if given and (given in held or given == "inspector"):
        return given
    who = f"{person.name}（{person.id}）"
    if given:
        raise click.ClickException(f"{who}不是{picked.label()}的{vocab.DUTY[given]}（{_assignment(records, a)}）："
                                   "请先在户档案的包保安排（assigned）中登记，或改用 --duty")
    if len(held) == 1:
        return held[0]
    if len(held) > 1:
        shown = "、".join(f"{d}（{vocab.DUTY[d]}）" for d in held)
        raise click.ClickException(f"{who}对{picked.label()}有多个身份：{shown}，请用 --duty 指明")
    if "inspector" in person.roles:
        return "inspector"
    raise click.ClickException(f"{who}不在{picked.label()}的包保安排中（{_assignment(records, a)}）：请先在户档案的"
                               "包保安排（assigned）中登记；以督查身份走访时加 --duty inspector")


def _assignment(records, a) -> str:
    if a is None:
        return "该对象没有包保安排"

    def names(ids):
        return "、".join(f"{records.staff_by_id[i].name}（{i}）" if i in records.staff_by_id else i for i in ids) or "无"

    return f"{vocab.DUTY['responsible']}：{names(a.responsible)}；{vocab.DUTY['contact']}：{names(a.contact)}"


def _resolutions(records, home, day: dt.date, wanted, note) -> list:
    """The `resolved:` items for the problems named: each found by an earlier visit of this household and still
    open on the day."""
    if note and not wanted:
        raise click.ClickException("--resolve-note 须与 --resolve 问题编号一起用")
    found, closed = {}, set()
    for v in records.visits:
        if v.household != home.id or v.date > day:
            continue
        for p in v.problems:
            found.setdefault(p.id, (v, p))
        closed.update(r.problem for r in v.resolved)
    open_ = {pid: vp for pid, vp in found.items() if pid not in closed}
    out = []
    for pid in wanted:
        if pid not in open_:
            shown = "、".join(f"{pid_}（{p.text}，{v.date} 发现）" for pid_, (v, p) in open_.items()) or "没有"
            state = "已经办结" if pid in closed else "不存在"
            raise click.ClickException(f"户 {home.id} 的问题“{pid}”{state}；该户到 {day} 未办结的问题：{shown}")
        out.append({"problem": pid, "note": note})
    return out


def _deadline(text: str | None, day: dt.date) -> dt.date | None:
    """A problem's deadline: a date as `parse_day` reads it, in the future as often as not."""
    if not text:
        return None
    deadline = parse_day(text, day, "限期", future_ok=True)
    if deadline < day:
        raise click.ClickException(f"限期 {deadline} 早于走访日期 {day}")
    return deadline


def _next_problem_id(records, home) -> str:
    """p1, p2, ...: the first number no visit of the household has used (ids are unique within a household)."""
    used = {p.id for v in records.visits if v.household == home.id for p in v.problems}
    return next(f"p{n}" for n in range(1, len(used) + 2) if f"p{n}" not in used)
