"""The dashboard: the manifest's model (pydantic types, enums), and its wire form.

The pydantic models are the typed definition of a manifest; the committed
JSON Schema (schemas/dashboard.schema.json) says the same, and the tests hold
the two in agreement. The manifest pipeline checks data with the schema, then
builds the wire form with `wire_tile` (the models' own `tile_to_wire` gives the
same value). Enum values are accepted in the API spelling
(``GRANULARITY_DAY``) or the short lower-case form (``day``) and are always
sent in the API spelling.

The wire form is the proto3 JSON the Dashboards API speaks (SPEC §1). Tiles
are always sent with their ``type``. `WireTile` types it: the keys dashctl
knows, each optional, since proto3 JSON may leave out a field at its default
value. A tile from a server may hold more (fields of other writers, SPEC §4);
code that reads those takes a ``Mapping[str, object]`` and checks what it finds.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, StrEnum
from typing import Annotated, Any, TypedDict

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)


class TileType(StrEnum):
    INSIGHT = "TILE_TYPE_INSIGHT"
    MARKDOWN = "TILE_TYPE_MARKDOWN"


class Granularity(StrEnum):
    HOUR = "GRANULARITY_HOUR"
    DAY = "GRANULARITY_DAY"
    WEEK = "GRANULARITY_WEEK"
    MONTH = "GRANULARITY_MONTH"


class Aggregation(StrEnum):
    COUNT = "AGGREGATION_COUNT"
    UNIQUE_USERS = "AGGREGATION_UNIQUE_USERS"


class Visualization(StrEnum):
    LINE = "VISUALIZATION_LINE"
    BAR = "VISUALIZATION_BAR"
    AREA = "VISUALIZATION_AREA"
    TABLE = "VISUALIZATION_TABLE"
    KPI = "VISUALIZATION_KPI"


ENUM_PREFIXES: dict[type[Enum], str] = {
    TileType: "TILE_TYPE_",
    Granularity: "GRANULARITY_",
    Aggregation: "AGGREGATION_",
    Visualization: "VISUALIZATION_",
}


def short_form(value: str) -> str:
    """``GRANULARITY_DAY`` -> ``day`` (the form `pull` writes)."""
    for prefix in ENUM_PREFIXES.values():
        if value.startswith(prefix):
            return value[len(prefix) :].lower()
    return value


def known_values(enum: type[Enum]) -> list[str]:
    """Every accepted spelling of an enum, for error messages and schemas."""
    prefix = ENUM_PREFIXES[enum]
    api = [str(member.value) for member in enum]
    return api + [value[len(prefix) :].lower() for value in api]


def expand_enum(enum: type[Enum]) -> BeforeValidator:
    """A validator that turns either spelling into the enum member.

    Returning the member (not the API string) lets the model validate in strict
    mode too, which is how manifests are checked after the JSON Schema.
    """
    prefix = ENUM_PREFIXES[enum]
    members: dict[str, Enum] = {}
    for member in enum:
        members[str(member.value)] = member
        members[str(member.value)[len(prefix) :].lower()] = member

    def expand(value: Any) -> Any:
        if isinstance(value, str):
            return members.get(value, value)
        return value

    return BeforeValidator(expand)


TileTypeField = Annotated[TileType, expand_enum(TileType)]
GranularityField = Annotated[Granularity, expand_enum(Granularity)]
AggregationField = Annotated[Aggregation, expand_enum(Aggregation)]
VisualizationField = Annotated[Visualization, expand_enum(Visualization)]

GRID_COLUMNS = 12
INT32_MAX = 2**31 - 1  # positions are int32 on the wire

# The API's limits (SPEC §1): a name of 1 to 1,000 characters, not blank, without
# control characters; at most 500 tiles. The pattern spells whitespace and controls
# out (no \s) so that every regex engine (ECMA-262 in editors, Python, pydantic's
# Rust) reads it alike, and splits a name one way only (leading blanks, the first
# other character, the rest), so that a backtracking engine takes linear time on it.
# schemas/dashboard.schema.json holds the same pattern.
MAX_NAME_LENGTH = 1000
MAX_TILES = 500
MAX_MESSAGE_BYTES = 4 * 1024 * 1024  # a Connect message (an Upsert of every tile) at most
CONTROL_CHARACTERS = "\\u0000-\\u001F\\u007F-\\u009F"
BLANK_CHARACTERS = "\\u0020\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF"
DASHBOARD_NAME_PATTERN = (
    f"^[{BLANK_CHARACTERS}]*[^{CONTROL_CHARACTERS}{BLANK_CHARACTERS}][^{CONTROL_CHARACTERS}]*$"
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Position(Strict):
    """Where a tile sits on the 12-column grid."""

    x: int = Field(0, ge=0, le=GRID_COLUMNS - 1, description="Column of the left edge (0-11).")
    y: int = Field(0, ge=0, le=INT32_MAX, description="Row of the top edge.")
    w: int = Field(ge=1, le=GRID_COLUMNS, description="Width in columns; x + w <= 12.")
    h: int = Field(ge=1, le=INT32_MAX, description="Height in rows.")


class Event(Strict):
    """An analytics event the query counts."""

    name: str = Field(min_length=1, description="Event name, e.g. page_view.")


class Query(Strict):
    """What an insight tile measures."""

    events: list[Event] = Field(min_length=1, description="The events counted.")
    granularity: GranularityField = Field(description="Time bucket: hour, day, week or month.")
    aggregation: AggregationField = Field(description="count or unique_users.")


class Insight(Strict):
    """A chart of a query."""

    query: Query
    visualization: VisualizationField = Field(description="line, bar, area, table or kpi.")


class Markdown(Strict):
    """A text tile."""

    content: str = Field(description="Markdown text.")


class Tile(Strict):
    """One tile: exactly one of insight / markdown."""

    id: str = Field(min_length=1, description="Unique within the dashboard.")
    type: TileTypeField | None = Field(None, description="Optional; must agree with the body.")
    position: Position
    insight: Insight | None = None
    markdown: Markdown | None = None

    @field_validator("insight", "markdown", mode="before")
    @classmethod
    def _body_not_null(cls, value: Any) -> Any:
        # a body is given or left out; `insight: null` is a slip (as in the JSON Schema)
        if value is None:
            raise ValueError("must be a mapping (leave the key out for no body)")
        return value

    @model_validator(mode="after")
    def _one_body(self) -> Tile:
        if (self.insight is None) == (self.markdown is None):
            raise ValueError(f"tile {self.id!r} must have exactly one of insight / markdown")
        if self.type is not None and self.type is not self.kind:
            raise ValueError(
                f"tile {self.id!r} has type {self.type.value} but a "
                f"{'insight' if self.insight else 'markdown'} body"
            )
        return self

    @property
    def kind(self) -> TileType:
        return TileType.INSIGHT if self.insight is not None else TileType.MARKDOWN


class Dashboard(Strict):
    """One dashboard manifest."""

    name: str = Field(
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        pattern=DASHBOARD_NAME_PATTERN,
        description="Unique within an environment; 1 to 1,000 characters, not blank.",
    )
    id: str | None = Field(None, min_length=1, description="Pin to one live dashboard.")
    former_names: list[str] = Field(
        default_factory=list,
        alias="formerNames",
        description="Earlier names: a live dashboard by one of them is renamed, not recreated.",
    )
    tiles: list[Tile] = Field(default_factory=list, max_length=MAX_TILES)


class WirePosition(TypedDict, total=False):
    x: int
    y: int
    w: int
    h: int


class WireEvent(TypedDict, total=False):
    name: str


class WireQuery(TypedDict, total=False):
    events: list[WireEvent]
    granularity: str  # an enum value's name: GRANULARITY_DAY
    aggregation: str


class WireInsight(TypedDict, total=False):
    query: WireQuery
    visualization: str


class WireMarkdown(TypedDict, total=False):
    content: str


class WireTile(TypedDict, total=False):
    """A tile in proto3 JSON: ``insight`` or ``markdown`` as its body (SPEC §1)."""

    id: str
    type: str  # TILE_TYPE_INSIGHT, TILE_TYPE_MARKDOWN (a server may know more)
    position: WirePosition
    insight: WireInsight
    markdown: WireMarkdown


def tile_to_wire(tile: Tile) -> WireTile:
    """The wire form of a tile, always with its type (every field of the model, in its order)."""
    p = tile.position
    wire: WireTile = {
        "id": tile.id,
        "type": tile.kind.value,
        "position": {"x": p.x, "y": p.y, "w": p.w, "h": p.h},
    }
    if tile.insight is not None:
        query = tile.insight.query
        wire["insight"] = {
            "query": {
                "events": [{"name": event.name} for event in query.events],
                "granularity": query.granularity.value,
                "aggregation": query.aggregation.value,
            },
            "visualization": tile.insight.visualization.value,
        }
    if tile.markdown is not None:
        wire["markdown"] = {"content": tile.markdown.content}
    return wire


def tiles_to_wire(tiles: list[Tile]) -> list[WireTile]:
    return [tile_to_wire(tile) for tile in tiles]


def api_value(enum: type[Enum], value: str) -> str:
    """An enum value in the API's spelling, from either (``day`` -> ``GRANULARITY_DAY``)."""
    prefix = ENUM_PREFIXES[enum]
    return value if value.startswith(prefix) else prefix + value.upper()


def wire_tile(tile: Mapping[str, Any]) -> WireTile:
    """The wire form of a tile as a manifest declares it, from data the JSON Schema accepted.

    The model step of the manifest pipeline: the same value as ``tile_to_wire`` of
    the validated `Tile` (the tests prove it), without building the model, which
    for 2,000 dashboards of 25 tiles cost more than the rest of the load.
    """
    position = tile["position"]
    insight = tile.get("insight")
    kind = TileType.INSIGHT if insight is not None else TileType.MARKDOWN
    wire: WireTile = {
        "id": tile["id"],
        "type": kind.value,
        "position": {"x": position.get("x", 0), "y": position.get("y", 0),
                     "w": position["w"], "h": position["h"]},
    }
    if insight is not None:
        query = insight["query"]
        wire["insight"] = {
            "query": {
                "events": [{"name": event["name"]} for event in query["events"]],
                "granularity": api_value(Granularity, query["granularity"]),
                "aggregation": api_value(Aggregation, query["aggregation"]),
            },
            "visualization": api_value(Visualization, insight["visualization"]),
        }
    else:
        wire["markdown"] = {"content": tile["markdown"]["content"]}
    return wire
