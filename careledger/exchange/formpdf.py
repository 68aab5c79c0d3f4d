"""A fillable form filled on an office PC, read back into record entries (`careledger import FORM.pdf`).

`plan_form` reads the form's fields with pypdf, tells which form it is by its field names (each form's set of names
is its own, as `forms/<name>.yaml` defines them, so no stamp is needed), maps the fields to visit entries
(`formvisit.py`) or an inspection entry (`forminspect.py`) and returns the changes of the record files, each
validated through the loader as `visit add` validates its entry (`entry.write.check_change`), with every problem as
a Chinese line naming the field. Nothing is written here: the caller writes the changes with
`entry.write.write_atomically`.

An entry already recorded (a visit: same visitor, subject and date; an inspection: same inspector, subject and date)
is refused unless `update`, which rewrites that entry with what the form carries and keeps what it does not
(comments inside the entry are not kept). A ledger row printed from the records and left as printed, or imported
before unchanged, is no entry at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pypdf
from pypdf.errors import PyPdfError

from ..entry.write import Change, check_change, describe, replaced
from ..entry.yamltext import Unsafe, append_item
from ..paper.forms import FormDef, load_forms
from .entries import replace_item
from .forminspect import inspection_page
from .formvisit import Entry, Ids, cells_of, ledger_rows, visit_page
from .pairs import to_pairs

IMPORTABLE = {"qiandongnan-visit": visit_page, "tianhu-patrol": ledger_rows, "jizhou-visits": ledger_rows,
              "wangcheng-inspection": inspection_page}


def plan_form(path: Path, records, findings, today: dt.date, update: bool) -> tuple[list[Change], list[str]]:
    name = Path(path).name
    try:
        values = read_fields(Path(path))
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as exc:
        return [], [f"{name}：无法读取这个 PDF 文件（{exc}）"]
    if not values:
        return [], [f"{name}：PDF 中没有可填写的字段：不是用 careledger forms 打印的可填写表格"]
    forms, _ = load_forms(today=today)
    form = identify(set(values), forms)
    if form is None:
        return [], [f"{name}：字段与 docs/forms.md 中的任何表格都不符：不是用 careledger forms 打印的表格，或表格已被改动"]
    if form.name not in IMPORTABLE:
        known = "、".join(f"{f.title}（{f.name}）" for f in forms if f.name in IMPORTABLE)
        return [], [f"{name}：这是“{form.title}”（{form.name}），不是走访、巡查或督查记录，不能导入；能导入的表格：{known}"]
    cells = cells_of(form, values)
    entries, problems = IMPORTABLE[form.name](form, cells, records, today, Ids(records))
    changes, more = _changes(entries, records, findings, today, update, form)
    return changes, [f"{name}：{p}" for p in problems + more]


def read_fields(path: Path) -> dict[str, object]:
    """Field name -> its value: text ("" when empty), or True/False for a check box."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its English warnings on a damaged file: we say it in Chinese
    reader = pypdf.PdfReader(path)
    out = {}
    for name, f in (reader.get_fields() or {}).items():
        value = f.get("/V")
        if f.get("/FT") == "/Btn":
            out[name] = value is not None and str(value) not in ("", "/Off", "Off")
        elif isinstance(value, list):
            out[name] = "、".join(str(v) for v in value)
        else:
            out[name] = "" if value is None else str(value)
    return out


def identify(names: set[str], forms: list[FormDef]) -> FormDef | None:
    """The form whose fields these are: its own fields all there, and every other name a cell of its tables."""
    for form in forms:
        own = {f.name for f in form.fields}
        cells = [re.compile(rf"^{re.escape(t.name)}_\d+_({'|'.join(re.escape(c.name) for c in t.columns)})$")
                 for t in form.tables]
        first_rows = {t.cell_name(1, c.name) for t in form.tables for c in t.columns}
        if own <= names and first_rows <= names and all(any(p.match(n) for p in cells) for n in names - own):
            return form
    return None


def _changes(entries: list[Entry], records, findings, today, update: bool, form: FormDef):
    problems: list[str] = []
    files: dict[str, list] = {}  # rel -> [old bytes, new bytes, first line]
    seen = set()

    def current(rel: str) -> bytes | None:
        if rel not in files:
            path = Path(records.root) / rel
            old = path.read_bytes() if path.exists() else None
            files[rel] = [old, old, None]
        return files[rel][1]

    for e in sorted(entries, key=lambda e: e.existing is None):  # rewrites first: appends do not move them
        key = (e.visitor.id, e.day, e.household.id)
        if e.unchanged:
            continue
        if key in seen:
            problems.append(f"{e.where}{e.label}：表中已有同一人同一天走访该户的一行，只导入前一行")
            continue
        seen.add(key)
        if e.existing is not None:
            at = f"{e.existing.source.file} 第 {e.existing.source.line} 行"
            if e.update is None:
                problems.append(f"{e.where}已有 {e.label} 的记录（{at}），而这一行与记录印出的不同：表格行是几项记录"
                                "合在一起印出的，不能据此修改已有记录；请直接修改记录文件")
            elif not update:
                problems.append(f"{e.where}已有 {e.label} 的记录（{at}）：同一人同一天对同一对象只记一次；"
                                "要用表格的内容替换那条记录，请加 --update")
            else:
                rel, start = e.existing.source.file, e.existing.source.line
                before = to_pairs(e.existing)
                pairs = e.update(before)
                if dict(pairs) == before:
                    continue  # the form says what the record says
                later = sorted(r.source.line for r in (*records.visits, *records.inspections)
                               if r.source.file == rel and r.source.line > start)
                try:
                    new, line = replace_item(current(rel), start, later[0] if later else None, pairs)
                except ValueError as exc:
                    problems.append(f"{e.where}{rel}：{exc}，未修改")
                    continue
                files[rel][1], files[rel][2] = new, min(line, files[rel][2] or line)
            continue
        rel = f"{e.folder}/{e.day:%Y-%m}/{e.visitor.id}.yaml"
        try:
            new, line = append_item(current(rel), e.pairs)
        except Unsafe as exc:
            problems.append(f"{e.where}{rel}：{exc}")
            continue
        files[rel][1], files[rel][2] = new, files[rel][2] or line
    changes = []
    for rel, (old, new, line) in files.items():
        if new == old:
            continue
        change = Change(rel, old, new, line)
        parsed, added = check_change(records, findings, change, today)
        if added:
            problems += [f"导入后 {describe(f)}" for f in added]
            continue
        records = replaced(records, rel, parsed)  # the next file is checked with this one's entries in
        changes.append(change)
    return changes, problems
