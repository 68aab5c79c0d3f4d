"""The fields of a filled inspection form (`wangcheng-inspection`, Wangcheng annex 3) mapped back to an inspection
entry of `inspections/<yyyy-mm>/<inspector-id>.yaml`, as an inspection is recorded by hand (docs/records.md)."""

from __future__ import annotations

import datetime as dt

from ..paper.forms import FormDef
from .formvisit import Cell, Entry, Ids, Problems, Refusal, day_of, subject_of, visitor_of, _one
from ..entry import find

# the four items of the form: the field of the result, of its remarks, and the record's key
ITEMS = (("visited_result", "visited_remarks", "visited_weekly", "联系走访"),
         ("activities_result", "activities_remarks", "activities_done", "关爱帮扶活动"),
         ("environment_result", "environment_remarks", "environment_ok", "家庭环境"),
         ("satisfied_result", "satisfied_remarks", "satisfied", "满意度"))
YES_NO = {"是": True, "否": False}
KEY_ORDER = ("date", "household", "subject", "contact", "visited_weekly", "activities_done", "environment_ok",
             "satisfied", "remarks")


def _yes_no(cell: Cell) -> bool:
    if not cell.text:
        raise Refusal(f"{cell.where()}没有填写：请选“是”或“否”")
    if cell.text not in YES_NO:
        raise Refusal(f"{cell.where()}“{cell.text}”不是“是”或“否”")
    return YES_NO[cell.text]


def _remarks(cells: dict[str, Cell]) -> str:
    """One remark as it is when only the last item has one (the form pre-fills the record's there), else each with
    its item."""
    given = [(topic, cells[remarks].text) for _, remarks, _, topic in ITEMS if cells[remarks].text]
    if [topic for topic, _ in given] == ["满意度"]:
        return given[0][1]
    return "；".join(f"{topic}：{text}" for topic, text in given)


def inspection_page(form: FormDef, cells: dict[str, Cell], records, today: dt.date, ids: Ids
                    ) -> tuple[list[Entry], list[str]]:
    problems = Problems()
    attempt = problems.attempt
    day = attempt(day_of, cells["inspection_date"], today)
    picked = attempt(subject_of, records, day or today, cells["subject_name"], None)
    inspector = attempt(visitor_of, records, cells["inspector_name"], day or today)
    contact = attempt(lambda: _one(find.staff_candidates(records), cells["contact_name"], "工作人员").item)
    results = {key: attempt(_yes_no, cells[result]) for result, _, key, _ in ITEMS}
    if inspector is not None and "inspector" not in inspector.roles:
        problems.append(f"{cells['inspector_name'].where()}：{inspector.name}（{inspector.id}）不是督查人员"
                        "（人员档案 roles 中没有 inspector）")
    if problems:
        return [], problems
    home, subj = picked.item
    carried = {"contact": contact.id, **results, "remarks": _remarks(cells) or None}
    mapping = {"date": day, "household": home.id, "subject": subj.member, **carried}
    pairs = [(k, mapping[k]) for k in KEY_ORDER if mapping.get(k) is not None]

    def update(old: dict) -> list:
        merged = {**old, **carried}
        return [(k, merged[k]) for k in KEY_ORDER if merged.get(k) is not None] + [
            (k, v) for k, v in merged.items() if k not in KEY_ORDER and v is not None]

    existing = next((i for i in records.inspections if (i.inspector, i.date, i.household, i.subject)
                     == (inspector.id, day, home.id, subj.member)), None)
    label = f"{day} {inspector.name}（{inspector.id}） 督查 {picked.label()}"
    return [Entry(inspector, day, home, pairs, label, "", existing=existing, update=update,
                  folder="inspections")], []
