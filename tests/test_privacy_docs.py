"""docs/privacy.md describes the code as it is: its example loads, every setting and every code is explained."""

import dataclasses
import re
from pathlib import Path

from careledger.load import load
from careledger.records import Privacy
from careledger.schema import schema_fields

from .conftest import AS_OF

PRIVACY_MD = Path(__file__).resolve().parent.parent / "docs" / "privacy.md"


def test_the_example_settings_load(basic):
    text = PRIVACY_MD.read_text(encoding="utf-8")
    [example] = re.findall(r"```yaml\n(privacy:\n.*?)```", text, flags=re.S)
    site = basic / "site.yaml"
    kept = site.read_text(encoding="utf-8").split("privacy:")[0]
    site.write_text(kept + example, encoding="utf-8")
    records, findings = load(basic, today=AS_OF)
    assert [f.format() for f in findings] == []
    assert dataclasses.replace(records.site.privacy, id_salt=None) == Privacy()  # the example shows the defaults


def test_every_setting_and_code_is_explained():
    text = PRIVACY_MD.read_text(encoding="utf-8")
    for f in schema_fields(Privacy):
        assert f"| `{f.name}` |" in text, f.name
    for code in ("E-PRIVACY-LEAK", "E-TEMPLATE", "E-PRIVACY-SUPPRESS", "E-ID-PERSONAL",
                 "W-PRIVACY-SALT", "E-PRIVACY-KEY", "W-PRIVACY-KEY"):
        assert f"| `{code}` |" in text, code
