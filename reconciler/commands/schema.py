"""`dashctl schema NAME`: print one of the committed JSON Schemas."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.commands import console
from reconciler.repo.schema import SCHEMAS_DIR

SCHEMA_NAMES = ("dashboard", "environments", "plan", "drift")


@dataclass(frozen=True, kw_only=True)
class SchemaOptions:
    name: str


def run(options: SchemaOptions) -> int:
    console.out((SCHEMAS_DIR / f"{options.name}.schema.json").read_text("utf-8"), nl=False)
    return 0
