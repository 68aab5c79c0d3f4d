"""Calendar periods shared by the review, pay and spot-check rules: months, quarters, half years, years.

A period of n months is aligned on the calendar: the months since year 0 are cut into blocks of n, so 3 gives the
quarters Q1 Jan–Mar … Q4 Oct–Dec, 6 the half years and 12 the year. Each period has a key that names it in findings
and reports: `2026-11` (a month), `2026-Q4`, `2026-H2`, `2026`, and `2026-01/2026-05` for other lengths.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)

# policy.PERIOD codes in months
PERIOD_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}

_KEY = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|H([12])|(\d{2})(?:/(\d{4})-(\d{2}))?))?$")


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date  # first day
    end: dt.date  # last day (inclusive)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def months(self) -> list[dt.date]:
        """The first day of each month of the period."""
        out, day = [], self.start
        while day <= self.end:
            out.append(day)
            day = add_months(day, 1)
        return out

    def days(self):
        day = self.start
        while day <= self.end:
            yield day
            day += ONE_DAY

    @property
    def label(self) -> str:
        """The period in Chinese, as a clerk writes it: 2026年第4季度, 2026年下半年, 2026年11月."""
        if re.fullmatch(r"\d{4}-Q\d", self.key):
            return f"{self.start.year}年第{self.key[-1]}季度"
        if re.fullmatch(r"\d{4}-H\d", self.key):
            return f"{self.start.year}年{'上' if self.key[-1] == '1' else '下'}半年"
        if re.fullmatch(r"\d{4}-\d{2}", self.key):
            return f"{self.start.year}年{self.start.month}月"
        if re.fullmatch(r"\d{4}", self.key):
            return f"{self.start.year}年"
        return f"{self.start.year}年{self.start.month}月至{self.end.year}年{self.end.month}月"


def add_months(day: dt.date, n: int) -> dt.date:
    """The same day n months later, clamped to the month's end (31 Jan + 1 month = 28 or 29 Feb)."""
    index = day.year * 12 + day.month - 1 + n
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_of(day: dt.date, months: int) -> Period:
    """The calendar-aligned period of `months` months that contains `day`."""
    index = (day.year * 12 + day.month - 1) // months * months
    start = dt.date(index // 12, index % 12 + 1, 1)
    end = month_end(add_months(start, months - 1))
    return Period(_key(start, end, months), start, end)


def _key(start: dt.date, end: dt.date, months: int) -> str:
    if months == 1:
        return f"{start:%Y-%m}"
    if months == 3:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if months == 6:
        return f"{start.year}-H{(start.month - 1) // 6 + 1}"
    if months == 12:
        return f"{start.year}"
    return f"{start:%Y-%m}/{end:%Y-%m}"


def parse_key(key: str) -> Period:
    """The period a key names; ValueError for anything else."""
    m = _KEY.match(key.strip())
    if not m:
        raise ValueError(f"“{key}”不是期间：应写成 2026-11（月）、2026-Q4（季度）、2026-H2（半年）或 2026（年）")
    year, quarter, half, month, end_year, end_month = m.groups()
    year = int(year)
    if quarter:
        return period_of(dt.date(year, 3 * int(quarter) - 2, 1), 3)
    if half:
        return period_of(dt.date(year, 6 * int(half) - 5, 1), 6)
    if not month:
        return period_of(dt.date(year, 1, 1), 12)
    if not 1 <= int(month) <= 12 or (end_month and not 1 <= int(end_month) <= 12):
        raise ValueError(f"“{key}”中的月份不对")
    start = dt.date(year, int(month), 1)
    if not end_year:
        return period_of(start, 1)
    end = month_end(dt.date(int(end_year), int(end_month), 1))
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months < 1 or period_of(start, months).start != start:
        raise ValueError(f"“{key}”不是一个按日历对齐的期间")
    return period_of(start, months)


def periods_between(first: dt.date, last: dt.date, months: int) -> list[Period]:
    """Every period of `months` months that overlaps [first, last], in order."""
    out = []
    period = period_of(first, months)
    while period.start <= last:
        out.append(period)
        period = period_of(period.end + ONE_DAY, months)
    return out
