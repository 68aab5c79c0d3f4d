"""`careledger schema`: JSON Schema of every record file, generated from the record types (issue 17)."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from careledger.cli import main
from careledger.recordfiles import FILE_KINDS, is_record_file

DEMO = Path(__file__).resolve().parent.parent / "content"
CJK = re.compile(r"[\u4e00-\u9fff]")


class EditorLoader(yaml.SafeLoader):
    """YAML as the editor's language server reads it (YAML 1.2): an unquoted 2026-11-03 is text, not a date."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    directory = tmp_path_factory.mktemp("schemas")
    result = CliRunner().invoke(main, ["schema", str(directory)])
    assert result.exit_code == 0, result.output
    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in directory.glob("*.schema.json")}
    return directory, schemas, result.output


def validator(schemas, kind):
    schema = schemas[f"{kind.name}.schema.json"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return jsonschema.Draft202012Validator(schema)


def test_every_demo_record_file_is_valid_by_its_schema(written):
    _, schemas, _ = written
    assert sorted(schemas) == sorted(f"{kind.name}.schema.json" for kind in FILE_KINDS)
    checked = 0
    for kind in FILE_KINDS:
        check = validator(schemas, kind)
        for path in sorted(DEMO.glob(kind.glob)):
            assert is_record_file(path.relative_to(DEMO).as_posix())
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)
            problems = [f"{e.json_path}: {e.message}" for e in check.iter_errors(data)]
            assert problems == [], (path, problems[:3])
            checked += 1
    assert checked > 300  # site, staff, 60 households, months of visits, inspections, custody ledgers


@pytest.mark.parametrize("bad, where", [
    ("- date: 2026-11-03\n  household: ds-001\n  dutty: contact\n", "dutty"),  # a misspelt key
    ("- date: 2026/11/03\n  household: ds-001\n  duty: contact\n", "date"),  # not 年-月-日
    ("- date: 2026-11-03\n  household: ds-001\n  duty: friend\n", "duty"),  # not one of the choices
    ("- date: 2026-11-03\n  duty: contact\n", "household"),  # a required field missing
    ("- date: 2026-11-03\n  household: DS 001\n  duty: contact\n", "household"),  # not an id
    ("date: 2026-11-03\nhousehold: ds-001\nduty: contact\n", "array"),  # a visit file is a list
])
def test_a_bad_visit_file_fails_its_schema(written, bad, where):
    _, schemas, _ = written
    visits = next(kind for kind in FILE_KINDS if kind.name == "visits")
    errors = list(validator(schemas, visits).iter_errors(yaml.load(bad, Loader=EditorLoader)))
    assert errors
    assert any(where in f"{e.json_path} {e.message} {e.schema}" for e in errors), [e.message for e in errors]


def test_titles_and_descriptions_are_chinese_and_come_from_the_record_types(written):
    _, schemas, _ = written
    visit = schemas["visits.schema.json"]["$defs"]["Visit"]
    assert visit["title"] == "走访记录" and visit["properties"]["date"]["title"] == "走访日期"
    assert "年-月-日" in visit["properties"]["date"]["description"]
    mode = visit["properties"]["mode"]
    assert "in_person（上门走访）" in mode["description"]
    assert {"in_person", "上门走访"} <= set(mode["anyOf"][0]["enum"])  # the code or its Chinese, as the loader takes
    for name, schema in schemas.items():
        assert CJK.search(schema["title"]), name
        for definition in schema["$defs"].values():
            assert CJK.search(definition["title"])
            for key, prop in definition["properties"].items():
                assert CJK.search(prop["title"]) and CJK.search(prop["description"]), (name, key)


def test_the_printed_vscode_setting_names_the_files_written(written):
    directory, schemas, output = written
    setting = json.loads(output[output.index("{"):])
    paths = setting["yaml.schemas"]
    assert sorted(Path(p).name for p in paths) == sorted(schemas)
    assert all(Path(p).parent == directory for p in paths)
    assert paths[f"{directory.as_posix()}/visits.schema.json"] == "**/visits/*/*.yaml"


def json_blocks(text: str) -> list:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)]


def test_docs_editors_shows_the_setting_the_command_prints_and_a_matcher_that_reads_check():
    from careledger.schemajson import vscode_setting

    settings, tasks = json_blocks((DEMO.parent / "docs" / "editors.md").read_text(encoding="utf-8"))
    assert settings == vscode_setting(".schemas")
    matcher = tasks["tasks"][0]["problemMatcher"]["pattern"]
    line = "visits/2026-11/ds-lianxi1.yaml:9:9: E-DATE 错误 [第2条].date：走访日期“2026-11-31”不是真实日期"
    m = re.match(matcher["regexp"], line)
    assert m and m[matcher["file"]] == "visits/2026-11/ds-lianxi1.yaml" and m[matcher["line"]] == "9"
    assert m[matcher["code"]] == "E-DATE" and m[matcher["message"]].startswith("[第2条].date：")


def test_schema_into_a_directory_that_cannot_be_made_says_why_in_chinese(tmp_path):
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(main, ["schema", str(tmp_path / "file" / "schemas")])
    assert result.exit_code == 1 and not isinstance(result.exception, OSError), result.output
    assert f"无法写入 {tmp_path}/file/schemas/（路径中有一项不是目录）" in result.output, result.output
