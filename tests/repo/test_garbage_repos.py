"""Generated garbage for environments.yaml and for whole repositories, through the CLI.

For every case: exit 1 with problems, or 0 when valid; every problem names a file of
the repository, with a line and column inside it; one line each; no traceback, no
"unexpected error"; and a credential in a url never reaches the output.

Each test writes its cases into one scratch folder, on a RAM-backed file system when
the machine has one (/dev/shm): creating and removing files is most of the cost of a
case on a disk, and the corpus is meant to be large and still fast.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from tests.repo.garbage import (
    ACTIONS,
    assert_clean_problems,
    corpus_settings,
    edit,
    fresh_repo,
    line_count,
)
from tests.repo.samples import ENVIRONMENTS, GROWTH
from tests.support.cli import validate

SECRET = "hunter2"

CREDENTIALS = f"://deploy:{SECRET}@".encode()


def validate_clean(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """Run validate --format json and check the answer is clean; the parsed document.

    A url with credentials in environments.yaml, whole, is never shown (a mutation
    that cuts its scheme off leaves text that is no url: that may be quoted).
    """
    code, out, err = validate(capsys, root, "--format", "json")
    environments = root / "environments.yaml"
    if environments.is_file() and CREDENTIALS in environments.read_bytes():
        assert SECRET not in out + err
    document: dict[str, Any] = json.loads(out)
    assert code in (0, 1)

    def last_line(problem: dict[str, Any]) -> int | None:
        path = Path(problem["file"])
        assert path == root or root in path.parents, problem
        return line_count(path.read_bytes()) if path.is_file() else None

    assert_clean_problems(code, document, last_line)
    return document


# -- environments.yaml ----------------------------------------------------------------

CHUNKS = [*(bytes([value]) for value in (0x01, 0x1b, 0x7f, 0x80, 0xc0)),
    b":", b"\t", b"- ", b"[", b"]", b"{", b"&a ", b"*a", b"\n  ", b"\n    ", b"${x}", b"!!",
    b"\xff", b"'", b'"', b"#", b"sqlite:", b"sqlite:/dev/null", b"sqlite:.", b"https://",
    b"https://deploy:" + SECRET.encode() + b"@h", b":99999", b"project: ", b"token_env: ",
    b"prune: ", b"max_deletes: -", b"exclude: [", b"ignore: ['*']", b"vars: {", b"\xc3\xa9",
    b"\x00", b"\xef\xbb\xbf", b"\r\n", b"all:", b"base:", b"null", b"~", b"0x", b"1e9",
]


# The bulk tests draw one seed and build their case with random.Random(seed): one draw
# costs Hypothesis far less than the dozens a case is made of (a case is reproduced from
# its seed, and noted in full when it fails).
SEEDS = st.integers(min_value=0, max_value=2**64)


def mutate(text: bytes, mutations: list[tuple[int, bytes, str]]) -> bytes:
    """``text`` with each (place, chunk, action) applied in turn."""
    for place, chunk, action in mutations:
        text = edit(text, place % (len(text) + 1), chunk, action)
    return text


URLS = [
    "sqlite:.dashctl/a.db", "sqlite:.dashctl/a.db", "sqlite:/dev/null", "sqlite:.", "sqlite:",
    "https://analytics.example.com", "https://ANALYTICS.example.com/", "http://127.0.0.1:99999",
    f"https://deploy:{SECRET}@analytics.example.com", f"https://{SECRET}@h", "ftp://x",
    "https://h/p?q=1#f", "https://exämple.com", "sqlite:é.db", "https://h\n", "",
    f"sqlite:x.db?user=deploy:{SECRET}@h", f"https://deploy:{SECRET}@h x",
]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2, max_value=5),
    st.sampled_from(["proj_a", "proj_a", "projé", "", " ", "T", "TOKEN_A", "a-b", "x.yaml",
                     "*", "Scratch *", "${x}"]),
    st.text(max_size=6),
)
ENTRY = st.fixed_dictionaries(
    {"url": st.sampled_from(URLS) | SCALARS},
    optional={
        "project": SCALARS, "token_env": SCALARS, "prune": SCALARS, "max_deletes": SCALARS,
        "exclude": st.lists(SCALARS, max_size=2) | SCALARS,
        "ignore": st.lists(SCALARS, max_size=2) | SCALARS,
        "vars": st.dictionaries(st.sampled_from(["site", "a b", "x"]), SCALARS, max_size=2),
        "nmae": SCALARS,
    },
)
ENV_NAMES = st.sampled_from(["local", "staging", "production", "all", "base", "-x", "é", "a.b"])
ENVIRONMENTS_DATA = st.one_of(
    st.fixed_dictionaries({"environments": st.dictionaries(ENV_NAMES, ENTRY, max_size=4)}),
    st.dictionaries(st.sampled_from(["environments", "fleets", "x"]), SCALARS, max_size=2),
    st.lists(SCALARS, max_size=2),
    SCALARS,
)


@corpus_settings(600)
@given(seed=SEEDS)
def test_broken_environments_yaml(
    scratch: Path, capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    content = mutate(ENVIRONMENTS.encode(), random_mutations(random.Random(seed)))
    note(f"environments.yaml: {content!r}")
    root = fresh_repo(scratch)
    (root / "environments.yaml").write_bytes(content)
    document = validate_clean(root, capsys)
    for problem in document["problems"]:
        assert Path(problem["file"]).name == "environments.yaml", problem


@corpus_settings(350)
@given(data=ENVIRONMENTS_DATA)
def test_generated_environments(
    scratch: Path, capsys: pytest.CaptureFixture[str], data: object
) -> None:
    root = fresh_repo(scratch)
    # JSON is YAML: every generated value is written exactly, quotes and escapes included
    (root / "environments.yaml").write_text(json.dumps(data, indent=1), encoding="utf-8")
    validate_clean(root, capsys)


# -- whole repositories ------------------------------------------------------------------

FOLDERS = ["base", "base", "staging", "staging", "local", "prodution", ".hidden", "_drafts"]
FILE_NAMES = ["growth.yaml", "growth.yaml", "experiments.yaml", "ops.yml", "notes.txt", "x.yaml"]
NAMES = ["Growth KPIs", "Growth KPIs", "Scratch pad", "Ops ${site}", "${nope}", "", " ", "é",
         "a\\tb", "x" * 1001]


KINDS = ["named", "named", "named", "broken", "garbage", "pinned", "empty", "ignored"]


def random_manifest(rng: random.Random) -> bytes:
    kind = rng.choice(KINDS)
    if kind == "garbage":
        return rng.randbytes(rng.randrange(200))
    if kind == "empty":
        return b""
    name = "Scratch pad" if kind == "ignored" else rng.choice(NAMES)
    text = GROWTH.replace("name: Growth KPIs", f'name: "{name}"')
    if kind == "pinned":
        text = text.replace("tiles:", "id: dash_1\ntiles:", 1)
    if kind == "broken":
        return mutate(text.encode(), random_mutations(rng))
    return text.encode()


def random_mutations(rng: random.Random) -> list[tuple[int, bytes, str]]:
    return [(rng.randrange(2**16), rng.choice(CHUNKS), rng.choice(ACTIONS))
            for _ in range(rng.randint(1, 4))]


def random_repository(rng: random.Random) -> tuple[bytes, list[tuple[str, str, bytes]]]:
    """environments.yaml (valid, or broken one time in three) and up to 5 files."""
    environments = ENVIRONMENTS.encode()
    if rng.random() < 0.33:
        environments = mutate(environments, random_mutations(rng))
    files = [(rng.choice(FOLDERS), rng.choice(FILE_NAMES), random_manifest(rng))
             for _ in range(rng.randrange(6))]
    return environments, files


@corpus_settings(600)
@given(seed=SEEDS)
def test_generated_repositories(
    scratch: Path, capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    """Whole repositories: layouts, overlays, stray and hidden folders, duplicate names,
    names the environment ignores, pinned ids in base/, broken and garbage files."""
    environments, files = random_repository(random.Random(seed))
    note(f"environments.yaml: {environments!r}, files: {files!r}")
    root = fresh_repo(scratch)
    (root / "environments.yaml").write_bytes(environments)
    for folder, name, content in files:
        (root / folder).mkdir(exist_ok=True)
        (root / folder / name).write_bytes(content)
    document = validate_clean(root, capsys)
    stray = any(folder == "prodution" and name.endswith((".yaml", ".yml"))
                for folder, name, _ in files)
    if stray and environments == ENVIRONMENTS.encode():
        assert document["valid"] is False
