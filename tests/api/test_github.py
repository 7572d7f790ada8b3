"""The GitHub REST client: settings, headers, pagination, errors, retries."""

from __future__ import annotations

import httpx
import pytest

from reconciler.api import github as gh
from reconciler.errors import ConfigError
from tests.support.fake_github import FakeGitHub
from tests.support.github import PR, REPO, TOKEN

ENV = {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO}


def client_for(fake: FakeGitHub, token: str = TOKEN) -> gh.GitHubClient:
    """A client of the fake that records its waits instead of sleeping."""
    settings = gh.GitHubSettings(token=token, repository=REPO, api_url=fake.url)
    waits: list[float] = []
    return gh.github_client(settings, sleep=waits.append)


def test_settings_read_what_actions_sets() -> None:
    settings = gh.GitHubSettings.from_env({**ENV, "GITHUB_API_URL": "https://ghe.example/api/v3/"})
    assert settings.repository == REPO
    assert settings.api_url == "https://ghe.example/api/v3"
    assert gh.GitHubSettings.from_env(ENV).api_url == "https://api.github.com"
    assert TOKEN not in repr(settings)


@pytest.mark.parametrize("missing", ["GITHUB_TOKEN", "GITHUB_REPOSITORY"])
def test_a_missing_variable_is_named(missing: str) -> None:
    environ = {**ENV, missing: ""} if missing == "GITHUB_TOKEN" else {"GITHUB_TOKEN": TOKEN}
    with pytest.raises(ConfigError, match=f"^{missing} is not set") as caught:
        gh.GitHubSettings.from_env(environ)
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize("bad", ["acme", "acme/dash/boards", "/dashboards", "acme/"])
def test_repository_must_be_owner_slash_name(bad: str) -> None:
    with pytest.raises(ConfigError, match="owner/name"):
        gh.GitHubSettings.from_env({**ENV, "GITHUB_REPOSITORY": bad})


def test_listing_follows_the_link_header_across_pages(github: FakeGitHub) -> None:
    for index in range(5):
        github.add_comment(REPO, PR, f"comment {index}")
    with client_for(github) as client:
        bodies = [c["body"] for c in gh.list_issue_comments(client, REPO, PR)]
    assert bodies == [f"comment {index}" for index in range(5)]
    gets = [target for method, target in github.requests if method == "GET"]
    assert gets == [
        f"/repos/{REPO}/issues/{PR}/comments?per_page=100",
        f"/repos/{REPO}/issues/{PR}/comments?per_page=2&page=2",
        f"/repos/{REPO}/issues/{PR}/comments?per_page=2&page=3",
    ]


def test_an_empty_pull_request_lists_nothing(github: FakeGitHub) -> None:
    with client_for(github) as client:
        assert list(gh.list_issue_comments(client, REPO, PR)) == []


def test_create_and_update(github: FakeGitHub) -> None:
    with client_for(github) as client:
        created = gh.create_issue_comment(client, REPO, PR, "hello")
        gh.update_issue_comment(client, REPO, created["id"], "hello again")
    assert github.bodies(REPO, PR) == ["hello again"]


def test_a_pagination_link_to_another_host_is_not_followed(github: FakeGitHub) -> None:
    with client_for(github) as client:
        response = httpx.Response(
            200, headers={"Link": '<https://evil.example/steal?page=2>; rel="next"'})
        with pytest.raises(gh.GitHubError, match="refusing to follow"):
            gh._next_page(client, response)


def test_errors_name_the_call_and_never_the_token(github: FakeGitHub) -> None:
    wrong = "ghs_SomeOtherTokenThatTheFakeEchoesBack"
    with client_for(github, token=wrong) as client, pytest.raises(gh.GitHubError) as caught:
        list(gh.list_issue_comments(client, REPO, PR))
    message = str(caught.value)
    assert message.startswith(f"GitHub GET /repos/{REPO}/issues/{PR}/comments: 401")
    assert "GITHUB_TOKEN was not accepted" in message
    assert wrong not in message
    assert "[REDACTED]" in message  # the fake echoed it; the client took it out


def test_reads_are_retried_on_server_errors(github: FakeGitHub) -> None:
    github.fail_next("GET", 502, 503)
    github.add_comment(REPO, PR, "still here")
    with client_for(github) as client:
        assert [c["body"] for c in gh.list_issue_comments(client, REPO, PR)] == ["still here"]
    assert github.count("GET") == 3


def test_reads_give_up_after_three_attempts(github: FakeGitHub) -> None:
    github.fail_next("GET", 500, 500, 500, 500)
    with client_for(github) as client, pytest.raises(gh.GitHubError, match="500"):
        list(gh.list_issue_comments(client, REPO, PR))
    assert github.count("GET") == 3


def test_a_post_that_may_have_landed_is_never_repeated(github: FakeGitHub) -> None:
    github.fail_next("POST", 502)
    with client_for(github) as client, pytest.raises(gh.GitHubError, match="502"):
        gh.create_issue_comment(client, REPO, PR, "once")
    assert github.count("POST") == 1


def test_a_rate_limited_post_is_retried(github: FakeGitHub) -> None:
    github.fail_next("POST", 429)
    with client_for(github) as client:
        gh.create_issue_comment(client, REPO, PR, "once")
    assert github.count("POST") == 2
    assert github.bodies(REPO, PR) == ["once"]


def test_permission_errors_say_which_permission(github: FakeGitHub) -> None:
    github.fail_next("POST", 403)
    with client_for(github) as client, pytest.raises(gh.GitHubError) as caught:
        gh.create_issue_comment(client, REPO, PR, "x")
    assert "pull-requests: write" in str(caught.value)
