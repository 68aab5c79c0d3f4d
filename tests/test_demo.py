"""The demo generator: a synthetic jurisdiction that loads without errors, in every profile, reproducibly."""

import datetime as dt
from pathlib import Path

import click
import pytest

from careledger import identifiers
from careledger.demo import DemoSpec, write_demo
from careledger.demo.names import COMPOUND_SURNAMES
from careledger.load import load
from careledger.policy import PROFILE_NAMES, load_profile

END = dt.date(2026, 11, 23)


def errors(findings):
    return [f.format() for f in findings if f.is_error]


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def default_demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "content"
    counts = write_demo(root, DemoSpec())
    records, findings = load(root, today=END)
    return root, counts, records, findings


def test_default_spec():
    assert DemoSpec() == DemoSpec(households=60, months=6, seed=1, profile="wangcheng-2020", end=END)


def test_default_demo_loads_without_errors(default_demo):
    root, counts, records, findings = default_demo
    assert errors(findings) == []
    assert counts["户"] == len(records.households) == 60
    assert counts["走访"] == len(records.visits) > 1000
    assert counts["人员"] == len(records.staff)
    assert counts["督查"] == len(records.inspections) > 0
    assert counts["代管台账"] == len(records.custody) >= 2
    assert len(records.pages) == 3
    assert records.site.synthetic_ids and records.site.profile == "wangcheng-2020"
    assert len(records.site.villages) >= 3


def test_default_demo_covers_every_category_and_level(default_demo):
    _, _, records, _ = default_demo
    subjects = [s for h in records.households if h.status == "active" for s in h.subjects]
    assert {s.category for s in subjects} == {"1", "2", "3", "4", "5"}
    assert {s.level for s in subjects} == {"1", "2", "3"}
    assert {h.status for h in records.households} == {"active", "exited", "observation"}


def test_default_demo_has_deliberate_lapses(default_demo):
    _, _, records, _ = default_demo
    visits = records.visits
    assert {v.mode for v in visits} >= {"in_person", "phone", "video"}
    assert {v.duty for v in visits} >= {"responsible", "contact"}
    found = {(v.household, p.id) for v in visits for p in v.problems}
    closed = {(v.household, r.problem) for v in visits for r in v.resolved}
    assert closed and closed < found  # most problems closed, some left open
    assert any(not i.passed for i in records.inspections)
    assert any(i.passed for i in records.inspections)
    agreements = [a for h in records.households for a in h.agreements]
    assert any(a.expires < END for a in agreements)
    assert any(END <= a.expires <= END + dt.timedelta(days=30) for a in agreements)
    assert any(s.absences for h in records.households for s in h.subjects)
    last_responsible = {}
    for v in visits:
        if v.duty == "responsible":
            last_responsible[v.household] = v.date
    assert any((END - day).days > 20 for day in last_responsible.values())  # someone is overdue at the end


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_every_profile_loads_without_errors(tmp_path, profile):
    root = tmp_path / "content"
    counts = write_demo(root, DemoSpec(households=30, months=2, profile=profile))
    records, findings = load(root, today=END)
    assert errors(findings) == []
    assert counts["户"] == len(records.households) == 30
    assert {s.category for h in records.households for s in h.subjects} == {c.code for c in records.profile.categories}
    if records.profile.levels:
        assert {s.level for h in records.households for s in h.subjects} == {lv.code for lv in records.profile.levels}


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    spec = DemoSpec(households=25, months=2, seed=5)
    write_demo(tmp_path / "a", spec)
    write_demo(tmp_path / "b", spec)
    write_demo(tmp_path / "c", DemoSpec(households=25, months=2, seed=6))
    a, b, c = tree(tmp_path / "a"), tree(tmp_path / "b"), tree(tmp_path / "c")
    assert a == b
    assert a != c


def test_id_numbers_synthetic_valid_and_unique(default_demo):
    _, _, records, _ = default_demo
    numbers = [m.id_number for h in records.households for m in h.members]
    assert numbers and all(numbers)
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert number.startswith("99")
        assert identifiers.check_digit(number[:17]) == number[17]


def test_names_cover_hard_cases(default_demo):
    _, _, records, _ = default_demo
    names = [m.name for h in records.households for m in h.members]

    def outside_gb2312(name):
        try:
            name.encode("gb2312")
        except UnicodeEncodeError:
            return True
        return False

    assert any("·" in n for n in names)
    assert any(n[:2] in COMPOUND_SURNAMES for n in names)
    assert any(outside_gb2312(n) and "·" not in n for n in names)


def test_pages_have_titles_and_no_subject_data(default_demo):
    root, _, records, _ = default_demo
    subject_names = {m.name for h in records.households for m in h.members}
    for page in records.pages:
        assert page.body.startswith("# ")
        assert "<" not in page.body
        assert not any(name in page.body for name in subject_names)


def test_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(click.ClickException, match="不是空的"):
        write_demo(tmp_path, DemoSpec(households=5, months=1))
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_writes_into_an_empty_directory(tmp_path):
    counts = write_demo(tmp_path, DemoSpec(households=3, months=1))
    assert counts["户"] == 3
    assert (tmp_path / "site.yaml").is_file()


def test_unknown_profile_is_refused(tmp_path):
    with pytest.raises(click.ClickException, match="nowhere-2099"):
        write_demo(tmp_path / "x", DemoSpec(profile="nowhere-2099"))
    assert not (tmp_path / "x").exists()


def test_profiles_exist():
    for name in PROFILE_NAMES:
        profile, findings = load_profile(name, today=END)
        assert profile is not None, [f.format() for f in findings]


def test_cli_demo(tmp_path):
    from click.testing import CliRunner

    from careledger.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["demo", str(tmp_path / "d"), "--households", "8", "--months", "1", "--seed", "3",
                                  "--profile", "qiandongnan-2023", "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert "户 8" in result.output
    again = runner.invoke(main, ["demo", str(tmp_path / "d"), "--households", "8"])
    assert again.exit_code == 1
    assert "不是空的" in again.output


def test_committed_demo_shows_findings_of_every_rule_family():
    """The bundled demo is what a new user sees first: it must show each kind of finding the profile can give."""
    import datetime as dt
    from pathlib import Path

    from careledger.pipeline import check_records

    content = Path(__file__).resolve().parent.parent / "content"
    _, findings = check_records(content, as_of=dt.date(2026, 11, 23))
    families = {f.code.split("-")[0] for f in findings}
    assert {"CAD", "ASG", "LVL", "CUS", "AGR", "REV", "PRB", "PEN"} <= families, families
    assert not [f for f in findings if f.code.startswith(("E-", "RULE-"))]
