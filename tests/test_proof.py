"""The proof: a leak planted in each route a real leak could take is refused, the finding names the file and the
kind of value (never the value), and the previous published output stays as it was."""

import dataclasses
import json
import random
import re
import shutil
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

from careledger import pipeline
from careledger.load import load
from careledger.pipeline import BuildFailed, build_all
from careledger.identifiers import check_digit, mobiles_in, valid_id_numbers_in
from careledger.proof import ANY_ID, ANY_MOBILE, Secrets, forms, scan, secrets_of
from careledger.reading import BOUNDARY, read
from careledger.render import convert_pages
from careledger.render import site as site_renderer
from careledger.rules import run_rules
from careledger.views import public
from careledger.views.public import redact

from .publickit import AS_OF, jurisdiction

REPO = Path(__file__).resolve().parent.parent

# The kinds of value a finding names: the record's and the field's labels (careledger/personal.py).
NAME = "家庭成员的姓名"
SUPPORTER = "赡养、抚养、扶养及监护人的姓名"
STAFF = "工作人员的姓名"
ID_NUMBER = "家庭成员的身份证号"
PHONE = "家庭成员的手机"
STAFF_PHONE = "工作人员的手机"
OFFICE_PHONE = "工作人员的办公电话"
ADDRESS = "家庭档案的现居住地"
SUPPORTER_ADDRESS = "赡养、抚养、扶养及监护人的现居住地"
ILLNESS = "家庭成员的患病情况"
DISABILITY = "残疾情况的残疾类别"


def tree_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    """The content and a good published output, built once; each test works on its own copies."""
    base = tmp_path_factory.mktemp("proof")
    content = jurisdiction(base / "content")
    build_all(content, base / "out", as_of=AS_OF)
    return base


@pytest.fixture
def town(first_build, tmp_path):
    shutil.copytree(first_build / "content", tmp_path / "content")
    shutil.copytree(first_build / "out", tmp_path / "out")
    return tmp_path / "content"


def refused(content: Path, *secret_values: str) -> list:
    """Build into the copied output, which must fail and stay as it was; return the leak findings."""
    out = content.parent / "out"
    before = tree_of(out)
    with pytest.raises(BuildFailed) as failed:
        build_all(content, out, as_of=AS_OF)
    assert tree_of(out) == before
    assert not [p.name for p in content.parent.iterdir() if p.name.startswith(".")]  # no half-written tree
    for f in failed.value.findings:
        for value in secret_values:
            assert value not in f.message and value not in str(f.evidence), (value, f.message)
    return [f for f in failed.value.findings if f.is_error]


def leaks(findings) -> set[tuple[str, str]]:
    return {(f.evidence["file"], f.evidence["kind"]) for f in findings if f.code == "E-PRIVACY-LEAK"}


def notice(content: Path, text: str, slug: str = "notice") -> None:
    (content / "pages" / f"{slug}.md").write_text(f"# 通知\n\n{text}\n", encoding="utf-8")


# --- route 1: a Markdown notice -------------------------------------------------------------------------------


def test_a_notice_that_quotes_a_name_is_refused_and_pointed_at(town):
    notice(town, "请各村做好冬季走访。\n\n欧阳明老人家中屋顶漏雨，已安排维修。")
    errors = refused(town, "欧阳明")
    assert leaks(errors) == {("site/pages/notice.html", NAME), ("site/search-index.js", NAME)}
    for finding in errors:  # both point at the line of the notice to fix (the search index copies its text)
        assert (finding.source.file, finding.source.line) == ("pages/notice.md", 5)
        assert "pages/notice.md" in finding.message and NAME in finding.message


@pytest.mark.parametrize("written,kind", [
    ("13800001000", PHONE),  # a member's phone as recorded
    ("138 0000 1000", PHONE),  # with spaces
    ("138-0000-1000", PHONE),
    ("１３８００００１０００", PHONE),  # full-width digits
    ("99010119540101001x", ID_NUMBER),  # a member's ID number with a lower-case x
    ("990101 19540101 001X", ID_NUMBER),
    ("99020219900307013X", ANY_ID),  # a valid ID number of no one in the records
    ("13912345678", ANY_MOBILE),  # a mobile of no one in the records
    ("+86 139 1234 5678", ANY_MOBILE),
    ("13900000103", STAFF_PHONE),  # a care contact's own mobile
    ("合肥市蜀山区长江西路100号", SUPPORTER_ADDRESS),  # a supporter's street address
    ("一村1组10号", ADDRESS),  # a household's address
    ("张大山", SUPPORTER),
    ("高血压", ILLNESS),
    ("肢体残疾", DISABILITY),
    ("赵小红", STAFF),  # a care contact: not named unless publish_contact_names
    ("钱桂英", STAFF),  # a caregiver: never named
])
def test_a_notice_with_a_personal_value_is_refused(town, written, kind):
    notice(town, f"联系：{written}。")
    assert ("site/pages/notice.html", kind) in leaks(refused(town, written))


@pytest.mark.parametrize("written", [
    "0564-3312345",  # the office phone
    "0564-3300101",  # a village cadre's office phone (published by default)
    "李建国",  # a cadre (published by default)
    "外省务工",  # a supporter's "address" that describes no place
    "一村",  # a village
])
def test_a_notice_with_public_values_is_published(town, written):
    notice(town, f"联系：{written}。")
    files, found = publish(load(town, today=AS_OF)[0])
    assert found == [] and written in files["pages/notice.html"].decode("utf-8")


@pytest.mark.parametrize("privacy,written,kind", [
    ("  publish_cadre_names: false\n", "李建国", STAFF),
    ("  publish_cadre_phones: false\n", "0564-3300101", OFFICE_PHONE),
])
def test_what_the_settings_do_not_publish_is_refused(tmp_path, privacy, written, kind):
    content = jurisdiction(tmp_path / "content", privacy=privacy, pages={"notice": f"# 通知\n\n联系：{written}\n"})
    with pytest.raises(BuildFailed) as failed:
        build_all(content, tmp_path / "out", as_of=AS_OF)
    assert ("site/pages/notice.html", kind) in leaks(failed.value.findings)
    assert not (tmp_path / "out").exists()


def test_contact_names_are_published_when_the_setting_says_so(tmp_path):
    content = jurisdiction(tmp_path / "content", privacy="  publish_contact_names: true\n",
                           pages={"notice": "# 通知\n\n联系人：赵小红\n"})
    files, found = publish(load(content, today=AS_OF)[0])
    assert found == [] and "赵小红" in files["villages/v1.html"].decode("utf-8")


# --- route 2: a visit note ------------------------------------------------------------------------------------


def add_visit_note(content: Path, note: str) -> None:
    path = content / "visits/2026-11/v1-bp.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"- date: 2026-11-20\n  household: h12\n  duty: responsible\n  note: {note}\n", encoding="utf-8")


def test_visit_notes_never_reach_the_site(town):
    add_visit_note(town, "儿子电话13912345678，已联系")
    records, _ = load(town, today=AS_OF)
    assert any(v.note for v in records.visits)
    files, found = publish(records)
    assert found == []
    for rel, data in files.items():
        assert b"13912345678" not in data and "已联系".encode() not in data, rel


def test_a_visit_note_published_by_mistake_is_refused(town, monkeypatch):
    """If someone ever adds the notes to the site (here: a page of them, next to the real ones), the scan stops it."""
    add_visit_note(town, "儿子电话13912345678，已联系")
    records, _ = load(town, today=AS_OF)
    real = pipeline.render_site

    def with_notes(view, pages_html, **kw):
        files = real(view, pages_html, **kw)
        files.add("notes.html", "".join(f"<p>{v.note}</p>" for v in records.visits if v.note).encode("utf-8"))
        return files

    monkeypatch.setattr(pipeline, "render_site", with_notes)
    assert leaks(refused(town, "13912345678")) == {("site/notes.html", ANY_MOBILE)}


# --- route 3: a custom template -------------------------------------------------------------------------------


@pytest.fixture
def templates(tmp_path, monkeypatch):
    """A copy of site_templates/ that the published renderer is pointed at."""
    copy = tmp_path / "site_templates"
    shutil.copytree(REPO / "careledger" / "site_templates", copy)
    monkeypatch.setattr(site_renderer, "TEMPLATES", copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("raw", [
    "{{ village.households[0].members[0].name }}",  # the view has no households: there is nothing raw to print
    "{{ site.__class__.__init__.__globals__ }}",  # the sandbox: no way out of the view
    "{{ village.entries[0].__class__.__module__ }}",
])
def test_a_template_cannot_reach_a_raw_field(town, templates, raw):
    edit(templates / "village.html", "{% block content %}", "{% block content %}" + raw)
    [error] = refused(town)
    assert error.code == "E-TEMPLATE" and error.source.file == "site_templates/village.html"


def test_a_template_given_raw_records_is_still_caught_by_the_scan(town, templates, monkeypatch):
    """Take the guards away (the type check, and hand the records to the templates): the scan still stops it."""
    records, _ = load(town, today=AS_OF)
    real = site_renderer.published_environment

    def leaky(stamp=None):
        env = real(stamp)
        env.globals["records"] = records
        return env

    monkeypatch.setattr(site_renderer, "published_environment", leaky)
    monkeypatch.setattr(site_renderer, "_check_values", lambda *args: None)
    edit(templates / "village.html", "{% block content %}",
         "{% block content %}{% for h in records.households if h.village == village.id %}"
         "<p>{{ h.members[0].name }} {{ h.members[0].id_number }}</p>{% endfor %}")
    found = leaks(refused(town, "欧阳明", "990101194102030016"))
    assert {("site/villages/v1.html", NAME), ("site/villages/v1.html", ID_NUMBER)} <= found


# --- route 4: an id that embeds an ID number ------------------------------------------------------------------


def test_a_household_id_that_embeds_an_id_number_is_refused_at_load(town):
    old = town / "households/v1/h11.yaml"
    new = town / "households/v1/h-990101194102030016.yaml"
    new.write_text(old.read_text(encoding="utf-8").replace("id: h11", "id: h-990101194102030016"), encoding="utf-8")
    old.unlink()
    [error] = [f for f in refused(town) if f.code == "E-ID-PERSONAL"]
    assert error.source.file == "households/v1/h-990101194102030016.yaml"


def test_an_id_number_in_an_id_that_reached_the_site_would_be_caught(town, monkeypatch):
    """Past the loader (records made in code) and with public ids that are the household ids: the scan finds it."""
    records, _ = load(town, today=AS_OF)
    households = tuple(dataclasses.replace(h, id="h-990101194102030016") if h.id == "h11" else h
                       for h in records.households)
    records = dataclasses.replace(records, households=households)
    monkeypatch.setattr(public, "public_id", lambda key, salt: key)
    found = {(f.evidence["file"], f.evidence["kind"]) for f in publish(records)[1]}
    assert ("site/villages/v1.html", ID_NUMBER) in found and ("site/search-index.js", ID_NUMBER) in found


def publish(records):
    """The library path of the build (view, pages, render, scan): the published files and the leak findings."""
    view = redact(records, run_rules(records, AS_OF), AS_OF, records.site.privacy)
    pages_html, _ = convert_pages(view.pages)
    files = site_renderer.render_site(view, pages_html)
    return files, scan(files, secrets_of(records, records.site.privacy, AS_OF))


# --- the scan itself: encodings, file names, false alarms -----------------------------------------------------


@pytest.fixture(scope="module")
def secrets(first_build):
    records, _ = load(first_build / "content", today=AS_OF)
    return secrets_of(records, records.site.privacy, AS_OF)


@pytest.mark.parametrize("data,kind", [
    ("<p>欧阳明</p>", NAME),
    ("<p>&#27431;&#38451;&#26126;</p>", NAME),  # HTML entities
    ('{"t": "\\u6b27\\u9633\\u660e"}', NAME),  # JSON escapes
    ("<a href='?q=%E6%AC%A7%E9%98%B3%E6%98%8E'>x</a>", NAME),  # URL encoding
    ("欧\u200b阳明", NAME),  # a zero-width space inside
    ("欧阳<b>明</b>", NAME),  # split by markup
    ("<tr><td>欧</td><td>阳明</td></tr>", NAME),  # neighbouring cells are read together
    ("/* 阿依古丽·买买提 */", NAME),  # CSS or JS comments count too
    ("99010119540101001X", ID_NUMBER),
    ("9901 0119 5401 0100 1x", ID_NUMBER),
    ("&#49;&#51;&#56;&#48;&#48;&#48;&#48;&#49;&#48;&#48;&#48;", PHONE),
    ("tel:+8613912345678", ANY_MOBILE),
    ("990302198001010011", ANY_ID),
    ("320102198001010019", None),  # the same with a wrong check digit is no ID number
])
def test_the_scan_reads_through_encodings(secrets, data, kind):
    found = scan({"x.html": data.encode("utf-8")}, secrets)
    if kind is None:
        assert found == []
        return
    [finding] = [f for f in found if f.evidence["kind"] == kind]
    assert finding.source.file == "site/x.html" and data not in finding.message


def test_the_scan_reads_file_names(secrets):
    found = scan({"villages/990101194102030016.html": b"<p>ok</p>"}, secrets)
    assert {f.evidence["kind"] for f in found} == {ID_NUMBER}


@pytest.mark.parametrize("data", [
    "<p>一村 二村 测试街道 示例县</p>",
    "<p>张* 欧阳* 阿*</p>",  # masks
    "<p>20260301 2026-11-23 12345678901234567</p>",  # dates and numbers that are no ID and no mobile
    "<p>0564-3312345 0564-3300101</p>",  # published office phones
    "<p>外省务工</p>",
    "<svg><rect x=\"130\" y=\"4000\"></rect></svg>",
])
def test_no_false_alarm_on_public_text(secrets, data):
    assert scan({"x.html": data.encode("utf-8")}, secrets) == []


def test_the_builds_own_commit_id_is_no_mobile_number(secrets):
    """About one commit id in 540 holds eleven digits that read like a mobile number (this one, 19274689958),
    and version.html names the commit: the build must not stop on it. Numbers next to it, and a record's number
    inside it, are still found."""
    commit = "26a7fd0f81f9d77f43ca844ff1f19274689958ef"
    page = f"<p>提交 <code>{commit}</code></p>"
    assert {f.evidence["kind"] for f in scan({"version.html": page.encode()}, secrets)} == {ANY_MOBILE}
    assert scan({"version.html": page.encode()}, secrets, ids=(commit,)) == []
    beside = f"<p>{commit}13912345678 {commit}-139-1234-5678</p>"
    assert {f.evidence["kind"] for f in scan({"version.html": beside.encode()}, secrets, ids=(commit,))} \
        == {ANY_MOBILE}
    inside = "26a7fd0f13800001000d77f43ca844ff1f192746"  # a member's phone (the fixture's) in the id
    assert {f.evidence["kind"] for f in scan({"version.html": f"<code>{inside}</code>".encode()}, secrets,
                                             ids=(inside,))} == {PHONE}


def test_a_name_inside_a_longer_public_text_is_a_hit_unless_that_text_is_declared(town):
    """A member called 测试 is found in 测试街道 (the jurisdiction's name) too: no text is exempt because it is
    published. Declared word for word in privacy.public_texts, 测试街道 excuses her there, and only there."""
    records, _ = load(town, today=AS_OF)
    households = tuple(dataclasses.replace(h, members=(dataclasses.replace(h.members[0], name="测试"),))
                       if h.id == "h15" else h for h in records.households)
    records = dataclasses.replace(records, households=households)
    files = {"a.html": "<p>测试街道</p>".encode(), "b.html": "<p>测试</p>".encode(),
             "c.html": "<p>测试街 道办</p>".encode()}
    found = scan(files, secrets_of(records, records.site.privacy, AS_OF))
    assert [(f.evidence["file"], f.evidence["kind"]) for f in found] == [
        ("site/a.html", NAME), ("site/b.html", NAME), ("site/c.html", NAME)]
    declared = dataclasses.replace(records.site.privacy, public_texts=("测试街道",))
    found = scan(files, secrets_of(records, declared, AS_OF))
    assert [(f.evidence["file"], f.evidence["kind"]) for f in found] == [("site/b.html", NAME)]


def test_a_cadre_who_shares_a_members_name_is_shown_by_post(town):
    records, _ = load(town, today=AS_OF)
    households = tuple(dataclasses.replace(h, members=(dataclasses.replace(h.members[0], name="王秀兰"),))
                       if h.id == "h16" else h for h in records.households)
    records = dataclasses.replace(records, households=households)
    assert publish(records)[1] == []  # nothing printed the name
    view = redact(records, run_rules(records, AS_OF), AS_OF, records.site.privacy)
    labels = {c.label for v in view.villages for e in v.entries for c in e.cadres}
    assert "王秀兰" not in labels and "村委委员" in labels


def test_the_demo_is_clean():
    records, _ = load(REPO / "content", today=AS_OF)
    files, found = publish(records)
    assert found == [] and len(files) > 10


def test_a_cadre_who_shares_a_caregivers_name_is_shown_by_post(town):
    """The big demo had this: a village director and a caregiver both called 钱梅. The caregiver may never be
    named, so neither is: the view shows the director by post and the scan keeps the name a hit."""
    records, _ = load(town, today=AS_OF)
    staff = tuple(dataclasses.replace(s, name="李建国") if s.id == "v1-hl" else s for s in records.staff)
    records = dataclasses.replace(records, staff=staff)
    files, found = publish(records)
    assert found == [] and "李建国" not in files["villages/v1.html"].decode("utf-8")
    assert "村党总支书记" in files["villages/v1.html"].decode("utf-8")
    leaked = scan({"pages/notice.html": "<p>李建国</p>".encode()}, secrets_of(records, records.site.privacy, AS_OF))
    assert [f.evidence["kind"] for f in leaked] == [STAFF]


# --- the scan at scale: the same findings as a plain scan, on a tree with many names to a surname -----------------


def synthetic(seed: int = 8):
    """Secrets of 2,400 people under 12 surnames (given names that are prefixes of others, names inside public
    texts) and 60 files that mix markup, encoded copies and numbers of every form."""
    rng = random.Random(seed)
    surnames, given = "王李张刘陈杨黄赵周吴", "芳华明军伟秀英兰娟敏强磊洋艳勇杰涛静丽"
    names = {s + g for s in (*surnames, "欧阳", "司徒") for g in given}  # every two- and three-character name
    names |= {n + g for n in list(names)[:800] for g in rng.sample(given, 2)}  # 王芳 and 王芳华 both
    texts = {n: rng.choice((NAME, SUPPORTER, STAFF)) for n in sorted(names)}
    addresses = [f"一村{i}组{i * 3}号" for i in range(1, 40)]
    texts |= dict.fromkeys(addresses, ADDRESS) | {"高血压": ILLNESS, "肢体残疾": DISABILITY}
    public = {"测试街道", "示例县", "王芳村", "李华路社区", "第3组张明华小区", "欧阳华Park", "村委会主任"} - set(texts)

    def valid_id(body17: str) -> str:
        return body17 + check_digit(body17)

    ids = [valid_id(f"990101{1950 + i % 50}0{1 + i % 9}1{i % 10}{i % 1000:03d}") for i in range(300)]
    mobiles = [f"13{i % 10}{i:08d}" for i in range(300)]
    landlines = [f"0564{3300000 + i}" for i in range(100)]
    numbers = {n: ID_NUMBER for n in ids} | {n: PHONE for n in mobiles + landlines}
    texts, public = {read(t): kind for t, kind in texts.items()}, {read(p) for p in public}  # as the proof reads
    secrets = Secrets(texts=texts, numbers=numbers, allowed_phones=frozenset({"05643312345", "13900000001"}),
                      public=tuple(sorted(public, key=lambda p: (-len(p), p))), pages={}, as_of=AS_OF,
                      whole={n[4:]: PHONE for n in landlines})

    def piece() -> str:
        name = rng.choice(sorted(names))
        return rng.choice([
            f"<td>{name}</td>", f"<p>{rng.choice(sorted(public))}</p>", name[0] + "*",
            "".join(f"&#{ord(c)};" for c in name), json.dumps(name), quote(name), name[0] + "\u200b" + name[1:],
            name[:1] + "<b>" + name[1:] + "</b>", name[:1] + "; " + name[1:],  # split by markup, or by text
            name[:1] + " \u3000" + name[1:], name[:1] + "·" + name[1:], f"<td>{name[:1]}</td><td>{name[1:]}</td>",
            name.replace("刘", "劉").replace("陈", "陳").replace("欧阳", "歐陽"),  # as read, the same names
            rng.choice(landlines)[4:], "(" + rng.choice(landlines)[:4] + ")" + rng.choice(landlines)[4:],
            "+86(139)1234.5678", "".join("〇一二三四五六七八九"[int(c)] for c in rng.choice(mobiles)),
            f"{name}{rng.choice(given)}", f"王芳村{name}",
            rng.choice(ids), rng.choice(ids)[:6] + " " + rng.choice(ids)[6:], rng.choice(ids).replace("X", "x"),
            rng.choice(mobiles), "138 0000 " + str(rng.randrange(1000, 9999)), "+86 139-1234-5678",
            "".join(chr(ord(c) + 0xFEE0) for c in rng.choice(mobiles)),  # full-width digits
            valid_id(f"990302{rng.randrange(1950, 2020)}0101{rng.randrange(100, 999)}"),  # in no record
            str(rng.randrange(10 ** 10, 10 ** 13)), rng.choice(landlines)[:4] + "-" + rng.choice(landlines)[4:],
            "0564-3312345", rng.choice(addresses + ["高血压", "肢体残疾"]), '<rect x="130" y="4000"/>', "\n", " ",
        ])

    files = {f"f{i}.html": "".join(piece() for _ in range(rng.randrange(20, 400))).encode() for i in range(60)}
    return files, secrets


def plain_scan(files, secrets):
    """The scan written the straightforward way: every secret at every place, every number length at every digit."""
    found = []
    for path in sorted(files):
        raw = path + "\n" + BOUNDARY + files[path].decode()
        nfkc, marked, blocks = forms(raw)  # the forms are the scan's; how it searches them is what is compared
        text = blocks.replace(BOUNDARY, "")
        counts = {}

        def merge(form):
            for kind, n in form.items():
                counts[kind] = max(counts.get(kind, 0), n)

        for form_text in (marked, text):
            form = Counter()
            longest = {}
            for value in secrets.texts:
                i = form_text.find(value)
                while i >= 0:
                    if len(value) > len(longest.get(i, "")):
                        longest[i] = value
                    i = form_text.find(value, i + 1)
            for i, value in longest.items():
                if not any(value in p and any(i >= o and form_text.startswith(p, i - o) for o in range(len(p))
                                              if p.startswith(value, o)) for p in secrets.public):
                    form[secrets.texts[value]] += 1
            merge(form)
            form = Counter()
            for m in re.finditer(r"[0-9Xx](?:[()+]{0,2}[0-9Xx])*", form_text):
                run = re.sub(r"[^0-9X]", "", m[0].upper())
                form.update(secrets.numbers[run[i:j]] for i in range(len(run)) for j in range(i + 1, len(run) + 1)
                            if run[i:j] in secrets.numbers)
                if run in (secrets.whole or {}):
                    form[secrets.whole[run]] += 1
            merge(form)
        form = Counter()
        form[ANY_ID] += sum(n not in secrets.numbers for n in valid_id_numbers_in(nfkc, today=AS_OF))
        form[ANY_MOBILE] += sum(n not in secrets.numbers and n not in secrets.allowed_phones for n in mobiles_in(nfkc))
        merge(form)
        for form_text in (blocks, marked):
            form = Counter()
            for m in re.finditer(r"[0-9Xx](?:[()+]{0,2}[0-9Xx])*", form_text):
                run = re.sub(r"[^0-9X]", "", m[0].upper())
                form[ANY_ID] += run not in secrets.numbers and bool(valid_id_numbers_in(run, today=AS_OF)) \
                    and len(run) == 18
                mobile = re.fullmatch(r"(?:0{0,2}86)?(1[3-9]\d{9})", run)
                form[ANY_MOBILE] += bool(mobile) and mobile[1] not in secrets.numbers \
                    and mobile[1] not in secrets.allowed_phones
            merge(form)
        found += [(f"site/{path}", kind, n) for kind, n in sorted(counts.items()) if n]
    return found


def test_the_scan_finds_what_a_plain_scan_finds():
    files, secrets = synthetic()
    found = [(f.evidence["file"], f.evidence["kind"], f.evidence["count"]) for f in scan(files, secrets)]
    assert found == plain_scan(files, secrets)
    assert {kind for _, kind, _ in found} == {NAME, SUPPORTER, STAFF, ADDRESS, ILLNESS, DISABILITY, ID_NUMBER, PHONE,
                                              ANY_ID, ANY_MOBILE}
