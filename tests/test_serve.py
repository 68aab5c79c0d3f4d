"""`careledger serve`: the published site on a loopback port, nothing else, rebuilt when a record changes."""

from __future__ import annotations

import http.client
import json
import os
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

from careledger.preview.banner import BANNER_ID, BEGIN, CONNECT, END, FINDINGS_URL, STATUS_URL

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


def banner_of(html: str) -> str:
    """The text of the preview's banner in a served page ('' if it has none)."""
    found = re.search(rf'<div id="{BANNER_ID}".*?</div>', html, re.S)
    return text_of(found.group(0)) if found else ""


def without_banner(page: bytes) -> bytes:
    start, end = page.find(BEGIN.encode()), page.find(END.encode())
    assert 0 <= start < end, "no preview banner in the served page"
    # The served copy's Content-Security-Policy allows the banner's polling too (preview/banner.py)
    return (page[:start] + page[end + len(END.encode()):]).replace(b"; " + CONNECT.encode(), b"", 1)


class Preview:
    """A `careledger serve` subprocess whose terminal output is read line by line."""

    def __init__(self, content: Path, output: Path, *more: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "careledger", "serve", "--content", str(content), "--output", str(output),
             "--as-of", "2026-11-23", "--port", "0", "--interval", "0.2", *more],
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

    def get(self, path: str, headers: dict | None = None) -> tuple[int, str]:
        status, body = self.get_bytes(path, headers)
        return status, body.decode("utf-8", "replace")

    def get_bytes(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        """The raw path goes out as written (no client-side clean-up of `..`)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def wait_until(self, path: str, text: str, timeout: float = 60) -> str:
        """The page once it holds `text` (the rebuild's outcome reaches the server a moment after the terminal)."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.get(path)[1]
            if text in body:
                return body
            assert time.monotonic() < deadline, f"{path} never showed “{text}”:\n{body[:3000]}"
            time.sleep(0.1)

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


def reports_as_a_build_leaves_them(output: Path) -> None:
    """The preview builds the site alone; OUTPUT/reports/ holds what the last `build` wrote: names, phones."""
    for name in ("index.html", "desk-all.html"):
        (output / "reports").mkdir(exist_ok=True)
        (output / "reports" / name).write_text("<p>入户档案 李建国</p>", encoding="utf-8")


def test_serve_never_serves_the_private_papers_or_the_reports(preview, tmp_path):
    output = tmp_path / "output"
    assert not (output / "reports").exists()  # the preview builds the site alone
    reports_as_a_build_leaves_them(output)
    secret = output / "private" / "dossiers" / "dongshan" / "ds-001.html"
    secret.parent.mkdir(parents=True)
    secret.write_text("<p>入户档案</p>", encoding="utf-8")
    for path in ("/private/dossiers/dongshan/ds-001.html", "/../private/dossiers/dongshan/ds-001.html",
                 "/%2e%2e/private/dossiers/dongshan/ds-001.html", "/reports/index.html", "/../reports/index.html",
                 "/reports/", "/private/", "/../BUILD.json", "/villages/"):
        status, body = preview.get(path)
        assert status == 404 and "入户档案" not in body, path


def test_a_record_error_is_printed_and_the_last_site_stays_up(preview, basic, tmp_path):
    before = (tmp_path / "output" / "site" / "index.html").read_bytes()
    generation = json.loads(preview.get(STATUS_URL)[1])["generation"]
    household = basic / "households" / "dongshan" / "ds-001.yaml"
    household.write_text(household.read_text(encoding="utf-8") + "\n  bad: [unclosed\n", encoding="utf-8")
    preview.wait_for("有错误，网站未更新")
    # in full, as `check --format editor` writes it: the path as given, line and column, code, severity
    assert any(re.match(rf"{re.escape(str(household))}:\d+:\d+: [A-Z][A-Z0-9-]+ 错误 ", line) for line in preview.seen)
    status, home = preview.get("/")
    assert status == 200 and "测试街道" in text_of(home)
    home = preview.wait_until("/", "记录有 1 个错误")
    shown = banner_of(home)
    assert "此页是上次成功生成的页面" in shown and "households/dongshan/ds-001.yaml:" in shown
    assert (tmp_path / "output" / "site" / "index.html").read_bytes() == before  # the last good pages, untouched
    assert without_banner(preview.get_bytes("/")[1]) == before
    state = json.loads(preview.get(STATUS_URL)[1])
    assert state["failed"] and state["generation"] > generation  # an open page reloads itself and shows the error

    household.write_text(household.read_text(encoding="utf-8").replace("\n  bad: [unclosed\n", ""), encoding="utf-8")
    preview.wait_for("已生成网站")
    assert "个错误：" not in banner_of(preview.wait_until("/", "已生成 · "))  # the banner is back to normal


def test_serve_listens_on_127_0_0_1_only(preview):
    """Bound to 127.0.0.1 itself, not to every interface: another address of this machine (127.0.0.2 is one on
    Linux, as a LAN address would be) is refused, while a server on 0.0.0.0 would answer there."""
    import socket

    assert preview.get("/")[0] == 200
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", preview.port), timeout=10).close()


def test_served_pages_carry_the_banner_and_the_files_stay_as_a_plain_build_makes_them(preview, basic, tmp_path):
    from careledger.pipeline import build_all

    site = tmp_path / "output" / "site"
    plain = tmp_path / "plain"
    build_all(basic, plain, as_of=__import__("datetime").date(2026, 11, 23), allow_dirty=True, paper=False)
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(plain / "site") for p in (plain / "site").rglob("*") if p.is_file())
    for rel in files:
        assert (site / rel).read_bytes() == (plain / "site" / rel).read_bytes(), rel  # nothing of the preview on disk
    assert not any(BANNER_ID.encode() in p.read_bytes() for p in tmp_path.joinpath("output").rglob("*") if p.is_file())

    pages = [rel for rel in files if rel.suffix == ".html"]
    assert len(pages) > 3
    for rel in pages:
        status, served = preview.get_bytes("/" + rel.as_posix())
        assert status == 200 and without_banner(served) == (site / rel).read_bytes(), rel
        shown = banner_of(served.decode("utf-8"))
        assert "预览（只在本机）" in shown and "政策检查：6 个错误、1 个警告" in shown, shown
    assert preview.get_bytes("/static/site.css")[1] == (site / "static" / "site.css").read_bytes()  # only HTML

    # the policy's findings: a count per code with its Chinese text on the terminal, the first few in full
    assert any(re.match(r"\s+CAD-ALERT 错误 ×6：走访间隔已超过预警阈值", line) for line in preview.seen)
    assert any(re.match(rf"\s+{re.escape(str(basic))}/households/dongshan/ds-001\.yaml:\d+:\d+: CAD-ALERT 错误 预警：",
                        line) for line in preview.seen)
    # and every one of them on a page that exists only in the preview
    status, listing = preview.get(FINDINGS_URL)
    assert status == 200 and listing.count("CAD-ALERT") >= 7 and "李建国" in listing and "AUD-NO-GIT" in listing
    assert f'href="{FINDINGS_URL}"' in preview.get("/")[1]


def test_the_banner_escapes_what_it_shows():
    from careledger.findings import ERROR, Finding, Source
    from careledger.preview.banner import findings_page, inject
    from careledger.preview.state import Outcome

    bad = Finding("E-YAML", ERROR, "<script>alert(1)</script> & 张三", Source("households/<b>x</b>.yaml", 3, 1),
                  path="members[0].name")
    outcome = Outcome(True, "10:00:00", (bad,), last_good="09:59:00")
    served = inject(b"<html><body class=a><p>x</p></body></html>", outcome, 7).decode()
    for page in (served, findings_page(outcome).decode()):
        assert "<script>alert" not in page and "<b>x</b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 张三" in page
        assert "households/&lt;b&gt;x&lt;/b&gt;.yaml:3" in page
    assert served.startswith("<html><body class=a><!-- careledger serve") and served.endswith("<p>x</p></body></html>")
    assert "记录有 1 个错误" in banner_of(served) and "09:59:00" in banner_of(served)


def test_the_preview_answers_this_computer_only_by_name(preview):
    """A page on the web that points a name of its own at 127.0.0.1 (DNS rebinding) gets nothing."""
    assert preview.get("/", {"Host": f"localhost:{preview.port}"})[0] == 200
    status, body = preview.get("/", {"Host": "evil.example"})
    assert status == 403 and "测试街道" not in body


def _leaks(output: Path) -> list[str]:
    """URLs that try to reach the desk, the dossiers or the forms from outside their mounts."""
    secret_form = output / "private" / "forms" / "blank" / "x.pdf"
    secret_form.parent.mkdir(parents=True, exist_ok=True)
    secret_form.write_bytes("%PDF-1.4 入户档案".encode())
    reports_as_a_build_leaves_them(output)
    (output / "site" / "leak.html").symlink_to(output / "reports" / "index.html")
    (output / "site" / "leakdir").symlink_to(output / "reports")
    (output / "private" / "dossiers").mkdir(exist_ok=True)
    (output / "private" / "dossiers" / "forms").symlink_to(output / "private" / "forms")
    absolute = (output / "reports" / "index.html").as_posix()
    return ["/../reports/index.html", "/%2e%2e/reports/index.html", "/%2E%2E/reports/", "/..%2freports/index.html",
            "/static/..%2f..%2freports/index.html", "/static/../../reports/index.html", "/..%5creports%5cindex.html",
            "/" + absolute, absolute, "/%2f" + absolute.lstrip("/"), f"http://127.0.0.1{absolute}", "/leak.html",
            "/leakdir/index.html", "/leakdir/", "/private/forms/blank/x.pdf", "/private/dossiers/forms/blank/x.pdf",
            "/private/dossiers/../forms/blank/x.pdf", "/private/dossiers/%2e%2e/forms/blank/x.pdf",
            "/reports/../private/forms/blank/x.pdf", "/private/", "/.careledger-output", "/../BUILD.json",
            "/private/dossiers/dongshan/ds-001.yaml", "/reports/.hidden"]


def test_without_internal_nothing_of_the_desk_or_the_dossiers_is_reachable(preview, tmp_path):
    output = tmp_path / "output"
    dossier = output / "private" / "dossiers" / "dongshan" / "ds-001.html"
    dossier.parent.mkdir(parents=True)
    dossier.write_text("<p>入户档案</p>", encoding="utf-8")
    for path in [*_leaks(output), "/reports/", "/reports/index.html", "/reports/desk-all.html",
                 "/private/dossiers/dongshan/ds-001.html", "/private/dossiers/"]:
        status, body = preview.get(path)
        assert status in (400, 404) and "入户档案" not in body and "李建国" not in body, (path, status)


def test_internal_serves_the_desk_and_its_dossiers_on_this_computer(basic, tmp_path):
    output = tmp_path / "output"
    running = Preview(basic, output, "--internal")
    try:
        line = running.wait_for("内部报表：")
        assert f"http://127.0.0.1:{running.port}/reports/" in line
        status, desk = running.get("/reports/")
        assert status == 200 and "李建国" in text_of(desk) and BANNER_ID in desk  # the desk, with names
        assert running.get("/reports")[0] == 301
        assert running.get("/reports/tables.js")[0] == 200
        # the desk links each row to its household's dossier, and the link works, though a preview prints no paper
        page = running.get("/reports/desk-village-dongshan.html")[1]
        assert "../private/dossiers/dongshan/ds-001.html" in re.findall(r'href="([^"]+)"', page)
        status, dossier = running.get("/private/dossiers/dongshan/ds-001.html")
        assert status == 200 and "ds-001" in dossier and BANNER_ID in dossier
        assert running.get("/private/dossiers/")[0] == 200
        status, body = running.get("/private/dossiers/dongshan/ds-001.pdf")
        assert status == 404 and "careledger dossier" in body
        # all of it in memory: the output on disk is what a build without paper leaves, nothing of the preview in it
        assert not (output / "private").exists() and not (output / "reports").exists()
        assert not any(BANNER_ID.encode() in p.read_bytes() for p in output.rglob("*") if p.is_file())
        planted = output / "private" / "dossiers" / "xiwan" / "planted.html"
        planted.parent.mkdir(parents=True)
        planted.write_text("<p>入户档案</p>", encoding="utf-8")
        assert running.get("/private/dossiers/xiwan/planted.html")[0] == 404  # never read from disk
        for path in _leaks(output):
            status, body = running.get(path)
            assert status in (400, 404) and "%PDF" not in body and "入户档案</p>" not in body, (path, status)

        # a change shows in the desk after the rebuild
        staff = basic / "staff" / "dongshan.yaml"
        assert "李建国" in staff.read_text(encoding="utf-8")
        staff.write_text(staff.read_text(encoding="utf-8").replace("李建国", "李建华"), encoding="utf-8")
        running.wait_for("已生成网站")
        assert "李建华" in running.wait_until("/reports/desk-all.html", "李建华")
    finally:
        running.stop()


def test_a_bind_beyond_this_computer_is_refused():
    import click

    from careledger.preview.state import Preview as State
    from careledger.serve import HOST, start_server

    assert HOST == "127.0.0.1"
    for host in ("0.0.0.0", "192.168.1.10", "::", "guanai.jiedao.internal"):
        with pytest.raises(click.ClickException, match="只能在本机地址"):
            start_server(Path("/nonexistent"), 0, State(), host=host)


def test_the_deploy_guide_keeps_the_desk_off_the_public_server_and_shows_serve_internal():
    import shlex

    from careledger.cli import main

    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", text, re.S)
    public = [b for b in blocks if re.search(r"^\s*root\s+\S+/site;", b, re.M)]
    desk = [b for b in blocks if re.search(r"^\s*root\s+\S+/reports;", b, re.M)]
    assert public and desk and len(public) + len(desk) == len(blocks)
    for block in public:
        assert re.search(r"location ~ \^/\(private\|reports\)\(/\|\$\) \{ return 404; \}", block)
    for block in desk:  # behind the office network and a login, over https, and never the dossiers
        assert "auth_basic_user_file" in block and re.search(r"^\s*deny\s+all;", block, re.M)
        assert re.search(r"^\s*allow\s+\S+;", block, re.M) and "satisfy all;" in block and "ssl" in block
        assert "private" not in " ".join(re.findall(r"^\s*root\s+(\S+);", block, re.M))
        assert re.search(r"location ~ \^/\(private\|site\)\(/\|\$\) \{ return 404; \}", block)
    serve = main.commands["serve"]
    known = {opt for param in serve.params for opt in param.opts}
    uses = [shlex.split(line.split("#")[0]) for line in text.splitlines()
            if line.strip().startswith("careledger serve")]
    assert any("--internal" in words for words in uses)
    for words in uses:
        assert all(w in known for w in words[2:] if w.startswith("--")), words


def test_a_first_build_with_errors_shows_them_at_the_address(basic, tmp_path):
    household = basic / "households" / "dongshan" / "ds-001.yaml"
    household.write_text(household.read_text(encoding="utf-8") + "\n  bad: [unclosed\n", encoding="utf-8")
    running = Preview(basic, tmp_path / "output")
    try:
        status, page = running.get("/")
        assert status == 503 and "还没有成功生成过网站" in banner_of(page) and "ds-001.yaml" in text_of(page)
        assert running.get("/villages/dongshan.html")[0] == 404
        household.write_text(household.read_text(encoding="utf-8").replace("\n  bad: [unclosed\n", ""),
                             encoding="utf-8")
        running.wait_for("已生成网站")
        assert "测试街道" in text_of(running.wait_until("/", "已生成 · "))
    finally:
        running.stop()


def test_every_link_of_the_internal_preview_is_answered_but_the_pdfs(basic, tmp_path):
    """The desk and the dossiers as `serve --internal` makes them in memory: each page's links reach a page it has,
    except the PDFs, which only `careledger dossier` and `careledger notice` print."""
    import datetime as dt
    import posixpath

    from careledger.preview.internal import internal_files

    files = internal_files(basic, tmp_path / "output", dt.date(2026, 11, 23))
    assert not (tmp_path / "output").exists()  # nothing written
    assert {"reports/index.html", "private/dossiers/index.html", "private/dossiers/dongshan/ds-001.html"} <= set(files)
    followed = 0
    for name, data in files.items():
        if not name.endswith(".html"):
            continue
        for link in re.findall(r'(?:href|src)="([^"#]+)', data.decode("utf-8")):
            if link.startswith(("data:", "http:", "https:", "mailto:", "tel:")):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), link))
            pdf = (target.startswith("private/dossiers/") and target.endswith(".pdf")) or target == "reports/notice.pdf"
            assert target in files or pdf, (name, link)
            followed += 1
    assert followed > 50


def test_a_first_build_with_errors_over_an_earlier_site_keeps_it_and_says_so(basic, tmp_path):
    from careledger.pipeline import build_all

    build_all(basic, tmp_path / "output", as_of=__import__("datetime").date(2026, 11, 23), allow_dirty=True,
              paper=False)
    household = basic / "households" / "dongshan" / "ds-001.yaml"
    household.write_text(household.read_text(encoding="utf-8") + "\n  bad: [unclosed\n", encoding="utf-8")
    running = Preview(basic, tmp_path / "output")
    try:
        status, page = running.get("/")
        assert status == 200 and "测试街道" in text_of(page)
        assert "此页是上次成功生成的页面" in banner_of(page) and "记录有 1 个错误" in banner_of(page)
    finally:
        running.stop()


def test_a_port_in_use_is_refused_in_chinese(basic, tmp_path):
    import socket

    from click.testing import CliRunner

    from careledger.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port), "--content", str(basic),
                                           "--output", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert f"端口 {port} 无法使用（已被其他程序占用）：换一个" in result.output, result.output


def test_the_status_is_held_until_a_rebuild_finishes(tmp_path):
    """The page asks STATUS_URL?after=<its generation>: the answer comes as soon as a rebuild is recorded (the page
    reloads at once, without polling), and at once when the page is behind already."""
    from careledger.preview.state import Outcome, Preview as State
    from careledger.serve import start_server

    state = State()
    state.record(Outcome(False, "10:00:00"))
    server = start_server(tmp_path, 0, state)

    def status(query: str) -> dict:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
        try:
            connection.request("GET", STATUS_URL + query)
            return json.loads(connection.getresponse().read())
        finally:
            connection.close()

    try:
        assert status("?after=0")["generation"] == 1  # behind: answered at once
        answers: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: answers.put((status("?after=1"), time.monotonic())), daemon=True).start()
        time.sleep(0.5)
        assert answers.empty()  # held: nothing new
        recorded = time.monotonic()
        state.record(Outcome(True, "10:00:05"))
        answer, when = answers.get(timeout=10)
        assert answer == {"generation": 2, "failed": True} and when - recorded < 2
        assert status("")["generation"] == 2
    finally:
        server.shutdown()
        server.server_close()
