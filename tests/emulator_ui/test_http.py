"""The read-only UI of a real `dashctl serve`, over HTTP on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

import httpx
import pytest

from reconciler.emulator.auth import mint_token
from tests.emulator_ui.conftest import (
    EVIL_MARKDOWN,
    EVIL_NAME,
    GROWTH_TILES,
    alg_none_token,
    cookie,
)
from tests.preview.drawn import drawn_funnel, legend, tiles_of
from tests.preview.samples import funnel_tile
from tests.support.factories import wire_insight, wire_markdown
from tests.support.server import SECRET, Server

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def get(server: Server, path: str, token: str | None = None, *,
        follow_redirects: bool = False) -> httpx.Response:
    """GET a UI page, with ``token`` as the cookie if given."""
    headers = cookie(token) if token else {}
    return httpx.get(f"{server.url}{path}", headers=headers, follow_redirects=follow_redirects)


def assert_html(response: httpx.Response) -> None:
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp


def test_query_token_sets_the_cookie_and_redirects_without_it(server: Server,
                                                               project: str) -> None:
    token = server.token(project)
    answer = get(server, f"/ui/?project={project}&token={token}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/ui/?project={project}"
    set_cookie = answer.headers["set-cookie"]
    assert set_cookie.startswith(f"dashctl_token={token};")
    attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")}
    assert {"httponly", "samesite", "path", "max-age"} <= attributes
    assert "SameSite=Strict" in set_cookie and "Path=/ui" in set_cookie
    max_age = re.search(r"Max-Age=(\d+)", set_cookie)
    assert max_age is not None and int(max_age[1]) > 3000
    assert token not in answer.text

    board = server.make_dashboard(project, "Growth KPIs", GROWTH_TILES)
    with httpx.Client(base_url=server.url, follow_redirects=True) as browser:
        page = browser.get(f"/ui/d/{board}", params={"token": token})
        assert [r.status_code for r in page.history] == [303]
        assert page.status_code == 200
        assert str(page.url) == f"{server.url}/ui/d/{board}"
        assert token not in page.text
        again = browser.get("/ui/")  # the cookie alone from now on
        assert again.status_code == 200 and f"/ui/d/{board}" in again.text


def test_index_lists_the_projects_dashboards(server: Server, project: str) -> None:
    first = server.make_dashboard(project, "Growth KPIs", GROWTH_TILES)
    second = server.make_dashboard(project, "Activation", [wire_insight("funnel")])
    page = get(server, "/ui/", server.token(project))
    assert page.status_code == 200
    assert_html(page)
    assert f'href="/ui/d/{first}"' in page.text and f'href="/ui/d/{second}"' in page.text
    assert "Growth KPIs" in page.text and "Activation" in page.text
    assert "2 dashboard(s)" in page.text
    head = httpx.head(f"{server.url}/ui/", headers=cookie(server.token(project)))
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(page.content)


def test_dashboard_page_draws_the_stored_tiles_on_the_grid(server: Server, project: str) -> None:
    board = server.make_dashboard(project, "Growth KPIs", GROWTH_TILES)
    page = get(server, f"/ui/d/{board}", server.token(project))
    assert page.status_code == 200
    assert_html(page)
    text = page.text
    assert "<h1>Growth KPIs</h1>" in text
    assert 'class="grid" data-column="88"' in text
    for tile in GROWTH_TILES:
        position = tile["position"]
        assert (f'data-tile-id="{tile["id"]}" data-x="{position["x"]}" data-y="{position["y"]}" '
                f'data-w="{position["w"]}" data-h="{position["h"]}"') in text
    assert text.count('<svg class="chart"') == 3
    assert "<h1>Weekly goals</h1>" in text  # markdown rendered
    assert 'href="/ui/"' in text  # back to the index

    missing = get(server, "/ui/d/dash_0000000000000000", server.token(project))
    assert missing.status_code == 404
    assert_html(missing)
    assert "data-tile-id" not in missing.text


def test_projects_are_isolated(server: Server, project: str) -> None:
    board = server.make_dashboard(project, "Secret board", [wire_insight("secret_tile")])
    other = server.token(f"{project}_other")
    index = get(server, "/ui/", other)
    assert index.status_code == 200
    assert "Secret board" not in index.text and board not in index.text
    page = get(server, f"/ui/d/{board}", other)
    assert page.status_code == 404 and "secret_tile" not in page.text

    for path in (f"/ui/?project={project}", f"/ui/d/{board}?project={project}"):
        refused = get(server, path, other)
        assert refused.status_code == 403
        assert_html(refused)
        assert "Secret board" not in refused.text and "secret_tile" not in refused.text
    ungranted = get(server, f"/ui/?token={other}&project={project}", follow_redirects=True)
    assert ungranted.status_code == 403


BAD_TOKENS: dict[str, Callable[[str], str]] = {
    "malformed": lambda project: "not.a.jwt",
    "wrong signature": lambda project: mint_token(secret="another-secret", project=project),
    "expired": lambda project: mint_token(secret=SECRET, project=project, ttl=-60),
    "alg none": alg_none_token,
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_bad_tokens_get_401_and_no_data(server: Server, project: str, kind: str) -> None:
    board = server.make_dashboard(project, "Growth KPIs", GROWTH_TILES)
    token = BAD_TOKENS[kind](project)
    as_query = get(server, f"/ui/d/{board}?token={token}")
    as_cookie = get(server, f"/ui/d/{board}", token)
    for answer in (as_query, as_cookie):
        assert answer.status_code == 401, kind
        assert_html(answer)
        assert "Growth KPIs" not in answer.text and "data-tile-id" not in answer.text
        assert token not in answer.text and "location" not in answer.headers
    assert f"dashctl_token={token}" not in as_query.headers.get("set-cookie", "")
    assert "Max-Age=0" in as_cookie.headers["set-cookie"]  # the stale cookie is dropped


def test_no_token_gets_401(server: Server, project: str) -> None:
    server.make_dashboard(project, "Growth KPIs", GROWTH_TILES)
    answer = get(server, f"/ui/?project={project}")
    assert answer.status_code == 401
    assert "Growth KPIs" not in answer.text


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_read_only(server: Server, project: str, method: str) -> None:
    board = server.make_dashboard(project, "Growth KPIs", GROWTH_TILES)
    token = server.token(project)
    answer = httpx.request(method, f"{server.url}/ui/d/{board}", headers=cookie(token),
                           content=b'{"name": "changed"}')
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD"
    assert_html(answer)
    stored = server.ok("Get", {"id": board}, project=project)["dashboard"]
    assert stored["name"] == "Growth KPIs" and len(stored["tiles"]) == len(GROWTH_TILES)


def test_names_and_markdown_are_escaped(server: Server, project: str) -> None:
    board = server.make_dashboard(project, EVIL_NAME,
                           [wire_markdown("notes", EVIL_MARKDOWN, w=12, h=6)])
    token = server.token(project)
    for path in ("/ui/", f"/ui/d/{board}"):
        page = get(server, path, token)
        assert page.status_code == 200
        lowered = page.text.lower()
        assert "<script" not in lowered and "<img" not in lowered
        assert not re.search(r"""href=["']?\s*javascript:""", lowered)
        assert "&lt;script&gt;window.__pwned=&#x27;name&#x27;&lt;/script&gt;" in page.text
        assert "&amp; &quot;quotes&quot;" in page.text
    page = get(server, f"/ui/d/{board}", token)
    assert "&lt;script&gt;window.__pwned = 'script'&lt;/script&gt;" in page.text


def test_root_leads_a_browser_to_the_ui(server: Server, project: str) -> None:
    board = server.make_dashboard(project, "Growth KPIs", GROWTH_TILES)
    token = server.token(project)
    first = httpx.get(f"{server.url}/?project={project}&token={token}")
    assert first.status_code in (302, 303, 307)
    assert first.headers["location"] == f"/ui/?project={project}&token={token}"
    assert first.headers["cache-control"] == "no-store"  # it may carry a token

    with httpx.Client(base_url=server.url, follow_redirects=True) as browser:
        page = browser.get("/", params={"token": token})
        assert [r.status_code for r in page.history] == [first.status_code, 303]
        assert page.status_code == 200 and str(page.url) == f"{server.url}/ui/"
        assert_html(page)
        assert "<h1>Dashboards</h1>" in page.text and f'href="/ui/d/{board}"' in page.text
        assert token not in page.text
        again = browser.get("/")  # the cookie alone, once the token was given
        assert again.status_code == 200 and f'href="/ui/d/{board}"' in again.text

    bare = httpx.get(f"{server.url}/", follow_redirects=True)  # no token yet: the UI says how
    assert str(bare.url) == f"{server.url}/ui/" and bare.status_code == 401
    assert_html(bare)
    assert "dashctl token" in bare.text
    head = httpx.head(f"{server.url}/")
    assert head.status_code == first.status_code and head.headers["location"] == "/ui/"


def test_root_redirect_leaves_the_connect_routes_as_they_were(server: Server,
                                                              project: str) -> None:
    board = server.make_dashboard(project, "Growth KPIs", GROWTH_TILES)
    listed = server.ok("List", project=project)["dashboards"]
    assert [d["id"] for d in listed] == [board]
    got = server.ok("Get", {"id": board}, project=project)["dashboard"]
    assert [t["id"] for t in got["tiles"]] == [t["id"] for t in GROWTH_TILES]
    for method in ("POST", "PUT", "DELETE"):  # only a browser's GET or HEAD is redirected
        answer = httpx.request(method, f"{server.url}/", json={})
        assert answer.status_code == 404 and answer.json()["code"] == "unimplemented", method
    unknown = httpx.post(server.rpc_url("Rename"), json={}, headers=server.headers(project))
    assert unknown.status_code == 404 and unknown.json()["code"] == "unimplemented"
    refused = httpx.post(server.rpc_url("List"), json={})  # no token
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"


def test_dashboard_page_marks_sample_data_names_series_and_draws_funnels(
    newer_server: Server, project: str
) -> None:
    steps = [{"event": "signup"}, {"event": "project_created"}, {"event": "teammate_invited"}]
    tiles = [
        wire_insight("dau", events=["page_view", "signup"]),
        wire_markdown("goals", "# Goals", x=6),
        funnel_tile("activation", steps) | {"position": {"x": 0, "y": 4, "w": 12, "h": 4}},
    ]
    board = newer_server.make_dashboard(project, "Activation", tiles)
    page = get(newer_server, f"/ui/d/{board}", newer_server.token(project))
    assert page.status_code == 200
    assert_html(page)
    assert 'class="sample-note"' in page.text
    drawn = tiles_of(page.text)
    assert [node.all_text() for node in drawn["dau"].find(cls="sample")] == ["sample data"]
    assert [node.all_text() for node in drawn["activation"].find(cls="sample")] == [
        "sample data"]
    assert drawn["goals"].find(cls="sample") == []
    assert [name for name, _ in legend(drawn["dau"])] == ["page_view", "signup"]
    funnel = drawn_funnel(page.text, "activation")
    assert [step.label for step in funnel] == ["signup", "project_created", "teammate_invited"]
    assert all(later.count <= earlier.count for earlier, later in pairwise(funnel))
