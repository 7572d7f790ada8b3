"""A saved plan is an approval, not a program (SPEC §4). Pure.

`apply --plan FILE` reads the repository and live state again and plans anew;
the saved plan is applied only if what it would write that git owns is what
the repository renders now: the same creates, updates and deletes of the same
dashboards, each with the same name and modeled content. A plan file edited by
hand (changed tile content, an added create, a delete of a declared dashboard,
an ignored dashboard written) or made from another repository is refused
whole. Every guard (prune, max_deletes, deleting every dashboard, ignore) is
the fresh plan's, so none can be edited away either.

The same read of live state tells which dashboards moved since the plan was
made (`moved_since`, against the saved plan's fingerprints): one read of live
state for the check and the fresh plan, not two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.engine.changes import Action, Change, EnvironmentPlan
from reconciler.engine.live import LiveState
from reconciler.engine.normalize import canonical_tiles


def _git_owned(change: Change) -> tuple[Any, ...]:
    """What git owns of a change: its action, dashboard, id, rename, and the modeled
    content it writes (unmodeled content is live's, and may differ between two reads)."""
    after: Mapping[str, Any] = change.after or {}
    return (change.id, change.rename, after.get("name"),
            canonical_tiles(after.get("tiles") or []) if change.after is not None else None)


def unapproved(saved: EnvironmentPlan, fresh: EnvironmentPlan) -> list[str]:
    """Where ``saved`` differs from ``fresh`` (the plan of now) in what git owns; [] when
    the saved plan is what the repository renders now."""
    mine = {(c.action, c.dashboard): c for c in saved.changes}
    now = {(c.action, c.dashboard): c for c in fresh.changes}
    reasons = [f"{action.value} {name!r} is not what the repository renders now"
               for action, name in sorted(mine.keys() - now.keys())]
    reasons += [f"the repository now also has {action.value} {name!r}"
                for action, name in sorted(now.keys() - mine.keys())]
    reasons += [f"{action.value} {name!r} writes other content than the repository renders now"
                for (action, name) in sorted(mine.keys() & now.keys())
                if _git_owned(mine[action, name]) != _git_owned(now[action, name])]
    return reasons


def moved_since(saved: EnvironmentPlan, live: LiveState) -> list[str]:
    """The dashboards of ``saved`` that moved live since it was made, in ``live`` (the read
    of the fresh plan): a create whose name is now live, and a dashboard it touches that
    changed (modeled or unmodeled content, name) or is gone."""
    names = {str(summary.get("name", "")) for summary in live.summaries}
    found = [change.dashboard for change in saved.changes
             if change.action is Action.CREATE and change.dashboard in names]
    for change in saved.changes:
        now = live.dashboards.get(change.id) if change.id is not None else None
        if change.id is not None and (now is None or now["fingerprint"] != change.fingerprint):
            found.append(change.dashboard)
    return found
