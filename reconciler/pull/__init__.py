"""`dashctl pull`: bring live dashboards (UI edits) back into git."""

from __future__ import annotations

from reconciler.pull.command import run_pull

__all__ = ["run_pull"]
