"""repository_commit: the commit the manifests are at, or None when they are not all committed."""

from __future__ import annotations

from pathlib import Path

from reconciler.git_records import repository_commit
from tests.records.conftest import commit_all, git


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def test_a_clean_root_is_at_head(repo: Path, root: Path) -> None:
    assert repository_commit(root) == head(repo)
    assert repository_commit(root / "base") == head(repo)


def test_a_modified_manifest_is_no_commit(root: Path) -> None:
    (root / "base" / "growth.yaml").write_text("name: Growth\ntiles: [] # more\n", "utf-8")
    assert repository_commit(root) is None


def test_a_staged_change_is_no_commit(repo: Path, root: Path) -> None:
    (root / "base" / "growth.yaml").write_text("name: Growth 2\ntiles: []\n", "utf-8")
    git(repo, "add", "-A")
    assert repository_commit(root) is None


def test_a_deleted_manifest_is_no_commit(root: Path) -> None:
    (root / "base" / "growth.yaml").unlink()
    assert repository_commit(root) is None


def test_an_untracked_manifest_is_no_commit(root: Path) -> None:
    (root / "base" / "new").mkdir()
    (root / "base" / "new" / "costs.yaml").write_text("name: Costs\ntiles: []\n", "utf-8")
    assert repository_commit(root) is None


def test_an_ignored_file_does_not_count(repo: Path, root: Path) -> None:
    (root / ".gitignore").write_text(".dashctl/\n", "utf-8")
    commit_all(repo, "ignore the cache")
    (root / ".dashctl").mkdir()
    (root / ".dashctl" / "local.db").write_bytes(b"sqlite")
    assert repository_commit(root) == head(repo)


def test_changes_outside_the_root_do_not_count(repo: Path, root: Path) -> None:
    (repo / "README.md").write_text("elsewhere\n", "utf-8")
    assert repository_commit(root) == head(repo)


def test_a_repository_without_commits_has_none(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    assert repository_commit(tmp_path) is None


def test_a_folder_outside_any_repository_has_none(tmp_path: Path) -> None:
    assert repository_commit(tmp_path) is None


def test_a_file_that_is_not_yaml_does_not_count(repo: Path, root: Path) -> None:
    (root / "state.db-journal").write_bytes(b"sqlite")  # an emulator's database beside them
    (root / "drift-staging.md").write_text("a report\n", "utf-8")
    assert repository_commit(root) == head(repo)
