"""Writing a new repository into a folder, every file or none (`dashctl init`).

    write_new_repository(target, files) -> [Written(path, action), ...]

Refused before anything is written (ConfigError) when ``target`` already holds
``environments.yaml`` (a repository: init never overwrites one), or any other
entry that init would write (``base/``, ``schemas/``), or is not a folder.

The files are first written into a staging folder, then moved into place:

- a ``target`` that does not exist is the staging folder itself, made beside
  it and renamed in one step, so a run that dies leaves no half repository;
- an existing folder (empty, or a git work tree holding ``.git`` or a
  README) gets the staged entries moved in one by one, ``environments.yaml``
  last; a failure moves back what was moved, so the folder is as it was.

An existing ``.gitignore`` is kept and gets the emulator's rule appended
(unless a line already ignores ``.dashctl/``), and restored on failure.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import ConfigError
from reconciler.repo.scaffold import ENVIRONMENTS_FILE, GITIGNORE, gitignore_addition
from reconciler.repo.yaml_io import display_path


@dataclass(frozen=True)
class Written:
    """A file init wrote (``wrote``) or appended to (``updated``)."""

    path: Path
    action: str


def write_new_repository(target: Path, files: Mapping[str, str]) -> list[Written]:
    """Write ``files`` (relative POSIX path -> text) into ``target``, all or nothing; what
    was written, in the order of ``files``."""
    exists = _check_target(target, files)
    gitignore = target / GITIGNORE
    keep_gitignore = exists and GITIGNORE in files and _present(gitignore)
    addition = gitignore_addition(_read_gitignore(gitignore)) if keep_gitignore else None
    staged = {path: text for path, text in files.items()
              if not (keep_gitignore and path == GITIGNORE)}
    made = _make_parents(target.parent)
    try:
        if exists:
            _fill(target, staged, gitignore, addition)
        else:
            _create(target, staged)
    except BaseException as error:
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            raise ConfigError(f"cannot write {display_path(target)}: {reason}; nothing written"
                              ) from error
        raise
    written = []
    for relative in files:
        if relative in staged:
            written.append(Written(target / relative, "wrote"))
        elif relative == GITIGNORE and addition is not None:
            written.append(Written(gitignore, "updated"))
    return written


def _create(target: Path, files: Mapping[str, str]) -> None:
    """A new folder: staged beside it, then renamed into place in one step."""
    staging = _staging_folder(target.parent, f".{target.name}.dashctl-init-")
    try:
        _write_files(staging, files)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _fill(target: Path, files: Mapping[str, str], gitignore: Path, addition: str | None) -> None:
    """An existing folder: staged inside it, the entries moved in (environments.yaml last)
    and the .gitignore appended to; all undone on failure."""
    staging = _staging_folder(target, ".dashctl-init-")
    original: bytes | None = None  # the .gitignore as it was, once appended to
    moved: list[tuple[Path, Path]] = []
    try:
        _write_files(staging, files)
        if addition is not None:
            original = gitignore.read_bytes()
            with gitignore.open("a", encoding="utf-8", newline="\n") as handle:
                handle.write(addition)
        entries = list(dict.fromkeys(relative.split("/", 1)[0] for relative in files))
        entries.sort(key=lambda entry: entry == ENVIRONMENTS_FILE)
        for entry in entries:
            source, destination = staging / entry, target / entry
            if _present(destination):  # made since the check: never replaced
                raise ConfigError(f"{display_path(destination)} appeared while init ran; "
                                  "nothing written")
            source.rename(destination)
            moved.append((source, destination))
    except BaseException:
        for source, destination in reversed(moved):
            with contextlib.suppress(OSError):
                destination.rename(source)
        if original is not None:
            with contextlib.suppress(OSError):
                gitignore.write_bytes(original)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _present(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _check_target(target: Path, files: Mapping[str, str]) -> bool:
    """Whether ``target`` exists; ConfigError when init may not write there."""
    shown = display_path(target)
    if _present(target) and not target.is_dir():
        raise ConfigError(f"{shown} exists and is not a folder; nothing written")
    if not target.exists():
        return False
    if _present(target / ENVIRONMENTS_FILE):
        raise ConfigError(
            f"{shown} already holds {ENVIRONMENTS_FILE} (a dashctl repository); nothing "
            "written")
    entries = sorted({relative.split("/", 1)[0] for relative in files} - {GITIGNORE})
    clashes = [entry for entry in entries if _present(target / entry)]
    if clashes:
        names = ", ".join(entry + ("/" if (target / entry).is_dir() else "") for entry in clashes)
        raise ConfigError(f"{shown} already holds {names}, which init would write; nothing "
                          "written (choose a new or empty folder)")
    gitignore = target / GITIGNORE
    if GITIGNORE in files and _present(gitignore) and not gitignore.is_file():
        raise ConfigError(f"{display_path(gitignore)} is not a file; nothing written")
    return True


def _read_gitignore(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{display_path(path)} cannot be read ({error}); nothing written") \
            from error


def _make_parents(folder: Path) -> list[Path]:
    """Make ``folder`` and its missing parents; the ones made, outermost first."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    missing.reverse()
    for made, path in enumerate(missing):
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except OSError as error:
            for done in reversed(missing[:made]):
                with contextlib.suppress(OSError):
                    done.rmdir()
            raise ConfigError(f"cannot make {display_path(path)}: {error.strerror}") from error
    return missing


def _staging_folder(parent: Path, prefix: str) -> Path:
    """A new, empty folder in ``parent`` (made with the umask's permissions, unlike
    tempfile.mkdtemp's 0700, because it may become the repository itself)."""
    while True:
        folder = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        except OSError as error:
            raise ConfigError(f"cannot write in {display_path(parent)}: {error.strerror}") \
                from error
        return folder


def _write_files(folder: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
