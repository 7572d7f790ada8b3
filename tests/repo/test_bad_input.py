# ruff: noqa: E501  (the corpus table: one case a line reads best)
"""Bad input never yields a traceback: a clear, located problem and exit 1.

A corpus of nasty files (each with the line its problem must point at) goes
through the CLI and the library; hypothesis then throws generated garbage at
both: random bytes, YAML-ish text, broken variants of a valid manifest.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.repo.repository import load_repo, select_environments, validate_repo
from tests.repo.garbage import ACTIONS, assert_clean_problems, edit, fresh_repo, line_count
from tests.repo.samples import GROWTH
from tests.support.cli import validate_json
from tests.support.repo import load_manifests, write_repo

ENVIRONMENTS = "environments:\n  local:\n    url: sqlite:x.db\n    vars: {site: here}\n"


def bomb() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return ("name: laughs\n" + "\n".join(lines) + "\n").encode()


def junk(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


WRONG_TYPES = b"""\
name: [not, a, string]
formerNames: Growth
tiles:
  - id: 7
    type: chart
    position: {x: "0", y: -1, w: 0, h: 1.5}
    insight:
      query:
        events: {name: page_view}
        granularity: 1
        aggregation: null
      visualization: [line]
  - just a string
"""

# (file name, content, line of the first problem, a fragment of its message)
CORPUS: list[tuple[str, bytes, int, str]] = [
    ("malformed.yaml", b"name: Growth\ntiles: [\n  {id: a\n", 4, "invalid YAML"),
    ("unclosed-quote.yaml", b'name: "Growth\ntiles: []\n', 3, "invalid YAML"),
    ("bad-indent.yaml", b"name: Growth\ntiles:\n  - id: a\n position: {}\n", 4, "invalid YAML"),
    ("tabs.yaml", b"name: Growth\ntiles:\n\t- id: a\n", 3, "a tab character; indent with spaces"),
    ("duplicate-keys.yaml", b"name: Growth\ntiles: []\nname: Other\n", 3,
     "duplicate key 'name' (first at line 1)"),
    ("duplicate-nested.yaml", GROWTH.encode().replace(b"      visualization: line\n",
     b"      visualization: line\n      visualization: bar\n"), 12, "duplicate key 'visualization'"),
    ("latin1.yaml", b"name: Growth\ntiles: []\nformerNames: [Caf\xe9]\n", 3, "not UTF-8"),
    ("utf16.yaml", "name: Growth\n".encode("utf-16"), 1, "not UTF-8 text (UTF-16?)"),
    ("nul-byte.yaml", b"name: Growth\ntiles: []\n\x00\n", 3, "control character U+0000"),
    ("binary-junk.yaml", junk(4096, 1), 1, "not UTF-8"),
    ("png.yaml", b"\x89PNG\r\n\x1a\n" + junk(512, 2), 1, "not UTF-8"),
    ("elf.yaml", b"\x7fELF\x02\x01\x01" + bytes(64), 1, "control character"),
    ("too-big.yaml", b"name: Growth\ntiles: []\n# " + b"x" * (1 << 20) + b"\n", 1,
     "over the 1 MiB limit"),
    ("deep-flow.yaml", b"name: Growth\ntiles: " + b"[" * 50_000 + b"]" * 50_000 + b"\n", 2,
     "nesting deeper than 64 levels"),
    ("deep-block.yaml", b"name: Growth\n" + b"".join(b"  " * i + b"k:\n" for i in range(200)), 66,
     "nesting deeper than 64 levels"),
    ("billion-laughs.yaml", bomb(), 7, "aliases expand to more than"),
    ("recursive-alias.yaml", b"name: &n Growth\ntiles: &t [*t]\n", 2, "alias *t names no complete"),
    ("second-document.yaml", b"name: Growth\n---\nname: Other\n", 2, "a second YAML document"),
    ("empty.yaml", b"", 1, "empty file"),
    ("comments-only.yaml", b"# nothing here\n", 1, "empty file"),
    ("scalar.yaml", b"just a string\n", 1, "a manifest must be a mapping, got a string"),
    ("list.yaml", b"- name: Growth\n", 1, "a manifest must be a mapping, got a list"),
    ("wrong-types.yaml", WRONG_TYPES, 1, "name: expected a string, got a list"),
    ("python-tag.yaml", b"name: !!python/object:os.system echo\n", 1,
     "got a value tagged !!python/object:os.system"),
    ("binary-tag.yaml", b"name: !!binary aGVsbG8=\n", 1, "got a value tagged !!binary"),
    ("huge-int.yaml", b"name: x\ntiles:\n  - id: a\n    position: {w: 1, h: " + b"9" * 5000 + b"}\n"
     b"    markdown: {content: x}\n", 4, "an integer too long to read (5000 digits)"),
    ("complex-key.yaml", b"? [name]\n: Growth\n", 1, "a mapping key must be a string"),
    ("undefined-var.yaml", b"name: ${nowhere}\n", 1, "undefined variable ${nowhere}"),
    ("control-char.yaml", b"name: a\x1bb\n", 1, "control character U+001B"),
]  # fmt: skip


@pytest.fixture
def lone(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", {}, environments=ENVIRONMENTS)


@pytest.mark.parametrize(
    ("name", "content", "line", "fragment"), CORPUS, ids=[case[0] for case in CORPUS]
)
def test_nasty_file_through_the_cli(
    lone: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes,
    line: int,
    fragment: str,
) -> None:
    (lone / "base").mkdir()
    (lone / "base" / name).write_bytes(content)
    code, document = validate_json(capsys, lone)
    assert code == 1
    first = document["problems"][0]
    assert first["file"] == str(lone / "base" / name)
    assert fragment in first["message"], first
    assert first["line"] == line, first
    assert first["column"] >= 1


@pytest.mark.parametrize(
    ("name", "content", "line", "fragment"), CORPUS, ids=[case[0] for case in CORPUS]
)
def test_nasty_file_through_the_library(
    lone: Path, name: str, content: bytes, line: int, fragment: str
) -> None:
    (lone / "base").mkdir()
    (lone / "base" / name).write_bytes(content)
    repo = load_repo(lone)
    manifests, problems = load_manifests(repo, select_environments(repo, "local")[0])
    assert manifests == []
    assert (problems[0].line, fragment in problems[0].message) == (line, True), problems[0]


def test_wrong_types_everywhere_are_each_reported_at_their_node(lone: Path) -> None:
    write_repo(lone, {"base/wrong.yaml": WRONG_TYPES}, environments=ENVIRONMENTS)
    found = [(p.line, p.column, p.message) for p in validate_repo(lone, "all")]
    assert found == [
        (1, 7, "name: expected a string, got a list"),
        (2, 14, "formerNames: expected a list, got a string ('Growth')"),
        (4, 9, "id: expected a string, got an integer (7)"),
        (
            5,
            11,
            "unknown type 'chart' (known: TILE_TYPE_INSIGHT, TILE_TYPE_MARKDOWN,"
            " insight, markdown)",
        ),
        (6, 19, "x: expected an integer, got a string ('0')"),
        (6, 27, "y must be >= 0, got -1"),
        (6, 34, "w must be >= 1, got 0"),
        (6, 40, "h: expected an integer, got a number (1.5)"),
        (9, 17, "events: expected a list, got a mapping"),
        (
            10,
            22,
            "unknown granularity an integer (1) (known: GRANULARITY_HOUR, GRANULARITY_DAY,"
            " GRANULARITY_WEEK, GRANULARITY_MONTH, hour, day, week, month)",
        ),
        (
            11,
            22,
            "unknown aggregation null (known: AGGREGATION_COUNT,"
            " AGGREGATION_UNIQUE_USERS, count, unique_users)",
        ),
        (
            12,
            22,
            "unknown visualization a list (known: VISUALIZATION_LINE, VISUALIZATION_BAR,"
            " VISUALIZATION_AREA, VISUALIZATION_TABLE, VISUALIZATION_KPI, line, bar, area,"
            " table, kpi)",
        ),
        (13, 5, "tiles: expected a mapping, got a string ('just a string')"),
    ]


def test_problems_in_environments_yaml_are_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_repo(tmp_path, {}, environments="environments:\n  local:\n\turl: x\n")
    code, document = validate_json(capsys, root)
    assert code == 1
    assert [(p["line"], p["message"]) for p in document["problems"]] == [
        (3, "invalid YAML: a tab character; indent with spaces")
    ]


# -- generated garbage ------------------------------------------------------------

YAMLISH = st.text(
    alphabet=st.sampled_from(
        [*" \t\n:-[]{},&*!|>'\"#%@`?~.$\\0123456789abcnmetxyz_<=é\r", "\x00", "\x85", "\ufeff"]
    ),
    max_size=300,
)


def broken_growth(data: st.DataObject) -> bytes:
    text = GROWTH.encode()
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        if not text:
            break
        at = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
        action = data.draw(st.sampled_from(ACTIONS))
        chunk = data.draw(
            st.binary(min_size=1, max_size=4)
            | st.sampled_from(
                [b":", b"\t", b"- ", b"[", b"&a ", b"*a", b"\n  ", b"${x}", b"!!", b"\xff", b"'"]
            )
        )
        text = edit(text, at, chunk, action)
    return text


def assert_clean(content: bytes, code: int, document: dict[str, Any]) -> None:
    lines = line_count(content)
    assert_clean_problems(code, document, lambda problem: lines)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    content=st.one_of(
        st.binary(max_size=400), YAMLISH.map(lambda s: s.encode("utf-8", "surrogatepass"))
    )
)
def test_garbage_through_the_cli(
    scratch: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    root = write_repo(fresh_repo(scratch), {"base/g.yaml": content}, environments=ENVIRONMENTS)
    code, document = validate_json(capsys, root)
    assert_clean(content, code, document)
    assert code == 1  # garbage is never a manifest


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_broken_manifests_through_the_library(scratch: Path, data: st.DataObject) -> None:
    content = broken_growth(data)
    root = write_repo(fresh_repo(scratch), {"base/g.yaml": content}, environments=ENVIRONMENTS)
    repo = load_repo(root)
    manifests, problems = load_manifests(repo, select_environments(repo, "local")[0])
    document = {
        "valid": not problems,
        "problems": [{"line": p.line, "column": p.column, "message": p.message} for p in problems],
    }
    assert_clean(content, 1 if problems else 0, document)
    assert bool(manifests) != bool(problems)
    json.dumps(document)
