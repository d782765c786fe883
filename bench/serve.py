"""Load test of the web app on loopback: concurrent searchers for a bounded time, at several
worker counts in one run (the first, 1 worker by default, is the baseline of the ratios).

    python bench/serve.py [--docs 10000] [--clients 50] [--seconds 30] [--workers 1,default]
                          [--queries 3000] [--work DIR]

Builds (or reuses from --work) the store bench/search.py builds, draws --queries distinct quotes
from it (verbatim, near-verbatim and translated English -> Arabic, a third each), then for each
worker count starts `sourcetrace serve --workers N` on 127.0.0.1 (a free port; `default` is the
count serve picks by itself), waits until it answers, loads it for a few unmeasured seconds (every
worker has loaded its model before it takes requests; this also brings the store into the page
cache), and runs --clients searchers, each sending GET /api/search one after another for
--seconds (and at most 200 requests a client). The clients take the quotes in turn, so no quote
is asked twice while the pool lasts. Prints per worker count: requests, errors (any non-200
answer or failed connection), throughput, latency percentiles, the server's CPU seconds and
memory (proportional set size: pages the workers share counted once), and the ratios to the
baseline; and the load average of the machine before and after. Traffic goes to loopback only,
and each server is stopped before the next starts.
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
WARM_SECONDS = 5


async def searcher(client: httpx.AsyncClient, queries: list[str], k: int, clients: int, until: float,
                   latencies: list[float], errors: list[str]) -> None:
    for i in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= until:
            return
        q = queries[(k + i * clients) % len(queries)]  # client k takes every clients-th quote
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
        await asyncio.gather(*(searcher(client, queries, k, clients, until, latencies, errors)
                               for k in range(clients)))
        return latencies, errors, time.monotonic() - started


def group_processes(pgid: int) -> list[int]:
    """The processes of a process group (the server and its workers)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
                out.append(int(entry))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the processes (those that still exist), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def pss_mb(pids: list[int]) -> float:
    """Proportional set size of the processes in MB: a page shared by n of them counts 1/n each."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_server(db: Path, workers: str, queries: list[str], clients: int, seconds: float) -> dict:
    port = free_port()
    cmd = [sys.executable, "-m", "sourcetrace", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)]
    if workers != "default":
        cmd += ["--workers", workers]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        banner = server.stderr.readline()  # "sourcetrace serving STORE with N workers at URL"
        deadline = time.monotonic() + 300
        while True:
            try:
                httpx.get(base + "/api/documents?limit=1", timeout=5)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"the server did not start: {banner}{server.stderr.read()}") from None
                time.sleep(0.2)
        time.sleep(2)  # the other workers finish loading
        asyncio.run(load(base, queries[::-1], clients, WARM_SECONDS))  # unmeasured, other quotes first
        pids = group_processes(server.pid)
        cpu0 = cpu_seconds(pids)
        latencies, errors, elapsed = asyncio.run(load(base, queries, clients, seconds))
        cpu = cpu_seconds(pids) - cpu0
        memory = pss_mb(pids)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    n = len(latencies)
    return {"workers": workers, "workers_started": banner.split(" with ", 1)[-1].split()[0] if " with " in banner else "?",
            "requests": n, "distinct_quotes": min(n, len(queries)), "errors": len(errors),
            "error_samples": errors[:3], "seconds": round(elapsed, 1), "requests_per_s": round(n / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.5), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1), "server_cpu_s": round(cpu, 1),
            "server_cpu_ms_per_request": round(cpu * 1000 / max(1, n), 1),
            # what the server's CPU per request allows when it has every core to itself (a busy
            # machine hides it: the latencies above include waiting for a core)
            "requests_per_s_all_cores_free": round((os.cpu_count() or 1) * n / max(cpu, 1e-9), 1),
            "server_pss_mb": round(memory)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--workers", default="1,default", help="worker counts to run, comma-separated; the first "
                    "is the baseline ('default': what serve picks)")
    ap.add_argument("--queries", type=int, default=3000, help="distinct quotes drawn from the store")
    ap.add_argument("--work", type=Path, default=Path("/tmp/sourcetrace-bench-search"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db, _ = build_store(args.docs, args.work)
    with Store(db) as store:
        documents = store.counts()["documents"]
        queries = [q for _, q, _ in sample_queries(store, args.queries)]
    load_before = os.getloadavg()
    runs = [run_server(db, w.strip(), queries, args.clients, args.seconds) for w in args.workers.split(",")]
    base = runs[0]
    for r in runs[1:]:
        r["vs_baseline"] = {"requests_per_s": round(r["requests_per_s"] / max(base["requests_per_s"], 1e-9), 2),
                            "p95": round(r["p95_ms"] / max(base["p95_ms"], 1e-9), 2)}
    print(json.dumps({"documents": documents, "clients": args.clients, "cores": os.cpu_count(),
                      "load_average_before": [round(x, 1) for x in load_before],
                      "load_average_after": [round(x, 1) for x in os.getloadavg()], "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
