"""Benchmark: the emulator's Get throughput (requests/s) under `dashctl serve` on loopback.

Seeds a temporary database through the emulator's store (2,000 dashboards x
25 tiles by default, about half insight and half markdown tiles), starts
``dashctl serve`` on it (a subprocess, a free port), then sends Get requests
for random dashboards with httpx from ~16 concurrent tasks sharing one
connection pool, and prints requests/s and latency percentiles for each
codec (JSON, binary protobuf), in plain mode and with ``--quirks``.

    .venv/bin/python bench/bench_emulator.py [--dashboards N] [--tiles N]
                                             [--concurrency N] [--requests N]

The server is one process (one core); the load generator is another Python
process on the second core of the machine, so on a 2-core machine the figure
is bounded by both.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from reconciler.emulator.auth import mint_token
from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from reconciler.emulator.store import Store

PROJECT = "proj_bench"
SECRET = "bench-secret-bench-secret-bench-secret"
GET = "/dashboards.v1.DashboardsService/Get"


def make_tiles(count: int) -> list[pb.Tile]:
    """``count`` tiles packed on the 12-column grid, two per row."""
    tiles = []
    for index in range(count):
        position = pb.Position(x=(index % 2) * 6, y=(index // 2) * 4, w=6, h=4)
        if index % 2:
            tiles.append(pb.Tile(id=f"note_{index}", type=pb.TILE_TYPE_MARKDOWN,
                                 position=position,
                                 markdown=pb.Markdown(content=f"# Section {index}\nSome text.")))
        else:
            query = pb.Query(events=[pb.Event(name="page_view"), pb.Event(name="signup")],
                             granularity=pb.GRANULARITY_DAY, aggregation=pb.AGGREGATION_COUNT)
            tiles.append(pb.Tile(id=f"chart_{index}", type=pb.TILE_TYPE_INSIGHT,
                                 position=position,
                                 insight=pb.Insight(query=query,
                                                    visualization=pb.VISUALIZATION_LINE)))
    return tiles


def seed(db: Path, dashboards: int, tiles: int) -> list[str]:
    store = Store(db)
    tile_list = make_tiles(tiles)
    ids = [store.create(PROJECT, f"Dashboard {index}", tile_list).id for index in range(dashboards)]
    store.close()
    return ids


@contextmanager
def serve(db: Path, *, quirks: bool) -> Iterator[tuple[str, int]]:
    """Run ``dashctl serve`` on port 0 and yield its URL and pid once it listens."""
    command = [sys.executable, "-m", "reconciler.cli", "serve", "--db", str(db), "--port", "0",
               "--jwt-secret", SECRET]
    if quirks:
        command.append("--quirks")
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("listening on "):
            raise SystemExit("dashctl serve exited before listening")
        yield line.removeprefix("listening on ").strip(), process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def load(url: str, ids: list[str], *, binary: bool, concurrency: int,
               requests: int) -> tuple[float, list[float], int]:
    """Send ``requests`` Gets from ``concurrency`` tasks; (seconds, latencies, bytes)."""
    headers = {
        "authorization": f"Bearer {mint_token(secret=SECRET, project=PROJECT)}",
        "x-project-id": PROJECT,
        "content-type": "application/proto" if binary else "application/json",
    }
    rng = random.Random(7)
    bodies = []
    for _ in range(requests):
        dashboard_id = rng.choice(ids)
        if binary:
            bodies.append(pb.GetRequest(id=dashboard_id).SerializeToString())
        else:
            bodies.append(f'{{"id":"{dashboard_id}"}}'.encode())
    latencies: list[float] = []
    received = 0
    queue = iter(bodies)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits,
                                 timeout=30) as client:
        async def worker() -> None:
            nonlocal received
            for body in queue:
                started = time.perf_counter()
                response = await client.post(GET, content=body)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"Get failed: {response.status_code} {response.text[:200]}")
                received += len(response.content)

        # A short warm-up opens the connections before the clock starts.
        await asyncio.gather(*(client.post(GET, content=bodies[0]) for _ in range(concurrency)))
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return elapsed, latencies, received


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=2000)
    parser.add_argument("--tiles", type=int, default=25)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--requests", type=int, default=4000, help="Gets per measurement")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dashctl-bench-") as folder:
        db = Path(folder) / "bench.db"
        started = time.perf_counter()
        ids = seed(db, args.dashboards, args.tiles)
        print(f"seeded {len(ids)} dashboards x {args.tiles} tiles in "
              f"{time.perf_counter() - started:.1f} s ({db.stat().st_size / 1e6:.1f} MB)")
        print(f"Get, {args.requests} requests, {args.concurrency} concurrent, "
              f"httpx on loopback, {os.cpu_count()} cores")
        print(f"{'mode':<8} {'codec':<7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'bytes/answer':>13} {'server CPU ms/req':>18}")
        for quirks in (False, True):
            with serve(db, quirks=quirks) as (url, pid):
                for binary in (False, True):
                    cpu_before = cpu_seconds(pid)
                    elapsed, latencies, received = asyncio.run(
                        load(url, ids, binary=binary, concurrency=args.concurrency,
                             requests=args.requests))
                    cpu_after = cpu_seconds(pid)
                    server_cpu = (
                        f"{(cpu_after - cpu_before) / args.requests * 1000:>18.2f}"
                        if cpu_before is not None and cpu_after is not None else f"{'n/a':>18}"
                    )
                    print(f"{'quirks' if quirks else 'plain':<8} "
                          f"{'proto' if binary else 'json':<7} "
                          f"{args.requests / elapsed:>8.0f} "
                          f"{statistics.median(latencies) * 1000:>8.1f} "
                          f"{percentile(latencies, 0.99) * 1000:>8.1f} "
                          f"{received / args.requests:>13.0f} {server_cpu}", flush=True)
        print("server CPU ms/req: CPU time the server process spent per Get (1000 / it is the "
              "req/s one core could serve with a free client)")


if __name__ == "__main__":
    main()
