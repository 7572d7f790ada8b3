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
    renamed_stored = store.rename("p", created.id, "Renamed")
    assert renamed_stored is not None
    renamed = renamed_stored.dashboard
    assert renamed.name == "Renamed"
    replaced_stored = store.replace_tiles("p", created.id, [tile("b", 6), tile("a")])
    assert replaced_stored is not None and replaced_stored.unmodeled == {}
    replaced = replaced_stored.dashboard
    assert [t.id for t in replaced.tiles] == ["b", "a"]
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
        stamps.append(updated.dashboard.updated_at.ToMicroseconds())
    assert stamps == sorted(set(stamps))


def test_unmodeled_json_is_kept_and_replaced_with_the_tiles(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = Store(path)
    board = store.create("p", "B")
    parts = {"a": {"color": "red", "insight": {"title": "Sign-ups \u00e9"}}}
    stored = store.replace_tiles("p", board.id, [tile("a")], unmodeled=parts)
    assert stored is not None and stored.unmodeled == parts
    renamed = store.rename("p", board.id, "Renamed")
    assert renamed is not None and renamed.unmodeled == parts
    store.close()

    again = Store(path)
    kept = again.get_stored("p", board.id)
    assert kept is not None and kept.unmodeled == parts
    # A write of the tiles without unmodeled JSON (a binary client, a plain server) drops it.
    cleared = again.replace_tiles("p", board.id, [tile("a")])
    assert cleared is not None and cleared.unmodeled == {}
    assert again.get_stored("p", board.id) == cleared
    again.close()


def test_a_schema_1_database_gets_the_unmodeled_column(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE dashboards (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
            " project TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, tiles BLOB NOT NULL,"
            " created_us INTEGER NOT NULL, updated_us INTEGER NOT NULL, UNIQUE (project, id))"
        )
        blob = pb.Dashboard(tiles=[tile("a")]).SerializeToString()
        db.execute(
            "INSERT INTO dashboards (project, id, name, tiles, created_us, updated_us)"
            " VALUES ('p', 'dash_old', 'Old', ?, 1, 1)",
            (blob,),
        )
        db.execute("PRAGMA user_version=1")
    store = Store(path)
    old = store.get_stored("p", "dash_old")
    assert old is not None and old.unmodeled == {} and [t.id for t in old.dashboard.tiles] == ["a"]
    stored = store.replace_tiles("p", "dash_old", [tile("a")], unmodeled={"a": {"color": "red"}})
    assert stored is not None and stored.unmodeled == {"a": {"color": "red"}}
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
