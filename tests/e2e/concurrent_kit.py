"""Rounds of `dashctl apply` processes started together on one empty environment.

Used by tests/e2e/test_concurrent_apply.py (a few rounds) and
bench/soak_concurrent_apply.py (many). Each round gets a project of its own on
one running `dashctl serve`, and a repository declaring ``DASHBOARDS``
dashboards. Its N processes import dashctl first, say they are ready, and are
released at the same moment, so their plans all read the empty project before
any create lands; then the project is listed: exactly one dashboard per name
is the guarantee (SPEC §4).

A process that starts late (a loaded machine) may read the project while two
creates of one name are both live, before the later one's apply removed it:
it reports that name as ambiguous and exits 1 ("or report what failed"). That
is the one failure a round accepts; any other is a failure of the round.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from reconciler.cli import main
from tests.support.factories import insight, markdown
from tests.support.repo import TOKEN_VAR, RepoKit
from tests.support.server import ROOT, Server, serve_env

DASHBOARDS = 20
# imports dashctl, touches READY, waits for GO, then runs the CLI as `dashctl` would
LAUNCHER = """
import pathlib, sys, time
from reconciler.cli import main
ready, go = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
ready.touch()
while not go.exists():
    time.sleep(0.001)
sys.exit(main(sys.argv[3:]))
"""


@dataclass
class Round:
    processes: int
    codes: list[int] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    live: Counter[str] = field(default_factory=Counter)
    plan_after: int = -1  # exit code of `dashctl plan` once every apply is done

    @property
    def duplicates(self) -> int:
        return sum(count - 1 for count in self.live.values() if count > 1)

    @property
    def missing(self) -> list[str]:
        return sorted(set(names()) - set(self.live))

    @property
    def debris(self) -> int:
        """Live dashboards no manifest declares: made by an apply and left behind."""
        return sum(count for name, count in self.live.items() if name not in names())

    @property
    def tracebacks(self) -> int:
        return sum("Traceback" in output for output in self.outputs)

    @property
    def resolved(self) -> int:
        """Creates that found another writer's dashboard of the same name and yielded to it."""
        return sum(output.count("created at the same time by another writer")
                   for output in self.outputs)

    @property
    def unexplained(self) -> list[str]:
        """Outputs of processes that failed otherwise than by reporting a transient ambiguity."""
        return [output for code, output in zip(self.codes, self.outputs, strict=True)
                if code != 0 and not (code == 1 and only_ambiguity(output))]

    @property
    def ambiguous(self) -> int:
        """Processes that exited 1 reporting a transient ambiguity (accepted)."""
        return sum(code == 1 and only_ambiguity(output)
                   for code, output in zip(self.codes, self.outputs, strict=True))

    @property
    def ok(self) -> bool:
        return (not self.unexplained and not self.duplicates and not self.missing
                and not self.debris and not self.tracebacks and self.plan_after == 0)


def only_ambiguity(output: str) -> bool:
    errors = [line for line in output.splitlines() if line.lstrip().startswith("! ")]
    return bool(errors) and all("ambiguous" in line for line in errors)


def names() -> list[str]:
    return [f"Board {index:02d}" for index in range(DASHBOARDS)]


def write_repo(root: Path, server: Server, project: str) -> RepoKit:
    kit = RepoKit(root, {"test": {"url": server.url, "project": project, "token_env": TOKEN_VAR}})
    for index, name in enumerate(names()):
        kit.write(f"board-{index:02d}", {"name": name, "tiles": [
            insight("dau", events=f"event_{index}"), markdown("goals", f"# Goals {index}")]})
    return kit


def live_names(server: Server, project: str) -> Counter[str]:
    found: Counter[str] = Counter()
    token = ""
    with httpx.Client(timeout=30) as http:
        while True:
            body = {"pageSize": 1000, **({"pageToken": token} if token else {})}
            page = http.post(server.rpc_url("List"), json=body,
                             headers=server.headers(project)).json()
            found.update(item["name"] for item in page.get("dashboards", []))
            token = page.get("nextPageToken", "")
            if not token:
                return found


def run_round(server: Server, folder: Path, project: str, processes: int) -> Round:
    """Start ``processes`` applies together on the empty ``project``; what came of it."""
    root = folder / project
    write_repo(root, server, project)
    env = {**serve_env(), TOKEN_VAR: server.token(project)}
    go = root / "go"
    ready = [root / f"ready-{index}" for index in range(processes)]
    command = ["--root", str(root), "--no-color", "apply", "--env", "test", "--auto-approve"]
    children = [
        subprocess.Popen([sys.executable, "-c", LAUNCHER, str(flag), str(go), *command],
                         cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
        for flag in ready
    ]
    deadline = time.monotonic() + 60
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        time.sleep(0.005)
    go.touch()
    result = Round(processes)
    for child in children:
        output, _ = child.communicate(timeout=120)
        result.codes.append(child.returncode)
        result.outputs.append(output)
    result.live = live_names(server, project)
    os.environ[TOKEN_VAR] = env[TOKEN_VAR]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        result.plan_after = main(["--root", str(root), "--no-color", "plan", "--env", "test"])
    return result
