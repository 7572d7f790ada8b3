"""A fleet's records: 1,000 members written and read by a handful of git processes."""

from __future__ import annotations

from pathlib import Path

from reconciler.engine.records import Record, RecordUpdate
from reconciler.git_records import GitRecords
from tests.records.conftest import calls, git

MEMBERS = [f"tenants/proj_{n:04}" for n in range(1000)]
TILES = [{"id": f"t{n}", "type": "TILE_TYPE_MARKDOWN",
          "position": {"x": 0, "y": n, "w": 12, "h": 1}, "markdown": {"content": f"# {n}"}}
         for n in range(3)]


def member_records(member: str, name: str = "Board") -> list[Record]:
    project = member.split("/")[1]
    return [Record(f"dash_{project}_{d}", f"{name} {d}", project, TILES, None, "c" * 40)
            for d in range(2)]


def opened(root: Path) -> GitRecords:
    records = GitRecords.open(root)
    assert isinstance(records, GitRecords)
    return records


def test_a_thousand_members_take_a_few_git_processes(repo: Path, root: Path,
                                                     git_wrapper: Path) -> None:
    """Each command opens its own store: git processes per command, whatever the fleet size."""
    names = {m: m.split("/")[1] for m in MEMBERS}
    updates = {m: RecordUpdate(names[m], member_records(m)) for m in MEMBERS}
    first = opened(root).write(updates)
    assert (len(first.written), first.failed) == (1000, {})
    assert calls(git_wrapper) == ["rev-parse", "for-each-ref", "fast-import", "update-ref"]

    git_wrapper.write_text("")
    read = opened(root).read(names)
    assert calls(git_wrapper) == ["rev-parse", "for-each-ref", "cat-file"]
    assert all(read[m].by_id == {r.id: r for r in member_records(m)} for m in MEMBERS)
    assert all(read[m].warnings == () for m in MEMBERS)

    git_wrapper.write_text("")
    changed = MEMBERS[::100]
    renamed = {m: RecordUpdate(names[m], member_records(m, name="Renamed")) for m in changed}
    again = opened(root).write(updates | renamed)
    assert calls(git_wrapper) == ["rev-parse", "for-each-ref", "cat-file", "fast-import",
                                  "update-ref"]
    assert set(again.written) == set(changed)
    assert len(again.unchanged) == 990

    git_wrapper.write_text("")
    apply = opened(root)  # plan then apply in one command: the records are read once
    apply.read(names)
    assert apply.write(updates).written.keys() == set(changed)
    assert apply.write(updates).written == {}
    assert calls(git_wrapper) == ["rev-parse", "for-each-ref", "cat-file", "for-each-ref",
                                  "fast-import", "update-ref", "for-each-ref"]
    assert git(repo, "rev-list", "--count", "refs/dashctl/applied/tenants/proj_0100").strip() \
        == "3"
    assert git(repo, "rev-list", "--count", "refs/dashctl/applied/tenants/proj_0101").strip() \
        == "1"
    assert opened(root).read(names) == read
