"""Upsert validation on its own: several problems at once, ids assigned."""

from __future__ import annotations

import pytest

from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from reconciler.emulator.validate import (
    MAX_PROBLEMS,
    InvalidTiles,
    assign_tile_ids,
    check_tiles,
)


def md(tile_id: str, x: int, y: int = 0, w: int = 1, h: int = 1) -> pb.Tile:
    return pb.Tile(
        id=tile_id,
        type=pb.TILE_TYPE_MARKDOWN,
        position=pb.Position(x=x, y=y, w=w, h=h),
        markdown=pb.Markdown(),
    )


def test_all_problems_are_listed_in_order() -> None:
    with pytest.raises(InvalidTiles) as caught:
        check_tiles([md("a", x=-1), md("b", x=11, w=2), md("a", x=0)])
    problems = caught.value.problems
    assert problems[0].startswith("tile 'a': x must be >= 0")
    assert problems[1].startswith("tile 'b': x + w must be <= 12")
    assert any("duplicate tile id" in p for p in problems)


def test_long_lists_are_cut() -> None:
    with pytest.raises(InvalidTiles) as caught:
        check_tiles([md(f"t{i}", x=0, w=0) for i in range(MAX_PROBLEMS + 5)])
    assert str(caught.value).endswith("and 5 more")


def test_a_full_grid_is_valid() -> None:
    check_tiles([md(f"t{x}-{y}", x=x, y=y) for x in range(12) for y in range(3)])


def test_assigned_ids_are_unique() -> None:
    tiles = [md("", x=i % 12, y=i // 12) for i in range(50)] + [md("kept", x=0, y=5)]
    assign_tile_ids(tiles)
    ids = [t.id for t in tiles]
    assert len(set(ids)) == len(ids) and ids[-1] == "kept"
    check_tiles(tiles)
