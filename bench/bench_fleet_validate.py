"""Benchmark: `dashctl validate` of a fleet grows linearly with its members.

    .venv/bin/python bench/bench_fleet_validate.py [--small 4000] [--large 40000] [--runs 3]

Generates a repository with one fleet whose projects file lists N members (the
file must stay under the 1 MiB limit, so members carry no vars of their own: the
fleet's `customer` var is interpolated for each) and 10 base manifests that use
${customer}, then times
`dashctl validate` as a whole command for N = --small and N = --large, in turn
(A B A B ...), and prints the median of each and the ratio large / small (SPEC
and the trust issue: linear work, at most 12x for 10x the members).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = """name: "{title} for ${{customer}}"
tiles:
  - id: dau
    position: {{x: 0, y: 0, w: 6, h: 4}}
    insight:
      query: {{events: [{{name: page_view}}], granularity: day, aggregation: count}}
      visualization: line
  - id: notes
    position: {{x: 6, y: 0, w: 6, h: 2}}
    markdown: {{content: "Welcome, ${{customer}}"}}
"""


def repository(folder: Path, members: int) -> Path:
    root = folder / f"fleet-{members}"
    (root / "base").mkdir(parents=True)
    (root / "environments.yaml").write_text(
        "fleets:\n  tenants:\n    url: https://analytics.example.com\n"
        "    token_env: DASHCTL_TOKEN_TENANTS\n    projects: tenants.yaml\n"
        "    vars: {customer: Acme}\n", "utf-8")
    lines = ["projects:"] + [f"- project: p{n:06}" for n in range(members)]
    (root / "tenants.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    for index in range(10):
        (root / "base" / f"board-{index}.yaml").write_text(
            MANIFEST.format(title=f"Board {index}"), "utf-8")
    return root


def timed(root: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reconciler.cli", "--root", str(root),
                           "validate"], cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"validate failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", type=int, default=4000)
    parser.add_argument("--large", type=int, default=40000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dashctl-bench-") as folder:
        small, large = repository(Path(folder), args.small), repository(Path(folder), args.large)
        timed(small)  # warm up: the OS file cache, .pyc files
        pairs = [(timed(small), timed(large)) for _ in range(args.runs)]
    small_s = statistics.median(a for a, _ in pairs)
    large_s = statistics.median(b for _, b in pairs)
    ratio = statistics.median(b / a for a, b in pairs)
    verdict = "within" if ratio <= 12 else "OVER"
    print(f"validate, {args.small} members: {small_s:6.2f} s; {args.large} members: "
          f"{large_s:6.2f} s -> {ratio:.1f}x for {args.large / args.small:.0f}x the members "
          f"({verdict} the 12x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
