"""The files and JSON documents dashctl writes and reads back: one codec each.

    PlanDocument      `plan --format json` (SPEC §3, formatVersion 1)
    SavedPlan         `plan --out FILE`, read by `apply --plan` and `preview --plan`
    DriftDocument     `drift --format json` and `drift --report-dir`
    Backup            one dashboard as `apply --backup-dir` found it, read by `restore`

Each is a pydantic model: written with `dump()`, read with `read()`, so no
part of dashctl parses these documents by hand. Reading a file that is not one
of them is a ConfigError naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reconciler.engine.diff import FieldChange, TileChanges
from reconciler.engine.drift import DriftReport, EnvironmentDrift
from reconciler.engine.plan import (
    Action,
    Change,
    EnvironmentPlan,
    Plan,
    PlanError,
    PlanWarning,
    Rename,
)
from reconciler.errors import ConfigError

FORMAT_VERSION = 1  # of every document below

Doc = TypeVar("Doc", bound="ReadBack")


class Document(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    def dump(self) -> str:
        """Indented JSON with a final newline; non-ASCII kept readable."""
        return self.model_dump_json(by_alias=True, indent=2) + "\n"



class ReadBack(Document):
    """A document dashctl reads back: checked for its kind and format version first."""

    WHAT: ClassVar[str] = "document"  # "cannot read saved plan ..."
    NOT_ONE: ClassVar[str] = "not a dashctl document"
    KIND: ClassVar[str] = ""

    @classmethod
    def read(cls: type[Doc], path: Path) -> Doc:
        what = cls.WHAT
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ConfigError(f"{path}: cannot read {what} ({error})") from None
        if not isinstance(data, dict) or data.get("kind") != cls.KIND:
            raise ConfigError(f"{path}: {cls.NOT_ONE}")
        if data.get("formatVersion") != FORMAT_VERSION:
            version = data.get("formatVersion")
            raise ConfigError(f"{path}: unsupported {what.split()[-1]} formatVersion {version!r}")
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "document"
            raise ConfigError(f"{path}: malformed {what} ({where}: {first['msg']})") from None


# -- plan -------------------------------------------------------------------------------


class RenameJson(Document):
    from_: str = Field(alias="from")
    to: str


class TilesJson(Document):
    added: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)


class MessageJson(Document):
    dashboard: str | None
    message: str


class ChangeJson(Document):
    action: Action
    dashboard: str
    id: str | None
    rename: RenameJson | None
    tiles: TilesJson
    # tile id -> dotted paths of the unmodeled fields apply sends back; ["*"]: a tile kept whole
    kept: dict[str, list[str]] = Field(default_factory=dict)


class EnvironmentPlanJson(Document):
    name: str
    project: str
    summary: dict[str, int]
    changes: list[ChangeJson]
    errors: list[MessageJson]
    warnings: list[MessageJson] = Field(default_factory=list)


class PlanDocument(Document):
    format_version: Literal[1] = Field(1, alias="formatVersion")
    environments: list[EnvironmentPlanJson]


class FieldChangeJson(Document):
    path: str
    old: Any = None
    new: Any = None


class SavedChange(ChangeJson):
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    fingerprint: str | None = None
    field_changes: dict[str, list[FieldChangeJson]] = Field(
        default_factory=dict, alias="fieldChanges"
    )


class SavedEnvironment(EnvironmentPlanJson):
    changes: list[SavedChange]  # type: ignore[assignment]
    unmanaged: list[str] = Field(default_factory=list)
    unchanged: int = 0
    live_count: int = Field(0, alias="liveCount")
    prune: bool = False
    refusal: str | None = None
    problems: int = 0
    url: str = ""


class SavedPlan(ReadBack):
    WHAT: ClassVar[str] = "saved plan"
    NOT_ONE: ClassVar[str] = "not a saved dashctl plan (write one with plan --out)"
    KIND: ClassVar[str] = "dashctl.plan"

    format_version: Literal[1] = Field(1, alias="formatVersion")
    kind: Literal["dashctl.plan"] = "dashctl.plan"
    environments: list[SavedEnvironment]


def _change_fields(change: Change) -> dict[str, Any]:
    return {
        "action": change.action,
        "dashboard": change.dashboard,
        "id": change.id,
        "rename": RenameJson(from_=change.rename.old, to=change.rename.new)
        if change.rename else None,
        "tiles": TilesJson(**change.tiles.as_json()),
        "kept": {tile: list(paths) for tile, paths in change.kept.items()},
    }


def _environment_fields(env: EnvironmentPlan) -> dict[str, Any]:
    return {
        "name": env.name,
        "project": env.project,
        "summary": env.summary,
        "errors": [MessageJson(dashboard=e.dashboard, message=e.message) for e in env.errors],
        "warnings": [MessageJson(dashboard=w.dashboard, message=w.message)
                     for w in env.warnings],
    }


def plan_document(plan: Plan) -> PlanDocument:
    return PlanDocument(environments=[
        EnvironmentPlanJson(**_environment_fields(env),
                            changes=[ChangeJson(**_change_fields(c)) for c in env.changes])
        for env in plan.environments
    ])


def _saved_change(change: Change) -> SavedChange:
    return SavedChange(
        **_change_fields(change),
        before=dict(change.before) if change.before is not None else None,
        after=dict(change.after) if change.after is not None else None,
        fingerprint=change.fingerprint,
        field_changes={
            tile: [FieldChangeJson(path=f.path, old=f.old, new=f.new) for f in fields]
            for tile, fields in change.tiles.changed.items()
        },
    )


def saved_plan(plan: Plan) -> SavedPlan:
    return SavedPlan(environments=[
        SavedEnvironment(
            **_environment_fields(env), changes=[_saved_change(c) for c in env.changes],
            unmanaged=env.unmanaged, unchanged=env.unchanged, live_count=env.live_count,
            prune=env.prune, refusal=env.refusal, problems=env.problems, url=env.url,
        )
        for env in plan.environments
    ])


def _change_from(doc: SavedChange) -> Change:
    changed: dict[str, list[FieldChange]] = {tile: [] for tile in doc.tiles.changed}
    changed |= {
        tile: [FieldChange(f.path, f.old, f.new) for f in fields]
        for tile, fields in doc.field_changes.items()
    }
    return Change(
        action=doc.action,
        dashboard=doc.dashboard,
        id=doc.id,
        rename=Rename(doc.rename.from_, doc.rename.to) if doc.rename else None,
        tiles=TileChanges(added=doc.tiles.added, changed=changed, removed=doc.tiles.removed),
        before=doc.before,
        after=doc.after,
        fingerprint=doc.fingerprint,
        kept=doc.kept,
    )


def plan_from_saved(doc: SavedPlan) -> Plan:
    return Plan([
        EnvironmentPlan(
            name=env.name, project=env.project, changes=[_change_from(c) for c in env.changes],
            unchanged=env.unchanged, unmanaged=env.unmanaged,
            errors=[PlanError(e.dashboard, e.message) for e in env.errors],
            warnings=[PlanWarning(w.dashboard, w.message) for w in env.warnings],
            prune=env.prune, live_count=env.live_count, refusal=env.refusal,
            problems=env.problems, url=env.url,
        )
        for env in doc.environments
    ])


def read_saved_plan(path: Path) -> Plan:
    """The Plan saved in ``path`` by `plan --out`; ConfigError if it is not one."""
    return plan_from_saved(SavedPlan.read(path))


# -- drift ------------------------------------------------------------------------------


class DriftedJson(Document):
    dashboard: str
    id: str
    tiles: TilesJson
    renamed: bool


class EnvironmentDriftJson(Document):
    name: str
    status: Literal["in_sync", "drifted", "error"]
    drifted: list[DriftedJson]
    missing: list[str]
    unmanaged: list[str]
    errors: list[str]


class DriftDocument(Document):
    format_version: Literal[1] = Field(1, alias="formatVersion")
    environments: list[EnvironmentDriftJson]


def environment_drift_json(env: EnvironmentDrift) -> EnvironmentDriftJson:
    return EnvironmentDriftJson(
        name=env.name,
        status=env.status.value,
        drifted=[DriftedJson(dashboard=d.dashboard, id=d.id, tiles=TilesJson(**d.tiles.as_json()),
                             renamed=d.renamed) for d in env.drifted],
        missing=env.missing,
        unmanaged=env.unmanaged,
        errors=env.errors,
    )


def drift_document(report: DriftReport) -> DriftDocument:
    return DriftDocument(environments=[environment_drift_json(e) for e in report.environments])


# -- backups ----------------------------------------------------------------------------


class Backup(ReadBack):
    WHAT: ClassVar[str] = "backup"
    NOT_ONE: ClassVar[str] = "not a dashctl backup"
    KIND: ClassVar[str] = "dashctl.backup"

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    format_version: Literal[1] = Field(1, alias="formatVersion")
    kind: Literal["dashctl.backup"] = "dashctl.backup"
    environment: str
    project: str
    action: str
    taken_at: str = Field(alias="takenAt")
    dashboard: dict[str, Any]


def read_backup(path: Path) -> Backup:
    return Backup.read(path)
