"""A scripted fake Dashboards server (httpx.MockTransport) for exact retry cases.

Only the *server* is fake: the client under test is the real one. Each
method has a queue of scripted answers; when it runs dry the fake answers
like a tiny in-memory service, so a test scripts only the failures it cares
about.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from reconciler.api import DashboardsClient

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJwcm9qZWN0cyI6WyJwIl19.c2VjcmV0LXNpZ25hdHVyZQ"


def connect_error(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": message}, headers=headers)


@dataclass
class FakeServer:
    """Scripted answers per method, then an in-memory service."""

    script: dict[str, deque[Answer]] = field(default_factory=lambda: defaultdict(deque))
    requests: list[httpx.Request] = field(default_factory=list)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 2

    def then(self, method: str, *answers: Answer) -> FakeServer:
        self.script[method].extend(answers)
        return self

    def sent(self, method: str) -> int:
        return sum(1 for r in self.requests if r.url.path.endswith("/" + method))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        method = request.url.path.rsplit("/", 1)[-1]
        body = json.loads(request.content or b"{}")
        queue = self.script[method]
        if queue:
            answer = queue.popleft()
            if isinstance(answer, Exception):
                raise answer
            if isinstance(answer, httpx.Response):
                return answer
            return answer(request)
        return self.serve(method, body)

    def serve(self, method: str, body: dict[str, Any]) -> httpx.Response:
        if method == "Create":
            dashboard_id = f"dash_{len(self.dashboards) + 1}"
            self.dashboards[dashboard_id] = {
                "id": dashboard_id,
                "name": body["name"],
                "createdAt": f"2026-01-01T00:00:{len(self.dashboards):02d}Z",
            }
            return httpx.Response(200, json={"dashboard": self.dashboards[dashboard_id]})
        if method == "List":
            ids = sorted(self.dashboards)
            start = int(body.get("pageToken") or 0)
            size = int(body.get("pageSize") or self.page_size)
            page = [self.dashboards[i] for i in ids[start : start + size]]
            answer: dict[str, Any] = {"dashboards": page}
            if start + size < len(ids):
                answer["nextPageToken"] = str(start + size)
            return httpx.Response(200, json=answer)
        key = body.get("id") or body.get("dashboardId")
        if key not in self.dashboards:
            return connect_error(404, "not_found", "dashboard not found")
        if method == "Delete":
            del self.dashboards[key]
            return httpx.Response(200, json={})
        return httpx.Response(200, json={"dashboard": self.dashboards[key]})

    def client(self, **options: Any) -> tuple[DashboardsClient, list[float]]:
        """A real client on this fake, with a fake sleep that records its delays."""
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        options.setdefault("sleep", sleep)
        client = DashboardsClient(
            base_url="http://fake.test",
            project="proj_a",
            token=TOKEN,
            transport=httpx.MockTransport(self.handle),
            **options,
        )
        return client, slept
