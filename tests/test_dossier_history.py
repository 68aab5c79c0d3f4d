"""The dossier's change history reads like a clerk's account (issue 18): dates, people's names, Chinese labels and
values, items counted from 1, grouped per day; no commit id, e-mail address, staff id or raw code in the printed
text. One demo with a year of commits, printed once for the module, read back with pdftotext; the HTML dossiers
keep margins on screen and an index per village links them all."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from careledger.demo import DemoSpec
from careledger.demo.repo import write_demo_repo
from careledger.paper.printing import PaperRequest
from careledger.paper.run import print_paper
from careledger.pipeline import check_records
from careledger.rules import Facts
from careledger.audit import read_history
from careledger.views.dossier import build_dossiers

from .conftest import AS_OF
from .gitkit import STRANGER, basic_repo

SPEC = DemoSpec(households=6, months=12)
HASH = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}(?![0-9A-Za-z])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
POSITION = re.compile(r"\[\d+\]")
RAW_CODE = re.compile(r"[（(][a-z][a-z_]*[)）]")


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    root = tmp_path_factory.mktemp("dossier-history")
    write_demo_repo(root / "records", SPEC)
    result = print_paper(root / "records", root / "out", PaperRequest(dossiers=True, blank_forms=False),
                         as_of=SPEC.end)
    pdfs = sorted(p for p in result.files if p.endswith(".pdf"))
    assert len(pdfs) == SPEC.households
    texts = {p: pdftotext(root / "out" / p) for p in pdfs}
    records, _ = check_records(root / "records", as_of=SPEC.end)
    return texts, records, root / "out" / "private"


def test_the_printed_history_has_no_hash_email_position_or_code(printed):
    texts, records, _ = printed
    for path, text in texts.items():
        assert "十一、修改记录" in text, path
        history = text.split("十一、修改记录", 1)[1]
        assert not HASH.findall(text), (path, HASH.findall(text)[:5])
        assert not EMAIL.search(text), (path, EMAIL.search(text))
        assert not POSITION.search(text), (path, POSITION.findall(text)[:5])
        assert not RAW_CODE.search(history), (path, RAW_CODE.findall(history)[:5])
        for code in ("keep", "adjust", "exit", "in_person", "phone"):
            assert code not in history, (path, code)
        for person in records.staff:
            assert person.id not in history, (path, person.id)
        assert "记录提交" not in text
    everything = "".join(texts.values())
    clerks = {s.name for s in records.staff if "clerk" in s.roles}
    assert any(name in everything for name in clerks)
    assert "复核结果 维持" in everything and "（第 1 条）" in everything
    assert "本户记录版本" in everything


def test_an_author_without_a_staff_record_is_named_without_the_email(tmp_path):
    repo = basic_repo(tmp_path / "c")
    repo.replace("households/dongshan/ds-002.yaml", "address: 东山村1组3号", "address: 东山村1组5号")
    repo.commit("2026-11-20", "搬家", author=STRANGER)
    repo.replace("households/dongshan/ds-002.yaml", "    level: '2'\n", "    level: '3'\n")
    repo.commit("2026-11-20", "调整等级", author=STRANGER)
    records, findings = check_records(repo.root, as_of=AS_OF)
    history = read_history(repo.root, records)
    [ds2] = [d for d in build_dossiers(Facts(records, records.profile, AS_OF, history), findings, history=history)
             if d.household_id == "ds-002"]
    newest = ds2.history[0]
    assert (newest.date, newest.author) == ("2026-11-20", "路人甲")  # two commits of one day: one entry
    assert newest.lines[0] == "修改户档案：现居住地：“东山村1组3号”→“东山村1组5号”"
    level = records.profile.level
    assert newest.lines[1].endswith(f"关爱帮扶等级：“{level('2').name}”→“{level('3').name}”")
    assert "（" in newest.lines[1] and "[m1]" not in newest.lines[1]
    assert (ds2.version.date, ds2.version.author) == ("2026-11-20", "路人甲")


def test_html_dossiers_have_margins_on_screen_only(printed):
    import tinycss2

    _, _, private = printed
    page = next((private / "dossiers").glob("*/*-00*.html")).read_text(encoding="utf-8")
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    screen = [r for r in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)
              if r.type == "at-rule" and r.lower_at_keyword == "media"
              and tinycss2.serialize(r.prelude).strip() == "screen"]
    assert screen, "no @media screen rule"
    rules = tinycss2.parse_rule_list(screen[0].content, skip_whitespace=True, skip_comments=True)
    body = next(r for r in rules if tinycss2.serialize(r.prelude).strip() == "body")
    declarations = {d.lower_name: tinycss2.serialize(d.value).strip()
                    for d in tinycss2.parse_declaration_list(body.content, skip_whitespace=True, skip_comments=True)
                    if d.type == "declaration"}
    assert declarations["margin"].endswith("auto") and declarations["max-width"] and declarations["padding"]


def test_an_index_per_village_links_every_printed_dossier(printed):
    from html.parser import HTMLParser

    texts, records, private = printed

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.links, self.text = [], []

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.links.append(dict(attrs)["href"])

        def handle_data(self, data):
            self.text.append(data)

    def read(index: Path) -> Links:
        parser = Links()
        parser.feed(index.read_text(encoding="utf-8"))
        return parser

    top = read(private / "dossiers" / "index.html")
    assert {link for link in top.links if link.endswith(".pdf")} == {p.removeprefix("private/dossiers/")
                                                                     for p in texts}
    for link in top.links:
        assert (private / "dossiers" / link).is_file(), link
    heads = {m.name for h in records.households for m in h.members if m.relation == "self"}
    assert heads and heads <= set("".join(top.text).split()) | {t.strip() for t in top.text}
    for village in records.site.villages:
        index = read(private / "dossiers" / village.id / "index.html")
        mine = {h.id for h in records.households if h.village == village.id}
        assert {link.removesuffix(".pdf") for link in index.links if link.endswith(".pdf")} == mine
        assert village.name in "".join(index.text)
