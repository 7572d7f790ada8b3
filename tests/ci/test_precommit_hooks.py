"""The pre-commit hook: a manifest pre-commit accepts, and the hook run as pre-commit runs it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.support.factories import insight
from tests.support.repo import dump_yaml

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
    assert "args" not in hook  # a user's args would replace them


def test_hook_runs_on_yaml_and_json_wherever_the_manifests_live() -> None:
    pattern = re.compile(the_hook()["files"])
    for path in ("dashboards/environments.yaml", "dashboards/base/growth-kpis.yaml",
                 "infra/analytics/base/growth.yml", "environments.yaml",
                 "schemas/dashboard.schema.json"):
        assert pattern.search(path), path
    for path in ("README.md", "reconciler/cli.py", "dashboards/notes.txt"):
        assert not pattern.search(path), path


# --- the hook as pre-commit runs it: entry + args, from the repository's top --------------


def hook_command(args: list[str]) -> list[str]:
    """What pre-commit executes for this hook (pass_filenames: false: no file names)."""
    entry = shlex.split(the_hook()["entry"])
    return [str(Path(sys.executable).parent / entry[0]), *entry[1:], *args]


def run_hook(top: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    variables = {k: v for k, v in os.environ.items() if k != "DASHCTL_ROOT"} | env
    return subprocess.run(hook_command(args), cwd=top, env=variables, capture_output=True,
                          text=True, check=False, timeout=60)


def analytics_repo(top: Path, broken: bool = False) -> Path:
    """A repository whose manifests live in infra/analytics/, not dashboards/."""
    root = top / "infra" / "analytics"
    dump_yaml(root / "environments.yaml", {"environments": {
        "local": {"url": "sqlite:local.db"}}})
    tiles = "3" if broken else [insight("dau")]
    dump_yaml(root / "base" / "growth.yaml", {"name": "Growth", "tiles": tiles})
    return root


def test_the_hook_honours_dashctl_root(tmp_path: Path) -> None:
    analytics_repo(tmp_path)
    assert run_hook(tmp_path, [], DASHCTL_ROOT="infra/analytics").returncode == 0
    assert run_hook(tmp_path, []).returncode == 1  # no ./dashboards here: said, not skipped
    analytics_repo(tmp_path, broken=True)
    failed = run_hook(tmp_path, [], DASHCTL_ROOT="infra/analytics")
    assert failed.returncode == 1
    assert "growth.yaml" in failed.stdout + failed.stderr


ROOT_AFTER_COMMAND = run_hook(ROOT, ["--root", "dashboards"]).returncode == 0


@pytest.mark.skipif(not ROOT_AFTER_COMMAND,
                    reason="needs the lead's CLI half of issue 12 (--root after the command)")
def test_the_hook_honours_root_in_args(tmp_path: Path) -> None:
    analytics_repo(tmp_path)
    assert run_hook(tmp_path, ["--root", "infra/analytics"]).returncode == 0
    assert run_hook(tmp_path, ["--root=infra/analytics", "--format", "github"]).returncode == 0
    analytics_repo(tmp_path, broken=True)
    failed = run_hook(tmp_path, ["--root", "infra/analytics", "--format", "github"])
    assert failed.returncode == 1
    assert "::error file=" in failed.stdout


def test_entry_is_the_console_script_the_package_installs() -> None:
    # language: python pip-installs this repository; the entry must be its script.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert shlex.split(the_hook()["entry"])[0] in project["scripts"]
