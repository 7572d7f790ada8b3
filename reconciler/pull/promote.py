"""Promote one environment's manifest into base/ (SPEC §7, "From one environment's editor to
every environment").

`pull` writes a dashboard made in one environment's UI into that environment's
own folder; `promote` moves the file into base/, so that every environment
gets it on its next apply. The steps, each of which can refuse with nothing moved:

    source      --from names an environment, a fleet, or a fleet member: the folder is the
                environment's own, or the fleet's (all members read it)
    find        the one file of that folder whose name, rendered with the vars of the
                environment (of each member, for a fleet), is NAME: the repository's
                own pipeline reads it, so ${var} means what it means to apply
    refuse      a file of that name in base/ already, another base/ dashboard of that
                name, problems of the file (validate's), an exclude of the file name by
                a reader (after the move it would lose the dashboard)
    edit        round trip (comments, key order, quoting kept), the pinned id dropped:
                ids are per environment, and an id in base/ is a validation error
    move        base/ written as a new file (temp file, then linked into place: never
                over a file), read back, the repository validated again, then the
                original removed; on any failure after the write the new file goes

While the new file and the original are both there, the readers of the folder
still read the original (a file of an environment's folder replaces the base/
file of the same name); the new file differs from it by the id alone, so what
validation says of the other environments is what it will say after the move.
A problem only counts when it was not there before: a broken file elsewhere in
the repository is not this command's to refuse.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from reconciler.errors import ConfigError, DashctlError
from reconciler.pull.document import attach_tail, detach_tail
from reconciler.repo.config import BASE_DIR, Environment, Repo
from reconciler.repo.pipeline import Pipeline
from reconciler.repo.problem import Problem
from reconciler.repo.repository import check_repo, load_repo
from reconciler.repo.select import is_pattern
from reconciler.repo.yaml_io import display_path, load_roundtrip, load_yaml, roundtrip_yaml

SHOWN_NAMES = 5  # names listed when NAME is not found


class NotPromoted(DashctlError):
    """promote refused: nothing was moved."""


@dataclass(frozen=True)
class Source:
    """Where --from points: the folder, who reads it, and whose vars render NAME."""

    label: str  # "environment 'staging'", "fleet 'tenants'"
    folder: str
    readers: list[Environment]  # every environment that reads the folder
    naming: list[Environment]  # those whose rendering of a name may be NAME


@dataclass
class Promotion:
    """What moved where, and what to tell about it."""

    source: Path
    target: Path
    dropped_id: str | None
    notes: list[str] = field(default_factory=list)


# --- pure: the round-trip edit ----------------------------------------------------------------


def _following(token: Any, line: int | None) -> str:
    """The comment lines after a key's line, from the token ruamel keeps after its value."""
    value = token.value if isinstance(token, CommentToken) else ""
    if value.startswith("#") and getattr(token.start_mark, "line", line) == line:
        return value.partition("\n")[2]  # the end-of-line comment goes with the line
    return value[1:] if value.startswith("\n") else value


def drop_key(document: CommentedMap, key: str) -> bool:
    """Delete a top-level scalar ``key`` with its line, keeping every other comment: the
    lines that led it stay where they were, those that followed it lead the next key.
    True when the key was there."""
    if key not in document:
        return False
    keys = list(document)
    at = keys.index(key)
    try:
        line: int | None = int(document.lc.key(key)[0])
    except (KeyError, IndexError, TypeError, AttributeError):
        line = None
    entry = document.ca.items.pop(key, None) or [None, None, None, None]
    lines = _following(entry[2], line)
    del document[key]
    if at + 1 < len(keys):
        tokens = [CommentToken(text.strip() + "\n", CommentMark(len(text) - len(text.lstrip())),
                               None) for text in lines.splitlines()]
        slot = document.ca.items.setdefault(keys[at + 1], [None, None, None, None])
        slot[1] = [*(entry[1] or []), *tokens, *(slot[1] or [])] or None
    elif lines:
        attach_tail(document, detach_tail(document) + lines)
    return True


def render(document: Any) -> str:
    buffer = io.StringIO()
    roundtrip_yaml().dump(document, buffer)
    return buffer.getvalue()


# --- pure: choosing ---------------------------------------------------------------------------


def source_of(repo: Repo, source: str) -> Source:
    """The folder --from names; ConfigError for anything else."""
    environments = repo.environments
    fleets = list(dict.fromkeys(e.fleet for e in environments.values() if e.fleet))
    if source in environments:
        chosen = environments[source]
        if chosen.fleet is None:
            return Source(f"environment {source!r}", source, [chosen], [chosen])
        members = [e for e in environments.values() if e.fleet == chosen.fleet]
        return Source(f"fleet {chosen.fleet!r}", chosen.fleet, members, [chosen])
    if source in fleets:
        members = [e for e in environments.values() if e.fleet == source]
        return Source(f"fleet {source!r}", source, members, members)
    plain = [name for name, e in environments.items() if e.fleet is None]
    known = ", ".join(plain) or "none"
    if fleets:
        known += f"; fleets: {', '.join(fleets)}"
    if is_pattern(source):
        raise ConfigError(f"--from {source!r}: one environment or fleet, not a pattern "
                          f"(known: {known})")
    raise ConfigError(f"unknown environment {source!r} (known: {known})")


def new_problems(before: Sequence[Problem], after: Sequence[Problem]) -> list[Problem]:
    """The problems of ``after`` that ``before`` did not have."""
    seen = set(before)
    return [problem for problem in after if problem not in seen]


def _hint(problem: Problem) -> str:
    if "undefined variable" in problem.message:
        return ": define it in the vars of every environment, or write its value in the file"
    if "duplicate dashboard name" in problem.message:
        return ": rename one of the two"
    return ""


# --- the edges: reading the repository, moving the file ---------------------------------------


def _names(pipeline: Pipeline, path: Path, in_base: bool,
           environments: Sequence[Environment]) -> set[str] | None:
    """The names a file has for ``environments``, rendered as the loader does; None when
    the file cannot be read as a manifest at all."""
    names: set[str] = set()
    for environment in environments:
        declared = pipeline.check(path, in_base, environment).declared
        if declared is None:
            return None
        at = declared.values.get("name")
        if at is not None:
            names.add(at.message)
    return names


def find(pipeline: Pipeline, source: Source, name: str) -> Path:
    """The one file of the source folder named ``name``; NotPromoted when there is none
    (saying if base/ has it already) or more than one."""
    root = pipeline.root
    own, _ = pipeline.folder(source.folder)
    found, unread, others = [], 0, set()
    for path in own.values():
        names = _names(pipeline, path, False, source.naming)
        if names is None:
            unread += 1
        elif name in names:
            found.append(path)
        else:
            others |= names
    if len(found) == 1:
        return found[0]
    folder = f"{display_path(root / source.folder)}/"
    if found:
        files = ", ".join(display_path(path) for path in found)
        raise NotPromoted(f"{len(found)} manifests of {folder} are named {name!r} ({files}): "
                          "rename or remove all but one first (see dashctl validate)")
    base, _ = pipeline.folder(BASE_DIR)
    for path in base.values():
        if name in (_names(pipeline, path, True, source.naming) or ()):
            raise NotPromoted(f"{name!r} is already in base/ ({display_path(path)}): "
                              "nothing to promote")
    message = f"no manifest of {folder} is named {name!r} ({source.label})"
    if others:
        shown = sorted(others)
        more = f", and {len(shown) - SHOWN_NAMES} more" if len(shown) > SHOWN_NAMES else ""
        message += f"; it has {', '.join(repr(n) for n in shown[:SHOWN_NAMES])}{more}"
    if unread:
        message += f"; {unread} file(s) there cannot be read (see dashctl validate)"
    raise NotPromoted(message)


def refuse_clashes(pipeline: Pipeline, source: Source, found: Path, name: str) -> None:
    """A file of that name in base/, or another base/ dashboard of that name."""
    target = pipeline.root / BASE_DIR / found.name
    if os.path.lexists(target):
        raise NotPromoted(
            f"{display_path(target)} already exists ({display_path(found)} replaces it in "
            f"{source.label}): promote never overwrites a file; merge the two by hand")
    base, _ = pipeline.folder(BASE_DIR)
    for path in base.values():
        if name in (_names(pipeline, path, True, source.naming) or ()):
            raise NotPromoted(f"{display_path(path)} already declares a dashboard named "
                              f"{name!r}: {display_path(found)} would be a second one")


def refuse_excluded(source: Source, found: Path, name: str) -> None:
    """A reader of the folder that excludes the file name would lose the dashboard."""
    for reader in source.readers:
        if found.name in reader.exclude:
            who = f"fleet {reader.fleet!r}" if reader.fleet else f"environment {reader.name!r}"
            raise NotPromoted(
                f"{who} excludes {found.name} from base/: once moved, {name!r} would no longer "
                f"be its dashboard; take {found.name} out of its exclude first")


def refuse_problems(found: Path, problems: Sequence[Problem]) -> None:
    own = [problem for problem in problems if problem.file == display_path(found)]
    if own:
        more = f" (and {len(own) - 1} more)" if len(own) > 1 else ""
        raise NotPromoted(f"{display_path(found)} has problems, fix them first: "
                          f"{own[0]}{more} (see dashctl validate)")


def write_new(path: Path, text: str, mode: int) -> None:
    """``text`` as a new file at ``path``: written whole beside it, then linked into place,
    so it never appears half written and never replaces a file that appeared meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temp, mode)
        try:
            os.link(temp, path)
        except FileExistsError:
            raise NotPromoted(f"{display_path(path)} appeared meanwhile; nothing moved") from None
        except OSError:  # no hard links on this file system: rename, after a last look
            if os.path.lexists(path):
                raise NotPromoted(f"{display_path(path)} appeared meanwhile; "
                                  "nothing moved") from None
            os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def _reads_back(root: Path, found: Path, target: Path) -> bool:
    """Does the new file hold what the original held, less the id?"""
    old, new = load_yaml(found, root=root), load_yaml(target, root=root)
    if old.problems or new.problems or not isinstance(old.data, dict):
        return False
    return bool(new.data == {key: value for key, value in old.data.items() if key != "id"})


def _after(root: Path, found: Path, target: Path, before: Sequence[Problem]) -> None:
    """With the new file written: refuse when it reads back otherwise, or validation finds
    anything new; then remove the original."""
    if not _reads_back(root, found, target):
        raise NotPromoted(f"{display_path(target)} would not read back as "
                          f"{display_path(found)} less its id; nothing moved")
    fresh = new_problems(before, check_repo(root).problems)
    if fresh:
        first = fresh[0]
        more = f" (and {len(fresh) - 1} more)" if len(fresh) > 1 else ""
        raise NotPromoted(f"{display_path(target)} would not validate in base/: "
                          f"{first}{_hint(first)}{more}; nothing moved")
    try:
        found.unlink()
    except OSError as error:
        raise NotPromoted(f"cannot remove {display_path(found)}: {error.strerror or error}; "
                          "nothing moved") from None


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


def _notes(repo: Repo, source: Source, found: Path, name: str,
           dropped: str | None) -> list[str]:
    notes = []
    if dropped is not None:
        notes.append(f"dropped the pinned id {dropped!r} (ids are per environment): "
                     f"{source.label} now pairs {name!r} with its live dashboard by name")
    notes.append(f"every environment gets {name!r} on its next apply; one that already has a "
                 "live dashboard of that name pairs with it by name (apply makes it match), "
                 "the others create it")
    entries = {e.fleet or e.name: e for e in repo.environments.values()}
    readers = {e.fleet or e.name for e in source.readers}
    for label, environment in entries.items():
        if label in readers:
            continue
        if found.name in environment.exclude:
            notes.append(f"{label} excludes {found.name}: it does not get it")
        elif os.path.lexists(repo.root / environment.folder / found.name):
            overlay = display_path(repo.root / environment.folder / found.name)
            notes.append(f"{overlay} replaces it in {label}")
    return notes


def promote(root: Path, name: str, source_name: str) -> Promotion:
    """Move the manifest of dashboard ``name`` from the folder ``source_name`` reads into
    base/, or refuse (NotPromoted, ConfigError) with nothing moved."""
    repo = load_repo(root)
    source = source_of(repo, source_name)
    pipeline = Pipeline(root)
    found = find(pipeline, source, name)
    refuse_clashes(pipeline, source, found, name)
    before = check_repo(root).problems
    refuse_problems(found, before)
    refuse_excluded(source, found, name)
    document = load_roundtrip(found, root=root)
    if not isinstance(document, CommentedMap):  # validate has said it is a mapping
        raise NotPromoted(f"{display_path(found)} is not a mapping")
    pinned = document.get("id")
    dropped = str(pinned) if drop_key(document, "id") and pinned is not None else None
    target = root / BASE_DIR / found.name
    made_base, written = not target.parent.is_dir(), False
    try:
        write_new(target, render(document), stat.S_IMODE(found.stat().st_mode))
        written = True
        _after(root, found, target, before)
    except BaseException:
        if written:  # ours to take back (never a file that appeared meanwhile)
            target.unlink(missing_ok=True)
        if made_base:
            _remove_if_empty(target.parent)
        raise
    return Promotion(found, target, dropped, _notes(repo, source, found, name, dropped))
