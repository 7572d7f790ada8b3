"""Soak: many rounds of `dashctl apply` processes started together on an empty environment.

    .venv/bin/python bench/soak_concurrent_apply.py [--rounds 20] [--processes 2,4]
                                                    [--latency-ms 20]

Runs one `dashctl serve --latency-ms MS` on 127.0.0.1; each round gets a fresh
project and a repository of 20 dashboards, and starts N `dashctl apply
--auto-approve` processes released at the same moment (tests/e2e/concurrent_kit.py).
After each round it lists the project and prints, per round: the processes'
exit codes, duplicates seen (dashboards beyond one per name), names missing,
tracebacks, the creates that yielded to another writer's (the race really
happened), and whether a plan afterwards is empty. A process that exits 1
reporting a name "ambiguous" (it read the project between two creates and
their resolution) is counted, not failed; anything else fails the round and
its output is printed. Exit 1 if any round failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.concurrent_kit import run_round  # noqa: E402
from tests.support.server import start_server, stop  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="rounds per process count")
    parser.add_argument("--processes", default="2,4", help="comma-separated process counts")
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--ambiguous-create-rate", type=float, default=0.0,
                        help="share of Creates that commit, then answer 503 (lost answers)")
    args = parser.parse_args()
    counts = [int(part) for part in args.processes.split(",")]
    failed = duplicates = debris = rounds = reported = 0
    with tempfile.TemporaryDirectory(prefix="dashctl-soak-") as folder:
        server = start_server(Path(folder), latency_ms=args.latency_ms,
                              ambiguous_create_rate=args.ambiguous_create_rate)
        try:
            for processes in counts:
                for index in range(args.rounds):
                    result = run_round(server, Path(folder), f"proj_{processes}_{index}",
                                       processes)
                    rounds += 1
                    duplicates += result.duplicates
                    debris += result.debris
                    failed += not result.ok
                    reported += result.ambiguous
                    print(f"{processes} processes, round {index + 1:3}: exit {result.codes}, "
                          f"duplicates {result.duplicates}, debris {result.debris}, "
                          f"missing {len(result.missing)}, "
                          f"tracebacks {result.tracebacks}, yielded creates {result.resolved}, "
                          f"reported ambiguous {result.ambiguous}, "
                          f"plan after {'empty' if result.plan_after == 0 else 'NOT EMPTY'}"
                          f"{'' if result.ok else '  <-- FAILED'}", flush=True)
                    for output in result.unexplained:
                        print(output[-4000:], flush=True)
        finally:
            stop(server.process)
    print(f"{rounds} rounds, {failed} failed, {duplicates} duplicates seen, {debris} "
          f"dashboards left behind, {reported} "
          "process(es) exited 1 reporting a name ambiguous while another apply resolved it")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
