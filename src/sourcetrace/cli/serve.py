"""`sourcetrace serve`: the local web app over the store."""

from __future__ import annotations

from typing import Annotated

import typer

from sourcetrace.cli.common import index_with_progress
from sourcetrace.cli.console import err_console, markup
from sourcetrace.cli.options import DbOption
from sourcetrace.cli.paths import default_db_path, reading_store

DEFAULT_MAX_WORKERS = 4
MAX_WORKERS = 64
# Seconds a worker may leave uvicorn's health ping unanswered before it is killed (uvicorn: 5).
# A worker answers from a thread that needs the interpreter lock, which two dozen searches in
# flight hold in turn: on a loaded machine a busy worker missed 5 s, was killed, and the
# searches it held failed (bench/serve.py, 50 clients at a load of 27: 1 error in 1,161).
WORKER_HEALTHCHECK_S = 60


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind. Anything but loopback needs a token.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8765,
    token: Annotated[str | None, typer.Option(
        "--token", envvar="SOURCETRACE_TOKEN",
        help="Access token (required off loopback; one is made up and printed when not given).")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, max=MAX_WORKERS,
        help="Worker processes answering requests. They share the store and its vector file; each "
             "adds 250-300 MB (its model and caches). Default: one per CPU core this process may use, "
             f"at most {DEFAULT_MAX_WORKERS}.")] = None,
) -> None:
    """Run the local web app: quote search, documents, side-by-side views, families, uploads."""
    import json
    import os
    import secrets

    import uvicorn

    from sourcetrace.web import is_loopback, listen
    from sourcetrace.web.app import LOOPBACK_NAMES, SERVE_SETTINGS

    loopback = is_loopback(host)
    if not loopback and not token:
        token = secrets.token_urlsafe(24)
    path = db or default_db_path()
    with reading_store(path) as store:  # a store must exist: serving never creates one
        index_with_progress(store, quiet=False)  # before serving: not in the first visitor's search
    n = workers or default_workers()
    # Every worker is a new interpreter that builds the app from these (web.app.app_from_environment).
    os.environ[SERVE_SETTINGS] = json.dumps({"db": str(path.absolute()),
                                             "allowed_hosts": [*LOOPBACK_NAMES, host] if loopback else None})
    if token:
        os.environ["SOURCETRACE_TOKEN"] = token
    suffix = f"/?token={token}" if token else "/"
    err_console.print(markup("sourcetrace serving {path} with {n} {workers} at {urls}", path=str(path), n=str(n),
                             workers="worker" if n == 1 else "workers", urls=" and ".join(f"{u}{suffix}" for u in browser_urls(host, port))), highlight=False)
    listen.run(uvicorn.Config("sourcetrace.web.app:app_from_environment", factory=True, host=host, port=port,
                              workers=n, log_level="warning", timeout_worker_healthcheck=WORKER_HEALTHCHECK_S))


def default_workers() -> int:
    """One worker per CPU core this process may run on, at most DEFAULT_MAX_WORKERS: a search is
    CPU work (tens of ms of Python behind one interpreter lock), so more workers than cores only
    queue, and each costs the memory of a model."""
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(1, min(DEFAULT_MAX_WORKERS, cores))


WILDCARDS = frozenset({"0.0.0.0", "::", "", "*"})


def browser_urls(host: str, port: int) -> list[str]:
    """URLs a browser can open for a bound address: a wildcard (0.0.0.0, ::) is no address to
    browse to, so it gives this machine's name for other machines and loopback for this one."""
    if host in WILDCARDS:
        import socket

        return [f"http://{socket.gethostname()}:{port}", f"http://127.0.0.1:{port}"]
    return [f"http://{f'[{host}]' if ':' in host else host}:{port}"]
