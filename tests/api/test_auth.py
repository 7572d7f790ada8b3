"""Authentication errors over HTTP, and the token kept out of every message."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import jwt
import pytest

from reconciler.api import DashboardsClient
from reconciler.errors import ApiError, PermissionDenied, Unauthenticated
from tests.support.server import Server


def sign(claims: dict[str, Any], secret: str | None, algorithm: str = "HS256") -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
        return jwt.encode(claims, secret, algorithm)


def fail(server: Server, *, project: str, token: str | None) -> ApiError:
    async def run() -> None:
        async with DashboardsClient(base_url=server.url, project=project, token=token) as client:
            await client.list_dashboards()

    with pytest.raises(ApiError) as raised:
        asyncio.run(run())
    return raised.value


@pytest.mark.parametrize(
    "token",
    [
        None,
        "not-a-jwt",
        sign({"projects": ["proj_a"], "exp": 4102444800}, "wrong-secret"),
        sign({"projects": ["proj_a"], "exp": 4102444800}, None, "none"),
    ],
    ids=["missing", "malformed", "wrong-secret", "alg-none"],
)
def test_a_bad_token_is_unauthenticated(server: Server, token: str | None) -> None:
    error = fail(server, project="proj_a", token=token)
    assert type(error) is Unauthenticated
    assert str(error).startswith("List: unauthenticated")
    if token:
        assert token not in str(error)
        assert token not in repr(error.args)


def test_an_expired_token_is_unauthenticated(server: Server) -> None:
    token = sign({"sub": "t", "projects": ["proj_a"], "exp": 1}, server.secret)
    error = fail(server, project="proj_a", token=token)
    assert type(error) is Unauthenticated
    assert token not in str(error)


def test_another_projects_token_is_permission_denied(server: Server) -> None:
    token = server.token("proj_b")
    error = fail(server, project="proj_a", token=token)
    assert type(error) is PermissionDenied
    assert str(error).startswith("List: permission_denied")
    assert token not in str(error)
