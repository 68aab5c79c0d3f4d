"""Adversarial small jurisdictions for the attacker (issue 14): a village of one or two subjects, a cadre with one
subject, a gap band held by a single subject, with the visits that make their bands and the weekly charts.

`town(root, spec)` writes a wangcheng-2020 jurisdiction: `spec` is village id → list of subjects, each
(responsible staff id, level, days before the as-of date of the last responsible visit or None). Staff of each
village: `<v>-shuji` (principal) and `<v>-bp` (area cadre); all subjects are adults, so all are listed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .contentkit import id_number, write_tree

AS_OF = dt.date(2026, 11, 23)
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "国华建明秀英桂兰德文志强丽芳玉梅"


def town(root: Path, spec: dict, *, as_of: dt.date = AS_OF, extra: dict | None = None) -> Path:
    names = {v: f"{'一二三四五六七八九'[i]}村" for i, v in enumerate(spec)}
    site = "name: 小镇街道\nparent: 示例县\nprofile: wangcheng-2020\nsynthetic_ids: true\nvillages:\n" + "".join(
        f"  - id: {v}\n    name: {names[v]}\n" for v in spec)
    files = {"site.yaml": site}
    visits: dict[str, list[str]] = {}
    n = 0
    for i, (v, subjects) in enumerate(spec.items()):
        files[f"staff/{v}.yaml"] = (
            f"- id: {v}-shuji\n  name: {SURNAMES[i]}书{GIVEN[i]}\n  roles: [principal]\n  post: 村党总支书记\n"
            f"  office_phone: '0564-33{i:05d}'\n"
            f"- id: {v}-bp\n  name: {SURNAMES[-1 - i]}包{GIVEN[-1 - i]}\n  roles: [area_cadre]\n  post: 村委委员\n"
            f"  office_phone: '0564-33{i:05d}'\n")
        for j, (staff, level, last) in enumerate(subjects):
            n += 1
            hid = f"{v}h{j + 1}"
            birth = f"{1940 + n % 20}-0{1 + n % 9}-1{n % 10}"
            files[f"households/{v}/{hid}.yaml"] = (
                f"id: {hid}\nvillage: {v}\naddress: {names[v]}{j + 1}号\nmembers:\n  - id: m1\n"
                f"    name: {SURNAMES[n % len(SURNAMES)]}{GIVEN[n % len(GIVEN)]}{GIVEN[(n * 7) % len(GIVEN)]}\n"
                f"    relation: self\n    sex: male\n    birth_date: {birth}\n"
                f"    id_number: '{id_number(birth, 1 + 2 * (n % 400))}'\n"
                f"subjects:\n  - member: m1\n    category: '2'\n    level: '{level}'\n    enrolled: 2026-01-01\n"
                f"    assigned:\n      responsible: [{staff}]\n")
            if last is not None:
                day = as_of - dt.timedelta(days=last)
                visits.setdefault(f"visits/{day:%Y-%m}/{staff}.yaml", []).append(
                    f"- date: {day.isoformat()}\n  household: '{hid}'\n  duty: 'responsible'\n")
    files.update({path: "".join(entries) for path, entries in visits.items()})
    files.update(extra or {})
    return write_tree(root, files)
