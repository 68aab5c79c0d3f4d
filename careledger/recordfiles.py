"""The kinds of record file: where each lives below the records' root and which record type it holds.

`load.py` reads them folder by folder; this table names them for the tools that speak of files rather than records:
`careledger schema` (a JSON Schema a kind) and `careledger check PATH...` (is this a record file?).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import records


@dataclass(frozen=True)
class FileKind:
    name: str  # the schema's file name: <name>.schema.json
    glob: str  # below the records' root; "*" is one folder or file name
    cls: type  # the record type
    many: bool  # a list of records (a month of one person's visits) rather than one record
    title: str  # in Chinese, for the clerk


FILE_KINDS = (
    FileKind("site", "site.yaml", records.Site, False, "辖区设置（site.yaml）"),
    FileKind("staff", "staff/*.yaml", records.Staff, True,
             "工作人员名单（staff/<村编号>.yaml；街道、乡镇本级为 staff/street.yaml）"),
    FileKind("household", "households/*/*.yaml", records.Household, False,
             "家庭档案，一户一个文件（households/<村编号>/<户编号>.yaml）"),
    FileKind("visits", "visits/*/*.yaml", records.Visit, True, "走访记录（visits/<年-月>/<走访人编号>.yaml）"),
    FileKind("inspections", "inspections/*/*.yaml", records.Inspection, True,
             "督查记录（inspections/<年-月>/<督查人员编号>.yaml）"),
    FileKind("spot-checks", "spot-checks/*/*.yaml", records.SpotCheckResult, True,
             "抽查结果（spot-checks/<年-月>/<抽查人员编号>.yaml）"),
    FileKind("custody", "custody/*/*.yaml", records.CustodyLedger, False,
             "保障资金代管台账（custody/<村编号>/<户编号>-<成员编号>.yaml）"),
)
PAGES_GLOB = "pages/*.md"  # the site's notice pages: Markdown, no schema


def _pattern(glob: str) -> re.Pattern:
    return re.compile("^" + "[^/]+".join(map(re.escape, glob.split("*"))) + "$")


_PATTERNS = [_pattern(kind.glob) for kind in FILE_KINDS] + [_pattern(PAGES_GLOB)]


def is_record_file(rel: str) -> bool:
    """Whether a path relative to the records' root is where a record file lives."""
    return any(p.match(rel) for p in _PATTERNS)
