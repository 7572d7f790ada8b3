"""Outside edits (SPEC §7) as the plan shows them, in text and markdown. Pure.

"Edited outside git since the last apply": each managed dashboard someone
edited in the product's UI (or a script) since dashctl last applied it, with
the tiles and fields, when live was updated, and what apply does about it.
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.engine.outside import OutsideEdit
from reconciler.engine.threeway import Resolution

HEADING = "Edited outside git since the last apply"

DOES = {
    Resolution.KEPT: "kept: nothing is written for it",
    Resolution.MERGED: "kept, and git's changes written around it in one write",
    Resolution.REVERTED: "reverted to git's version (outside_edits: overwrite)",
    Resolution.CONFLICT: "conflict: git changed the same since the last apply; nothing is "
                         "written to it (settle it: dashctl pull keeps the outside edit, "
                         "apply --overwrite-outside-edits keeps git's)",
}


def what_happened(edit: OutsideEdit, show: Callable[[str], str]) -> str:
    """The edits of one dashboard on one line, data through ``show`` (an escaper)."""
    if edit.deleted:
        return "deleted outside"
    parts = ["renamed outside"] if edit.renamed else []
    if edit.added:
        parts.append("tiles added: " + ", ".join(map(show, edit.added)))
    if edit.changed:
        parts.append("tiles changed: " + ", ".join(
            f"{show(tile)} ({', '.join(fields)})" for tile, fields in edit.changed.items()))
    if edit.removed:
        parts.append("tiles removed: " + ", ".join(map(show, edit.removed)))
    return "; ".join(parts)


def what_apply_does(edit: OutsideEdit, show: Callable[[str], str]) -> str:
    if edit.resolution is Resolution.KEPT and edit.deleted:
        return "not created again"
    if edit.resolution is Resolution.REVERTED and edit.deleted:
        return "created again (outside_edits: overwrite)"
    text = DOES[edit.resolution]
    if edit.resolution is Resolution.CONFLICT and edit.conflicts:
        fields = ", ".join(f"{show(c.tile)}: {c.field}" if c.tile else c.field
                           for c in edit.conflicts)
        text = text.replace("changed the same", f"changed the same ({fields})", 1)
    return text


def when(edit: OutsideEdit, show: Callable[[str], str]) -> str:
    return f", live updated {show(edit.updated_at)}" if edit.updated_at else ""
