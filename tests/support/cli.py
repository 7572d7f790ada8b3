"""Running `dashctl` in the test's own process, through ``reconciler.cli.main``.

    code, out, err = run(capsys, "--version")
    code, out, err = run_in(capsys, root, "plan", "--env", "test")   # --root ROOT --no-color
    code, document = validate_json(capsys, root)                    # validate --format json

Output is read from pytest's ``capsys`` (what came before the call is dropped).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import main

Result = tuple[int, str, str]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """`dashctl ARGS`; (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_in(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Result:
    """`dashctl --root ROOT --no-color ARGS`; (exit code, stdout, stderr)."""
    return run(capsys, "--root", str(root), "--no-color", *args)


def validate(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Result:
    """`dashctl --root ROOT validate ARGS`, which never shows a traceback or an
    unexpected error; (exit code, stdout, stderr)."""
    code, out, err = run(capsys, "--root", str(root), "validate", *args)
    assert "Traceback" not in out + err
    assert "unexpected error" not in err, err
    return code, out, err


def validate_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, Any]:
    """`validate --format json`; (exit code, the parsed document)."""
    code, out, _ = validate(capsys, root, "--format", "json", *args)
    return code, json.loads(out)
