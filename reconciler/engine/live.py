"""Live state: what one environment's API holds, as the engine keeps it. Pure.

A run reads it (`reconciler.run.fetch`: List, then a concurrent Get of every
dashboard not ignored) and packs each answer into its live form as it
arrives, so the raw answers of a large project are never all held at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from reconciler.engine.normalize import digest, form_text, live_form
from reconciler.engine.pair import LiveSummary


class PackedDashboards(Mapping[str, Mapping[str, Any]]):
    """Live dashboards kept as compact JSON of their `live_form`, parsed on access.

    What it buys (SPEC §6's peak RSS, bench/bench_plan.py): a plan of 2,000
    dashboards x 25 tiles peaks at 102 MB packed, 155 MB with the live forms
    held as dicts, and runs 1.15x faster packed (fewer objects for the
    collector to walk); one run, this 2-core machine.

    What is kept is `live_form` (the canonical modeled tiles,
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
