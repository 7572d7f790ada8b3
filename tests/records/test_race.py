"""Two writers on one ref, in separate processes: a compare-and-swap, and nobody's records lost."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

from reconciler.engine.records import Record, RecordUpdate
from reconciler.git_records import GitRecords
from tests.records.conftest import REAL_GIT, git

REF = "refs/dashctl/applied/staging"
WRITER = """
import json, random, sys, time
from pathlib import Path
from reconciler.engine.records import Record, RecordUpdate
from reconciler.git_records import GitRecords
root, start, ids = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
while not start.exists():
    time.sleep(0.001)
records = GitRecords.open(root)
results = []
for id in ids:
    time.sleep(random.uniform(0, 0.03))  # separate applies, not one loop
    update = RecordUpdate("proj_a", [Record(id, "Board " + id, "proj_a", [], None, None)])
    result = records.write({"staging": update})
    results.append({"written": sorted(result.written), "failed": dict(result.failed)})
print(json.dumps(results))
"""


def board(id: str) -> Record:
    return Record(id, "Board " + id, "proj_a", [], None, None)


def writer(root: Path, start: Path, ids: list[str],
           env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(root), str(start), *ids],
                            stdout=subprocess.PIPE, text=True, env=env)


def results(process: subprocess.Popen[str]) -> list[dict[str, object]]:
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    answer: list[dict[str, object]] = json.loads(out)
    return answer


def wait_for(path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.01)


def test_a_writer_that_loses_the_swap_reapplies_its_records_over_the_winners(
        repo: Path, root: Path, tmp_path: Path) -> None:
    """B reads the ref and builds its commit, then waits at update-ref while A writes: B's
    swap fails, B reads again and writes its record over A's, as one more commit."""
    paused, go, calls = tmp_path / "paused", tmp_path / "go", tmp_path / "b-calls"
    folder = tmp_path / "pausing-bin"
    folder.mkdir()
    wrapper = folder / "git"
    wrapper.write_text(
        f'#!/bin/sh\necho "$1" >> "{calls}"\n'
        f'if [ "$1" = update-ref ] && [ ! -e "{paused}" ]; then\n'
        f'  touch "{paused}"; while [ ! -e "{go}" ]; do sleep 0.01; done\nfi\n'
        f'exec "{REAL_GIT}" "$@"\n', "utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    start = tmp_path / "start"
    start.touch()
    b = writer(root, start, ["dash_b"], env={**os.environ,
                                              "PATH": f"{folder}:{os.environ['PATH']}"})
    wait_for(paused)
    a = GitRecords.open(root)
    assert isinstance(a, GitRecords)
    won = a.write({"staging": RecordUpdate("proj_a", [board("dash_a")])})
    go.touch()
    assert results(b) == [{"written": ["staging"], "failed": {}}]
    assert calls.read_text("utf-8").split().count("update-ref") == 2
    assert git(repo, "rev-parse", f"{REF}^").strip() == won.written["staging"]
    assert git(repo, "rev-list", "--count", REF).strip() == "2"
    assert set(a.read({"staging": "proj_a"})["staging"].by_id) == {"dash_a", "dash_b"}


def test_two_writers_racing_on_one_ref_lose_nothing(repo: Path, root: Path,
                                                    tmp_path: Path) -> None:
    start = tmp_path / "start"
    firsts = [f"dash_a{n:02}" for n in range(15)]
    seconds = [f"dash_b{n:02}" for n in range(15)]
    writers = [writer(root, start, firsts), writer(root, start, seconds)]
    start.touch()
    for process in writers:
        assert results(process) == [{"written": ["staging"], "failed": {}}] * 15
    records = GitRecords.open(root)
    assert isinstance(records, GitRecords)
    read = records.read({"staging": "proj_a"})["staging"]
    assert read.warnings == ()
    assert read.by_id == {id: board(id) for id in firsts + seconds}
    assert git(repo, "rev-list", "--count", REF).strip() == "30"
