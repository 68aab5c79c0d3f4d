"""The summary view of the published site: the jurisdiction, the as-of date and counts, nothing about a person.

`summarize(records, as_of=...)` is the only way from records to this view. It keeps labels (village, category and
level names, household statuses) and counts; no name, ID number, phone, address or record of a person survives
it. Subjects counted are those in the care programme on the as-of date: enrolled on or before it, not exited by
it, in a household whose status is 在册帮扶. Households are counted by the status recorded in their file.

Every table has the same rows on every page (zeros included), in the profile's order, so pages can be compared.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from .. import vocab
from ..findings import Source

UNASSESSED = "未定级"


@dataclass(frozen=True)
class Tally:
    """One row of a counts table: the code, its Chinese label and how many (and the policy's wording)."""

    code: str
    label: str
    count: int
    description: str = ""


@dataclass(frozen=True)
class Counts:
    subjects: int  # active subjects on the as-of date
    by_category: tuple[Tally, ...]
    by_level: tuple[Tally, ...]  # empty when the profile has no levels
    households_by_status: tuple[Tally, ...]

    @property
    def households(self) -> int:
        return sum(t.count for t in self.households_by_status)


@dataclass(frozen=True)
class VillageSummary:
    id: str  # also its page's file name
    name: str
    counts: Counts


@dataclass(frozen=True)
class PageText:
    """A Markdown notice page, published as written (after the raw-HTML check in `render`)."""

    slug: str
    title: str
    markdown: str
    source: Source


@dataclass(frozen=True)
class SiteSummary:
    jurisdiction: str
    parent: str  # the 上级区划, "" when not given
    as_of: dt.date
    profile_title: str
    profile_document: str  # the 文号, "" when not given
    has_levels: bool
    totals: Counts
    villages: tuple[VillageSummary, ...]
    pages: tuple[PageText, ...]


def summarize(records, *, as_of: dt.date) -> SiteSummary:
    profile = records.profile
    categories = tuple((c.code, c.name, c.description) for c in profile.categories)
    levels = tuple((lv.code, lv.name, lv.description) for lv in sorted(profile.levels, key=lambda lv: -lv.rank))
    active = [(h.village, s) for h in records.households if h.status == "active"
              for s in h.subjects if _in_care(s, as_of)]
    if levels and any(s.level is None for _, s in active):
        levels += (("", UNASSESSED, ""),)

    def counts(village: str | None) -> Counts:
        subjects = [s for v, s in active if village in (None, v)]
        households = [h for h in records.households if village in (None, h.village)]
        return Counts(
            subjects=len(subjects),
            by_category=_tally(categories, Counter(s.category for s in subjects)),
            by_level=_tally(levels, Counter(s.level or "" for s in subjects)),
            households_by_status=_tally(tuple((k, v, "") for k, v in vocab.HOUSEHOLD_STATUS.items()),
                                        Counter(h.status for h in households)),
        )

    site = records.site
    return SiteSummary(
        jurisdiction=site.name,
        parent=site.parent or "",
        as_of=as_of,
        profile_title=profile.title,
        profile_document=profile.document_number or "",
        has_levels=bool(profile.levels),
        totals=counts(None),
        villages=tuple(VillageSummary(id=v.id, name=v.name, counts=counts(v.id)) for v in site.villages),
        pages=tuple(PageText(slug=p.slug, title=p.title, markdown=p.body, source=p.source)
                    for p in sorted(records.pages, key=lambda p: p.slug)),
    )


def _in_care(subject, day: dt.date) -> bool:
    return subject.enrolled <= day and (subject.exited is None or day < subject.exited)


def _tally(rows: tuple[tuple[str, str, str], ...], counted: Counter) -> tuple[Tally, ...]:
    return tuple(Tally(code=code, label=label, count=counted.get(code, 0), description=description)
                 for code, label, description in rows)
