"""Nothing kept between runs decides what is written (SPEC §4): dashctl keeps no cache of
manifests; a planted one (committed, copied from another checkout, damaged) changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.factories import insight
from tests.support.repo import RepoKit


@pytest.mark.parametrize("damaged", [False, True])
def test_a_planted_manifest_cache_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damaged: bool
) -> None:
    kit = RepoKit(tmp_path / "repo", {"test": {"url": "sqlite:state.db"}})
    kit.write("growth", {"name": "Growth", "tiles": [insight("dau", viz="line")]})
    cache = kit.root / ".dashctl" / "cache" / "manifests.sqlite"  # where dashctl 0.1 kept one
    cache.parent.mkdir(parents=True)
    if damaged:
        cache.write_bytes(b"SQLite format 3\x00 not really")
    else:  # a table as dashctl 0.1 wrote it, poisoned: another content for every file
        with sqlite3.connect(cache) as db:
            db.execute("CREATE TABLE checked_v2 (key TEXT PRIMARY KEY, meta BLOB, data BLOB, "
                       "wire BLOB, used REAL NOT NULL)")
            db.execute("INSERT INTO checked_v2 VALUES ('*', '{}', '{}', "
                       "'[{\"id\": \"evil\"}]', 0)")
    code, out, err = kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    assert code == 0, out + err
    (tile,) = kit.dashboard("Growth")["tiles"]
    assert tile["id"] == "dau" and tile["insight"]["visualization"] == "VISUALIZATION_LINE"
