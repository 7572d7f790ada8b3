"""Fixtures of the UI tests: one `dashctl serve` per module, and dashboards made through its API.

The dashboards are created the way any client would (JSON Connect calls to
Create and Upsert), each test on fresh projects, so the UI is checked against
what the API stored and not against a hand-filled database.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from tests.support.server import Server, running_server

SECRET = "test-secret"
EVIL_NAME = "<script>window.__pwned='name'</script> & \"quotes\""
EVIL_MARKDOWN = (
    "# Notes\n\n"
    "<script>window.__pwned = 'script'</script>\n\n"
    "[click me](javascript:window.__pwned='link')\n\n"
    "<img src=x onerror=\"window.__pwned='img'\">\n\n"
    "[fine](https://example.com/docs)\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("ui"), secret=SECRET) as running:
        yield running


@pytest.fixture
def project() -> str:
    return f"proj_{uuid.uuid4().hex[:8]}"


def insight(tile_id: str, x: int = 0, y: int = 0, w: int = 6, h: int = 4,
            visualization: str = "VISUALIZATION_LINE") -> dict[str, Any]:
    return {
        "id": tile_id,
        "type": "TILE_TYPE_INSIGHT",
        "position": {"x": x, "y": y, "w": w, "h": h},
        "insight": {
            "query": {"events": [{"name": "page_view"}], "granularity": "GRANULARITY_DAY",
                      "aggregation": "AGGREGATION_UNIQUE_USERS"},
            "visualization": visualization,
        },
    }


def markdown(tile_id: str, content: str, x: int = 0, y: int = 0, w: int = 6,
             h: int = 2) -> dict[str, Any]:
    return {"id": tile_id, "type": "TILE_TYPE_MARKDOWN",
            "position": {"x": x, "y": y, "w": w, "h": h}, "markdown": {"content": content}}


GROWTH_TILES = [
    insight("dau", x=0, y=0, w=6, h=4),
    markdown("goals", "# Weekly goals\n\n- **10k** DAU", x=6, y=0, w=6, h=2),
    insight("signups", x=6, y=2, w=3, h=2, visualization="VISUALIZATION_BAR"),
    insight("revenue", x=9, y=2, w=3, h=2, visualization="VISUALIZATION_KPI"),
]


def rpc(server: Server, project: str, method: str, body: dict[str, Any]) -> dict[str, Any]:
    """One JSON Connect call that must succeed."""
    response = httpx.post(server.rpc_url(method), json=body, headers=server.headers(project))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def make_dashboard(server: Server, project: str, name: str,
                   tiles: list[dict[str, Any]]) -> str:
    """Create a dashboard with ``tiles`` through the API; its id."""
    created = rpc(server, project, "Create", {"name": name})["dashboard"]
    rpc(server, project, "Upsert", {"dashboardId": created["id"], "tiles": tiles})
    return str(created["id"])


def alg_none_token(project: str) -> str:
    claims = {"sub": "dashctl", "projects": [project], "exp": int(time.time()) + 3600}
    return jwt.encode(claims, None, algorithm="none")


def cookie(token: str) -> dict[str, str]:
    return {"cookie": f"dashctl_token={token}"}
