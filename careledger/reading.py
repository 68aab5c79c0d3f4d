"""What a reader reads: the one folding applied alike to the published text and to the values the proof looks for.

A person who reads a page sees through what a machine would keep apart, so `read(text)` keeps only what a reader
takes in, in one form:

- **Unicode NFKC**: full-width letters and digits, compatibility ideographs and ligatures become the plain ones.
- **Skipped**, as a reader skips them: every kind of space (ASCII, no-break, ideographic, …), line and paragraph
  breaks and other control whitespace, format characters (category Cf: zero-width spaces and joiners, soft hyphens,
  direction marks, …), combining marks (Mn, Mc, Me), middle dots and their look-alikes (· • ‧ ・ ∙ ⋅ . and others),
  and hyphens and dashes. So 欧 阳明, 欧\\u200b阳明, 欧·阳明 and 欧\\u0301阳明 all read 欧阳明, and a Uyghur-style name
  reads the same whichever dot separates its parts (阿依古丽·买买提, 阿依古丽•买买提, 阿依古丽.买买提).
- **Traditional characters folded to simplified**, character by character, with OpenCC's `t2s` table
  (歐陽明 reads 欧阳明). Character by character and not phrase by phrase, so a name reads the same alone and in a
  sentence.
- **Chinese numerals read as digits**, digit by digit, as ID numbers, phones and years are written and read aloud:
  〇 ○ 零 → 0, 一 幺 壹 → 1, 二 两 贰 → 2, 三 叁 → 3, … 九 玖 → 9 (so 一九六〇 reads 1960 and 幺三八 reads 138).
  Positional numerals (十 百 千 万) are not interpreted: no ID number or phone is written with them. 两 is read as 2
  (两 is how 2 is said before a measure word; reading it as 2 can only find more).

Table cells and other markup are the caller's: `proof.py` takes the tags out before reading, so the text of
neighbouring cells is read together, as a reader's eye runs along a row. What is skipped here between digits
(spaces, dots, dashes) is exactly what people put between digit groups, so after reading a number in any grouping
(138 0000 1000, 138.0000.1000, 990101-1954-0101-001X, 3-3-4-4-4, 4-3-4) is one run of digits; parentheses and a
`+` are left to the number search (`DIGIT_RUN`), which reads through them.

The folding is one `str.translate` table after NFKC: linear in the text, whatever it holds.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

# Dots a name's parts are joined with, and their look-alikes (the full stop "." included, the ideographic one not:
# "。" ends a sentence). Hyphens and dashes too: people put them between digit groups and between a name's parts.
DOTS = "·•‧・･∙⋅⸱ꞏᐧ⦁◦‣⁃⸰.·" + "-‐‑‒–—―⁻₋−﹘﹣－"
NUMERALS = {"〇": "0", "○": "0", "零": "0", "一": "1", "幺": "1", "壹": "1", "二": "2", "两": "2", "贰": "2",
            "三": "3", "叁": "3", "四": "4", "肆": "4", "五": "5", "伍": "5", "六": "6", "陆": "6", "七": "7",
            "柒": "7", "八": "8", "捌": "8", "九": "9", "玖": "9"}
_SKIPPED_CATEGORIES = {"Zs", "Zl", "Zp", "Cf", "Mn", "Mc", "Me"}
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))
BOUNDARY = "\x00"  # kept by `read`: a caller's mark of a boundary a reader does not read across
# A number as read: digits (and the check digit X) with at most two parentheses or plus signs between them
# (+86(138)0000 1000 reads +86(138)00001000); at least 7 digits, the shortest number looked for (a local landline).
DIGIT_RUN = re.compile(r"[0-9Xx](?:[()+]{0,2}[0-9Xx]){6,}")


def read(text: str) -> str:
    """`text` as a reader reads it (see the module docstring)."""
    return unicodedata.normalize("NFKC", text).translate(_table())


def read_number(text: str) -> str:
    """A number as read: its digits (and an upper-case X), whatever was between them."""
    return re.sub(r"[^0-9X]", "", read(text).upper())


@functools.cache
def _table() -> dict[int, object]:
    """The folding table, kept in the cache under the Unicode and OpenCC versions and this module's code: making it
    walks every code point (0.15 s of every build's proof)."""
    import opencc

    from . import cachestore

    versions = repr((unicodedata.unidata_version, getattr(opencc, "__version__", ""), cachestore.code_hash("reading")))
    target = cachestore.cache_root() / "reading" / f"{cachestore.short_hash(versions)}.pickle"
    try:
        table = cachestore.read_sealed(target)
    except OSError:
        table = None
    if isinstance(table, dict):
        return table
    table = _made_table()
    try:
        target.parent.mkdir(mode=0o700, exist_ok=True)
        cachestore.write_sealed(target, table)
    except OSError:  # a cache that cannot be written only makes the next build slower
        pass
    return table


def _made_table() -> dict[int, object]:
    table: dict[int, object] = {}
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) in _SKIPPED_CATEGORIES or (char.isspace() and char != BOUNDARY):
            table[code] = None
    for char in DOTS:
        table[ord(char)] = None
    table.update(_simplified())
    for char, digit in NUMERALS.items():
        table[ord(char)] = digit
    return table


def _simplified() -> dict[int, str]:
    """Every CJK character OpenCC's t2s changes, as one character to one character."""
    import opencc

    chars = [chr(c) for lo, hi in _CJK_RANGES for c in range(lo, hi)]
    folded = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(folded) != len(chars):  # pragma: no cover - OpenCC keeps one line per line
        raise RuntimeError("OpenCC t2s changed the number of lines")
    table = {}
    for char, simple in zip(chars, folded):
        if simple != char and len(simple) == 1:
            table[ord(char)] = NUMERALS.get(simple, simple)
    return table
