"""The emulator's test switches (also the flags of `dashctl serve`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EmulatorOptions:
    """How far the emulator departs from a well-behaved server.

    fault_rate:            share of requests that fail before anything is done
                           (503 or 429 with ``Retry-After: 0``, or a dropped connection)
    ambiguous_create_rate: share of Creates that commit, then answer 503
    latency_ms:            added to every call
    quirks:                answer like a picky real server: tiles ordered by position,
                           proto3 defaults omitted, unknown fields added
    seed:                  makes the fault draws reproducible
    newer_api:             answer like a server whose API grew past dashctl's model:
                           tile fields and tile types the proto does not know are
                           stored and returned as sent, after the known fields are
                           checked (see ``unmodeled.py``). The in-process emulator
                           (``inprocess.py``) turns it on by default.
    """

    fault_rate: float = 0.0
    ambiguous_create_rate: float = 0.0
    latency_ms: int = 0
    quirks: bool = False
    seed: int | None = None
    newer_api: bool = False
