"""Decide which file each live dashboard is pulled into (pure).

The pairing of the engine (`reconciler.engine.pair`) says which manifest a live
dashboard belongs to; this module turns that into write targets:

- a manifest of the environment's own folder is updated in place;
- a manifest from base/ becomes an overlay of the same file name in the
  environment's folder, never a change to base/;
- a live dashboard no manifest declares gets a new file, named from a slug of
  its name, that clobbers no existing file (nor shadows a base/ file);
- except a rename in the UI of a dashboard that pins no id: the pairing sees a
  manifest missing live and an unmanaged live dashboard. When exactly one such
  manifest and one such live dashboard hold the same (non-empty) set of tile
  ids, the live one is pulled into that manifest's file under its new name.
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
    live_tile_ids: Mapping[str, frozenset[str]] | None = None,
) -> PullTargets:
    """Where each live dashboard goes.

    ``existing``: files in the env folder and base/; ``live_tile_ids``: the tile
    ids of each live dashboard by id (to recognise renames of unpinned manifests).
    """
    result = PullTargets(errors=[f"{error.dashboard}: {error.message}" for error in pairing.errors])
    blocked = {error.dashboard for error in pairing.errors}
    taken = stems(existing) | {p.desired.path.stem for p in pairing.pairs if p.desired}
    missing = [p.desired for p in pairing.pairs if p.desired is not None and p.live is None]
    new = [p.live for p in pairing.pairs if p.live is not None and p.desired is None]
    moves = [(p.desired, p.live) for p in pairing.pairs if p.desired and p.live is not None]
    for manifest, item in _renames(missing, new, live_tile_ids or {}):
        missing.remove(manifest)
        new.remove(item)
        moves.append((manifest, item))
    for manifest, item in moves:
        if _wanted(name, str(item["name"]), manifest.dashboard.name):
            result.targets.append(_into(manifest, item, env_dir))
    result.missing = [m for m in missing if _wanted(name, m.dashboard.name)]
    for item in sorted(new, key=lambda item: (str(item["name"]), str(item["id"]))):
        new_name = str(item["name"])
        if new_name in blocked or not _wanted(name, new_name):
            continue  # blocked: its manifest has an error of its own, no second file for it
        path = env_dir / free_file_name(slug(new_name), taken)
        result.targets.append(Target(str(item["id"]), new_name, path, None))
    return result


def _into(manifest: Manifest, live: Mapping[str, Any], env_dir: Path) -> Target:
    """Pull ``live`` into the file of ``manifest`` (an overlay when it comes from base/)."""
    path = env_dir / manifest.path.name if manifest.from_base else manifest.path
    return Target(str(live["id"]), str(live["name"]), path, manifest.path, manifest.from_base)


def _renames(
    missing: Sequence[Manifest],
    unmanaged: Sequence[Mapping[str, Any]],
    live_tile_ids: Mapping[str, frozenset[str]],
) -> list[tuple[Manifest, Mapping[str, Any]]]:
    """Unpinned manifests renamed in the UI: one-to-one by the same set of tile ids."""
    by_tiles: dict[frozenset[str], list[Mapping[str, Any]]] = {}
    for item in unmanaged:
        ids = live_tile_ids.get(str(item["id"]))
        if ids:
            by_tiles.setdefault(ids, []).append(item)
    declared: dict[frozenset[str], list[Manifest]] = {}
    for manifest in missing:
        if manifest.dashboard.id is None:
            ids = frozenset(tile.id for tile in manifest.dashboard.tiles)
            declared.setdefault(ids, []).append(manifest)
    return [
        (manifests[0], by_tiles[ids][0])
        for ids, manifests in declared.items()
        if ids and len(manifests) == 1 and len(by_tiles.get(ids, [])) == 1
    ]


def named_nothing(targets: PullTargets, pairing: Pairing, name: str | None) -> bool:
    """True when ``--name`` names no live dashboard and no manifest of the environment."""
    if name is None:
        return False
    names: Sequence[str] = [pair.key for pair in pairing.pairs] + [
        str(pair.live["name"]) for pair in pairing.pairs if pair.live is not None
    ]
    return name not in names and not targets.errors
