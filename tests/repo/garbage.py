"""What the generated-garbage tests share: edits that break a file, the checks every
reported problem must pass, and a scratch folder on a RAM-backed file system.

Creating and removing files on a disk costs milliseconds each (more than checking a
small repository), so the corpus tests write their thousands of cases into one folder
under /dev/shm when it is writable, else under the test's tmp_path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

RAM = Path("/dev/shm")
SCALE = max(1, int(os.environ.get("DASHCTL_GARBAGE_SCALE", "1") or 1))
"""Multiplies the number of generated cases (e.g. DASHCTL_GARBAGE_SCALE=10 for a deep run)."""


def corpus_settings(examples: int) -> settings:
    """Hypothesis settings for a corpus test of ``examples`` cases (times SCALE)."""
    return settings(max_examples=examples * SCALE, deadline=None,
                    suppress_health_check=list(HealthCheck))


@contextmanager
def scratch_folder(fallback: Path) -> Iterator[Path]:
    """A fresh folder, removed at the end."""
    base = RAM if RAM.is_dir() and os.access(RAM, os.W_OK) else fallback
    folder = Path(tempfile.mkdtemp(prefix="dashctl-garbage-", dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fresh_repo(folder: Path) -> Path:
    """An empty repository folder inside ``folder`` (the previous case's removed)."""
    root = folder / "repo"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    return root


ACTIONS = ("delete", "insert", "replace")


def edit(text: bytes, at: int, chunk: bytes, action: str) -> bytes:
    """``text`` with ``chunk`` deleted from, inserted at or written over place ``at``."""
    cut = 0 if action == "insert" else len(chunk)
    return text[:at] + (b"" if action == "delete" else chunk) + text[at + cut :]


def line_count(content: bytes) -> int:
    """The lines a problem of ``content`` may point at (YAML also breaks lines at NEL, LS
    and PS; one more for a problem at the end)."""
    text = content.decode("utf-8", "replace")
    return sum(text.count(brk) for brk in ("\n", "\r", "\x85", "\u2028", "\u2029")) + 2


def assert_clean_problems(code: int, document: dict[str, Any],
                          last_line: Callable[[dict[str, Any]], int | None]) -> list[Any]:
    """The problems of a validate document: exit 1 exactly when there are some, each on
    one line, at a line and column (at most ``last_line(problem)`` when that is known)."""
    problems = document["problems"]
    assert isinstance(problems, list)
    assert (code == 1) == bool(problems) == (document["valid"] is False), (code, problems)
    for problem in problems:
        assert problem["line"] >= 1 and problem["column"] >= 1, problem
        limit = last_line(problem)
        assert limit is None or problem["line"] <= limit, problem
        assert problem["message"] and "\n" not in problem["message"], problem
    return problems
