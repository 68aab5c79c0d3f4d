"""Progress of long stages: a bar with counts and an estimate on a terminal (tqdm), a plain line now and then
when the output goes to a file or a CI log. Off unless the command line turns it on, so library use and tests stay
quiet; short work shows nothing either way.
"""

from __future__ import annotations

import sys
import time

SHOW_AFTER = 1.5  # seconds: work that ends sooner shows no progress at all
LINE_EVERY = 10.0  # seconds between plain lines

_stream = None


def enable(stream=None) -> None:
    """Show progress on `stream` (default: standard error)."""
    global _stream
    _stream = stream or sys.stderr


def disable() -> None:
    global _stream
    _stream = None


class Counter:
    """`with Counter("读取记录文件", total) as c: ... c.advance()`."""

    def __init__(self, label: str, total: int, unit: str = "个"):
        self.label, self.total, self.unit = label, total, unit
        self.done = 0
        self.stream = _stream
        self.started = time.monotonic()
        self.bar = None
        self.last_line = 0.0

    def __enter__(self) -> Counter:
        if self.stream is not None and self.total and _is_terminal(self.stream):
            from tqdm import tqdm
            self.bar = tqdm(total=self.total, desc=self.label, unit=self.unit, file=self.stream, delay=SHOW_AFTER,
                            leave=False, dynamic_ncols=True, mininterval=0.5)
        return self

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
        elif self.stream is not None:
            now = time.monotonic()
            if now - self.started >= SHOW_AFTER and now - self.last_line >= LINE_EVERY:
                self.last_line = now
                self.stream.write(self.line(now) + "\n")
                self.stream.flush()

    def line(self, now: float) -> str:
        elapsed = now - self.started
        share = self.done / self.total if self.total else 1
        rest = f"，约剩 {elapsed / share - elapsed:.0f} 秒" if 0 < share < 1 else ""
        return f"{self.label}：{self.done}/{self.total}（{share:.0%}），已用 {elapsed:.0f} 秒{rest}"

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.stream is not None and self.last_line:  # a log that showed the start also shows the end
            self.stream.write(self.line(time.monotonic()) + "\n")
            self.stream.flush()


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
