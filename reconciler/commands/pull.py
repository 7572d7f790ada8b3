"""`dashctl pull --env E [--name NAME]`: write live dashboards into manifests.

Reads the environment's manifests and live state, pairs them with the
engine's `pair` (the one matcher), then for each live dashboard merges it
into its file (`reconciler.pull.document`), writes an overlay for a base/
dashboard, or creates a new file. Each result is checked against the live
dashboard in canonical form before it is written, so that `plan` afterwards
has nothing to do. One line per file written goes to stdout, the summary to
stderr; an error for one dashboard does not stop the others (exit 1).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler.commands import console
from reconciler.commands.options import Selected
from reconciler.commands.read import read_all, selected
from reconciler.engine.normalize import canonical_tiles
from reconciler.engine.pair import pair
from reconciler.engine.read import EnvironmentState
from reconciler.errors import DashctlError
from reconciler.model import Dashboard, tiles_to_wire
from reconciler.pull.document import interpolate, live_tiles, new_document, update_document
from reconciler.pull.targets import Target, named_nothing, pull_targets
from reconciler.repo.models import Environment, Repo
from reconciler.repo.yaml_io import display_path, dump_roundtrip, load_roundtrip


@dataclass(frozen=True, kw_only=True)
class PullOptions(Selected):
    name: str | None = None


@dataclass
class PullResult:
    """What pulling one environment did."""

    environment: str
    written: list[Path] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plain(node: Any, variables: Mapping[str, str]) -> Any:
    """A round-trip tree as plain data, ``${var}`` interpolated (what the loader would read)."""
    if isinstance(node, Mapping):
        return {str(key): plain(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(item, variables) for item in node]
    if isinstance(node, str):
        return interpolate(str(node), variables)
    return node


def mismatch(document: Any, live: Mapping[str, Any], variables: Mapping[str, str]) -> str | None:
    """Why ``document`` would not plan as equal to ``live``, or None."""
    try:
        dashboard = Dashboard.model_validate(plain(document, variables))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"the live dashboard is not a valid manifest ({where}: {first['msg']})"
    if dashboard.name != str(live.get("name", "")):
        return f"name {dashboard.name!r} != live {live.get('name')!r}"
    if canonical_tiles(tiles_to_wire(dashboard.tiles)) != canonical_tiles(live_tiles(live)):
        return "the tiles written would differ from the live tiles"
    return None


def write_target(target: Target, live: Mapping[str, Any], environment: Environment) -> bool:
    """Merge ``live`` into the target's file; True when the file was written."""
    if target.source is None:
        document = new_document(live)
    else:
        document = load_roundtrip(target.source)
        if not update_document(document, live, environment.vars):
            return False
    problem = mismatch(document, live, environment.vars)
    if problem is not None:
        raise DashctlError(f"{target.name}: not pulled: {problem}")
    target.path.parent.mkdir(parents=True, exist_ok=True)
    dump_roundtrip(document, target.path)
    return True


def pull_environment(repo: Repo, state: EnvironmentState, name: str | None) -> PullResult:
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
    pairing = pair(manifests, live.summaries, environment.ignore)
    env_dir = repo.root / environment.name
    existing = [*_files(env_dir), *_files(repo.root / "base")]
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
            f"{manifest.dashboard.name!r} ({display_path(manifest.path)}) is declared in git "
            "but not live; pull leaves it (apply creates it, or delete the file)"
        )
    for target in targets.targets:
        dashboard = live.dashboards.get(target.dashboard_id)
        if dashboard is None:
            reason = live.errors.get(target.dashboard_id, "not fetched")
            outcome.errors.append(f"{target.name}: cannot read live dashboard: {reason}")
            continue
        try:
            written = write_target(target, dashboard, environment)
        except DashctlError as error:
            outcome.errors.append(str(error))
            continue
        if written:
            console.line(f"wrote {display_path(target.path)}")
            outcome.written.append(target.path)
            outcome.created += target.source is None
        else:
            outcome.unchanged += 1
    return outcome


def _files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.is_dir() else []


def run(options: PullOptions) -> int:
    """Pull the live dashboards of the selected environments into git."""
    repo, environments = selected(options)
    failed = False
    for state in asyncio.run(read_all(repo, environments)):
        name = state.environment.name
        outcome = pull_environment(repo, state, options.name)
        for text in outcome.notes:
            console.note(text)
        for text in outcome.errors:
            console.error(f"{name}: {text}")
        updated = len(outcome.written) - outcome.created
        console.note(f"pull {name}: {outcome.created} new, {updated} updated, "
                     f"{outcome.unchanged} unchanged, {len(outcome.errors)} error(s)")
        failed |= bool(outcome.errors)
    return 1 if failed else 0
