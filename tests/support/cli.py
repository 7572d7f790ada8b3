"""Running `dashctl` in the test's own process, through ``reconciler.cli.main``.

    code, out, err = run(capsys, "--version")
    code, out, err = run_in(capsys, root, "plan", "--env", "test")   # --root ROOT --no-color
    code, document = validate_json(capsys, root)                    # validate --format json
    done = run_process("token", "--project", "p", "--jwt-secret", "s")  # a process of its own

Output is read from pytest's ``capsys`` (what came before the call is dropped).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import main
from tests.support.server import ROOT, serve_env

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


def run_process(*args: str, cwd: Path | None = None, timeout: float = 60
                ) -> subprocess.CompletedProcess[str]:
    """`dashctl ARGS` as a process of its own (``python -m reconciler.cli``), this checkout
    importable and no JWT secret inherited; its exit code and output are the caller's to
    check."""
    return subprocess.run([sys.executable, "-m", "reconciler.cli", *args], cwd=cwd or ROOT,
                          env=serve_env(), capture_output=True, text=True, timeout=timeout,
                          check=False)
