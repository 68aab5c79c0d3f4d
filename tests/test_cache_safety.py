"""Issue 13, the cache: it never serves a stale record, never ends a run in a traceback, and never runs code that
someone else put in it. Each test failed on the code before the fix."""

import datetime as dt
import os
import pickle
import stat
import time
from pathlib import Path

import pytest

from careledger import bulkread, cachestore, fingerprint, listing
from careledger.load import load
from careledger.pipeline import build_all

from .conftest import AS_OF

VISITS = "visits/2026-11/ds-lianxi1.yaml"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(directory))
    yield directory
    getattr(cachestore, "take_warnings", list)()  # a refusal of this test's folder is said to no other test


def write_cache_file(path: Path, value) -> None:
    """In the cache's own format (a plain pickle before the digest header was added)."""
    path.write_bytes(getattr(cachestore, "seal", pickle.dumps)(value))


def read_cache_file(path: Path):
    return getattr(cachestore, "unseal", pickle.loads)(path.read_bytes())


def visits_of(records):
    return sorted((v.source.file, v.date, v.household) for v in records.visits)


def folder_file(root: Path, rel: str) -> Path:
    store = bulkread._Store(root, bulkread.Settings(AS_OF, True)).store
    return store.directory / f"{cachestore.short_hash(rel.rpartition('/')[0])}.pickle"


# --- racily clean entries ---------------------------------------------------------------------------------------

def test_an_edit_in_the_tick_of_the_cache_write_is_not_served_from_the_cache(basic, cache):
    """The file was modified in the same clock tick as the cache file was written (simulated: the cache file is
    given the file's time), then edited again in that tick: size, modification time and inode are all unchanged."""
    load(basic, today=AS_OF)
    path, written = basic / VISITS, folder_file(basic, VISITS)
    assert written.exists()
    before = os.stat(path)
    os.utime(written, ns=(before.st_mtime_ns, before.st_mtime_ns))
    with open(path, "r+b") as f:  # same size, same inode
        data = f.read()
        f.seek(0)
        f.write(data.replace(b"- date: 2026-11-04", b"- date: 2026-11-05"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    records, _ = load(basic, today=AS_OF)
    assert ("visits/2026-11/ds-lianxi1.yaml", AS_OF.replace(day=5), "ds-002") in visits_of(records)
    reference, _ = load(basic, today=AS_OF, cache=False)
    assert visits_of(records) == visits_of(reference)


def test_an_entry_older_than_its_cache_file_is_still_trusted_unread(basic, cache, monkeypatch):
    load(basic, today=AS_OF)  # the fixture's files are older than the cache files written here
    reads = []
    monkeypatch.setattr(bulkread, "read_below", lambda root, rel: reads.append(rel) or (root / rel).read_bytes())
    records, _ = load(basic, today=AS_OF)
    assert reads == [] and len(records.visits) == 5


@pytest.fixture
def kept(monkeypatch):
    """This process keeps cache files in memory, as the build server and the preview do."""
    monkeypatch.setattr(cachestore, "_kept", {})


def test_a_kept_process_hands_over_unchanged_folders_whole(basic, cache, kept, monkeypatch):
    """bulkread._Runs: the second load takes each folder's results as the first left them (the very same records),
    reading no file and looking up no entry."""
    first, _ = load(basic, today=AS_OF)
    monkeypatch.setattr(bulkread._Store, "get", lambda *a: pytest.fail("a file looked up one by one"))
    monkeypatch.setattr(bulkread, "read_below", lambda *a: pytest.fail("a file read"))
    second, _ = load(basic, today=AS_OF)
    assert second.visits == first.visits and all(map(lambda a, b: a is b, second.visits, first.visits))
    assert second.households[0] is first.households[0]


def test_a_kept_process_hands_over_unchanged_folders_and_the_site_on_a_new_day_too(basic, cache, kept, monkeypatch):
    """The first load of a new day takes the folders (and site.yaml) over as a load of the same day does: their
    results hold for every as-of date from the latest date their checks compared (bulkread._Runs)."""
    real = time.time_ns
    monkeypatch.setattr(listing, "now_ns", lambda: real() + 10 * 10**9)  # site.yaml just written: not racily clean
    first, _ = load(basic, today=AS_OF)
    monkeypatch.setattr(bulkread._Store, "get", lambda *a: pytest.fail("a file looked up one by one"))
    monkeypatch.setattr(bulkread, "read_below", lambda *a: pytest.fail("a file read"))
    second, _ = load(basic, today=AS_OF + dt.timedelta(days=1))
    assert all(map(lambda a, b: a is b, second.visits, first.visits)) and len(second.visits) == len(first.visits)
    assert second.households[0] is first.households[0] and second.site is first.site


def test_a_kept_process_does_not_check_again_the_entries_it_wrote(tmp_path, cache, kept):
    """cachestore._kept_checked: a store's own entries, once written, are kept as checked; a store that reads the
    file with another `valid` checks them."""
    calls = []

    def valid(key, value):
        calls.append(key)
        return True

    store = cachestore.FolderStore("records", tmp_path, "a version", valid)
    store.put("visits/2026-11/a.yaml", "a", ("its", "entry"))
    store.save()
    again = cachestore.FolderStore("records", tmp_path, "a version", valid)
    assert again.folder("visits/2026-11/a.yaml") == {"a": ("its", "entry")} and calls == []
    other = cachestore.FolderStore("records", tmp_path, "a version", lambda key, value: valid(key, value))
    assert other.folder("visits/2026-11/a.yaml") == {"a": ("its", "entry")} and calls == ["a"]


def test_a_kept_folder_whose_file_is_as_new_as_its_cache_file_is_read_again(basic, cache, kept, monkeypatch):
    """A folder is handed over only while none of its files was modified or changed at or after the time its cache
    file was written (racily clean): that file is hashed again, as without a kept process."""
    load(basic, today=AS_OF)
    load(basic, today=AS_OF)
    path, written = basic / VISITS, folder_file(basic, VISITS)
    at = os.stat(path)
    os.utime(written, ns=(at.st_ctime_ns, at.st_ctime_ns))  # the cache file written in the file's tick
    reads = []
    monkeypatch.setattr(bulkread, "read_below", lambda root, rel: reads.append(rel) or (root / rel).read_bytes())
    records, _ = load(basic, today=AS_OF)
    assert VISITS in reads and visits_of(records) == visits_of(load(basic, today=AS_OF, cache=False)[0])


def test_a_kept_folder_with_a_file_changed_in_place_is_read_again(basic, cache, kept):
    """Same size and modification time restored (`cp -p`, `git checkout`): the change time tells."""
    load(basic, today=AS_OF)
    path = basic / VISITS
    before = os.stat(path)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"- date: 2026-11-04", b"- date: 2026-11-05"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    records, _ = load(basic, today=AS_OF)
    assert (VISITS, AS_OF.replace(day=5), "ds-002") in visits_of(records)


def test_a_kept_process_reads_site_yaml_again_only_when_it_changed(basic, cache, kept, monkeypatch):
    """load._read_site: the site the last load read, while site.yaml keeps its stat; an edit with its modification
    time put back is read all the same (the change time tells)."""
    real = time.time_ns
    monkeypatch.setattr(listing, "now_ns", lambda: real() + 10 * 10**9)  # the file just written: not racily clean
    first, _ = load(basic, today=AS_OF)
    assert load(basic, today=AS_OF)[0].site is first.site
    path = basic / "site.yaml"
    before = os.stat(path)
    path.write_text(path.read_text(encoding="utf-8").replace(first.site.name, "另一个镇"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert load(basic, today=AS_OF)[0].site.name == "另一个镇"


def test_a_kept_process_checks_a_household_again_when_it_or_the_staff_changed(basic, cache, kept):
    """integrity._Kept: a household's own findings are taken from the last check only for the same household while
    the staff are the same; a staff member removed, or a category changed, is found as a cold load finds it."""
    def errors(records_findings):
        return sorted((f.code, f.source.file, f.path) for f in records_findings[1] if f.is_error)

    assert errors(load(basic, today=AS_OF)) == []
    staff = basic / "staff/dongshan.yaml"
    text = staff.read_text(encoding="utf-8")
    start = text.index("- id: ds-baopian")
    staff.write_text(text[:start] + text[text.index("- id:", start + 1):], encoding="utf-8")
    assert errors(load(basic, today=AS_OF)) == errors(load(basic, today=AS_OF, cache=False)) != []
    staff.write_text(text, encoding="utf-8")
    household = basic / "households/dongshan/ds-002.yaml"
    household.write_text(household.read_text(encoding="utf-8").replace("category: '3'", "category: '99'"),
                         encoding="utf-8")
    found = errors(load(basic, today=AS_OF))
    assert ("E-CATEGORY", "households/dongshan/ds-002.yaml", "subjects[0].category") in found
    assert found == errors(load(basic, today=AS_OF, cache=False))


# --- a folder's later file (cachestore.FolderStore) ---------------------------------------------------------------

MONTH = "visits/2026-11"


def a_month(root: Path, entries: int = 400) -> cachestore.FolderStore:
    """A store with a month of `entries` entries, saved: its folder's file written whole."""
    store = cachestore.FolderStore("records", root, "a version")
    for n in range(entries):
        store.put(f"{MONTH}/{n}.yaml", n, ("entry", n))
    store.save()
    return store


def version(path: Path) -> tuple:
    st = os.stat(path)
    return st.st_ino, st.st_size, st.st_mtime_ns


def test_a_few_entries_changed_are_written_apart_and_read_back_with_their_own_time(tmp_path, cache):
    """A rebuild that changed a visit file writes that file's entry, not its month's (16,000 at 25,000
    households); the entries read back are the month's with the changes, each written when its file was."""
    month = a_month(tmp_path)._file(MONTH)
    before = version(month)
    store = cachestore.FolderStore("records", tmp_path, "a version")
    store.folder(f"{MONTH}/5.yaml")
    store.put(f"{MONTH}/5.yaml", 5, ("changed", 5))
    store.put(f"{MONTH}/new.yaml", "new", ("new", 0))
    store.drop(MONTH, [7])
    store.save()
    later = store._file(MONTH, cachestore.LATER)
    assert version(month) == before and later.is_file()
    again = cachestore.FolderStore("records", tmp_path, "a version")
    expected = {n: ("entry", n) for n in range(400) if n != 7} | {5: ("changed", 5), "new": ("new", 0)}
    assert again.folder(f"{MONTH}/5.yaml") == expected
    assert again.written_at(f"{MONTH}/5.yaml", 5) == os.stat(later).st_mtime_ns
    assert again.written_at(f"{MONTH}/6.yaml", 6) == again.written(f"{MONTH}/6.yaml") == before[2]
    again.put(f"{MONTH}/6.yaml", 6, ("changed", 6))  # a second rebuild: the later file holds both builds' changes
    again.save()
    assert version(month) == before
    assert cachestore.FolderStore("records", tmp_path, "a version").folder(MONTH + "/") == expected | {6: ("changed", 6)}


def test_a_folder_with_many_entries_changed_is_written_whole_again(tmp_path, cache):
    month = a_month(tmp_path)._file(MONTH)
    before = version(month)
    store = cachestore.FolderStore("records", tmp_path, "a version")
    for n in range(51):  # more than an eighth of 400
        store.put(f"{MONTH}/{n}.yaml", n, ("changed", n))
    store.save()
    assert version(month) != before and not store._file(MONTH, cachestore.LATER).exists()
    again = cachestore.FolderStore("records", tmp_path, "a version")
    assert again.folder(MONTH + "/") == {n: ("changed" if n < 51 else "entry", n) for n in range(400)}
    assert again.written_at(f"{MONTH}/1.yaml", 1) == os.stat(month).st_mtime_ns


def test_a_later_file_that_follows_another_version_of_its_folders_file_is_not_used(tmp_path, cache):
    """Another process (a parse worker) wrote the folder's file whole since: the later file's changes were made
    to the version before, and are dropped, not laid over the new one."""
    a_month(tmp_path)
    store = cachestore.FolderStore("records", tmp_path, "a version")
    store.put(f"{MONTH}/5.yaml", 5, ("changed", 5))
    store.save()
    elsewhere = cachestore.FolderStore("records", tmp_path, "a version")
    target = elsewhere.file_of(MONTH)
    cachestore.write_sealed(target, {n: ("rewritten", n) for n in range(400)})
    again = cachestore.FolderStore("records", tmp_path, "a version")
    assert again.folder(MONTH + "/") == {n: ("rewritten", n) for n in range(400)}
    assert again.written_at(f"{MONTH}/5.yaml", 5) == os.stat(target).st_mtime_ns


def test_a_small_folder_is_written_whole(tmp_path, cache):
    """A folder of fewer than `LATER_FROM` entries (a village's households) is written whole: a later file would
    save little, and a process that keeps cache files would hold its changed entries twice."""
    month = a_month(tmp_path, entries=cachestore.LATER_FROM - 1)._file(MONTH)
    before = version(month)
    store = cachestore.FolderStore("records", tmp_path, "a version")
    store.put(f"{MONTH}/5.yaml", 5, ("changed", 5))
    store.save()
    assert version(month) != before and not store._file(MONTH, cachestore.LATER).exists()


def test_an_edit_in_the_tick_of_the_later_files_write_is_not_served_from_it(basic, cache, monkeypatch):
    """As for the folder's file (above): an entry of the later file is trusted only for a file last changed before
    the later file was written."""
    monkeypatch.setattr(cachestore, "LATER_FROM", 1)  # (the fixture's months are small)
    monkeypatch.setattr(cachestore, "LATER_MOST", 1)
    load(basic, today=AS_OF)
    path = basic / VISITS
    path.write_bytes(path.read_bytes().replace(b"- date: 2026-11-04", b"- date: 2026-11-06"))
    time.sleep(0.05)
    load(basic, today=AS_OF)
    later = folder_file(basic, VISITS).with_name(folder_file(basic, VISITS).stem + cachestore.LATER + ".pickle")
    assert later.is_file()
    before = os.stat(path)
    os.utime(later, ns=(before.st_mtime_ns, before.st_mtime_ns))
    with open(path, "r+b") as f:  # same size, same inode, same time
        data = f.read()
        f.seek(0)
        f.write(data.replace(b"- date: 2026-11-06", b"- date: 2026-11-05"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    records, _ = load(basic, today=AS_OF)
    assert (VISITS, AS_OF.replace(day=5), "ds-002") in visits_of(records)
    assert visits_of(records) == visits_of(load(basic, today=AS_OF, cache=False)[0])


def test_a_kept_process_hands_over_a_folder_whose_changes_are_in_its_later_file(basic, cache, kept, monkeypatch):
    """bulkread._Runs: a folder's changed file, older than the later file that holds its entry, does not make the
    next load look up the folder's files one by one (each against the time of the file its entry is in)."""
    monkeypatch.setattr(cachestore, "LATER_FROM", 1)
    monkeypatch.setattr(cachestore, "LATER_MOST", 1)
    load(basic, today=AS_OF)
    path = basic / VISITS
    path.write_bytes(path.read_bytes().replace(b"- date: 2026-11-04", b"- date: 2026-11-06"))
    time.sleep(0.05)
    first, _ = load(basic, today=AS_OF)
    monkeypatch.setattr(bulkread._Store, "get", lambda *a: pytest.fail("a file looked up one by one"))
    second, _ = load(basic, today=AS_OF)
    assert all(map(lambda a, b: a is b, second.visits, first.visits)) and len(second.visits) == len(first.visits)


# --- entries of the wrong type ----------------------------------------------------------------------------------

@pytest.mark.parametrize("wrong", [lambda e: "a string", lambda e: None, lambda e: ("too", "short"),
                                   lambda e: (e[0], e[1], "garbage"), lambda e: (e[0], e[1], ("a", "b")),
                                   lambda e: (e[0], e[1], ([object()], [])),
                                   lambda e: (e[0], e[1], (e[2][0], ["not a finding"])),
                                   lambda e: (("a", "b", "c"), e[1], e[2])])
def test_a_cache_entry_of_the_wrong_type_is_read_again(basic, cache, wrong):
    reference, _ = load(basic, today=AS_OF, cache=False)
    load(basic, today=AS_OF)
    for path in (cache / "records").rglob("*.pickle"):
        entries = read_cache_file(path)
        write_cache_file(path, {rel: wrong(entry) for rel, entry in entries.items()})
    records, findings = load(basic, today=AS_OF)
    assert visits_of(records) == visits_of(reference) and not any(f.is_error for f in findings)


@pytest.mark.parametrize("wrong", [["not", "a", "dict"], "text", {"records": 1}])
def test_a_cache_file_of_the_wrong_type_is_ignored(basic, cache, wrong):
    load(basic, today=AS_OF)
    for path in (cache / "records").rglob("*.pickle"):
        write_cache_file(path, wrong)
    records, _ = load(basic, today=AS_OF)
    assert len(records.visits) == 5


def test_a_build_record_of_the_wrong_type_is_ignored(basic, cache, tmp_path):
    output = tmp_path / "output"
    build_all(basic, output, as_of=AS_OF, paper=False)
    record = fingerprint._record(output)
    for wrong in (["a", "list"], {"fingerprint": "x"}, "text"):
        write_cache_file(record, wrong)
        assert fingerprint.recall(output, "x") is None
    write_cache_file(record, {"fingerprint": "f", "output": fingerprint._output_state(output), "result": "not one"})
    assert fingerprint.recall(output, "f") is None
    result = build_all(basic, output, as_of=AS_OF, paper=False)
    assert not result.skipped


def test_a_history_entry_of_the_wrong_type_is_read_again(tmp_path, cache):
    from careledger.audit import read_history
    from careledger.demo import DemoSpec
    from careledger.demo.repo import write_demo_repo

    root = tmp_path / "records"
    write_demo_repo(root, DemoSpec(households=6, months=2))
    first = read_history(root)
    for path in (cache / "history").rglob("*.pickle"):
        if path.name.startswith("walk"):  # the saved walk (audit/resume.py) goes: the full read must meet the garbage
            path.unlink()
        else:
            write_cache_file(path, {key: "garbage" for key in read_cache_file(path)})
    again = read_history(root)
    for name in ("commits", "visit_events", "household_events", "unreadable"):
        assert getattr(again, name) == getattr(first, name), name


# --- the cache folder ---------------------------------------------------------------------------------------------

def test_the_cache_folder_is_made_private(basic, tmp_path, monkeypatch):
    folder = tmp_path / "new" / "careledger"
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(folder))
    load(basic, today=AS_OF)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_an_own_cache_folder_others_may_read_is_closed(basic, tmp_path, monkeypatch):
    folder = tmp_path / "careledger"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(folder))
    load(basic, today=AS_OF)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


MARKER = "pwned-by-the-cache"


class Payload:
    """Unpickling this runs code: it writes a marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "code ran"))


def plant(basic: Path, output: Path, marker: Path) -> None:
    """Pickles that run code, where the next build loads a records folder and its own build record."""
    path = folder_file(basic, VISITS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps({VISITS: Payload(marker)}))
    record = fingerprint._record(output)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_bytes(pickle.dumps(Payload(marker)))


def test_a_planted_pickle_is_never_unpickled(basic, cache, tmp_path):
    marker = tmp_path / MARKER
    plant(basic, tmp_path / "output", marker)
    build_all(basic, tmp_path / "output", as_of=AS_OF, paper=False)
    assert not marker.exists()


def test_an_altered_cache_file_is_a_miss(basic, cache):
    load(basic, today=AS_OF)
    path = folder_file(basic, VISITS)
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01
    path.write_bytes(bytes(data))
    assert cachestore.unseal(bytes(data)) is None
    assert cachestore.unseal(bytes(data[:40])) is None
    records, _ = load(basic, today=AS_OF)
    assert len(records.visits) == 5


def check_refused(basic: Path, folder: Path, words: str) -> None:
    planted = folder / "records"
    planted.mkdir(parents=True, exist_ok=True)
    before = sorted(p.name for p in folder.rglob("*"))
    records, findings = load(basic, today=AS_OF)
    assert len(records.visits) == 5
    warning = [f for f in findings if f.code == "W-CACHE-UNSAFE"]
    assert len(warning) == 1 and str(folder) in warning[0].message and words in warning[0].message
    assert warning[0].source.file == str(folder)
    assert "临时缓存" in warning[0].message
    assert sorted(p.name for p in folder.rglob("*")) == before  # nothing read from it or written to it
    used = cachestore.cache_root()
    assert used != folder and stat.S_IMODE(os.stat(used).st_mode) == 0o700 and any(used.rglob("*.pickle"))
    _, again = load(basic, today=AS_OF)
    assert not any(f.code == "W-CACHE-UNSAFE" for f in again)  # said once a run


@pytest.mark.parametrize("mode", [0o775, 0o777, 0o757])
def test_a_cache_folder_others_may_write_is_refused(basic, tmp_path, monkeypatch, mode):
    folder = tmp_path / "shared-cache"
    folder.mkdir()
    folder.chmod(mode)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(folder))
    try:
        check_refused(basic, folder, "其他用户也可以写入")
    finally:
        cachestore.take_warnings()


def test_a_cache_folder_of_another_user_is_refused(basic, tmp_path, monkeypatch):
    folder = tmp_path / "their-cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(folder))
    monkeypatch.setattr(cachestore, "_uid", lambda: os.stat(folder).st_uid + 1)
    try:
        check_refused(basic, folder, "属于另一个用户")
    finally:
        cachestore.take_warnings()


@pytest.mark.skipif(not AS_ROOT, reason="only root can give a folder to another user")
def test_a_cache_folder_chowned_to_another_user_is_refused(basic, tmp_path, monkeypatch):
    folder = tmp_path / "nobodys-cache"
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(folder))
    try:
        check_refused(basic, folder, "属于另一个用户（uid 65534）")
    finally:
        cachestore.take_warnings()


# --- the folders above the cache (docs/security.md: "the sealed cache") ------------------------------------------

@pytest.mark.parametrize("mode", [0o777, 0o757])
def test_a_cache_folder_below_a_folder_others_may_write_is_refused(basic, tmp_path, monkeypatch, mode):
    """Someone who may write the parent could rename our cache folder away and put one of theirs in its place."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    folder = shared / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(folder))
    try:
        check_refused(basic, folder, f"的上级目录 {shared} 其他用户也可以写入（权限 {mode:o}）")
    finally:
        cachestore.take_warnings()


def test_a_sticky_parent_like_tmp_is_allowed(tmp_path):
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    assert cachestore.unsafe(sticky / "cache") is None


def test_a_parent_reached_through_a_symlink_is_checked_where_it_leads(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    (tmp_path / "mine").mkdir(mode=0o700)
    (tmp_path / "mine" / "link").symlink_to(shared)
    assert f"的上级目录 {shared} 其他用户也可以写入" in cachestore.unsafe(tmp_path / "mine" / "link" / "cache")


@pytest.mark.skipif(not AS_ROOT, reason="only root can give a folder to another user or group")
def test_a_parent_of_another_user_or_writable_by_another_group_is_refused(tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    os.chown(theirs, 65534, 65534)
    assert f"的上级目录 {theirs} 属于另一个用户（uid 65534）" in cachestore.unsafe(theirs / "cache")
    group = tmp_path / "group"
    group.mkdir()
    group.chmod(0o775)
    os.chown(group, 0, 65534)  # root's, writable by the group nogroup
    assert f"的上级目录 {group} 其他用户也可以写入（权限 775）" in cachestore.unsafe(group / "cache")


def test_a_parent_writable_by_the_user_s_own_private_group_is_allowed(tmp_path, monkeypatch):
    """umask 002 with a private group per user (Debian's convention) makes ~/.cache 775: nobody else is in it."""
    own = tmp_path / "own"
    own.mkdir()
    own.chmod(0o775)
    monkeypatch.setattr(cachestore, "_own_group", lambda gid: True)
    assert cachestore.unsafe(own / "cache") is None
    monkeypatch.setattr(cachestore, "_own_group", lambda gid: False)
    assert "其他用户也可以写入（权限 775）" in cachestore.unsafe(own / "cache")


def test_the_home_folder_bounds_the_check(tmp_path, monkeypatch):
    """Inside home, the folders above home (/home, owned by root) are not the user's to fix and are not checked."""
    above = tmp_path / "above"
    above.mkdir()
    above.chmod(0o777)
    (above / "home").mkdir(mode=0o700)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: above / "home"))
    assert cachestore.unsafe(above / "home" / ".cache" / "careledger") is None
    assert "的上级目录" in cachestore.unsafe(above / "elsewhere")


# --- durable writes -----------------------------------------------------------------------------------------------

def test_a_cache_file_is_fsynced_before_its_rename_and_its_folder_after(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", lambda a, b: calls.append(("replace", str(b))) or real_replace(a, b))
    target = tmp_path / "entry.pickle"
    cachestore.write_sealed(target, {"a": 1})
    assert [kind for kind, _ in calls] == ["fsync", "replace", "fsync"]
    assert calls[0][1] == str(tmp_path / ".entry.pickle.") + str(os.getpid()) and calls[2][1] == str(tmp_path)
    assert cachestore.unseal(target.read_bytes()) == {"a": 1}


def test_the_pdf_cache_writes_durably_too(tmp_path, monkeypatch):
    """A torn PDF in the cache would be copied into private/ by every later build: it is fsynced like the rest."""
    from careledger.paper import pdf

    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}")) or real_fsync(fd))
    store = pdf._Cache(tmp_path / "pdf")
    store.put("ab" + "0" * 30, b"%PDF-1.7 synthetic")
    target = store.path("ab" + "0" * 30)
    assert synced == [str(target.with_name(f".{target.name}.{os.getpid()}")), str(target.parent)]
    assert store.get("ab" + "0" * 30) == b"%PDF-1.7 synthetic"
