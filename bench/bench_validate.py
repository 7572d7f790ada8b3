"""Benchmark: `dashctl validate` as a whole command against a bare libyaml parse.

    .venv/bin/python bench/bench_validate.py [--manifests 2000] [--tiles 25] [--runs 5]

Generates a repository of N manifests x T tiles (every 10th uses ${site}) in
a temporary folder, then, in one run, alternates two subprocesses (A B A B
...) and takes the ratio pair by pair (so a machine whose speed drifts does
not tilt it):

  - A, validate: ``python -m reconciler.cli --root ROOT validate``, the whole
    command as a user runs it (start-up included): read, parse, ${var},
    JSON Schema, the model step, lints, environment lints (every run is a
    first run: nothing is kept between runs);
  - B, bare parse: a Python that reads each file and loads it with PyYAML's
    libyaml loader (``yaml.load(text, Loader=yaml.CSafeLoader)``), start-up
    included too.

Prints the median of each and the median ratio A / B (SPEC §6 target:
<= 1.5x). Then, in a subprocess, the YAML stage alone (``load_yaml`` of every
file: read, guards, parse; best of --runs) and the load part of `plan`:
``read_repo`` and ``load_selection`` of the one environment over the N files
(best of --runs). PyYAML, for B only, is a dev dependency: dashctl parses
with yaml_rs (and ruamel.yaml where it must locate).

``--python PATH`` runs the subprocesses with another interpreter and
``--pythonpath DIR`` imports dashctl from another checkout (PYTHONPATH; the
subprocesses run in the temporary folder, so the current directory does not
shadow it): a version before a change can be measured like the one after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ENVIRONMENTS = """\
# yaml-language-server: $schema=../schemas/environments.schema.json
environments:
  local:
    url: sqlite:.dashctl/local.db
    vars: {site: local}
"""
VISUALIZATIONS = ("line", "bar", "area", "table", "kpi")
GRANULARITIES = ("hour", "day", "week", "month")

BARE_PARSE = """\
import sys, pathlib, yaml
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.yaml")):
    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
"""

YAML_STAGE = """\
import gc, inspect, sys, time, pathlib
from reconciler.repo.yaml_io import load_yaml
root = pathlib.Path(sys.argv[1])
paths = sorted((root / "base").rglob("*.yaml"))
# load_yaml takes the repository root since files must resolve inside it; a checkout
# from before (--pythonpath) does not
within = {"root": root} if "root" in inspect.signature(load_yaml).parameters else {}
best = None
for _ in range(int(sys.argv[2])):
    gc.collect()
    start = time.perf_counter()
    documents = [load_yaml(path, **within) for path in paths]
    seconds = time.perf_counter() - start
    assert not any(document.problems for document in documents)
    best = seconds if best is None else min(best, seconds)
    del documents
print(best)
"""

LOAD_PART = """\
import gc, sys, time, pathlib
from reconciler.repo.pipeline import load_selection
from reconciler.repo.repository import read_repo
root = pathlib.Path(sys.argv[1])
best = None
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    repo, problems = read_repo(root)
    desired = load_selection(root, [repo.environments["local"]])[0]
    manifests, problems = desired.manifests, desired.problems
    seconds = time.perf_counter() - start
    assert not problems and len(manifests) == int(sys.argv[3]), problems[:3]
    best = seconds if best is None else min(best, seconds)
    del repo, manifests
    gc.collect()
print(best)
"""


def manifest(index: int, tiles: int) -> str:
    lines = [
        "# yaml-language-server: $schema=../../schemas/dashboard.schema.json",
        f"name: Dashboard {index:05d}" + (" (${site})" if index % 10 == 0 else ""),
        f"formerNames: [Old dashboard {index:05d}]",
        "tiles:",
    ]
    for tile in range(tiles):
        x, y = (tile % 2) * 6, (tile // 2) * 4
        lines += [f"  - id: tile_{tile:02d}", f"    position: {{x: {x}, y: {y}, w: 6, h: 4}}"]
        if tile % 4 == 3:
            lines += [
                "    markdown:",
                "      content: |",
                f"        ## Notes for tile {tile}",
                "        Numbers are unique users; see the team wiki.",
            ]
        else:
            lines += [
                "    insight:",
                "      query:",
                f"        events: [{{name: event_{tile}}}, {{name: page_view}}]",
                f"        granularity: {GRANULARITIES[tile % 4]}",
                f"        aggregation: {'unique_users' if tile % 2 else 'count'}",
                f"      visualization: {VISUALIZATIONS[tile % 5]}",
            ]
    return "\n".join(lines) + "\n"


def generate(root: Path, manifests: int, tiles: int) -> list[Path]:
    (root / "base").mkdir(parents=True)
    (root / "environments.yaml").write_text(ENVIRONMENTS, encoding="utf-8")
    paths = []
    for index in range(manifests):
        path = root / "base" / f"dashboard-{index:05d}.yaml"
        path.write_text(manifest(index, tiles), encoding="utf-8")
        paths.append(path)
    return paths


def timed(command: list[str], env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds


def best_of(command: list[str], env: dict[str, str], cwd: str) -> float:
    """The best time a measuring subprocess printed (its stderr shown if it failed)."""
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{command[:2]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return float(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--manifests", type=int, default=2000)
    parser.add_argument("--tiles", type=int, default=25)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="interpreter of both commands")
    parser.add_argument("--pythonpath", default=None, help="a checkout to import dashctl from")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    python = args.python

    with tempfile.TemporaryDirectory(prefix="dashctl-bench-") as folder:
        root = Path(folder) / "dashboards"
        paths = generate(root, args.manifests, args.tiles)
        size = sum(path.stat().st_size for path in paths)
        print(f"{args.manifests} manifests x {args.tiles} tiles, {size / 1e6:.1f} MB")
        validate = [python, "-m", "reconciler.cli", "--root", str(root), "validate"]
        bare = [python, "-c", BARE_PARSE, str(root)]
        timed(validate, env, folder)  # warm up: the OS file cache, .pyc files
        timed(bare, env, folder)
        pairs = [(timed(validate, env, folder), timed(bare, env, folder))
                 for _ in range(args.runs)]
        stage = best_of([python, "-c", YAML_STAGE, str(root), str(args.runs)], env, folder)
        load = best_of([python, "-c", LOAD_PART, str(root), str(args.runs),
                        str(args.manifests)], env, folder)

    validate_s = statistics.median(a for a, _ in pairs)
    bare_s = statistics.median(b for _, b in pairs)
    ratios = sorted(a / b for a, b in pairs)
    ratio = statistics.median(ratios)
    print(f"dashctl validate (whole command)   {validate_s:7.2f} s  (median of {args.runs})")
    print(f"bare parse (PyYAML CSafeLoader)    {bare_s:7.2f} s")
    verdict = "within" if ratio <= 1.5 else "OVER"
    print(
        f"ratio validate / bare parse: {ratio:.2f}x, pairs {ratios[0]:.2f}-{ratios[-1]:.2f}x"
        f" ({verdict} the 1.5x target)"
    )
    print(f"YAML stage (load_yaml of every manifest, best): {stage:.2f} s")
    print(f"load part of plan (read_repo + load_selection, best): {load:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
