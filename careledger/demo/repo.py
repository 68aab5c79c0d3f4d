"""`careledger demo DIR --git`: the demo jurisdiction as a git repository holding a year of the clerks' work.

The records are exactly those of `careledger demo DIR` (HEAD's tree is byte-identical to the plain demo of the same
spec); what `--git` adds is how they got there, so a new user sees the audit trail at once:

- the day before `records_since`, the first clerk imports the jurisdiction: site, staff, pages, households (their
  reviews up to that day) and the custody ledgers' headings (the first commit, an import: AUD-BULK);
- the street office's clerks (`clerk` role, `git:` identities in `staff/street.yaml`) enter visits three times a week,
  on Monday, Wednesday and Friday evenings, each for their own villages (street staff's visits: the first clerk):
  a visit is in the repository at most two days after it happened;
- reviews reach the household files on the next entry day; inspections and the custody ledgers of a month after it;
- deliberate lapses, each once: one village's visit sheets of one week reach the second clerk late and are entered
  the Wednesday after (AUD-LATE), one visit is entered three weeks late, one visit is rewritten a few days after it was entered and one entered twice
  and removed again (AUD-CHANGED, AUD-REMOVED), one visit is entered with a mistyped, future date and corrected
  (AUD-FUTURE), an intern without a staff record commits one evening's visits (AUD-AUTHOR), and a subject's level
  imported wrongly is corrected without a review (AUD-LEVEL) while another change of level comes with its review.

Commits are written with one `git fast-import` (one process, any size), at fixed times in +08:00 with the clerks'
names and e-mails, so the same spec always gives the same commit ids. The plan uses its own random stream: the
records are not affected by it.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import click
import yaml

from ..audit.git import environment
from ..policy import load_profile
from ..rules.periods import add_months
from . import DemoSpec, _refuse_non_empty, _Writer, write_demo
from .emit import document

ONE_DAY = dt.timedelta(days=1)
TZ = dt.timezone(dt.timedelta(hours=8))
ENTRY_WEEKDAYS = (0, 2, 4)  # Monday, Wednesday, Friday
INTERN = ("实习生", "intern@example.invalid")  # helps out once; no staff record lists this identity
KIND_TIME = {"import": (9, 30), "fix": (10, 15), "visits": (17, 30), "reviews": (17, 40), "inspections": (17, 50),
             "ledgers": (17, 55)}
_LEVEL = re.compile(r"^    level: '([^']*)'$", re.M)


class _Collector(_Writer):
    """Receives the demo's files instead of writing them."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.texts: dict[str, str] = {}
        self.visit_files: dict[str, list[tuple[str, str]]] = {}
        self.ledgers: dict[str, dict] = {}

    def write(self, rel: str, text: str) -> None:
        self.texts[rel] = text
        self.files += 1

    def visits(self, rel: str, items: list[tuple[str, str]]) -> None:
        self.visit_files[rel] = items
        self.texts[rel] = "\n".join(text for _, text in items) + "\n"
        self.files += 1

    def ledger(self, rel: str, ledger: dict) -> None:
        self.ledgers[rel] = ledger
        self.write(rel, document(ledger))


@dataclass
class _Commit:
    when: dt.datetime
    author: tuple[str, str]
    message: str
    files: dict[str, str] = field(default_factory=dict)


def write_demo_repo(directory: Path, spec: DemoSpec) -> dict[str, int]:
    """Write the demo into `directory` (new or empty) as a git repository with its history; return the counts."""
    directory = Path(directory)
    _refuse_non_empty(directory)
    out = _Collector(directory)
    counts = write_demo(directory, spec, out)
    commits = _Plan(out, spec).commits()
    _fast_import(directory, commits)
    return {**counts, "提交": len(commits)}


class _Plan:
    def __init__(self, out: _Collector, spec: DemoSpec):
        self.out, self.end = out, spec.end
        self.start = add_months(spec.end, -spec.months) + ONE_DAY  # as write_demo: records_since
        self.rng = random.Random(f"careledger-demo-git-{spec.seed}")
        self.profile, _ = load_profile(spec.profile, today=spec.end)
        street = yaml.safe_load(out.texts["staff/street.yaml"])
        self.clerks = [(s["name"], s["git"][0]) for s in street if "clerk" in s["roles"] and s.get("git")]
        villages = sorted(rel.split("/")[1][:-5] for rel in out.texts if rel.startswith("staff/")
                          and rel != "staff/street.yaml")
        self.clerk_of_village = {v: i % len(self.clerks) for i, v in enumerate(villages)}
        self.village_of = {s["id"]: rel.split("/")[1][:-5] for rel in out.texts
                           if rel.startswith("staff/") and rel != "staff/street.yaml"
                           for s in yaml.safe_load(out.texts[rel])}
        # one village's visit sheets of one week reach the second clerk late: entered on the Wednesday after
        late_villages = [v for v, clerk in sorted(self.clerk_of_village.items()) if clerk == len(self.clerks) - 1]
        week = self._at(0.65) - dt.timedelta(days=self._at(0.65).weekday())
        self.held = (late_villages[0] if late_villages else "", week, week + dt.timedelta(days=6))
        self.sessions: dict[tuple, _Commit] = {}

    # --- schedule -------------------------------------------------------------------------------------------

    def _at(self, fraction: float) -> dt.date:
        """The day at `fraction` of the period with records."""
        return self.start + dt.timedelta(days=int((self.end - self.start).days * fraction))

    def _entry_day(self, day: dt.date) -> dt.date:
        """The entry evening for a visit on `day`: the next Monday, Wednesday or Friday (the day itself if one)."""
        while day.weekday() not in ENTRY_WEEKDAYS:
            day += ONE_DAY
        return min(day, self.end)

    def _entered(self, visitor: str, day: dt.date) -> dt.date:
        village, first, last = self.held
        if village and self.village_of.get(visitor) == village and first <= day <= last:
            return self._entry_day(last + dt.timedelta(days=3))
        return self._entry_day(day)

    def _fix_day(self, day: dt.date) -> dt.date:
        """A correction, made on a Tuesday or Thursday morning (no visits are entered with it)."""
        while day.weekday() not in (1, 3):
            day += ONE_DAY
        return min(day, self.end)

    def _session(self, day: dt.date, kind: str, clerk: int, message: str, author=None) -> _Commit:
        key = (day, KIND_TIME[kind], clerk, kind)
        if key not in self.sessions:
            hour, minute = KIND_TIME[kind]
            when = dt.datetime(day.year, day.month, day.day, hour, minute + clerk * 3, tzinfo=TZ)
            self.sessions[key] = _Commit(when, author or self.clerks[clerk], message)
        return self.sessions[key]

    def _clerk_for(self, staff_id: str) -> int:
        village = self.village_of.get(staff_id, "")
        return self.clerk_of_village.get(village, 0)

    # --- the plan -------------------------------------------------------------------------------------------

    def commits(self) -> list[_Commit]:
        """Every commit in order, each with only the files it changes."""
        self._import()
        self._visits()
        self._households()
        self._monthly()
        state: dict[str, str] = {}
        out = []
        for key in sorted(self.sessions):
            commit = self.sessions[key]
            commit.files = {rel: text for rel, text in sorted(commit.files.items()) if state.get(rel) != text}
            state.update(commit.files)
            if commit.files:
                out.append(commit)
        assert state == self.out.texts, "the history must end at the plain demo's records"
        return out

    def _import(self) -> None:
        day = self.start - ONE_DAY
        commit = self._session(day, "import", 0, "建档：导入辖区设置、工作人员、家庭档案和代管台账")
        for rel, text in sorted(self.out.texts.items()):
            if rel.startswith(("site.yaml", "staff/", "pages/")):
                commit.files[rel] = text
        for rel, ledger in sorted(self.out.ledgers.items()):
            commit.files[rel] = _ledger_until(ledger, day)

    def _visits(self) -> None:
        files = self.out.visit_files
        entries = []  # (rel, index, date, visitor)
        for rel in sorted(files):
            visitor = rel.rsplit("/", 1)[1][:-5]
            for i, (iso, _) in enumerate(files[rel]):
                entries.append((rel, i, dt.date.fromisoformat(iso), visitor))
        entered = {(rel, i): self._entered(visitor, day) for rel, i, day, visitor in entries}
        variants: dict[str, list] = defaultdict(list)  # rel -> [(from day, until day or None, index, text or None)]
        extras: dict[str, list] = defaultdict(list)  # rel -> [(from, until, after index, text)]
        rng = self.rng

        def pick(fraction: float, test) -> tuple | None:
            around = self._at(fraction)
            pool = [e for e in entries if abs((e[2] - around).days) <= 15 and e[2].day <= 15 and test(e)
                    and entered[(e[0], e[1])] == self._entry_day(e[2])]
            return rng.choice(pool) if pool else None

        # one visit rewritten a few days after it was entered: the first entry had another note
        rewritten = pick(0.2, lambda e: "\n  note: " in files[e[0]][e[1]][1])
        if rewritten:
            rel, i = rewritten[0], rewritten[1]
            first = entered[(rel, i)]
            wrong = re.sub(r"\n  note: .*", "\n  note: '电话联系，未入户'", files[rel][i][1], count=1)
            variants[rel].append((first, self._fix_day(first + dt.timedelta(days=4)), i, wrong))
        # one visit entered with a mistyped date, ten days ahead, corrected two days later
        typo = pick(0.35, lambda e: True)
        if typo:
            rel, i = typo[0], typo[1]
            first = entered[(rel, i)]
            wrong = files[rel][i][1].replace(f"- date: {typo[2].isoformat()}",
                                             f"- date: {(typo[2] + dt.timedelta(days=10)).isoformat()}", 1)
            variants[rel].append((first, self._fix_day(first + ONE_DAY), i, wrong))
        # one visit entered twice, the copy removed again
        twice = pick(0.75, lambda e: True)
        if twice:
            rel, i = twice[0], twice[1]
            first = entered[(rel, i)]
            extras[rel].append((first, self._fix_day(first + dt.timedelta(days=3)), i, files[rel][i][1]))
        # one visit entered three weeks late (补录)
        late = pick(0.85, lambda e: e[2] + dt.timedelta(days=21) < self.end)
        if late:
            entered[(late[0], late[1])] = self._entry_day(late[2] + dt.timedelta(days=21))
        intern_day = self._entry_day(self._at(0.45))

        for rel in sorted(files):
            items = files[rel]
            days = sorted({entered[(rel, i)] for i in range(len(items))}
                          | {d for v in variants[rel] for d in v[:2]} | {d for x in extras[rel] for d in x[:2]})
            for day in days:
                text = self._visit_version(rel, day, entered, variants[rel], extras[rel])
                visitor = rel.rsplit("/", 1)[1][:-5]
                clerk = self._clerk_for(visitor)
                fixing = any(day == v[1] for v in variants[rel]) or any(day == x[1] for x in extras[rel])
                if fixing:
                    commit = self._session(day, "fix", clerk, "更正走访记录（核对纸质台账后修改、删除重复录入）")
                elif day == intern_day and clerk == 0:
                    commit = self._session(day, "visits", clerk, f"录入走访记录 {day}（实习生代录）", INTERN)
                else:
                    commit = self._session(day, "visits", clerk, f"录入走访记录 {day}")
                commit.files[rel] = text

    def _visit_version(self, rel, day, entered, variants, extras) -> str:
        texts = []
        for i, (_, text) in enumerate(self.out.visit_files[rel]):
            if entered[(rel, i)] <= day:
                for start, until, index, wrong in variants:
                    if index == i and start <= day < until:
                        text = wrong
                texts.append(text)
            for start, until, index, copy in extras:
                if index == i and start <= day < until:
                    texts.append(copy)
        return "\n".join(texts) + "\n" if texts else ""

    def _households(self) -> None:
        households = sorted(rel for rel in self.out.texts if rel.startswith("households/"))
        levels = [lv.code for lv in self.profile.levels] if self.profile else []
        day0 = self.start - ONE_DAY
        adjusted = [rel for rel in households if any(r for r in _reviews(self.out.texts[rel])
                                                     if r[1] == "adjust" and day0 < r[0] <= self.end)]
        plain = [rel for rel in households if rel not in adjusted and _LEVEL.search(self.out.texts[rel])]
        wrong: dict[str, tuple[str, dt.date]] = {}  # rel -> (imported text, day the level is put right)
        if levels and adjusted:
            rel = self.rng.choice(adjusted)
            review = min(r[0] for r in _reviews(self.out.texts[rel]) if r[1] == "adjust" and r[0] > day0)
            wrong[rel] = (_other_level(self.out.texts[rel], levels), self._entry_day(review))
        if levels and plain:
            rel = self.rng.choice(plain)
            wrong[rel] = (_other_level(self.out.texts[rel], levels),
                          self._entry_day(add_months(self.start, 2) + dt.timedelta(days=3)))
        imported = self._session(day0, "import", 0, "")
        for rel in households:
            final = self.out.texts[rel]
            clerk = self.clerk_of_village.get(rel.split("/")[1], 0)
            start_text = wrong[rel][0] if rel in wrong else final
            imported.files[rel] = _reviews_until(start_text, day0)
            days = {self._entry_day(r[0]) for r in _reviews(final) if day0 < r[0] <= self.end}
            fix = wrong.get(rel, (None, None))[1]
            for day in sorted(days | ({fix} if fix else set())):
                text = _reviews_until(final if not fix or day >= fix else start_text, day)
                if fix and day == fix and fix not in days:
                    commit = self._session(day, "fix", clerk, "更正家庭档案：关爱帮扶等级录入有误")
                else:
                    commit = self._session(day, "reviews", clerk, f"录入动态调整复核 {day}")
                commit.files[rel] = text

    def _monthly(self) -> None:
        """Inspections and custody ledgers: the month's records on the first entry evening after it."""
        month = self.start.replace(day=1)
        while month <= self.end:
            last = add_months(month, 1) - ONE_DAY
            day = self._entry_day(min(last + ONE_DAY, self.end))
            key = f"{month:%Y-%m}"
            for rel in sorted(r for r in self.out.texts if r.startswith(f"inspections/{key}/")):
                self._session(day, "inspections", 0, f"录入 {key} 督查记录").files[rel] = self.out.texts[rel]
            for rel, ledger in sorted(self.out.ledgers.items()):
                clerk = self.clerk_of_village.get(rel.split("/")[1], 0)
                text = _ledger_until(ledger, last if last < self.end else self.end)
                self._session(day, "ledgers", clerk, f"录入 {key} 代管台账收支").files[rel] = text
            month = add_months(month, 1)


def _ledger_until(ledger: dict, day: dt.date) -> str:
    return document({**ledger, "entries": [e for e in ledger["entries"] if e["date"] <= day]})


def _reviews(text: str) -> list[tuple[dt.date, str]]:
    block = re.search(r"^reviews:\n((?:  .*\n)*)", text, re.M)
    if not block:
        return []
    return [(dt.date.fromisoformat(m[1]), m[2]) for m in
            re.finditer(r"^  - date: (\S+)\n    result: '([^']*)'", block[1], re.M)]


def _reviews_until(text: str, day: dt.date) -> str:
    """The household file as it was on `day`: the reviews dated after it not yet written."""
    block = re.search(r"^reviews:\n((?:  .*\n)*)", text, re.M)
    if not block:
        return text
    items = re.split(r"(?=^  - )", block[1], flags=re.M)
    kept = [item for item in items if item and dt.date.fromisoformat(item[10:20]) <= day]
    body = "reviews:\n" + "".join(kept) if kept else ""
    return text[:block.start()] + body + text[block.end():]


def _other_level(text: str, levels: list[str]) -> str:
    m = _LEVEL.search(text)
    current = m[1]
    other = next(lv for lv in levels if lv != current)
    return text[:m.start(1)] + other + text[m.end(1):]


def _fast_import(directory: Path, commits: list[_Commit]) -> None:
    env = environment()
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(directory)], env=env, check=True)
    proc = subprocess.Popen(["git", "-C", str(directory), "fast-import", "--quiet", "--done"],
                            stdin=subprocess.PIPE, env=env)
    try:
        for commit in commits:
            stamp = f"{int(commit.when.timestamp())} +0800"
            who = f"{commit.author[0]} <{commit.author[1]}> {stamp}"
            message = commit.message.encode("utf-8")
            out = [f"commit refs/heads/main\nauthor {who}\ncommitter {who}\n".encode(),
                   f"data {len(message)}\n".encode(), message, b"\n"]
            for rel, text in sorted(commit.files.items()):
                if text == "":
                    out.append(f"D {rel}\n".encode())
                    continue
                data = text.encode("utf-8")
                out += [f"M 100644 inline {rel}\ndata {len(data)}\n".encode(), data, b"\n"]
            proc.stdin.write(b"".join(out))
        proc.stdin.write(b"done\n")
        proc.stdin.close()
    finally:
        if proc.wait() != 0:
            raise click.ClickException("git fast-import 失败：无法写入演示仓库")
    subprocess.run(["git", "-C", str(directory), "reset", "-q", "--hard", "main"], env=env, check=True)
