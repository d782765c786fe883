"""The API's docs page: FastAPI's own Swagger UI page, served without a network.

FastAPI's default page loads Swagger UI from a CDN, which these machines (and many newsrooms')
cannot reach; the same files (Swagger UI 5, which reads OpenAPI 3.1) ship in the ``swagger-ui-py``
package and are served from here.
The page starts Swagger UI with one inline script, which the app's content security policy
(no inline script) would block: this page's policy allows that one script by its hash, nothing
else.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from sourcetrace.web.app import CSP

DOCS_URL = "/api/docs"
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css", "favicon-32x32.png": "image/png"}
_INLINE = re.compile(r"<script>(.*?)</script>", re.S)


def _assets_dir() -> Path:
    return Path(str(resources.files("swagger_ui") / "static"))  # the files only: no handler imported


def docs_router(openapi_url: str, title: str) -> APIRouter:
    """``GET /api/docs`` (the page) and ``GET /api/docs/assets/NAME`` (Swagger UI's files)."""
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS_URL, response_class=HTMLResponse)
    def docs_page() -> HTMLResponse:
        page = get_swagger_ui_html(openapi_url=openapi_url, title=f"{title} API",
                                   swagger_js_url=f"{DOCS_URL}/assets/swagger-ui-bundle.js",
                                   swagger_css_url=f"{DOCS_URL}/assets/swagger-ui.css",
                                   swagger_favicon_url=f"{DOCS_URL}/assets/favicon-32x32.png")
        body = page.body.decode()
        hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
                          for s in _INLINE.findall(body))
        csp = CSP.replace("script-src 'self'", f"script-src 'self' {hashes}")
        return HTMLResponse(body, headers={"Content-Security-Policy": csp})

    @router.get(DOCS_URL + "/assets/{name}")
    def docs_asset(name: str) -> FileResponse:
        if name not in ASSETS:  # only the files the page loads: never a path
            raise HTTPException(404, "no such file")
        return FileResponse(_assets_dir() / name, media_type=ASSETS[name], headers={"Cache-Control": "max-age=86400"})

    return router
