"""The pure merge of a live dashboard into a round-trip manifest document."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from reconciler.pull.document import interpolate, manifest_tile, new_document, update_document
from reconciler.pull.targets import free_file_name
from reconciler.repo.filenames import slug
from reconciler.repo.yaml_io import dump_roundtrip, load_roundtrip

MANIFEST = """\
# yaml-language-server: $schema=../../schemas/dashboard.schema.json
# Growth, owned by the growth team
name: Growth KPIs (${site})  # shown in the UI
formerNames: [Growth]
tiles:
  # daily actives
  - id: dau   # the headline
    position: {x: 0, y: 0, w: 6, h: 4}
    insight:
      query:
        events: [{name: page_view}]
        granularity: GRANULARITY_DAY
        aggregation: unique_users
      visualization: line

  # goals for the week
  - id: goals
    position: {x: 6, y: 0, w: 6, h: 2}
    markdown:
      content: |
        # Weekly Goals
  # signups, by week
  - id: signups
    type: insight
    position: {y: 4, w: 12, h: 4}
    insight:
      query:
        events: [{name: signup}]
        granularity: week
        aggregation: count
      visualization: bar
"""

VARS = {"site": "staging"}


def wire_dau(**query: str) -> dict[str, Any]:
    return {
        "id": "dau", "type": "TILE_TYPE_INSIGHT", "position": {"x": 0, "y": 0, "w": 6, "h": 4},
        "insight": {"query": {"events": [{"name": "page_view"}],
                              "granularity": query.get("granularity", "GRANULARITY_DAY"),
                              "aggregation": "AGGREGATION_UNIQUE_USERS"},
                    "visualization": "VISUALIZATION_LINE"},
    }


def live_dashboard() -> dict[str, Any]:
    """What the server answers for MANIFEST: reordered, defaults omitted, extra fields."""
    return {
        "id": "dash_1", "name": "Growth KPIs (staging)", "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-02T00:00:00Z",
        "tiles": [
            {"id": "signups", "type": "TILE_TYPE_INSIGHT", "position": {"y": 4, "w": 12, "h": 4},
             "insight": {"query": {"events": [{"name": "signup"}],
                                   "granularity": "GRANULARITY_WEEK",
                                   "aggregation": "AGGREGATION_COUNT"},
                         "visualization": "VISUALIZATION_BAR"},
             "etag": "abc"},
            wire_dau(),
            {"id": "goals", "type": "TILE_TYPE_MARKDOWN",
             "position": {"x": 6, "y": 0, "w": 6, "h": 2},
             "markdown": {"content": "# Weekly Goals\n"}},
        ],
    }


def pulled(tmp_path: Path, live: dict[str, Any], text: str = MANIFEST) -> tuple[bool, str]:
    path = tmp_path / "growth.yaml"
    path.write_text(text, encoding="utf-8")
    document = load_roundtrip(path, root=path.parent)
    changed = update_document(document, live, VARS)
    dump_roundtrip(document, path)
    return changed, path.read_text(encoding="utf-8")


def test_equal_live_changes_nothing(tmp_path: Path) -> None:
    assert pulled(tmp_path, live_dashboard()) == (False, MANIFEST)


def test_edited_tile_changes_only_its_lines(tmp_path: Path) -> None:
    live = live_dashboard()
    live["tiles"][1]["position"]["w"] = 4
    live["tiles"][1]["insight"]["query"]["granularity"] = "GRANULARITY_HOUR"
    live["tiles"][2]["markdown"]["content"] = "# Weekly Goals\n- ship pull\n"
    changed, text = pulled(tmp_path, live)
    expected = (
        MANIFEST.replace("{x: 0, y: 0, w: 6, h: 4}", "{x: 0, y: 0, w: 4, h: 4}")
        .replace("granularity: GRANULARITY_DAY", "granularity: hour")
        .replace("        # Weekly Goals\n", "        # Weekly Goals\n        - ship pull\n")
    )
    assert changed
    assert text == expected


def test_removed_tile_takes_its_leading_comment(tmp_path: Path) -> None:
    live = live_dashboard()
    live["tiles"] = [tile for tile in live["tiles"] if tile["id"] != "goals"]
    changed, text = pulled(tmp_path, live)
    start = MANIFEST.index("\n  # goals for the week")
    end = MANIFEST.index("  # signups, by week")
    assert changed
    assert text == MANIFEST[:start] + MANIFEST[end:]


def test_removed_first_and_last_tiles(tmp_path: Path) -> None:
    live = live_dashboard()
    live["tiles"] = [tile for tile in live["tiles"] if tile["id"] == "goals"]
    changed, text = pulled(tmp_path, live)
    head = MANIFEST[: MANIFEST.index("  # daily actives")]
    goals = MANIFEST[MANIFEST.index("  # goals for the week") : MANIFEST.index("  # signups")]
    assert changed
    assert text == head + goals


def test_added_tile_is_appended_in_short_form(tmp_path: Path) -> None:
    live = live_dashboard()
    live["tiles"].append({
        "id": "kpi", "type": "TILE_TYPE_INSIGHT", "position": {"x": 0, "y": 8, "w": 3, "h": 2},
        "insight": {"query": {"events": [{"name": "purchase"}, {"name": "refund"}],
                              "granularity": "GRANULARITY_MONTH",
                              "aggregation": "AGGREGATION_COUNT"},
                    "visualization": "VISUALIZATION_KPI"},
        "createdAt": "2026-01-01T00:00:00Z",
    })
    changed, text = pulled(tmp_path, live)
    assert changed
    assert text == MANIFEST + (
        "  - id: kpi\n"
        "    position: {x: 0, y: 8, w: 3, h: 2}\n"
        "    insight:\n"
        "      query:\n"
        "        events: [{name: purchase}, {name: refund}]\n"
        "        granularity: month\n"
        "        aggregation: count\n"
        "      visualization: kpi\n"
    )


def test_renamed_dashboard_changes_the_name_line_only(tmp_path: Path) -> None:
    live = live_dashboard()
    live["name"] = "Growth Metrics"
    changed, text = pulled(tmp_path, live)
    assert changed
    before, after = MANIFEST.splitlines(), text.splitlines()
    assert [n for n, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [2]
    assert after[2].startswith("name: Growth Metrics ")
    assert after[2].endswith("  # shown in the UI")


def test_type_kept_and_changed_in_short_form(tmp_path: Path) -> None:
    live = live_dashboard()
    live["tiles"][0] = {"id": "signups", "type": "TILE_TYPE_MARKDOWN",
                        "position": {"x": 0, "y": 4, "w": 12, "h": 4},
                        "markdown": {"content": "gone"}}
    changed, text = pulled(tmp_path, live)
    tail = MANIFEST[MANIFEST.index("  - id: signups") :]
    assert changed
    assert text == MANIFEST.replace(tail, (
        "  - id: signups\n"
        "    type: markdown\n"
        "    position: {y: 4, w: 12, h: 4}\n"
        "    markdown:\n"
        "      content: gone\n"
    ))


def test_new_document(tmp_path: Path) -> None:
    live = live_dashboard()
    path = tmp_path / "new.yaml"
    dump_roundtrip(new_document(live), path)
    assert path.read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../../schemas/dashboard.schema.json\n"
        "name: Growth KPIs (staging)\n"
        "tiles:\n"
        "  - id: dau\n"
        "    position: {x: 0, y: 0, w: 6, h: 4}\n"
        "    insight:\n"
        "      query:\n"
        "        events: [{name: page_view}]\n"
        "        granularity: day\n"
        "        aggregation: unique_users\n"
        "      visualization: line\n"
        "  - id: goals\n"
        "    position: {x: 6, y: 0, w: 6, h: 2}\n"
        "    markdown:\n"
        "      content: |\n"
        "        # Weekly Goals\n"
        "  - id: signups\n"
        "    position: {x: 0, y: 4, w: 12, h: 4}\n"
        "    insight:\n"
        "      query:\n"
        "        events: [{name: signup}]\n"
        "        granularity: week\n"
        "        aggregation: count\n"
        "      visualization: bar\n"
    )


def test_new_document_without_tiles(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    dump_roundtrip(new_document({"id": "d", "name": "Empty"}), path)
    assert path.read_text(encoding="utf-8").endswith("name: Empty\ntiles: []\n")


def test_manifest_tile_drops_server_fields_and_shortens_enums() -> None:
    wire = copy.deepcopy(wire_dau()) | {"updatedAt": "x", "owner": "someone"}
    assert manifest_tile(wire) == {
        "id": "dau", "position": {"x": 0, "y": 0, "w": 6, "h": 4},
        "insight": {"query": {"events": [{"name": "page_view"}], "granularity": "day",
                              "aggregation": "unique_users"}, "visualization": "line"},
    }
    assert manifest_tile(wire, with_type=True)["type"] == "insight"


def test_interpolate_leaves_unknown_names() -> None:
    assert interpolate("a ${site} ${other}", VARS) == "a staging ${other}"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Growth KPIs", "growth-kpis"), ("Café — EU/US (v2)", "cafe-eu-us-v2"), ("!!!", "dashboard")],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_free_file_name_avoids_taken_stems() -> None:
    taken = {"growth", "growth-2"}
    assert free_file_name("growth", taken) == "growth-3.yaml"
    assert free_file_name("growth", taken) == "growth-4.yaml"
    assert free_file_name("other", taken) == "other.yaml"
