"""Every code the rules engine can emit is documented, with its severity."""

import re
from pathlib import Path

from careledger.rules import RULES, all_codes

DOCS = Path(__file__).resolve().parent.parent / "docs"


def documented() -> dict[str, str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in [DOCS / "rules.md", *sorted((DOCS / "rules").glob("*.md"))])
    headings = re.findall(r"^### `([A-Z0-9-]+)` — (error|warning)", text, flags=re.M)
    table_rows = re.findall(r"^\| `([A-Z0-9-]+)` \| (error|warning) \|", text, flags=re.M)
    chinese = {"错误": "error", "警告": "warning"}
    generated = [(code, chinese[label])
                 for code, label in re.findall(r"^\| `([A-Z0-9-]+)` \| (错误|警告) \|", text, flags=re.M)]
    return dict(headings + table_rows + generated)


def test_every_code_is_documented_with_its_severity():
    docs = documented()
    for code, (severity, _) in all_codes().items():
        assert docs.get(code) == severity, f"{code} ({severity}) is not documented as such in docs/rules*"


def test_every_family_is_listed_in_the_index():
    index = (DOCS / "rules.md").read_text(encoding="utf-8")
    for family in RULES:
        assert f"rules/{family.__name__.rsplit('.', 1)[-1]}.py" in index


def test_registered_load_codes_are_documented():
    from careledger.findings import LOAD_CODES
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.rglob("*.md")))
    for code in LOAD_CODES:
        assert f"`{code}`" in text, code


def test_code_tables_are_generated_from_the_registry():
    """Each page's table of codes (提示代码) lists its family's codes with the engine's severity and Chinese text."""
    from careledger import rulesdoc
    for path, codes in rulesdoc.pages().items():
        text = path.read_text(encoding="utf-8")
        assert rulesdoc.BEGIN in text, f"{path.name} has no table of codes"
        assert rulesdoc.render_into(text, codes) == text, f"{path.name}: run python -m careledger.rulesdoc"


def test_every_rules_page_has_a_worked_example():
    from tests.docexamples import examples
    for path in sorted((DOCS / "rules").glob("*.md")):
        assert examples(path), f"{path.name} has no worked example"
