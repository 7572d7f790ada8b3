"""The Dashboards API client: the only part of dashctl that speaks HTTP.

    DashboardsClient   async Connect JSON client of one project: the six methods,
                       pagination, retries with backoff and Retry-After, safe Create

Errors are the :class:`~reconciler.errors.ApiError` classes, with messages
such as ``Get dash_123: not_found: dashboard not found`` that never hold a
token.
"""

from __future__ import annotations

from reconciler.api.client import DashboardsClient

__all__ = ["DashboardsClient"]
