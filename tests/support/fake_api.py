"""An in-memory `engine.ports.DashboardsAPI` for engine tests (test code, not under test).

It stores tiles exactly as sent (unmodeled fields and tile types included, as
a server whose API grew past dashctl's would), stamps ``createdAt`` from a
clock that only moves forward, counts every call, and lets a test play
another writer at chosen moments (``before_create``, ``after_create``,
``before_delete``), and fail chosen calls as an unavailable server would
(``refuse["Upsert"] = {dashboard_id}``, ``refuse["Create"] = {name}``).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.engine.pending import real_name
from reconciler.engine.ports import WireDashboard, WireObject, WireSummary
from reconciler.errors import NotFound, Unavailable

WRITES = ("Create", "Update", "Upsert", "Delete")
Hook = Callable[["FakeAPI", str], None]


def _copy(stored: dict[str, Any]) -> WireDashboard:
    """A stored dashboard as the server's answer: a copy (tiles exactly as sent)."""
    return {"id": stored["id"], "name": stored["name"], "tiles": copy.deepcopy(stored["tiles"]),
            "createdAt": stored["createdAt"], "updatedAt": stored["updatedAt"]}


class FakeAPI:
    def __init__(self) -> None:
        self.dashboards: dict[str, dict[str, Any]] = {}
        self.calls: Counter[str] = Counter()
        self.before_create: Hook | None = None
        self.after_create: Hook | None = None
        self.before_delete: Hook | None = None
        self.fail_list_after_create = False
        self.refuse: dict[str, set[str]] = {}  # method -> the ids (names for Create) it fails
        self._clock = datetime(2026, 1, 1, tzinfo=UTC)
        self._ids = 0

    # -- what another writer does, without counting as dashctl's calls ---------------------

    def put(self, name: str, tiles: Sequence[WireObject] | None = None, *,
            dashboard_id: str | None = None) -> str:
        self._ids += 1
        self._clock += timedelta(milliseconds=1)
        stamp = self._clock.isoformat().replace("+00:00", "Z")
        new_id = dashboard_id or f"dash_{self._ids:03d}"
        self.dashboards[new_id] = {"id": new_id, "name": name,
                                   "tiles": copy.deepcopy(list(tiles or [])),
                                   "createdAt": stamp, "updatedAt": stamp}
        return new_id

    def named(self, name: str) -> list[dict[str, Any]]:
        return [d for d in self.dashboards.values() if d["name"] == name]

    def _count(self, method: str, key: str) -> None:
        """Count the call; raise Unavailable when the test made it fail."""
        self.calls[method] += 1
        if key in self.refuse.get(method, set()):
            raise Unavailable(f"{method} {key}: unavailable: injected")

    @property
    def writes(self) -> int:
        return sum(self.calls[method] for method in WRITES)

    # -- DashboardsAPI ---------------------------------------------------------------------

    async def list_dashboards(self) -> list[WireSummary]:
        self.calls["List"] += 1
        if self.fail_list_after_create and self.calls["Create"]:
            raise Unavailable("List: unavailable: injected")
        return [{"id": d["id"], "name": d["name"], "createdAt": d["createdAt"],
                 "updatedAt": d["updatedAt"]} for d in self.dashboards.values()]

    async def get_dashboard(self, dashboard_id: str) -> WireDashboard:
        self._count("Get", dashboard_id)
        if dashboard_id not in self.dashboards:
            raise NotFound(f"Get {dashboard_id}: not_found")
        return _copy(self.dashboards[dashboard_id])

    async def create_dashboard(self, name: str) -> WireDashboard:
        # an apply creates under a pending name (engine.pending): refusals and the other
        # writers' hooks are keyed by the name it will get
        self._count("Create", real_name(name))
        if self.before_create:
            self.before_create(self, real_name(name))
        new_id = self.put(name)
        if self.after_create:
            self.after_create(self, real_name(name))
        return _copy(self.dashboards[new_id])

    async def update_dashboard(self, dashboard_id: str, name: str) -> WireDashboard:
        self._count("Update", dashboard_id)
        if dashboard_id not in self.dashboards:
            raise NotFound(f"Update {dashboard_id}: not_found")
        self.dashboards[dashboard_id]["name"] = name
        return _copy(self.dashboards[dashboard_id])

    async def upsert_tiles(self, dashboard_id: str, tiles: Sequence[WireObject]) -> WireDashboard:
        self._count("Upsert", dashboard_id)
        if dashboard_id not in self.dashboards:
            raise NotFound(f"Upsert {dashboard_id}: not_found")
        self.dashboards[dashboard_id]["tiles"] = copy.deepcopy(list(tiles))
        return _copy(self.dashboards[dashboard_id])

    async def delete_dashboard(self, dashboard_id: str) -> None:
        self._count("Delete", dashboard_id)
        if self.before_delete:
            self.before_delete(self, dashboard_id)
        if self.dashboards.pop(dashboard_id, None) is None:
            raise NotFound(f"Delete {dashboard_id}: not_found")
