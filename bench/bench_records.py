"""Benchmark: the applied records of SPEC §7 written to and read from git, one run each.

    .venv/bin/python bench/bench_records.py [--dashboards 2000] [--tiles 25]
                                            [--members 1000] [--member-dashboards 10]
                                            [--member-tiles 10]

In a fresh repository (git init, one commit), through reconciler.git_records
as apply and plan will call it, prints the seconds of:
  - one environment of N dashboards x T tiles: the first write (every record
    new), a read, a write where one dashboard changed, and a write that
    changes nothing (no commit);
  - a fleet of M members x D dashboards x T' tiles: the same four;
with the CPU seconds of this process and of the git processes it started (less
noisy than wall time on a busy machine), how many git processes, and how much
the object store grew, so that an apply can be shown to spend at most 5 % more
with records than without. Each step opens its own store, as each command does,
except the write after a read: apply reads the records when it plans, and the
file of a commit already read is not parsed again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import wire_tiles

from reconciler.engine.records import Record, RecordUpdate
from reconciler.git_records import GitRecords

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def board(index: int, project: str, tiles: int, name: str = "Board") -> Record:
    return Record(f"dash_{index:05}", f"{name} {index:05}", project, wire_tiles(index, tiles),
                  "2026-12-05T10:00:00Z", COMMIT)


def repository(folder: Path) -> Path:
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run([*git, "init", "-q", str(folder)], check=True)
    (folder / "environments.yaml").write_text("environments: {}\n", "utf-8")
    subprocess.run([*git, "add", "-A"], cwd=folder, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "manifests"], cwd=folder, check=True)
    return folder


def objects_mb(folder: Path) -> float:
    total = sum(p.stat().st_size for p in (folder / ".git" / "objects").rglob("*")
                if p.is_file())
    return total / 1e6


class Counted:
    """A `git` first on PATH that counts the processes each step starts."""

    def __init__(self, work: Path) -> None:
        real = shutil.which("git")
        self.folder = work / "bin"
        self.folder.mkdir()
        self.log = work / "calls"
        wrapper = self.folder / "git"
        wrapper.write_text(f'#!/bin/sh\necho "$1" >> "{self.log}"\nexec "{real}" "$@"\n')
        wrapper.chmod(0o755)
        os.environ["PATH"] = f"{self.folder}:{os.environ['PATH']}"

    def step(self, label: str, work: Callable[[], object], repo: Path) -> None:
        self.log.write_text("")
        before = objects_mb(repo)
        cpu = os.times()
        started = time.perf_counter()
        work()
        seconds = time.perf_counter() - started
        after = os.times()
        python = after.user + after.system - cpu.user - cpu.system
        git = (after.children_user + after.children_system - cpu.children_user
               - cpu.children_system)
        processes = len(self.log.read_text().split())
        print(f"  {label:<36} {seconds:6.3f} s wall, CPU {python:6.3f} s Python + "
              f"{git:6.3f} s git ({processes} processes), objects +"
              f"{objects_mb(repo) - before:5.2f} MB", flush=True)


def scenario(title: str, counted: Counted, repo: Path,
             environments: Mapping[str, tuple[str, list[Record]]], changed: Mapping[str, Record]
             ) -> None:
    """The records as four commands use them; ``changed``: one record per environment that
    the third one changes."""
    print(title, flush=True)
    names = {name: project for name, (project, _) in environments.items()}
    before = {name: RecordUpdate(project, records)
              for name, (project, records) in environments.items()}
    after = {name: RecordUpdate(project, [changed[name] if r.id == changed[name].id else r
                                          for r in records])
             for name, (project, records) in environments.items()}
    total = sum(len(records) for _, records in environments.values())

    def opened() -> GitRecords:
        store = GitRecords.open(repo)
        assert isinstance(store, GitRecords), store
        return store

    def apply_from_empty() -> None:
        result = opened().write(before)
        assert len(result.written) == len(before) and not result.failed, result.failed

    def plan() -> None:
        assert sum(len(r.by_id) for r in opened().read(names).values()) == total

    def apply(updates: Mapping[str, RecordUpdate], commits: int) -> Callable[[], None]:
        def run() -> None:
            store = opened()
            assert sum(len(r.by_id) for r in store.read(names).values()) == total
            result = store.write(updates)
            assert len(result.written) == commits and not result.failed, result

        return run

    counted.step("apply from empty: write all", apply_from_empty, repo)
    counted.step("plan: read all", plan, repo)
    counted.step(f"apply: read, write all, {len(changed)} changed", apply(after, len(after)),
                 repo)
    counted.step("apply: read, write all, none changed", apply(after, 0), repo)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dashboards", type=int, default=2000)
    parser.add_argument("--tiles", type=int, default=25)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--member-dashboards", type=int, default=10)
    parser.add_argument("--member-tiles", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-records-") as scratch:
        work = Path(scratch)
        counted = Counted(work)

        repo = repository(work / "one")
        boards = [board(i, "proj_bench", args.tiles) for i in range(args.dashboards)]
        scenario(f"one environment, {args.dashboards} dashboards x {args.tiles} tiles:",
                 counted, repo, {"bench": ("proj_bench", boards)},
                 {"bench": board(7, "proj_bench", args.tiles, name="Renamed")})

        repo = repository(work / "fleet")
        members = {f"tenants/proj_{m:04}": (f"proj_{m:04}", [
            board(i, f"proj_{m:04}", args.member_tiles) for i in range(args.member_dashboards)])
            for m in range(args.members)}
        changed = {name: board(3, project, args.member_tiles, name="Renamed")
                   for name, (project, _) in members.items()}
        scenario(f"fleet, {args.members} members x {args.member_dashboards} dashboards x "
                 f"{args.member_tiles} tiles:", counted, repo, members, changed)


if __name__ == "__main__":
    main()
