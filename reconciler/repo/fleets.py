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

from pydantic import ValidationError

from reconciler.repo.config import Environment, Fleet, FleetProject, ProjectsFile
from reconciler.repo.env_checks import Where
from reconciler.repo.problem import Problem
from reconciler.repo.schema import schema_problems
from reconciler.repo.yaml_io import NodePath, YamlDocument, load_yaml


@dataclass
class Members:
    environments: dict[str, Environment]
    where: dict[str, Where]
    problems: list[Problem]


def _projects_file(
    root: Path, name: str, fleet: Fleet, source: YamlDocument
) -> tuple[list[FleetProject], YamlDocument, NodePath, list[Problem]]:
    assert isinstance(fleet.projects, str)
    path = root / fleet.projects
    if not path.is_file():
        message = f"fleet {name!r}: its projects file {fleet.projects} cannot be read"
        return [], source, (), [source.problem(("fleets", name, "projects"), message)]
    document = load_yaml(path, root=root)
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


def member_of(fleet: Fleet, name: str, entry: FleetProject) -> Environment:
    """The environment ``NAME/PROJECT`` of one project of fleet ``name``."""
    fields = fleet.model_dump(exclude={"projects", "mode", "vars"})
    return Environment(**fields, project=entry.project, vars={**fleet.vars, **entry.vars},
                       name=f"{name}/{entry.project}", fleet=name, mode=fleet.mode)


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
            member = member_of(fleet, name, entry)
            members.environments[member.name] = member
            members.where[member.name] = where
    return members


