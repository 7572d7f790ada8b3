"""Log injection, end to end: hostile names, tile ids and content, from a manifest and from
live state (made through the API, as a UI would), through every output format of plan,
drift and validate, against the in-process sqlite: emulator.

Whatever the data, the output holds no control character (other than the line breaks of
the output itself), no line that GitHub Actions would run as a workflow command, and the
JSON formats still carry the data exactly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from reconciler.api import DashboardsClient
from tests.support.cli import run
from tests.support.factories import insight, markdown, wire
from tests.support.repo import RepoKit

FORGED = "::error::pwned"
HOSTILE_NAME = "Board\n::error file=x::pwned\r::add-mask::tok\x1b]0;title\x07\x1b[2J\u202e"
HOSTILE_TILE = "t\n::warning::pwned\x1b[31m"
HOSTILE_CONTENT = "# Notes\n::error::pwned\n##[error]pwned\n  ::add-mask::x\n"


def assert_safe(text: str) -> None:
    """No control character but line breaks, and no line that is a workflow command."""
    for line in text.split("\n"):
        assert not line.lstrip().startswith(("::", "##[")), line
        assert all(char == "\t" or ord(char) >= 0x20 for char in line), repr(line)
        assert not any(0x7F <= ord(char) <= 0x9F for char in line), repr(line)
        assert "\u202e" not in line


@pytest.fixture
def kit(tmp_path: Path) -> RepoKit:
    kit = RepoKit(tmp_path / "repo", {"test": {"url": "sqlite:live.db", "prune": True}})
    kit.write("forged", {"name": FORGED, "tiles": [insight(HOSTILE_TILE)]})
    kit.write("notes", {"name": "Notes", "tiles": [markdown("n", HOSTILE_CONTENT, x=0)]})
    return kit


def make_hostile_live(kit: RepoKit) -> None:
    async def work(client: DashboardsClient) -> None:
        created = await client.create_dashboard(HOSTILE_NAME)
        await client.upsert_tiles(created["id"], [wire(insight(HOSTILE_TILE))])
        notes = await client.create_dashboard("Notes")
        old_notes = markdown("n", "# Notes\n::error::pwned\nold\n", x=0)
        await client.upsert_tiles(notes["id"], [wire(old_notes)])
        forged = await client.create_dashboard(FORGED)
        await client.upsert_tiles(forged["id"], [wire(insight(HOSTILE_TILE, w=3))])

    kit.live(work)


def run_all_formats(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    outputs: dict[str, Any] = {}
    for command in ("plan", "drift"):
        for fmt in ("text", "markdown", "json"):
            code, out, err = kit.run(capsys, command, "--env", "test", "--format", fmt)
            assert code == 2, (command, fmt, out, err)
            assert_safe(out)
            assert_safe(err)
            outputs[f"{command}-{fmt}"] = json.loads(out) if fmt == "json" else out
    return outputs


def test_hostile_manifest_and_live_data_in_every_plan_and_drift_format(
    kit: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    make_hostile_live(kit)
    outputs = run_all_formats(kit, capsys)
    plan = outputs["plan-json"]["environments"][0]
    assert {change["dashboard"] for change in plan["changes"]} == {HOSTILE_NAME, FORGED, "Notes"}
    forged = next(change for change in plan["changes"] if change["dashboard"] == FORGED)
    assert forged["tiles"]["changed"] == [HOSTILE_TILE]
    assert outputs["plan-json"]["environments"][0]["name"] == "test"
    assert outputs["drift-json"]["environments"][0]["unmanaged"] == [HOSTILE_NAME]
    text = outputs["plan-text"]
    assert '- delete "Board\\n::error file=x::pwned\\r::add-mask::tok\\x1b]0;title' in text
    assert f"~ tile {HOSTILE_TILE.encode('unicode_escape').decode()}" in text
    assert "\\::error::pwned" in text  # a content line of the line diff, guarded
    assert " \\::error::pwned" in outputs["plan-markdown"]
    assert "+##[error]pwned" in outputs["plan-markdown"]


def test_hostile_manifests_from_empty(kit: RepoKit, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = run_all_formats(kit, capsys)
    assert "+ tile t\\n::warning::pwned\\x1b[31m" in outputs["plan-text"]
    assert outputs["drift-json"]["environments"][0]["missing"] == [FORGED, "Notes"]


def validate(root: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> tuple[int, str]:
    code, out, err = run(capsys, "--root", str(root), "validate", "--format", fmt)
    assert_safe(err)
    return code, out


def test_hostile_problems_in_every_validate_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    kit = RepoKit(tmp_path / "::error::root", {"test": {"url": "sqlite:live.db"}})
    kit.write("::add-mask::file", {"name": HOSTILE_NAME, "tiles": [insight(HOSTILE_TILE),
                                                                   insight(HOSTILE_TILE, x=6)]})
    root = Path(os.path.relpath(kit.root, tmp_path))
    code, text = validate(root, capsys, "text")
    assert code == 1
    assert_safe(text)
    assert text.startswith("\\::error::root/base/::add-mask::file.yaml:")
    code, github = validate(root, capsys, "github")
    lines = github.splitlines()
    assert code == 1 and len(lines) == 2
    for line in lines:
        assert line.startswith("::error file=%3A%3Aerror%3A%3Aroot/base/%3A%3Aadd-mask")
        assert all(ord(char) >= 0x20 for char in line)  # one line each, whatever the data
    assert "duplicate tile id 't\\n::warning::pwned\\x1b[31m'" in github
    code, out = validate(root, capsys, "json")
    document = json.loads(out)
    assert code == 1 and document["valid"] is False
    assert {p["file"] for p in document["problems"]} == {
        str(root / "base" / "::add-mask::file.yaml")
    }
    assert_safe(out)
