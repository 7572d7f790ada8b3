"""Benchmark: a fleet of 1,000 member projects x 10 dashboards x 10 tiles on `dashctl serve`.

    .venv/bin/python bench/bench_fleet.py [--projects 1000] [--dashboards 10] [--tiles 10]

One fleet (a projects file), one token that grants every member, whole
commands as subprocesses (see bench/harness.py):
  - apply from empty: write calls / dashboards (target 2.00: a Create and an Upsert each);
  - plan with no changes vs the raw fetch bound (List + concurrent Get of every
    project, one httpx client, same concurrency): target <= 1.3x; peak RSS;
  - the same plan in 4 shards (`--shard K/4`): each shard's time and the sum;
  - a seeded fleet's second apply: 0 write calls.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    TOKEN_VAR,
    dashctl,
    environ_with_token,
    mint,
    paired,
    raw_fetch,
    serve,
    write_manifests,
)


def fleet_repo(root: Path, url: str, projects: list[str], mode: str) -> None:
    (root / "environments.yaml").write_text(
        f"fleets:\n  bench:\n    url: {url}\n    token_env: {TOKEN_VAR}\n"
        f"    projects: projects.yaml\n    mode: {mode}\n", "utf-8")
    (root / "projects.yaml").write_text(
        "projects:\n" + "".join(f"  - project: {p}\n" for p in projects), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--dashboards", type=int, default=10)
    parser.add_argument("--tiles", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--parallelism", type=int, default=None)
    args = parser.parse_args()
    if args.parallelism is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from reconciler.run import DEFAULT_PARALLELISM

        args.parallelism = DEFAULT_PARALLELISM
    dashboards = args.projects * args.dashboards
    projects = [f"proj_{n:05}" for n in range(args.projects)]
    seeded = [f"seed_{n:05}" for n in range(args.projects)]
    environ_with_token(mint([*projects, *seeded]))
    print(f"fleet of {args.projects} projects x {args.dashboards} dashboards x {args.tiles} "
          f"tiles, {args.latency_ms} ms latency, parallelism {args.parallelism}, "
          f"medians of {args.runs}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        root, seeded_root = work / "managed", work / "seeded"
        write_manifests(root / "base", args.dashboards, args.tiles)
        write_manifests(seeded_root / "base", args.dashboards, args.tiles)
        with serve(work / "serve.db", args.latency_ms) as url:
            fleet_repo(root, url, projects, "managed")
            fleet_repo(seeded_root, url, seeded, "seeded")
            everyone = ("--env", "bench/*", "--parallelism", str(args.parallelism))

            first = dashctl(root, "apply", *everyone, "--auto-approve", count_calls=True)
            print(f"apply from empty: {first.seconds:.1f} s, {first.writes} writes / "
                  f"{dashboards} dashboards = {first.writes / dashboards:.2f} (target 2.00)",
                  flush=True)

            plan_s, raw_s, ratio, runs = paired(
                args.runs, lambda: dashctl(root, "plan", *everyone),
                lambda: raw_fetch(url, projects, args.parallelism, work))
            assert all(run.code == 0 for run in runs), runs[-1].stdout[-500:]
            print(f"plan, no changes: {plan_s:.2f} s, raw fetch {raw_s:.2f} s -> plan / raw "
                  f"{ratio:.2f}x (target <= 1.3x), peak RSS "
                  f"{max(r.rss_mb for r in runs):.0f} MB", flush=True)

            shards = [dashctl(root, "plan", *everyone, "--shard", f"{k}/4") for k in range(1, 5)]
            assert all(run.code == 0 for run in shards)
            times = ", ".join(f"{run.seconds:.2f}" for run in shards)
            print(f"plan in 4 shards: {times} s; sum {sum(r.seconds for r in shards):.2f} s "
                  f"= {sum(r.seconds for r in shards) / plan_s:.2f}x the unsharded plan",
                  flush=True)

            dashctl(seeded_root, "apply", *everyone, "--auto-approve")
            again = dashctl(seeded_root, "apply", *everyone, "--auto-approve", count_calls=True)
            print(f"seeded fleet, second apply: {again.writes} write calls "
                  f"({again.calls}), 'Nothing to apply.' printed: "
                  f"{'Nothing to apply.' in again.stdout}", flush=True)


if __name__ == "__main__":
    main()
