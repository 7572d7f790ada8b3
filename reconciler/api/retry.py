"""When to try a call again, and how long to wait first.

Exponential backoff with full jitter: before retry ``n`` (0-based) the client
sleeps a uniform random time in ``[0, min(cap, base * 2**n)]``. A
``Retry-After`` from the server replaces that draw, capped by
``retry_after_cap`` so that a confused server cannot stall a run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import httpx

from reconciler.errors import ApiError, ResourceExhausted


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff parameters; ``max_attempts`` counts the first try."""

    max_attempts: int = 6
    backoff_base: float = 0.1
    backoff_cap: float = 5.0
    retry_after_cap: float = 10.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first retry)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_cap)
        ceiling = min(self.backoff_cap, self.backoff_base * 2**retry)
        return self.rng.uniform(0.0, ceiling)


def is_ambiguous(error: ApiError | httpx.TransportError | BaseException) -> bool:
    """Whether the failed request may have been carried out by the server.

    A 429 means the server refused before doing anything, and a connection
    that could not even be opened (or a pool slot never granted) carried no
    request; every other retryable
    failure (503, 504, a dropped connection, a read timeout) may have
    followed a write.
    """
    if isinstance(error, ResourceExhausted):
        return False
    return not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
