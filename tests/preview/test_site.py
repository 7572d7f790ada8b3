"""`dashctl preview` end to end on disk: the site's files, filters and clean errors."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from reconciler.commands.preview import PreviewOptions, run
from reconciler.errors import ConfigError
from tests.preview.drawn import funnel_of, legend, notes, parse
from tests.preview.samples import funnel_tile, saved_plan
from tests.support.cli import run as run_cli
from tests.support.factories import insight, markdown
from tests.support.repo import RepoKit, write_repo

GROWTH = {"name": "Growth KPIs", "tiles": [insight("dau"), markdown("goals", "# Goals", x=6)]}
RETENTION = {"name": "Retention", "tiles": [insight("ret", viz="table", w=12)]}


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code, _, err = run_cli(capsys, "--no-color", *args)
    return code, err


def sample_repo(root: Path, dashboards: dict[str, dict[str, Any]],
                environments: tuple[str, ...] = ("local", "staging")) -> Path:
    """A repository with every dashboard in base/, and sqlite: environments."""
    return write_repo(root, {f"base/{name}.yaml": board for name, board in dashboards.items()},
                      environments={env: {"url": f"sqlite:.dashctl/{env}.db"}
                                    for env in environments})


def files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def test_site_has_an_index_and_a_page_per_dashboard_per_environment(tmp_path: Path) -> None:
    root = sample_repo(tmp_path / "repo", {"growth": GROWTH, "retention": RETENTION})
    out = tmp_path / "site"
    assert run(PreviewOptions(root=root, out=out)) == 0
    assert files(out) == [
        "index.html", "local/growth-kpis.html", "local/index.html", "local/retention.html",
        "staging/growth-kpis.html", "staging/index.html", "staging/retention.html"]
    index = (out / "index.html").read_text("utf-8")
    assert 'href="local/growth-kpis.html">Growth KPIs</a>' in index
    page = (out / "staging" / "growth-kpis.html").read_text("utf-8")
    assert 'data-tile-id="dau"' in page and "base/growth.yaml" in page
    assert page.count("<article") == 2
    env_page = (out / "local" / "index.html").read_text("utf-8")
    assert env_page.count("<article") == 3  # every dashboard of the environment on one page


def test_one_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = sample_repo(tmp_path / "repo", {"growth": GROWTH})
    code, err = cli(capsys, "--root", str(root), "preview", "--env", "staging",
                    "--out", str(tmp_path / "site"))
    assert code == 0, err
    assert files(tmp_path / "site") == [
        "index.html", "staging/growth-kpis.html", "staging/index.html"]


def test_bad_repo_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = cli(capsys, "--root", str(tmp_path / "nowhere"), "preview",
                    "--out", str(tmp_path / "site"))
    assert code == 1
    assert err.startswith("error: ") and "Traceback" not in err


def test_unknown_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = sample_repo(tmp_path / "repo", {"growth": GROWTH})
    code, err = cli(capsys, "--root", str(root), "preview", "--env", "nope",
                    "--out", str(tmp_path / "site"))
    assert code == 1 and err.startswith("error: ")


def test_a_broken_manifest_is_reported_and_the_rest_drawn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = sample_repo(tmp_path / "repo", {"growth": GROWTH}, environments=("local",))
    (root / "base" / "broken.yaml").write_text("name: Broken\ntiles: [{id: x}]\n", "utf-8")
    code, err = cli(capsys, "--root", str(root), "preview", "--out", str(tmp_path / "site"))
    assert code == 1
    assert "broken.yaml" in err
    assert (tmp_path / "site" / "local" / "growth-kpis.html").exists()
    assert "broken.yaml" in (tmp_path / "site" / "local" / "index.html").read_text("utf-8")


def test_plan_preview_filters_environments(tmp_path: Path) -> None:
    plan = saved_plan(tmp_path / "plan.json")
    out = tmp_path / "site"
    assert run(PreviewOptions(root=tmp_path, envs=("staging",), plan_file=plan, out=out)) == 0
    assert files(out) == ["index.html", "staging/activation-funnel.html",
                          "staging/growth-kpis.html", "staging/index.html",
                          "staging/old-board.html"]
    page = (out / "staging" / "activation-funnel.html").read_text("utf-8")
    assert "Activation &lt;Funnel&gt;" in page and "does not exist yet" in page
    assert "deleted" in (out / "staging" / "old-board.html").read_text("utf-8")
    with pytest.raises(ConfigError, match="no environment 'nope'"):
        run(PreviewOptions(root=tmp_path, envs=("nope",), plan_file=plan, out=out))


@pytest.mark.parametrize("content,message", [
    ("not json", "cannot read saved plan"),
    (json.dumps({"formatVersion": 1, "environments": []}), "not a saved dashctl plan"),
    (json.dumps({"formatVersion": 9, "kind": "dashctl.plan", "environments": []}),
     "unsupported plan formatVersion"),
])
def test_bad_plan_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str,
                        message: str) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(content, "utf-8")
    code, err = cli(capsys, "preview", "--plan", str(plan), "--out", str(tmp_path / "site"))
    assert code == 1 and message in err


def test_plan_preview_of_a_live_funnel_end_to_end(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """apply, a UI adds a funnel tile dashctl does not model, git changes a chart: the saved
    plan's before | after pages draw both sides, the funnel never growing, every number
    marked as sample data, still with no script and nothing fetched."""
    kit = RepoKit(tmp_path / "repo", {"test": {"url": "sqlite:state.db"}})
    kit.write("growth", {"name": "Growth KPIs", "tiles": [
        insight("dau", events=("page_view", "signup")), markdown("goals", "# Goals", x=6)]})
    assert kit.run(capsys, "apply", "--env", "test", "--auto-approve")[0] == 0
    live = kit.dashboard("Growth KPIs")["tiles"]
    steps = [{"event": "signup"}, {"event": "project_created"}, {"event": "invited"}]
    kit.set_tiles("Growth KPIs", [*live, funnel_tile("activation", steps) | {
        "position": {"x": 0, "y": 4, "w": 12, "h": 4}}])
    kit.write("growth", {"name": "Growth KPIs", "tiles": [
        insight("dau", events=("page_view", "signup", "purchase")),
        markdown("goals", "# Goals", x=6)]})
    plan = tmp_path / "plan.json"
    code, _, err = kit.run(capsys, "plan", "--env", "test", "--out", str(plan))
    assert code == 2, err
    out = tmp_path / "site"
    code, _, err = kit.run(capsys, "preview", "--plan", str(plan), "--out", str(out))
    assert code == 0, err

    page = (out / "test" / "growth-kpis.html").read_text("utf-8")
    assert len(notes(page)) == 1
    sides = [{node.attrs["data-tile-id"]: node for node in side.find("article")}
             for side in parse(page).find(cls="side")]
    assert [side["dau"].attrs.get("data-mark") for side in sides] == ["~", "~"]
    for drawn in sides:
        assert sorted(drawn) == ["activation", "dau", "goals"]
        for tile_id in ("activation", "dau"):
            assert [n.all_text() for n in drawn[tile_id].find(cls="sample")] == ["sample data"]
        assert drawn["goals"].find(cls="sample") == []
        funnel = funnel_of(drawn["activation"])
        assert [step.label for step in funnel] == ["signup", "project_created", "invited"]
        assert all(later.count <= earlier.count for earlier, later in pairwise(funnel))
    before, after = ([name for name, _ in legend(side["dau"])] for side in sides)
    assert (before, after) == (["page_view", "signup"], ["page_view", "signup", "purchase"])
    for tag, attrs in ((n.tag, n.attrs) for n in parse(page).find()):
        assert tag not in ("script", "iframe", "img", "object", "embed")
        assert not (attrs.get("src") or attrs.get("href") or "").startswith(("http", "//"))
