"""Load test of the web app on loopback: concurrent searchers for a bounded time, at several
worker counts in one run (the first, 1 worker by default, is the baseline of the ratios).

    python bench/serve.py [--docs 10000] [--clients 50] [--seconds 30] [--workers 1,default]
                          [--queries 3000] [--work DIR] [--against SRC]

Builds (or reuses from --work) the store bench/search.py builds, draws --queries distinct quotes
from it (verbatim, near-verbatim and translated English -> Arabic, a third each), then for each
worker count starts `sourcetrace serve --workers N` on 127.0.0.1 (a free port; `default` is the
count serve picks by itself), waits until it answers, loads it for a few unmeasured seconds (every
worker has loaded its model before it takes requests; this also brings the store into the page
cache), and runs --clients searchers, each sending GET /api/search one after another for
--seconds (and at most 200 requests a client), each over one keep-alive connection. The clients
take the quotes in turn, so no quote is asked twice while the pool lasts. An answer counts as an
error unless it is a 200 whose JSON answers the quote sent with a list of hits; answers without
any hit are counted apart. Prints per worker count: requests, errors (any non-200
answer or failed connection), throughput, latency percentiles, the server's CPU seconds and
memory (proportional set size: pages the workers share counted once), the CPU the clients
themselves spent (on the same cores), and the ratios to the
baseline; and the load average of the machine before and after. Traffic goes to loopback only,
and each server is stopped before the next starts. With ``--against SRC`` (a source tree: a
worktree of main), each worker count is run first by a server importing sourcetrace from
``SRC/src`` (the first of these is then the baseline), then by this tree's.
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
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402

from search import build_store, percentile, sample_queries  # noqa: E402
from sourcetrace.store.sqlite import Store  # noqa: E402

MAX_REQUESTS_PER_CLIENT = 200
WARM_SECONDS = 5


class Connection:
    """One keep-alive HTTP/1.1 connection that sends GET requests and reads their answers (by
    Content-Length, as the app sends them). The load runs on the server's cores: httpx's client
    spent 2.2-3.6 ms of CPU a request (50 clients, 2 workers, same run), this one 0.4 ms."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        try:
            self.writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode())
            head = await self.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = None
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length is None:
                raise ValueError("an answer without Content-Length")
            return status, await self.reader.readexactly(length)
        except BaseException:
            self.close()  # a broken exchange leaves the connection in no known state
            raise

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def checked(status: int, body: bytes, query: str) -> str | None:
    """What is wrong with a search's answer (None when nothing): a status other than 200, or a
    body that is not the JSON answer to this query with its list of hits."""
    if status != 200:
        return f"{status}: {body[:100]!r}"
    try:
        answer = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:100]!r}"
    if answer.get("query") != " ".join(query.split()) or not isinstance(answer.get("hits"), list):
        return f"not the answer to the query: {body[:100]!r}"
    return None


async def searcher(base: str, queries: list[str], k: int, clients: int, until: float,
                   latencies: list[float], errors: list[str], hitless: list[str]) -> None:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    conn = Connection(host, int(port))
    try:
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= until:
                return
            q = queries[(k + i * clients) % len(queries)]  # client k takes every clients-th quote
            target = "/api/search?" + urlencode({"q": q, "limit": 10})
            t = time.perf_counter()
            try:
                async with asyncio.timeout(60):
                    status, body = await conn.get(target)
                problem = checked(status, body, q)
                if problem:
                    errors.append(problem)
                elif b'"hits":[]' in body:
                    hitless.append(q)
            except (OSError, ValueError, asyncio.IncompleteReadError, TimeoutError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            latencies.append((time.perf_counter() - t) * 1000)
    finally:
        conn.close()


async def load(base: str, queries: list[str], clients: int, seconds: float) -> tuple[list[float], list[str], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    hitless: list[str] = []
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(*(searcher(base, queries, k, clients, until, latencies, errors, hitless)
                           for k in range(clients)))
    return latencies, errors, hitless, time.monotonic() - started


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


def run_server(db: Path, workers: str, queries: list[str], clients: int, seconds: float,
               src: Path | None = None) -> dict:
    port = free_port()
    cmd = [sys.executable, "-m", "sourcetrace", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)]
    if workers != "default":
        cmd += ["--workers", workers]
    env = {**os.environ, "PYTHONPATH": str(src.resolve() / "src")} if src else None
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True, env=env)
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
        cpu0, client0 = cpu_seconds(pids), time.process_time()
        latencies, errors, hitless, elapsed = asyncio.run(load(base, queries, clients, seconds))
        cpu, client_cpu = cpu_seconds(pids) - cpu0, time.process_time() - client0
        memory = pss_mb(pids)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    n = len(latencies)
    cpu_per_request = cpu / max(1, n)
    return {"src": str(src) if src else "this tree", "workers": workers, "workers_started": banner.split(" with ", 1)[-1].split()[0] if " with " in banner else "?",
            "requests": n, "distinct_quotes": min(n, len(queries)), "errors": len(errors),
            "answers_without_hits": len(hitless),
            "error_samples": errors[:3], "seconds": round(elapsed, 1), "requests_per_s": round(n / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.5), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1), "server_cpu_s": round(cpu, 1),
            "server_cpu_ms_per_request": round(cpu * 1000 / max(1, n), 1),
            # the load's own CPU (this process: the clients on the same cores as the server)
            "client_cpu_ms_per_request": round(client_cpu * 1000 / max(1, n), 1),
            # what the server's CPU per request allows when it has every core to itself (a busy
            # machine hides it: the latencies above include waiting for a core)
            "requests_per_s_all_cores_free": round((os.cpu_count() or 1) * n / max(cpu, 1e-9), 1),
            # and the latency that leaves each of `clients` closed-loop clients (Little's law: each
            # waits for everyone's CPU shared over the cores; queueing spreads p95 above it)
            "latency_ms_all_cores_free": round(clients * cpu_per_request * 1000 / (os.cpu_count() or 1), 1),
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
    ap.add_argument("--against", type=Path, help="a source tree (a worktree of main): each worker count runs "
                    "with its code first, as the baseline of the same run")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db, _ = build_store(args.docs, args.work)
    with Store(db) as store:
        documents = store.counts()["documents"]
        queries = [q for _, q, _ in sample_queries(store, args.queries)]
    load_before = os.getloadavg()
    sources = [args.against, None] if args.against else [None]
    runs = [run_server(db, w.strip(), queries, args.clients, args.seconds, src)
            for w in args.workers.split(",") for src in sources]
    base = runs[0]
    for r in runs[1:]:
        r["vs_baseline"] = {"requests_per_s": round(r["requests_per_s"] / max(base["requests_per_s"], 1e-9), 2),
                            "p95": round(r["p95_ms"] / max(base["p95_ms"], 1e-9), 2),
                            "server_cpu_per_request": round(r["server_cpu_ms_per_request"]
                                                            / max(base["server_cpu_ms_per_request"], 1e-9), 2)}
    print(json.dumps({"documents": documents, "clients": args.clients, "cores": os.cpu_count(),
                      "load_average_before": [round(x, 1) for x in load_before],
                      "load_average_after": [round(x, 1) for x in os.getloadavg()], "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
