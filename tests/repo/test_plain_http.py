"""Plain http:// only to this machine (SPEC §2): elsewhere the token would travel in the clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import validate_json
from tests.support.repo import write_repo


@pytest.mark.parametrize("url", ["http://analytics.example.com", "HTTP://10.0.0.7:8080/api",
                                 "http://127.0.0.1.example.com"])
def test_plain_http_to_another_host_is_a_problem_at_the_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    root = write_repo(tmp_path, environments=(
        f"environments:\n  staging:\n    url: {url}\n    project: p\n    token_env: T\n"
        f"fleets:\n  tenants:\n    url: {url}\n    token_env: T\n"
        "    projects: [{project: a}]\n"))
    code, document = validate_json(capsys, root)
    assert code == 1
    found = [(p["line"], p["column"]) for p in document["problems"]
             if "travel in the clear" in p["message"]]
    assert found == [(3, 10), (8, 10)]  # the url of the environment, then of the fleet


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost:8080",
                                 "http://[::1]:8080", "http://127.0.0.2",
                                 "https://analytics.example.com"])
def test_loopback_and_https_are_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    root = write_repo(tmp_path, environments=(
        f"environments:\n  staging:\n    url: {url}\n    project: p\n    token_env: T\n"))
    code, document = validate_json(capsys, root)
    assert (code, document["problems"]) == (0, [])
