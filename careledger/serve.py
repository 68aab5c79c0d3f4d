"""`careledger serve`: a preview of the published site on this computer while records are being edited.

It builds (the site and the reports, without the paper: `build --no-paper --allow-dirty`, since a preview is of
uncommitted edits), serves OUTPUT/site/ and nothing else on 127.0.0.1, and watches the content directory by polling
the files' sizes and modification times (no dependency; a county's records are walked in well under a second). When
a file changes it builds again and prints the findings; a build with errors prints them and the previous site stays
up. The server's root is OUTPUT/site/ itself, so OUTPUT/private/ (full personal data) and OUTPUT/reports/ lie outside
it: no URL reaches them (the handler drops `..`), directory listings are refused, and it never listens beyond the
loopback interface. The build swaps the whole output directory in one step, so a request never sees half a site.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from .cli import as_of_option, content_option, main, output_option, print_findings

HOST = "127.0.0.1"  # the preview holds what the site holds, but uncommitted: never on the network


class SiteHandler(SimpleHTTPRequestHandler):
    """Files below the site folder; no listings, no caching (a rebuilt page shows on reload), no request log."""

    def list_directory(self, path):
        self.send_error(404, "Not Found")
        return None

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format, *args):
        pass


def start_server(site: Path, port: int) -> ThreadingHTTPServer:
    """Serve `site` on the loopback interface from a background thread; port 0 takes a free one."""
    handler = functools.partial(SiteHandler, directory=os.path.abspath(site))
    server = ThreadingHTTPServer((HOST, port), handler)
    threading.Thread(target=server.serve_forever, name="careledger-serve", daemon=True).start()
    return server


def snapshot(content: Path, skip: Path | None = None) -> dict[str, tuple[int, int, int]]:
    """Every file below `content` (dot folders such as .git left out, and the output if it lies inside) by size,
    modification time and inode: an editor that saves by renaming changes the inode."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(content):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and (skip is None or Path(dirpath, d) != skip)]
        for name in filenames:
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError:
                continue  # removed while walking: the next poll sees it gone
            state[path] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return state


def rebuild(content: Path, output: Path, as_of: dt.date) -> None:
    """One preview build, reported on the terminal; errors leave the previous site in place."""
    from .pipeline import BuildFailed, build_all

    started = time.monotonic()
    try:
        result = build_all(content, output, as_of=as_of, allow_dirty=True, paper=False)
    except BuildFailed as failed:
        print_findings(failed.findings, "text")
        click.secho("有错误，网站未更新：浏览器里仍是上次生成的页面。改正后保存，会自动重新生成。", fg="red", err=True)
        return
    if result.findings:
        print_findings(result.findings, "text")
    policy = result.policy_findings
    errors = sum(1 for f in policy if f.is_error)
    click.echo(f"政策检查：{errors} 个错误，{len(policy) - errors} 个警告（careledger check 列出详情）。")
    click.secho(f"{time.strftime('%H:%M:%S')} 已生成网站（基准日 {as_of}，用时 {time.monotonic() - started:.1f} 秒）。",
                fg="green")


def _inside(content: Path, output: Path) -> Path | None:
    return output.resolve() if output.resolve().is_relative_to(content.resolve()) else None


def watch(content: Path, output: Path, as_of: dt.date, interval: float, seen: dict) -> None:
    """Poll until interrupted; `seen` is the snapshot taken before the last build, so an edit made while it ran
    is not missed."""
    skip = _inside(content, output)
    while True:
        time.sleep(interval)
        now = snapshot(content, skip)
        if now != seen:
            changed = sorted(set(now) ^ set(seen) | {p for p in now if p in seen and now[p] != seen[p]})
            shown = "、".join(os.path.relpath(p, content) for p in changed[:3]) + ("等" if len(changed) > 3 else "")
            click.echo(f"记录有变化（{shown}），重新生成……")
            seen = now
            rebuild(content, output, as_of)


@main.command()
@content_option
@output_option
@as_of_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="本机端口；0 表示任选一个空闲端口。")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.1, 60),
              help="每隔多少秒查看一次记录是否有变化。")
def serve(content_dir: Path, output_dir: Path, as_of: dt.date, port: int, interval: float):
    """在本机预览公开网站：先生成，再在 http://127.0.0.1:端口/ 提供 OUTPUT/site/，记录一有改动就重新生成并在这里列出问题。

    只在本机（127.0.0.1）可以打开，局域网里的其他电脑打不开；只提供网站，入户档案（OUTPUT/private/）和内部报表
    （OUTPUT/reports/）不在其中。预览包括未提交的修改，不生成 PDF。按 Ctrl+C 停止。

    例：careledger serve --content content/ --port 8000
    """
    if not content_dir.is_dir():
        raise click.ClickException(f"记录目录 {content_dir} 不存在")
    seen = snapshot(content_dir, _inside(content_dir, output_dir))
    rebuild(content_dir, output_dir, as_of)
    try:
        server = start_server(output_dir / "site", port)
    except OSError as error:
        raise click.ClickException(f"端口 {port} 无法使用（{error.strerror}）：换一个，例如 --port 8001，或 --port 0") from None
    click.secho(f"预览网址：http://{HOST}:{server.server_address[1]}/（只在本机可以打开；按 Ctrl+C 停止）", bold=True)
    try:
        watch(content_dir, output_dir, as_of, interval, seen)
    except KeyboardInterrupt:
        click.echo("已停止预览。")
    finally:
        server.shutdown()
