"""Benchmark: per-request latency of the dashboard, with TCP_NODELAY and without it.

Run: python benchmarks/bench_web_latency.py [--requests 200]

Two servers of the same app on loopback, each in its own process: ``flopcast serve`` (its
socket made with ``IPPROTO_TCP``, so every accepted connection gets TCP_NODELAY) and, as the
anchor, uvicorn on a socket made with the default protocol 0 (what ``serve`` did before: asyncio
then leaves Nagle's algorithm on), on asyncio's own event loop and h11 as then. NB: uvloop,
which ``serve`` now uses where it is installed (the web extra), sets TCP_NODELAY itself; the
``IPPROTO_TCP`` socket keeps the fix where it is not. One keep-alive client sends ``--requests`` sequential
``GET /api/health`` and cached ``POST /api/forecast`` (the page's default request, after one
warm-up) to each. Printed: median and p99 per server and the ratio anchor / serve. Targets
(issue 13): a cached request under 5 ms.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import httpx
from bench_web_load import DEFAULT_FORECAST, free_port, percentile, start_server, wait_healthy

PROTO_ZERO = """
import socket, sys, uvicorn
from flopcast.web.app import create_app
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # protocol 0: no TCP_NODELAY
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", int(sys.argv[1])))
config = uvicorn.Config(create_app(), log_level="warning", loop="asyncio", http="h11")
uvicorn.Server(config).run(sockets=[sock])
"""


def start_anchor(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", PROTO_ZERO, str(port)])
    return wait_healthy(proc, port, "anchor server")


def measure(base: str, n: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"health": [], "forecast (cached)": []}
    with httpx.Client(timeout=120) as client:
        client.post(base + "/api/forecast", json=DEFAULT_FORECAST).raise_for_status()
        for _ in range(n):
            t0 = time.perf_counter()
            client.get(base + "/api/health").raise_for_status()
            out["health"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            client.post(base + "/api/forecast", json=DEFAULT_FORECAST).raise_for_status()
            out["forecast (cached)"].append(time.perf_counter() - t0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    results = {}
    for name, start in (("flopcast serve", start_server), ("anchor (protocol 0)", start_anchor)):
        port = free_port()
        proc = start(port)
        try:
            results[name] = measure(f"http://127.0.0.1:{port}", args.requests)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    for what in ("health", "forecast (cached)"):
        serve, anchor = results["flopcast serve"][what], results["anchor (protocol 0)"][what]
        p50s, p50a = percentile(serve, 50), percentile(anchor, 50)
        print(
            f"{what:<18} serve p50 {1000 * p50s:6.2f} ms p99 {1000 * percentile(serve, 99):6.2f} ms"
            f" | anchor p50 {1000 * p50a:6.2f} ms p99 {1000 * percentile(anchor, 99):6.2f} ms"
            f" | anchor / serve {p50a / p50s:5.1f}x"
        )
    cached = percentile(results["flopcast serve"]["forecast (cached)"], 50)
    print(f"target (cached request < 5 ms): {'met' if cached < 0.005 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
