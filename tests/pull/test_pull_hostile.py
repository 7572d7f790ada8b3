"""`dashctl pull` of live state that a careless or hostile UI user made: it writes only
manifests that validate and plan empty, end to end on sqlite: environments."""

from __future__ import annotations

import pytest

from tests.pull.kit import OPS, ops_tiles, pull_repo
from tests.support.factories import wire_markdown
from tests.support.repo import RepoKit


def assert_valid_and_empty(repo: RepoKit, capsys: pytest.CaptureFixture[str], env: str) -> None:
    code, out, err = repo.run(capsys, "validate", "--env", env)
    assert code == 0, out + err
    code, out, err = repo.run(capsys, "plan", "--env", env)
    assert code == 0, out + err


def staging_files(repo: RepoKit) -> list[str]:
    return sorted(path.name for path in (repo.root / "staging").iterdir())


def test_a_literal_dollar_brace_is_written_escaped(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Cost: ${price} per ${unit}, $${kept} and $5 {x}\n"
    repo.create("Pricing ${region}", [wire_markdown("note", text, h=3)], env="staging")
    code, _, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 0, err
    written = repo.text("staging/pricing-region.yaml")
    assert "name: Pricing $${region}\n" in written
    assert "Cost: $${price} per $${unit}, $$${kept} and $5 {x}" in written
    assert_valid_and_empty(repo, capsys, "staging")
    code, out, err = repo.run(capsys, "pull", "--env", "staging")
    assert (code, out) == (0, ""), err  # and the next pull agrees


def test_a_tile_edit_holding_dollar_brace_in_an_existing_file(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.set_tiles("Ops", ops_tiles(runbook="Run ${script} now"), env="staging")
    code, _, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 0, err
    assert "content: Run $${script} now" in repo.text("staging/ops.yaml")
    assert_valid_and_empty(repo, capsys, "staging")


def test_a_300_character_name_gets_a_short_stable_file_name(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "Quarterly revenue by region and channel " * 8  # 320 characters
    repo.create(name, [wire_markdown("n", "x", h=3)], env="staging")
    code, _, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 0, err
    new = [file for file in staging_files(repo) if file.startswith("quarterly")]
    assert len(new) == 1
    assert len(new[0].encode()) <= 80
    assert new[0].startswith("quarterly-revenue-by-region-and-channel-")
    assert repo.text(f"staging/{new[0]}").count(name.strip()) == 1
    assert_valid_and_empty(repo, capsys, "staging")
    # the same name pulled into another repository gets the same file name
    other = pull_repo(repo.root.parent / "other")
    other.run(capsys, "apply", "--env", "staging", "--auto-approve")
    other.create(name, [wire_markdown("n", "x", h=3)], env="staging")
    assert other.run(capsys, "pull", "--env", "staging")[0] == 0
    assert new[0] in staging_files(other)


def test_two_live_dashboards_with_one_name_are_an_error_for_them(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.create("Twins", [wire_markdown("a", "one", h=3)], env="staging")
    repo.create("Twins", [wire_markdown("b", "two", h=3)], env="staging")
    repo.create("Single", [wire_markdown("c", "three", h=3)], env="staging")
    code, out, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 1
    assert "2 live dashboards are named 'Twins'" in err
    assert out == f"wrote {repo.root / 'staging' / 'single.yaml'}\n"
    assert [name for name in staging_files(repo) if "twins" in name] == []
    assert repo.run(capsys, "validate", "--env", "staging")[0] == 0


def test_a_ui_rename_with_a_tile_change_updates_the_same_file(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.rename("Ops", "On call", env="staging")
    errors, latency, _runbook = ops_tiles()
    repo.set_tiles("On call", [errors, latency], env="staging")  # the runbook removed
    code, out, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 0, err
    assert out == f"wrote {repo.root / 'staging' / 'ops.yaml'}\n"
    assert staging_files(repo) == ["ops.yaml"]
    text = repo.text("staging/ops.yaml")
    assert "name: On call\n" in text and "runbook" not in text
    assert_valid_and_empty(repo, capsys, "staging")


def test_a_pinned_ui_rename_with_new_tiles_updates_the_same_file(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    dashboard_id = repo.dashboard("Ops", env="staging")["id"]
    repo.put("staging/ops.yaml", OPS.replace("name: Ops\n", f"name: Ops\nid: {dashboard_id}\n"))
    repo.rename("Ops", "Incidents", env="staging")
    repo.set_tiles("Incidents", [wire_markdown("only", "all new", w=12, h=3)], env="staging")
    code, _, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 0, err
    assert staging_files(repo) == ["ops.yaml"]
    assert f"id: {dashboard_id}\n" in repo.text("staging/ops.yaml")
    assert_valid_and_empty(repo, capsys, "staging")


def test_a_live_name_the_api_would_now_refuse_is_not_written(
    repo: RepoKit, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.create("Bad\nname", [wire_markdown("n", "x", h=3)], env="staging")
    code, out, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 1 and out == ""
    assert "Bad\\nname" in err and "control character" in err
    assert staging_files(repo) == ["ops.yaml"]


@pytest.mark.parametrize("content", [
    "# Alert\n\x1b[31mred\x1b[0m\nline three\n",  # an escape sequence in multi-line content
    "one line \x07 with a bell",
    "carriage\r\nreturns\r\n",
])
def test_control_characters_are_written_escaped_and_the_file_validates(
    repo: RepoKit, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    repo.create("Alerts", [wire_markdown("note", content, h=3)], env="staging")
    code, _, err = repo.run(capsys, "pull", "--env", "staging")
    assert code == 0, err
    raw = (repo.root / "staging" / "alerts.yaml").read_bytes()
    assert not any(byte < 0x20 and byte not in b"\n" for byte in raw), raw
    assert_valid_and_empty(repo, capsys, "staging")
    repo.set_tiles("Alerts", [wire_markdown("note", content + "\x1b[1m!", h=3)], env="staging")
    code, _, err = repo.run(capsys, "pull", "--env", "staging")  # into the file written before
    assert code == 0, err
    assert_valid_and_empty(repo, capsys, "staging")
