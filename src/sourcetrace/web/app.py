"""The app factory: one store, its thread-local connections, access control and safe headers.

Security model: the app binds to loopback by default; on any other address every request must
carry the token (``Authorization: Bearer``, or ``?token=`` once, which sets a cookie for the
pages). Requests name documents only by their ids in the store, never by path; uploads are
written under the store's own upload folder with names the app makes. Every page is rendered
from Jinja2 templates with autoescape and served with a content security policy that allows no
inline script.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from sourcetrace import __version__
from sourcetrace.store.sqlite import Store
from sourcetrace.web.jobs import Jobs

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
TOKEN_COOKIE = "sourcetrace_token"


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


def create_app(db_path: str | Path, token: str | None = None, *, upload_limit: int = 5_000_000,
               allowed_hosts: list[str] | None = None, create: bool = True) -> FastAPI:
    """The web app over the store at `db_path`. With a `token`, every request must present it;
    with `allowed_hosts`, a request naming another host is refused (on loopback this stops a web
    page from reaching the app through a DNS name rebound to 127.0.0.1). ``create=False`` (the
    `serve` command): the store must exist, and is never made by a request."""
    from sourcetrace.web import api, pages

    app = FastAPI(title="sourcetrace", version=__version__, openapi_url="/api/openapi.json",
                  docs_url=None, redoc_url=None,  # the bundled API explorers load scripts from a CDN
                  description="Quote search and provenance of Arabic and English documents.")
    ctx = Context(Path(db_path), upload_limit, create)
    app.state.ctx = ctx

    @app.middleware("http")
    async def guard(request: Request, call_next):
        set_cookie = False
        if token:
            given = (request.headers.get("authorization", "").removeprefix("Bearer ").strip()
                     or request.cookies.get(TOKEN_COOKIE, ""))
            query_token = request.query_params.get("token", "")
            if query_token and secrets.compare_digest(query_token.encode(), token.encode()):
                given, set_cookie = query_token, True
            if not secrets.compare_digest(given.encode(), token.encode()):
                return JSONResponse({"detail": "a token is required"}, status_code=401)
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if set_cookie:
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response

    css = pages.stylesheet()
    js = pages.script()

    @app.get("/static/app.css", include_in_schema=False)
    def app_css() -> Response:
        return PlainTextResponse(css, media_type="text/css; charset=utf-8",
                                 headers={"Cache-Control": "max-age=3600"})

    @app.get("/static/app.js", include_in_schema=False)
    def app_js() -> Response:
        return PlainTextResponse(js, media_type="text/javascript; charset=utf-8",
                                 headers={"Cache-Control": "max-age=3600"})

    app.include_router(api.router)
    app.include_router(pages.router)
    if allowed_hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    return app
