"""Fleets: one set of dashboards for many projects (SPEC §2 "Fleets").

A fleet of environments.yaml expands into member environments named
``FLEET/PROJECT``, one per entry of its projects list (inline, or a file
beside environments.yaml). The list is the generator of the members, so it is
checked hard: an empty or unreadable list, a project listed twice, or a
member on the project of another environment or member is a located problem,
and any problem of environments.yaml stops the whole run (nothing is
planned, so nothing can be deleted because a list came back empty).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler.repo.config import (
    Environment,
    EnvironmentsFile,
    Fleet,
    FleetProject,
    ProjectsFile,
)
from reconciler.repo.env_checks import server_of
from reconciler.repo.problem import Problem
from reconciler.repo.schema import schema_problems, validator
from reconciler.repo.yaml_io import NodePath, YamlDocument, display_path, load_yaml


@dataclass(frozen=True)
class Where:
    """Where a target (an environment or a member) is declared, to point problems at it."""

    document: YamlDocument
    node: NodePath


@dataclass
class Members:
    environments: dict[str, Environment]
    where: dict[str, Where]
    problems: list[Problem]


def valid_entries(data: Any, section: str) -> dict[str, EnvironmentsFile]:
    """Each entry of ``section`` (environments or fleets) that is valid on its own, parsed
    alone, so that one bad entry never hides the others."""
    entries = data.get(section) if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return {}
    check = validator("environments")
    valid: dict[str, EnvironmentsFile] = {}
    for name, entry in entries.items():
        single = {section: {name: entry}}
        if not check.is_valid(single):
            continue
        try:
            valid[name] = EnvironmentsFile.model_validate(single, strict=True)
        except ValidationError:
            continue
    return valid


def valid_fleets(data: Any) -> dict[str, Fleet]:
    return {name: parsed.fleets[name] for name, parsed in valid_entries(data, "fleets").items()}


def _projects_file(
    root: Path, name: str, fleet: Fleet, source: YamlDocument
) -> tuple[list[FleetProject], YamlDocument, NodePath, list[Problem]]:
    assert isinstance(fleet.projects, str)
    path = root / fleet.projects
    if not path.is_file():
        message = f"fleet {name!r}: its projects file {fleet.projects} cannot be read"
        return [], source, (), [source.problem(("fleets", name, "projects"), message)]
    document = load_yaml(path)
    if document.problems:
        return [], document, (), list(document.problems)
    if document.empty:
        return [], document, (), [Problem(document.file, 1, 1, "empty file: expected `projects:`")]
    problems = schema_problems(document, document.data, "fleet-projects")
    if problems:
        return [], document, (), problems
    try:
        parsed = ProjectsFile.model_validate(document.data, strict=True)
    except ValidationError as error:
        first = error.errors()[0]
        return [], document, (), [Problem(document.file, 1, 1, first["msg"])]
    return parsed.projects, document, ("projects",), []


def expand(root: Path, source: YamlDocument, fleets: dict[str, Fleet]) -> Members:
    """The member environments of every fleet, where each is declared, and the problems."""
    members = Members({}, {}, [])
    for name, fleet in fleets.items():
        if isinstance(fleet.projects, str):
            projects, document, node, problems = _projects_file(root, name, fleet, source)
            members.problems += problems
            if problems:
                continue
        else:
            projects, document, node = fleet.projects, source, ("fleets", name, "projects")
        if not projects:
            message = (f"fleet {name!r} lists no projects: an empty list is an error "
                       "(it never means 'delete every member's dashboards')")
            members.problems.append(document.problem(node, message))
            continue
        seen: set[str] = set()
        for index, entry in enumerate(projects):
            where = Where(document, (*node, index, "project"))
            if entry.project in seen:
                message = f"fleet {name!r} lists project {entry.project!r} twice"
                members.problems.append(where.document.problem(where.node, message))
                continue
            seen.add(entry.project)
            member = fleet.member(name, entry)
            members.environments[member.name] = member
            members.where[member.name] = where
    return members


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
                   f"({environment.project_id} on {display_path_of(environment)}): "
                   "each would undo the other's work")
        place = where.get(name)
        if place is not None:
            problems.append(place.document.problem(place.node, message))
    return problems


def display_path_of(environment: Environment) -> str:
    return display_path(Path(environment.url[7:])) if environment.is_sqlite else (
        environment.public_url)
