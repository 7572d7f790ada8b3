"""The UI in headless Chromium (Debian's package, driven by Playwright): clean, no script runs."""

from __future__ import annotations

import pytest

from tests.emulator_ui.conftest import EVIL_MARKDOWN, EVIL_NAME, GROWTH_TILES
from tests.support.browser import Tab
from tests.support.factories import wire_markdown
from tests.support.server import Server

pytestmark = pytest.mark.browser


def test_dashboard_page_loads_clean_with_the_cookie(tab: Tab, server: Server,
                                                    project: str) -> None:
    board = server.make_dashboard(project, "Growth KPIs", GROWTH_TILES)
    evil = server.make_dashboard(project, EVIL_NAME,
                                 [wire_markdown("notes", EVIL_MARKDOWN, w=12)])
    page = tab.page

    page.goto(f"{server.url}/ui/d/{board}?token={server.token(project)}")
    assert page.url == f"{server.url}/ui/d/{board}"  # the token left the address bar
    [jar] = tab.context.cookies()
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

    tab.assert_clean(allowed=(server.url,))


def test_opening_the_servers_address_lands_on_the_ui(tab: Tab, server: Server,
                                                     project: str) -> None:
    board = server.make_dashboard(project, "Growth KPIs", GROWTH_TILES)
    page = tab.page
    page.goto(f"{server.url}/?token={server.token(project)}")
    assert page.url == f"{server.url}/ui/"
    assert page.locator("header.top h1").inner_text() == "Dashboards"
    page.locator("ul.list a", has_text="Growth KPIs").click()
    page.wait_for_load_state("load")
    assert page.url == f"{server.url}/ui/d/{board}"
    page.goto(server.url)  # later visits: the cookie is enough
    assert page.url == f"{server.url}/ui/"
    assert page.locator("ul.list a", has_text="Growth KPIs").count() == 1
    tab.assert_clean(allowed=(server.url,))
