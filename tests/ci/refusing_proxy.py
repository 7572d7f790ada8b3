"""A Connect proxy in front of the emulator that refuses to create one dashboard.

Every call is passed on to the emulator as it came (JSON codec), except a
Create of the dashboard named ``refuse`` (under that name or a pending name
made of it), answered 403 permission_denied as a server that forbids it
would: the apply that meets it fails part-way, having created the others.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

PENDING = " [dashctl-pending "  # dashctl creates under a pending name, then renames
FORWARDED = ("authorization", "x-project-id", "content-type", "connect-protocol-version",
             "accept", "user-agent")


@contextmanager
def refusing_proxy(upstream: str, refuse: str) -> Iterator[str]:
    """The proxy on 127.0.0.1 (a free port) while the block runs; yields its URL."""
    client = httpx.Client(timeout=60)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            payload = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            name = str(json.loads(payload or b"{}").get("name", ""))
            if self.path.endswith("/Create") and name.split(PENDING)[0] == refuse:
                self.answer(403, "application/json", json.dumps(
                    {"code": "permission_denied", "message": f"creating {refuse!r} is forbidden"}
                ).encode())
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() in FORWARDED}
            response = client.post(upstream + self.path, content=payload, headers=headers)
            self.answer(response.status_code, response.headers.get("content-type", ""),
                        response.content)

        def answer(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        client.close()
