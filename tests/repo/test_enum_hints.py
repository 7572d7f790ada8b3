"""An unknown enum value in a manifest or environments.yaml suggests the closest known one,
as an unknown key does (`reconciler.repo.schema._enum_problem`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.repo.repository import validate_repo
from tests.support.factories import insight
from tests.support.repo import write_repo

VISUALIZATIONS = ("VISUALIZATION_LINE, VISUALIZATION_BAR, VISUALIZATION_AREA, "
                  "VISUALIZATION_TABLE, VISUALIZATION_KPI, line, bar, area, table, kpi")


def messages(root: Path, tile: dict[str, object]) -> list[str]:
    write_repo(root, {"base/board.yaml": {"name": "Board", "tiles": [tile]}},
               environments={"local": {"url": "sqlite:local.db"}})
    return [problem.message for problem in validate_repo(root, "all")]


@pytest.mark.parametrize(("field", "value", "hint"), [
    ("viz", "lin", "line"),
    ("viz", "Line", "line"),
    ("viz", "VISUALISATION_LINE", "VISUALIZATION_LINE"),
    ("viz", "barr", "bar"),
    ("granularity", "daily", "day"),
    ("granularity", "GRANULARITY_WEAK", "GRANULARITY_WEEK"),
    ("aggregation", "unque_users", "unique_users"),
    ("aggregation", "COUNT", "count"),
])
def test_a_near_miss_names_the_value_meant(
    tmp_path: Path, field: str, value: str, hint: str
) -> None:
    tile = insight("dau")
    name = "visualization" if field == "viz" else field
    (tile["insight"] if field == "viz" else tile["insight"]["query"])[name] = value
    (message,) = messages(tmp_path, tile)
    assert message.startswith(f"unknown {name} {value!r} (did you mean {hint!r}? known: ")
    if field == "viz":
        assert message == f"unknown visualization {value!r} (did you mean {hint!r}? known: " \
                          f"{VISUALIZATIONS})"


def test_a_value_like_none_lists_the_known_ones(tmp_path: Path) -> None:
    assert messages(tmp_path, insight("dau", viz="histogram")) == [
        f"unknown visualization 'histogram' (known: {VISUALIZATIONS})"]
    assert messages(tmp_path, insight("dau", viz=3)) == [  # type: ignore[arg-type]
        f"unknown visualization an integer (3) (known: {VISUALIZATIONS})"]


def test_environments_yaml_values_get_the_hint_too(tmp_path: Path) -> None:
    environments = ("fleets:\n  tenants:\n    url: sqlite:t.db\n    mode: seed\n"
                    "    projects: [{project: p1}]\n")
    write_repo(tmp_path, {"base/board.yaml": {"name": "Board", "tiles": [insight("dau")]}},
               environments=environments)
    assert [problem.message for problem in validate_repo(tmp_path, "all")] == [
        "unknown mode 'seed' (did you mean 'seeded'? known: managed, seeded)"]
