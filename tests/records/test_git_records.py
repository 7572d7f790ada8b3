"""The record store on git: real repositories, real git, no identity (see conftest)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from reconciler.engine.records import Record, RecordStore, RecordUpdate, encode_records
from reconciler.git_records import FILE, GitRecords, NoRecords, ref_name_problem
from tests.records.conftest import IDENTITY, commit_all, git

REF = "refs/dashctl/applied/staging"
TILES = [{"id": "dau", "type": "TILE_TYPE_INSIGHT",
          "position": {"x": 0, "y": 0, "w": 6, "h": 4},
          "insight": {"query": {"events": [{"name": "page_view"}],
                                "granularity": "GRANULARITY_DAY",
                                "aggregation": "AGGREGATION_COUNT"},
                      "visualization": "VISUALIZATION_LINE"}}]


def record(id: str, project: str = "proj_a", name: str = "Growth",
           commit: str | None = None) -> Record:
    return Record(id, name, project, TILES, "2026-12-05T10:00:00Z", commit)


def store(root: Path) -> GitRecords:
    opened = GitRecords.open(root)
    assert isinstance(opened, GitRecords), opened
    return opened


def log(repo: Path, ref: str = REF) -> list[str]:
    """The ref's history, newest first: each commit's subject."""
    return git(repo, "log", "--format=%s", ref).splitlines()


def put_object(repo: Path, content: bytes) -> str:
    return git(repo, "hash-object", "-w", "--stdin", stdin=content).strip()


def put_commit(repo: Path, entries: dict[str, bytes | str], ref: str = REF) -> str:
    """Point ``ref`` at a commit whose tree holds ``entries`` (bytes: a file, str: a tree id),
    made with the test's own identity, as a hand edit would be."""
    lines = []
    for path, content in entries.items():
        if isinstance(content, bytes):
            lines.append(f"100644 blob {put_object(repo, content)}\t{path}")
        else:
            lines.append(f"040000 tree {content}\t{path}")
    tree = git(repo, "mktree", stdin="\n".join(lines).encode() + b"\n").strip()
    commit = git(repo, *IDENTITY, "commit-tree", tree, "-m", "edited by hand").strip()
    git(repo, "update-ref", ref, commit)
    return commit


def test_gitrecords_is_a_record_store(root: Path) -> None:
    records: RecordStore = store(root)
    assert records.read({"staging": "proj_a"})["staging"].by_id == {}


def test_a_folder_outside_any_repository_has_no_records(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert GitRecords.open(plain) == NoRecords("the root is not inside a git work tree")


def test_a_bare_repository_has_no_work_tree(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--bare", "bare.git")
    assert GitRecords.open(tmp_path / "bare.git") == NoRecords(
        "the root is not inside a git work tree")


def test_without_git_there_are_no_records(root: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert GitRecords.open(root) == NoRecords("git is not installed (no git on PATH)")


def test_a_repository_git_refuses_is_a_reason_not_a_traceback(repo: Path, root: Path) -> None:
    git(repo, "config", "core.repositoryformatversion", "99")
    opened = GitRecords.open(root)
    assert isinstance(opened, NoRecords)
    assert opened.reason.startswith("git refuses the repository: ")
    assert "repo version" in opened.reason


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="making a repository someone else owns needs root")
def test_a_repository_of_dubious_ownership_has_no_records(repo: Path, root: Path) -> None:
    for folder, dirs, files in os.walk(repo):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.lchown(name, 12345, 12345)
    opened = GitRecords.open(root)
    assert isinstance(opened, NoRecords)
    assert "dubious ownership" in opened.reason


def test_a_repository_without_commits_records_all_the_same(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    records = store(tmp_path)
    result = records.write({"staging": RecordUpdate("proj_a", [record("dash_1")])})
    assert set(result.written) == {"staging"}
    assert records.read({"staging": "proj_a"})["staging"].by_id == {"dash_1": record("dash_1")}
    assert git(tmp_path, "rev-list", "--all", "--count").strip() == "1"
    assert git(tmp_path, "status", "--porcelain") == ""


def test_write_then_read_gives_back_every_field(repo: Path, root: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()
    written = {"dash_1": record("dash_1", commit=head), "dash_2": Record(
        "dash_2", "Costs €", "proj_a", [], None, None)}
    result = store(root).write({"staging": RecordUpdate("proj_a", list(written.values()))})
    assert result.failed == {}
    assert result.written["staging"] == git(repo, "rev-parse", REF).strip()
    read = GitRecords.open(root)
    assert isinstance(read, GitRecords)
    assert read.read({"staging": "proj_a"}) == {"staging": read.read(
        {"staging": "proj_a"})["staging"]}
    records = read.read({"staging": "proj_a"})["staging"]
    assert records.warnings == ()
    assert records.by_id == written
    assert git(repo, "show", f"{REF}:{FILE}").encode() == encode_records(written.values())
    assert git(repo, "ls-tree", "--name-only", REF).split() == [FILE]


def test_each_write_adds_one_commit_on_the_last_and_a_no_op_adds_none(repo: Path,
                                                                      root: Path) -> None:
    records = store(root)
    first = records.write({"staging": RecordUpdate("proj_a", [record("dash_1"),
                                                              record("dash_2")])})
    again = records.write({"staging": RecordUpdate("proj_a", [record("dash_1")],
                                                   frozenset({"dash_absent"}))})
    assert again.written == {} and again.unchanged == {"staging"}
    second = records.write({"staging": RecordUpdate("proj_a", [record("dash_1", name="New")],
                                                    frozenset({"dash_2"}))})
    assert git(repo, "rev-parse", f"{REF}^").strip() == first.written["staging"]
    assert git(repo, "rev-parse", REF).strip() == second.written["staging"]
    assert log(repo) == [
        "dashctl: the records of staging: 1 recorded, 1 dropped",
        "dashctl: the records of staging: 2 recorded, 0 dropped",
    ]
    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", REF).strip() == \
        "dashctl <dashctl@localhost>|dashctl <dashctl@localhost>"
    patch = git(repo, "log", "-1", "-p", "--format=", REF)
    assert '-{"id":"dash_1","name":"Growth"' in patch
    assert '+{"id":"dash_1","name":"New"' in patch
    assert '-{"id":"dash_2"' in patch
    assert store(root).read({"staging": "proj_a"})["staging"].by_id == {
        "dash_1": record("dash_1", name="New")}


def test_environments_and_fleet_members_have_a_ref_each(repo: Path, root: Path) -> None:
    result = store(root).write({
        "staging": RecordUpdate("proj_a", [record("dash_1")]),
        "tenants/proj_acme": RecordUpdate("proj_acme", [record("dash_9", "proj_acme")]),
    })
    assert set(result.written) == {"staging", "tenants/proj_acme"}
    assert git(repo, "for-each-ref", "--format=%(refname)", "refs/dashctl").split() == [
        "refs/dashctl/applied/staging", "refs/dashctl/applied/tenants/proj_acme"]
    read = store(root).read({"tenants/proj_acme": "proj_acme", "production": "proj_p"})
    assert read["tenants/proj_acme"].by_id == {"dash_9": record("dash_9", "proj_acme")}
    assert read["production"].by_id == {} and read["production"].warnings == ()


def test_damaged_entries_are_no_record_and_the_others_still_read(repo: Path,
                                                                 root: Path) -> None:
    good = encode_records([record("dash_a"), record("dash_z")]).splitlines()
    hand_edited = encode_records([record("dash_m")]).replace(b"Growth", b"Growing")
    missing_name = encode_records([record("dash_n")]).replace(b'"name":"Growth",', b"")
    other_project = encode_records([record("dash_o", project="proj_other")])
    content = b"\n".join([good[0], b'{"id": "dash_b", oops', missing_name.strip(),
                          hand_edited.strip(), other_project.strip(), good[1]]) + b"\n"
    put_commit(repo, {FILE: content})
    records = store(root).read({"staging": "proj_a"})["staging"]
    assert set(records.by_id) == {"dash_a", "dash_z"}
    assert records.warnings == (
        f"{REF}: entry 2 is not valid JSON; it counts as no record",
        f"{REF}: entry 3 (dashboard dash_n) has no 'name'; it counts as no record",
        f"{REF}: entry 4 (dashboard dash_m) was edited by hand (its digest does not match); "
        "it counts as no record",
        f"{REF}: entry 5 (dashboard dash_o) is a record of another project; "
        "it counts as no record",
    )


def test_the_next_write_over_damaged_entries_keeps_only_good_records(repo: Path,
                                                                     root: Path) -> None:
    content = encode_records([record("dash_a")]) + b"{oops\n"
    hand = put_commit(repo, {FILE: content, "NOTES": b"kept\n"})
    store(root).write({"staging": RecordUpdate("proj_a", [record("dash_b")])})
    assert git(repo, "rev-parse", f"{REF}^").strip() == hand
    assert log(repo)[0] == ("dashctl: the records of staging: 1 recorded, 0 dropped, "
                            "1 unreadable discarded")
    assert git(repo, "show", f"{REF}:NOTES") == "kept\n"
    read = store(root).read({"staging": "proj_a"})["staging"]
    assert (set(read.by_id), read.warnings) == ({"dash_a", "dash_b"}, ())


def test_a_ref_at_a_blob_is_no_records_and_the_next_write_starts_afresh(repo: Path,
                                                                        root: Path) -> None:
    git(repo, "update-ref", REF, put_object(repo, encode_records([record("dash_a")])))
    read = store(root).read({"staging": "proj_a"})["staging"]
    assert read.by_id == {}
    assert read.warnings == (f"{REF} points at a blob, not at a commit of records; "
                             "it counts as no records",)
    result = store(root).write({"staging": RecordUpdate("proj_a", [record("dash_b")])})
    assert set(result.written) == {"staging"}
    assert git(repo, "rev-list", "--count", REF).strip() == "1"
    assert set(store(root).read({"staging": "proj_a"})["staging"].by_id) == {"dash_b"}


def test_a_ref_at_an_annotated_tag_is_no_records(repo: Path, root: Path) -> None:
    put_commit(repo, {FILE: encode_records([record("dash_a")])})
    git(repo, *IDENTITY, "tag", "-a", "-m", "tag", "t1", REF)
    git(repo, "update-ref", REF, git(repo, "rev-parse", "t1").strip())
    read = store(root).read({"staging": "proj_a"})["staging"]
    assert read.by_id == {} and "points at a tag" in read.warnings[0]


def test_a_commit_without_the_file_is_no_records_and_gets_one_next(repo: Path,
                                                                   root: Path) -> None:
    hand = put_commit(repo, {"README": b"not records\n"})
    read = store(root).read({"staging": "proj_a"})["staging"]
    assert read.by_id == {}
    assert read.warnings == (f"{REF} holds no {FILE}; it counts as no records",)
    store(root).write({"staging": RecordUpdate("proj_a", [record("dash_a")])})
    assert git(repo, "rev-parse", f"{REF}^").strip() == hand
    assert git(repo, "ls-tree", "--name-only", REF).split() == ["README", FILE]


def test_a_folder_in_place_of_the_file_is_no_records(repo: Path, root: Path) -> None:
    tree = git(repo, "mktree", stdin=b"").strip()
    put_commit(repo, {FILE: tree})
    read = store(root).read({"staging": "proj_a"})["staging"]
    assert read.warnings == (f"{REF} holds a tree as its {FILE}; it counts as no records",)


NAMES = ["staging", "tenants/proj_acme", "a/b/c", "ünïcödé", "at@sign", "@", "x-y_z.1",
         "a..b", "x.lock", "tenants/x.lock", ".hidden", "a/.b", "trailing.", "sp ace",
         "til~de", "c^aret", "co:lon", "q?", "st*r", "br[acket", "back\\slash", "a@{b",
         "a//b", "a/", "/a", "", "ctrl\x01", "del\x7f", "tab\t", "x.lock/y"]


@pytest.mark.parametrize("name", NAMES)
def test_ref_names_follow_git_check_ref_format(tmp_path: Path, name: str) -> None:
    done = subprocess.run(["git", "check-ref-format", f"refs/dashctl/applied/{name}"],
                          cwd=tmp_path, capture_output=True, check=False)
    assert (ref_name_problem(name) is None) == (done.returncode == 0)


def test_a_name_git_refuses_as_a_ref_is_no_records_with_a_warning(root: Path) -> None:
    records = store(root)
    result = records.write({"a..b": RecordUpdate("proj_a", [record("dash_1")]),
                            "staging": RecordUpdate("proj_a", [record("dash_1")])})
    assert set(result.written) == {"staging"}
    assert result.failed == {"a..b": "git refuses '..' in a ref name"}
    read = records.read({"a..b": "proj_a", "x.lock": "proj_a"})
    assert read["a..b"].warnings == ("no records for 'a..b': git refuses '..' in a ref name",)
    assert read["x.lock"].by_id == {}
    assert "'.lock'" in read["x.lock"].warnings[0]


def test_a_ref_git_refuses_to_create_fails_alone(repo: Path, root: Path) -> None:
    """``tenants`` cannot be a ref beside ``tenants/proj_acme``: that one fails, the rest is
    written (the all-or-nothing transaction is retried one ref at a time)."""
    records = store(root)
    records.write({"tenants/proj_acme": RecordUpdate("proj_a", [record("dash_1")])})
    result = records.write({"tenants": RecordUpdate("proj_a", [record("dash_1")]),
                            "staging": RecordUpdate("proj_a", [record("dash_2")])})
    assert set(result.written) == {"staging"}
    assert set(result.failed) == {"tenants"}
    assert result.failed["tenants"].startswith(
        "git refuses to move refs/dashctl/applied/tenants: cannot lock ref")
    assert set(records.read({"staging": "proj_a"})["staging"].by_id) == {"dash_2"}


def snapshot(repo: Path) -> tuple[str, str, str, bytes, str, str]:
    return (git(repo, "symbolic-ref", "HEAD"), git(repo, "rev-parse", "HEAD"),
            git(repo, "for-each-ref", "refs/heads", "refs/tags"),
            (repo / ".git" / "index").read_bytes(),
            git(repo, "status", "--porcelain", "--untracked-files=all", locks=False),
            "".join(f"{p}:{p.stat().st_mtime_ns}\n" for p in sorted(repo.rglob("*"))
                    if ".git" not in p.parts))


def test_branches_index_and_work_tree_are_untouched(repo: Path, root: Path) -> None:
    from reconciler.gitcli import repository_commit

    (root / "base" / "growth.yaml").write_text("name: Growth\ntiles: [] # edited\n", "utf-8")
    (root / "base" / "staged.yaml").write_text("name: Staged\ntiles: []\n", "utf-8")
    git(repo, "add", "dashboards/base/staged.yaml")
    (root / "base" / "untracked.yaml").write_text("name: New\ntiles: []\n", "utf-8")
    # a tracked file whose stat no longer matches the index: a `git status` that may
    # take the index lock rewrites the index to refresh it
    (root / "environments.yaml").touch()
    os.utime(root / "environments.yaml", (1_000_000_000, 1_000_000_000))
    before = snapshot(repo)
    records = store(root)
    records.write({"staging": RecordUpdate("proj_a", [record("dash_1")])})
    records.write({"staging": RecordUpdate("proj_a", [record("dash_2")])})
    records.read({"staging": "proj_a"})
    assert repository_commit(root) is None
    assert snapshot(repo) == before


def test_a_sha256_repository_works_the_same(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--object-format=sha256")
    (tmp_path / "environments.yaml").write_text("environments: {}\n", "utf-8")
    commit_all(tmp_path)
    records = store(tmp_path)
    first = records.write({"staging": RecordUpdate("proj_a", [record("dash_1")])})
    assert len(first.written["staging"]) == 64
    records.write({"staging": RecordUpdate("proj_a", [record("dash_2")])})
    assert set(records.read({"staging": "proj_a"})["staging"].by_id) == {"dash_1", "dash_2"}
    assert len(log(tmp_path)) == 2


def test_a_linked_worktree_shares_the_records(repo: Path, tmp_path: Path) -> None:
    git(repo, "worktree", "add", "-q", str(tmp_path / "other"), "-b", "other")
    store(tmp_path / "other" / "dashboards").write(
        {"staging": RecordUpdate("proj_a", [record("dash_1")])})
    assert set(store(repo / "dashboards").read({"staging": "proj_a"})["staging"].by_id) == \
        {"dash_1"}


def test_no_git_identity_is_needed_even_where_every_ref_update_is_logged(repo: Path,
                                                                         root: Path) -> None:
    done = subprocess.run(["git", "var", "GIT_COMMITTER_IDENT"], cwd=repo, capture_output=True,
                          check=False)
    assert done.returncode != 0, "this test needs a git without an identity"
    git(repo, "config", "core.logAllRefUpdates", "always")
    result = store(root).write({"staging": RecordUpdate("proj_a", [record("dash_1")])})
    assert set(result.written) == {"staging"}
    assert git(repo, "reflog", "--format=%gn <%ge> %gs", REF).strip() == \
        "dashctl <dashctl@localhost> dashctl: applied records"


def test_a_store_that_read_before_sees_what_another_wrote_since(repo: Path,
                                                                root: Path) -> None:
    """What a store parsed is kept by commit: another writer's new commit is read afresh."""
    mine, theirs = store(root), store(root)
    mine.write({"staging": RecordUpdate("proj_a", [record("dash_1")])})
    assert set(mine.read({"staging": "proj_a"})["staging"].by_id) == {"dash_1"}
    theirs.write({"staging": RecordUpdate("proj_a", [record("dash_2")])})
    assert set(mine.read({"staging": "proj_a"})["staging"].by_id) == {"dash_1", "dash_2"}
    mine.write({"staging": RecordUpdate("proj_a", [record("dash_3")], frozenset({"dash_1"}))})
    assert set(theirs.read({"staging": "proj_a"})["staging"].by_id) == {"dash_2", "dash_3"}
    assert store(root).read({"staging": "proj_b"})["staging"].warnings[0].endswith(
        "is a record of another project; it counts as no record")
