"""Dashboards an apply is still making: a name that says so, recognisable by any apply. Pure.

Create is not idempotent, and an answer can be lost (the server made the
dashboard, the client never heard). So an apply creates each dashboard under a
**pending name**: its name and a marker unique to the run and the dashboard,
``Growth KPIs [dashctl-pending 20261206T231500Z-1a2b3c4d-0]``, then writes its
tiles and renames it. A lost answer is then looked up by that exact name (only
this run ever uses it), and a dashboard a run made and lost track of (the run
died between Create and rename) is recognisable by everyone: once it is older
than `GRACE`, by the time in its marker, any later apply removes it (SPEC §4).
No person names a dashboard so, and a person's dashboard is never removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reconciler.dashboard import MAX_NAME_LENGTH

GRACE = timedelta(minutes=10)  # a run renames what it creates within seconds; this is ample
_MARKER = re.compile(r" \[dashctl-pending ([0-9]{8}T[0-9]{6}Z)-([0-9a-f]{8})-([0-9]+)\]$")
_STAMP = "%Y%m%dT%H%M%SZ"


def run_token(now: datetime, random_hex: str) -> str:
    """The part of a pending name unique to one run: when it started, and 8 random hex."""
    return f"{now.astimezone(UTC):{_STAMP}}-{random_hex[:8]}"


def pending_name(name: str, token: str, index: int) -> str:
    """The name a run creates dashboard ``name`` under (the ``index``-th it creates); within
    the API's limit on names (the name part is cut to fit, the marker never)."""
    marker = f" [dashctl-pending {token}-{index}]"
    return name[: MAX_NAME_LENGTH - len(marker)] + marker


@dataclass(frozen=True)
class Pending:
    """What a pending name says: the run's token and the time it started."""

    token: str
    started: datetime
    index: int


def pending(name: str) -> Pending | None:
    """The marker of a pending name, or None for any other name."""
    found = _MARKER.search(name)
    if found is None:
        return None
    try:
        started = datetime.strptime(found[1], _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    return Pending(f"{found[1]}-{found[2]}", started, int(found[3]))


def real_name(name: str) -> str:
    """The name a pending dashboard will be renamed to (as far as it fits); others as they are."""
    return _MARKER.sub("", name)


def is_leftover(name: str, now: datetime) -> bool:
    """A pending dashboard of a run that has had ample time to rename it: left behind."""
    marker = pending(name)
    return marker is not None and marker.started < now - GRACE
