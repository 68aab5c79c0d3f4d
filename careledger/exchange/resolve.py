"""A ledger's words to record ids: villages, staff, households, members, categories and levels.

People are written `姓名（编号）` by our export, or by name alone in a ledger typed by hand, possibly with post and
phone after the name (`杨庆 村委委员 189…`, as the printed forms show them). A name two people share is refused with
both named, never guessed.
"""

from __future__ import annotations

import re

_BRACKETED = re.compile(r"^(.*?)[（(]\s*([a-z0-9][a-z0-9-]*)\s*[)）]$")
_SPLIT = re.compile(r"[、，,；;/\n]+")


class Unresolved(ValueError):
    """A word that names nothing, or more than one thing (the message is Chinese)."""


def split(text: str) -> list[str]:
    return [p.strip() for p in _SPLIT.split(text) if p.strip()]


def village(records, text: str) -> str:
    for v in records.site.villages:
        if text in (v.id, v.name):
            return v.id
    names = "、".join(v.name for v in records.site.villages)
    raise Unresolved(f"没有名为“{text}”的村（社区）；site.yaml 中有：{names}")


def staff_unit(records, text: str) -> str:
    """The staff file a unit names: a village's id, or `street` for the street or township office."""
    if text in ("street", "街道", "乡镇", "本级", records.site.name) or "本级" in text:
        return "street"
    return village(records, text)


def staff(records, word: str) -> str:
    word = word.strip()
    m = _BRACKETED.match(word)
    if m and m[2] in records.staff_by_id:
        return m[2]
    if word in records.staff_by_id:
        return word
    name = (m[1] if m else word).split()[0] if (m[1] if m else word).split() else word
    found = [s for s in records.staff if s.name == name]
    if len(found) == 1:
        return found[0].id
    if not found:
        raise Unresolved(f"工作人员中没有“{name}”（先在 staff/ 中登记，或在工作人员花名册中一并导入）")
    raise Unresolved(f"名为“{name}”的工作人员有 {len(found)} 位（" + "、".join(f"{s.name}（{s.id}）" for s in found)
                     + "）：请写成 姓名（人员编号）")


def staff_list(records, text: str) -> list[str]:
    return [staff(records, w) for w in split(text)]


def member(household, word: str) -> str:
    word = word.strip()
    m = _BRACKETED.match(word)
    ids = {x.id for x in household.members}
    if m and m[2] in ids:
        return m[2]
    found = [x.id for x in household.members if x.name == (m[1] if m else word)]
    if len(found) == 1:
        return found[0]
    raise Unresolved(f"户 {household.id} 中没有成员“{word}”" if not found else
                     f"户 {household.id} 中名为“{word}”的成员不止一位：请写成 姓名（成员编号）")


def household_of_subjects(records, words: list[str]):
    """The one household whose members bear these names (a visit ledger without 户编号)."""
    names = [(_BRACKETED.match(w)[1] if _BRACKETED.match(w) else w) for w in words]
    found = [h for h in records.households if all(any(m.name == n for m in h.members) for n in names)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise Unresolved("没有哪一户有成员" + "、".join(f"“{n}”" for n in names) + "：请填写户编号")
    raise Unresolved("、".join(names) + f" 在 {len(found)} 户中都有（" + "、".join(h.id for h in found)
                     + "）：请填写户编号")


def code(options, text: str, what: str) -> str:
    """A profile's category or level from its code or its name (`1`, `一类`)."""
    for o in options:
        if text in (o.code, o.name):
            return o.code
    if not options:
        return text
    allowed = "、".join(f"{o.code}（{o.name}）" for o in options)
    raise Unresolved(f"{what}“{text}”不在所用政策档案中；可选：{allowed}")
