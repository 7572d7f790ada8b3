"""The applied records kept in git (SPEC §7): the only module that runs git.

Each environment (or fleet member) NAME has one ref, ``refs/dashctl/applied/NAME``,
in the git repository that holds the root. Each write that changes its records
adds one commit on top of the previous one (``git log`` of the ref is the
history of what was applied); the commit's tree holds ``records.jsonl``, one
record a line sorted by id (``reconciler.engine.records`` spells them), so
``git log -p`` shows which dashboards changed. Other entries of the tree are
kept as they were (a later format may add some).

Branches, the index and the work tree are never touched: objects are written by
``git fast-import`` and refs moved by ``git update-ref``, never ``git commit`` or
``git add``. dashctl names itself as author and committer, so no git identity
is needed. ``git status`` runs with GIT_OPTIONAL_LOCKS=0, so it never rewrites
the index either.

A write is a compare-and-swap: every ref moves from the value it was read at,
in one ``update-ref --stdin`` transaction. When another writer moved one first,
the refs are read again, this writer's updates applied over the other's
records (set and drop by dashboard id, nothing else), and the swap retried, a
bounded number of times. A transaction that fails with no ref moved (git
refuses one ref: a file/folder clash such as ``staging`` beside
``staging/x``) is retried one ref at a time, so that one refused ref fails
alone.

Whatever the number of environments or fleet members, a read is 2 git
processes (``for-each-ref``, ``cat-file --batch``) and a write 4 (those,
``fast-import`` for every blob, tree and commit, and ``update-ref --stdin``),
plus one round more per lost race. A store keeps what it parsed by commit id:
apply, which reads the records when it plans, does not fetch or parse them
again when it writes unless another writer moved the ref meanwhile.

Why the git CLI and not pygit2 or dulwich: git is on every CI runner already
(no native wheel for the composite action to install); it handles every
repository layout and format the user's git does (linked worktrees, sha256
objects, alternates, partial clones, reftable) and applies git's own safety checks
(``safe.directory``), so records land exactly where ``git push`` finds them;
and with plumbing in batches the cost of a process is paid a few times per
command, not per dashboard or member (bench/bench_records.py measures it).
Nothing here ever raises for git's sake: a repository git refuses, a missing
git or a failing command is a reason, a warning or a ``failed`` entry.
"""

from __future__ import annotations

import gc
import os
import random
import re
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.engine.records import (
    Parsed,
    Records,
    RecordUpdate,
    Updated,
    WriteResult,
    parse_records,
    update_records,
)

__all__ = ["FILE", "REF_PREFIX", "GitRecords", "NoRecords", "ref_name_problem",
           "repository_commit"]

REF_PREFIX = "refs/dashctl/applied/"
FILE = "records.jsonl"
IDENTITY = "dashctl <dashctl@localhost>"
ATTEMPTS = 10  # rounds of compare-and-swap before a write gives up on a ref
BACKOFF = 0.02  # seconds: a lost round waits up to BACKOFF * 2**round (at most 1 s), at random
TIMEOUT = 300.0  # seconds for one git process
# fast-import's branch: reset to nothing before the stream ends, so it never writes a ref
_SCRATCH = "refs/dashctl/import"
# what would point git at another repository, index or namespace than the root's
_FOREIGN = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX",
            "GIT_NAMESPACE")
_FORBIDDEN_IN_REF = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


class _GitFailed(Exception):
    """A git process that could not run or answered an error: its message says which."""


@dataclass(frozen=True, slots=True)
class NoRecords:
    """Why a root has no records (not in a git work tree, no git, a refused repository)."""

    reason: str


def ref_name_problem(name: str) -> str | None:
    """Why ``refs/dashctl/applied/<name>`` is not a ref name git accepts (its
    check-ref-format rules), or None."""
    if not name:
        return "an empty name"
    if _FORBIDDEN_IN_REF.search(name):
        return "a space, control character or one of ~ ^ : ? * [ \\"
    if "@{" in name:
        return "'@{'"
    if name.endswith("."):
        return "a trailing '.'"
    for part in name.split("/"):
        if not part:
            return "an empty part between slashes"
        if part.startswith("."):
            return "a part that starts with '.'"
        if part.endswith(".lock"):
            return "a part that ends with '.lock'"
        if ".." in part:
            return "'..'"
    return None


@contextmanager
def _no_collections() -> Iterator[None]:
    """The cyclic collector off while records are decoded.

    Decoding 2,000 records of 25 tiles makes about a million dicts and lists, all
    alive and in acyclic trees (orjson's output): the collector finds nothing, yet
    its full passes over a large heap took 1.5 s of a 1.6 s read (0.13 s with it
    off). Nothing here makes cycles, so nothing is left uncollected.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _FOREIGN}
    name, email = IDENTITY[:-1].split(" <")
    env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name,
               GIT_COMMITTER_EMAIL=email, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0",
               LC_ALL="C")
    return env


def _said(stderr: bytes) -> str:
    """git's first line of complaint, printable and short."""
    for line in stderr.decode("utf-8", "replace").splitlines():
        line = "".join(char if char.isprintable() else "?" for char in line).strip()
        for prefix in ("fatal: ", "error: "):
            line = line.removeprefix(prefix)
        if line:
            return line[:300]
    return "no message"


@dataclass(frozen=True, slots=True)
class _Git:
    root: Path

    def run(self, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(["git", *args], cwd=self.root, input=stdin, capture_output=True,
                                  env=_environment(), timeout=TIMEOUT, check=False)
        except FileNotFoundError as error:
            if error.filename is not None and Path(error.filename) == self.root:
                raise _GitFailed(f"the folder {self.root} does not exist") from None
            raise _GitFailed("git is not installed (no git on PATH)") from None
        except OSError as error:
            raise _GitFailed(f"git could not run: {error.strerror}") from None
        except subprocess.TimeoutExpired:
            raise _GitFailed(f"git {args[0]} took more than {TIMEOUT:.0f} s") from None

    def ok(self, *args: str, stdin: bytes = b"") -> bytes:
        done = self.run(*args, stdin=stdin)
        if done.returncode != 0:
            raise _GitFailed(f"git {args[0]} failed: {_said(done.stderr)}")
        return done.stdout


@dataclass(frozen=True, slots=True)
class _Current:
    """What a ref holds now: its value (for the swap), its commit (the next parent),
    its records read for one project, or why what it holds is not records."""

    oid: str | None = None
    commit: str | None = None
    parsed: Parsed = field(default_factory=Parsed)
    problem: str | None = None


def repository_commit(root: Path) -> str | None:
    """HEAD's commit, or None: no commit yet, not a repository, or the YAML files under
    ``root`` (the manifests, environments.yaml, fleet lists) have uncommitted changes
    (modified, staged, or untracked and not ignored)."""
    try:  # the manifests and environments.yaml: a database or a report beside them is not git's
        done = _Git(root).run("status", "--porcelain=v2", "--branch", "-z", "--",
                              ":(glob)**/*.yaml", ":(glob)**/*.yml")
    except _GitFailed:
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


class GitRecords:
    """The RecordStore of SPEC §7 on the git CLI (``reconciler.engine.records.RecordStore``)."""

    def __init__(self, git: _Git) -> None:
        self._git = git
        # name -> (commit, project, its records): the file of a commit is parsed once
        # per command, whether this store read it or wrote it
        self._known: dict[str, tuple[str, str, Parsed]] = {}

    @classmethod
    def open(cls, root: Path) -> GitRecords | NoRecords:
        """The records of the git repository holding ``root``, or why there are none."""
        git = _Git(Path(root))
        try:
            done = git.run("rev-parse", "--is-inside-work-tree")
        except _GitFailed as error:
            return NoRecords(str(error))
        if done.returncode != 0:
            said = _said(done.stderr)
            if "not a git repository" in said:
                return NoRecords("the root is not inside a git work tree")
            return NoRecords(f"git refuses the repository: {said}")
        if done.stdout.strip() != b"true":
            return NoRecords("the root is not inside a git work tree")
        return cls(git)

    @property
    def root(self) -> Path:
        return self._git.root

    def read(self, names: Mapping[str, str]) -> dict[str, Records]:
        """The records of each environment (name -> its project)."""
        result: dict[str, Records] = {}
        wanted: dict[str, str] = {}
        for name, project in names.items():
            problem = ref_name_problem(name)
            if problem is None:
                wanted[name] = project
            else:
                result[name] = Records(warnings=(f"no records for {name!r}: git refuses "
                                                  f"{problem} in a ref name",))
        try:
            current = self._current(wanted)
        except _GitFailed as error:
            for name in wanted:
                result[name] = Records(warnings=(f"the records of {name} could not be read: "
                                                 f"{error}",))
            return result
        for name in wanted:
            now = current[name]
            if now.problem is not None:
                result[name] = Records(warnings=(now.problem,))
            else:
                result[name] = now.parsed.records(REF_PREFIX + name)
        return result

    def write(self, updates: Mapping[str, RecordUpdate]) -> WriteResult:
        """Apply each environment's update over its current records: one commit per
        environment that changes, none for one that does not."""
        written: dict[str, str] = {}
        unchanged: set[str] = set()
        failed: dict[str, str] = {}
        pending: dict[str, RecordUpdate] = {}
        for name, update in updates.items():
            problem = ref_name_problem(name)
            if problem is None:
                pending[name] = update
            else:
                failed[name] = f"git refuses {problem} in a ref name"
        one_by_one = False
        for attempt in range(ATTEMPTS):
            if not pending:
                break
            if attempt:  # jittered, so that two losers do not meet again at once
                time.sleep(random.uniform(0.0, min(1.0, BACKOFF * 2**attempt)))
            try:
                current = self._current({name: u.project for name, u in pending.items()})
                changes: dict[str, Updated] = {}
                for name, update in pending.items():
                    after = update_records(current[name].parsed, update)
                    if after is None:
                        unchanged.add(name)
                    else:
                        changes[name] = after
                pending = {name: pending[name] for name in changes}
                if not changes:
                    break
                commits = self._commit(changes, current)
                if one_by_one:
                    failed.update(self._swap_each(commits, current, written))
                elif self._swap(commits, current) is None:
                    written.update(commits)
                else:
                    # lost a race: go again; nobody moved a ref: git refuses one of them
                    one_by_one = self._heads(list(pending)) == {
                        name: current[name].oid for name in pending}
                for name, commit in written.items():
                    if name in changes:
                        self._known[name] = (commit, pending[name].project, changes[name].parsed)
                pending = {name: pending[name] for name in pending
                           if name not in written and name not in failed}
            except _GitFailed as error:
                failed.update((name, str(error)) for name in pending)
                pending = {}
        for name in pending:
            failed[name] = f"other writers kept moving {REF_PREFIX}{name} ({ATTEMPTS} attempts)"
        return WriteResult(written, frozenset(unchanged), failed)

    def _heads(self, names: Sequence[str]) -> dict[str, str | None]:
        """Each ref's value, None where it does not exist."""
        return {name: found[0] if found else None
                for name, found in self._listing(names).items()}

    def _listing(self, names: Sequence[str]) -> dict[str, tuple[str, str] | None]:
        """(value, type of object) of each environment's ref: one git process for any number."""
        refs = {REF_PREFIX + name: name for name in names}
        found: dict[str, tuple[str, str] | None] = dict.fromkeys(names)
        listing = self._git.ok("for-each-ref", "--format=%(objectname) %(objecttype) %(refname)",
                               REF_PREFIX)
        for line in listing.decode("utf-8", "replace").splitlines():
            oid, kind, ref = line.split(" ", 2)
            if ref in refs:
                found[refs[ref]] = (oid, kind)
        return found

    def _current(self, projects: Mapping[str, str]) -> dict[str, _Current]:
        """What each environment's ref holds now, read for its project: 2 git processes for
        any number of environments (1 when every commit was parsed before)."""
        current: dict[str, _Current] = {}
        fetch: list[tuple[str, str]] = []
        for name, found in self._listing(list(projects)).items():
            if found is None:
                current[name] = _Current()
            elif found[1] != "commit":
                current[name] = _Current(found[0], None, Parsed(), (
                    f"{REF_PREFIX}{name} points at a {found[1]}, not at a commit of records; "
                    "it counts as no records"))
            elif (known := self._known.get(name)) and known[:2] == (found[0], projects[name]):
                current[name] = _Current(found[0], found[0], known[2])
            else:
                fetch.append((name, found[0]))
        files = self._files([f"{commit}:{FILE}" for _, commit in fetch])
        with _no_collections():
            for (name, commit), (held, content) in zip(fetch, files, strict=True):
                if held == "blob":
                    parsed = parse_records(content, project=projects[name])
                    self._known[name] = (commit, projects[name], parsed)
                    current[name] = _Current(commit, commit, parsed)
                else:
                    what = "no" if held is None else f"a {held} as its"
                    current[name] = _Current(commit, commit, Parsed(), (
                        f"{REF_PREFIX}{name} holds {what} {FILE}; it counts as no records"))
        return current

    def _files(self, requests: Sequence[str]) -> list[tuple[str | None, bytes]]:
        """(type, content) of each ``<commit>:<path>``; (None, b"") where there is none."""
        if not requests:
            return []
        out = self._git.ok("cat-file", "--batch", stdin="".join(f"{r}\n" for r in requests)
                           .encode())
        found: list[tuple[str | None, bytes]] = []
        at = 0
        for _ in requests:
            end = out.index(b"\n", at)
            header = out[at:end].split(b" ")
            at = end + 1
            if len(header) == 3 and header[2].isdigit():
                size = int(header[2])
                found.append((header[1].decode(), out[at:at + size]))
                at += size + 1
            else:  # "<request> missing"
                found.append((None, b""))
        return found

    def _commit(self, changes: Mapping[str, Updated],
                current: Mapping[str, _Current]) -> dict[str, str]:
        """One new commit per environment, all from one ``git fast-import``: name -> commit."""
        names = list(changes)
        when = f"{int(time.time())} +0000"
        stream = [b"feature done\n"]
        for mark, name in enumerate(names, start=1):
            after = changes[name]
            message = (f"dashctl: the records of {name}: {after.recorded} recorded, "
                       f"{after.dropped} dropped").encode()
            if after.discarded:
                message += f", {after.discarded} unreadable discarded".encode()
            parent = current[name].commit
            stream += [
                f"reset {_SCRATCH}\ncommit {_SCRATCH}\nmark :{mark}\n".encode(),
                f"author {IDENTITY} {when}\ncommitter {IDENTITY} {when}\n".encode(),
                f"data {len(message)}\n".encode(), message, b"\n",
                f"from {parent}\n".encode() if parent else b"",
                f"M 100644 inline {FILE}\ndata {len(after.content)}\n".encode(),
                after.content, b"\n",
            ]
        stream.append(f"reset {_SCRATCH}\n".encode())
        stream += [f"get-mark :{mark}\n".encode() for mark in range(1, len(names) + 1)]
        stream.append(b"done\n")
        out = self._git.ok("fast-import", "--quiet", "--done", stdin=b"".join(stream))
        oids = out.decode().split()
        if len(oids) != len(names):
            raise _GitFailed("git fast-import did not name every commit it made")
        return dict(zip(names, oids, strict=True))

    def _swap(self, commits: Mapping[str, str], current: Mapping[str, _Current]) -> str | None:
        """Move every ref from the value it was read at, all or none: None, or git's refusal."""
        lines = []
        for name, new in commits.items():
            old = current[name].oid
            ref = REF_PREFIX + name
            lines.append(f"update {ref} {new} {old}\n" if old else f"create {ref} {new}\n")
        done = self._git.run("update-ref", "-m", "dashctl: applied records", "--stdin",
                             stdin="".join(lines).encode())
        return None if done.returncode == 0 else _said(done.stderr)

    def _swap_each(self, commits: Mapping[str, str], current: Mapping[str, _Current],
                   written: dict[str, str]) -> dict[str, str]:
        """Each ref alone: those moved go into ``written``; returns why git refused the
        others (a ref another writer moved meanwhile is neither: it goes round again)."""
        refusals: dict[str, str] = {}
        for name, new in commits.items():
            refusal = self._swap({name: new}, current)
            if refusal is None:
                written[name] = new
            else:
                refusals[name] = refusal
        if not refusals:
            return {}
        now = self._heads(list(refusals))
        return {name: f"git refuses to move {REF_PREFIX}{name}: {refusal}"
                for name, refusal in refusals.items() if now[name] == current[name].oid}
