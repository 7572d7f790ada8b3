"""Helpers for the repository tests: write a GitOps repo, run validate."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import main

ENVIRONMENTS = """\
environments:
  local:
    url: sqlite:.dashctl/local.db
    vars: {site: local}
  staging:
    url: https://analytics.staging.example.com
    project: proj_staging
    token_env: DASHCTL_TOKEN_STAGING
    prune: true
    vars: {site: staging}
  production:
    url: https://analytics.example.com
    project: proj_prod
    token_env: DASHCTL_TOKEN_PRODUCTION
    max_deletes: 3
    exclude: [experiments.yaml]
    ignore: ["Scratch *"]
    vars: {site: production}
"""

GROWTH = """\
# yaml-language-server: $schema=../../schemas/dashboard.schema.json
name: Growth KPIs
tiles:
  - id: dau
    position: {x: 0, y: 0, w: 6, h: 4}
    insight:
      query:
        events: [{name: page_view}]
        granularity: day
        aggregation: unique_users
      visualization: line
  - id: goals
    position: {x: 6, y: 0, w: 6, h: 2}
    markdown:
      content: |
        # Weekly Goals
"""


def write_repo(
    root: Path, files: Mapping[str, str | bytes], *, environments: str = ENVIRONMENTS
) -> Path:
    """A repository at root with environments.yaml and files (paths relative to root)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "environments.yaml").write_text(environments, encoding="utf-8")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def validate(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    """Run `dashctl --root ROOT validate ARGS` through main; (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main(["--root", str(root), "validate", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "unexpected error" not in err
    return code, out, err


def validate_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, Any]:
    code, out, _ = validate(capsys, root, "--format", "json", *args)
    return code, json.loads(out)
