"""What keeps a county's build within its memory (issue 16; bench/memory.py measures it): the record types, their
sources and the history's events are slotted and pickled as their values (careledger/slotted.py): no dict an
instance, and a pickle round trip gives an equal, frozen record without `dataclasses`' Python `__setstate__`; freed
memory is given back to the kernel (oscalls.give_back_memory). The equivalence of cached and parsed records is
tests/test_incremental.py's, of the kept history walk tests/test_history_resume.py's."""

import dataclasses
import pickle
import sys

import pytest

from careledger import cachestore, oscalls, records, slotted
from careledger.audit import history
from careledger.findings import Source
from careledger.load import load

from .conftest import AS_OF, FIXTURES

RECORD_TYPES = [cls for cls in vars(records).values()
                if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == records.__name__]
SLOTTED = [*RECORD_TYPES, Source, history.Commit, history.VisitEvent, history.HouseholdEvent]


@pytest.mark.parametrize("cls", SLOTTED, ids=lambda cls: cls.__name__)
def test_a_type_held_by_the_million_is_slotted_and_pickled_by_its_values(cls):
    assert "__slots__" in vars(cls) and "__dict__" not in dir(cls)
    assert cls.__reduce__.__qualname__.startswith(slotted.compact.__qualname__)


def test_loaded_records_round_trip_through_pickle_as_values():
    loaded, _ = load(FIXTURES / "basic", today=AS_OF, cache=False)
    every = [*loaded.staff, *loaded.households, *loaded.visits, *loaded.custody]
    assert loaded.visits and loaded.site.__slots__ and all(not hasattr(record, "__dict__") for record in every)
    reduced = loaded.visits[0].__reduce__()
    assert reduced[0] is records.Visit._from_fields and len(reduced[1]) == len(dataclasses.fields(records.Visit))
    again = pickle.loads(pickle.dumps(every, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == every and [hash(v) for v in again if type(v) is records.Visit] == list(map(hash, loaded.visits))
    with pytest.raises(dataclasses.FrozenInstanceError):
        again[-1].source = None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_memory_is_given_back_on_linux():
    assert oscalls.give_back_memory()


def test_a_sealed_file_written_as_it_is_pickled_holds_the_sealed_bytes(tmp_path):
    """`write_sealed` pickles into the file and writes the digest after (a county's history walk is never held as
    bytes too): the file is `seal`'s bytes, and a reader takes the value back."""
    value = {"rows": [(i, f"visit {i}") for i in range(50_000)], "part": b"x" * 300_000}
    target = tmp_path / "walk.pickle"
    cachestore.write_sealed(target, value)
    assert target.read_bytes() == cachestore.seal(value) and cachestore.unseal(target.read_bytes()) == value
