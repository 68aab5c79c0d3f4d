"""How long a household's judgement holds as the as-of date moves forward (issue 16: "the day changes little").

A household-local rule part reads the as-of date only through `Facts.as_of`. `watched(day)` gives a stand-in for
that date (`Day`, a `datetime.date` of the same value) that notes, on every use, the first later day on which that
use could come out differently (`Watch.until`):

- a comparison with a fixed date (`day <= deadline`, `visit.date > day`, `min`, `max`, `sorted`) holds until the
  as-of date crosses that date: a visit dated in the future counts from its day, an agreement ends the day after
  its end, a threshold day (`last + threshold + 1`) is a comparison like any other;
- a date a fixed number of days away (`day + timedelta(days=6)`, the due list's horizon) is a `Day` too, whose
  comparisons are moved back by that number of days;
- `.year`, `.month` and `replace(day=...)` hold until the next year or month begins (a month's end, a period);
- everything else holds for the judged day only (the next change is the next day): a day count (`day - last`,
  a message saying "45 天"), the date written into a message or a finding (`str`, `format`, `isoformat`), the date
  kept as a value in a result (pickled: `judged` pickles every result once), a hash, a weekday.

So `until` is never later than the first day a result changes: each use that could read differently on a later
day names the first such day, and a use it cannot reason about names the next day. Results judged on `day` are
those of every as-of date in [day, until). A rule that wants a later `until` than the next day must compare dates
instead of counting days (e.g. `day > last + threshold` rather than `(day - last).days > threshold`).

`why` records, when `Watch(explain=True)`, the place in the rules' code of each next-day use (for `bench`).
"""

from __future__ import annotations

import datetime as dt
import operator
import pickle
import sys

ONE_DAY = dt.timedelta(days=1)
NEVER = dt.date.max  # `until` of a result the as-of date never changes


class Watch:
    """The judged day and the first later day on which anything read so far may read differently."""

    def __init__(self, day: dt.date, explain: bool = False):
        self.day = day
        self.until = NEVER
        self.explain = explain
        self.why: dict[str, int] = {}
        self.kept = False  # the date itself was pickled from a result

    def at(self, day: dt.date) -> None:
        """The judgement may differ from `day` on (a day after the judged one)."""
        if day < self.until:
            self.until = day

    def next_day(self) -> None:
        self.at(self.day + ONE_DAY)
        if self.explain:
            frame = sys._getframe(2)
            while frame is not None and frame.f_code.co_filename == __file__:
                frame = frame.f_back
            place = f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_lineno}" if frame else "?"
            self.why[place] = self.why.get(place, 0) + 1




def _after(day: dt.date) -> dt.date:
    return NEVER if day >= NEVER else day + ONE_DAY


def _reaching(mine: dt.date, other: dt.date) -> dt.date | None:
    return other if mine < other else None


def _passing(mine: dt.date, other: dt.date) -> dt.date | None:
    return _after(other) if mine <= other else None


def _meeting(mine: dt.date, other: dt.date) -> dt.date | None:
    return other if mine < other else _after(other) if mine == other else None


class Day(dt.date):
    """The as-of date (plus `_shift` days) as the rules see it: a date that tells its `Watch` what it was asked."""

    __slots__ = ("_watch", "_shift", "_value")

    def __new__(cls, watch: Watch, shift: int = 0):
        value = watch.day + dt.timedelta(days=shift)
        self = super().__new__(cls, value.year, value.month, value.day)
        self._watch, self._shift, self._value = watch, shift, value
        return self

    def _plain(self) -> dt.date:
        return self._value

    def _flips(self, when: dt.date) -> None:
        """This value reads differently from `when` on: the as-of date then is `when` minus the shift."""
        if when >= NEVER:
            return
        if self._shift:
            try:
                when = when - dt.timedelta(days=self._shift)
            except OverflowError:
                return
        if when < self._watch.until:
            self._watch.until = when

    def _compare(self, other, op, turns):
        """`op(self, other)`; `turns(mine, other)`: the first value of this date at which the answer differs from
        the answer now (None: never, as the date only grows)."""
        if type(other) is not dt.date:  # a plain date is the common case
            if not isinstance(other, Day):
                if isinstance(other, dt.date):  # a datetime: not reasoned about
                    self._watch.next_day()
                return NotImplemented
            if other._watch is self._watch:
                return op(self._shift, other._shift)  # both move with the as-of date: their order never changes
            self._watch.next_day()  # another watch's day: not reasoned about
            other = other._plain()
        mine = self._value
        when = turns(mine, other)  # the value grows with the as-of date: a comparison changes at most twice
        if when is not None:
            self._flips(when)
        return op(mine, other)

    # value < x and value >= x change when the value reaches x; value <= x and value > x the day after x;
    # value == x and value != x when it reaches x, and again the day after.
    def __lt__(self, other):
        return self._compare(other, operator.lt, _reaching)

    def __le__(self, other):
        return self._compare(other, operator.le, _passing)

    def __gt__(self, other):
        return self._compare(other, operator.gt, _passing)

    def __ge__(self, other):
        return self._compare(other, operator.ge, _reaching)

    def __eq__(self, other):
        return self._compare(other, operator.eq, _meeting)

    def __ne__(self, other):
        return self._compare(other, operator.ne, _meeting)

    def __hash__(self):
        self._watch.next_day()
        return hash(self._plain())

    def __add__(self, other):
        if isinstance(other, dt.timedelta):
            return Day(self._watch, self._shift + other.days)
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other):
        if isinstance(other, dt.timedelta):
            return Day(self._watch, self._shift - other.days)
        if isinstance(other, Day) and other._watch is self._watch:
            return dt.timedelta(days=self._shift - other._shift)
        if isinstance(other, dt.date):
            self._watch.next_day()  # a count of days changes every day
            return self._plain() - (other._plain() if isinstance(other, Day) else other)
        return NotImplemented

    def __rsub__(self, other):
        if isinstance(other, dt.date) and not isinstance(other, dt.datetime):
            self._watch.next_day()
            return other - self._plain()
        return NotImplemented

    @property
    def year(self):
        mine = self._plain()
        self._flips(dt.date(mine.year + 1, 1, 1) if mine.year < dt.MAXYEAR else NEVER)
        return mine.year

    @property
    def month(self):
        mine = self._plain()
        self._flips(_next_month(mine))
        return mine.month

    @property
    def day(self):
        self._watch.next_day()
        return self._plain().day

    def replace(self, year=None, month=None, day=None):
        mine = self._plain()
        if year is None and month is None and day is not None:
            self._flips(_next_month(mine))  # the day of this month: the same until the month ends
        else:
            self._watch.next_day()
        return mine.replace(year=year or mine.year, month=month or mine.month, day=day or mine.day)

    def __reduce_ex__(self, protocol):
        self._watch.next_day()  # the date itself kept in a result
        self._watch.kept = True
        return dt.date, (self._plain().year, self._plain().month, self._plain().day)

    def __reduce__(self):
        return self.__reduce_ex__(2)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def _next_month(day: dt.date) -> dt.date:
    if day.year == dt.MAXYEAR and day.month == 12:
        return NEVER
    return dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)


def _day_only(name: str):
    """A method of `date` whose result may differ on any other day: the next day is a change."""
    method = getattr(dt.date, name)

    def wrapped(self, *args, **kwargs):
        self._watch.next_day()
        return method(self._plain(), *args, **kwargs)

    wrapped.__name__ = name
    return wrapped


for _name in ("__str__", "__repr__", "__format__", "isoformat", "strftime", "ctime", "timetuple", "toordinal",
              "weekday", "isoweekday", "isocalendar", "__bool__"):
    if hasattr(dt.date, _name):
        setattr(Day, _name, _day_only(_name))


def watched(day: dt.date, explain: bool = False) -> tuple[Watch, Day]:
    """(the watch, the as-of date to judge with)."""
    watch = Watch(day, explain)
    return watch, Day(watch)


def judged(watch: Watch, result) -> tuple[object, dt.date]:
    """(the result with plain dates, the first day it may differ) of a result judged with the watch's day: pickling
    it once notes the day itself kept in it (the as-of date in a result is a value of that day only), and a result
    that keeps it is the copy pickle gives back."""
    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    return (pickle.loads(data) if watch.kept else result), watch.until
