"""The files dashctl reads back: every field of a saved plan round-trips."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.documents import Backup, dump_saved_plan, read_backup, read_saved_plan
from reconciler.engine.changes import (
    Action,
    Change,
    EnvironmentPlan,
    ErrorKind,
    Leftover,
    Plan,
    PlanError,
    PlanWarning,
    Recorded,
    Rename,
)
from reconciler.engine.diff import FieldChange, TileChanges
from reconciler.engine.outside import OutsideEdit
from reconciler.engine.threeway import Conflict, Policy, Resolution
from reconciler.errors import ConfigError


def every_field() -> EnvironmentPlan:
    """An environment plan whose every field, at every depth, holds a value of its own."""
    change = Change(
        action=Action.UPDATE, dashboard="Growth", id="dash_1",
        rename=Rename("Growth v0", "Growth"),
        tiles=TileChanges(added=["new"], changed={"dau": [FieldChange("position.w", 6, 8)]},
                          removed=["old"]),
        before={"name": "Growth v0", "tiles": [{"id": "dau"}]},
        after={"name": "Growth", "tiles": [{"id": "dau", "color": "red"}]},
        fingerprint="sha256:0123", kept={"dau": ["color"]},
        git={"name": "Growth", "tiles": [{"id": "dau"}]},
        base={"name": "Growth v0", "tiles": [{"id": "dau"}]}, cause="both",
    )
    edit = OutsideEdit(
        dashboard="Growth", id="dash_1", updated_at="2026-12-05T10:00:00Z",
        resolution=Resolution.CONFLICT, renamed=True, deleted=True, added=["notes"],
        changed={"dau": ["insight.visualization"]}, removed=["old"],
        conflicts=[Conflict("dau", "insight.visualization")],
    )
    return EnvironmentPlan(
        name="fleet1/proj_a", project="proj_a", changes=[change], unchanged=3,
        unmanaged=["Stray"], errors=[PlanError("Growth", "ambiguous", ErrorKind.AMBIGUOUS)],
        warnings=[PlanWarning("Old", "left alone")], prune=True, live_count=5,
        refusal="would delete every dashboard", problems=2, url="https://api.example.com",
        fleet="fleet1", policy=Policy.OVERWRITE, outside_edits=[edit], recorded=True,
        refresh=[Recorded("dash_2", "Ops", [{"id": "t"}], "2026-12-05T09:00:00Z")],
        leftovers=[Leftover("dash_9", "Ops [dashctl-pending 20261206T100000Z-1a2b3c4d-0]")],
    )


def _unset(value: Any, path: str) -> list[str]:
    """The dataclass fields under ``value`` left at their default (the sample must set each)."""
    if isinstance(value, list):
        return [name for index, item in enumerate(value)
                for name in _unset(item, f"{path}[{index}]")]
    if isinstance(value, dict):
        return [name for key, item in value.items() for name in _unset(item, f"{path}.{key}")]
    if not dataclasses.is_dataclass(value):
        return []
    found = []
    for field in dataclasses.fields(value):
        current = getattr(value, field.name)
        default = (field.default_factory() if field.default_factory is not dataclasses.MISSING
                   else field.default)
        if current == default:
            found.append(f"{path}.{field.name}")
        found += _unset(current, f"{path}.{field.name}")
    return found


def test_the_sample_sets_every_field_of_a_plan() -> None:
    assert _unset(every_field(), "plan") == []


def test_every_field_of_a_saved_plan_round_trips(tmp_path: Path) -> None:
    plan = Plan([every_field()])
    path = tmp_path / "plan.json"
    path.write_text(dump_saved_plan(plan), "utf-8")
    back = read_saved_plan(path)
    assert back == plan
    assert back.environments[0].fleet == "fleet1"


def test_a_plan_of_another_format_is_refused_by_name(tmp_path: Path) -> None:
    data = json.loads(dump_saved_plan(Plan([every_field()])))
    data["formatVersion"] = 1
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ConfigError, match="unsupported plan formatVersion 1"):
        read_saved_plan(path)


def test_what_is_not_a_saved_plan_is_one_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"kind": "something else"}', "utf-8")
    with pytest.raises(ConfigError, match="not a saved dashctl plan"):
        read_saved_plan(path)


def test_a_backup_round_trips(tmp_path: Path) -> None:
    backup = Backup(environment="staging", project="p", action="update",
                    taken_at="2026-12-06T10:00:00+00:00",
                    dashboard={"id": "d", "name": "N", "tiles": [{"id": "t", "x": [1]}]})
    path = tmp_path / "b.json"
    path.write_text(backup.dump(), "utf-8")
    assert read_backup(path) == backup
    assert json.loads(path.read_text())["takenAt"] == "2026-12-06T10:00:00+00:00"
