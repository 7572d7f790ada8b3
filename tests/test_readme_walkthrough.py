"""README.md's "Your own repository" walk-through, run as written: the README cannot drift
from the tool.

Every ```console block of that section is read as a terminal session: a line
``$ COMMAND`` is a command, and the lines under it are the first lines of what it
prints (stdout and stderr as a terminal interleaves them). The commands run with
bash, one after another, in a temporary folder, with the dashctl of this checkout
first on PATH, and the test checks:

- the output shown is the first lines of the real output (a shown line ending in
  ``...`` matches any line that starts with the rest);
- the exit code is 0, or N when the command ends in a comment ``# exit code N``.

Shell state is kept as a terminal keeps it, for the forms the walk-through uses:
``cd DIR``, ``export NAME=VALUE``, and ``COMMAND &`` (runs in the background for the
rest of the session; its shown lines are its first). The README's port 8080 becomes
a free one, in the commands and in the output alike.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.server import serve_env

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## Your own repository"
README_PORT = "8080"
COMMAND = re.compile(r"^\$ (?P<command>.+?)(?:\s+#\s(?P<comment>.*))?$")
EXIT_CODE = re.compile(r"exit code (?P<code>\d+)")
EXPORT = re.compile(r"^export (?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>\S*)$")
TIMEOUT_S = 60


@dataclass
class Step:
    command: str
    shown: list[str] = field(default_factory=list)
    code: int = 0


def section(text: str, heading: str) -> str:
    """The text of the level-2 section that starts with ``heading``."""
    start = text.index(f"\n{heading}") + 1
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def console_blocks(text: str) -> list[list[str]]:
    return [block.splitlines() for block in re.findall(r"^```console\n(.*?)^```$", text,
                                                       flags=re.S | re.M)]


def steps(text: str) -> list[Step]:
    found: list[Step] = []
    for block in console_blocks(section(text, SECTION)):
        for line in block:
            command = COMMAND.match(line)
            if command is None:
                assert found, f"output before any command: {line!r}"
                found[-1].shown.append(line)
                continue
            code = EXIT_CODE.search(command["comment"] or "")
            found.append(Step(command["command"], code=int(code["code"]) if code else 0))
    return found


def matches(shown: list[str], actual: list[str]) -> bool:
    if len(actual) < len(shown):
        return False
    return all(real.startswith(line[:-3]) if line.endswith("...") else real == line
               for line, real in zip(shown, actual, strict=False))


def free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


class Background:
    """A command left running (``COMMAND &``): its output collected as it comes."""

    def __init__(self, command: str, cwd: Path, env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.more = threading.Condition()
        self.process = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=cwd, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.more:
                self.lines.append(line.rstrip("\n"))
                self.more.notify_all()
        with self.more:
            self.more.notify_all()

    def first(self, count: int) -> list[str]:
        with self.more:
            self.more.wait_for(lambda: len(self.lines) >= count
                               or self.process.poll() is not None, timeout=TIMEOUT_S)
            return list(self.lines)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def background() -> Iterator[list[Background]]:
    started: list[Background] = []
    yield started
    for job in started:
        job.stop()


def test_the_section_is_a_walkthrough_from_init_to_the_ui() -> None:
    commands = [step.command for step in steps(README.read_text("utf-8"))]
    assert "dashctl init" in commands
    for expected in ("dashctl validate", "dashctl plan --env local",
                     "dashctl apply --env local --auto-approve"):
        assert expected in commands
    assert any(command.startswith("dashctl serve") for command in commands)
    assert all(step.shown for step in steps(README.read_text("utf-8"))
               if step.command.startswith("dashctl"))  # each shows its first lines


def test_the_walkthrough_runs_as_the_readme_shows(
        tmp_path: Path, no_git_identity: None, background: list[Background]) -> None:
    port = free_port()
    text = re.sub(rf"\b{README_PORT}\b", port, README.read_text("utf-8"))
    cwd = tmp_path
    env = serve_env()
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    for name in ("DASHCTL_ROOT", "NO_COLOR"):
        env.pop(name, None)
    url = ""

    for step in steps(text):
        command = step.command
        if command.startswith("cd "):
            cwd = cwd / shlex.split(command)[1]
            assert cwd.is_dir(), command
            continue
        exported = EXPORT.match(command)
        if exported:
            env[exported["name"]] = exported["value"]
            continue
        if command.endswith(" &"):
            job = Background(command.removesuffix(" &"), cwd, env)
            background.append(job)
            actual = job.first(len(step.shown))
            assert matches(step.shown, actual), (command, step.shown, actual)
            continue
        done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=TIMEOUT_S, check=False)
        actual = done.stdout.splitlines()
        assert done.returncode == step.code, (command, done.returncode, done.stdout)
        assert "Traceback" not in done.stdout
        assert matches(step.shown, actual), (command, step.shown, actual)
        url = next((line for line in actual if line.startswith("http://")), url)

    # what the walk-through says to open: the preview pages, and the UI at that address
    assert "Growth KPIs" in (cwd / "preview" / "local" / "growth-kpis.html").read_text("utf-8")
    assert url, "the walk-through prints the UI's address"
    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        page = browser.get(url)
        assert page.status_code == 200 and "Growth KPIs" in page.text
        assert "token=" not in str(page.url)  # the token moved into a cookie
