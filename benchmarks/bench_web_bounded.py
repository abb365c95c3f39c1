"""Benchmark: the dashboard's memory and latency under 50 concurrent distinct requests.

Run: python benchmarks/bench_web_bounded.py [--clients 50] [--requests 200]

Starts ``flopcast serve`` in its own process on a free 127.0.0.1 port, then ``--clients``
concurrent loopback clients (asyncio + httpx, one connection each) send ``--requests`` distinct
requests, alternating ``POST /api/rl`` (each a different step count, so nothing is cached) and
``POST /api/forecast`` (each a different seed). While they run, the server's RSS is sampled
every 20 ms (psutil). Printed: errors (any status but 200; 503 "busy" counted apart), p50 and
p99 latency, the server's RSS before, at its peak and 3 s after the load, and the peak as a
ratio of the idle RSS. Targets (issue 14): 0 errors, peak under 500 MB, back under 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time

import httpx
import psutil
from bench_web_load import free_port, percentile, start_server

TARGET_PEAK_MB, TARGET_AFTER_MB = 500, 200


def bodies(n: int) -> list[tuple[str, dict]]:
    out = []
    for i in range(n):
        if i % 2:
            out.append(("/api/forecast", {"n": 20_000, "seed": 5_000 + i, "horizon_years": 10}))
        else:
            out.append(("/api/rl", {"architecture": "deepseek-v3", "steps": str(500 + i)}))
    return out


async def load(base: str, clients: int, work: list[tuple[str, dict]]) -> tuple[list[float], dict]:
    queue: asyncio.Queue = asyncio.Queue()
    for item in work:
        queue.put_nowait(item)
    latencies: list[float] = []
    status: dict[str, int] = {}

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            path, body = queue.get_nowait()
            t0 = time.perf_counter()
            try:
                code = str((await client.post(base + path, json=body)).status_code)
            except httpx.HTTPError as exc:
                code = type(exc).__name__
            latencies.append(time.perf_counter() - t0)
            status[code] = status.get(code, 0) + 1

    pool = [
        httpx.AsyncClient(timeout=300, limits=httpx.Limits(max_connections=1))
        for _ in range(clients)
    ]
    try:
        await asyncio.gather(*(worker(c) for c in pool))
    finally:
        for c in pool:
            await c.aclose()
    return latencies, status


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    port = free_port()
    proc = start_server(port)
    base = f"http://127.0.0.1:{port}"
    server = psutil.Process(proc.pid)
    try:
        httpx.post(base + "/api/forecast", json={"n": 1000}, timeout=120).raise_for_status()
        httpx.post(base + "/api/rl", json={}, timeout=120).raise_for_status()
        idle = server.memory_info().rss
        peak = [idle]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], server.memory_info().rss)
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0 = time.perf_counter()
        lat, status = asyncio.run(load(base, args.clients, bodies(args.requests)))
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
        time.sleep(3.0)
        after = server.memory_info().rss
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    mb = 1 / 2**20
    errors = sum(v for k, v in status.items() if k != "200")
    busy = status.get("503", 0)
    print(
        f"{len(lat)} distinct requests (/api/rl and /api/forecast), {args.clients} clients, {wall:.1f} s"
    )
    print(f"status counts: {status}  errors {errors} (of which 503 busy: {busy})")
    print(
        f"latency p50 {1000 * percentile(lat, 50):.0f} ms  p99 {1000 * percentile(lat, 99):.0f} ms"
    )
    print(
        f"server RSS: idle {idle * mb:.0f} MB, peak {peak[0] * mb:.0f} MB "
        f"({peak[0] / idle:.2f}x idle), 3 s after {after * mb:.0f} MB ({after / idle:.2f}x idle)"
    )
    met = errors == 0 and peak[0] * mb < TARGET_PEAK_MB and after * mb < TARGET_AFTER_MB
    print(
        f"target (0 errors, peak < {TARGET_PEAK_MB} MB, after < {TARGET_AFTER_MB} MB): "
        f"{'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
