"""Load test of the web app on loopback: concurrent searchers for a bounded time.

    python bench/serve.py [--docs 10000] [--clients 50] [--seconds 30] [--work DIR]

Starts `sourcetrace serve` on 127.0.0.1 (a free port) over the store bench/search.py builds (built
first if missing), then runs --clients searchers, each sending GET /api/search one after another
with quotes drawn from the store, for --seconds (and at most 200 requests a client). Prints the
requests, errors (any non-200 answer or failed connection), throughput and latency percentiles.
Traffic goes to loopback only, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402

from search import build_store, percentile, sample_queries  # noqa: E402
from sourcetrace.store.sqlite import Store  # noqa: E402

MAX_REQUESTS_PER_CLIENT = 200


async def searcher(client: httpx.AsyncClient, queries: list[str], offset: int, until: float,
                   latencies: list[float], errors: list[str]) -> None:
    for i in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= until:
            return
        q = queries[(offset + i) % len(queries)]
        t = time.perf_counter()
        try:
            r = await client.get("/api/search", params={"q": q, "limit": 10})
            if r.status_code != 200:
                errors.append(f"{r.status_code}: {r.text[:100]}")
        except httpx.HTTPError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        latencies.append((time.perf_counter() - t) * 1000)


async def load(base: str, queries: list[str], clients: int, seconds: float) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(*(searcher(client, queries, k * 7, until, latencies, errors) for k in range(clients)))
        return latencies, errors, time.monotonic() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--work", type=Path, default=Path("/tmp/sourcetrace-bench-search"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db, _ = build_store(args.docs, args.work)
    with Store(db) as store:
        documents = store.counts()["documents"]
        queries = [q for _, q, _ in sample_queries(store, 300)]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "sourcetrace", "serve", "--db", str(db), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/api/documents?limit=1", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        t = time.perf_counter()
        httpx.get(base + "/api/search", params={"q": queries[0]}, timeout=120)  # loads the encoder
        first = (time.perf_counter() - t) * 1000
        latencies, errors, elapsed = asyncio.run(load(base, queries, args.clients, args.seconds))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(json.dumps({"documents": documents, "clients": args.clients, "seconds": round(elapsed, 1),
                      "first_query_ms": round(first, 1), "requests": len(latencies), "errors": len(errors),
                      "error_samples": errors[:3], "requests_per_s": round(len(latencies) / elapsed, 1),
                      "p50_ms": round(percentile(latencies, 0.5), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
                      "p99_ms": round(percentile(latencies, 0.99), 1)}, indent=1))


if __name__ == "__main__":
    main()
