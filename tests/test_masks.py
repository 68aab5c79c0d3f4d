"""The masks of the published site: surname only, one pattern everywhere; opaque public ids."""

import re

import pytest

from careledger.demo.names import COMPOUND_SURNAMES as DEMO_COMPOUND_SURNAMES
from careledger.views.masks import COMPOUND_SURNAMES, mask_id_number, mask_name, mask_phone, public_id

NAMES = [
    # (name, mask, why)
    ("张三", "张*", "single surname, single-character given name"),
    ("张堃", "张*", "a given name outside GB 2312"),
    ("张三丰", "张*", "the mask does not show how long the given name is"),
    ("李", "李*", "a one-character entry still hides something"),
    ("欧阳明", "欧阳*", "compound surname"),
    ("欧阳福生", "欧阳*", "compound surname, two-character given name"),
    ("司马玥", "司马*", "compound surname, rare character"),
    ("诸葛亮", "诸葛*", "compound surname"),
    ("上官霞琴", "上官*", "compound surname"),
    ("爱新觉罗溥仪", "爱新觉罗*", "four-character surname"),
    ("司马", "司*", "two characters: surname 司, given name 马"),
    ("乐正明", "乐*", "rare compound surnames are not on the list: 乐 + 正明 keeps one character only"),
    ("阿依古丽·买买提", "阿*", "middle dot: the first character only, never the father's name"),
    ("买买提•艾山", "买*", "bullet used as the dot"),
    ("迪丽努尔・阿布拉", "迪*", "katakana middle dot"),
    ("艾力.托合提", "艾*", "full stop used as the dot"),
    ("Tom Smith", "T*", "a name in Latin letters"),
    ("  王芳 ", "王*", "spaces around are not part of the name"),
    ("", "*", "nothing to show"),
]


@pytest.mark.parametrize("name,masked,why", NAMES, ids=[n[0] or "empty" for n in NAMES])
def test_mask_name(name, masked, why):
    assert mask_name(name) == masked, why


def test_every_demo_name_is_masked_the_same_way(tmp_path):
    from careledger.demo import DemoSpec, write_demo
    from careledger.load import load
    from careledger.views.masks import MASK

    write_demo(tmp_path / "c", DemoSpec(households=40, months=1))
    records, _ = load(tmp_path / "c", today=DemoSpec().end)
    names = {m.name for h in records.households for m in h.members} | {s.name for h in records.households
                                                                         for s in h.supporters}
    assert any("·" in n for n in names) and any(n[:2] in DEMO_COMPOUND_SURNAMES for n in names)
    for name in names:
        masked = mask_name(name)
        assert masked.endswith(MASK) and masked.count(MASK) == 1, name
        assert name.startswith(masked[:-1]) and len(masked) - 1 < len(name), name
        assert len(masked) - 1 <= (2 if "·" not in name else 1), name


def test_the_demo_compound_surnames_are_all_known():
    assert set(DEMO_COMPOUND_SURNAMES) <= COMPOUND_SURNAMES


@pytest.mark.parametrize("form,number,shown", [
    ("none", "990101194203150017", ""),
    ("first6_last4", "990101194203150017", "990101********0017"),
    ("first6_last4", "", ""),
])
def test_id_number_mask(form, number, shown):
    assert mask_id_number(number, form) == shown


@pytest.mark.parametrize("form,number,shown", [
    ("none", "13800000011", ""),
    ("first3_last4", "13800000011", "138****0011"),
    ("first3_last4", "0564-3312345", ""),  # only mobiles have a masked form
])
def test_phone_mask(form, number, shown):
    assert mask_phone(number, form) == shown


def test_public_id_is_opaque_and_keyed():
    a = public_id("ds-001/m1", b"salt-one-0123456789")
    assert a == public_id("ds-001/m1", b"salt-one-0123456789")
    assert a != public_id("ds-001/m1", b"salt-two-0123456789")
    assert a != public_id("ds-001/m2", b"salt-one-0123456789")
    assert re.fullmatch(r"[a-z2-7]{10}", a)  # base32: no 0, 1, 8, 9, so never a phone or an ID number
    assert "ds" not in a and "001" not in a
