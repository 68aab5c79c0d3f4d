"""The public view: who is listed, what each entry shows, the settings, suppression on the real tables, and the
structural guards (parts hold plain values only; the published renderer takes a PublicView only)."""

import dataclasses
import datetime as dt

import pytest
from markupsafe import Markup

from careledger.load import load
from careledger.render.site import render_site
from careledger.rules import Facts, run_rules
from careledger.views.public import Cell, PageText, PublicView, Row, redact

from .publickit import AS_OF, jurisdiction


def view_of(root, as_of=AS_OF):
    records, findings = load(root, today=as_of)
    assert not [f.format() for f in findings if f.is_error]
    return records, redact(records, run_rules(records, as_of), as_of, records.site.privacy)


@pytest.fixture
def town(tmp_path):
    return jurisdiction(tmp_path / "content")


def entries(view, village_id):
    return next(v for v in view.villages if v.id == village_id).entries


def test_the_announcement_lists_adults_in_care_by_surname(town):
    records, view = view_of(town)
    v1 = entries(view, "v1")
    assert sorted(e.name for e in v1) == sorted(["欧阳*", "张*", "张*", "阿*", "孙*", "周*", "吴*"])
    assert [e.category for e in v1] == ["一类", "二类", "二类", "三类", "三类", "三类", "三类"]  # profile order
    v2 = entries(view, "v2")
    assert len(v2) == 9  # not the child of ten, not the subject whose age is not recorded
    assert "卫*" not in {e.name for e in v2} and "蒋*" not in {e.name for e in v2}
    assert "王*" not in {e.name for e in v1}  # the exited household
    assert "韩*" not in {e.name for e in v2}  # the observation list


def test_an_entry_shows_no_more_than_the_settings_allow(town):
    _, view = view_of(town)
    aygl = next(e for e in entries(view, "v1") if e.name == "阿*")
    assert aygl.policies == ("低保对象",)  # 残疾人两项补贴 says disability: not listed per person
    assert aygl.id_number == "" and aygl.phone == ""
    assert aygl.contact == "已安排"  # contacts are not named by default
    assert [(c.label, c.phone) for c in aygl.cadres] == [("王秀兰", "0564-3300101")]
    assert aygl.public_id not in ("h14", "h14/m1") and len(aygl.public_id) == 10


@pytest.mark.parametrize("privacy,cadre,phone,contact,id_number,mobile", [
    ("", "王秀兰", "0564-3300101", "已安排", "", ""),
    ("  publish_cadre_names: false\n", "村委委员", "0564-3300101", "已安排", "", ""),
    ("  publish_cadre_phones: false\n", "王秀兰", "", "已安排", "", ""),
    ("  publish_contact_names: true\n", "王秀兰", "0564-3300101", "赵小红", "", ""),
    ("  id_number_mask: first6_last4\n  phone_mask: first3_last4\n", "王秀兰", "0564-3300101", "已安排",
     "990101********", "138****1003"),
])
def test_settings(tmp_path, privacy, cadre, phone, contact, id_number, mobile):
    _, view = view_of(jurisdiction(tmp_path / "c", privacy=privacy))
    e = next(e for e in entries(view, "v1") if e.name == "阿*")
    assert (e.cadres[0].label, e.cadres[0].phone, e.contact) == (cadre, phone, contact)
    assert e.id_number.startswith(id_number) and e.phone == mobile
    if id_number:
        assert len(e.id_number) == 18 and e.id_number.count("*") == 8


def test_the_public_id_depends_on_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("CARELEDGER_ID_KEY", "测试街道-公开编号-密钥-0001-" + "a" * 32)
    _, a = view_of(jurisdiction(tmp_path / "a"))
    monkeypatch.setenv("CARELEDGER_ID_KEY", "测试街道-公开编号-密钥-0002-" + "a" * 32)
    _, b = view_of(jurisdiction(tmp_path / "b"))
    assert {e.name for e in entries(a, "v1")} == {e.name for e in entries(b, "v1")}
    assert not {e.public_id for e in entries(a, "v1")} & {e.public_id for e in entries(b, "v1")}


def test_a_village_with_small_counts_hides_its_whole_row(town):
    """一村 has one subject of 一类, two of 二类 and one exited household: its whole row is hidden in every table,
    with the one mark, together with 二村's (one village alone would be its column totals minus the others)."""
    records, view = view_of(town)
    for table in (view.by_category, view.by_level, view.households):
        for code in ("v1", "v2"):
            assert {c.text for c in table.row(code).cells} == {"—"}
            assert all(c.value is None for c in table.row(code).cells)  # the view does not even hold them
    check_suppression_on_the_real_tables(town)


def test_the_child_and_the_unrecorded_age_are_counted_not_listed(town):
    records, view = view_of(town)
    # two: the child of ten and the subject of unknown age; the county's children are 1..k−1, so every total that
    # holds them is hidden (all subjects = listed, countable on the 公示, + children)
    assert view.headline.children.text == "—" and view.headline.subjects.text == "—"
    check_suppression_on_the_real_tables(town)


def check_suppression_on_the_real_tables(root, as_of=AS_OF):
    """The attacker of tests/attackkit.py, on the rendered site: nothing hidden can be pinned."""
    from .attackkit import attack, build_site, verdict

    site, records, view = build_site(root, as_of)
    figures = verdict(attack(site, view.k), records, as_of, view.k)
    assert figures["hidden"] > 0
    for failure in ("pinned_small", "pinned_exactly", "zero_bounded", "rates_pinned", "warnings_pinned",
                    "bands_pinned", "small_rows_shown"):
        assert figures[failure] == [], failure


def test_the_demo_tables_are_protected():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "content"
    records, view = view_of(root, dt.date(2026, 11, 23))
    check_suppression_on_the_real_tables(root)
    assert {c.text for r in view.by_category.rows for c in r.cells if c.value is None} == {"—"}


def test_status_is_over_listed_subjects_and_not_shown_below_k(town):
    _, view = view_of(town)
    lijianguo = next(s for s in view.cadres if s.label == "李建国")
    # one listed subject: that number is on the 公示 anyway, her figures are not
    assert lijianguo.listed.text == "1" and lijianguo.on_time.text == "—" and lijianguo.gap_band == "—"
    assert lijianguo.warnings_month.text == "—"
    wang = next(s for s in view.cadres if s.label == "王秀兰")
    assert wang.listed.text == "6" and wang.on_time.text == "0%" and wang.gap_band == ">30天"  # no visits recorded


# --- the structural guards ------------------------------------------------------------------------------------


def test_parts_refuse_anything_but_plain_values(town):
    records, view = view_of(town)
    household = records.households[0]
    with pytest.raises(TypeError, match="plain values only"):
        Cell(text="1", value=household)
    with pytest.raises(TypeError, match="plain values only"):
        Row(code="v1", label="一村", cells=(Cell("1", 1), household.members[0]))
    with pytest.raises(TypeError, match="plain values only"):
        PageText(slug="x", title="x", markdown={"name": "张三"}, source=household.source)
    with pytest.raises(TypeError, match="plain values only"):
        dataclasses.replace(view, villages=(records.site.villages[0],))
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.jurisdiction = "x"


class _Str(str):
    pass


def test_the_quick_type_check_gives_the_walks_verdict():
    """Parts check exact types with a set lookup first (issue 16): a subclass of an allowed type still passes (by
    the isinstance walk), anything else nested in a tuple is still refused."""
    assert Cell(_Str("1"), True).text == "1"
    assert Row("v1", "一村", (Cell("1", 1), Cell(_Str("2"), 2))).cells[1].text == "2"
    with pytest.raises(TypeError, match="plain values only"):
        Row("v1", "一村", ((Cell("1", 1), [1]),))
    with pytest.raises(TypeError, match="plain values only"):
        Cell("1", b"1")


def test_the_weeks_visits_are_found_by_date_as_by_a_walk(town):
    """`_week_counts` bisects for the weeks' visits when they are known to be in date order (the tuple `load` made),
    else walks all of them: the counts are the same either way."""
    import random
    from types import SimpleNamespace

    from careledger.views.public import _week_counts

    households = {f"h{i}": SimpleNamespace(village=f"v{i % 3}") for i in range(6)}
    rng = random.Random(16)
    for _ in range(50):
        visits = sorted((SimpleNamespace(date=AS_OF - dt.timedelta(days=rng.randint(-3, 120)),
                                         household=rng.choice([*households, "gone"]))
                         for _ in range(rng.randint(0, 40))), key=lambda v: v.date)
        shuffled = visits[:]
        rng.shuffle(shuffled)
        assert _week_counts(tuple(visits), AS_OF, households, in_order=True) == _week_counts(shuffled, AS_OF,
                                                                                              households)
        first = AS_OF - dt.timedelta(days=AS_OF.weekday(), weeks=11)
        in_weeks = [v for v in visits if first <= v.date <= AS_OF]
        assert sum(_week_counts(tuple(visits), AS_OF, households, in_order=True)[None]) == len(in_weeks)
    from careledger.load import visits_in_date_order

    records = load(town, today=AS_OF)[0]
    assert visits_in_date_order(records)
    assert not visits_in_date_order(dataclasses.replace(records, visits=records.visits[::-1]))


def test_the_published_renderer_takes_a_public_view_only(town):
    records, view = view_of(town)
    with pytest.raises(TypeError, match="PublicView only"):
        render_site(records, {})
    assert isinstance(view, PublicView)
    files = render_site(view, {"about": Markup("<p>x</p>")})
    assert "index.html" in files and "villages/v1.html" in files


def test_a_value_no_public_view_holds_is_refused_though_the_pages_share_the_checked_tuples(town):
    """The pages' values are checked once a tuple (by identity, `site._check_values`): a tuple checked good passes
    again, and anything else, inside a new tuple or a page's fields beside checked ones, is still refused."""
    from careledger.render.memo import Fields
    from careledger.render.site import _check_values

    records, view = view_of(town)
    checked: dict = {}
    _check_values("site.villages", view.villages, checked)
    assert checked and id(view.villages) in checked
    _check_values("site", Fields({"villages": view.villages, "k": view.k}), checked)
    for bad in ((view.villages, (records.households[0],)), Fields({"villages": view.villages, "raw": records})):
        for _ in range(2):  # (a refused tuple is not remembered as checked)
            with pytest.raises(TypeError, match="only the public view may reach"):
                _check_values("site", bad, checked)
