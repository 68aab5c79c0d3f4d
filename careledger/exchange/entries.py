"""Entries inside a record file's text: append one, or replace one in place, leaving the rest of the file as it is."""

from __future__ import annotations

import re

from ..entry.yamltext import _decode, _encode, append_item, list_item

_ITEM = re.compile(r"^( *)- ")

__all__ = ["append_item", "replace_item"]


def replace_item(old: bytes, start: int, end: int | None, pairs) -> tuple[bytes, int]:
    """The file with the list entry that starts on line `start` (1-based; the next entry on line `end`, or None for
    the last) written anew from `pairs`, and the line it starts on. Comments inside that entry are not kept."""
    text, bom, newline = _decode(old)
    lines = text.split(newline)
    first = start - 1
    while first > 0 and not _ITEM.match(lines[first]):
        first -= 1
    m = _ITEM.match(lines[first])
    if m is None:
        raise ValueError(f"第 {start} 行不是列表项的开头")
    stop = (end - 1) if end is not None else len(lines)
    tail = lines[stop:]
    body = lines[first:stop]
    keep = len(body)
    while keep > 1 and (not body[keep - 1].strip() or body[keep - 1].lstrip().startswith("#")):
        keep -= 1  # blank lines and comments before the next entry stay
    new = lines[:first] + list_item(pairs, len(m[1])) + body[keep:] + tail
    return _encode(newline.join(new), bom), first + 1
