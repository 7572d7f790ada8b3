# ruff: noqa: E501  (the corpus table: one case a line reads best)
"""yaml_rs behind its guards: whenever the fast path takes a text, it gives the located path's data.

yaml_rs (YAML 1.2, compiled) and the located path (ruamel.yaml's libyaml
0.1.7 and ``yaml_build``) read many texts differently; ``yaml_fast`` lets
yaml_rs read only texts of a tame subset. Each case below is a known
difference, or a neighbour of one: whatever the fast path does with it,
``same_as_located`` checks that it refuses it or gives exactly the located
path's data, flags and top-level marks; the expected column says which of
the two the guards must choose. Hypothesis then generates manifest-shaped
and free-form texts for the same check, and two subprocesses feed a
20,000-level text to the loader, which must refuse it without crashing
(yaml_rs overflows its native stack at about 12,000 levels).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.repo.yaml_document import MAX_DEPTH, YamlDocument
from reconciler.repo.yaml_fast import parse_fast
from reconciler.repo.yaml_io import located_marks, parse_yaml
from tests.repo.test_fast_path import PATH, same_as_located, shape

ROOT = Path(__file__).resolve().parents[2]
TAKEN, REFUSED = "taken", "refused"

# (text, what the fast path must do, why)
CORPUS: list[tuple[str, str, str]] = [
    # numbers yaml_rs reads and the located path keeps as strings: quoted for yaml_rs where
    # they are a whole block value, refused elsewhere
    ("a: 1_000\n", TAKEN, "an underscore: yaml_rs says 1000"),
    ("a: 1__0\n", TAKEN, "underscores"),
    ("a: _1\n", TAKEN, "a leading underscore"),
    ("a: 0x_1F\n", TAKEN, "an underscore after 0x"),
    ("a: 0.1_0\n", TAKEN, "an underscore in a float"),
    ("a: 0b101\n", TAKEN, "binary: yaml_rs says 5"),
    ("a: 0X1F\n", TAKEN, "upper-case X: yaml_rs says 31"),
    ("a: 0O17\n", TAKEN, "upper-case O"),
    ("a: -0x1F\n", TAKEN, "a signed hex"),
    ("a: +0o17\n", TAKEN, "a signed octal"),
    ("a: .iNf\n", TAKEN, "mixed-case infinity: yaml_rs says inf"),
    ("a: -.INf\n", TAKEN, "mixed-case signed infinity"),
    ("a: .nAN\n", TAKEN, "mixed-case nan"),
    ("- a: 1_0  # c\n", REFUSED, "a root sequence"),
    ("a:\n  - 1_0  # c\n  - b: 0b1\n", TAKEN, "odd numbers in a sequence and a nested mapping"),
    ("a: [1_000]\n", REFUSED, "an odd number in a flow sequence"),
    ("a: {b: 0b101}\n", REFUSED, "an odd number in a flow mapping"),
    ("a: b\n  - 1_0\n", REFUSED, "an odd number that is only part of a multi-line scalar"),
    ("a: '1_000'\nb: \"0b1\"\n", TAKEN, "odd numbers already quoted"),
    ("a: 1_000 x\n", TAKEN, "not a number for either"),
    ("1_0: a\n", REFUSED, "an odd number as a key: yaml_rs's key is an int"),
    # numbers both read alike
    ("a: 0x1F\nb: 0o17\nc: 0777\nd: 1e3\ne: 1.\nf: .5\ng: +1\nh: -.inf\ni: .NaN\nj: 1E+5\nk: -0\nl: 1.e5\n", TAKEN, "core numbers"),
    ("a: 1e400\nb: -1e400\nc: 1e-400\nd: 0.1000000000000000055511151231257827\n", TAKEN, "floats at the edges"),
    ("a: 9223372036854775807\nb: -9223372036854775808\n", TAKEN, "64-bit integers"),
    ("a: 99999999999999999999999999\n", REFUSED, "an integer over 64 bits (orjson refuses it)"),
    ("a: " + "9" * 5000 + "\n", REFUSED, "an integer too long to read"),
    ("a: yes\nb: no\nc: on\nd: 1:30\ne: 2024-01-01\nf: 2001-12-14t21:59:43.10-05:00\ng: ~\nh: Null\ni: nUll\nj: tRUE\n", TAKEN, "YAML 1.1 forms are strings"),
    # tags, anchors, aliases, merge keys
    ("a: !!binary aGk=\n", REFUSED, "yaml_rs drops the tag"),
    ("a: !custom x\n", REFUSED, "yaml_rs drops a custom tag"),
    ("a: !!str 1\n", REFUSED, "a core tag"),
    ("a: ! x\n", REFUSED, "the non-specific tag"),
    ("a: !!map {}\n", REFUSED, "a tag on a collection"),
    ("a:\n  - !t x\n", REFUSED, "a tag in a sequence"),
    ("a: [!t x]\n", REFUSED, "a tag in a flow sequence"),
    ("a: &x 1\nb: *x\n", REFUSED, "an anchor and an alias"),
    ("a: *x\n", REFUSED, "an alias of nothing"),
    ("a: &x\n  b: 1\n", REFUSED, "an anchor on a mapping"),
    ("a: [&x 1, *x]\n", REFUSED, "anchors in a flow sequence"),
    ("<<: {a: 1}\n", REFUSED, "a merge key: yaml_rs keeps << as a key"),
    ("a:\n  <<: {b: 1}\n  c: 2\n", REFUSED, "a nested merge key"),
    ("'<<': {a: 1}\n", REFUSED, "a quoted merge key (the located path merges it too)"),
    ('"\\x3c<": {a: 1}\n', REFUSED, "a merge key spelt with an escape"),
    ("a: {<<: {b: 1}}\n", REFUSED, "a merge key in a flow mapping"),
    ("a: <<\n", TAKEN, "<< as a value"),
    # plain scalars with ':' or '?' in flow collections
    ("a: [a:b]\n", REFUSED, "libyaml 0.1.7 refuses a:b in a flow collection"),
    ("a: {a?b: c}\n", REFUSED, "libyaml 0.1.7 refuses a?b in a flow collection"),
    ("a: [http://x.example.com]\n", REFUSED, "a URL in a flow sequence"),
    ("a: {url: http://x}\n", REFUSED, "a URL in a flow mapping"),
    ("a: [? a]\n", REFUSED, "an explicit key in a flow sequence"),
    ("a: {? a}\n", REFUSED, "an explicit key in a flow mapping"),
    ("a: ['http://x', \"a:b\"]\n", TAKEN, "quoted colons in a flow sequence"),
    ("a: [a: b]\n", TAKEN, "a single pair in a flow sequence"),
    ("a: [a, b,]\nb: {c: 1,}\n", TAKEN, "trailing commas"),
    ("a: [,]\n", REFUSED, "an empty entry"),
    ("a: {a}\n", REFUSED, "a flow key without a value"),
    ("a: [a #b]\n", REFUSED, "a comment inside a flow sequence"),
    ("a: [a,\n  b]\n", REFUSED, "a flow sequence over two lines"),
    ("a: " + "[" * 3 + "x" + "]" * 3 + "\n", REFUSED, "three levels of flow collections"),
    ("a: [[x], {b: c}, [d]]\n", TAKEN, "two levels of flow collections"),
    ("position: {x: 0, y: 0, w: 6, h: 4}\nevents: [{name: event_1_2}]\n", TAKEN, "the generated manifests' flow collections"),
    # URLs, markdown and the like in block scalars and quoted scalars
    ("content: |\n  see https://x.example.com/a?b=c&d=e#f\n  - [docs](http://x?y=1): **bold** & *it* !important\n  ![chart](x.png) `code` %d @me\n", TAKEN, "a block scalar holds anything"),
    ("content: >-\n  a: b\n  - c\n  &anchor *alias !tag {a?b: c} [a:b]\n\n  next\n", TAKEN, "YAML-looking lines in a folded scalar"),
    ('content: "**${site}** & *it*: [a:b] !x"\n', TAKEN, "a double-quoted scalar holds anything"),
    ("content: '*a &b !c [a:b] {a?b} # not a comment'\n", TAKEN, "a single-quoted scalar holds anything"),
    ("url: https://analytics.example.com/a?b=c\n", TAKEN, "a URL as a block plain scalar"),
    # block scalars
    ("a: |\n  x", REFUSED, "a block scalar ends the text without a line break: the two end it apart"),
    ("a: |\n", REFUSED, "an empty block scalar at the end: '' for one, newline for the other"),
    ("a: >\n\n", REFUSED, "an empty folded scalar at the end"),
    ("a: |\n  x\n   ", REFUSED, "blanks after the last line break"),
    ("a: |\n  x\n  # c", REFUSED, "a comment-looking last line of a block scalar"),
    ("a: |-\n \tx\n", REFUSED, "a tab after the first line's indentation: libyaml refuses it"),
    ("a: |2\n   x\n", REFUSED, "an indentation indicator"),
    ("a: |\n   \n  x\n", REFUSED, "a leading blank line longer than the first line"),
    ("a: |\n  x\n \ty\n", REFUSED, "a tab where indentation is expected"),
    ("a: |\n  x\n\n  \n", TAKEN, "trailing blank lines"),
    ("a: |+\n  x\n\nb: 1\n", TAKEN, "kept trailing lines"),
    ("a: >\n  x\n   y\n\n  z\n", TAKEN, "folding with a more-indented line"),
    ("a:\n  - |\n    x\n  - k: >-\n      y\n", TAKEN, "block scalars in a sequence"),
    ("- |\n  x\n", REFUSED, "a root sequence"),
    ("a: |\n  x\n  - y: !t z\n", TAKEN, "tag-looking text inside a block scalar"),
    ("a: |\n  x\n - y\n", REFUSED, "a line less indented than the body ends the scalar: an error"),
    # line breaks, BOMs and characters
    ("a: b\x85c\n", REFUSED, "NEL, a line break in YAML 1.1 only"),
    ("a: b\u2028c\n", REFUSED, "LS"),
    ("a: b\u2029c\n", REFUSED, "PS"),
    ("a: b\ufeffc\n", REFUSED, "a BOM inside the text"),
    ("\ufeffa: 1\n", REFUSED, "a BOM at the start (read_text strips it before)"),
    ("# \x85\na: 1\n", REFUSED, "NEL in a comment"),
    ('a: "b\u2028c"\n', REFUSED, "LS in a quoted scalar"),
    ("a: |\n  b\x85c\n", REFUSED, "NEL in a block scalar"),
    ("a: b\rc: d\n", REFUSED, "a lone CR"),
    ("a: b\x00\n", REFUSED, "a NUL"),
    ('a: "\x07"\n', REFUSED, "a control character"),
    ("a: 1\r\nb: |\r\n  x\r\n  y\r\nc: [d]\r\n", TAKEN, "CRLF line breaks"),
    ('a: "\\ud83d\\ude00"\n', REFUSED, "a surrogate pair: libyaml 0.1.7 refuses it, yaml_rs joins it"),
    ('a: "\\U0000D800"\n', REFUSED, "a surrogate"),
    ('a: "\\N\\_\\L\\P\\e\\x41\\u00e9\\U0001F600\\/"\n', TAKEN, "escapes both read alike"),
    ("a: é😀日本\u00a0x\u3000y\n", TAKEN, "non-ASCII plain scalars"),
    ("a:\tb\n", REFUSED, "a tab after the colon: yaml_rs refuses it"),
    ("a: b\t# c\n", TAKEN, "a tab before a comment"),
    # documents and directives
    ("a: 1\n---\nb: 2\n", REFUSED, "a second document: yaml_rs gives a list"),
    ("a: 1\n--- \n", REFUSED, "an empty second document"),
    ("a: 1\n...\n", REFUSED, "a document end"),
    ("%YAML 1.2\n---\na: 1\n", REFUSED, "a directive"),
    ("%TAG ! tag:x.com,2000:\n---\na: !t 1\n", REFUSED, "a tag directive"),
    ("# c\n---\na: 1\n", TAKEN, "comments and one document start"),
    ("--- # c\na: 1\n", TAKEN, "a document start with a comment"),
    ("--- a: 1\n", REFUSED, "content on the document start line"),
    # keys
    ("a: 1\na: 2\n", REFUSED, "a duplicate key"),
    ("a: 1\n'a': 2\n", REFUSED, "a duplicate key, quoted"),
    ("a: {b: 1, b: 2}\n", REFUSED, "a duplicate key in a flow mapping"),
    ("1: a\n", REFUSED, "an integer key for yaml_rs, '1' for the located path"),
    ("true: a\n", REFUSED, "a boolean key"),
    ("null: a\n", REFUSED, "a null key"),
    ("~: a\n", REFUSED, "a null key"),
    ("1.5: a\n", REFUSED, "a float key"),
    ("a:\n  2: b\n", REFUSED, "a nested integer key"),
    ("a: {1: b}\n", REFUSED, "an integer key in a flow mapping"),
    ("'1': a\n\"true\": b\n", TAKEN, "quoted keys are strings for both"),
    ("k" * 1100 + ": 1\n", REFUSED, "a key over libyaml's 1,024 characters"),
    ("? a\n: b\n", REFUSED, "an explicit key"),
    ("[a]: b\n", REFUSED, "a collection as a key"),
    ("a b  : c\n'd''e': f\n\"g h\": i\n", TAKEN, "keys with blanks and quotes"),
    ('"a\\tb": c\n"\\u00e9": d\n', TAKEN, "top-level keys with escapes"),
    ("a:\n  \"b\\tc\": d\n", TAKEN, "a nested key with an escape"),
    ("a:b: c\n", REFUSED, "a colon inside a plain key"),
    ("-a: 1\n", TAKEN, "a key starting with a dash"),
    # structure
    ("- a\n", REFUSED, "a root sequence"),
    ("a\n", REFUSED, "a root scalar"),
    ("{a: 1}\n", REFUSED, "a root flow mapping"),
    ("", REFUSED, "an empty text"),
    ("# only a comment\n", REFUSED, "no content"),
    ("  a: 1\n", REFUSED, "an indented root"),
    ("a:\n  b\n", REFUSED, "a value on a line of its own"),
    ("a:\n  \"x\"\n", REFUSED, "a quoted value on a line of its own"),
    ("a: \"x\n  y\"\n", REFUSED, "a multi-line quoted scalar"),
    ("a: @x\n", REFUSED, "a reserved indicator"),
    ("a: `x\n", REFUSED, "a reserved indicator"),
    ("a: %x\n", REFUSED, "a directive indicator"),
    ("a: b\n  - c\n", TAKEN, "a plain scalar continued on a dash line"),
    ("a: b\n  c: d\n", REFUSED, "a mapping inside a plain scalar: an error"),
    ("a:\n- b\n-\n- - c\n  - d\nf: 1\n", TAKEN, "indentless and nested sequences"),
    ("a: x\n# c\n  y\n", REFUSED, "a continuation after a comment: an error"),
    ("a: x # $c\n# ${d}\nb: y\n", TAKEN, "a dollar in comments only: dollar is False"),
    ('a: "\\x24{b}"\n', TAKEN, "a dollar from an escape: dollar is True"),
    ("a: 1\nb:\nc:   # c\n\n  d: 1\ne:\n- f\n", TAKEN, "values below their keys, and empty ones"),
    # nesting
    ("a: " + "[" * 65 + "]" * 65 + "\n", REFUSED, "nesting deeper than MAX_DEPTH"),
    ("a:\n" + " " * 29 + "b: 1\n", REFUSED, "a line indented past the nesting bound"),
    ("a:\n  " + "- " * 14 + "x\n", REFUSED, "dashes past the nesting bound"),
    ("a:\n  " + "- " * 14 + "-\n", REFUSED, "empty entries past the nesting bound"),
    ("a: 1\n" + " " * 40 + "\nb: 2\n", TAKEN, "a long blank line is no nesting"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected", "why"), CORPUS)
def test_known_differences(text: str, expected: str, why: str) -> None:
    taken = same_as_located(text)
    assert taken == (expected == TAKEN), why


def test_odd_numbers_are_the_located_paths_strings() -> None:
    document = YamlDocument(PATH, "m.yaml")
    text = "a: 1_000\nb:\n  - 0b101  # c\n  - c: .iNf\nd: -0x1F\ne: 10\n"
    assert parse_fast(text, document, find_marks=located_marks)
    assert shape(document.data) == shape(
        {"a": "1_000", "b": ["0b101", {"c": ".iNf"}], "d": "-0x1F", "e": 10}
    )


def test_dollar_comes_from_scalars_only() -> None:
    for text, dollar in [("# $schema\na: b # ${c}\n", False), ("a: b\n$c: d\n", True),
                         ("a: [x, y$]\n", True), ('a: "\\x24"\n', True)]:  # fmt: skip
        document = YamlDocument(PATH, "m.yaml")
        assert parse_fast(text, document, find_marks=located_marks), text
        assert document.dollar is dollar, text


def test_the_deepest_text_the_guards_let_through_is_within_max_depth() -> None:
    """Mappings and indentless sequences at every column up to the bound, then flows."""
    lines: list[str] = []
    for column in range(27):
        lines += [" " * column + "k:", " " * column + "-"]
    deepest = "\n".join([*lines, " " * 27 + "k: [[x]]"]) + "\n"
    assert same_as_located(deepest)
    located = parse_yaml(deepest, YamlDocument(PATH, "m.yaml"))
    assert located.problems == []
    assert 56 < depth(located.data) <= MAX_DEPTH
    one_more = "\n".join([*lines, " " * 28 + "- k: [[x]]"]) + "\n"
    assert not same_as_located(one_more)


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(item) for item in value), default=0)
    return 0


def bench(name: str) -> Any:
    """A module of bench/ (a folder of scripts, not a package)."""
    if f"bench.{name}" in sys.modules:
        return sys.modules[f"bench.{name}"]
    spec = importlib.util.spec_from_file_location(f"bench.{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_generated_and_example_manifests_take_the_fast_path() -> None:
    texts = [bench("harness").manifest_text(index, 25) for index in range(3)]
    texts += [bench("bench_validate").manifest(index, 25) for index in range(0, 20, 10)]
    texts += [text.replace("\n", "\r\n") for text in texts]
    texts += [
        path.read_text(encoding="utf-8") for path in sorted((ROOT / "dashboards").rglob("*.yaml"))
    ]
    assert all(same_as_located(text) for text in texts)


# -- generated texts ---------------------------------------------------------------------

# scalars and keys drawn among the usual and the odd
WORDS = ["a", "name", "id", "tiles", "x", "query", "events", "content", "Board 00001",
         "event_1_2", "page_view", "k-1", "k.b", "K_2", "é", "日本", "0", "6", "-3", "1.5"]  # fmt: skip
ODD = ["", "1_000", "_1", "0x_1F", "0.1_0", "0b101", "0X1F", "-0x1", "0o17", "0O17", ".inf",
       ".iNf", ".NaN", "+.nan", "1e3", "1e400", "1.", ".5", "0777", "9" * 25, "true", "tRue",
       "yes", "null", "~", "1:30", "2024-01-01", "a:b", "a: b", "a?b", "?x", "-x", "--", "---",
       "...", "a #b", "a#b", "${x}", "**b**", "*x", "&x", "!x", "![i](u)", "[x](http://y?z=1)",
       "a'b", 'a"b', "<<", "=", "%x", "@x", "`x", "|", ">", "a,b", "[x]", "{x}", "a]", "\\",
       "\t", "a\tb", "\u00a0", "\x85", "\u2028", "\ufeff", "\r", "x" * 40]  # fmt: skip
KEYS = ["a", "name", "id", "tiles", "x", "y", "w", "h", "query", "events", "insight",
        "markdown", "content", "granularity", "page_view", "k-1", "k.b", "K_2", "é", "日本",
        "key with blanks", "$ref"]  # fmt: skip
BODY = ["text", "**bold** & *it*", "![x](y)", "- item", "# heading", "key: value", "  more",
        "\tTab", "", " ", "[a:b]", "!tag x", "&a *b", "--- x", "...", "a: |", "1_000", "${site}"]  # fmt: skip


def scalar(draw: st.DrawFn, odd: float) -> str:
    word = draw(st.sampled_from(ODD if draw(st.floats(0, 1)) < odd else WORDS))
    if draw(st.booleans()):
        word = draw(st.sampled_from(
            [word, str(draw(st.integers(-(10**20), 10**20))), repr(draw(st.floats(allow_nan=False)))]
        ))  # fmt: skip
    style = draw(st.sampled_from(["plain"] * 6 + ["single", "double"]))
    if style == "single":
        return "'" + word.replace("'", "''") + "'"
    if style == "double":
        return json.dumps(word, ensure_ascii=draw(st.booleans()))
    return word


def flow(draw: st.DrawFn, odd: float, level: int = 0) -> str:
    kind = (
        draw(st.sampled_from(["scalar", "scalar", "sequence", "mapping"]))
        if level < 3
        else "scalar"
    )
    count = draw(st.integers(0, 3))
    if kind == "sequence":
        return "[" + ", ".join(flow(draw, odd, level + 1) for _ in range(count)) + "]"
    if kind == "mapping":
        return (
            "{"
            + ", ".join(f"{scalar(draw, odd)}: {flow(draw, odd, level + 1)}" for _ in range(count))
            + "}"
        )
    return scalar(draw, odd)


def node(draw: st.DrawFn, odd: float, indent: int, level: int, head: str) -> list[str]:
    """Lines for a node whose key or dash is ``head``."""
    kind = draw(
        st.sampled_from(["scalar", "scalar", "flow", "mapping", "sequence", "block", "empty"])
    )
    kind = "scalar" if level > 5 and kind in ("mapping", "sequence") else kind
    comment = draw(st.sampled_from(["", "", " # note", "  # ${x} **"]))
    if kind == "scalar":
        return [f"{head} {scalar(draw, odd)}{comment}"]
    if kind == "flow":
        return [f"{head} {flow(draw, odd)}{comment}"]
    if kind == "empty":
        return [head + comment]
    if kind == "block":
        style = draw(st.sampled_from(["|", ">", "|-", ">+", "|+", ">-"]))
        inner = " " * (indent + draw(st.sampled_from([1, 2, 2, 4])))
        body = [inner + draw(st.sampled_from(WORDS))]
        for _ in range(draw(st.integers(0, 3))):
            line = draw(st.sampled_from(["", inner, inner + "  "]))
            body.append(line + draw(st.sampled_from(BODY + WORDS)) if line else "")
        return [f"{head} {style}{comment}", *body]
    inner_indent = indent + draw(st.sampled_from([1, 2, 2, 4]))
    if kind == "sequence" and head.endswith(":") and draw(st.booleans()):
        inner_indent = indent  # an indentless sequence
    if kind == "mapping":
        return [head + comment, *mapping(draw, odd, inner_indent, level + 1)]
    return [head + comment, *sequence(draw, odd, inner_indent, level + 1)]


def key(draw: st.DrawFn, odd: float) -> str:
    """A key: a word, an odd scalar now and then, plain or quoted."""
    word = draw(st.sampled_from(ODD if draw(st.floats(0, 1)) < odd else KEYS))
    style = draw(st.sampled_from(["plain"] * 6 + ["single", "double"]))
    if style == "single":
        return "'" + word.replace("'", "''") + "'"
    return json.dumps(word) if style == "double" else word


def mapping(
    draw: st.DrawFn, odd: float, indent: int, level: int, first: str | None = None
) -> list[str]:
    lines: list[str] = []
    for index in range(draw(st.integers(1, 4))):
        prefix = first if index == 0 and first is not None else " " * indent
        lines += node(draw, odd, indent, level, f"{prefix}{key(draw, odd / 4)}:")
    return lines


def sequence(draw: st.DrawFn, odd: float, indent: int, level: int) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            lines += mapping(draw, odd, indent + 2, level + 1, first=" " * indent + "- ")
        else:
            lines += node(draw, odd, indent + 2, level, " " * indent + "-")
    return lines


@st.composite
def manifest_shaped(draw: st.DrawFn, odd: float | None = None) -> str:
    """A block mapping of keys, flows, block scalars, sequences, odd scalars here and there."""
    if odd is None:
        odd = draw(st.sampled_from([0.0, 0.05, 0.2]))
    lines = mapping(draw, odd, 0, 0)
    start = draw(st.sampled_from(["", "", "# yaml-language-server: $schema=x\n", "---\n"]))
    text = start + "\n".join(lines) + "\n"
    return text.replace("\n", "\r\n") if draw(st.integers(0, 9)) == 0 else text


@st.composite
def free_form(draw: st.DrawFn) -> str:
    """A manifest-shaped text with a few characters or pieces of YAML syntax put anywhere."""
    text = draw(manifest_shaped())
    pieces = st.sampled_from([":", "-", " ", "\t", "#", "'", '"', "[", "]", "{", "}", ",", "\n",
                              "\n  ", "|", ">", "!", "&", "*", "?", "_", "0x", ".", "<<: ", "---\n",
                              "...\n", "%", "\r", "\x85", "\ufeff", "1_0", "\\"])  # fmt: skip
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        piece = draw(pieces | st.text(max_size=3))
        cut = draw(st.integers(0, 2))
        text = text[:at] + piece + text[at + cut :]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=manifest_shaped())
def test_manifest_shaped_texts_parse_alike(text: str) -> None:
    same_as_located(text)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=free_form())
def test_free_form_texts_parse_alike(text: str) -> None:
    same_as_located(text)


def test_most_plain_manifest_shaped_texts_take_the_fast_path() -> None:
    """The property tests above are not vacuous: texts without odd scalars are mostly taken."""
    taken: list[bool] = []

    @settings(max_examples=100, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(text=manifest_shaped(odd=0.0))
    def check(text: str) -> None:
        taken.append(same_as_located(text))

    check()
    assert sum(taken) > len(taken) / 3, f"{sum(taken)} of {len(taken)}"


# -- nesting that would overflow yaml_rs's native stack -----------------------------------

DEEP = """
import sys
from pathlib import Path
from reconciler.repo import yaml_fast
from reconciler.repo.yaml_document import YamlDocument
from reconciler.repo.yaml_io import located_marks, parse_into

calls = []
real = yaml_fast.loads
yaml_fast.loads = lambda text, **options: calls.append(len(text)) or real(text, **options)
text = {text}
document = YamlDocument(Path("m.yaml"), "m.yaml")
print(yaml_fast.parse_fast(text, document, find_marks=located_marks), calls)
print(parse_into(YamlDocument(Path("m.yaml"), "m.yaml"), text).problems[0].message)
"""


@pytest.mark.parametrize(
    "text",
    ['"a: " + "[" * 20_000 + "]" * 20_000 + "\\n"', '"a:\\n  " + "- " * 20_000 + "x\\n"'],
    ids=["flow", "block"],
)
def test_a_20000_level_text_is_refused_without_crashing(text: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", DEEP.format(text=text)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["False []", f"nesting deeper than {MAX_DEPTH} levels"]
