"""docs/ci.md and the README agree with the action, the templates and the example repository."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.ci.actions_sim import load_yaml
from tests.support.cli import run, run_in
from tests.support.server import running_server

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ci.md").read_text("utf-8")
README = (ROOT / "README.md").read_text("utf-8")
TEMPLATES = ROOT / "examples" / "workflows"


def test_every_template_is_linked_and_described() -> None:
    for path in TEMPLATES.glob("*.yml"):
        assert f"(../examples/workflows/{path.name})" in DOC, path.name
        assert f"`{path.name}`" in README, path.name


def test_every_input_and_output_of_the_action_is_documented() -> None:
    action = load_yaml(ROOT / "action.yml")
    for name in (*action["inputs"], *action["outputs"]):
        assert f"| `{name}` |" in DOC, name


def test_the_secrets_are_named_like_the_example_repos_token_envs() -> None:
    environments = YAML(typ="safe").load(
        (ROOT / "dashboards" / "environments.yaml").read_text("utf-8"))["environments"]
    token_envs = {e["token_env"] for e in environments.values() if e.get("token_env")}
    assert token_envs == {"DASHCTL_TOKEN_STAGING", "DASHCTL_TOKEN_PRODUCTION"}
    for name in token_envs:
        assert f"| `{name}` |" in DOC
    assert "secrets[matrix.token_env]" in DOC


def test_links_point_at_files_that_exist() -> None:
    for target in re.findall(r"\]\((\.\./[^)#]+)\)", DOC):
        assert (ROOT / "docs" / target).resolve().is_file(), target
    for target in re.findall(r"\]\(((?:docs|examples|\.github)/[^)#]+)\)", README):
        assert (ROOT / target).is_file(), target


def test_the_modeline_reaches_the_schema_from_a_manifest() -> None:
    (path,) = re.findall(r"\$schema=(\.\./\.\./\S+)", DOC)
    assert (ROOT / "dashboards" / "base" / path).resolve().is_file()


def test_the_precommit_snippets_name_the_hook_and_a_pinned_revision() -> None:
    for text in (DOC, README):
        snippet = text[text.index("repos:\n"):].split("```", 1)[0]
        (repo,) = YAML(typ="safe").load(snippet)["repos"]
        assert repo["hooks"][0]["id"] == "dashctl-validate"
        assert re.fullmatch(r"[0-9a-f]{40}|v\d+", str(repo["rev"]))  # never a made-up v0.1.0


# --- the README's examples work as written ---------------------------------------------------


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)


def shipped_manifests(root: Path) -> Path:
    for folder in ("base", "staging", "production"):
        shutil.copytree(ROOT / "dashboards" / folder, root / folder)
    return root


def test_the_readme_environments_example_validates_with_the_shipped_manifests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (example,) = [b for b in yaml_blocks(README) if b.startswith("environments:")]
    root = shipped_manifests(tmp_path / "dashboards")
    (root / "environments.yaml").write_text(example, "utf-8")
    code, out, err = run(capsys, "--root", str(root), "validate")
    assert code == 0, out + err


def test_the_first_real_environment_plans_against_the_emulator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (entry,) = [b for b in yaml_blocks(README) if b.startswith("  dev:")]
    walkthrough = README.split("## A first real environment", 1)[1]
    assert "dashctl serve --db .dashctl/dev.db --port 8080 &" in walkthrough
    assert "$(dashctl token --project proj_dev)" in walkthrough
    assert "dashctl plan --env dev" in walkthrough
    root = shipped_manifests(tmp_path / "dashboards")
    shutil.copytree(ROOT / "dashboards" / "tenants", root / "tenants")  # the example fleet
    shutil.copy2(ROOT / "dashboards" / "tenants.yaml", root / "tenants.yaml")
    with running_server(tmp_path) as server:  # on a free port rather than 8080
        shutil.copy2(ROOT / "dashboards" / "environments.yaml", root / "environments.yaml")
        with (root / "environments.yaml").open("a", encoding="utf-8") as handle:
            handle.write(entry.replace("http://127.0.0.1:8080", server.url))
        monkeypatch.setenv("DASHCTL_TOKEN_DEV", server.token("proj_dev"))
        code, out, _ = run_in(capsys, root, "plan", "--env", "dev")
    assert code == 2, out  # everything to create
    assert "Growth KPIs" in out


def test_the_docs_show_the_action_by_tag_and_by_commit() -> None:
    for text in (DOC, README):
        assert "your-org/dashctl@v0" in text
        assert re.search(r"your-org/dashctl@[0-9a-f]{40} # v\d", text)
    assert "pip install dashctl" not in DOC + README  # no such package on any index


def test_the_applied_records_and_the_adopt_pull_requests_are_documented() -> None:
    drift = load_yaml(TEMPLATES / "dashboards-drift.yml")["jobs"]
    (fetch,) = [s for s in drift["drift"]["steps"] if s.get("name") == "Fetch the applied records"]
    refspec = "'+refs/dashctl/applied/*:refs/dashctl/applied/*'"
    assert f"git fetch --no-tags origin {refspec}" in fetch["run"]
    assert f"git fetch --no-tags origin {refspec}" in DOC  # as the templates run it
    for text in (DOC, README):
        assert "refs/dashctl/applied/<env>" in text or "refs/dashctl/applied/staging" in text
        assert "dashctl/adopt/<env>" in text
    assert "Allow GitHub Actions to create and approve pull requests" in DOC
    assert "41898282+github-actions[bot]@users.noreply.github.com" in DOC
    for job, permissions in {"apply": "`contents: write`", "adopt": "`contents: write`"}.items():
        (row,) = [line for line in DOC.splitlines() if line.startswith("|")
                  and f"`{job}` |" in line]
        assert permissions in row, row
