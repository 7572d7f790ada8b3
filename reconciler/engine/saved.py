"""Reading a saved plan (`plan --out FILE`) back into a Plan. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.engine.diff import TileChanges
from reconciler.engine.plan import Action, Change, EnvironmentPlan, Plan, PlanError, Rename
from reconciler.errors import ConfigError

FORMAT_VERSION = 1
SAVED_KIND = "dashctl.plan"


def _change(data: Mapping[str, Any]) -> Change:
    rename = data.get("rename")
    tiles = data.get("tiles") or {}
    return Change(
        action=Action(data["action"]),
        dashboard=str(data["dashboard"]),
        id=data.get("id"),
        rename=Rename(rename["from"], rename["to"]) if rename else None,
        tiles=TileChanges(
            added=list(tiles.get("added", [])),
            changed={key: [] for key in tiles.get("changed", [])},
            removed=list(tiles.get("removed", [])),
        ),
        before=data.get("before"),
        after=data.get("after"),
        fingerprint=data.get("fingerprint"),
    )


def _environment(data: Mapping[str, Any]) -> EnvironmentPlan:
    return EnvironmentPlan(
        name=str(data["name"]),
        project=str(data["project"]),
        changes=[_change(change) for change in data.get("changes", [])],
        unchanged=int(data.get("unchanged", 0)),
        unmanaged=list(data.get("unmanaged", [])),
        errors=[PlanError(e.get("dashboard"), str(e["message"])) for e in data.get("errors", [])],
        prune=bool(data.get("prune", False)),
        live_count=int(data.get("liveCount", 0)),
        refusal=data.get("refusal"),
        problems=int(data.get("problems", 0)),
    )


def plan_from_json(data: Any, *, source: str) -> Plan:
    """A Plan from a saved-plan document; ConfigError naming ``source`` if it is not one."""
    if not isinstance(data, Mapping) or data.get("kind") != SAVED_KIND:
        raise ConfigError(f"{source}: not a saved dashctl plan (write one with plan --out)")
    if data.get("formatVersion") != FORMAT_VERSION:
        raise ConfigError(f"{source}: unsupported plan formatVersion {data.get('formatVersion')!r}")
    try:
        return Plan([_environment(env) for env in data["environments"]])
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"{source}: malformed saved plan ({error})") from None
