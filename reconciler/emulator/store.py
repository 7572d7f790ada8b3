"""The emulator's SQLite store: one file, WAL, every dashboard tied to a project.

A write is one ``BEGIN IMMEDIATE`` transaction, committed before the answer
is sent, so the data survives a restart or a ``kill -9`` between requests;
several processes may share the file (SQLite's locking, a busy timeout).
Within a process one connection is shared under a lock: the app runs each
call's store work synchronously on the event loop, which keeps every call
atomic with respect to the others.

Tiles are kept as the protobuf binary of a ``Dashboard`` that holds only its
tiles (cheap to load; ``load_tiles`` decodes it), with the unknown fields a
binary client sent. Beside it, the column ``unmodeled`` keeps a JSON object:
per tile id, what a JSON client sent for that tile beyond the proto (written
under ``serve --newer-api``, ``{}`` otherwise; see ``unmodeled.py``). Every
write of the tiles writes both. A database of schema 1 (without the column)
gets it when opened. List order is creation order
(``seq``, never reused), which makes page tokens stable under inserts and
deletes.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from reconciler.emulator.unmodeled import JsonObject, Unmodeled

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dashboards (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    project    TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    tiles      BLOB    NOT NULL,
    unmodeled  TEXT    NOT NULL DEFAULT '{}',
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL,
    UNIQUE (project, id)
);
CREATE INDEX IF NOT EXISTS dashboards_by_project ON dashboards (project, seq);
"""

_COLUMNS = "seq, id, name, created_us, updated_us"
_ADD_UNMODELED = "ALTER TABLE dashboards ADD COLUMN unmodeled TEXT NOT NULL DEFAULT '{}'"


@dataclass(frozen=True)
class Stored:
    """A dashboard with its tiles, and what JSON clients sent for its tiles beyond the proto."""

    dashboard: pb.Dashboard
    unmodeled: dict[str, JsonObject] = field(default_factory=dict)


def new_dashboard_id() -> str:
    return f"dash_{secrets.token_hex(8)}"


def _now_us() -> int:
    return time.time_ns() // 1000


def _timestamps(
    message: pb.Dashboard | pb.DashboardSummary, created_us: int, updated_us: int
) -> None:
    message.created_at.FromMicroseconds(created_us)
    message.updated_at.FromMicroseconds(updated_us)


def load_tiles(blob: bytes) -> pb.Dashboard:
    """A ``Dashboard`` holding only the tiles stored in ``blob``."""
    return pb.Dashboard.FromString(blob)


def dump_tiles(tiles: Iterable[pb.Tile]) -> bytes:
    return bytes(pb.Dashboard(tiles=list(tiles)).SerializeToString())


def dump_unmodeled(unmodeled: Unmodeled) -> str:
    return json.dumps(dict(unmodeled), ensure_ascii=False, separators=(",", ":"))


def load_unmodeled(text: str) -> dict[str, JsonObject]:
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


class Store:
    """Dashboards per project in one SQLite file."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 10.0) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against a crash of the process (kill -9); only a
        # power loss may drop the last commits, which an emulator can afford.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._write() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            columns = {row[1] for row in db.execute("PRAGMA table_info(dashboards)")}
            if "unmodeled" not in columns:  # a database of schema 1
                db.execute(_ADD_UNMODELED)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- reads -------------------------------------------------------------

    def list_page(
        self, project: str, *, after_seq: int, limit: int
    ) -> tuple[list[pb.DashboardSummary], int | None]:
        """One page of summaries after ``after_seq``, and the seq to continue from."""
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM dashboards WHERE project = ? AND seq > ?"
                " ORDER BY seq LIMIT ?",
                (project, after_seq, limit + 1),
            ).fetchall()
        page = rows[:limit]
        summaries = []
        for _seq, dashboard_id, name, created_us, updated_us in page:
            summary = pb.DashboardSummary(id=dashboard_id, name=name)
            _timestamps(summary, created_us, updated_us)
            summaries.append(summary)
        next_seq = page[-1][0] if len(rows) > limit else None
        return summaries, next_seq

    def get(self, project: str, dashboard_id: str) -> pb.Dashboard | None:
        """The dashboard with its tiles, or None."""
        stored = self.get_stored(project, dashboard_id)
        return stored.dashboard if stored is not None else None

    def get_stored(self, project: str, dashboard_id: str) -> Stored | None:
        """The dashboard with its tiles and their unmodeled JSON, or None."""
        with self._read() as db:
            return _select_dashboard(db, project, dashboard_id)

    def count(self, project: str) -> int:
        with self._read() as db:
            (total,) = db.execute(
                "SELECT COUNT(*) FROM dashboards WHERE project = ?", (project,)
            ).fetchone()
        return int(total)

    def projects(self) -> list[str]:
        """Every project that holds at least one dashboard, sorted."""
        with self._read() as db:
            rows = db.execute("SELECT DISTINCT project FROM dashboards ORDER BY project").fetchall()
        return [project for (project,) in rows]

    # -- writes ------------------------------------------------------------

    def create(self, project: str, name: str, tiles: Iterable[pb.Tile] = ()) -> pb.Dashboard:
        """Insert a new dashboard and return it (server-assigned id)."""
        now = _now_us()
        tile_list = list(tiles)
        with self._write() as db:
            while True:
                dashboard_id = new_dashboard_id()
                try:
                    db.execute(
                        "INSERT INTO dashboards (project, id, name, tiles, created_us, updated_us)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (project, dashboard_id, name, dump_tiles(tile_list), now, now),
                    )
                    break
                except sqlite3.IntegrityError:  # an id collision: draw again
                    continue
        dashboard = pb.Dashboard(id=dashboard_id, name=name, tiles=tile_list)
        _timestamps(dashboard, now, now)
        return dashboard

    def rename(self, project: str, dashboard_id: str, name: str) -> Stored | None:
        """Set the name; None when the dashboard does not exist."""
        return self._update(project, dashboard_id, {"name": name})

    def replace_tiles(
        self,
        project: str,
        dashboard_id: str,
        tiles: Iterable[pb.Tile],
        *,
        unmodeled: Unmodeled | None = None,
    ) -> Stored | None:
        """Replace every tile, and their unmodeled JSON (by tile id; none when not given);
        None when the dashboard does not exist."""
        values: dict[str, object] = {
            "tiles": dump_tiles(tiles),
            "unmodeled": dump_unmodeled(unmodeled or {}),
        }
        return self._update(project, dashboard_id, values)

    def _update(
        self, project: str, dashboard_id: str, values: dict[str, object]
    ) -> Stored | None:
        assert set(values) <= {"name", "tiles", "unmodeled"}
        assignments = ", ".join(f"{column} = ?" for column in values)
        with self._write() as db:
            row = db.execute(
                "SELECT updated_us FROM dashboards WHERE project = ? AND id = ?",
                (project, dashboard_id),
            ).fetchone()
            if row is None:
                return None
            # updatedAt strictly increases on every write, even within one microsecond.
            updated_us = max(_now_us(), row[0] + 1)
            db.execute(
                f"UPDATE dashboards SET {assignments}, updated_us = ? WHERE project = ? AND id = ?",
                (*values.values(), updated_us, project, dashboard_id),
            )
            return _select_dashboard(db, project, dashboard_id)

    def delete(self, project: str, dashboard_id: str) -> bool:
        """Remove the dashboard; False when it did not exist."""
        with self._write() as db:
            cursor = db.execute(
                "DELETE FROM dashboards WHERE project = ? AND id = ?", (project, dashboard_id)
            )
            return cursor.rowcount > 0


def _select_dashboard(db: sqlite3.Connection, project: str, dashboard_id: str) -> Stored | None:
    row = db.execute(
        "SELECT name, tiles, unmodeled, created_us, updated_us FROM dashboards"
        " WHERE project = ? AND id = ?",
        (project, dashboard_id),
    ).fetchone()
    if row is None:
        return None
    name, blob, unmodeled, created_us, updated_us = row
    dashboard = load_tiles(blob)
    dashboard.id = dashboard_id
    dashboard.name = name
    _timestamps(dashboard, created_us, updated_us)
    return Stored(dashboard, load_unmodeled(unmodeled))
