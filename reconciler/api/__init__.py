"""The Dashboards API client: the only part of dashctl that speaks HTTP.

    DashboardsClient   async Connect JSON client of one project: the six methods,
                       pagination, retries with backoff and Retry-After, safe Create
    client_for         the client an environment of environments.yaml asks for

Errors are the :class:`~reconciler.errors.ApiError` classes, with messages
such as ``Get dash_123: not_found: dashboard not found`` that never hold a
token.
"""

from __future__ import annotations

from reconciler.api.client import DashboardsClient
from reconciler.api.factory import IN_PROCESS_URL, client_for

__all__ = ["IN_PROCESS_URL", "DashboardsClient", "client_for"]
