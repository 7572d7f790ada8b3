"""Fixtures and samples of the UI tests, which run on the module's `dashctl serve`
(``server``, tests/conftest.py) with dashboards made through its API.

The dashboards are created the way any client would (``Server.make_dashboard``:
JSON Connect calls to Create and Upsert), each test on fresh projects, so the UI
is checked against what the API stored and not against a hand-filled database.
"""

from __future__ import annotations

import time

import jwt

from tests.support.factories import wire_insight, wire_markdown

EVIL_NAME = "<script>window.__pwned='name'</script> & \"quotes\""
EVIL_MARKDOWN = (
    "# Notes\n\n"
    "<script>window.__pwned = 'script'</script>\n\n"
    "[click me](javascript:window.__pwned='link')\n\n"
    "<img src=x onerror=\"window.__pwned='img'\">\n\n"
    "[fine](https://example.com/docs)\n"
)


GROWTH_TILES = [
    wire_insight("dau", x=0, y=0, w=6, h=4),
    wire_markdown("goals", "# Weekly goals\n\n- **10k** DAU", x=6, y=0, w=6, h=2),
    wire_insight("signups", x=6, y=2, w=3, h=2, viz="bar"),
    wire_insight("revenue", x=9, y=2, w=3, h=2, viz="kpi"),
]


def alg_none_token(project: str) -> str:
    claims = {"sub": "dashctl", "projects": [project], "exp": int(time.time()) + 3600}
    return jwt.encode(claims, None, algorithm="none")


def cookie(token: str) -> dict[str, str]:
    return {"cookie": f"dashctl_token={token}"}
