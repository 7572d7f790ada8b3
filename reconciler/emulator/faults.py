"""Fault injection: the failures ``--fault-rate`` and ``--ambiguous-create-rate`` cause.

A request fault is drawn before the emulator does anything with the request
(nothing is read from or written to the store) and is one of, equally likely:

- ``unavailable``: HTTP 503, Connect code unavailable, ``Retry-After: 0``;
- ``resource_exhausted``: HTTP 429, Connect code resource_exhausted, ``Retry-After: 0``;
- ``drop``: the connection is dropped mid-answer. Over real HTTP (uvicorn) the
  status line and headers go out, then the socket closes without a body; an
  httpx client sees ``httpx.RemoteProtocolError`` (a ``httpx.TransportError``).
  In-process (httpx.ASGITransport) the app raises ``DroppedConnection``, a
  subclass of ``httpx.RemoteProtocolError``, so the client sees the same type.
  Either way: a transport error, to be treated as retryable.

An ambiguous Create commits the new dashboard, then answers 503 unavailable
(with ``Retry-After: 0``) as if the answer had been lost on the way.

With ``seed`` the draws are reproducible for a given order of requests.
"""

from __future__ import annotations

import random
from typing import Literal

import httpx

from reconciler.emulator.options import EmulatorOptions

Fault = Literal["unavailable", "resource_exhausted", "drop"]
FAULTS: tuple[Fault, ...] = ("unavailable", "resource_exhausted", "drop")


class DroppedConnection(httpx.RemoteProtocolError):
    """Raised by the app to drop the connection (fault injection)."""

    def __init__(self) -> None:
        super().__init__("connection dropped by the emulator (injected fault)")


class FaultInjector:
    """Draws the faults of one app from one seeded generator."""

    def __init__(self, options: EmulatorOptions) -> None:
        self._fault_rate = options.fault_rate
        self._ambiguous_rate = options.ambiguous_create_rate
        self._random = random.Random(options.seed)

    def request_fault(self) -> Fault | None:
        if self._fault_rate <= 0 or self._random.random() >= self._fault_rate:
            return None
        return self._random.choice(FAULTS)

    def ambiguous_create(self) -> bool:
        return self._ambiguous_rate > 0 and self._random.random() < self._ambiguous_rate
