"""The spelling of records (reconciler.engine.records): plain values in, plain values out."""

from __future__ import annotations

import hashlib

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.engine.records import (
    PackedTiles,
    Record,
    RecordUpdate,
    Unreadable,
    Updated,
    decode_record,
    decode_records,
    encode_record,
    encode_records,
    parse_records,
    update_records,
)

TILES = [
    {"id": "dau", "type": "TILE_TYPE_INSIGHT", "position": {"x": 0, "y": 0, "w": 6, "h": 4},
     "insight": {"query": {"events": [{"name": "page_view"}], "granularity": "GRANULARITY_DAY",
                           "aggregation": "AGGREGATION_UNIQUE_USERS"},
                 "visualization": "VISUALIZATION_LINE"}},
    {"id": "goals", "type": "TILE_TYPE_MARKDOWN", "position": {"x": 6, "y": 0, "w": 6, "h": 2},
     "markdown": {"content": "# Weekly Goals\n\nline two"}},
]


def record(id: str = "dash_1", project: str = "proj_a", **changes: object) -> Record:
    fields: dict[str, object] = {"name": "Growth KPIs", "tiles": TILES,
                                 "updated_at": "2026-12-05T10:00:00Z", "commit": "a" * 40}
    fields.update(changes)
    return Record(id=id, project=project, **fields)  # type: ignore[arg-type]


def resign(fields: dict[str, object]) -> bytes:
    """A line holding ``fields`` with a digest that matches: what dashctl would have written."""
    body = orjson.dumps({key: value for key, value in fields.items() if key != "digest"})
    digest = hashlib.sha256(body).hexdigest()
    return body[:-1] + b',"digest":"sha256:' + digest.encode() + b'"}'


def test_a_record_is_one_line_that_decodes_to_itself() -> None:
    line = encode_record(record())
    assert b"\n" not in line
    assert line.startswith(b'{"id":"dash_1","name":"Growth KPIs","project":"proj_a"')
    assert decode_record(line, project="proj_a") == record()
    assert decode_record(line, project="proj_a") == Record(
        "dash_1", "Growth KPIs", "proj_a", tuple(TILES), "2026-12-05T10:00:00Z", "a" * 40)


def test_a_read_record_keeps_its_tiles_as_bytes_until_they_are_used() -> None:
    line = encode_record(record())
    read = decode_record(line, project="proj_a")
    assert isinstance(read, Record) and isinstance(read.tiles, PackedTiles)
    assert list(read.tiles) == TILES and len(read.tiles) == 2 and read.tiles[1] == TILES[1]
    assert read.tiles == tuple(TILES) and read.tiles != tuple(TILES[:1])
    assert encode_record(read) == line  # written again: the same bytes
    # an update that sets the record as read changes nothing
    parsed = parse_records(line + b"\n", project="proj_a")
    assert update_records(parsed, RecordUpdate("proj_a", [record()])) is None


def test_no_updated_at_and_no_commit_are_kept_as_null() -> None:
    plain = record(updated_at=None, commit=None)
    assert b'"updatedAt":null,"commit":null' in encode_record(plain)
    assert decode_record(encode_record(plain), project="proj_a") == plain


def test_the_same_record_is_always_the_same_bytes_whatever_its_key_order() -> None:
    shuffled = [dict(reversed(list(tile.items()))) for tile in TILES]
    assert encode_record(record(tiles=shuffled)) == encode_record(record())


text = st.text(max_size=30)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=10)
tiles = st.lists(st.dictionaries(text, json_values, max_size=4).map(
    lambda fields: {**fields, "id": str(fields.get("id", "t"))}), max_size=4)


@given(id=text.filter(bool), name=text, project=text, tiles=tiles,
       updated_at=st.none() | text, commit=st.none() | text)
def test_any_record_round_trips_on_one_line(id: str, name: str, project: str,
                                            tiles: list[dict[str, object]],
                                            updated_at: str | None, commit: str | None) -> None:
    original = Record(id, name, project, tiles, updated_at, commit)
    line = encode_record(original)
    assert b"\n" not in line
    assert decode_record(line, project=project) == original


def test_a_file_is_sorted_by_id_and_reads_back_without_warnings() -> None:
    content = encode_records([record("dash_b"), record("dash_a")])
    assert [line[:15] for line in content.splitlines()] == [b'{"id":"dash_a",',
                                                            b'{"id":"dash_b",']
    assert content.endswith(b"\n")
    read = decode_records(content, project="proj_a", where="refs/x")
    assert read.warnings == ()
    assert read.by_id == {"dash_a": record("dash_a"), "dash_b": record("dash_b")}


def good_fields() -> dict[str, object]:
    fields: dict[str, object] = orjson.loads(encode_record(record()))
    return fields


@pytest.mark.parametrize(("line", "why"), [
    (b"{not json", "is not valid JSON"),
    (b"[1, 2]", "is not a JSON object"),
    (resign({k: v for k, v in good_fields().items() if k != "name"}), "has no 'name'"),
    (resign({k: v for k, v in good_fields().items() if k != "tiles"}), "has no 'tiles'"),
    (resign({k: v for k, v in good_fields().items() if k != "updatedAt"}),
     "has no 'updatedAt'"),
    (resign({**good_fields(), "name": 7}), "has a 'name' that is not a string"),
    (resign({**good_fields(), "project": None}), "has a 'project' that is not a string"),
    (resign({**good_fields(), "commit": ["a"]}), "has a 'commit' that is not a string"),
    (resign({**good_fields(), "tiles": {"id": "x"}}),
     "has 'tiles' that are not a list of tiles with ids"),
    (resign({**good_fields(), "tiles": [{"type": "TILE_TYPE_MARKDOWN"}]}),
     "has 'tiles' that are not a list of tiles with ids"),
    (resign({**good_fields(), "id": ""}), "has an empty 'id'"),
    (encode_record(record())[:-3] + b'0"}', "was edited by hand (its digest does not match)"),
    (encode_record(record()).replace(b"Growth KPIs", b"Growth KPI!"),
     "was edited by hand (its digest does not match)"),
    (encode_record(record()).replace(b'","', b'", "'),
     "was edited by hand (its digest does not match)"),
    (encode_record(record()).split(b',"digest"')[0] + b"}", "has no 'digest'"),
    (encode_record(record(project="proj_other")), "is a record of another project"),
])
def test_an_entry_that_cannot_be_trusted_is_no_record(line: bytes, why: str) -> None:
    decoded = decode_record(line, project="proj_a")
    assert isinstance(decoded, Unreadable)
    assert decoded.why == why


def test_a_damaged_file_keeps_its_good_records_and_says_which_entries_are_not() -> None:
    good = encode_records([record("dash_a"), record("dash_z")]).splitlines()
    edited = encode_record(record("dash_m")).replace(b"Growth", b"Grow")
    content = b"\n".join([good[0], b"{oops", edited, b"", good[1]]) + b"\n"
    read = decode_records(content, project="proj_a", where="refs/dashctl/applied/staging")
    assert set(read.by_id) == {"dash_a", "dash_z"}
    assert read.warnings == (
        "refs/dashctl/applied/staging: entry 2 is not valid JSON; it counts as no record",
        "refs/dashctl/applied/staging: entry 3 (dashboard dash_m) was edited by hand "
        "(its digest does not match); it counts as no record",
    )


def test_two_entries_of_one_dashboard_are_both_no_record() -> None:
    content = encode_record(record("dash_a")) + b"\n" + encode_record(
        record("dash_a", name="Other")) + b"\n" + encode_record(record("dash_b")) + b"\n"
    read = decode_records(content, project="proj_a", where="w")
    assert set(read.by_id) == {"dash_b"}
    assert len(read.warnings) == 2
    assert all("records a dashboard another entry records" in w for w in read.warnings)


def test_a_warning_never_echoes_an_id_that_could_drive_a_terminal() -> None:
    line = encode_record(record("\x1b[2Jdash\n")).replace(b"Growth", b"Grown")
    read = decode_records(line + b"\n", project="proj_a", where="w")
    assert read.warnings == ("w: entry 1 (dashboard with an unprintable id) was edited by hand "
                             "(its digest does not match); it counts as no record",)


def updated(content: bytes, update: RecordUpdate) -> Updated | None:
    return update_records(parse_records(content, project=update.project), update)


def test_an_update_sets_and_drops_by_id_and_keeps_the_other_lines_byte_for_byte() -> None:
    kept = encode_record(record("dash_keep")) + b"\n"
    content = encode_records([record("dash_a"), record("dash_gone")]) + kept
    after = updated(content, RecordUpdate("proj_a", [record("dash_a", name="New"),
                                                     record("dash_new")],
                                          frozenset({"dash_gone", "dash_never"})))
    assert after is not None
    assert (after.recorded, after.dropped, after.discarded) == (2, 1, 0)
    assert after.content == encode_records([record("dash_a", name="New"), record("dash_new"),
                                            record("dash_keep")])
    assert kept in after.content
    assert after.parsed == parse_records(after.content, project="proj_a")


def test_an_update_that_changes_nothing_is_none() -> None:
    content = encode_records([record("dash_a")])
    assert updated(content, RecordUpdate("proj_a", [record("dash_a")],
                                         frozenset({"dash_absent"}))) is None
    assert updated(b"", RecordUpdate("proj_a")) is None
    assert updated(content + b"{bad\n", RecordUpdate("proj_a", [record("dash_a")])) is None
    shuffled = [dict(reversed(list(tile.items()))) for tile in TILES]
    assert updated(content, RecordUpdate("proj_a", [record("dash_a", tiles=shuffled)])) is None


def test_unreadable_entries_are_not_carried_over_when_something_changes() -> None:
    content = encode_records([record("dash_a")]) + b"{bad\n" + encode_record(
        record("dash_b", project="proj_other")) + b"\n"
    after = updated(content, RecordUpdate("proj_a", [record("dash_c")]))
    assert after is not None
    assert after.discarded == 2
    assert after.content == encode_records([record("dash_a"), record("dash_c")])


def test_an_update_refuses_what_can_only_be_a_bug() -> None:
    with pytest.raises(ValueError, match="twice"):
        RecordUpdate("proj_a", [record("dash_a"), record("dash_a")])
    with pytest.raises(ValueError, match="sets and drops"):
        RecordUpdate("proj_a", [record("dash_a")], frozenset({"dash_a"}))
    with pytest.raises(ValueError, match="another project"):
        RecordUpdate("proj_a", [record("dash_a", project="proj_b")])
