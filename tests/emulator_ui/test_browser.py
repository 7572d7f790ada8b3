"""The UI in headless Chromium (Debian's package, driven by Playwright): clean, no script runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.emulator_ui.conftest import (
    EVIL_MARKDOWN,
    EVIL_NAME,
    GROWTH_TILES,
    make_dashboard,
    markdown,
)
from tests.preview.browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT
from tests.support.server import Server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"headless Chromium not installed at {CHROMIUM} (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def test_dashboard_page_loads_clean_with_the_cookie(browser: Any, server: Server,
                                                    project: str) -> None:
    board = make_dashboard(server, project, "Growth KPIs", GROWTH_TILES)
    evil = make_dashboard(server, project, EVIL_NAME, [markdown("notes", EVIL_MARKDOWN, w=12)])
    context = browser.new_context(viewport=VIEWPORT)
    errors: list[str] = []
    requests: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))

        page.goto(f"{server.url}/ui/d/{board}?token={server.token(project)}")
        assert page.url == f"{server.url}/ui/d/{board}"  # the token left the address bar
        [jar] = context.cookies()
        assert (jar["name"], jar["httpOnly"], jar["sameSite"]) == ("dashctl_token", True, "Strict")
        assert page.evaluate("() => document.cookie") == ""  # HttpOnly: not readable

        page.goto(f"{server.url}/ui/d/{board}")  # the cookie alone
        assert page.locator("header.top h1").inner_text() == "Growth KPIs"
        ids = page.locator(".tile").evaluate_all("tiles => tiles.map(t => t.dataset.tileId)")
        assert sorted(ids) == sorted(tile["id"] for tile in GROWTH_TILES)

        page.goto(f"{server.url}/ui/")
        page.locator("ul.list a", has_text="Growth KPIs").click()
        page.wait_for_load_state("load")
        assert page.url == f"{server.url}/ui/d/{board}"

        page.goto(f"{server.url}/ui/d/{evil}")
        assert page.locator(".md").count() == 1
        assert page.locator("script, img, iframe").count() == 0
        assert page.evaluate("() => typeof window.__pwned") == "undefined"

        assert errors == []
        assert all(url.startswith(server.url) for url in requests), requests
    finally:
        context.close()
