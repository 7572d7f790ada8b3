"""`dashctl envs`: list the selected environments (and fleet members), e.g. for a CI matrix."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from reconciler.commands import console
from reconciler.commands.options import Selected, open_run
from reconciler.repo.config import Environment


@dataclass(frozen=True, kw_only=True)
class EnvsOptions(Selected):
    fmt: str = "text"


def describe(environment: Environment) -> dict[str, Any]:
    """The JSON entry of one environment (SPEC §3); never a token, only its variable's name."""
    return {
        "name": environment.name,
        "kind": "sqlite" if environment.is_sqlite else "http",
        "project": environment.project_id,
        "fleet": environment.fleet,
        "prune": environment.prune,
        "token_env": environment.token_env,
    }


def run(options: EnvsOptions) -> int:
    environments = open_run(options).environments
    if options.fmt == "json":
        console.out(json.dumps([describe(e) for e in environments], ensure_ascii=False))
        return 0
    for environment in environments:
        entry = describe(environment)
        console.line(f"{entry['name']}  {entry['kind']}  project {entry['project']}  "
                     f"prune {'on' if entry['prune'] else 'off'}")
    return 0
