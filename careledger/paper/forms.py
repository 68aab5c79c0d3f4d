"""Form definitions: `forms/<name>.yaml` says what a form is and what its fields are; `forms/<name>.html` lays it out.

A definition names the form's title, the annex of the source document it reproduces (with the document's number and
seed file, and whether its columns are given by the document or designed here), its nature (one per subject,
household, village, or one roster for the jurisdiction), and its fields: a stable English name, the Chinese label, a
type (text, multiline, date, checkbox, select with choices) and the record path that pre-fills it. Repeated rows
(a roster, a ledger) are a table of columns; the field name of a cell is `<table>_<row>_<column>`.

Definitions are read with the schema machinery of the records (`schema.convert`): unknown keys, bad values and
record paths that do not exist in the nature's context are findings with file and line, all reported at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path

from .. import assets
from ..findings import ERROR, Finding, Source
from ..policy import PROFILE_NAMES
from ..schema import BOOL, MISSING, TEXT, Choice, Context, Int, ListOf, Text, convert, field_, source_field
from ..yamlread import read_yaml
from .context import NATURE_CONTEXT

FORMS_DIR = assets.FORMS

FIELD_TYPE = {"text": "单行文本", "multiline": "多行文本", "date": "日期", "checkbox": "勾选框", "select": "下拉选择"}
NATURE = {"subject": "每个关爱帮扶对象一份", "household": "每户一份", "village": "每个村（社区）一份",
          "roster": "全辖区一份"}
ORIENTATION = {"portrait": "纵向", "landscape": "横向"}
PDF_TYPE = {"text": "/Tx", "multiline": "/Tx", "date": "/Tx", "checkbox": "/Btn", "select": "/Ch"}


class FieldName(Text):
    zh = "字段名"
    pattern = re.compile(r"^[a-z][a-z0-9_]{0,47}$")

    def parse_text(self, text, node, ctx, path, label):
        value = text.strip()
        if not self.pattern.match(value):
            ctx.error(node, path, "E-FORM-NAME", f"{label}“{value}”不合格式：小写英文字母开头，只用小写字母、数字和下划线")
            return MISSING
        return value


class RecordPath(Text):
    """A dotted path into a form context: `subject.responsible_at[township].name`; `a | b` takes b when a is empty."""

    zh = "记录路径"
    pattern = re.compile(r"^[a-z_][a-z0-9_]*(\[[a-z0-9_]+\])?(\.[a-z_][a-z0-9_]*(\[[a-z0-9_]+\])?)*$")

    def parse_text(self, text, node, ctx, path, label):
        value = " | ".join(part.strip() for part in text.strip().split("|"))
        if not all(self.pattern.match(part) for part in value.split(" | ")):
            ctx.error(node, path, "E-FORM-PATH", f"{label}“{value}”不是记录路径：写成 member.name、"
                      "subject.responsible_at[township].phone 这样的点分路径")
            return MISSING
        return value


FIELD_NAME = FieldName()
RECORD_PATH = RecordPath()


@dataclass(frozen=True, kw_only=True)
class DocumentRef:
    LABEL = "出处"
    title: str = field_("文件标题", TEXT, required=True)
    number: str = field_("文号", TEXT)
    issuer: str = field_("发文机关", TEXT, required=True)
    seed: str = field_("原文文件（shared/seeds/）", TEXT, required=True)
    annex: str = field_("附件或章节", TEXT, required=True)
    designed: bool = field_("栏目为本项目设计（原文只列表名）", BOOL, default=False)
    note: str = field_("说明", TEXT)
    source: Source = source_field()

    @property
    def cite(self) -> str:
        return " ".join(x for x in (self.number or self.issuer, f"《{self.title}》", self.annex) if x)


@dataclass(frozen=True, kw_only=True)
class FieldDef:
    LABEL = "字段"
    name: str = field_("字段名", FIELD_NAME, required=True)
    label: str = field_("中文名", TEXT, required=True)
    type: str = field_("类型", Choice(FIELD_TYPE), default="text")
    path: str = field_("预填的记录路径（不写则只留空白）", RECORD_PATH)
    checked_when: str = field_("勾选条件：路径的值等于或包含此值", TEXT)
    choices: tuple = field_("选项", ListOf(TEXT))
    source: Source = source_field()

    def validate(self):
        if self.type == "select" and not self.choices:
            yield "choices", "E-FORM", f"下拉选择字段“{self.name}”须列出选项（choices）"
        if self.type != "select" and self.choices:
            yield "choices", "E-FORM", f"只有下拉选择字段（type: select）才有选项；“{self.name}”是 {self.type}"
        if self.checked_when is not None and self.type != "checkbox":
            yield "checked_when", "E-FORM", "checked_when 只用于勾选框（type: checkbox）"


@dataclass(frozen=True, kw_only=True)
class TableDef:
    LABEL = "表格行"
    name: str = field_("表名", FIELD_NAME, required=True)
    label: str = field_("中文名", TEXT, required=True)
    rows: int = field_("空白表的行数（预填时至少这么多行）", Int(1, 200), required=True)
    path: str = field_("预填的记录路径（列表，每项一行）", RECORD_PATH)
    columns: tuple = field_("列", ListOf(FieldDef), required=True)
    source: Source = source_field()

    def cell_name(self, row: int, column: str) -> str:
        return f"{self.name}_{row}_{column}"


@dataclass(frozen=True, kw_only=True)
class FormDef:
    LABEL = "表格定义"
    title: str = field_("表名", TEXT, required=True)
    document: DocumentRef = field_("出处", DocumentRef, required=True)
    profile: str = field_("所属政策档案", Choice({p: p for p in PROFILE_NAMES}), required=True)
    nature: str = field_("份数", Choice(NATURE), required=True)
    orientation: str = field_("纸张方向", Choice(ORIENTATION), default="portrait")
    requires: tuple = field_("仅当这些路径都有值时才生成", ListOf(RECORD_PATH))
    description: str = field_("说明", TEXT)
    fields: tuple = field_("字段", ListOf(FieldDef))
    tables: tuple = field_("表格行", ListOf(TableDef))
    name: str = ""  # the file name without .yaml
    source: Source = source_field()

    def field_names(self, *, rows: dict[str, int] | None = None) -> list[str]:
        """Every field name of the form, tables with their blank row count (or `rows[table]`)."""
        names = [f.name for f in self.fields]
        for t in self.tables:
            for n in range(1, (rows or {}).get(t.name, t.rows) + 1):
                names += [t.cell_name(n, c.name) for c in t.columns]
        return names

    def all_fields(self):
        """(name, FieldDef) for the fields and the columns of the first table row."""
        yield from ((f.name, f) for f in self.fields)
        for t in self.tables:
            yield from ((t.cell_name(1, c.name), c) for c in t.columns)


def load_forms(directory: Path = FORMS_DIR, *, today: dt.date | None = None) -> tuple[list[FormDef], list[Finding]]:
    """Every form definition in `directory` (files starting with "_" are shared parts), with all problems found."""
    findings: list[Finding] = []
    forms = []
    if not directory.is_dir():
        return [], [Finding("E-FORM", ERROR, f"表格目录 {directory} 不存在", Source(str(directory)))]
    for path in sorted(directory.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        rel = f"forms/{path.name}"
        parsed, problems = read_yaml(path, rel)
        findings += problems
        if parsed.root is None:
            continue
        ctx = Context(findings=findings, today=today or dt.date.today())
        form = convert(FormDef, parsed.root, ctx)
        if form is MISSING:
            continue
        form = dataclasses.replace(form, name=path.stem)
        if not re.match(r"^[a-z][a-z0-9-]*$", path.stem):
            findings.append(Finding("E-FORM-NAME", ERROR, "表格文件名只能用小写英文字母、数字和连字符", Source(rel)))
            continue
        findings += check_form(form, directory)
        forms.append(form)
    return forms, findings


def check_form(form: FormDef, directory: Path) -> list[Finding]:
    problems: list[Finding] = []

    def error(where: Source, message: str, code: str = "E-FORM") -> None:
        problems.append(Finding(code, ERROR, message, where))

    if not (directory / f"{form.name}.html").is_file():
        error(form.source, f"缺少版式文件 forms/{form.name}.html")
    context = NATURE_CONTEXT[form.nature]
    seen: dict[str, Source] = {}
    for f in form.fields:
        if f.name in seen:
            error(f.source, f"字段名“{f.name}”重复（{seen[f.name]}）", "E-FORM-DUPLICATE")
        seen[f.name] = f.source
        _check_field(f, context, error)
    for t in form.tables:
        if t.name in seen:
            error(t.source, f"表名“{t.name}”与字段名重复", "E-FORM-DUPLICATE")
        seen[t.name] = t.source
        row_type, table_ok = None, True
        if t.path:
            found, problem = resolve_type(context, t.path)
            row_type = _item_type(found) if problem is None else None
            if problem:
                error(t.source, f"表格“{t.name}”的路径 {t.path}：{problem}", "E-FORM-PATH")
                table_ok = False
            elif row_type is None:
                error(t.source, f"表格“{t.name}”的路径 {t.path} 不是列表", "E-FORM-PATH")
                table_ok = False
        columns: set[str] = set()
        for c in t.columns:
            if c.name in columns:
                error(c.source, f"表格“{t.name}”的列名“{c.name}”重复", "E-FORM-DUPLICATE")
            columns.add(c.name)
            if not c.path or not table_ok:
                continue
            if row_type is None:
                error(c.source, f"列“{c.name}”有路径，但表格“{t.name}”没有列表路径（path）", "E-FORM-PATH")
            else:
                _check_field(c, row_type, error)
    for path in form.requires:
        _, problem = resolve_type(context, path)
        if problem:
            error(form.source, f"requires 的路径 {path}：{problem}", "E-FORM-PATH")
    return problems


def _check_field(f: FieldDef, context: type, error) -> None:
    if not f.path:
        return
    found, problem = resolve_type(context, f.path)
    if problem:
        error(f.source, f"字段“{f.name}”的路径 {f.path}：{problem}", "E-FORM-PATH")
    elif f.type == "checkbox" and typing.get_origin(found) in (tuple, dict) and f.checked_when is None:
        error(f.source, f"勾选框“{f.name}”的路径 {f.path} 是列表：请加 checked_when（包含哪个值时勾选）")


def resolve_type(root: type, path: str) -> tuple[object, str | None]:
    """The type `path` leads to from `root` (of its first alternative), or a problem in Chinese."""
    found = [_resolve_one(root, part.strip()) for part in path.split("|")]
    problem = next((p for _, p in found if p), None)
    return (None, problem) if problem else (found[0][0], None)


def _resolve_one(root: type, path: str) -> tuple[object, str | None]:
    current: object = root
    for segment in path.split("."):
        name, _, key = segment.partition("[")
        key = key.rstrip("]")
        current = _unwrap(current)
        hints = _hints(current)
        if hints is None:
            return None, f"“{name}”之前的部分已是单个值，不能再取下一级"
        if name not in hints:
            close = [h for h in hints if h.startswith(name[:3])][:3]
            hint = f"（可用：{'、'.join(close or sorted(hints)[:12])}）"
            return None, f"没有“{name}”{hint}"
        current = _unwrap(hints[name])
        if key:
            origin, args = typing.get_origin(current), typing.get_args(current)
            if origin is tuple and key.isdigit():
                current = args[0]
            elif origin is dict:
                current = args[1]
            else:
                return None, f"“{name}”不是列表或表，不能写 [{key}]"
    return _unwrap(current), None


def _item_type(t) -> type | None:
    t = _unwrap(t)
    return typing.get_args(t)[0] if typing.get_origin(t) is tuple else None


def _unwrap(t):
    """X | None → X."""
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(t) if a is not type(None)]
        return args[0] if len(args) == 1 else t
    return t


def _hints(t) -> dict | None:
    if not (isinstance(t, type) and dataclasses.is_dataclass(t)):
        return None
    hints = dict(typing.get_type_hints(t))
    for name in dir(t):
        prop = getattr(t, name, None)
        if isinstance(prop, property) and prop.fget is not None:
            returned = typing.get_type_hints(prop.fget).get("return")
            if returned is not None:
                hints[name] = returned
    return hints


# --- values --------------------------------------------------------------------------------------------------

def value_at(obj, path: str):
    """The value `path` leads to from `obj`; None where a step is missing (an empty field)."""
    value = None
    for part in path.split("|"):
        value = _value_one(obj, part.strip())
        if value not in (None, "", ()):
            return value
    return value


def _value_one(obj, path: str):
    current = obj
    for segment in path.split("."):
        if current is None:
            return None
        name, _, key = segment.partition("[")
        current = getattr(current, name, None)
        if key and current is not None:
            key = key.rstrip("]")
            if isinstance(current, dict):
                current = current.get(key)
            else:
                index = int(key)
                current = current[index] if index < len(current) else None
    return current


def is_truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return bool(value) and value not in ("否", "无")


def field_value(f: FieldDef, item) -> object:
    """What field `f` holds for `item`: text, a bool for a checkbox, the selected choice for a select."""
    if not f.path or item is None:
        return False if f.type == "checkbox" else ""
    value = value_at(item, f.path)
    if f.type == "checkbox":
        if f.checked_when is None:
            return is_truthy(value)
        if isinstance(value, (tuple, list, set, frozenset)):
            return f.checked_when in value
        return value == f.checked_when
    if value is None or value is False:
        return ""
    if value is True:
        return "是"
    if isinstance(value, (tuple, list)):
        return "、".join(str(v) for v in value)
    return str(value)
