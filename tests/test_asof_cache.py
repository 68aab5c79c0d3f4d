"""Issue 16, "the day changes little": the parse cache holds for every as-of date, so the first build of a new day
parses no file again, and gives exactly the findings of reading every file on that day (the old reading)."""

import datetime as dt
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from careledger import bulkread, cachestore, listing, refs
from careledger.identifiers import check_digit
from careledger.load import load

AS_OF = dt.date(2026, 11, 23)
BORN = dt.date(2026, 11, 25)  # a member "born" two days after AS_OF: an ID number in the future until then
EMBEDDED = dt.date(2026, 12, 1)  # an id that holds an ID number born then: personal from that day on


def id_number(born: dt.date, serial: str = "001") -> str:
    first17 = f"990101{born:%Y%m%d}{serial}"  # synthetic region 99
    return first17 + check_digit(first17)


def digit_checked(born: dt.date) -> str:
    """A synthetic number born then whose check digit is a digit (an id is lower case)."""
    return next(n for serial in range(100, 200) if (n := id_number(born, str(serial)))[-1].isdigit())


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def dated(basic) -> Path:
    """The basic jurisdiction with one ID number born after AS_OF and one member id holding an ID number."""
    path = basic / "households" / "xiwan" / "xw-001.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    birth_date: 2015-06-01\n    id_number: '990101201506010049'\n",
                        f"    id_number: '{id_number(BORN, '004')}'\n")
    text = text.replace("  - id: m2\n", f"  - id: m-{digit_checked(EMBEDDED)}\n")
    path.write_text(text, encoding="utf-8")
    return basic


class Parses:
    """Counts the files actually parsed (every parse goes through bulkread._read_bytes)."""

    def __init__(self, monkeypatch):
        self.files: list[str] = []
        real = bulkread._read_bytes

        def counting(raw, root, job, settings):
            self.files.append(job.rel)
            return real(raw, root, job, settings)
        monkeypatch.setattr(bulkread, "_read_bytes", counting)


def read_on_the_day(monkeypatch, content: Path, day: dt.date):
    """The reading before issue 16: every file parsed with the as-of date, no cache."""
    with monkeypatch.context() as m:
        m.setattr(bulkread, "read_all", lambda root, jobs, s, cache=True, workers=None, known=None, glance=None:
                  [(records, findings, "", refs.of_file(records))
                   for records, findings in (bulkread.read_file(Path(root), job, s) for job in jobs)])
        import careledger.load as loading
        m.setattr(loading, "read_all", bulkread.read_all)
        return load(content, today=day, cache=False)


def with_sources(records) -> list:
    return [(r, r.source) for r in (*records.households, *records.visits, *records.inspections, *records.staff)]


def test_a_new_day_parses_no_file_again(basic, cache, monkeypatch):
    first, first_findings = load(basic, today=AS_OF)  # cold: fills the cache
    parses = Parses(monkeypatch)
    next_day = AS_OF + dt.timedelta(days=1)
    warm, warm_findings = load(basic, today=next_day)
    assert parses.files == []  # before issue 16 the cache was keyed by the date: every file was parsed again
    cold, cold_findings = load(basic, today=next_day, cache=False)
    assert parses.files  # (the hook does see parses)
    assert warm_findings == cold_findings == read_on_the_day(monkeypatch, basic, next_day)[1]
    assert with_sources(warm) == with_sources(cold)


def test_a_number_born_after_the_as_of_date_is_still_an_error_on_a_warm_cache(dated, cache, monkeypatch):
    load(dated, today=BORN)  # the cache is filled on a day the number is no longer in the future
    parses = Parses(monkeypatch)
    _, findings = load(dated, today=AS_OF)
    assert parses.files == ["households/xiwan/xw-001.yaml"]  # only the file with the later date is read on the day
    future = [f for f in findings if f.code == "E-ID-NUMBER"]
    assert len(future) == 1 and "在未来" in future[0].message and future[0].source.file.endswith("xw-001.yaml")
    _, on_the_day = load(dated, today=BORN)
    assert not any(f.code == "E-ID-NUMBER" for f in on_the_day)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.lists(st.integers(-4, 12), min_size=2, max_size=3), kept=st.booleans())
def test_a_warm_build_on_any_day_finds_what_reading_on_that_day_finds(dated, tmp_path, monkeypatch, days, kept):
    """Property: whatever days filled the cache, a load on another day (around the birth dates that matter) gives
    the records and findings of a cold load on that day, and of the old reading (every file parsed on the day); in
    a process that keeps its caches too, which hands a folder's results over from one day to another
    (bulkread._Runs) and site.yaml with them (load._read_site)."""
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / f"cache-{days}-{kept}"))
    monkeypatch.setattr(cachestore, "_kept", {} if kept else None)
    monkeypatch.setattr(listing, "now_ns", lambda: time.time_ns() + 10 * 10**9)  # no file racily clean
    *before, last = [AS_OF + dt.timedelta(days=n) for n in days]
    for day in before:
        load(dated, today=day)
    warm, warm_findings = load(dated, today=last)
    cold, cold_findings = load(dated, today=last, cache=False)
    old, old_findings = read_on_the_day(monkeypatch, dated, last)
    assert warm_findings == cold_findings == old_findings
    assert with_sources(warm) == with_sources(cold) == with_sources(old)
    codes = {f.code for f in old_findings}
    assert ("E-ID-NUMBER" in codes) == (last < BORN)
    assert ("E-ID-PERSONAL" in codes) == (last >= EMBEDDED)


def test_the_first_build_of_a_new_day_parses_nothing_and_finds_what_a_cold_build_finds(basic, tmp_path, monkeypatch):
    from careledger.pipeline import build_all

    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "warm"))
    build_all(basic, tmp_path / "out", as_of=AS_OF, paper=False)
    next_day = AS_OF + dt.timedelta(days=1)
    parses = Parses(monkeypatch)
    warm = build_all(basic, tmp_path / "out", as_of=next_day, paper=False)
    assert parses.files == [] and not warm.skipped
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cold"))
    cold = build_all(basic, tmp_path / "cold-out", as_of=next_day, paper=False)
    assert parses.files  # the cold build did parse
    assert (warm.findings, warm.policy_findings) == (cold.findings, cold.policy_findings)
    assert warm.policy_findings  # (the fixture does have findings to compare)
    for rel in ("site/index.html", "site/villages/dongshan.html", "reports/findings.csv"):
        assert (tmp_path / "out" / rel).read_bytes() == (tmp_path / "cold-out" / rel).read_bytes(), rel
