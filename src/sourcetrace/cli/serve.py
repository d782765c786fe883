"""`sourcetrace serve`: the local web app over the store."""

from __future__ import annotations

from typing import Annotated

import typer

from sourcetrace.cli.common import index_with_progress
from sourcetrace.cli.console import err_console, markup
from sourcetrace.cli.options import DbOption
from sourcetrace.cli.paths import reading_store
from sourcetrace.store.sqlite import default_db_path


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind. Anything but loopback needs a token.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8765,
    token: Annotated[str | None, typer.Option(
        "--token", envvar="SOURCETRACE_TOKEN",
        help="Access token (required off loopback; one is made up and printed when not given).")] = None,
) -> None:
    """Run the local web app: quote search, documents, side-by-side views, families, uploads."""
    import secrets

    import uvicorn

    from sourcetrace.web import create_app, is_loopback
    from sourcetrace.web.app import LOOPBACK_NAMES

    loopback = is_loopback(host)
    if not loopback and not token:
        token = secrets.token_urlsafe(24)
    path = db or default_db_path()
    with reading_store(path) as store:  # a store must exist: serving never creates one
        index_with_progress(store, quiet=False)  # before serving: not in the first visitor's search
    app_ = create_app(path, token=token, create=False, allowed_hosts=[*LOOPBACK_NAMES, host] if loopback else None)
    suffix = f"/?token={token}" if token else "/"
    err_console.print(markup("sourcetrace serving {path} at {urls}", path=str(path),
                             urls=" and ".join(f"{u}{suffix}" for u in browser_urls(host, port))), highlight=False)
    uvicorn.run(app_, host=host, port=port, log_level="warning")


WILDCARDS = frozenset({"0.0.0.0", "::", "", "*"})


def browser_urls(host: str, port: int) -> list[str]:
    """URLs a browser can open for a bound address: a wildcard (0.0.0.0, ::) is no address to
    browse to, so it gives this machine's name for other machines and loopback for this one."""
    if host in WILDCARDS:
        import socket

        return [f"http://{socket.gethostname()}:{port}", f"http://127.0.0.1:{port}"]
    return [f"http://{f'[{host}]' if ':' in host else host}:{port}"]
