"""Frozen dataclasses held by the million (a county's visits, their sources, the history's events): slotted, and
pickled as their field values.

A slotted instance is the object and its fields, without a dict: a visit with its checklist and their sources
takes about half the memory. Pickle would rebuild a frozen slotted dataclass through `dataclasses`' Python
`__setstate__`, which looks the fields up again for every object (twice the time of reading the parse cache); and
an instance with a dict, unpickled, gets a dict of its own where one built by `__init__` shares its class's keys.
`compact` makes pickle keep an instance as (class, field names, values), the names shared by every instance in a
pickle, and `_made` sets the values in one pass in C.
"""

from __future__ import annotations

import dataclasses
from itertools import repeat
from operator import attrgetter

_set = object.__setattr__  # past a frozen dataclass's __setattr__, as its own __init__ does


def compact(cls):
    """Give a dataclass (slotted or not) the compact pickling above. Its fields are all set by `__init__`."""
    names = tuple(field.name for field in dataclasses.fields(cls))
    values = attrgetter(*names) if len(names) > 1 else (lambda record: (getattr(record, names[0]),))

    def __reduce__(self):
        return _made, (type(self), names, values(self))

    cls.__reduce__ = __reduce__
    return cls


def _made(cls, names: tuple, values: tuple):
    """An instance of `cls` with those field values, made without `__init__` (its checks ran when it was first
    made)."""
    made = object.__new__(cls)
    for _ in map(_set, repeat(made), names, values):
        pass
    return made
