"""The web app's pages (web/pages.py) beyond escaping: what they offer matches what the app takes."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sourcetrace.readers import readers_by_suffix
from sourcetrace.web import create_app


def test_upload_picker_offers_every_type_the_readers_read(tmp_path):
    with TestClient(create_app(tmp_path / "s.db")) as c:
        page = c.get("/upload").text
    accept = re.search(r'<input type="file"[^>]* accept="([^"]*)"', page).group(1).split(",")
    assert sorted(accept) == sorted(readers_by_suffix())
    assert {".ndjson", ".xhtml", ".markdown"} <= set(accept)  # refused by the picker before
