"""The local web app: quote search, documents, side-by-side views, families and uploads, over
one store, with a JSON API under ``/api/`` (OpenAPI schema at ``/api/openapi.json``)."""

from sourcetrace.web.app import create_app, is_loopback

__all__ = ["create_app", "is_loopback"]
