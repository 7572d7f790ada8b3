"""The manifest pipeline: every file read, parsed, interpolated, checked and modeled once.

    read -> parse -> ${var} -> JSON Schema -> model (to_manifest) -> lints

An environment gets every ``base/*.yaml|yml`` file except those it lists in
``exclude``; a file of the same name in its own folder (``<root>/<folder>/``)
replaces the base one, and the folder's other files are added. Then the lints
across the environment's manifests (a name or a pinned id used twice, a name
its ``ignore`` covers). Problems never stop the reading: every one is
reported, and only the manifests without a problem are returned.

A `Pipeline` is shared by the environments of one run: a file without
``${...}`` is checked once, whatever the number of environments that read it;
one with ``${...}`` is parsed once and interpolated for each environment.
Locations are found only when there is a problem to point at (the parser's
fast path keeps only those of the top-level keys, which the cross-manifest
lints need). Only files with ``${...}`` are kept parsed (a large repository
is never held parsed in memory at once); of the others the small result is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from reconciler.dashboard import MAX_MESSAGE_BYTES, Dashboard
from reconciler.repo.config import BASE_DIR, Environment
from reconciler.repo.files import list_manifests
from reconciler.repo.interpolate import interpolate
from reconciler.repo.limits import capped, limit_problems, prefer
from reconciler.repo.lint import Declared, lint_environment, lint_manifest
from reconciler.repo.manifest import Manifest, to_manifest
from reconciler.repo.problem import Problem
from reconciler.repo.schema import model_problems, schema_problems
from reconciler.repo.yaml_io import YamlDocument, load_yaml


@dataclass(frozen=True)
class Desired:
    """What the repository declares for one environment: its manifests and its problems."""

    manifests: list[Manifest] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Checked:
    """One file as one environment reads it: a manifest, or the problems that refuse it."""

    file: str
    declared: Declared | None
    manifest: Manifest | None
    problems: list[Problem]


@dataclass
class Pipeline:
    """The pipeline of one run (see the module docstring)."""

    root: Path
    documents: dict[Path, YamlDocument] = field(default_factory=dict)  # files with ${...}
    checked: dict[tuple[Path, bool], Checked] = field(default_factory=dict)  # files without
    folders: dict[Path, tuple[dict[str, Path], list[Problem]]] = field(default_factory=dict)

    def check(self, path: Path, in_base: bool, environment: Environment) -> Checked:
        """The file at ``path`` through every step, for ``environment``."""
        key = (path, in_base)
        if key in self.checked:
            return self.checked[key]
        document = self.documents.get(path) or load_yaml(path, root=self.root)
        if document.problems:
            checked = Checked(document.file, None, None, list(document.problems))
        elif document.empty:
            message = "empty file: a manifest is a mapping with at least a name"
            checked = Checked(document.file, None, None, [Problem(document.file, 1, 1, message)])
        elif document.dollar:
            self.documents[path] = document
            return check_data(document, in_base, environment)
        else:
            checked = check_data(document, in_base, environment)
        self.checked[key] = checked
        return checked

    def folder(self, name: str) -> tuple[dict[str, Path], list[Problem]]:
        """The manifest files of a folder of the root, listed once a run (a fleet's members
        all read base/ and the fleet's folder)."""
        path = self.root / name
        if path not in self.folders:
            problems: list[Problem] = []
            self.folders[path] = list_manifests(path, problems), problems
        return self.folders[path]

    def files(self, environment: Environment) -> tuple[list[tuple[Path, bool]], list[Problem]]:
        """The files an environment reads, (path, from base/), sorted by file name, and
        the problems of listing them."""
        base, base_problems = self.folder(BASE_DIR)
        own, own_problems = self.folder(environment.folder)
        chosen = [(name, path, True) for name, path in base.items()
                  if name not in own and name not in environment.exclude]
        chosen += [(name, path, False) for name, path in own.items()]
        files = [(path, in_base) for _, path, in_base in sorted(chosen, key=lambda c: c[0])]
        return files, [*base_problems, *own_problems]


def check_data(document: YamlDocument, in_base: bool, environment: Environment) -> Checked:
    """Interpolate, schema-check, model and lint one parsed file for ``environment``."""
    problems: list[Problem] = []

    def report(node: tuple[str | int, ...], message: str) -> None:
        problems.append(document.problem(node, message))

    data = document.data
    if document.dollar:
        data = interpolate(data, environment.vars, report,
                           scope=f"environment {environment.name!r}")
    problems.extend(schema_problems(document, data, "dashboard"))
    problems = prefer(limit_problems(document, data), problems)
    if not problems and not exact(data):
        problems = model_problems(document, data, Dashboard)
    problems = capped(chain(problems, lint_manifest(document, data, in_base=in_base)))
    manifest = None if problems else to_manifest(data, document.path, from_base=in_base)
    if manifest is not None and len(manifest.tiles_json) > MAX_MESSAGE_BYTES:
        size = len(manifest.tiles_json)
        problems = [document.problem(("tiles",), (
            f"the tiles are {size:,} bytes on the wire, over the API's "
            f"{MAX_MESSAGE_BYTES // (1024 * 1024)} MiB message limit: split the dashboard"))]
        manifest = None
    return Checked(document.file, Declared.of(document, data, in_base), manifest, problems)


def exact(data: Any) -> bool:
    """Whether the model step can take schema-checked ``data`` as it is: every position an
    int (JSON Schema's "integer" admits 1.0, which the strict model refuses)."""
    return all(type(value) is int for tile in data.get("tiles") or []
               for value in tile["position"].values())


def load_environment(environment: Environment, pipeline: Pipeline) -> Desired:
    """The valid manifests of one environment, and every problem met reading them."""
    files, problems = pipeline.files(environment)
    problems = list(problems)
    checked = [pipeline.check(path, in_base, environment) for path, in_base in files]
    for item in checked:
        problems.extend(item.problems)
    declared = [item.declared for item in checked if item.declared is not None]
    shared = lint_environment(declared, environment=environment.name, ignore=environment.ignore)
    problems.extend(shared)
    refused = {problem.file for problem in shared}
    manifests = [item.manifest for item in checked
                 if item.manifest is not None and item.file not in refused]
    return Desired(manifests, problems)


def load_selection(root: Path, environments: Sequence[Environment]) -> list[Desired]:
    """What the repository at ``root`` declares for each environment, in their order.

    The whole desired side of a run, in one call that holds no state outside
    it: the run may make it in a worker process while it reads live state.
    """
    pipeline = Pipeline(root)
    return [load_environment(environment, pipeline) for environment in environments]


def selection_files(root: Path, environments: Sequence[Environment]) -> int:
    """How many distinct files ``load_selection`` would read (to judge its cost)."""
    pipeline = Pipeline(root)
    return len({path for environment in environments
                for path, _ in pipeline.files(environment)[0]})
