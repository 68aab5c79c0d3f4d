"""Issue 16, done-when: cached results equal a cold build's. A random sequence of edits to a small jurisdiction in a
git repository (visits added, moved, annotated, deleted; problems found on a visit and resolved on a later one
(the open problems the reports list come from the household cache too); a household's level or a member's phone changed; a
household added; committed or left dirty; the as-of date moved forward or back), and after each step a warm build
(the same cache and output as every step before) and a cold one (a fresh cache, a fresh output) of the same state:
the whole output trees must be byte-identical and the findings equal. A warm build also rewrites no file whose
bytes it leaves unchanged."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from careledger import cachestore
from careledger.audit import resume
from careledger.identifiers import check_digit
from careledger.output import MARKER
from careledger.pipeline import BuildFailed, build_all

from .conftest import seed_fonts
from .gitkit import basic_repo, git

AS_OF = dt.date(2026, 11, 23)
VISITORS = {"ds-shuji": "responsible", "ds-baopian": "responsible", "ds-lianxi1": "contact"}
HOUSEHOLDS = ("ds-001", "ds-002", "xw-001")
NOTES = ("身体状况稳定", "屋顶已修好", "情绪低落，需再访", "无")


@dataclasses.dataclass
class World:
    """The content repository and what the steps have made of it."""

    root: Path
    as_of: dt.date = AS_OF
    added: int = 0  # households added so far (ds-101, ds-102, …)
    commits: int = 0
    problems: dict = dataclasses.field(default_factory=dict)  # household -> ids of the problems found on it so far

    @property
    def households(self) -> list[str]:
        return [*HOUSEHOLDS, *(f"ds-{100 + n}" for n in range(1, self.added + 1))]

    def household_file(self, index: int) -> Path:
        name = self.households[index % len(self.households)]
        return self.root / "households" / ("xiwan" if name.startswith("xw") else "dongshan") / f"{name}.yaml"

    def visit_files(self) -> list[Path]:
        return sorted((self.root / "visits").glob("*/*.yaml"))

    def dirty(self) -> bool:
        return bool(git(self.root, "status", "--porcelain").strip())


def synthetic_number(born: str, serial: int) -> str:
    first17 = f"990101{born}{serial:03d}"  # synthetic region 99
    return first17 + check_digit(first17)


# The steps: each a (name, arguments) pair that `apply` carries out.
visit = st.tuples(st.just("add_visit"), st.integers(0, 9), st.sampled_from(sorted(VISITORS)),
                  st.sampled_from(["2026-10", "2026-11"]), st.integers(1, 28), st.sampled_from(["in_person", "phone"]))
move = st.tuples(st.just("visit_date"), st.integers(0, 9), st.integers(1, 28))
note = st.tuples(st.just("visit_note"), st.integers(0, 9), st.sampled_from(NOTES))
delete = st.tuples(st.just("delete_visit_file"), st.integers(0, 9))
level = st.tuples(st.just("level"), st.integers(0, 9), st.sampled_from(["1", "2", "3"]))
phone = st.tuples(st.just("phone"), st.integers(0, 9), st.integers(10, 99))
household = st.tuples(st.just("add_household"))
problem = st.tuples(st.just("problem"), st.integers(0, 9), st.sampled_from(sorted(VISITORS)),
                    st.sampled_from(["2026-10", "2026-11"]), st.integers(1, 28), st.booleans())
as_of = st.tuples(st.just("as_of"), st.integers(-12, 20))
# Fields many pages share (a page's bytes are reused when its declared inputs are the last build's: render/memo.py),
# each a change to site.yaml made or undone: (text, its replacement); None appends the replacement.
SHARED = (("name: 测试街道\n", "name: 测试新街道\n"),  # every page's title, heading and footer
          ("  k: 3\n", "  k: 2\n"), ("  k: 3\n", "  k: 5\n"),  # the privacy k: which figures are suppressed
          ("  publish_cadre_phones: true\n", "  publish_cadre_phones: false\n"),
          ("    name: 东山村\n", "    name: 东山新村\n"),  # a village's name: every page's navigation
          ("office_phone: '0564-3312345'", "office_phone: '0564-3312999'"),
          (None, "overrides:\n  title: 测试街道关爱帮扶实施方案（修订）\n"  # the profile: its title, its cycle
                 "  review:\n    cycle_months: 6\n"))
shared = st.tuples(st.just("shared"), st.integers(0, len(SHARED) - 1))
page = st.tuples(st.just("page_title"))  # a page's title: every page's navigation
STEP = st.tuples(st.one_of(visit, move, note, delete, level, phone, household, problem, as_of, shared, page),
                 st.booleans())


def apply(world: World, step: tuple) -> None:
    name, *args = step
    files = world.visit_files()
    if name == "add_visit":
        index, visitor, month, day, mode = args
        target = world.root / "visits" / month / f"{visitor}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        household = world.households[index % len(world.households)]
        with target.open("a", encoding="utf-8") as out:
            out.write(f"- date: {month}-{day:02d}\n  household: {household}\n  duty: {VISITORS[visitor]}\n"
                      f"  mode: {mode}\n")
    elif name == "problem":  # a visit that finds a problem, or resolves the household's last one
        index, visitor, month, day, resolve = args
        target = world.root / "visits" / month / f"{visitor}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        household = world.households[index % len(world.households)]
        found = world.problems.setdefault(household, [])
        if resolve and found:
            what = f"  resolved:\n    - problem: {found[-1]}\n      note: 已办结\n"
        else:
            found.append(f"t{sum(map(len, world.problems.values())) + 1}")  # (the records have a p1)
            what = f"  problems:\n    - id: {found[-1]}\n      text: 屋顶漏雨\n      deadline: {month}-28\n"
        with target.open("a", encoding="utf-8") as out:
            out.write(f"- date: {month}-{day:02d}\n  household: {household}\n  duty: {VISITORS[visitor]}\n"
                      f"  mode: in_person\n{what}")
    elif name in ("visit_date", "visit_note", "delete_visit_file") and files:
        path = files[args[0] % len(files)]
        text = path.read_text(encoding="utf-8")
        if name == "delete_visit_file":
            path.unlink()
        elif name == "visit_date":
            path.write_text(re.sub(r"^- date: (\d{4}-\d{2})-\d{2}$", rf"- date: \g<1>-{args[1]:02d}", text, count=1,
                                   flags=re.M), encoding="utf-8")
        elif re.search(r"^  note: .*$", text, flags=re.M):
            path.write_text(re.sub(r"^  note: .*$", f"  note: {args[1]}", text, count=1, flags=re.M),
                            encoding="utf-8")
        else:
            path.write_text(re.sub(r"^(  household: .*)$", rf"\g<1>\n  note: {args[1]}", text, count=1,
                                   flags=re.M), encoding="utf-8")
    elif name == "level":
        path = world.household_file(args[0])
        path.write_text(re.sub(r"^    level: '\d'$", f"    level: '{args[1]}'", path.read_text(encoding="utf-8"),
                               count=1, flags=re.M), encoding="utf-8")
    elif name == "phone":
        path = world.household_file(args[0])
        path.write_text(re.sub(r"phone: '\d+'", f"phone: '138000001{args[1]:02d}'",
                               path.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    elif name == "add_household":
        world.added += 1
        new = f"ds-{100 + world.added}"
        text = (world.root / "households" / "dongshan" / "ds-002.yaml").read_text(encoding="utf-8")
        text = text.replace("id: ds-002", f"id: {new}").replace("东山村1组3号", f"东山村3组{world.added}号")
        # (the serial's last digit is the sex: even for the wife, odd for the husband)
        text = text.replace("'990101194508070026'", f"'{synthetic_number('19450807', 100 + 2 * world.added)}'")
        text = text.replace("'990101193805050078'", f"'{synthetic_number('19380505', 101 + 2 * world.added)}'")
        (world.root / "households" / "dongshan" / f"{new}.yaml").write_text(text, encoding="utf-8")
    elif name == "as_of":
        world.as_of = AS_OF + dt.timedelta(days=args[0])
    elif name == "shared":  # made, or undone when made already
        path, (text, replacement) = world.root / "site.yaml", SHARED[args[0]]
        site = path.read_text(encoding="utf-8")
        if replacement in site:
            site = site.replace(replacement, text or "", 1)
        else:
            site = site + replacement if text is None else site.replace(text, replacement, 1)
        path.write_text(site, encoding="utf-8")
    elif name == "page_title":
        path = world.root / "pages" / "about.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("# 关于本站（修订）\n", "# 关于本站\n", 1) if "（修订）" in text
                        else text.replace("# 关于本站\n", "# 关于本站（修订）\n", 1), encoding="utf-8")


def commit(world: World) -> None:
    world.commits += 1
    git(world.root, "add", "-A")
    when = f"2026-11-{9 + world.commits:02d}T18:00:00+08:00"
    env = {"GIT_AUTHOR_NAME": "周文清", "GIT_AUTHOR_EMAIL": "zhouwq@example.invalid", "GIT_AUTHOR_DATE": when,
           "GIT_COMMITTER_NAME": "周文清", "GIT_COMMITTER_EMAIL": "zhouwq@example.invalid", "GIT_COMMITTER_DATE": when}
    git(world.root, "commit", "-q", "--allow-empty", "-m", "录入", env=env)


def tree(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def inodes(output: Path) -> dict[str, int]:
    return {p.relative_to(output).as_posix(): p.stat().st_ino for p in output.rglob("*") if p.is_file()}


def build(world: World, output: Path, cache: Path, paper: bool, kept: dict | None = None):
    """(findings, policy findings) of a build, or the findings that stopped it; with `kept`, built as a process that
    keeps the caches in memory (`cachestore.keep_in_memory`: a build server) whose kept values these are."""
    os.environ["CARELEDGER_CACHE_DIR"] = str(cache)
    previous, cachestore._kept = cachestore._kept, kept
    try:
        result = build_all(world.root, output, as_of=world.as_of, allow_dirty=world.dirty(), paper=paper)
    except BuildFailed as failed:
        return "failed", failed.findings
    finally:
        cachestore._kept = previous
    return result.findings, result.policy_findings


def run_steps(work: Path, steps: list[tuple], *, paper: bool, record=lambda what: None,
              kept: dict | None = None) -> None:
    """With paper, the cold build starts with the warm cache's font subsets (keyed by the font and the characters:
    making them is two thirds of a cold paper build), and the warm cache with those made already (`seed_fonts`);
    the PDFs themselves are rendered afresh. With `kept` (a dict), the warm builds are one process's that keeps
    the caches in memory, as the build server does; the cold ones keep nothing."""
    world = World(basic_repo(work / "content").root)
    warm_out, warm_cache = work / "warm-output", work / "warm-cache"
    if paper:
        seed_fonts(warm_cache)
    build(world, warm_out, warm_cache, paper, kept)  # the first build, on the imported records
    for number, (step, then_commit) in enumerate(steps):
        apply(world, step)
        if then_commit:
            commit(world)
        before, before_inodes = tree(warm_out), inodes(warm_out)
        warm = build(world, warm_out, warm_cache, paper, kept)
        cold_out = work / f"cold-output-{number}"
        cold_cache = work / f"cold-cache-{number}"
        if paper and (warm_cache / "fonts").is_dir():
            shutil.copytree(warm_cache / "fonts", cold_cache / "fonts")
        cold = build(world, cold_out, cold_cache, paper)
        said = f"after step {number} {step} (committed: {then_commit}, as of {world.as_of})"
        assert warm == cold, said
        record("stopped on " + ",".join(sorted({f.code for f in warm[1] if f.is_error}))
               if warm[0] == "failed" else "the build wrote its output")
        if warm[0] == "failed":
            assert not cold_out.exists(), said
            continue
        after = tree(warm_out)
        assert after == tree(cold_out), said
        now = inodes(warm_out)
        rewritten = [rel for rel, data in after.items()  # (the marker is the output's, written by every build)
                     if rel != MARKER and before.get(rel) == data and now[rel] != before_inodes[rel]]
        assert not rewritten, f"{said}: unchanged files rewritten: {rewritten}"


@pytest.fixture(autouse=True)
def lazy_imports(monkeypatch):
    """The kept history walk keeps a commit of two visit events or more lazily (`audit.resume.LAZY_FROM`, 200 in a
    county): the warm builds take the import's events back only when a view asks (a dossier, a desk sheet)."""
    monkeypatch.setattr(resume, "LAZY_FROM", 2)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=6))
def test_a_warm_build_after_random_edits_and_dates_equals_a_cold_build(restore_cache_env, steps):
    with tempfile.TemporaryDirectory(prefix="careledger-equal-") as work:
        run_steps(Path(work), steps, paper=False, record=event)


def test_with_paper_a_warm_build_equals_a_cold_build(restore_cache_env, tmp_path):
    """The same with the dossiers and forms (slow: one step). A note on one visit, not committed: the warm build takes
    the other households' PDFs from its cache, the cold one renders them all."""
    run_steps(tmp_path, [(("visit_note", 0, "屋顶已修好"), False)], paper=True)


def test_problems_found_and_resolved_a_warm_build_equals_a_cold_build(restore_cache_env, tmp_path):
    """The open problems, kept per household in the rules' cache (rules/derived.py), as fixed steps: found on two
    households, one resolved uncommitted then committed, another found on the first; each warm build equals a cold
    one, and the reports list the problems still open."""
    steps = [(("problem", 0, "ds-shuji", "2026-11", 3, False), True),
             (("problem", 2, "ds-baopian", "2026-10", 20, False), True),
             (("problem", 0, "ds-shuji", "2026-11", 9, True), False),
             (("as_of", 2), True),
             (("problem", 0, "ds-lianxi1", "2026-11", 12, False), True)]
    run_steps(tmp_path, steps, paper=False)
    problems = (tmp_path / "warm-output" / "reports" / "problems.csv").read_text(encoding="utf-8")
    assert ",t2," in problems and ",t3," in problems and ",t1," not in problems


def test_days_forward_a_warm_build_equals_a_cold_build(restore_cache_env, tmp_path):
    """Issue 16: the household cache keeps a judgement from its day until the first day it may change
    (rules/daywatch.py), not under the as-of date. Steps of several days forward (into the month's last week, over
    its end), a visit added and a problem found between (the visit in the future first), then back; each warm build
    equals a cold one."""
    steps = [(("as_of", 3), True), (("as_of", 6), True), (("problem", 1, "ds-shuji", "2026-11", 20, False), True),
             (("as_of", 9), True), (("add_visit", 3, "ds-baopian", "2026-11", 28, "in_person"), True),
             (("as_of", 10), True), (("as_of", 17), True), (("as_of", 20), True), (("as_of", 2), True)]
    run_steps(tmp_path, steps, paper=False)


def test_fields_many_pages_share_a_warm_build_equals_a_cold_build(restore_cache_env, tmp_path):
    """Every change to a field many pages share, as fixed steps among visits, committed or not: a page reused from
    the last build's output (render/memo.py) whose inputs did change would show here."""
    steps = [(("add_visit", 0, "ds-shuji", "2026-11", 20, "phone"), True),
             *[((("shared", n), n % 2 == 0)) for n in range(len(SHARED))],
             (("page_title",), True),
             (("add_visit", 2, "ds-baopian", "2026-11", 21, "in_person"), False),
             (("shared", 1), True), (("shared", 2), True),  # k back to 3, then 5
             (("shared", 6), False), (("page_title",), True)]
    outcomes = []
    run_steps(tmp_path, steps, paper=False, record=outcomes.append)
    assert outcomes == ["the build wrote its output"] * len(steps)
    site = (tmp_path / "warm-output" / "site" / "index.html").read_text(encoding="utf-8")
    assert "测试新街道" in site and "东山新村" in site and "关于本站（修订）" not in site
