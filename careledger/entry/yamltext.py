"""Record entries as YAML text, added to a file's text without rewriting what is already there.

A clerk's file keeps its comments, quoting and layout: nothing here parses and dumps a file. New text is appended
to a top-level list, or inserted at the end of one top-level block list (a household's `members:`); when the file is
laid out so that such an insertion is not certain to be right, `Unsafe` says why and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re

BOM = "\ufeff"


class Unsafe(Exception):
    """The file's layout does not allow a safe textual insertion (the message is Chinese)."""


def scalar(value) -> str:
    """One value as YAML: text always quoted (the schema never has to guess), dates ISO, booleans true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    text = str(value)
    if any(ord(ch) < 32 or ch in "\u2028\u2029\x7f" for ch in text):
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return "'" + text.replace("'", "''") + "'"


def mapping_lines(pairs, indent: int) -> list[str]:
    """`key: value` lines for the pairs whose value is given (pairs: a list of (key, value) or a dict). A dict
    value is a nested mapping, a list of dicts a block list of mappings, any other list a flow list."""
    out = []
    for key, value in (pairs.items() if isinstance(pairs, dict) else pairs):
        if value is None or value == () or value == [] or value == {}:
            continue
        if isinstance(value, dict):
            nested = mapping_lines(value, indent + 2)
            if nested:
                out += [" " * indent + f"{key}:"] + nested
        elif isinstance(value, (list, tuple)) and isinstance(value[0], dict):
            out.append(" " * indent + f"{key}:")
            for item in value:
                out += list_item(item, indent + 2)
        else:
            out.append(" " * indent + f"{key}: {scalar(value)}")
    return out


def list_item(pairs, indent: int) -> list[str]:
    """A list item of a mapping: `- key: value` then the other keys under the first."""
    lines = mapping_lines(pairs, indent + 2)
    if not lines:
        raise ValueError("empty entry")
    return [" " * indent + "- " + lines[0][indent + 2:]] + lines[1:]


def document(pairs) -> bytes:
    return ("\n".join(mapping_lines(pairs, 0)) + "\n").encode("utf-8")


def _decode(old: bytes) -> tuple[str, str, str]:
    """(text without BOM, BOM or "", newline) of a file's bytes."""
    try:
        text = old.decode("utf-8")
    except UnicodeDecodeError:
        raise Unsafe("文件不是 UTF-8 编码，无法安全地追加；请先用编辑器另存为 UTF-8") from None
    bom = BOM if text.startswith(BOM) else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    return text[len(bom):], bom, newline


def _encode(text: str, bom: str) -> bytes:
    return (bom + text).encode("utf-8")


_ITEM = re.compile(r"^( *)-(?: |$)")


def _content_lines(lines: list[str]) -> list[tuple[int, str]]:
    return [(i, line) for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]


def append_item(old: bytes | None, pairs) -> tuple[bytes, int]:
    """The file with one more entry at the end of its top-level list, and the line (1-based) the entry starts on.
    The bytes already there are kept as they are; a missing file becomes a list of one entry."""
    if old is None:
        return "\n".join(list_item(pairs, 0)).encode("utf-8") + b"\n", 1
    text, bom, newline = _decode(old)
    lines = text.split(newline) if text else []
    content = _content_lines(lines)
    indent = 0
    if content:
        first = _ITEM.match(content[0][1])
        if first is None:
            raise Unsafe("文件不是以“- ”开头的列表（例如写成了 [] 或字段表），无法安全地追加；请先改正文件")
        indent = len(first[1])
    prefix = text if (not text or text.endswith(newline)) else text + newline
    line = prefix.count(newline) + 1
    return _encode(prefix + newline.join(list_item(pairs, indent)) + newline, bom), line


def insert_in_block(old: bytes, key: str, pairs) -> tuple[bytes, int]:
    """The file with one more item at the end of the block list under the top-level `key:` (`members:`), and the
    line the item starts on. Refuses (Unsafe) a flow list, a key written twice, or a list whose items it cannot see."""
    text, bom, newline = _decode(old)
    lines = text.split(newline)
    heads = [i for i, line in enumerate(lines) if re.match(rf"^{re.escape(key)}\s*:", line)]
    if len(heads) != 1:
        raise Unsafe(f"文件中没有顶格书写的“{key}:”" if not heads else f"文件中“{key}:”出现了 {len(heads)} 次")
    head = heads[0]
    rest = re.sub(r"\s+#.*$", "", lines[head].split(":", 1)[1]).strip()
    if rest:
        raise Unsafe(f"“{key}:”写在了同一行（如 [ ... ] 形式），无法安全地插入；请改成每项一行以“- ”开头的写法")
    end, item_indent = head, None
    for i in range(head + 1, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        item = _ITEM.match(line)
        if line[0] == " " or (item is not None and item[1] == "" and item_indent == 0):
            if line.lstrip().startswith("#"):
                continue  # an indented comment: belongs here only if an item follows
            if item_indent is None:
                if item is None:
                    raise Unsafe(f"“{key}:”下面第一行不是以“- ”开头的列表项，无法安全地插入")
                item_indent = len(item[1])
            end = i
            continue
        if item is not None and item_indent is None:
            item_indent, end = 0, i  # items written flush with the key: `members:` then `- id: m1`
            continue
        break
    if item_indent is None:
        raise Unsafe(f"“{key}:”下面没有列表项，无法安全地插入")
    new = lines[:end + 1] + list_item(pairs, item_indent) + lines[end + 1:]
    out = newline.join(new)
    if not text.endswith(newline) and end + 1 == len(lines):
        out += newline
    return _encode(out, bom), end + 2
