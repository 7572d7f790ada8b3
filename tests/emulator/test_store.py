"""The SQLite store on its own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from reconciler.emulator.store import Store


def tile(tile_id: str, x: int = 0) -> pb.Tile:
    return pb.Tile(
        id=tile_id,
        type=pb.TILE_TYPE_MARKDOWN,
        position=pb.Position(x=x, y=0, w=6, h=2),
        markdown=pb.Markdown(content=tile_id),
    )


def test_round_trip_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "store.db"
    store = Store(path)
    created = store.create("p", "Board")
    assert created.id.startswith("dash_") and len(created.id) == 21
    renamed = store.rename("p", created.id, "Renamed")
    assert renamed is not None and renamed.name == "Renamed"
    replaced = store.replace_tiles("p", created.id, [tile("b", 6), tile("a")])
    assert replaced is not None and [t.id for t in replaced.tiles] == ["b", "a"]
    assert replaced.updated_at.ToMicroseconds() > renamed.updated_at.ToMicroseconds()
    assert replaced.created_at == created.created_at
    store.close()

    again = Store(path)
    assert again.get("p", created.id) == replaced
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_missing_and_other_projects(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    mine = store.create("a", "Mine")
    assert store.get("b", mine.id) is None
    assert store.rename("b", mine.id, "x") is None
    assert store.replace_tiles("b", mine.id, []) is None
    assert store.delete("b", mine.id) is False
    assert store.delete("a", mine.id) is True
    assert store.delete("a", mine.id) is False
    assert store.projects() == []


def test_pages_are_stable_under_deletes(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    ids = [store.create("p", f"B{i}").id for i in range(5)]
    store.create("q", "elsewhere")
    page, after = store.list_page("p", after_seq=0, limit=2)
    assert [d.id for d in page] == ids[:2] and after is not None
    store.delete("p", ids[2])
    page, after = store.list_page("p", after_seq=after, limit=2)
    assert [d.id for d in page] == ids[3:5]
    assert after is None
    assert store.count("p") == 4 and store.projects() == ["p", "q"]


def test_updated_at_strictly_increases(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    board = store.create("p", "B")
    stamps = []
    for index in range(20):
        updated = store.rename("p", board.id, f"B{index}")
        assert updated is not None
        stamps.append(updated.updated_at.ToMicroseconds())
    assert stamps == sorted(set(stamps))
