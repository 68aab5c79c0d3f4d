"""The ledgers a workbook holds, per layout: sheet name, title row, kind of row, and the columns' headings.

A column is (key, heading, other headings it is known by). The key is what `rows.py` reads and `export.py` writes;
the heading is printed in the title row's table; an import finds a column by its heading or any alias, so a ledger
typed by hand from the document (`户主姓名`, `身份证号码`) is read as well as our own export. Columns marked `derived`
are written for the reader (age, household size) and never read back.

The annex ledgers follow the forms in careledger/forms/ (the documents give only the tables' names, except
Wangcheng's annex 1, whose fields are copied from the original); each layout adds 户编号 and 村（社区） so that a
ledger read back lands on the same households. Every layout has the visit ledger and the staff roster besides.
"""

from __future__ import annotations

from dataclasses import dataclass

SUBJECTS, VISITS, STAFF = "subjects", "visits", "staff"  # kinds of row: one subject (or household), visit, person
KIND_ZH = {SUBJECTS: "对象", VISITS: "走访", STAFF: "工作人员"}


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    aliases: tuple[str, ...] = ()
    derived: bool = False  # written for the reader, not read back

    @property
    def headings(self) -> tuple[str, ...]:
        return (self.heading,) + self.aliases


@dataclass(frozen=True)
class Sheet:
    name: str  # the worksheet's tab (Excel allows 31 characters)
    title: str  # the merged title row
    kind: str
    columns: tuple[Column, ...]


def _c(key, heading, *aliases, derived=False) -> Column:
    return Column(key, heading, tuple(aliases), derived)


# Every heading the import knows, per key: the union of the layouts' headings and these aliases.
ALIASES = {
    "household_id": ("户编号",),
    "village": ("村（社区）", "村（居）", "村（社）", "村社", "村"),
    "group": ("村民小组", "村民组", "组"),
    "address": ("现居住地", "家庭住址", "住址", "居住地址"),
    "status": ("状态", "帮扶状态"),
    "status_date": ("状态日期",),
    "status_reason": ("状态原因", "不符合条件的理由"),
    "member_id": ("成员编号",),
    "name": ("姓名", "关爱帮扶对象姓名", "对象姓名", "户主姓名"),
    "relation": ("与户主关系",),
    "sex": ("性别",),
    "birth_date": ("出生日期",),
    "id_number": ("身份证号", "身份证号码", "公民身份号码"),
    "phone": ("手机", "联系电话", "联系电话（手机）", "手机号码", "联系电话：手机"),
    "landline": ("固定电话", "联系电话：固定电话"),
    "marital_status": ("婚姻状况",),
    "policies": ("享受政策情况", "已享受救助政策"),
    "category": ("人员类别", "对象类别", "对象类型"),
    "level": ("关爱帮扶等级", "等级"),
    "key_person": ("重点人员",),
    "support_mode": ("供养方式",),
    "enrolled": ("纳入日期",),
    "responsible": ("包保责任人", "走访责任人", "村（居）包保人", "包保人", "街道干部包保责任人", "村社干部包保责任人",
                    "乡镇（街道）包保人", "区（市、县）民政局联系人", "市民政局联系人"),
    "contact": ("关爱帮扶联系人",),
    "needs": ("困难需求", "主要困难", "具体困难需求"),
    "measures": ("解决或帮扶措施", "帮扶措施"),
    "note": ("备注",),
    # visits
    "date": ("走访日期", "走访时间", "巡查日期", "巡查时间"),
    "subjects": ("走访对象", "巡查对象"),
    "visitor": ("走访人", "巡查人", "走访人员"),
    "duty": ("走访身份",),
    "mode": ("走访方式", "巡查方式"),
    "seen": ("见到对象本人",),
    "companions": ("同行人员",),
    "activities": ("关爱帮扶活动",),
    "visit_note": ("情况记录", "走访情况", "基本生活状况", "巡查情况"),
    # staff
    "unit": ("所属单位", "所在村（社区）"),
    "staff_id": ("人员编号",),
    "roles": ("角色",),
    "post": ("职务",),
    "office_phone": ("办公电话",),
    "party_member": ("党员",),
    "since": ("任职日期",),
    "left": ("离任日期",),
}


# Keys whose value is a list: several columns with them (Guiyang annex 2's 包保人 at each level) are read together.
LIST_KEYS = frozenset({"responsible", "contact", "companions", "policies", "activities", "needs", "measures",
                       "subjects", "roles"})


def _cols(*specs) -> tuple[Column, ...]:
    """Columns from (key, heading) pairs or keys (heading: the first alias); `~key` marks a derived column."""
    out = []
    for spec in specs:
        key, heading = spec if isinstance(spec, tuple) else (spec, None)
        derived = key.startswith("~")
        key = key.lstrip("~")
        heading = heading or ALIASES[key][0]
        out.append(Column(key, heading, tuple(a for a in ALIASES.get(key, ()) if a != heading), derived))
    return tuple(out)


VISIT_COLUMNS = _cols("date", "household_id", "village", "subjects", "visitor", "duty", "mode", "seen", "companions",
                      "activities", "visit_note")
STAFF_COLUMNS = _cols("unit", "staff_id", "name", "roles", "sex", "post", "phone", "office_phone", "party_member",
                      "since", "left")


def _common(visits_title: str, staff_title: str) -> tuple[Sheet, ...]:
    return (Sheet("走访台账", visits_title, VISITS, VISIT_COLUMNS),
            Sheet("工作人员", staff_title, STAFF, STAFF_COLUMNS))


LAYOUTS: dict[str, tuple[Sheet, ...]] = {
    "careledger": (
        Sheet("关爱帮扶对象", "关爱帮扶对象花名册", SUBJECTS, _cols(
            "household_id", "village", "group", "address", "status", "status_date", "status_reason", "member_id", "name", "relation", "sex", "birth_date",
            "id_number", "phone", "landline", "marital_status", "policies", "category", "level", "key_person",
            "support_mode", "enrolled", "responsible", "contact", "needs", "measures", "note")),
    ) + _common("走访台账", "工作人员花名册"),
    "wangcheng": (
        Sheet("附件1 基本信息", "金安区望城街道特殊困难群体基本信息采集表", SUBJECTS, _cols(
            "household_id", "village", ("name", "关爱帮扶对象姓名"), "sex", ("~age", "年龄"), "marital_status",
            "id_number", "category", ("phone", "联系电话：手机"), ("landline", "联系电话：固定电话"), "address",
            "policies", "level", "responsible", "contact", "enrolled")),
    ) + _common("望城街道特殊困难群体走访记录台账", "望城街道包保责任人和关爱帮扶联系人花名册"),
    "guiyang": (
        Sheet("附件1 排查台账", "贵阳市全面走访排查特殊困难群众台账", SUBJECTS, _cols(
            "household_id", ("village", "村（居）"), ("name", "户主姓名"), "id_number", ("category", "对象类别"),
            ("~household_size", "家庭人口"), ("address", "家庭住址"),
            ("~members", "家庭成员情况（年龄、就业、就学、残疾、患病）"), "needs", "measures")),
        Sheet("附件2 包保台账", "贵阳市特殊困难群众“一对一”包保联系帮扶台账", SUBJECTS, _cols(
            "household_id", ("village", "村（居）"), ("name", "对象姓名"), "id_number", ("category", "对象类型"),
            ("needs", "具体困难需求"), ("responsible", "包保人"), "contact")),
    ) + _common("贵阳市特殊困难群众走访台账", "贵阳市包保联系帮扶人员花名册"),
    "tianhu": (
        Sheet("附件1 花名册", "重点人群花名册", SUBJECTS, _cols(
            "household_id", "village", "name", "sex", ("~age", "年龄"), "id_number", ("address", "家庭住址"),
            ("~household_size", "家庭人口"), "category", ("policies", "已享受救助政策"), ("needs", "主要困难"),
            ("phone", "联系电话"), ("responsible", "走访责任人"), "note")),
    ) + _common("重点困难人群巡查记录台账", "村级社会救助协理员花名册"),
}
LAYOUT_ZH = {"careledger": "本程序的导出格式", "wangcheng": "望城街道附件 1", "guiyang": "贵阳市附件 1、2",
             "tianhu": "天湖街道附件 1、2"}
PROFILE_LAYOUT = {"wangcheng-2020": "wangcheng", "guiyang-2022": "guiyang", "tianhu-2022": "tianhu"}
HOUSEHOLD_SHEETS = {"附件1 排查台账"}  # one row per household (its head), not per subject
EVERY_HOUSEHOLD_SHEETS = {"关爱帮扶对象"}  # our own: households with no subject in care too, by their head


def layout_for(profile: str, chosen: str | None) -> str:
    return chosen or PROFILE_LAYOUT.get(profile, "careledger")


def heading_keys() -> dict[str, str]:
    """Every known heading -> its key (headings are unique across keys within a kind of row)."""
    out = {}
    for key, names in ALIASES.items():
        for name in names:
            out.setdefault(name, key)
    return out
