"""The fonts of the printed paper: find a CJK face, check the fast subsetter, and make the subsets the paper prints with.

WeasyPrint subsets the fonts of ordinary text itself, but embeds the font of a form field whole (a viewer needs every
glyph to show what someone types). The whole Noto Sans CJK SC face makes a one-page form of 15.8 MB, so fields get a
subset instead, made here with fontTools from the system's Noto Sans CJK SC:

- blank forms: the characters of GB 2312 (7,445) and printable ASCII, which cover what people type;
- pre-filled forms: those plus every character the records hold (names such as 张堃、司马玥 use characters outside
  GB 2312), so every value pre-filled into a field has its glyph;
- dossiers (`dossier_font_css`): the GB 2312 subsets of the regular and the bold face, the same for every dossier
  and every build, and for a dossier that prints characters outside GB 2312 (张堃、司马玥) a second family with a
  subset of just those, cached by that set of characters: a new character in one household re-renders that
  household's dossier only, and none falls back to the whole system face (what costs);
- the 通报 and the monthly report: exactly the characters they print (`text_font`).

Hinting and layout tables (vertical forms, Japanese and Korean variants) are dropped: about 1.5 MB for 7,550 glyphs.
A subset is made once per set of characters and kept in the cache directory under the hash of its inputs, so only
the first run after the records bring a new character pays for it (a few seconds); `scripts/setup` pre-builds the
GB 2312 one. Its bytes depend only on the inputs (no timestamps), so the PDFs stay byte-identical.
"""

from __future__ import annotations

import ctypes.util
import hashlib
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..cachestore import cache_root, write_durable

FONT_PACKAGE = "fonts-noto-cjk"  # Debian/Ubuntu: Noto Sans/Serif CJK, Regular and Bold
HARFBUZZ_PACKAGE = "libharfbuzz-subset0"
FAMILY = "Noto Sans CJK SC"
FIELD_FAMILY = "CareLedger Field"  # the @font-face name of the subset
EXTRA_FAMILY = "CareLedger Extra"  # a dossier's characters outside GB 2312 (`dossier_font_css`)
SUBSET_VERSION = "1"  # bump when the subsetting options change: old cache entries are then ignored
CACHE_DAYS = 14  # a subset unused this long is deleted when another is made
# The middle dot and the dash as GBK reads GB 2312's A1A4 and A1AA, which is how Chinese text types them (Python's
# gb2312 codec gives U+30FB and U+2015). Without "·" every dossier fell back to the system's regular and bold faces
# for it, at about 60 ms of CPU a document.
GBK_READINGS = "\u00b7\u2014"
KNOWN_FILES = (  # where Debian and Ubuntu put the face, tried when fontconfig says nothing
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
)


class FontProblem(Exception):
    """No usable CJK font: the message says which package to install."""


@dataclass(frozen=True)
class Face:
    path: str
    index: int  # the face's number in a .ttc collection


@lru_cache(maxsize=None)
def find_face(family: str = FAMILY, style: str = "Regular") -> Face:
    """The file and index of `family` in `style`; FontProblem naming the package when it is not installed."""
    listed = _fc_list(family, style)
    if listed:
        return listed
    for path in KNOWN_FILES:
        if style == "Regular" and Path(path).is_file():
            return Face(path, _index_in_collection(path, family))
    raise FontProblem(f"找不到中文字体“{family}”（{style}），PDF 中的中文会显示成空框：请安装 Debian 软件包 "
                      f"{FONT_PACKAGE}（sudo apt-get install {FONT_PACKAGE}，或运行 bash scripts/setup）")


def look_again() -> None:
    """Make the next `find_face` look for the face anew (a font installed or removed since it last looked)."""
    _find_face_cached.cache_clear()


_find_face_cached = find_face  # (the cached function itself, whatever a test puts in its place)


def _fc_list(family: str, style: str) -> Face | None:
    if not shutil.which("fc-list"):
        return None
    try:
        out = subprocess.run(["fc-list", f"{family}:style={style}", "file", "index"], capture_output=True,
                             text=True, timeout=60, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    faces = []
    for line in out.splitlines():  # "/usr/share/fonts/…/NotoSansCJK-Bold.ttc: :index=2"
        path, _, rest = line.partition(": ")
        index = re.search(r"index=(\d+)", rest)
        if path and index:
            faces.append(Face(path.strip(), int(index[1])))
    return min(faces, key=lambda f: (f.path, f.index)) if faces else None


def _index_in_collection(path: str, family: str) -> int:
    from fontTools.ttLib import TTCollection

    if not path.endswith(".ttc"):
        return 0
    for i, font in enumerate(TTCollection(path, lazy=True).fonts):
        if font["name"].getDebugName(1) == family:
            return i
    return 0


def harfbuzz_subset_missing() -> str | None:
    """A warning when WeasyPrint's fast subsetter is missing (it then takes 3–13 s a page instead of 0.2 s)."""
    if ctypes.util.find_library("harfbuzz-subset"):
        return None
    return (f"没有安装 {HARFBUZZ_PACKAGE}：WeasyPrint 改用 fontTools 做字体子集，每页 PDF 要 3–13 秒（装上后约 0.2 秒）。"
            f"请安装 Debian 软件包 {HARFBUZZ_PACKAGE}（sudo apt-get install {HARFBUZZ_PACKAGE}）")


def gb2312() -> frozenset[str]:
    """Printable ASCII and every character of GB 2312 (7,445), 7,540 in all."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def field_font(extra: str = "", *, face: Face | None = None, directory: Path | None = None) -> Path:
    """The path of the subset for form fields: GB 2312 plus the characters of `extra`. Made once, then cached."""
    chars = gb2312() | set(GBK_READINGS) | {c for c in extra if c.isprintable()}
    return _subset_file("field", face or find_face(), chars, directory)


def base_characters() -> frozenset[str]:
    """What the GB 2312 subsets hold: printable ASCII, GB 2312 and the GBK readings of its dot and dash."""
    return gb2312() | frozenset(GBK_READINGS)


def dossier_font_css(chars: str, *, directory: Path | None = None) -> str:
    """The font CSS of a dossier that prints `chars`: the GB 2312 subsets of the regular and bold faces (the field
    font and its bold twin, the same files for every dossier), and, only when `chars` has characters outside them,
    the family EXTRA_FAMILY with a subset of just those (the regular face; Pango makes their bold) put between the
    subset and the system face. So a dossier's font CSS, and with it its PDF's cache key, changes only when its own
    characters leave GB 2312; the GB 2312 subsets cost about 8 % more instructions a dossier than exact ones."""
    base = base_characters()
    css = font_face_css(field_font(directory=directory),
                        _subset_file("field", find_face(style="Bold"), set(base), directory))
    extra = {c for c in chars if c.isprintable() and not c.isspace()} - base
    if extra:
        path = _subset_file("extra", find_face(), extra, directory)
        css += (f'@font-face {{ font-family: "{EXTRA_FAMILY}"; src: url("{path.as_uri()}"); }}\n'
                f'html {{ font-family: "{FIELD_FAMILY}", "{EXTRA_FAMILY}", "{FAMILY}", sans-serif !important; }}\n')
    return css


def text_font(chars: str, *, bold: bool = False, directory: Path | None = None) -> Path:
    """The subset of exactly `chars` (with printable ASCII and the GBK readings) of the regular or `bold` face, for
    text without fields: the 通报 and the monthly report. WeasyPrint subsets the fonts of every PDF again, at a cost that grows with the
    glyphs of the fonts it starts from: from the 7,500-glyph GB 2312 subsets a dossier cost about 136 M instructions
    (a twelfth) more than from subsets of the demo's 1,000 characters. A new set of characters makes new subsets (a few
    seconds each)."""
    base = {chr(c) for c in range(0x20, 0x7F)} | set(GBK_READINGS)
    face = find_face(style="Bold" if bold else "Regular")
    return _subset_file("text", face, base | {c for c in chars if c.isprintable()}, directory)


def _subset_file(kind: str, face: Face, chars: set[str], directory: Path | None) -> Path:
    """The cached subset of `face` with `chars`, made when missing. Subsets unused for CACHE_DAYS are deleted when
    a new one is made (the records' characters change, and with them the subsets)."""
    text = "".join(sorted(chars))
    stat = os.stat(face.path)
    key = hashlib.sha256("\0".join((SUBSET_VERSION, face.path, str(face.index), str(stat.st_size),
                                    str(int(stat.st_mtime)), text)).encode("utf-8")).hexdigest()[:20]
    folder = (directory or cache_root()) / "fonts"
    target = folder / f"{kind}-{key}.otf"
    try:
        os.utime(target)  # in use, for the pruning below
        return target
    except FileNotFoundError:
        pass
    data = make_subset(face, text)
    folder.mkdir(parents=True, exist_ok=True)
    write_durable(target, data)  # several workers may make the same subset: the last rename wins, same bytes
    limit = time.time() - CACHE_DAYS * 86400
    for old in folder.glob("*.otf"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass
    return target


def make_subset(face: Face, chars: str) -> bytes:
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(face.path, fontNumber=face.index, recalcTimestamp=False)
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def missing_glyphs(chars: str, face: Face | None = None) -> str:
    """The characters of `chars` that the face has no glyph for (they would print as empty boxes)."""
    cmap = _cmap(face or find_face())
    return "".join(sorted({c for c in chars if c.isprintable() and not c.isspace() and ord(c) not in cmap}))


@lru_cache(maxsize=4)
def _cmap(face: Face) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(face.path, fontNumber=face.index, lazy=True).getBestCmap())


def font_face_css(path: Path, bold: Path | None = None) -> str:
    """The `@font-face` rules that give the family FIELD_FAMILY the subset at `path` (and its `bold` face). The
    stylesheets name that family first and the system face after it, for what a subset lacks."""
    css = f'@font-face {{ font-family: "{FIELD_FAMILY}"; src: url("{path.as_uri()}"); }}\n'
    if bold:
        css += f'@font-face {{ font-family: "{FIELD_FAMILY}"; font-weight: bold; src: url("{bold.as_uri()}"); }}\n'
    return css


def record_characters(*objects) -> str:
    """Every character in the text of `objects` (records, profiles, vocabularies), sorted, each once."""
    import dataclasses

    seen: set[str] = set()
    stack = list(objects)
    visited: set[int] = set()
    while stack:
        obj = stack.pop()
        if isinstance(obj, str):
            seen.update(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (tuple, list, set, frozenset)):
            stack.extend(obj)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type) and id(obj) not in visited:
            visited.add(id(obj))
            stack.extend(getattr(obj, f.name) for f in dataclasses.fields(obj))
    return "".join(sorted(c for c in seen if c.isprintable() and not c.isspace()))


def main() -> None:
    """`python -m careledger.paper.fonts`: check the regular and bold faces and make the GB 2312 subset of the blank
    forms (scripts/setup runs it)."""
    import sys

    try:
        find_face(style="Bold")
        path = field_font()
        dossier_font_css("")  # the bold GB 2312 subset of the dossiers
    except FontProblem as problem:
        print(f"ERROR: {problem}", file=sys.stderr)
        sys.exit(1)
    warning = harfbuzz_subset_missing()
    if warning:
        print(f"WARNING: {warning}", file=sys.stderr)
    print(f"field font: {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
