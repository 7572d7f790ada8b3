"""Live state: what one environment's API holds, and how it is read.

`read_live` is the engine's one read of a project (List, then a concurrent Get
of every dashboard not ignored), through the `DashboardsAPI` Protocol. Each
answer is packed into its live form as it arrives, so the raw answers of
a large project are never all held at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from reconciler.engine.normalize import digest, form_text, live_form
from reconciler.engine.pair import LiveSummary, is_ignored
from reconciler.engine.ports import DashboardsAPI
from reconciler.errors import DashctlError


class PackedDashboards(Mapping[str, Mapping[str, Any]]):
    """Live dashboards kept as compact JSON of their `live_form`, parsed on access.

    A plan of 2,000 dashboards x 25 tiles would otherwise hold every server
    answer as nested dicts (about 2 KB a tile); packed, it is a few hundred
    bytes a tile. What is kept is `live_form` (the canonical modeled tiles,
    and next to them only what other writers own: unmodeled fields and tiles)
    with the id and the `fingerprint` of the live answer; nothing the server
    owns. Each value reads ``{"id", "fingerprint", "name", "tiles", ...}``.
    """

    def __init__(self, dashboards: Iterable[Mapping[str, Any]] = ()) -> None:
        self._packed: dict[str, tuple[str, bytes]] = {}
        for wire in dashboards:
            self.add(wire)

    def add(self, wire: Mapping[str, Any]) -> None:
        text = form_text(live_form(wire))
        self._packed[str(wire.get("id", ""))] = (digest(text), text)

    def __getitem__(self, dashboard_id: str) -> dict[str, Any]:
        fingerprint, text = self._packed[dashboard_id]
        loaded: dict[str, Any] = orjson.loads(text)
        return {"id": dashboard_id, "fingerprint": fingerprint, **loaded}

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


@dataclass(frozen=True)
class LiveState:
    """What one environment's API holds: List summaries and the dashboards fetched."""

    summaries: Sequence[LiveSummary] = ()
    dashboards: Mapping[str, Mapping[str, Any]] = field(default_factory=PackedDashboards)
    errors: Mapping[str, str] = field(default_factory=dict)  # id -> why Get failed

    def __post_init__(self) -> None:
        # dashboards given as server answers (tests, tools) are packed like read_live's
        if not isinstance(self.dashboards, PackedDashboards):
            packed = PackedDashboards(self.dashboards.values())
            object.__setattr__(self, "dashboards", packed)


async def read_live(
    client: DashboardsAPI, ignore: Sequence[str] = (), *, get: bool = True
) -> LiveState:
    """List the project, then Get every dashboard not ignored, concurrently (``get``)."""
    summaries = await client.list_dashboards()
    wanted = [str(item["id"]) for item in summaries
              if get and not is_ignored(str(item["name"]), ignore)]
    dashboards = PackedDashboards()

    async def fetch(dashboard_id: str) -> None:
        dashboards.add(await client.get_dashboard(dashboard_id))

    results = await asyncio.gather(*map(fetch, wanted), return_exceptions=True)
    errors: dict[str, str] = {}
    for dashboard_id, result in zip(wanted, results, strict=True):
        if isinstance(result, DashctlError):
            errors[dashboard_id] = str(result)
        elif isinstance(result, BaseException):
            raise result
    return LiveState(summaries=summaries, dashboards=dashboards, errors=errors)
