"""A small jurisdiction for the published-site tests, written from inline YAML.

一村 (v1) has one subject of 一类, two of 二类 and four of 三类 (the small counts the issue asks about), one exited
household and a subject with a disability benefit; 二村 (v2) has three of each of 一类–三类, a child of ten, a
subject whose age is not recorded, and a household on the observation list. Names include a compound surname, single-
character given names and a name with the middle dot.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .contentkit import id_number, write_tree

AS_OF = dt.date(2026, 11, 23)

SITE = """\
name: 测试街道
parent: 示例县
profile: wangcheng-2020
synthetic_ids: true
office_phone: '0564-3312345'
villages:
  - id: v1
    name: 一村
  - id: v2
    name: 二村
privacy:
{privacy}"""

STAFF = {
    "staff/street.yaml": """\
- id: s-mz
  name: 周文清
  roles: [street_cadre, clerk]
  post: 民政办主任
  phone: '13900000001'
  office_phone: '0564-3312345'
""",
    "staff/v1.yaml": """\
- id: v1-shuji
  name: 李建国
  roles: [principal]
  post: 村党总支书记
  phone: '13900000101'
  office_phone: '0564-3300101'
- id: v1-bp
  name: 王秀兰
  roles: [area_cadre]
  post: 村委委员
  phone: '13900000102'
  office_phone: '0564-3300101'
- id: v1-lx
  name: 赵小红
  roles: [contact]
  post: 村民组长
  phone: '13900000103'
- id: v1-hl
  name: 钱桂英
  roles: [caregiver]
  phone: '13900000104'
""",
    "staff/v2.yaml": """\
- id: v2-shuji
  name: 陈国强
  roles: [principal, area_cadre]
  post: 村委会主任
  phone: '13900000201'
- id: v2-lx
  name: 吴丽
  roles: [contact]
  phone: '13900000202'
""",
}

# (household id, village, name, birth date or None, sex, category, level, extra household YAML)
SUBJECTS = [
    ("h11", "v1", "欧阳明", "1941-02-03", "male", "1", "3", ""),
    ("h12", "v1", "张三", "1942-03-04", "male", "2", "2", ""),
    ("h13", "v1", "张三丰", "1943-04-05", "male", "2", "1", ""),
    ("h14", "v1", "阿依古丽·买买提", "1944-05-06", "female", "3", "2",
     "policies: [dibao, disability_allowances]\n"),
    ("h15", "v1", "孙德明", "1945-06-07", "male", "3", "2", ""),
    ("h16", "v1", "周桂芳", "1946-07-08", "female", "3", "1", ""),
    ("h17", "v1", "吴建华", "1947-08-09", "male", "3", "1", ""),
    ("h21", "v2", "郑一", "1951-01-01", "male", "1", "3", ""),
    ("h22", "v2", "郑二", "1952-01-01", "male", "1", "2", ""),
    ("h23", "v2", "郑三", "1953-01-01", "male", "1", "1", ""),
    ("h24", "v2", "冯一", "1954-01-01", "male", "2", "2", ""),
    ("h25", "v2", "冯二", "1955-01-01", "male", "2", "1", ""),
    ("h26", "v2", "冯三", "1956-01-01", "male", "2", "1", ""),
    ("h27", "v2", "褚一", "1957-01-01", "male", "3", "2", ""),
    ("h28", "v2", "褚二", "1958-01-01", "male", "3", "1", ""),
    ("h29", "v2", "褚三", "1959-01-01", "male", "3", "1", ""),
    ("h2a", "v2", "卫小宝", "2016-05-05", "male", "5", "1", "policies: [orphan]\n"),
    ("h2b", "v2", "蒋无名", None, "male", "3", "1", ""),
]


def household(hid, village, name, birth, sex, category, level, extra, *, n: int, status="", seq=1) -> str:
    responsible = f"{village}-shuji" if village == "v2" or level == "3" else f"{village}-bp"
    person = f"    birth_date: {birth}\n    id_number: '{id_number(birth, seq)}'\n" if birth else ""
    supporters = ""
    if hid == "h12":
        supporters = """\
supporters:
  - relation: child
    name: 张大山
    address: 外省务工
    phone: '13800000999'
  - relation: child
    name: 张小川
    address: 合肥市蜀山区长江西路100号
"""
    return f"""\
id: {hid}
village: {village}
address: {"一村" if village == "v1" else "二村"}{n % 5 + 1}组{n + 10}号
{extra}{status}members:
  - id: m1
    name: {name}
    relation: self
    sex: {sex}
{person}    phone: '1380000{n + 1000:04d}'
    illness: {"高血压" if hid == "h14" else "慢性胃炎"}
{"    disability: {kind: physical, grade: '1'}" + chr(10) if hid == "h14" else ""}{supporters}subjects:
  - member: m1
    category: '{category}'
    level: '{level}'
    enrolled: 2025-01-01
    assigned:
      responsible: [{responsible}]
      contact: [{village}-lx]
"""


def jurisdiction(root: Path, *, privacy: str = "", pages: dict[str, str] | None = None,
                 extra: dict[str, str] | None = None) -> Path:
    files = {"site.yaml": SITE.format(privacy=privacy), **STAFF}
    for i, (hid, village, name, birth, sex, category, level, more) in enumerate(SUBJECTS):
        files[f"households/{village}/{hid}.yaml"] = household(hid, village, name, birth, sex, category, level, more,
                                                              n=i, seq=1 if sex == "male" else 2)
    files["households/v1/h1x.yaml"] = household(
        "h1x", "v1", "王退出", "1950-01-01", "male", "2", "1", "", n=50,
        status="status: exited\nstatus_date: 2026-06-30\nstatus_reason: 迁出本街道\n")
    files["households/v2/h2o.yaml"] = """\
id: h2o
village: v2
address: 二村9组1号
status: observation
status_date: 2026-09-01
status_reason: 收入略超低保标准，但患病支出大
members:
  - id: m1
    name: 韩观察
    relation: self
    birth_date: 1960-01-01
"""
    files["pages/about.md"] = "# 关于本站\n\n本站公布测试街道关爱帮扶工作情况。\n"
    for slug, text in (pages or {}).items():
        files[f"pages/{slug}.md"] = text
    files.update(extra or {})
    write_tree(root, {k: v for k, v in files.items() if not k.endswith(".md")})
    for rel, text in files.items():
        if rel.endswith(".md"):
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return root
