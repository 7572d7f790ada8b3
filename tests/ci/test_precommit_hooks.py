"""The pre-commit hook manifest: parses, and gives pre-commit what it needs."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]

# pre-commit's manifest schema (pre_commit/clientlib.py, MANIFEST_HOOK_DICT): the
# required keys and the optional ones with their types.
REQUIRED = {"id": str, "name": str, "entry": str, "language": str}
OPTIONAL = {
    "alias": str, "files": str, "exclude": str, "types": list, "types_or": list,
    "exclude_types": list, "additional_dependencies": list, "args": list,
    "always_run": bool, "fail_fast": bool, "pass_filenames": bool, "description": str,
    "language_version": str, "log_file": str, "require_serial": bool, "stages": list,
    "verbose": bool, "minimum_pre_commit_version": str,
}


def hooks() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = YAML(typ="safe").load(
        (ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    return data


def the_hook() -> dict[str, Any]:
    (hook,) = [h for h in hooks() if h["id"] == "dashctl-validate"]
    return hook


def test_manifest_is_a_list_of_well_formed_hooks() -> None:
    assert isinstance(hooks(), list)
    for hook in hooks():
        for key, kind in REQUIRED.items():
            assert isinstance(hook.get(key), kind), key
        for key, value in hook.items():
            assert key in REQUIRED or key in OPTIONAL, f"pre-commit does not know {key!r}"
            assert isinstance(value, {**REQUIRED, **OPTIONAL}[key]), key


def test_dashctl_validate_hook() -> None:
    hook = the_hook()
    assert hook["language"] == "python"
    assert hook["entry"] == "dashctl validate"
    assert hook["pass_filenames"] is False
    assert hook["files"] == "^(dashboards/|schemas/)"


def test_hook_runs_on_manifests_and_schemas_only() -> None:
    pattern = re.compile(the_hook()["files"])
    for path in ("dashboards/environments.yaml", "dashboards/base/growth-kpis.yaml",
                 "schemas/dashboard.schema.json"):
        assert pattern.search(path), path
    for path in ("README.md", "reconciler/cli.py", "docs/dashboards/x.yaml"):
        assert not pattern.search(path), path


def test_entry_is_the_console_script_the_package_installs() -> None:
    # language: python pip-installs this repository; the entry must be its script.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert shlex.split(the_hook()["entry"])[0] in project["scripts"]
