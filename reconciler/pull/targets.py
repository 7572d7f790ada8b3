"""Decide which file each live dashboard is pulled into (pure).

The pairing of the engine (`reconciler.engine.pair`) says which manifest a live
dashboard belongs to; this module turns that into write targets:

- a manifest of the environment's own folder is updated in place;
- a manifest from base/ becomes an overlay of the same file name in the
  environment's folder, never a change to base/;
- a live dashboard no manifest declares gets a new file, named from a slug of
  its name, that clobbers no existing file (nor shadows a base/ file).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.engine.pair import Pairing
from reconciler.repo.models import Manifest

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Target:
    """Pull one live dashboard into ``path``, starting from ``source`` (None: a new file)."""

    dashboard_id: str
    name: str
    path: Path
    source: Path | None
    overlay: bool = False


@dataclass
class PullTargets:
    targets: list[Target] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    missing: list[Manifest] = field(default_factory=list)  # declared in git, not live


def slug(name: str) -> str:
    """``Growth KPIs (EU)`` -> ``growth-kpis-eu``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "dashboard"


def free_file_name(stem: str, taken: set[str]) -> str:
    """``stem.yaml``, or ``stem-2.yaml``... whose stem no file in ``taken`` already uses."""
    candidate, number = stem, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}"
    taken.add(candidate)
    return candidate + ".yaml"


def stems(paths: Iterable[Path]) -> set[str]:
    return {path.stem for path in paths if path.suffix in YAML_SUFFIXES}


def _wanted(name: str | None, *names: str | None) -> bool:
    return name is None or name in names


def pull_targets(
    pairing: Pairing,
    *,
    env_dir: Path,
    existing: Iterable[Path],
    name: str | None = None,
) -> PullTargets:
    """Where each live dashboard goes. ``existing``: files in the env folder and base/."""
    result = PullTargets(errors=[f"{error.dashboard}: {error.message}" for error in pairing.errors])
    blocked = {error.dashboard for error in pairing.errors}
    taken = stems(existing)
    new: list[Mapping[str, Any]] = []
    for pair in pairing.pairs:
        live, desired = pair.live, pair.desired
        if desired is not None:
            taken.add(desired.path.stem)
        live_name = str(live["name"]) if live is not None else None
        if not _wanted(name, live_name, desired.dashboard.name if desired else None):
            continue
        if live is None:
            if desired is not None:
                result.missing.append(desired)
        elif desired is None:
            new.append(live)
        elif desired.from_base:
            result.targets.append(Target(str(live["id"]), str(live["name"]),
                                         env_dir / desired.path.name, desired.path, overlay=True))
        else:
            result.targets.append(
                Target(str(live["id"]), str(live["name"]), desired.path, desired.path)
            )
    for item in sorted(new, key=lambda item: (str(item["name"]), str(item["id"]))):
        new_name = str(item["name"])
        if new_name in blocked:
            continue  # its manifest has an error of its own: no second file for it
        path = env_dir / free_file_name(slug(new_name), taken)
        result.targets.append(Target(str(item["id"]), new_name, path, None))
    return result


def named_nothing(targets: PullTargets, pairing: Pairing, name: str | None) -> bool:
    """True when ``--name`` names no live dashboard and no manifest of the environment."""
    if name is None:
        return False
    names: Sequence[str] = [pair.key for pair in pairing.pairs] + [
        str(pair.live["name"]) for pair in pairing.pairs if pair.live is not None
    ]
    return name not in names and not targets.errors
