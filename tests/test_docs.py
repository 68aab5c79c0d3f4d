"""The documentation describes the code as it is: examples load, the field reference is current."""

import re
from pathlib import Path

from careledger import schemadoc
from careledger.load import load

from .conftest import AS_OF
from .docexamples import write_samples

ROOT = Path(__file__).resolve().parent.parent
RECORDS_MD = ROOT / "docs" / "records.md"


def yaml_examples():
    text = RECORDS_MD.read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def test_field_reference_is_generated_from_the_current_schema():
    text = RECORDS_MD.read_text(encoding="utf-8")
    assert schemadoc.render_into(text) == text, "run: python -m careledger.schemadoc"


def test_every_record_type_and_field_is_documented():
    text = RECORDS_MD.read_text(encoding="utf-8")
    for cls in schemadoc.DOCUMENTED:
        assert f"### {cls.LABEL}（{cls.__name__}）" in text
        assert f'<a id="{cls.__name__.lower()}"></a>' in text


def test_file_examples_form_a_valid_content_tree(tmp_path):
    """The blocks headed `# 文件：<path>` are the sample jurisdiction: they load without a finding."""
    written = write_samples(tmp_path)
    assert written >= 8
    records, findings = load(tmp_path, today=AS_OF)
    assert [f.format() for f in findings] == []
    assert len(records.households) == 3


def test_snippet_examples_are_valid_records(basic):
    """Snippets without a file name are appended to a real file of their kind and must load cleanly."""
    snippets = [b for b in yaml_examples() if not b.startswith(("# 文件：", "# 例："))]
    visit = next(b for b in snippets if "checklist:" in b)
    override = next(b for b in snippets if b.startswith("overrides:"))
    with open(basic / "visits/2026-11/ds-shuji.yaml", "a", encoding="utf-8") as f:
        f.write(visit)
    with open(basic / "site.yaml", "a", encoding="utf-8") as f:
        f.write(override)
    records, findings = load(basic, today=AS_OF)
    assert [f.format() for f in findings] == []
    assert any(v.checklist and v.checklist.health for v in records.visits)
    assert records.profile.agreements[0].term_months == 24


def test_every_command_is_documented_with_an_example():
    from careledger.cli import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert f"careledger {name}" in readme, f"README does not describe `careledger {name}`"
        assert "例：" in (command.help or ""), f"`careledger {name} --help` has no example"


def test_links_between_the_docs_resolve():
    """Every relative link of README.md and docs/ names a file that exists, and an anchor a heading or id it has."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    broken = []
    for page in pages:
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and file.suffix == ".md" and anchor not in anchors(file):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def anchors(page: Path) -> set[str]:
    """The anchors GitHub makes of a page's headings, and its explicit ids."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    found = set(re.findall(r'<a id="([^"]+)"', text))
    for heading in re.findall(r"^#+ (.+)$", text, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_entering_md_household_new_refusal_is_what_its_command_prints(basic, monkeypatch, tmp_path):
    """docs/entering.md's `household new` example, with its ID number's last digit mistyped, prints the error line the
    page quotes (the line number counts the `sex:` line the example's `--sex male` writes)."""
    import shlex

    from click.testing import CliRunner

    from careledger import cli

    monkeypatch.setattr(cli, "today_in_jurisdiction", lambda: AS_OF)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    text = (ROOT / "docs" / "entering.md").read_text(encoding="utf-8")
    command = re.search(r"^careledger (household new .*?)$", text.replace("\\\n", ""), flags=re.M)[1]
    quoted = re.search(r"^  (households/dongshan/ds-003\.yaml:\d+:\d+ \[E-ID-NUMBER\].*)$", text, flags=re.M)[1]
    args = [a.replace("990101195001010010", "990101195001010011") for a in shlex.split(command)]
    result = CliRunner().invoke(cli.main, [*args, "--content", str(basic)])
    assert result.exit_code == 1
    assert quoted in result.output, result.output
