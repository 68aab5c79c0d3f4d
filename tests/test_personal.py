"""The proof looks for what the schema marks personal (careledger/personal.py), not for a hand-kept list."""

import dataclasses
from dataclasses import dataclass

import pytest

from careledger.personal import values_of
from careledger.proof import scan, secrets_of
from careledger.records import Household, Member, Staff, Supporter
from careledger.schema import TEXT, field_

from .contentkit import load_clean
from .publickit import AS_OF, jurisdiction


@dataclass(frozen=True, kw_only=True)
class MemberWithWechat(Member):
    """A member record with a field added later and marked personal, as a new schema version would add it."""

    wechat: str = field_("微信号", TEXT, personal="text")


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return load_clean(jurisdiction(tmp_path_factory.mktemp("personal") / "content"), AS_OF)


def test_a_new_field_marked_personal_is_looked_for_and_found(records):
    member = records.households[0].members[0]
    extended = MemberWithWechat(**{f.name: getattr(member, f.name) for f in dataclasses.fields(Member)},
                                wechat="wxid-ouyang1941")
    households = (dataclasses.replace(records.households[0], members=(extended,)), *records.households[1:])
    changed = dataclasses.replace(records, households=households)
    secrets = secrets_of(changed, changed.site.privacy, AS_OF)
    assert secrets.texts["wxidouyang1941"] == "家庭成员的微信号"  # as read: the hyphen is skipped
    [finding] = scan({"pages/notice.html": "<p>微信 wxid ouyang 1941</p>".encode()}, secrets)
    assert finding.evidence["kind"] == "家庭成员的微信号" and "wxid" not in finding.message
    assert scan({"pages/notice.html": "<p>wxid</p>".encode()}, secrets) == []


def test_the_marks_cover_what_the_proof_looked_for_by_hand():
    marked = {(cls.__name__, f.name) for cls in (Household, Member, Supporter, Staff)
              for f in dataclasses.fields(cls) if f.metadata.get("personal")}
    assert marked >= {("Household", "address"), ("Member", "name"), ("Member", "id_number"), ("Member", "phone"),
                      ("Member", "landline"), ("Member", "illness"), ("Supporter", "name"), ("Supporter", "address"),
                      ("Supporter", "phone"), ("Staff", "name"), ("Staff", "phone"), ("Staff", "office_phone")}


def test_a_members_landline_is_a_secret_with_and_without_its_area_code(records):
    member = dataclasses.replace(records.households[0].members[0], landline="0564-3312678")
    households = (dataclasses.replace(records.households[0], members=(member,)), *records.households[1:])
    changed = dataclasses.replace(records, households=households)
    kinds = {p.kind for p in values_of(households[0])}
    assert "家庭成员的固定电话" in kinds
    secrets = secrets_of(changed, changed.site.privacy, AS_OF)
    assert secrets.numbers["05643312678"] == "家庭成员的固定电话" and secrets.whole["3312678"] == "家庭成员的固定电话"
    for written in ("0564-3312678", "3312678", "（0564）331 2678"):
        [finding] = scan({"x.html": f"<p>电话：{written}</p>".encode()}, secrets)
        assert finding.evidence["kind"] == "家庭成员的固定电话", written
    assert scan({"x.html": "<p>编号 133126789</p>".encode()}, secrets) == []  # a local number inside another: no


def test_a_disability_is_published_as_its_label():
    """A choice is looked for as the Chinese label the site would print, not as its code."""
    from careledger.records import Disability
    member = Member(id="m1", name="张三", relation="self", disability=Disability(kind="physical", grade="1"))
    assert {(p.value, p.kind) for p in values_of(member)} == {("张三", "家庭成员的姓名"), ("肢体残疾", "残疾情况的残疾类别")}
