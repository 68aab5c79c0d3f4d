"""The writer given bytes read back from the current output (output.Kept, as the render memo reads a page): it links
the file without reading it again only while that file is the one read and unchanged since; a file changed after the
reading, or too recently changed to tell, is read and compared as any other, so the new tree holds the tree's bytes."""

from __future__ import annotations

import os

from careledger import output
from careledger.output import Kept, read_kept, write_tree

FILES = {"site/index.html": b"<p>index</p>", "site/villages/a.html": b"<p>a</p>", "reports/desk.csv": b"x,y\n"}


def trusting(monkeypatch) -> None:
    """Files written a moment ago count as old enough (a test cannot wait for the racy window to pass)."""
    monkeypatch.setattr(output, "_RACY_NS", -10**18)


def test_a_page_read_back_and_unchanged_is_linked_without_a_second_reading(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_tree(out, FILES)
    trusting(monkeypatch)
    kept = read_kept(str(out / "site/villages/a.html"))
    assert isinstance(kept, Kept) and kept == FILES["site/villages/a.html"] and kept.signature is not None
    inode = (out / "site/villages/a.html").stat().st_ino
    reads = []
    real = output._read_upto
    monkeypatch.setattr(output, "_read_upto", lambda fd, size: reads.append(fd) or real(fd, size))
    written = write_tree(out, {**FILES, "site/villages/a.html": kept})
    assert (out / "site/villages/a.html").stat().st_ino == inode and "site/villages/a.html" not in written.changed
    assert len(reads) == len(FILES) - 1  # the other files, given as plain bytes, were compared by reading


def test_a_page_changed_after_it_was_read_back_is_compared_and_the_tree_s_bytes_are_written(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_tree(out, FILES)
    trusting(monkeypatch)
    page = out / "site/villages/a.html"
    kept = read_kept(str(page))
    stat = page.stat()
    page.write_bytes(b"<p>b</p>")  # the same size, other bytes, the same modification time
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    written = write_tree(out, {**FILES, "site/villages/a.html": kept})
    assert page.read_bytes() == FILES["site/villages/a.html"] and "site/villages/a.html" in written.changed


def test_a_file_changed_within_the_racy_window_has_no_signature_and_links_or_other_files_are_not_kept(tmp_path):
    out = tmp_path / "out"
    write_tree(out, FILES)
    kept = read_kept(str(out / "site/index.html"))
    assert kept == FILES["site/index.html"] and kept.signature is None  # written just now
    os.symlink(out / "site/index.html", tmp_path / "link.html")
    assert read_kept(str(tmp_path / "link.html")) is None and read_kept(str(out / "site")) is None
    assert read_kept(str(out / "missing.html")) is None
    written = write_tree(out, {**FILES, "site/index.html": kept})
    assert written.changed == () and (out / "site/index.html").read_bytes() == FILES["site/index.html"]
