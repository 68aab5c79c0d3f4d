"""The privacy proof on a rebuild: a file proven clean against the same secrets need not be scanned again.

`scan` (proof.py) reads each file on its own: its verdict is a function of the file's path and bytes and of the
`Secrets`. So after a clean proof this module keeps, under cache_root()/proof/, the blake2b digest of every file's
bytes, in a cache file named by the digest of the secrets but their as-of date (and of the proof's own code). The
next build with the same secrets scans only the files whose bytes differ (new or changed); a build whose secrets
differ in any way (a new name, phone, ID number, public text or page) finds no cache file under its digest and
scans everything. The verdict is that of a full scan: the files it skips were clean against these very secrets.
A missing, torn or altered cache file (cachestore.unseal) means a full scan; only a clean proof is remembered.

The as-of date decides one thing only: an ID number whose birth date is after it is not yet a valid one. So each
file is kept with the last as-of date its proof holds for: the day before the first such birth date in it (`scan`'s
`later`), else any. A clean file is clean on every earlier date too (fewer numbers are valid then), so a new day
rescans only the files that changed and those with a number born since, not the whole site (issue 16).

A one-visit commit leaves the secrets as they were (visits hold no value the proof looks for: `secrets_of` reads
households, staff, the site and the profile), so it rescans the few pages it changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from pathlib import Path

from . import cachestore, identifiers, personal, privacy, proof, reading, workers
from .findings import Finding

_CODE = tuple(Path(m.__file__) for m in (proof, reading, identifiers, privacy, personal, cachestore))
ONE_DAY = dt.timedelta(days=1)


def secrets_digest(secrets: proof.Secrets) -> str:
    """The digest of everything the scan's verdict depends on besides the file and the as-of date (module
    docstring): the secrets and the proof's code."""
    h = hashlib.blake2b(digest_size=20)
    for path in _CODE:
        h.update(path.read_bytes())
    h.update(_written(secrets))
    return h.hexdigest()


def _written(s: proof.Secrets) -> bytes:
    """The secrets as the digest takes them; the last one's kept (the preview hands the same Secrets back while
    the records it was made of are the same: `proof.secrets_of`; a Secrets is frozen and read-only)."""
    if _last_written and _last_written[0] is s:
        return _last_written[1]
    # repr, not pickle: a pickle's bytes depend on which equal strings are one object (the parse cache shares them)
    written = repr((sorted(s.texts.items()), sorted(s.numbers.items()), sorted(s.allowed_phones), s.public,
                    sorted(s.pages.items()), sorted((s.whole or {}).items()), s.words)).encode()
    _last_written[:] = (s, written)
    return written


_last_written: list = []  # (the last Secrets digested, its bytes)


def file_digests(files: Mapping[str, bytes]) -> dict[str, bytes]:
    return {path: hashlib.blake2b(data, digest_size=20).digest() for path, data in files.items()}


def scan_changed(files: Mapping[str, bytes], secrets: proof.Secrets, *, prefix: str = "site/",
                 folder: Path | None = None, ids: tuple[str, ...] = ()) -> list[Finding]:
    """The findings of `proof.scan(files, secrets, ids=ids)`, scanning only what the last clean proof under the same
    secrets did not already prove clean on this as-of date (the build's `ids` change only the files that show them:
    version.html)."""
    folder = folder or cachestore.cache_root() / "proof"
    digest = secrets_digest(secrets)
    target = folder / f"{digest}.pickle"
    digests = file_digests(files)
    try:
        proven = cachestore.read_sealed(target)
    except OSError:
        proven = None
    if not isinstance(proven, dict):
        proven = {}
    clean = {}  # path → (its digest, the last as-of date its proof holds for)
    for path, data_digest in digests.items():
        kept = proven.get(path)
        if (isinstance(kept, tuple) and len(kept) == 2 and kept[0] == data_digest and type(kept[1]) is dt.date
                and secrets.as_of <= kept[1]):
            clean[path] = kept
    later: dict = {}
    findings = _scan({path: data for path, data in files.items() if path not in clean}, secrets, prefix, ids, later)
    if not findings:
        clean.update((path, (digests[path], later[path] - ONE_DAY if path in later else dt.date.max))
                     for path in digests if path not in clean)
        _remember(folder, target, clean)
    return findings


IN_PROCESS_UP_TO = 200  # fewer files to scan than this are scanned in this process: a fork costs more
_PART = 40  # files a task


def _scan(files: Mapping[str, bytes], secrets: proof.Secrets, prefix: str, ids: tuple[str, ...],
          later: dict) -> list[Finding]:
    """`proof.scan(files, secrets, later=later)`, on every core when the files are many (workers.shared_map, forked
    after the render: the workers read the files and the scanner in place). A file's verdict depends only on it and
    the secrets, and `scan` goes through the files in sorted order, so the findings of consecutive parts of that
    order, put together, are those of one scan."""
    if len(files) < IN_PROCESS_UP_TO:
        return proof.scan(files, secrets, prefix=prefix, ids=ids, later=later)
    paths = sorted(files)
    parts = [paths[i:i + _PART] for i in range(0, len(paths), _PART)]
    shared = (files, secrets, prefix, proof.scanner_of(secrets), ids)
    findings = []
    for found, dates in workers.shared_map(_scan_part, parts, shared=shared):
        findings += found
        later.update(dates)
    return findings


def _scan_part(paths: list[str]) -> tuple[list[Finding], dict]:
    files, secrets, prefix, scanner, ids = workers.shared()
    later: dict = {}
    found = proof.scan({path: files[path] for path in paths}, secrets, prefix=prefix, scanner=scanner, ids=ids,
                       later=later)
    return found, later


def _remember(folder: Path, target: Path, clean: dict[str, tuple]) -> None:
    """Keep the last clean proof only: the cache file of other secrets goes (best effort: it is only a cache)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        cachestore.write_sealed(target, clean)
        for old in folder.glob("*.pickle"):
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        pass
