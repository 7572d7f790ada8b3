"""Which dashboard a name keeps when concurrent creates doubled it (SPEC §4). Pure.

Create is not idempotent and the API has no locks, so two applies started
together can both create "Growth KPIs". After its creates, an apply lists the
project once more; for each name it created that now has several live
dashboards, every apply keeps the same one, the one created first (by
``createdAt``, then ``id``): `earliest`. An apply deletes only the dashboard
it created itself in this run, when that one lost (`resolve_created`), and
writes its tiles to the one kept.

The client's adoption after an ambiguous Create (`reconciler.api.client`)
adopts by the same rule, so both mechanisms agree on the one kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from reconciler.engine.pending import is_leftover, pending, real_name
from reconciler.engine.ports import WireSummary

Summary = WireSummary  # {"id", "name", "createdAt", ...} as List returns it


_NEVER = datetime.min.replace(tzinfo=UTC)


def created_key(summary: Summary) -> tuple[int, datetime, str]:
    """Sort key: parseable ``createdAt`` first, earliest first, then ``id``."""
    dashboard_id = str(summary.get("id", ""))
    try:
        moment = datetime.fromisoformat(str(summary.get("createdAt", "")))
    except ValueError:
        return (1, _NEVER, dashboard_id)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (0, moment, dashboard_id)


def earliest(summaries: Iterable[Summary]) -> Summary | None:
    """The dashboard every apply keeps among ``summaries`` of one name; None if none."""
    return min(summaries, key=created_key, default=None)


@dataclass(frozen=True)
class Resolution:
    """Where a dashboard this apply created ends up."""

    keep: str  # the id to write the tiles to
    delete: str | None = None  # this apply's own dashboard that lost, to delete
    debris: tuple[str, ...] = ()  # more of this run's own under its pending name (a retried
    # Create whose first answer was lost): never anyone else's, always deleted

    @property
    def lost(self) -> bool:
        return self.delete is not None


def resolve_created(name: str, created_id: str, summaries: Iterable[Summary], *,
                    token: str | None = None, now: datetime | None = None) -> Resolution:
    """What to do with ``created_id`` (this run's Create of ``name``), given a fresh List.

    The contenders for ``name`` are the dashboards of that name and those another
    apply is still making for it (`pending`), not its leftovers; every apply keeps
    the one created first. ``token``: this run's (its own pending dashboards for
    ``name`` other than ``created_id`` are debris); ``now``: to tell leftovers.
    """
    items = list(summaries)
    contenders = [item for item in items if _for(str(item.get("name", "")), name, now)]
    debris = tuple(str(item["id"]) for item in items
                   if token is not None and str(item["id"]) != created_id
                   and (marker := pending(str(item.get("name", "")))) is not None
                   and marker.token == token and real_name(str(item["name"])) == name)
    contenders = [item for item in contenders if str(item["id"]) not in debris]
    winner = earliest(contenders)
    if winner is None or str(winner["id"]) == created_id:
        return Resolution(created_id, debris=debris)
    if created_id not in {str(item["id"]) for item in contenders}:
        return Resolution(str(winner["id"]), debris=debris)  # ours is gone: nothing to delete
    return Resolution(str(winner["id"]), delete=created_id, debris=debris)


def _for(live_name: str, name: str, now: datetime | None) -> bool:
    """Whether a live dashboard contends for ``name``: it has it, or is being made for it."""
    if live_name == name:
        return True
    return (pending(live_name) is not None and real_name(live_name) == name
            and (now is None or not is_leftover(live_name, now)))
