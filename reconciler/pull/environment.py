"""Pulling one environment: live dashboards merged into their manifests, each checked first.

Pairs the environment's manifests with live state with the engine's `pair`
(the one matcher), then for each live dashboard merges it into its file
(`pull.document`), writes an overlay for a base/ dashboard, or creates a new
file (`pull.targets` decides which). Each result is checked as the loader
would read it (``${var}``, the JSON Schema, the model) against the live
dashboard in canonical form before it is written, so that `plan` afterwards
has nothing to do. An error for one dashboard does not stop the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.engine.normalize import canonical_tiles
from reconciler.engine.outside import live_version, record_version
from reconciler.engine.outside import version as outside_version
from reconciler.engine.pair import pair
from reconciler.engine.plan import EnvironmentState
from reconciler.engine.records import Record
from reconciler.engine.threeway import adopt
from reconciler.errors import DashctlError
from reconciler.pull.document import live_tiles, new_document, update_document
from reconciler.pull.targets import PullTarget, named_nothing, pull_targets
from reconciler.repo.config import BASE_DIR, Environment
from reconciler.repo.interpolate import interpolate
from reconciler.repo.manifest import Manifest, to_manifest
from reconciler.repo.schema import is_valid
from reconciler.repo.yaml_io import display_path, dump_roundtrip, load_roundtrip


@dataclass
class PullResult:
    """What pulling one environment did."""

    environment: str
    written: list[Path] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plain(node: Any) -> Any:
    """A round-trip tree as plain data (what the loader would parse)."""
    if isinstance(node, Mapping):
        return {str(key): plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(item) for item in node]
    if isinstance(node, str):
        return str(node)
    return node


def mismatch(document: Any, live: Mapping[str, Any], environment: Environment) -> str | None:
    """Why ``document`` would not load and plan as equal to ``live``, or None."""
    problems: list[str] = []
    data = interpolate(plain(document), environment.vars,
                       lambda _path, message: problems.append(message), scope="pull")
    if problems or not is_valid("dashboard", data):
        return "the live dashboard is not a valid manifest"
    manifest = to_manifest(data, Path("pulled"), from_base=False)
    if manifest.name != str(live.get("name", "")):
        return f"name {manifest.name!r} != live {live.get('name')!r}"
    if canonical_tiles(manifest.wire_tiles) != canonical_tiles(live_tiles(live)):
        return "the tiles written would differ from the live tiles"
    return None


def adopted(record: Record, manifest: Manifest, live: Mapping[str, Any]) -> dict[str, Any]:
    """What to write of a recorded dashboard (SPEC §7): live's value where live changed since
    the record, git's pending changes elsewhere (`threeway.adopt`), as a live dashboard."""
    version = adopt(record_version(record), outside_version(manifest.name, manifest.wire_tiles),
                    live_version(live))
    order = [str(tile.get("id")) for tile in live_tiles(live)]
    ids = [tile for tile in order if tile in version.tiles]
    ids += sorted(set(version.tiles) - set(ids))
    return {"id": live.get("id"), "name": version.name,
            "tiles": [dict(version.tiles[tile]) for tile in ids]}


def write_target(root: Path, target: PullTarget, live: Mapping[str, Any],
                 environment: Environment) -> bool:
    """Merge ``live`` into the target's file (of the repository at ``root``); True when
    the file was written."""
    if target.source is None:
        document = new_document(live)
    else:
        document = load_roundtrip(target.source, root=root)
        if not update_document(document, live, environment.vars):
            return False
    problem = mismatch(document, live, environment)
    if problem is not None:
        raise DashctlError(f"{target.name}: not pulled: {problem}")
    target.path.parent.mkdir(parents=True, exist_ok=True)
    dump_roundtrip(document, target.path)
    return True


def _files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.is_dir() else []


def pull_environment(root: Path, state: EnvironmentState, name: str | None) -> PullResult:
    """Pull the live dashboards of one environment read by a run into the repository at root."""
    environment, manifests = state.environment, state.manifests
    outcome = PullResult(environment.name)
    if state.problems:  # a file with a problem is left out: pulling would duplicate it
        outcome.errors += [str(problem) for problem in state.problems]
        outcome.errors.append("the manifests have problems; nothing pulled (see dashctl validate)")
        return outcome
    live = state.live
    if live is None:
        outcome.errors.append(state.error or "live state was not read")
        return outcome
    records = state.records.by_id if state.records is not None else {}
    pairing = pair(manifests, live.summaries, environment.ignore, records)
    recorded = {str(p.live["id"]): (p.record, p.desired) for p in pairing.pairs
                if p.live is not None and p.record is not None and p.desired is not None}
    env_dir = root / environment.folder  # a fleet member reads (and pulls into) its fleet's
    existing = [*_files(env_dir), *_files(root / BASE_DIR)]
    tile_ids = {
        dashboard_id: frozenset(str(tile.get("id")) for tile in live_tiles(dashboard))
        for dashboard_id, dashboard in live.dashboards.items()
    }
    targets = pull_targets(pairing, env_dir=env_dir, existing=existing, name=name,
                           live_tile_ids=tile_ids)
    if named_nothing(targets, pairing, name):
        outcome.errors.append(f"no dashboard named {name!r} in environment {environment.name}")
    outcome.errors += targets.errors
    for manifest in targets.missing:
        outcome.notes.append(
            f"{manifest.name!r} ({display_path(manifest.path)}) is declared in git "
            "but not live; pull leaves it (apply creates it, or delete the file)"
        )
    for manifest in targets.deleted:
        outcome.notes.append(
            f"{manifest.name!r} ({display_path(manifest.path)}) was deleted outside git since "
            "the last apply; pull leaves its file (delete it to adopt the deletion, or "
            "apply --overwrite-outside-edits to create it again)"
        )
    for target in targets.targets:
        dashboard = live.dashboards.get(target.dashboard_id)
        if dashboard is None:
            reason = live.errors.get(target.dashboard_id, "not fetched")
            outcome.errors.append(f"{target.name}: cannot read live dashboard: {reason}")
            continue
        if target.dashboard_id in recorded:
            dashboard = adopted(*recorded[target.dashboard_id], dashboard)
        try:
            written = write_target(root, target, dashboard, environment)
        except DashctlError as error:
            outcome.errors.append(str(error))
            continue
        if written:
            outcome.written.append(target.path)
            outcome.created += target.source is None
        else:
            outcome.unchanged += 1
    return outcome
