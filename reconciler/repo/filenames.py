"""File names made from dashboard and environment names: one rule for pull and preview. Pure.

``slug`` turns a name into a safe stem (``Growth KPIs (EU)`` -> ``growth-kpis-eu``):
ASCII letters and digits joined by ``-``, never a path. A slug over
:data:`MAX_SLUG` characters keeps its start and gets 8 hex digits of the
name's SHA-256, so that two long names that start alike get two files, and
the same name the same file name everywhere, far under the 255 bytes a file
system allows. ``unique`` makes a stem unique within the stems taken so far.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_SLUG = 60  # characters of a stem made from a name (then a hash suffix)
_NOT_SAFE = re.compile(r"[^a-z0-9]+")


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = _NOT_SAFE.sub("-", ascii_name.lower()).strip("-") or "dashboard"
    if len(text) <= MAX_SLUG:
        return text
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{text[:MAX_SLUG].rstrip('-')}-{digest}"


def unique(stem: str, taken: set[str]) -> str:
    """``stem``, or ``stem-2``, ``stem-3``... that ``taken`` does not hold yet (it is added)."""
    candidate, number = stem, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}"
    taken.add(candidate)
    return candidate
