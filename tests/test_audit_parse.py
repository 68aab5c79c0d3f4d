"""Reading old versions of records: the fast paths read exactly what the loader reads."""

from dataclasses import replace
from pathlib import Path

import pytest

from careledger.audit.diff import diff_records
from careledger.audit.parse import HouseholdParser, VisitKey, VisitParser, _whole_household
from careledger.load import load

from .conftest import AS_OF, FIXTURES

CONTENT = Path(__file__).resolve().parent.parent / "content"


@pytest.mark.parametrize("root", [FIXTURES / "basic", CONTENT], ids=["basic", "demo"])
def test_households_read_block_by_block_equal_the_loaded_ones(root):
    records, _ = load(root, today=AS_OF)
    parser = HouseholdParser()
    for household in records.households:
        rel = household.source.file
        data = (root / rel).read_bytes()
        assert parser.read(data, rel) == household, rel
        assert _whole_household(data.decode("utf-8"), rel) == household, rel


@pytest.mark.parametrize("root", [FIXTURES / "basic", CONTENT], ids=["basic", "demo"])
def test_visits_read_entry_by_entry_equal_the_loaded_ones(root):
    records, _ = load(root, today=AS_OF)
    parser = VisitParser()
    read = {}
    for path in sorted((root / "visits").rglob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        read.update(parser.read(path.read_bytes(), rel))
    loaded = {VisitKey(v.visitor, v.date, v.household, v.duty): v for v in records.visits}
    assert len(read) == len(records.visits) == len(loaded)  # no two visits share an identity here
    for key, visit in read.items():
        assert visit == loaded[key] and visit.visitor == key.visitor, key


def test_two_visits_with_one_identity_are_told_apart_by_position():
    text = ("- date: 2026-11-02\n  household: ds-001\n  duty: contact\n  note: 上午\n"
            "- date: 2026-11-02\n  household: ds-001\n  duty: contact\n  note: 下午\n").encode()
    visits = VisitParser().read(text, "visits/2026-11/ds-lianxi1.yaml")
    assert [(k.n, v.note) for k, v in visits.items()] == [(0, "上午"), (1, "下午")]


@pytest.mark.parametrize("text", [
    "[{date: 2026-11-02, household: ds-001, duty: contact}]\n",  # flow style
    "---\n- date: 2026-11-02\n  household: ds-001\n  duty: contact\n",  # a document marker
    "- &a\n  date: 2026-11-02\n  household: ds-001\n  duty: contact\n- <<: *a\n  duty: responsible\n",  # anchors
])
def test_visit_files_that_do_not_split_are_read_whole(text):
    visits = VisitParser().read(text.encode(), "visits/2026-11/ds-lianxi1.yaml")
    assert visits is not None and VisitKey("ds-lianxi1", __import__("datetime").date(2026, 11, 2), "ds-001",
                                           "contact") in visits


def test_an_unreadable_version_is_none():
    assert VisitParser().read(b"- date: [\n", "visits/2026-11/x.yaml") is None
    assert HouseholdParser().read(b"id: [\n", "households/v/x.yaml") is None
    assert HouseholdParser().read("id: x\n".encode("gbk"), "households/v/x.yaml") is None  # required fields missing


def test_fields_changed_are_named_with_their_labels():
    records, _ = load(FIXTURES / "basic", today=AS_OF)
    before = records.households_by_id["ds-001"]
    subject = before.subjects[0]
    after = replace(before, address="东山村2组16号", subjects=(replace(subject, level="2"),))
    assert [c.describe() for c in diff_records(before, after)] == [
        "现居住地：“东山村2组15号”→“东山村2组16号”", "关爱帮扶对象[m1]·关爱帮扶等级：“3”→“2”"]
    assert diff_records(before, before) == ()
