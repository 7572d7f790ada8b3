from __future__ import annotations

from reconciler.engine.pair import pair
from reconciler.engine.ports import WireSummary
from tests.support.factories import manifest


def summary(dashboard_id: str, name: str) -> WireSummary:
    return {"id": dashboard_id, "name": name}


def test_pairs_by_name_and_reports_unmanaged() -> None:
    result = pair([manifest("A"), manifest("B")], [summary("1", "A"), summary("2", "Z")])
    assert [(p.key, p.live["id"] if p.live else None) for p in result.matched] == [("A", "1")]
    assert [p.key for p in result.unmatched_desired] == ["B"]
    assert [p.key for p in result.unmanaged] == ["Z"]
    assert result.errors == []


def test_pinned_id_wins_over_name() -> None:
    result = pair([manifest("A", id="2")], [summary("1", "A"), summary("2", "Old")])
    (matched,) = result.matched
    assert matched.live is not None and matched.live["id"] == "2"
    assert matched.live is not None and matched.live["name"] == "Old"
    assert [p.key for p in result.unmanaged] == ["A"]


def test_former_names_rename_without_recreate() -> None:
    result = pair([manifest("New", formerNames=["Old"])], [summary("1", "Old")])
    (matched,) = result.matched
    assert matched.live is not None and matched.live["name"] == "Old"
    assert result.unmanaged == []


def test_exact_name_beats_former_name_of_another_manifest() -> None:
    manifests = [manifest("B", formerNames=["A"]), manifest("A")]
    result = pair(manifests, [summary("1", "A")])
    assert [(p.key, p.live["id"]) for p in result.matched if p.live] == [("A", "1")]
    assert [p.key for p in result.unmatched_desired] == ["B"]


def test_two_live_matches_are_ambiguous_and_never_unmanaged() -> None:
    result = pair([manifest("A"), manifest("B")],
                  [summary("1", "A"), summary("2", "A"), summary("3", "B")])
    assert [e.dashboard for e in result.errors] == ["A"]
    assert "ambiguous" in result.errors[0].message
    assert [p.key for p in result.matched] == ["B"]
    assert result.unmanaged == []


def test_ignored_live_dashboards_are_invisible() -> None:
    result = pair([], [summary("1", "Scratch pad"), summary("2", "Real")], ["Scratch *"])
    assert [p.key for p in result.unmanaged] == ["Real"]


def test_missing_pinned_id_is_an_error() -> None:
    result = pair([manifest("A", id="nope")], [summary("1", "A")])
    assert "pinned id nope" in result.errors[0].message
    assert [p.key for p in result.unmanaged] == ["A"]
