"""The 通报: the notice of the cadres warned in a month, as a document a township office issues (issue 18).

Wangcheng's document (望办〔2020〕33号 三（二）) says "被系统预警的包保责任人，街道民政办将予以通报": the office names
the warned responsible cadres. `build_notice` makes that document from the typed gaps of the cadence rule
(`cadence.gaps`): a title, a number (文号), the date, a body whose figures are the month's, the list of the cadres
with the subjects, villages and days overdue, and the signature block. Contacts are not named: they answer through
inspections and the penalty ladder. The renderer prints it as HTML and, in builds that make paper, as PDF; it goes
to output/reports/ only, never to the published site.

The number is not the tool's to invent: a 文号 is the office's next number in its register of outgoing documents
(发文登记), shared by everything the office issues. The clerk gives it (`careledger notice --number 12`); with the
site's `notice_prefix` (机关代字) it reads 望民办〔2026〕12号. Without a number the document leaves it blank to be
written in, and says so on screen.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from .. import vocab
from ..rules import cadence

BLANK = "\u3000\u3000"  # the space left for a hand-written sequence number


@dataclass(frozen=True)
class NoticeRow:
    """One warning of the month on one cadre: the subject, where, since when, and whether a visit has come since."""

    village: str
    cadre_name: str
    cadre_id: str
    post: str
    subject: str  # the subject's name
    subject_id: str  # household/member
    level: str  # category and level, in Chinese
    raised_on: dt.date  # the day the gap passed the warning threshold
    due: dt.date  # the last day within the interval
    days_overdue: int  # to the visit that closed the gap, or to the as-of date
    visited: dt.date | None  # the visit that closed the gap; None: still not visited on the as-of date

    @property
    def cadre(self) -> str:
        return f"{self.cadre_name}（{self.cadre_id}）"

    @property
    def state(self) -> str:
        return f"{self.visited.month}月{self.visited.day}日已走访" if self.visited else "至今未走访"


@dataclass(frozen=True)
class CadreLine:
    """A warned cadre, as the notice names them."""

    village: str
    cadre_name: str
    cadre_id: str
    post: str
    warnings: int  # warnings raised on them in the month
    subjects: int
    missed: int  # intervals missed in the month, warned or not
    open: int  # of their warned subjects, those still not visited on the as-of date

    @property
    def cadre(self) -> str:
        return f"{self.cadre_name}（{self.cadre_id}）"


@dataclass(frozen=True)
class Notice:
    office: str  # the issuing office (落款)
    number: str  # the 文号, "" when none was given
    number_shown: str  # as printed: the number, or its blank form 望民办〔2026〕　　号
    title: str
    addressee: str  # 主送
    date: dt.date  # 成文日期: the as-of date
    month: str  # yyyy-mm
    period: str  # 2026年11月1日至23日
    basis: str  # the sentence that says why the office issues it
    situation: str  # 一、基本情况
    named: str  # 二、通报名单 (the sentence before the tables)
    requirements: tuple[str, ...]  # 三、工作要求
    cadres: tuple[CadreLine, ...]
    rows: tuple[NoticeRow, ...]
    warnings: int
    subjects: int
    villages: int
    missed: int
    still_open: int  # subjects warned in the month and not visited by the as-of date

    @property
    def numbered(self) -> bool:
        return bool(self.number)

    @property
    def csv_columns(self) -> tuple[str, ...]:
        return ("村（社区）", "被预警的包保责任人", "本月预警次数", "涉及对象数", "本月未按时走访次数")

    def csv_rows(self) -> tuple[tuple[str, ...], ...]:
        return tuple((c.village, c.cadre, str(c.warnings), str(c.subjects), str(c.missed)) for c in self.cadres)


def notice_number(number: str | None, prefix: str, year: int) -> str:
    """The 文号 as printed: a full number as given (望民办〔2026〕12号), a sequence number with the site's prefix
    (12 → 望民办〔2026〕12号), or the blank form when none is given."""
    number = (number or "").strip()
    if number and not number.isdigit():
        return number
    return f"{prefix}〔{year}〕{int(number) if number else BLANK}号"


def build_notice(facts, findings, *, number: str | None = None, month: str | None = None) -> Notice:
    """The notice of `month` (yyyy-mm, default the as-of date's), from the findings judged on the as-of date."""
    as_of, site, profile = facts.as_of, facts.records.site, facts.profile
    year, mon = (int(x) for x in (month or f"{as_of:%Y-%m}").split("-"))
    first = dt.date(year, mon, 1)
    last = min(dt.date(year, mon, calendar.monthrange(year, mon)[1]), as_of)
    names = _Names(facts)
    gaps = [g for g in cadence.gaps(findings, as_of) if g.duty != "contact" and g.staff]
    raised = [g for g in gaps if g.raised_on and first <= g.raised_on <= last]
    missed_by: dict[str, int] = {}
    for g in gaps:
        if first <= g.overdue_on <= last:
            missed_by[g.staff] = missed_by.get(g.staff, 0) + 1
    rows = sorted((_row(g, names) for g in raised),
                  key=lambda r: (names.village_order(r.village), r.cadre, -r.days_overdue, r.subject_id))
    cadres = _cadres(raised, rows, missed_by, names)
    office = site.notice_office or f"{site.name}民政办"
    shown = notice_number(number, site.notice_prefix or "", as_of.year)
    period = f"{year}年{mon}月1日至{last.day}日" if last.month == mon else f"{year}年{mon}月"
    subjects = len({g.subject for g in raised})
    villages = len({r.village for r in rows})
    still_open = len({g.subject for g in raised if g.ongoing})
    missed = sum(missed_by.values())
    doc = f"《{profile.title}》" + (f"（{profile.document_number}）" if profile.document_number else "")
    if profile.notice_cite:
        basis = (f"根据{doc}关于走访频次和监测预警的规定（{profile.notice_cite}），{office}对{period}特殊困难群体"
                 f"关爱帮扶对象的走访情况进行了统计（数据截至{_zh(as_of)}），现将被系统预警的包保责任人通报如下。")
    else:
        basis = (f"根据{doc}关于走访频次的规定，{office}对{period}特殊困难群体关爱帮扶对象的走访情况进行了统计"
                 f"（数据截至{_zh(as_of)}）。该文件未规定通报，本通报列出走访间隔超过预警阈值的包保责任人，供督查使用。")
    if raised:
        situation = (f"{period}，全{site.name}共发生走访预警 {len(raised)} 次，涉及包保责任人 {len(cadres)} 名、"
                     f"关爱帮扶对象 {subjects} 名，分布在 {villages} 个村（社区）；本月走访间隔超过规定最长间隔的共 "
                     f"{missed} 次（含未到预警阈值的）。截至{_zh(as_of)}，被预警的对象中仍有 {still_open} 名未走访。")
        named = (f"以下 {len(cadres)} 名包保责任人被系统预警，予以通报（预警明细附后）。" if profile.notice_cite else
                 f"以下 {len(cadres)} 名包保责任人的走访间隔超过预警阈值，供督查使用（预警明细附后）。")
    else:
        situation = (f"{period}，全{site.name}未发生走访预警；走访间隔超过规定最长间隔的共 {missed} 次"
                     f"（均未到预警阈值）。")
        named = "本月无被预警的包保责任人。"
    requirements = (
        *(("被通报的包保责任人要立即走访被预警的对象并上传走访情况，向民政办书面说明未按时走访的原因。",) if raised else ()),
        f"各村（社区）要督促包保责任人按规定频次走访：{_cadence_text(profile)}。",
        "民政办将跟踪整改情况，在下月通报中说明；对多次被预警的，按有关规定处理。",
    )
    return Notice(office=office, number=shown if (number or "").strip() else "", number_shown=shown,
                  title=f"关于{year}年{mon}月特殊困难群体关爱帮扶走访预警情况的通报", addressee="各村（社区）：",
                  date=as_of, month=f"{year:04d}-{mon:02d}", period=period, basis=basis, situation=situation,
                  named=named, requirements=requirements, cadres=cadres, rows=tuple(rows), warnings=len(raised),
                  subjects=subjects, villages=villages, missed=missed, still_open=still_open)


def _zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _row(gap: cadence.Gap, names: "_Names") -> NoticeRow:
    due = gap.overdue_on - dt.timedelta(days=1)
    return NoticeRow(village=names.village(gap.subject), cadre_name=names.name(gap.staff), cadre_id=gap.staff,
                     post=names.post(gap.staff), subject=names.subject(gap.subject), subject_id=gap.subject,
                     level=names.level(gap.subject), raised_on=gap.raised_on, due=due, days_overdue=(gap.until - due).days,
                     visited=None if gap.ongoing else gap.until)


def _cadres(raised, rows, missed_by: dict, names: "_Names") -> tuple[CadreLine, ...]:
    per: dict[str, list] = {}
    for g in raised:
        per.setdefault(g.staff, []).append(g)
    lines = [CadreLine(village=names.staff_village(s), cadre_name=names.name(s), cadre_id=s, post=names.post(s),
                       warnings=len(gs),
                       subjects=len({g.subject for g in gs}), missed=missed_by.get(s, 0),
                       open=len({g.subject for g in gs if g.ongoing})) for s, gs in per.items()]
    return tuple(sorted(lines, key=lambda c: (-c.warnings, names.village_order(c.village), c.cadre)))


def _cadence_text(profile) -> str:
    """The responsible cadres' visit rules in a sentence: 三级对象至少每 3 天走访一次（超过 5 天预警）；…"""
    parts = []
    for rule in profile.cadence:
        if rule.duty != "responsible":
            continue
        who = "、".join([(profile.level(c).name if profile.level(c) else c) for c in rule.applies_to.levels]
                       + [(profile.category(c).name if profile.category(c) else c)
                          for c in rule.applies_to.categories])
        warn = f"，超过 {rule.warn_after_days} 天预警" if rule.warn_after_days else ""
        parts.append(f"{who or '全部'}对象至少每 {rule.interval_days} 天走访一次{warn}")
    return "；".join(parts) or f"见《{profile.title}》"


class _Names:
    def __init__(self, facts):
        self.facts = facts
        self.villages = {v.id: v.name for v in facts.records.site.villages}
        self.order = {name: i for i, name in enumerate(self.villages.values())}
        self.cases = {c.key: c for c in facts.cases}

    def name(self, staff_id: str) -> str:
        person = self.facts.staff.get(staff_id)
        return person.name if person else "人员名单中没有此人"

    def post(self, staff_id: str) -> str:
        person = self.facts.staff.get(staff_id)
        if person is None:
            return ""
        return person.post or "、".join(vocab.ROLE[r] for r in person.roles)

    def staff_village(self, staff_id: str) -> str:
        person = self.facts.staff.get(staff_id)
        return self.villages.get(person.village, "街道（乡镇）") if person else ""

    def village(self, key: str) -> str:
        case = self.cases.get(key)
        return self.villages.get(case.household.village, case.household.village) if case else ""

    def village_order(self, name: str) -> int:
        return self.order.get(name, len(self.order))

    def subject(self, key: str) -> str:
        case = self.cases.get(key)
        return case.member.name if case else key

    def level(self, key: str) -> str:
        case = self.cases.get(key)
        if case is None:
            return ""
        profile = self.facts.profile
        category = profile.category(case.subject.category)
        level = profile.level(case.subject.level) if case.subject.level else None
        return " ".join(x for x in (category.name if category else case.subject.category,
                                    level.name if level else "") if x)

