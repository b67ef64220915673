"""Throughput of the served app: customer list API vs. the trivial health endpoint.

Starts `guanxi serve` (uvicorn, 2 workers) on 127.0.0.1 against the database the
environment points at, then drives it with an async httpx client:
  1. 16 concurrent clients for --duration seconds on /api/v1/health;
  2. the same on /api/v1/customers?value_class=high&sort=-total_amount&limit=50
     (Bearer token of the demo admin);
  3. one client, --single requests on that list: p50/p99 latency.
The figure that matters is list req/s ÷ health req/s (target ≥ 0.5): both run on
the same server in the same minute, so the machine's speed cancels out.

    GUANXI_DATA_DIR=/tmp/gx-bench-sqlite .venv/bin/python bench/http_load.py
    GUANXI_DATA_DIR=/tmp/gx-bench-postgres \
      GUANXI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_bench .venv/bin/python bench/http_load.py

Every loop is bounded by time or count and only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
GUANXI = str(ROOT / ".venv" / "bin" / "guanxi")
LIST_PATH = "/api/v1/customers?value_class=high&sort=-total_amount&limit=50"


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GUANXI_DEBUG": "0"}
    return subprocess.Popen(
        [GUANXI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
         "--no-migrate"],
        env=env,
        start_new_session=True,  # its own process group, so we stop exactly what we started
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_healthy(base: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("server did not become healthy")


async def hammer(
    base: str, path: str, headers: dict[str, str], clients: int, seconds: float
) -> dict[str, float]:
    deadline = time.monotonic() + seconds
    ok = errors = 0
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=30
    ) as client:

        async def one_client() -> None:
            nonlocal ok, errors
            while time.monotonic() < deadline:
                start = time.perf_counter()
                response = await client.get(path)
                latencies.append((time.perf_counter() - start) * 1000)
                if response.status_code == 200:
                    ok += 1
                else:
                    errors += 1

        started = time.monotonic()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests_per_s": ok / elapsed,
        "ok": ok,
        "errors": errors,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p99_ms": latencies[int(len(latencies) * 0.99)] if latencies else 0.0,
    }


def single_client(base: str, path: str, headers: dict[str, str], count: int) -> dict[str, float]:
    samples = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for _ in range(10):
            client.get(path)
        for _ in range(count):
            start = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
    samples.sort()
    return {"p50_ms": statistics.median(samples), "p99_ms": samples[int(len(samples) * 0.99)]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--single", type=int, default=300)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    token = subprocess.run(
        [GUANXI, "token", "create", "admin", "--label", "http-bench"],
        check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    server = start_server(args.port, args.workers)
    try:
        wait_healthy(base)
        health = asyncio.run(hammer(base, "/api/v1/health", headers, args.clients, args.duration))
        listing = asyncio.run(hammer(base, LIST_PATH, headers, args.clients, args.duration))
        single = single_client(base, LIST_PATH, headers, args.single)
    finally:
        stop_server(server)
    ratio = listing["requests_per_s"] / health["requests_per_s"]
    result = {"health": health, "list": listing, "list_single_client": single, "ratio": ratio}
    print(
        f"health  {args.clients} clients: {health['requests_per_s']:.0f} req/s (errors {health['errors']})"
    )
    print(
        f"list    {args.clients} clients: {listing['requests_per_s']:.0f} req/s (errors {listing['errors']})"
    )
    print(f"ratio list/health: {ratio:.2f} (target ≥ 0.5)")
    print(
        f"list single client: p50 {single['p50_ms']:.1f} ms, p99 {single['p99_ms']:.1f} ms (target ≤ 50)"
    )
    vendor = (
        "postgres" if os.environ.get("GUANXI_DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"http-{vendor}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    sys.exit(main())
