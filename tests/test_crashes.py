"""Crashes seen in issue 13, each now a Chinese message that names what to change: an as-of date out of range, an
output folder that cannot be written (full disk, read-only file system, no permission) or is a mount point, an
unreadable page, and click's own usage errors."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from careledger.cli import main
from careledger.output import MARKER

from .conftest import AS_OF


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="careledger")


def build(content: Path, output: Path, *extra: str):
    return invoke("build", "--content", str(content), "--output", str(output), "--as-of", AS_OF.isoformat(),
                  "--no-paper", *extra)


def tree_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1969-12-31", "2100-01-01"])
def test_an_as_of_date_out_of_range_is_a_usage_error(basic, tmp_path, command, day):
    args = ["--output", str(tmp_path / "out")] if command == "build" else []
    result = invoke(command, "--content", str(basic), *args, "--as-of", day)
    no_traceback(result)
    assert result.exit_code == 2 and "--as-of 必须在 1970-01-01 到 2099-12-31 之间" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("day", ["1970-01-01", "2099-12-31"])
def test_the_ends_of_the_range_are_dates(basic, day):
    result = invoke("check", "--content", str(basic), "--as-of", day)
    no_traceback(result)
    assert "--as-of 必须" not in result.output


@pytest.mark.parametrize(("where", "code", "reason"), [
    ("write_bytes", errno.ENOSPC, "磁盘已满"),
    ("write_bytes", errno.EROFS, "文件系统是只读的"),
    ("mkdir", errno.EACCES, "没有写入权限"),
    ("mkdir", errno.EROFS, "文件系统是只读的"),
])
def test_an_output_that_cannot_be_written_is_e_output_and_keeps_the_old_one(basic, tmp_path, monkeypatch,
                                                                           where, code, reason):
    out = tmp_path / "out"
    assert build(basic, out).exit_code == 0
    (basic / "pages" / "about.md").write_text("# 关于\n\n改过了。\n", encoding="utf-8")  # so the next build writes
    before = tree_of(out)
    real = getattr(Path, where)

    def refuse(self, *args, **kwargs):
        if ".out.new-" in str(self):  # the folder being written beside the output, nothing else
            raise OSError(code, os.strerror(code), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, where, refuse)
    result = build(basic, out, "--allow-dirty")
    no_traceback(result)
    assert result.exit_code == 1 and "E-OUTPUT" in result.output and reason in result.output
    assert f"无法写入输出目录 {out}" in result.output and "原有输出保持不变" in result.output
    assert tree_of(out) == before and sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_an_output_folder_that_cannot_be_made_is_e_output(basic, tmp_path, monkeypatch):
    real = Path.mkdir

    def refuse(self, *args, **kwargs):
        if self == tmp_path / "ro":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    result = build(basic, tmp_path / "ro" / "out")
    no_traceback(result)
    assert result.exit_code == 1 and "E-OUTPUT" in result.output and "没有写入权限" in result.output


def test_a_mount_point_is_refused_with_a_sub_folder_to_use(basic, tmp_path, monkeypatch):
    out = tmp_path / "mnt"
    out.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == out or real(p))
    result = build(basic, out)
    no_traceback(result)
    assert result.exit_code == 1 and "E-OUTPUT" in result.output and "挂载点" in result.output
    assert f"--output {out / 'careledger'}" in result.output
    assert list(out.iterdir()) == []


def test_an_unreadable_page_is_e_file_read(basic, tmp_path, monkeypatch):
    """Refused at both ways a file may be read (Path.read_bytes, os.open): the tests run as root, whom file modes
    do not stop."""
    page = basic / "pages" / "about.md"
    real_read, real_open = Path.read_bytes, os.open

    def refused(path):
        return PermissionError(errno.EACCES, "Permission denied", str(path))

    def read_bytes(self):
        if self == page:
            raise refused(self)
        return real_read(self)

    def open_(path, *args, **kwargs):
        if isinstance(path, (str, bytes, os.PathLike)) and (Path(os.fsdecode(path)) == page or (
                kwargs.get("dir_fd") is not None and os.fsdecode(path) == page.name)):  # read folder by folder
            raise refused(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(os, "open", open_)
    result = build(basic, tmp_path / "out")
    no_traceback(result)
    assert result.exit_code == 1 and "[E-FILE-READ]" in result.output and "pages/about.md" in result.output
    assert not (tmp_path / "out").exists()


ENGLISH = ("Error:", "Usage:", "No such", "Missing", "Invalid value", "Try '", "Options:", "Commands:",
           "Show this message", "does not", "is not", "requires")


@pytest.mark.parametrize(("args", "chinese"), [
    (["build", "--bogus"], "没有选项 '--bogus'"),
    (["nosuch"], "没有命令 'nosuch'"),
    (["buld"], "是不是要用 'build'"),
    (["build", "--as-of"], "选项 '--as-of' 后面要写一个值"),
    (["check", "--format", "xml"], "'xml' 不是以下之一"),
    (["demo"], "缺少参数 'DIRECTORY'"),
    (["demo", "x", "--households", "0"], "不在范围"),
    (["demo", "x", "--seed", "many"], "不是有效的数"),
    (["build", "extra"], "多余的参数（extra）"),
    (["build", "--as-of", "2026-13-01"], "不是日期"),
])
def test_click_s_usage_errors_are_chinese(args, chinese):
    result = invoke(*args)
    no_traceback(result)
    assert result.exit_code == 2 and "错误：" in result.output and chinese in result.output, result.output
    for word in ENGLISH:
        assert word not in result.output, (word, result.output)


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["demo", "--help"]])
def test_help_headings_are_chinese(args):
    result = invoke(*args)
    assert result.exit_code == 0 and "用法：" in result.output and "选项:" in result.output
    assert "显示本帮助并退出" in result.output and "Usage:" not in result.output and "Options:" not in result.output
    assert ("命令:" in result.output) == (args == ["--help"])


def test_a_missing_required_option_is_chinese():
    """careledger has no required option today; the catalogue covers the message for the day it has one."""
    import click

    @click.command()
    @click.option("--village", required=True)
    def command(village):
        pass  # pragma: no cover

    result = CliRunner().invoke(command, [])
    assert result.exit_code == 2 and "错误：缺少选项 '--village'" in result.output and "Missing" not in result.output
