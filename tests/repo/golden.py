"""The problems of a fixed corpus of bad files, as today's loader reports them.

``golden_problems.json`` beside this file was written by the loader as it was
before the fast happy path (every file parsed with locations, jsonschema for
every schema check); ``test_fast_path.py`` checks that the loader still says
exactly that, byte for byte, for every case. The cases are the nasty-file
corpus, scalars that YAML 1.1 and 1.2 read differently, YAML that the two
libyaml builds (ruamel.yaml.clib's and PyYAML's) might parse differently, and
deterministic random breakages of a valid manifest.

    .venv/bin/python -m tests.repo.golden   # rewrite the JSON (only on purpose)
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from pathlib import Path

from reconciler.repo.repository import check_repo
from tests.repo.garbage import ACTIONS, edit
from tests.repo.samples import GROWTH
from tests.repo.test_bad_input import CORPUS, ENVIRONMENTS
from tests.support.repo import write_repo

GOLDEN = Path(__file__).with_name("golden_problems.json")
FILE = "base/case.yaml"

# scalars that YAML 1.1 (PyYAML's resolver) and 1.2 core (dashctl) read differently,
# and forms whose parse changed between libyaml releases
SCALARS = [
    "yes", "no", "on", "off", "y", "n", "Yes", "ON", "true", "False", "TRUE", "tRUE",
    "0777", "010", "0o17", "0x1F", "0b101", "1_000", "1:30", "190:20:30", "-1:30",
    "1e3", "1E3", "1.0e+3", ".5", "+1", "+.5", "-.inf", ".NaN", ".nan", "1.", "1e",
    "2024-01-01", "2001-12-14t21:59:43.10-05:00", "~", "Null", "NULL", "nUll", "null",
    "=", "<<", "'<<'", "!!str 1", "!!int 1", "!!bool yes", "!!float 1", "!!null ''",
    "9" * 30, "-" + "9" * 30, "0" * 20, "00", "-0", "+0", "0.0", "-0.0",
    "[http://x]", "[a:b]", "{a:b}", "[a?b]", "{a?b: c}", "[? a]", "{? a}", "[a: b]",
    "[a, b,]", "{a: 1,}", "[,]", "\"\\'\"", "'it''s'", "\"\\u00e9\"", "\"\\x41\"",
    "\"a\\\nb\"", "|\n    x\n", ">-\n    x\n    y\n", "|+\n    x\n\n", "a\tb", "a #b",
    "a# b", "\"\\t\"", "'\t'", "&x 1", "*x", "!x 1", "! 1", "!<tag:yaml.org,2002:str> 1",
]  # fmt: skip

TILE = (
    "tiles:\n  - id: t\n    position: {{x: 0, y: 0, w: 6, h: 4}}\n"
    "    markdown:\n      content: {value}\n"
)


def scalar_cases() -> list[tuple[str, bytes]]:
    cases = []
    for index, value in enumerate(SCALARS):
        cases.append((f"name-{index}", f"name: {value}\n".encode()))
        cases.append((f"content-{index}", ("name: n\n" + TILE.format(value=value)).encode()))
        cases.append((f"w-{index}", GROWTH.replace("w: 6", f"w: {value}", 1).encode()))
    return cases


def broken(seed: int) -> bytes:
    """GROWTH with a few random edits (the kind the hypothesis test makes), from a seed."""
    rng = random.Random(seed)
    text = GROWTH.encode()
    chunks = [b":", b"\t", b"- ", b"[", b"&a ", b"*a", b"\n  ", b"${x}", b"!!", b"\xff", b"'",
              b"{", b"}", b"]", b"#", b"? ", b"%", b"---\n", b"...\n", b"<<: ", b"\r"]  # fmt: skip
    for _ in range(rng.randint(1, 4)):
        if not text:
            break
        at = rng.randrange(len(text))
        chunk = rng.choice(chunks) if rng.random() < 0.7 else rng.randbytes(rng.randint(1, 4))
        text = edit(text, at, chunk, rng.choice(ACTIONS))
    return text


ENVIRONMENT_CASES = [
    ("env-tab", "environments:\n  local:\n\turl: x\n"),
    ("env-dup", "environments:\n  local:\n    url: sqlite:a.db\n    url: sqlite:b.db\n"),
    ("env-bool", "environments:\n  local:\n    url: sqlite:a.db\n    prune: yes\n"),
    ("env-octal", "environments:\n  local:\n    url: sqlite:a.db\n    max_deletes: 010\n"),
    ("env-http", "environments:\n  prod:\n    url: https://a.example.com\n"),
    ("env-pass", "environments:\n  p:\n    url: https://u:pw@a.example.com\n    project: p\n"
     "    token_env: T\n"),
    ("env-name", "environments:\n  'bad name':\n    url: sqlite:a.db\n  all:\n    url: sqlite:b\n"),
    ("env-unknown", "environments:\n  local:\n    url: sqlite:a.db\n    exlude: [a.yaml]\n"),
    ("env-exclude", "environments:\n  local:\n    url: sqlite:a.db\n    exclude: [nope.yaml]\n"),
    ("env-vars", "environments:\n  local:\n    url: sqlite:a.db\n    vars: {1x: a, ok: [1]}\n"),
    ("env-empty", ""),
    ("env-list", "- local\n"),
    ("env-anchor", "x: &u sqlite:a.db\nenvironments:\n  local: {url: *u}\n"),
]  # fmt: skip


def cases() -> list[tuple[str, str, bytes]]:
    """(case name, environments.yaml, content of base/case.yaml) for every case."""
    manifests = [(name, content) for name, content, _, _ in CORPUS]
    manifests += scalar_cases()
    manifests += [(f"broken-{seed}", broken(seed)) for seed in range(150)]
    result = [(name, ENVIRONMENTS, content) for name, content in manifests]
    result += [(name, text, GROWTH.encode()) for name, text in ENVIRONMENT_CASES]
    return result


def problems_of(root: Path) -> list[str]:
    """Every problem of the repository at root, as `validate` prints them (paths from root)."""
    prefix = f"{root}/"
    return [str(problem).removeprefix(prefix) for problem in check_repo(root, "all").problems]


def record() -> dict[str, list[str]]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        found = {}
        for name, environments, content in cases():
            write_repo(root, {FILE: content}, environments=environments)
            found[name] = problems_of(root)
        return found


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(record(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    sys.exit(0)
