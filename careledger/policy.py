"""Policy profiles: each source document's figures as data, validated on load like records.

A profile is a YAML file in `careledger/profiles/`; a jurisdiction names one in `site.yaml` and may override any
value under `overrides:` (mappings merge key by key, lists and scalars replace). Every figure carries `cite`, the
section of the document it comes from, so a clerk can check it against the paper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import assets, vocab
from .findings import ERROR, Finding, Source
from .schema import (BOOL, DATE, IDENT, MISSING, MONEY, RATIO, TEXT, Choice, Context, Int, ListOf, convert,
                     field_, source_field)
from .yamlread import MappingNode, Node, ScalarNode, read_yaml

PROFILE_DIR = assets.PROFILES
PROFILE_NAMES = ("wangcheng-2020", "qiandongnan-2023", "tianhu-2022", "guiyang-2022", "jizhou-2020")

DRIVER = {"level": "按关爱帮扶等级", "category": "按人员类别", "key_person": "按是否重点人员"}
PERIOD = {"month": "每月", "quarter": "每季度", "half_year": "每半年", "year": "每年"}
OFFICE_LEVEL = {"village": "村（居）", "township": "乡镇（街道）", "district": "区（市、县）", "city": "市"}
PENALTY_STEP = {"warning": "警告", "withhold_month": "扣当月补助", "terminate": "终止协议"}
HAVE = {"agreement": "有照料协议", "service_standard": "有服务标准与标识", "visit_record": "有定期探访记录",
        "emergency_plan": "有应急预案"}
# Who a custodian may be elected from: the Staff flags of the same names (Qiandongnan: 从党员和寨老中推选).
CUSTODIAN_POOL = {"party_member": "党员", "elder": "寨老"}


@dataclass(frozen=True, kw_only=True)
class Selector:
    """Which subjects a rule applies to; an empty list means any."""

    LABEL = "适用对象"
    categories: tuple = field_("人员类别", ListOf(TEXT))
    levels: tuple = field_("关爱帮扶等级", ListOf(TEXT))
    key_person: bool = field_("仅重点人员", BOOL)
    support_mode: str = field_("供养方式", Choice(vocab.SUPPORT_MODE))
    policies: tuple = field_("享受政策（任一）", ListOf(Choice(vocab.POLICY)))
    source: Source = source_field()

    def matches(self, *, category: str, level: str | None, key_person: bool, support_mode: str | None,
                policies: tuple = ()) -> bool:
        return ((not self.categories or category in self.categories)
                and (not self.levels or level in self.levels)
                and (self.key_person is None or self.key_person == key_person)
                and (self.support_mode is None or self.support_mode == support_mode)
                and (not self.policies or any(p in self.policies for p in policies)))


ANY = Selector()


@dataclass(frozen=True, kw_only=True)
class Category:
    LABEL = "人员类别"
    code: str = field_("代码", TEXT, required=True)
    name: str = field_("名称", TEXT, required=True)
    description: str = field_("说明", TEXT, required=True)
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class Criterion:
    """One way to qualify for a level: all of `all_of` and, if given, at least one of `any_of`."""

    LABEL = "定级条件"
    all_of: tuple = field_("须全部具备", ListOf(Choice(vocab.ASSESSMENT_FACT)))
    any_of: tuple = field_("具备其一", ListOf(Choice(vocab.ASSESSMENT_FACT)))
    source: Source = source_field()

    def holds(self, facts) -> bool:
        return all(f in facts for f in self.all_of) and (not self.any_of or any(f in facts for f in self.any_of))


@dataclass(frozen=True, kw_only=True)
class Level:
    LABEL = "关爱帮扶等级"
    code: str = field_("代码", TEXT, required=True)
    name: str = field_("名称", TEXT, required=True)
    rank: int = field_("高低（数大为高）", Int(1, 9), required=True)
    description: str = field_("说明", TEXT, required=True)
    suggest_when: tuple = field_("定级条件（任一成立）", ListOf(Criterion))
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class CadenceRule:
    LABEL = "走访频次"
    duty: str = field_("走访身份", Choice(vocab.DUTY), required=True)
    applies_to: Selector = field_("适用对象", Selector, default=ANY)
    interval_days: int = field_("最长间隔（天）", Int(1, 366), required=True)
    warn_after_days: int = field_("预警阈值：间隔超过（天）", Int(1, 366))
    monthly_minimum: int = field_("每月至少次数", Int(1, 31))
    modes: tuple = field_("计入的走访方式", ListOf(Choice(vocab.VISIT_MODE)))
    # Who must make the visits that count, beyond being assigned: Wangcheng 三级 "包保责任人为村、社主要负责人"
    # (an assigned street cadre, or another village's principal, does not satisfy it).
    visitor_roles: tuple = field_("计入的走访人角色（空为不限）", ListOf(Choice(vocab.ROLE)))
    own_village: bool = field_("走访人须为本村（社区）人员", BOOL, default=False)
    # Not in any document: a notice (CAD-MONTH-AT-RISK) this many days before the month ends with its minimum unmet.
    month_notice_days: int = field_("月末前几天提醒每月次数未达标", Int(0, 31), default=7)
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()

    def validate(self):
        if self.warn_after_days is not None and self.warn_after_days < self.interval_days:
            yield "warn_after_days", "E-PROFILE", "预警阈值不应小于最长间隔"


@dataclass(frozen=True, kw_only=True)
class AssignmentRule:
    LABEL = "包保安排要求"
    slot: str = field_("安排项", Choice({"responsible": "包保责任人", "contact": "关爱帮扶联系人",
                                         "caregiver": "照料护理人", "custodian": "保障资金代管人",
                                         "coordinator": "社会救助协理员"}), required=True)
    applies_to: Selector = field_("适用对象", Selector, default=ANY)
    required: bool = field_("必须安排", BOOL, default=True)
    staff_roles: tuple = field_("可担任的角色", ListOf(Choice(vocab.ROLE)))
    office_levels: tuple = field_("须覆盖的包保层级", ListOf(Choice(OFFICE_LEVEL)))
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class SpecialPeriodRule:
    LABEL = "特殊时期加密走访"
    kinds: tuple = field_("时期类型", ListOf(Choice(vocab.PERIOD_KIND)), required=True)
    interval_divisor: int = field_("间隔缩短为几分之一", Int(1, 10), required=True)
    duties: tuple = field_("适用的走访身份", ListOf(Choice(vocab.DUTY)))
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class Subsidy:
    LABEL = "联系人补助"
    applies_to: Selector = field_("适用对象", Selector, default=ANY)
    monthly_amount: object = field_("每月补助（元）", MONEY, required=True)
    paid: str = field_("拨付周期", Choice(PERIOD), default="quarter")
    # A contact of several subjects: paid for each subject (`subject`), or once a month whatever the number
    # (`contact`, the highest amount of the subjects paid that month).
    paid_per: str = field_("补助计发单位", Choice({"subject": "每包保一名对象", "contact": "每名联系人"}),
                           default="subject")
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class Penalties:
    LABEL = "联系人履职不到位处理"
    ladder: tuple = field_("逐次处理", ListOf(Choice(PENALTY_STEP)), required=True)
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class AgreementPolicy:
    LABEL = "协议要求"
    kind: str = field_("协议类型", Choice({"tri_party": "三方关爱帮扶协议", "care": "委托照料协议"}), required=True)
    required_for: Selector = field_("须签订的对象", Selector, default=ANY)
    term_months: int = field_("期限（月）", Int(1, 120), required=True)
    renewal_warning_days: int = field_("到期前提醒（天）", Int(0, 365), default=30)
    copies: int = field_("份数", Int(1, 10))
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class ReviewPolicy:
    LABEL = "动态调整"
    cycle_months: int = field_("复核周期（月）", Int(1, 24), required=True)
    follow_up_months: int = field_("退出后跟踪（月）", Int(0, 60), default=0)
    observation_reason_required: bool = field_("救助观察须写明原因", BOOL, default=True)
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class SpotCheck:
    LABEL = "抽查"
    name: str = field_("名称", TEXT, required=True)
    office_level: str = field_("抽查层级", Choice(OFFICE_LEVEL), required=True)
    rate: object = field_("抽查比例", RATIO, required=True)
    period: str = field_("周期", Choice(PERIOD), required=True)
    population: Selector = field_("抽查范围", Selector, default=ANY)
    new_recipients_only: bool = field_("仅新增对象", BOOL, default=False)
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class FourHavesPolicy:
    LABEL = "四有"
    required_for: Selector = field_("适用对象", Selector, required=True)
    items: tuple = field_("四有内容", ListOf(Choice(HAVE)), required=True)
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class CustodyPolicy:
    LABEL = "保障资金代管"
    required_for: Selector = field_("适用对象", Selector, required=True)
    excluded_roles: tuple = field_("不得担任代管人的角色", ListOf(Choice(vocab.ROLE)))
    # Posts (staff `post`, as written) that exclude whatever the roles say: a 村委会主任 entered with the role
    # committee_member is still a head of the village committees. A post matches when it contains an entry not
    # preceded by 副 (a deputy is not a 负责人).
    excluded_posts: tuple = field_("不得担任代管人的职务（职务中含其一即是）", ListOf(TEXT))
    custodian_pool: tuple = field_("代管人推选范围（具备其一；空为不限）", ListOf(Choice(CUSTODIAN_POOL)))
    custodian_not_caregiver: bool = field_("代管人不得兼任照料护理人", BOOL, default=True)
    village_check_days: int = field_("村委会检查台账间隔（天）", Int(1, 366), required=True)
    caregiver_review_days: int = field_("乡镇评估照料护理人间隔（天）", Int(1, 366))
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class StaffingRule:
    LABEL = "人员配备"
    role: str = field_("角色", Choice(vocab.ROLE), required=True)
    minimum_per_village: int = field_("每村至少人数", Int(1, 100), required=True)
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class VisitContentRule:
    """What a visit in `duty` must record (from the site's `visit_content_since` on)."""

    LABEL = "走访内容要求"
    duty: str = field_("走访身份", Choice(vocab.DUTY), required=True)
    applies_to: Selector = field_("适用对象", Selector, default=ANY)
    checklist: tuple = field_("须记录的服务清单项", ListOf(Choice(vocab.CHECKLIST)))
    activities: bool = field_("须记录至少一项关爱帮扶活动", BOOL, default=False)
    home_checks: bool = field_("须记录家庭环境各检查项", BOOL, default=False)
    seen: bool = field_("须记录是否见到本人（上门走访）", BOOL, default=False)
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class NeedsPolicy:
    LABEL = "一户一策"
    measure_required: bool = field_("每项困难需求须注明帮扶措施", BOOL, default=True)
    special_needs_roles: tuple = field_("有特殊困难需求的对象须由以下角色包保", ListOf(Choice(vocab.ROLE)))
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class ObservationPolicy:
    LABEL = "救助观察对象巡查"
    patrols_per_month: int = field_("每月至少巡查次数", Int(1, 31), required=True)
    new_recipient_categories: tuple = field_("新增救助群众的人员类别（新增救助台账）", ListOf(TEXT))
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class CareAllowancePolicy:
    LABEL = "重度残疾人护理补贴"
    grades: tuple = field_("享受护理补贴的残疾等级", ListOf(Choice(vocab.DISABILITY_GRADE)), required=True)
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class DryWaterPolicy:
    LABEL = "季节性缺水期送水上门"
    self_care: tuple = field_("送水对象的生活自理能力", ListOf(Choice(vocab.SELF_CARE)), required=True)
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class PaymentPolicy:
    LABEL = "救助资金按月发放"
    kinds: tuple = field_("按月发放的资金类别", ListOf(Choice(vocab.POLICY)), required=True)
    due_day: int = field_("每月发放截止日（空为当月最后一天）", Int(1, 31))
    cite: str = field_("出处", TEXT, required=True)
    source: Source = source_field()


@dataclass(frozen=True, kw_only=True)
class Profile:
    LABEL = "政策档案"
    id: str = field_("档案编号", IDENT, required=True)
    title: str = field_("文件标题", TEXT, required=True)
    issuer: str = field_("发文机关", TEXT, required=True)
    document_number: str = field_("文号", TEXT)
    issued: dt.date = field_("发文日期", DATE)
    seed: str = field_("原文文件", TEXT, required=True)
    cadence_driver: str = field_("走访频次依据", Choice(DRIVER), required=True)
    # Whether the document has warnings (预警) and a notice of the warned (通报); Tianhu's has neither, so its gaps
    # are called 逾期 (overdue), never 预警.
    alerts: bool = field_("有预警和通报机制", BOOL, default=True)
    notice_cite: str = field_("通报的依据（原文条款及原话）：通报正文引用；空为文件未规定通报", TEXT)  # issue 18
    categories: tuple = field_("人员类别", ListOf(Category), required=True)
    levels: tuple = field_("关爱帮扶等级", ListOf(Level))
    cadence: tuple = field_("走访频次", ListOf(CadenceRule), required=True)
    special_periods: tuple = field_("特殊时期加密走访", ListOf(SpecialPeriodRule))
    assignments: tuple = field_("包保安排要求", ListOf(AssignmentRule), required=True)
    contact_activities: tuple = field_("联系人关爱帮扶活动", ListOf(Choice(vocab.ACTIVITY)))
    home_checks: tuple = field_("家庭环境检查项", ListOf(Choice(vocab.HOME_CHECK)))
    visit_checklist: tuple = field_("每次走访服务清单", ListOf(Choice(vocab.CHECKLIST)))
    subsidies: tuple = field_("联系人补助", ListOf(Subsidy))
    penalties: Penalties = field_("联系人履职不到位处理", Penalties)
    agreements: tuple = field_("协议要求", ListOf(AgreementPolicy))
    review: ReviewPolicy = field_("动态调整", ReviewPolicy, required=True)
    spot_checks: tuple = field_("抽查", ListOf(SpotCheck))
    four_haves: FourHavesPolicy = field_("四有", FourHavesPolicy)
    custody: CustodyPolicy = field_("保障资金代管", CustodyPolicy)
    staffing: tuple = field_("人员配备", ListOf(StaffingRule))
    late_entry_days: int = field_("走访补录允许延迟（天）", Int(0, 60), default=3)
    # Not in any document: a commit that writes visits of this many months at once is an import or a rewrite of
    # the records as a whole (docs/rules/audit.md), summed up in one finding instead of one per visit.
    bulk_commit_months: int = field_("批量提交：一次提交涉及的走访月份数", Int(2, 600), default=3)
    # Not in any document: how long a problem found on a visit, with no deadline set, may stay open (闭环).
    problem_open_days: int = field_("问题未定限期时的办结时限（天）", Int(1, 366), default=30)
    monthly_report_day: int = field_("月报截止日", Int(1, 31))
    monthly_report_cite: str = field_("月报出处", TEXT)
    visit_content: tuple = field_("走访内容要求", ListOf(VisitContentRule))
    needs: NeedsPolicy = field_("一户一策", NeedsPolicy)
    observation: ObservationPolicy = field_("救助观察对象巡查", ObservationPolicy)
    care_allowance: CareAllowancePolicy = field_("重度残疾人护理补贴", CareAllowancePolicy)
    payments: PaymentPolicy = field_("救助资金按月发放", PaymentPolicy)
    dry_season_water: DryWaterPolicy = field_("季节性缺水期送水上门", DryWaterPolicy)
    source: Source = source_field()

    def validate(self):
        codes = [c.code for c in self.categories]
        if len(set(codes)) != len(codes):
            yield "categories", "E-PROFILE", "人员类别代码重复"
        levels = {lv.code for lv in self.levels}
        if self.cadence_driver == "level" and not levels:
            yield "levels", "E-PROFILE", "按等级确定走访频次时必须定义等级（levels）"
        rules = list(self.cadence) + [a for a in self.assignments] + list(self.subsidies) + list(self.spot_checks)
        for rule in rules:
            selector = getattr(rule, "applies_to", None) or getattr(rule, "population", None) or ANY
            for code in selector.categories:
                if code not in codes:
                    yield "categories", "E-PROFILE", f"规则引用了未定义的人员类别“{code}”（{rule.source}）"
            for code in selector.levels:
                if code not in levels:
                    yield "levels", "E-PROFILE", f"规则引用了未定义的等级“{code}”（{rule.source}）"

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def level(self, code: str) -> Level | None:
        return next((lv for lv in self.levels if lv.code == code), None)


def profile_path(name: str) -> Path:
    return PROFILE_DIR / f"{name}.yaml"


def load_profile(name: str, *, overrides: Node | None = None, today: dt.date | None = None,
                 name_source: Source | None = None) -> tuple[Profile | None, list[Finding]]:
    """Load a shipped profile, merge a site's overrides into it, and validate the result."""
    path = profile_path(name)
    if name not in PROFILE_NAMES or not path.exists():
        known = "、".join(PROFILE_NAMES)
        where = name_source or Source("site.yaml")
        return None, [Finding("E-PROFILE-UNKNOWN", ERROR, f"没有名为“{name}”的政策档案；可选：{known}", where,
                              path="profile")]
    parsed, findings = read_yaml(path, f"careledger/profiles/{path.name}")
    if parsed.root is None:
        return None, findings
    root = merge_nodes(parsed.root, overrides) if overrides is not None else parsed.root
    ctx = Context(findings=findings, today=today or dt.date.today())
    profile = convert(Profile, root, ctx)
    if profile is MISSING:
        return None, findings
    if profile.id != name:
        findings.append(Finding("E-PROFILE", ERROR, f"档案编号“{profile.id}”与文件名“{name}”不一致",
                                profile.source, path="id"))
    return profile, findings


def merge_nodes(base: Node, override: Node) -> Node:
    """Overlay `override` on `base`: mappings merge key by key, anything else replaces. Nodes keep their own
    marks, so a bad overridden value is reported at its line in site.yaml."""
    if not (isinstance(base, MappingNode) and isinstance(override, MappingNode)):
        return override
    merged = list(base.value)
    index = {k.value: i for i, (k, _) in enumerate(merged) if isinstance(k, ScalarNode)}
    for key, value in override.value:
        name = key.value if isinstance(key, ScalarNode) else None
        if name in index:
            i = index[name]
            merged[i] = (merged[i][0], merge_nodes(merged[i][1], value))
        else:
            merged.append((key, value))
    return MappingNode(base.tag, merged, base.start_mark, base.end_mark, base.flow_style)
