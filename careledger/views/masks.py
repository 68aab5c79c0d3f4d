"""The masks of the published site: one fixed pattern for each kind of value, used everywhere.

- Names keep the surname and put one `*` for the rest, whatever its length: 张三 → 张*, 张三丰 → 张*, 欧阳明 → 欧阳*.
  Compound surnames come from `COMPOUND_SURNAMES`. A name written with a separator (阿依古丽·买买提, a transliterated
  foreign name) has no surname in the Han sense: it keeps its first character only (阿*), which reveals no more
  than a one-character surname does, and never the second part (in Uyghur names that is the father's name, which
  would tie family members together).
- ID numbers and phones are not shown at all unless site.yaml's `privacy:` chooses a masked form; then that one
  form is used everywhere (differently masked copies of one number could be combined to recover it).
- Subjects are referred to by an opaque public id: an HMAC of the household/member key under the site's salt,
  shortened. Without the salt nobody can go from a household id to a public id or back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

MASK = "*"

# 复姓: the compound surnames of the 百家姓 and a few others still in use. A name that starts with one of them and is
# longer keeps both characters (rarer ones are left out on purpose: reading 乐正明 as 乐正 + 明 would show one
# character of the given name of a 乐). (A two-character name such as 司马 is read as surname 司 + given name 马.)
COMPOUND_SURNAMES = frozenset("""
欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 独孤 南宫 西门 百里 呼延 万俟 澹台 公冶
宗政 濮阳 淳于 单于 太叔 申屠 钟离 闻人 赫连 拓跋 司空 东郭 第五 左丘 梁丘 谷梁 闾丘 亓官 仲孙 鲜于 羊舌 微生 公羊
公良 漆雕 壤驷 公西 巫马 颛孙 子车 段干 司寇 东门 南门 南郭 呼衍 归海 夹谷 宰父 即墨 达奚 褚师 纳兰 完颜 爱新觉罗
""".split())

# Separators of names written in parts: the middle dot and its look-alikes, full stops, hyphens and spaces.
_NAME_SEPARATOR = re.compile(r"[·•・‧∙．.\-‐\s]")
_HAN = re.compile(r"^[\u3400-\u9fff\U00020000-\U0003134f]+$")


def mask_name(name: str) -> str:
    """The surname followed by one `*`: 张* for 张三 and 张三丰, 欧阳* for 欧阳明, 阿* for 阿依古丽·买买提."""
    name = (name or "").strip()
    if not name:
        return MASK
    if _NAME_SEPARATOR.search(name) or not _HAN.match(name):
        return name[0] + MASK
    for length in (4, 2):  # 爱新觉罗 before the two-character surnames
        if len(name) > length and name[:length] in COMPOUND_SURNAMES:
            return name[:length] + MASK
    return name[0] + MASK


def mask_id_number(number: str, form: str) -> str:
    """The one masked form of an ID number that site.yaml allows ("" when the form is none)."""
    if form == "first6_last4" and len(number) == 18:
        return number[:6] + MASK * 8 + number[-4:]
    return ""


def mask_phone(number: str, form: str) -> str:
    """The one masked form of a mobile number that site.yaml allows ("" when the form is none)."""
    if form == "first3_last4" and len(number) == 11:
        return number[:3] + MASK * 4 + number[-4:]
    return ""


def public_id(key: str, salt: bytes, length: int = 10) -> str:
    """An opaque id for a household/member key: HMAC-SHA256 under the site's salt, base32, lower case.

    Ten base32 characters are 50 bits: collisions within one jurisdiction are out of the question, and the id holds
    no digit other than 2–7, so it can never look like an ID number or a phone.
    """
    digest = hmac.digest(salt, key.encode("utf-8"), "sha256")
    if length > _B32_CHARS:
        return base64.b32encode(digest).decode("ascii").lower()[:length]
    # base32 by hand, as b32encode reads the digest (five bits a character, the last padded with zero bits): the
    # same characters without its Python-level loop, for every listed subject of a county
    bits = int.from_bytes(digest, "big") << (5 * _B32_CHARS - 8 * len(digest))
    return "".join([_B32_PAIRS[(bits >> (10 * (_B32_CHARS // 2 - 1 - i))) & 1023]
                    for i in range((length + 1) // 2)])[:length]


_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B32_PAIRS = tuple(a + b for a in _B32 for b in _B32)  # ten bits → two characters
_B32_CHARS = 52  # characters b32encode gives a SHA-256 digest before its padding (256 bits, padded to 260)
