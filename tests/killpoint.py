"""Run careledger and SIGKILL it just before its N-th file system call while it writes the output.

    python tests/killpoint.py N COUNT_FILE tree OUTPUT SEED     write a synthetic tree (see `tree_for`) into OUTPUT
    python tests/killpoint.py N COUNT_FILE cli ARGS...          run `careledger ARGS...`

The calls counted are those that change the file system (mkdir, write, link, rename, exchange, unlink, rmdir)
and fsync, and only inside `output._write`, so the kill always falls in the writing of the output. N < 0 kills nothing; the
number of calls made, and the index of the call that swaps the trees, are then written to COUNT_FILE, so a test
knows every point it can kill at.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def tree_for(seed: str) -> dict[str, bytes]:
    """Two different trees that share some files (linked from the old output) and differ in others."""
    files = {f"site/v{i}/index.html": f"village {i}".encode() for i in range(4)}
    files.update({f"private/dossiers/h{i}.pdf": f"%PDF {seed} {i}".encode() for i in range(5)})
    files[f"reports/{seed}.csv"] = seed.encode()
    files["BUILD.json"] = f'{{"seed": "{seed}"}}'.encode()
    return files


def install(kill_at: int, count_file: str) -> None:
    from careledger import oscalls, output

    state = {"active": False, "calls": 0, "exchange": -1}

    def counted(function, name=""):
        def wrapper(*args, **kwargs):
            if state["active"]:
                if state["calls"] == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
                if name == "exchange":
                    state["exchange"] = state["calls"]
                state["calls"] += 1
            return function(*args, **kwargs)
        return wrapper

    for name in ("mkdir", "link", "rename", "replace", "unlink", "rmdir", "fsync"):
        setattr(os, name, counted(getattr(os, name)))
    Path.write_bytes = counted(Path.write_bytes)
    oscalls.exchange = counted(oscalls.exchange, "exchange")
    real_write = output._write

    def write(*args, **kwargs):
        state["active"] = True
        try:
            return real_write(*args, **kwargs)
        finally:
            state["active"] = False

    output._write = write
    if kill_at < 0:
        import atexit

        atexit.register(lambda: Path(count_file).write_text(f"{state['calls']} {state['exchange']}"))


def main() -> None:
    kill_at, count_file, mode, *rest = sys.argv[1:]
    install(int(kill_at), count_file)
    if mode == "tree":
        from careledger.output import write_tree

        write_tree(Path(rest[0]), tree_for(rest[1]))
        return
    from careledger.cli import main as cli

    cli(rest, prog_name="careledger")


if __name__ == "__main__":
    main()
