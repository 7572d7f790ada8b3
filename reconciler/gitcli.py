"""Running git for dashctl: plumbing only, with dashctl's own identity, in the root's repository.

Every git process dashctl starts goes through `Git`: it runs in the root, never
in another repository, index or namespace a variable could point at (GIT_DIR,
GIT_INDEX_FILE, ...), never prompts, names dashctl as author and committer (so
no git identity is needed, as on a CI runner) and never takes the index lock
for a `git status`. `repository_commit` says which commit the manifests are.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

IDENTITY = "dashctl <dashctl@localhost>"
TIMEOUT = 300.0  # seconds for one git process
# what would point git at another repository, index or namespace than the root's
_FOREIGN = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX",
            "GIT_NAMESPACE")


class GitFailed(Exception):
    """A git process that could not run or answered an error: its message says which."""


def _environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _FOREIGN}
    name, email = IDENTITY[:-1].split(" <")
    env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name,
               GIT_COMMITTER_EMAIL=email, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0",
               LC_ALL="C")
    return env


def said(stderr: bytes) -> str:
    """git's first line of complaint, printable and short."""
    for line in stderr.decode("utf-8", "replace").splitlines():
        line = "".join(char if char.isprintable() else "?" for char in line).strip()
        for prefix in ("fatal: ", "error: "):
            line = line.removeprefix(prefix)
        if line:
            return line[:300]
    return "no message"


@dataclass(frozen=True, slots=True)
class Git:
    root: Path

    def run(self, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(["git", *args], cwd=self.root, input=stdin, capture_output=True,
                                  env=_environment(), timeout=TIMEOUT, check=False)
        except FileNotFoundError as error:
            if error.filename is not None and Path(error.filename) == self.root:
                raise GitFailed(f"the folder {self.root} does not exist") from None
            raise GitFailed("git is not installed (no git on PATH)") from None
        except OSError as error:
            raise GitFailed(f"git could not run: {error.strerror}") from None
        except subprocess.TimeoutExpired:
            raise GitFailed(f"git {args[0]} took more than {TIMEOUT:.0f} s") from None

    def ok(self, *args: str, stdin: bytes = b"") -> bytes:
        done = self.run(*args, stdin=stdin)
        if done.returncode != 0:
            raise GitFailed(f"git {args[0]} failed: {said(done.stderr)}")
        return done.stdout


def repository_commit(root: Path) -> str | None:
    """HEAD's commit, or None: no commit yet, not a repository, or the YAML files under
    ``root`` (the manifests, environments.yaml, fleet lists) have uncommitted changes
    (modified, staged, or untracked and not ignored)."""
    try:  # the manifests and environments.yaml: a database or a report beside them is not git's
        done = Git(root).run("status", "--porcelain=v2", "--branch", "-z", "--",
                              ":(glob)**/*.yaml", ":(glob)**/*.yml")
    except GitFailed:
        return None
    if done.returncode != 0:
        return None
    head = None
    for entry in done.stdout.split(b"\0"):
        if entry.startswith(b"# branch.oid "):
            head = entry.removeprefix(b"# branch.oid ").decode()
        elif entry and not entry.startswith(b"#"):
            return None
    return None if head in (None, "(initial)") else head
