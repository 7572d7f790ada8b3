"""The Dashboards API client: Connect unary JSON over one pooled httpx client.

Every call goes through :meth:`DashboardsClient._call`, which sends the
request under a semaphore (bounded concurrency), maps a Connect error to its
class in :mod:`reconciler.errors`, and retries what is worth retrying
(``unavailable``, ``resource_exhausted``, ``deadline_exceeded``, dropped
connections and timeouts) with exponential backoff, full jitter and
``Retry-After``.

Create is the one call that is not idempotent, so it is never retried
blindly. After an *ambiguous* failure (one after which the server may have
created the dashboard: a 503/504, a dropped connection, a read timeout) the
client lists the project and adopts a dashboard that has exactly the asked
name; only when there is none does it send Create again. Any dashboard with
that name is adoptable: callers create a name only after seeing it absent
from the live state, and should another writer have created it meanwhile,
adopting it is still the outcome that leaves one dashboard per name. (If
several share the name, the one created first is adopted, by the rule every
apply keeps them by: `reconciler.engine.creates.earliest`.) This
costs nothing on the happy path: no List before each Create. A 429 is not
ambiguous (nothing was written) and is retried plainly.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from reconciler import __version__
from reconciler.api.redact import redact
from reconciler.api.retry import Failure, RetryPolicy, is_ambiguous
from reconciler.api.transport import http_transport
from reconciler.api.wire import (
    Answer,
    decode_message,
    encode_message,
    error_from_response,
    method_path,
    retry_after,
)
from reconciler.engine.creates import earliest
from reconciler.engine.ports import WireDashboard, WireObject, WireSummary
from reconciler.errors import (
    ApiError,
    DeadlineExceeded,
    InternalError,
    NotFound,
    RetryableError,
    Unavailable,
)
from reconciler.repo.urls import strip_userinfo

log = logging.getLogger("dashctl.api")

Sleep = Callable[[float], Awaitable[None]]


class _AttemptFailed(Exception):
    """One attempt failed in a way another attempt may cure."""

    def __init__(self, error: ApiError, *, ambiguous: bool, wait: float | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.ambiguous = ambiguous
        self.wait = wait


@dataclass
class Pool:
    """One connection pool and one bound on concurrent calls, shared by the clients of
    many projects on one server (a fleet): each request carries its own project."""

    http: httpx.AsyncClient
    gate: asyncio.Semaphore
    _urls: dict[str, httpx.URL] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def open(
        cls,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        concurrency: int = 16,
        timeout: float = 30.0,
    ) -> Pool:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        http = httpx.AsyncClient(
            base_url=strip_userinfo(base_url).rstrip("/"),  # never Basic auth from a url
            headers={
                "Content-Type": "application/json",
                "Connect-Protocol-Version": "1",
                "User-Agent": f"dashctl/{__version__}",
            },
            transport=transport or http_transport(limits),
            timeout=httpx.Timeout(timeout),
        )
        return cls(http, asyncio.Semaphore(concurrency))

    def url(self, method: str) -> httpx.URL:
        """The absolute URL of ``method``, parsed once (httpx re-parses a relative one
        against the base URL on every request)."""
        if method not in self._urls:
            self._urls[method] = self.http.build_request("POST", method_path(method)).url
        return self._urls[method]

    async def aclose(self) -> None:
        await self.http.aclose()


class DashboardsClient:
    """An async client of ``dashboards.v1.DashboardsService`` for one project.

    Use it as an async context manager (or call :meth:`aclose`). ``transport``
    lets the same client talk to a real server, the in-process emulator or a
    test handler. ``calls`` counts logical calls per method (List counts
    pages; the List and Get a Create makes to adopt are counted too) and
    ``attempts`` the HTTP requests actually sent.
    """

    def __init__(
        self,
        *,
        base_url: str,
        project: str,
        token: str | None,
        transport: httpx.AsyncBaseTransport | None = None,
        concurrency: int = 16,
        max_attempts: int = 6,
        timeout: float = 30.0,
        backoff_base: float = 0.1,
        backoff_cap: float = 5.0,
        retry_after_cap: float = 10.0,
        rng: random.Random | None = None,
        sleep: Sleep | None = None,
        pool: Pool | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.project = project
        self.timeout = timeout
        self.calls: Counter[str] = Counter()
        self.attempts = 0
        self._token = token
        self._policy = RetryPolicy(
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            retry_after_cap=retry_after_cap,
            rng=rng or random.Random(),
        )
        self._sleep: Sleep = sleep or asyncio.sleep
        self._headers = {"x-project-id": project}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self._owns_pool = pool is None
        self._pool = pool or Pool.open(base_url, transport=transport, concurrency=concurrency,
                                       timeout=timeout)
        self._http = self._pool.http
        self._semaphore = self._pool.gate

    async def __aenter__(self) -> DashboardsClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections (a shared pool is closed by its owner)."""
        if self._owns_pool:
            await self._pool.aclose()

    # -- the six methods ---------------------------------------------------

    async def list_dashboards(self, *, page_size: int | None = None) -> list[WireSummary]:
        """Every dashboard of the project as a summary ``{id, name, createdAt, updatedAt}``.

        Follows ``nextPageToken`` to the end; ``page_size`` is passed to the
        server as ``pageSize`` on each page. A repeated token, more than
        :data:`MAX_PAGES` pages, or many more pages than dashboards is an
        InternalError, never an endless loop.
        """
        dashboards: list[WireSummary] = []
        seen_tokens: set[str] = set()
        page_token: str | None = None
        while True:
            payload: dict[str, Any] = {}
            if page_size is not None:
                payload["pageSize"] = page_size
            if page_token:
                payload["pageToken"] = page_token
            self.calls["List"] += 1
            body = await self._call("List", payload, "List")
            dashboards.extend(_summaries(body))
            page_token = body.get("nextPageToken") or None
            if page_token is None:
                return dashboards
            if not isinstance(page_token, str) or page_token in seen_tokens:
                raise InternalError("List: internal: the server repeated a page token")
            seen_tokens.add(page_token)
            _check_page_count(len(seen_tokens) + 1, len(dashboards))

    async def get_dashboard(self, dashboard_id: str) -> WireDashboard:
        """The dashboard with its tiles (NotFound if there is none)."""
        self.calls["Get"] += 1
        what = f"Get {dashboard_id}"
        return _dashboard(await self._call("Get", {"id": dashboard_id}, what), what)

    async def create_dashboard(self, name: str) -> WireDashboard:
        """Create an empty dashboard, never twice (see the module docstring)."""
        self.calls["Create"] += 1
        what = f"Create {name!r}"
        for attempt in range(1, self._policy.max_attempts + 1):
            try:
                return _dashboard(await self._attempt("Create", {"name": name}, what), what)
            except _AttemptFailed as failure:
                if failure.ambiguous:
                    adopted = await self._adopt(name, what)
                    if adopted is not None:
                        return adopted
                await self._backoff(attempt, failure, what)
        raise AssertionError("unreachable")  # pragma: no cover

    async def update_dashboard(self, dashboard_id: str, name: str) -> WireDashboard:
        """Rename a dashboard (metadata only; tiles are left as they are)."""
        self.calls["Update"] += 1
        what = f"Update {dashboard_id}"
        body = await self._call("Update", {"id": dashboard_id, "name": name}, what)
        return _dashboard(body, what)

    async def upsert_tiles(
        self, dashboard_id: str, tiles: Sequence[WireObject]
    ) -> WireDashboard:
        """Replace all tiles of a dashboard with ``tiles`` (wire form)."""
        self.calls["Upsert"] += 1
        what = f"Upsert {dashboard_id}"
        body = await self._call("Upsert", {"dashboardId": dashboard_id, "tiles": tiles}, what)
        return _dashboard(body, what)

    async def delete_dashboard(self, dashboard_id: str) -> None:
        """Delete a dashboard.

        A ``not_found`` that follows an ambiguous failure of this same call
        means an earlier attempt did the delete: that counts as success.
        """
        self.calls["Delete"] += 1
        await self._call("Delete", {"id": dashboard_id}, f"Delete {dashboard_id}", deleting=True)

    # -- machinery ---------------------------------------------------------

    async def _call(
        self, method: str, payload: dict[str, Any], what: str, *, deleting: bool = False
    ) -> Answer:
        """Send one idempotent call, retrying retryable failures."""
        maybe_done = False
        for attempt in range(1, self._policy.max_attempts + 1):
            try:
                return await self._attempt(method, payload, what)
            except _AttemptFailed as failure:
                maybe_done = maybe_done or failure.ambiguous
                await self._backoff(attempt, failure, what)
            except NotFound:
                if deleting and maybe_done:
                    log.info("%s: already gone after an ambiguous failure", what)
                    return {}
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _backoff(self, attempt: int, failure: _AttemptFailed, what: str) -> None:
        """Wait before the next attempt, or raise the error after the last one."""
        delay = self._policy.retry_delay(
            attempt - 1, Failure(ambiguous=failure.ambiguous, retry_after=failure.wait))
        if delay is None:
            raise failure.error
        log.info(
            "%s; retrying in %.2fs (attempt %d of %d)",
            failure.error.message,
            delay,
            attempt + 1,
            self._policy.max_attempts,
        )
        await self._sleep(delay)

    async def _attempt(self, method: str, payload: dict[str, Any], what: str) -> Answer:
        """Send one request; raise ApiError, or _AttemptFailed when worth retrying."""
        async with self._semaphore:
            self.attempts += 1
            try:
                response = await self._http.post(
                    self._pool.url(method), content=encode_message(payload), headers=self._headers)
            except httpx.TransportError as exc:
                error = self._transport_error(exc, what)
                raise _AttemptFailed(error, ambiguous=is_ambiguous(exc), wait=None) from exc
            except httpx.RequestError as exc:  # e.g. a body that fails to decode
                text = f"{what}: internal: unreadable response ({type(exc).__name__})"
                raise InternalError(redact(text, self._token)) from exc
        if response.status_code == 200:
            return decode_message(response, what)
        error = self._scrub(error_from_response(response, what))
        if isinstance(error, RetryableError):
            wait = retry_after(response)
            raise _AttemptFailed(error, ambiguous=is_ambiguous(error), wait=wait)
        raise error

    def _transport_error(self, exc: httpx.TransportError, what: str) -> ApiError:
        detail = type(exc).__name__
        if str(exc):
            detail = f"{detail}: {' '.join(str(exc).split())}"
        if isinstance(exc, httpx.TimeoutException):
            text = f"{what}: deadline_exceeded: no answer within {self.timeout:g}s ({detail})"
            return DeadlineExceeded(redact(text, self._token))
        text = f"{what}: unavailable: connection failed ({detail})"
        return Unavailable(redact(text, self._token))

    def _scrub(self, error: ApiError) -> ApiError:
        error.message = redact(error.message, self._token)
        error.args = (error.message,)
        return error

    async def _adopt(self, name: str, what: str) -> WireDashboard | None:
        """After an ambiguous Create: the dashboard called ``name``, if one exists now."""
        matches = [d for d in await self.list_dashboards() if d.get("name") == name]
        if not matches:
            return None
        if len(matches) > 1:
            log.warning("%s: %d dashboards have this name; adopting the one created first",
                        what, len(matches))
        first = earliest(matches)
        assert first is not None
        log.info("%s: adopted %s after an ambiguous failure", what, first.get("id"))
        return await self.get_dashboard(str(first["id"]))


MAX_PAGES = 10_000  # of List: 10,000 pages of the default 100 are a million dashboards
MAX_EMPTY_PAGES = 100  # pages beyond one per dashboard seen (a page may be empty, not all)


def _check_page_count(pages: int, items: int) -> None:
    """Stop a List that a server keeps paging without end (a new token every time)."""
    if pages > MAX_PAGES or pages > items + MAX_EMPTY_PAGES:
        raise InternalError(
            f"List: internal: the server is still paging after {pages - 1:,} pages"
            f" holding {items:,} dashboards; stopped (a server that never ends its list?)"
        )


def _dashboard(body: Answer, what: str) -> WireDashboard:
    dashboard = body.get("dashboard")
    if not isinstance(dashboard, dict) or not isinstance(dashboard.get("id"), str):
        raise InternalError(f"{what}: internal: the response holds no dashboard")
    dashboard.setdefault("tiles", [])  # proto3 JSON omits an empty list
    return dashboard


def _summaries(body: Answer) -> list[WireSummary]:
    page = body.get("dashboards", [])
    if not isinstance(page, list) or not all(
        isinstance(item, dict) and isinstance(item.get("id"), str) for item in page
    ):
        raise InternalError("List: internal: the server sent a malformed page")
    return page
