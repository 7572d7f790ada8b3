"""Benchmark: `validate` against a bare ruamel.yaml parse of the same files.

    .venv/bin/python bench/bench_validate.py [--manifests 2000] [--tiles 25] [--runs 3]

Generates a repository of N manifests x T tiles (every 10th uses ${site})
in a temporary folder, then times in one run, best of --runs each:

  - validate: ``check_repo`` (the library function behind `dashctl validate`):
    read, parse with locations, ${var}, JSON Schema, strict pydantic model,
    lints, environment lints;
  - bare parse: read each file and ``YAML(typ="safe", pure=False).load`` it,
    the same loader mode validate parses in (ruamel.yaml's libyaml parser,
    safe: plain data, no round-trip objects);
  - for reference: the event stream alone (the parse validate builds on), and
    with --roundtrip a round-trip (``typ="rt"``) load, the mode `pull` uses.

Prints both times and the ratio validate / bare parse (target: <= 1.5x).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ruamel.yaml import YAML  # noqa: E402

from reconciler.repo.loader import check_repo  # noqa: E402
from reconciler.repo.yaml_io import _events  # noqa: E402

ENVIRONMENTS = """\
# yaml-language-server: $schema=../schemas/environments.schema.json
environments:
  local:
    url: sqlite:.dashctl/local.db
    vars: {site: local}
"""
VISUALIZATIONS = ("line", "bar", "area", "table", "kpi")
GRANULARITIES = ("hour", "day", "week", "month")


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


def best(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifests", type=int, default=2000)
    parser.add_argument("--tiles", type=int, default=25)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--roundtrip", action="store_true", help="also time a typ='rt' load")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dashctl-bench-") as folder:
        root = Path(folder) / "dashboards"
        paths = generate(root, args.manifests, args.tiles)
        size = sum(path.stat().st_size for path in paths)
        print(f"{args.manifests} manifests x {args.tiles} tiles, {size / 1e6:.1f} MB")

        def validate() -> None:
            result = check_repo(root, "all")
            assert not result.problems, result.problems[:3]
            assert result.manifests == args.manifests

        def bare_parse() -> None:
            for path in paths:
                YAML(typ="safe", pure=False).load(path.read_text(encoding="utf-8"))

        def events() -> None:
            for path in paths:
                for _ in _events(path.read_text(encoding="utf-8")):
                    pass

        validate()  # warm up: imports, the schema validators, the OS file cache
        bare_parse()
        timings = [
            ("validate (check_repo)", best(args.runs, validate)),
            ("bare parse (safe, libyaml)", best(args.runs, bare_parse)),
            ("event stream only", best(args.runs, events)),
        ]
        if args.roundtrip:

            def roundtrip() -> None:
                for path in paths:
                    YAML(typ="rt").load(path.read_text(encoding="utf-8"))

            timings.append(("round-trip load (rt)", best(1, roundtrip)))

    for label, seconds in timings:
        print(f"{label:28s} {seconds:7.3f} s  {seconds / args.manifests * 1000:6.2f} ms/manifest")
    ratio = timings[0][1] / timings[1][1]
    verdict = "within" if ratio <= 1.5 else "OVER"
    print(f"ratio validate / bare parse: {ratio:.2f}x ({verdict} the 1.5x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
