"""Checks of environments.yaml across its entries, located at their nodes. Pure.

- A url with credentials (``https://user:pass@host``, any userinfo) is a
  problem at the url; the url itself is never put in a message, and any other
  problem at that node (whose message could quote it) gives way to this one.
- Two environments on one project of one server (the same url, told apart only
  by spelling: case of the host, a default port, a trailing slash; or the same
  sqlite: database file) and the same project would each undo the other's
  work: the second is a problem at its ``project`` (at its ``url`` when it sets
  no project).

Any other message about environments.yaml that quotes a url (an unknown key, a
bad value) has its userinfo redacted.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reconciler.repo.config import SQLITE_PREFIX, Environment
from reconciler.repo.problem import Problem
from reconciler.repo.urls import has_userinfo, redact_userinfo
from reconciler.repo.yaml_io import NodePath, YamlDocument, display_path


@dataclass(frozen=True)
class Where:
    """Where a target (an environment or a member) is declared, to point problems at it."""

    document: YamlDocument
    node: NodePath


_DEFAULT_PORTS = {"http": 80, "https": 443}
CREDENTIALS_MESSAGE = (
    "url holds credentials (user:password@ before the host): dashctl sends only the"
    " bearer token named by token_env; remove them (the url is not shown here)"
)


def _entries(data: Any) -> dict[Any, Any]:
    entries = data.get("environments") if isinstance(data, dict) else None
    return entries if isinstance(entries, dict) else {}


def credentialed(data: Any) -> list[str]:
    """The names of the environments whose url holds credentials, in file order."""
    return [
        str(name)
        for name, entry in _entries(data).items()
        if isinstance(entry, dict) and isinstance(entry.get("url"), str)
        and has_userinfo(entry["url"])
    ]


PLAIN_HTTP_MESSAGE = (
    "url is plain http:// to a host other than this machine: the token would travel in "
    "the clear; use https:// (plain http:// is for loopback only: 127.0.0.1, ::1, localhost)"
)


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_problems(document: YamlDocument, data: Any) -> list[Problem]:
    """One problem at each url (of an environment or a fleet) of plain http:// to a host that
    is not loopback."""
    problems = []
    for section in ("environments", "fleets"):
        entries = data.get(section) if isinstance(data, dict) else None
        for name, entry in (entries.items() if isinstance(entries, dict) else ()):
            url = entry.get("url") if isinstance(entry, dict) else None
            if not isinstance(url, str) or not url.lower().startswith("http://"):
                continue
            try:
                host = urlsplit(url).hostname or ""
            except ValueError:
                continue  # the schema says what is wrong with it
            if not is_loopback(host):
                problems.append(document.problem((section, name, "url"), PLAIN_HTTP_MESSAGE))
    return problems


def credential_problems(document: YamlDocument, data: Any) -> list[Problem]:
    """One problem at each url that holds credentials."""
    return [
        document.problem(("environments", name, "url"), CREDENTIALS_MESSAGE)
        for name in credentialed(data)
    ]


def server_of(environment: Environment, root: Path) -> str:
    """The server an environment talks to, in one spelling per server."""
    if environment.url.startswith(SQLITE_PREFIX):
        path = Path(environment.url[len(SQLITE_PREFIX) :])
        return SQLITE_PREFIX + str((path if path.is_absolute() else root / path).resolve())
    try:
        parts = urlsplit(environment.url)
        port = parts.port
    except ValueError:
        return environment.url.rstrip("/").lower()
    scheme = parts.scheme.lower()
    shown_port = "" if port is None or port == _DEFAULT_PORTS.get(scheme) else f":{port}"
    return f"{scheme}://{parts.hostname or ''}{shown_port}{parts.path.rstrip('/')}"


def shared_project_problems(
    document: YamlDocument, environments: Mapping[str, Environment], root: Path
) -> list[Problem]:
    """Each environment that works in the project of one server an earlier one works in."""
    problems: list[Problem] = []
    first: dict[tuple[str, str], str] = {}
    for name, environment in environments.items():
        key = (server_of(environment, root), environment.project_id)
        if key not in first:
            first[key] = name
            continue
        earlier = first[key]
        line = document.locate(("environments", earlier))[0]
        field = "project" if environment.project else "url"
        message = (
            f"environment {name!r} works in project {environment.project_id!r} of the same"
            f" server as environment {earlier!r} (line {line}): each would undo the other's"
            " work; point it at its own project"
        )
        problems.append(document.problem(("environments", name, field), message))
    return problems


def without_url_problems(problems: list[Problem], credential: list[Problem]) -> list[Problem]:
    """``problems`` less those located at a url that holds credentials (they may quote it),
    and with the userinfo of any url another message quotes (a key, a value) redacted."""
    at = {(problem.line, problem.column) for problem in credential}
    return [
        Problem(problem.file, problem.line, problem.column, redact_userinfo(problem.message))
        for problem in problems
        if (problem.line, problem.column) not in at
    ]


def across_environments(
    document: YamlDocument,
    problems: list[Problem],
    environments: dict[str, Environment],
    root: Path,
    members: Mapping[str, Environment] | None = None,
    members_where: Mapping[str, Where] | None = None,
    members_problems: Sequence[Problem] = (),
) -> tuple[dict[str, Environment], list[Problem]]:
    """The checks across the entries of environments.yaml (and the members of its fleets),
    after the schema's.

    Returns the valid environments less those whose url holds credentials (nothing
    ever contacts them), then the members, and every problem of the file in order of
    location, then those of the members.
    """
    credential = credential_problems(document, document.data)
    refused = set(credentialed(document.data))
    usable = {name: env for name, env in environments.items() if name not in refused}
    shared = shared_project_problems(document, usable, root)
    plain = [p for p in plain_http_problems(document, document.data)
             if (p.line, p.column) not in {(c.line, c.column) for c in credential}]
    found = [*without_url_problems(problems, credential), *credential, *plain, *shared]
    found.sort(key=lambda problem: (problem.line, problem.column))
    where = {name: Where(document, ("environments", name, "project" if e.project else "url"))
             for name, e in usable.items()}
    every = usable | dict(members or {})
    shared_targets_found = shared_targets(root, every, where | dict(members_where or {}))
    return every, [*found, *members_problems, *shared_targets_found]


def target_key(root: Path, environment: Environment) -> tuple[str, str]:
    """What makes two environments one target: the same server (or database) and project."""
    return server_of(environment, root), environment.project_id


def shared_targets(
    root: Path, environments: dict[str, Environment], where: dict[str, Where]
) -> list[Problem]:
    """A problem at each environment or member whose server and project another one has:
    each would undo the other's work."""
    first: dict[tuple[str, str], str] = {}
    problems = []
    for name, environment in environments.items():
        key = target_key(root, environment)
        if key not in first:
            first[key] = name
            continue
        if environment.fleet is None and environments[first[key]].fleet is None:
            continue  # two plain environments: env_checks reports them
        message = (f"{name!r} works on the same project as {first[key]!r} "
                   f"({environment.project_id} on {_display_path_of(environment)}): "
                   "each would undo the other's work")
        place = where.get(name)
        if place is not None:
            problems.append(place.document.problem(place.node, message))
    return problems


def _display_path_of(environment: Environment) -> str:
    return display_path(Path(environment.url[7:])) if environment.is_sqlite else (
        environment.public_url)
