"""The repository: environments.yaml read and checked, fleets expanded, environments selected.

    read_repo        environments.yaml: parse, the committed schema, the models,
                     the checks across entries (env_checks), fleet members (fleets)
    select           --env names and globs, --shard
    problems         of the repository as a whole (a stray folder) and of one
                     environment's configuration (an exclude naming no file)
    check_repo       what `validate` reports: all of the above, and every manifest

The manifests themselves go through `repo.pipeline`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import ConfigError, ManifestError
from reconciler.repo import fleets, select
from reconciler.repo.config import (
    BASE_DIR,
    ENVIRONMENTS_FILE,
    Environment,
    EnvironmentsFile,
    Repo,
    valid_environments,
    valid_fleets,
)
from reconciler.repo.env_checks import across_environments
from reconciler.repo.files import list_manifests
from reconciler.repo.limits import cap_per_file
from reconciler.repo.pipeline import load_selection
from reconciler.repo.problem import Problem
from reconciler.repo.schema import schema_problems
from reconciler.repo.select import Shard
from reconciler.repo.yaml_io import display_path, load_yaml


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
    document = load_yaml(path, root=root)
    repo = Repo(root=root, source=document)
    if document.problems:
        return repo, list(document.problems)
    if document.empty:
        message = "environments.yaml is empty: expected an 'environments' mapping"
        return repo, [Problem(document.file, 1, 1, message)]
    problems = schema_problems(document, document.data, "environments", EnvironmentsFile)
    environments = valid_environments(document.data)
    fleet_entries = valid_fleets(document.data)
    members = fleets.expand(root, document, fleet_entries)
    repo.environments, problems = across_environments(
        document, problems, environments, root, members.environments, members.where,
        members.problems)
    return repo, cap_per_file(problems)


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


def base_files(repo: Repo) -> set[str]:
    """The file names of base/ (what an ``exclude`` may name)."""
    return set(list_manifests(repo.root / BASE_DIR, []))


def environment_problems(repo: Repo, environment: Environment, base: set[str]) -> list[Problem]:
    """Problems of one environment's own configuration: an ``exclude`` naming no file of
    base/ (``base``: its file names)."""
    problems = []
    for index, name in enumerate(environment.exclude):
        if name not in base and repo.source is not None:
            node = (("fleets", environment.fleet) if environment.fleet else
                    ("environments", environment.name)) + ("exclude", index)
            message = f"exclude names {name!r} but {BASE_DIR}/ has no such file"
            problems.append(repo.source.problem(node, message))
    return problems


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
    chosen = set(select.matching(repo.environments, wanted, strict=False))  # once: linear
    selected = [e for e in repo.environments.values() if e.name in chosen]
    count = 0
    base = base_files(repo)
    for environment, desired in zip(selected, load_selection(root, selected), strict=True):
        problems.extend(environment_problems(repo, environment, base))
        problems.extend(desired.problems)
        count += len(desired.manifests)
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
        if list_manifests(folder, problems):
            message = (
                f"folder {folder.name!r} is not an environment of {ENVIRONMENTS_FILE}"
                f" (known: {known}): its manifests are never read"
            )
            problems.append(Problem(display_path(folder), 1, 1, message))
    return problems
