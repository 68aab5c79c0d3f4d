"""The proof: before anything is written, every file of the published tree is scanned for personal data.

The public view is built so that nothing personal can reach a page; this module checks the result anyway, on every
build, against the raw records. A hit is an error finding that names the file and the *kind* of value (never the
value itself), and the build stops before the writer runs, so the previous published output stays in place.

What is looked for, in every file (HTML, the search index, CSS, JS, anything) and in every file name:

- every value of a field the schema marks personal (`personal=` in records.py, walked by `personal.py`): names of
  household members, supporters and the staff the settings do not publish, ID numbers (and the 15-digit
  first-generation number each 18-digit one was made from), phones and landlines (a landline with its area code
  anywhere, and its local number standing alone), household addresses and street-like supporter addresses,
  illness texts and the disability kinds recorded; a field marked personal tomorrow is looked for tomorrow;
- any valid 18-digit ID number (check digit and birth date) and any mainland mobile number at all, whether or not it
  is in the records, except the office phones the settings publish, and the digits inside the build's own commit
  id (`ids`: version.html names it; about one commit in 540 has eleven digits standing alone that read like a
  mobile number, and describes no one). The records' own numbers are looked for inside it too.

Everything is compared as a reader reads it (`reading.py`, applied alike to the files and to the values): NFKC,
spaces, line breaks, format characters, combining marks, dots and dashes skipped, traditional characters folded to
simplified, Chinese numerals read as digits. Each file is first decoded (HTML entities, JSON `\\uXXXX` escapes, URL
`%XX` escapes) and then read in two forms: with its markup, so a value in an attribute or a script is found; and
with the tags taken out, so the text of neighbouring elements and table cells is read together, as a reader's eye
runs on (欧<b>阳</b>明, 欧</td><td>阳明). Numbers are runs of digits once read, so any grouping is one number
(138 0000 1000, 138.0000.1000, +86(138)0000-1000, 一三八〇〇〇〇一〇〇〇). The patterns that find numbers of no one
in particular (any ID number, any mobile) stop at the boundary of a block or a cell, and also read the decoded text
without skipping anything: a number must stand on its own to be taken for one.

A text value is matched whole (a full name, never a surname or a given name alone) and only when it has two
characters or more; Chinese has no word boundaries, so a whole name anywhere is a hit, inside a longer published
text too: a post "雷某某家属联络员" publishes 雷某某. The one exemption is a text the office has declared publishable
word for word in site.yaml (`privacy.public_texts`); an occurrence that lies inside an occurrence of such a text is
not a hit, and a declared text equal to a personal value never counts. Supporters' "addresses" count only when
they look like a street address ("外省务工" describes no place). Notice pages get no other exemption: a notice that
names a recorded illness fails the build and must be reworded (the proof errs on the side of refusing).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import ahocorasick

from . import cachestore, lookfor, vocab
from .findings import ERROR, Finding, Source
from .lookfor import looked_for
from .identifiers import birth_date_of, check_digit, id_numbers_in, mobiles_in
from .personal import values_of
from .privacy import digits, private_names, published_name, published_phones
from .reading import BOUNDARY, DIGIT_RUN, read, read_number

ANY_ID = "有效的身份证号（不论是否在记录中）"
ANY_MOBILE = "手机号（不论是否在记录中）"

_ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_PERCENT_ESCAPES = re.compile(r"(?:%[0-9a-fA-F]{2})+")
_TAG = re.compile(r"<[^<>]*>")
_READ_BLOCK_TAG = re.compile(r"</?(?:t[dhr]|thead|tbody|tfoot|table|caption|p|div|li|[ou]l|d[tdl]|h[1-6]|br|hr|section|"
                             r"header|footer|nav|main|article|aside|figure|figcaption|blockquote|pre|option|title|"
                             r"form|label|button|input|textarea|select)[^<>]*>", re.IGNORECASE)
_SEPS = r" \t\u00a0\u3000\-\u2010-\u2015"  # between digit groups, as identifiers._SEP
_MOBILE_RUN = re.compile(r"(?:0{0,2}86)?(1[3-9]\d{9})")


@dataclass(frozen=True)
class Secrets:
    """What must not be published, from the raw records, as read (reading.py), and what may."""

    texts: Mapping[str, str]  # value as read → kind
    numbers: Mapping[str, str]  # digits (ID numbers with an upper-case X) → kind: found anywhere in a run
    allowed_phones: frozenset[str]
    public: tuple[str, ...]  # texts declared publishable (privacy.public_texts), as read, longest first
    pages: Mapping[str, str]  # page slug → Markdown, to point a hit at the notice's line
    as_of: object
    whole: Mapping[str, str] = None  # digits → kind: found only as a whole run (a landline's local number)
    words: tuple[str, ...] = ()  # the site's own published words, as read: a hit that only straddles two is none


def secrets_of(records, settings, as_of) -> Secrets:
    """What the proof looks for in these records. In a process that keeps the caches in memory (the preview), the
    last secrets while what they were made of is the very same (`_made_of`, `cachestore.LastMade`)."""
    return _last.get(lambda: _made_of(records, settings, as_of), lambda: _secrets_of(records, settings, as_of))


_last = cachestore.LastMade()  # the last secrets, in a process that keeps caches in memory


def _made_of(records, settings, as_of) -> tuple[list, tuple]:
    """Everything `_secrets_of` reads: (the staff, households and personal summaries, to be the same objects; the
    rest, read afresh at each load, to be equal). Records are frozen: the same object is the same values."""
    same = list(records.staff)
    summed_up, readings = records.personal, set()
    for household in records.households:
        same.append(household)
        entry = summed_up.get(household.source.file)
        if entry is not None:  # (its file's households, their values, their forms, the reading of the forms)
            same.extend((*entry[0], entry[1], entry[2]))
            readings.add(entry[3])
        else:
            same.append(None)
    return same, (as_of, settings, records.profile, records.site, records.pages, lookfor.version(),
                  frozenset(readings))


def _secrets_of(records, settings, as_of) -> Secrets:
    texts: dict[str, str] = {}
    numbers: dict[str, str] = {}
    whole: dict[str, str] = {}
    private = private_names(records, settings)
    published_staff = {read(s.name) for s in records.staff if published_name(s, settings, private)}
    allowed = published_phones(records, settings)

    def add(form, mark: str, kind: str) -> None:  # form: lookfor.looked_for(value, mark)
        if form is None:
            return
        if mark == "number":
            number, first_generation, local = form
            if number in allowed:
                return
            numbers.setdefault(number, kind)
            if first_generation:
                numbers.setdefault(first_generation, kind)
            if local:
                whole.setdefault(local, kind)
            return
        if not (mark == "name" and form[0] in published_staff):
            texts.setdefault(form[0], kind)

    summed_up = records.personal  # a household file's values and their forms, cached with its records (refs.py)
    current = lookfor.version()
    for household in records.households:
        parsed, values, forms, reading = summed_up.get(household.source.file, ((), None, None, None))
        if not (len(parsed) == 1 and parsed[0] is household):  # not the record the summary was made from
            values = [(p.value, p.mark, p.kind) for p in values_of(household)]
            forms = None
        if forms is None or reading != current:  # made by other code: read them here
            forms = [looked_for(raw, mark) for raw, mark, _ in values]
        for form, (_, mark, kind) in zip(forms, values):
            add(form, mark, kind)
    for staff in records.staff:
        for personal in values_of(staff):
            add(looked_for(personal.value, personal.mark), personal.mark, personal.kind)
    public = {read(t) for t in settings.public_texts or ()} - set(texts) - {""}
    site, profile = records.site, records.profile
    words = {site.name, site.parent, profile.title, profile.document_number, *published_staff,
             *(v.name for v in site.villages), *(g for v in site.villages for g in v.groups),
             *(s.post for s in records.staff), *(t for c in profile.categories for t in (c.name, c.description)),
             *(t for lv in profile.levels for t in (lv.name, lv.description)), *public, *_fixed_words()}
    words = {read(w) for w in words if w} - set(texts) - {""}
    return Secrets(texts=texts, numbers=numbers, allowed_phones=allowed - set(numbers),
                   public=tuple(sorted(public, key=lambda p: (-len(p), p))),
                   pages={p.slug: p.body for p in records.pages}, as_of=as_of, whole=whole,
                   words=tuple(sorted(words)))


@functools.cache
def _fixed_words() -> frozenset[str]:
    """The words every site prints whatever the records: the Chinese of the published templates and of the labels
    the public view and the site renderer use (and the policy and status labels)."""
    from .render import site as site_renderer
    from .views import public as public_view, public_parts
    texts = [p.read_text(encoding="utf-8") for p in site_renderer.TEMPLATES.rglob("*") if p.is_file()]
    texts += [Path(m.__file__).read_text(encoding="utf-8") for m in (site_renderer, public_view, public_parts)]
    found = {w for t in texts for w in re.findall(r"[\u3400-\u9fff]{2,}", t)}
    return frozenset(found | set(vocab.POLICY.values()) | set(vocab.HOUSEHOLD_STATUS.values()))


def scan(files: Mapping[str, bytes], secrets: Secrets, *, prefix: str = "site/", scanner=None,
         ids: tuple[str, ...] = (), later: dict | None = None) -> list[Finding]:
    """A finding for each (file, kind of value) found; [] when the tree is clean. `scanner`: `scanner_of(secrets)`,
    made once for several calls (proofcache scans a tree in parts, on every core). `ids`: the build's own
    identifiers the site publishes (the commit id), whose digits are no number of anyone's. `later`: filled with
    path → the first day after the as-of date on which the file's verdict may differ (an ID number in it whose
    birth date is still to come: it is valid from that day on), for the files that have one; the verdict is the same
    on every as-of date before it (and on every earlier one, which finds fewer such numbers)."""
    scanner = scanner or scanner_of(secrets)
    findings = []
    for path in sorted(files):
        # The file's name is read apart from its text (a name does not run on into the first line).
        born_later: list = []
        hits = scanner.hits(path + "\n" + BOUNDARY + files[path].decode("utf-8", errors="replace"), ids, born_later)
        if born_later and later is not None:
            later[path] = min(born_later)
        for kind, count in sorted(hits.items()):
            findings.append(_finding(prefix, path, kind, count, secrets, scanner))
    return findings


def scanner_of(secrets: Secrets) -> "_Scanner":
    """The scanner of these secrets; the last one made is handed back for the same Secrets (a rebuild of the preview
    whose secrets are unchanged: `secrets_of`). A scanner is not changed by scanning."""
    if not (_last_scanner and _last_scanner[0] is secrets):
        _last_scanner[:] = (secrets, _Scanner(secrets))
    return _last_scanner[1]


_last_scanner: list = []  # (Secrets, its _Scanner)


class _Scanner:
    """One pass per form of a file, whatever the number of secrets: the texts through one Aho-Corasick automaton,
    the numbers only in the runs of digits long enough to hold one."""

    def __init__(self, secrets: Secrets):
        self.s = secrets
        self.whole = secrets.whole or {}
        self.texts = _automaton({value: (len(value), value) for value in secrets.texts})
        # For each sensitive text, the declared public texts that contain it, and where: only those excuse a hit.
        self.inside: dict[str, list[tuple[str, int]]] = {}
        for public in secrets.public if self.texts else ():
            for end, (length, value) in self.texts.iter(public):
                self.inside.setdefault(value, []).append((public, end + 1 - length))
        # The automaton reads each form with the runs of ASCII characters that no secret and no public text around
        # one has (most of a page: markup) shortened to one such character, the gap: matches and the public texts
        # that excuse them stay the same, and the text is a fraction as long.
        kept = "".join(sorted({c for t in [*secrets.texts, *(p for v in self.inside.values() for p, _ in v)]
                               for c in t if c.isascii()}))
        self.gap = next((c for c in map(chr, range(1, 128)) if c not in kept), "")
        self.markup = re.compile(rf"[^{re.escape(kept)}\x80-\U0010ffff]+")
        self.words = _automaton({w: len(w) for w in secrets.words})
        self.longest_word = max(map(len, secrets.words), default=0)
        self.lengths = sorted({len(n) for n in secrets.numbers})
        # Digits, X and separators, as many as a mobile number: every number of no one in particular (the patterns
        # of identifiers.py) lies in one such stretch of the decoded text, and they are few.
        self.stretch = re.compile(rf"[\dXx][\dXx{_SEPS}]{{10,}}")

    def hits(self, raw: str, ids: tuple[str, ...] = (), born_later: list | None = None) -> dict[str, int]:
        """How many values of each kind the file holds, the most found in any one form. `ids`: see `scan`.
        `born_later`: given, the birth dates after the as-of date of the ID numbers that would be found on them."""
        normal, marked, blocks = forms(raw)
        text = blocks.replace(BOUNDARY, "")  # the text as a reader's eye runs on, across cells and blocks
        found: dict[str, int] = {}
        later = [] if born_later is None else born_later
        for counts in (self.text_hits(marked), self.text_hits(text), self.record_numbers(marked),
                       self.record_numbers(text), self.patterns(_without(normal, ids), later),
                       self.patterns_read(_without(blocks, ids), later),
                       self.patterns_read(_without(marked, ids), later)):
            for kind, count in counts.items():
                found[kind] = max(found.get(kind, 0), count)
        return found

    def text_hits(self, text: str) -> dict[str, int]:
        """At each position the longest sensitive text that starts there, unless a declared public text around it
        excuses it."""
        found: dict[str, int] = {}
        if self.texts is None:
            return found
        text = self.markup.sub(self.gap, text)
        longest: dict[int, tuple[int, str]] = {}
        for end, (length, value) in self.texts.iter(text):
            start = end + 1 - length
            if length > longest.get(start, (0, ""))[0]:
                longest[start] = (length, value)
        for start, (length, value) in longest.items():
            if not any(start >= offset and text.startswith(public, start - offset)
                       for public, offset in self.inside.get(value, ())) \
                    and not self.straddles(text, start, start + length):
                kind = self.s.texts[value]
                found[kind] = found.get(kind, 0) + 1
        return found

    def straddles(self, text: str, start: int, end: int) -> bool:
        """Whether text[start:end] only runs over the junctions of the site's own words, each whole where it stands
        and none holding all of it: 村委会主任 next to 永岗村 is no 任永. A name inside one word is a hit."""
        if self.words is None:
            return False
        lo = max(0, start - self.longest_word)
        window = text[lo:end + self.longest_word]
        ends: dict[int, set[int]] = {}  # the start of a word occurrence → the ends of those starting there
        for last, length in self.words.iter(window):
            ends.setdefault(lo + last + 1 - length, set()).add(lo + last + 1)
        # Walk from a word that starts at or before `start` and ends inside, along words that start where one ends.
        frontier = [stop for first, stops in ends.items() if first <= start for stop in stops if start < stop < end]
        seen = set()
        while frontier:
            at = frontier.pop()
            if at in seen:
                continue
            seen.add(at)
            for stop in ends.get(at, ()):
                if stop >= end:
                    return True
                frontier.append(stop)
        return False

    def record_numbers(self, text: str) -> dict[str, int]:
        """The records' numbers in every run of digits of a read form: anywhere in the run, or (a landline's local
        number) as the whole run."""
        found: dict[str, int] = {}
        for m in DIGIT_RUN.finditer(text):
            run = re.sub(r"[^0-9X]", "", m[0].upper())
            kinds = [self.s.numbers.get(run[i:i + length]) for length in self.lengths
                     for i in range(len(run) - length + 1)]
            kinds.append(self.whole.get(run))
            for kind in kinds:
                if kind:
                    found[kind] = found.get(kind, 0) + 1
        return found

    def patterns_read(self, text: str, born_later: list) -> dict[str, int]:
        """Numbers of no one in particular in a read form: a run of digits that is, as a whole, a valid ID number
        or a mobile number (after 86 or 0086). The birth dates of ID numbers valid only after the as-of date go to
        `born_later`."""
        found: dict[str, int] = {}
        for m in DIGIT_RUN.finditer(text):
            run = re.sub(r"[^0-9X]", "", m[0].upper())
            born = _born(run) if len(run) == 18 and run not in self.s.numbers else None
            if born is not None and born > self.s.as_of:
                born_later.append(born)
            elif born is not None:
                found[ANY_ID] = found.get(ANY_ID, 0) + 1
            mobile = _MOBILE_RUN.fullmatch(run)
            if mobile and mobile[1] not in self.s.numbers and mobile[1] not in self.s.allowed_phones:
                found[ANY_MOBILE] = found.get(ANY_MOBILE, 0) + 1
        return found

    def patterns(self, text: str, born_later: list) -> dict[str, int]:
        """Numbers of no one in particular in the decoded text, nothing skipped: identifiers.py's patterns, which
        read spaces and hyphens between digit groups and need a number to stand apart from other digits. The birth
        dates of ID numbers valid only after the as-of date go to `born_later`."""
        found: dict[str, int] = {}
        for stretch in self.stretch.finditer(text):
            a, b = stretch.span()
            # With one character either side, for the look-behind and look-ahead of the two patterns.
            window = text[max(0, a - 1):b + 1]
            for number, born in id_numbers_in(window):
                if number in self.s.numbers:
                    continue
                if born > self.s.as_of:
                    born_later.append(born)
                else:
                    found[ANY_ID] = found.get(ANY_ID, 0) + 1
            for number in mobiles_in(window):
                if number not in self.s.numbers and number not in self.s.allowed_phones:
                    found[ANY_MOBILE] = found.get(ANY_MOBILE, 0) + 1
        return found


def _without(text: str, ids: tuple[str, ...]) -> str:
    """`text` with each of the build's own `ids` (hexadecimal) as letters that are no digit: its digits are no
    number, and stop the runs of any digits next to it."""
    for own in ids:
        if own and own in text:
            text = text.replace(own, "g" * len(own))
    return text


def forms(raw: str) -> tuple[str, str, str]:
    """The forms a file is read in: decoded (entities, JSON and URL escapes) and normalised (NFKC, zero-width
    characters out), nothing skipped; as a reader reads it with its markup; and that with the tags out, a boundary
    where a block or a table cell ends (the tags are found in the read text, where `<td class="x">` reads
    `<tdclass="x">`; SVG and head elements may read as block boundaries too, which only keeps numbers apart)."""
    normal = unicodedata.normalize("NFKC", _unquote(_JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)), html.unescape(raw))))
    marked = read(normal)  # NFKC is idempotent: this is `read` of the decoded text
    blocks = _TAG.sub("", _READ_BLOCK_TAG.sub(BOUNDARY, marked))
    return _ZERO_WIDTH.sub("", normal), marked, blocks


def _born(number: str):
    """The birth date of an 18-character run that is a valid ID number from that day on, else None."""
    if number[0] == "0" or not number[:17].isdigit() or number[17] != check_digit(number[:17]):
        return None
    born = birth_date_of(number)
    return born if born is not None and 1880 <= born.year else None


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
    """The first line of a notice holding a value of this kind, or where a value written over several lines ends
    (0 when the notice holds none)."""
    lines = markdown.splitlines()
    for number, line in enumerate(lines, 1):
        if kind in scanner.hits(line):
            return number
    if kind not in scanner.hits(markdown):
        return 0
    return next(n for n in range(1, len(lines) + 1) if kind in scanner.hits("\n".join(lines[:n])))
