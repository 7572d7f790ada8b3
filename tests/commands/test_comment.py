"""`dashctl comment`: one sticky plan comment per environment, against a fake GitHub.

The GitHub side is a real HTTP server on 127.0.0.1 (tests/ci/fake_github.py);
the plan side is the real plan engine over two in-process emulator
environments, driven through the CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.api.github import GitHubSettings, github_client, upsert_sticky_comment
from reconciler.commands import comment as comment_module
from reconciler.report.comment import TRUNCATED_NOTE, cap_body
from reconciler.report.plan_markdown import COMMENT_CAP, marker
from tests.ci.conftest import ENVIRONMENTS, PR, REPO, TOKEN, make_repo
from tests.report.commonmark import assert_valid_github_markdown, html_of, paragraphs
from tests.support.cli import run_in
from tests.support.factories import insight, markdown
from tests.support.fake_github import FakeGitHub
from tests.support.repo import dump_yaml, write_repo

HUMAN = [
    "LGTM, but see the plan below.",
    f"> {marker('staging')}\n> quoting the bot is not being the bot",
    f"{marker('staging-eu')}\nsomeone else's environment",
]


def marked(github: FakeGitHub) -> dict[str, dict[str, object]]:
    """The bot's comments on the PR by environment; fails on a duplicate."""
    found: dict[str, dict[str, object]] = {}
    for item in github.comments[(REPO, PR)]:
        first = str(item["body"]).split("\n", 1)[0]
        for name in ENVIRONMENTS:
            if first == marker(name):
                assert name not in found, f"two comments for {name}"
                found[name] = item
    return found


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "dashboards")


# --- end to end, through the CLI and the real plan engine ---------------------------


def test_one_comment_per_environment_created_then_updated_in_place(
    repo: Path, github_env: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    github = github_env
    for body in HUMAN:
        github.add_comment(REPO, PR, body)

    code, out, err = run_in(capsys, repo, "comment", "--pr", str(PR))
    assert (code, err) == (0, "")  # the plan has changes (exit 2): commenting succeeded
    assert out.splitlines() == [
        f"{name}: plan comment created on {REPO}#{PR}" for name in ENVIRONMENTS]
    first = marked(github)
    assert set(first) == set(ENVIRONMENTS)
    ids = {name: item["id"] for name, item in first.items()}
    for name, item in first.items():
        body = str(item["body"])
        assert body.startswith(marker(name) + "\n")
        assert "Growth KPIs" in body
        assert len(body) <= COMMENT_CAP

    # The same push again: nothing to write.
    posts, patches = github.count("POST"), github.count("PATCH")
    code, out, _ = run_in(capsys, repo, "comment", "--pr", str(PR))
    assert code == 0
    assert out.splitlines() == [
        f"{name}: plan comment unchanged on {REPO}#{PR}" for name in ENVIRONMENTS]
    assert (github.count("POST"), github.count("PATCH")) == (posts, patches)

    # A new push changes the plan: both comments are edited, none added.
    dump_yaml(repo / "base" / "growth.yaml", {"name": "Growth KPIs", "tiles": [
        insight("dau"), markdown("goals", "# Weekly Goals"),
        insight("signups", y=4, events="signup")]})
    code, out, _ = run_in(capsys, repo, "comment", "--pr", str(PR))
    assert code == 0
    assert out.splitlines() == [
        f"{name}: plan comment updated on {REPO}#{PR}" for name in ENVIRONMENTS]
    assert github.count("POST") == posts
    after = marked(github)
    assert {name: item["id"] for name, item in after.items()} == ids
    assert all("signups" in str(item["body"]) for item in after.values())

    # Everybody else's comments are exactly as they were, and never written to.
    mine = set(ids.values())
    others = [c for c in github.comments[(REPO, PR)] if c["id"] not in mine]
    assert [c["body"] for c in others] == HUMAN
    patched = {int(target.rsplit("/", 1)[1]) for m, target in github.requests if m == "PATCH"}
    assert patched == mine
    assert len(github.comments[(REPO, PR)]) == len(HUMAN) + len(ENVIRONMENTS)


def test_applying_one_environment_updates_only_its_comment(
    repo: Path, github_env: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_in(capsys, repo, "comment", "--pr", str(PR))[0] == 0
    before = {name: str(item["body"]) for name, item in marked(github_env).items()}

    assert run_in(capsys, repo, "apply", "--env", "staging", "--auto-approve")[0] == 0
    code, out, _ = run_in(capsys, repo, "comment", "--pr", str(PR))
    assert code == 0
    assert out.splitlines() == [
        f"staging: plan comment updated on {REPO}#{PR}",
        f"production: plan comment unchanged on {REPO}#{PR}",
    ]
    after = {name: str(item["body"]) for name, item in marked(github_env).items()}
    assert after["production"] == before["production"]
    assert after["staging"] != before["staging"]
    assert "No changes" in after["staging"]


def test_env_selects_the_one_comment_to_write(
    repo: Path, github_env: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_in(capsys, repo, "comment", "--pr", str(PR), "--env", "production")
    assert code == 0
    assert out == f"production: plan comment created on {REPO}#{PR}\n"
    assert set(marked(github_env)) == {"production"}


def test_a_big_plan_fits_in_one_comment(
    repo: Path, github_env: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    words = "lorem ipsum dolor sit amet " * 8
    for index in range(40):  # about 4,500 characters each: twice the cap
        dump_yaml(repo / "base" / f"board-{index:03}.yaml", {
            "name": f"Board {index:03} {words}"[:120],
            "tiles": [insight(f"t{n}", x=(n % 2) * 6, y=(n // 2) * 4) for n in range(12)]})
    code, _, _ = run_in(capsys, repo, "comment", "--pr", str(PR), "--env", "staging")
    assert code == 0
    body = str(marked(github_env)["staging"]["body"])
    assert body.startswith(marker("staging") + "\n")
    assert COMMENT_CAP - 5_000 < len(body) <= COMMENT_CAP  # filled, not overflowed


# --- the exit code and failures --------------------------------------------------------


@pytest.mark.parametrize("variable", ["GITHUB_TOKEN", "GITHUB_REPOSITORY"])
def test_a_missing_variable_is_one_clean_error_naming_it(
    repo: Path, github_env: FakeGitHub, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, variable: str,
) -> None:
    monkeypatch.delenv(variable)
    code, out, err = run_in(capsys, repo, "comment", "--pr", str(PR))
    assert code == 1
    assert out == ""
    assert err.startswith(f"error: {variable} is not set")
    assert len(err.splitlines()) == 1
    assert TOKEN not in err
    assert github_env.requests == []


def test_the_token_is_never_printed(
    repo: Path, github_env: FakeGitHub, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outputs = [run_in(capsys, repo, "-vv", "comment", "--pr", str(PR))]
    # The fake answers 401 and echoes the header it got: still not printed.
    github_env.token = "ghs_TheTokenTheFakeWantsInstead"
    outputs.append(run_in(capsys, repo, "-vv", "comment", "--pr", str(PR)))
    assert outputs[0][0] == 0
    assert outputs[1][0] == 1
    assert "401" in outputs[1][2]
    for _, out, err in outputs:
        assert TOKEN not in out + err


def test_a_failed_post_still_writes_the_others_and_exits_1(
    repo: Path, github_env: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    github_env.fail_next("POST", 422)
    code, out, err = run_in(capsys, repo, "comment", "--pr", str(PR))
    assert code == 1
    assert out == f"production: plan comment created on {REPO}#{PR}\n"
    assert err.startswith(f"error: staging: GitHub POST /repos/{REPO}/issues/{PR}/comments: 422")
    assert set(marked(github_env)) == {"production"}


def test_a_plan_error_is_posted_and_exits_1(
    tmp_path: Path, github_env: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = f"{marker('staging')}\n### dashctl plan: `staging`\n**Errors**\n"
    monkeypatch.setattr(comment_module, "plan_markdown_by_environment",
                        lambda options: ({"staging": body}, 1))
    assert comment_module.run(comment_module.CommentOptions(root=tmp_path, pr=PR)) == 1
    assert github_env.bodies(REPO, PR) == [body]


def test_changes_alone_exit_0(
    tmp_path: Path, github_env: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(comment_module, "plan_markdown_by_environment",
                        lambda options: ({"staging": f"{marker('staging')}\nchanges"}, 2))
    options = comment_module.CommentOptions(root=tmp_path, pr=PR, envs=("staging",))
    assert comment_module.run(options) == 0


def test_an_oversized_body_is_capped_before_posting(
    tmp_path: Path, github_env: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = f"{marker('staging')}\n<details><summary>x</summary>\n\n```diff\n" + "+ t\n" * 40_000
    monkeypatch.setattr(comment_module, "plan_markdown_by_environment",
                        lambda options: ({"staging": huge}, 2))
    options = comment_module.CommentOptions(root=tmp_path, pr=PR, envs=("staging",))
    assert comment_module.run(options) == 0
    (posted,) = github_env.bodies(REPO, PR)
    assert len(posted) <= 65_000
    assert posted.startswith(marker("staging") + "\n")
    assert posted.endswith("```\n</details>\n" + TRUNCATED_NOTE)


# --- upsert_sticky_comment and cap_body on their own --------------------------------------


def _no_wait(seconds: float) -> None:
    """The sleep of a client that never needs to retry here."""


def test_upsert_creates_then_updates_then_leaves_alone(github: FakeGitHub) -> None:
    tag = marker("staging")
    settings = GitHubSettings(token=TOKEN, repository=REPO, api_url=github.url)
    for index in range(3):
        github.add_comment(REPO, PR, f"chatter {index}")
    with github_client(settings, sleep=_no_wait) as client:
        assert upsert_sticky_comment(client, REPO, PR, tag, f"{tag}\none") == "created"
        assert upsert_sticky_comment(client, REPO, PR, tag, f"{tag}\ntwo") == "updated"
        patches = github.count("PATCH")
        assert upsert_sticky_comment(client, REPO, PR, tag, f"{tag}\ntwo") == "unchanged"
        assert github.count("PATCH") == patches
    assert github.bodies(REPO, PR) == ["chatter 0", "chatter 1", "chatter 2", f"{tag}\ntwo"]


def test_upsert_finds_its_comment_on_a_later_page(github: FakeGitHub) -> None:
    tag = marker("production")
    settings = GitHubSettings(token=TOKEN, repository=REPO, api_url=github.url)
    for index in range(5):
        github.add_comment(REPO, PR, f"chatter {index}")
    mine = github.add_comment(REPO, PR, f"{tag}\nold", user="github-actions[bot]")
    with github_client(settings, sleep=_no_wait) as client:
        assert upsert_sticky_comment(client, REPO, PR, tag, f"{tag}\nnew") == "updated"
    assert [t for m, t in github.requests if m == "PATCH"] == [
        f"/repos/{REPO}/issues/comments/{mine}"]


def test_upsert_refuses_a_body_without_its_marker(github: FakeGitHub) -> None:
    settings = GitHubSettings(token=TOKEN, repository=REPO, api_url=github.url)
    with (github_client(settings, sleep=_no_wait) as client,
          pytest.raises(ValueError, match="marker")):
        upsert_sticky_comment(client, REPO, PR, marker("staging"), "no marker here")
    assert github.requests == []


def test_cap_body_leaves_short_bodies_alone() -> None:
    assert cap_body("short", limit=10) == "short"


@pytest.mark.parametrize("limit", [200, 1_000, 65_000])
def test_cap_body_cuts_at_a_line_and_closes_blocks(limit: int) -> None:
    body = "<!-- m -->\n<details>\n\n```diff\n" + "".join(f"+ line {n}\n" for n in range(20_000))
    capped = cap_body(body, limit=limit)
    assert len(capped) <= limit
    assert capped.startswith("<!-- m -->\n<details>\n\n```diff\n+ line 0\n")
    kept = capped.removesuffix("```\n</details>\n" + TRUNCATED_NOTE)
    assert kept != capped
    assert kept.endswith("\n") and body.startswith(kept)


# --- the whole comment renders on GitHub ------------------------------------------------

SHA = "0123456789abcdef0123456789abcdef01234567"
RUN_URL = f"https://github.com/{REPO}/actions/runs/4242"


@pytest.fixture
def in_actions(github_env: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    """The run's variables too: each comment gets the footer with the commit and run link."""
    monkeypatch.setenv("GITHUB_SHA", SHA)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    return github_env


def assert_renders_on_github(body: str) -> None:
    """Valid GitHub markdown whose last paragraph is the footer, with a real link."""
    assert len(body) <= COMMENT_CAP
    assert_valid_github_markdown(body)
    footer = paragraphs(body)[-1]
    assert footer.content == f"_Planned at commit `{SHA[:12]}` · [CI run 4242]({RUN_URL})._"
    links = [child.attrs["href"] for child in footer.children or [] if child.type == "link_open"]
    assert links == [RUN_URL]
    assert f'<a href="{RUN_URL}">CI run 4242</a>' in html_of(body)


def test_a_comment_with_changes_renders_with_its_footer(
    tmp_path: Path, in_actions: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = write_repo(tmp_path / "dashboards", {
        "base/growth.yaml": {"name": "Growth KPIs", "tiles": [insight("dau"), markdown("goals")]},
        "base/old.yaml": {"name": "Old board", "tiles": [insight("x")]},
    }, environments={"staging": {"url": "sqlite:staging.db", "prune": True}})
    assert run_in(capsys, repo, "apply", "--env", "staging", "--auto-approve")[0] == 0
    (repo / "base" / "old.yaml").unlink()
    dump_yaml(repo / "base" / "growth.yaml", {"name": "Growth KPIs", "tiles": [
        insight("dau", w=4), markdown("goals", "# Q4 goals"), insight("wau", y=4)]})
    dump_yaml(repo / "base" / "new.yaml", {"name": "Activation", "tiles": [insight("funnel")]})

    assert run_in(capsys, repo, "comment", "--pr", str(PR))[0] == 0
    (body,) = in_actions.bodies(REPO, PR)
    assert body.count("<details>") == body.count("</details>") == 3  # create, update, delete
    assert_renders_on_github(body)


def test_a_plan_cut_to_fit_renders_with_its_note_and_footer(
    repo: Path, in_actions: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    for index in range(40):
        dump_yaml(repo / "base" / f"board-{index:03}.yaml", {
            "name": f"Board {index:03} " + "lorem ipsum " * 10,
            "tiles": [insight(f"t{n}", x=(n % 2) * 6, y=(n // 2) * 4) for n in range(12)]})
    assert run_in(capsys, repo, "comment", "--pr", str(PR), "--env", "staging")[0] == 0
    (body,) = in_actions.bodies(REPO, PR)
    assert_renders_on_github(body)
    assert any("cut to fit" in paragraph.content for paragraph in paragraphs(body))


def test_a_body_capped_by_comment_renders_with_its_note_and_footer(
    tmp_path: Path, in_actions: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = (f"{marker('staging')}\n<details><summary>x</summary>\n\n```diff\n"
            + "+ t\n" * 40_000)
    monkeypatch.setattr(comment_module, "plan_markdown_by_environment",
                        lambda options: ({"staging": huge}, 2))
    options = comment_module.CommentOptions(root=tmp_path, pr=PR, envs=("staging",))
    assert comment_module.run(options) == 0
    (body,) = in_actions.bodies(REPO, PR)
    assert_renders_on_github(body)
    assert any("Cut to fit GitHub" in paragraph.content for paragraph in paragraphs(body))


PREVIEW_URL = "https://github.com/acme/dashboards/actions/runs/4242/artifacts/77"


def test_the_footer_links_the_preview_of_the_plan(
    repo: Path, in_actions: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_in(capsys, repo, "comment", "--pr", str(PR), "--env", "staging",
                          "--preview-url", PREVIEW_URL)
    assert (code, err) == (0, "")
    (body,) = in_actions.bodies(REPO, PR)
    assert_valid_github_markdown(body)
    footer = paragraphs(body)[-1]
    assert footer.content == (f"_Planned at commit `{SHA[:12]}` · [CI run 4242]({RUN_URL})"
                              f" · [layout preview, before and after]({PREVIEW_URL})._")
    links = [child.attrs["href"] for child in footer.children or [] if child.type == "link_open"]
    assert links == [RUN_URL, PREVIEW_URL]


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "ftp://host/x", "https://x/a)(b", "https://x/a b",
    "https://x/\n[evil](https://e)", "https://x/<b>", "https://", "https://x/`y`",
])
def test_a_preview_url_that_is_not_a_plain_link_is_refused(
    repo: Path, in_actions: FakeGitHub, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code, _, err = run_in(capsys, repo, "comment", "--pr", str(PR), "--env", "staging",
                            "--preview-url", url)
    assert code == 1
    assert err.startswith("error: --preview-url: ") and err.count("\n") == 1
    assert "\n[evil]" not in err
    assert in_actions.bodies(REPO, PR) == []
