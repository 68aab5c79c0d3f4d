"""The fields of a filled visit form or visit ledger, mapped back to visit entries as `careledger visit add` writes
them.

Three forms hold visits: `qiandongnan-visit` (one visit of one subject: the service checklist and the measures as
fields), `tianhu-patrol` (a household's patrol ledger: a visit a table row) and `jizhou-visits` (a subject's visit
ledger: a visit a row). People are found by name as `visit add` finds them (`entry.find`); the visit's duty comes
from the subject's assignment as there (`entry.visit._duty`). Every refusal is a `Refusal` whose message names the
field by its Chinese label and its name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import click

from .. import vocab
from ..entry import find
from ..entry.visit import MODE_PHRASE, _duty
from ..paper.forms import FieldDef, FormDef, field_value
from ..views.dossier import People, _visit

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MODE_WORDS = {**{code: code for code in vocab.VISIT_MODE}, **{text: code for code, text in vocab.VISIT_MODE.items()},
              **{text: code for code, text in MODE_PHRASE.items()}, "上门": "in_person", "入户": "in_person",
              "电话走访": "phone", "视频走访": "video"}
# qiandongnan-visit: the measures' check boxes and the activity each records
MEASURES = {"act_policy_advice": "policy_advice", "act_safety_fix": "safety_fix",
            "act_service_referral": "service_referral", "act_water_delivery": "water_delivery"}
KEY_ORDER = ("date", "household", "subjects", "duty", "mode", "seen", "companions", "activities", "home_checks",
             "checklist", "note", "problems", "resolved")  # `visit add`'s order; other keys of an entry follow


class Refusal(Exception):
    """A field that cannot be used (the message is Chinese and names the field)."""


class Problems(list):
    """The refusals of one page, gathered so that the clerk sees every unusable field at once, not the first."""

    def attempt(self, fn, *args):
        """`fn(*args)`, or None with its refusal kept."""
        try:
            return fn(*args)
        except Refusal as exc:
            self.append(str(exc))
            return None


@dataclass(frozen=True)
class Cell:
    name: str  # the PDF field's name
    label: str  # its Chinese label, as the form prints it
    value: object  # text, or a bool for a check box

    def where(self) -> str:
        return f"“{self.label}”（{self.name}）"

    @property
    def text(self) -> str:
        return "" if isinstance(self.value, bool) else str(self.value).strip()


@dataclass
class Entry:
    """One visit to write: a new entry, or (`existing`) one already recorded that the form repeats."""

    visitor: object  # Staff
    day: dt.date
    household: object  # Household
    pairs: list  # (key, value) in `visit add`'s order
    label: str  # who visited whom, for messages
    where: str  # the form's part it came from ("" for the whole form, "第 3 行" for a row)
    existing: object = None  # the Visit with the same visitor, subject and date
    unchanged: bool = False  # a printed row left as printed: nothing to do
    update: object = None  # existing mapping -> new pairs (None: the entry cannot be updated from this form)
    folder: str = "visits"  # the records' folder: visits/ or inspections/


class Ids:
    """Problem ids as `visit add` numbers them (p1, p2, … the first free in the household), across one form."""

    def __init__(self, records):
        self.records = records
        self.taken: dict[str, set] = {}

    def next(self, household_id: str) -> str:
        taken = self.taken.setdefault(household_id, {p.id for v in self.records.visits
                                                     if v.household == household_id for p in v.problems})
        pid = next(f"p{n}" for n in range(1, len(taken) + 2) if f"p{n}" not in taken)
        taken.add(pid)
        return pid


def cells_of(form: FormDef, values: dict) -> dict[str, Cell]:
    """Every field of the form as read, table cells included, by name."""
    out = {f.name: Cell(f.name, f.label, values.get(f.name, "")) for f in form.fields}
    for t in form.tables:
        pattern = re.compile(rf"^{re.escape(t.name)}_(\d+)_(.+)$")
        labels = {c.name: c.label for c in t.columns}
        for name, value in values.items():
            m = pattern.match(name)
            if m and m[2] in labels:
                out[name] = Cell(name, f"{t.label}第 {m[1]} 行{labels[m[2]]}", value)
    return out


def day_of(cell: Cell, today: dt.date) -> dt.date:
    text = cell.text
    if not text:
        raise Refusal(f"{cell.where()}没有填写")
    try:
        day = dt.date.fromisoformat(text) if ISO.match(text) else None
    except ValueError:
        day = None
    if day is None:
        raise Refusal(f"{cell.where()}“{text}”不是日期：请写成 {today} 这样的 年-月-日")
    if day > today:
        raise Refusal(f"{cell.where()} {day} 晚于今天（{today}，北京时间）：不能导入将来的日期")
    if day.year < 1900:
        raise Refusal(f"{cell.where()} {day} 太早了：请检查年份")
    return day


def _one(candidates, cell: Cell, what: str, narrow=None):
    if not cell.text:
        raise Refusal(f"{cell.where()}没有填写")
    found = find.matches(candidates, cell.text)
    if len(found) > 1 and narrow is not None:
        found = [c for c in found if narrow(c)] or found
    if not found:
        raise Refusal(f"{cell.where()}：没有找到{what}“{cell.text}”：请写全名")
    if len(found) > 1:
        shown = "、".join(c.label() for c in found[:find.SHOWN_AT_MOST])
        raise Refusal(f"{cell.where()}：与“{cell.text}”相符的{what}有 {len(found)} 个（{shown}）：请写全名，"
                      "或改用 careledger visit add 选择")
    return found[0]


def subject_of(records, day: dt.date, name: Cell, address: Cell | None):
    """The subject in care the form names; the address printed on it tells apart two of the same name."""
    narrow = (lambda c: c.item[0].address == address.text) if address is not None and address.text else None
    picked = _one(find.subject_candidates(records, day), name, "关爱帮扶对象", narrow)
    if day < picked.item[1].enrolled:
        raise Refusal(f"{name.where()}：{picked.label()} {picked.item[1].enrolled} 才纳入关爱帮扶，不能导入 {day} 的走访")
    return picked


def visitor_of(records, cell: Cell, day: dt.date):
    person = _one(find.staff_candidates(records), cell, "工作人员").item
    if not person.active_on(day):
        raise Refusal(f"{cell.where()}：{person.name}（{person.id}）{day} 不在任（任职 {person.since or '—'} 至 "
                      f"{person.left or '今'}），不能作为走访人")
    return person


def duty_of(records, person, subjects: list, cell: Cell) -> str:
    """The duty the visitor holds for the first of `subjects` (Candidates) that gives one."""
    first = None
    for picked in subjects:
        try:
            return _duty(records, person, picked.item[1], picked, None)
        except click.ClickException as exc:
            first = first or exc.message
    if first is None:
        raise Refusal(f"{cell.where()}：该户没有在册的关爱帮扶对象")
    for flag, instead in (("；以督查身份走访时加 --duty inspector", ""), ("，或改用 --duty", ""),
                          ("请用 --duty 指明", "表格上无法指明，请改用 careledger visit add --duty 录入")):
        first = first.replace(flag, instead)  # the advice of `visit add`'s options, as it reads for a form
    raise Refusal(f"{cell.where()}：{first}")


def mode_of(cell: Cell) -> str:
    if not cell.text:
        return "in_person"  # as `visit add`
    code = MODE_WORDS.get(cell.text.replace(" ", ""))
    if code is None:
        raise Refusal(f"{cell.where()}“{cell.text}”不是走访方式：写 {'、'.join(vocab.VISIT_MODE.values())} 之一")
    return code


def existing_visit(records, person, day: dt.date, household, member: str | None):
    """The visit already recorded by the same visitor on the same day covering the subject (any of the household's
    when `member` is None)."""
    return next((v for v in records.visits if (v.visitor, v.date, v.household) == (person.id, day, household.id)
                 and (member is None or not v.subjects or member in v.subjects)), None)


def ordered(mapping: dict) -> list:
    return [(k, mapping[k]) for k in KEY_ORDER if k in mapping] + [(k, v) for k, v in mapping.items()
                                                                    if k not in KEY_ORDER]


# --- qiandongnan-visit: one visit --------------------------------------------------------------------------------

def visit_page(form: FormDef, cells: dict[str, Cell], records, today: dt.date, ids: Ids
               ) -> tuple[list[Entry], list[str]]:
    problems = Problems()
    attempt = problems.attempt
    day = attempt(day_of, cells["visit_date"], today)
    picked = attempt(subject_of, records, day or today, cells["subject_name"], cells["address"])
    person = attempt(visitor_of, records, cells["visitor"], day or today)
    mode = attempt(mode_of, cells["visit_mode"])
    if problems:
        return [], problems
    home, subj = picked.item
    duty = attempt(duty_of, records, person, [picked], cells["visitor"])
    if duty is None:
        return [], problems
    activities = [code for name, code in MEASURES.items() if cells[name].value is True]
    checklist = {code: cells[code].text for code in vocab.CHECKLIST if cells[code].text}
    note = "\n".join(x for x in (cells["note"].text,
                                 f"跟进落实情况：{cells['follow_up'].text}" if cells["follow_up"].text else "") if x)
    found = cells["problems"].text
    carried = {"mode": mode, "activities": activities, "checklist": checklist, "note": note}
    existing = existing_visit(records, person, day, home, subj.member)
    new_problems = [{"id": ids.next(home.id), "text": found}] if found and existing is None else []
    pairs = [(k, v) for k, v in ordered({"date": day, "household": home.id,
                                         "subjects": [subj.member] if len(home.subjects) > 1 else None,
                                         "duty": duty, **carried, "problems": new_problems}) if v not in ("", None)]

    def update(old: dict) -> list:
        merged = dict(old)
        kept = [a for a in old.get("activities") or () if a not in MEASURES.values()]
        merged.update(carried, activities=kept + [a for a in activities if a not in kept])
        have = list(old.get("problems") or ())
        if found and found not in [p.get("text") for p in have if isinstance(p, dict)]:
            have.append({"id": ids.next(home.id), "text": found})
        merged["problems"] = have
        if mode == "in_person" and "mode" not in old:
            del merged["mode"]  # the default, left out as the record was read
        return ordered({k: v for k, v in merged.items() if v not in (None, "", [], {})})

    label = f"{day} {person.name}（{person.id}） {MODE_PHRASE[mode]} {picked.label()}"
    return [Entry(person, day, home, pairs, label, "", existing=existing, update=update)], []


# --- tianhu-patrol and jizhou-visits: a visit a row ----------------------------------------------------------

# the row's columns: what a new row's text becomes
ROW_TEXT = {"tianhu-patrol": {"note": ("living",), "problem": "needs", "action": "handling"},
            "jizhou-visits": {"note": ("situation", "safety"), "problem": "handling", "action": None}}


def ledger_rows(form: FormDef, cells: dict[str, Cell], records, today: dt.date, ids: Ids
                ) -> tuple[list[Entry], list[str]]:
    table = form.tables[0]
    columns = {c.name: c for c in table.columns}
    rows = sorted({int(n.split("_")[-2]) for n in cells if re.match(rf"^{table.name}_\d+_", n)})
    problems: list[str] = []
    try:
        owner = _ledger_owner(form, cells, records, today)
    except Refusal as exc:
        return [], [str(exc)]
    entries = []
    for n in rows:
        row = {c: cells.get(table.cell_name(n, c), Cell(table.cell_name(n, c), columns[c].label, "")) for c in columns}
        if not any(cell.text for cell in row.values()):
            continue
        try:
            entries.append(_row_entry(form, n, row, columns, owner, records, today, ids))
        except Refusal as exc:
            problems += [str(line) for line in exc.args]
    if not entries and not problems:
        problems.append(f"表格“{table.label}”没有填写任何一行")
    return entries, problems


def _ledger_owner(form: FormDef, cells: dict[str, Cell], records, today: dt.date) -> tuple:
    """(household, the subjects in care as Candidates, the member a subject's ledger is of or None)."""
    if form.name == "jizhou-visits":
        picked = subject_of(records, today, cells["subject_name"], cells["address"])
        return picked.item[0], [picked], picked.item[1].member
    given, head = cells["household_id"], cells["head"]
    home = next((h for h in records.households if h.id == given.text), None) if given.text else None
    if given.text and home is None:
        raise Refusal(f"{given.where()}：没有编号为“{given.text}”的户")
    if home is None:
        home = _one(find.household_candidates(records), head, "户（户主姓名）").item
    elif head.text and head.text not in [m.name for m in home.members]:
        raise Refusal(f"{head.where()}“{head.text}”不是户 {home.id} 的成员：户编号和户主姓名不一致")
    subjects = [c for c in find.subject_candidates(records, today) if c.item[0].id == home.id]
    if not subjects:
        raise Refusal(f"{(given if given.text else head).where()}：户 {home.id} 没有在册的关爱帮扶对象")
    return home, subjects, None


def _row_entry(form, n: int, row: dict[str, Cell], columns: dict[str, FieldDef], owner, records, today, ids) -> Entry:
    home, subjects, member = owner
    refused = []
    day = person = mode = None
    for step in ("date", "visitor", "mode"):  # each field's problem, not just the first
        try:
            if step == "date":
                day = day_of(row["date"], today)
            elif step == "visitor":
                person = visitor_of(records, row["visitor"], day or today)
            else:
                mode = mode_of(row["mode"])
        except Refusal as exc:
            refused.append(str(exc))
    if refused:
        raise Refusal(*refused)
    in_care = [c for c in subjects if c.item[1].enrolled <= day]
    if not in_care:
        raise Refusal(f"{row['date'].where()}：{day} 时该户还没有纳入关爱帮扶的对象")
    duty = duty_of(records, person, in_care, row["visitor"])
    label = f"{day} {person.name}（{person.id}） {MODE_PHRASE[mode]} 户 {home.id}"
    text = ROW_TEXT[form.name]
    note = "\n".join(row[c].text if i == 0 else f"{columns[c].label}：{row[c].text}"
                     for i, c in enumerate(text["note"]) if row[c].text)
    found, action = row[text["problem"]].text, row[text["action"]].text if text["action"] else ""
    if action and not found:
        note = "\n".join(x for x in (note, f"{columns[text['action']].label}：{action}") if x)
    existing = existing_visit(records, person, day, home, member)
    if existing is not None:  # left as printed, or imported before from this very row: nothing to do
        printed = _visit(existing, {m.id: m for m in home.members}, People(records))
        same = all(row[c].text == str(field_value(columns[c], printed)).strip() for c in columns) or (
            (existing.mode, existing.note or "", [(p.text, p.action or "") for p in existing.problems])
            == (mode, note, [(found, action)] if found else []))
        return Entry(person, day, home, [], label, f"第 {n} 行", existing=existing, unchanged=same)
    problem = [{"id": ids.next(home.id), "text": found, "action": action or None}] if found else []
    pairs = ordered({"date": day, "household": home.id,
                     "subjects": [member] if member and len(home.subjects) > 1 else None, "duty": duty,
                     "mode": mode, "note": note, "problems": problem})
    return Entry(person, day, home, [(k, v) for k, v in pairs if v not in (None, "", [])], label, f"第 {n} 行")
