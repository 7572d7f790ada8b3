"""Sample tiles, hostile markdown and saved plans for the preview tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.documents import write_saved_plan
from reconciler.engine.changes import Action, Change, EnvironmentPlan, Plan, Rename
from reconciler.engine.diff import TileChanges
from tests.support.factories import insight, markdown, wire

EVIL_MARKDOWN = (
    "# Notes\n\n"
    "<script>window.__pwned = 'script'</script>\n\n"
    "[click me](javascript:window.__pwned='link')\n\n"
    "[angle](<javascript:window.__pwned='angle'>)\n\n"
    "[entity](&#106;avascript:window.__pwned='entity')\n\n"
    "<javascript:window.__pwned='autolink'>\n\n"
    "<img src=x onerror=\"window.__pwned='img'\">\n\n"
    "![remote](https://example.invalid/x.png)\n\n"
    "[fine](https://example.com/docs)\n"
)


def every_kind() -> list[dict[str, Any]]:
    """One tile of each visualization and a markdown tile, in wire form."""
    return [wire(t) for t in (
        insight("dau", w=6, h=4, events=("page_view", "signup")),
        markdown("goals", "# Weekly Goals\n\n- **10k** DAU", x=6, w=6, h=2),
        insight("signups", x=6, y=2, w=3, h=2, viz="bar", granularity="week",
                aggregation="count"),
        insight("revenue", x=9, y=2, w=3, h=2, viz="kpi", events=("purchase",)),
        insight("traffic", y=4, w=8, h=3, viz="area", events=("a", "b", "c"),
                granularity="hour"),
        insight("top", x=8, y=4, w=4, h=3, viz="table", granularity="month"),
        insight("tiny", x=11, y=7, w=1, h=1),
    )]


def saved_plan(path: Path) -> Path:
    """A saved plan with an update (rename, added/changed/removed), a create and a delete."""
    before = [wire(insight("dau", w=6)), wire(markdown("goals", "# Q3", x=6)),
              wire(insight("old", x=6, y=2, w=6, h=2))]
    after = [wire(insight("dau", w=8)), wire(markdown("goals", "# Q4", x=8, w=4)),
             wire(insight("wau", y=4, w=12, h=3, viz="bar"))]
    changes = [
        Change(Action.UPDATE, "Growth KPIs", "dash_1", rename=Rename("Growth", "Growth KPIs"),
               tiles=TileChanges(added=["wau"], changed={"dau": [], "goals": []},
                                 removed=["old"]),
               before={"name": "Growth", "tiles": before},
               after={"name": "Growth KPIs", "tiles": after}, fingerprint="sha256:x"),
        Change(Action.CREATE, "Activation <Funnel>", None, tiles=TileChanges(added=["funnel"]),
               after={"name": "Activation <Funnel>", "tiles": [wire(insight("funnel"))]}),
        Change(Action.DELETE, "Old board", "dash_3",
               before={"name": "Old board", "tiles": [wire(insight("x", w=4))]}),
    ]
    plan = Plan([
        EnvironmentPlan("staging", "proj_staging", changes=changes, live_count=2, prune=True),
        EnvironmentPlan("production", "proj_prod", unchanged=3, live_count=3),
    ])
    write_saved_plan(plan, path)
    return path


def funnel_tile(tile_id: str, steps: list[Any]) -> dict[str, Any]:
    """An unmodeled funnel tile as a newer API returns it (its body's shape is a guess:
    the drawing must cope with any)."""
    return {"id": tile_id, "type": "TILE_TYPE_FUNNEL",
            "position": {"x": 0, "y": 0, "w": 12, "h": 4}, "funnel": {"steps": steps}}


def query_tile(tile_id: str, viz: str, events: tuple[str, ...], **position: int) -> dict[str, Any]:
    """An insight tile in wire form drawing ``events`` as ``viz`` (``line``, ``kpi``, ...)."""
    where = {"x": 0, "y": 0, "w": 6, "h": 4} | position
    return {"id": tile_id, "type": "TILE_TYPE_INSIGHT", "position": where,
            "insight": {"query": {"events": [{"name": name} for name in events],
                                  "granularity": "GRANULARITY_DAY",
                                  "aggregation": "AGGREGATION_COUNT"},
                        "visualization": f"VISUALIZATION_{viz.upper()}"}}


# tiles drawn from invented numbers: each must say "sample data"
SAMPLE_TILES = [
    query_tile("dau", "line", ("page_view", "signup")),
    query_tile("signups", "bar", ("signup",), x=6),
    query_tile("traffic", "area", ("a",), y=4),
    query_tile("top", "table", ("a", "b"), x=6, y=4),
    query_tile("revenue", "kpi", ("purchase",), y=8, w=1, h=1),
    funnel_tile("activation", [{"event": "signup"}, {"event": "invite"}]) | {
        "position": {"x": 0, "y": 12, "w": 12, "h": 4}},
]
# tiles that draw no invented number: none may say it
REAL_TILES = [
    {"id": "notes", "type": "TILE_TYPE_MARKDOWN", "position": {"x": 0, "y": 16, "w": 6, "h": 2},
     "markdown": {"content": "# Goals"}},
    query_tile("pie", "pie", ("a",), x=6, y=16),  # not drawn: no numbers
    funnel_tile("empty_funnel", []) | {"position": {"x": 0, "y": 18, "w": 6, "h": 2}},
    {"id": "mystery", "type": 7, "position": {"x": 6, "y": 18, "w": 6, "h": 2}},
]
