"""`careledger serve`: a preview of the published site on this computer while records are being edited.

It builds the site alone (`build_all(..., allow_dirty=True, paper=False, reports=False)`: a preview is of
uncommitted edits, and serves neither the reports nor the paper, so OUTPUT/reports/ and OUTPUT/private/ keep what the
last `build` wrote), serves OUTPUT/site/ on 127.0.0.1, and watches the content directory (careledger/preview/watch.py:
the system's file events through watchdog where it gives them, else polling the files' sizes and modification times,
the recently modified files every 0.1 s and every file at most every --interval seconds). The process keeps the cache files it read or wrote in memory
(`cachestore.keep_in_memory`), so a rebuild unpickles nothing it had already. When a file changes it builds again and
reports the findings on the terminal and in the page (careledger/preview/): every HTML page is sent with a banner at
the top, added to the response only, never to the files on disk. A build with errors leaves the previous site up and
the banner says so.

URLs reach files on disk through one mount only, the site at / (careledger/preview/paths.py). With `--internal` the
desk is at /reports/ and the HTML dossiers it links to at /private/dossiers/, both made in memory after each good
rebuild (careledger/preview/internal.py) and never read from OUTPUT/reports/ or OUTPUT/private/. Without
`--internal` nothing of reports/ or private/ is reachable; `..`, dot files, listings and symlinks out of the site are
refused; requests naming a host other than this computer (DNS rebinding) are refused; and
it never listens beyond the loopback interface. The build swaps the whole output directory in one step, so a request
never sees half a site.
"""

from __future__ import annotations

import datetime as dt
import errno
import ipaddress
import mimetypes
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from .cli import as_of_option, content_option, main, output_option
from .preview import banner, paths
from .preview.state import Outcome, Preview
from .preview.terminal import report
from .preview.watch import Watcher

if TYPE_CHECKING:
    from .bulkread import KnownStats

HOST = "127.0.0.1"  # the preview holds what the site holds, but uncommitted: never on the network
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")  # what a browser on this computer sends as Host


def refuse_non_loopback(host: str) -> None:
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise click.ClickException(f"预览只能在本机地址（127.0.0.1）上提供，不能在 {host} 上：记录里有个人信息，"
                                   "不能让局域网里的其他电脑打开")


class PreviewHandler(BaseHTTPRequestHandler):
    """GET and HEAD of files below the mounts; HTML with the preview banner; no caching, no request log."""

    server_version = "careledger-serve"
    sys_version = ""
    table: list[paths.Mount] = []
    preview: Preview = Preview()
    internal = False

    def do_GET(self):
        self._answer(body=True)

    def do_HEAD(self):
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        if not self._from_this_computer():
            return self._send(403, "text/plain; charset=utf-8", "只接受本机地址的请求（127.0.0.1）。".encode(), body)
        outcome, generation = self.preview.current()
        route, _, query = self.path.partition("?")
        if route == banner.STATUS_URL:
            seen = query.removeprefix("after=")
            if query.startswith("after=") and seen.isdigit() and int(seen) == generation:  # held until a rebuild
                outcome, generation = self.preview.wait(generation, banner.WAIT)
            return self._send(200, "application/json", banner.status(outcome, generation), body)
        if route in (banner.STYLE_URL, banner.SCRIPT_URL):  # the banner's own files (the pages' policy: no inline)
            kind, text = ("text/css", banner.STYLE) if route == banner.STYLE_URL else ("text/javascript", banner.SCRIPT)
            return self._send(200, kind + "; charset=utf-8", text.encode("utf-8"), body)
        if route == banner.FINDINGS_URL:
            page = banner.inject(banner.findings_page(outcome), outcome, generation)
            return self._send(200, "text/html; charset=utf-8", page, body)
        target = paths.in_memory(self.path, self.preview.internal) if self.internal else None
        if target is not None and not target.redirect:
            return self._send_memory(target.key, outcome, generation, body)
        if target is None:
            target = paths.resolve(self.path, self.table)
        if target is not None and target.redirect:
            self.send_response(301)
            self.send_header("Location", target.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        try:
            data = target.file.read_bytes() if target else None
        except OSError:  # removed or swapped by a rebuild since it was resolved
            data = None
        if data is None and route in ("/", "/index.html") and not self.table[-1].folder.is_dir():
            page = banner.inject(banner.findings_page(outcome), outcome, generation)  # never built: say why
            return self._send(503, "text/html; charset=utf-8", page, body)
        if data is None:
            return self._send(404, "text/plain; charset=utf-8", "没有这个页面。".encode(), body)
        return self._send_file(target.file.name, data, outcome, generation, body)

    def _send_memory(self, key: str | None, outcome, generation: int, body: bool) -> None:
        data = self.preview.internal.get(key) if key else None
        if data is None:
            path = urlsplit(self.path).path
            if path.endswith("/notice.pdf"):
                message = "预览不生成 PDF：打印预警通报请运行 careledger notice --number 序号。"
            elif path.endswith(".pdf"):
                message = "预览不生成 PDF：打印入户档案请运行 careledger dossier 户编号（或 --village 村编号）。"
            else:
                message = "没有这个页面（内部报表和入户档案在每次成功生成后更新）。"
            return self._send(404, "text/plain; charset=utf-8", message.encode(), body)
        return self._send_file(key, data, outcome, generation, body)

    def _send_file(self, name: str, data: bytes, outcome, generation: int, body: bool) -> None:
        """A file as it is, except that an HTML page gets the preview's banner."""
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = banner.inject(data, outcome, generation)
        textual = kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml", "application/json")
        return self._send(200, kind + "; charset=utf-8" if textual else kind, data, body)

    def _from_this_computer(self) -> bool:
        host = self.headers.get("Host")
        if host is None:
            return True  # HTTP/1.0 without Host: not a browser led here by a foreign name
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.lower() in LOCAL_NAMES

    def _send(self, code: int, kind: str, data: bytes, body: bool) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format, *args):
        pass


def start_server(output: Path, port: int, preview: Preview, *, internal: bool = False,
                 host: str = HOST) -> ThreadingHTTPServer:
    """Serve `output`'s mounts on the loopback interface from a background thread; port 0 takes a free one."""
    refuse_non_loopback(host)
    handler = type("Handler", (PreviewHandler,), {"table": paths.mounts(Path(os.path.abspath(output))),
                                                 "preview": preview, "internal": internal})
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, name="careledger-serve", daemon=True).start()
    return server


def rebuild(content: Path, output: Path, as_of: dt.date, preview: Preview, address: str | None = None,
            internal: bool = False, known: KnownStats | None = None) -> None:
    """One preview build, reported on the terminal and to the page; errors leave the previous site in place.
    `known`: the watcher's stats of the files (`Watcher.known`), which the load takes instead of statting each."""
    from . import cachestore
    from .pipeline import BuildFailed, build_all

    cachestore.forget_gone()  # what the last rebuild kept of cache files since removed
    started = time.monotonic()
    previous = preview.current()[0]
    last_good = previous.last_good if previous else _built_before(output)
    prepared = []  # with --internal: what the build loaded and judged, for the desk (loaded once, not twice)
    try:
        result = build_all(content, output, as_of=as_of, allow_dirty=True, paper=False, reports=False,
                           prepared_to=prepared.append if internal else None, known=known)
    except BuildFailed as failed:
        now = time.strftime("%H:%M:%S")
        outcome = Outcome(True, now, tuple(failed.findings), last_good=last_good)
        preview.record(outcome)
        report(outcome, content, address)
        click.secho("有错误，网站未更新：浏览器里仍是上次生成的页面。改正后保存，会自动重新生成。", fg="red", err=True)
        return
    now = time.strftime("%H:%M:%S")
    outcome = Outcome(False, now, tuple(result.findings), tuple(result.policy_findings), last_good=now)
    staff = None
    if internal and (prepared or not preview.internal):  # skipped (nothing changed): the desk stands, once made
        staff = _staff_files(content, output, as_of, prepared[0] if prepared else None)
    preview.record(outcome, staff)
    report(outcome, content, address)
    click.secho(f"{now} 已生成网站（基准日 {as_of}，用时 {time.monotonic() - started:.1f} 秒）。", fg="green")


def _built_before(output: Path) -> str | None:
    """When the site already in OUTPUT was built (by an earlier build or preview), if there is one."""
    try:
        return time.strftime("%m-%d %H:%M", time.localtime((output / "site" / "index.html").stat().st_mtime))
    except OSError:
        return None


def _staff_files(content: Path, output: Path, as_of: dt.date, prepared=None) -> dict[str, bytes] | None:
    from .pipeline import BuildFailed
    from .preview.internal import internal_files, internal_of

    try:
        return internal_of(prepared, as_of) if prepared is not None else internal_files(content, output, as_of)
    except BuildFailed:  # the records changed again since the build: the next poll rebuilds
        return None


def _inside(content: Path, output: Path) -> Path | None:
    return output.resolve() if output.resolve().is_relative_to(content.resolve()) else None


def watch(content: Path, output: Path, as_of: dt.date, watcher: Watcher, preview: Preview, address: str,
          internal: bool) -> None:
    """Rebuild after every change until interrupted; the watcher's snapshot was taken before the last build, so an
    edit made while it ran is not missed (and the build may take the stats of the files it did not see change from
    that snapshot: an edit since has an event, which starts the next build)."""
    while True:
        changed = watcher.wait()
        shown = "、".join(os.path.relpath(p, content) for p in changed[:3]) + ("等" if len(changed) > 3 else "")
        click.echo(f"记录有变化（{shown}），重新生成……")
        rebuild(content, output, as_of, preview, address, internal, known=watcher.known())


@main.command()
@content_option
@output_option
@as_of_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="本机端口；0 表示任选一个空闲端口。")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.1, 60),
              help="系统不报告文件改动时（如网络盘），每隔多少秒查看一遍全部记录文件是否有变化（最近改过的文件和目录每 0.1 秒查看一次）。")
@click.option("--internal", is_flag=True,
              help="同时提供内部报表（/reports/，含姓名）和报表链接的入户档案（/private/dossiers/），只给本单位工作人员在自己的电脑上看。")
def serve(content_dir: Path, output_dir: Path, as_of: dt.date, port: int, interval: float, internal: bool):
    """在本机预览公开网站：先生成，再在 http://127.0.0.1:端口/ 提供 OUTPUT/site/，记录一有改动就重新生成并列出问题。

    问题列在这里（记录错误逐条写明“文件:行:列”，政策提示按代码计数），也显示在网页顶端的提示条中（只在预览中有，
    不写进生成的文件）；记录有错误时网页仍是上次成功生成的页面。网页在重新生成后自动刷新。

    只在本机（127.0.0.1）可以打开，局域网里的其他电脑打不开。不加 --internal 时只提供网站，入户档案
    （OUTPUT/private/）和内部报表（OUTPUT/reports/）都打不开；加 --internal 时另在 /reports/ 提供内部报表，
    在 /private/dossiers/ 提供报表链接的入户档案（网页版）；这两部分都只在内存中生成，不写入输出目录。
    预览包括未提交的修改，只生成网站（不生成报表和 PDF：输出目录的 reports/ 和 private/ 保持上次 careledger build 的结果）。
    按 Ctrl+C 停止。

    例：careledger serve --content content/ --port 8000

    例：careledger serve --internal --content content/
    """
    if not content_dir.is_dir():
        raise click.ClickException(f"记录目录 {content_dir} 不存在")
    from . import cachestore

    cachestore.keep_in_memory()  # a rebuild takes what the last one read or wrote from memory, not unpickled again
    preview = Preview()
    try:
        server = start_server(output_dir, port, preview, internal=internal)
    except OSError as error:
        why = {errno.EADDRINUSE: "已被其他程序占用", errno.EACCES: "没有权限使用 1024 以下的端口"}.get(error.errno,
                                                                                          error.strerror)
        raise click.ClickException(f"端口 {port} 无法使用（{why}）：换一个，例如 --port 8001，或 --port 0") from None
    root = f"http://{HOST}:{server.server_address[1]}"
    try:
        watcher = Watcher(content_dir, _inside(content_dir, output_dir), interval)
        rebuild(content_dir, output_dir, as_of, preview, root + banner.FINDINGS_URL, internal)
        click.secho(f"预览网址：{root}/（只在本机可以打开；按 Ctrl+C 停止）", bold=True)
        if internal:
            _announce_internal(root, output_dir)
        watch(content_dir, output_dir, as_of, watcher, preview, root + banner.FINDINGS_URL, internal)
    except KeyboardInterrupt:
        click.echo("已停止预览。")
    finally:
        server.shutdown()


def _announce_internal(root: str, output: Path) -> None:
    click.secho(f"内部报表：{root}/reports/（含姓名和电话：只给本单位工作人员看，不要发给他人或截图外传）", bold=True)
    click.echo(f"入户档案：{root}/private/dossiers/（网页版，随记录更新；PDF 请用 careledger dossier 打印）")
