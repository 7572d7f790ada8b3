"""The YAML loader: core-schema scalars, anchors and merges, locations, round trip."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from reconciler.errors import ManifestError
from reconciler.repo.yaml_io import (
    MAX_DEPTH,
    Unsupported,
    YamlDocument,
    dump_roundtrip,
    load_roundtrip,
    load_yaml,
    parse_yaml,
)


def parse(text: str) -> YamlDocument:
    return parse_yaml(text, YamlDocument(Path("m.yaml"), "m.yaml"))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1),
        ("-7", -7),
        ("0o17", 15),
        ("0x1F", 31),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("true", True),
        ("False", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("yes", "yes"),
        ("on", "on"),
        ("2024-01-01", "2024-01-01"),
        ("'1'", "1"),
        ('"true"', "true"),
        ("!!str 12", "12"),
        ("!!int '12'", 12),
        ("!!float 2", 2.0),
        ("0b101", "0b101"),
        ("1_000", "1_000"),
        ("page_view", "page_view"),
    ],
)
def test_scalars_follow_the_yaml_1_2_core_schema(text: str, value: object) -> None:
    document = parse(f"v: {text}\n")
    assert document.problems == []
    assert document.data == {"v": value}
    assert type(document.data["v"]) is type(value)


def test_special_floats() -> None:
    data = parse("a: .inf\nb: -.Inf\nc: .nan\n").data
    assert data["a"] == math.inf and data["b"] == -math.inf and math.isnan(data["c"])


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("!!binary aGVsbG8=", "a value tagged !!binary"),
        ("!!timestamp 2024-01-01", "a value tagged !!timestamp"),
        ("!custom x", "a value tagged !custom"),
        ("!!int abc", "an invalid !!int 'abc'"),
        ("1" * 5000, "an integer too long to read (5000 digits)"),
    ],
)
def test_values_without_a_json_form_are_unsupported(text: str, what: str) -> None:
    value = parse(f"v: {text}\n").data["v"]
    assert value == Unsupported(what)


def test_locations_of_keys_values_and_items_are_one_based() -> None:
    document = parse(
        "# comment\nname: Growth\ntiles:\n  - id: dau\n    position: {x: 0, w: 6}\n  -\n    id: b\n"
    )
    assert document.locate(()) == (2, 1)
    assert document.locate(("name",)) == (2, 7)
    assert document.locate(("name",), key=True) == (2, 1)
    assert document.locate(("tiles", 0)) == (4, 5)
    assert document.locate(("tiles", 0, "position", "w")) == (5, 25)
    assert document.locate(("tiles", 0, "position", "w"), key=True) == (5, 22)
    assert document.locate(("tiles", 1, "id")) == (7, 9)


def test_locate_stops_at_the_deepest_node_that_exists() -> None:
    document = parse("name: x\ntiles:\n  - id: a\n")
    assert document.locate(("tiles", 0, "position", "w")) == (3, 5)
    assert document.locate(("tiles", 5)) == (3, 3)
    assert document.locate(("nope", "deeper")) == (1, 1)


def test_anchors_aliases_and_merge_keys() -> None:
    document = parse(
        "base: &pos {x: 0, y: 0, w: 6, h: 4}\n"
        "a: *pos\n"
        "b:\n  <<: *pos\n  w: 3\n"
        "c:\n  <<: [{x: 1}, {x: 2, h: 9}]\n"
    )
    assert document.problems == []
    assert document.data["a"] == {"x": 0, "y": 0, "w": 6, "h": 4}
    assert document.data["b"] == {"w": 3, "x": 0, "y": 0, "h": 4}
    assert document.data["c"] == {"x": 1, "h": 9}
    assert document.locate(("b", "w")) == (5, 6)
    assert document.locate(("b", "h")) == (1, 34)  # where the merged value was written


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first at line 1)"),
        ("a: *nope\n", 1, "alias *nope names no complete anchor"),
        ("a: &x [*x]\n", 1, "alias *x names no complete anchor"),
        ("a: 1\n---\nb: 2\n", 2, "a second YAML document"),
        ("? [a, b]\n: 1\n", 1, "a mapping key must be a string"),
        ("a: !!set {x}\n", 1, "unsupported tag !!set"),
        ("a:\n  <<: 5\n", 2, "a merge key (<<) takes a mapping"),
        ("a: [1,\n", 2, "invalid YAML"),
        ("a:\n\tb: 1\n", 2, "a tab character; indent with spaces"),
        ("a: b: c\n", 1, "invalid YAML: mapping values are not allowed"),
    ],
)
def test_structural_problems_are_located(text: str, line: int, fragment: str) -> None:
    document = parse(text)
    assert document.problems, text
    assert document.problems[0].line == line
    assert fragment in document.problems[0].message


def test_nesting_is_bounded() -> None:
    ok = parse("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")
    assert ok.problems == []
    deep = parse("a:\n  " + "[" * 100_000 + "\n")
    assert [(p.line, p.column) for p in deep.problems] == [(2, 2 + MAX_DEPTH)]
    assert "nesting deeper than 64 levels" in deep.problems[0].message


def test_alias_bombs_are_refused_without_expanding_them() -> None:
    lines = ["l0: &l0 [a, a, a, a, a, a, a, a, a, a]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    document = parse("\n".join(lines) + "\n")
    assert len(document.problems) == 1
    assert "aliases expand to more than" in document.problems[0].message
    assert document.problems[0].line == 6  # 10**5 nodes is fine, 10**6 is not


def test_files_are_checked_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (1 << 20))
    assert "over the 1 MiB limit" in load_yaml(big, root=tmp_path).problems[0].message
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"a: 1\nname: caf\xe9\n")
    problem = load_yaml(latin, root=tmp_path).problems[0]
    assert (problem.line, problem.column) == (2, 10)
    assert "not UTF-8" in problem.message
    nul = tmp_path / "nul.yaml"
    nul.write_bytes(b"a: 1\nb: x\x00y\n")
    problem = load_yaml(nul, root=tmp_path).problems[0]
    assert (problem.line, problem.column, "U+0000" in problem.message) == (2, 5, True)
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbfname: x\n")
    assert load_yaml(bom, root=tmp_path).data == {"name": "x"}
    missing = load_yaml(tmp_path / "missing.yaml", root=tmp_path)
    assert "cannot read file" in missing.problems[0].message


def test_roundtrip_keeps_comments_order_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    text = (
        "# yaml-language-server: $schema=../../schemas/dashboard.schema.json\n"
        "name: 'Growth'  # the name\n"
        "tiles:\n"
        "  - id: dau\n"
        "    position: {x: 0, y: 0, w: 6, h: 4}\n"
    )
    path.write_text(text, encoding="utf-8")
    data = load_roundtrip(path, root=tmp_path)
    assert list(data) == ["name", "tiles"]
    dump_roundtrip(data, path)
    assert path.read_text(encoding="utf-8") == text
    data["tiles"][0]["position"]["w"] = 4
    dump_roundtrip(data, path)
    assert "w: 4" in path.read_text(encoding="utf-8")
    assert "# the name" in path.read_text(encoding="utf-8")


def test_roundtrip_refuses_what_validation_refuses(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        load_roundtrip(path, root=tmp_path)
    assert (caught.value.line, caught.value.column) == (2, 1)


def test_the_pure_python_parser_gives_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where ruamel.yaml.clib is missing (a newer Python), the pure parser takes over."""
    texts = [
        "name: x\ntiles:\n  - id: a\n    position: {x: 0, w: 6}\n",
        "a: &x {b: 1}\nc:\n  <<: *x\n  d: [1, 2.5, true, ~, '3']\n",
        "a: 1\na: 2\n",
        "a:\n\tb: 1\n",
        "a: [1,\n",
        "a: " + "[" * 100 + "\n",
    ]
    fast = [parse(text) for text in texts]
    monkeypatch.setattr("reconciler.repo.yaml_io.CParser", None)
    for text, expected in zip(texts, fast, strict=True):
        document = parse(text)
        assert document.data == expected.data, text
        assert [(p.line, p.column) for p in document.problems] == [
            (p.line, p.column) for p in expected.problems
        ], text
        if not document.problems:
            assert document.locate(("a",)) == expected.locate(("a",))
