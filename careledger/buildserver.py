"""The build server (issue 16): `careledger build` run from a terminal hands its build to a process that stays.

A build in a fresh process unpickles every record of the county before it can tell what changed; a process that
builds again keeps what it read (`cachestore.keep_in_memory`, as `careledger serve` does), so its next build costs
what changed. Like Bazel's client and server, or Mercurial's chg: the `build` command (the client) connects to a
server on a Unix socket, hands it its standard output and error (the file descriptors themselves, so colours,
progress bars and messages are exactly a local build's), its working directory, environment and umask, and the
command's arguments; the server runs the same command (cli.py) in its process and answers with the exit code. The
client is the command's entry point (launch.py), which hands the build over before it imports the command line.

- One server per careledger code, Python, cache folder and output encoding (`server_key`): changed code starts
  another server (the old one is never asked again, and exits when idle).
- The socket lives in a folder only this user can enter (`runtime_folder`), and each side checks the other's uid.
- The server builds one request at a time and exits after `IDLE_SECONDS` without one, when its socket is removed
  (`careledger shutdown`), after a build that ended by an interrupt or an unexpected error (what it kept might
  then be half made: the next build starts a fresh server), or after a build that left the machine short of memory
  (`memory_short`).
- Used when the setting `CARELEDGER_BUILD_SERVER` is 1, never when it is 0; unset, only when the output goes to a
  terminal and not in CI (a script, cron job or CI run builds in its own process, as before).
- When no server answers, the client starts one and waits for it; when the server fails to answer, the build runs
  in the client's process instead.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

SETTING = "CARELEDGER_BUILD_SERVER"
IDLE_SECONDS = 15 * 60  # a server left alone this long exits (and frees the county it holds)
TICK_SECONDS = 5.0  # how often an idle server looks whether its socket is still its own
COLLECT_AFTER_SECONDS = 10.0  # idle this long after a build, the server collects the garbage its builds left
IDLE_WORK_AFTER = 0.25  # idle this long after a build, the server does the work it left (`cachestore.when_idle`)
START_SECONDS = 20.0  # how long a client waits for the server it started to listen
_HEADER = struct.Struct("!Q")  # the length of the request's JSON, sent with the file descriptors


class SettingError(ValueError):
    """The setting holds something other than 0 or 1."""


def supported() -> bool:
    """Whether this system can pass file descriptors and name a socket's peer (Linux, and WSL, can)."""
    return all(hasattr(socket, name) for name in ("AF_UNIX", "SO_PEERCRED", "send_fds"))


def setting() -> str:
    """The setting: "1", "0" or "" (unset); SettingError for anything else."""
    value = os.environ.get(SETTING, "").strip()
    if value not in ("", "0", "1"):
        raise SettingError(f"环境变量 {SETTING} 只能是 1（使用后台构建进程）或 0（不使用），现在是“{value}”")
    return value


def wanted(stdout=None) -> bool:
    """Whether this `careledger build` should use the build server (the module's docstring); never where it is not
    `supported`. SettingError for a setting other than 0 or 1."""
    value = setting()
    if not supported():
        return False
    if value:
        return value == "1"
    stream = stdout or sys.stdout
    return stream.isatty() and not os.environ.get("CI")


# -- where the server is --------------------------------------------------------------------------------------


def server_key() -> str:
    """What a server must share with its client: careledger's code (`fingerprint.of_code`), the Python that runs it,
    the cache folder it keeps and the encoding its messages are written in (the server's streams keep the one they
    were opened with)."""
    from . import cachestore, fingerprint

    text = "|".join([fingerprint.of_code(), sys.executable, sys.version, str(cachestore.configured_root()),
                     str(os.getuid()), sys.stdout.encoding or "", sys.stderr.encoding or ""])
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


def runtime_folder() -> Path:
    """A folder for this user's sockets that nobody else may enter: `$XDG_RUNTIME_DIR/careledger`, else
    `careledger-<uid>` in the temporary folder. Made 0700; refused (OSError) when it is not ours or others may
    enter it (someone else could otherwise put a socket of theirs where our client looks)."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    folder = Path(base) / "careledger" if base and os.path.isdir(base) else \
        Path(tempfile.gettempdir()) / f"careledger-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise OSError(errno.EPERM, f"{folder} is not a private folder of this user")
    return folder


def socket_path(key: str) -> Path:
    """Where the server for `key` listens; OSError when that path is too long for a Unix socket (about 100 bytes:
    then there is no server, and each build runs in its own process)."""
    path = runtime_folder() / f"build-{key}.sock"
    if len(os.fsencode(path)) > 100:
        raise OSError(errno.ENAMETOOLONG, f"{path} is too long for a socket")
    return path


def _peer(connection: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end."""
    creds = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _ = struct.unpack("3i", creds)
    return pid, uid


def servers() -> list[tuple[Path, int]]:
    """(socket, process id) of each build server of this user that answers."""
    if not supported():
        return []
    try:
        folder = runtime_folder()
    except OSError:
        return []
    found = []
    for path in sorted(folder.glob("build-*.sock")):
        connection = _connect(path)
        if connection is not None:
            with connection:
                found.append((path, _peer(connection)[0]))
    return found


# -- the client -----------------------------------------------------------------------------------------------


def hand_over(arguments: list[str]) -> int | None:
    """Run `careledger` with these arguments (`build` and its options) in the build server when one is `wanted`,
    starting one when none answers: its exit code, or None when the command is to run in this process (no server
    wanted or able to take it; a setting other than 0 or 1, which the command then reports)."""
    try:
        if not wanted():
            return None
        key = server_key()
        path = socket_path(key)
    except (OSError, SettingError):
        return None
    connection = _connect(path)
    if connection is None:
        started = start(path, key)
        connection = _wait_for(path, started)
        if connection is None:
            return None
        _notify(f"已在后台启动构建进程（进程号 {started.pid}）：以后的构建只重做有变化的部分，快得多。"
                f"它空闲 {IDLE_SECONDS // 60} 分钟后自行退出；careledger shutdown 可立即停止它，"
                f"设环境变量 {SETTING}=0 则不使用。")
    with connection:
        code = _ask(connection, arguments)
    if code is None:
        _notify("后台构建进程没有完成这次构建就退出了：改在本进程中生成。")
    return code


def _notify(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _connect(path: Path) -> socket.socket | None:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(path))
        if _peer(connection)[1] != os.getuid():
            raise ConnectionRefusedError
    except OSError:
        connection.close()
        return None
    return connection


def start(path: Path, key: str, idle: float = IDLE_SECONDS) -> subprocess.Popen:
    """Start a server for `path` in a session of its own (a Ctrl+C in the terminal is the client's to pass on),
    importing this very careledger; its own messages go to a log beside the socket."""
    package_parent = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled modules kept, as an installed careledger has them
    log = path.with_suffix(".log")
    with open(log, "ab") as log_file:
        return subprocess.Popen([sys.executable, "-m", "careledger.buildserver", str(path), key, str(idle)],
                                stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file, cwd="/", env=env,
                                start_new_session=True, close_fds=True)


def _wait_for(path: Path, started: subprocess.Popen) -> socket.socket | None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        connection = _connect(path)
        if connection is not None:
            return connection
        if started.poll() is not None:  # it exited: another client's server may have taken the socket
            return _connect(path)
        time.sleep(0.02)
    return None


def _ask(connection: socket.socket, arguments: list[str]) -> int | None:
    """Send the request with this process's standard output and error; wait for the exit code. A Ctrl+C is passed
    to the server (its build stops as a local one would, and says so); a second one, or a server that answers
    nothing after it, ends this command as a Ctrl+C ends a local build (KeyboardInterrupt)."""
    main = sys.modules["__main__"]  # how the command was run, for its usage messages (`_program_name`)
    request = json.dumps({"arguments": arguments, "program": [sys.argv[0], getattr(main, "__package__", None)],
                          "cwd": os.getcwd(), "env": dict(os.environ),
                          "umask": _umask()}).encode()
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        socket.send_fds(connection, [_HEADER.pack(len(request))], [sys.stdout.fileno(), sys.stderr.fileno()])
        connection.sendall(request)
    except OSError:
        return None
    server_pid = _peer(connection)[0]
    reply, interrupted = b"", False
    while True:
        try:
            chunk = connection.recv(4096)
        except KeyboardInterrupt:
            if interrupted:
                raise  # the second: leave now (click says 已中止, as for a build of this process's own)
            interrupted = True
            with contextlib.suppress(OSError):
                os.kill(server_pid, signal.SIGINT)
            continue
        except OSError:
            chunk = b""
        if not chunk:
            break
        reply += chunk
    try:
        return int(json.loads(reply)["exit"])
    except (ValueError, KeyError, TypeError):
        if interrupted:  # stopped, not to be built here instead
            raise KeyboardInterrupt from None
        return None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def stop_all() -> list[int]:
    """Stop every build server of this user (`careledger shutdown`): its socket removed, then SIGTERM (an idle server
    exits at once, a busy one after its build). The process ids asked to stop."""
    stopped = []
    for path, pid in servers():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        stopped.append(pid)
    return stopped


# -- the server -----------------------------------------------------------------------------------------------


class _Stop(Exception):
    """SIGTERM while idle: the server exits now."""


class _Termination:
    """SIGTERM (`careledger shutdown`, the system's shutdown): an idle server exits at once, a busy one after the
    build it is running (which it finishes and answers, as it would have without the signal)."""

    def __init__(self):
        self.busy = False
        self.asked = False

    def __call__(self, signum, frame):
        self.asked = True
        if not self.busy:
            raise _Stop


def serve(path: Path, key: str, idle: float = IDLE_SECONDS) -> None:
    """Answer build requests on `path` until idle for `idle` seconds, the socket is no longer ours, or a build
    ended in a way that leaves what is kept in doubt."""
    from . import cachestore

    if key != server_key():  # the code changed between the client's look and this start
        return
    cachestore.keep_in_memory()
    import careledger.cli  # noqa: F401  -- imported now, not at the first build (the client is waiting)
    import careledger.pipeline  # noqa: F401

    listener = _listen(path)
    if listener is None:
        return
    mine = os.stat(path).st_ino
    termination = _Termination()
    signal.signal(signal.SIGTERM, termination)
    # A build stops on the Ctrl+C its client passes on (SIGINT, `_ask`), however the server was started: a command
    # run in the background of a script or a CI job has SIGINT ignored, and the server would inherit that.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    # a build's worker processes die of SIGTERM as elsewhere (a pool's terminate sends it)
    os.register_at_fork(after_in_child=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))
    last = time.monotonic()
    uncollected = False  # objects held frozen since the last collection (`cachestore.hold_frozen`)
    with listener:
        while not termination.asked:
            # the work a build left for an idle moment (its caches) waits for a request that comes right away
            listener.settimeout(IDLE_WORK_AFTER if cachestore.idle_work_waiting() else min(TICK_SECONDS, idle))
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                if cachestore.idle_work_waiting():
                    termination.busy = True  # (a SIGTERM now ends the server once the work is done)
                    cachestore.finish_idle_work()
                    cachestore.forget_gone()  # (the values kept of cache files replaced: the walk's shards)
                    termination.busy = False
                    continue
                if time.monotonic() - last >= idle or not _still_mine(path, mine):
                    break
                if uncollected and time.monotonic() - last >= COLLECT_AFTER_SECONDS:
                    cachestore.collect_frozen()  # the cycles of the builds since, while no client waits
                    uncollected = False
                continue
            except (_Stop, KeyboardInterrupt):  # (a Ctrl+C the client passed on just after its build ended)
                break
            with cachestore.saves_after(leave_idle_work=True):  # (the caches: once the client has its answer)
                with connection:
                    if _peer(connection)[1] != os.getuid():
                        continue
                    termination.busy = True
                    carry_on = _answer(connection)
            cachestore.hold_frozen()  # what is kept is not scanned again by the next build's collections
            uncollected = True
            termination.busy = False
            last = time.monotonic()
            if not carry_on or not _still_mine(path, mine) or memory_short():
                break
    with contextlib.suppress(_Stop, KeyboardInterrupt):
        cachestore.finish_idle_work()
    if _still_mine(path, mine):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    log = path.with_suffix(".log")
    with contextlib.suppress(OSError):
        if not log.stat().st_size:  # kept only when it says why a server failed
            log.unlink()


def _listen(path: Path) -> socket.socket | None:
    """Listen on `path`; None when another live server has it already (two clients started one each)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)  # the socket itself 0600 (its folder is 0700 already)
    try:
        try:
            listener.bind(str(path))
        except OSError as error:
            if error.errno != errno.EADDRINUSE or _connect(path) is not None:
                listener.close()
                return None
            path.unlink()  # a dead server's socket
            listener.bind(str(path))
    finally:
        os.umask(old)
    listener.listen(8)
    return listener


def memory_short(meminfo: str | None = None) -> bool:
    """Whether the machine has less than a quarter of its memory available (`/proc/meminfo`): a server then exits
    after its build, giving back what it holds (about 3 GB at 25,000 households) rather than keep it for speed."""
    if meminfo is None:
        try:
            meminfo = Path("/proc/meminfo").read_text()
        except OSError:
            return False
    values = {}
    for line in meminfo.splitlines():
        name, _, rest = line.partition(":")
        number = rest.split()[:1]
        if number and number[0].isdigit():
            values[name] = int(number[0])
    total, available = values.get("MemTotal"), values.get("MemAvailable")
    return bool(total and available is not None and available < total / 4)


def _still_mine(path: Path, inode: int) -> bool:
    try:
        return os.stat(path).st_ino == inode
    except OSError:
        return False


def _answer(connection: socket.socket) -> bool:
    """Run one request with the client's output, directory, environment and umask; send the exit code. Whether the
    server may go on (False after an interrupt or an unexpected error)."""
    message, fds, _, _ = socket.recv_fds(connection, _HEADER.size, 2)
    try:
        if len(message) != _HEADER.size or len(fds) != 2:
            return True
        (length,) = _HEADER.unpack(message)
        request = json.loads(_read_exactly(connection, length))
        with _as_the_client(request, fds):
            code, carry_on = _run(request["arguments"], _program_name(*request["program"]))
        with contextlib.suppress(OSError):
            connection.sendall(json.dumps({"exit": code}).encode())
        return carry_on
    finally:
        for fd in fds:
            os.close(fd)


def _read_exactly(connection: socket.socket, length: int) -> bytes:
    parts, left = [], length
    while left:
        chunk = connection.recv(min(left, 1 << 16))
        if not chunk:
            raise ConnectionError("the client left")
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


@contextlib.contextmanager
def _as_the_client(request: dict, fds: list[int]):
    """Standard output and error, working directory, environment and umask are the client's while its build runs
    (and the server's again after, whatever happened: a working directory gone since raises here)."""
    saved_fds = [os.dup(1), os.dup(2)]
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    streams = (sys.stdout, sys.stderr)
    for stream in streams:
        stream.flush()
    old_mask = os.umask(int(request["umask"]))
    try:
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for stream in streams:
            stream.reconfigure(line_buffering=stream.isatty())
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        yield
    finally:
        os.umask(old_mask)
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        for stream in streams:
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        for fd in saved_fds:
            os.close(fd)
        for stream in streams:
            stream.reconfigure(line_buffering=False)


def _program_name(argv0: str, main_package: str | None) -> str:
    """The command's name as click gives it in the client's process ("careledger", "python -m careledger")."""
    from types import SimpleNamespace

    from click.utils import _detect_program_name

    return _detect_program_name(argv0, SimpleNamespace(__package__=main_package))


def _run(arguments: list[str], program: str = "careledger") -> tuple[int, bool]:
    """(exit code, whether the server may go on) of `careledger` with these arguments, run here as the command runs
    in a process of its own (click's standalone mode, whose exits and messages are spelled out here)."""
    import click

    from . import cli, clizh

    try:
        code = cli.main.main(args=arguments, prog_name=program, standalone_mode=False)
        return (code if isinstance(code, int) else 0), True
    except click.ClickException as problem:  # (a usage error, a build stopped by errors in the records)
        problem.show()
        return problem.exit_code, True
    except (click.Abort, KeyboardInterrupt) as stopped:  # as click ends an interrupted command
        if isinstance(stopped, KeyboardInterrupt):
            click.echo(err=True)  # (click says this itself before its Abort)
        click.echo(clizh.gettext("Aborted!"), err=True)
        return 1, False
    except BaseException:  # what a local build would print, then a fresh server next time
        traceback.print_exc()
        return 1, False


def main(arguments: list[str]) -> None:
    path, key, idle = arguments
    serve(Path(path), key, float(idle))


if __name__ == "__main__":
    main(sys.argv[1:])
