"""A dossier states its findings with their fixed dates (careledger/views/dossier_dates.py), so a new day that leaves a
household's findings as they were leaves its printed text, and so its PDF, as it was (issue 16's paper target)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from careledger.pipeline import check_records
from careledger.rules import Facts
from careledger.views.dossier import build_dossiers
from careledger.views.dossier_dates import PATTERNS, dated

DEMO = Path(__file__).resolve().parent.parent / "content"
COUNT = re.compile(r"(已|至今|还剩|过期) ?\d+ ?天")


def findings_by_household(day: dt.date) -> dict[str, dict[tuple, str]]:
    records, findings = check_records(DEMO, as_of=day)
    out = {}
    for d in build_dossiers(Facts(records, records.profile, day), findings):
        rows: dict[tuple, list[str]] = {}
        for f in d.findings:
            rows.setdefault((f.code, f.subject, f.staff), []).append(f.message)
        out[d.household_id] = {key: sorted(messages) for key, messages in rows.items()}
    return out


@pytest.mark.parametrize("day", ["2026-11-23", "2026-12-20", "2027-03-10"])
def test_a_finding_that_holds_on_two_days_prints_the_same_words(day):
    """The demo judged on a day and on the next: each finding of a household that both days raise prints the same
    message, and no printed message counts days up to the as-of date. Later days raise more (overdue visits, expired
    agreements, open problems and checks), so the rules' wordings that move with the day all show up."""
    first = dt.date.fromisoformat(day)
    a, b = findings_by_household(first), findings_by_household(first + dt.timedelta(days=1))
    both = 0
    for household, rows in a.items():
        for key, messages in rows.items():
            assert not [m for m in messages if COUNT.search(m)], (household, messages)
            if key in b[household]:
                both += 1
                assert messages == b[household][key], (household, key)
    assert both > 20


def test_each_wording_keeps_its_dates_and_drops_its_count():
    cases = {
        ("CAD-ALERT", "预警：包保责任人已 24 天未走访（上次走访 2026-10-30），规定至少每 15 天走访一次，2026-11-20 起超过预警阈值 20 天"):
            "预警：包保责任人未走访（上次走访 2026-10-30），规定至少每 15 天走访一次，2026-11-20 起超过预警阈值 20 天",
        ("CAD-OVERDUE", "包保责任人已 9 天未走访（自 2026-11-01 起未走访），超过规定的最长间隔 7 天（2026-11-09 起），预警阈值 10 天"):
            "包保责任人自 2026-11-01 起未走访，超过规定的最长间隔 7 天（2026-11-09 起），预警阈值 10 天",
        ("CAD-MONTH-AT-RISK", "2026-11 还剩 3 天（含 2026-11-28），包保责任人走访 1 次，每月至少 2 次，还差 1 次；包保责任人 甲"):
            "2026-11 月底前，包保责任人走访 1 次，每月至少 2 次，还差 1 次；包保责任人 甲",
        ("AGR-EXPIRING", "张三 的帮扶协议 a1 将于 2026-12-31 到期，还剩 20 天，请及时续签"):
            "张三 的帮扶协议 a1 将于 2026-12-31 到期，请及时续签",
        ("AGR-EXPIRED", "张三 的帮扶协议 a1 已于 2026-10-31 到期（过期 23 天），未续签"):
            "张三 的帮扶协议 a1 已于 2026-10-31 到期，未续签",
        ("FOUR-HAVES-MISSING", "张三 缺少“四有”中的“有定期探访记录”：最近一次走访在 2026-09-01，已 83 天无探访记录，超过 31 天"):
            "张三 缺少“四有”中的“有定期探访记录”：最近一次走访在 2026-09-01，此后无探访记录，超过 31 天",
        ("FOUR-HAVES-MISSING", "张三 缺少“四有”中的“有定期探访记录”：自 2026-09-01 起没有探访记录（83 天），超过 31 天"):
            "张三 缺少“四有”中的“有定期探访记录”：自 2026-09-01 起没有探访记录，超过 31 天",
        ("VIS-NOT-SEEN", "李四 2026-11-01 上门走访 张三未见到本人，至今 22 天没有见到本人的走访：须再次上门（某文件）"):
            "李四 2026-11-01 上门走访 张三未见到本人，此后没有见到本人的走访：须再次上门（某文件）",
        ("CUS-CHECK-OVERDUE", "村（居）委会已 40 天未检查代管台账（上次检查 2026-10-01，李四），超过规定的 30 天 10 天"):
            "村（居）委会未检查代管台账（上次检查 2026-10-01，李四），超过规定的 30 天",
        ("CARE-REVIEW-DUE", "张三完全不能自理（照料护理人 李四），照料护理情况已 100 天未经乡镇（街道）评估（上次评估 2026-08-01；每 90 天至少一次，某文件）"):
            "张三完全不能自理（照料护理人 李四），照料护理情况未经乡镇（街道）评估（上次评估 2026-08-01；每 90 天至少一次，某文件）",
        ("PRB-RISK-OPEN", "户 h1 2026-11-01 走访发现的问题 p1“屋顶漏雨”是重大风险隐患，已 22 天未消除，已过限期 2026-11-10 13 天；请包保责任人立即处置"):
            "户 h1 2026-11-01 走访发现的问题 p1“屋顶漏雨”是重大风险隐患，至今未消除，已过限期 2026-11-10；请包保责任人立即处置",
        ("PRB-OVERDUE", "户 h1 2026-11-01 走访发现的问题 p1“屋顶漏雨”限期 2026-11-10，已过期 13 天仍未办结"):
            "户 h1 2026-11-01 走访发现的问题 p1“屋顶漏雨”限期 2026-11-10，已过期仍未办结",
        ("PRB-OPEN-LONG", "户 h1 2026-10-01 走访发现的问题 p1“屋顶漏雨”未定限期，已 53 天仍未办结（超过 30 天）"):
            "户 h1 2026-10-01 走访发现的问题 p1“屋顶漏雨”未定限期，发现后超过 30 天仍未办结",
        ("ASG-STAFF-NOT-STARTED", "包保责任人 李四（s1）的任职日期为 2026-12-01，检查日 2026-11-23 尚未到任"):
            "包保责任人 李四（s1）的任职日期为 2026-12-01，尚未到任",
    }
    assert {code for code, _ in cases} == set(PATTERNS)
    for (code, message), printed in cases.items():
        assert dated(code, message) == printed, code
    finished = "包保责任人走访间隔 12 天（2026-10-01 至 2026-10-13），超过规定的最长间隔 7 天（2026-10-09 起）"
    assert dated("CAD-OVERDUE-PAST", finished) == finished  # a finished span does not move with the day
