"""The paper: every form read back with pypdf, filled through pypdf, rendered by poppler, with its fonts checked;
the dossier's text layer and pages; rare characters in names; byte-identical output.

The PDFs are rendered once per module (about 40 documents: the basic fixture with names that use 堃、玥、喆、赟 and
every form, blank and pre-filled); finished PDFs are cached under ~/.cache/careledger, so later runs are fast.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from PIL import Image

from careledger.load import load
from careledger.paper import printing
from careledger.paper.forms import PDF_TYPE, field_value
from careledger.paper.pdf import render, render_all, render_batch
from careledger.rules import Facts, run_rules
from careledger.views.dossier import build_dossiers

from .conftest import AS_OF, FIXTURES

RARE = "堃玥喆赟"  # outside GB 2312: 张堃 and 司马玥 in the fixture; 喆 and 赟 put in below
COMMIT = "0123456789abcdef0123456789abcdef01234567"
HEADINGS = {  # what page 1 of each blank form must say (its title, as printed)
    "wangcheng-info": "金安区望城街道特殊困难群体基本信息采集表",
    "wangcheng-agreement": "望城街道特殊困难群体关爱帮扶协议书",
    "wangcheng-inspection": "望城街道特殊群体关爱帮扶工作督查表",
    "tianhu-key-roster": "重点人群花名册",
    "tianhu-patrol": "重点困难人群巡查记录台账",
    "tianhu-coordinators": "村级社会救助协理员花名册",
    "tianhu-collectors": "困难救助信息采集组成员花名册",
    "guiyang-screening": "贵阳市全面走访排查特殊困难群众台账",
    "guiyang-pairing": "贵阳市特殊困难群众“一对一”包保联系帮扶台账",
    "qiandongnan-visit": "特殊困难群体关爱记录册（探视记录）",
    "qiandongnan-custody": "保障资金代管收支台账",
    "jizhou-care-agreement": "分散供养特困人员委托照料服务协议",
    "jizhou-visits": "分散供养特困人员定期探访记录",
}


def rare_names(root: Path) -> Path:
    """The basic fixture with a supporter named 张喆 and a care contact named 吴赟."""
    shutil.copytree(FIXTURES / "basic", root)
    for rel, old, new in (("households/xiwan/xw-001.yaml", "name: 张国华\n    guardian", "name: 张喆\n    guardian"),
                          ("staff/xiwan.yaml", "name: 吴丽", "name: 吴赟")):
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
    return root


class Paper:
    def __init__(self, root: Path):
        records, findings = load(root, today=AS_OF)
        assert not [f for f in findings if f.is_error]
        self.records = records
        policy = run_rules(records, AS_OF)
        self.dossiers = build_dossiers(Facts(records, records.profile, AS_OF), policy, COMMIT)
        self.forms, problems = printing.form_definitions()
        assert problems == []
        self.plan, warnings = printing.plan_paper(records)
        assert warnings == []
        self.blank = printing.blank_documents(self.forms, self.plan)
        self.filled = printing.filled_documents(self.forms, records, self.dossiers, self.plan, as_of=AS_OF,
                                                commit=COMMIT, stamp="记录版本 0123456789 · 基准日 2026-11-23")
        self.dossier_html, jobs = printing.dossier_jobs(self.dossiers, stamp="记录版本 0123456789")
        self.pdfs = printing.render_jobs(jobs + printing.form_jobs(self.blank + self.filled))

    def filled_pdf(self, form: str, key: str) -> pypdf.PdfReader:
        return pypdf.PdfReader(io.BytesIO(self.pdfs[f"forms/{form}/{key}.pdf"]))


@pytest.fixture(scope="module")
def paper(tmp_path_factory) -> Paper:
    return Paper(rare_names(tmp_path_factory.mktemp("paper") / "content"))


def fields_of(reader: pypdf.PdfReader) -> dict[str, tuple[str, object]]:
    return {name: (f.get("/FT"), f.get("/V")) for name, f in (reader.get_fields() or {}).items()}


def expected_value(definition, value) -> object:
    if definition.type == "checkbox":
        return "/on" if value else "/Off"
    return value


# --- the forms, read back ------------------------------------------------------------------------------------

def test_every_form_is_covered_and_every_blank_form_has_its_defined_fields(paper):
    assert sorted(f.name for f in paper.forms) == sorted(HEADINGS)
    for doc in paper.blank:
        found = fields_of(pypdf.PdfReader(io.BytesIO(paper.pdfs[doc.path])))
        assert sorted(found) == sorted(doc.form.field_names()), doc.path
        for name, definition in doc.form.all_fields():
            kind, value = found[name]
            assert kind == PDF_TYPE[definition.type], (doc.path, name)
            assert value in ("", "/Off"), (doc.path, name, value)


def test_every_prefilled_form_carries_the_record_values_in_its_fields(paper):
    assert len(paper.filled) >= 25
    natures = set()
    for doc in paper.filled:
        natures.add(doc.form.nature)
        found = fields_of(pypdf.PdfReader(io.BytesIO(paper.pdfs[doc.path])))
        counts = {t.name: len(rows) for t, rows in ((t, _rows(doc, t)) for t in doc.form.tables)}
        assert sorted(found) == sorted(doc.form.field_names(rows=counts)), doc.path
        for definition in doc.form.fields:
            assert found[definition.name] == (PDF_TYPE[definition.type],
                                              expected_value(definition, field_value(definition, doc.item))), \
                (doc.path, definition.name)
        for table in doc.form.tables:
            for n, row in enumerate(_rows(doc, table), start=1):
                for column in table.columns:
                    want = expected_value(column, field_value(column, row))
                    assert found[table.cell_name(n, column.name)] == (PDF_TYPE[column.type], want), doc.path
    assert natures == {"subject", "household", "village", "roster"}


def _rows(doc, table):
    from careledger.paper.formrender import row_counts
    from careledger.paper.forms import value_at

    items = list(value_at(doc.item, table.path) or ()) if table.path else []
    return items + [None] * (row_counts(doc.form, doc.item)[table.name] - len(items))


# The values a person checks on paper, straight from the fixture's YAML.
SPOT_CHECKS = [
    ("wangcheng-info", "xiwan/xw-001-m1", {
        "subject_name": "张堃", "sex": "女", "age": "11", "id_number": "990101201506010049", "category": "五类",
        "level": "一级", "policy_orphan": "/on", "policy_dibao": "/Off", "supporter_1_name": "张喆",
        "supporter_1_relation": "祖父母", "contact_name": "吴赟", "village_cadre_name": "陈国强",
        "address": "西湾社区幸福路8号"}),
    ("wangcheng-info", "dongshan/ds-002-m1", {"subject_name": "司马玥", "policy_dibao": "/on",
                                              "policy_disability": "/on", "level": "二级"}),
    ("wangcheng-agreement", "dongshan/ds-001-m1", {
        "party_a": "东山", "subject_village": "东山", "party_b": "李建国", "party_c": "赵小红", "subject_name": "欧阳福生", "subject_age": "84",
        "signed": "2026-01-08", "expires": "2027-01-07", "agreement_id": "a2026-1"}),
    ("wangcheng-inspection", "dongshan/ds-001-m1", {
        "inspection_date": "2026-11-06", "visited_result": "是", "satisfied_result": "是", "inspector_name": "周文清"}),
    ("qiandongnan-custody", "dongshan/ds-001-m1", {
        "custodian": "孙德明", "caregiver": "钱桂英", "entry_1_income": "980.00", "entry_1_item": "特困供养金",
        "entry_2_expense": "120.50", "entry_2_balance": "859.50", "entry_2_drawn_by": "钱桂英",
        "entry_4_checked_by": "李建国", "balance": "859.50"}),
    # the sheet for the next visit: the subject filled in, the visit left blank (not the last visit's answers)
    ("qiandongnan-visit", "dongshan/ds-001-m1", {"subject_name": "欧阳福生", "visit_date": "", "visitor": "",
                                                 "health": "", "problems": "", "note": ""}),
    ("jizhou-visits", "dongshan/ds-001-m1", {"caregiver": "钱桂英", "visit_1_date": "2026-10-28",
                                            "visit_1_handling": "p1 屋顶漏雨（联系村里维修）"}),
    ("tianhu-patrol", "xiwan/xw-001", {"head": "张堃", "household_id": "xw-001"}),
    ("guiyang-screening", "dongshan", {"household_1_head": "欧阳福生", "household_2_head": "司马玥",
                                       "household_1_category": "特困人员"}),
    ("tianhu-key-roster", "xiwan", {"person_1_name": "张堃", "person_1_id_number": "990101201506010049"}),
]


@pytest.mark.parametrize("form, key, values", SPOT_CHECKS, ids=[f"{f}:{k}" for f, k, _ in SPOT_CHECKS])
def test_prefilled_values_match_the_records(paper, form, key, values):
    found = {name: value for name, (_, value) in fields_of(paper.filled_pdf(form, key)).items()}
    assert {name: found.get(name) for name in values} == values


def test_forms_follow_their_nature_and_requirements(paper):
    paths = {doc.path for doc in paper.filled}
    assert "forms/qiandongnan-custody/dongshan/ds-001-m1.pdf" in paths  # the one subject with a custody ledger
    assert not any(p.startswith("forms/qiandongnan-custody/") and "ds-001-m1" not in p for p in paths)
    assert "forms/jizhou-care-agreement/dongshan/ds-001-m1.pdf" in paths  # dispersed support only
    assert "forms/jizhou-care-agreement/dongshan/ds-002-m1.pdf" not in paths
    assert {"forms/tianhu-key-roster/dongshan.pdf", "forms/tianhu-key-roster/xiwan.pdf",
            "forms/tianhu-coordinators/all.pdf", "forms/tianhu-patrol/xiwan/xw-001.pdf"} <= paths


def test_a_blank_form_filled_through_pypdf_keeps_the_values(paper, tmp_path):
    reader = pypdf.PdfReader(io.BytesIO(paper.pdfs["forms/blank/wangcheng-info.pdf"]))
    writer = pypdf.PdfWriter()
    writer.append(reader)
    values = {"subject_name": "王喆", "address": "东山村3组7号", "supporter_2_name": "王赟", "policy_tekun": "/on",
              "review_opinion": "同意上报。\n第二行"}
    writer.update_page_form_field_values(writer.pages[0], values, auto_regenerate=False)
    writer.set_need_appearances_writer(True)
    path = tmp_path / "filled.pdf"
    with open(path, "wb") as f:
        writer.write(f)
    found = {name: value for name, (_, value) in fields_of(pypdf.PdfReader(path)).items()}
    assert {name: found[name] for name in values} == values
    assert found["policy_dibao"] == "/Off" and found["age"] == ""


# --- fonts ---------------------------------------------------------------------------------------------------

def embedded_fonts(data: bytes) -> dict[str, TTFont]:
    """BaseFont → the embedded font program, for every font the pages use."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/DescendantFonts" not in font:
                continue  # ZapfDingbats, which check boxes name for viewers that redraw them: not embedded
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            stream = next(descriptor[k] for k in ("/FontFile3", "/FontFile2", "/FontFile") if k in descriptor)
            found[str(font["/BaseFont"])] = (TTFont(io.BytesIO(stream.get_object().get_data())), font)
    return found


def test_every_pdf_embeds_a_cjk_font(paper):
    for path, data in paper.pdfs.items():
        fonts = embedded_fonts(data)
        assert any("CareLedger-Field" in name or "Noto-Sans-CJK" in name for name in fonts), (path, list(fonts))
        for name, (program, _) in fonts.items():
            assert program.getBestCmap() is None or len(program.getGlyphOrder()) > 1, (path, name)


def test_form_fields_use_a_whole_font_with_every_character_of_the_records(paper):
    for doc in paper.filled[:3] + paper.blank[:1]:
        fonts = embedded_fonts(paper.pdfs[doc.path])
        [field_font] = [program for name, (program, _) in fonts.items() if "CareLedger-Field" in name]
        cmap = field_font.getBestCmap()
        assert all(ord(c) in cmap for c in "两项补贴关爱帮扶对象"), doc.path
        if doc.item is not None:
            assert all(ord(c) in cmap for c in RARE), doc.path  # names the records hold, outside GB 2312
    assert not any(ord(c) in embedded_fonts(paper.pdfs[paper.blank[0].path])[name][0].getBestCmap()
                   for name in embedded_fonts(paper.pdfs[paper.blank[0].path]) if "CareLedger-Field" in name
                   for c in RARE)  # the blank forms carry only GB 2312


def font_files(css: str) -> dict[str, TTFont]:
    """The font files a font CSS names, by family ("CareLedger Field" twice: regular and bold)."""
    return {f"{family} {i}": TTFont(Path(url.removeprefix("file://")))
            for i, (family, url) in enumerate(re.findall(r'font-family: "([^"]+)";[^}]*src: url\("([^"]+)"\)', css))}


def test_dossiers_print_with_the_gb2312_subsets_and_a_subset_of_their_own_rare_characters(paper, tmp_path):
    """Every dossier prints with the same GB 2312 subsets, regular and bold; a dossier whose page has characters
    outside GB 2312 adds a subset of just those (another household's rare name does not change its fonts); no system
    face is embedded; every printed character is in the fonts; a village run gives the same fonts."""
    _, jobs = printing.dossier_jobs(paper.dossiers, stamp="记录版本 0123456789")
    _, village = printing.dossier_jobs(paper.dossiers, printing.Selection(villages=frozenset({"xiwan"})),
                                       stamp="记录版本 0123456789")
    css = {path: job.fonts for path, job in jobs}
    assert {path: job.fonts for path, job in village} == {p: c for p, c in css.items() if "/xiwan/" in p}
    plain = font_files(css["dossiers/dongshan/ds-001.pdf"])
    assert len(plain) == 2 and all(len(face.getGlyphOrder()) > 7000 for face in plain.values())  # GB 2312
    assert all(c == css["dossiers/dongshan/ds-001.pdf"] for p, c in css.items()
               if p not in ("dossiers/xiwan/xw-001.pdf", "dossiers/dongshan/ds-002.pdf"))
    for path, rare in (("dossiers/xiwan/xw-001.pdf", "堃喆赟"), ("dossiers/dongshan/ds-002.pdf", "玥")):
        faces = font_files(css[path])
        [extra] = [face for name, face in faces.items() if name.startswith("CareLedger Extra")]
        assert {chr(c) for c in extra.getBestCmap()} == set(rare), path
        data = paper.pdfs[path]
        assert all("CareLedger-Field" in name or "CareLedger-Extra" in name for name in embedded_fonts(data)), path
        printed = {c for c in pdftotext(data, tmp_path) if c.isprintable() and not c.isspace()}
        known = set().union(*({chr(c) for c in face.getBestCmap()} for face in faces.values()))
        assert printed <= known, (path, printed - known)


def glyph_drawn(data: bytes, char: str) -> bool:
    """Whether `char` is printed with a real glyph (not .notdef, not a missing-glyph stand-in) somewhere in the PDF."""
    for name, (program, font) in embedded_fonts(data).items():
        cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
        code = f"{ord(char):04x}"
        for gid in re.findall(rf"<([0-9a-f]{{4}})> <{code}>", cmap):
            gid = int(gid, 16)
            order = program.getGlyphOrder()
            if gid == 0 or gid >= len(order):
                return False
            pen = BoundsPen(program.getGlyphSet())
            program.getGlyphSet()[order[gid]].draw(pen)
            return pen.bounds is not None
    return False


def test_rare_characters_in_names_are_in_the_text_layer_with_real_glyphs(paper, tmp_path):
    data = paper.pdfs["dossiers/xiwan/xw-001.pdf"]
    text = pdftotext(data, tmp_path)
    for name in ("张堃", "张喆", "吴赟"):
        assert name in text
    for char in "堃喆赟":
        assert glyph_drawn(data, char), char
    other = paper.pdfs["dossiers/dongshan/ds-002.pdf"]
    assert "司马玥" in pdftotext(other, tmp_path) and glyph_drawn(other, "玥")


# --- rendered pages ------------------------------------------------------------------------------------------

def pdftotext(data: bytes, tmp: Path, first: int = 1, last: int = 99) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-f", str(first), "-l", str(last), "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def page_one(data: bytes, tmp: Path) -> Image.Image:
    path = tmp / "doc.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile", str(path),
                    str(tmp / "page")], capture_output=True, check=True)
    return Image.open(tmp / "page.png")


def ink(image: Image.Image) -> float:
    """The share of pixels that are not white."""
    histogram = image.convert("L").histogram()
    return sum(histogram[:200]) / sum(histogram)


@pytest.mark.parametrize("form", sorted(HEADINGS))
def test_page_one_of_each_blank_form_prints_its_heading(paper, tmp_path, form):
    data = paper.pdfs[f"forms/blank/{form}.pdf"]
    image = page_one(data, tmp_path)
    assert image.size[0] > 200 and 0.01 < ink(image) < 0.5, form
    assert HEADINGS[form] in pdftotext(data, tmp_path, 1, 1).replace("\n", "")


def test_page_one_of_a_dossier_is_its_cover(paper, tmp_path):
    data = paper.pdfs["dossiers/dongshan/ds-001.pdf"]
    assert 0.01 < ink(page_one(data, tmp_path)) < 0.5
    cover = pdftotext(data, tmp_path, 1, 1)
    for text in ("特殊困难群体家庭档案", "一户一档一策 · 户编号 ds-001", "欧阳福生", "东山村2组15号", "第 1 页 共"):
        assert text in cover, text
    body = pdftotext(data, tmp_path)
    for heading in ("一、家庭成员", "二、关爱帮扶对象", "三、需求与帮扶措施（一户一策）", "四、包保安排与联系方式", "五、协议",
                    "六、走访记录", "七、发现的问题（闭环）", "八、保障资金代管台账", "九、督查与复核", "十、政策检查结果"):
        assert heading in body, heading
    assert "基准日余额 859.50 元" in body and "990101194203150017" in body and "13900000002" in body


def test_the_dossier_html_is_the_same_page_without_the_font_files(paper):
    html = paper.dossier_html["dossiers/dongshan/ds-001.html"].decode("utf-8")
    assert "欧阳福生" in html and "file://" not in html and '<meta charset="utf-8">' in html


def test_dossier_tables_repeat_their_header_and_keep_rows_whole(paper, tmp_path):
    css = (Path(printing.__file__).resolve().parents[1] / "report_templates" / "dossier.css").read_text("utf-8")
    assert "thead { display: table-header-group; }" in css and "tr { break-inside: avoid; }" in css
    text = pdftotext(paper.pdfs["dossiers/dongshan/ds-001.pdf"], tmp_path)
    pages = text.split("\f")[:-1]
    assert all(f"第 {n} 页 共 {len(pages)} 页" in page for n, page in enumerate(pages, start=1))


# --- determinism ---------------------------------------------------------------------------------------------

def test_the_same_input_renders_byte_identical_pdfs(paper):
    doc = next(d for d in paper.filled if d.form.name == "wangcheng-info")
    dossier = printing.dossier_jobs(paper.dossiers[:1])[1][0][1]
    jobs = [printing.form_jobs([doc])[0][1], dossier]
    first, second = render_all(jobs, cache=False), render_all(jobs, cache=False)
    assert first == second
    assert first[0] == paper.pdfs[doc.path]  # and the cached one is the same


def test_a_document_renders_the_same_with_fonts_fresh_or_shared(paper):
    """Documents of a batch share one font configuration per font CSS; what came before must not change a PDF."""
    jobs = [job for _, job in printing.dossier_jobs(paper.dossiers[:2])[1]]
    blank = next(job for path, job in printing.form_jobs(paper.blank) if path.endswith("wangcheng-info.pdf"))
    assert blank.fonts != jobs[1].fonts  # the same family name, another subset: they must not share
    assert render_batch([jobs[0], blank, jobs[1]]) == [render(jobs[0]), render(blank), render(jobs[1])]


def test_rendering_leaves_no_temporary_font_files(paper, tmp_path, monkeypatch):
    """WeasyPrint copies the faces of each font configuration into a temporary folder; worker processes end without
    running finalisers, so the folders must be freed before."""
    import gc
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    jobs = [job for _, job in printing.dossier_jobs(paper.dossiers[:4])[1]]
    gc.disable()  # in this process and the forked workers: a collection at some chance moment would hide a leak
    try:
        render_all(jobs, workers=2, cache=False)
        render_batch(jobs[:1])
    finally:
        gc.enable()
    assert list(tmp_path.glob("weasyprint-*")) == []


# --- the printed page reads well (issue 18) ---------------------------------------------------------------------


def words_of(pdf: bytes, tmp_path: Path) -> list[tuple[float, float, float, float, str]]:
    """Every word of a PDF with its box (xMin, yMin, xMax, yMax), from pdftotext -bbox."""
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]


def test_a_long_finding_code_stays_in_its_cell(paper, tmp_path):
    from dataclasses import replace

    from careledger.views.dossier import FindingRow

    code = "CUS-DRAWER-NOT-CAREGIVER"  # the longest code of findings.py
    row = FindingRow(code=code, severity="警告", subject="欧阳福生", staff="钱桂英", message="说明文字", where="")
    dossier = replace(paper.dossiers[0], findings=(row,) * 3)
    _, jobs = printing.dossier_jobs((dossier,))
    words = words_of(printing.render_jobs(jobs, cache=False)[jobs[0][0]], tmp_path)
    parts = [w for w in words if len(w[4]) > 1 and w[4] in code]
    assert "".join(w[4] for w in parts[:3]).startswith("CUS-")
    for x0, y0, x1, _, text in parts:
        # where the next cell's text begins, on the row of this part of the code
        right = min(w[0] for w in words if w[4].startswith("欧阳福生") and w[0] > x0 and abs(w[1] - y0) < 3)
        assert x1 < right, (text, x1, right)  # no part of the code runs into the next cell


def test_the_page_number_never_wraps(paper, tmp_path):
    stamp = "记录版本 0123456789 · 基准日 2026-11-23 · 审计线索完整 · 政策档案 wangcheng-2020 · careledger 0.1.0"
    forms = [f for f in paper.forms if f.name in ("wangcheng-info", "tianhu-patrol")]
    docs = printing.blank_documents(forms, paper.plan, stamp)
    for path, pdf in printing.render_jobs(printing.form_jobs(docs), cache=False).items():
        (tmp_path / "f.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "f.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout.replace("\xa0", " ")
        counted = [line for line in text.splitlines() if re.search(r"共\s*\d+\s*页", line)]
        assert counted, path
        for line in counted:
            assert re.search(r"第\s*\d+\s*页\s*共\s*\d+\s*页", line), (path, line)  # "共 / 1 页" on one line
