"""The few GitHub REST calls `dashctl comment` makes, through httpx.

    GitHubSettings.from_env   GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL as Actions sets them
    github_client             a GitHubClient: an httpx.Client with GitHub's headers and the
                              bearer token, and the sleep to wait with between attempts
    list_issue_comments       every comment of an issue or pull request, following the Link header
    create_issue_comment      POST /repos/{owner}/{name}/issues/{number}/comments
    update_issue_comment      PATCH /repos/{owner}/{name}/issues/comments/{id}
    upsert_sticky_comment     one comment of a pull request whose first line is a marker,
                              created or updated in place; everyone else's left alone

A failed call raises :class:`GitHubError` with a message that names the call
and GitHub's own message, never the token. Reads and PATCH are retried on
429, 5xx and dropped connections; POST only when GitHub cannot have carried
it out (429, or a connection never opened), so a retry never posts twice. When
to retry and how long to wait (``Retry-After`` included) is decided in
``api/retry.py``, as for the Dashboards client; the caller hands in the sleep.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, TypedDict

import httpx

from reconciler.api.redact import redact
from reconciler.api.retry import Failure, RetryPolicy, status_failure, transport_failure
from reconciler.errors import ConfigError, DashctlError

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
RETRY = RetryPolicy(max_attempts=3, backoff_base=0.5, backoff_cap=4.0, retry_after_cap=30.0)

Sleep = Callable[[float], None]


class Comment(TypedDict, total=False):
    """The fields of an issue comment that dashctl reads (GitHub sends many more)."""

    id: int
    body: str


class GitHubError(DashctlError):
    """GitHub answered a call with an error, or could not be reached."""


@dataclass(frozen=True)
class GitHubSettings:
    """Where and as whom to call GitHub. ``repr`` never shows the token."""

    token: str
    repository: str
    api_url: str = DEFAULT_API_URL

    def __repr__(self) -> str:
        return f"GitHubSettings(repository={self.repository!r}, api_url={self.api_url!r})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GitHubSettings:
        """Read the variables GitHub Actions sets; a missing one is a ConfigError naming it."""
        environ = os.environ if environ is None else environ
        for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY"):
            if not environ.get(name, "").strip():
                raise ConfigError(
                    f"{name} is not set: `dashctl comment` needs GITHUB_TOKEN and "
                    "GITHUB_REPOSITORY (owner/name), as GitHub Actions provides them"
                )
        repository = environ["GITHUB_REPOSITORY"].strip()
        owner, _, name = repository.partition("/")
        if not owner or not name or "/" in name:
            raise ConfigError(f"GITHUB_REPOSITORY must be owner/name, not {repository!r}")
        api_url = environ.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL
        return cls(token=environ["GITHUB_TOKEN"].strip(), repository=repository,
                   api_url=api_url.rstrip("/"))


@dataclass
class GitHubClient:
    """The HTTP client of GitHub calls, how often to try them, and how to wait in between."""

    http: httpx.Client
    sleep: Sleep
    retry: RetryPolicy = RETRY

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.http.close()


def github_client(
    settings: GitHubSettings,
    *,
    sleep: Sleep,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy = RETRY,
) -> GitHubClient:
    """A client for ``settings.api_url`` that sends GitHub's headers on every call and
    waits with ``sleep`` (``time.sleep``, or a test's recorder) before a retry."""
    http = httpx.Client(
        base_url=settings.api_url,
        headers={
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "Authorization": f"Bearer {settings.token}",
            "User-Agent": "dashctl",
        },
        timeout=httpx.Timeout(30.0),
        transport=transport,
    )
    return GitHubClient(http, sleep, retry)


def list_issue_comments(client: GitHubClient, repo: str, number: int) -> Iterator[Comment]:
    """Yield every comment of issue or pull request ``number``, oldest first."""
    url: str | None = f"/repos/{repo}/issues/{number}/comments"
    params: dict[str, int] | None = {"per_page": 100}
    while url is not None:
        response = _call(client, "GET", url, params=params)
        yield from response.json()
        url, params = _next_page(client, response), None


def create_issue_comment(client: GitHubClient, repo: str, number: int, body: str) -> Comment:
    result: Comment = _call(
        client, "POST", f"/repos/{repo}/issues/{number}/comments", body={"body": body}
    ).json()
    return result


def update_issue_comment(client: GitHubClient, repo: str, comment_id: int, body: str) -> Comment:
    result: Comment = _call(
        client, "PATCH", f"/repos/{repo}/issues/comments/{comment_id}", body={"body": body}
    ).json()
    return result


def _next_page(client: GitHubClient, response: httpx.Response) -> str | None:
    """The Link header's next page, followed only on the API's own origin (the token goes along)."""
    link = response.links.get("next", {}).get("url")
    if not link:
        return None
    target, base = httpx.URL(link), client.http.base_url
    if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
        raise GitHubError(f"refusing to follow a pagination link off {base.host}: {target.host}")
    return link


def _call(
    client: GitHubClient,
    method: str,
    url: str,
    *,
    params: dict[str, int] | None = None,
    body: dict[str, str] | None = None,
) -> httpx.Response:
    """One call, tried again as `RetryPolicy.retry_delay` decides (a POST is not repeatable)."""
    what = f"{method} {httpx.URL(url).path}"
    token = client.http.headers.get("Authorization", "").removeprefix("Bearer ")
    failed = 0
    while True:
        failure: Failure
        try:
            response = client.http.request(method, url, params=params, json=body)
        except httpx.TransportError as error:
            failure, detail = transport_failure(error), f"{type(error).__name__}: {error}"
        else:
            if response.is_success:
                return response
            failure, detail = status_failure(response), _describe(response)
        delay = client.retry.retry_delay(failed, failure, repeatable=method != "POST")
        if delay is None:
            raise GitHubError(redact(f"GitHub {what}: {detail}", token))
        client.sleep(delay)
        failed += 1


HINTS = {
    401: "GITHUB_TOKEN was not accepted",
    403: "the token lacks permission (the job needs `permissions: pull-requests: write`)",
    404: "no such repository or pull request, or the token cannot see it",
}


def _describe(response: httpx.Response) -> str:
    status = response.status_code
    try:
        message = str(response.json().get("message", ""))
    except (ValueError, AttributeError):
        message = response.text[:200]
    parts = [f"{status} {response.reason_phrase}".strip(), message, HINTS.get(status, "")]
    return ": ".join(part for part in parts if part)


CommentOutcome = Literal["created", "updated", "unchanged"]


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].strip()


def upsert_sticky_comment(
    client: GitHubClient, repo: str, pr: int, marker: str, body: str
) -> CommentOutcome:
    """Keep exactly one comment on ``pr`` whose first line is ``marker``, saying ``body``.

    ``body`` must start with ``marker``. With several marked comments (two
    runs raced), the oldest is the one kept up to date.
    """
    if _first_line(body) != marker:
        raise ValueError("the comment body must start with its marker line")
    for existing in list_issue_comments(client, repo, pr):
        text = str(existing.get("body") or "")
        if _first_line(text) != marker:
            continue
        if text.replace("\r\n", "\n") == body:
            return "unchanged"
        update_issue_comment(client, repo, int(existing["id"]), body)
        return "updated"
    create_issue_comment(client, repo, pr, body)
    return "created"
