"""Benchmark: the client fetching every dashboard, 16-way concurrent vs one at a time.

Starts ``dashctl serve`` (a subprocess on a free port, a temporary database),
seeds it through the client (2,000 dashboards x 25 tiles by default, created
and upserted concurrently), then times a full fetch (List, then Get of every
dashboard) with the same client code at concurrency 16 and at concurrency 1,
and prints both times and the ratio.

    .venv/bin/python bench/bench_client.py [--dashboards N] [--tiles N]
                                           [--concurrency N] [--latency-ms 0,5]

The fetch is measured once per ``--latency-ms`` value: the server restarts
on the same database adding that much to every call. At 0 ms on loopback
both processes are CPU-bound (client and server each on one of two cores),
so concurrency can only overlap their work; with some latency, as on any
real network, it is what hides the round trips.
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reconciler.api import DashboardsClient

PROJECT = "proj_bench"
SECRET = "bench-secret"
DASHCTL = [sys.executable, "-m", "reconciler.cli"]


@contextmanager
def serve(db: Path, latency_ms: int) -> Iterator[str]:
    """Run ``dashctl serve`` on port 0 and yield its URL once it listens."""
    env = {**os.environ, "DASHCTL_JWT_SECRET": SECRET, "PYTHONUNBUFFERED": "1"}
    command = [*_dashctl(), "serve", "--db", str(db), "--port", "0"]
    command += ["--latency-ms", str(latency_ms)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        url = None
        for line in process.stdout:
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                url = found.group(1)
                break
        if url is None:
            raise SystemExit("dashctl serve exited before listening")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _dashctl() -> list[str]:
    script = Path(sys.executable).parent / "dashctl"
    return [str(script)] if script.exists() else DASHCTL


def mint_token() -> str:
    env = {**os.environ, "DASHCTL_JWT_SECRET": SECRET}
    command = [*_dashctl(), "token", "--project", PROJECT, "--ttl", "86400"]
    return subprocess.run(
        command, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def tiles(count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` non-overlapping tiles on the 12-column grid (4 per row)."""
    result: list[dict[str, Any]] = []
    for i in range(count):
        position = {"x": (i % 4) * 3, "y": (i // 4) * 4, "w": 3, "h": 4}
        tile: dict[str, Any] = {"id": f"tile_{i:03d}", "position": position}
        if i % 5 == 4:
            tile["type"] = "TILE_TYPE_MARKDOWN"
            tile["markdown"] = {"content": f"# Notes {seed}-{i}\n\nSome text for the tile."}
        else:
            tile["type"] = "TILE_TYPE_INSIGHT"
            tile["insight"] = {
                "query": {
                    "events": [{"name": "page_view"}, {"name": f"event_{i}"}],
                    "granularity": "GRANULARITY_DAY",
                    "aggregation": "AGGREGATION_UNIQUE_USERS",
                },
                "visualization": "VISUALIZATION_LINE",
            }
        result.append(tile)
    return result


async def seed(url: str, token: str, dashboards: int, tile_count: int) -> None:
    async with DashboardsClient(base_url=url, project=PROJECT, token=token) as client:

        async def one(n: int) -> None:
            created = await client.create_dashboard(f"Dashboard {n:05d}")
            await client.upsert_tiles(created["id"], tiles(tile_count, n))

        await asyncio.gather(*(one(n) for n in range(dashboards)))


async def fetch_all(url: str, token: str, concurrency: int) -> tuple[float, int, int]:
    """Seconds to List and Get every dashboard; the dashboards and tiles fetched."""
    async with DashboardsClient(
        base_url=url, project=PROJECT, token=token, concurrency=concurrency
    ) as client:
        started = time.perf_counter()
        summaries = await client.list_dashboards()
        fetched = await asyncio.gather(*(client.get_dashboard(s["id"]) for s in summaries))
        elapsed = time.perf_counter() - started
    return elapsed, len(fetched), sum(len(d.get("tiles", [])) for d in fetched)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=2000)
    parser.add_argument("--tiles", type=int, default=25)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--latency-ms",
        default="0,5",
        help="comma-separated server latencies to measure at (default 0,5)",
    )
    args = parser.parse_args()
    latencies = [int(ms) for ms in args.latency_ms.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        token = mint_token()
        with serve(db, 0) as url:
            started = time.perf_counter()
            asyncio.run(seed(url, token, args.dashboards, args.tiles))
            seeded = time.perf_counter() - started
        print(f"seeded {args.dashboards} dashboards x {args.tiles} tiles in {seeded:.1f}s")
        for latency in latencies:
            with serve(db, latency) as url:
                measure(url, token, args.dashboards * args.tiles, args.concurrency, latency)


def measure(url: str, token: str, tile_total: int, concurrency: int, latency: int) -> None:
    """Print the fetch-all time at ``concurrency`` and at 1, and their ratio."""
    asyncio.run(fetch_all(url, token, concurrency))  # warm-up: page cache, connections
    parallel, count, tiles_seen = asyncio.run(fetch_all(url, token, concurrency))
    serial, serial_count, _ = asyncio.run(fetch_all(url, token, 1))
    assert count == serial_count and tiles_seen == tile_total, (count, serial_count, tiles_seen)
    print(f"server latency {latency} ms: fetch all (List + {count} Get)")
    print(f"  concurrency {concurrency:>2}: {parallel:6.2f}s ({count / parallel:5.0f} Get/s)")
    print(f"  concurrency  1: {serial:6.2f}s ({count / serial:5.0f} Get/s)")
    print(f"  ratio (1 / {concurrency}): {serial / parallel:.2f}x")


if __name__ == "__main__":
    main()
