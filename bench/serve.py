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
baseline; and the load average of the machine before and after. ``tail`` says what the
latencies are made of: each worker's connections (which worker holds a client's connection is
read from /proc), requests and percentiles, the percentiles by kind of quote and for the first
request of a connection, the search's own time in the server (``took_ms``), and when in the run
the slowest 5% were answered; ``--detail FILE`` writes every request's record. Traffic goes to loopback only,
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

    async def open(self) -> int:
        """Connects (if not connected); the connection's local port."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self.writer.get_extra_info("sockname")[1]

    async def get(self, target: str) -> tuple[int, bytes]:
        await self.open()
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


async def searcher(base: str, queries: list[tuple[str, str]], k: int, clients: int, until: float,
                   log: list[dict], errors: list[str], hitless: list[str], ports: dict[int, int]) -> None:
    """Client k: one search after the other over one connection until `until`; each request's
    record (client, kind of quote, its place on the connection, latency, the server's took_ms,
    when it was answered) goes to `log`, the connection's local port to ports[k]."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    conn = Connection(host, int(port))
    try:
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= until:
                return
            kind, q = queries[(k + i * clients) % len(queries)]  # client k takes every clients-th quote
            target = "/api/search?" + urlencode({"q": q, "limit": 10})
            t = time.perf_counter()
            took = None
            try:
                async with asyncio.timeout(60):
                    ports[k] = await conn.open()
                    status, body = await conn.get(target)
                problem = checked(status, body, q)
                if problem:
                    errors.append(problem)
                else:
                    took = json.loads(body)["took_ms"]
                    if b'"hits":[]' in body:
                        hitless.append(q)
            except (OSError, ValueError, asyncio.IncompleteReadError, TimeoutError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            done = time.perf_counter()
            log.append({"client": k, "kind": kind, "i": i, "ms": (done - t) * 1000, "took_ms": took, "at": done})
    finally:
        conn.close()


def socket_owners(pids: list[int], server_port: int) -> dict[int, int]:
    """Which of the server's processes holds each accepted connection: {client port: pid}, from
    the socket inodes in /proc/PID/fd and the connections in /proc/net/tcp{,6}."""
    inode_pid = {}
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if link.startswith("socket:["):
                    inode_pid[int(link[8:-1])] = pid
        except OSError:
            continue
    owners = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port, remote_port = int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16)
            if local_port == server_port and int(fields[9]) in inode_pid:
                owners[remote_port] = inode_pid[int(fields[9])]
    return owners


async def load(base: str, queries: list[tuple[str, str]], clients: int, seconds: float,
               pids: list[int] | None = None) -> tuple[list[dict], list[str], list[str], float, dict[int, int]]:
    """Runs the clients; with the server's `pids`, also maps each client to the worker that holds
    its connection (a few seconds in, when every client has connected)."""
    log: list[dict] = []
    errors: list[str] = []
    hitless: list[str] = []
    ports: dict[int, int] = {}
    worker_of: dict[int, int] = {}
    started = time.monotonic()
    until = started + seconds

    async def map_workers() -> None:
        for at in (1, 3, 6, 10):  # until every client's connection has been taken by a worker
            await asyncio.sleep(max(0.0, started + min(at, seconds / 2) - time.monotonic()))
            owners = socket_owners(pids, int(base.rsplit(":", 1)[1]))
            worker_of.update({k: owners[p] for k, p in ports.items() if p in owners and k not in worker_of})
            if len(worker_of) == clients:
                return

    await asyncio.gather(*(searcher(base, queries, k, clients, until, log, errors, hitless, ports)
                           for k in range(clients)), *([map_workers()] if pids else []))
    return log, errors, hitless, time.monotonic() - started, worker_of


def spread(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(percentile(values, 0.5), 1) if values else None,
            "p95_ms": round(percentile(values, 0.95), 1) if values else None}


def tail(log: list[dict], worker_of: dict[int, int]) -> dict:
    """What the latencies are made of: per worker (its connections, requests, percentiles), per
    kind of quote, the first request of a connection against the others, and the server's own
    time in the search (took_ms: from the search's start in a worker thread, so without the
    queue before it) against the wait around it."""
    if not log:
        return {}
    p95 = percentile([r["ms"] for r in log], 0.95)
    slow = [r for r in log if r["ms"] >= p95]
    workers = sorted(set(worker_of.values()))
    by_worker = {}
    for n, pid in enumerate(workers):
        clients = {k for k, w in worker_of.items() if w == pid}
        mine = [r for r in log if r["client"] in clients]
        by_worker[f"worker {n + 1}"] = {"connections": len(clients), **spread([r["ms"] for r in mine]),
                                        "share_of_slowest_5pct": round(sum(r["client"] in clients for r in slow) / len(slow), 2)}
    t0 = min(r["at"] for r in log)
    per_second = [0] * (int(max(r["at"] for r in log) - t0) + 1)
    for r in slow:
        per_second[int(r["at"] - t0)] += 1
    took = [r["took_ms"] for r in log if r["took_ms"] is not None]
    return {"workers": by_worker, "unmapped_clients": len({r["client"] for r in log} - set(worker_of)),
            "kinds": {kind: spread([r["ms"] for r in log if r["kind"] == kind]) for kind in sorted({r["kind"] for r in log})},
            "first_on_connection": spread([r["ms"] for r in log if r["i"] == 0]),
            "later_on_connection": spread([r["ms"] for r in log if r["i"] > 0]),
            "search_took": spread(took),
            "slowest_5pct_per_second": per_second}


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
        log, errors, hitless, elapsed, worker_of = asyncio.run(load(base, queries, clients, seconds, pids))
        latencies = [r["ms"] for r in log]
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
            "server_pss_mb": round(memory), "tail": tail(log, worker_of),
            "_log": log, "_worker_of": worker_of}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--workers", default="1,default", help="worker counts to run, comma-separated; the first "
                    "is the baseline ('default': what serve picks)")
    ap.add_argument("--queries", type=int, default=3000, help="distinct quotes drawn from the store")
    ap.add_argument("--work", type=Path, default=Path("/tmp/sourcetrace-bench-search"))
    ap.add_argument("--detail", type=Path, help="write every request's record (JSON lines) here, per run")
    ap.add_argument("--against", type=Path, help="a source tree (a worktree of main): each worker count runs "
                    "with its code first, as the baseline of the same run")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db, _ = build_store(args.docs, args.work)
    with Store(db) as store:
        documents = store.counts()["documents"]
        queries = [(kind, q) for kind, q, _ in sample_queries(store, args.queries)]
    load_before = os.getloadavg()
    sources = [args.against, None] if args.against else [None]
    runs = [run_server(db, w.strip(), queries, args.clients, args.seconds, src)
            for w in args.workers.split(",") for src in sources]
    for n, r in enumerate(runs):
        log, worker_of = r.pop("_log"), r.pop("_worker_of")
        if args.detail:
            with args.detail.open("a") as out:
                for rec in log:
                    out.write(json.dumps({"run": n, "src": r["src"], "workers": r["workers"],
                                          "worker": worker_of.get(rec["client"]), **rec}) + "\n")
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
