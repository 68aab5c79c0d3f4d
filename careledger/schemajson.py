"""JSON Schema (draft 2020-12) of every kind of record file, generated from the record types (records.py), so an
editor (VS Code's YAML extension, docs/editors.md) can complete and check a record file as the clerk types it.

The record types are the one source: each field's Chinese label becomes its title, its kind the type and a Chinese
description. The schema says what the loader accepts as the YAML an editor sees (YAML 1.2: an unquoted 2026-11-03 is
text, `yes` is text). Unquoted digits in a text field (a phone, an ID number) are flagged, as the loader warns about
them (W-YAML-TYPE). What needs the other records (references, file names, dates in the month's folder, policy) is
left to `careledger check`.
"""

from __future__ import annotations

import json
from pathlib import Path

from .recordfiles import FILE_KINDS, FileKind
from .schema import (Bool, Checked, Choice, Date, Ident, IdNumber, Int, KeepNode, Kind, ListOf, Money, Ratio,
                     schema_fields)

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def file_schema(kind: FileKind) -> dict:
    """The schema of one kind of record file."""
    defs: dict[str, dict] = {}
    record = _ref(kind.cls, defs)
    if kind.many:
        body = {"type": "array", "items": record,
                "description": f"{kind.title}：{kind.cls.LABEL}的列表，每条以“- ”开头。"}
    else:
        body = {**record, "description": f"{kind.title}：一个{kind.cls.LABEL}。"}
    return {"$schema": DRAFT, "title": kind.title, **body, "$defs": dict(sorted(defs.items()))}


def all_schemas() -> dict[str, dict]:
    """File name -> schema, for every kind of record file."""
    return {f"{kind.name}.schema.json": file_schema(kind) for kind in FILE_KINDS}


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in all_schemas().items():
        path = directory / name
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def vscode_setting(directory: str) -> dict:
    """The `yaml.schemas` setting of VS Code's YAML extension for schemas written to `directory` (relative to the
    workspace folder); the globs match the records' folder wherever it sits in the workspace."""
    prefix = directory.rstrip("/")
    if not prefix.startswith(("/", "./", "../")):
        prefix = "./" + prefix
    return {"yaml.schemas": {f"{prefix}/{kind.name}.schema.json": f"**/{kind.glob}" for kind in FILE_KINDS}}


def kind_note(kind) -> str:
    """The Chinese description of a field's kind, as the editor shows it; docs/records.md's field reference
    (schemadoc.py) reads it from here so the two never say different things."""
    return _kind(kind, {})[1]


def _ref(cls, defs: dict) -> dict:
    name = cls.__name__
    if name not in defs:
        defs[name] = {}  # placeholder: a type that contains itself is described once
        defs[name] = _object(cls, defs)
    return {"$ref": f"#/$defs/{name}"}


def _object(cls, defs: dict) -> dict:
    properties, required = {}, []
    for f in schema_fields(cls):
        meta = f.metadata
        schema, note = _kind(meta["kind"], defs)
        if not meta["required"]:
            schema = {"anyOf": [schema, {"type": "null"}]}  # `note:` left empty is no value, as the loader reads it
        else:
            required.append(f.name)
        text = f"{meta['label']}。{note}" + ("，必填" if meta["required"] else "") + "。"
        if meta.get("doc"):
            text += meta["doc"]
        properties[f.name] = {"title": meta["label"], "description": text, **schema}
    out = {"type": "object", "title": cls.LABEL, "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = required
        labels = "、".join(f"{name}（{properties[name]['title']}）" for name in required)
        out["description"] = f"{cls.LABEL}：必填 {labels}。"
    else:
        out["description"] = f"{cls.LABEL}。"
    return out


def _kind(kind, defs: dict) -> tuple[dict, str]:
    """(schema, Chinese description) of a field's kind."""
    if isinstance(kind, ListOf):
        item, note = _kind(kind.item, defs)
        return {"anyOf": [{"type": "array", "items": item}, item]}, f"列表（每项以“- ”开头，只有一项时可直接写）：{note}"
    if isinstance(kind, KeepNode):
        return {}, "字段表，按政策档案检查（见 docs/profiles.md）"
    if not isinstance(kind, Kind):
        return _ref(kind, defs), kind.LABEL
    if isinstance(kind, Choice):
        allowed = "、".join(f"{code}（{zh}）" for code, zh in kind.vocabulary.items())
        return {"enum": [*kind.vocabulary, *kind.vocabulary.values()]}, f"可选：{allowed}；写英文代码或中文都可以"
    if isinstance(kind, Ident):
        return ({"type": "string", "pattern": kind.pattern.pattern},
                "编号：小写英文字母、数字和“-”，以字母或数字开头，最长 64 位")
    if isinstance(kind, Date):
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}, "日期，写成 年-月-日，例如 2026-11-03"
    if isinstance(kind, Bool):
        words = [w for w in Bool.values if w not in ("true", "false")]
        return {"anyOf": [{"type": "boolean"}, {"enum": words}]}, "是/否：true（是）或 false（否）"
    if isinstance(kind, Int):
        schema = {"type": "integer"}
        if kind.minimum is not None:
            schema["minimum"] = kind.minimum
        if kind.maximum is not None:
            schema["maximum"] = kind.maximum
        span = f"（{kind.minimum}–{kind.maximum}）" if kind.minimum is not None and kind.maximum is not None else ""
        return schema, f"整数{span}"
    if isinstance(kind, Money):
        return ({"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?[\d,]+(\.\d{1,2})?元?$"}]},
                "金额（元），最多两位小数，例如 300 或 12.50")
    if isinstance(kind, Ratio):
        return ({"anyOf": [{"type": "number", "minimum": 0, "maximum": 1},
                           {"type": "string", "pattern": r"^\d+(\.\d+)?%$"}]},
                "0 到 1 之间的比例，或百分数如 30%")
    if isinstance(kind, IdNumber):
        return {"type": "string"}, "身份证号（18 位，请加引号）"
    if isinstance(kind, Checked):
        return {"type": "string"}, f"{kind.zh}（请加引号）"
    return {"type": "string"}, "文本"
