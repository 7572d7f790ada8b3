"""Benchmark: the whole `dashctl plan` of an unchanged repository vs the raw fetch bound.

    .venv/bin/python bench/bench_plan.py [--dashboards 2000] [--tiles 25] [--runs 3]
    .venv/bin/python bench/bench_plan.py --url URL --token-env VAR --project P   (any server)

Generates N dashboards x T tiles of manifests and applies them once, then
times, as a user runs them (subprocesses), at 0 and 40 ms of server latency
(`dashctl serve` answers without Nagle's delay: at 0 ms the client's CPU is the
limit; 40 ms stands in for a server whose answers wait on a delayed ACK):
  - `dashctl plan --env bench` (whole command: start-up, loading, fetch, diff, output);
  - the raw fetch bound at the same concurrency (bench/raw_fetch.py: List +
    N-way concurrent Get with plain httpx, nothing else);
and prints each ratio (median of the paired ratios of --runs runs), the plan's
peak RSS, and that `apply` of the unchanged repository sends 0 write calls
(counted at the HTTP transport) and prints "Nothing to apply".

`--records`: the repository is a git work tree, so the first apply records what
it applied (refs/dashctl/applied/bench) and every plan reads those records
(SPEC section 7: plan with records within the same 1.2x).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    TOKEN_VAR,
    dashctl,
    environ_with_token,
    environments,
    git_repository,
    mint,
    paired,
    raw_fetch,
    serve,
    unchanged_apply,
    write_manifests,
)

PROJECT = "proj_bench"


def measure(root: Path, url: str, project: str, label: str, args: argparse.Namespace,
            work: Path) -> None:
    """The plan vs the raw fetch. Every plan is a first run: dashctl keeps nothing between
    runs (a fresh clone on a CI runner plans exactly as a second run does)."""
    parallelism = str(args.parallelism)
    plan_s, raw_s, ratio, runs = paired(
        args.runs,
        lambda: dashctl(root, "plan", "--env", "bench", "--parallelism", parallelism),
        lambda: raw_fetch(url, [project], args.parallelism, work))
    assert all(run.code == 0 for run in runs), runs[-1].stdout[-500:]
    rss = max(run.rss_mb for run in runs)
    print(f"{label}: plan {plan_s:6.2f} s, raw fetch {raw_s:6.2f} s -> "
          f"plan / raw {ratio:5.2f}x (target <= 1.2x), peak RSS {rss:4.0f} MB "
          f"(target <= 250 MB; the loading worker not counted)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dashboards", type=int, default=2000)
    parser.add_argument("--tiles", type=int, default=25)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parallelism", type=int, default=None,
                        help="dashctl --parallelism and the raw fetch's concurrency "
                             "(default: dashctl's own default)")
    parser.add_argument("--latencies", default="0,40", help="ms of server latency to measure")
    parser.add_argument("--url", help="an existing server (with --token-env, --project)")
    parser.add_argument("--token-env", help="variable holding that server's token")
    parser.add_argument("--project", default=PROJECT)
    parser.add_argument("--records", action="store_true",
                        help="the repository in git: apply records, plan reads the records")
    args = parser.parse_args()
    if args.parallelism is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from reconciler.run import DEFAULT_PARALLELISM

        args.parallelism = DEFAULT_PARALLELISM
    print(f"{args.dashboards} dashboards x {args.tiles} tiles, parallelism {args.parallelism}, "
          f"medians of {args.runs}{', with applied records' if args.records else ''}",
          flush=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        root = work / "repo"
        write_manifests(root / "base", args.dashboards, args.tiles)
        if args.records:
            git_repository(root)
        if args.url:
            environ_with_token(os.environ[args.token_env])
            environments(root, args.url, args.project, TOKEN_VAR)
            first = dashctl(root, "apply", "--env", "bench", "--auto-approve")
            print(f"first apply: {first.seconds:.1f} s", flush=True)
            measure(root, args.url, args.project, f"{args.url}", args, work)
            unchanged_apply(root)
            return
        environ_with_token(mint([args.project]))
        db = work / "serve.db"
        for n, latency in enumerate(int(ms) for ms in args.latencies.split(",")):
            with serve(db, latency) as url:
                environments(root, url, args.project, TOKEN_VAR)
                if n == 0:
                    first = dashctl(root, "apply", "--env", "bench", "--auto-approve",
                                    count_calls=True)
                    print(f"apply from empty: {first.seconds:.1f} s, {first.writes} writes / "
                          f"{args.dashboards} dashboards = "
                          f"{first.writes / args.dashboards:.2f}", flush=True)
                measure(root, url, args.project, f"{latency:>2} ms latency", args, work)
                if n == 0:
                    unchanged_apply(root)


if __name__ == "__main__":
    main()
