"""The configuration of a repository: the types of environments.yaml, and the Repo.

The pydantic models mirror schemas/environments.schema.json (the tests hold the
two in agreement): the schema says what is wrong where, the models give the
typed values. `Settings` is what an environment and a fleet both say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from reconciler.repo.schema import validator

if TYPE_CHECKING:
    from reconciler.repo.yaml_document import YamlDocument

SQLITE_PREFIX = "sqlite:"
DEFAULT_SQLITE_PROJECT = "local"
ENVIRONMENTS_FILE = "environments.yaml"
BASE_DIR = "base"
RESERVED_ENVIRONMENT_NAMES = frozenset({"all", BASE_DIR})

URL_PATTERN = r"^(sqlite:.+|https?://[^\s/]+\S*)$"
HTTP_URL = re.compile(r"^https?://")
USERINFO = re.compile(r"^(https?://)[^/@\s]*@")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
VARIABLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
FILE_NAME_PATTERN = r"^[^/\\]+\.ya?ml$"

VariableName = Annotated[str, StringConstraints(pattern=VARIABLE_PATTERN)]
EnvironmentName = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
FileName = Annotated[str, StringConstraints(pattern=FILE_NAME_PATTERN)]
Glob = Annotated[str, StringConstraints(min_length=1)]
ProjectId = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
Mode = Literal["managed", "seeded"]
OutsideEdits = Literal["merge", "overwrite"]
INTERNAL_KEYS = ("name", "fleet", "mode")


class Settings(BaseModel):
    """What an environment and a fleet both say: the server, the token and the rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(
        pattern=URL_PATTERN,
        description="https://... of the Dashboards API, or sqlite:PATH for the embedded emulator.",
    )
    token_env: str | None = Field(
        None,
        pattern=VARIABLE_PATTERN,
        description="Name of the environment variable holding the JWT.",
    )
    prune: bool = Field(False, description="Delete live dashboards that no manifest declares.")
    outside_edits: OutsideEdits = Field(
        "merge", description="merge (keep edits made outside git) or overwrite (revert them).")
    max_deletes: int | None = Field(
        None, ge=0, description="Refuse an apply that would delete more dashboards than this."
    )
    exclude: list[FileName] = Field(
        default_factory=list, description="File names in base/ this environment skips."
    )
    ignore: list[Glob] = Field(
        default_factory=list,
        description="Globs on live dashboard names never touched or reported.",
    )
    vars: dict[VariableName, str] = Field(
        default_factory=dict, description="${name} in any manifest string is replaced."
    )

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith(SQLITE_PREFIX)

    @property
    def public_url(self) -> str:
        """The url without any credentials (``user:pass@``), safe to print and record."""
        return USERINFO.sub(r"\1", self.url)


class Environment(Settings):
    """One entry of environments.yaml, or one member project of a fleet."""

    name: str = Field("", exclude=True, description="Set from the mapping key.")
    project: str | None = Field(None, min_length=1, description="Project id (x-project-id).")
    fleet: str | None = Field(None, exclude=True, description="Set for the members of a fleet.")
    mode: Mode = Field("managed", exclude=True, description="A fleet member's mode.")

    @property
    def project_id(self) -> str:
        """The project dashctl works in (``local`` for sqlite: unless given)."""
        if self.project:
            return self.project
        return DEFAULT_SQLITE_PROJECT if self.is_sqlite else ""

    @property
    def folder(self) -> str:
        """The folder of overlays: the environment's own, or its fleet's."""
        return self.fleet or self.name

    @property
    def seeded(self) -> bool:
        return self.mode == "seeded"


class FleetProject(BaseModel):
    """One member project of a fleet, with the vars that override the fleet's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project: ProjectId
    vars: dict[VariableName, str] = Field(default_factory=dict)


class ProjectsFile(BaseModel):
    """A fleet's projects file (mirrors schemas/fleet-projects.schema.json)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    projects: list[FleetProject]


class Fleet(Settings):
    """One entry of `fleets:`: one server and token, many projects."""

    projects: FileName | list[FleetProject] = Field(
        description="A file beside environments.yaml holding `projects:`, or the list itself."
    )
    mode: Mode = Field("managed", description="managed, or seeded: create what is missing only.")


class EnvironmentsFile(BaseModel):
    """The whole of environments.yaml (mirrors schemas/environments.schema.json)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    environments: dict[EnvironmentName, Environment] = Field(default_factory=dict)
    fleets: dict[EnvironmentName, Fleet] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _no_internal_keys(cls, data: Any) -> Any:
        # name, fleet and mode are set by dashctl, not keys of an environment in the file
        if isinstance(data, dict) and isinstance(data.get("environments"), dict):
            for name, entry in data["environments"].items():
                for key in INTERNAL_KEYS:
                    if isinstance(entry, dict) and key in entry:
                        raise ValueError(f"environment {name!r}: unknown key {key!r}")
        return data

    @model_validator(mode="after")
    def _rules(self) -> EnvironmentsFile:
        if not self.environments and not self.fleets:
            raise ValueError("environments.yaml needs 'environments' or 'fleets'")
        for name, environment in self.environments.items():
            if name in RESERVED_ENVIRONMENT_NAMES:
                raise ValueError(f"{name!r} is reserved and cannot name an environment")
            if HTTP_URL.match(environment.url) and not (
                environment.project and environment.token_env
            ):
                raise ValueError(
                    f"environment {name!r}: an http(s) url needs project and token_env"
                )
        for name, fleet in self.fleets.items():
            if name in RESERVED_ENVIRONMENT_NAMES or name in self.environments:
                raise ValueError(f"fleet {name!r}: the name is taken (reserved, or an environment)")
            if HTTP_URL.match(fleet.url) and not fleet.token_env:
                raise ValueError(f"fleet {name!r}: an http(s) url needs token_env")
        return self


@dataclass
class Repo:
    """The GitOps repository: its root and its environments (in file order)."""

    root: Path
    environments: dict[str, Environment] = field(default_factory=dict)
    # the parsed environments.yaml, to point problems at its nodes (exclude entries, ...)
    source: YamlDocument | None = field(default=None, repr=False, compare=False)

    @property
    def environments_file(self) -> Path:
        return self.root / ENVIRONMENTS_FILE

    def sqlite_path(self, environment: Environment) -> Path:
        """The database file of a sqlite: environment, relative paths from the root."""
        path = Path(environment.url[len(SQLITE_PREFIX) :])
        return path if path.is_absolute() else self.root / path


def valid_entries(data: Any, section: str) -> dict[str, EnvironmentsFile]:
    """Each entry of ``section`` (environments or fleets) that is valid on its own, parsed
    alone, so that one bad entry never hides the others."""
    entries = data.get(section) if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return {}
    check = validator("environments")
    valid: dict[str, EnvironmentsFile] = {}
    for name, entry in entries.items():
        single = {section: {name: entry}}
        if not check.is_valid(single):
            continue
        try:
            valid[name] = EnvironmentsFile.model_validate(single, strict=True)
        except ValidationError:
            continue
    return valid


def valid_fleets(data: Any) -> dict[str, Fleet]:
    return {name: parsed.fleets[name] for name, parsed in valid_entries(data, "fleets").items()}


def valid_environments(data: Any) -> dict[str, Environment]:
    """Each entry of `environments:` that is valid on its own, named."""
    return {
        name: parsed.environments[name].model_copy(update={"name": name})
        for name, parsed in valid_entries(data, "environments").items()
    }
