"""Issue 13, loading: no record file is ever dropped without a located Chinese error that stops the build.

Each case here was seen to drop records with exit 0 and no message (or to end in a traceback) before the fix."""

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from careledger import bulkread
from careledger.load import load
from careledger.pipeline import BuildFailed, build_all

from .conftest import AS_OF
from .contentkit import line_of, replace_in

HOUSEHOLD = "households/dongshan/ds-001.yaml"
VISITS = "visits/2026-11/ds-lianxi1.yaml"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))


def errors_of(content: Path, **kwargs):
    records, findings = load(content, today=AS_OF, **kwargs)
    return records, [f for f in findings if f.is_error]


def only(findings, code):
    hits = [f for f in findings if f.code == code]
    assert hits, f"no {code} among {[f.format() for f in findings]}"
    return hits


# --- empty files ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rel, text, line", [
    (HOUSEHOLD, "", 0),
    (HOUSEHOLD, "# 这户已迁出\n# id: ds-001\n", 0),
    (HOUSEHOLD, "{}\n", 1),
    (HOUSEHOLD, "[]\n", 1),
    (VISITS, "", 0),
    (VISITS, "\n\n   \n", 0),
    (VISITS, "[]\n", 1),
    (VISITS, "# 本月走访\n{}\n", 2),
    ("staff/xiwan.yaml", "# 待补\n", 0),
    ("custody/dongshan/ds-001-m1.yaml", "", 0),
    ("inspections/2026-11/s-minzheng.yaml", "[ ]", 1),
])
def test_an_empty_record_file_is_an_error(basic, rel, text, line):
    (basic / rel).write_text(text, encoding="utf-8")
    _, errors = errors_of(basic)
    empty = only(errors, "E-EMPTY")
    assert [(f.source.file, f.source.line) for f in empty] == [(rel, line)]
    assert "没有读到任何记录" in empty[0].message


def test_an_empty_site_yaml_is_an_error(basic):
    (basic / "site.yaml").write_text("# 辖区设置\n", encoding="utf-8")
    records, errors = errors_of(basic)
    assert records is None and only(errors, "E-EMPTY")[0].source.file == "site.yaml"


# --- blank required values --------------------------------------------------------------------------------------

@pytest.mark.parametrize("rel, old, new, path", [
    (VISITS, "- date: 2026-11-03", "- date:", "[0].date"),
    (VISITS, "  household: ds-002", "  household:", "[1].household"),
    (VISITS, "  household: ds-002", "  household: ''", "[1].household"),
    (HOUSEHOLD, "id: ds-001", "id:", "id"),
    (HOUSEHOLD, "address: 东山村2组15号", "address: ''", "address"),
    (HOUSEHOLD, "address: 东山村2组15号", "address: ~", "address"),
    ("staff/street.yaml", "  name: 周文清", "  name: ''", "[0].name"),
    ("staff/street.yaml", "  roles: [street_cadre, inspector, clerk]", "  roles: []", "[0].roles"),
    (HOUSEHOLD, "    relation: self", "    relation:", "members[0].relation"),
])
def test_a_blank_required_value_is_named_with_file_line_and_field(basic, rel, old, new, path):
    replace_in(basic, rel, old, new)
    _, errors = errors_of(basic)
    blank = only(errors, "E-BLANK")
    assert [(f.source.file, f.path) for f in blank] == [(rel, path)]
    lines = (basic / rel).read_text(encoding="utf-8").splitlines()
    assert lines[blank[0].source.line - 1] == new
    field = path.rpartition(".")[2]
    assert f"“{field}”" in blank[0].message and "是空的" in blank[0].message


def test_a_blank_profile_names_the_field(basic):
    replace_in(basic, "site.yaml", "profile: wangcheng-2020", "profile:")
    records, errors = errors_of(basic)
    assert records is None
    blank = only(errors, "E-BLANK")[0]
    assert (blank.source.file, blank.source.line, blank.path) == ("site.yaml", line_of(basic, "site.yaml", "profile:"),
                                                                  "profile")
    assert "政策档案" in blank.message


# --- control characters -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("char, name", [("\0", "NUL"), ("\x1b", "ESC"), ("\x07", "BEL"), ("\x7f", "DEL"),
                                        ("\x9b", "控制字符"), ("\ufffe", "非字符")])
def test_a_control_character_is_located(basic, char, name):
    replace_in(basic, HOUSEHOLD, "address: 东山村", f"address: 东山{char}村")
    _, errors = errors_of(basic)
    hits = only(errors, "E-CONTROL-CHAR")
    line = line_of(basic, HOUSEHOLD, "address: 东山")
    assert [(f.source.file, f.source.line, f.source.column) for f in hits] == [(HOUSEHOLD, line, len("address: 东山") + 1)]
    assert f"U+{ord(char):04X}" in hits[0].message and name in hits[0].message


def test_a_nul_in_site_yaml_is_located(basic):
    replace_in(basic, "site.yaml", "name: 测试街道", "name: 测试\0街道")
    records, errors = errors_of(basic)
    assert records is None
    hit = only(errors, "E-CONTROL-CHAR")[0]
    assert (hit.source.file, hit.source.line, hit.source.column) == ("site.yaml", 2, 9)


def test_tab_and_crlf_are_not_control_errors(basic):
    path = basic / VISITS
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    replace_in(basic, HOUSEHOLD, "address: 东山村2组15号", "address: '东山村\t3号'")
    _, errors = errors_of(basic)
    assert errors == []


# --- the build stops and keeps the old output -------------------------------------------------------------------

def test_a_dropped_record_stops_the_build_and_keeps_the_old_output(basic, tmp_path):
    output = tmp_path / "output"
    build_all(basic, output, as_of=AS_OF, paper=False)
    before = {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    replace_in(basic, VISITS, "- date: 2026-11-03", "- date:")
    with pytest.raises(BuildFailed) as failed:
        build_all(basic, output, as_of=AS_OF, paper=False)
    assert any(f.code == "E-BLANK" and f.source.file == VISITS for f in failed.value.findings)
    after = {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert after == before


# --- the content tree: one policy for what is not a plain folder or file ---------------------------------------

def test_a_symlinked_month_folder_is_refused(basic, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.move(basic / "visits/2026-11", elsewhere)
    (basic / "visits/2026-11").symlink_to(elsewhere)
    records, errors = errors_of(basic)
    assert [(f.code, f.source.file) for f in errors if f.code == "E-SYMLINK"] == [("E-SYMLINK", "visits/2026-11")]
    assert "符号链接" in only(errors, "E-SYMLINK")[0].message


def test_a_symlinked_records_folder_is_refused(basic, tmp_path):
    shutil.move(basic / "households", tmp_path / "households")
    (basic / "households").symlink_to(tmp_path / "households")
    _, errors = errors_of(basic)
    assert [f.source.file for f in only(errors, "E-SYMLINK")] == ["households"]


def test_a_record_file_linked_inside_the_tree_is_not_counted_twice(basic):
    (basic / "visits/2026-11/ds-lianxi2.yaml").symlink_to(basic / VISITS)
    records, errors = errors_of(basic)
    assert [f.source.file for f in only(errors, "E-SYMLINK")] == ["visits/2026-11/ds-lianxi2.yaml"]
    assert all(v.source.file != "visits/2026-11/ds-lianxi2.yaml" for v in records.visits)


def test_a_page_linked_out_of_the_tree_is_refused_and_not_read(basic, tmp_path):
    secret = tmp_path / "login.defs"
    secret.write_text("# 机密\nPASS_MAX_DAYS 99999\n", encoding="utf-8")
    (basic / "pages/defs.md").symlink_to(secret)
    records, errors = errors_of(basic)
    assert [f.source.file for f in only(errors, "E-SYMLINK")] == ["pages/defs.md"]
    assert [p.slug for p in records.pages] == ["about"]
    with pytest.raises(BuildFailed):
        build_all(basic, tmp_path / "output", as_of=AS_OF, paper=False)
    assert not (tmp_path / "output").exists()


def test_a_symlinked_site_yaml_and_top_level_entry_are_refused(basic, tmp_path):
    (basic / "notes").symlink_to("/etc")
    _, errors = errors_of(basic)
    assert [f.source.file for f in only(errors, "E-SYMLINK")] == ["notes"]
    (tmp_path / "site.yaml").write_bytes((basic / "site.yaml").read_bytes())
    (basic / "site.yaml").unlink()
    (basic / "site.yaml").symlink_to(tmp_path / "site.yaml")
    records, errors = errors_of(basic)
    assert records is None and [f.source.file for f in only(errors, "E-SYMLINK")] == ["site.yaml"]


def test_a_records_folder_that_is_a_file(basic):
    shutil.rmtree(basic / "inspections")
    (basic / "inspections").write_text("inspections\n", encoding="utf-8")
    _, errors = errors_of(basic)
    hit = only(errors, "E-NOT-FOLDER")[0]
    assert hit.source.file == "inspections" and "应是目录" in hit.message


def test_a_record_file_that_is_a_folder(basic):
    (basic / "visits/2026-11/ds-lianxi2.yaml").mkdir()
    _, errors = errors_of(basic)
    assert [f.source.file for f in only(errors, "E-NOT-FILE")] == ["visits/2026-11/ds-lianxi2.yaml"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("rel", ["visits/2026-11/ds-lianxi2.yaml", "pages/fifo.md", "households/dongshan/x.txt"])
def test_a_fifo_where_a_file_is_expected_is_refused_without_blocking(basic, rel):
    os.mkfifo(basic / rel)  # reading it would wait for a writer for ever
    _, errors = errors_of(basic)
    hit = only(errors, "E-FILE-KIND")[0]
    assert hit.source.file == rel and "普通文件" in hit.message


def test_a_fifo_swapped_in_after_the_listing_is_not_read(basic):
    from careledger import listing
    path = basic / "visits/2026-11/fifo.yaml"
    os.mkfifo(path)
    with pytest.raises(OSError):
        listing.read_bytes(path)
    os.unlink(path)
    path.symlink_to(basic / VISITS)
    with pytest.raises(OSError) as refused:
        listing.read_bytes(path)
    assert "符号链接" in listing.reason(refused.value)


def deny(monkeypatch, denied: Path, function: str) -> None:
    """As root, chmod 000 does not deny reading: refuse it in the os module instead, as the kernel would."""
    original = getattr(os, function)

    def refusing(path, *args, **kwargs):
        folder = kwargs.get("dir_fd")  # listing.read_below opens each name relative to its folder
        if folder is not None and not isinstance(path, int):
            path = os.path.join(os.readlink(f"/proc/self/fd/{folder}"), os.fsdecode(path))
        if Path(os.fsdecode(path)) == denied:
            raise PermissionError(13, "Permission denied", str(path))
        return original(path, *args, **kwargs)
    monkeypatch.setattr(os, function, refusing)


def check_unreadable_month(basic, errors):
    hit = only(errors, "E-FOLDER-READ")[0]
    assert hit.source.file == "visits/2026-11"
    assert "没有读取权限" in hit.message and "都没有读到" in hit.message


def test_an_unreadable_folder_is_an_error(basic, monkeypatch):
    deny(monkeypatch, basic / "visits/2026-11", "scandir")
    _, errors = errors_of(basic)
    check_unreadable_month(basic, errors)


@pytest.mark.skipif(AS_ROOT, reason="root reads a folder whatever its mode (the monkeypatched test above holds)")
def test_an_unreadable_folder_by_its_mode(basic):
    folder = basic / "visits/2026-11"
    folder.chmod(0)
    try:
        _, errors = errors_of(basic)
    finally:
        folder.chmod(0o755)
    check_unreadable_month(basic, errors)


@pytest.mark.parametrize("rel", [VISITS, "pages/about.md", "site.yaml"])
def test_an_unreadable_file_is_an_error_not_a_traceback(basic, monkeypatch, rel):
    deny(monkeypatch, basic / rel, "open")
    _, errors = errors_of(basic, cache=False)
    hit = only(errors, "E-FILE-READ")[0]
    assert hit.source.file == rel and "没有读取权限" in hit.message


# --- the safety net ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rel", [VISITS, HOUSEHOLD, "staff/street.yaml", "custody/dongshan/ds-001-m1.yaml"])
def test_a_file_that_gives_neither_records_nor_an_error_stops_the_load(basic, monkeypatch, rel):
    """A future path of the reader that drops a file silently (simulated: the reader returns nothing for it)."""
    original = bulkread._read_bytes

    def dropping(raw, root, job, settings):
        return ([], [], dt.date.min) if job.rel == rel else original(raw, root, job, settings)
    monkeypatch.setattr(bulkread, "_read_bytes", dropping)
    _, errors = errors_of(basic, cache=False)
    hit = only(errors, "E-RECORD")
    assert [f.source.file for f in hit] == [rel] and "没有读到任何记录" in hit[0].message


def test_a_site_yaml_that_gives_no_site_and_no_error(basic, monkeypatch):
    from careledger import load as load_module
    monkeypatch.setattr(load_module, "convert", lambda *args, **kwargs: load_module.MISSING)
    records, errors = errors_of(basic)
    assert records is None and only(errors, "E-RECORD")[0].source.file == "site.yaml"


def test_a_content_folder_that_cannot_be_listed(basic, monkeypatch):
    """site.yaml can be opened in a folder with x but not r permission: the rest must not vanish with it."""
    deny(monkeypatch, basic, "listdir")
    _, errors = errors_of(basic)
    hit = only(errors, "E-FOLDER-READ")[0]
    assert hit.source.file == "." and "没有读取权限" in hit.message


# --- a folder swapped for a symlink between the listing and the reading ------------------------------------------

def swap_for_link(content: Path, folder: str, outside: Path) -> None:
    """Move `folder` out of the tree, edit the copy that now lies outside, and put a symlink to it in its place."""
    shutil.move(content / folder, outside)
    for path in outside.glob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("2026-11-0", "2026-11-1"), encoding="utf-8")
    (content / folder).symlink_to(outside, target_is_directory=True)


def test_a_month_folder_swapped_for_a_symlink_at_the_reading_is_refused(basic, tmp_path, monkeypatch):
    """The listing saw a real folder; by the time its first file is read it is a link to a folder outside the tree:
    E-SYMLINK at each of its files, and no record from outside."""
    from careledger import listing

    outside, real_read, swapped = tmp_path / "outside", listing.read_below, []

    def swap_first(root, rel):
        if rel.startswith("visits/2026-11/") and not swapped:
            swap_for_link(root, "visits/2026-11", outside)
            swapped.append(rel)
        return real_read(root, rel)

    monkeypatch.setattr(bulkread, "read_below", swap_first)
    records, errors = errors_of(basic, cache=False)
    assert swapped and (basic / "visits/2026-11").is_symlink()
    hits = only(errors, "E-SYMLINK")
    assert sorted(f.source.file for f in hits) == ["visits/2026-11/ds-lianxi1.yaml", "visits/2026-11/ds-shuji.yaml"]
    assert all("“visits/2026-11”已被换成符号链接" in f.message for f in hits)
    assert not any(v.date.day >= 10 for v in records.visits if v.date.month == 11)  # nothing read from outside
    assert not any(f.code == "E-RECORD" for f in errors)  # the safety net sees them accounted for


def test_the_pages_folder_swapped_for_a_symlink_at_the_reading_is_refused(basic, tmp_path, monkeypatch):
    from careledger import listing

    outside, real_read = tmp_path / "outside", listing.read_below
    secret = "本不该发布的外部文件"

    def swap_first(root, rel):
        if rel.startswith("pages/") and not (root / "pages").is_symlink():
            shutil.move(root / "pages", outside)
            (outside / "about.md").write_text(f"# 外部\n\n{secret}\n", encoding="utf-8")
            (root / "pages").symlink_to(outside, target_is_directory=True)
        return real_read(root, rel)

    monkeypatch.setattr(listing, "read_below", swap_first)
    records, errors = errors_of(basic)
    assert [f.source.file for f in only(errors, "E-SYMLINK")] == ["pages/about.md"]
    assert not any(secret in p.text for p in records.pages)


def test_reading_below_the_root_follows_no_link_at_any_step(tmp_path):
    from careledger import listing

    root = tmp_path / "content"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f.yaml").write_bytes(b"x: 1\n")
    (tmp_path / "elsewhere" / "b").mkdir(parents=True)
    (tmp_path / "elsewhere" / "b" / "f.yaml").write_bytes(b"outside\n")
    assert listing.read_below(root, "a/b/f.yaml") == b"x: 1\n"
    (tmp_path / "root-link").symlink_to(root)  # the root itself is where the user pointed: followed
    assert listing.read_below(tmp_path / "root-link", "a/b/f.yaml") == b"x: 1\n"
    (root / "a" / "b").rename(root / "a" / "real-b")
    for link, component in ((root / "a" / "b", "a/b"), (root / "a", "a")):
        link_target = tmp_path / "elsewhere" if component == "a" else tmp_path / "elsewhere" / "b"
        if component == "a":
            (root / "a").rename(root / "real-a")
        link.symlink_to(link_target, target_is_directory=True)
        with pytest.raises(listing.LinkInPath) as refused:
            listing.read_below(root, "a/b/f.yaml")
        assert refused.value.component == component
    (root / "real-a" / "g.yaml").symlink_to(root / "real-a" / "real-b" / "f.yaml")
    with pytest.raises(listing.LinkInPath) as refused:
        listing.read_below(root, "real-a/g.yaml")
    assert refused.value.component == "real-a/g.yaml"
    for bad in ("../x", "a//b", "./a"):
        with pytest.raises(OSError):
            listing.read_below(root, bad)
