"""The app factory: one store, its thread-local connections, access control and safe headers.

Security model: the app binds to loopback by default; on any other address every request must
carry the token (``Authorization: Bearer``, or ``?token=`` once, which sets a cookie for the
pages). Requests name documents only by their ids in the store, never by path; uploads are
written under the store's own upload folder with names the app makes. Every page is rendered
from Jinja2 templates with autoescape and served with a content security policy that allows no
inline script.

A request that changes state (any method but GET, HEAD, OPTIONS; the one exception is
``POST /api/search``, a read with its query in the body) must come from the app's own pages or
carry the token in ``Authorization``, also on loopback and also without a token: its ``Origin``
(or, without one, its ``Referer``) must be the app's own origin. A browser sends ``Origin`` with
every cross-origin POST, so a request with neither header does not come from another site's page
(curl, scripts) and is taken; a foreign or ``null`` origin never is. The token cookie does not
count: the browser attaches it by itself, also to posts from other ports of the same host.
"""

from __future__ import annotations

import gc
import ipaddress
import json
import os
import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sourcetrace import __version__
from sourcetrace.store.sqlite import Store
from sourcetrace.web.jobs import Jobs

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
TOKEN_COOKIE = "sourcetrace_token"
# "same-origin", not "no-referrer": under no-referrer Chromium sends `Origin: null` with the upload
# form's own post (without script), which the origin check must refuse; other sites still get none.
SAFE_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"}


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Context:
    """What every route needs: the store (one connection per worker thread) and the upload jobs."""

    def __init__(self, db_path: Path, upload_limit: int, create: bool = True) -> None:
        self.db_path = Path(db_path)
        self.create = create
        self.upload_dir = self.db_path.with_name(self.db_path.name + ".uploads")
        self.upload_limit = upload_limit
        self._local = threading.local()
        self.jobs = Jobs(self)

    def store(self) -> Store:
        st = getattr(self._local, "store", None)
        if st is None:
            st = self._local.store = Store(self.db_path, create=self.create)
        return st


LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1", "[::1]"]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Requests of other methods that change nothing: a foreign page may send them (it cannot read the
# answer without CORS headers, and GET /api/search answers the same query anyway).
READ_ONLY_POSTS = frozenset({"/api/search"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of_url(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a URL, or None for ``null`` and anything unparsable."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def from_elsewhere(request: Request) -> bool:
    """True when a state-changing request names an origin (``Origin``, else ``Referer``) other than
    the app's own; False when it names the app's or none at all (see the module's docstring)."""
    if request.method in SAFE_METHODS or (request.method == "POST" and request.url.path in READ_ONLY_POSTS):
        return False
    named = request.headers.get("origin") or request.headers.get("referer")
    if named is None:
        return False
    own = origin_of_url(str(request.base_url))
    return own is None or origin_of_url(named) != own


class Guard:
    """The token, the origin check and the safe headers, for every request (see the module's
    docstring). A plain ASGI middleware: Starlette's ``@app.middleware("http")`` runs each
    response through a memory stream and a task group in the event loop's thread."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = self.token
        set_cookie = False
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if token:
            given = bearer or request.cookies.get(TOKEN_COOKIE, "")
            query_token = request.query_params.get("token", "")
            if query_token and secrets.compare_digest(query_token.encode(), token.encode()):
                given, set_cookie = query_token, True
            if not secrets.compare_digest(given.encode(), token.encode()):
                await JSONResponse({"detail": "a token is required"}, status_code=401)(scope, receive, send)
                return
        # Checked before the route runs: a refused upload is never read, let alone stored.
        if from_elsewhere(request) and not (token and secrets.compare_digest(bearer.encode(), token.encode())):
            await JSONResponse({"detail": "refused: sent from another site's page (send the token to post "
                                          "from elsewhere)"}, status_code=403, headers=SAFE_HEADERS)(scope, receive, send)
            return

        async def send_safely(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SAFE_HEADERS.items():  # a page may narrow or widen its own policy (docs.py)
                    headers.setdefault(name, value)
                if set_cookie:
                    cookie = Response()
                    cookie.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
                    headers.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_safely)


def create_app(db_path: str | Path, token: str | None = None, *, upload_limit: int = 5_000_000,
               allowed_hosts: list[str] | None = None, create: bool = True, warm: bool = False,
               threads: int | None = None) -> FastAPI:
    """The web app over the store at `db_path`. With a `token`, every request must present it;
    with `allowed_hosts`, a request naming another host is refused (on loopback this stops a web
    page from reaching the app through a DNS name rebound to 127.0.0.1). ``create=False`` (the
    `serve` command): the store must exist, and is never made by a request. ``warm``: the query
    encoder and the vector index are loaded before the first request is taken, not in it.
    ``threads``: at most this many requests run their (synchronous) route at once; the others
    wait their turn, first come first served."""
    from sourcetrace.web import api, pages
    from sourcetrace.web.docs import docs_router

    ctx = Context(Path(db_path), upload_limit, create)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if threads:
            import anyio.to_thread

            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        if warm:
            from sourcetrace.quotes.search import prepare

            prepare(ctx.store())
            # What the worker has loaded (the app, the encoder, the quote index's copy) lives as
            # long as it does: the cycle collector stops walking it in every full collection (a
            # search's collections, in process at 10,000 documents: 6% of its CPU, 1.7% frozen).
            gc.freeze()
        yield

    app = FastAPI(title="sourcetrace", version=__version__, openapi_url="/api/openapi.json",
                  docs_url=None, redoc_url=None,  # FastAPI's pages load Swagger UI from a CDN: web/docs.py
                  description="Quote search and provenance of Arabic and English documents.", lifespan=lifespan)
    app.state.ctx = ctx

    app.add_middleware(Guard, token=token)

    css = pages.stylesheet()
    js = pages.script()

    # The stylesheet and script are answered in the event loop: as routes run in the worker's
    # few threads, a page's assets would wait behind the searches queued there.
    @app.get("/static/app.css", include_in_schema=False)
    async def app_css() -> Response:
        return PlainTextResponse(css, media_type="text/css; charset=utf-8",
                                 headers={"Cache-Control": "max-age=3600"})

    @app.get("/static/app.js", include_in_schema=False)
    async def app_js() -> Response:
        return PlainTextResponse(js, media_type="text/javascript; charset=utf-8",
                                 headers={"Cache-Control": "max-age=3600"})

    app.include_router(api.router)
    app.include_router(docs_router(app.openapi_url or "/api/openapi.json", app.title))
    app.include_router(pages.router)
    if allowed_hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    return app


SERVE_SETTINGS = "SOURCETRACE_SERVE"  # the settings of `serve`, for its worker processes
# Searches a worker runs at once. A search is Python behind one interpreter lock: forty threads
# (anyio's default) took it in no order, so some searches waited far longer than others, and a
# busy worker could miss uvicorn's health ping. The queued searches' queries are encoded in
# batches whatever the count (reserved on arrival: api.search_get); two threads instead of four
# cost no less (bench/serve.py, same run: 16.8 vs 15.7 ms of server CPU a request). The rest
# queue in arrival order. The cap is on every synchronous route: a page waits its turn like a
# search (fair, first come first served), only the static assets, which need no thread, go ahead.
WORKER_THREADS = 4


def app_from_environment() -> FastAPI:
    """The app `sourcetrace serve` runs in each worker process (uvicorn's factory): its settings
    come from the parent process's environment (``SOURCETRACE_SERVE``, JSON), since a worker is
    a new interpreter that imports the app by name. The token stays out of the JSON: it is read
    from ``SOURCETRACE_TOKEN``, as `serve` itself reads it."""
    settings = json.loads(os.environ[SERVE_SETTINGS])
    return create_app(settings["db"], token=os.environ.get("SOURCETRACE_TOKEN") or None, create=False,
                      allowed_hosts=settings["allowed_hosts"], warm=True, threads=WORKER_THREADS)
