"""docs/ci.md agrees with the workflows and the example repository it describes."""

from __future__ import annotations

import re
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ci.md").read_text("utf-8")
WORKFLOWS = ROOT / ".github" / "workflows"


def secrets_used() -> set[str]:
    text = "".join(p.read_text("utf-8") for p in WORKFLOWS.glob("*.yml"))
    return set(re.findall(r"secrets\.(\w+)", text))


def test_every_secret_the_workflows_read_is_documented() -> None:
    assert secrets_used() == {"DASHCTL_TOKEN_STAGING", "DASHCTL_TOKEN_PRODUCTION"}
    for name in secrets_used():
        assert f"`{name}`" in DOC


def test_the_secrets_are_the_example_repos_token_env_names() -> None:
    environments = YAML(typ="safe").load(
        (ROOT / "dashboards" / "environments.yaml").read_text("utf-8"))["environments"]
    token_envs = {e["token_env"] for e in environments.values() if e.get("token_env")}
    assert token_envs == secrets_used()


def test_links_point_at_files_that_exist() -> None:
    for target in re.findall(r"\]\((\.\./[^)#]+)\)", DOC):
        assert (ROOT / "docs" / target).resolve().is_file(), target


def test_the_modeline_reaches_the_schema_from_a_manifest() -> None:
    (path,) = re.findall(r"\$schema=(\.\./\.\./\S+)", DOC)
    assert (ROOT / "dashboards" / "base" / path).resolve().is_file()


def test_the_precommit_snippet_names_the_hook() -> None:
    snippet = DOC.split("```yaml\nrepos:", 1)[1].split("```", 1)[0]
    hooks = YAML(typ="safe").load("repos:" + snippet)["repos"][0]["hooks"]
    assert hooks == [{"id": "dashctl-validate"}]
