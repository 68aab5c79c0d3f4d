"""Internal reports the documents ask for beyond the visit ledger (issue 15), for the office only:

- the monthly report to the city centre (Guiyang 三（六） “每月30日前向市社会救助服务中心报送工作开展情况”): the work of a
  month per village, for the as-of date's month (so far) and the two before, when the profile has a
  `monthly_report_day`;
- the key-person measures list (Guiyang 二（一） “重点人员帮扶措施清单”): every subject in care who is a key person, or
  disabled or ill, with each need and its measure, when the profile has `needs`;
- the observation ledger and the new-recipient ledger (Tianhu 二（二）、二（四） “分类分项建立信息化台账”): the households on
  the observation list with the reason and their patrols, and the subjects enrolled in the as-of date's year, when
  the profile has `observation`.

Each is a `Table`, written as HTML and CSV by the reports renderer like every other.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from .. import vocab
from ..rules import cadence
from ..rules.ledgers import due_date
from ..rules.periods import Period, period_of
from .report_table import Table

TOTAL = "合计"


def document_tables(facts, findings, names) -> list[Table]:
    tables: list[Table] = []
    profile = facts.profile
    if profile.monthly_report_day:
        months = [period_of(facts.as_of, 1)]
        for _ in range(2):
            months.insert(0, period_of(months[0].start - dt.timedelta(days=1), 1))
        tables += [monthly_report(facts, findings, names, month) for month in months]
    if profile.needs is not None:
        tables.append(key_person_measures(facts, names))
    if profile.observation is not None:
        tables += [observation_ledger(facts, names), new_recipients(facts, names)]
    return tables


# --- the monthly report ---------------------------------------------------------------------------------------


MONTHLY_COLUMNS = ("村（社区）", "在册对象数", "走访次数", "已走访对象数", "未走访对象数", "预警次数", "发现问题",
                   "办结问题", "新纳入对象", "退出对象")


def monthly_report(facts, findings, names, month: Period) -> Table:
    last = min(month.end, facts.as_of)
    in_care = [c for c in facts.cases if c.in_care_on(last) and c.start <= last]
    visits = [v for v in facts.records.visits if month.start <= v.date <= last]
    visited = {f"{v.household}/{m}" for v in visits
               for m in (v.subjects or [s.member for s in facts.records.households_by_id[v.household].subjects]
                         if v.household in facts.records.households_by_id else ())}
    alerts = [g for g in cadence.gaps(cadence.one_per_gap(findings), facts.as_of)  # a gap warns every person in
              if g.raised_on and month.start <= g.raised_on <= last]  # the duty; the report counts the gap once
    rows = []
    totals = [0] * (len(MONTHLY_COLUMNS) - 1)
    village_of = {h.id: h.village for h in facts.records.households}
    visits_in: dict[str, list] = {}
    for visit in visits:
        visits_in.setdefault(village_of.get(visit.household, ""), []).append(visit)
    in_care_in, cases_in = _by_village(in_care), _by_village(facts.cases)
    warned_in = Counter(village_of.get(g.subject.split("/")[0]) for g in alerts)
    for village in facts.records.site.villages:
        mine = in_care_in.get(village.id, [])
        vv = visits_in.get(village.id, [])
        problems = sum(len(v.problems) for v in vv)
        resolved = sum(len(v.resolved) for v in vv)
        cases = cases_in.get(village.id, [])
        entered = sum(1 for c in cases if month.start <= c.start <= last)
        left = sum(1 for c in cases if c.end is not None and month.start <= c.end <= last)
        seen = sum(1 for c in mine if c.key in visited)
        warned = warned_in[village.id]
        counts = [len(mine), len(vv), seen, len(mine) - seen, warned, problems, resolved, entered, left]
        totals = [a + b for a, b in zip(totals, counts)]
        rows.append((village.name, *map(str, counts)))
    rows.append((TOTAL, *map(str, totals)))
    day = facts.profile.monthly_report_day
    due = due_date(month.start.year, month.start.month, day)
    sent = next((r for r in facts.records.site.monthly_reports if r.month == month.key), None)
    state = f"已于 {sent.sent} 报送" if sent else ("尚未报送" if due >= facts.as_of else "逾期未报送")
    partial = "（本月未结束，截至基准日）" if last < month.end else ""
    cite = facts.profile.monthly_report_cite or "每月报送工作开展情况"
    return Table(f"monthly-report-{month.key}", f"工作开展情况月报 {month.label}{partial}",
                 f"按村（社区）汇总本月关爱帮扶工作，{due} 前报送（{cite}）；报送状态：{state}。"
                 "在册对象数为月末（或基准日）在册的对象，预警次数为本月被系统预警的次数。",
                 MONTHLY_COLUMNS, tuple(rows))


def _by_village(cases) -> dict[str, list]:
    """The cases of each village (by their household's village), in the order given: one pass, not one a village."""
    out: dict[str, list] = {}
    for case in cases:
        out.setdefault(case.household.village, []).append(case)
    return out


# --- the key-person measures list -----------------------------------------------------------------------------


def key_person_measures(facts, names) -> Table:
    rows = []
    for case in facts.in_care:
        member = case.member
        kind = member.disability.kind if member.disability else None
        disability = (f"{vocab.DISABILITY_TYPE[kind]}{vocab.DISABILITY_GRADE[member.disability.grade]}" if kind else "")
        if not (case.subject.key_person or member.disability or member.illness):
            continue
        needs = [n for n in case.household.needs if n.member in (None, member.id)] or [None]
        responsible = "、".join(names.staff(s) for s in case.assigned("responsible"))
        for need in needs:
            rows.append((names.village_of(case.household.id), case.household.id, f"{member.name}（{case.key}）",
                         names.category(case.key), "是" if case.subject.key_person else "",
                         "、".join(x for x in (disability, member.illness or "") if x),
                         need.need if need else "（未登记需求）", (need.measure or "（未注明措施）") if need else "",
                         vocab.NEED_STATUS[need.status] if need else "", responsible))
    return Table("key-person-measures", "重点人员帮扶措施清单",
                 "在册对象中的重点人员和残疾、患病对象，逐项列出困难需求与帮扶措施（"
                 f"{facts.profile.needs.cite}：“重点针对特殊困难群众中残疾、患病等对象制定重点人员帮扶措施清单”）。",
                 ("村（社区）", "户编号", "对象", "类别等级", "重点人员", "残疾、患病情况", "困难需求", "帮扶措施", "状态",
                  "包保责任人"), tuple(rows))


# --- the observation and new-recipient ledgers ----------------------------------------------------------------


def observation_ledger(facts, names) -> Table:
    month = period_of(facts.as_of, 1)
    rows = []
    watched = [h for h in facts.records.households if h.status == "observation"]
    visit_dates: dict[str, list] = {h.id: [] for h in watched}
    for visit in facts.records.visits:
        if visit.household in visit_dates and visit.date <= facts.as_of:
            visit_dates[visit.household].append(visit.date)
    for household in watched:
        dates = sorted(visit_dates[household.id])
        people = "、".join(m.name for m in household.members if any(s.member == m.id for s in household.subjects)) \
            or (household.members[0].name if household.members else "")
        rows.append((names.village_of(household.id), household.id, people,
                     household.status_date.isoformat() if household.status_date else "", household.status_reason or "",
                     str(sum(1 for d in dates if month.contains(d))), dates[-1].isoformat() if dates else "无"))
    policy = facts.profile.observation
    return Table("observation-ledger", "救助观察台账",
                 f"经审核审批不符合现行救助条件、但确实存在实际困难的家庭，备注不符合条件的理由；每月至少巡查 "
                 f"{policy.patrols_per_month} 次（{policy.cite}）。",
                 ("村（社区）", "户编号", "家庭成员", "列入观察日期", "不符合条件的理由", f"{month.label}巡查次数",
                  "最近一次巡查"), tuple(rows))


def new_recipients(facts, names) -> Table:
    year = facts.as_of.year
    kinds = facts.profile.observation.new_recipient_categories
    rows = []
    for case in sorted(facts.cases, key=lambda c: (c.start, c.key)):
        if case.start.year != year or case.start > facts.as_of or (kinds and case.subject.category not in kinds):
            continue
        policies = "、".join(vocab.POLICY[p] for p in case.household.policies)
        rows.append((names.village_of(case.household.id), case.household.id, f"{case.member.name}（{case.key}）",
                     names.category(case.key), case.start.isoformat(), policies,
                     "在册" if case.in_care_on(facts.as_of) else "已退出或转入观察"))
    return Table("new-recipients", f"新增救助台账 {year}年",
                 f"{year}年纳入的对象，按救助类别分类（{facts.profile.observation.cite}：新增特困人员，新纳入低保、低收入、"
                 "临时救助，转介其他部门救助）。",
                 ("村（社区）", "户编号", "对象", "类别", "纳入日期", "享受政策", "现状"), tuple(rows))
