"""The one retry decision both clients use (api/retry.py): pure, no server needed."""

from __future__ import annotations

import random

import httpx
import pytest

from reconciler.api.retry import Failure, RetryPolicy, status_failure, transport_failure

POLICY = RetryPolicy(max_attempts=3, backoff_base=1.0, backoff_cap=10.0, retry_after_cap=5.0)


def test_gives_up_after_the_last_attempt() -> None:
    assert POLICY.retry_delay(0, Failure()) is not None
    assert POLICY.retry_delay(1, Failure()) is not None
    assert POLICY.retry_delay(2, Failure()) is None


def test_a_final_failure_is_never_retried() -> None:
    assert POLICY.retry_delay(0, Failure(retryable=False)) is None


def test_an_unrepeatable_request_is_retried_only_when_nothing_was_done() -> None:
    assert POLICY.retry_delay(0, Failure(ambiguous=True), repeatable=False) is None
    assert POLICY.retry_delay(0, Failure(ambiguous=False), repeatable=False) is not None
    assert POLICY.retry_delay(0, Failure(ambiguous=True)) is not None


def test_retry_after_replaces_the_jitter_and_is_capped() -> None:
    assert POLICY.retry_delay(0, Failure(retry_after=2.5)) == 2.5
    assert POLICY.retry_delay(1, Failure(retry_after=600.0)) == 5.0
    assert POLICY.retry_delay(0, Failure(retry_after=-3.0)) == 0.0


def test_backoff_draws_from_the_growing_ceiling() -> None:
    policy = RetryPolicy(max_attempts=9, backoff_base=0.1, backoff_cap=1.0, rng=random.Random(5))
    waits = [policy.retry_delay(n, Failure()) for n in range(8)]
    expected = random.Random(5)
    assert waits == [expected.uniform(0, min(1.0, 0.1 * 2**n)) for n in range(8)]


@pytest.mark.parametrize(("code", "retryable", "ambiguous"), [
    (429, True, False), (500, True, True), (502, True, True), (503, True, True),
    (504, True, True), (400, False, True), (403, False, True), (404, False, True),
])
def test_status_failures(code: int, retryable: bool, ambiguous: bool) -> None:
    failure = status_failure(httpx.Response(code, headers={"Retry-After": "4"}))
    assert (failure.retryable, failure.ambiguous, failure.retry_after) == (
        retryable, ambiguous, 4.0)
    assert status_failure(httpx.Response(code)).retry_after is None


@pytest.mark.parametrize(("error", "ambiguous"), [
    (httpx.ConnectError, False), (httpx.ConnectTimeout, False), (httpx.PoolTimeout, False),
    (httpx.ReadTimeout, True), (httpx.RemoteProtocolError, True), (httpx.ReadError, True),
    (httpx.WriteError, True),
])
def test_transport_failures_are_retryable_and_ambiguous_once_sent(
    error: type[httpx.TransportError], ambiguous: bool
) -> None:
    failure = transport_failure(error("x"))
    assert failure.retryable
    assert failure.ambiguous is ambiguous
    assert failure.retry_after is None
