"""The plan as JSON (SPEC §3, formatVersion 1): the codec is `reconciler.documents`."""

from __future__ import annotations

from reconciler.documents import plan_document
from reconciler.engine.plan import Plan
from reconciler.report.sanitize import json_text


def render_plan_json(plan: Plan) -> str:
    return json_text(plan_document(plan).model_dump(mode="json", by_alias=True)) + "\n"
