"""The loader's fast happy path gives exactly what the located path gives, or defers to it.

For every text: either ``parse_fast`` refuses it (and the located path reads
it, as before), or both give the same data (types and key order included),
the same flags, and every node is located at the same line and column, the
top-level keys without parsing again. For every file, whole problems lists
are today's (``golden_problems.json``, recorded before the fast path), and
for valid repositories the Manifest objects are those of the located path.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.repo import schema
from reconciler.repo.repository import check_repo, load_repo
from reconciler.repo.yaml_document import Marks, YamlDocument
from reconciler.repo.yaml_fast import parse_fast
from reconciler.repo.yaml_io import load_yaml, located_marks, parse_yaml
from tests.repo.golden import FILE, GOLDEN, SCALARS, cases, problems_of
from tests.repo.samples import ENVIRONMENTS, GROWTH
from tests.repo.test_bad_input import YAMLISH, broken_growth
from tests.support.repo import load_manifests, write_repo

EXAMPLE = Path(__file__).resolve().parents[2] / "dashboards"
PATH = Path("m.yaml")


def shape(value: Any) -> Any:
    """value with every type spelled out: 1, 1.0 and True differ; key order counts."""
    if isinstance(value, dict):
        return ("map", [(key, shape(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("seq", [shape(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def node_paths(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from node_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from node_paths(item, (*path, index))


def same_as_located(text: str) -> bool:
    """Check the fast path against the located path on text; whether the fast path took it."""
    located = parse_yaml(text, YamlDocument(PATH, "m.yaml"))
    fast = YamlDocument(PATH, "m.yaml")
    finds: list[int] = []

    def find(document: YamlDocument) -> Marks:
        finds.append(1)
        return located_marks(document)

    if not parse_fast(text, fast, find_marks=find):
        assert (fast.data, fast.text, fast.empty, fast.marks) == (None, "", True, {})
        return False
    assert located.problems == [], f"the fast path took what the located path refuses: {text!r}"
    assert shape(fast.data) == shape(located.data), text
    assert (fast.empty, fast.dollar, fast.root_mark, fast.text) == (
        located.empty,
        located.dollar,
        located.root_mark,
        located.text,
    ), text
    if isinstance(located.data, dict):
        for key in located.data:
            assert fast.locate((key,)) == located.locate((key,)), (text, key)
            assert fast.locate((key,), key=True) == located.locate((key,), key=True), (text, key)
        assert finds == [], "top-level keys are located without parsing again"
    for path in node_paths(located.data):
        assert fast.locate(path) == located.locate(path), (text, path)
        assert fast.locate(path, key=True) == located.locate(path, key=True), (text, path)
    assert len(finds) <= 1
    return True


# -- texts ------------------------------------------------------------------------

WORDS = [*SCALARS, "a:b", "a: b", "?a", "-a", "- a", "#x", "a #x", "${site}", "$${x}", "é",
         " ", "[x]", "{x}", ",", "a,b", "%x", "@x", "`x", "a\\b", "\u00a0", "x\r", "a\u2028b",
         ""]  # fmt: skip


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """YAML-looking text: block and flow collections of tricky scalars in every style."""

    def scalar() -> str:
        word = draw(st.sampled_from(WORDS) | st.text(alphabet="ab:?#-,[]{}' \"\t1.", max_size=6))
        style = draw(st.sampled_from(["plain", "plain", "single", "double"]))
        if style == "single":
            return "'" + word.replace("'", "''") + "'"
        if style == "double":
            return json.dumps(word, ensure_ascii=draw(st.booleans()))
        return word

    def flow(depth: int) -> str:
        kind = draw(st.sampled_from(["scalar", "seq", "map"])) if depth < 3 else "scalar"
        count = draw(st.integers(0, 3))
        if kind == "seq":
            return "[" + ", ".join(flow(depth + 1) for _ in range(count)) + "]"
        if kind == "map":
            return "{" + ", ".join(f"{scalar()}: {flow(depth + 1)}" for _ in range(count)) + "}"
        return scalar()

    def block(indent: int, depth: int) -> list[str]:
        mapping = draw(st.booleans())
        lines = []
        for _ in range(draw(st.integers(1, 3))):
            head = " " * indent + (f"{scalar()}:" if mapping else "-")
            kind = draw(st.sampled_from(["scalar", "flow", "block", "literal", "empty"]))
            kind = "scalar" if depth >= 3 and kind == "block" else kind
            comment = draw(st.sampled_from(["", "", " # note", "#x"]))
            if kind == "block":
                lines.append(head + comment)
                lines += block(indent + draw(st.sampled_from([0, 1, 2, 4])), depth + 1)
            elif kind == "literal":
                lines.append(head + " " + draw(st.sampled_from(["|", ">", "|-", ">+", "|2"])))
                lines += [" " * (indent + 2) + scalar() for _ in range(draw(st.integers(0, 2)))]
            elif kind == "empty":
                lines.append(head + comment)
            else:
                lines.append(f"{head} {flow(depth) if kind == 'flow' else scalar()}{comment}")
        return lines

    text = "\n".join(block(0, 0)) + "\n"
    start = draw(st.sampled_from(["", "", "---\n", "--- ", "%YAML 1.2\n---\n", "# c\n"]))
    end = draw(st.sampled_from(["", "", "...\n", "---\n", "\n\n"]))
    text = start + text + end
    return text.replace("\n", "\r\n") if draw(st.integers(0, 9)) == 0 else text


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=yaml_texts())
def test_yaml_looking_text_parses_alike(text: str) -> None:
    same_as_located(text)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=YAMLISH)
def test_garbage_parses_alike(text: str) -> None:
    same_as_located(text)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_broken_manifests_parse_alike(data: st.DataObject) -> None:
    content = broken_growth(data).decode("utf-8", "replace")
    same_as_located(content)


def test_the_corpus_and_the_examples_parse_alike() -> None:
    texts = [content.decode("utf-8", "replace") for _, _, content in cases()]
    texts += [path.read_text(encoding="utf-8") for path in sorted(EXAMPLE.rglob("*.yaml"))]
    taken = [same_as_located(text) for text in texts]
    assert all(taken[-len(list(EXAMPLE.rglob("*.yaml"))) :]), "valid manifests take the fast path"
    assert 0 < sum(taken) < len(taken)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("name: [a:b]\n", "libyaml 0.2 reads a:b in a flow collection, 0.1.7 refuses it"),
        ("name: {a?b: c}\n", "libyaml 0.2 reads a?b in a flow collection, 0.1.7 refuses it"),
        ("a: 1\na: 2\n", "duplicate key"),
        ("a: &x 1\nb: *x\n", "anchors and aliases"),
        ("a: {<<: {b: 1}}\n", "merge key"),
        ("a: !!str 1\n", "a tag"),
        ("? [a]\n: b\n", "a key that is not a scalar"),
        ("a: 1\n---\nb: 2\n", "a second document"),
        ("%YAML 1.1\n---\na: 1\n", "a directive"),
        ("a: " + "[" * 65 + "]" * 65 + "\n", "nesting deeper than MAX_DEPTH"),
        ("a: " + "9" * 5000 + "\n", "an integer too long to read"),
        ("a: b\x85c\n", "NEL, a line break in YAML 1.1 only"),
        ("a: [\n", "a parse error"),
    ],
)
def test_what_the_fast_path_leaves_to_the_located_path(text: str, why: str) -> None:
    assert not same_as_located(text), why


def test_plain_scalars_are_read_by_yaml_1_2_rules_not_pyyaml_1_1() -> None:
    document = YamlDocument(PATH, "m.yaml")
    text = "a: yes\nb: 0777\nc: 1:30\nd: 2024-01-01\ne: 0o17\nf: .inf\ng: ~\nh: 1_000\n"
    assert parse_fast(text, document, find_marks=located_marks)
    expected = {"a": "yes", "b": 777, "c": "1:30", "d": "2024-01-01", "e": 15, "f": math.inf,
                "g": None, "h": "1_000"}  # fmt: skip
    assert shape(document.data) == shape(expected)


# -- whole problems lists and Manifest objects ----------------------------------------


def test_every_bad_file_has_todays_problems(tmp_path: Path) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    root = tmp_path / "repo"
    found = {}
    for name, environments, content in cases():
        write_repo(root, {FILE: content}, environments=environments)
        found[name] = problems_of(root)
    assert found == golden


def todays_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader as it was: every file parsed located, every schema checked by jsonschema."""
    monkeypatch.setattr("reconciler.repo.yaml_fast.loads", None)
    monkeypatch.setattr(schema, "COMPILED_SCHEMAS", frozenset())


def test_the_example_repository_gives_the_same_manifests(monkeypatch: pytest.MonkeyPatch) -> None:
    repo = load_repo(EXAMPLE)
    assert all(load_yaml(path, root=EXAMPLE).marks_deferred for path in EXAMPLE.rglob("*.yaml"))
    fast = {name: load_manifests(repo, env) for name, env in repo.environments.items()}
    todays_loader(monkeypatch)
    assert not load_yaml(EXAMPLE / "base" / "growth-kpis.yaml", root=EXAMPLE).marks_deferred
    again = load_repo(EXAMPLE)
    located = {name: load_manifests(again, env) for name, env in again.environments.items()}
    assert fast == located
    assert all(manifests and not problems for manifests, problems in fast.values())


def test_a_generated_repository_gives_the_same_manifests_and_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files: dict[str, str | bytes] = {f"base/m{index}.yaml": GROWTH.replace(
        "Growth KPIs", f"Board {index} ${{site}}" if index % 3 else f"Board {index}"
    ) for index in range(20)}  # fmt: skip
    files["base/dup.yaml"] = GROWTH.replace("Growth KPIs", "Board 1 local")  # a name used twice
    files["staging/m2.yaml"] = GROWTH.replace("w: 6", "w: 7", 1)  # overlaps
    root = write_repo(tmp_path / "repo", files, environments=ENVIRONMENTS)
    fast = check_repo(root, "all")
    repo = load_repo(root)
    fast_manifests = [load_manifests(repo, env) for env in repo.environments.values()]
    todays_loader(monkeypatch)
    assert check_repo(root, "all") == fast
    repo = load_repo(root)
    located = [load_manifests(repo, env) for env in repo.environments.values()]
    assert fast_manifests == located
    assert any("duplicate dashboard name" in problem.message for problem in fast.problems)
    assert any("overlaps" in problem.message for problem in fast.problems)


# -- the schema check: jsonschema-rs says what jsonschema says --------------------------

ODD_VALUES: list[Any] = [
              None, True, False, 0, -1, 1, 11, 12, 13, 2**31 - 1, 2**31, 2**64, 1.0, 1.5, -0.0,
              math.nan, math.inf, "", "x", "line", "LINE", "insight", "day", [], [{}], {},
              {"name": "x"}, [1], "\ud800"]  # fmt: skip


def manifest_data() -> dict[str, Any]:
    return load_yaml_text(GROWTH)


def load_yaml_text(text: str) -> Any:
    document = parse_yaml(text, YamlDocument(PATH, "m.yaml"))
    return document.data


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_compiled_schema_agrees_with_jsonschema(data: st.DataObject) -> None:
    manifest = manifest_data()
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [path for path in node_paths(manifest) if path]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent: Any = manifest
        for step in path[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["set", "delete", "add"]))
        if action == "set":
            parent[path[-1]] = copy.deepcopy(data.draw(st.sampled_from(ODD_VALUES)))
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["type", "id", "x", "markdown", "insight", "q"]))] = (
                copy.deepcopy(data.draw(st.sampled_from(ODD_VALUES)))
            )
    expected = schema.validator("dashboard").is_valid(manifest)
    try:
        compiled = schema.compiled_validator("dashboard").is_valid(manifest)
    except ValueError:
        compiled = expected  # refused: is_valid then asks jsonschema
    assert compiled == expected == schema.is_valid("dashboard", manifest)
