"""A real git remote for the simulated runner: a bare repository as `origin`.

`Origin` is the user's dashboards repository as GitHub holds it (a bare
repository in a folder, reached over ``file://`` so that shallow fetches work
as over HTTPS); `checkout` stands in for actions/checkout as it works: one
branch, fetched shallow (``fetch-depth``, default 1), no tags, no other refs,
`origin` pointing at the remote and no credentials kept. The test-side helpers
write records as dashctl does (a commit holding ``records.jsonl``, its parent
the previous one) and read what a workflow pushed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.ci.actions_sim import Handler, Runner, StepFailed

RECORDS = "refs/dashctl/applied/"
MAINTAINER = {"GIT_AUTHOR_NAME": "Maintainer", "GIT_AUTHOR_EMAIL": "maintainer@example.com",
              "GIT_COMMITTER_NAME": "Maintainer",
              "GIT_COMMITTER_EMAIL": "maintainer@example.com"}
OTHER_WRITER = {"GIT_AUTHOR_NAME": "dashctl", "GIT_AUTHOR_EMAIL": "dashctl@localhost",
                "GIT_COMMITTER_NAME": "dashctl", "GIT_COMMITTER_EMAIL": "dashctl@localhost"}


def git(cwd: Path, *args: str, env: Mapping[str, str] | None = None, stdin: str = "",
        check: bool = True) -> str:
    """Run git in ``cwd`` without the user's or the system's configuration."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(
        ["git", *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120,
        env={**clean, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
             "LC_ALL": "C", **(env or {})}, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


@dataclass
class Origin:
    """A bare repository standing in for the repository on GitHub."""

    path: Path

    @classmethod
    def create(cls, path: Path) -> Origin:
        path.mkdir(parents=True)
        git(path, "init", "--quiet", "--bare", "--initial-branch=main")
        return cls(path)

    @property
    def url(self) -> str:
        return self.path.as_uri()

    def publish(self, files: Path, message: str = "Dashboards", branch: str = "main") -> str:
        """Commit the folder ``files`` as it is as the next commit of ``branch`` (none when
        nothing changed); returns the branch's commit."""
        parent = self.rev(f"refs/heads/{branch}")
        with tempfile.TemporaryDirectory() as scratch:
            env = {"GIT_DIR": str(self.path), "GIT_WORK_TREE": str(files),
                   "GIT_INDEX_FILE": str(Path(scratch) / "index"), **MAINTAINER}
            git(files, "add", "--all", ".", env=env)
            tree = git(files, "write-tree", env=env)
            if parent and self.rev(f"{parent}^{{tree}}") == tree:
                return parent
            commit = git(files, "commit-tree", tree, *(["-p", parent] if parent else []),
                         "-m", message, env=env)
        git(self.path, "update-ref", f"refs/heads/{branch}", commit)
        return commit

    def rev(self, name: str) -> str | None:
        found = git(self.path, "rev-parse", "--verify", "--quiet", name, check=False)
        return found or None

    def refs(self, prefix: str = RECORDS) -> dict[str, str]:
        listing = git(self.path, "for-each-ref", "--format=%(refname) %(objectname)", prefix)
        return dict(line.split(" ") for line in listing.splitlines())

    def show(self, rev: str, path: str) -> str:
        return git(self.path, "show", f"{rev}:{path}")

    def records(self, env: str) -> list[str]:
        """The lines of records.jsonl at the tip of an environment's records ref."""
        return self.show(f"{RECORDS}{env}", "records.jsonl").splitlines()

    def log(self, rev: str, format: str = "%H") -> list[str]:
        return git(self.path, "log", f"--format={format}", rev).splitlines()

    def write_records(self, env: str, files: Mapping[str, str], parent: str | None,
                      *, writer: Mapping[str, str] = OTHER_WRITER) -> str:
        """Another writer's records of ``env``, pushed: see `write_records`."""
        return write_records(self.path, env, files, parent, writer=writer)

    def hook(self, name: str, script: str) -> None:
        """Install a server-side hook (pre-receive, update) in the bare repository."""
        path = self.path / "hooks" / name
        path.write_text("#!/usr/bin/env bash\n" + script, "utf-8")
        path.chmod(0o755)


def write_records(repo: Path, env: str, files: Mapping[str, str], parent: str | None,
                  *, writer: Mapping[str, str] = OTHER_WRITER) -> str:
    """A commit on ``refs/dashctl/applied/<env>`` of ``repo``, as dashctl writes them: a tree
    of ``files`` (records.jsonl, and any other entry) on top of ``parent``; the ref moves to
    it (``repo`` is a bare repository or a work tree)."""
    entries = []
    for name, content in sorted(files.items()):
        blob = git(repo, "hash-object", "-w", "--stdin", stdin=content)
        entries.append(f"100644 blob {blob}\t{name}\n")
    tree = git(repo, "mktree", stdin="".join(entries))
    commit = git(repo, "commit-tree", tree, *(["-p", parent] if parent else []),
                 "-m", f"records of {env}", env=writer)
    git(repo, "update-ref", f"{RECORDS}{env}", commit)
    return commit


def checkout(origin: Origin) -> Handler:
    """actions/checkout (persist-credentials: false): ``github.ref_name`` fetched shallow."""
    def handler(runner: Runner, with_: dict[str, str], env: dict[str, str]) -> dict[str, str]:
        assert with_.get("persist-credentials") == "false"
        branch = str(runner.github.get("ref_name", "main"))
        depth = with_.get("fetch-depth", "1")
        workspace = runner.workspace
        if workspace.exists():
            shutil.rmtree(workspace)
        workspace.mkdir(parents=True)
        variables = runner.variables({})

        def run(*args: str) -> None:
            done = subprocess.run(["git", *args], cwd=workspace, env=variables, text=True,
                                  capture_output=True, timeout=120, check=False)
            if done.returncode != 0:
                raise StepFailed(f"git {args[0]} failed: {done.stderr}")

        run("init", "--quiet", f"--initial-branch={branch}")
        run("remote", "add", "origin", origin.url)
        fetch = ["fetch", "--no-tags", "--prune", "--no-recurse-submodules"]
        if depth != "0":
            fetch.append(f"--depth={depth}")
        run(*fetch, "origin", f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
        run("checkout", "--quiet", "--force", "-B", branch, f"refs/remotes/origin/{branch}")
        return {}
    return handler
