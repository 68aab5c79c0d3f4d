"""A complete synthetic jurisdiction for demonstrations and the scale test: `careledger demo DIR`.

`write_demo(directory, spec)` writes site.yaml, staff, households, visits, inspections, custody ledgers and a few
notice pages that `careledger.load.load` reads without errors, shaped by the chosen policy profile: every category
and level appears, staff roles fit the assignment rules, and visits follow the profile's cadence with a few
deliberate lapses (overdue subjects, late gaps, open problems, a failing contact, expiring agreements).

All data is invented: names from character lists, ID numbers in the synthetic region 99 with valid check digits,
fictional phones. The same spec always gives byte-identical files (one `random.Random(seed)`, no clock, no
set-order dependence). Records are written as text by a small emitter, because the scale test writes a million
visits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
from pathlib import Path

import click

from .. import vocab
from ..policy import load_profile
from . import oversight
from .activity import Visits
from .documents import Documents
from .emit import document
from .names import People
from .pages import pages
from .plan import Planner, make_villages
from ..rules.periods import add_months
from .world import World, rand_date

__all__ = ["DemoSpec", "write_demo"]

HEADER = "演示数据：由 careledger demo 生成。姓名、身份证号（地区码 99 开头）、电话均为虚构。"
PERIOD_NOTES = {"extreme_weather": ("寒潮降温", 7), "disaster": ("暴雨洪涝", 5), "emergency": ("突发公共事件应急响应", 7),
                "dry_season": ("季节性缺水，送水上门", 30), "festival": ("春节前后走访慰问", 7),
                "political": ("重要会议期间", 7), "epidemic": ("呼吸道传染病流行期", 14)}


@dataclasses.dataclass(frozen=True)
class DemoSpec:
    households: int = 60
    months: int = 6
    seed: int = 1
    profile: str = "wangcheng-2020"
    end: dt.date = dt.date(2026, 11, 23)  # last day with records


class _Writer:
    """Writes each file once, whole, creating folders as needed; counts the files. Plain os.open/os.write: the
    scale test writes tens of thousands of files, and the buffered text layer costs more than the writing."""

    def __init__(self, root: Path):
        self.root = str(root)
        self.made: set[str] = set()
        self.files = 0

    def write(self, rel: str, text: str) -> None:
        folder = rel.rpartition("/")[0]
        if folder not in self.made:
            os.makedirs(os.path.join(self.root, folder), exist_ok=True)
            self.made.add(folder)
        fd = os.open(os.path.join(self.root, rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, text.encode("utf-8"))
        finally:
            os.close(fd)
        self.files += 1

    def visits(self, rel: str, items: list[tuple[str, str]]) -> None:
        """One visitor's visit file of one month: (ISO date, entry text) in date order."""
        self.write(rel, "\n".join(text for _, text in items) + "\n")

    def ledger(self, rel: str, ledger: dict) -> None:
        """A custody ledger (`demo --git` commits it month by month)."""
        self.write(rel, document(ledger))


def _refuse_non_empty(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise click.ClickException(f"{directory} 已存在且不是目录：演示数据只能写入新目录或空目录")
    if directory.is_dir() and any(directory.iterdir()):
        raise click.ClickException(f"目录 {directory} 不是空的：演示数据只写入新目录或空目录，以免覆盖已有记录")


def _special_periods(rng: random.Random, profile, start: dt.date, end: dt.date) -> list[dict]:
    kinds = ["extreme_weather"]
    for rule in profile.special_periods:
        if rule.kinds[0] not in kinds:
            kinds.append(rule.kinds[0])
    out = []
    span = (end - start).days
    for kind in kinds:
        note, days = PERIOD_NOTES[kind]
        days = min(days, max(1, span // 3))
        first = rand_date(rng, start + dt.timedelta(days=min(14, span // 4)), end - dt.timedelta(days=days + 3))
        first = max(start, min(first, end))
        if kind == "extreme_weather" and 5 <= first.month <= 9:
            note = "持续高温"
        out.append({"kind": kind, "start": first, "end": min(end, first + dt.timedelta(days=days - 1)),
                    "note": note})
    out.sort(key=lambda p: (p["start"], p["kind"]))
    return out


def write_demo(directory: Path, spec: DemoSpec, out: _Writer | None = None) -> dict[str, int]:
    """Write the demo jurisdiction into `directory` (new or empty); return counts keyed by Chinese names.
    `out` receives the files instead (`demo --git` collects them to commit them over time)."""
    directory = Path(directory)
    _refuse_non_empty(directory)
    profile, findings = load_profile(spec.profile, today=spec.end)
    if profile is None or any(f.is_error for f in findings):
        problems = "；".join(f.message for f in findings if f.is_error)
        raise click.ClickException(f"政策档案“{spec.profile}”无法使用：{problems}")
    if spec.households < 1 or spec.months < 1:
        raise click.ClickException("户数和月数都至少为 1")

    rng = random.Random(spec.seed)
    end = spec.end
    start = add_months(end, -spec.months) + dt.timedelta(days=1)
    people = People(rng, end)
    villages = make_villages(rng, max(3, round(spec.households / 10)), spec.households)
    for text in ("示范街道", "示范县", profile.title, *(v.name for v in villages),
                 *(t for c in profile.categories for t in (c.name, c.description) if t),
                 *(t for lv in profile.levels for t in (lv.name, lv.description) if t),
                 *vocab.POLICY.values(), *vocab.HOUSEHOLD_STATUS.values()):
        people.publish(text)
    plans = Planner(rng, profile, start, end).plan(villages)
    world = World(rng, people, profile, start, end, villages)
    world.make_street()
    for village in villages:
        world.make_village_staff(village)

    office_phone = f"0999-{rng.randrange(5000000, 5999999)}"
    periods = _special_periods(rng, profile, start, end)
    site = {"name": "示范街道", "parent": "示范县", "profile": profile.id, "synthetic_ids": True,
            "demo_as_of": end,  # the demo is checked and built as of its own last day unless --as-of says otherwise
            "office_phone": office_phone, "records_since": start,
            "villages": [{"id": v.id, "name": v.name, "kind": v.kind if v.kind != "village" else None,
                          "groups": v.groups} for v in villages],
            "special_periods": periods}
    # No key of the public ids here: a real office keeps its key outside the records (careledger keygen); the
    # demo is synthetic and builds with the fixed demo key and a warning (careledger/idkey.py).
    documents = Documents(spec.seed, profile, world, start, end)  # issue 15: content, payments, reports, …
    site.update(documents.site())
    out = out if out is not None else _Writer(directory)
    out.write("site.yaml", document(site, HEADER))

    weak = next((s.id for v in villages for s in world.staff[v.id] if "contact" in s.roles), None)
    visits = Visits(rng, profile, world, [(p["kind"], p["start"], p["end"]) for p in periods], start, end, weak)
    street_bucket: dict[str, list] = {}
    cases = []
    counts = {"户": len(plans), "对象": 0, "成员": 0}
    ledgers = 0
    for village in villages:
        bucket: dict[str, list] = {}
        for plan in village.households:
            record, subjects = world.household(plan)
            documents.household(record, plan, subjects)
            out.write(f"households/{village.id}/{plan.id}.yaml", document(record))
            counts["对象"] += len(subjects)
            counts["成员"] += len(record["members"])
            visits.household(plan, subjects, bucket, street_bucket)
            cases += [(plan, s) for s in subjects]
            for subject in subjects:
                if subject["custodian"]:
                    # the first ledger has a lapse: one expense drawn by the custodian, not the caregiver
                    ledger = oversight.custody_ledger(rng, profile, plan, subject, start, end, lapse=not ledgers)
                    out.ledger(f"custody/{village.id}/{plan.id}-{subject['member']}.yaml", ledger)
                    ledgers += 1
        _flush(out, visits, bucket)
    for visitor, day, text in oversight.spot_checks(rng, profile, world, cases, start, end):
        street_bucket.setdefault(visitor, []).append((day.toordinal(), text))
        visits.count += 1
    _flush(out, visits, street_bucket)

    inspection_files: dict[str, list] = {}
    inspections = oversight.inspections(rng, profile, world, cases, start, end, weak)
    for inspector, record in inspections:
        inspection_files.setdefault(inspector, []).append((record["date"], record))
    for inspector in sorted(inspection_files):
        by_month: dict[str, list] = {}
        for day, record in sorted(inspection_files[inspector], key=lambda x: (x[0], x[1]["household"])):
            by_month.setdefault(f"{day:%Y-%m}", []).append(record)
        for month in sorted(by_month):
            out.write(f"inspections/{month}/{inspector}.yaml", document(by_month[month]))

    _office_phones(world, villages, office_phone)
    for unit in [""] + [v.id for v in villages]:
        out.write(f"staff/{unit or 'street'}.yaml", document([s.record() for s in world.staff[unit]]))
    for slug, text in pages("示范街道", profile, office_phone, world.staff[""]).items():
        out.write(f"pages/{slug}.md", text)

    staff_count = sum(len(v) for v in world.staff.values())
    return {**counts, "村（社区）": len(villages), "人员": staff_count, "走访": visits.count,
            "督查": len(inspections), "代管台账": ledgers, "页面": 3, "文件": out.files}


def _office_phones(world: World, villages, office_phone: str) -> None:
    """Street cadres answer on the street office's phone; village principals and area cadres on their village
    committee's landline (derived from the index, so no random draw changes the rest of the demo)."""
    area = office_phone.split("-")[0]
    for village in villages:
        landline = f"{area}-53{60 + village.index % 40:02d}{village.index * 37 % 1000:03d}"
        for staff in world.staff[village.id]:
            if {"principal", "area_cadre"} & set(staff.roles):
                staff.office_phone = landline
    for staff in world.staff[""]:
        if "street_cadre" in staff.roles:
            staff.office_phone = office_phone


def _flush(out: _Writer, visits: Visits, bucket: dict[str, list]) -> None:
    """One file per visitor and month, the visits in date order."""
    for visitor in sorted(bucket):
        by_month: dict[str, list] = {}
        for day, text in sorted(bucket[visitor], key=lambda x: x[0]):
            iso = visits.iso(day)
            by_month.setdefault(iso[:7], []).append((iso, text))
        for month in sorted(by_month):
            out.visits(f"visits/{month}/{visitor}.yaml", by_month[month])
