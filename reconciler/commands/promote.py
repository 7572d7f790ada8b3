"""`dashctl promote NAME --from ENV`: move a manifest from an environment's folder into base/
(`pull.promote` finds, checks and moves it).

One line on stdout says what moved where; the notes (the id dropped, who gets
the dashboard and how it pairs) go to stderr. A refusal is a DashctlError:
one line, exit 1, nothing moved.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.commands import console
from reconciler.commands.options import Common
from reconciler.pull.promote import promote
from reconciler.repo.yaml_io import display_path


@dataclass(frozen=True, kw_only=True)
class PromoteOptions(Common):
    name: str
    source: str  # --from: an environment, a fleet or a fleet member


def run(options: PromoteOptions) -> int:
    """Promote dashboard ``options.name`` from ``options.source``'s folder into base/."""
    moved = promote(options.root, options.name, options.source)
    console.line(f"moved {display_path(moved.source)} -> {display_path(moved.target)}")
    for text in moved.notes:
        console.note(text)
    return 0
