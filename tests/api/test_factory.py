"""client_for: the client an environment of environments.yaml asks for."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reconciler.api import DashboardsClient
from reconciler.clients import IN_PROCESS_URL, client_for
from reconciler.errors import ConfigError
from reconciler.repo.config import Environment, Repo
from tests.support.server import Server


async def roundtrip(client: DashboardsClient) -> list[str]:
    async with client:
        await client.create_dashboard("Growth")
        return [d["name"] for d in await client.list_dashboards()]


def test_a_sqlite_environment_runs_the_emulator_in_process(tmp_path: Path) -> None:
    repo = Repo(root=tmp_path)
    environment = Environment(name="local", url="sqlite:.dashctl/local.db")
    client = client_for(repo, environment, concurrency=4)
    assert client.project == "local"
    assert str(client._http.base_url).rstrip("/") == IN_PROCESS_URL
    assert asyncio.run(roundtrip(client)) == ["Growth"]
    assert (tmp_path / ".dashctl" / "local.db").exists()
    # the data is in the file: a second client on it sees the dashboard
    again = client_for(repo, environment)
    assert asyncio.run(roundtrip(again)) == ["Growth", "Growth"]


def test_an_http_environment_reads_its_token_from_token_env(
    emulator: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHCTL_TOKEN_TEST", emulator.token("proj_s"))
    environment = Environment(
        name="staging", url=emulator.url, project="proj_s", token_env="DASHCTL_TOKEN_TEST"
    )
    client = client_for(Repo(root=tmp_path), environment, max_attempts=2)
    assert asyncio.run(roundtrip(client)) == ["Growth"]


def test_an_unset_token_variable_is_a_config_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHCTL_TOKEN_EMPTY", "")
    environment = Environment(
        name="staging", url="https://x.test", project="p", token_env="DASHCTL_TOKEN_EMPTY"
    )
    with pytest.raises(ConfigError, match=r"DASHCTL_TOKEN_EMPTY \(token_env\) is not set"):
        client_for(Repo(root=tmp_path), environment)
    monkeypatch.delenv("DASHCTL_TOKEN_EMPTY")
    with pytest.raises(ConfigError, match="DASHCTL_TOKEN_EMPTY"):
        client_for(Repo(root=tmp_path), environment)


def test_an_http_environment_without_token_env_or_project_is_a_config_error(
    tmp_path: Path,
) -> None:
    repo = Repo(root=tmp_path)
    with pytest.raises(ConfigError, match=r"^environment prod: no token_env"):
        client_for(repo, Environment(name="prod", url="https://x.test", project="p"))
    with pytest.raises(ConfigError, match=r"^environment prod: no project"):
        client_for(repo, Environment(name="prod", url="https://x.test", token_env="T"))
