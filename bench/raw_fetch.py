"""The raw fetch bound: List + N-way concurrent Get with plain httpx, nothing else.

    python bench/raw_fetch.py URL --token-env VAR --concurrency 16 PROJECT [PROJECT ...]
    python bench/raw_fetch.py URL --token-env VAR --projects-file FILE   (one project a line)

One httpx client for every project (one x-project-id per request), the same
bound on concurrent requests as `dashctl --parallelism`. Prints the number of
dashboards fetched. This is what a plan cannot beat: it only waits on the
network and decodes the answers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

import httpx

SERVICE = "/dashboards.v1.DashboardsService/"


async def fetch(url: str, token: str, projects: list[str], concurrency: int) -> int:
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}", "Connect-Protocol-Version": "1"}
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits,
                                 timeout=60) as http:

        async def call(project: str, method: str, body: dict[str, str]) -> dict[str, object]:
            async with gate:
                response = await http.post(SERVICE + method, json=body,
                                           headers={"x-project-id": project})
            response.raise_for_status()
            answer: dict[str, object] = response.json()
            return answer

        async def one(project: str) -> int:
            ids: list[str] = []
            page: dict[str, str] = {}
            while True:
                listed = await call(project, "List", page)
                ids += [str(d["id"]) for d in listed.get("dashboards", [])]  # type: ignore[attr-defined, index]
                token = listed.get("nextPageToken")
                if not token:
                    break
                page = {"pageToken": str(token)}
            await asyncio.gather(*(call(project, "Get", {"id": i}) for i in ids))
            return len(ids)

        return sum(await asyncio.gather(*map(one, projects)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("projects", nargs="*")
    parser.add_argument("--token-env", required=True)
    parser.add_argument("--projects-file", type=Path)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    projects = list(args.projects)
    if args.projects_file:
        projects += args.projects_file.read_text("utf-8").split()
    count = asyncio.run(fetch(args.url, os.environ[args.token_env], projects, args.concurrency))
    print(f"fetched {count} dashboards")


if __name__ == "__main__":
    main()
