"""The proof on a rebuild (proofcache.py): only the files whose bytes changed since the last clean proof under the
same secrets are scanned, and the verdict is always that of a full scan (proof.scan)."""

import dataclasses
import datetime as dt
import random

import pytest

from careledger import proof, proofcache
from careledger.identifiers import check_digit
from careledger.load import load
from careledger.proof import scan, secrets_of
from careledger.reading import read

from .publickit import AS_OF, jurisdiction

NAME = "家庭成员的姓名"
NEWCOMER = "司马新来"  # a name no record holds yet


@pytest.fixture(scope="module")
def secrets(tmp_path_factory):
    records, _ = load(jurisdiction(tmp_path_factory.mktemp("proofcache") / "content"), today=AS_OF)
    return secrets_of(records, records.site.privacy, AS_OF)


@pytest.fixture
def scanned(monkeypatch):
    """The paths each call of proof.scan was given."""
    calls = []
    real = proof.scan

    def spy(files, secrets, **kw):
        calls.append(set(files))
        return real(files, secrets, **kw)

    monkeypatch.setattr(proof, "scan", spy)
    return calls


def site(extra: str = "") -> dict[str, bytes]:
    pages = {f"villages/v{i}.html": f"<p>第 {i} 村：走访 {i * 7} 次。</p>".encode() for i in range(20)}
    pages["index.html"] = f"<h1>首页</h1><p>{extra}</p>".encode()
    return pages


def leaked(found) -> set[tuple[str, str]]:
    return {(f.evidence["file"], f.evidence["kind"]) for f in found}


def test_a_rebuild_scans_only_the_changed_files_and_finds_a_leak_in_one(secrets, scanned, tmp_path):
    folder = tmp_path / "proof"
    assert proofcache.scan_changed(site(), secrets, folder=folder) == [] and len(scanned[-1]) == 21
    assert proofcache.scan_changed(site(), secrets, folder=folder) == [] and scanned[-1] == set()
    changed = {**site(), "villages/v3.html": "<p>第 3 村：走访 22 次。</p>".encode()}
    assert proofcache.scan_changed(changed, secrets, folder=folder) == [] and scanned[-1] == {"villages/v3.html"}
    name = next(value for value, kind in secrets.texts.items() if kind == NAME)
    leaky = {**changed, "villages/v5.html": f"<p>走访 {name} 家。</p>".encode()}
    found = proofcache.scan_changed(leaky, secrets, folder=folder)
    assert scanned[-1] == {"villages/v5.html"}
    assert leaked(found) == {("site/villages/v5.html", NAME)} and found == scan(leaky, secrets)
    assert proofcache.scan_changed(leaky, secrets, folder=folder) == found  # a leak is never remembered as clean


def test_a_new_name_in_the_records_rescans_the_unchanged_files(secrets, scanned, tmp_path):
    folder = tmp_path / "proof"
    files = site(f"感谢{NEWCOMER}同志")  # published while the name was nobody's
    assert proofcache.scan_changed(files, secrets, folder=folder) == []
    now = dataclasses.replace(secrets, texts={**secrets.texts, read(NEWCOMER): NAME})  # a new member's name
    found = proofcache.scan_changed(files, now, folder=folder)
    assert "index.html" in scanned[-1] and leaked(found) == {("site/index.html", NAME)} and found == scan(files, now)


@pytest.mark.parametrize("damage", ["flip", "truncate", "other format", "forged"])
def test_a_damaged_cache_means_a_full_scan(secrets, scanned, tmp_path, damage):
    folder = tmp_path / "proof"
    assert proofcache.scan_changed(site(), secrets, folder=folder) == []
    (cached,) = folder.glob("*.pickle")
    name = next(value for value, kind in secrets.texts.items() if kind == NAME)
    leaky = {**site(), "villages/v1.html": f"<p>{name}</p>".encode()}
    data = cached.read_bytes()
    if damage == "forged":  # claims the leaky file clean, without a valid seal
        from careledger import cachestore
        value = cachestore.unseal(data)
        value.update({path: (data_digest, dt.date.max) for path, data_digest in proofcache.file_digests(leaky).items()})
        sealed = cachestore.seal(value)
        data = sealed[:-1] + bytes([sealed[-1] ^ 1])
    cached.write_bytes({"flip": data[:20] + bytes([data[20] ^ 0xFF]) + data[21:], "truncate": data[:len(data) // 2],
                        "other format": b"not a cache", "forged": data}[damage])
    found = proofcache.scan_changed(leaky, secrets, folder=folder)
    assert len(scanned[-1]) == 21 and leaked(found) == {("site/villages/v1.html", NAME)}


def born_on(day: dt.date) -> str:
    """A synthetic ID number (region 99) of someone born on `day`, in no record."""
    first17 = f"990101{day:%Y%m%d}123"
    return first17 + check_digit(first17)


def test_a_new_day_rescans_only_the_files_with_a_number_born_since(secrets, scanned, tmp_path):
    """The as-of date is not in the cache's digest: each file is kept with the last day its proof holds. A number
    that becomes a valid ID number on its birth date is found that day in a file that did not change."""
    folder = tmp_path / "proof"
    birthday = AS_OF + dt.timedelta(days=3)
    files = site(f"编号 {born_on(birthday)}")
    on = lambda day: dataclasses.replace(secrets, as_of=day)  # noqa: E731
    assert proofcache.scan_changed(files, secrets, folder=folder) == [] and len(scanned[-1]) == 21
    for day in (AS_OF + dt.timedelta(days=1), birthday - dt.timedelta(days=1), AS_OF - dt.timedelta(days=30)):
        assert proofcache.scan_changed(files, on(day), folder=folder) == [] and scanned[-1] == set(), day
    found = proofcache.scan_changed(files, on(birthday), folder=folder)
    assert scanned[-1] == {"index.html"} and leaked(found) == {("site/index.html", proof.ANY_ID)}
    assert found == scan(files, on(birthday))
    changed = {**files, "villages/v2.html": "<p>第 2 村：走访 3 次。</p>".encode()}
    assert proofcache.scan_changed(changed, on(AS_OF + dt.timedelta(days=2)), folder=folder) == []
    assert scanned[-1] == {"villages/v2.html"}


@pytest.mark.parametrize("form", ["whole", "grouped", "dotted", "numerals", "full-width", "entities"])
def test_the_scan_names_the_first_day_a_number_born_later_is_found(secrets, form):
    """In the forms the scan reads an ID number in, one born after the as-of date is no finding yet, and its birth
    date is the file's first day of another verdict."""
    birthday = AS_OF + dt.timedelta(days=40)
    number = born_on(birthday)
    written = {"whole": number, "grouped": f"{number[:6]} {number[6:14]} {number[14:]}",
               "dotted": f"{number[:6]}.{number[6:14]}.{number[14:]}",
               "numerals": "".join("〇一二三四五六七八九"[int(c)] if c.isdigit() else c for c in number),
               "full-width": "".join(chr(ord(c) + 0xFEE0) for c in number),
               "entities": "".join(f"&#{ord(c)};" for c in number)}[form]
    files = {"index.html": f"<p>编号：{written}</p>".encode()}
    later: dict = {}
    assert scan(files, secrets, later=later) == [] and later == {"index.html": birthday}
    assert leaked(scan(files, dataclasses.replace(secrets, as_of=birthday))) == {("site/index.html", proof.ANY_ID)}


@pytest.mark.parametrize("seed", range(16, 22))
def test_the_verdict_equals_a_full_scan_over_random_edits_and_days(secrets, tmp_path, seed):
    """Random edits, new names and as-of dates back and forth, among files holding ID numbers born around them."""
    rng = random.Random(seed)
    folder = tmp_path / "proof"
    names = [v for v, kind in secrets.texts.items()][:30]
    values = ["无关的文字", "走访 12 次"] + [born_on(AS_OF + dt.timedelta(days=n)) for n in (2, 5, 9, 14)]
    files, day, found = site(), AS_OF, 0
    for _ in range(80):
        files = dict(files)
        files[rng.choice(sorted(files))] = f"<p>{rng.choice(values)}</p>".encode()
        if rng.random() < 0.05:
            files[rng.choice(sorted(files))] = f"<p>{rng.choice(names)}</p>".encode()
        day += dt.timedelta(days=rng.choice([-2, -1, 0, 1, 1, 2, 3]))
        used = dataclasses.replace(secrets, as_of=day)
        if rng.random() < 0.1:
            used = dataclasses.replace(used, texts={**used.texts, read(rng.choice(values[:2])): NAME})
        verdict = proofcache.scan_changed(files, used, folder=folder)
        assert verdict == scan(files, used), (day, verdict)
        found += bool(verdict)
    assert 0 < found < 80


def test_the_digest_depends_on_the_values_not_on_which_equal_strings_are_one_object(secrets):
    """A warm build's secrets come from the parse cache, where equal strings are often one object; a cold build's
    from the workers, where they are others: equal secrets must keep the proof cache (issue 16)."""
    def separate(text: str) -> str:
        return "".join(list(text))  # an equal string, another object (for any text of two characters or more)

    texts = {separate(value): separate(kind) for value, kind in secrets.texts.items()}
    kinds = {kind: kind for kind in secrets.texts.values()}
    shared = {value: kinds[kind] for value, kind in secrets.texts.items()}
    apart = dataclasses.replace(secrets, texts=texts)
    together = dataclasses.replace(secrets, texts=shared)
    assert apart == together
    assert proofcache.secrets_digest(apart) == proofcache.secrets_digest(together)
