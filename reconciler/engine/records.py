"""The applied records of SPEC §7: what git said when dashctl last applied each dashboard.

Pure: values, their one spelling as bytes and back, and the Protocol of the
store that keeps them (``reconciler.git_records`` implements it on git; the
engine never imports it).

A record is the common ancestor of the three-way merge. A wrong ancestor makes
"in sync" lie, so a record that cannot be trusted is no record at all: an entry
that is not JSON, lacks a field, holds a field of the wrong type, was edited by
hand (its digest does not match its bytes) or names another project than the
environment's is reported as a warning and left out. Decoding never raises.

One record is one line of JSON, its fields in a fixed order (the id first, so
that a diff of the file shows which dashboard changed), tile keys sorted, and
last the SHA-256 of the bytes before it::

    {"id":"dash_1","name":"Growth","project":"proj_a","updatedAt":"...","commit":"...",
     "tiles":[...],"digest":"sha256:<64 hex>"}

The digest covers the exact bytes written, not a re-serialisation: checking it
costs one hash, and any hand edit (reformatting included) shows. It guards
against accidents, not malice (whoever can edit the file can recompute it).
Keys dashctl does not know are ignored, so a later dashctl may add some.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, overload

import orjson

from reconciler.engine.ports import WireObject

__all__ = [
    "PackedTiles",
    "Parsed",
    "Record",
    "RecordStore",
    "RecordUpdate",
    "Records",
    "Unreadable",
    "Updated",
    "WriteResult",
    "decode_record",
    "decode_records",
    "encode_record",
    "encode_records",
    "parse_records",
    "update_records",
]

_DIGEST_HEAD = b',"digest":"sha256:'
_DIGEST_TAIL = b'"}'
_DIGEST_LENGTH = len(_DIGEST_HEAD) + 64 + len(_DIGEST_TAIL)
_HEX = re.compile(rb"[0-9a-f]{64}")
# An id is echoed in a warning only when it cannot carry terminal escapes or line breaks.
_SHOWN_ID = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")


class PackedTiles(Sequence[WireObject]):
    """A read record's tiles, kept as the bytes of its line and decoded when used.

    A plan compares a record with git and live only where those two differ (most
    dashboards are in sync), so the 2,000 x 25 records of bench/bench_records.py
    stay ~20 MB of lines instead of ~95 MB of dictionaries. Each use decodes anew
    (read-only values, as `Record` says).
    """

    __slots__ = ("_line",)

    def __init__(self, line: bytes) -> None:
        self._line = line

    def _tiles(self) -> list[WireObject]:
        tiles: list[WireObject] = orjson.loads(self._line)["tiles"]
        return tiles

    def __len__(self) -> int:
        return len(self._tiles())

    @overload
    def __getitem__(self, index: int) -> WireObject: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[WireObject]: ...

    def __getitem__(self, index: int | slice) -> WireObject | Sequence[WireObject]:
        return self._tiles()[index]

    def __iter__(self) -> Iterator[WireObject]:
        return iter(self._tiles())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedTiles):
            return self._tiles() == other._tiles()
        return isinstance(other, Sequence) and tuple(self._tiles()) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackedTiles({len(self)} tiles)"


@dataclass(frozen=True, slots=True)
class Record:
    """One dashboard as dashctl last applied it in one environment.

    ``name`` and ``tiles`` are git's version as applied (the manifest rendered for
    the environment, wire form), not the merged live result; ``id`` is the live
    dashboard's; ``updated_at`` is the ``updatedAt`` live answered (a server may
    omit it); ``commit`` is the repository's commit, None when the manifests had
    uncommitted changes. The tiles are kept as given (plain JSON values, not
    copied): treat them as read-only, as a store may hold the records it read.
    """

    id: str
    name: str
    project: str
    tiles: Sequence[WireObject]
    updated_at: str | None
    commit: str | None

    def __post_init__(self) -> None:
        if not isinstance(self.tiles, tuple | PackedTiles):
            object.__setattr__(self, "tiles", tuple(self.tiles))


@dataclass(frozen=True, slots=True)
class Records:
    """The readable records of one environment, by dashboard id, and why others are missing."""

    by_id: Mapping[str, Record] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordUpdate:
    """What one write changes in one environment: records to set (by id) and ids to drop.

    Every record names ``project``, the environment's. Setting and dropping one id
    in one update is a caller's bug, refused at once (ValueError).
    """

    project: str
    records: Sequence[Record] = ()
    drop: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        ids = [record.id for record in self.records]
        if len(set(ids)) != len(ids):
            raise ValueError("a record update sets one dashboard twice")
        if self.drop.intersection(ids):
            raise ValueError("a record update both sets and drops one dashboard")
        if any(record.project != self.project for record in self.records):
            raise ValueError("a record update holds a record of another project")


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one write did, per environment name.

    ``written``: the new commit of each environment whose records changed;
    ``unchanged``: those whose records already were as asked (no commit added);
    ``failed``: why nothing was written for the others (their records stay as they were).
    """

    written: Mapping[str, str] = field(default_factory=dict)
    unchanged: frozenset[str] = frozenset()
    failed: Mapping[str, str] = field(default_factory=dict)


class RecordStore(Protocol):
    """Where the records live (git refs, or a test's dictionary). Never raises for I/O:
    what cannot be read is a warning, what cannot be written is a ``failed`` entry."""

    def read(self, names: Mapping[str, str]) -> Mapping[str, Records]:
        """The records of each environment, keyed like ``names`` (name -> its project)."""
        ...

    def write(self, updates: Mapping[str, RecordUpdate]) -> WriteResult:
        """Apply each update over the environment's current records (another
        writer's records for other ids are kept)."""
        ...


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An entry that counts as no record: the dashboard id when one could be read, and why."""

    id: str | None
    why: str


def _plain(value: object) -> object:
    """orjson's fallback: a Mapping that is not a dict (a record's tiles may be any)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, PackedTiles):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _json(value: object, *, sort: bool = False) -> bytes:
    return orjson.dumps(value, default=_plain, option=orjson.OPT_SORT_KEYS if sort else 0)


def encode_record(record: Record) -> bytes:
    """The one line of a record (without its newline): same record, same bytes."""
    body = b"".join((
        b'{"id":', _json(record.id),
        b',"name":', _json(record.name),
        b',"project":', _json(record.project),
        b',"updatedAt":', _json(record.updated_at),
        b',"commit":', _json(record.commit),
        b',"tiles":', _json(record.tiles, sort=True),
        b"}",
    ))
    digest = hashlib.sha256(body).hexdigest().encode()
    return body[:-1] + _DIGEST_HEAD + digest + _DIGEST_TAIL


def encode_records(records: Iterable[Record]) -> bytes:
    """A file of records: one line each, sorted by id, each ending in a newline."""
    return _join({record.id: encode_record(record) for record in records})


def _join(lines: Mapping[str, bytes]) -> bytes:
    return b"".join(lines[key] + b"\n" for key in sorted(lines))


def _required(fields: Mapping[str, Any], key: str) -> str:
    """The string field ``key``; a missing or mistyped one is a ValueError that names it."""
    value = _optional(fields, key)
    if value is None:
        raise ValueError(f"has a {key!r} that is not a string")
    return value


def _optional(fields: Mapping[str, Any], key: str) -> str | None:
    if key not in fields:
        raise ValueError(f"has no {key!r}")
    value = fields[key]
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"has a {key!r} that is not a string")


def _tiles(fields: Mapping[str, Any]) -> list[WireObject]:
    if "tiles" not in fields:
        raise ValueError("has no 'tiles'")
    tiles = fields["tiles"]
    if not isinstance(tiles, list) or not all(
            isinstance(tile, dict) and isinstance(tile.get("id"), str) for tile in tiles):
        raise ValueError("has 'tiles' that are not a list of tiles with ids")
    return tiles


def _digest_matches(line: bytes) -> bool:
    if len(line) <= _DIGEST_LENGTH or not line.endswith(_DIGEST_TAIL):
        return False
    head = len(line) - _DIGEST_LENGTH
    if line[head:head + len(_DIGEST_HEAD)] != _DIGEST_HEAD:
        return False
    digest = line[head + len(_DIGEST_HEAD):-len(_DIGEST_TAIL)]
    body = line[:head] + b"}"
    return _HEX.fullmatch(digest) is not None and hashlib.sha256(body).hexdigest() == \
        digest.decode()


def decode_record(line: bytes, *, project: str) -> Record | Unreadable:
    """One line back into a record of ``project``, or why it counts as none."""
    try:
        fields = orjson.loads(line)
    except orjson.JSONDecodeError:
        return Unreadable(None, "is not valid JSON")
    if not isinstance(fields, dict):
        return Unreadable(None, "is not a JSON object")
    raw_id = fields.get("id")
    shown = raw_id if isinstance(raw_id, str) and raw_id else None
    try:
        record_id = _required(fields, "id")
        name = _required(fields, "name")
        record_project = _required(fields, "project")
        updated_at = _optional(fields, "updatedAt")
        commit = _optional(fields, "commit")
        tiles = _tiles(fields)
        _required(fields, "digest")
    except ValueError as problem:
        return Unreadable(shown, str(problem))
    if not record_id:
        return Unreadable(None, "has an empty 'id'")
    if not _digest_matches(line):
        return Unreadable(record_id, "was edited by hand (its digest does not match)")
    if record_project != project:
        return Unreadable(record_id, "is a record of another project")
    del tiles, fields  # checked; kept as the line's bytes, decoded where a plan needs them
    return Record(record_id, name, record_project, PackedTiles(line), updated_at, commit)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A file of records of one project, read: each good record with its exact line (kept
    as it is when a write does not touch it), and the entries that are no record."""

    entries: Mapping[str, tuple[Record, bytes]] = field(default_factory=dict)
    unreadable: tuple[tuple[int, Unreadable], ...] = ()  # (entry number, why)

    def records(self, where: str) -> Records:
        """The records, and a warning for each unreadable entry; ``where`` names the file."""
        return Records({key: record for key, (record, _) in self.entries.items()},
                       tuple(_warning(where, number, entry) for number, entry in self.unreadable))


def parse_records(content: bytes, *, project: str) -> Parsed:
    """A file of records of ``project``. Never raises.

    Two readable entries of one id are both no record: neither can be told to be the right one.
    """
    entries = [(number, line, decode_record(line, project=project))
               for number, line in enumerate(content.split(b"\n"), start=1) if line.strip()]
    counts = Counter(entry.id for _, _, entry in entries if isinstance(entry, Record))
    good: dict[str, tuple[Record, bytes]] = {}
    bad: list[tuple[int, Unreadable]] = []
    for number, line, entry in entries:
        if isinstance(entry, Unreadable):
            bad.append((number, entry))
        elif counts[entry.id] > 1:
            bad.append((number, Unreadable(entry.id, "records a dashboard another entry records")))
        else:
            good[entry.id] = (entry, line)
    return Parsed(good, tuple(bad))


def _warning(where: str, number: int, entry: Unreadable) -> str:
    dashboard = ""
    if entry.id is not None:
        shown = entry.id if _SHOWN_ID.fullmatch(entry.id) else "with an unprintable id"
        dashboard = f" (dashboard {shown})"
    return f"{where}: entry {number}{dashboard} {entry.why}; it counts as no record"


def decode_records(content: bytes, *, project: str, where: str) -> Records:
    """A file of records of ``project``; ``where`` names it in the warnings."""
    return parse_records(content, project=project).records(where)


@dataclass(frozen=True, slots=True)
class Updated:
    """A file of records after an update: its bytes, the same read back, and what changed
    (for the commit message)."""

    content: bytes
    parsed: Parsed
    recorded: int
    dropped: int
    discarded: int  # unreadable entries not carried over


def update_records(current: Parsed, update: RecordUpdate) -> Updated | None:
    """The file after ``update`` is applied over ``current`` (that of ``update.project``);
    None when it changes nothing (every record already as asked, no dropped id present).

    Readable entries the update does not touch keep their exact bytes. Unreadable
    ones are not carried over when anything changes: they count as no record, and
    a store that writes only good lines reads back without warnings. A record equal
    to the one read is not even encoded again.
    """
    entries = dict(current.entries)
    recorded = 0
    for record in update.records:
        held = entries.get(record.id)
        if held is not None and held[0] == record:
            continue
        line = encode_record(record)
        if held is None or held[1] != line:
            entries[record.id] = (record, line)
            recorded += 1
    dropped = sum(1 for key in update.drop if entries.pop(key, None) is not None)
    if not recorded and not dropped:
        return None
    content = _join({key: line for key, (_, line) in entries.items()})
    return Updated(content, Parsed(entries), recorded, dropped, len(current.unreadable))
