"""Frozen dataclasses held by the million (a county's visits, their sources, the history's events): slotted, and
pickled as their field values.

A slotted instance is the object and its fields, without a dict: a visit with its checklist and their sources
takes about half the memory. Pickle would rebuild a frozen slotted dataclass through `dataclasses`' Python
`__setstate__`, which looks the fields up again for every object (twice the time of reading the parse cache); and
an instance with a dict, unpickled, gets a dict of its own where one built by `__init__` shares its class's keys.
`compact` makes pickle keep an instance as a call of its class's `_from_fields` with the field values: a function
written for that class, one statement a field, with no loop (400,000 objects unpickle in about 30 % less time than
through a loop over the field names: bench/unpickle.py). Pickle finds it by its qualified name, as an attribute of
the class.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter

_set = object.__setattr__  # past a frozen dataclass's __setattr__, as its own __init__ does


_SHARED: dict = {}  # a `shared` field's values, one object each in the process


def compact(cls, shared: frozenset[str] = frozenset()):
    """Give a dataclass (slotted or not) the compact pickling above. Its fields are all set by `__init__`; a subclass
    needs `compact` of its own (it would pickle as this class).

    The `shared` fields take values from a small set (ids, vocabulary codes, tuples of them): an instance unpickled
    gets the process's one object of an equal value. Pickle shares an object only within one pickle, and a county's
    records come from many (the workers' batches, the cache's folders): 29,000 copies of 2,500 households' ids in a
    county's visits, 27,000 of 16 lists of activities. One dictionary lookup a field when unpickling."""
    names = tuple(field.name for field in dataclasses.fields(cls))
    values = attrgetter(*names) if len(names) > 1 else (lambda record: (getattr(record, names[0]),))
    from_fields = _from_fields(cls, names, shared)

    def __reduce__(self):
        return from_fields, values(self)

    cls._from_fields = staticmethod(from_fields)
    cls.__reduce__ = __reduce__
    return cls


def _from_fields(cls, names: tuple, shared: frozenset[str]):
    """`from_fields(*values)`: an instance of `cls` with those field values, made without `__init__` (its checks ran
    when it was first made)."""
    arguments = [f"value_{index}" for index in range(len(names))]
    source = "\n    ".join([f"def _from_fields({', '.join(arguments)}):", "made = new(cls)",
                           *(f"set_(made, {name!r}, one({argument}, {argument}))" if name in shared
                             else f"set_(made, {name!r}, {argument})" for name, argument in zip(names, arguments)),
                           "return made"])
    namespace = {"new": object.__new__, "cls": cls, "set_": _set, "one": _SHARED.setdefault}
    exec(source, namespace)  # names are a dataclass's field names: identifiers, quoted by repr
    made = namespace["_from_fields"]
    made.__module__, made.__qualname__ = cls.__module__, f"{cls.__qualname__}._from_fields"
    return made
