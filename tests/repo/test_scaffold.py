"""The files of a new repository (repo/scaffold.py), as plain values: modelines computed from
where each file lives, and the .gitignore rule added only where no line already has it."""

from __future__ import annotations

import pytest

from reconciler.repo.scaffold import (
    REPOSITORY_SCHEMAS,
    gitignore_addition,
    modeline,
    repository_files,
)


def test_modelines_are_relative_to_their_file() -> None:
    assert modeline("environments.yaml", "environments") == (
        "# yaml-language-server: $schema=schemas/environments.schema.json\n")
    assert modeline("base/growth-kpis.yaml", "dashboard") == (
        "# yaml-language-server: $schema=../schemas/dashboard.schema.json\n")
    assert modeline("tenants/x/y.yaml", "dashboard").endswith(
        "$schema=../../schemas/dashboard.schema.json\n")


def test_every_yaml_file_starts_with_its_modeline_and_the_schemas_are_copied_as_given() -> None:
    files = repository_files({name: f"<{name}>" for name in REPOSITORY_SCHEMAS})
    assert files["environments.yaml"].startswith(modeline("environments.yaml", "environments"))
    assert files["base/growth-kpis.yaml"].startswith(
        modeline("base/growth-kpis.yaml", "dashboard"))
    assert files["schemas/dashboard.schema.json"] == "<dashboard>"
    assert list(files) == ["environments.yaml", "base/growth-kpis.yaml",
                           "schemas/environments.schema.json", "schemas/dashboard.schema.json",
                           ".gitignore"]
    with pytest.raises(ValueError, match="dashboard"):
        repository_files({"environments": "{}"})


@pytest.mark.parametrize("existing", [".dashctl/\n", "/.dashctl\n", "*.log\n.dashctl\n",
                                      "  .dashctl/  \n"])
def test_a_gitignore_that_ignores_the_folder_is_left_alone(existing: str) -> None:
    assert gitignore_addition(existing) is None


@pytest.mark.parametrize(("existing", "starts"), [
    ("", "# The embedded"),
    ("*.log\n", "# The embedded"),
    ("*.log", "\n# The embedded"),            # no final newline: one is added first
    ("# .dashctl/\n", "# The embedded"),      # a comment ignores nothing
    ("!.dashctl/\n", "# The embedded"),       # nor does a negation
    (".dashctl/local.db\n", "# The embedded"),  # one file is not the folder
])
def test_the_rule_is_appended_otherwise(existing: str, starts: str) -> None:
    addition = gitignore_addition(existing)
    assert addition is not None and addition.startswith(starts)
    assert ".dashctl/" in (existing + addition).splitlines()
