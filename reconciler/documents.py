"""The files dashctl writes and reads back: a saved plan, and a backup.

    saved plan   `plan --out FILE`, read by `apply --plan`, `comment --plan`, `preview --plan`:
                 the engine's own `EnvironmentPlan` values under an envelope
    backup       one dashboard as `apply --backup-dir` found it, read by `restore`

A saved plan is written and read by one pydantic TypeAdapter over the engine's
dataclasses: there is no second set of classes to keep in step, and every
field round-trips. Reading a file that is not one of them is a ConfigError
naming the file. (The JSON that `plan` and `drift` print for people and CI is
a view of SPEC §3, made by the renderers in `reconciler.report`.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from reconciler.engine.changes import EnvironmentPlan, Plan
from reconciler.errors import ConfigError

PLAN_KIND = "dashctl.plan"
PLAN_FORMAT = 2  # 1: dashctl 0.1's mirror classes (camelCase keys); 2: the engine's values
BACKUP_KIND = "dashctl.backup"
BACKUP_FORMAT = 1


@dataclass(frozen=True, kw_only=True)
class SavedPlan:
    """The file of `plan --out`: the plan of each environment, as the engine holds it."""

    formatVersion: Literal[2] = 2  # the key every dashctl document starts with
    kind: Literal["dashctl.plan"] = "dashctl.plan"
    environments: list[EnvironmentPlan]


_SAVED_PLAN = TypeAdapter(SavedPlan)


def _document(path: Path, what: str, kind: str, version: int, hint: str) -> dict[str, Any]:
    """The JSON object in ``path``, checked for its kind and format version."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: cannot read {what} ({error})") from None
    if not isinstance(data, dict) or data.get("kind") != kind:
        raise ConfigError(f"{path}: {hint}")
    if data.get("formatVersion") != version:
        found = data.get("formatVersion")
        raise ConfigError(f"{path}: unsupported {what.split()[-1]} formatVersion {found!r}")
    return data


def _malformed(path: Path, what: str, error: ValidationError) -> ConfigError:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "document"
    return ConfigError(f"{path}: malformed {what} ({where}: {first['msg']})")


def dump_saved_plan(plan: Plan) -> str:
    """The text of a saved plan: indented JSON with a final newline, non-ASCII readable."""
    saved = SavedPlan(environments=list(plan.environments))
    return _SAVED_PLAN.dump_json(saved, indent=2).decode("utf-8") + "\n"


def write_saved_plan(plan: Plan, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_saved_plan(plan), "utf-8")


def read_saved_plan(path: Path) -> Plan:
    """The Plan saved in ``path`` by `plan --out`; ConfigError if it is not one."""
    data = _document(path, "saved plan", PLAN_KIND, PLAN_FORMAT,
                     "not a saved dashctl plan (write one with plan --out)")
    try:
        saved = _SAVED_PLAN.validate_python(data)
    except ValidationError as error:
        raise _malformed(path, "saved plan", error) from None
    return Plan(saved.environments)


class Backup(BaseModel):
    """One dashboard as apply found it, before it changed it: what `restore` puts back."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    format_version: Literal[1] = Field(1, alias="formatVersion")
    kind: Literal["dashctl.backup"] = "dashctl.backup"
    environment: str
    project: str
    action: str
    taken_at: str = Field(alias="takenAt")
    dashboard: dict[str, Any]

    def dump(self) -> str:
        """Indented JSON with a final newline; non-ASCII kept readable."""
        return self.model_dump_json(by_alias=True, indent=2) + "\n"


def read_backup(path: Path) -> Backup:
    data = _document(path, "backup", BACKUP_KIND, BACKUP_FORMAT, "not a dashctl backup")
    try:
        return Backup.model_validate(data)
    except ValidationError as error:
        raise _malformed(path, "backup", error) from None
