"""What keeps a county's build within its memory (issue 16; bench/memory.py measures it): the record types, their
sources and the history's events are slotted and pickled as their values (careledger/slotted.py): no dict an
instance, and a pickle round trip gives an equal, frozen record without `dataclasses`' Python `__setstate__`; freed
memory is given back to the kernel (oscalls.give_back_memory). The equivalence of cached and parsed records is
tests/test_incremental.py's, of the kept history walk tests/test_history_resume.py's."""

import dataclasses
import pickle
import sys

import pytest

from careledger import cachestore, oscalls, records, refs, slotted
from careledger.audit import history
from careledger.findings import Source
from careledger.load import load

from .conftest import AS_OF, FIXTURES

RECORD_TYPES = [cls for cls in vars(records).values()
                if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == records.__name__]
SLOTTED = [*RECORD_TYPES, Source, history.Commit, history.VisitEvent, history.HouseholdEvent, refs.VisitRefs,
           refs.PersonalValues]


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


def test_ids_and_codes_are_one_object_in_records_from_different_pickles():
    """A county's records come from many pickles (the parse's batches, the cache's folders), and each would make its
    own copy of every household's id and every list of activities; free text stays the record's own."""
    loaded, _ = load(FIXTURES / "basic", today=AS_OF, cache=False)
    visit = dataclasses.replace(loaded.visits[0], activities=("policy_advice", "safety_fix"), note="送去冬衣")
    first, second = (pickle.loads(pickle.dumps(visit, protocol=pickle.HIGHEST_PROTOCOL)) for _ in range(2))
    assert first == second == visit
    for name in ("household", "visitor", "duty", "activities"):
        assert getattr(first, name) is getattr(second, name), name
    assert first.note == second.note and first.note is not second.note


def test_a_visit_files_summary_holds_sorted_tuples():
    """A county holds a summary a visit file (refs.py): tuples, not frozensets (a small one takes four times the
    memory); their union, for the checks across visits, holds sets again."""
    loaded, _ = load(FIXTURES / "basic", today=AS_OF, cache=False)
    visits = loaded.visits
    changed = dataclasses.replace(visits[0], subjects=("m2", "m1"), companions=("zz", "aa"))
    summary = refs.of_visits([*visits[1:], changed])
    for values in (summary.staff, summary.households, summary.subjects):
        assert values and type(values) is tuple and list(values) == sorted(set(values))
    both = refs.union([summary, None, summary])
    assert (both.staff, both.households, both.subjects) == tuple(
        frozenset(v) for v in (summary.staff, summary.households, summary.subjects))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_memory_is_given_back_on_linux():
    assert oscalls.give_back_memory()


_AFTER_A_LARGE_BLOCK_FREED = """
import sys
from careledger import oscalls
if sys.argv[1] == "fixed":
    oscalls.map_large_blocks()
def mappings():  # the process's own mappings, not the heap (which grows in place)
    with open("/proc/self/maps") as maps:
        return {line.split()[0] for line in maps if not line.rstrip().endswith("[heap]")}
freed = bytes(24 << 20)
del freed  # glibc's default: the threshold rises to 24 MiB once a block of it is freed
before = mappings()
block = bytearray(8 << 20)
print(any(int(end, 16) - int(start, 16) >= 8 << 20 for start, end in (m.split("-") for m in mappings() - before)))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
@pytest.mark.parametrize("threshold", ["default", "fixed"])
def test_a_large_block_is_mapped_on_its_own_after_a_larger_one_was_freed(threshold):
    """Where glibc's threshold follows the largest block freed, an 8 MiB block comes from the heap, whose holes keep
    the resident set high; `map_large_blocks` keeps such blocks mapped on their own (a fresh process: the
    threshold is per process)."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", _AFTER_A_LARGE_BLOCK_FREED, threshold], capture_output=True,
                         text=True, check=True, cwd=FIXTURES.parent.parent).stdout.strip()
    assert out == ("True" if threshold == "fixed" else "False")


def test_a_sealed_file_written_as_it_is_pickled_holds_the_sealed_bytes(tmp_path):
    """`write_sealed` pickles into the file and writes the digest after (a county's history walk is never held as
    bytes too): the file is `seal`'s bytes, and a reader takes the value back."""
    value = {"rows": [(i, f"visit {i}") for i in range(50_000)], "part": b"x" * 300_000}
    target = tmp_path / "walk.pickle"
    cachestore.write_sealed(target, value)
    assert target.read_bytes() == cachestore.seal(value) and cachestore.unseal(target.read_bytes()) == value
