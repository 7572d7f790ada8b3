"""The package stands on its own (SPEC section 8): `pip wheel .` gives a wheel that, in a fresh
virtual environment outside the source tree, runs every command.

The wheel is built from a copy of the checkout (its build/ folder, if any, could hold
modules deleted since; the copy keeps reconciler/schemas a symlink, as git has it), then
installed with its dependencies from the index into a venv in a temporary folder, and
dashctl runs from a working folder outside the tree with nothing of the checkout
importable. About a minute on a shared machine (a pip install): .ci/run runs it; `make
test` skips it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ci.conftest import slow_ci

ROOT = Path(__file__).resolve().parents[2]
# what the wheel must hold beside the modules: every schema `dashctl schema` and validate
# read, the service contract, and the PEP 561 marker
DATA = [
    "reconciler/py.typed",
    *(f"reconciler/schemas/{name}.schema.json"
      for name in ("dashboard", "environments", "fleet-projects", "plan", "drift")),
    "reconciler/schemas/dashboards/v1/dashboards.proto",
]
# not copied: at any depth, caches; at the top, what a build never reads
CACHES = shutil.ignore_patterns("__pycache__", "*.pyc", ".*_cache", "*.egg-info")
TOP = {".git", ".venv", "build", "dist", ".hypothesis", ".dashctl", "bench", "tests",
       "test-artifacts", "preview", ".ci", ".selftest"}


def _skip(folder: str, names: list[str]) -> set[str]:
    skipped = set(CACHES(folder, names))
    return skipped | (TOP & set(names)) if Path(folder) == ROOT else skipped


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def _ok(done: subprocess.CompletedProcess[str], code: int = 0) -> str:
    assert done.returncode == code, (done.args, done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the wheel, the bin folder of a fresh venv it is installed in)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=_skip)
    assert (source / "reconciler" / "schemas").is_symlink()  # the layout as committed
    wheels = work / "wheels"
    _ok(_run(sys.executable, "-m", "pip", "wheel", source, "--no-deps", "-q", "-w", wheels,
             cwd=work))
    [wheel] = wheels.glob("dashctl-*.whl")
    venv = work / "venv"
    _ok(_run(sys.executable, "-m", "venv", venv, cwd=work))
    _ok(_run(venv / "bin" / "python", "-m", "pip", "install", "-q", wheel, cwd=work))
    yield wheel, venv / "bin"


def _env(bin_dir: Path, home: Path) -> dict[str, str]:
    """A user's shell with the venv on PATH: no checkout importable, no secret or root set."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "DASHCTL_ROOT", "DASHCTL_JWT_SECRET")}
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
    env["HOME"] = str(home)  # no git identity or configuration of the machine
    env["NO_COLOR"] = "1"
    return env


@slow_ci
def test_the_wheel_holds_the_schemas_and_the_contract(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(DATA) <= names, sorted(set(DATA) - names)
    assert not any(name.startswith(("tests/", "bench/", "schemas/")) for name in names)


@slow_ci
def test_every_command_runs_from_the_installed_wheel(
        installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, bin_dir = installed
    home = tmp_path / "home"
    home.mkdir()
    cwd = tmp_path / "work"
    cwd.mkdir()
    env = _env(bin_dir, home)

    def dashctl(*args: str, code: int = 0) -> str:
        return _ok(_run("dashctl", *args, cwd=cwd, env=env, timeout=60), code)

    where = _ok(_run(bin_dir / "python", "-c", "import reconciler, pkgutil, importlib\n"
                     "for m in pkgutil.walk_packages(reconciler.__path__, 'reconciler.'):\n"
                     "    importlib.import_module(m.name)\n"
                     "print(reconciler.__file__)", cwd=cwd, env=env))
    assert Path(where.strip()).is_relative_to(bin_dir.parent), where  # the venv's, not ours

    assert dashctl("--version").strip() == "dashctl, version 0.1.0"
    assert "wrote dashboards/schemas/dashboard.schema.json" in dashctl("init")
    dashctl("validate")
    schema = dashctl("schema", "dashboard")
    assert schema == (cwd / "dashboards" / "schemas" / "dashboard.schema.json").read_text("utf-8")
    assert schema == (ROOT / "schemas" / "dashboard.schema.json").read_text("utf-8")
    assert '+ create "Growth KPIs"' in dashctl("plan", "--env", "local", code=2)
    dashctl("apply", "--env", "local", "--auto-approve")
    dashctl("plan", "--env", "local")
    assert dashctl("token", "--project", "p", "--jwt-secret", "s").count(".") == 2  # a JWT
    assert "Run the Dashboards API emulator" in dashctl("serve", "--help")
    for command in ("drift", "pull", "promote", "restore", "comment", "preview", "envs"):
        assert "Usage: dashctl" in dashctl(command, "--help")
    dashctl("drift", "--env", "local")
    dashctl("preview", "--env", "local", "--out", "pages")
    assert (cwd / "pages" / "local" / "growth-kpis.html").is_file()

    serve = subprocess.Popen(["dashctl", "serve", "--port", "0", "--jwt-secret", "s",
                              "--db", "serve.db"], cwd=cwd, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert serve.stdout is not None
        assert serve.stdout.readline().startswith("listening on http://127.0.0.1:")
    finally:
        serve.terminate()
        serve.wait(timeout=10)
