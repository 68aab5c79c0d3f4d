"""Red team: personal values planted in every way a reader still reads them, each refused by the proof.

The records are loaded once (the test jurisdiction of publickit.py, with a member's landline added); each variant
plants one value — in a notice, a staff post, a village's or the jurisdiction's name, a category's wording — and the
published site is rendered and scanned as `build` does. Every variant must end in E-PRIVACY-LEAK for the right kind
of value, on the page that shows it (a notice's own page, not only the search index that copies it), and the
finding must not hold the value. Variants in the classes of issue 14: spacing, format characters, combining marks,
traditional characters, dots, Chinese numerals, digit groupings, 15-digit ID numbers, landlines, posts, settings
texts, notices and overridden category texts.
"""

import dataclasses
import re

import pytest
import yaml

from careledger.findings import Source
from careledger.load import load
from careledger.pipeline import BuildFailed, build_all
from careledger.policy import PROFILE_DIR
from careledger.proof import ANY_ID, ANY_MOBILE, scan, secrets_of
from careledger.reading import read
from careledger.records import Page
from careledger.render import convert_pages
from careledger.render import site as site_renderer
from careledger.rules import run_rules
from careledger.views.public import redact

from .contentkit import id_number
from .publickit import AS_OF, jurisdiction

NAME = "家庭成员的姓名"
SUPPORTER = "赡养、抚养、扶养及监护人的姓名"
STAFF = "工作人员的姓名"
ID = "家庭成员的身份证号"
PHONE = "家庭成员的手机"
LANDLINE = "家庭成员的固定电话"
ADDRESS = "家庭档案的现居住地"
ILLNESS = "家庭成员的患病情况"

OUYANG_ID = id_number("1941-02-03", 1)  # 欧阳明's (h11)
assert OUYANG_ID == "990101194102030016"
FIRST_GENERATION = OUYANG_ID[:6] + OUYANG_ID[8:17]  # 990101410203001
LANDLINE_NUMBER = "0564-3312678"  # 张三's (h12), added below
CN = "〇一二三四五六七八九"


def chinese(digits: str, numerals: str = CN) -> str:
    return "".join(numerals[int(d)] for d in digits)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    content = jurisdiction(tmp_path_factory.mktemp("redteam") / "content")
    path = content / "households/v1/h12.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    phone: '13800001001'\n",
                                 f"    phone: '13800001001'\n    landline: '{LANDLINE_NUMBER}'\n"), encoding="utf-8")
    loaded, findings = load(content, today=AS_OF)
    assert not [f for f in findings if f.is_error]
    assert any(m.landline for h in loaded.households for m in h.members)
    return loaded


def publish(records):
    """The build's path from records to the scan: view, notices, render, proof."""
    view = redact(records, run_rules(records, AS_OF), AS_OF, records.site.privacy)
    pages_html, _ = convert_pages(view.pages)
    files = site_renderer.render_site(view, pages_html)
    return files, scan(files, secrets_of(records, records.site.privacy, AS_OF))


def with_notice(records, body: str):
    page = Page(slug="notice", title="通知", body=f"# 通知\n\n{body}\n", source=Source("pages/notice.md"))
    return dataclasses.replace(records, pages=(*records.pages, page))


def refused(findings, kind, planted: str, file: str | None = None):
    hits = {(f.evidence["file"], f.evidence["kind"]) for f in findings if f.code == "E-PRIVACY-LEAK"}
    assert any(k == kind for _, k in hits), (kind, hits)
    if file:
        assert (file, kind) in hits, (file, kind, hits)
    for f in findings:
        assert planted not in f.message and planted not in str(f.evidence)


NOTICES = [
    # spacing: what a reader's eye runs over
    ("欧 阳明", NAME), ("欧\u3000阳\u3000明", NAME), ("欧\n阳明", NAME), ("欧\u00a0阳明", NAME),
    ("欧&nbsp;阳&nbsp;明", NAME), ("欧  阳   明", NAME), ("欧\u2003阳明", NAME), ("张 大 山", SUPPORTER),
    # format characters
    ("欧\u200b阳明", NAME), ("欧\u200d阳明", NAME), ("欧\u2060阳明", NAME), ("欧\ufeff阳明", NAME),
    ("欧\u00ad阳明", NAME), ("欧\u200e阳\u200f明", NAME), ("欧\u202e阳\u202c明", NAME), ("欧\u2066阳\u2069明", NAME),
    ("欧\u180e阳明", NAME), ("欧&#8203;阳明", NAME),
    # combining marks
    ("欧\u0301阳明", NAME), ("欧\u0332阳\u0332明\u0332", NAME), ("欧阳\u20dd明", NAME), ("欧\u0336阳\u0336明", NAME),
    ("欧\u034f阳明", NAME),
    # traditional characters
    ("歐陽明", NAME), ("張三豐", NAME), ("孫德明", NAME), ("吳建華", NAME), ("鄭一", NAME), ("馮二", NAME),
    ("張大山", SUPPORTER), ("錢桂英", STAFF), ("高血壓", ILLNESS),
    # dots and their look-alikes in a Uyghur-style name
    ("阿依古丽•买买提", NAME), ("阿依古丽.买买提", NAME), ("阿依古丽・买买提", NAME), ("阿依古丽‧买买提", NAME),
    ("阿依古丽∙买买提", NAME), ("阿依古丽 买买提", NAME), ("阿依古丽买买提", NAME), ("阿依古丽-买买提", NAME),
    ("阿依古丽·買買提", NAME), ("阿依古丽⋅买买提", NAME),
    # Chinese numerals
    (chinese("13800001000"), PHONE), (chinese("13800001000", "零幺二三四五六七八九"), PHONE),
    (chinese("13800001000", "零壹贰叁肆伍陆柒捌玖"), PHONE), (chinese(OUYANG_ID[:17]) + "六", ID),
    ("一三八 〇〇〇〇 一〇〇〇", PHONE), ("１３８０ ０００ １０００", PHONE),
    # groupings and separators
    ("138.0000.1000", PHONE), ("(138)0000-1000", PHONE), ("+86(138)0000 1000", PHONE), ("+86 138 0000 1000", PHONE),
    ("0086-13800001000", PHONE), ("1380 000 1000", PHONE), ("138—0000—1000", PHONE),
    ("990 101 1941 0203 0016", ID), ("990101.19410203.0016", ID), ("(990101)19410203(0016)", ID),
    ("9901-0119-4102-0300-16", ID),
    ("139.1234.5678", ANY_MOBILE), ("+86(139)1234-5678", ANY_MOBILE),
    # 15-digit first-generation ID numbers
    (FIRST_GENERATION, ID), ("990101 410203 001", ID), (chinese(FIRST_GENERATION), ID),
    # landlines, with or without the area code
    (LANDLINE_NUMBER, LANDLINE), ("(0564)3312678", LANDLINE), ("3312678", LANDLINE), ("331 2678", LANDLINE),
    (chinese("05643312678"), LANDLINE), ("0564 331 2678", LANDLINE), ("电话3312678", LANDLINE),
    # notices: addresses and markup
    ("一 村 1 组 10 号", ADDRESS), ("欧*阳*明", NAME), ("\n\n- 欧\n- 阳明\n\n", NAME),
]


@pytest.mark.parametrize("planted,kind", NOTICES, ids=[repr(p)[1:-1][:24] for p, _ in NOTICES])
def test_a_notice_with_a_value_as_a_reader_reads_it_is_refused(records, planted, kind):
    files, found = publish(with_notice(records, f"请联系：{planted}。"))
    refused(found, kind, planted, file="site/pages/notice.html")
    point = [f for f in found if f.evidence["file"] == "site/pages/notice.html"]
    assert all(f.source.file == "pages/notice.md" for f in point)


def replace_staff(records, staff_id: str, **changes):
    staff = tuple(dataclasses.replace(s, **changes) if s.id == staff_id else s for s in records.staff)
    return dataclasses.replace(records, staff=staff)


def replace_site(records, **changes):
    return dataclasses.replace(records, site=dataclasses.replace(records.site, **changes))


def rename_village(records, village_id: str, name: str):
    villages = tuple(dataclasses.replace(v, name=name) if v.id == village_id else v for v in records.site.villages)
    return replace_site(records, villages=villages)


def reword_category(records, code: str, **changes):
    categories = tuple(dataclasses.replace(c, **changes) if c.code == code else c for c in records.profile.categories)
    return dataclasses.replace(records, profile=dataclasses.replace(records.profile, categories=categories))


SETTINGS = [
    # staff posts: published text, no longer exempt
    ("post of a cadre", lambda r: replace_staff(r, "v1-shuji", post="欧阳明家属联络员"), "欧阳明"),
    ("post, traditional", lambda r: replace_staff(r, "v1-bp", post="張三豐聯絡員"), "張三豐"),
    ("post, spaced", lambda r: replace_staff(r, "v2-shuji", post="孙 德明包保责任人"), "孙 德明"),
    ("post of the office", lambda r: replace_staff(r, "s-mz", post="周桂芳专干"), "周桂芳"),
    # names of the jurisdiction, its parent and its villages
    ("village name", lambda r: rename_village(r, "v1", "吴建华村"), "吴建华"),
    ("village name, dotted", lambda r: rename_village(r, "v2", "阿依古丽・买买提社区"), "阿依古丽・买买提"),
    ("jurisdiction name", lambda r: replace_site(r, name="张三丰街道"), "张三丰"),
    ("parent name", lambda r: replace_site(r, parent="欧阳明县"), "欧阳明"),
    # overridden category texts (what site.yaml's overrides: make of the profile)
    ("category description", lambda r: reword_category(r, "1", description="如吴建华等分散供养特困人员"), "吴建华"),
    ("category name", lambda r: reword_category(r, "3", name="孙德明类"), "孙德明"),
]


@pytest.mark.parametrize("label,change,planted", SETTINGS, ids=[s[0] for s in SETTINGS])
def test_a_published_setting_that_holds_a_name_is_refused_or_absent(records, label, change, planted):
    files, found = publish(change(records))
    if found:
        refused(found, NAME, planted)
    else:  # the setting is not shown anywhere (a post of no one's cadre): the name is nowhere, read as a reader reads
        wanted = read(planted)
        assert not any(wanted in read(re.sub(r"<[^<>]*>", "", data.decode("utf-8"))) for data in files.values())


def test_a_declared_public_text_excuses_that_text_only(records):
    """雷家湾村 (a village named after a family) with a member 雷家: declared word for word in
    privacy.public_texts, the village's name is published; the member's name alone is still refused."""
    members = tuple(h if h.id != "h15" else dataclasses.replace(
        h, members=(dataclasses.replace(h.members[0], name="雷家"),)) for h in records.households)
    renamed = rename_village(dataclasses.replace(records, households=members), "v1", "雷家湾村")
    refused(publish(renamed)[1], NAME, "雷家")
    declared = replace_site(renamed, privacy=dataclasses.replace(renamed.site.privacy, public_texts=("雷家湾村",)))
    files, found = publish(declared)
    assert found == [] and "雷家湾村" in files["villages/v1.html"].decode("utf-8")
    refused(publish(with_notice(declared, "雷 家"))[1], NAME, "雷 家", file="site/pages/notice.html")


def test_a_post_is_refused_by_the_build_and_nothing_is_written(tmp_path):
    """End to end: the issue's own example, a post "雷某某家属联络员" for a member 雷某某."""
    content = jurisdiction(tmp_path / "content")
    path = content / "households/v1/h15.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("孙德明", "雷某某"), encoding="utf-8")
    staff = content / "staff/v1.yaml"
    staff.write_text(staff.read_text(encoding="utf-8").replace("post: 村委委员", "post: 雷某某家属联络员"),
                     encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_all(content, tmp_path / "out", as_of=AS_OF, paper=False)
    refused(failed.value.findings, NAME, "雷某某", file="site/villages/v1.html")
    assert not (tmp_path / "out").exists()


def test_there_are_at_least_sixty_variants():
    assert len(NOTICES) + len(SETTINGS) >= 60
    assert {k for _, k in NOTICES} >= {NAME, SUPPORTER, STAFF, ID, PHONE, LANDLINE, ADDRESS, ILLNESS, ANY_MOBILE}


def test_the_base_is_clean(records):
    """Without a planted value the same records publish: every refusal above is the planted value's doing."""
    files, found = publish(records)
    assert found == [] and ANY_ID not in str(found)


def test_an_overridden_category_text_is_refused_by_the_build(tmp_path):
    """End to end through site.yaml's overrides: a category's wording that names a member."""
    profile = yaml.safe_load((PROFILE_DIR / "wangcheng-2020.yaml").read_text(encoding="utf-8"))
    categories = profile["categories"]
    categories[0]["description"] = "自理能力不足的分散供养特困人员，如吴 建华"
    content = jurisdiction(tmp_path / "content")
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8")
                    + yaml.safe_dump({"overrides": {"categories": categories}}, allow_unicode=True),
                    encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_all(content, tmp_path / "out", as_of=AS_OF, paper=False)
    refused(failed.value.findings, NAME, "吴 建华")
    assert not (tmp_path / "out").exists()
