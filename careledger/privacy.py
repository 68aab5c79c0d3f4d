"""What the `privacy:` settings of site.yaml allow to be published about staff, in one place.

Both the public view (`views/public.py`, which decides what the site shows) and the proof (`proof.py`, which scans
what was rendered) read these answers, so a cadre's name can be on the site exactly when the proof allows it.

- Officials (village cadres, street and district cadres, coordinators, inspectors, clerks, grid workers) may be
  named with their office phone: residents must know whom to call. On by default.
- Care contacts are neighbours and volunteers: named only when `publish_contact_names` is on. Off by default.
- Caregivers and fund custodians are never named: naming them would say who is cared for or has no capacity.
- A staff name that is also the name of a household member or supporter, or of a staff member the settings keep
  private, is never published (the proof could not tell the two apart): the person is shown by post instead. Names
  are compared as a reader reads them (`reading.py`: 歐陽明 is 欧阳明), and a staff name that merely *contains* such a
  name (a cadre 王秀兰 and a member 王秀) is not published either: the proof exempts no name by substring.
"""

from __future__ import annotations

from . import cachestore, idkey
from .findings import Finding
from .identifiers import normalise_phone
from .reading import read

OFFICIAL_ROLES = frozenset({
    "principal", "committee_member", "area_cadre", "street_cadre", "district_cadre", "city_cadre", "paired_cadre",
    "coordinator", "collector", "clerk", "inspector", "grid_worker",
})


def is_official(staff) -> bool:
    return any(role in OFFICIAL_ROLES for role in staff.roles)


def _once(records, what: str, settings, make):
    """`make()`, worked out once per records object (and settings): the public view and the proof both ask, and a
    county has a hundred thousand names and phones. Kept beside the records' own cached properties."""
    memo = records.__dict__.setdefault("_privacy_memo", {})
    kept = memo.get(what)
    if kept is None or kept[0] is not settings:
        kept = memo[what] = (settings, _since_last_build(records, what, settings, make))
    return kept[1]


_last = {"names": cachestore.LastMade(), "phones": cachestore.LastMade()}  # the last records' (the preview)


def _since_last_build(records, what: str, settings, make):
    """In a process that keeps the caches in memory (the preview), the last records' answer while the households
    and staff it was made of are the very objects and the settings are equal (`cachestore.LastMade`); else
    `make()`."""
    return _last[what].get(lambda: ((*records.households, *records.staff), settings), make)


def private_names(records, settings) -> frozenset[str]:
    """Names never published, whoever else bears them: household members', supporters', and those of staff whose
    roles the settings keep private (a caregiver called 钱梅 keeps a village director called 钱梅 off the site too)."""
    return _once(records, "names", settings, lambda: _private_names(records, settings))


def _private_names(records, settings) -> frozenset[str]:
    names = ({m.name for h in records.households for m in h.members}
             | {s.name for h in records.households for s in h.supporters}
             | {s.name for s in records.staff if not _publishable(s, settings)})
    return frozenset(read(n) for n in names)


def _publishable(staff, settings) -> bool:
    if is_official(staff):
        return settings.publish_cadre_names
    return "contact" in staff.roles and settings.publish_contact_names


def published_name(staff, settings, private: frozenset[str]) -> str | None:
    """The staff member's name if the settings publish it, else None. `private` is `private_names(...)`: a name
    that is one of them, or holds one (as read), is not published."""
    if not _publishable(staff, settings):
        return None
    name = read(staff.name)
    if any(name[i:j] in private for i in range(len(name)) for j in range(i + 2, len(name) + 1)):
        return None
    return staff.name


def private_phones(records) -> frozenset[str]:
    """Phones of household members and supporters and staff's own mobiles, as digits: never published."""
    return _once(records, "phones", None, lambda: _private_phones(records))


def _private_phones(records) -> frozenset[str]:
    phones = {p for h in records.households for m in h.members for p in (m.phone, m.landline)}
    phones |= {s.phone for h in records.households for s in h.supporters} | {s.phone for s in records.staff}
    return frozenset(digits(p) for p in phones if p)


def published_phone(staff, settings, private: frozenset[str] = frozenset()) -> str | None:
    """An official's office phone if the settings publish it (never a personal mobile, nor a number that is also
    someone's private phone)."""
    if (is_official(staff) and settings.publish_cadre_phones and staff.office_phone
            and digits(staff.office_phone) not in private):
        return staff.office_phone
    return None


def published_phones(records, settings) -> frozenset[str]:
    """Every phone number the site may show, as digits only: the office's and the officials' office phones."""
    private = private_phones(records)
    phones = {published_phone(s, settings, private) for s in records.staff}
    if records.site.office_phone and digits(records.site.office_phone) not in private:
        phones.add(records.site.office_phone)
    return frozenset(digits(p) for p in phones if p)


def digits(phone: str) -> str:
    return "".join(ch for ch in normalise_phone(phone) if ch.isdigit())


def id_salt(site) -> tuple[bytes, list[Finding]]:
    """The key of the public ids and the findings about it (idkey.py: a secret outside the records); raises
    idkey.KeyMissing for a real jurisdiction without one."""
    return idkey.id_key(site)
