"""`dashctl init [DIR]` end to end (SPEC section 8): the repository it writes works at once
(validate, plan, apply and plan again on the embedded emulator, run from the folder holding
it), its modelines point at schemas that exist and accept its files, its commented example
of a real environment validates once uncommented, and every refusal or failure leaves the
folder exactly as it was."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from reconciler.repo import new_repo
from reconciler.repo.schema import SCHEMAS_DIR
from tests.support.cli import run, run_in
from tests.support.git import git

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(?P<path>\S+)\n")
FILES = [
    "environments.yaml",
    "base/growth-kpis.yaml",
    "schemas/environments.schema.json",
    "schemas/dashboard.schema.json",
    ".gitignore",
]


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder``: a file's bytes, None for a folder."""
    return {str(path.relative_to(folder)): None if path.is_dir() else path.read_bytes()
            for path in sorted(folder.rglob("*"))}


def load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text("utf-8"))


def test_init_then_validate_plan_apply_plan_again(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DASHCTL_ROOT", raising=False)

    code, out, err = run(capsys, "init")
    assert code == 0, err
    assert out.splitlines() == [f"wrote dashboards/{file}" for file in FILES]
    assert "dashctl validate" in err and "dashctl plan --env local" in err
    assert "dashctl apply --env local" in err and "--root" not in err
    assert "uncomment the example in dashboards/environments.yaml" in err
    assert sorted(snapshot(tmp_path / "dashboards")) == sorted(
        {*FILES, "base", "schemas"})

    assert run(capsys, "validate")[0] == 0
    code, out, err = run(capsys, "--no-color", "plan", "--env", "local")
    assert code == 2, err
    assert '+ create "Growth KPIs"' in out
    assert "tile dau: insight events=[page_view] granularity=day" in out
    code, out, err = run(capsys, "apply", "--env", "local", "--auto-approve")
    assert code == 0, err
    assert (tmp_path / "dashboards" / ".dashctl" / "local.db").is_file()
    code, out, err = run(capsys, "--no-color", "plan", "--env", "local")
    assert code == 0, out + err
    assert "1 unchanged" in out


def test_modelines_point_at_schemas_that_exist_and_accept_the_files(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = tmp_path / "dashboards"
    assert run(capsys, "init", str(root))[0] == 0

    for name in ("environments.yaml", "base/growth-kpis.yaml"):
        path = root / name
        found = MODELINE.match(path.read_text("utf-8"))
        assert found, f"{name}: the first line is not a modeline"
        schema_file = (path.parent / found["path"]).resolve()
        assert schema_file.is_file() and schema_file.is_relative_to(root.resolve())
        schema = json.loads(schema_file.read_text("utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.Draft202012Validator(schema).validate(load(path))

    for name in ("dashboard", "environments"):  # the package's own
        copied = root / "schemas" / f"{name}.schema.json"
        assert copied.read_bytes() == (SCHEMAS_DIR / f"{name}.schema.json").read_bytes()


def test_the_commented_real_environment_validates_once_uncommented(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = tmp_path / "dashboards"
    assert run(capsys, "init", str(root))[0] == 0
    environments = root / "environments.yaml"
    lines = environments.read_text("utf-8").splitlines(keepends=True)
    start = lines.index("  # staging:\n")
    block = lines[start:]
    assert all(line.startswith("  # ") for line in block), block
    example = "".join(lines[:start] + ["  " + line[4:] for line in block])
    environments.write_text(example, "utf-8")

    staging = load(environments)["environments"]["staging"]
    assert set(staging) == {"url", "project", "token_env", "prune", "max_deletes",
                            "outside_edits", "vars"}
    code, out, err = run_in(capsys, root, "validate")
    assert code == 0, out + err
    assert "2 environments" in err
    code, out, _ = run_in(capsys, root, "envs", "--format", "json")
    assert code == 0
    assert [env["name"] for env in json.loads(out)] == ["local", "staging"]


def test_refused_where_environments_yaml_exists_and_nothing_is_written(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = tmp_path / "dashboards"
    root.mkdir()
    (root / "environments.yaml").write_text("environments: {}\n", "utf-8")
    before = snapshot(tmp_path)

    code, out, err = run(capsys, "init", str(root))

    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert "already holds environments.yaml" in err and "nothing written" in err
    assert snapshot(tmp_path) == before


def test_refused_where_base_exists_and_nothing_is_written(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "mine.yaml").write_text("name: Mine\n", "utf-8")
    before = snapshot(tmp_path)

    code, out, err = run(capsys, "init", str(tmp_path))

    assert code == 1 and out == ""
    assert "already holds base/" in err and "nothing written" in err
    assert snapshot(tmp_path) == before


def test_refused_where_the_target_is_a_file(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "dashboards").write_text("not a folder\n", "utf-8")
    code, _, err = run(capsys, "init", str(tmp_path / "dashboards"))
    assert code == 1
    assert err.splitlines() == [f"error: {tmp_path / 'dashboards'} exists and is not a folder; "
                                "nothing written"]


def test_init_into_an_empty_existing_folder(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "analytics"
    root.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DASHCTL_ROOT", raising=False)

    code, out, err = run(capsys, "init", "analytics")

    assert code == 0, err
    assert out.splitlines() == [f"wrote analytics/{file}" for file in FILES]
    assert "dashctl --root analytics validate" in err
    assert "dashctl --root analytics plan --env local" in err
    assert sorted(snapshot(root)) == sorted({*FILES, "base", "schemas"})  # no staging left
    assert run_in(capsys, root, "validate")[0] == 0
    assert run_in(capsys, root, "plan", "--env", "local")[0] == 2


def test_init_into_a_git_work_tree_keeps_its_gitignore_and_the_database_is_ignored(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        no_git_identity: None) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("*.log", "utf-8")  # no final newline
    monkeypatch.chdir(tmp_path)

    code, out, err = run(capsys, "init", ".")

    assert code == 0, err
    assert out.splitlines()[-1] == "updated .gitignore"
    assert (tmp_path / ".gitignore").read_text("utf-8").startswith("*.log\n")
    assert ".dashctl/" in (tmp_path / ".gitignore").read_text("utf-8").splitlines()
    assert (tmp_path / ".git").is_dir()
    assert run(capsys, "--root", ".", "apply", "--env", "local", "--auto-approve")[0] == 0
    assert (tmp_path / ".dashctl" / "local.db").is_file()
    status = git(tmp_path, "status", "--porcelain", "--untracked-files=all")
    assert ".dashctl" not in status
    assert "environments.yaml" in status and "base/growth-kpis.yaml" in status

    # a .gitignore that already ignores the folder is left as it was
    again = tmp_path / "again"
    again.mkdir()
    (again / ".gitignore").write_text("/.dashctl\n", "utf-8")
    code, out, _ = run(capsys, "init", str(again))
    assert code == 0 and ".gitignore" not in out
    assert (again / ".gitignore").read_text("utf-8") == "/.dashctl\n"


def test_the_gitignore_of_a_new_folder_holds_the_emulator_folder(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "init", str(tmp_path / "dashboards"))[0] == 0
    rules = (tmp_path / "dashboards" / ".gitignore").read_text("utf-8").splitlines()
    assert ".dashctl/" in rules


def test_root_names_the_folder_when_no_directory_is_given(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DASHCTL_ROOT", raising=False)
    assert run(capsys, "--root", "infra/dashboards", "init")[0] == 0
    assert (tmp_path / "infra" / "dashboards" / "environments.yaml").is_file()
    assert not (tmp_path / "dashboards").exists()

    monkeypatch.setenv("DASHCTL_ROOT", "from-env")
    code, _, err = run(capsys, "init")
    assert code == 0
    assert (tmp_path / "from-env" / "environments.yaml").is_file()
    assert "--root" not in err  # plain commands find it through DASHCTL_ROOT


def test_a_failed_write_into_a_new_folder_leaves_nothing(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = new_repo._write_files

    def half_then_full_disk(folder: Path, files: dict[str, str]) -> None:
        real(folder, dict(list(files.items())[:2]))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(new_repo, "_write_files", half_then_full_disk)
    code, out, err = run(capsys, "init", str(tmp_path / "deep" / "dashboards"))

    assert code == 1 and out == ""
    assert "No space left on device" in err and "nothing written" in err
    assert "Traceback" not in err and "unexpected" not in err
    assert list(tmp_path.iterdir()) == []  # the parent it made is gone too


def test_a_failed_move_into_an_existing_folder_puts_everything_back(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "README.md").write_text("# analytics\n", "utf-8")
    (tmp_path / ".gitignore").write_text("*.log\n", "utf-8")
    before = snapshot(tmp_path)
    real_rename = Path.rename

    def refuse_the_last(self: Path, target: Any) -> Path:
        if self.name == "environments.yaml":
            raise OSError(13, "Permission denied")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse_the_last)
    code, out, err = run(capsys, "init", str(tmp_path))

    assert code == 1 and out == ""
    assert "Permission denied" in err and "nothing written" in err
    assert snapshot(tmp_path) == before  # base/ and schemas/ moved back, .gitignore restored
