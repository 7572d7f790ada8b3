"""A fake of the few GitHub REST endpoints `dashctl comment` uses, on real HTTP.

A small threaded http.server on 127.0.0.1 (port 0) holding issue comments in
memory. It pages comment lists at ``page_size`` with a Link header like
GitHub's, insists on the bearer token and GitHub's headers, rejects bodies
over GitHub's 65,536-character limit with 422, and can be told to fail the
next calls of a method. A 401 echoes the Authorization header it got, so a
test can prove the client never repeats a token.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

GITHUB_BODY_LIMIT = 65_536
BOT = "github-actions[bot]"

LIST_OR_CREATE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
ONE_COMMENT = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")

Answer = tuple[int, dict[str, str], Any]  # status, extra headers, JSON body


@dataclass
class FakeGitHub:
    token: str
    page_size: int = 2
    comments: dict[tuple[str, int], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    requests: list[tuple[str, str]] = field(default_factory=list)
    failures: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1001))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what tests use -------------------------------------------------------

    def add_comment(self, repo: str, number: int, body: str, user: str = "octocat") -> int:
        with self._lock:
            return int(self._create(repo, number, body, user)["id"])

    def bodies(self, repo: str, number: int) -> list[str]:
        return [c["body"] for c in self.comments[(repo, number)]]

    def fail_next(self, method: str, *statuses: int) -> None:
        self.failures[method].extend(statuses)

    def count(self, method: str) -> int:
        return sum(1 for m, _ in self.requests if m == method)

    # --- the endpoints --------------------------------------------------------

    def handle(self, method: str, target: str, headers: Any, payload: bytes) -> Answer:
        parts = urlsplit(target)
        with self._lock:
            self.requests.append((method, target))
            if headers.get("Authorization") != f"Bearer {self.token}":
                got = headers.get("Authorization", "")
                return 401, {}, {"message": f"Bad credentials (got {got})"}
            if (headers.get("Accept") != "application/vnd.github+json"
                    or headers.get("X-GitHub-Api-Version") != "2022-11-28"):
                return 400, {}, {"message": "missing GitHub API headers"}
            if self.failures[method]:
                status = self.failures[method].popleft()
                return status, {"Retry-After": "0"}, {"message": f"scripted {status}"}
            listing = LIST_OR_CREATE.match(parts.path)
            one = ONE_COMMENT.match(parts.path)
            if listing and method == "GET":
                return self._list(listing[1], int(listing[2]), parse_qs(parts.query))
            if listing and method == "POST":
                body = json.loads(payload)["body"]
                if len(body) > GITHUB_BODY_LIMIT:
                    return 422, {}, {"message": "Validation Failed", "errors": [
                        {"message": "body is too long (maximum is 65536 characters)"}]}
                return 201, {}, self._create(listing[1], int(listing[2]), body, BOT)
            if one and method == "PATCH":
                return self._update(one[1], int(one[2]), json.loads(payload)["body"])
            return 404, {}, {"message": "Not Found"}

    def _list(self, repo: str, number: int, query: dict[str, list[str]]) -> Answer:
        per_page = min(int(query.get("per_page", ["30"])[0]), self.page_size)
        page = int(query.get("page", ["1"])[0])
        items = self.comments[(repo, number)]
        last = max(1, -(-len(items) // per_page))
        headers = {}
        if page < last:
            base = f"{self.url}/repos/{repo}/issues/{number}/comments?per_page={per_page}"
            headers["Link"] = (
                f'<{base}&page={page + 1}>; rel="next", <{base}&page={last}>; rel="last"')
        return 200, headers, items[(page - 1) * per_page: page * per_page]

    def _create(self, repo: str, number: int, body: str, user: str) -> dict[str, Any]:
        comment_id = next(self._ids)
        comment = {"id": comment_id, "body": body, "user": {"login": user},
                   "html_url": f"https://github.com/{repo}/pull/{number}#issuecomment-{comment_id}"}
        self.comments[(repo, number)].append(comment)
        return comment

    def _update(self, repo: str, comment_id: int, body: str) -> Answer:
        for (owner_repo, _), items in self.comments.items():
            for comment in items:
                if owner_repo == repo and comment["id"] == comment_id:
                    comment["body"] = body
                    return 200, {}, comment
        return 404, {}, {"message": "Not Found"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeGitHub

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else b""
        status, headers, data = self.fake.handle(self.command, self.path, self.headers, payload)
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


class RunningFake:
    """Start ``fake`` on 127.0.0.1, port 0, in a daemon thread; stop with close()."""

    def __init__(self, fake: FakeGitHub) -> None:
        handler = type("Handler", (_Handler,), {"fake": fake})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        host, port = self.server.server_address[:2]
        fake.url = f"http://{host.decode() if isinstance(host, bytes) else host}:{port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
