"""The files dashctl reads from the repository, listed and opened by one rule.

A manifest is a ``.yaml`` or ``.yml`` file of a folder of the root (base/, or
an environment's or fleet's own folder), not hidden. Listing never follows a
folder of the list into another: only the folder's own entries count.
"""

from __future__ import annotations

from pathlib import Path

from reconciler.repo.problem import Problem
from reconciler.repo.yaml_io import display_path

MANIFEST_SUFFIXES = (".yaml", ".yml")


def manifest_files(folder: Path) -> dict[str, Path]:
    """The .yaml/.yml files of a folder (not hidden), by file name, sorted."""
    if not folder.is_dir():
        return {}
    files = {
        path.name: path
        for path in folder.iterdir()
        if path.suffix in MANIFEST_SUFFIXES
        and not path.name.startswith(".")
        and (not path.is_dir() or path.is_symlink())  # a FIFO too: reading refuses it
    }
    return dict(sorted(files.items()))


def list_manifests(folder: Path, problems: list[Problem]) -> dict[str, Path]:
    """`manifest_files`, with a folder that cannot be read as a problem."""
    try:
        return manifest_files(folder)
    except OSError as error:
        message = f"cannot read folder: {error.strerror or error}"
        problems.append(Problem(display_path(folder), 1, 1, message))
        return {}
