"""The DashboardsService handlers: the business rules of the emulated API.

The router in ``app.py`` has already authenticated the caller and checked
that its token grants the ``x-project-id`` header before a handler runs, so a
handler reads the project from that header and touches that project only.

With ``newer_api`` an Upsert accepts tiles of types the proto does not know
and stores what each tile carried beyond the proto (``unmodeled.py``), and
every answer holding a dashboard carries that content back to the codecs (a
``WithUnmodeled``). Without it the handlers behave as they always did.
"""

from __future__ import annotations

import base64
import binascii
from typing import TypeVar

from connectrpc.code import Code
from connectrpc.errors import ConnectError
from connectrpc.request import Headers, RequestContext

from reconciler.emulator import quirks
from reconciler.emulator.faults import FaultInjector
from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from reconciler.emulator.options import EmulatorOptions
from reconciler.emulator.store import Store, Stored
from reconciler.emulator.unmodeled import JsonObject, SentTiles, WithUnmodeled, sent_type_name
from reconciler.emulator.validate import InvalidTiles, assign_tile_ids, check_tiles

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_NAME_LENGTH = 1000
PROJECT_HEADER = "x-project-id"

_TOKEN_PREFIX = "v1:"

Answer = TypeVar("Answer", pb.GetResponse, pb.UpdateResponse, pb.UpsertResponse)


def encode_page_token(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_page_token(token: str) -> int:
    """The seq a page token continues after; 0 for the first page."""
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if not text.startswith(_TOKEN_PREFIX):
            raise ValueError(text)
        seq = int(text[len(_TOKEN_PREFIX) :])
        if seq < 0:
            raise ValueError(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ConnectError(Code.INVALID_ARGUMENT, "pageToken is not valid") from None
    return seq


def _invalid(message: str) -> ConnectError:
    return ConnectError(Code.INVALID_ARGUMENT, message)


def _not_found(dashboard_id: str) -> ConnectError:
    return ConnectError(Code.NOT_FOUND, f"dashboard {dashboard_id!r} not found")


def _project(headers: Headers) -> str:
    project = headers.get(PROJECT_HEADER)
    if not project:  # the router refuses such a request first; never trust a default
        raise ConnectError(Code.INVALID_ARGUMENT, "missing x-project-id header")
    return str(project)


def _required_id(value: str, field: str = "id") -> str:
    if not value:
        raise _invalid(f"{field} is required")
    return value


def _required_name(name: str) -> str:
    if not name.strip():
        raise _invalid("name is required")
    if len(name) > MAX_NAME_LENGTH:
        raise _invalid(f"name is longer than {MAX_NAME_LENGTH} characters")
    return name


class DashboardsServiceImpl:
    """The six unary methods of dashboards.v1.DashboardsService over a Store."""

    def __init__(self, store: Store, options: EmulatorOptions, faults: FaultInjector) -> None:
        self._store = store
        self._quirks = options.quirks
        self._newer_api = options.newer_api
        self._faults = faults

    def _present(self, dashboard: pb.Dashboard) -> pb.Dashboard:
        if self._quirks:
            quirks.decorate(dashboard)
        return dashboard

    def _answer(self, message: Answer, stored: Stored) -> Answer | WithUnmodeled[Answer]:
        """The answer, with its tiles' unmodeled content under ``newer_api``."""
        if self._newer_api and stored.unmodeled:
            return WithUnmodeled(message, stored.unmodeled)
        return message

    async def list(
        self, request: pb.ListRequest, ctx: RequestContext[pb.ListRequest, pb.ListResponse]
    ) -> pb.ListResponse:
        project = _project(ctx.request_headers)
        if request.page_size < 0:
            raise _invalid("pageSize must not be negative")
        size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        after = decode_page_token(request.page_token)
        summaries, next_seq = self._store.list_page(project, after_seq=after, limit=size)
        if self._quirks:
            for summary in summaries:
                quirks.decorate(summary)
        return pb.ListResponse(
            dashboards=summaries,
            next_page_token=encode_page_token(next_seq) if next_seq is not None else "",
        )

    async def get(
        self, request: pb.GetRequest, ctx: RequestContext[pb.GetRequest, pb.GetResponse]
    ) -> pb.GetResponse | WithUnmodeled[pb.GetResponse]:
        project = _project(ctx.request_headers)
        dashboard_id = _required_id(request.id)
        stored = self._store.get_stored(project, dashboard_id)
        if stored is None:
            raise _not_found(dashboard_id)
        return self._answer(pb.GetResponse(dashboard=self._present(stored.dashboard)), stored)

    async def create(
        self, request: pb.CreateRequest, ctx: RequestContext[pb.CreateRequest, pb.CreateResponse]
    ) -> pb.CreateResponse:
        project = _project(ctx.request_headers)
        dashboard = self._store.create(project, _required_name(request.name))
        if self._faults.ambiguous_create():
            ctx.response_headers["retry-after"] = "0"
            raise ConnectError(
                Code.UNAVAILABLE, "the answer was lost (injected ambiguous failure after commit)"
            )
        return pb.CreateResponse(dashboard=self._present(dashboard))

    async def update(
        self, request: pb.UpdateRequest, ctx: RequestContext[pb.UpdateRequest, pb.UpdateResponse]
    ) -> pb.UpdateResponse | WithUnmodeled[pb.UpdateResponse]:
        project = _project(ctx.request_headers)
        dashboard_id = _required_id(request.id)
        stored = self._store.rename(project, dashboard_id, _required_name(request.name))
        if stored is None:
            raise _not_found(dashboard_id)
        return self._answer(pb.UpdateResponse(dashboard=self._present(stored.dashboard)), stored)

    async def upsert(
        self,
        request: pb.UpsertRequest | SentTiles,
        ctx: RequestContext[pb.UpsertRequest, pb.UpsertResponse],
    ) -> pb.UpsertResponse | WithUnmodeled[pb.UpsertResponse]:
        project = _project(ctx.request_headers)
        sent: list[JsonObject] | None = None
        if isinstance(request, SentTiles):  # newer_api, JSON: what tiles carried beyond the proto
            sent = request.unmodeled
            request = request.message
        dashboard_id = _required_id(request.dashboard_id, "dashboardId")
        tiles = list(request.tiles)
        parts = sent if sent is not None else [{} for _ in tiles]
        try:
            check_tiles(
                tiles,
                newer_api=self._newer_api,
                sent_type_names=[sent_type_name(part) for part in parts],
            )
        except InvalidTiles as error:
            raise _invalid(str(error)) from None
        assign_tile_ids(tiles)
        unmodeled = {tile.id: part for tile, part in zip(tiles, parts, strict=True) if part}
        stored = self._store.replace_tiles(project, dashboard_id, tiles, unmodeled=unmodeled)
        if stored is None:
            raise _not_found(dashboard_id)
        return self._answer(pb.UpsertResponse(dashboard=self._present(stored.dashboard)), stored)

    async def delete(
        self, request: pb.DeleteRequest, ctx: RequestContext[pb.DeleteRequest, pb.DeleteResponse]
    ) -> pb.DeleteResponse:
        project = _project(ctx.request_headers)
        dashboard_id = _required_id(request.id)
        if not self._store.delete(project, dashboard_id):
            raise _not_found(dashboard_id)
        return pb.DeleteResponse()
