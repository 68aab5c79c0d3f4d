"""Validate a changed record file through the loader, then write it atomically.

The would-be bytes are read exactly as the loader reads the file (`bulkread`'s reference reading: YAML, schema,
records), its place in the tree is checked as the loader checks it, and the cross-record checks (`integrity`) run on
the records with this file's replaced. A change is refused when it adds an error, so errors already in the tree do
not block an entry, and an entry never adds one. Nothing touches the disk before the change is accepted.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .. import integrity
from ..bulkread import FileJob, Settings
from ..bulkread import read_raw
from ..findings import ERROR, Finding, Source
from ..records import Household, Inspection, Staff, Visit


@dataclass(frozen=True)
class Change:
    rel: str  # below the content root
    old: bytes | None  # None: a new file
    new: bytes
    line: int  # where the new entry starts


def _stem(rel: str) -> str:
    return rel.rpartition("/")[2].rpartition(".")[0]


def _job(rel: str) -> FileJob:
    if rel.startswith("visits/"):
        return FileJob(rel, Visit, True, (("visitor", _stem(rel)),))
    if rel.startswith("inspections/"):
        return FileJob(rel, Inspection, True, (("inspector", _stem(rel)),))
    if rel.startswith("households/"):
        return FileJob(rel, Household, False)
    if rel.startswith("staff/"):  # staff/<village>.yaml, staff/street.yaml (careledger import)
        return FileJob(rel, Staff, True, (("village", "" if _stem(rel) == "street" else _stem(rel)),))
    raise ValueError(rel)


def _place_errors(records, rel: str, parsed: list) -> list[Finding]:
    """What the loader checks of a file's place in the tree (load._Reader), for the kinds written here."""
    out = []
    folder = rel.rsplit("/", 2)[-2]
    if rel.startswith("staff/") and _stem(rel) != "street" and records.site.village(_stem(rel)) is None:
        out.append(Finding("E-FILE-NAME", ERROR, f"人员文件名应为村（社区）编号或 street；没有编号为“{_stem(rel)}”的村",
                           Source(rel)))
    for record in parsed:
        where = Source(rel, record.source.line, 1)
        if isinstance(record, (Visit, Inspection)) and f"{record.date:%Y-%m}" != folder:
            out.append(Finding("E-DATE-PLACE", ERROR, f"日期 {record.date} 不在目录 {folder} 的月份内", where,
                               path="date"))
        if isinstance(record, Household):
            if record.id != _stem(rel):
                out.append(Finding("E-FILE-NAME", ERROR, f"文件名与户编号“{record.id}”不一致", where, path="id"))
            if record.village != folder or records.site.village(record.village) is None:
                out.append(Finding("E-FILE-PLACE", ERROR, f"村（社区）“{record.village}”与目录不符", where,
                                   path="village"))
    return out


def _replaced(records, rel: str, parsed: list):
    if rel.startswith("visits/"):
        visits = [v for v in records.visits if v.source.file != rel] + parsed
        visits.sort(key=lambda r: (r.date, r.source.file, r.source.line, r.source.column))
        return dataclasses.replace(records, visits=tuple(visits))
    if rel.startswith("inspections/"):
        kept = [i for i in records.inspections if i.source.file != rel] + parsed
        kept.sort(key=lambda r: (r.date, r.source.file, r.source.line, r.source.column))
        return dataclasses.replace(records, inspections=tuple(kept))
    if rel.startswith("staff/"):
        staff = [s for s in records.staff if s.source.file != rel] + parsed
        return dataclasses.replace(records, staff=tuple(staff))
    households = [h for h in records.households if h.source.file != rel] + parsed
    return dataclasses.replace(records, households=tuple(households))


job_for = _job  # how the loader reads a file at `rel` (careledger import reads single entries with it)
replaced = _replaced  # the records as they would be with `rel` read as `parsed` (careledger import plans on it)


def _key(f: Finding, change: Change, before: bool) -> tuple:
    """A finding as it reads before and after the change: lines below the new text move down by its length, and a
    finding inside the new text is new by its place alone."""
    line = f.source.line
    if f.source.file == change.rel and change.old is not None and line >= change.line:
        added = change.new.count(b"\n") - change.old.count(b"\n")
        if before:
            line += added
        elif line < change.line + added:
            line = ("new", line)
    elif f.source.file == change.rel and change.old is None and not before:
        line = ("new", line)
    return f.code, f.source.file, f.path, f.message, line


def check_change(records, findings: list[Finding], change: Change, today) -> tuple[list, list[Finding]]:
    """(the file's records as they would be read, the errors the change would add; none: accept it)."""
    settings = Settings(today, records.site.synthetic_ids)
    parsed, file_findings = read_raw(change.new, records.root, _job(change.rel), settings)
    cross_before = integrity.check(records)  # also in `findings`, which has the file's own reading besides
    before = [f for f in findings if f.source.file == change.rel and f not in cross_before] + cross_before
    after = file_findings + _place_errors(records, change.rel, parsed)
    after += integrity.check(_replaced(records, change.rel, parsed))
    if not parsed and not any(f.is_error for f in after):
        after.append(Finding("E-EMPTY", ERROR, "写入后文件中没有可读的记录", Source(change.rel)))
    seen = Counter(_key(f, change, True) for f in before if f.is_error)
    added = []
    for f in after:
        if not f.is_error:
            continue
        key = _key(f, change, False)
        if seen[key]:
            seen[key] -= 1
        else:
            added.append(f)
    return parsed, added


def describe(f: Finding) -> str:
    where = f.source.file + (f":{f.source.line}:{f.source.column}" if f.source.line else "")
    field = f" {f.path}" if f.path else ""
    return f"{where} [{f.code}]{field} {f.message}"


def write_atomically(root: Path, change: Change) -> None:
    """Replace (or create) the file in one step: a crash leaves the old file or the new one, never half of one."""
    path = Path(root) / change.rel
    current = path.read_bytes() if path.exists() else None
    if current != change.old:
        raise OSError(f"{change.rel} 在录入期间被修改过，未写入：请重新运行命令")
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if current is not None else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(change.new)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
