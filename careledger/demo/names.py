"""Invented people: names, resident ID numbers in the synthetic region 99, and fictional phone numbers.

Names are drawn from surname and given-name character lists; the lists include compound surnames (欧阳, 司马, ...),
characters outside GB 2312 (堃, 玥, 喆, 赟, ...) and invented minority names written with the middle dot, because a
records system must handle all of them. ID numbers follow GB 11643 (birth date, odd sequence for men, check digit)
with a region code starting with 99, which no real county has. Everything comes from one `random.Random`.
"""

from __future__ import annotations

import datetime as dt
import random

from ..identifiers import check_digit
from ..reading import read

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "慕容", "皇甫", "尉迟", "令狐", "夏侯", "公孙", "司徒")
MALE_CHARS = "建国明华军伟强平志文海林波勇杰磊涛斌超峰刚辉鹏浩宇俊晨博天云德福贵发成长生永春山水金兴旭安宏庆"
FEMALE_CHARS = "秀英兰芳娟丽敏静燕红霞玲梅萍艳琴桂珍凤慧婷雪莉娜倩妍月春花玉翠菊荣彩琳悦欣怡"
# Characters outside GB 2312 (GBK / GB 18030 only): a name field must take them.
RARE_MALE = "堃喆赟昇翀淏犇璟鋆韡"
RARE_FEMALE = "玥珺祎晞琇芃彧"
# Invented names in the style of Uyghur names, given name and father's name joined by the middle dot.
DOT_FIRST_MALE = ("艾力", "买买提", "阿不都", "吐尔逊", "艾合买提", "热合曼", "依明", "库尔班")
DOT_FIRST_FEMALE = ("阿依古丽", "古丽娜尔", "热依拉", "迪丽努尔", "帕提古丽", "阿米娜", "努尔古丽", "再努尔")
DOT_SECOND = ("买买提", "吐尔洪", "艾山", "司马义", "阿布拉", "玉素甫", "克里木", "托合提", "尼亚孜", "沙吾提")

# Fictional mobile prefixes (the numbers are random; none is meant to reach anyone).
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
                   "157", "158", "159", "166", "171", "173", "175", "176", "177", "178", "180", "181", "182", "183",
                   "185", "186", "187", "188", "189", "191", "193", "195", "198", "199")


class People:
    """Makes names, ID numbers and phones, each ID number and phone unique within one demo."""

    def __init__(self, rng: random.Random, end: dt.date):
        self.rng = rng
        self.end = end
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.count = 0
        # A cadre's name is published; a member's or supporter's is not, nor, by default, a contact's. The same name
        # on both sides would stop the build (the proof cannot tell the two people apart), so the demo never gives
        # one name to two such people, as real records sometimes do (docs/privacy.md says what an office does then).
        self.public_names: set[str] = set()
        self.private_names: set[str] = set()
        # The proof exempts no name by substring (docs/privacy.md): a member called 石林 would leak in a village
        # called 石林村, a member 王秀 in a cadre's name 王秀兰. So no private name is part of a published text, and
        # no cadre's name holds a private name, as a reader reads them (careledger/reading.py).
        self.published_parts: set[str] = set()
        self.private_read: set[str] = set()
        self.staff_read: set[str] = set()

    def publish(self, text: str) -> None:
        """Note a text the site shows (a village's name, a post, a cadre's name): no member will be named inside it."""
        text = read(text)
        self.published_parts.update(text[i:j] for i in range(len(text)) for j in range(i + 2, len(text) + 1))

    def _clashes(self, name: str, *, member: bool) -> bool:
        mine, theirs = (self.private_names, self.public_names) if member else (self.public_names, self.private_names)
        if name in theirs or (not member and name in mine):
            return True
        folded = read(name)
        if folded in self.published_parts:  # inside a published text (or, for staff, inside another's name)
            return True
        # A staff name holding a member's name, or another staff member's: whether a caregiver or contact is named
        # is the settings' choice, so no staff name is part of another's.
        return not member and any(folded[i:j] in self.private_read or folded[i:j] in self.staff_read
                                  for i in range(len(folded)) for j in range(i + 2, len(folded) + 1))

    # --- names ----------------------------------------------------------------------------------------------

    def surname(self) -> str:
        r = self.rng.random()
        if r < 0.06:
            return self.rng.choice(COMPOUND_SURNAMES)
        return self.rng.choice(SURNAMES)

    def given(self, sex: str) -> str:
        rng = self.rng
        chars = MALE_CHARS if sex == "male" else FEMALE_CHARS
        rare = RARE_MALE if sex == "male" else RARE_FEMALE
        first = rng.choice(rare) if rng.random() < 0.05 else rng.choice(chars)
        if rng.random() < 0.25:
            return first  # a single-character given name
        second = rng.choice(rare) if rng.random() < 0.05 else rng.choice(chars)
        return first + second if rng.random() < 0.5 else second + first

    def dot_name(self, sex: str) -> str:
        first = self.rng.choice(DOT_FIRST_MALE if sex == "male" else DOT_FIRST_FEMALE)
        return f"{first}·{self.rng.choice(DOT_SECOND)}"

    def name(self, sex: str, surname: str | None = None, *, member: bool = False) -> str:
        """A full name: a member's or supporter's (`member`), never one a cadre has, or a cadre's, never one a
        member has. The first three names of household members are a compound surname, a rare character and a
        dotted name, so even the smallest demo shows all three."""
        mine = self.private_names if member else self.public_names
        name = self._name(sex, surname, member=member)
        for _ in range(100):  # cadres' names are unique too: one published and one not would stop the build
            if not self._clashes(name, member=member):
                break
            name = (surname or self.surname()) + self.given(sex)
        mine.add(name)
        if member:
            self.private_read.add(read(name))
        else:
            self.publish(name)
            self.staff_read.add(read(name))
        return name

    def _name(self, sex: str, surname: str | None, *, member: bool) -> str:
        if member:
            self.count += 1
        if self.count == 1 and member:
            return self.rng.choice(COMPOUND_SURNAMES) + self.given(sex)
        if self.count == 2 and member:
            return (surname or self.surname()) + (RARE_MALE[0] if sex == "male" else RARE_FEMALE[0])
        if (self.count == 3 and member) or (surname is None and self.rng.random() < 0.012):
            return self.dot_name(sex)
        return (surname or self.surname()) + self.given(sex)

    @staticmethod
    def family_name(name: str) -> str | None:
        """The surname of a Han name (to give children and spouses a fitting name); None for dotted names."""
        if "·" in name:
            return None
        if name[:2] in COMPOUND_SURNAMES:
            return name[:2]
        return name[0]

    # --- dates, ID numbers, phones --------------------------------------------------------------------------

    def birth_date(self, age_low: int, age_high: int) -> dt.date:
        """A birth date such that the person is between age_low and age_high on the demo's end date."""
        age = self.rng.randint(age_low, age_high)
        latest = _years_before(self.end, age)
        return latest - dt.timedelta(days=self.rng.randint(0, 364))

    def id_number(self, region: str, born: dt.date, sex: str) -> str:
        """GB 11643: region (6) + birth date (8) + sequence (3; odd for men) + check digit."""
        base = f"{region}{born:%Y%m%d}"
        seq = self.rng.randrange(0, 500) * 2 + (1 if sex == "male" else 0)
        while True:
            first17 = f"{base}{seq:03d}"
            number = first17 + check_digit(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number
            seq = (seq + 2) % 1000

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def region_code(index: int) -> str:
    """The synthetic region code of the index-th village: 99 + two two-digit parts, 990101 and up."""
    return f"99{index // 99 % 99 + 1:02d}{index % 99 + 1:02d}"
