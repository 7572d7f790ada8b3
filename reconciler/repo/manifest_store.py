"""A cache of checked manifests across runs, keyed on each file's content.

Most runs read manifests that an earlier run already parsed, validated and
linted without finding a problem. For such a file the cache keeps what the
check gave (the plain data, and where its ``name`` and ``id`` are), keyed on
a digest of the file's text, so that the next run skips the YAML parse, the
JSON Schema, the lints and the pydantic model (which is built from the data
only when something asks for it: see `Manifest.stored`; a plan of an
unchanged dashboard reads the name, ids and wire tiles kept here).

Only clean files without ``${...}`` are kept (a file with a problem is read
again, to locate the problem; a file with a variable is interpolated anew in
each environment). A digest of dashctl's version, the Python version, the
committed schemas and the source of the model and of the repository reader
is part of every key: another dashctl, or a changed schema, never trusts an
entry it did not write.

It lives in ``<root>/.dashctl/cache/manifests.sqlite`` (``DASHCTL_CACHE_DIR``
moves it; ``DASHCTL_CACHE=off`` turns it off), beside a ``.gitignore`` of
``*``, the way pytest and ruff keep their caches. CI can keep it between runs
with actions/cache. SQLite lets parallel jobs share it. A cache that git tracks is
never used: a commit could otherwise make the plan of one manifest apply
another's content. Any trouble with the cache (a read-only checkout, a
corrupt or locked file) only turns it off for the run.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pydantic

from reconciler import __version__
from reconciler.model import WireTile

log = logging.getLogger("dashctl.cache")

CACHE_DIR = Path(".dashctl") / "cache"
CACHE_FILE = "manifests.sqlite"
FORMAT = 2
TABLE = f"checked_v{FORMAT}"
FLUSH_EVERY = 256  # entries held before they are written
KEEP_SECONDS = 30 * 24 * 3600  # entries no run has used for 30 days are dropped
_PACKAGE = Path(__file__).resolve().parents[1]
_SOURCES = ("model.py", "repo", "schemas")


@dataclass(frozen=True)
class Stored:
    """What a clean check of one file gave: where its name and id are, its former names,
    and as JSON its data and the model's wire tiles (bytes: small to hold until needed)."""

    declared: Mapping[str, tuple[int, int, str]]  # "name"/"id" -> (line, column, value)
    former_names: list[str]
    data: bytes
    wire: bytes

    @classmethod
    def of(cls, declared: Mapping[str, tuple[int, int, str]], former_names: list[str],
           data: dict[str, Any], wire: list[WireTile]) -> Stored | None:
        """An entry, or None for data that JSON cannot hold as it is."""
        try:
            return cls(declared, former_names, orjson.dumps(data), orjson.dumps(wire))
        except (TypeError, OverflowError, orjson.JSONEncodeError):
            return None


@cache
def checker_digest() -> str:
    """A digest of everything that decides how a manifest is checked."""
    versions = f"{FORMAT}|{__version__}|{sys.version}|pydantic {pydantic.VERSION}"
    digest = hashlib.sha256(versions.encode())
    for name in _SOURCES:
        root = _PACKAGE / name
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.suffix in (".py", ".json") and path.is_file():
                digest.update(path.relative_to(_PACKAGE).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_folder(root: Path, environ: Mapping[str, str] | None = None) -> Path | None:
    """Where the cache of the repository at ``root`` is, or None when it is turned off."""
    environ = os.environ if environ is None else environ
    if environ.get("DASHCTL_CACHE", "").strip().lower() in ("off", "0", "false", "no"):
        return None
    moved = environ.get("DASHCTL_CACHE_DIR", "").strip()
    return Path(moved) if moved else root / CACHE_DIR


class ManifestStore:
    """Checked manifests by content; ``put`` is kept in memory until ``flush``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._salt = checker_digest().encode()
        self._pending: dict[str, tuple[bytes, bytes, bytes]] = {}
        self._used: list[str] = []

    @classmethod
    def open(cls, root: Path) -> ManifestStore | None:
        """The cache of the repository at ``root``, or None (turned off, tracked, unusable)."""
        folder = cache_folder(root)
        if folder is None:
            return None
        try:
            if _tracked_by_git(root, folder):
                log.warning("not using %s: git tracks it", folder)
                return None
            folder.mkdir(parents=True, exist_ok=True)
            _ignore_in_git(folder)
            connection = sqlite3.connect(folder / CACHE_FILE, timeout=2.0,
                                         check_same_thread=False, isolation_level=None)
            connection.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (key TEXT PRIMARY KEY, "
                               "meta BLOB, data BLOB, wire BLOB, used REAL NOT NULL)")
        except (OSError, sqlite3.Error) as error:
            log.info("manifest cache off: %s", error)
            return None
        return cls(connection)

    def key(self, text: str, in_base: bool) -> str:
        digest = hashlib.sha256(self._salt)
        digest.update(b"B" if in_base else b"E")
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str) -> Stored | None:
        try:
            row = self._db.execute(f"SELECT meta, data, wire FROM {TABLE} WHERE key = ?",
                                   (key,)).fetchone()
            if row is None:
                return None
            meta = orjson.loads(row[0])
            declared = {str(name): (int(line), int(column), value)
                        for name, (line, column, value) in meta["declared"].items()}
            former = meta["formerNames"]
            stored = Stored(declared, former, bytes(row[1]), bytes(row[2]))
        except (sqlite3.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            log.info("manifest cache entry unreadable: %s", error)
            return None
        strings = [value for _, _, value in declared.values()] + former
        if "name" not in declared or not all(isinstance(text, str) for text in strings):
            return None
        self._used.append(key)
        return stored

    def put(self, key: str, stored: Stored) -> None:
        meta = {"declared": stored.declared, "formerNames": stored.former_names}
        self._pending[key] = (orjson.dumps(meta), stored.data, stored.wire)
        if len(self._pending) >= FLUSH_EVERY:  # a first run of a large repository
            self.flush()

    def flush(self) -> None:
        """Write what was put, and mark what was read as used; drop old entries."""
        if not self._pending and not self._used:
            return
        now = time.time()
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany(f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?, ?, ?)",
                                     [(key, *value, now) for key, value in self._pending.items()])
                self._db.executemany(f"UPDATE {TABLE} SET used = ? WHERE key = ?",
                                     [(now, key) for key in self._used])
                self._db.execute(f"DELETE FROM {TABLE} WHERE used < ?", (now - KEEP_SECONDS,))
        except sqlite3.Error as error:  # locked by a parallel job, read-only, full disk
            log.info("manifest cache not written: %s", error)
        self._pending.clear()
        self._used.clear()


def _ignore_in_git(folder: Path) -> None:
    """A ``.gitignore`` of ``*`` in the cache folder: git ignores the folder, itself included."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# written by dashctl: its cache is never committed\n*\n", "utf-8")


def _tracked_by_git(root: Path, folder: Path) -> bool:
    """Whether git tracks anything in the cache folder (no git, or not a repository: no)."""
    if not folder.exists():
        return False
    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "--", str(folder.resolve())],
                              capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and bool(done.stdout.strip())
