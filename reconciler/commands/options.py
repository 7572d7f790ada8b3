"""The options every command shares (the global flags) and those of the commands
that work on a selection of environments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.repo.select import Shard
from reconciler.run import DEFAULT_PARALLELISM, Progress, Run

__all__ = ["DEFAULT_PARALLELISM", "Common", "Selected", "open_run"]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True, kw_only=True)
class Common:
    """The global options: where the repository is, and how to print."""

    root: Path = Path("dashboards")
    color: bool = False
    verbose: int = 0


@dataclass(frozen=True, kw_only=True)
class Selected(Common):
    """A command over environments: `--env` (names, globs, `all`; empty is all) and `--shard`."""

    envs: tuple[str, ...] = ()
    shard: Shard | None = None
    parallelism: int = DEFAULT_PARALLELISM  # concurrent API calls across the whole run


def open_run(options: Selected, progress: Progress = _quiet, note: Progress = _quiet) -> Run:
    """The run ``options`` select: the repository, its environments, the bounds; ``note``
    gets what the run has to say on the way (plan and apply pass the console's)."""
    return Run.open(options.root, options.envs, options.shard,
                    parallelism=options.parallelism, progress=progress, note=note)
