"""The record types: one frozen dataclass per kind of YAML record, each field with its Chinese label.

These classes are the schema (see `schema.py`) and the model the rules and views work on. `docs/records.md`
describes the files they are read from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from . import identifiers, slotted, vocab
from .findings import Source
from .schema import (BOOL, DATE, ID_NUMBER, IDENT, LANDLINE, MOBILE, MONEY, PHONE, TEXT, Choice, Ident, Int, KeepNode,
                     ListOf, field_, source_field)


def record(cls):
    """A record type: a frozen dataclass, slotted and pickled compactly (slotted.py): a county holds a million. Its
    ids and vocabulary codes, and lists of them, are shared when unpickled."""
    made = dataclass(frozen=True, kw_only=True, slots=True)(cls)
    return slotted.compact(made, shared=frozenset(f.name for f in dataclasses.fields(made) if _bounded(f)))


def _bounded(field: dataclasses.Field) -> bool:
    """A field whose values come from a small set: an id or a vocabulary code, or a list of them."""
    if field.metadata.get("shared"):
        return True
    kind = field.metadata.get("kind")
    kind = kind.item if isinstance(kind, ListOf) else kind
    return type(kind) in (Ident, Choice)


# --- site.yaml ------------------------------------------------------------------------------------------------


@record
class Village:
    LABEL = "村（社区）"
    id: str = field_("编号", IDENT, required=True)
    name: str = field_("名称", TEXT, required=True)
    kind: str = field_("类型", Choice(vocab.UNIT_KIND), default="village")
    groups: tuple = field_("村民小组", ListOf(TEXT))
    source: Source = source_field()


@record
class SpecialPeriod:
    LABEL = "特殊时期"
    kind: str = field_("类型", Choice(vocab.PERIOD_KIND), required=True)
    start: dt.date = field_("开始日期", DATE, required=True)
    end: dt.date = field_("结束日期", DATE, required=True)
    note: str = field_("说明", TEXT)
    source: Source = source_field()

    def validate(self):
        if self.end < self.start:
            yield "end", "E-DATE-ORDER", f"结束日期 {self.end} 早于开始日期 {self.start}"


MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@record
class MonthlyReport:
    """A monthly report sent to the higher office (Guiyang 三（六）: 每月30日前向市社会救助服务中心报送)."""

    LABEL = "月报报送记录"
    month: str = field_("所报月份（年-月，如 2022-10）", TEXT, required=True)
    sent: dt.date = field_("报送日期", DATE, required=True)
    to: str = field_("报送单位", TEXT)
    note: str = field_("说明", TEXT)
    source: Source = source_field()

    def validate(self):
        if not MONTH.match(self.month):
            yield "month", "E-DATE-FORMAT", f"所报月份“{self.month}”应写成 年-月，例如 2022-10"


PRIVACY_ID_MASK = {"none": "不显示（默认）", "first6_last4": "显示前 6 位和后 4 位，中间以 * 代替"}
PRIVACY_PHONE_MASK = {"none": "不显示（默认）", "first3_last4": "显示前 3 位和后 4 位，中间以 * 代替"}


@record
class Privacy:
    """What the published site may show (docs/privacy.md gives the legal basis of each default)."""

    LABEL = "公开网站的隐私设置"
    k: int = field_("小数抑制阈值 k：1 至 k−1 的人数、户数显示为“<k”", Int(2, 20), default=3)
    publish_cadre_names: bool = field_("公布干部（包保责任人等）姓名", BOOL, default=True)
    publish_cadre_phones: bool = field_("公布干部的办公电话（office_phone）", BOOL, default=True)
    publish_contact_names: bool = field_("公布关爱帮扶联系人姓名", BOOL, default=False)
    id_number_mask: str = field_("公示中身份证号的显示方式", Choice(PRIVACY_ID_MASK), default="none")
    phone_mask: str = field_("公示中对象手机号的显示方式", Choice(PRIVACY_PHONE_MASK), default="none")
    id_salt: str = field_("已不再使用：公开编号密钥保存在记录之外（careledger keygen）", TEXT)
    public_texts: tuple = field_("可以公开的完整文本（其中含有他人姓名等，但经核实整段可以公开）", ListOf(TEXT))
    source: Source = source_field()


@record
class Site:
    LABEL = "辖区设置"
    name: str = field_("辖区名称", TEXT, required=True)
    parent: str = field_("上级区划", TEXT)
    profile: str = field_("政策档案", TEXT, required=True)
    villages: tuple = field_("村（社区）", ListOf(Village), required=True)
    overrides: object = field_("政策参数覆盖", KeepNode())
    special_periods: tuple = field_("特殊时期", ListOf(SpecialPeriod))
    records_since: dt.date = field_("走访记录起始日期（此前的走访未录入，间隔从此日起算）", DATE)
    visit_content_since: dt.date = field_("走访内容（服务清单、活动、是否见到本人）起始日期：此前的走访不检查内容", DATE)
    ledgers_since: dt.date = field_("资金发放、照料评估、观察对象巡查、月报的记录起始日期：此前不检查", DATE)
    monthly_reports: tuple = field_("月报报送记录", ListOf(MonthlyReport))
    synthetic_ids: bool = field_("演示数据（允许 99 开头的身份证号）", BOOL, default=False)
    demo_as_of: dt.date = field_("演示数据的最后一天：不加 --as-of 时以此日为基准日（只在 synthetic_ids: true 时有效）",
                                 DATE)
    office_phone: str = field_("民政办电话", PHONE)
    notice_office: str = field_("通报的发文机关（落款），默认“<辖区名称>民政办”", TEXT)  # issue 18
    notice_prefix: str = field_("通报文号的机关代字，如“望民办”（文号为 代字〔年份〕序号号）", TEXT)  # issue 18
    privacy: Privacy = field_("公开网站的隐私设置（见 docs/privacy.md）", Privacy, default=Privacy())
    source: Source = source_field()

    def village(self, village_id: str) -> Village | None:
        return next((v for v in self.villages if v.id == village_id), None)


# --- staff/<unit>.yaml ----------------------------------------------------------------------------------------


@record
class Staff:
    LABEL = "工作人员"
    id: str = field_("人员编号", IDENT, required=True)
    name: str = field_("姓名", TEXT, required=True, personal="name")
    roles: tuple = field_("角色", ListOf(Choice(vocab.ROLE)), required=True)
    sex: str = field_("性别", Choice(vocab.SEX))
    post: str = field_("职务", TEXT)
    phone: str = field_("手机", MOBILE, personal="number")
    office_phone: str = field_("办公电话", PHONE, personal="number")
    party_member: bool = field_("党员", BOOL, default=False)
    elder: bool = field_("寨老", BOOL, default=False)
    git: tuple = field_("Git 身份（邮箱或用户名）", ListOf(TEXT))
    since: dt.date = field_("任职日期", DATE)
    left: dt.date = field_("离任日期", DATE)
    village: str = ""  # taken from the file name (staff/<village>.yaml); "" for the street/township office
    source: Source = source_field()

    def active_on(self, day: dt.date) -> bool:
        return (self.since is None or self.since <= day) and (self.left is None or day < self.left)


# --- households/<village>/<id>.yaml ---------------------------------------------------------------------------


@record
class Disability:
    LABEL = "残疾情况"
    kind: str = field_("残疾类别", Choice(vocab.DISABILITY_TYPE), required=True, personal="text")
    grade: str = field_("残疾等级", Choice(vocab.DISABILITY_GRADE), required=True)
    source: Source = source_field()


@record
class Member:
    LABEL = "家庭成员"
    id: str = field_("成员编号", IDENT, required=True)
    name: str = field_("姓名", TEXT, required=True, personal="name")
    relation: str = field_("与户主关系", Choice(vocab.RELATION), required=True)
    sex: str = field_("性别", Choice(vocab.SEX))
    birth_date: dt.date = field_("出生日期", DATE)
    id_number: str = field_("身份证号", ID_NUMBER, personal="number")
    phone: str = field_("手机", MOBILE, personal="number")
    landline: str = field_("固定电话", LANDLINE, personal="number")
    marital_status: str = field_("婚姻状况", Choice(vocab.MARITAL_STATUS))
    employment: str = field_("就业情况", Choice(vocab.EMPLOYMENT))
    schooling: str = field_("就学情况", Choice(vocab.SCHOOLING))
    disability: Disability = field_("残疾情况", Disability, personal="private")  # its kind is looked for
    illness: str = field_("患病情况", TEXT, personal="text")
    self_care: str = field_("生活自理能力", Choice(vocab.SELF_CARE), personal="private")
    civil_capacity: str = field_("民事行为能力", Choice(vocab.CIVIL_CAPACITY), personal="private")
    care_allowance: bool = field_("享受重度残疾人护理补贴", BOOL, personal="private")
    left: dt.date = field_("离开本户（外出、迁出）日期", DATE, personal="private")
    source: Source = source_field()

    def validate(self):
        if not self.id_number:
            return
        born = identifiers.birth_date_of(self.id_number)
        if self.birth_date and born != self.birth_date:
            yield ("birth_date", "E-ID-MISMATCH",
                   f"出生日期 {self.birth_date} 与身份证号中的 {born} 不一致")
        if self.sex and identifiers.sex_of(self.id_number) != self.sex:
            yield ("sex", "E-ID-MISMATCH",
                   f"性别“{vocab.SEX[self.sex]}”与身份证号第 17 位（奇数为男、偶数为女）不一致")

    @property
    def born(self) -> dt.date | None:
        return self.birth_date or (identifiers.birth_date_of(self.id_number) if self.id_number else None)

    @property
    def gender(self) -> str | None:
        return self.sex or (identifiers.sex_of(self.id_number) if self.id_number else None)

    def age_on(self, day: dt.date) -> int | None:
        born = self.born
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@record
class Supporter:
    LABEL = "赡养、抚养、扶养及监护人"
    relation: str = field_("与关爱帮扶对象关系", Choice(vocab.RELATION), required=True)
    name: str = field_("姓名", TEXT, required=True, personal="name")
    address: str = field_("现居住地", TEXT, personal="place")
    phone: str = field_("手机", MOBILE, personal="number")
    fulfils_duty: bool = field_("履行赡养扶养义务", BOOL)
    guardian: bool = field_("法定监护人", BOOL, default=False)
    for_members: tuple = field_("赡养、扶养或监护的对象（成员编号，默认本户全部对象）", ListOf(IDENT), personal="private")
    source: Source = source_field()


@record
class Assessment:
    LABEL = "等级评估依据"
    facts: tuple = field_("评估事实", ListOf(Choice(vocab.ASSESSMENT_FACT)))
    date: dt.date = field_("评估日期", DATE)
    by: str = field_("评估人", IDENT)
    note: str = field_("说明", TEXT)
    source: Source = source_field()


@record
class Assignment:
    LABEL = "包保安排"
    responsible: tuple = field_("包保责任人", ListOf(IDENT))
    contact: tuple = field_("关爱帮扶联系人", ListOf(IDENT))
    caregiver: str = field_("照料护理人", IDENT, personal="private")
    family_caregiver: str = field_("照料护理人（本户家庭成员，成员编号）", IDENT, personal="private")
    custodian: str = field_("保障资金代管人", IDENT, personal="private")
    coordinator: str = field_("社会救助协理员", IDENT)
    source: Source = source_field()


@record
class Absence:
    LABEL = "暂离期间"
    kind: str = field_("类型", Choice(vocab.ABSENCE), required=True)
    start: dt.date = field_("开始日期", DATE, required=True)
    end: dt.date = field_("结束日期", DATE)
    note: str = field_("说明", TEXT)
    source: Source = source_field()

    def validate(self):
        if self.end and self.end < self.start:
            yield "end", "E-DATE-ORDER", f"结束日期 {self.end} 早于开始日期 {self.start}"


@record
class Subject:
    LABEL = "关爱帮扶对象"
    member: str = field_("成员编号", IDENT, required=True)
    category: str = field_("人员类别", TEXT, required=True)
    level: str = field_("关爱帮扶等级", TEXT)
    key_person: bool = field_("重点人员", BOOL, default=False)
    special_needs: bool = field_("有特殊困难需求（由村支部书记、主任包保）", BOOL, default=False, personal="private")
    support_mode: str = field_("供养方式", Choice(vocab.SUPPORT_MODE))
    enrolled: dt.date = field_("纳入日期", DATE, required=True)
    exited: dt.date = field_("退出日期", DATE)
    exit_reason: str = field_("退出原因", TEXT)
    assessment: Assessment = field_("等级评估依据", Assessment)
    assigned: Assignment = field_("包保安排", Assignment)
    absences: tuple = field_("暂离期间（住院、机构照护）", ListOf(Absence))
    source: Source = source_field()

    def validate(self):
        if self.exited and self.exited < self.enrolled:
            yield "exited", "E-DATE-ORDER", f"退出日期 {self.exited} 早于纳入日期 {self.enrolled}"
        if self.exited and not self.exit_reason:
            yield "exit_reason", "E-MISSING", "有退出日期时须写明退出原因（exit_reason）"


@record
class Need:
    LABEL = "需求与措施"
    id: str = field_("编号", IDENT, required=True)
    need: str = field_("困难需求", TEXT, required=True)
    measure: str = field_("帮扶措施", TEXT)
    status: str = field_("状态", Choice(vocab.NEED_STATUS), default="open")
    member: str = field_("涉及成员", IDENT)
    since: dt.date = field_("提出日期", DATE)
    due: dt.date = field_("计划完成日期", DATE)
    responsible: str = field_("负责人", IDENT)
    source: Source = source_field()


@record
class Agreement:
    LABEL = "协议"
    id: str = field_("协议编号", IDENT, required=True)
    kind: str = field_("协议类型", Choice({"tri_party": "三方关爱帮扶协议", "care": "委托照料协议"}),
                       default="tri_party")
    subject: str = field_("关爱帮扶对象（成员编号）", IDENT, required=True)
    responsible: str = field_("包保责任人（乙方）", IDENT)
    contact: str = field_("关爱帮扶联系人（丙方）", IDENT)
    caregiver: str = field_("委托照料人", IDENT, personal="private")
    signed: dt.date = field_("签订日期", DATE, required=True)
    expires: dt.date = field_("到期日期", DATE)
    terminated: dt.date = field_("终止日期", DATE)
    terminated_reason: str = field_("终止原因", TEXT)
    source: Source = source_field()

    def validate(self):
        if self.expires and self.expires <= self.signed:
            yield "expires", "E-DATE-ORDER", f"到期日期 {self.expires} 不晚于签订日期 {self.signed}"


@record
class Review:
    LABEL = "动态调整复核"
    date: dt.date = field_("复核日期", DATE, required=True)
    result: str = field_("复核结果", Choice(vocab.REVIEW_RESULT), required=True)
    by: str = field_("复核人", IDENT)
    note: str = field_("说明", TEXT)
    source: Source = source_field()


@record
class IncomeChange:
    LABEL = "家庭收入变化"
    date: dt.date = field_("了解到变化的日期", DATE, required=True)
    monthly_income: object = field_("变化后家庭月收入（元）", MONEY, personal="private")
    change: str = field_("变化情况", TEXT, required=True, personal="private")
    member: str = field_("涉及成员", IDENT)
    by: str = field_("记录人", IDENT)
    source: Source = source_field()


@record
class Payment:
    LABEL = "救助资金发放"
    month: str = field_("所属月份（年-月）", TEXT, required=True)
    kind: str = field_("资金类别", Choice(vocab.POLICY), required=True)
    paid: dt.date = field_("发放日期", DATE, required=True)
    amount: object = field_("金额（元）", MONEY, personal="private")
    source: Source = source_field()

    def validate(self):
        if not MONTH.match(self.month):
            yield "month", "E-DATE-FORMAT", f"所属月份“{self.month}”应写成 年-月，例如 2022-10"


@record
class CareReview:
    LABEL = "照料护理情况评估"
    date: dt.date = field_("评估日期", DATE, required=True)
    subject: str = field_("被照料的对象（成员编号）", IDENT, required=True)
    result: str = field_("评估结果", Choice(vocab.CARE_REVIEW_RESULT), required=True)
    by: str = field_("评估人（乡镇、街道）", IDENT)
    note: str = field_("说明", TEXT, personal="private")
    source: Source = source_field()


@record
class FourHaves:
    LABEL = "四有"
    service_standard: bool = field_("有服务标准", BOOL, default=False)
    sign: bool = field_("有服务标识", BOOL, default=False)
    emergency_plan: dt.date = field_("应急预案日期", DATE)
    source: Source = source_field()


@record
class Household:
    LABEL = "家庭档案"
    id: str = field_("户编号", IDENT, required=True)
    village: str = field_("村（社区）", IDENT, required=True)
    group: str = field_("村民小组", TEXT)
    address: str = field_("现居住地", TEXT, required=True, personal="text")
    status: str = field_("状态", Choice(vocab.HOUSEHOLD_STATUS), default="active")
    status_date: dt.date = field_("状态日期", DATE)
    status_reason: str = field_("状态原因", TEXT)
    policies: tuple = field_("享受政策情况", ListOf(Choice(vocab.POLICY)))
    policies_other: str = field_("其他政策", TEXT)
    members: tuple = field_("家庭成员", ListOf(Member), required=True)
    supporters: tuple = field_("赡养、抚养、扶养及监护人", ListOf(Supporter))
    subjects: tuple = field_("关爱帮扶对象", ListOf(Subject))
    needs: tuple = field_("需求与措施（一户一策）", ListOf(Need))
    agreements: tuple = field_("协议", ListOf(Agreement))
    reviews: tuple = field_("动态调整复核", ListOf(Review))
    four_haves: FourHaves = field_("四有", FourHaves)
    income_changes: tuple = field_("家庭收入变化", ListOf(IncomeChange), personal="private")
    payments: tuple = field_("救助资金发放", ListOf(Payment), personal="private")
    care_reviews: tuple = field_("照料护理情况评估（乡镇按月）", ListOf(CareReview), personal="private")
    note: str = field_("备注", TEXT)
    source: Source = source_field()

    def validate(self):
        if self.status != "active":
            missing = [text for value, text in ((self.status_date, "status_date（日期）"),
                                                (self.status_reason, "status_reason（原因）")) if not value]
            if missing:  # name only what is missing
                yield ("status", "E-MISSING",
                       f"状态为“{vocab.HOUSEHOLD_STATUS[self.status]}”时须写明 {'和 '.join(missing)}")
        if self.status == "active" and not self.subjects:
            yield "subjects", "E-MISSING", "在册帮扶的家庭至少要有一名关爱帮扶对象（subjects）"
        for name, items, key in (("members", self.members, "id"), ("needs", self.needs, "id"),
                                 ("agreements", self.agreements, "id"), ("subjects", self.subjects, "member")):
            seen = set()
            for item in items:
                value = getattr(item, key)
                if value in seen:
                    yield name, "E-DUPLICATE-ID", f"{name} 中编号“{value}”重复"
                seen.add(value)
        member_ids = {m.id for m in self.members}
        for subject in self.subjects:
            if subject.member not in member_ids:
                yield "subjects", "E-REF", f"关爱帮扶对象引用的成员“{subject.member}”不在家庭成员（members）中"
        for agreement in self.agreements:
            if agreement.subject not in {s.member for s in self.subjects}:
                yield "agreements", "E-REF", f"协议 {agreement.id} 的对象“{agreement.subject}”不是本户的关爱帮扶对象"
        subject_ids = {s.member for s in self.subjects}
        for subject in self.subjects:
            carer = subject.assigned.family_caregiver if subject.assigned else None
            if carer and carer not in member_ids:
                yield ("subjects", "E-REF", f"对象“{subject.member}”的家庭照料护理人（family_caregiver）“{carer}”"
                       "不在本户家庭成员（members）中")
        for supporter in self.supporters:
            for member in supporter.for_members:
                if member not in subject_ids:
                    yield ("supporters", "E-REF", f"{supporter.name} 赡养、扶养或监护的对象“{member}”"
                           "不是本户的关爱帮扶对象")
        for review in self.care_reviews:
            if review.subject not in subject_ids:
                yield "care_reviews", "E-REF", f"照料护理情况评估的对象“{review.subject}”不是本户的关爱帮扶对象"

    def member(self, member_id: str) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)


# --- visits/<yyyy-mm>/<staff-id>.yaml -------------------------------------------------------------------------


@record
class HomeChecks:
    LABEL = "家庭环境"
    yard_tidy: bool = field_(vocab.HOME_CHECK["yard_tidy"], BOOL)
    items_tidy: bool = field_(vocab.HOME_CHECK["items_tidy"], BOOL)
    ventilated: bool = field_(vocab.HOME_CHECK["ventilated"], BOOL)
    # no source, nor the checklist's: nothing points into a visit's answers (its findings name the visit), and a
    # source is 64 of the 144 bytes of each of the hundreds of thousands a county holds


@record
class Checklist:
    LABEL = "服务清单"
    health: str = field_(vocab.CHECKLIST["health"], TEXT)
    living: str = field_(vocab.CHECKLIST["living"], TEXT)
    benefits: str = field_(vocab.CHECKLIST["benefits"], TEXT)
    supporters_duty: str = field_(vocab.CHECKLIST["supporters_duty"], TEXT)
    housing_safety: str = field_(vocab.CHECKLIST["housing_safety"], TEXT)
    service_needs: str = field_(vocab.CHECKLIST["service_needs"], TEXT)


@record
class Problem:
    LABEL = "发现的问题"
    id: str = field_("问题编号（户内唯一）", IDENT, required=True)
    text: str = field_("问题", TEXT, required=True)
    action: str = field_("处理措施", TEXT)
    deadline: dt.date = field_("限期", DATE)
    risk: bool = field_("重大风险隐患", BOOL, default=False)
    source: Source = source_field()


@record
class Resolution:
    LABEL = "问题办结"
    problem: str = field_("问题编号", IDENT, required=True)
    note: str = field_("办结情况", TEXT)
    source: Source = source_field()


@record
class Visit:
    LABEL = "走访记录"
    date: dt.date = field_("走访日期", DATE, required=True)
    household: str = field_("户编号", IDENT, required=True)
    subjects: tuple = field_("走访对象（成员编号，默认全部对象）", ListOf(IDENT))
    duty: str = field_("走访身份", Choice(vocab.DUTY), required=True)
    mode: str = field_("走访方式", Choice(vocab.VISIT_MODE), default="in_person")
    seen: bool = field_("见到对象本人", BOOL)
    companions: tuple = field_("同行人员", ListOf(IDENT))
    activities: tuple = field_("关爱帮扶活动", ListOf(Choice(vocab.ACTIVITY)))
    home_checks: HomeChecks = field_("家庭环境", HomeChecks)
    checklist: Checklist = field_("服务清单", Checklist)
    problems: tuple = field_("发现的问题", ListOf(Problem))
    resolved: tuple = field_("办结的问题", ListOf(Resolution))
    note: str = field_("情况记录", TEXT)
    visitor: str = dataclasses.field(default="", metadata={"shared": True})  # a staff id, from the file name
    source: Source = source_field()


# --- inspections/<yyyy-mm>/<inspector-id>.yaml ----------------------------------------------------------------


@record
class Inspection:
    LABEL = "督查记录"
    date: dt.date = field_("督查时间", DATE, required=True)
    household: str = field_("户编号", IDENT, required=True)
    subject: str = field_("关爱帮扶对象（成员编号）", IDENT, required=True)
    contact: str = field_("被督查的关爱帮扶联系人", IDENT, required=True)
    visited_weekly: bool = field_("是否开展联系走访（每周至少一次）", BOOL, required=True)
    activities_done: bool = field_("是否开展关爱帮扶活动", BOOL, required=True)
    environment_ok: bool = field_("家庭环境整洁", BOOL, required=True)
    satisfied: bool = field_("对象满意", BOOL, required=True)
    remarks: str = field_("备注", TEXT)
    inspector: str = dataclasses.field(default="", metadata={"shared": True})  # a staff id, from the file name
    source: Source = source_field()

    @property
    def passed(self) -> bool:
        return self.visited_weekly and self.activities_done and self.environment_ok and self.satisfied


# --- spot-checks/<yyyy-mm>/<checker-id>.yaml -------------------------------------------------------------------


SPOT_METHOD = {"phone": "电话抽查", "on_site": "实地抽查"}


@record
class SpotCheckResult:
    """The result of checking one drawn household (Guiyang 三（三）: 一户一档一策台账 checked by phone and on site)."""

    LABEL = "抽查结果"
    date: dt.date = field_("抽查日期", DATE, required=True)
    spot_check: str = field_("抽查名称（政策档案 spot_checks 的 name）", TEXT, required=True)
    period: str = field_("抽查期间（如 2026-Q4；默认为抽查日期所在期间）", TEXT)
    household: str = field_("户编号", IDENT, required=True)
    method: str = field_("抽查方式", Choice(SPOT_METHOD), required=True)
    passed: bool = field_("抽查合格", BOOL, required=True)
    problems: str = field_("发现的问题", TEXT)
    remarks: str = field_("备注", TEXT)
    checker: str = dataclasses.field(default="", metadata={"shared": True})  # a staff id, from the file name
    source: Source = source_field()

    def validate(self):
        if not self.passed and not self.problems:
            yield "problems", "E-MISSING", "抽查不合格时须写明发现的问题（problems）"


# --- custody/<village>/<household-id>-<member>.yaml -----------------------------------------------------------


@record
class LedgerEntry:
    LABEL = "收支记录"
    date: dt.date = field_("日期", DATE, required=True)
    kind: str = field_("类型", Choice(vocab.LEDGER_ENTRY), required=True)
    amount: object = field_("金额（元）", MONEY)
    balance: object = field_("核对余额（元）", MONEY)
    item: str = field_("摘要", TEXT)
    drawn_by: str = field_("支取人", IDENT)
    checked_by: str = field_("检查人", IDENT)
    source: Source = source_field()

    def validate(self):
        if self.kind in ("income", "expense") and self.amount is None:
            yield "amount", "E-MISSING", "收入、支出须写金额（amount）"
        if self.amount is not None and self.amount <= 0:
            yield "amount", "E-MONEY", "金额应为正数：支出用 kind: expense 表示，不写负号"
        if self.kind == "balance" and self.balance is None:
            yield "balance", "E-MISSING", "余额核对须写核对余额（balance）"


@record
class CustodyLedger:
    LABEL = "保障资金代管台账"
    household: str = field_("户编号", IDENT, required=True)
    subject: str = field_("关爱帮扶对象（成员编号）", IDENT, required=True)
    custodian: str = field_("保障资金代管人", IDENT, required=True)
    elected: dt.date = field_("村民会议推选日期", DATE)
    opening_balance: object = field_("期初余额（元）", MONEY, default=None)
    entries: tuple = field_("收支记录", ListOf(LedgerEntry))
    source: Source = source_field()


@record
class Page:
    """A Markdown notice page from content/pages/ (not YAML)."""

    slug: str
    title: str
    body: str
    source: Source
