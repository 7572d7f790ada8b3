"""`dashctl pull --env E [--name NAME]`: write live dashboards into manifests (`pull.environment`).

One line per file written goes to stdout, the summary to stderr; an error for
one dashboard does not stop the others (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.commands import console
from reconciler.commands.options import Selected, open_run
from reconciler.pull.environment import pull_environment
from reconciler.repo.yaml_io import display_path


@dataclass(frozen=True, kw_only=True)
class PullOptions(Selected):
    name: str | None = None


def run(options: PullOptions) -> int:
    """Pull the live dashboards of the selected environments into git."""
    failed = False
    session = open_run(options)
    for state in session.read():
        name = state.environment.name
        outcome = pull_environment(session.repo.root, state, options.name)
        for path in outcome.written:
            console.line(f"wrote {display_path(path)}")
        for text in outcome.notes:
            console.note(text)
        for text in outcome.errors:
            console.error(f"{name}: {text}")
        updated = len(outcome.written) - outcome.created
        console.note(f"pull {name}: {outcome.created} new, {updated} updated, "
                     f"{outcome.unchanged} unchanged, {len(outcome.errors)} error(s)")
        failed |= bool(outcome.errors)
    return 1 if failed else 0
