"""Issue 16, a household is the unit: the rules' household cache (careledger/rules/households.py).

1. The classification. The household-local parts (`households.LOCAL`) judged household by household, on facts
   restricted to one household, give exactly (content and order) what they give on the whole jurisdiction: on the
   demo of every profile, at several as-of dates, and after random edits of the records. The county-wide ones are
   the rest of `RULES` and `households.COUNTY`: pay (a contact's failed inspections count across all the contact's
   subjects, whatever the household), spotcheck (the sample is drawn from the population of every household),
   audit (commits of many households at once, judged from the git history), ASG-STAFFING (the staff of a village)
   and RPT-MONTHLY-* (the office's monthly reports in site.yaml).
2. The cache. A household whose inputs are unchanged takes its findings from the cache, the others are judged
   again: a visit file edited → the households it names; the as-of date, the profile, the site's settings or a staff
   file changed → all; a damaged or foreign cache file → all, judged cold. Whatever it reuses, `judge(...,
   cached=True)` equals a judgement without the cache.
3. The views' rule results (rules/derived.py): each household's share, merged, equals the functions over the whole
   jurisdiction (gaps, visits due, monthly minimums, review cycles, open problems), judged afresh or from the cache;
   `judge(..., cached=True)` hands the merged ones to the views through `Facts.derived`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import shutil
from pathlib import Path

import pytest

from careledger import cachestore
from careledger.demo import DemoSpec, write_demo
from careledger.findings import Source
from careledger.load import load
from careledger.policy import PROFILE_NAMES
from careledger.records import Problem
from careledger.rules import RULES, Facts, judge
from careledger.rules import derived, households

END = dt.date(2026, 11, 23)
DATES = (END, END - dt.timedelta(days=40), END + dt.timedelta(days=25))


def as_json(findings) -> list[dict]:
    return [f.to_json() for f in findings]


@pytest.fixture(scope="module")
def demos(tmp_path_factory) -> dict:
    """profile -> its demo's records (30 households, 6 months)."""
    out = {}
    for profile in PROFILE_NAMES:
        root = tmp_path_factory.mktemp(profile) / "content"
        write_demo(root, DemoSpec(households=30, months=6, profile=profile))
        records, findings = load(root, today=END, cache=False)
        assert not [f for f in findings if f.is_error]
        out[profile] = records
    return out


def assert_local_equals_whole(records, as_of: dt.date) -> int:
    """Each local part household by household == on the whole, and so the views' rule results; returns how many
    findings and results that compared."""
    facts = Facts(records, records.profile, as_of)
    result = households.judge_households(facts, cache=False)
    by_household = result.findings
    compared = assert_derived_equal(result.derived, derived.of(Facts(records, records.profile, as_of)))
    for family, part in households.LOCAL.items():
        whole = as_json(part(Facts(records, records.profile, as_of)))
        assert as_json(by_household[family]) == whole, family.__name__
        compared += len(whole)
    assert as_json(judge(Facts(records, records.profile, as_of))) == as_json(_spliced(facts, by_household))
    return compared


def assert_derived_equal(merged, whole) -> int:
    """The merged results == the whole's, field by field, in order (the open problems: the records' own objects)."""
    assert isinstance(merged, derived.Derived)
    assert list(merged.gaps.items()) == list(whole.gaps.items())
    assert merged.due == whole.due
    assert merged.short == whole.short
    assert merged.cycles == whole.cycles
    assert [(id(v), id(p)) for v, p in merged.problems] == [(id(v), id(p)) for v, p in whole.problems]
    return len(whole.gaps) + len(whole.due) + len(whole.short) + len(whole.cycles) + len(whole.problems)


def _spliced(facts, local: dict) -> list:
    """What `judge(cached=True)` puts together: each local family's findings, then its county part."""
    out = []
    for family in RULES:
        if family in local:
            out += local[family]
            county = households.COUNTY.get(family)
            out += list(county(facts)) if county else []
        else:
            out += list(family.check(facts))
    return out


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_units_taken_a_month_at_a_time_equal_units_taken_visit_by_visit(demos, profile):
    """`households.units` on the loader's own records (`Records.visit_months`) and on a copy (visit by visit): the same
    households in the same order, each with the same visits in the same order and the same key."""
    records = demos[profile]
    copy = dataclasses.replace(records)
    assert records.visit_months() and copy.visit_months() is None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cachestore, "_kept", {})  # a process that keeps its caches: by month
        by_month, by_visit = households.units(records), households.units(copy)
    assert [(u.id, u.household, u.custody) for u in by_month] == [(u.id, u.household, u.custody) for u in by_visit]
    assert all(list(map(id, a.visits)) == list(map(id, b.visits)) for a, b in zip(by_month, by_visit))
    assert sum(len(u.visits) for u in by_month) == len(records.visits)
    keys = households.Keys(Facts(records, records.profile, END))
    assert [keys.of(u) for u in by_month] == [keys.of(u) for u in by_visit]


def file_edit(root: Path, rng: random.Random, step: int) -> None:
    """One edit of the content's files, as a clerk might make it between two builds."""
    visit_files = sorted(root.glob("visits/*/*.yaml"))
    kind = rng.choice(["add", "add elsewhere", "add elsewhere", "remove", "household", "ledger", "touch",
                       "new month"])
    if kind == "add":  # a visit more in a file (a copy of its last one)
        path = rng.choice(visit_files)
        text = path.read_text(encoding="utf-8")
        path.write_text(text + text[text.rindex("- date:"):], encoding="utf-8")
    elif kind == "add elsewhere":  # the last visit of a file copied to a later file of its month: a household's
        # visits of the month may then be its old ones and one more after them
        first = rng.choice(visit_files)
        later = [p for p in visit_files if p.parent == first.parent and p.name > first.name]
        if later:
            text = first.read_text(encoding="utf-8")
            target = rng.choice(later)
            target.write_text(target.read_text(encoding="utf-8") + text[text.rindex("- date:"):], encoding="utf-8")
    elif kind == "remove":
        rng.choice(visit_files).unlink()
    elif kind in ("household", "ledger"):  # a comment: the same records, read again from another file version
        path = rng.choice(sorted(root.glob("households/*/*.yaml" if kind == "household" else "custody/*/*.yaml")))
        path.write_text(path.read_text(encoding="utf-8") + f"# 第 {step} 次修改\n", encoding="utf-8")
    elif kind == "touch":  # another modification time, the same bytes
        path = rng.choice(visit_files)
        at = path.stat().st_mtime_ns + 10**9 * step
        os.utime(path, ns=(at, at))
    else:  # a month folder more, before the others
        source = rng.choice(visit_files)
        month = root / "visits" / f"2025-{step:02d}"
        month.mkdir(exist_ok=True)
        text = source.read_text(encoding="utf-8")
        entry = text[text.rindex("- date:"):].splitlines()
        entry[0] = f"- date: 2025-{step:02d}-15"
        (month / source.name).write_text("\n".join(entry) + "\n", encoding="utf-8")


def test_units_kept_from_build_to_build_equal_units_made_afresh(tmp_path, monkeypatch):
    """In a process that keeps its caches, `units` takes back the unit of each household whose records are the very
    objects of the last load's, makes the others again (`_KeptUnits`), and `Keys.of` takes back the keys of the
    units taken back: after random edits of the files, the same units (households, visits, ledgers) and keys as made
    afresh, visit by visit."""
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cachestore, "_kept", {})
    root = tmp_path / "content"
    write_demo(root, DemoSpec(households=30, months=4))
    rng = random.Random("kept units")
    last, taken_back = None, 0
    for step in range(1, 16):
        if last is not None:
            file_edit(root, rng, step)
        records, _ = load(root, today=END)
        kept = households.units(records)
        afresh = households.units(dataclasses.replace(records))  # (a copy: visit by visit)
        assert [(u.id, u.household, u.custody) for u in kept] == [(u.id, u.household, u.custody) for u in afresh]
        assert all(a.household is b.household and list(map(id, a.visits)) == list(map(id, b.visits))
                   and list(map(id, a.custody)) == list(map(id, b.custody)) for a, b in zip(kept, afresh))
        keys = households.Keys(Facts(records, records.profile, END))
        kept_keys = [keys.of(u) for u in kept]
        keys.done()
        with monkeypatch.context() as patch:
            patch.setattr(cachestore, "_kept", None)
            fresh = households.Keys(Facts(records, records.profile, END))
            assert kept_keys == [fresh.of(u) for u in afresh]
        if last is not None:
            taken_back += sum(a is b for a, b in zip(kept, last))
        last = kept
    assert taken_back  # (units were taken back: the test does test them)


def test_every_family_is_local_or_county():
    assert set(households.LOCAL) | {m for m in RULES if m.__name__.rsplit(".", 1)[-1] in ("pay", "spotcheck", "audit")} \
        == set(RULES)
    assert set(households.ORDER) == set(households.LOCAL)
    assert set(households.COUNTY) <= set(households.LOCAL)


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_local_families_household_by_household_equal_the_whole_demo(demos, profile):
    compared = sum(assert_local_equals_whole(demos[profile], as_of) for as_of in DATES)
    assert compared > 0


# --- random edits ---------------------------------------------------------------------------------------------


def _sorted_visits(visits) -> tuple:
    """The loader's order of dated records (load._Reader.dated_lists)."""
    return tuple(sorted(visits, key=lambda r: (r.date, r.source.file, r.source.line, r.source.column)))


def _replace_visit(records, i: int, **changes):
    visits = list(records.visits)
    visits[i] = dataclasses.replace(visits[i], **changes)
    return dataclasses.replace(records, visits=_sorted_visits(visits))


def _replace_household(records, i: int, **changes):
    homes = list(records.households)
    homes[i] = dataclasses.replace(homes[i], **changes)
    return dataclasses.replace(records, households=tuple(homes))


def edit(records, rng: random.Random):
    """One random edit of the kind a clerk makes, in memory (the loader's orders kept)."""
    kind = rng.choice(("drop visit", "move visit", "shift visit", "add problem", "reopen", "not seen", "bare visit",
                       "exit", "relevel", "drop agreement", "drop ledger entry", "move ledger", "drop review"))
    visits, homes = records.visits, records.households
    v, h = rng.randrange(len(visits)), rng.randrange(len(homes))
    if kind == "drop visit":
        return dataclasses.replace(records, visits=visits[:v] + visits[v + 1:])
    if kind == "move visit":
        return _replace_visit(records, v, household=rng.choice(homes).id, subjects=())
    if kind == "shift visit":
        return _replace_visit(records, v, date=visits[v].date + dt.timedelta(days=rng.randint(-30, 30)))
    if kind == "add problem":
        visit = visits[v]
        problem = Problem(id=f"t{rng.randrange(10 ** 6)}", text="屋顶漏雨", risk=rng.random() < 0.5,
                          deadline=visit.date + dt.timedelta(days=rng.randint(1, 60)) if rng.random() < 0.5 else None,
                          source=Source(visit.source.file, visit.source.line, visit.source.column + 1))
        return _replace_visit(records, v, problems=visit.problems + (problem,))
    if kind == "reopen":
        return _replace_visit(records, v, resolved=())
    if kind == "not seen":
        return _replace_visit(records, v, seen=False, mode="in_person")
    if kind == "bare visit":  # nothing recorded of what the visit did
        return _replace_visit(records, v, mode="in_person", checklist=None, activities=(), home_checks=None, seen=None)
    if kind == "exit":
        return _replace_household(records, h, status="exited",
                                  status_date=END - dt.timedelta(days=rng.randint(0, 200)))
    if kind == "relevel" and records.profile.levels and homes[h].subjects:
        subjects = list(homes[h].subjects)
        subjects[0] = dataclasses.replace(subjects[0], level=rng.choice(records.profile.levels).code)
        return _replace_household(records, h, subjects=tuple(subjects))
    if kind == "drop agreement" and homes[h].agreements:
        return _replace_household(records, h, agreements=homes[h].agreements[1:])
    if kind == "drop review" and homes[h].reviews:
        return _replace_household(records, h, reviews=homes[h].reviews[:-1])
    if kind == "drop ledger entry" and records.custody:
        ledgers = list(records.custody)
        n = rng.randrange(len(ledgers))
        ledgers[n] = dataclasses.replace(ledgers[n], entries=ledgers[n].entries[1:])
        return dataclasses.replace(records, custody=tuple(ledgers))
    if kind == "move ledger" and records.custody and homes[h].subjects:  # its file no longer in household order
        ledgers = list(records.custody)
        n = rng.randrange(len(ledgers))
        ledgers[n] = dataclasses.replace(ledgers[n], household=homes[h].id, subject=homes[h].subjects[0].member)
        return dataclasses.replace(records, custody=tuple(ledgers))
    return records


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_local_families_stay_local_after_random_edits(demos, profile):
    rng = random.Random(f"households {profile}")
    records = demos[profile]
    for _ in range(8):
        for _ in range(rng.randint(2, 6)):
            records = edit(records, rng)
        assert_local_equals_whole(records, rng.choice(DATES) + dt.timedelta(days=rng.randint(-3, 3)))


# --- the cache, on files ----------------------------------------------------------------------------------------


@pytest.fixture
def county(tmp_path, monkeypatch):
    """A demo content tree of its own and a cache folder of its own."""
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "content"
    write_demo(root, DemoSpec(households=30, months=4))
    return root


def judged(root: Path, as_of: dt.date = END, profile=None):
    """(the households judged again, how many were reused), after checking the cached judgement equals a cold one."""
    records, findings = load(root, today=as_of)
    assert not [f for f in findings if f.is_error]
    facts = Facts(records, profile or records.profile, as_of)
    result = households.judge_households(facts)
    cold = Facts(records, profile or records.profile, as_of)
    for family, part in households.LOCAL.items():
        assert as_json(result.findings[family]) == as_json(part(cold)), family.__name__
    assert_derived_equal(result.derived, derived.of(cold))
    warm = Facts(records, profile or records.profile, as_of)
    assert as_json(judge(warm, cached=True)) == as_json(judge(cold))
    assert "derived" in warm.__dict__  # supplied by the cache, not to be computed again by the views
    assert_derived_equal(warm.derived, cold.derived)
    return sorted(result.judged), result.reused


def all_households(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "households").glob("*/*.yaml"))


def test_unchanged_households_come_from_the_cache(county):
    everyone = all_households(county)
    assert judged(county) == (everyone, 0)
    assert judged(county) == ([], len(everyone))


def test_a_visit_file_edited_judges_again_only_the_households_it_names(county):
    judged(county)
    visit_file = sorted((county / "visits").glob("*/*.yaml"))[-1]
    named = sorted({line.split(":", 1)[1].strip().strip("'") for line in visit_file.read_text("utf-8").splitlines()
                    if line.strip().startswith("household:")})
    assert named
    first = visit_file.read_text("utf-8").splitlines()[0]
    day = first.split(":", 1)[1].strip()
    visit_file.write_text(visit_file.read_text("utf-8") + f"- date: {day}\n  household: '{named[0]}'\n"
                          "  duty: 'responsible'\n  mode: 'phone'\n  note: '电话回访'\n", "utf-8")
    everyone = all_households(county)
    assert judged(county) == (named, len(everyone) - len(named))


def test_a_household_file_edited_judges_again_that_household(county):
    judged(county)
    path = sorted((county / "households").glob("*/*.yaml"))[3]
    path.write_text(path.read_text("utf-8") + "note: '已核实'\n", "utf-8")
    assert judged(county) == ([path.stem], len(all_households(county)) - 1)


def test_a_new_day_judges_again_only_the_households_whose_judgement_ends(county):
    """Issue 16: the key holds no as-of date; an entry holds from its day to the first day it may change
    (rules/daywatch.py). Each step `judged` compares with a cold judgement."""
    everyone = all_households(county)
    assert judged(county) == (everyone, 0)
    again, reused = judged(county, END + dt.timedelta(days=1))
    assert reused > 0 and len(again) + reused == len(everyone)
    assert judged(county, END + dt.timedelta(days=1)) == ([], len(everyone))
    assert judged(county, END + dt.timedelta(days=12))[1] < len(everyone)
    assert judged(county, END - dt.timedelta(days=1)) == (everyone, 0)  # an earlier day: judged again


def test_a_new_day_judges_the_first_family_again_only_where_its_own_findings_end(county, monkeypatch):
    """The households a new day judges again for an open problem's day count keep their cadence findings
    (households.APART); `judged` compares every step with a cold judgement."""
    judged(county)
    cadence_judged = []
    check = households.LOCAL[households.APART]

    def counted(facts):
        if len(facts.records.households) == 1:  # a household's, not `judged`'s cold judgement of the whole
            cadence_judged.append(facts.records.households[0].id)
        return check(facts)

    monkeypatch.setitem(households.LOCAL, households.APART, counted)
    again, _ = judged(county, END + dt.timedelta(days=1))
    assert set(cadence_judged) < set(again), (cadence_judged, again)


@pytest.mark.parametrize("change", ["settings", "staff", "profile"])
def test_what_every_household_reads_judges_them_all_again(county, change):
    everyone = all_households(county)
    judged(county)
    as_of, profile = END, None
    if change == "settings":
        site = county / "site.yaml"
        site.write_text(site.read_text("utf-8").replace("records_since: 2026-", "records_since: 2025-"), "utf-8")
    elif change == "staff":
        staff = sorted((county / "staff").glob("*.yaml"))[0]
        staff.write_text(staff.read_text("utf-8") + "\n", "utf-8")
    else:
        records, _ = load(county, today=END)
        profile = dataclasses.replace(records.profile, problem_open_days=records.profile.problem_open_days + 1)
    assert judged(county, as_of, profile) == (everyone, 0)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign pickle", "wrong shape", "no results"])
def test_a_damaged_or_foreign_cache_file_is_ignored(county, tmp_path, damage):
    everyone = all_households(county)
    judged(county)
    files = sorted((tmp_path / "cache" / "rules").rglob("*.pickle"))
    assert files
    for path in files:
        data = path.read_bytes()
        if damage == "garbage":
            path.write_bytes(b"not a cache file at all")
        elif damage == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "foreign pickle":
            path.write_bytes(cachestore.seal(["another program's list"]))
        elif damage == "wrong shape":  # sealed and a dict, but not of (key, findings, results) entries
            path.write_bytes(cachestore.seal({name: ("x", {"cadence": ["not a finding"]}) for name in everyone}))
        else:  # an entry as before the views' results were kept: the key and the findings only
            entries = cachestore.unseal(data)
            path.write_bytes(cachestore.seal({name: value[:2] for name, value in entries.items()}))
    assert judged(county) == (everyone, 0)
    assert judged(county) == ([], len(everyone))


def test_a_rule_that_raises_is_reported_as_without_the_cache(county, monkeypatch):
    records, _ = load(county, today=END)

    def broken(facts):
        yield from ()
        raise RuntimeError("boom")

    monkeypatch.setitem(households.LOCAL, households.needs, broken)
    monkeypatch.setattr(households.needs, "check", broken)
    cached = judge(Facts(records, records.profile, END), cached=True)
    assert as_json(cached) == as_json(judge(Facts(records, records.profile, END)))
    assert [f.code for f in cached].count("RULE-CRASH") == 1


def test_the_cache_is_a_pickle_a_village_under_the_cache_root(county, tmp_path):
    judged(county)
    villages = {p.parent.name for p in (county / "households").glob("*/*.yaml")}
    assert len(list((tmp_path / "cache" / "rules").rglob("*.pickle"))) == len(villages)
    shutil.rmtree(tmp_path / "cache" / "rules")
    assert judged(county) == (all_households(county), 0)


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_findings_of_many_households_interleave_as_on_the_whole(demos, profile):
    """Every order `households.ORDER` knows, exercised at once: many households with content findings (ordered by
    their first judged visit), ledgers whose file order is not the households' order, problems found on visits of
    many households (ordered by visit)."""
    records = demos[profile]
    rng = random.Random(profile)
    visits = [dataclasses.replace(v, checklist=None, activities=(), home_checks=None, seen=None, mode="in_person")
              if rng.random() < 0.3 else v for v in records.visits]
    visits = [dataclasses.replace(v, problems=v.problems + (Problem(
        id=f"p{i}", text="门窗损坏", risk=i % 3 == 0, source=Source(v.source.file, v.source.line, v.source.column + 1)),))
        if rng.random() < 0.2 else v for i, v in enumerate(visits)]
    homes = [h for h in records.households if h.subjects]
    ledgers = [dataclasses.replace(ledger, household=home.id, subject=home.subjects[0].member, entries=ledger.entries[1:])
               for ledger, home in zip(records.custody, reversed(homes))]
    records = dataclasses.replace(records, visits=_sorted_visits(visits), custody=tuple(ledgers))
    for as_of in DATES:
        assert_local_equals_whole(records, as_of)


def test_a_store_of_many_folders_fsyncs_each_file_and_its_folder_once(tmp_path, monkeypatch):
    """FolderStore.save (the household cache writes a pickle a village): each file fsynced before its rename, the
    folder once after every rename (250 villages: 251 fsyncs, not 500)."""
    import os

    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "content").mkdir()
    store = cachestore.FolderStore("rules", tmp_path / "content", "v1")
    for n in range(5):
        store.put(f"households/v{n}/h.yaml", "h", n)
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
                        or real_fsync(fd))
    monkeypatch.setattr(os, "replace", lambda a, b: calls.append(("replace", str(b))) or real_replace(a, b))
    store.save()
    assert [kind for kind, _ in calls] == ["fsync", "replace"] * 5 + ["fsync"]
    assert calls[-1][1] == str(store.directory)
    again = cachestore.FolderStore("rules", tmp_path / "content", "v1")
    assert [again.folder(f"households/v{n}/h.yaml") for n in range(5)] == [{"h": n} for n in range(5)]


def test_the_cache_version_covers_every_module_the_local_rules_import():
    """Another version of any module a household-local rule runs must start another cache: `CODE` names them all
    (found here by reading the imports, transitively, within careledger)."""
    import ast
    from pathlib import Path

    from careledger.rules import households

    package = Path(households.__file__).resolve().parent.parent

    def imports(name: str) -> set[str]:
        path = package / f"{name.replace('.', '/')}.py"
        if not path.is_file():
            path = package / name.replace(".", "/") / "__init__.py"
        here = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = here[:len(here) - node.level + 1] + (node.module.split(".") if node.module else [])
                for alias in node.names:
                    candidate = ".".join(base + [alias.name])
                    is_module = (package / f"{candidate.replace('.', '/')}.py").is_file()
                    found.add(candidate if is_module else ".".join(base))
        return {f for f in found if f and ((package / f"{f.replace('.', '/')}.py").is_file()
                                           or (package / f.replace(".", "/") / "__init__.py").is_file())}

    leaves = {"cachestore", "assets", "yamlread", "__init__"}  # the cache itself; data files; the reader (schema's)
    leaves.add("workers")  # which process judges a household, not what it finds
    todo = ["rules.households", *(f"rules.{f.__name__.rsplit('.', 1)[-1]}" for f in households.LOCAL)]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name != "rules" and name not in leaves:  # the package's __init__ (Facts, judge) is in CODE; its
            todo += imports(name)  # imports of the county-wide families (pay, audit, …) do not judge a household
    covered = {name if name != "rules" else "rules.__init__" for name in seen}
    assert covered - set(households.CODE) - leaves == set()


def test_the_views_read_the_rule_results_the_cache_supplied(county, monkeypatch):
    """After `judge(cached=True)` the public view, the reports and the desk compute none of the results again: with
    the whole-jurisdiction functions broken they still give what they give without the cache."""
    from careledger.rules import cadence, reviews
    from careledger.views.public import redact
    from careledger.views.reports import build_reports

    records, _ = load(county, today=END)
    cold = Facts(records, records.profile, END)
    findings = judge(cold)
    want = (redact(records, findings, END, records.site.privacy, facts=cold), build_reports(cold, findings))
    judge(Facts(records, records.profile, END), cached=True)  # fills the cache
    warm = Facts(records, records.profile, END)
    assert as_json(judge(warm, cached=True)) == as_json(findings)

    def broken(*args, **kwargs):
        raise AssertionError("computed again over the whole jurisdiction")

    for module, name in ((cadence, "current_gaps"), (cadence, "due_list"), (cadence, "month_short"),
                         (reviews, "cycles_due"), (reviews, "open_problems"), (reviews, "review_cycles")):
        monkeypatch.setattr(module, name, broken)
    got = (redact(records, findings, END, records.site.privacy, facts=warm), build_reports(warm, findings))
    assert got == want
    assert want[1].desk.lists[0].rows and any(t.rows for t in want[1].tables if t.slug in ("reminders", "reviews"))


def _plain_key(keys: households.Keys, unit: households.Unit) -> str | None:
    """The household's key as first written: the digest of repr((its id, sorted (path, blob id) of its files))."""
    import hashlib

    files = {v.source.file for v in unit.visits} | {ledger.source.file for ledger in unit.custody}
    if unit.household is not None:
        files.add(unit.household.source.file)
    blobs = sorted((rel, keys.blobs.get(rel, "")) for rel in files)
    if unit.household is None or any(not blob for _, blob in blobs):
        return None
    digest = hashlib.blake2b(keys.common, digest_size=20)
    digest.update(repr((unit.id, blobs)).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_a_household_s_key_is_the_digest_of_its_files_as_first_written(tmp_path, monkeypatch, profile):
    """`Keys.of` joins each file's part of the text it digests once a build: the keys are those of the plain
    formula, for every household (with ledgers, without a blob id, named only by visits), in one Keys or fresh."""
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "content"
    write_demo(root, DemoSpec(households=30, months=3, profile=profile))
    records, _ = load(root, today=END)
    units = households.units(records)
    rng = random.Random(profile)
    stray = dataclasses.replace(rng.choice(records.visits), household="nobody-000")
    units.append(households.Unit("nobody-000", None, [stray]))
    facts = Facts(records, records.profile, END)
    shared = households.Keys(facts)
    keys = [shared.of(unit) for unit in units]
    assert keys == [_plain_key(shared, unit) for unit in units]
    assert keys == [households.Keys(facts).of(unit) for unit in units]
    assert None not in keys[:-1] and keys[-1] is None and len(set(keys[:-1])) == len(keys) - 1
    assert any(unit.custody for unit in units) or profile not in ("qiandongnan-2023",)
    gone = rng.choice([v.source.file for v in records.visits])  # a file without its blob id: judged, never cached
    unblobbed = dataclasses.replace(records, blob_ids={k: v for k, v in records.blob_ids.items() if k != gone})
    without = households.Keys(Facts(unblobbed, records.profile, END))
    missing = [without.of(unit) for unit in units]
    assert missing == [_plain_key(without, unit) for unit in units]
    assert None in missing[:-1] and any(missing)
