"""The UI in headless Chromium (Debian's package, driven by Playwright): clean, no script runs."""

from __future__ import annotations

import pytest

from tests.emulator_ui.conftest import EVIL_MARKDOWN, EVIL_NAME, GROWTH_TILES
from tests.preview.drawn import assert_seen, labels
from tests.preview.samples import funnel_tile
from tests.support.browser import Tab
from tests.support.factories import wire_insight, wire_markdown
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


def test_the_ui_says_which_numbers_are_samples(tab: Tab, newer_server: Server,
                                               project: str) -> None:
    tiles = [
        wire_insight("dau", events=["page_view", "signup"]),
        wire_insight("revenue", x=6, w=1, h=1, viz="kpi"),
        wire_markdown("goals", "# Goals", x=7, w=5),
        funnel_tile("activation", ["signup", "invite"]) | {
            "position": {"x": 0, "y": 4, "w": 6, "h": 3}},
    ]
    board = newer_server.make_dashboard(project, "Activation", tiles)
    tab.page.goto(f"{newer_server.url}/ui/d/{board}?token={newer_server.token(project)}")
    assert "sample data" in tab.page.locator(".sample-note").inner_text()
    found = labels(tab)
    for tile_id in ("dau", "revenue", "activation"):
        [label] = found[tile_id]["sample"]
        assert label["text"] == "sample data"
        assert_seen(label, f"the sample label of {tile_id}")
    assert found["goals"]["sample"] == []
    assert [entry["text"] for entry in found["dau"]["legend"]] == ["page_view", "signup"]
    tab.assert_clean(allowed=(newer_server.url,))
