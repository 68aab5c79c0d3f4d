"""The internal reports: tables that name people, for the office only (never part of the published site).

`build_reports(facts, findings)` turns the records and the rules engine's findings into plain tables of text:
the warning list (预警) per cadre, the notice (通报) of the month (notice.py), open problems by age, the contacts'
subsidy sheets, the spot-check samples, the reviews due, and every finding. The renderer writes each table as
HTML and as CSV from the same rows, so the two never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import cachestore, vocab
from ..findings import SEVERITY_LABELS, Finding
from ..records import SPOT_METHOD
from ..rules import cadence, pay, spotcheck
from ..rules.periods import PERIOD_MONTHS, Period, period_of
from .audit import audit_tables
from .desk import Desk, build_desk
from .notice import Notice, build_notice
from .trends import Trends, build_trends
from .document_reports import document_tables
from .report_table import Table


@dataclass(frozen=True)
class ReportsView:
    jurisdiction: str
    as_of: dt.date
    profile_title: str
    tables: tuple[Table, ...]
    desk: Desk | None = None  # the working lists per village and per person (desk.py)
    trends: Trends | None = None  # on-time rate and warnings by month (trends.py)
    notice: Notice | None = None  # the 通报 of the month (notice.py); None when the document has no warnings


def build_reports(facts, findings: list[Finding], commit: str = "") -> ReportsView:
    """`commit` is the records' git commit (the audit tables name it; the spot-check samples do not depend on it)."""
    names = _Names(facts)
    alerts = cadence.alerts_named(facts.profile)
    # the rule results the reminders, the problems table, the reviews and the desk list come from `facts.derived`
    # (rules/derived.py): worked out once, in a build from the household cache
    tables = [warning_list(findings, names, facts.as_of, alerts), visit_reminders(facts, names),
              open_problems(facts, names)]
    tables += subsidy_sheets(facts, names)
    tables += spot_check_samples(facts, names, commit)
    tables += document_tables(facts, findings, names)  # the monthly report, measures list, observation ledgers
    tables += [reviews_due(facts, names), all_findings(findings, names)]
    tables += audit_tables(facts)  # the git history's changes, when the facts carry one
    site = facts.records.site
    return ReportsView(jurisdiction=site.name, as_of=facts.as_of, profile_title=facts.profile.title,
                       tables=tuple(t for t in tables if t is not None), desk=build_desk(facts),
                       trends=build_trends(facts, findings),
                       notice=build_notice(facts, findings) if alerts else None)


class _Names:
    """Display names for ids: staff, subjects, households and their villages."""

    def __init__(self, facts):
        self.facts = facts
        self.villages = {v.id: v.name for v in facts.records.site.villages}
        self.cases = {c.key: c for c in facts.cases}

    def staff(self, staff_id: str) -> str:
        person = self.facts.staff.get(staff_id)
        return f"{person.name}（{staff_id}）" if person else staff_id

    def staff_village(self, staff_id: str) -> str:
        person = self.facts.staff.get(staff_id)
        return self.villages.get(person.village, "街道（乡镇）") if person else ""

    def subject(self, key: str) -> str:
        case = self.cases.get(key)
        return case.member.name if case else key

    def village_of(self, household_id: str) -> str:
        household = self.facts.records.households_by_id.get(household_id.split("/")[0])
        return self.villages.get(household.village, household.village) if household else ""

    def category(self, key: str) -> str:
        case = self.cases.get(key)
        if not case:
            return ""
        category = self.facts.profile.category(case.subject.category)
        level = self.facts.profile.level(case.subject.level) if case.subject.level else None
        return " ".join(x for x in (category.name if category else case.subject.category,
                                    level.name if level else "") if x)


def warning_list(findings, names: _Names, as_of, alerts: bool = True) -> Table:
    current = [g for g in cadence.gaps(findings, as_of) if g.ongoing]
    # The longest gaps first (issue 18: a supervisor works down from the worst); the desk's lists split them per person.
    current.sort(key=lambda g: (-g.days, names.village_of(g.subject), g.staff, g.subject))
    rows = tuple((names.village_of(g.subject), names.staff(g.staff) if g.staff else "未安排",
                  vocab.DUTY[g.duty], names.subject(g.subject), g.subject, names.category(g.subject),
                  str(g.days), "预警" if alerts and g.warned else "逾期",
                  g.last_visit.isoformat() if g.last_visit else "无",
                  g.raised_on.isoformat() if g.raised_on else "") for g in current)
    if not alerts:  # Tianhu: the document has no 预警 (docs/rules/cadence.md)
        return Table("warnings", "走访逾期名单", "基准日仍未走访、间隔已超过规定的对象，未走访天数最多的在前；每名走访责任人一行。",
                     ("村（社区）", "责任人", "走访身份", "对象", "对象编号", "类别等级", "未走访天数", "状态",
                      "上次走访", "超过间隔上限日期"), rows)
    return Table("warnings", "预警名单", "基准日仍未走访、间隔已超过规定的对象，未走访天数最多的在前；每名包保责任人（或联系人）一行。"
                 "“预警”为超过预警阈值，“逾期”为超过最长间隔但未到预警阈值。",
                 ("村（社区）", "责任人", "走访身份", "对象", "对象编号", "类别等级", "未走访天数", "状态", "上次走访",
                  "预警日期"), rows)


DUE_STATE = {"overdue": "已逾期", "today": "今天到期", "week": "本周到期"}


def visit_reminders(facts, names: _Names) -> Table:
    """走访提醒: per person, the subjects to visit today or within the week, and those already overdue
    (`cadence.due_list`)."""
    rows = tuple((names.staff(r.staff) if r.staff else "未安排", vocab.DUTY[r.duty],
                  names.village_of(r.subject), names.subject(r.subject), r.subject,
                  r.last_visit.isoformat() if r.last_visit else "无", r.due.isoformat(), DUE_STATE[r.state])
                 for r in facts.derived.due)
    return Table("reminders", f"走访提醒（{facts.as_of} 起一周）",
                 "按走访责任人列出今天和本周内应走访的对象，以及已超过最长间隔的对象：应走访日期是间隔超过规定前的最后一天。",
                 ("责任人", "走访身份", "村（社区）", "对象", "对象编号", "上次走访", "应走访日期", "状态"), rows)


def open_problems(facts, names: _Names) -> Table:
    """`reviews.open_problems` of the records, sorted here by when they were found."""
    items = list(facts.derived.problems)
    items.sort(key=lambda vp: (vp[0].date, vp[0].household, vp[1].id))
    rows = []
    for visit, problem in items:
        past = (facts.as_of - problem.deadline).days if problem.deadline and facts.as_of > problem.deadline else 0
        rows.append((names.village_of(visit.household), visit.household, problem.id, problem.text,
                     visit.date.isoformat(), str((facts.as_of - visit.date).days),
                     problem.deadline.isoformat() if problem.deadline else "", str(past) if past else "",
                     "是" if problem.risk else "", names.staff(visit.visitor)))
    return Table("problems", "未办结问题（按发现时间）",
                 "走访发现、尚未在后续走访中写明办结（resolved）的问题：闭环管理，办结前一直列出。",
                 ("村（社区）", "户编号", "问题编号", "问题", "发现日期", "已开放天数", "限期", "逾期天数", "重大风险隐患",
                  "发现人"), tuple(rows))


def subsidy_sheets(facts, names: _Names) -> list[Table]:
    """The current payment period and the last complete one."""
    if not facts.profile.subsidies:
        return []
    months = PERIOD_MONTHS[facts.profile.subsidies[0].paid]
    current = period_of(facts.as_of, months)
    previous = period_of(current.start - dt.timedelta(days=1), months)
    tables = []
    for period in (previous, current):
        tables += _subsidy_tables(facts, names, period, done=(period is previous))
    return tables


def _subsidy_tables(facts, names: _Names, period: Period, *, done: bool) -> list[Table]:
    """The sheet, one row a contact and subject; and its totals apart (a CSV of data rows only, issue 18): one row
    a contact, then the grand total."""
    sheet = _subsidy_table(facts, names, period, done=done)
    rows = pay.subsidy_sheet(facts, period)
    totals = sorted(pay.totals(rows).items())
    subjects = {contact: len({r.subject for r in rows if r.contact == contact}) for contact, _ in totals}
    lines = [(names.staff(contact), str(subjects[contact]), str(total)) for contact, total in totals]
    lines.append(("总计", str(len({(r.contact, r.subject) for r in rows})), str(sum((t for _, t in totals), 0))))
    return [sheet, Table(f"{sheet.slug}-totals", f"{sheet.title}：合计",
                         f"{sheet.title}按联系人合计，末行为全部联系人的总计（明细见 {sheet.slug}.csv）。",
                         ("联系人", "包保对象数", "应发金额（元）"), tuple(lines))]


def _subsidy_table(facts, names: _Names, period: Period, *, done: bool) -> Table:
    sheet = pay.subsidy_sheet(facts, period)
    rows = [(names.staff(r.contact), names.subject(r.subject), r.subject, names.category(r.subject),
             "、".join(r.months), str(r.monthly_amount), "、".join(r.withheld), str(r.amount), "、".join(r.shared))
            for r in sheet]
    state = "" if done else "（本期未结束，截至基准日）"
    return Table(f"subsidy-{period.key}", f"关爱帮扶联系人补助表 {period.label}{state}",
                 "按督查结果和处罚阶梯计算：联系人每包保一名对象按月补助，第二次督查不合格扣发当月补助，"
                 "第三次不合格自当月起停发（终止帮扶协议）。",
                 ("联系人", "对象", "对象编号", "类别等级", "补助月份", "月补助（元）", "扣发、停发月份", "应发金额（元）",
                  "已在其他对象行计发的月份"),
                 tuple(rows))


def spot_check_samples(facts, names: _Names, commit: str) -> list[Table]:
    tables = []
    for i, check in enumerate(facts.profile.spot_checks, start=1):
        key = period_of(facts.as_of, PERIOD_MONTHS[check.period]).key
        drawn = spotcheck.sample(facts, check, key)
        population = spotcheck.population(facts, check, key)
        results = {}
        for r in facts.records.spot_checks:
            if r.spot_check == check.name and (r.period or spotcheck.period_key(r.date, check.period)) == key:
                results.setdefault(r.household, []).append(r)
        rows = tuple((str(n), h, _household_names(facts, h), names.village_of(h),
                      facts.records.households_by_id[h].address,
                      "；".join(f"{r.date} {SPOT_METHOD[r.method]} {'合格' if r.passed else '不合格：' + (r.problems or '')}"
                               f"（{names.staff(r.checker)}）" for r in results.get(h, ())) or "未抽查")
                     for n, h in enumerate(drawn, start=1))
        basis = ("该期新增对象" if check.new_recipients_only else f"{key} 第一天在册的")
        tables.append(Table(f"spot-check-{i}-{check.office_level}-{key}", f"抽查名单：{check.name} {key}",
                            f"按 {check.rate:.0%} 从{basis} {len(population)} 户中抽取 {len(drawn)} 户；随机种子取期间 {key} "
                            f"和这些户的编号，与提交无关，市、区、乡镇在本期任何时候抽取都得到同一名单；任何人可按 "
                            f"docs/rules/spotcheck.md 的算法复核（{check.cite}）。",
                            ("序号", "户编号", "户主 · 关爱帮扶对象", "村（社区）", "现居住地", "抽查结果"), rows))
    return tables


def _household_names(facts, household_id: str) -> str:
    """Who a checker asks for at the door: the head of the household and its subjects ("户主 张三 · 对象 李四、王五")."""
    household = facts.records.households_by_id[household_id]
    members = {m.id: m.name for m in household.members}
    head = next((m.name for m in household.members if m.relation == "self"), "")
    subjects = "、".join(members[s.member] for s in household.subjects if s.member in members)
    return " · ".join(x for x in (f"户主 {head}" if head else "", f"对象 {subjects}" if subjects else "") if x)


def reviews_due(facts, names: _Names) -> Table:
    policy = facts.profile.review
    rows = tuple((names.village_of(c.household), c.household, c.cycle.label,
                  "缺复核" if c.state == "missing" else "本期待复核", c.last_review.isoformat() if c.last_review else "无")
                 for c in facts.derived.cycles)
    return Table("reviews", "动态调整复核", f"每 {policy.cycle_months} 个月至少复核一次（{policy.cite}）。",
                 ("村（社区）", "户编号", "周期", "状态", "上次复核"), rows)


# In a process that keeps its caches: a finding's row, by the very finding (the household cache hands an unchanged
# household's out again) while the person it names is shown the same, so that the row is the very row of the last
# table and the page's kept rows know it without digesting it again (render/rows.py; 10,000 rows at 25,000
# households).
_FINDING_ROWS = cachestore.PerObject()


def all_findings(findings, names: _Names) -> Table:
    _FINDING_ROWS.begin(None)
    rows = tuple(_finding_row(f, names.staff(f.staff) if f.staff else "") for f in findings)
    _FINDING_ROWS.done()
    return Table("findings", "全部检查结果", "政策规则检查的全部结果（与 careledger check 相同）。",
                 ("文件", "行", "代码", "级别", "对象", "人员", "说明"), rows)


def _finding_row(f: Finding, person: str) -> tuple[str, ...]:
    return _FINDING_ROWS.get(f, lambda: (person, (f.source.file, str(f.source.line), f.code,
                                                  SEVERITY_LABELS[f.severity], f.subject, person, f.message)),
                             fits=lambda kept: kept[0] == person)[1]

