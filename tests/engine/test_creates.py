"""The rule every apply keeps a doubled name by: the earliest created, then the lowest id."""

from __future__ import annotations

import itertools

from reconciler.engine.creates import Resolution, earliest, resolve_created
from reconciler.engine.ports import WireSummary


def summary(dashboard_id: str, created: str, name: str = "Growth") -> WireSummary:
    return {"id": dashboard_id, "name": name, "createdAt": created}


A = summary("dash_b", "2026-01-01T00:00:00.100Z")
B = summary("dash_a", "2026-01-01T00:00:00.2Z")  # later, though its id sorts first
C = summary("dash_c", "2026-01-01T00:00:00.200000Z")  # same moment as B: the id decides


def test_earliest_is_by_created_at_then_id_in_any_order() -> None:
    for order in itertools.permutations([A, B, C]):
        assert earliest(order) == A
    for order in itertools.permutations([B, C]):
        assert earliest(order) == B
    assert earliest([]) is None


def test_created_at_in_other_spellings_and_zones() -> None:
    utc = summary("x", "2026-01-01T10:00:00Z")
    earlier_elsewhere = summary("y", "2026-01-01T11:00:00.5+02:00")  # 09:00:00.5 UTC
    nanos = summary("z", "2026-01-01T09:00:00.000000001Z")
    assert earliest([utc, earlier_elsewhere]) == earlier_elsewhere
    assert earliest([utc, earlier_elsewhere, nanos]) == nanos


def test_an_unreadable_created_at_loses_to_a_readable_one() -> None:
    broken = summary("dash_0", "yesterday")
    missing: WireSummary = {"id": "dash_00", "name": "Growth"}
    assert earliest([broken, missing, B]) == B
    assert earliest([missing, broken]) == broken  # then by id ("dash_0" < "dash_00")


def test_resolve_when_this_run_won_or_was_alone() -> None:
    assert resolve_created("Growth", "dash_b", [A, B]) == Resolution("dash_b")
    assert resolve_created("Growth", "dash_b", [A, summary("o", "2020-01-01T00:00:00Z", "Other")]
                           ) == Resolution("dash_b")
    assert not resolve_created("Growth", "dash_b", [A]).lost


def test_resolve_when_this_run_lost_deletes_only_its_own() -> None:
    resolution = resolve_created("Growth", "dash_c", [A, B, C])
    assert resolution == Resolution("dash_b", delete="dash_c") and resolution.lost


def test_resolve_when_this_runs_dashboard_is_gone_already() -> None:
    assert resolve_created("Growth", "dash_c", [A, B]) == Resolution("dash_b")
    assert resolve_created("Growth", "dash_c", []) == Resolution("dash_c")
