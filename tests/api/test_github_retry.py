"""GitHub calls retried by the shared decision (api/retry.py), against a GitHub played by
httpx.MockTransport; the client's injected sleep records the waits instead of sleeping."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from reconciler.api import github as gh
from reconciler.api.retry import RetryPolicy

REPO, PR, TOKEN = "acme/dashboards", 7, "ghs_TheTokenNeverShown"
Answer = Callable[[httpx.Request], httpx.Response]


class ScriptedGitHub:
    """Answers each request with the next scripted answer, then with ``ok``; records them."""

    def __init__(self, *script: Answer) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []
        self.waits: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            return self.script.pop(0)(request)
        if request.method == "GET":
            return httpx.Response(200, json=[{"id": 1, "body": "hello"}])
        return httpx.Response(201, json={"id": 2, "body": json.loads(request.content)["body"]})

    def client(self, retry: RetryPolicy = gh.RETRY) -> gh.GitHubClient:
        settings = gh.GitHubSettings(token=TOKEN, repository=REPO, api_url="https://gh.test")
        return gh.github_client(settings, sleep=self.waits.append,
                                transport=httpx.MockTransport(self), retry=retry)

    def count(self, method: str) -> int:
        return sum(1 for request in self.requests if request.method == method)


def status(code: int, **headers: str) -> Answer:
    return lambda _: httpx.Response(code, headers=headers, json={"message": f"status {code}"})


def raises(error: type[httpx.TransportError], text: str = "boom") -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise error(text, request=request)
    return answer


def comments(github: ScriptedGitHub) -> list[str]:
    with github.client() as client:
        return [str(c.get("body")) for c in gh.list_issue_comments(client, REPO, PR)]


def test_a_429_waits_the_seconds_of_retry_after() -> None:
    github = ScriptedGitHub(status(429, **{"Retry-After": "7"}))
    assert comments(github) == ["hello"]
    assert github.waits == [7.0]
    assert github.count("GET") == 2


def test_a_429_waits_until_the_http_date_of_retry_after() -> None:
    then = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    github = ScriptedGitHub(status(429, **{"Retry-After": then}))
    assert comments(github) == ["hello"]
    [wait] = github.waits
    assert 18.0 <= wait <= 20.0  # the date has whole seconds; a little time passed


def test_retry_after_in_the_past_means_now_and_a_long_one_is_capped() -> None:
    past = "Wed, 21 Oct 2015 07:28:00 GMT"
    github = ScriptedGitHub(status(503, **{"Retry-After": past}),
                            status(503, **{"Retry-After": "3600"}))
    assert comments(github) == ["hello"]
    assert github.waits == [0.0, gh.RETRY.retry_after_cap]


def test_server_errors_back_off_with_jitter_then_give_up() -> None:
    github = ScriptedGitHub(*[status(500) for _ in range(5)])
    policy = RetryPolicy(max_attempts=4, backoff_base=0.5, backoff_cap=1.5, rng=random.Random(3))
    with github.client(policy) as client, pytest.raises(gh.GitHubError) as caught:
        list(gh.list_issue_comments(client, REPO, PR))
    assert str(caught.value) == (
        f"GitHub GET /repos/{REPO}/issues/{PR}/comments: 500 Internal Server Error: status 500")
    assert github.count("GET") == 4
    expected = random.Random(3)
    assert github.waits == [expected.uniform(0, min(1.5, 0.5 * 2**n)) for n in range(3)]


def test_a_patch_is_retried_after_a_5xx() -> None:
    github = ScriptedGitHub(status(502))
    with github.client() as client:
        assert gh.update_issue_comment(client, REPO, 2, "again")["body"] == "again"
    assert github.count("PATCH") == 2
    assert len(github.waits) == 1


def test_a_dropped_connection_is_retried_for_a_read() -> None:
    github = ScriptedGitHub(raises(httpx.RemoteProtocolError), raises(httpx.ReadTimeout))
    assert comments(github) == ["hello"]
    assert github.count("GET") == 3
    assert len(github.waits) == 2


@pytest.mark.parametrize("failure", [
    status(500), status(502), status(503, **{"Retry-After": "0"}),
    raises(httpx.RemoteProtocolError), raises(httpx.ReadTimeout),
], ids=["500", "502", "503", "dropped", "read-timeout"])
def test_a_post_that_may_have_landed_is_not_sent_again(failure: Answer) -> None:
    github = ScriptedGitHub(failure)
    with github.client() as client, pytest.raises(gh.GitHubError, match=r"^GitHub POST "):
        gh.create_issue_comment(client, REPO, PR, "once")
    assert github.count("POST") == 1
    assert github.waits == []


@pytest.mark.parametrize("failure", [
    status(429, **{"Retry-After": "1"}), raises(httpx.ConnectError), raises(httpx.ConnectTimeout),
], ids=["429", "refused", "connect-timeout"])
def test_a_post_that_cannot_have_landed_is_sent_again(failure: Answer) -> None:
    github = ScriptedGitHub(failure)
    with github.client() as client:
        assert gh.create_issue_comment(client, REPO, PR, "once")["body"] == "once"
    assert github.count("POST") == 2
    assert len(github.waits) == 1


def test_a_client_error_is_final_and_a_transport_error_never_shows_the_token() -> None:
    github = ScriptedGitHub(status(422))
    with github.client() as client, pytest.raises(gh.GitHubError, match="422"):
        gh.create_issue_comment(client, REPO, PR, "x")
    assert github.waits == []
    leaky = ScriptedGitHub(*[raises(httpx.ReadError, f"reset by {TOKEN}") for _ in range(3)])
    with leaky.client() as client, pytest.raises(gh.GitHubError) as caught:
        list(gh.list_issue_comments(client, REPO, PR))
    assert TOKEN not in str(caught.value)
    assert "ReadError" in str(caught.value)
    assert leaky.count("GET") == gh.RETRY.max_attempts
