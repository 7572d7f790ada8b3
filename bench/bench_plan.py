"""Benchmark: plan and apply at scale against `dashctl serve` on loopback.

    .venv/bin/python bench/bench_plan.py [--dashboards 2000] [--tiles 25]

Seeds N dashboards x T tiles through the API, writes matching manifests, then
measures in one run:
  - the raw lower bound: List + concurrent Get of every dashboard (same client,
    same concurrency, no diffing);
  - plan with no changes (fetch + pair + normalize + diff), manifests loaded;
  - a naive plan: sequential Get + full deepdiff of every dashboard;
  - the whole `dashctl plan` command as a subprocess (wall time and peak RSS);
  - apply with 1 % of the dashboards changed: write calls / changed dashboards.

`--latency-ms 5` adds server-side latency per call, as a real network does; at
0 ms on a 2-core machine client and server compete for the CPU, and
concurrency has little to hide.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from deepdiff import DeepDiff

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reconciler.api import DashboardsClient  # noqa: E402
from reconciler.clients import Clients, client_for  # noqa: E402
from reconciler.engine.apply import apply_environment  # noqa: E402
from reconciler.engine.live import read_live  # noqa: E402
from reconciler.engine.plan import build_environment_plan  # noqa: E402
from reconciler.engine.read import EnvironmentState, plan_state, read_environment  # noqa: E402
from reconciler.repo.loader import load_manifests, load_repo  # noqa: E402
from reconciler.repo.models import Environment, Repo  # noqa: E402

SECRET = "bench-secret"


async def read_one(repo: Repo, env: Environment) -> EnvironmentState:
    async with Clients(repo) as clients:
        return await read_environment(repo, env, clients.connect)
PROJECT = "proj_bench"
VIZ = ["line", "bar", "area", "table", "kpi"]
WRITES = ("Create", "Update", "Upsert", "Delete")
# The child reports its own peak RSS (VmHWM of its address space): ru_maxrss,
# of the child or of RUSAGE_CHILDREN, also counts the pages the forked child
# shared with this large process before exec.
CLI_WITH_RSS = (
    "import re, sys; from reconciler.cli import main; code = main(sys.argv[1:]); "
    "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1); "
    "print(f'maxrss_kb={hwm}', file=sys.stderr); sys.exit(code)"
)


def wire_tiles(index: int, count: int) -> list[dict[str, Any]]:
    tiles = []
    for n in range(count):
        tiles.append({
            "id": f"t{n:02}", "type": "TILE_TYPE_INSIGHT",
            "position": {"x": (n % 2) * 6, "y": (n // 2) * 4, "w": 6, "h": 4},
            "insight": {"query": {"events": [{"name": f"event_{index % 50}_{n}"}],
                                  "granularity": "GRANULARITY_DAY",
                                  "aggregation": "AGGREGATION_COUNT"},
                        "visualization": f"VISUALIZATION_{VIZ[n % 5].upper()}"},
        })
    return tiles


def manifest_text(index: int, count: int, *, changed: bool = False) -> str:
    lines = [f"name: Board {index:05}", "tiles:"]
    for tile in wire_tiles(index, count):
        p = tile["position"]
        width = 4 if changed and tile["id"] == "t00" else p["w"]
        query = tile["insight"]["query"]
        lines += [
            f"  - id: {tile['id']}",
            f"    position: {{x: {p['x']}, y: {p['y']}, w: {width}, h: {p['h']}}}",
            "    insight:",
            "      query:",
            f"        events: [{{name: {query['events'][0]['name']}}}]",
            "        granularity: day",
            "        aggregation: count",
            f"      visualization: {tile['insight']['visualization'][14:].lower()}",
        ]
    return "\n".join(lines) + "\n"


def start_server(db: Path, latency_ms: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler.cli", "serve", "--db", str(db), "--port", "0",
         "--jwt-secret", SECRET, "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    if not match:
        process.kill()
        raise SystemExit(f"server did not start: {line!r}")
    return process, match.group(1)


async def seed(client: DashboardsClient, count: int, tiles: int) -> None:
    gate = asyncio.Semaphore(16)

    async def one(index: int) -> None:
        async with gate:
            created = await client.create_dashboard(f"Board {index:05}")
            await client.upsert_tiles(created["id"], wire_tiles(index, tiles))

    await asyncio.gather(*(one(index) for index in range(count)))


async def naive(client: DashboardsClient, manifests: list[Any]) -> int:
    """Sequential Get + full deepdiff of each dashboard against its manifest."""
    from reconciler.model import tiles_to_wire

    by_name = {m.dashboard.name: m for m in manifests}
    differing = 0
    for summary in await client.list_dashboards():
        live = await client.get_dashboard(summary["id"])
        desired = {"name": summary["name"],
                   "tiles": tiles_to_wire(by_name[summary["name"]].dashboard.tiles)}
        got = {"name": live["name"], "tiles": live["tiles"]}
        differing += bool(DeepDiff(desired, got, ignore_order=True))
    return differing


def timed(label: str, work: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - start
    print(f"{label:<48} {elapsed:8.2f} s", flush=True)
    return elapsed, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dashboards", type=int, default=2000)
    parser.add_argument("--tiles", type=int, default=25)
    parser.add_argument("--latency-ms", type=int, default=0,
                        help="server-side latency per call, as a real network adds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        server, url = start_server(work / "serve.db", args.latency_ms)
        try:
            os.environ["DASHCTL_TOKEN_BENCH"] = subprocess.check_output(
                [sys.executable, "-m", "reconciler.cli", "token", "--project", PROJECT,
                 "--jwt-secret", SECRET], text=True, cwd=ROOT).strip()
            root = work / "repo"
            (root / "base").mkdir(parents=True)
            (root / "environments.yaml").write_text(
                f"environments:\n  bench:\n    url: {url}\n    project: {PROJECT}\n"
                "    token_env: DASHCTL_TOKEN_BENCH\n", "utf-8")
            for index in range(args.dashboards):
                (root / "base" / f"board-{index:05}.yaml").write_text(
                    manifest_text(index, args.tiles), "utf-8")
            repo = load_repo(root)
            env = repo.environments["bench"]

            async def with_client(job: Any) -> Any:
                async with client_for(repo, env) as client:
                    return await job(client)

            print(f"{args.dashboards} dashboards x {args.tiles} tiles, dashctl serve on loopback, "
                  f"{args.latency_ms} ms server latency")
            timed("seed through the API", lambda: asyncio.run(with_client(
                lambda c: seed(c, args.dashboards, args.tiles))))
            _, (manifests, problems) = timed("load manifests (parse + schema + lint)",
                                             lambda: load_manifests(repo, env))
            assert not problems, problems[:3]
            lower, _ = timed("raw lower bound: List + concurrent Get",
                             lambda: asyncio.run(with_client(read_live)))

            async def plan_only(client: DashboardsClient) -> Any:
                return build_environment_plan(env, manifests, [], await read_live(client))

            planned, plan = timed("plan, no changes (fetch + pair + diff)",
                                  lambda: asyncio.run(with_client(plan_only)))
            assert not plan.changes and not plan.errors, plan.summary
            full, plan = timed("plan incl. manifest loading (engine call)",
                               lambda: plan_state(asyncio.run(read_one(repo, env))))
            naive_s, differing = timed("naive: sequential Get + full deepdiff",
                                       lambda: asyncio.run(with_client(
                                           lambda c: naive(c, manifests))))
            assert differing == 0
            cli_s, cli = timed("`dashctl plan` as a subprocess", lambda: subprocess.run(
                [sys.executable, "-c", CLI_WITH_RSS, "--root", str(root), "plan", "--env",
                 "bench"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True, check=False))
            rss_mb = int(cli.stderr.rsplit("maxrss_kb=", 1)[1]) / 1024

            changed = max(1, args.dashboards // 100)
            for index in range(changed):
                (root / "base" / f"board-{index:05}.yaml").write_text(
                    manifest_text(index, args.tiles, changed=True), "utf-8")
            manifests, _ = load_manifests(repo, env)

            async def apply_changed(client: DashboardsClient) -> int:
                plan = build_environment_plan(env, manifests, [], await read_live(client))
                before = sum(client.calls[m] for m in WRITES)
                result = await apply_environment(client, plan, allow_delete=False)
                assert not result.failed
                return sum(client.calls[m] for m in WRITES) - before

            _, writes = timed(f"apply with {changed} changed dashboards",
                              lambda: asyncio.run(with_client(apply_changed)))
        finally:
            server.terminate()
            server.wait(timeout=10)
    print()
    print(f"plan / raw lower bound          {planned / lower:6.2f}x   (target <= 1.2x)")
    print(f"plan incl. loading / lower bound {full / lower:6.2f}x")
    print(f"naive / plan                    {naive_s / planned:6.2f}x faster (target >= 10x)")
    print(f"dashctl plan (CLI) wall time    {cli_s:6.2f} s, peak RSS {rss_mb:.0f} MB "
          "(target <= 250 MB)")
    print(f"write calls / changed dashboards {writes / changed:5.2f}  (target 1.00)")


if __name__ == "__main__":
    main()
