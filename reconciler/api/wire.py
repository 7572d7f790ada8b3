"""The Connect unary JSON protocol as the client speaks it (SPEC §1).

Turning an HTTP response into either a decoded message or a typed
:class:`~reconciler.errors.ApiError`, and reading ``Retry-After``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypedDict

import httpx
import orjson

from reconciler.engine.ports import WireDashboard, WireSummary
from reconciler.errors import (
    ERRORS_BY_CODE,
    AlreadyExists,
    ApiError,
    DeadlineExceeded,
    InternalError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)

SERVICE = "dashboards.v1.DashboardsService"

ERRORS_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidArgument,
    401: Unauthenticated,
    403: PermissionDenied,
    404: NotFound,
    409: AlreadyExists,
    429: ResourceExhausted,
    502: Unavailable,
    503: Unavailable,
    504: DeadlineExceeded,
}
"""Used only when an error body is not a Connect error (a proxy's HTML page, ...)."""

_MAX_DETAIL = 300


class Answer(TypedDict, total=False):
    """The JSON object of a 200 answer, by the keys SPEC §1 gives the six methods' answers.

    As the server sent it: the client checks each part it hands on (a
    ``dashboard`` with a string ``id``, a list of such summaries, a string
    ``nextPageToken``) before it relies on it.
    """

    dashboard: WireDashboard
    dashboards: list[WireSummary]
    nextPageToken: str


def method_path(method: str) -> str:
    """``Get`` -> ``/dashboards.v1.DashboardsService/Get``."""
    return f"/{SERVICE}/{method}"


def encode_message(message: Mapping[str, object]) -> bytes:
    """A request message as JSON (orjson: a few times faster than ``json``)."""
    return orjson.dumps(message)


def decode_message(response: httpx.Response, what: str) -> Answer:
    """The JSON object of a 200 response; InternalError if it is not one.

    Parsed with orjson (about a third of the client's decoding time); what it
    refuses and ``json`` reads (a BOM, ``NaN``, a lone surrogate) is read by ``json``.
    """
    body: Answer | None  # JSON: the client checks the parts it relies on (see Answer)
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
    if not isinstance(body, dict):
        raise InternalError(f"{what}: internal: the server sent a malformed response")
    return body


def error_from_response(response: httpx.Response, what: str) -> ApiError:
    """The typed error a non-200 response stands for (message not yet redacted).

    ``what`` names the call (``Get dash_123``) and prefixes the message, e.g.
    ``Get dash_123: not_found: dashboard not found``.
    """
    code, message = _connect_error(response)
    if code is None:
        cls = ERRORS_BY_STATUS.get(response.status_code, InternalError)
        reason = response.reason_phrase or "error"
        text = f"{what}: {cls.code}: HTTP {response.status_code} {reason} (not a Connect error)"
        return cls(text, status=response.status_code)
    cls = ERRORS_BY_CODE.get(code, InternalError)
    text = f"{what}: {code}: {message}" if message else f"{what}: {code}"
    return cls(text, code=code, status=response.status_code)


def _connect_error(response: httpx.Response) -> tuple[str | None, str]:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, ""
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return None, ""
    message = body.get("message")
    detail = " ".join(message.split()) if isinstance(message, str) else ""
    if len(detail) > _MAX_DETAIL:
        detail = detail[: _MAX_DETAIL - 3] + "..."
    return body["code"], detail


def retry_after(response: httpx.Response, *, now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait (``Retry-After``), or None.

    Both forms of the header are read: delta-seconds and an HTTP date.
    """
    value = response.headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
