"""GitOps repositories on disk for tests, and the CLI and API clients around them.

    write_repo(root, {"base/growth.yaml": text}, environments=ENVIRONMENTS)
    kit = RepoKit(tmp_path / "repo", {"test": {"url": "sqlite:state.db"}})
    kit.write("growth", {"name": "Growth", "tiles": [insight("dau")]})
    code, out, err = kit.run(capsys, "apply", "--env", "test", "--auto-approve")
    kit.dashboards()        # every live dashboard of environment `test`, with its tiles

A file's content is written as given when it is text or bytes, and as YAML when
it is any other value.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import pytest
from ruamel.yaml import YAML

from reconciler.api import DashboardsClient
from reconciler.clients import client_for
from reconciler.repo.config import Environment, Repo
from reconciler.repo.manifest import Manifest
from reconciler.repo.pipeline import load_selection
from reconciler.repo.problem import Problem
from reconciler.repo.repository import base_files, environment_problems, load_repo
from tests.support.cli import Result, run_in

T = TypeVar("T")
TOKEN_VAR = "DASHCTL_TOKEN_TEST"
"""The variable an http(s) environment of a test repository reads its token from."""


def yaml_text(data: Any) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def write_file(path: Path, content: str | bytes | Any) -> Path:
    """``content`` at ``path`` (folders made): text or bytes as given, else as YAML."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else yaml_text(content),
                        encoding="utf-8")
    return path


def dump_yaml(path: Path, data: Any) -> Path:
    """``data`` as YAML at ``path``."""
    return write_file(path, yaml_text(data))


def load_manifests(repo: Repo, environment: Environment) -> tuple[list[Manifest], list[Problem]]:
    """One environment's manifests and problems as a run reads them: those of its own
    configuration (an exclude naming no file), then those of its files."""
    desired = load_selection(repo.root, [environment])[0]
    own = environment_problems(repo, environment, base_files(repo))
    return desired.manifests, [*own, *desired.problems]


def write_repo(root: Path, files: Mapping[str, str | bytes | Any] | None = None, *,
               environments: str | Mapping[str, Any]) -> Path:
    """A repository at ``root``: environments.yaml (text as given, or a mapping of
    environments) and ``files`` (paths relative to root)."""
    if not isinstance(environments, str):
        environments = yaml_text({"environments": dict(environments)})
    write_file(root / "environments.yaml", environments)
    for name, content in (files or {}).items():
        write_file(root / name, content)
    return root


def http_repo(root: Path, monkeypatch: pytest.MonkeyPatch, *, url: str, token: str,
              project: str, **entry: Any) -> RepoKit:
    """A RepoKit whose environment ``test`` is ``project`` on the server at ``url`` (its
    token in TOKEN_VAR, set for the test); ``entry``: more keys of the environment."""
    monkeypatch.setenv(TOKEN_VAR, token)
    return RepoKit(root, {"test": {"url": url, "project": project, "token_env": TOKEN_VAR,
                                   **entry}})


class RepoKit:
    """A repository under tmp_path, the CLI run on it, and clients of its environments.

    Every file written through it is remembered, so that a test can ask which
    of them changed on disk (``unchanged_except``). Methods that talk to an
    environment take ``env`` (default ``test``).
    """

    def __init__(self, root: Path, environments: str | Mapping[str, Any]) -> None:
        self.root = root
        self.files: dict[str, str] = {}
        if not isinstance(environments, str):
            environments = yaml_text({"environments": dict(environments)})
        self.put("environments.yaml", environments)
        (root / "base").mkdir(exist_ok=True)

    # -- files ------------------------------------------------------------------------------

    def put(self, relative: str, text: str) -> Path:
        self.files[relative] = text
        return write_file(self.root / relative, text)

    def write(self, name: str, dashboard: dict[str, Any], folder: str = "base") -> Path:
        """A manifest ``FOLDER/NAME.yaml`` of ``dashboard``, as YAML."""
        return self.put(f"{folder}/{name}.yaml", yaml_text(dashboard))

    def remove(self, name: str, folder: str = "base") -> None:
        (self.root / folder / f"{name}.yaml").unlink()
        self.files.pop(f"{folder}/{name}.yaml", None)

    def text(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def unchanged_except(self, *relatives: str) -> list[str]:
        """The files written here that differ on disk, other than ``relatives``."""
        return [name for name, text in self.files.items()
                if name not in relatives and self.text(name) != text]

    # -- the CLI ----------------------------------------------------------------------------

    def run(self, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
        """`dashctl --root ROOT --no-color ARGS`; (exit code, stdout, stderr)."""
        return run_in(capsys, self.root, *args)

    def plan_json(self, capsys: pytest.CaptureFixture[str], env: str = "test"
                  ) -> tuple[int, dict[str, Any]]:
        code, out, _ = self.run(capsys, "plan", "--env", env, "--format", "json")
        return code, json.loads(out)

    # -- the live side, as another writer sees it --------------------------------------------

    def client(self, env: str = "test") -> DashboardsClient:
        repo = load_repo(self.root)
        return client_for(repo, repo.environments[env])

    def live(self, work: Callable[[DashboardsClient], Awaitable[T]], env: str = "test") -> T:
        """``work`` done with a client of ``env``."""

        async def go() -> T:
            async with self.client(env) as client:
                return await work(client)

        return asyncio.run(go())

    def dashboards(self, env: str = "test") -> list[dict[str, Any]]:
        """Every live dashboard with its tiles (as free-form dicts, for tests to poke at)."""

        async def fetch(client: DashboardsClient) -> list[dict[str, Any]]:
            summaries = await client.list_dashboards()
            return [dict(await client.get_dashboard(s["id"])) for s in summaries]

        return self.live(fetch, env)

    def dashboard(self, name: str, env: str = "test") -> dict[str, Any]:
        """The one live dashboard named ``name``."""
        found = [d for d in self.dashboards(env) if d["name"] == name]
        assert found, f"no live dashboard {name!r}"
        return found[0]

    def create(self, name: str, tiles: list[dict[str, Any]], env: str = "test") -> None:
        async def make(client: DashboardsClient) -> None:
            created = await client.create_dashboard(name)
            if tiles:
                await client.upsert_tiles(created["id"], tiles)

        self.live(make, env)

    def set_tiles(self, name: str, tiles: list[dict[str, Any]], env: str = "test") -> None:
        """Replace the tiles of dashboard ``name`` (as a UI would: dashctl is not involved)."""
        dashboard_id = self.dashboard(name, env)["id"]
        self.live(lambda client: client.upsert_tiles(dashboard_id, tiles), env)

    def rename(self, name: str, new_name: str, env: str = "test") -> None:
        dashboard_id = self.dashboard(name, env)["id"]
        self.live(lambda client: client.update_dashboard(dashboard_id, new_name), env)
