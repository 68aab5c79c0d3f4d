"""Read one YAML file into a node tree that keeps line and column of every value.

Before YAML sees the text we look for what clerks really get wrong (wrong encoding, tabs, full-width colons and
spaces), because PyYAML's own messages for those are English and point at the wrong place. Values are not resolved
here: the schema types each scalar from its raw text (see `convert.py`), so YAML 1.1's guesses never decide a value.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .findings import ERROR, Finding, Source
from .listing import LinkInPath, read_bytes, reason

try:  # the C composer is about ten times faster; the pure-Python one gives the same nodes
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader

Node = yaml.Node
ScalarNode = yaml.ScalarNode
MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode

NULL_TAG = "tag:yaml.org,2002:null"
PLAIN_TAG = "tag:careledger,2026:plain"  # a plain scalar whose YAML type nobody has asked for yet
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_YAML11 = yaml.resolver.Resolver()


class _Loader(_BaseLoader):
    """Leaves plain scalars untyped: the schema types every value from its text, and YAML 1.1's guess is needed
    only for the warning about it (`yaml11_tag`). Resolving every scalar up front was a tenth of the load time."""

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if implicit[0]:
                return NULL_TAG if value in _NULLS else PLAIN_TAG
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)

    # Path-based resolvers are never registered here: the bookkeeping the composer calls for every node is skipped.
    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


def yaml11_tag(node: Node) -> str:
    """The tag YAML 1.1 would give this scalar (int, bool, timestamp, ...)."""
    if node.tag != PLAIN_TAG:
        return node.tag
    return _YAML11.resolve(ScalarNode, node.value, (True, False))

_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
_FULLWIDTH_COLON = re.compile(rf"^(\s*(?:-\s+)?)({_KEY})\s*：")
_FULLWIDTH_SPACE_AFTER_KEY = re.compile(rf"^(\s*(?:-\s+)?)({_KEY}):(\u3000)")
_INDENT = re.compile(r"^[ \t\u3000]*")
_TAB_AFTER_KEY = re.compile(rf"^\s*(?:-\s+)?{_KEY}:(\t)")
# What YAML refuses to read (its own error has no line): control characters but tab and line ends, DEL, C1
# controls but NEL, lone surrogates and the two non-characters U+FFFE, U+FFFF (PyYAML's Reader.NON_PRINTABLE).
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CONTROL_NAMES = {0: "NUL", 7: "BEL", 8: "退格 BS", 0x0B: "垂直制表符 VT", 0x0C: "换页符 FF", 0x1B: "ESC", 0x7F: "DEL"}

# PyYAML's commonest complaints, said the way a clerk can act on them.
_PROBLEMS = [
    ("could not find expected ':'", "这一行缺少英文冒号“:”，或上一行的引号没有闭合"),
    ("mapping values are not allowed here", "这里不能出现“键: 值”：检查缩进，或把含英文冒号的值用引号括起来"),
    ("expected <block end>", "缩进不一致：同一层的字段必须对齐，子字段比父字段多缩进两个空格"),
    ("did not find expected key", "缩进不一致，或列表项“- ”与字段混在同一层"),
    ("found character '\\t'", "用了制表符（Tab）：YAML 只能用空格缩进"),
    ("found undefined alias", "引用了未定义的锚点（*名称）"),
    ("found unexpected end of stream", "文件意外结束：检查引号是否成对"),
    ("found unknown escape character", "双引号中的反斜杠“\\”无效：改用单引号，或写成“\\\\”"),
]


@dataclass(frozen=True)
class YamlFile:
    path: Path
    rel: str  # path shown in messages, relative to the content root
    root: Node | None  # None when the file is empty or could not be read


def read_yaml(path: Path, rel: str) -> tuple[YamlFile, list[Finding]]:
    try:
        raw = read_bytes(path)
    except OSError as exc:
        return YamlFile(path, rel, None), [unreadable(rel, exc)]
    text, findings = decode(raw, rel)
    if text is None:
        return YamlFile(path, rel, None), findings
    return parse_text(text, path, rel)


def parse_text(text: str, path: Path, rel: str) -> tuple[YamlFile, list[Finding]]:
    findings = scan_text(text, rel)
    if findings:
        return YamlFile(path, rel, None), findings
    try:
        root = yaml.compose(_named_stream(text, rel), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return YamlFile(path, rel, None), [_from_yaml_error(exc, rel)]
    except yaml.YAMLError as exc:  # pragma: no cover - errors without a mark are rare
        return YamlFile(path, rel, None), [_error(rel, 0, 0, "E-YAML", f"YAML 格式错误：{exc}")]
    return YamlFile(path, rel, root), []


def unreadable(rel: str, exc: OSError) -> Finding:
    if isinstance(exc, LinkInPath):  # swapped in after the listing: refused as the listing refuses links
        where = "这个文件" if exc.component == rel else f"它所在的目录“{exc.component}”"
        return _error(rel, 0, 0, "E-SYMLINK", f"读取时{where}已被换成符号链接（列出目录之后才换的），没有跟随，"
                                              "也没有读取：记录目录中的符号链接一律不读取。请把链接换成目录或文件本身")
    return _error(rel, 0, 0, "E-FILE-READ", f"无法读取文件：{reason(exc)}")


def decode(raw: bytes, rel: str) -> tuple[str | None, list[Finding]]:
    """UTF-8 (a BOM is tolerated); anything else is named, with the command that converts it."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
    try:
        raw.decode("gb18030")
        guess = (
            "文件不是 UTF-8 编码，看起来是 GBK/GB18030（Windows 记事本的“ANSI”）。"
            "请在编辑器中“另存为 UTF-8”，或运行：iconv -f GB18030 -t UTF-8 原文件 > 新文件"
        )
    except UnicodeDecodeError:
        guess = "文件不是 UTF-8 编码，请用编辑器另存为 UTF-8"
    return None, [_error(rel, line, column, "E-ENCODING", guess)]


def scan_text(text: str, rel: str) -> list[Finding]:
    """Line-level mistakes that YAML would misread or report in English."""
    findings = _control_chars(text, rel)
    if findings:
        return findings
    if "\t" not in text and "\u3000" not in text and "：" not in text:
        return findings  # the usual case: none of the characters these mistakes are made of
    for number, line in enumerate(text.splitlines(), start=1):
        indent = _INDENT.match(line).group(0)
        if "\t" in indent:
            findings.append(_error(rel, number, indent.index("\t") + 1, "E-TAB",
                                   "缩进中有制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格"))
        elif "\u3000" in indent:
            findings.append(_error(rel, number, indent.index("\u3000") + 1, "E-FULLWIDTH-SPACE",
                                   "缩进中有全角空格“　”：请换成半角空格"))
        m = _FULLWIDTH_COLON.match(line)
        if m:
            column = line.index("：", m.end(2)) + 1
            findings.append(_error(rel, number, column, "E-FULLWIDTH-COLON",
                                   f"字段“{m.group(2)}”后面用了全角冒号“：”：请改成半角冒号“:”并在后面加一个空格",
                                   path=m.group(2)))
            continue
        m = _FULLWIDTH_SPACE_AFTER_KEY.match(line)
        if m:
            findings.append(_error(rel, number, m.start(3) + 1, "E-FULLWIDTH-SPACE",
                                   f"字段“{m.group(2)}:”后面是全角空格“　”：请改成半角空格", path=m.group(2)))
            continue
        m = _TAB_AFTER_KEY.match(line)
        if m:
            findings.append(_error(rel, number, m.start(1) + 1, "E-TAB",
                                   "冒号后面是制表符（Tab）：请改成一个空格"))
    return findings


def _control_chars(text: str, rel: str) -> list[Finding]:
    """Invisible control characters (a NUL from a broken copy, an ESC from a terminal), each at its line:column."""
    findings = []
    for m in _NOT_PRINTABLE.finditer(text):
        start = m.start()
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        code = ord(m.group())
        name = _CONTROL_NAMES.get(code, "控制字符" if code < 0x20 or 0x7F <= code <= 0x9F else "非字符")
        findings.append(_error(rel, line, column, "E-CONTROL-CHAR",
                               f"这里有看不见的字符 U+{code:04X}（{name}）：可能是复制或传输时混入的，请删去"))
        if len(findings) >= 20:  # a binary file: the first ones say enough
            break
    return findings


def empty_file(root: Node | None, rel: str) -> Finding | None:
    """A file that holds no record: empty, only comments, or an empty list `[]` or table `{}`. A record file is
    never empty on purpose; without this finding its records would vanish without a word."""
    if root is None:
        return _error(rel, 0, 0, "E-EMPTY", "文件是空的（或只有注释）：没有读到任何记录。不再需要的文件请删除")
    if isinstance(root, (MappingNode, SequenceNode)) and not root.value:
        mark = root.start_mark
        return _error(rel, mark.line + 1, mark.column + 1, "E-EMPTY",
                      f"文件中只有一个空的{'列表“[]”' if isinstance(root, SequenceNode) else '字段表“{}”'}："
                      "没有读到任何记录。不再需要的文件请删除")
    return None


def _named_stream(text: str, rel: str) -> io.StringIO:
    """Every mark of the parsed nodes carries the stream's name, so a node always knows its file."""
    stream = io.StringIO(text)
    stream.name = rel
    return stream


def mark_source(node: Node) -> Source:
    mark = node.start_mark
    return Source(mark.name, mark.line + 1, mark.column + 1)


def _from_yaml_error(exc: yaml.MarkedYAMLError, rel: str) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or ""
    hint = next((zh for en, zh in _PROBLEMS if en in problem), "YAML 格式错误")
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return _error(rel, line, column, "E-YAML", f"{hint}（{problem}）")


def _error(rel: str, line: int, column: int, code: str, message: str, path: str = "") -> Finding:
    return Finding(code, ERROR, message, Source(rel, line, column), path=path)
