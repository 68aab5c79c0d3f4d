"""The proof: before anything is written, every file of the published tree is scanned for personal data.

The public view is built so that nothing personal can reach a page; this module checks the result anyway, on every
build, against the raw records. A hit is an error finding that names the file and the *kind* of value (never the
value itself), and the build stops before the writer runs, so the previous published output stays in place.

What is looked for, in every file (HTML, the search index, CSS, JS, anything) and in every file name:

- every sensitive value taken from the records: names of household members (subjects included) and supporters,
  names of staff the settings do not publish, ID numbers, phones (members', supporters', staff's own), household
  addresses and street-like supporter addresses, illness texts and the disability kinds recorded;
- any valid 18-digit ID number (check digit and birth date) and any mainland mobile number at all, whether or not it
  is in the records, except the office phones the settings publish.

Each file is read in several forms, so an encoded copy is caught too: as written; with HTML entities, JSON `\\uXXXX`
escapes and URL `%XX` escapes decoded, full-width characters folded (NFKC) and zero-width characters removed; and
that again with the HTML tags taken out (a name split by inline markup such as `<b>`); tags that end a block or a
table cell become line breaks there, as a reader sees them (村委会主任 in one cell and 永岗村 in the next do not
make 任永). Numbers are found with spaces or hyphens between
digit groups and with a lower-case x.

False alarms, and how they are kept out without weakening the check (docs/privacy.md says the same for users):

- a text value is matched whole (a full name, never a surname or a given name alone) and only when it has two
  characters or more; Chinese has no word boundaries, so a whole name anywhere in a file is a hit;
- an occurrence that lies *inside* a longer public text is not a hit: the jurisdiction, village and profile names,
  the policy's category and level wording, posts, policy labels, and the staff names the settings publish (a
  subject called 东山 is not found in 东山村). A public text equal to a sensitive value never counts as public;
- staff names are exempt exactly when the settings publish them (officials by default, contacts only when
  `publish_contact_names` is on) and never when a household member or supporter has the same name;
- supporters' addresses are matched only when they look like a street address (a digit or 号/路/街/巷/弄/栋/幢/
  单元/室/楼/小区/组): "外省务工" describes no place anyone could find;
- landlines are matched with their area code, as recorded.
Notice pages get no exemption beyond these: a notice that names a recorded illness fails the build and must be
reworded. That is deliberate (the proof errs on the side of refusing).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

import ahocorasick

from . import vocab
from .findings import ERROR, Finding, Source
from .identifiers import mobiles_in, normalise_id_number, valid_id_numbers_in
from .privacy import digits, private_names, published_name, published_phones

NAME = "对象或家庭成员的姓名"
SUPPORTER = "赡养、抚养、扶养人或监护人的姓名"
STAFF = "按隐私设置不公开的工作人员姓名"
ID_NUMBER = "记录中的身份证号"
PHONE = "记录中的电话号码"
ADDRESS = "住址"
ILLNESS = "患病情况"
DISABILITY = "残疾情况"
ANY_ID = "有效的身份证号（不论是否在记录中）"
ANY_MOBILE = "手机号（不论是否在记录中）"

_STREETLIKE = re.compile(r"[0-9０-９号路街巷弄栋幢室楼组]|单元|小区")
_ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_PERCENT_ESCAPES = re.compile(r"(?:%[0-9a-fA-F]{2})+")
_TAG = re.compile(r"<[^<>]*>")
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:t[dhr]|thead|tbody|tfoot|table|caption|p|div|li|[ou]l|d[tdl]|h[1-6]|br|hr|section|"
                        r"header|footer|nav|main|article|aside|figure|figcaption|blockquote|pre|option|title|"
                        r"form|label|button|input|textarea|select)\b[^<>]*>", re.IGNORECASE)
_SEPS = r" \t\u00a0\u3000\-\u2010-\u2015"  # between digit groups, as identifiers._SEP
_RUN = re.compile(rf"[0-9Xx](?:[{_SEPS}]{{0,2}}[0-9Xx])*")


@dataclass(frozen=True)
class Secrets:
    """What must not be published, from the raw records, and what may (see the module docstring)."""

    texts: Mapping[str, str]  # value → kind
    numbers: Mapping[str, str]  # digits (ID numbers upper-case) → kind
    allowed_phones: frozenset[str]
    public: tuple[str, ...]  # public texts, longest first
    pages: Mapping[str, str]  # page slug → Markdown, to point a hit at the notice's line
    as_of: object


def secrets_of(records, settings, as_of) -> Secrets:
    texts: dict[str, str] = {}
    numbers: dict[str, str] = {}

    def text(value, kind) -> None:
        value = _fold(value or "").strip()
        if len(value) >= 2:
            texts.setdefault(value, kind)

    def number(value, kind) -> None:
        if value:
            numbers.setdefault(normalise_id_number(value) if kind == ID_NUMBER else digits(value), kind)

    for household in records.households:
        text(household.address, ADDRESS)
        for member in household.members:
            text(member.name, NAME)
            text(member.illness, ILLNESS)
            if member.disability:
                text(vocab.DISABILITY_TYPE[member.disability.kind], DISABILITY)
            number(member.id_number, ID_NUMBER)
            number(member.phone, PHONE)
            number(member.landline, PHONE)
        for supporter in household.supporters:
            text(supporter.name, SUPPORTER)
            if supporter.address and _STREETLIKE.search(supporter.address):
                text(supporter.address, ADDRESS)
            number(supporter.phone, PHONE)
    private = private_names(records, settings)
    published_staff = set()
    for staff in records.staff:
        name = published_name(staff, settings, private)
        if name:
            published_staff.add(name)
        else:
            text(staff.name, STAFF)
        number(staff.phone, PHONE)
    allowed = published_phones(records, settings)
    for staff in records.staff:
        if staff.office_phone and digits(staff.office_phone) not in allowed:
            number(staff.office_phone, PHONE)

    site, profile = records.site, records.profile
    public = {site.name, site.parent, profile.title, profile.document_number, *published_staff,
              *(v.name for v in site.villages), *(s.post for s in records.staff),
              *(t for c in profile.categories for t in (c.name, c.description)),
              *(t for lv in profile.levels for t in (lv.name, lv.description)),
              *vocab.POLICY.values(), *vocab.HOUSEHOLD_STATUS.values()}
    public = {_fold(p) for p in public if p} - set(texts)
    return Secrets(texts=texts, numbers=numbers, allowed_phones=allowed - set(numbers),
                   public=tuple(sorted(public, key=lambda p: (-len(p), p))),
                   pages={p.slug: p.body for p in records.pages}, as_of=as_of)


def scan(files: Mapping[str, bytes], secrets: Secrets, *, prefix: str = "site/") -> list[Finding]:
    """A finding for each (file, kind of value) found; [] when the tree is clean."""
    scanner = _Scanner(secrets)
    findings = []
    for path in sorted(files):
        hits = scanner.hits(path + "\n" + files[path].decode("utf-8", errors="replace"))
        for kind, count in sorted(hits.items()):
            findings.append(_finding(prefix, path, kind, count, secrets, scanner))
    return findings


class _Scanner:
    """One pass per form of a file, whatever the number of secrets: the texts through one Aho-Corasick automaton,
    the numbers only in the rare stretches of digits long enough to hold one."""

    def __init__(self, secrets: Secrets):
        self.s = secrets
        self.texts = _automaton({value: (len(value), value) for value in secrets.texts})
        # For each sensitive text, the public texts that contain it, and where: only those can excuse a hit.
        self.inside: dict[str, list[tuple[str, int]]] = {}
        for public in secrets.public if self.texts else ():
            for end, (length, value) in self.texts.iter(public):
                self.inside.setdefault(value, []).append((public, end + 1 - length))
        # The automaton reads each form with the runs of ASCII characters that no secret and no public text around
        # one has (most of a page: markup) shortened to one such character, the gap: matches and the public texts
        # that excuse them stay the same, and the text is a fraction as long.
        kept = "".join(sorted({c for t in [*secrets.texts, *(p for v in self.inside.values() for p, _ in v)]
                               for c in t if c.isascii()}))
        self.gap = next((c for c in map(chr, range(128)) if c not in kept), "")
        self.markup = re.compile(rf"[^{re.escape(kept)}\x80-\U0010ffff]+")
        self.lengths = sorted({len(n) for n in secrets.numbers})
        # Digits, X and separators, as many as the shortest number to look for (a mobile has 11 digits, an ID number
        # 18): every digit run that can hold a number lies in one such stretch, and they are few.
        shortest = max(1, min([*self.lengths, 11]))
        self.stretch = re.compile(rf"[\dXx][\dXx{_SEPS}]{{{shortest - 1},}}")

    def hits(self, raw: str) -> dict[str, int]:
        found: dict[str, int] = {}
        decoded = _fold(_unquote(_JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)), html.unescape(raw))))
        for form in dict.fromkeys((raw, decoded, _TAG.sub("", _BLOCK_TAG.sub("\n", decoded)))):
            for kind, count in self.text_hits(form).items():
                found[kind] = max(found.get(kind, 0), count)
            for kind, count in self.number_hits(form).items():
                found[kind] = max(found.get(kind, 0), count)
        return found

    def text_hits(self, text: str) -> dict[str, int]:
        """At each position the longest sensitive text that starts there, unless a public text around it excuses it."""
        found: dict[str, int] = {}
        if self.texts is None:
            return found
        text = self.markup.sub(self.gap, text)
        longest: dict[int, tuple[int, str]] = {}
        for end, (length, value) in self.texts.iter(text):
            start = end + 1 - length
            if length > longest.get(start, (0, ""))[0]:
                longest[start] = (length, value)
        for start, (_, value) in longest.items():
            if not any(start >= offset and text.startswith(public, start - offset)
                       for public, offset in self.inside.get(value, ())):
                kind = self.s.texts[value]
                found[kind] = found.get(kind, 0) + 1
        return found

    def number_hits(self, text: str) -> dict[str, int]:
        found: dict[str, int] = {}

        def add(kind):
            found[kind] = found.get(kind, 0) + 1

        for stretch in self.stretch.finditer(text):
            a, b = stretch.span()
            for m in _RUN.finditer(text, a, b):
                run = re.sub(r"[^0-9X]", "", m.group(0).upper())
                for length in self.lengths:
                    for i in range(len(run) - length + 1):
                        kind = self.s.numbers.get(run[i:i + length])
                        if kind:
                            add(kind)
            # With one character either side, for the look-behind and look-ahead of the two patterns.
            window = text[max(0, a - 1):b + 1]
            for number in valid_id_numbers_in(window, today=self.s.as_of):
                if number not in self.s.numbers:
                    add(ANY_ID)
            for number in mobiles_in(window):
                if number not in self.s.numbers and number not in self.s.allowed_phones:
                    add(ANY_MOBILE)
        return found


def _automaton(words: Mapping[str, object]):
    """An Aho-Corasick automaton of `words` (word → what a match yields), None when there are none."""
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word, payload in words.items():
        automaton.add_word(word, payload)
    automaton.make_automaton()
    return automaton


def _unquote(text: str) -> str:
    """`unquote(text)`, decoding only the runs of %XX escapes: the same result (UTF-8 is decoded run by run there
    too, an ASCII character ends a sequence), without going through every "%" of a style sheet in Python."""
    return _PERCENT_ESCAPES.sub(lambda m: unquote(m[0]), text)


def _fold(text: str) -> str:
    return _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text))


def _finding(prefix: str, path: str, kind: str, count: int, secrets: Secrets, scanner: _Scanner) -> Finding:
    """The finding of one kind of value in one file. When a notice holds such a value (the notice's own page, or the
    search index that copies its text), it points at the notice's line, which is what the clerk must change."""
    where = Source(f"{prefix}{path}")
    hint = "请检查公开网站的模板和程序：公开页面只能显示公开视图（careledger/views/public.py）中的内容"
    m = re.fullmatch(r"pages/([a-z0-9-]+)\.html", path)
    slugs = [m[1]] if m and m[1] in secrets.pages else sorted(secrets.pages)
    for slug in slugs:
        line = _line_of(secrets.pages[slug], kind, scanner)
        if line or (m and slug == m[1]):
            where = Source(f"pages/{slug}.md", line, 1 if line else 0)
            hint = f"请修改公告页面 pages/{slug}.md：公告中不能写出个人信息（姓名、身份证号、电话、住址、健康状况）"
            break
    return Finding("E-PRIVACY-LEAK", ERROR,
                   f"发布文件 {prefix}{path} 中含有{kind}（{count} 处）：生成已停止，未写入任何文件，原有输出保持不变。{hint}",
                   where, evidence={"file": f"{prefix}{path}", "kind": kind, "count": count})


def _line_of(markdown: str, kind: str, scanner: _Scanner) -> int:
    """The first line of a notice holding a value of this kind (0 when there is none)."""
    for number, line in enumerate(markdown.splitlines(), 1):
        if kind in scanner.hits(line):
            return number
    return 0
