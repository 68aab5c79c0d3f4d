"""Progress of long stages: plain lines in a log, a bar on a terminal, nothing for short work or when off."""

import io

import pytest

from careledger import progress


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(progress.time, "monotonic", clock)
    yield clock
    progress.disable()


def test_a_log_gets_a_plain_line_now_and_then_with_counts_and_an_estimate(clock):
    log = io.StringIO()
    progress.enable(log)
    with progress.Counter("读取记录文件", 100) as counter:
        for _ in range(100):
            clock.now += 0.5  # 50 s in all: a line every 10 s after the first 1.5 s
            counter.advance()
    lines = log.getvalue().splitlines()
    assert 4 <= len(lines) <= 6
    assert lines[0] == "读取记录文件：3/100（3%），已用 2 秒，约剩 48 秒"
    assert lines[-1] == "读取记录文件：100/100（100%），已用 50 秒"


def test_short_work_and_library_use_show_nothing(clock):
    log = io.StringIO()
    progress.enable(log)
    with progress.Counter("检查政策规则", 9) as counter:
        for _ in range(9):
            clock.now += 0.1
            counter.advance()
    assert log.getvalue() == ""
    progress.disable()
    with progress.Counter("读取记录文件", 10) as counter:
        clock.now += 100
        counter.advance(10)
    assert log.getvalue() == ""


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_bar(monkeypatch):
    terminal = Terminal()
    progress.enable(terminal)
    monkeypatch.setattr(progress, "SHOW_AFTER", 0)
    try:
        with progress.Counter("读取记录文件", 50) as counter:
            counter.advance(50)
    finally:
        progress.disable()
    assert "读取记录文件" in terminal.getvalue() and "/50 [" in terminal.getvalue()  # tqdm: counts, rate, estimate
