"""merge_managed: the merge of one managed dashboard, as plan and apply ask for it."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.engine.normalize import live_form
from reconciler.engine.outside import live_version, merge_managed, record_version, version
from reconciler.engine.records import Record, decode_record, encode_record
from reconciler.engine.threeway import Policy, three_way


def kpi(tile_id: str, title: str, x: int = 0) -> dict[str, Any]:
    return {"id": tile_id, "type": "TILE_TYPE_MARKDOWN",
            "position": {"x": x, "y": 0, "w": 6, "h": 4},
            "markdown": {"content": title}}


GIT = [kpi("a", "# Goals"), kpi("b", "# Notes", x=6)]
WAS = [kpi("a", "# Old goals")]


def read_record(tiles: list[dict[str, Any]]) -> Record:
    """A record as plan reads it from git (tiles kept as the line's bytes)."""
    line = encode_record(Record("dash_1", "Growth", "proj_a", tuple(tiles), None, None))
    read = decode_record(line, project="proj_a")
    assert isinstance(read, Record)
    return read


@pytest.mark.parametrize("policy", list(Policy))
def test_live_as_git_says_is_no_outside_edit_whatever_the_record_holds(policy: Policy) -> None:
    record = read_record(WAS)
    live = live_form({"name": "Growth", "tiles": GIT})
    merged = merge_managed(record, "Growth", GIT, live, policy)
    assert merged.edit is None and merged.tiles == GIT and merged.name == "Growth"
    # the same answer as the whole three-way merge gives
    slow = three_way(record_version(record), version("Growth", GIT), live_version(live),
                     policy=policy)
    assert slow.resolution is None and slow.desired == version("Growth", GIT)


def test_live_edited_outside_is_still_merged_with_a_read_record() -> None:
    record = read_record(GIT)
    edited = [kpi("a", "# Goals, edited in the UI"), kpi("b", "# Notes", x=6)]
    merged = merge_managed(record, "Growth", GIT, live_form({"name": "Growth", "tiles": edited}),
                           Policy.MERGE)
    assert merged.edit is not None and merged.edit.changed == {"a": ["markdown.content"]}
    assert merged.tiles is not None and merged.tiles[0]["markdown"]["content"] == (
        "# Goals, edited in the UI")
