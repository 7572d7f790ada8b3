"""Golden tests of the text mini-map (UPDATE_GOLDEN=1 rewrites the files)."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest

from reconciler.report.minimap import MAX_ROWS, WIDTH, render_minimap
from tests.preview.samples import every_kind
from tests.support.factories import insight, markdown, wire

GOLDEN = Path(__file__).parent / "golden"


def tile(tile_id: str, x: int, y: int, w: int, h: int) -> dict[str, Any]:
    return {"id": tile_id, "position": {"x": x, "y": y, "w": w, "h": h}}


CASES: dict[str, tuple[list[dict[str, Any]], dict[str, str] | None, int]] = {
    "marked": (
        [wire(insight("dau", w=8)), wire(markdown("goals", "# Q4", x=8, w=4)),
         wire(insight("wau", y=4, w=12, h=3)), tile("old", 8, 2, 4, 2)],
        {"dau": "~", "goals": "~", "wau": "+", "old": "-"}, MAX_ROWS,
    ),
    "every_kind": (every_kind(), None, MAX_ROWS),
    "long_ids": (
        [tile("a_really_long_tile_identifier_that_wraps", 3, 0, 2, 2),
         tile("another_much_longer_identifier_cut", 5, 0, 1, 1),
         tile("w12", 0, 2, 12, 1), {"id": "no_x_y", "position": {"w": 3, "h": 1}}],
        {"another_much_longer_identifier_cut": "~"}, MAX_ROWS,
    ),
    "cut_rows": (
        [tile("top", 0, 0, 12, 2), tile("tall", 0, 2, 6, 10), tile("far", 6, 30, 6, 2)],
        None, 4,
    ),
    "odd_live_tiles": (
        [tile("over", 0, 0, 6, 2), tile("lap", 3, 1, 6, 2), tile("wide", 10, 3, 6, 1),
         tile("fence```x", 0, 3, 4, 1), tile("caf\u00e9\u4e2d", 4, 3, 4, 1)],
        {"lap": "~"}, MAX_ROWS,
    ),
    "empty": ([], None, MAX_ROWS),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_minimap_golden(name: str) -> None:
    tiles, marks, max_rows = CASES[name]
    text = render_minimap(tiles, marks, max_rows=max_rows)
    path = GOLDEN / f"minimap_{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_order_of_tiles_does_not_matter() -> None:
    tiles = every_kind()
    shuffled = tiles[:]
    random.Random(7).shuffle(shuffled)
    assert render_minimap(shuffled) == render_minimap(tiles)


def test_size_is_bounded() -> None:
    tiles = [tile(f"t{i:03}", (i % 4) * 3, i // 4, 3, 1) for i in range(400)]
    text = render_minimap(tiles)
    lines = text.splitlines()
    assert len(lines) == 1 + MAX_ROWS * 2 + 1 + 1
    assert max(map(len, lines)) <= WIDTH
    assert lines[-1] == f"... rows {MAX_ROWS}-99 not shown (304 tile(s) cut off)"


def test_map_is_printable_ascii_without_backticks() -> None:
    tiles, marks, _ = CASES["odd_live_tiles"]
    text = render_minimap(tiles, marks)
    assert "`" not in text
    assert all(" " <= char <= "~" for char in text.replace("\n", ""))
