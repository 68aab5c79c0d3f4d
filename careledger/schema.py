"""Declarative schemas: record types are frozen dataclasses whose fields carry a Chinese label and a kind.

`field_(label, kind)` declares a field; `convert(cls, node, ctx)` turns a YAML node into an instance, typing each
scalar from its raw text by the field's kind, never by YAML's guess, and collecting every problem as a finding with
the file, line, column and field path. Records carry the `Source` they were read from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable


from . import identifiers
from .findings import ERROR, WARNING, Finding, Source
from .yamlread import NULL_TAG, MappingNode, Node, ScalarNode, SequenceNode, mark_source, yaml11_tag

MISSING = dataclasses.MISSING
_DATES: dict[str, dt.date] = {}  # ISO text -> date, shared
_TEXTS: dict[str, str] = {}  # short texts, one object each (a phrase a clerk writes on every visit): see `Text`
_GOOD_IDS: dict[str, str] = {}  # ids that passed `Ident`'s checks and hold no ID or phone number whatever the date
_YAML_TYPE_ZH = {
    "tag:yaml.org,2002:int": "整数",
    "tag:yaml.org,2002:float": "小数",
    "tag:yaml.org,2002:bool": "真假值",
    "tag:yaml.org,2002:timestamp": "日期",
}


@dataclass
class Context:
    """What a conversion needs besides the node (which knows its own file): where findings go, and settings."""

    findings: list[Finding]
    today: dt.date
    synthetic_ids: bool = False
    # The latest date a check compared with `today` (a birth date in an ID number). A conversion made with
    # `today` at the end of time (dt.date.max) gives the same result for every as-of date from `latest` on:
    # bulkread.py caches files so, without the as-of date in the key.
    latest: dt.date = dt.date.min

    def compared(self, day: dt.date | None) -> None:
        if day is not None and day > self.latest:
            self.latest = day

    def error(self, node: Node, path: str, code: str, message: str) -> None:
        self.findings.append(Finding(code, ERROR, message, mark_source(node), path=path))

    def warning(self, node: Node, path: str, code: str, message: str) -> None:
        self.findings.append(Finding(code, WARNING, message, mark_source(node), path=path))


# --- kinds of scalar ------------------------------------------------------------------------------------------

class Kind:
    """A scalar kind: parses the raw text of a scalar node. Returns MISSING after reporting a problem."""

    zh = "文本"

    def parse(self, node: Node, ctx: Context, path: str, label: str) -> Any:
        if not isinstance(node, ScalarNode):
            ctx.error(node, path, "E-TYPE", f"{label}应为单个值（{self.zh}），不能是列表或字段表")
            return MISSING
        return self.parse_text(node.value, node, ctx, path, label)

    def parse_text(self, text: str, node: Node, ctx: Context, path: str, label: str) -> Any:
        raise NotImplementedError


class Text(Kind):
    """Text whatever YAML would make of it: `01234`, `yes`, `1:30` and 18-digit numbers stay as written."""

    def parse_text(self, text, node, ctx, path, label):
        if not node.style:  # plain scalar ("" from the C parser)
            guess = yaml11_tag(node)
            if guess in _YAML_TYPE_ZH:
                ctx.warning(node, path, "W-YAML-TYPE",
                            f"{label}“{text}”按文本读取（YAML 会把它当作{_YAML_TYPE_ZH[guess]}）；"
                            f"建议加引号写成 '{text}'")
        value = text.strip()
        if len(value) > 40:  # a note: written once
            return value
        # Equal short texts as one object: a parse-cache pickle then holds (and a warm build unpickles) each once.
        if len(_TEXTS) >= 200_000:
            _TEXTS.clear()
        return _TEXTS.setdefault(value, value)


class Ident(Text):
    """An id that is also safe as a file name: lower-case letters, digits and hyphens."""

    zh = "编号"
    pattern = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

    def parse_text(self, text, node, ctx, path, label):
        value = text.strip()
        known = _GOOD_IDS.get(value)
        if known is not None:
            return known
        if not self.pattern.match(value):
            ctx.error(node, path, "E-ID-FORMAT",
                      f"{label}“{value}”不合格式：只能用小写英文字母、数字和连字符“-”，以字母或数字开头，最长 64 位"
                      "（它也用作文件名和网址）")
            return MISSING
        births = [identifiers.birth_date_of(n) for n in identifiers.valid_id_numbers_in(value, today=dt.date.max)]
        for born in births:
            ctx.compared(born)
        if any(born <= ctx.today for born in births) or identifiers.mobiles_in(value):
            # Ids become file names and, in the reports, visible text: a person's number must never be one.
            ctx.error(node, path, "E-ID-PERSONAL",
                      f"{label}中含有身份证号或手机号：编号会成为文件名并出现在报表中，请改用不含个人信息的编号")
            return MISSING
        value = sys.intern(value)
        if not births and len(_GOOD_IDS) < 1_000_000:  # a household's id is in every visit to it: checked once
            _GOOD_IDS[value] = value
        return value


class Date(Kind):
    zh = "日期"
    iso = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
    loose = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")

    def parse_text(self, text, node, ctx, path, label):
        value = text.strip()
        known = _DATES.get(value)
        if known is not None:
            return known
        m = self.iso.match(value)
        if m:
            try:
                day = dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                ctx.error(node, path, "E-DATE", f"{label}“{value}”不是真实日期")
                return MISSING
            if len(_DATES) < 100_000:  # a county's visits share a few hundred days: one date object each
                _DATES[value] = day
            return day
        m = self.loose.match(value) or re.match(r"^(\d{4})(\d{2})(\d{2})$", value)
        if m:
            hint = f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
            ctx.error(node, path, "E-DATE-FORMAT",
                      f"{label}“{value}”格式不对：日期一律写成 年-月-日（ISO 格式），例如 {hint}")
        else:
            ctx.error(node, path, "E-DATE-FORMAT", f"{label}“{value}”不是日期：请写成 年-月-日，例如 2026-11-03")
        return MISSING


class Bool(Kind):
    zh = "是/否"
    values = {"true": True, "false": False, "是": True, "否": False, "yes": True, "no": False,
              "on": True, "off": False, "有": True, "无": False}

    def parse_text(self, text, node, ctx, path, label):
        value = self.values.get(text.strip().lower())
        if value is None:
            ctx.error(node, path, "E-BOOL", f"{label}“{text}”应为 true（是）或 false（否）")
            return MISSING
        return value


class Int(Kind):
    zh = "整数"

    def __init__(self, minimum: int | None = None, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def parse_text(self, text, node, ctx, path, label):
        value = text.strip().replace("_", "")
        if not re.match(r"^-?\d+$", value):
            ctx.error(node, path, "E-INT", f"{label}“{text}”应为整数")
            return MISSING
        number = int(value, 10)  # decimal even with a leading zero, never YAML 1.1's octal
        if re.match(r"^-?0\d", value):
            ctx.warning(node, path, "W-YAML-TYPE",
                        f"{label}“{text}”有前导零，按十进制 {number} 读取（YAML 1.1 会当作八进制）")
        if self.minimum is not None and number < self.minimum or self.maximum is not None and number > self.maximum:
            ctx.error(node, path, "E-RANGE", f"{label} {number} 超出范围（{self.minimum}–{self.maximum}）")
            return MISSING
        return number


class Money(Kind):
    """Amounts in yuan, at most two decimals, read as Decimal from the text (never through a float)."""

    zh = "金额"

    def parse_text(self, text, node, ctx, path, label):
        value = text.strip().replace(",", "").removesuffix("元")
        if not re.match(r"^-?\d+(\.\d{1,2})?$", value):
            ctx.error(node, path, "E-MONEY", f"{label}“{text}”应为金额（元），最多两位小数，例如 300 或 12.50")
            return MISSING
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes it
            ctx.error(node, path, "E-MONEY", f"{label}“{text}”应为金额")
            return MISSING


class Ratio(Kind):
    zh = "比例"

    def parse_text(self, text, node, ctx, path, label):
        value = text.strip()
        try:
            number = Decimal(value[:-1]) / 100 if value.endswith("%") else Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not 0 <= number <= 1:
            ctx.error(node, path, "E-RATIO", f"{label}“{text}”应为 0 到 1 之间的比例，或百分数如 30%")
            return MISSING
        return number


class Choice(Text):
    """One of a fixed vocabulary; the English code or its Chinese label are both accepted, the code is stored."""

    zh = "选项"

    def __init__(self, vocabulary: dict[str, str]):
        self.vocabulary = vocabulary
        self.codes = {k: k for k in vocabulary}
        self.by_label = {v: k for k, v in vocabulary.items()}

    def parse_text(self, text, node, ctx, path, label):
        value = text.strip()
        if value in self.vocabulary:
            return self.codes[value]  # the vocabulary's own string, shared by every record
        if value in self.by_label:
            return self.by_label[value]
        allowed = "、".join(f"{code}（{zh}）" for code, zh in self.vocabulary.items())
        ctx.error(node, path, "E-CHOICE", f"{label}“{value}”不是可选值；可选：{allowed}")
        return MISSING


class Checked(Text):
    """Text checked by a function from `identifiers` that returns (normalised, problem)."""

    def __init__(self, zh: str, check: Callable[[str], tuple[str, str | None]], code: str):
        self.zh, self.check, self.code = zh, check, code

    def parse_text(self, text, node, ctx, path, label):
        raw = super().parse_text(text, node, ctx, path, label)
        value, problem = self.check(raw)
        if problem:
            ctx.error(node, path, self.code, f"{label}“{raw}”{problem}")
            return MISSING
        return value


class IdNumber(Text):
    zh = "身份证号"

    def parse_text(self, text, node, ctx, path, label):
        raw = super().parse_text(text, node, ctx, path, label)
        value, problem = identifiers.check_id_number(raw, synthetic_ok=ctx.synthetic_ids, today=ctx.today)
        ctx.compared(identifiers.birth_date_of(value) if len(value) == 18 else None)  # compared with today
        if problem:
            ctx.error(node, path, "E-ID-NUMBER", f"{label}有误：{problem}")
            return MISSING
        note = identifiers.region_warning(value)
        if note:
            ctx.warning(node, path, "W-ID-REGION", f"{label}：{note}")
        return value


TEXT = Text()
IDENT = Ident()
DATE = Date()
BOOL = Bool()
MONEY = Money()
RATIO = Ratio()
ID_NUMBER = IdNumber()
MOBILE = Checked("手机号", identifiers.check_mobile, "E-PHONE")
LANDLINE = Checked("固定电话", identifiers.check_landline, "E-PHONE")
PHONE = Checked("电话", identifiers.check_phone, "E-PHONE")


class ListOf:
    """A YAML list of one kind (a scalar kind or a record type). A single value stands for a list of one."""

    def __init__(self, item):
        self.item = item


class KeepNode:
    """The YAML node itself, for values checked later against another schema (a profile's overrides)."""


# --- fields and records ---------------------------------------------------------------------------------------

def field_(label: str, kind, *, required: bool = False, default: Any = MISSING, doc: str = "",
           personal: str | None = None):
    """Declare a record field. Optional fields default to None, or () for lists.

    `personal` marks a value about a person that the published site must never show (careledger/personal.py reads
    the marks; the proof looks for every marked value): "name", "text", "place" (matched when it names a place one
    could find) or "number" (an ID number or a phone), or "private": a code, date, amount, reference or note that is never
    published but not looked for as text (the proof would find such words everywhere)."""
    if default is MISSING and not required:
        default = () if isinstance(kind, ListOf) else None
    meta = {"label": label, "kind": kind, "required": required, "doc": doc}
    if personal is not None:
        meta["personal"] = personal
    if default is MISSING:
        return field(metadata=meta)
    if isinstance(default, (list, dict, set)):
        raise TypeError("mutable defaults are not allowed in records")
    return field(default=default, metadata=meta)


def source_field():
    return field(default=Source(""), compare=False, repr=False, metadata={"source": True})


def schema_fields(cls) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls) if "label" in f.metadata]


def personal_fields(cls) -> list[str]:
    """The names of the fields of `cls` declared `personal`."""
    return [f.name for f in schema_fields(cls) if f.metadata.get("personal")]


def label_of(cls, name: str) -> str:
    for f in schema_fields(cls):
        if f.name == name:
            return f.metadata["label"]
    return name


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL_TAG and not node.style


@dataclass(frozen=True)
class _Spec:
    """What `convert` needs of a record type, worked out once per type (dataclasses.fields is slow)."""

    fields: dict  # name -> (kind, label)
    required: tuple[str, ...]
    source: str  # the name of the field that keeps where the record was read, or ""
    validates: bool


_SPECS: dict[type, _Spec] = {}


def _spec(cls) -> _Spec:
    spec = _SPECS.get(cls)
    if spec is None:
        fields = schema_fields(cls)
        source = next((f.name for f in dataclasses.fields(cls) if f.metadata.get("source")), "")
        spec = _SPECS[cls] = _Spec({f.name: (f.metadata["kind"], f.metadata["label"]) for f in fields},
                                   tuple(f.name for f in fields if f.metadata["required"]), source,
                                   hasattr(cls, "validate"))
    return spec


def convert(cls, node: Node, ctx: Context, path: str = "", title: str = "", **given) -> Any:
    """Convert a mapping node into a `cls` record; MISSING when it cannot be built. `given` sets fields that do
    not come from the file (a visit's visitor is the file's name)."""
    title = title or getattr(cls, "LABEL", cls.__name__)
    if not isinstance(node, MappingNode):
        ctx.error(node, path, "E-TYPE", f"{title}应为字段表（每行一个“字段: 值”）")
        return MISSING
    spec = _spec(cls)
    seen: dict[str, Node] = {}
    values: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        where = f"{path}.{key}" if path else str(key)
        if key is None:
            ctx.error(key_node, path, "E-KEY", "字段名应为简单文字")
            continue
        if key in seen:
            first = seen[key].start_mark.line + 1
            ctx.error(key_node, where, "E-DUPLICATE-KEY",
                      f"字段“{key}”重复出现（第 {first} 行已有）：YAML 会悄悄只保留后一个，请删去或合并其中一个")
            continue
        seen[key] = key_node
        field_spec = spec.fields.get(key)
        if field_spec is None:
            ctx.error(key_node, where, "E-UNKNOWN-KEY", _unknown_key_message(cls, key, title))
            continue
        if key in spec.required and _is_blank(value_node):
            _blank(ctx, key_node, where, title, key, field_spec[1])
            continue
        if is_null(value_node):
            continue
        value = convert_value(field_spec[0], value_node, ctx, where, field_spec[1])
        if value is not MISSING:
            values[key] = value
    complete = True
    for name in spec.required:
        if name not in values:
            complete = False
            if name not in seen:
                ctx.error(node, f"{path}.{name}" if path else name, "E-MISSING",
                          f"{title}缺少必填字段“{name}”（{spec.fields[name][1]}）")
    if not complete:
        return MISSING
    if spec.source:
        values[spec.source] = mark_source(node)
    record = cls(**values, **given)
    if spec.validates:
        for field_name, code, message in record.validate():
            target = _node_for(node, field_name) or node
            ctx.error(target, f"{path}.{field_name}" if path else field_name, code, message)
    return record


def _is_blank(node: Node) -> bool:
    if isinstance(node, ScalarNode):
        return is_null(node) or not node.value.strip()
    if isinstance(node, SequenceNode):
        return all(is_null(item) for item in node.value)
    return isinstance(node, MappingNode) and not node.value


def _blank(ctx: Context, key_node: Node, path: str, title: str, key: str, label: str) -> None:
    """A required field written with nothing after it (`date:`, `id: ''`, `members: []`): without this error the
    record would be dropped without a word, since only an absent field was reported."""
    ctx.error(key_node, path, "E-BLANK", f"{title}的必填字段“{key}”（{label}）是空的：请填写，"
              "或删去整条记录")


def convert_value(kind, node: Node, ctx: Context, path: str, label: str) -> Any:
    if isinstance(kind, ListOf):
        items = node.value if isinstance(node, SequenceNode) else [node]
        out = []
        for i, item in enumerate(items):
            if is_null(item):
                continue
            value = convert_value(kind.item, item, ctx, f"{path}[{i}]", label)
            if value is not MISSING:
                out.append(value)
        return tuple(out)
    if isinstance(kind, KeepNode):
        return node
    if isinstance(kind, Kind):
        return kind.parse(node, ctx, path, label)
    return convert(kind, node, ctx, path, label)


def _node_for(mapping: MappingNode, name: str) -> Node | None:
    for key_node, value_node in mapping.value:
        if getattr(key_node, "value", None) == name:
            return value_node
    return None


def _unknown_key_message(cls, key: str, title: str) -> str:
    fields = schema_fields(cls)
    by_label = {f.metadata["label"]: f.name for f in fields}
    if key in by_label:
        return f"字段名请用英文“{by_label[key]}”，不要写中文“{key}”"
    names = [f.name for f in fields]
    close = difflib.get_close_matches(key.lower(), names, n=1, cutoff=0.6)
    if close:
        return f"{title}没有字段“{key}”：是不是想写“{close[0]}”（{label_of(cls, close[0])}）？"
    known = "、".join(names)
    return f"{title}没有字段“{key}”。可用字段：{known}"
