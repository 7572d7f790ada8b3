"""What the whole-command benchmarks share: a `dashctl serve`, the CLI and the raw
fetch and raw writes as subprocesses, generated manifests, and paired medians.

Every timed thing is a whole process, as a user runs it. The CLI runs under a
small shim that reports its own peak RSS (VmHWM) and, for writes, counts the
HTTP requests it sent per API method at the transport (what reached the wire).
"""

from __future__ import annotations

import ast
import os
import re
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret"
TOKEN_VAR = "DASHCTL_TOKEN_BENCH"
VIZ = ["line", "bar", "area", "table", "kpi"]
WRITES = ("Create", "Update", "Upsert", "Delete")

CLI_SHIM = """
import collections, re, sys
import httpx
from reconciler.cli import main
sent = collections.Counter()
original = httpx.AsyncHTTPTransport.handle_async_request
async def counted(self, request):
    sent[request.url.path.rsplit("/", 1)[-1]] += 1
    return await original(self, request)
if "--count-calls" in sys.argv:
    sys.argv.remove("--count-calls")
    httpx.AsyncHTTPTransport.handle_async_request = counted
try:
    code = main(sys.argv[1:])
finally:
    hwm = re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)
    print(f"maxrss_kb={hwm} calls={dict(sent)}", file=sys.stderr)
sys.exit(code)
"""


@dataclass
class Run:
    seconds: float
    rss_mb: float
    stdout: str
    calls: dict[str, int] = field(default_factory=dict)
    code: int = 0

    @property
    def writes(self) -> int:
        return sum(self.calls.get(method, 0) for method in WRITES)


def wire_tiles(index: int, count: int) -> list[dict[str, Any]]:
    return [{
        "id": f"t{n:02}", "type": "TILE_TYPE_INSIGHT",
        "position": {"x": (n % 2) * 6, "y": (n // 2) * 4, "w": 6, "h": 4},
        "insight": {"query": {"events": [{"name": f"event_{index % 50}_{n}"}],
                              "granularity": "GRANULARITY_DAY",
                              "aggregation": "AGGREGATION_COUNT"},
                    "visualization": f"VISUALIZATION_{VIZ[n % 5].upper()}"},
    } for n in range(count)]


def manifest_text(index: int, count: int) -> str:
    lines = [f"name: Board {index:05}", "tiles:"]
    for tile in wire_tiles(index, count):
        p = tile["position"]
        lines += [
            f"  - id: {tile['id']}",
            f"    position: {{x: {p['x']}, y: {p['y']}, w: {p['w']}, h: {p['h']}}}",
            "    insight:",
            "      query:",
            f"        events: [{{name: {tile['insight']['query']['events'][0]['name']}}}]",
            "        granularity: day",
            "        aggregation: count",
            f"      visualization: {tile['insight']['visualization'][14:].lower()}",
        ]
    return "\n".join(lines) + "\n"


def write_manifests(folder: Path, dashboards: int, tiles: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(dashboards):
        (folder / f"board-{index:05}.yaml").write_text(manifest_text(index, tiles), "utf-8")


def mint(projects: Sequence[str]) -> str:
    """One emulator token that grants every project (the `projects` claim)."""
    sys.path.insert(0, str(ROOT))
    from reconciler.emulator.auth import mint_token

    token = mint_token(secret=SECRET, project=projects[0], ttl=24 * 3600)
    if len(projects) == 1:
        return token
    import jwt

    from reconciler.emulator.auth import ALGORITHM, PROJECTS_CLAIM

    with warnings.catch_warnings():  # a short emulator secret is fine here
        warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
        claims = jwt.decode(token, SECRET, algorithms=[ALGORITHM])
        claims[PROJECTS_CLAIM] = list(projects)
        return jwt.encode(claims, SECRET, algorithm=ALGORITHM)


@contextmanager
def serve(db: Path, latency_ms: int) -> Iterator[str]:
    """`dashctl serve` on a free loopback port; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler.cli", "serve", "--db", str(db), "--port", "0",
         "--jwt-secret", SECRET, "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    try:
        if not match:
            raise SystemExit(f"server did not start: {line!r}")
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=30)


def dashctl(root: Path, *args: str, count_calls: bool = False) -> Run:
    """One whole `dashctl` command as a subprocess: wall time, peak RSS, calls sent."""
    argv = [sys.executable, "-c", CLI_SHIM, "--root", str(root), *args]
    if count_calls:
        argv.append("--count-calls")
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    tail = re.search(r"maxrss_kb=(\d+) calls=(\{.*\})", done.stderr)
    if tail is None:
        raise SystemExit(f"dashctl {' '.join(args)} failed ({done.returncode}):\n"
                         f"{done.stderr[-2000:]}")
    calls = {str(k): int(v) for k, v in ast.literal_eval(tail.group(2)).items()}
    return Run(seconds, int(tail.group(1)) / 1024, done.stdout, calls, done.returncode)


def environments(root: Path, url: str, project: str, token_env: str) -> None:
    """The repository's environments.yaml: one environment, bench, on that project."""
    (root / "environments.yaml").write_text(
        f"environments:\n  bench:\n    url: {url}\n    project: {project}\n"
        f"    token_env: {token_env}\n    prune: true\n", "utf-8")


def unchanged_apply(root: Path) -> None:
    """Apply the repository again, now unchanged: the writes it sends (0 is right)."""
    run = dashctl(root, "apply", "--env", "bench", "--auto-approve", count_calls=True)
    nothing = "Nothing to apply." in run.stdout
    print(f"apply of the unchanged repository: {run.writes} write calls sent "
          f"({run.calls}), 'Nothing to apply.' printed: {nothing}", flush=True)


def git_repository(root: Path) -> None:
    """Make ``root`` a git work tree with its files committed (dashctl then keeps its applied
    records in it, SPEC section 7); no git identity assumed, as on a CI runner."""
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost",
                        *args], cwd=root, check=True, capture_output=True)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "manifests")


def raw_fetch(url: str, projects: Sequence[str], concurrency: int, work: Path) -> float:
    """The raw fetch bound as a subprocess (bench/raw_fetch.py): its wall time."""
    listing = work / "raw-projects.txt"
    listing.write_text("\n".join(projects) + "\n", "utf-8")
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "bench" / "raw_fetch.py"), url, "--token-env",
                    TOKEN_VAR, "--projects-file", str(listing), "--concurrency",
                    str(concurrency)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def raw_writes(url: str, project: str, dashboards: int, tiles: int, concurrency: int) -> float:
    """The raw write bound as a subprocess (bench/raw_writes.py: Create + Upsert of each
    generated dashboard into ``project``): its wall time."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "raw_writes.py"), url, project,
                           "--token-env", TOKEN_VAR, "--dashboards", str(dashboards),
                           "--tiles", str(tiles), "--concurrency", str(concurrency)],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.stdout.split() != ["wrote", str(dashboards), "dashboards"]:
        raise SystemExit(f"raw writes into {project}: {done.stdout!r}")
    return seconds


def paired(runs: int, command: Callable[[], Run], bound: Callable[[], float]
           ) -> tuple[float, float, float, list[Run]]:
    """Command and bound in turn, ``runs`` times: medians of each and of the pair ratios."""
    results: list[Run] = []
    bounds: list[float] = []
    for _ in range(runs):
        bounds.append(bound())
        results.append(command())
    ratios = [r.seconds / b for r, b in zip(results, bounds, strict=True)]
    return (statistics.median(r.seconds for r in results), statistics.median(bounds),
            statistics.median(ratios), results)


def environ_with_token(token: str) -> None:
    os.environ[TOKEN_VAR] = token
