"""When to try a call again, and how long to wait first: the one decision both clients share.

Each client's loop is a few lines around :meth:`RetryPolicy.retry_delay`: it
sends, turns a failure into a :class:`Failure` (``transport_failure`` for a
request that got no answer, ``status_failure`` for a plain HTTP API's error
status; the Dashboards client classifies Connect errors by their code), and
then either waits the returned delay with its own (injected) sleep or gives up.

Exponential backoff with full jitter: before retry ``n`` (0-based) the client
sleeps a uniform random time in ``[0, min(cap, base * 2**n)]``. A
``Retry-After`` from the server replaces that draw, capped by
``retry_after_cap`` so that a confused server cannot stall a run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import httpx

from reconciler.api.wire import retry_after
from reconciler.errors import ApiError, ResourceExhausted


@dataclass(frozen=True)
class Failure:
    """One failed attempt, as the retry decision sees it."""

    retryable: bool = True  # another attempt may succeed
    ambiguous: bool = True  # the server may have carried the request out
    retry_after: float | None = None  # seconds the server asked to wait, if it did


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

    def retry_delay(
        self, failed: int, failure: Failure, *, repeatable: bool = True
    ) -> float | None:
        """Seconds to wait before trying again after attempt ``failed`` (0 for the first)
        failed; None to give up and report the failure.

        ``repeatable`` is False for a request that must not be carried out twice
        (GitHub's POST): such a request is tried again only after a failure that
        is not ambiguous (a 429, a connection never opened).
        """
        if not failure.retryable or failed + 1 >= self.max_attempts:
            return None
        if failure.ambiguous and not repeatable:
            return None
        return self.delay(failed, failure.retry_after)


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


def transport_failure(error: httpx.TransportError) -> Failure:
    """A request that got no answer (refused, dropped, timed out): always worth another try."""
    return Failure(ambiguous=is_ambiguous(error))


def status_failure(response: httpx.Response) -> Failure:
    """An error status of a plain HTTP API (GitHub's REST API).

    429 and 5xx are worth another try; a 429 was refused before anything was
    done, a 5xx may have followed a write. Any other status is final.
    """
    status = response.status_code
    return Failure(
        retryable=status == 429 or status >= 500,
        ambiguous=status != 429,
        retry_after=retry_after(response),
    )
