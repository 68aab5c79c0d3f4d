"""Resident ID numbers (GB 11643-1999) and mainland phone numbers.

Each check returns the normalised value and a Chinese message saying what is wrong (None when all is well). The
region code of an ID number is not one of those checks: `region_warning` says when it looks doubtful, a warning.
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum import numdb

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
    if number.startswith(SYNTHETIC_REGION_PREFIX) and not synthetic_ok:
        return number, ("地区码以 99 开头，只用于演示和测试数据；真实记录中不应出现"
                        "（演示数据请在 site.yaml 中设置 synthetic_ids: true）")
    return number, None


FIRST_ISSUE_YEAR = 1984  # resident ID numbers were first issued in 1984 (15 digits; 18 under GB 11643-1999)


def region_warning(number: str) -> str | None:
    """A note on the region code of a checked 18-digit number, None when python-stdnum's table knows it.

    A number carries the code of the place of registration when it was issued, from 1984 on, and keeps it when the
    district is later re-coded: so the code must have been in use at some time from the later of the birth year and
    1984 on, not in the birth year itself (most people born before a district's creation carry its code). A code
    the table does not know, or knows only as retired before then, is a warning: new districts appear every year
    and the table lags behind; the office checks it against the person's household register (户口簿)."""
    if number.startswith(SYNTHETIC_REGION_PREFIX):
        return None
    code = number[:6]
    info = {k: v for _, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    if "county" not in info:
        return f"地区码 {code} 不在 python-stdnum 的行政区划表中（可能是新设的区县），请对照户口簿核对"
    earliest = max(int(number[6:10]), FIRST_ISSUE_YEAR)
    ended = []
    for county in info["county"].split(","):
        if not county.startswith("["):
            return None
        span, _name = county[1:].split("]", 1)
        _start, end = span.split("-")
        if not end or int(end) >= earliest:
            return None
        ended.append(int(end))
    return (f"地区码 {code} 在 {max(ended)} 年已撤销，早于该号码最早可能的发放年份 {earliest}"
            f"（出生年份与 {FIRST_ISSUE_YEAR} 年取较晚者），请对照户口簿核对")


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
    return [number for number, born in id_numbers_in(text) if born <= today]


def id_numbers_in(text: str) -> list[tuple[str, dt.date]]:
    """(number, birth date) of every ID number written in `text` that is valid on its birth date and later: right
    check digit, a real birth date from 1880 on (`valid_id_numbers_in` takes those born by a given day)."""
    found = []
    for m in ID_NUMBER_IN_TEXT.finditer(text):
        number = normalise_id_number(re.sub(_SEP, "", m.group(0)))
        if number[0] == "0" or number[17] != check_digit(number[:17]):
            continue
        born = birth_date_of(number)
        if born is not None and 1880 <= born.year:
            found.append((number, born))
    return found


def mobiles_in(text: str) -> list[str]:
    """Every mainland mobile number written in `text`, as 11 digits."""
    return [re.sub(_SEP, "", m.group(1)) for m in MOBILE_IN_TEXT.finditer(text)]
