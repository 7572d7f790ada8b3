"""``${var}`` expansion is bounded by the API's 4 MiB message limit, early (SPEC §2): a small
file and a large variable never take much memory or time, in validate or in apply."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import run_in
from tests.support.repo import write_repo

MIB = 1024 * 1024


def bomb(tmp_path: Path, references: int, value: int) -> Path:
    """An 80 KB-ish manifest of ``references`` ${x} in one markdown tile, x of ``value`` chars."""
    content = "${x}" * references
    manifest = ("name: Bomb\ntiles:\n  - id: t\n    position: {x: 0, y: 0, w: 6, h: 4}\n"
                f"    markdown:\n      content: \"{content}\"\n")
    return write_repo(tmp_path / "repo", {"base/bomb.yaml": manifest}, environments={
        "local": {"url": "sqlite:state.db", "vars": {"x": "y" * value}}})


def test_an_expansion_past_the_message_limit_is_refused_at_its_string(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bomb(tmp_path, references=20_000, value=10_000)  # 200 MB if expanded
    started = time.perf_counter()
    code, out, _ = run_in(capsys, root, "validate")
    assert code == 1
    assert "base/bomb.yaml:6:16: ${x} makes the dashboard larger than the API's 4 MiB" in out
    assert time.perf_counter() - started < 30  # not a timing target: it must not hang


def test_apply_of_an_expansion_bomb_stays_small_under_a_memory_limit(tmp_path: Path) -> None:
    root = bomb(tmp_path, references=20_000, value=10_000)
    limit = 1024 * MIB  # far below the 200 MB x copies an unbounded expansion takes

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "reconciler.cli", "--root", str(root), "apply", "--env",
         "local", "--auto-approve"],
        capture_output=True, text=True, preexec_fn=bounded, timeout=120, check=False)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "4 MiB message limit" in done.stdout
    assert "MemoryError" not in done.stderr and "Traceback" not in done.stderr


def test_a_dashboard_over_the_message_limit_once_rendered_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = bomb(tmp_path, references=4, value=MIB - 100)  # 4 MiB less a little: the bound
    tile = "\n  - id: u\n    position: {x: 6, y: 0, w: 6, h: 4}\n    markdown:\n"
    text = (root / "base" / "bomb.yaml").read_text("utf-8")
    (root / "base" / "bomb.yaml").write_text(
        text + tile + "      content: \"" + "z" * (MIB - 4096) + "\"\n", "utf-8")
    code, out, _ = run_in(capsys, root, "validate")
    assert code == 1 and "over the API's 4 MiB message limit: split the dashboard" in out
