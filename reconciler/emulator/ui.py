"""The emulator's read-only dashboard UI: the preview pages, served live at ``/ui/``.

    ui_app(store, jwt_secret) -> ASGI app        (create_app mounts it at /ui)

Pages (GET or HEAD; any other method answers 405). ``GET /`` on the emulator
leads here (``app.py``), with its query string, so ``/?token=JWT`` signs in:

- ``/ui/``: the dashboards of one project, as links;
- ``/ui/d/{id}``: one dashboard drawn by ``reconciler.preview.render_dashboard_page``
  from its stored tiles in wire form, with what a JSON client stored beyond the
  proto (``unmodeled.py``) laid over them (404 for an id the project lacks).

Every page asks for a token the API would accept (``auth.verify_token``, HS256
with the app's secret): given once as ``?token=JWT``, it is checked, stored in
an HttpOnly, SameSite=Strict cookie ``dashctl_token`` and the browser is sent
(303) to the same URL without it, so the token leaves the address bar and the
history; later requests carry the cookie. A missing, malformed, expired or
wrongly signed token answers a 401 page with no data. The token's projects
decide what is shown: ``?project=P`` picks one (403 unless granted), else the
first in sorted order. Pages never repeat the token, escape every stored
string, and go out with a no-script Content-Security-Policy, ``nosniff`` and
``Cache-Control: no-store``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from reconciler.emulator.asgi import ASGIApp, Receive, Scope, Send
from reconciler.emulator.auth import AuthFailure, granted_projects, verify_token
from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from reconciler.emulator.jsonenc import JsonEncoder
from reconciler.emulator.store import Store
from reconciler.emulator.unmodeled import overlay
from reconciler.preview import render_dashboard_page
from reconciler.preview.html import CSP, document, esc
from reconciler.preview.pages import IndexEntry, Link, render_index

COOKIE = "dashctl_token"
TOKEN_PARAM = "token"
PROJECT_PARAM = "project"
PAGE_SIZE = 500
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-type", b"text/html; charset=utf-8"),
    (b"content-security-policy", f"{CSP}; frame-ancestors 'none'".encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)

log = logging.getLogger("reconciler.emulator.ui")
_wire = JsonEncoder(always_print_fields_with_no_presence=True)


@dataclass(frozen=True)
class Page:
    """An answer: a status, an HTML body and any extra headers."""

    status: int
    html: str = ""
    headers: tuple[tuple[bytes, bytes], ...] = ()


class Refused(Exception):
    """A request answered with an error page instead of data."""

    def __init__(
        self, status: int, title: str, message: str, *, clear_cookie: bool = False
    ) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message
        self.clear_cookie = clear_cookie


def error_page(
    status: int, title: str, message: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> Page:
    """A small page that says what went wrong (text only, escaped)."""
    body = f'<p class="empty">{esc(message)}</p>'
    return Page(status, document(f"{status} {title}", body, subtitle="dashctl serve"), headers)


def _set_cookie(value: str, *, path: str, max_age: int, secure: bool) -> tuple[bytes, bytes]:
    flags = "; Secure" if secure else ""
    cookie = f"{COOKIE}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Strict{flags}"
    return (b"set-cookie", cookie.encode("latin-1"))


def _cookie(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if bytes(key).lower() != b"cookie":
            continue
        for pair in bytes(value).decode("latin-1").split(";"):
            name, _, content = pair.strip().partition("=")
            if name == COOKIE and content:
                return content
    return None


def _claims(token: str, secret: str, *, from_cookie: bool) -> dict[str, Any]:
    try:
        return verify_token(token, secret=secret)
    except AuthFailure as failure:
        hint = "open /ui/?token=<JWT> with a token from `dashctl token`"
        raise Refused(
            401, "Unauthorized", f"{failure.message}; {hint}", clear_cookie=from_cookie
        ) from None


def _pick_project(claims: dict[str, Any], wanted: str | None) -> tuple[str, list[str]]:
    granted = sorted(granted_projects(claims))
    if wanted is not None:
        if wanted not in granted:
            raise Refused(403, "Forbidden", f"the token does not grant project {wanted!r}")
        return wanted, granted
    if not granted:
        raise Refused(403, "Forbidden", "the token grants no project")
    return granted[0], granted


def _redirect(
    scope: Scope, query: list[tuple[str, str]], claims: dict[str, Any], cookie_path: str
) -> Page:
    """303 to the same URL without the token, setting the cookie it came in."""
    token = next(value for key, value in query if key == TOKEN_PARAM)
    rest = urlencode([(k, v) for k, v in query if k != TOKEN_PARAM])
    location = quote(scope["path"], safe="/") + (f"?{rest}" if rest else "")
    exp = claims.get("exp")
    max_age = max(0, int(exp - time.time())) if isinstance(exp, int | float) else 0
    cookie = _set_cookie(
        token, path=cookie_path, max_age=max_age, secure=scope.get("scheme") == "https"
    )
    return Page(303, "", ((b"location", location.encode("ascii")), cookie))


class UiApp:
    """The ASGI app: authenticate, route, render, answer."""

    def __init__(self, store: Store, jwt_secret: str, *, prefix: str = "/ui") -> None:
        self._store = store
        self._secret = jwt_secret
        self._prefix = prefix.rstrip("/")
        self._cookie_path = self._prefix or "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        await _drain(receive)
        try:
            page = self.answer(scope)
        except Refused as refused:
            headers: tuple[tuple[bytes, bytes], ...] = ()
            if refused.clear_cookie:  # a stale cookie: forget it
                headers = (
                    _set_cookie(
                        "", path=self._cookie_path, max_age=0, secure=scope.get("scheme") == "https"
                    ),
                )
            page = error_page(refused.status, refused.title, refused.message, headers)
        except Exception:
            log.exception("unexpected error answering %s", scope.get("path"))
            page = error_page(500, "Internal error", "the emulator failed to draw this page")
        await _send_page(send, page, head=scope["method"] == "HEAD")

    def answer(self, scope: Scope) -> Page:
        """The page for one request (raises Refused for an error page)."""
        if scope["method"] not in ("GET", "HEAD"):
            page = error_page(405, "Method Not Allowed", "this UI is read-only: GET or HEAD")
            return Page(page.status, page.html, ((b"allow", b"GET, HEAD"),))
        query = parse_qsl(
            bytes(scope.get("query_string", b"")).decode("latin-1"), keep_blank_values=True
        )
        params = dict(reversed(query))  # the first value of each name wins
        if TOKEN_PARAM in params:
            claims = _claims(params[TOKEN_PARAM], self._secret, from_cookie=False)
            return _redirect(scope, query, claims, self._cookie_path)
        token = _cookie(scope)
        if token is None:
            raise Refused(
                401,
                "Unauthorized",
                "no token: open /ui/?token=<JWT> with a token from `dashctl token`",
            )
        claims = _claims(token, self._secret, from_cookie=True)
        project, granted = _pick_project(claims, params.get(PROJECT_PARAM))
        links = _Links(self._prefix, project, explicit=PROJECT_PARAM in params or len(granted) > 1)
        route = scope["path"][len(self._prefix) :]
        if route in ("", "/"):
            return Page(200, self._index(project, granted, links))
        if route.startswith("/d/") and "/" not in route[3:] and route[3:]:
            return Page(200, self._dashboard(project, route[3:], links))
        raise Refused(404, "Not Found", "no such page")

    def _index(self, project: str, granted: Sequence[str], links: _Links) -> str:
        summaries: list[pb.DashboardSummary] = []
        after = 0
        while True:
            page, next_seq = self._store.list_page(project, after_seq=after, limit=PAGE_SIZE)
            summaries += page
            if next_seq is None:
                break
            after = next_seq
        dashboards = [(f"{s.name} ({s.id})", links.dashboard(s.id)) for s in summaries]
        entries = [
            IndexEntry(
                name=f"Project {project}",
                href=links.index(),
                detail=f"{len(summaries)} dashboard(s)",
                links=dashboards,
            )
        ]
        entries += [
            IndexEntry(
                name=f"Project {other}",
                href=links.index(other),
                detail="also granted by this token",
            )
            for other in granted
            if other != project
        ]
        return render_index("Dashboards", entries, subtitle="dashctl serve (read-only)")

    def _dashboard(self, project: str, dashboard_id: str, links: _Links) -> str:
        stored = self._store.get_stored(project, dashboard_id)
        if stored is None:
            raise Refused(404, "Not Found", f"no dashboard {dashboard_id!r} in this project")
        dashboard = stored.dashboard
        tiles = [
            overlay(_wire.to_dict(tile), stored.unmodeled.get(tile.id, {}))
            for tile in dashboard.tiles
        ]
        count = "1 tile" if len(tiles) == 1 else f"{len(tiles)} tiles"
        subtitle = f"{dashboard.id} \u00b7 project {project} \u00b7 {count}"
        nav: list[Link] = [("Dashboards", links.index())]
        return render_dashboard_page(dashboard.name, tiles, subtitle=subtitle, nav=nav)


@dataclass(frozen=True)
class _Links:
    """The UI's hrefs, keeping ``?project=`` when the choice needs saying."""

    prefix: str
    project: str
    explicit: bool

    def _query(self, project: str | None) -> str:
        chosen = project or self.project
        if project is None and not self.explicit:
            return ""
        return "?" + urlencode({PROJECT_PARAM: chosen})

    def index(self, project: str | None = None) -> str:
        return f"{self.prefix}/{self._query(project)}"

    def dashboard(self, dashboard_id: str) -> str:
        return f"{self.prefix}/d/{quote(dashboard_id, safe='')}{self._query(None)}"


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _send_page(send: Send, page: Page, *, head: bool) -> None:
    body = page.html.encode("utf-8")
    headers = [*HEADERS, (b"content-length", str(len(body)).encode()), *page.headers]
    await send({"type": "http.response.start", "status": page.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body, "more_body": False})


def ui_app(store: Store, jwt_secret: str, *, prefix: str = "/ui") -> ASGIApp:
    """The read-only UI over ``store``, checking tokens with ``jwt_secret``, under ``prefix``."""
    return UiApp(store, jwt_secret, prefix=prefix)
