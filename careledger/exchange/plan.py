"""`plan_workbook`: the changes a workbook's ledgers make to the records, and every row it cannot use, with why.

Rows are taken in order (staff first, so that households and visits can name people the same workbook adds, then
subjects and households, then visits). Each row's change is checked at once through `entry.write.check_change`,
exactly as `visit add` checks an entry, against the records as they would be with the rows before it; a row that
would add an error is refused with the loader's own messages, and nothing of it is planned. Several rows may go to
one file (two subjects of a household, a month of one person's visits): the plan has one `Change` per file.

An empty cell never clears a value: a ledger says what it knows. A row about an existing record that says nothing
new plans nothing; one that differs is a problem unless `update`, and then the change is planned (the command
shows its field diff). Existing files keep their text: entries are appended, or with `update` one entry is written
anew (a household file is one entry, so it is written anew whole, without its comments).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click

from ..bulkread import Settings, read_raw
from ..entry.write import Change, check_change, describe, job_for, replaced
from ..entry.yamltext import document, list_item
from . import resolve
from .diff import field_diff
from .entries import append_item, replace_item
from .layouts import STAFF, SUBJECTS, VISITS
from .pairs import to_pairs
from .sheets import Row, read_ledgers

DATE_KEYS = ("birth_date", "enrolled", "since", "left", "status_date")
_LOOSE_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
SUBJECT_KEYS = ("category", "level", "key_person", "support_mode", "enrolled", "responsible", "contact")
MEMBER_KEYS = ("name", "relation", "sex", "birth_date", "id_number", "phone", "landline", "marital_status")


class RowProblem(ValueError):
    """Why a row cannot be used: (column key or None, Chinese reason)."""

    def __init__(self, key: str | None, reason: str):
        super().__init__(reason)
        self.key, self.reason = key, reason


def plan_workbook(path: Path, records, findings, today: dt.date, update: bool) -> tuple[list[Change], list[str]]:
    planner = Planner(records, findings, today, update)
    ledgers = read_ledgers(path)
    for kind, take in ((STAFF, planner.take_staff), (SUBJECTS, planner.take_subject), (VISITS, planner.take_visit)):
        for ledger in ledgers:
            if ledger.kind != kind:
                continue
            for row in ledger.rows:
                _iso_dates(row.values)
                _codes(row.values)
                if row.problems:
                    planner.problems += row.problems
                    continue
                try:
                    take(row)
                except RowProblem as p:
                    planner.problems.append(f"{row.where(p.key)}：{p.reason}")
                except resolve.Unresolved as exc:
                    planner.problems.append(f"{row.where()}：{exc}")
    return planner.changes(), planner.problems


class Planner:
    def __init__(self, records, findings, today: dt.date, update: bool):
        self.records, self.findings, self.today, self.update = records, findings, today, update
        self.problems: list[str] = []
        self.files: dict[str, list] = {}  # rel -> [bytes before the import, planned bytes, first line changed]
        self.created: set = set()  # keys of what this import adds: changing them again needs no --update

    # --- files -----------------------------------------------------------------------------------------------

    def current(self, rel: str) -> bytes | None:
        if rel in self.files:
            return self.files[rel][1]
        path = self.records.root / rel
        return path.read_bytes() if path.exists() else None

    def propose(self, rel: str, new: bytes, line: int) -> list:
        """The file's records as they would be read, or RowProblem with the errors the change would add."""
        change = Change(rel, self.current(rel), new, line)
        parsed, added = check_change(self.records, self.findings, change, self.today)
        if added:
            raise RowProblem(None, "写入后记录有错误，这一行未采用：" + "；".join(describe(f) for f in added))
        return parsed

    def accept(self, rel: str, new: bytes, line: int, parsed: list) -> None:
        if rel in self.files:
            self.files[rel][1] = new
            self.files[rel][2] = min(self.files[rel][2], line)
        else:
            self.files[rel] = [self.current(rel), new, line]
        self.records = replaced(self.records, rel, parsed)

    def changes(self) -> list[Change]:
        return [Change(rel, old, new, line) for rel, (old, new, line) in self.files.items() if old != new]

    def unchanged(self, rel: str, record, pairs: dict, whole: bool = False) -> bool:
        """Whether `pairs` read as the loader reads them is `record` again (no need to check the whole file)."""
        text = document(pairs) if whole else ("\n".join(list_item(pairs, 0)) + "\n").encode("utf-8")
        parsed, found = read_raw(text, self.records.root, job_for(rel),
                                 Settings(self.today, self.records.site.synthetic_ids))
        return len(parsed) == 1 and parsed[0] == record and not any(f.is_error for f in found)

    def settle(self, key, old_record, new_record, what: str) -> bool:
        """Whether to plan a change to an existing record: not when equal; a problem when it differs without
        --update (unless this import made the record)."""
        if old_record == new_record:
            return False
        if key not in self.created and not self.update:
            lines = "；".join(field_diff(old_record, new_record, people=self.records.staff_by_id))
            raise RowProblem(None, f"{what}已有记录，与台账不同（{lines}）；加 --update 才修改")
        return True

    # --- staff -------------------------------------------------------------------------------------------------

    def take_staff(self, row: Row) -> None:
        v = row.values
        if "name" not in v and "staff_id" not in v:
            raise RowProblem("name", "缺少姓名")
        existing = self.records.staff_by_id.get(v.get("staff_id", ""))
        unit = _at("unit", resolve.staff_unit, self.records, v["unit"]) if "unit" in v else None
        if existing is None and "staff_id" not in v and unit is not None:
            same = [s for s in self.records.staff if s.name == v["name"] and _unit_of(s) == unit]
            if len(same) > 1:
                raise RowProblem("name", f"{v['name']}在本单位有 {len(same)} 位，请填写人员编号")
            existing = same[0] if same else None
        if existing is not None:
            if unit is not None and unit != _unit_of(existing):
                raise RowProblem("unit", f"{existing.name}（{existing.id}）登记在 {existing.source.file}，"
                                 "导入不调动单位：请在记录中改")
            pairs, rel = to_pairs(existing), existing.source.file
        else:
            if unit is None:
                raise RowProblem("unit", "缺少所属单位（村、社区名称，或“街道本级”）")
            if "roles" not in v:
                raise RowProblem("roles", "缺少角色（如 包片干部、关爱帮扶联系人）")
            pairs, rel = {"id": v.get("staff_id") or self._new_staff_id(unit)}, f"staff/{unit}.yaml"
        for key in ("name", "sex", "post", "phone", "office_phone", "party_member", "since", "left"):
            if key in v:
                pairs[key] = v[key]
        if "roles" in v:
            pairs["roles"] = resolve.split(v["roles"])
        pairs = _ordered(pairs, ("id", "name", "roles"))
        old = self.current(rel)
        if existing is None:
            new, line = append_item(old, pairs)
            parsed = self.propose(rel, new, line)
            self.created.add(("staff", pairs["id"]))
        elif self.unchanged(rel, existing, pairs):
            return
        else:
            new, line = self._replace(rel, existing, pairs)
            parsed = self.propose(rel, new, line)
            after = next((s for s in parsed if s.id == existing.id), None)
            if not self.settle(("staff", existing.id), existing, after, f"{existing.name}（{existing.id}）"):
                return
        self.accept(rel, new, line, parsed)

    def _new_staff_id(self, unit: str) -> str:
        n = 1
        while f"{unit}-staff{n:02d}" in self.records.staff_by_id:
            n += 1
        return f"{unit}-staff{n:02d}"

    def _replace(self, rel: str, record, pairs) -> tuple[bytes, int]:
        lines = sorted(r.source.line for r in self._in_file(rel))
        later = [x for x in lines if x > record.source.line]
        try:
            return replace_item(self.current(rel), record.source.line, later[0] if later else None, pairs)
        except ValueError as exc:
            raise RowProblem(None, f"{rel}：{exc}，无法安全地修改；请手工修改") from None

    def _in_file(self, rel: str) -> list:
        kind = rel.split("/", 1)[0]
        pool = {"staff": self.records.staff, "visits": self.records.visits, "households": self.records.households}
        return [r for r in pool[kind] if r.source.file == rel]

    # --- subjects and households ------------------------------------------------------------------------------

    def take_subject(self, row: Row) -> None:
        v = row.values
        records = self.records
        village = _at("village", resolve.village, records, v["village"]) if "village" in v else None
        h = self._find_household(v, village)
        if h is None:
            for key, what in (("village", "村（社区）"), ("address", "现居住地"), ("name", "姓名")):
                if key not in v:
                    raise RowProblem(key, f"新的一户缺少{what}")
            from ..entry.household import _next_id

            hid = v.get("household_id") or _next_id(records, village)
            pairs, rel = {"id": hid, "village": village}, f"households/{village}/{hid}.yaml"
            if self.current(rel) is not None:
                raise RowProblem("household_id", f"{rel} 已存在，但不是可以读入的户档案")
        else:
            if village is not None and village != h.village:
                raise RowProblem("village", f"户 {h.id} 在“{_village_name(records, h.village)}”，与台账不符")
            pairs, rel = to_pairs(h), h.source.file
        self._lay_household(pairs, v)
        pairs = _ordered(pairs, ("id", "village", "group", "address", "status", "status_date", "status_reason"))
        if h is not None and self.unchanged(rel, h, pairs, whole=True):
            return
        new = document(pairs)
        parsed = self.propose(rel, new, 1)
        if not parsed or parsed[0].id != pairs["id"]:
            raise RowProblem(None, f"{rel}：写入后读回的户编号不符，未采用")
        if h is None:
            self.created.add(("household", pairs["id"]))
        elif not self.settle(("household", h.id), h, parsed[0], f"户 {h.id}"):
            return
        self.accept(rel, new, 1, parsed)

    def _find_household(self, v: dict, village: str | None):
        records = self.records
        if "household_id" in v:
            return records.households_by_id.get(v["household_id"])
        if "id_number" in v:
            found = [h for h in records.households if any(m.id_number == v["id_number"] for m in h.members)]
            if found:
                return found[0]
        if "name" in v and village is not None:
            found = [h for h in records.households if h.village == village
                     and any(m.name == v["name"] for m in h.members)]
            if len(found) > 1:
                raise RowProblem("name", f"{_village_name(records, village)}有 {len(found)} 户有名为“{v['name']}”的成员（"
                                 + "、".join(h.id for h in found) + "）：请填写户编号或身份证号")
            return found[0] if found else None
        return None

    def _lay_household(self, pairs: dict, v: dict) -> None:
        for key in ("group", "address", "status", "status_date", "status_reason"):
            if key in v:
                pairs[key] = v[key]
        if "note" in v:
            pairs["note"] = v["note"]
        if "policies" in v:
            pairs["policies"] = resolve.split(v["policies"])
        members = pairs.setdefault("members", [])
        member = self._member(members, v)
        if any(key in v for key in SUBJECT_KEYS):
            self._lay_subject(pairs.setdefault("subjects", []), member["id"], v)
        if "needs" in v or "measures" in v:
            _lay_needs(pairs.setdefault("needs", []), v.get("needs", ""), v.get("measures", ""))

    def _member(self, members: list, v: dict) -> dict:
        member = None
        for probe in ("member_id", "id_number", "name"):
            key = "id" if probe == "member_id" else probe
            if probe in v:
                member = next((m for m in members if m.get(key) == v[probe]), None)
                if member is not None:
                    break
        if member is None:
            if "name" not in v:
                raise RowProblem("name", "缺少姓名")
            taken = {m["id"] for m in members}
            mid = v.get("member_id") or next(f"m{n}" for n in range(len(taken) + 1, 10_000) if f"m{n}" not in taken)
            member = {"id": mid, "name": v["name"], "relation": "self" if not members else "other"}
            members.append(member)
        for key in MEMBER_KEYS:
            if key in v:
                member[key] = v[key]
        ordered = _ordered(member, ("id", "name", "relation"))
        members[next(i for i, m in enumerate(members) if m is member)] = ordered
        return ordered

    def _lay_subject(self, subjects: list, mid: str, v: dict) -> None:
        profile = self.records.profile
        subject = next((s for s in subjects if s.get("member") == mid), None)
        if subject is None:
            if "category" not in v:
                raise RowProblem("category", "新的关爱帮扶对象缺少人员类别")
            subject = {"member": mid, "enrolled": self.today}
            subjects.append(subject)
        if "category" in v:
            subject["category"] = _at("category", resolve.code, profile.categories, v["category"], "人员类别")
        if "level" in v:
            subject["level"] = _at("level", resolve.code, profile.levels, v["level"], "关爱帮扶等级")
        for key in ("key_person", "support_mode", "enrolled"):
            if key in v:
                subject[key] = v[key]
        for key in ("responsible", "contact"):
            if key in v:
                subject.setdefault("assigned", {})[key] = _at(key, resolve.staff_list, self.records, v[key])
        subjects[next(i for i, s in enumerate(subjects) if s is subject)] = _ordered(subject, ("member", "category", "level"))

    # --- visits ------------------------------------------------------------------------------------------------

    def take_visit(self, row: Row) -> None:
        from ..entry.commands import parse_day
        from .. import vocab

        v = row.values
        records = self.records
        if "date" not in v:
            raise RowProblem("date", "缺少走访日期")
        try:
            day = parse_day(v["date"], self.today, "走访日期")
        except click.ClickException as exc:
            raise RowProblem("date", exc.message) from None
        names = resolve.split(v.get("subjects", ""))
        if "household_id" in v:
            h = records.households_by_id.get(v["household_id"])
            if h is None:
                raise RowProblem("household_id", f"没有户编号为“{v['household_id']}”的户")
        elif names:
            h = _at("subjects", resolve.household_of_subjects, records, names)
        else:
            raise RowProblem("household_id", "缺少户编号（或走访对象姓名）")
        if "visitor" not in v:
            raise RowProblem("visitor", "缺少走访人")
        visitor = _at("visitor", resolve.staff, records, v["visitor"])
        companions = _at("companions", resolve.staff_list, records, v["companions"]) if "companions" in v else []
        subjects = [_at("subjects", resolve.member, h, n) for n in names]
        duty = v.get("duty")
        if duty is None:
            duty = _duty_of(h, subjects, visitor)
            if duty is None:
                raise RowProblem("duty", f"缺少走访身份，且{_staff_name(records, visitor)}不是这户对象的包保责任人或联系人")
        duty_code = {**{k: k for k in vocab.DUTY}, **{z: k for k, z in vocab.DUTY.items()}}.get(duty, duty)
        rel = f"visits/{day:%Y-%m}/{visitor}.yaml"
        existing = next((x for x in records.visits if x.visitor == visitor and x.date == day
                         and x.household == h.id and x.duty == duty_code), None)
        pairs = to_pairs(existing) if existing is not None else {}
        pairs.update({"date": day, "household": h.id, "duty": duty})
        if subjects:
            pairs["subjects"] = subjects
        if companions:
            pairs["companions"] = companions
        for key, field in (("mode", "mode"), ("seen", "seen"), ("visit_note", "note")):
            if key in v:
                pairs[field] = v[key]
        if "activities" in v:
            pairs["activities"] = resolve.split(v["activities"])
        pairs = _ordered(pairs, ("date", "household", "subjects", "duty"))
        if existing is None:
            new, line = append_item(self.current(rel), pairs)
            parsed = self.propose(rel, new, line)
            self.created.add(("visit", rel, day, h.id, duty_code))
        elif self.unchanged(rel, existing, pairs):
            return
        else:
            new, line = self._replace(rel, existing, pairs)
            parsed = self.propose(rel, new, line)
            after = next((x for x in parsed if x.source.line == line), None)
            what = f"{day} {_staff_name(records, visitor)} 对户 {h.id} 的走访"
            if not self.settle(("visit", rel, day, h.id, duty_code), existing, after, what):
                return
        self.accept(rel, new, line, parsed)


def _iso_dates(values: dict) -> None:
    """Dates as a clerk types them (2026/3/5, 2026年3月5日) written ISO, as `visit add` takes them; anything else
    is left for the loader to refuse with its own message."""
    for key in DATE_KEYS:
        m = _LOOSE_DATE.match(values.get(key, ""))
        if m:
            values[key] = f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"


def _codes(values: dict) -> None:
    """A ledger's Chinese words (男, 丧偶, 特困人员, 上门走访…) written as the codes the records use, and ISO dates as
    dates, so that `--update` rewrites only what changed: the loader reads either, but a file whose `sex: 'male'`
    became `sex: '男'` shows the clerk changes the diff never listed."""
    from .. import vocab

    for key, table in (("sex", vocab.SEX), ("marital_status", vocab.MARITAL_STATUS), ("relation", vocab.RELATION),
                       ("support_mode", vocab.SUPPORT_MODE), ("status", vocab.HOUSEHOLD_STATUS),
                       ("mode", vocab.VISIT_MODE), ("duty", vocab.DUTY)):
        if key in values:
            values[key] = _code(table, values[key])
    for key, table in (("policies", vocab.POLICY), ("activities", vocab.ACTIVITY), ("roles", vocab.ROLE)):
        if key in values:
            values[key] = "、".join(_code(table, word) for word in resolve.split(values[key]))
    for key in ("seen", "key_person", "party_member"):
        if values.get(key) in ("是", "否"):
            values[key] = values[key] == "是"
    for key in DATE_KEYS:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", values.get(key, "")):
            try:
                values[key] = dt.date.fromisoformat(values[key])
            except ValueError:
                pass  # left as typed, for the loader to refuse with its own message


def _code(table: dict, word: str) -> str:
    return next((code for code, label in table.items() if label == word.strip()), word)


def _at(key: str, fn, *args):
    """`fn(*args)`, a word it cannot resolve being the problem of column `key`."""
    try:
        return fn(*args)
    except resolve.Unresolved as exc:
        raise RowProblem(key, str(exc)) from None


def _ordered(pairs: dict, first: tuple) -> dict:
    return {**{k: pairs[k] for k in first if k in pairs}, **{k: x for k, x in pairs.items() if k not in first}}


def _unit_of(staff) -> str:
    return staff.village or "street"


def _village_name(records, vid: str) -> str:
    village = records.site.village(vid)
    return village.name if village else vid


def _staff_name(records, sid: str) -> str:
    s = records.staff_by_id.get(sid)
    return f"{s.name}（{sid}）" if s else sid


def _duty_of(h, subjects: list[str], visitor: str) -> str | None:
    for s in h.subjects:
        if subjects and s.member not in subjects or s.assigned is None:
            continue
        if visitor in s.assigned.responsible:
            return "responsible"
        if visitor in s.assigned.contact:
            return "contact"
        if visitor == s.assigned.coordinator:
            return "coordinator"
    return None


def _lay_needs(needs: list, needs_text: str, measures_text: str) -> None:
    lines = [x.strip() for x in re.split(r"[\n；;]+", needs_text) if x.strip()]
    measures = [x.strip() for x in re.split(r"[\n；;]+", measures_text) if x.strip()]
    by_text = {n["need"]: n for n in needs}

    def need(text: str) -> dict:
        if text not in by_text:
            taken = {n["id"] for n in needs}
            nid = next(f"n{k}" for k in range(len(needs) + 1, 10_000) if f"n{k}" not in taken)
            by_text[text] = {"id": nid, "need": text}
            needs.append(by_text[text])
        return by_text[text]

    for text in lines:
        need(text)
    for i, line in enumerate(measures):
        text, sep, measure = line.partition("：")
        if sep and text.strip():
            need(text.strip())["measure"] = measure.strip()
        elif i < len(lines):
            need(lines[i])["measure"] = line
