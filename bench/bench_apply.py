"""Benchmark: the whole `dashctl apply` of a repository into an empty project vs the raw
write bound.

    .venv/bin/python bench/bench_apply.py [--dashboards 2000] [--tiles 25] [--runs 3]

Generates N dashboards x T tiles of manifests, then times, as a user runs them
(subprocesses), at 0 and 40 ms of server latency (`dashctl serve` answers
without Nagle's delay: at 0 ms the client's CPU is the limit; 40 ms stands in
for a server whose answers wait on a delayed ACK), each run into a fresh, empty
project of its own (one token grants them all):
  - `dashctl apply --env bench --auto-approve` (whole command: start-up, loading,
    the List of the empty project, the Creates, the List after them that checks
    for a concurrent create of the same name, the Upserts, output), its write
    calls counted at the HTTP transport;
  - the raw write bound at the same concurrency (bench/raw_writes.py: Create +
    Upsert of each dashboard with plain httpx, nothing else);
and prints each ratio (median of the paired ratios of --runs runs; SPEC §6
target: <= 1.3x), the apply's peak RSS (its own process, as in bench_plan.py:
the child that loads the repository is not counted), the writes per dashboard
(3.00: a Create under the run's pending name, the Upsert of its tiles and the
Update that names it, SPEC section 4; the raw bound sends 2), and that `apply` of the now
unchanged repository sends 0 write calls (counted at the HTTP transport) and
prints "Nothing to apply".

`--records`: also the cost of the applied records (SPEC section 7): the same
apply from empty with the repository in a git work tree (it records every
dashboard it applied) vs outside one (no records), paired, each into an empty
project of its own (target: at most 5 % more).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    TOKEN_VAR,
    Run,
    dashctl,
    environ_with_token,
    environments,
    git_repository,
    mint,
    paired,
    raw_writes,
    serve,
    unchanged_apply,
    write_manifests,
)

SIDES = ("apply", "raw", "records", "plain")


def fresh_projects(latency: int, side: str, runs: int) -> list[str]:
    return [f"{side}_{latency:02}ms_{k}" for k in range(runs)]


def measure(root: Path, url: str, latency: int, label: str, args: argparse.Namespace) -> None:
    """The apply vs the raw writes, each run into an empty project of its own."""
    parallelism = str(args.parallelism)
    applies = iter(fresh_projects(latency, "apply", args.runs))
    raws = iter(fresh_projects(latency, "raw", args.runs))

    def apply() -> Run:
        environments(root, url, next(applies), TOKEN_VAR)
        return dashctl(root, "apply", "--env", "bench", "--auto-approve",
                       "--parallelism", parallelism, count_calls=True)

    apply_s, raw_s, ratio, runs = paired(
        args.runs, apply,
        lambda: raw_writes(url, next(raws), args.dashboards, args.tiles, args.parallelism))
    assert all(run.code == 0 for run in runs), runs[-1].stdout[-500:]
    rss = max(run.rss_mb for run in runs)
    writes = sorted({run.writes for run in runs})
    per = "/".join(f"{w / args.dashboards:.2f}" for w in writes)
    print(f"{label}: apply {apply_s:6.2f} s, raw writes {raw_s:6.2f} s -> "
          f"apply / raw {ratio:5.2f}x (target <= 1.3x), peak RSS {rss:4.0f} MB "
          f"(the loading worker not counted); "
          f"{'/'.join(map(str, writes))} writes / {args.dashboards} dashboards = {per} "
          f"(3.00: Create, Upsert, Update of the pending name)", flush=True)


def records_overhead(root: Path, tracked: Path, url: str, latency: int,
                     args: argparse.Namespace) -> None:
    """Apply from empty with records (``tracked`` is a git work tree) vs without (``root``)."""
    recorded = iter(fresh_projects(latency, "records", args.runs))
    plain = iter(fresh_projects(latency, "plain", args.runs))

    def apply(folder: Path, projects: Iterator[str]) -> Run:
        environments(folder, url, next(projects), TOKEN_VAR)
        return dashctl(folder, "apply", "--env", "bench", "--auto-approve")

    with_s, without_s, ratio, runs = paired(
        args.runs, lambda: apply(tracked, recorded), lambda: apply(root, plain).seconds)
    assert all(run.code == 0 for run in runs), runs[-1].stdout[-500:]
    print(f"{latency:>2} ms latency: apply with records {with_s:6.2f} s, without "
          f"{without_s:6.2f} s -> {ratio:5.3f}x (target <= 1.05x)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dashboards", type=int, default=2000)
    parser.add_argument("--tiles", type=int, default=25)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parallelism", type=int, default=None,
                        help="dashctl --parallelism and the raw writes' concurrency "
                             "(default: dashctl's own default)")
    parser.add_argument("--latencies", default="0,40", help="ms of server latency to measure")
    parser.add_argument("--records", action="store_true",
                        help="also apply with applied records vs without")
    args = parser.parse_args()
    if args.parallelism is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from reconciler.run import DEFAULT_PARALLELISM

        args.parallelism = DEFAULT_PARALLELISM
    latencies = [int(ms) for ms in args.latencies.split(",")]
    print(f"{args.dashboards} dashboards x {args.tiles} tiles, parallelism {args.parallelism}, "
          f"medians of {args.runs}", flush=True)
    environ_with_token(mint([project for latency in latencies for side in SIDES
                             for project in fresh_projects(latency, side, args.runs)]))
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        root = work / "repo"
        write_manifests(root / "base", args.dashboards, args.tiles)
        tracked = work / "tracked"
        if args.records:
            write_manifests(tracked / "base", args.dashboards, args.tiles)
            git_repository(tracked)
        for n, latency in enumerate(latencies):
            with serve(work / f"serve-{latency}ms.db", latency) as url:
                measure(root, url, latency, f"{latency:>2} ms latency", args)
                if n == 0:
                    unchanged_apply(root)  # into the last run's project, now filled
                if args.records:
                    records_overhead(root, tracked, url, latency, args)


if __name__ == "__main__":
    main()
