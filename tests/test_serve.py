"""`careledger serve`: the published site on a loopback port, nothing else, rebuilt when a record changes."""

from __future__ import annotations

import http.client
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


class Preview:
    """A `careledger serve` subprocess whose terminal output is read line by line."""

    def __init__(self, content: Path, output: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "careledger", "serve", "--content", str(content), "--output", str(output),
             "--as-of", "2026-11-23", "--port", "0", "--interval", "0.2"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        line = self.wait_for("预览网址")
        found = re.search(r"http://(127\.0\.0\.1):(\d+)/", line)
        assert found, line
        self.port = int(found.group(2))

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, "serve stopped:\n" + "".join(self.seen)
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no “{text}” within {timeout} s:\n" + "".join(self.seen))

    def get(self, path: str) -> tuple[int, str]:
        """The raw path goes out as written (no client-side clean-up of `..`)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def preview(basic, tmp_path):
    running = Preview(basic, tmp_path / "output")
    yield running
    running.stop()


def test_serve_shows_the_site_and_rebuilds_when_a_record_changes(preview, basic, tmp_path):
    status, home = preview.get("/")
    assert status == 200 and "测试街道" in text_of(home) and "东山村" in text_of(home)
    assert preview.get("/static/site.css")[0] == 200

    site_yaml = basic / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("name: 东山村", "name: 东山新村"),
                         encoding="utf-8")
    preview.wait_for("已生成网站")
    deadline = time.monotonic() + 60
    while "东山新村" not in text_of(preview.get("/")[1]):
        assert time.monotonic() < deadline, "the home page did not change"
        time.sleep(0.2)


def test_serve_never_serves_the_private_papers_or_the_reports(preview, tmp_path):
    output = tmp_path / "output"
    assert (output / "reports" / "index.html").is_file()
    secret = output / "private" / "dossiers" / "dongshan" / "ds-001.html"
    secret.parent.mkdir(parents=True)
    secret.write_text("<p>入户档案</p>", encoding="utf-8")
    for path in ("/private/dossiers/dongshan/ds-001.html", "/../private/dossiers/dongshan/ds-001.html",
                 "/%2e%2e/private/dossiers/dongshan/ds-001.html", "/reports/index.html", "/../reports/index.html",
                 "/reports/", "/private/", "/../BUILD.json", "/villages/"):
        status, body = preview.get(path)
        assert status == 404 and "入户档案" not in body, path


def test_a_record_error_is_printed_and_the_last_site_stays_up(preview, basic):
    household = basic / "households" / "dongshan" / "ds-001.yaml"
    household.write_text(household.read_text(encoding="utf-8") + "\n  bad: [unclosed\n", encoding="utf-8")
    preview.wait_for("有错误，网站未更新")
    assert any("households/dongshan/ds-001.yaml" in line for line in preview.seen)
    status, home = preview.get("/")
    assert status == 200 and "测试街道" in text_of(home)


def test_serve_listens_on_127_0_0_1_only(preview):
    """Bound to 127.0.0.1 itself, not to every interface: another address of this machine (127.0.0.2 is one on
    Linux, as a LAN address would be) is refused, while a server on 0.0.0.0 would answer there."""
    import socket

    assert preview.get("/")[0] == 200
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", preview.port), timeout=10).close()
