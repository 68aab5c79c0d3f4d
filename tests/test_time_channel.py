"""Time is a channel (issue 14): nothing published may change on a day derived from a birth date.

A demo child turns 14 on 2026-11-28, in the middle of a quarter. Builds of the day before and of her birthday must
publish the same 公示 and the same counts, and the attacker of tests/attackkit.py must read the same from both:
two daily builds give no birth date. She is listed from the next quarter's first day."""

from __future__ import annotations

import datetime as dt

import pytest

from careledger.demo import DemoSpec, write_demo
from careledger.identifiers import birth_date_of
from careledger.load import load

from .attackkit import attack, attack_days, build_site, tables_of, verdict
from .publickit import AS_OF, household, jurisdiction

SPEC = DemoSpec(households=60, months=2, seed=5)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("time") / "content"
    write_demo(root, SPEC)
    return root


def fourteenth_birthday(root):
    """(household, member, birthday) of a subject in care who turns 14 after the demo's last day, mid-quarter."""
    records, _ = load(root, today=SPEC.end)
    for household in records.households:
        for subject in household.subjects:
            member = next(m for m in household.members if m.id == subject.member)
            born = member.birth_date or birth_date_of(member.id_number or "")
            if household.status == "active" and born and not subject.exited:
                day = born.replace(year=born.year + 14)
                if SPEC.end < day <= SPEC.end + dt.timedelta(days=30) and day.day != 1:
                    return household, member, day
    raise AssertionError("the demo has no child turning 14 in the month after its last day")


def published(site) -> dict:
    """What the two days may not differ in: every 公示 and count table, and the headline's counts."""
    out = {}
    for path in sorted(site):
        if path.endswith(".html") and (path.startswith("villages/") or path == "index.html"):
            for caption, rows in tables_of(site[path]).items():
                if "公示名单" in caption or caption.startswith(("关爱帮扶对象", "登记家庭")):
                    out[path, caption] = rows
    return out


def test_a_fourteenth_birthday_changes_nothing_published(demo):
    household, member, birthday = fourteenth_birthday(demo)
    before, records_before, view_before = build_site(demo, birthday - dt.timedelta(days=1))
    after, records_after, view_after = build_site(demo, birthday)
    assert published(before) == published(after)
    assert (view_before.headline.subjects, view_before.headline.children) == \
        (view_after.headline.subjects, view_after.headline.children)
    village = next(v for v in view_after.villages if v.id == household.village)
    assert len(next(v for v in view_before.villages if v.id == household.village).entries) == len(village.entries)
    # the attacker reads the same numbers from both days: the pair says nothing a single build does not
    a, b = attack(before, view_before.k, statuses=False), attack(after, view_after.k, statuses=False)
    assert [(r.table, r.row, r.column, r.low, r.high, r.floor) for r in a.cells] == \
        [(r.table, r.row, r.column, r.low, r.high, r.floor) for r in b.cells]
    # read together (status rows, gap bands, and the weekly charts telling each village's visits that day), the two
    # days pin nothing about fewer than k subjects
    figures = verdict(attack_days([before, after], view_after.k), [records_before, records_after],
                      [birthday - dt.timedelta(days=1), birthday], view_after.k)
    for failure in ("pinned_small", "pinned_exactly", "zero_bounded", "rates_pinned", "warnings_pinned",
                    "bands_pinned", "small_rows_shown"):
        assert figures[failure] == [], failure


def test_she_is_listed_from_the_next_quarter(demo):
    household, member, birthday = fourteenth_birthday(demo)
    first = (birthday.month - 1) // 3 * 3 + 1  # the first month of her birthday's quarter, then of the next
    quarter = dt.date(birthday.year + (first == 10), first % 12 + 3 if first != 10 else 1, 1)
    before, _, view_before = build_site(demo, quarter - dt.timedelta(days=1))
    after, _, view_after = build_site(demo, quarter)

    def listed(view):
        return len(next(v for v in view.villages if v.id == household.village).entries)

    assert listed(view_after) == listed(view_before) + 1


def test_an_entry_shows_the_month_of_enrolment_and_no_child_policy(tmp_path):
    """A grandmother in care whose household also draws 事实无人抚养儿童 support for a grandchild: her entry must not
    say so (the policy tells that a child lives there), and it shows the month she was enrolled, not the day."""
    grandmother = household("h2u", "v2", "沈桂兰", "1950-03-03", "female", "2", "1",
                            "policies: [dibao, unsupported_child]\n", n=60, seq=2)
    root = jurisdiction(tmp_path / "content", extra={"households/v2/h2u.yaml": grandmother})
    site, records, view = build_site(root, AS_OF)
    entry = next(e for v in view.villages for e in v.entries if e.name == "沈*")
    assert entry.policies == ("低保对象",) and entry.enrolled == "2025-01"
    page = site["villages/v2.html"].decode("utf-8")
    assert "事实无人抚养儿童" not in page and "2025-01-01" not in page
    assert "事实无人抚养儿童" not in site["search-index.js"].decode("utf-8")
