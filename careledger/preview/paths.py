"""Which file a preview URL reaches, if any.

A URL reaches a file on disk only through a mount: a URL prefix mapped to one folder of the output; the preview has
one, the site at /. Nothing of OUTPUT/reports/ or OUTPUT/private/ is ever read from disk: `serve --internal` answers
/reports/ and /private/dossiers/ from files it made in memory (internal.py), looked up by exact name (`in_memory`).
A URL is refused (None: the handler answers 404) when any segment is empty,
`.`, `..` or starts with a dot, holds a backslash or NUL once decoded (`%2e%2e`, `%2f`, `%5c` included), when it is
not a path at all (an absolute URL, `*`), or when the file it names, symlinks followed, lies outside its mount's folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Mount:
    prefix: tuple[str, ...]  # URL segments, () for the root
    folder: Path
    suffixes: frozenset[str] | None = None  # only these file types, or any


def mounts(output: Path) -> list[Mount]:
    """Longest prefix first."""
    return [Mount((), output / "site")]


MEMORY_PREFIXES = (("reports",), ("private", "dossiers"))  # what `serve --internal` answers from memory


@dataclass(frozen=True)
class Target:
    file: Path | None  # the file to send
    redirect: str | None = None  # a folder asked for without its slash: where to send the browser
    key: str | None = None  # in_memory: the name of the file to send


def segments(raw: str) -> tuple[list[str], bool] | None:
    """The decoded segments of a request target and whether it ends with a slash, or None if it is no safe path."""
    if not raw.startswith("/") or raw.startswith("//"):
        return None
    path = urlsplit(raw).path
    parts = path.split("/")[1:]
    folder = parts[-1] == "" if parts else True
    if folder:
        parts = parts[:-1]
    decoded = []
    for part in parts:
        try:
            name = unquote(part, errors="strict") if "%" in part else part
        except UnicodeDecodeError:  # bytes that are no UTF-8 name no file
            return None
        if not name or name.startswith(".") or any(c in name for c in "/\\\x00") or ":" in name:
            return None
        decoded.append(name)
    return decoded, folder


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def resolve(raw: str, table: list[Mount]) -> Target | None:
    parsed = segments(raw)
    if parsed is None:
        return None
    parts, folder = parsed
    mount = next((m for m in table if tuple(parts[:len(m.prefix)]) == m.prefix), None)
    if mount is None:
        return None
    rest = parts[len(mount.prefix):]
    base = os.path.realpath(mount.folder)
    real = os.path.realpath(os.path.join(base, *rest))
    if not _inside(real, base) or not os.path.exists(real):
        return None
    if os.path.isdir(real):
        if not folder:
            return Target(None, redirect=urlsplit(raw).path + "/")
        real = os.path.join(real, "index.html")
        if not os.path.isfile(real):
            return None  # never a listing
    elif folder:
        return None
    if mount.suffixes is not None and os.path.splitext(real)[1].lower() not in mount.suffixes:
        return None
    return Target(Path(real))


def in_memory(raw: str, files) -> Target | None:
    """For a URL below MEMORY_PREFIXES: the key of `files` it names (as Target.file), a redirect for a folder without
    its slash, or Target(None) (no key) when there is no such file. None when the URL is not below those prefixes."""
    parsed = segments(raw)
    if parsed is None:
        return None
    parts, folder = parsed
    if not any(tuple(parts[:len(p)]) == p for p in MEMORY_PREFIXES):
        return None
    key = "/".join(parts)
    if folder or key + "/index.html" in files:
        if not folder:
            return Target(None, redirect=urlsplit(raw).path + "/")
        key += "/index.html"
    return Target(None, key=key if key in files else None)
