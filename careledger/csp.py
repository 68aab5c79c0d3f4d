"""The Content-Security-Policy of every HTML page careledger writes (the published site, the internal reports and
the desk, the dossiers and their indexes), as a `<meta http-equiv>` at the top of the head, so that it holds however
the page is opened: served, from disk, or a dossier copied to a USB stick.

The policy allows only the page's own files: scripts and style sheets from the page's origin (`'self'`), images
from there and `data:` (the reports' empty favicon), no plugins, frames, fonts, connections or forms to elsewhere,
and no `<base>`. Inline scripts, inline `style=` attributes and event-handler attributes are refused by it, so a
value that slipped through escaping could not run. The one exception is a page's own `<style>` element, where a
page must stand alone (a dossier is printed by WeasyPrint and opened from a folder of PDFs): it is allowed by the
SHA-256 hash of its exact text, computed here when the page is made.

`frame-ancestors` cannot be set by a meta element; docs/deploy.md gives nginx the same policy as a header with it.
"""

from __future__ import annotations

import base64
import hashlib
import re

DIRECTIVES = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
)
POLICY = "; ".join(DIRECTIVES)
HEADER_POLICY = POLICY + "; frame-ancestors 'none'"  # for a web server's header (docs/deploy.md)

_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)
_CHARSET = re.compile(r"<meta charset=[\"']?utf-8[\"']?\s*/?>", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)
_META = re.compile(r"<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">")


def style_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def policy_for(html: str, extra: tuple[str, ...] = ()) -> str:
    """The policy for this page: POLICY, with the hashes of its `<style>` elements in style-src, and `extra`
    directives (the preview adds connect-src for its banner)."""
    hashes = [style_hash(text) for text in _STYLE.findall(html)]
    directives = [d + "".join(" " + h for h in dict.fromkeys(hashes)) if d.startswith("style-src ") else d
                  for d in DIRECTIVES]
    return "; ".join(directives + list(extra))


def meta(policy: str) -> str:
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'


def sealed(html: str) -> str:
    """The page with its policy as the first element after `<meta charset>`, or at the top of `<head>` in a page
    without one (a meta policy covers only what comes after it). A page without a head, or with a policy of its own,
    is a template error: never a page published without this policy."""
    found = _CHARSET.search(html) or _HEAD.search(html)
    if found is None or _META.search(html):
        raise ValueError("a page without <head>, or with a Content-Security-Policy of its own")
    return html[:found.end()] + "\n" + meta(policy_for(html)) + html[found.end():]


def policy_of(html: str) -> str | None:
    """The policy a page's meta element sets, or None."""
    found = _META.search(html)
    return found.group(1) if found else None


def replaced(html: str, policy: str) -> str:
    """The page with its meta policy replaced by `policy` (the preview's served copy)."""
    return _META.sub(lambda _: meta(policy), html, count=1)
