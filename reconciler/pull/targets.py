"""Decide which file each live dashboard is pulled into (pure).

The pairing of the engine (`reconciler.engine.pair`) says which manifest a live
dashboard belongs to; this module turns that into write targets:

- a manifest of the environment's own folder is updated in place;
- a manifest from base/ becomes an overlay of the same file name in the
  environment's folder, never a change to base/;
- a live dashboard no manifest declares gets a new file, named from a slug of
  its name, that clobbers no existing file (nor shadows a base/ file);
- except a rename in the UI of a dashboard that pins no id: the pairing sees a
  manifest missing live and an unmanaged live dashboard. When such a manifest
  and such a live dashboard are each other's one best match by their tile ids
  (at least half in common: the rename may come with tile changes), the live
  one is pulled into that manifest's file under its new name;
- two unmanaged live dashboards with one name are an error for both (a file
  per name), and so is a live name the API's limits refuse (it would not
  validate): nothing is written for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.engine.pair import Pairing
from reconciler.repo.filenames import slug, unique
from reconciler.repo.limits import name_problem
from reconciler.repo.manifest import Manifest

YAML_SUFFIXES = (".yaml", ".yml")
RENAME_SIMILARITY = 0.5  # share of tile ids in common that recognises a UI rename


@dataclass(frozen=True)
class PullTarget:
    """Pull one live dashboard into ``path``, starting from ``source`` (None: a new file)."""

    dashboard_id: str
    name: str
    path: Path
    source: Path | None
    overlay: bool = False


@dataclass
class PullTargets:
    targets: list[PullTarget] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    missing: list[Manifest] = field(default_factory=list)  # declared in git, not live
    deleted: list[Manifest] = field(default_factory=list)  # recorded, deleted outside since


def free_file_name(stem: str, taken: set[str]) -> str:
    """``stem.yaml``, or ``stem-2.yaml``... whose stem no file in ``taken`` already uses."""
    return unique(stem, taken) + ".yaml"


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
    missing = [p.desired for p in pairing.pairs
               if p.desired is not None and p.live is None and p.record is None]
    result.deleted = [p.desired for p in pairing.pairs if p.desired is not None
                      and p.live is None and p.record is not None and _wanted(name, p.key)]
    new, twins = _one_per_name([p.live for p in pairing.pairs
                                if p.live is not None and p.desired is None])
    result.errors += [
        f"{len(items)} live dashboards are named {twin!r} ({', '.join(sorted(items))}):"
        " nothing pulled for them (one file per name); rename or delete all but one in the UI"
        for twin, items in twins.items() if _wanted(name, twin)
    ]
    moves: list[tuple[Manifest, Mapping[str, Any]]] = [
        (p.desired, p.live) for p in pairing.pairs if p.desired and p.live is not None]
    for manifest, item in _renames(missing, new, live_tile_ids or {}):
        missing.remove(manifest)
        new.remove(item)
        moves.append((manifest, item))
    for manifest, item in moves:
        if _wanted(name, str(item["name"]), manifest.name):
            result.targets.append(_into(manifest, item, env_dir))
    result.missing = [m for m in missing if _wanted(name, m.name)]
    for item in sorted(new, key=lambda item: (str(item["name"]), str(item["id"]))):
        new_name = str(item["name"])
        if new_name in blocked or not _wanted(name, new_name):
            continue  # blocked: its manifest has an error of its own, no second file for it
        path = env_dir / free_file_name(slug(new_name), taken)
        result.targets.append(PullTarget(str(item["id"]), new_name, path, None))
    refused = [(target, name_problem(target.name)) for target in result.targets]
    result.errors += [f"{target.name!r} ({target.dashboard_id}): not pulled: {why}"
                      for target, why in refused if why is not None]
    result.targets = [target for target, why in refused if why is None]
    return result


def _one_per_name(
    live: Sequence[Mapping[str, Any]],
) -> tuple[list[Mapping[str, Any]], dict[str, list[str]]]:
    """The live dashboards whose name no other one has, and the ids of those that share one."""
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for item in live:
        by_name.setdefault(str(item["name"]), []).append(item)
    alone = [items[0] for items in by_name.values() if len(items) == 1]
    shared = {key: [str(item["id"]) for item in items]
              for key, items in by_name.items() if len(items) > 1}
    return alone, shared


def _into(manifest: Manifest, live: Mapping[str, Any], env_dir: Path) -> PullTarget:
    """Pull ``live`` into the file of ``manifest`` (an overlay when it comes from base/)."""
    path = env_dir / manifest.path.name if manifest.from_base else manifest.path
    return PullTarget(str(live["id"]), str(live["name"]), path, manifest.path, manifest.from_base)


def _renames(
    missing: Sequence[Manifest],
    unmanaged: Sequence[Mapping[str, Any]],
    live_tile_ids: Mapping[str, frozenset[str]],
) -> list[tuple[Manifest, Mapping[str, Any]]]:
    """Unpinned manifests renamed in the UI, recognised by their tile ids, one to one.

    A manifest and a live dashboard are a rename when each is the other's one
    best match by the share of tile ids they have in common (Jaccard), and that
    share is at least :data:`RENAME_SIMILARITY`: a rename in the UI may come
    with tiles added, removed or edited.
    """
    live_ids = {str(item["id"]): item for item in unmanaged if live_tile_ids.get(str(item["id"]))}
    by_tile: dict[str, list[str]] = {}
    for dashboard_id in live_ids:
        for tile_id in live_tile_ids[dashboard_id]:
            by_tile.setdefault(tile_id, []).append(dashboard_id)
    scores: list[tuple[float, int, str]] = []
    declared = [m for m in missing if m.pinned_id is None and m.tile_ids]
    for number, manifest in enumerate(declared):
        ids = frozenset(manifest.tile_ids)
        for dashboard_id in {d for tile_id in ids for d in by_tile.get(tile_id, [])}:
            live = live_tile_ids[dashboard_id]
            score = len(ids & live) / len(ids | live)
            if score >= RENAME_SIMILARITY:
                scores.append((score, number, dashboard_id))
    best_of_manifest = _unique_best((number, (score, key)) for score, number, key in scores)
    best_of_live = _unique_best((key, (score, number)) for score, number, key in scores)
    return [
        (declared[number], live_ids[key])
        for number, (_, key) in sorted(best_of_manifest.items())
        if best_of_live.get(key, (0.0, -1))[1] == number
    ]


Scored = tuple[float, Any]


def _unique_best(candidates: Iterable[tuple[Any, Scored]]) -> dict[Any, Scored]:
    """For each key, its candidate of the highest score, unless two share that score."""
    best: dict[Any, Scored] = {}
    tied: set[Any] = set()
    for key, (score, other) in candidates:
        if key not in best or score > best[key][0]:
            best[key] = (score, other)
            tied.discard(key)
        elif score == best[key][0]:
            tied.add(key)
    return {key: value for key, value in best.items() if key not in tied}


def named_nothing(targets: PullTargets, pairing: Pairing, name: str | None) -> bool:
    """True when ``--name`` names no live dashboard and no manifest of the environment."""
    if name is None:
        return False
    names: Sequence[str] = [pair.key for pair in pairing.pairs] + [
        str(pair.live["name"]) for pair in pairing.pairs if pair.live is not None
    ]
    return name not in names and not targets.errors
