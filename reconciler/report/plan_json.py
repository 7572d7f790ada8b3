"""The plan as JSON (SPEC §3, formatVersion 1): the codec is `reconciler.documents`."""

from __future__ import annotations

from reconciler.documents import plan_document
from reconciler.engine.plan import Plan


def render_plan_json(plan: Plan) -> str:
    return plan_document(plan).dump()
