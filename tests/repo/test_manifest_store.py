"""The lasting cache of checked manifests: same results warm as cold, never trusted blindly."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.model import tiles_to_wire
from reconciler.repo import manifest_store
from reconciler.repo.loader import LoadCache, load_manifests, load_repo
from reconciler.repo.manifest_store import CACHE_DIR, CACHE_FILE, ManifestStore, cache_folder

ENVIRONMENTS = """\
environments:
  staging:
    url: sqlite:.dashctl/staging.db
    vars: {team: growth}
  production:
    url: sqlite:.dashctl/production.db
    vars: {team: core}
"""
GROWTH = """\
name: Growth
tiles:
  - id: a
    position: {x: 0, y: 0, w: 6, h: 4}
    insight:
      query: {events: [{name: signup}], granularity: day, aggregation: count}
      visualization: line
  - id: b
    position: {x: 6, y: 0, w: 6, h: 2}
    markdown: {content: "hello"}
"""
TEAM = "name: Team ${team}\ntiles: []\n"
BROKEN = "name: Broken\ntiles:\n  - id: x\n    position: {x: 9, y: 0, w: 6, h: 2}\n" \
         "    markdown: {content: hi}\n"
OVERLAY = GROWTH.replace('"hello"', '"hello production"')


@pytest.fixture(autouse=True)
def cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASHCTL_CACHE", raising=False)
    monkeypatch.delenv("DASHCTL_CACHE_DIR", raising=False)


def write_repo(root: Path) -> Path:
    (root / "base").mkdir(parents=True)
    (root / "production").mkdir()
    (root / "environments.yaml").write_text(ENVIRONMENTS, "utf-8")
    (root / "base" / "growth.yaml").write_text(GROWTH, "utf-8")
    (root / "base" / "team.yaml").write_text(TEAM, "utf-8")
    (root / "base" / "broken.yaml").write_text(BROKEN, "utf-8")
    (root / "production" / "growth.yaml").write_text(OVERLAY, "utf-8")
    return root


def dashctl(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)
    return result.exit_code, result.output


def rows(root: Path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(root / CACHE_DIR / CACHE_FILE) as db:
        return list(db.execute("SELECT key, data FROM checked_v2 ORDER BY key"))


def test_a_warm_run_says_exactly_what_a_cold_one_does(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    cold = [dashctl(root, "validate"), dashctl(root, "plan", "--format", "json")]
    assert cold[0][0] == 1 and "broken.yaml:4:31" in cold[0][1]
    warm = [dashctl(root, "validate"), dashctl(root, "plan", "--format", "json")]
    assert warm == cold
    assert len(rows(root)) == 2


def test_only_clean_files_without_variables_are_kept(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    dashctl(root, "validate")
    kept = [orjson.loads(value)["tiles"][1]["markdown"]["content"]
            for _, value in rows(root)]
    # growth.yaml of base (for staging) and of production; not team (${team}), not broken
    assert sorted(kept) == ["hello", "hello production"]
    assert (root / CACHE_DIR / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"


def test_an_edited_file_is_checked_again(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    assert dashctl(root, "validate", "--env", "staging")[0] == 1
    (root / "base" / "broken.yaml").unlink()
    assert dashctl(root, "validate", "--env", "staging")[0] == 0
    (root / "base" / "growth.yaml").write_text(GROWTH.replace("w: 6, h: 4", "w: 13, h: 4"))
    code, output = dashctl(root, "validate", "--env", "staging")
    assert code == 1 and "growth.yaml:4:31: w must be <= 12" in output


def test_the_key_holds_the_checker_so_another_dashctl_never_trusts_an_entry(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ManifestStore.open(tmp_path)
    assert store is not None
    before = store.key(GROWTH, True)
    assert store.key(GROWTH, False) != before  # base or overlay is part of the check
    manifest_store.checker_digest.cache_clear()
    monkeypatch.setattr(manifest_store, "__version__", "99.0.0")
    try:
        other = ManifestStore.open(tmp_path)
        assert other is not None and other.key(GROWTH, True) != before
    finally:
        manifest_store.checker_digest.cache_clear()


def poison(root: Path) -> None:
    """Make every entry say its dashboard is called "Poisoned"."""
    with sqlite3.connect(root / CACHE_DIR / CACHE_FILE) as db:
        for key, value in list(db.execute("SELECT key, meta FROM checked_v2")):
            meta = orjson.loads(value)
            meta["declared"]["name"][2] = "Poisoned"
            db.execute("UPDATE checked_v2 SET meta = ? WHERE key = ?", (orjson.dumps(meta), key))


def test_a_cache_that_git_tracks_is_never_used(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    (root / "base" / "broken.yaml").unlink()
    dashctl(root, "validate")
    poison(root)
    assert "Poisoned" in dashctl(root, "plan", "--env", "staging")[1]  # what a cache is
    git = ["git", "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-f", str(CACHE_DIR / CACHE_FILE)], check=True)
    code, output = dashctl(root, "plan", "--env", "staging")
    assert code == 2 and "Poisoned" not in output and "Growth" in output


def test_a_plan_leaves_git_status_clean(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    git = ["git", "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    (root / ".gitignore").write_text(".dashctl/*.db*\n", "utf-8")
    dashctl(root, "plan")
    assert (root / CACHE_DIR / CACHE_FILE).exists()
    status = subprocess.run([*git, "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True)
    assert ".dashctl" not in status.stdout


@pytest.mark.parametrize("damage", ["corrupt", "unwritable"])
def test_a_broken_cache_only_turns_itself_off(tmp_path: Path, damage: str) -> None:
    root = write_repo(tmp_path / "repo")
    cold = dashctl(root, "validate")
    folder = root / CACHE_DIR
    if damage == "corrupt":
        (folder / CACHE_FILE).write_bytes(b"not a database" * 100)
    else:  # a file where the folder should be: nothing can be written (even as root)
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
        folder.write_text("in the way\n", "utf-8")
    assert dashctl(root, "validate") == cold
    assert dashctl(root, "validate") == cold


def test_the_cache_can_be_moved_or_turned_off(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_repo(tmp_path / "repo")
    monkeypatch.setenv("DASHCTL_CACHE", "off")
    assert cache_folder(root) is None
    dashctl(root, "validate")
    assert not (root / CACHE_DIR).exists()
    monkeypatch.setenv("DASHCTL_CACHE", "on")
    monkeypatch.setenv("DASHCTL_CACHE_DIR", str(tmp_path / "elsewhere"))
    dashctl(root, "validate")
    assert not (root / CACHE_DIR).exists()
    assert (tmp_path / "elsewhere" / CACHE_FILE).exists()


def test_a_stored_manifest_reads_like_the_checked_one_without_building_the_model(
        tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    (root / "base" / "broken.yaml").unlink()
    pinned = GROWTH.replace("name: Growth\n", "name: Pinned\nid: dash_7\n"
                            "formerNames: [Old Pinned]\n")
    (root / "production" / "pinned.yaml").write_text(pinned, "utf-8")  # ids pin one env
    repo = load_repo(root)
    environment = repo.environments["production"]
    cold, problems = load_manifests(repo, environment, cache=LoadCache.of(root))
    warm, again = load_manifests(repo, environment, cache=LoadCache.of(root))
    assert problems == again == [] and len(warm) == len(cold) == 3
    for checked, stored in zip(cold, warm, strict=True):
        shown = (stored.name, stored.pinned_id, stored.former_names, stored.wire_tiles)
        assert shown == (checked.name, checked.pinned_id, checked.former_names,
                         checked.wire_tiles)
        assert stored.wire_tiles == tiles_to_wire(checked.dashboard.tiles)
    assert [m.pinned_id for m in warm] == [None, "dash_7", None]
    assert warm[1].former_names == ["Old Pinned"]
    # nothing asked for the model yet (team.yaml has a variable: never stored, always checked)
    assert [m._dashboard is None for m in warm] == [True, True, False]
    assert warm == cold  # builds each model: the same as the one checked
