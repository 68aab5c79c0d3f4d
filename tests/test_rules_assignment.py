"""Assignment (包保安排) worked out by hand from the documents' own figures."""

import datetime as dt
from pathlib import Path

from careledger.rules import assignment

from .contentkit import codes, facts_for, write_tree

D = dt.date.fromisoformat

# Wangcheng 望办〔2020〕33号 三（二）: 三级 → 村、社主要负责人; 二级、一级 → 村、社包片干部; every subject a contact.
WANGCHENG_STAFF = """\
- id: sec
  name: 甲书记
  roles: [principal]
- id: area
  name: 乙干部
  roles: [area_cadre]
- id: con
  name: 丙联系人
  roles: [contact]
- id: gone
  name: 丁干部
  roles: [area_cadre]
  left: 2026-10-15
"""


def household(hid: str, *, level: str = "", category: str = "1", responsible: str = "", contact: str = "",
              extra: str = "", key_person: bool = False, support_mode: str = "", exited: str = "") -> str:
    """One household in v1 with one subject m1; assignment lines only for the slots given."""
    lines = []
    if responsible:
        lines.append(f"      responsible: [{responsible}]\n")
    if contact:
        lines.append(f"      contact: [{contact}]\n")
    lines += [f"      {line}\n" for line in extra.splitlines()]
    assigned = "    assigned:\n" + "".join(lines) if lines else ""
    level_line = f"    level: '{level}'\n" if level else ""
    level_line += "    key_person: true\n" if key_person else ""
    level_line += f"    support_mode: {support_mode}\n" if support_mode else ""
    exit_lines = f"    exited: {exited}\n    exit_reason: 迁出\n" if exited else ""
    return f"""\
id: {hid}
village: v1
address: 一村{hid}号
members:
  - id: m1
    name: 某某
    relation: self
subjects:
  - member: m1
    category: '{category}'
{level_line}    enrolled: 2026-01-01
{exit_lines}{assigned}"""


def run(tmp_path, files, as_of="2026-11-01", *, profile="wangcheng-2020"):
    root = write_tree(tmp_path, files, profile=profile)
    return list(assignment.check(facts_for(root, D(as_of))))


def one(findings, code):
    (found,) = [f for f in findings if f.code == code]
    return found


def test_wangcheng_fitting_assignments_give_nothing(tmp_path):
    files = {"staff/v1.yaml": WANGCHENG_STAFF,
             "households/v1/h1.yaml": household("h1", level="3", responsible="sec", contact="con"),
             "households/v1/h2.yaml": household("h2", level="2", responsible="area", contact="con"),
             "households/v1/h3.yaml": household("h3", level="1", responsible="area", contact="con")}
    assert run(tmp_path, files) == []


def test_wangcheng_role_must_fit_the_level(tmp_path):
    # 三级 with an area cadre: the principal is required. 二级 with the principal: an area cadre is required.
    files = {"staff/v1.yaml": WANGCHENG_STAFF,
             "households/v1/h1.yaml": household("h1", level="3", responsible="area", contact="con"),
             "households/v1/h2.yaml": household("h2", level="2", responsible="sec", contact="con")}
    findings = run(tmp_path, files)
    assert [(f.code, f.subject, f.staff) for f in findings] == [("ASG-WRONG-ROLE", "h1/m1", "area"),
                                                                ("ASG-WRONG-ROLE", "h2/m1", "sec")]
    level3, level2 = findings
    assert level3.evidence == {"slot": "responsible", "staff": "area", "roles": ["area_cadre"],
                               "allowed_roles": ["principal"], "cite": "望办〔2020〕33号 三（二）；附件2 三"}
    assert level2.evidence["roles"] == ["principal"] and level2.evidence["allowed_roles"] == ["area_cadre"]
    assert level3.is_error and level3.source.file == "households/v1/h1.yaml"
    assert level3.path == "subjects[0].assigned.responsible"
    assert "三级对象的包保责任人应为：村（社）主要负责人" in level3.message


def test_wangcheng_missing_responsible_and_missing_contact(tmp_path):
    files = {"staff/v1.yaml": WANGCHENG_STAFF,
             "households/v1/h1.yaml": household("h1", level="3", contact="con"),
             "households/v1/h2.yaml": household("h2", level="1", responsible="area"),
             "households/v1/h3.yaml": household("h3", level="2")}
    findings = run(tmp_path, files)
    assert codes(findings) == [("ASG-NO-CONTACT", "h2/m1"), ("ASG-NO-CONTACT", "h3/m1"),
                               ("ASG-NO-RESPONSIBLE", "h1/m1"), ("ASG-NO-RESPONSIBLE", "h3/m1")]
    missing = [f for f in findings if f.subject == "h1/m1"][0]
    assert missing.evidence == {"slot": "responsible", "allowed_roles": ["principal"],
                                "cite": "望办〔2020〕33号 三（二）；附件2 三"}
    assert missing.source.file == "households/v1/h1.yaml" and missing.is_error
    contact = [f for f in findings if f.subject == "h2/m1"][0]
    assert contact.evidence["cite"] == "望办〔2020〕33号 三（一）、三（三）；附件1 填表说明4"


def test_wangcheng_staff_who_left(tmp_path):
    # 丁干部 left on 2026-10-15: on the 14th he is still in post, from the 15th he is not.
    files = {"staff/v1.yaml": WANGCHENG_STAFF,
             "households/v1/h1.yaml": household("h1", level="2", responsible="gone", contact="con")}
    assert run(tmp_path / "a", files, "2026-10-14") == []
    findings = run(tmp_path / "b", files, "2026-10-15")
    assert [(f.code, f.subject, f.staff) for f in findings] == [("ASG-STAFF-LEFT", "h1/m1", "gone")]
    assert findings[0].evidence == {"slot": "responsible", "staff": "gone", "left": "2026-10-15"}


def test_wangcheng_staff_not_yet_in_post_and_an_extra_street_cadre(tmp_path):
    # Annex 1 has a row for a street-level 包保责任人 beside the village one: a street cadre named as well is not
    # judged against the village rule. A cadre whose 任职日期 is after the as-of date is not yet in post.
    street = "- id: jd\n  name: 街道干部\n  roles: [street_cadre]\n"
    staff = WANGCHENG_STAFF + "- id: new\n  name: 戊干部\n  roles: [area_cadre]\n  since: 2026-12-01\n"
    files = {"staff/v1.yaml": staff, "staff/street.yaml": street,
             "households/v1/h1.yaml": household("h1", level="3", responsible="sec, jd", contact="con"),
             "households/v1/h2.yaml": household("h2", level="1", responsible="new", contact="con")}
    findings = run(tmp_path, files)
    assert [(f.code, f.subject, f.staff, f.severity) for f in findings] == [
        ("ASG-STAFF-NOT-STARTED", "h2/m1", "new", "warning")]
    assert findings[0].evidence["since"] == "2026-12-01"


def test_only_subjects_in_care_are_checked(tmp_path):
    files = {"staff/v1.yaml": WANGCHENG_STAFF,
             "households/v1/h1.yaml": household("h1", level="3", exited="2026-06-01")}
    assert run(tmp_path, files) == []


# Guiyang 筑民发〔2022〕159号 二（二）: every subject a village cadre; key persons also a township and a district cadre.
GUIYANG_VILLAGE = """\
- id: wy
  name: 村委员
  roles: [committee_member]
"""
GUIYANG_STREET = """\
- id: zg
  name: 镇干部
  roles: [street_cadre]
- id: qg
  name: 区干部
  roles: [district_cadre]
"""


def test_guiyang_key_person_needs_a_township_cadre(tmp_path):
    files = {"staff/v1.yaml": GUIYANG_VILLAGE, "staff/street.yaml": GUIYANG_STREET,
             "households/v1/h1.yaml": household("h1", category="tekun", responsible="wy, qg", key_person=True),
             "households/v1/h2.yaml": household("h2", category="dibao", responsible="wy, zg, qg", key_person=True),
             "households/v1/h3.yaml": household("h3", category="dibao", responsible="wy")}
    findings = run(tmp_path, files, profile="guiyang-2022")
    assert [(f.code, f.subject, f.staff) for f in findings] == [("ASG-LEVEL-UNCOVERED", "h1/m1", "")]
    ev = findings[0].evidence
    assert ev["missing_levels"] == ["township"] and ev["required_levels"] == ["township", "district"]
    assert ev["assigned_levels"] == {"wy": ["village"], "qg": ["district"]}
    assert ev["cite"] == "筑民发〔2022〕159号 二（二）"
    assert "乡镇（街道）" in findings[0].message


def test_guiyang_key_person_with_only_a_village_cadre_misses_two_levels(tmp_path):
    files = {"staff/v1.yaml": GUIYANG_VILLAGE, "staff/street.yaml": GUIYANG_STREET,
             "households/v1/h1.yaml": household("h1", category="tekun", responsible="wy", key_person=True)}
    (found,) = run(tmp_path, files, profile="guiyang-2022")
    assert found.code == "ASG-LEVEL-UNCOVERED" and found.evidence["missing_levels"] == ["township", "district"]


# Tianhu 主动发现机制通知 一（一）: at least one 社会救助协理员 per village; key persons followed by one.
TIANHU_V1 = """\
- id: xl1
  name: 一村协理员
  roles: [coordinator]
"""
TIANHU_V2 = """\
- id: xl2
  name: 二村原协理员
  roles: [coordinator]
  left: 2026-09-30
- id: sj2
  name: 二村书记
  roles: [principal]
"""


def test_tianhu_village_without_a_coordinator(tmp_path):
    files = {"staff/v1.yaml": TIANHU_V1, "staff/v2.yaml": TIANHU_V2,
             "households/v1/h1.yaml": household("h1", category="roster", extra="coordinator: xl1", key_person=True),
             "households/v1/h2.yaml": household("h2", category="roster", key_person=True),
             "households/v1/h3.yaml": household("h3", category="dibao")}
    findings = run(tmp_path, files, profile="tianhu-2022")
    assert [(f.code, f.subject, f.staff) for f in findings] == [("ASG-NO-COORDINATOR", "h2/m1", ""),
                                                                ("ASG-STAFFING", "", "")]
    staffing = findings[1]
    assert staffing.source.file == "site.yaml" and staffing.path == "villages[1]"
    assert staffing.evidence == {"village": "v2", "role": "coordinator", "in_post": 0, "minimum": 1, "staff": [],
                                 "not_in_post": ["xl2"], "cite": "主动发现机制通知 一（一）；附件3"}
    assert "二村（v2）在岗的社会救助协理员 0 人" in staffing.message


def test_jizhou_dispersed_tekun_needs_a_caregiver_with_that_role(tmp_path):
    staff = "- id: gb\n  name: 村干部\n  roles: [committee_member]\n- id: hl\n  name: 护理员\n  roles: [caregiver]\n"
    tekun = {"category": "tekun", "support_mode": "dispersed", "responsible": "gb"}
    files = {"staff/v1.yaml": staff,
             "households/v1/h1.yaml": household("h1", **tekun),
             "households/v1/h2.yaml": household("h2", **tekun, extra="caregiver: gb"),
             "households/v1/h3.yaml": household("h3", **tekun, extra="caregiver: hl")}
    findings = run(tmp_path, files, profile="jizhou-2020")
    assert [(f.code, f.subject, f.staff) for f in findings] == [("ASG-NO-CAREGIVER", "h1/m1", ""),
                                                                ("ASG-WRONG-ROLE", "h2/m1", "gb")]
    assert findings[1].evidence["slot"] == "caregiver"


def test_every_code_is_documented():
    text = (Path(__file__).resolve().parent.parent / "docs" / "rules" / "assignment.md").read_text(encoding="utf-8")
    for code, (severity, _) in assignment.CODES.items():
        assert f"### `{code}` — {severity}" in text
    assert set(assignment.MISSING_CODE.values()) <= set(assignment.CODES)
