"""Typed values read from the GitOps repository."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from reconciler.model import Dashboard

SQLITE_PREFIX = "sqlite:"
DEFAULT_SQLITE_PROJECT = "local"


class Environment(BaseModel):
    """One entry of environments.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("", exclude=True, description="Set from the mapping key.")
    url: str = Field(
        min_length=1,
        description="https://... of the Dashboards API, or sqlite:PATH for the embedded emulator.",
    )
    project: str | None = Field(None, min_length=1, description="Project id (x-project-id).")
    token_env: str | None = Field(
        None, min_length=1, description="Name of the environment variable holding the JWT."
    )
    prune: bool = Field(False, description="Delete live dashboards that no manifest declares.")
    max_deletes: int | None = Field(
        None, ge=0, description="Refuse an apply that would delete more dashboards than this."
    )
    exclude: list[str] = Field(
        default_factory=list, description="File names in base/ this environment skips."
    )
    ignore: list[str] = Field(
        default_factory=list,
        description="Globs on live dashboard names never touched or reported.",
    )
    vars: dict[str, str] = Field(
        default_factory=dict, description="${name} in any manifest string is replaced."
    )

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith(SQLITE_PREFIX)

    @property
    def project_id(self) -> str:
        """The project dashctl works in (``local`` for sqlite: unless given)."""
        if self.project:
            return self.project
        return DEFAULT_SQLITE_PROJECT if self.is_sqlite else ""


@dataclass(frozen=True)
class Problem:
    """One validation problem, located at the offending node."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True)
class Manifest:
    """A dashboard as an environment gets it, with the file it came from."""

    dashboard: Dashboard
    path: Path  # the file that declared it (base/ or the environment's folder)
    from_base: bool


@dataclass
class Repo:
    """The GitOps repository: its root and its environments (in file order)."""

    root: Path
    environments: dict[str, Environment] = field(default_factory=dict)

    def sqlite_path(self, environment: Environment) -> Path:
        """The database file of a sqlite: environment, relative paths from the root."""
        path = Path(environment.url[len(SQLITE_PREFIX) :])
        return path if path.is_absolute() else self.root / path
