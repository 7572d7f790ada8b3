"""Read the GitOps repository: environments.yaml, then each environment's manifests.

An environment gets every ``base/*.yaml|yml`` file except those it lists in
``exclude``; a file of the same name in its own folder (``<root>/<name>/``)
replaces the base one, and the folder's other files are added. Each manifest
goes through the same steps: parse (``yaml_io``), ``${var}`` interpolation,
the committed JSON Schema, the pydantic model (strict), then the lints; then
the lints across the environment's manifests (names and pinned ids used
twice). Problems never stop the reading: every one is reported, and only the
manifests without a problem are returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler.errors import ConfigError, ManifestError
from reconciler.model import Dashboard
from reconciler.repo import fleets, select
from reconciler.repo.env_checks import across_environments
from reconciler.repo.gc_pause import fewer_collections
from reconciler.repo.interpolate import interpolate
from reconciler.repo.limits import cap_per_file, capped, limit_problems, prefer
from reconciler.repo.lint import Declared, lint_environment, lint_manifest
from reconciler.repo.manifest_store import ManifestStore, Stored
from reconciler.repo.models import (
    BASE_DIR,
    ENVIRONMENTS_FILE,
    Environment,
    EnvironmentsFile,
    Manifest,
    Problem,
    Repo,
)
from reconciler.repo.schema import schema_problems
from reconciler.repo.select import Shard
from reconciler.repo.yaml_io import YamlDocument, display_path, load_yaml, parse_text, read_text

MANIFEST_SUFFIXES = (".yaml", ".yml")


# -- environments.yaml -------------------------------------------------------


def load_repo(root: Path) -> Repo:
    """The repository at root; ManifestError for the first problem of environments.yaml."""
    repo, problems = read_repo(root)
    if problems:
        first = problems[0]
        raise ManifestError(first.message, file=first.file, line=first.line, column=first.column)
    return repo


def read_repo(root: Path) -> tuple[Repo, list[Problem]]:
    """The repository with every environment that is valid, and all problems of the file.

    Raises ConfigError when the folder or environments.yaml is missing.
    """
    if not root.is_dir():
        raise ConfigError(
            f"no dashboards repository at {display_path(root)}/ (use --root or DASHCTL_ROOT)"
        )
    path = root / ENVIRONMENTS_FILE
    if not path.exists() or path.is_dir():  # a FIFO or a device is a problem of load_yaml
        raise ConfigError(f"{display_path(path)} not found: a repository needs one")
    document = load_yaml(path)
    repo = Repo(root=root, source=document)
    if document.problems:
        return repo, list(document.problems)
    if document.empty:
        message = "environments.yaml is empty: expected an 'environments' mapping"
        return repo, [Problem(document.file, 1, 1, message)]
    problems = schema_problems(document, document.data, "environments")
    if not problems:
        try:
            EnvironmentsFile.model_validate(document.data, strict=True)
        except ValidationError as error:
            problems = model_problems(document, error)
    environments = _valid_environments(document.data)
    repo.environments, problems = across_environments(document, problems, environments, root)
    where = {
        name: fleets.Where(document, ("environments", name, "project" if e.project else "url"))
        for name, e in repo.environments.items()
    }
    members = fleets.expand(root, document, fleets.valid_fleets(document.data))
    repo.environments |= members.environments
    problems += members.problems
    problems += fleets.shared_targets(root, repo.environments, where | members.where)
    return repo, cap_per_file(problems)


def _valid_environments(data: Any) -> dict[str, Environment]:
    """Each entry that is valid on its own, so the others can still be checked."""
    return {
        name: parsed.environments[name].model_copy(update={"name": name})
        for name, parsed in fleets.valid_entries(data, "environments").items()
    }


def raw_environment_names(repo: Repo, section: str = "environments") -> list[str]:
    """Every name under `environments:` (or `fleets:`), valid or not."""
    data = repo.source.data if repo.source is not None else None
    entries = data.get(section) if isinstance(data, dict) else None
    return [str(name) for name in entries] if isinstance(entries, dict) else []


def select_environments(
    repo: Repo, env: str | Sequence[str] = (), shard: Shard | None = None
) -> list[Environment]:
    """`all` (every environment, in file order), names and globs, then the shard."""
    wanted = [env] if isinstance(env, str) else list(env)
    return select.select_environments(repo.environments, wanted, shard)


def model_problems(document: YamlDocument, error: ValidationError) -> list[Problem]:
    """pydantic errors as located problems (what the schema let through)."""
    problems = []
    for item in error.errors():
        path = tuple(step for step in item["loc"] if isinstance(step, str | int))
        message = item["msg"].removeprefix("Value error, ")
        problems.append(document.problem(path, message))
    return list(dict.fromkeys(problems))


# -- manifests ------------------------------------------------------------------


@dataclass
class LoadCache:
    """Work shared by the environments of one run: each file is parsed once, and a
    file without ``${...}`` is checked once.

    Only documents that hold ``${...}`` are kept (each environment interpolates
    them anew); the others are kept as their small check result, so that a
    large repository is never held parsed in memory all at once.
    """

    documents: dict[Path, YamlDocument] = field(default_factory=dict)
    results: dict[tuple[Path, bool], _Checked] = field(default_factory=dict)
    store: ManifestStore | None = None  # checked manifests of earlier runs

    @classmethod
    def of(cls, root: Path) -> LoadCache:
        """A cache for one run over the repository at ``root``, with its lasting store."""
        return cls(store=ManifestStore.open(root))

    def document(self, path: Path, text: str | None = None) -> YamlDocument:
        """The parsed file (``text``: what `read_text` already read of it)."""
        if path in self.documents:
            return self.documents[path]
        document = load_yaml(path) if text is None else parse_text(path, display_path(path), text)
        if document.dollar and not document.problems:
            self.documents[path] = document
        return document


@dataclass(frozen=True)
class _Checked:
    file: str
    declared: Declared | None
    manifest: Manifest | None
    problems: list[Problem]


def manifest_files(folder: Path) -> dict[str, Path]:
    """The .yaml/.yml files of a folder (not hidden), by file name, sorted."""
    if not folder.is_dir():
        return {}
    files = {
        path.name: path
        for path in folder.iterdir()
        if path.suffix in MANIFEST_SUFFIXES
        and not path.name.startswith(".")
        and (not path.is_dir() or path.is_symlink())  # a FIFO too: load_yaml refuses it
    }
    return dict(sorted(files.items()))


def load_manifests(
    repo: Repo, environment: Environment, *, cache: LoadCache | None = None
) -> tuple[list[Manifest], list[Problem]]:
    """The valid manifests of one environment, and every problem met reading them."""
    cache = cache if cache is not None else LoadCache()
    problems: list[Problem] = []
    base = _listed(repo.root / BASE_DIR, problems)
    own = _listed(repo.root / environment.folder, problems)
    problems.extend(_exclude_problems(repo, environment, base))
    chosen = [(name, path, True) for name, path in base.items() if name not in own]
    chosen = [item for item in chosen if item[0] not in environment.exclude]
    chosen += [(name, path, False) for name, path in own.items()]
    chosen.sort(key=lambda item: item[0])

    with fewer_collections():
        checked = [_check(path, in_base, environment, cache) for _, path, in_base in chosen]
    if cache.store is not None:
        cache.store.flush()
    for item in checked:
        problems.extend(item.problems)
    declared = [item.declared for item in checked if item.declared is not None]
    shared = lint_environment(declared, environment=environment.name, ignore=environment.ignore)
    problems.extend(shared)
    refused = {problem.file for problem in shared}
    manifests = [
        item.manifest
        for item in checked
        if item.manifest is not None and item.file not in refused
    ]
    return manifests, problems


def _listed(folder: Path, problems: list[Problem]) -> dict[str, Path]:
    try:
        return manifest_files(folder)
    except OSError as error:
        message = f"cannot read folder: {error.strerror or error}"
        problems.append(Problem(display_path(folder), 1, 1, message))
        return {}


def _exclude_problems(repo: Repo, environment: Environment, base: dict[str, Path]) -> list[Problem]:
    problems = []
    for index, name in enumerate(environment.exclude):
        if name not in base and repo.source is not None:
            node = (("fleets", environment.fleet) if environment.fleet else
                    ("environments", environment.name)) + ("exclude", index)
            message = f"exclude names {name!r} but {BASE_DIR}/ has no such file"
            problems.append(repo.source.problem(node, message))
    return problems


def _check(path: Path, in_base: bool, environment: Environment, cache: LoadCache) -> _Checked:
    key = (path, in_base)
    if key in cache.results:
        return cache.results[key]
    if cache.store is not None and path not in cache.documents:
        return _check_stored(path, in_base, environment, cache, cache.store)
    return _check_document(cache.document(path), in_base, environment, cache)


def _check_stored(path: Path, in_base: bool, environment: Environment, cache: LoadCache,
                  store: ManifestStore) -> _Checked:
    """`_check` through the lasting store: a clean file seen before is not parsed again."""
    file = display_path(path)
    text, _ = read_text(path, file)
    if text is None or "$" in text:  # a problem to locate, or variables: the usual way
        return _check_document(cache.document(path, text), in_base, environment, cache)
    key = store.key(text, in_base)
    stored = store.get(key)
    if stored is not None:
        values = {name: Problem(file, line, column, value)
                  for name, (line, column, value) in stored.declared.items()}
        pinned = stored.declared.get("id")
        names = (stored.declared["name"][2], pinned[2] if pinned else None, stored.former_names)
        found = Manifest.stored(names, stored.data, stored.wire, path, in_base)
        checked = _Checked(file, Declared(file, in_base, values), found, [])
        cache.results[(path, in_base)] = checked
        return checked
    document = cache.document(path, text)
    checked = _check_document(document, in_base, environment, cache)
    manifest = checked.manifest
    if manifest is not None and not checked.problems and checked.declared is not None:
        declared = {name: (problem.line, problem.column, problem.message)
                    for name, problem in checked.declared.values.items()}
        entry = Stored.of(declared, manifest.former_names, document.data, manifest.wire_tiles)
        if entry is not None:
            store.put(key, entry)
    return checked


def _check_document(document: YamlDocument, in_base: bool, environment: Environment,
                    cache: LoadCache) -> _Checked:
    key = (document.path, in_base)
    if document.problems:
        return _Checked(document.file, None, None, list(document.problems))
    if document.empty:
        message = "empty file: a manifest is a mapping with at least a name"
        return _Checked(document.file, None, None, [Problem(document.file, 1, 1, message)])
    if document.dollar:
        return _check_data(document, in_base, environment)
    cache.results[key] = _check_data(document, in_base, environment)
    return cache.results[key]


def _check_data(document: YamlDocument, in_base: bool, environment: Environment) -> _Checked:
    problems: list[Problem] = []

    def report(node: tuple[str | int, ...], message: str) -> None:
        problems.append(document.problem(node, message))

    scope = f"environment {environment.name!r}"
    data = document.data
    if document.dollar:
        data = interpolate(data, environment.vars, report, scope=scope)
    problems.extend(schema_problems(document, data, "dashboard"))
    problems = prefer(limit_problems(document, data), problems)
    manifest = None
    if not problems:
        try:
            dashboard = Dashboard.model_validate(data, strict=True)
            manifest = Manifest(dashboard=dashboard, path=document.path, from_base=in_base)
        except ValidationError as error:
            problems.extend(model_problems(document, error))
    problems = capped(chain(problems, lint_manifest(document, data, in_base=in_base)))
    if problems:
        manifest = None
    return _Checked(document.file, Declared.of(document, data, in_base), manifest, problems)


# -- the whole repository -----------------------------------------------------------


@dataclass
class Validation:
    """What `validate` found: every problem, and what it looked at."""

    problems: list[Problem]
    environments: int = 0
    manifests: int = 0


def validate_repo(root: Path, env: str | Sequence[str] = ()) -> list[Problem]:
    """Every problem of the repository at root for `all` or one environment."""
    return check_repo(root, env).problems


def check_repo(root: Path, env: str | Sequence[str] = ()) -> Validation:
    """Like validate_repo, with counts; ConfigError when there is no repository at root."""
    repo, problems = read_repo(root)
    wanted = [env] if isinstance(env, str) else list(env)
    raw = [*raw_environment_names(repo), *(n for n, e in repo.environments.items() if e.fleet)]
    for name in wanted:  # an invalid entry is selected by name; its own problems say why
        if name != select.ALL and not select.matching(raw, [name], strict=False):
            problems.append(_unknown_environment(repo, name))
    selected = [e for e in repo.environments.values()
                if e.name in select.matching(repo.environments, wanted, strict=False)]
    cache = LoadCache.of(root)
    count = 0
    for environment in selected:
        manifests, found = load_manifests(repo, environment, cache=cache)
        problems.extend(found)
        count += len(manifests)
    problems.extend(_stray_folders(repo))
    return Validation(cap_per_file(dict.fromkeys(problems)), len(selected), count)


def _unknown_environment(repo: Repo, env: str) -> Problem:
    known = ", ".join(raw_environment_names(repo)) or "none"
    what = "no environment matches" if select.is_pattern(env) else "unknown environment"
    message = f"{what} {env!r} (known: {known})"
    if repo.source is None:
        return Problem(display_path(repo.environments_file), 1, 1, message)
    return repo.source.problem(("environments",), message, key=True)


def repository_problems(repo: Repo) -> list[Problem]:
    """Problems of the repository as a whole (no environment's own): they hold every delete."""
    return _stray_folders(repo)


def _stray_folders(repo: Repo) -> list[Problem]:
    """Folders with manifests that no environment reads (a typo in a folder name?)."""
    names = set(raw_environment_names(repo)) | set(raw_environment_names(repo, "fleets"))
    names.add(BASE_DIR)
    known = ", ".join(repo.environments) or "none"
    problems: list[Problem] = []
    try:
        folders = sorted(repo.root.iterdir())
    except OSError:
        return []  # read_repo has read environments.yaml; nothing more to say here
    for folder in folders:
        if folder.name in names or folder.name.startswith((".", "_")) or not folder.is_dir():
            continue
        if _listed(folder, problems):
            message = (
                f"folder {folder.name!r} is not an environment of {ENVIRONMENTS_FILE}"
                f" (known: {known}): its manifests are never read"
            )
            problems.append(Problem(display_path(folder), 1, 1, message))
    return problems
