"""Benchmark: the client fetching every dashboard, 16-way concurrent vs one at a time.

Starts ``dashctl serve`` (a subprocess on a free port, a temporary database),
seeds it through the client (2,000 dashboards x 25 tiles by default, created
and upserted concurrently), then times a full fetch (List, then Get of every
dashboard) with the same client code at concurrency 16 and at concurrency 1,
and prints both times and the ratio.

    .venv/bin/python bench/bench_client.py [--dashboards N] [--tiles N]
                                           [--concurrency N] [--latency-ms MS]

``--latency-ms`` makes the emulator add that much to every call, to see how
concurrency pays off once there is a network between client and server.
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
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        serve(Path(tmp) / "bench.db", args.latency_ms) as url,
    ):
        token = mint_token()
        started = time.perf_counter()
        asyncio.run(seed(url, token, args.dashboards, args.tiles))
        print(
            f"seeded {args.dashboards} dashboards x {args.tiles} tiles "
            f"in {time.perf_counter() - started:.1f}s (latency {args.latency_ms} ms)"
        )
        asyncio.run(fetch_all(url, token, args.concurrency))  # warm-up: caches, pages

        parallel, count, tile_total = asyncio.run(fetch_all(url, token, args.concurrency))
        serial, serial_count, _ = asyncio.run(fetch_all(url, token, 1))
        assert count == serial_count == args.dashboards, (count, serial_count)
        assert tile_total == args.dashboards * args.tiles, tile_total
        print(
            f"fetch all (List + {count} Get), concurrency {args.concurrency}: "
            f"{parallel:.2f}s ({count / parallel:.0f} Get/s)"
        )
        print(
            f"fetch all (List + {count} Get), concurrency 1: "
            f"{serial:.2f}s ({count / serial:.0f} Get/s)"
        )
        print(f"ratio (concurrency 1 / concurrency {args.concurrency}): {serial / parallel:.2f}x")


if __name__ == "__main__":
    main()
