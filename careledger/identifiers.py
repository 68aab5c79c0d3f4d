"""Resident ID numbers (GB 11643-1999) and mainland phone numbers.

Each check returns the normalised value and a Chinese message saying what is wrong (None when all is well).
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_DIGITS = "10X98765432"
SYNTHETIC_REGION_PREFIX = "99"  # no real county has it: our demo and test data use it

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?[1-9]\d{6,7}(-\d{1,5})?$")


def check_digit(first17: str) -> str:
    return CHECK_DIGITS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def normalise_id_number(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def birth_date_of(id_number: str) -> dt.date | None:
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def sex_of(id_number: str) -> str:
    """The 17th digit is odd for men and even for women."""
    return "male" if int(id_number[16]) % 2 else "female"


def check_id_number(text: str, *, synthetic_ok: bool, today: dt.date) -> tuple[str, str | None]:
    number = normalise_id_number(text)
    if len(number) != 18:
        return number, f"身份证号应为 18 位，这里是 {len(number)} 位"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return number, "身份证号前 17 位应为数字，最后一位为数字或 X"
    expected = check_digit(number[:17])
    if number[17] != expected:
        return number, f"身份证号校验码错误：按 GB 11643 计算最后一位应为 {expected}，请核对号码"
    born = birth_date_of(number)
    if born is None:
        return number, f"身份证号中的出生日期 {number[6:14]} 不是真实日期"
    if born > today:
        return number, f"身份证号中的出生日期 {born.isoformat()} 在未来"
    if born.year < 1880:
        return number, f"身份证号中的出生日期 {born.isoformat()} 不可能"
    if number.startswith(SYNTHETIC_REGION_PREFIX):
        if not synthetic_ok:
            return number, ("地区码以 99 开头，只用于演示和测试数据；真实记录中不应出现"
                            "（演示数据请在 site.yaml 中设置 synthetic_ids: true）")
        return number, None
    try:
        ric.get_birth_place(number)
    except ValidationError:
        return number, f"身份证号的地区码 {number[:6]} 在出生年份 {born.year} 不存在"
    return number, None


def normalise_phone(text: str) -> str:
    return re.sub(r"[\s()（）]", "", text).replace("－", "-").replace("—", "-")


def check_mobile(text: str) -> tuple[str, str | None]:
    number = normalise_phone(text).replace("-", "")
    if number.startswith("+86"):
        number = number[3:]
    if _MOBILE.match(number):
        return number, None
    return number, "不是有效的大陆手机号：应为 11 位数字，以 13–19 开头"


def check_landline(text: str) -> tuple[str, str | None]:
    number = normalise_phone(text)
    if _LANDLINE.match(number):
        return number, None
    return number, "不是有效的固定电话：应写成 区号-号码，例如 0564-3312345"


def check_phone(text: str) -> tuple[str, str | None]:
    """Either a mobile or a landline."""
    mobile, problem = check_mobile(text)
    if problem is None:
        return mobile, None
    landline, problem = check_landline(text)
    if problem is None:
        return landline, None
    return normalise_phone(text), "不是有效的电话号码：手机号为 11 位（如 13912345678），固定电话写成 区号-号码（如 0564-3312345）"


# --- finding numbers inside free text (ids, and the published-tree scan of `careledger/proof.py`) ------------

_SEP = r"[ \t\u00a0\u3000\-\u2010-\u2015]"  # what people put between digit groups: spaces, hyphens, dashes
# An 18-digit number, contiguous or in the groupings people write (6-8-4, 6-4-4-4, 4-4-4-4-2), not inside a longer
# run of digits. Lower-case x is allowed: it is how the check digit X is often typed.
ID_NUMBER_IN_TEXT = re.compile(
    rf"(?<!\d)(?:\d{{17}}|\d{{6}}{_SEP}?\d{{8}}{_SEP}?\d{{3}}|\d{{6}}{_SEP}?\d{{4}}{_SEP}?\d{{4}}{_SEP}?\d{{3}}"
    rf"|\d{{4}}{_SEP}?\d{{4}}{_SEP}?\d{{4}}{_SEP}?\d{{4}}{_SEP}?\d)[\dXx](?![\dXx])")
# A mainland mobile number, contiguous or 3-4-4, optionally after +86 / 86, not inside a longer run of digits.
MOBILE_IN_TEXT = re.compile(rf"(?<!\d)(?:\+?86{_SEP}?)?(1[3-9]\d(?:\d{{8}}|{_SEP}\d{{4}}{_SEP}\d{{4}}))(?!\d)")


def valid_id_numbers_in(text: str, *, today: dt.date) -> list[str]:
    """Every valid resident ID number written in `text` (normalised): right check digit and a real birth date
    between 1880 and `today`. Any region code counts, the synthetic 99 included."""
    found = []
    for m in ID_NUMBER_IN_TEXT.finditer(text):
        number = normalise_id_number(re.sub(_SEP, "", m.group(0)))
        if number[0] == "0" or number[17] != check_digit(number[:17]):
            continue
        born = birth_date_of(number)
        if born is not None and 1880 <= born.year and born <= today:
            found.append(number)
    return found


def mobiles_in(text: str) -> list[str]:
    """Every mainland mobile number written in `text`, as 11 digits."""
    return [re.sub(_SEP, "", m.group(1)) for m in MOBILE_IN_TEXT.finditer(text)]
