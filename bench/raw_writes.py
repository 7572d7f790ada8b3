"""The raw write bound: N-way concurrent Create + Upsert with plain httpx, nothing else.

    python bench/raw_writes.py URL PROJECT --token-env VAR --dashboards 2000 --tiles 25
                               [--concurrency 16]

For each of the generated dashboards (bench/harness.py: "Board 00000", ... and
their tiles in wire form, `wire_tiles`), a Create {"name"}, then an Upsert
{"dashboardId", "tiles"} of the id it answered, every dashboard at once under
one bound on concurrent requests across all calls (the same as `dashctl
--parallelism`). One httpx client. Prints the number of dashboards written.
This is what an apply into an empty project cannot beat: it only sends the
writes and waits on the network.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import wire_tiles

SERVICE = "/dashboards.v1.DashboardsService/"


async def write(url: str, token: str, project: str, dashboards: int, tiles: int,
                concurrency: int) -> int:
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}", "Connect-Protocol-Version": "1",
               "x-project-id": project}
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits,
                                 timeout=60) as http:

        async def call(method: str, body: dict[str, Any]) -> dict[str, Any]:
            async with gate:
                response = await http.post(SERVICE + method, json=body)
            response.raise_for_status()
            answer: dict[str, Any] = response.json()
            return answer

        async def one(index: int) -> int:
            created = await call("Create", {"name": f"Board {index:05}"})
            await call("Upsert", {"dashboardId": created["dashboard"]["id"],
                                  "tiles": wire_tiles(index, tiles)})
            return 1

        return sum(await asyncio.gather(*map(one, range(dashboards))))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("project")
    parser.add_argument("--token-env", required=True)
    parser.add_argument("--dashboards", type=int, default=2000)
    parser.add_argument("--tiles", type=int, default=25)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    count = asyncio.run(write(args.url, os.environ[args.token_env], args.project,
                              args.dashboards, args.tiles, args.concurrency))
    print(f"wrote {count} dashboards")


if __name__ == "__main__":
    main()
