"""The worked examples of the clerk's docs (docs/records.md, docs/rules/*.md), read and run as the clerk would.

The sample records of docs/records.md (its blocks headed `# 文件：<path>`) make a small jurisdiction. An example
changes it with one or more blocks headed `# 例：<path>（整个文件）` (write that file) or `# 例：<path>（加在末尾）`
(append to it); `（加在末尾，2026-11-20 提交）` also commits the change on that day, after the sample records were
committed as they are on the first such day, so that the audit trail (docs/rules/audit.md) has a history. A block
starting `$ careledger check --as-of <date>` then shows what `careledger check` prints on that day under the files
it names (a line without indent names a file; the indented lines below it are all of that file's findings).

`python -m tests.docexamples docs/rules/x.md` prints those lines for each example of a page; with `--write` it puts
them into the page's check blocks (read the result before committing it: the test compares the codes, the reader
trusts the rest).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS_MD = ROOT / "docs" / "records.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", flags=re.S | re.M)
SAMPLE = re.compile(r"# 文件：(\S+)")
EDIT = re.compile(r"# 例：(\S+)（(整个文件|加在末尾)(?:，(\d{4}-\d{2}-\d{2}) 提交)?）")
CLERK = ("周文清", "zhouwq@example.invalid")  # the sample's clerk (staff/street.yaml, git:)
CHECK = re.compile(r"\$ careledger check --as-of (\d{4}-\d{2}-\d{2})")
CODE = re.compile(r"\[([A-Z][A-Z0-9-]+)\]")


@dataclass
class Example:
    page: str
    line: int
    edits: list  # (path, mode, text, commit day or None)
    as_of: dt.date
    codes: dict  # file -> the codes the doc shows under it, in order

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def fenced(text: str):
    """(language, body, line) of each fenced block."""
    for m in FENCE.finditer(text):
        yield m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1


def write_samples(root: Path) -> int:
    """The sample records of docs/records.md, written below `root`; how many files."""
    written = 0
    for _, body, _ in fenced(RECORDS_MD.read_text(encoding="utf-8")):
        m = SAMPLE.match(body)
        if m:
            path = root / m.group(1)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")
            written += 1
    (root / "pages").mkdir(exist_ok=True)
    (root / "pages" / "about.md").write_text("# 关于本站\n", encoding="utf-8")
    return written


def examples(page: Path) -> list[Example]:
    found, edits = [], []
    for _, body, line in fenced(page.read_text(encoding="utf-8")):
        first = body.split("\n", 1)[0]
        if m := EDIT.fullmatch(first):
            edits.append((m.group(1), m.group(2), body, m.group(3)))
        elif m := CHECK.fullmatch(first):
            codes: dict[str, list[str]] = {}
            for out in body.split("\n")[1:]:
                if out.strip() and not out.startswith(" "):
                    codes[out.strip()] = current = []
                elif c := CODE.search(out):
                    current.append(c.group(1))
            found.append(Example(str(page.relative_to(ROOT)), line, edits, dt.date.fromisoformat(m.group(1)), codes))
            edits = []
    assert not edits, f"{page}: an example without its `$ careledger check` block"
    return found


def apply(root: Path, edits) -> None:
    days = [day for *_, day in edits if day]
    if days:
        _commit(root, days[0], "导入示例记录")
    for path, mode, text, day in edits:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "加在末尾":
            old = target.read_text(encoding="utf-8")
            text = old + ("" if old.endswith("\n") else "\n") + text
        target.write_text(text, encoding="utf-8")
        if day:
            _commit(root, day, f"录入 {path}")


def _commit(root: Path, day: str, message: str) -> None:
    import os
    import subprocess
    name, email = CLERK
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T18:00:00+08:00", "GIT_COMMITTER_DATE": f"{day}T18:00:00+08:00",
           "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
           "GIT_COMMITTER_EMAIL": email}
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", message], check=True, env=env)


def findings_of(root: Path, as_of: dt.date):
    from careledger.checking import check_all
    return check_all(root, as_of=as_of).findings


def shown(work: Path, example: Example):
    """The findings check gives on the example's records in the files its block names, as check sorts them."""
    from careledger.findings import sort_key
    apply(work, example.edits)
    return [f for f in sorted(findings_of(work, example.as_of), key=sort_key) if f.source.file in example.codes]


def as_text(findings, files=()) -> str:
    """The lines `careledger check` prints for these findings (its text format, grouped by file); the `files` named
    keep their heading though check found nothing in them."""
    from careledger.findings import SEVERITY_LABELS, display_path, group_by_file
    lines = []
    groups = group_by_file(findings)
    for file in files:
        groups.setdefault(file, [])
    for file, items in groups.items():
        lines.append(file)
        for f in items:
            where = f"{f.source.line}:{f.source.column}" if f.source.line else "-"
            field = f" {display_path(f.path)}" if f.path else ""
            lines.append(f"  {where} {SEVERITY_LABELS[f.severity]} [{f.code}]{field} {f.message}")
    return "\n".join(lines)


def copy_of(base: Path, dest: Path) -> Path:
    shutil.copytree(base, dest)
    return dest


def main(args: list[str]) -> None:
    import tempfile
    write = "--write" in args
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        write_samples(base)
        for page in [a for a in args if a != "--write"]:
            path = Path(page).resolve()
            outputs = []
            for i, example in enumerate(examples(path)):
                found = shown(copy_of(base, Path(tmp) / f"w{path.stem}{i}"), example)
                outputs.append(as_text(found, example.codes))
                print(f"== {example}  $ careledger check --as-of {example.as_of}\n{outputs[-1]}\n")
            if write:
                _write(path, outputs)


def _write(path: Path, outputs: list[str]) -> None:
    text, pending = path.read_text(encoding="utf-8"), iter(outputs)

    def fill(m: re.Match) -> str:
        first = m.group(2).split("\n", 1)[0]
        if not CHECK.fullmatch(first):
            return m.group(0)
        return f"```{m.group(1)}\n{first}\n{next(pending)}\n```"

    path.write_text(FENCE.sub(fill, text), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
