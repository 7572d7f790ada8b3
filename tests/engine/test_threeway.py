"""The three-way merge of SPEC §7: the table, tiles, names, existence, overlaps, policies.

Example tests spell each case with plain canonical tiles; property tests check
the merge laws (DESIGN, section 7) over generated dashboards drawn from small
pools, so that git and live often change the same field, to the same value or not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.engine.normalize import canonical_tile
from reconciler.engine.threeway import (
    FIELDS,
    Conflict,
    OutsideEdits,
    Policy,
    Resolution,
    ThreeWay,
    Version,
    outside_edits,
    three_way,
)

Tile = dict[str, Any]
T = TypeVar("T")


def insight(tile_id: str, *, x: int = 0, y: int = 0, w: int = 6, h: int = 4,
            event: str = "page_view", viz: str = "LINE") -> Tile:
    return canonical_tile({
        "id": tile_id, "type": "TILE_TYPE_INSIGHT", "position": {"x": x, "y": y, "w": w, "h": h},
        "insight": {"query": {"events": [{"name": event}], "granularity": "GRANULARITY_DAY",
                              "aggregation": "AGGREGATION_COUNT"},
                    "visualization": f"VISUALIZATION_{viz}"}})


def markdown(tile_id: str, content: str = "# Goals", *, x: int = 0, y: int = 0, w: int = 6,
             h: int = 2) -> Tile:
    return canonical_tile({"id": tile_id, "type": "TILE_TYPE_MARKDOWN",
                           "position": {"x": x, "y": y, "w": w, "h": h},
                           "markdown": {"content": content}})


def dash(*tiles: Tile, name: str = "Growth") -> Version:
    return Version(name, {tile["id"]: tile for tile in tiles})


# The table, field by field: three distinct values of each field of a tile
# alone on its dashboard (0 is the record's).
VARIANTS: dict[str, Callable[[int], Tile]] = {
    "position": lambda n: insight("t", y=4 * n),
    "insight.query": lambda n: insight("t", event=("page_view", "signup", "purchase")[n]),
    "insight.visualization": lambda n: insight("t", viz=("LINE", "BAR", "TABLE")[n]),
    "markdown.content": lambda n: markdown("t", ("# Goals", "# A", "# B")[n]),
}


def version(field: str, n: int) -> Version:
    if field == "name":
        return dash(insight("t"), name=("Growth", "Growth KPIs", "Growth (old)")[n])
    return dash(VARIANTS[field](n))


FIELD_KINDS = [*VARIANTS, "name"]


def conflict_of(field: str) -> Conflict:
    return Conflict(None, "name") if field == "name" else Conflict("t", field)


def edits_of(field: str) -> OutsideEdits:
    return OutsideEdits(renamed=True) if field == "name" else OutsideEdits(changed={"t": (field,)})


@pytest.mark.parametrize("field", FIELD_KINDS)
def test_live_as_recorded_git_as_recorded_nothing_to_do(field: str) -> None:
    result = three_way(version(field, 0), version(field, 0), version(field, 0))
    assert result == ThreeWay(version(field, 0), OutsideEdits(), None, (), False)


@pytest.mark.parametrize("field", FIELD_KINDS)
def test_live_as_recorded_git_changed_git_wins(field: str) -> None:
    result = three_way(version(field, 0), version(field, 1), version(field, 0))
    assert result == ThreeWay(version(field, 1), OutsideEdits(), None, (), True)


@pytest.mark.parametrize("field", FIELD_KINDS)
def test_live_changed_git_as_recorded_is_kept(field: str) -> None:
    result = three_way(version(field, 0), version(field, 0), version(field, 1))
    assert result == ThreeWay(version(field, 1), edits_of(field), Resolution.KEPT, (), False)


@pytest.mark.parametrize("field", FIELD_KINDS)
def test_both_changed_to_the_same_value_is_nothing_to_write(field: str) -> None:
    result = three_way(version(field, 0), version(field, 1), version(field, 1))
    assert result == ThreeWay(version(field, 1), OutsideEdits(), None, (), False)


@pytest.mark.parametrize("field", FIELD_KINDS)
def test_both_changed_apart_is_a_conflict_and_nothing_is_written(field: str) -> None:
    live = version(field, 2)
    result = three_way(version(field, 0), version(field, 1), live)
    assert result == ThreeWay(live, edits_of(field), Resolution.CONFLICT,
                              (conflict_of(field),), False)


def test_type_changed_outside_is_kept_and_reported_with_the_fields_it_brought() -> None:
    record, live = dash(insight("t")), dash(markdown("t", x=0, h=4))
    result = three_way(record, record, live)
    assert result.desired == live and not result.write
    assert result.edits.changed == {"t": ("type", "insight.query", "insight.visualization",
                                          "markdown.content")}


def test_type_changed_in_git_while_live_changed_the_chart_is_a_conflict() -> None:
    # Two tile types only: the type itself never clashes; what each side put in does.
    result = three_way(dash(insight("t")), dash(markdown("t")), dash(insight("t", viz="BAR")))
    assert result.conflicts == (Conflict("t", "insight.visualization"),)


def test_type_changed_on_both_sides_clashes_on_the_content() -> None:
    result = three_way(dash(insight("t")), dash(markdown("t", "# A")), dash(markdown("t", "# B")))
    assert result.conflicts == (Conflict("t", "markdown.content"),)
    assert result.edits.changed == {"t": ("markdown.content",)}


def test_outside_edit_and_git_change_in_other_fields_of_one_tile_are_merged() -> None:
    record = dash(insight("t"))
    result = three_way(record, dash(insight("t", y=4)), dash(insight("t", viz="BAR")))
    assert result.desired == dash(insight("t", y=4, viz="BAR"))
    assert result.resolution is Resolution.MERGED and result.write
    assert result.edits == OutsideEdits(changed={"t": ("insight.visualization",)})


def test_outside_edit_and_git_change_in_other_tiles_are_one_write() -> None:
    record = dash(insight("a"), markdown("b", x=6))
    git = dash(insight("a", event="signup"), markdown("b", x=6))
    live = dash(insight("a"), markdown("b", "# Edited", x=6), name="Growth (UI)")
    result = three_way(record, git, live)
    assert result.desired == dash(insight("a", event="signup"), markdown("b", "# Edited", x=6),
                                  name="Growth (UI)")
    assert result.resolution is Resolution.MERGED and result.write and not result.conflicts
    assert result.edits == OutsideEdits(renamed=True, changed={"b": ("markdown.content",)})


def test_unchanged_field_is_never_an_outside_edit() -> None:
    record = dash(insight("a"), markdown("b", x=6))
    live = dash(markdown("b", x=6), insight("a"))  # another order, same canonical tiles
    assert not outside_edits(record, record, live)
    assert three_way(record, record, live).resolution is None


def test_tile_added_outside_is_kept() -> None:
    record = dash(insight("a"))
    live = dash(insight("a"), markdown("notes", x=6))
    result = three_way(record, record, live)
    assert result == ThreeWay(live, OutsideEdits(added=("notes",)), Resolution.KEPT, (), False)


def test_tile_added_in_git_and_outside_alike_is_nothing_to_write() -> None:
    record, both = dash(insight("a")), dash(insight("a"), markdown("notes", x=6))
    assert three_way(record, both, both) == ThreeWay(both, OutsideEdits(), None, (), False)


def test_tile_added_in_git_and_outside_apart_is_a_conflict() -> None:
    record = dash(insight("a"))
    git = dash(insight("a"), markdown("notes", "# Git", x=6))
    live = dash(insight("a"), markdown("notes", "# UI", x=6))
    result = three_way(record, git, live)
    assert result == ThreeWay(live, OutsideEdits(added=("notes",)), Resolution.CONFLICT,
                              (Conflict("notes", "tile"),), False)


def test_tile_removed_outside_stays_removed() -> None:
    record = dash(insight("a"), markdown("b", x=6))
    live = dash(insight("a"))
    result = three_way(record, record, live)
    assert result == ThreeWay(live, OutsideEdits(removed=("b",)), Resolution.KEPT, (), False)


def test_tile_removed_outside_that_git_changed_is_a_conflict() -> None:
    record = dash(insight("a"), markdown("b", x=6))
    git = dash(insight("a"), markdown("b", "# New", x=6))
    live = dash(insight("a"))
    result = three_way(record, git, live)
    assert result.conflicts == (Conflict("b", "tile"),)
    assert result.edits == OutsideEdits(removed=("b",))
    assert result.desired == live and not result.write


def test_tile_git_removes_is_removed_unless_it_was_changed_outside() -> None:
    record = dash(insight("a"), markdown("b", x=6))
    git = dash(insight("a"))
    removed = three_way(record, git, record)
    assert removed.desired == git and removed.write and removed.resolution is None
    changed = three_way(record, git, dash(insight("a"), markdown("b", "# UI", x=6)))
    assert changed.conflicts == (Conflict("b", "tile"),)
    assert changed.edits == OutsideEdits(changed={"b": ("markdown.content",)})


def test_tile_removed_in_git_and_outside_is_nothing_to_write() -> None:
    record = dash(insight("a"), markdown("b", x=6))
    both = dash(insight("a"))
    assert three_way(record, both, both) == ThreeWay(both, OutsideEdits(), None, (), False)


def test_rename_outside_keeps_the_live_name() -> None:
    record = dash(insight("a"))
    live = dash(insight("a"), name="Growth (UI)")
    result = three_way(record, record, live)
    assert result.desired == live and result.resolution is Resolution.KEPT
    assert result.edits == OutsideEdits(renamed=True)


def test_rename_outside_and_in_git_apart_is_a_conflict_on_the_name() -> None:
    record = dash(insight("a"))
    git = dash(insight("a", y=4), name="Growth KPIs")
    live = dash(insight("a"), name="Growth (UI)")
    result = three_way(record, git, live)
    assert result.conflicts == (Conflict(None, "name"),)
    assert result.desired == live and not result.write


def test_rename_outside_with_git_changes_elsewhere_writes_them_under_the_live_name() -> None:
    record = dash(insight("a"))
    result = three_way(record, dash(insight("a", y=4)), dash(insight("a"), name="UI"))
    assert result.desired == dash(insight("a", y=4), name="UI")
    assert result.resolution is Resolution.MERGED


def test_deleted_outside_is_not_created_again() -> None:
    record = dash(insight("a"))
    result = three_way(record, record, None)
    assert result == ThreeWay(None, OutsideEdits(deleted=True), Resolution.KEPT, (), False)


def test_deleted_outside_that_git_changed_is_a_conflict() -> None:
    record = dash(insight("a"))
    for git in (dash(insight("a", y=4)), dash(insight("a"), name="New"), dash()):
        result = three_way(record, git, None)
        assert result == ThreeWay(None, OutsideEdits(deleted=True), Resolution.CONFLICT,
                                  (Conflict(None, "dashboard"),), False)


def test_merge_that_makes_tiles_overlap_is_a_conflict() -> None:
    record = dash(insight("a"))
    git = dash(insight("a"), markdown("b", x=6, y=0))  # git adds b to the right of a
    live = dash(insight("a", x=3))  # the UI moved a right, into where b goes
    result = three_way(record, git, live)
    assert result.conflicts == (Conflict("a", "position"), Conflict("b", "position"))
    assert result.resolution is Resolution.CONFLICT and not result.write


def test_tiles_that_only_touch_do_not_overlap() -> None:
    record = dash(insight("a"))
    git = dash(insight("a"), markdown("b", x=6, y=0))
    live = dash(insight("a", w=6, h=8))  # taller, still beside b
    result = three_way(record, git, live)
    assert not result.conflicts
    assert result.desired == dash(insight("a", h=8), markdown("b", x=6, y=0))


def test_overlap_present_in_git_itself_is_not_the_merges_doing() -> None:
    # validate refuses it before any merge; the merge answers only for overlaps it makes
    record = dash(insight("a"), markdown("b", x=6))
    git = dash(insight("a"), markdown("b", x=3))
    live = dash(insight("a", viz="BAR"), markdown("b", x=6))
    result = three_way(record, git, live)
    assert not result.conflicts
    assert result.desired == dash(insight("a", viz="BAR"), markdown("b", x=3))


def test_overwrite_reverts_outside_edits_and_reports_them() -> None:
    record = dash(insight("a"), markdown("b", x=6))
    git = dash(insight("a", y=4), markdown("b", x=6))
    live = dash(insight("a", viz="BAR"), markdown("notes", x=6), name="UI")
    result = three_way(record, git, live, policy=Policy.OVERWRITE)
    assert result == ThreeWay(
        git, OutsideEdits(renamed=True, added=("notes",), removed=("b",),
                          changed={"a": ("insight.visualization",)}),
        Resolution.REVERTED, (), True)


def test_overwrite_settles_a_conflict_for_git() -> None:
    record = dash(insight("a"))
    git = dash(insight("a", viz="BAR"))
    result = three_way(record, git, dash(insight("a", viz="TABLE")), policy=Policy.OVERWRITE)
    assert result.desired == git and result.write and result.resolution is Resolution.REVERTED
    assert not result.conflicts


def test_overwrite_creates_a_dashboard_deleted_outside_again() -> None:
    record = dash(insight("a"))
    result = three_way(record, record, None, policy=Policy.OVERWRITE)
    assert result == ThreeWay(record, OutsideEdits(deleted=True), Resolution.REVERTED, (), True)


def test_overwrite_without_outside_edits_resolves_nothing() -> None:
    record = dash(insight("a"))
    git = dash(insight("a", y=4))
    assert three_way(record, git, record, policy=Policy.OVERWRITE) == ThreeWay(
        git, OutsideEdits(), None, (), True)


def test_without_a_record_git_is_written_and_nothing_is_an_outside_edit() -> None:
    git = dash(insight("a"))
    live = dash(insight("a", viz="BAR"), markdown("notes", x=6), name="UI")
    assert three_way(None, git, live) == ThreeWay(git, OutsideEdits(), None, (), True)
    assert three_way(None, git, None) == ThreeWay(git, OutsideEdits(), None, (), True)
    assert three_way(None, git, git) == ThreeWay(git, OutsideEdits(), None, (), False)


# Properties, over dashboards whose tiles come from small pools.

IDS = ("a", "b", "c")
POSITIONS = ((0, 0, 6, 4), (6, 0, 6, 4), (0, 4, 12, 2), (3, 0, 6, 4))  # the last overlaps two
TYPES = ("TILE_TYPE_INSIGHT", "TILE_TYPE_MARKDOWN")
EVENTS = ("page_view", "signup", "purchase")
VIZ = ("VISUALIZATION_LINE", "VISUALIZATION_BAR", "VISUALIZATION_KPI")
CONTENT = ("# A", "# B", "# C")
NAMES = ("Growth", "Growth KPIs", "Growth (UI)")
Spec = tuple[str, tuple[int, int, int, int], str, str, str]  # type, position, event, viz, text


def render(tile_id: str, spec: Spec) -> Tile:
    kind, (x, y, w, h), event, viz, content = spec
    wire: dict[str, Any] = {"id": tile_id, "type": kind,
                            "position": {"x": x, "y": y, "w": w, "h": h}}
    if kind == "TILE_TYPE_INSIGHT":
        wire["insight"] = {"query": {"events": [{"name": event}]}, "visualization": viz}
    else:
        wire["markdown"] = {"content": content}
    return canonical_tile(wire)


POOLS = (TYPES, POSITIONS, EVENTS, VIZ, CONTENT)
specs = st.tuples(*(st.sampled_from(pool) for pool in POOLS))
Dash = tuple[str, dict[str, Spec]]


def to_version(value: Dash) -> Version:
    name, tiles = value
    return Version(name, {tile_id: render(tile_id, spec) for tile_id, spec in tiles.items()})


@st.composite
def bases(draw: st.DrawFn) -> Dash:
    ids = draw(st.sets(st.sampled_from(IDS)))
    return draw(st.sampled_from(NAMES)), {tile_id: draw(specs) for tile_id in sorted(ids)}


def maybe(pool: tuple[T, ...], value: T) -> st.SearchStrategy[T]:
    """``value`` half the time, else any value of ``pool`` (``value`` again, perhaps)."""
    return st.one_of(st.just(value), st.sampled_from(pool))


@st.composite
def edited(draw: st.DrawFn, base: Dash) -> Dash:
    """``base`` with some of its parts kept, so that sides often agree with it and each other."""
    name, tiles = base
    if draw(st.booleans()):
        name = draw(st.sampled_from(NAMES))
    out: dict[str, Spec] = {}
    for tile_id in IDS:
        old = tiles.get(tile_id)
        how = draw(st.sampled_from(("keep", "change", "change", "remove")))
        if how == "keep" or (old is None and how == "remove"):
            if old is not None:
                out[tile_id] = old
        elif how == "change":  # added, or changed field by field
            kind, position, event, viz, content = old or draw(specs)
            out[tile_id] = (draw(maybe(TYPES, kind)), draw(maybe(POSITIONS, position)),
                            draw(maybe(EVENTS, event)), draw(maybe(VIZ, viz)),
                            draw(maybe(CONTENT, content)))
    return name, out


def deleted() -> st.SearchStrategy[bool]:
    """About one time in ten (hypothesis favours the ends of a range, so not ``== 0``)."""
    return st.integers(0, 9).map(lambda n: n == 5)


@st.composite
def trios(draw: st.DrawFn) -> tuple[Version, Version, Version | None]:
    base = draw(bases())
    git = draw(edited(base))
    if draw(deleted()):
        return to_version(base), to_version(git), None
    live = draw(edited(draw(st.sampled_from([base, git]))))  # live often agrees with git
    return to_version(base), to_version(git), to_version(live)


def field_of(side: Version | None, tile_id: str, path: str) -> object:
    if side is None or tile_id not in side.tiles:
        return "<absent tile>"
    node: Any = side.tiles[tile_id]
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return "<absent field>"
        node = node[part]
    return node


def cells(side: Version | None) -> dict[tuple[str | None, str], object]:
    """Every value that counts: the name, each tile's presence and fields."""
    if side is None:
        return {(None, "dashboard"): None}
    out: dict[tuple[str | None, str], object] = {(None, "dashboard"): True,
                                                 (None, "name"): side.name}
    for tile_id in IDS:
        out[(tile_id, "tile")] = tile_id in side.tiles
        out.update({(tile_id, path): field_of(side, tile_id, path) for path in FIELDS})
    return out


def conflict_set(result: ThreeWay) -> set[tuple[str | None, str]]:
    return {(c.tile, c.field) for c in result.conflicts}


def check_invariants(result: ThreeWay, live: Version | None) -> None:
    assert result.write == (result.desired != live)
    assert bool(result.conflicts) == (result.resolution is Resolution.CONFLICT)
    if result.conflicts:
        assert result.desired == live and not result.write
    assert (result.resolution is None) == (not result.edits)
    if result.resolution in (Resolution.KEPT, Resolution.MERGED):
        assert (result.resolution is Resolution.MERGED) == result.write


@settings(max_examples=200)
@given(bases(), st.data())
def test_law_live_alone_changed_gives_live(base: Dash, data: st.DataObject) -> None:
    record = to_version(base)
    live = None if data.draw(deleted()) else to_version(data.draw(edited(base)))
    result = three_way(record, record, live)
    assert result.desired == live and not result.conflicts and not result.write
    assert result.resolution is (Resolution.KEPT if live != record else None)


@settings(max_examples=200)
@given(bases(), st.data())
def test_law_git_alone_changed_gives_git(base: Dash, data: st.DataObject) -> None:
    record, git = to_version(base), to_version(data.draw(edited(base)))
    assert three_way(record, git, record) == ThreeWay(git, OutsideEdits(), None, (), git != record)


@settings(max_examples=200)
@given(bases(), st.data())
def test_law_both_changed_alike_gives_it_with_nothing_to_write(base: Dash,
                                                              data: st.DataObject) -> None:
    record, both = to_version(base), to_version(data.draw(edited(base)))
    assert three_way(record, both, both) == ThreeWay(both, OutsideEdits(), None, (), False)


@settings(max_examples=200)
@given(trios())
def test_conflicts_are_symmetric_in_git_and_live(trio: tuple[Version, Version, Version | None]
                                                  ) -> None:
    record, git, live = trio
    if live is None:
        return  # git always exists: there is nothing to swap
    assert conflict_set(three_way(record, git, live)) == conflict_set(three_way(record, live, git))


@settings(max_examples=200)
@given(trios())
def test_merge_keeps_every_git_change_and_every_outside_edit(
        trio: tuple[Version, Version, Version | None]) -> None:
    record, git, live = trio
    result = three_way(record, git, live)
    check_invariants(result, live)
    if result.conflicts:
        return  # nothing is written, so nothing is lost
    was, ours, theirs, merged = cells(record), cells(git), cells(live), cells(result.desired)
    for key, value in was.items():
        if theirs.get(key) != value:  # live moved: its value stays
            assert merged.get(key) == theirs.get(key), key
        elif ours.get(key) != value:  # git alone moved: its value is written
            assert merged.get(key) == ours.get(key), key


def apart(record: object, git: object, live: object) -> bool:
    return record != git and git != live and live != record


@settings(max_examples=200)
@given(trios())
def test_every_clash_is_a_conflict(trio: tuple[Version, Version, Version | None]) -> None:
    """Git and live moved the same thing apart: a conflict; nothing else but overlaps is one."""
    record, git, live = trio
    found = conflict_set(three_way(record, git, live))
    clashes: set[tuple[str | None, str]] = set()
    if live is None:
        clashes |= {(None, "dashboard")} if git != record else set()
    else:
        clashes |= {(None, "name")} if apart(record.name, git.name, live.name) else set()
        for tile_id in IDS:
            was, ours, theirs = (side.tiles.get(tile_id) for side in (record, git, live))
            if None in (was, ours, theirs):
                clashes |= {(tile_id, "tile")} if apart(was, ours, theirs) else set()
                continue
            clashes |= {(tile_id, path) for path in FIELDS
                        if apart(*(field_of(side, tile_id, path) for side in (record, git, live)))}
    assert clashes <= found
    assert all(field == "position" for _, field in found - clashes)


@settings(max_examples=200)
@given(trios())
def test_outside_edits_are_exactly_what_live_changed_that_git_does_not_say(
        trio: tuple[Version, Version, Version | None]) -> None:
    record, git, live = trio
    edits = three_way(record, git, live).edits
    if live is None:
        assert edits == OutsideEdits(deleted=True)
        return
    assert edits.renamed == (live.name not in (record.name, git.name))
    assert not edits.deleted
    assert set(edits.added) == {i for i in live.tiles.keys() - record.tiles.keys()
                                if live.tiles[i] != git.tiles.get(i)}
    assert set(edits.removed) == {i for i in record.tiles.keys() - live.tiles.keys()
                                  if i in git.tiles}
    expected: dict[str, tuple[str, ...]] = {}
    for tile_id in record.tiles.keys() & live.tiles.keys():
        fields = tuple(path for path in FIELDS
                       if field_of(live, tile_id, path) != field_of(record, tile_id, path)
                       and (tile_id not in git.tiles
                            or field_of(live, tile_id, path) != field_of(git, tile_id, path)))
        if fields:
            expected[tile_id] = fields
    assert edits.changed == expected


@settings(max_examples=200)
@given(trios())
def test_overwrite_always_wants_git(trio: tuple[Version, Version, Version | None]) -> None:
    record, git, live = trio
    result = three_way(record, git, live, policy=Policy.OVERWRITE)
    assert result.desired == git and not result.conflicts
    assert result.edits == outside_edits(record, git, live)
    assert result.resolution == (Resolution.REVERTED if result.edits else None)
    check_invariants(result, live)


def boxes(side: Version) -> dict[str, tuple[int, ...]]:
    return {i: tuple(t["position"][k] for k in "xywh") for i, t in side.tiles.items()}


def overlapping(side: Version) -> set[frozenset[tuple[str, tuple[int, ...]]]]:
    placed = boxes(side)
    return {frozenset({(a, pa), (b, pb)}) for a, pa in placed.items() for b, pb in placed.items()
            if a < b and pa[0] < pb[0] + pb[2] and pb[0] < pa[0] + pa[2]
            and pa[1] < pb[1] + pb[3] and pb[1] < pa[1] + pa[3]}


@settings(max_examples=200)
@given(trios())
def test_a_merge_makes_no_overlap_that_neither_side_had(
        trio: tuple[Version, Version, Version | None]) -> None:
    record, git, live = trio
    result = three_way(record, git, live)
    if result.desired is None or result.conflicts or live is None:
        return
    assert overlapping(result.desired) <= overlapping(git) | overlapping(live)
