"""The fake GitHub of tests/support/fake_github.py, with the pull requests the adopt job makes.

On top of the issue comments: list (``state``, ``head=OWNER:BRANCH``), create
and update pull requests, as GitHub's REST API does them. As on GitHub, a
pull request needs its head and base branches to exist in the repository (the
bare `origin` a test gives), and a second open pull request from the same
head to the same base is refused with 422. The fake `gh` of tests/ci/fakes
speaks to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.ci.git_sim import Origin
from tests.support.fake_github import BOT, Answer, FakeGitHub, RunningFake
from tests.support.github import TOKEN

PULLS = re.compile(r"^/repos/([^/]+/[^/]+)/pulls$")
ONE_PULL = re.compile(r"^/repos/([^/]+/[^/]+)/pulls/(\d+)$")


@dataclass
class FakeGitHubWithPulls(FakeGitHub):
    origin: Origin | None = None
    pulls: list[dict[str, Any]] = field(default_factory=list)

    def open_pulls(self, head: str) -> list[dict[str, Any]]:
        return [p for p in self.pulls if p["head"]["ref"] == head and p["state"] == "open"]

    def handle(self, method: str, target: str, headers: Any, payload: bytes) -> Answer:
        path = urlsplit(target).path
        listing, one = PULLS.match(path), ONE_PULL.match(path)
        if not (listing or one):
            return super().handle(method, target, headers, payload)
        with self._lock:
            self.requests.append((method, target))
            if headers.get("Authorization") != f"Bearer {self.token}":
                return 401, {}, {"message": "Bad credentials"}
            if (headers.get("Accept") != "application/vnd.github+json"
                    or headers.get("X-GitHub-Api-Version") != "2022-11-28"):
                return 400, {}, {"message": "missing GitHub API headers"}
            if listing and method == "GET":
                return self._list_pulls(listing[1], parse_qs(urlsplit(target).query))
            if listing and method == "POST":
                return self._create_pull(listing[1], json.loads(payload))
            if one and method == "PATCH":
                return self._update_pull(one[1], int(one[2]), json.loads(payload))
            return 404, {}, {"message": "Not Found"}

    def _list_pulls(self, repo: str, query: dict[str, list[str]]) -> Answer:
        state = query.get("state", ["open"])[0]
        head = query.get("head", [""])[0]
        found = [p for p in self.pulls if p["base"]["repo"]["full_name"] == repo
                 and (state == "all" or p["state"] == state)
                 and (not head or head == f"{p['head']['repo']['full_name'].split('/')[0]}:"
                      f"{p['head']['ref']}")]
        return 200, {}, found

    def _create_pull(self, repo: str, body: dict[str, Any]) -> Answer:
        head, base = body["head"], body["base"]
        for branch in (head, base):
            if self.origin is None or self.origin.rev(f"refs/heads/{branch}") is None:
                return 422, {}, {"message": "Validation Failed", "errors": [
                    {"resource": "PullRequest", "field": "head" if branch == head else "base",
                     "code": "invalid"}]}
        if any(p["base"]["ref"] == base for p in self.open_pulls(head)):
            owner = repo.split("/")[0]
            return 422, {}, {"message": "Validation Failed", "errors": [
                {"message": f"A pull request already exists for {owner}:{head}."}]}
        number = len(self.pulls) + 1
        pull = {"number": number, "state": "open", "title": body["title"],
                "body": body.get("body", ""), "user": {"login": BOT},
                "head": {"ref": head, "repo": {"full_name": repo}},
                "base": {"ref": base, "repo": {"full_name": repo}},
                "html_url": f"https://github.com/{repo}/pull/{number}", "edits": 0}
        self.pulls.append(pull)
        return 201, {}, pull

    def _update_pull(self, repo: str, number: int, body: dict[str, Any]) -> Answer:
        for pull in self.pulls:
            if pull["number"] == number and pull["base"]["repo"]["full_name"] == repo:
                pull.update({k: v for k, v in body.items() if k in ("title", "body", "state")})
                pull["edits"] += 1
                return 200, {}, pull
        return 404, {}, {"message": "Not Found"}


@pytest.fixture
def github_pulls() -> Iterator[FakeGitHubWithPulls]:
    """The fake on 127.0.0.1 for one test; set ``origin`` before pull requests are made."""
    fake = FakeGitHubWithPulls(token=TOKEN)
    running = RunningFake(fake)
    try:
        yield fake
    finally:
        running.close()
