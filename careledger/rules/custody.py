"""Fund custody (保障资金代管): who holds a subject's benefit money, and the ledger of it.

Qiandongnan 五（三）: a subject of the profile's groups who has no civil capacity (`civil_capacity: none`) and no
working guardian has a custodian elected by the villagers' meeting from party members and elders; a head of the
village committees is not a custodian, nor is the subject's caregiver; the caregiver draws daily expenses from the
custodian; the ledger is complete and the village checks it regularly.

A *working guardian* is a supporter of the household with `guardian: true` whose `fulfils_duty` is not `false`.
A supporter with `for_members` is the guardian of those subjects only; without it, of every subject of the household.

The ledger checks run in every profile, wherever a ledger exists: the running balance from `opening_balance` (0 when
absent) in the order the entries are written, with entries dated after the as-of date left out. An entry that states a
`balance` (a `kind: balance` assertion, or the balance column of an income or expense line) must equal the running
balance after it. The village check interval needs the profile's `custody.village_check_days`; it is counted from the
election date (else the first entry, and never before the site's `records_since`) to the as-of date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterable

from .. import vocab
from ..findings import ERROR, WARNING, Finding
from ..policy import CUSTODIAN_POOL, CustodyPolicy
from .cases import Case, person

CODES = {
    "CUS-NO-CUSTODIAN": (ERROR, "无民事行为能力且无监护人（或监护人不能履职）的对象没有保障资金代管人"),
    "CUS-NO-LEDGER": (ERROR, "已安排保障资金代管人，但没有代管收支台账"),
    "CUS-LEDGER-CUSTODIAN": (WARNING, "代管台账记载的代管人与包保安排中的代管人不一致"),
    "CUS-EXCLUDED-ROLE": (ERROR, "代管人担任了不得担任代管人的职务（村（居）两委负责人）"),
    "CUS-NOT-ELECTABLE": (WARNING, "代管人不在推选范围内（既不是党员也不是寨老）"),
    "CUS-IS-CAREGIVER": (ERROR, "代管人同时是该对象的照料护理人"),
    "CUS-NEGATIVE": (ERROR, "这笔支出使代管资金余额成为负数"),
    "CUS-BALANCE": (ERROR, "台账写明的余额与按收支逐笔计算的余额不符"),
    "CUS-NO-DRAWER": (ERROR, "支出没有写明支取人"),
    "CUS-DRAWER-NOT-CAREGIVER": (WARNING, "支取人不是该对象的照料护理人（日常开支应由照料护理人向代管人支取）"),
    "CUS-ORDER": (WARNING, "收支记录没有按日期先后登记"),
    "CUS-NO-CHECKER": (WARNING, "村委会检查没有写明检查人，不计入定期检查"),
    "CUS-CHECK-OVERDUE": (WARNING, "村（居）委会检查台账的间隔已超过规定天数，至今未检查"),
    "CUS-CHECK-LATE": (WARNING, "过去两次检查之间的间隔超过了规定天数（已由后来的检查结束）"),
}

ZERO = Decimal("0")


def check(facts) -> Iterable[Finding]:
    policy: CustodyPolicy | None = facts.profile.custody
    ledgers = {(ledger.household, ledger.subject): ledger for ledger in facts.records.custody}
    cases = {case.key: case for case in facts.cases}
    if policy is not None:
        for case in facts.in_care:
            if needs_custody(case, policy):
                yield from _custodian(case, ledgers.get((case.household.id, case.member.id)), policy, facts)
    for ledger in facts.records.custody:
        case = cases.get(f"{ledger.household}/{ledger.subject}")
        yield from _ledger(ledger, case, facts)
        if policy is not None and case is not None and case.in_care_on(facts.as_of):
            yield from _village_checks(ledger, case, policy, facts)


def needs_custody(case: Case, policy: CustodyPolicy) -> bool:
    """In the custody groups, without civil capacity, and without a guardian who does the job."""
    return (policy.required_for.matches(**case.selector_facts())
            and case.member.civil_capacity == "none"
            and not working_guardians(case))


def working_guardians(case: Case) -> list:
    return [s for s in supporters_of(case) if s.guardian and s.fulfils_duty is not False]


def supporters_of(case: Case) -> list:
    """The household's supporters who support this subject: those naming it in `for_members`, or naming nobody."""
    return [s for s in case.household.supporters if not s.for_members or case.member.id in s.for_members]


def subject_path(case: Case) -> str:
    """The subject's field path in its household file, e.g. subjects[0]."""
    return f"subjects[{case.household.subjects.index(case.subject)}]"


def _custodian(case: Case, ledger, policy: CustodyPolicy, facts) -> Iterable[Finding]:
    assigned = case.subject.assigned
    custodian = (assigned.custodian if assigned else None) or (ledger.custodian if ledger else None)
    base = {"rule": policy.cite}
    where = subject_path(case)
    slot_source = assigned.source if assigned else case.subject.source
    if not custodian:
        guardians = [s.name for s in supporters_of(case) if s.guardian]
        yield Finding("CUS-NO-CUSTODIAN", ERROR,
                      f"{case.label()} 无民事行为能力，且"
                      + ("监护人不能正常履行职责" if guardians else "无监护人")
                      + "，应由村民会议推选保障资金代管人，包保安排中未写代管人（custodian）",
                      slot_source, path=f"{where}.assigned.custodian", subject=case.key,
                      evidence={**base, "civil_capacity": case.member.civil_capacity,
                                "guardians_not_fulfilling": guardians})
        return
    if ledger is None:
        yield Finding("CUS-NO-LEDGER", ERROR,
                      f"{case.label()} 的保障资金代管人 {_person(facts, custodian)} 没有代管收支台账"
                      f"（应建立 custody/{case.household.village}/{case.household.id}-{case.member.id}.yaml）",
                      slot_source, path=f"{where}.assigned.custodian", subject=case.key, staff=custodian,
                      evidence={**base, "custodian": custodian})
    elif assigned is None or assigned.custodian != ledger.custodian:
        written = assigned.custodian if assigned and assigned.custodian else "（未写）"
        yield Finding("CUS-LEDGER-CUSTODIAN", WARNING,
                      f"代管台账记载的代管人 {_person(facts, ledger.custodian)} 与包保安排中的代管人 "
                      f"{_person(facts, written) if assigned and assigned.custodian else written} 不一致",
                      ledger.source, path="custodian", subject=case.key, staff=ledger.custodian,
                      evidence={**base, "ledger_custodian": ledger.custodian,
                                "assigned_custodian": assigned.custodian if assigned else None})
    staff = facts.staff.get(custodian)
    if staff is not None:
        excluded = [r for r in staff.roles if r in policy.excluded_roles]
        posts = excluded_posts(staff.post, policy.excluded_posts)
        if excluded or posts:
            what = "、".join([vocab.ROLE[r] for r in excluded] + [f"职务“{staff.post}”" for _ in posts[:1]])
            yield Finding("CUS-EXCLUDED-ROLE", ERROR,
                          f"保障资金代管人 {staff.name}（{custodian}）是{what}，属村（居）两委负责人，原则上不能担任代管人"
                          f"（{policy.cite}）",
                          slot_source, path=f"{where}.assigned.custodian", subject=case.key, staff=custodian,
                          evidence={**base, "custodian": custodian, "roles": excluded,
                                    **({"posts": posts} if posts else {})})
        if policy.custodian_pool and not any(getattr(staff, flag) for flag in policy.custodian_pool):
            pool = "或".join(CUSTODIAN_POOL[p] for p in policy.custodian_pool)
            yield Finding("CUS-NOT-ELECTABLE", WARNING,
                          f"保障资金代管人 {staff.name}（{custodian}）不是{pool}，应从{pool}中推选",
                          slot_source, path=f"{where}.assigned.custodian", subject=case.key, staff=custodian,
                          evidence={**base, "custodian": custodian, "pool": list(policy.custodian_pool)})
    caregiver = assigned.caregiver if assigned else None
    if policy.custodian_not_caregiver and caregiver and caregiver == custodian:
        yield Finding("CUS-IS-CAREGIVER", ERROR,
                      f"{_person(facts, custodian)} 既是 {case.member.name}（{case.key}）的保障资金代管人又是照料护理人，"
                      "原则上不能兼任",
                      slot_source, path=f"{where}.assigned.caregiver", subject=case.key, staff=custodian,
                      evidence={**base, "custodian": custodian, "caregiver": caregiver})


def excluded_posts(post: str | None, listed: tuple) -> list[str]:
    """The entries of `listed` that the post contains, other than as a deputy's (副…)."""
    if not post:
        return []
    return [word for word in listed if any(i == 0 or post[i - 1] != "副"
                                           for i in _find_all(post, word))]


def _find_all(text: str, word: str):
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


def _person(facts, staff_id: str) -> str:
    return person(facts.staff, staff_id)


def _ledger(ledger, case: Case | None, facts) -> Iterable[Finding]:
    key = f"{ledger.household}/{ledger.subject}"
    cite = facts.profile.custody.cite if facts.profile.custody else None
    caregiver = case.subject.assigned.caregiver if case and case.subject.assigned else None
    balance = ledger.opening_balance if ledger.opening_balance is not None else ZERO
    latest: dt.date | None = None
    for i, entry in enumerate(ledger.entries):
        if entry.date > facts.as_of:
            continue
        where = {"source": entry.source, "path": f"entries[{i}]", "subject": key}
        if latest is not None and entry.date < latest:
            yield Finding("CUS-ORDER", WARNING,
                          f"{entry.date} 的记录登记在 {latest} 的记录之后，收支应按日期先后登记",
                          **where, staff=ledger.custodian,
                          evidence={"date": entry.date.isoformat(), "after": latest.isoformat()})
        latest = max(latest, entry.date) if latest else entry.date
        before = balance
        if entry.kind == "income":
            balance += entry.amount
        elif entry.kind == "expense":
            balance -= entry.amount
            yield from _drawer(entry, where, caregiver, ledger, facts)
        if balance < ZERO <= before:
            yield Finding("CUS-NEGATIVE", ERROR,
                          f"{entry.date} 支出 {entry.amount} 元后余额为 {balance} 元（支出前 {before} 元），代管资金不能透支",
                          **where, staff=ledger.custodian,
                          evidence={"date": entry.date.isoformat(), "amount": str(entry.amount),
                                    "balance_before": str(before), "balance_after": str(balance), "rule": cite})
        if entry.balance is not None and entry.balance != balance:
            yield Finding("CUS-BALANCE", ERROR,
                          f"{entry.date} 台账写明余额 {entry.balance} 元，按期初余额和逐笔收支计算应为 {balance} 元，"
                          f"相差 {entry.balance - balance} 元",
                          **where, staff=ledger.custodian,
                          evidence={"date": entry.date.isoformat(), "expected": str(entry.balance),
                                    "actual": str(balance), "difference": str(entry.balance - balance),
                                    "rule": cite})
        if entry.kind == "check" and not entry.checked_by:
            yield Finding("CUS-NO-CHECKER", WARNING, f"{entry.date} 的村委会检查没有写明检查人（checked_by），不计入定期检查",
                          **where, evidence={"date": entry.date.isoformat(), "rule": cite})


def _drawer(entry, where: dict, caregiver: str | None, ledger, facts) -> Iterable[Finding]:
    evidence = {"date": entry.date.isoformat(), "amount": str(entry.amount), "item": entry.item}
    if not entry.drawn_by:
        yield Finding("CUS-NO-DRAWER", ERROR,
                      f"{entry.date} 支出 {entry.amount} 元（{entry.item or '未写摘要'}）没有写明支取人（drawn_by）",
                      **where, staff=ledger.custodian, evidence=evidence)
    elif caregiver and entry.drawn_by != caregiver:
        yield Finding("CUS-DRAWER-NOT-CAREGIVER", WARNING,
                      f"{entry.date} 支出 {entry.amount} 元由 {_person(facts, entry.drawn_by)} 支取，"
                      f"不是照料护理人 {_person(facts, caregiver)}；"
                      "日常生活开支应由照料护理人向代管人支取",
                      **where, staff=entry.drawn_by,
                      evidence={**evidence, "drawn_by": entry.drawn_by, "caregiver": caregiver})


def _village_checks(ledger, case: Case, policy: CustodyPolicy, facts) -> Iterable[Finding]:
    dated = [e.date for e in ledger.entries if e.date <= facts.as_of]
    start = ledger.elected or (min(dated) if dated else None)
    if start is None or start > facts.as_of:
        return
    since = facts.records.site.records_since
    if since and since > start:
        start = since
    checks = sorted((e for e in ledger.entries
                     if e.kind == "check" and e.checked_by and start <= e.date <= facts.as_of), key=lambda e: e.date)
    limit = policy.village_check_days
    key = f"{ledger.household}/{ledger.subject}"
    last, last_check = start, None
    for entry in [*checks, None]:
        until = entry.date if entry else facts.as_of
        if until > last + dt.timedelta(days=limit):  # (dates compared: a count changes every day, daywatch.py)
            gap = (until - last).days
            evidence = {"from": last.isoformat(), "until": until.isoformat(), "gap_days": gap, "limit_days": limit,
                        "overdue_days": gap - limit, "last_check": last_check.date.isoformat() if last_check else None,
                        "rule": policy.cite}
            since_text = (f"上次检查 {last_check.date}，{_person(facts, last_check.checked_by)}" if last_check
                          else f"自 {last} 起未检查")
            if entry is None:
                yield Finding("CUS-CHECK-OVERDUE", WARNING,
                              f"村（居）委会已 {gap} 天未检查代管台账（{since_text}），超过规定的 {limit} 天 {gap - limit} 天",
                              ledger.source, subject=key, evidence=evidence)
            else:
                yield Finding("CUS-CHECK-LATE", WARNING,
                              f"{last} 至 {until} 村（居）委会 {gap} 天未检查代管台账，超过规定的 {limit} 天 {gap - limit} 天",
                              entry.source, subject=key, evidence=evidence)
        if entry:
            last, last_check = entry.date, entry
