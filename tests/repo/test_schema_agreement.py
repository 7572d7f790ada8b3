# ruff: noqa: E501  (corpus tables: one case a line reads best)
"""The committed JSON Schemas and the pydantic models accept and refuse alike."""

from __future__ import annotations

import copy
import json
from enum import Enum
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ValidationError

from reconciler.dashboard import (
    Aggregation,
    Dashboard,
    Event,
    Granularity,
    Insight,
    Markdown,
    Position,
    Query,
    Tile,
    TileType,
    Visualization,
    known_values,
)
from reconciler.repo.config import (
    INTERNAL_KEYS,
    Environment,
    EnvironmentsFile,
    Fleet,
    FleetProject,
)
from reconciler.repo.schema import SchemaValidator, load_schema, schema_path, validator

VALID_DASHBOARD: dict[str, Any] = {
    "name": "Growth KPIs",
    "id": "dash_1",
    "formerNames": ["Growth"],
    "tiles": [
        {
            "id": "dau",
            "type": "insight",
            "position": {"x": 0, "y": 0, "w": 6, "h": 4},
            "insight": {
                "query": {
                    "events": [{"name": "page_view"}],
                    "granularity": "day",
                    "aggregation": "AGGREGATION_UNIQUE_USERS",
                },
                "visualization": "line",
            },
        },
        {
            "id": "goals",
            "position": {"x": 6, "w": 6, "h": 2},
            "markdown": {"content": "# Weekly Goals"},
        },
    ],
}

VALID_ENVIRONMENTS: dict[str, Any] = {
    "environments": {
        "local": {"url": "sqlite:.dashctl/local.db", "vars": {"site": "local"}},
        "production": {
            "url": "https://analytics.example.com",
            "project": "proj_prod",
            "token_env": "DASHCTL_TOKEN_PRODUCTION",
            "prune": False,
            "max_deletes": 3,
            "exclude": ["experiments.yaml"],
            "ignore": ["Scratch *"],
        },
    }
}


def schema_accepts(name: str, document: Any) -> bool:
    return bool(validator(name).is_valid(document))


def committed_accepts(name: str, document: Any) -> bool:
    """The committed file as is ($refs and all): inlining changes no decision."""
    return bool(SchemaValidator(load_schema(name)).is_valid(document))


def model_accepts(name: str, document: Any) -> bool:
    model: type[BaseModel] = Dashboard if name == "dashboard" else EnvironmentsFile
    try:
        model.model_validate(document, strict=True)
    except ValidationError:
        return False
    return True


def has_integral_float(value: Any) -> bool:
    # JSON Schema calls 1.0 an integer; the strict model wants an int (validate reports it then)
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, dict):
        return any(has_integral_float(item) for item in value.values())
    if isinstance(value, list):
        return any(has_integral_float(item) for item in value)
    return False


def check_agreement(name: str, document: Any) -> None:
    schema = schema_accepts(name, document)
    assert schema == committed_accepts(name, document), json.dumps(document, default=str)
    if not has_integral_float(document):
        assert schema == model_accepts(name, document), json.dumps(document, default=str)


@pytest.mark.parametrize("name", ["dashboard", "environments"])
def test_schemas_are_valid_draft_2020_12_with_help(name: str) -> None:
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema_path(name).read_text(encoding="utf-8").endswith("\n")

    def objects(node: Any) -> Any:
        if isinstance(node, dict):
            if node.get("type") in ("object", ["object", "null"]) and "properties" in node:
                yield node
            for value in node.values():
                yield from objects(value)
        elif isinstance(node, list):
            for value in node:
                yield from objects(value)

    found = list(objects(schema))
    assert found
    for node in found:
        if node is not schema["$defs"].get("tile", {}).get("then"):
            assert node.get("additionalProperties") is False, node.get("title")
            assert node.get("title") and node.get("description")


@pytest.mark.parametrize(
    ("model", "definition"),
    [
        (Dashboard, ()),
        (Tile, ("$defs", "tile")),
        (Position, ("$defs", "position")),
        (Insight, ("$defs", "insight")),
        (Query, ("$defs", "query")),
        (Event, ("$defs", "event")),
        (Markdown, ("$defs", "markdown")),
        (Environment, ("$defs", "environment")),
        (Fleet, ("$defs", "fleet")),
        (FleetProject, ("$defs", "project")),
    ],
)
def test_properties_and_required_keys_match_the_models(
    model: type[BaseModel], definition: tuple[str, ...]
) -> None:
    name = "environments" if model in (Environment, Fleet, FleetProject) else "dashboard"
    node: Any = load_schema(name)
    for step in definition:
        node = node[step]
    fields = {(info.alias or field): info for field, info in model.model_fields.items()}
    if model is Environment:
        for key in INTERNAL_KEYS:  # set by dashctl (from the mapping key, or for fleet members)
            fields.pop(key)
    assert set(node["properties"]) == set(fields)
    assert set(node.get("required", [])) == {
        key for key, info in fields.items() if info.is_required()
    }


@pytest.mark.parametrize(
    ("enum", "where"),
    [
        (Granularity, ("query", "granularity")),
        (Aggregation, ("query", "aggregation")),
        (Visualization, ("insight", "visualization")),
        (TileType, ("tile", "type")),
    ],
)
def test_enums_list_both_spellings(enum: type[Enum], where: tuple[str, str]) -> None:
    definition, field = where
    values = load_schema("dashboard")["$defs"][definition]["properties"][field]["enum"]
    assert [value for value in values if value is not None] == known_values(enum)


def mutated(document: Any, path: tuple[Any, ...], change: Any) -> Any:
    result = copy.deepcopy(document)
    parent = result
    for step in path[:-1]:
        parent = parent[step]
    change(parent, path[-1])
    return result


DASHBOARD_CORPUS: list[tuple[str, Any, bool]] = [
    ("valid", VALID_DASHBOARD, True),
    ("only a name", {"name": "x"}, True),
    ("no name", {"tiles": []}, False),
    ("empty name", {"name": ""}, False),
    ("null id", {"name": "x", "id": None}, True),
    ("empty id", {"name": "x", "id": ""}, False),
    ("unknown key", {"name": "x", "title": "y"}, False),
    ("name not a string", {"name": 5}, False),
    ("formerNames not a list", {"name": "x", "formerNames": "y"}, False),
    ("formerNames null", {"name": "x", "formerNames": None}, False),
    ("tiles null", {"name": "x", "tiles": None}, False),
    ("not a mapping", ["name"], False),
    ("null document", None, False),
]
for label, path, change, ok in [
    ("both bodies", ("tiles", 1, "insight"), lambda p, k: p.__setitem__(k, VALID_DASHBOARD["tiles"][0]["insight"]), False),
    ("no body", ("tiles", 0, "insight"), lambda p, k: p.pop(k), False),
    ("null body", ("tiles", 1, "insight"), lambda p, k: p.__setitem__(k, None), False),
    ("both null", ("tiles", 1, "markdown"), lambda p, k: p.update(markdown=None, insight=None), False),
    ("type disagrees", ("tiles", 0, "type"), lambda p, k: p.__setitem__(k, "markdown"), False),
    ("type api spelling", ("tiles", 0, "type"), lambda p, k: p.__setitem__(k, "TILE_TYPE_INSIGHT"), True),
    ("type null", ("tiles", 0, "type"), lambda p, k: p.__setitem__(k, None), True),
    ("type upper short", ("tiles", 0, "type"), lambda p, k: p.__setitem__(k, "INSIGHT"), False),
    ("granularity Day", ("tiles", 0, "insight", "query", "granularity"), lambda p, k: p.__setitem__(k, "Day"), False),
    ("granularity api", ("tiles", 0, "insight", "query", "granularity"), lambda p, k: p.__setitem__(k, "GRANULARITY_WEEK"), True),
    ("no events", ("tiles", 0, "insight", "query", "events"), lambda p, k: p.__setitem__(k, []), False),
    ("event name empty", ("tiles", 0, "insight", "query", "events", 0, "name"), lambda p, k: p.__setitem__(k, ""), False),
    ("x 11", ("tiles", 0, "position", "x"), lambda p, k: p.__setitem__(k, 11), True),
    ("x 12", ("tiles", 0, "position", "x"), lambda p, k: p.__setitem__(k, 12), False),
    ("x negative", ("tiles", 0, "position", "x"), lambda p, k: p.__setitem__(k, -1), False),
    ("w 0", ("tiles", 0, "position", "w"), lambda p, k: p.__setitem__(k, 0), False),
    ("w 13", ("tiles", 0, "position", "w"), lambda p, k: p.__setitem__(k, 13), False),
    ("h huge", ("tiles", 0, "position", "h"), lambda p, k: p.__setitem__(k, 2**31), False),
    ("h int32 max", ("tiles", 0, "position", "h"), lambda p, k: p.__setitem__(k, 2**31 - 1), True),
    ("h string", ("tiles", 0, "position", "h"), lambda p, k: p.__setitem__(k, "4"), False),
    ("h bool", ("tiles", 0, "position", "h"), lambda p, k: p.__setitem__(k, True), False),
    ("h 1.5", ("tiles", 0, "position", "h"), lambda p, k: p.__setitem__(k, 1.5), False),
    ("no w", ("tiles", 0, "position", "w"), lambda p, k: p.pop(k), False),
    ("no x", ("tiles", 0, "position", "x"), lambda p, k: p.pop(k), True),
    ("tile unknown key", ("tiles", 0, "colour"), lambda p, k: p.__setitem__(k, "red"), False),
    ("content not a string", ("tiles", 1, "markdown", "content"), lambda p, k: p.__setitem__(k, 5), False),
    ("content empty", ("tiles", 1, "markdown", "content"), lambda p, k: p.__setitem__(k, ""), True),
    ("no tile id", ("tiles", 1, "id"), lambda p, k: p.pop(k), False),
]:  # fmt: skip
    DASHBOARD_CORPUS.append((label, mutated(VALID_DASHBOARD, path, change), ok))

ENVIRONMENTS_CORPUS: list[tuple[str, Any, bool]] = [
    ("valid", VALID_ENVIRONMENTS, True),
    ("no environments", {}, False),
    ("empty environments", {"environments": {}}, False),
    ("http without token_env", {"environments": {"p": {"url": "https://x.test", "project": "p"}}}, False),
    ("http without project", {"environments": {"p": {"url": "http://x.test", "token_env": "T"}}}, False),
    ("http null project", {"environments": {"p": {"url": "https://x.test", "project": None, "token_env": "T"}}}, False),
    ("sqlite without project", {"environments": {"l": {"url": "sqlite:x.db"}}}, True),
    ("ftp url", {"environments": {"l": {"url": "ftp://x"}}}, False),
    ("url with a newline", {"environments": {"l": {"url": "sqlite:x\n"}}}, False),
    ("empty sqlite path", {"environments": {"l": {"url": "sqlite:"}}}, False),
    ("reserved name all", {"environments": {"all": {"url": "sqlite:x"}}}, False),
    ("reserved name base", {"environments": {"base": {"url": "sqlite:x"}}}, False),
    ("bad name", {"environments": {"-x": {"url": "sqlite:x"}}}, False),
    ("name key", {"environments": {"l": {"url": "sqlite:x", "name": "l"}}}, False),
    ("token_env with a dash", {"environments": {"l": {"url": "sqlite:x", "token_env": "A-B"}}}, False),
    ("token_env ending in newline", {"environments": {"l": {"url": "sqlite:x", "token_env": "AB\n"}}}, False),
    ("prune yes", {"environments": {"l": {"url": "sqlite:x", "prune": "yes"}}}, False),
    ("max_deletes -1", {"environments": {"l": {"url": "sqlite:x", "max_deletes": -1}}}, False),
    ("max_deletes null", {"environments": {"l": {"url": "sqlite:x", "max_deletes": None}}}, True),
    ("exclude a path", {"environments": {"l": {"url": "sqlite:x", "exclude": ["a/b.yaml"]}}}, False),
    ("exclude not yaml", {"environments": {"l": {"url": "sqlite:x", "exclude": ["a.json"]}}}, False),
    ("ignore empty glob", {"environments": {"l": {"url": "sqlite:x", "ignore": [""]}}}, False),
    ("vars bad name", {"environments": {"l": {"url": "sqlite:x", "vars": {"a-b": "x"}}}}, False),
    ("vars int value", {"environments": {"l": {"url": "sqlite:x", "vars": {"a": 1}}}}, False),
    ("unknown key", {"environments": {"l": {"url": "sqlite:x", "prnue": True}}}, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "document", "valid"), DASHBOARD_CORPUS, ids=[c[0] for c in DASHBOARD_CORPUS]
)
def test_dashboard_corpus(label: str, document: Any, valid: bool) -> None:
    assert schema_accepts("dashboard", document) is valid
    check_agreement("dashboard", document)


@pytest.mark.parametrize(
    ("label", "document", "valid"), ENVIRONMENTS_CORPUS, ids=[c[0] for c in ENVIRONMENTS_CORPUS]
)
def test_environments_corpus(label: str, document: Any, valid: bool) -> None:
    assert schema_accepts("environments", document) is valid
    check_agreement("environments", document)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(paths(value, (*prefix, index)))
    return found


SPELLINGS = [
    value
    for enum in (TileType, Granularity, Aggregation, Visualization)
    for value in known_values(enum)
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=14),
    st.integers(min_value=2**31 - 2, max_value=2**31 + 1),
    st.floats(allow_nan=True).filter(lambda value: not value.is_integer()),
    st.sampled_from(SPELLINGS),
    st.sampled_from(["", "Day", "DAY", "daily", "x", "page_view", "a\n", "sqlite:x", "https://h"]),
    st.text(max_size=4),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["name", "id", "x", "w", "content", "zz"]), inner, max_size=3
        ),
    ),
    max_leaves=6,
)


def mutate(data: st.DataObject, document: Any) -> Any:
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        path = data.draw(st.sampled_from(paths(document)))
        if not path:
            continue
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = data.draw(values)
        elif action == "delete":
            del parent[path[-1]]
        else:
            target = parent[path[-1]]
            if isinstance(target, dict):
                key = data.draw(
                    st.sampled_from(["insight", "markdown", "type", "id", "extra", "x"])
                )
                target[key] = data.draw(values)
            elif isinstance(target, list):
                target.append(data.draw(values))
    return document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_dashboards_are_judged_alike(data: st.DataObject) -> None:
    check_agreement("dashboard", mutate(data, copy.deepcopy(VALID_DASHBOARD)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_environments_are_judged_alike(data: st.DataObject) -> None:
    check_agreement("environments", mutate(data, copy.deepcopy(VALID_ENVIRONMENTS)))


def test_an_independent_checker_accepts_the_example_with_the_committed_schemas() -> None:
    """check-jsonschema reads the schemas as an editor would (modeline, $refs and all)."""
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "dashboards"
    for schema, files in (
        ("dashboard", sorted(str(p) for p in example.glob("*/*.yaml"))),
        ("environments", [str(example / "environments.yaml")]),
    ):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "check_jsonschema",
                "--schemafile",
                str(schema_path(schema)),
                *files,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
