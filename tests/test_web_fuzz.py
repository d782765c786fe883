"""The API fuzzed from its own OpenAPI schema (schemathesis): no input makes a server error, and
nothing sent from another site's page changes the store."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from conftest import copy_store
from sourcetrace.web import create_app

pytestmark = pytest.mark.slow


def fuzz(schema, examples: int, headers: dict[str, str] | None = None) -> None:
    @given(case=schema.as_strategy())
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    run()


def test_no_input_makes_a_server_error(seeds_db, tmp_path):
    app = create_app(copy_store(seeds_db, tmp_path / "s.db"), upload_limit=50_000)
    # Uploads start tracing jobs (minutes of CPU for a fuzzer's hundreds of files); their bad
    # input has its own tests in test_web_api.py.
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app).exclude(path="/api/uploads")
    assert len(list(schema.get_all_operations())) >= 7
    fuzz(schema, 40)


FOREIGN = [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Origin": "http://127.0.0.1:9999"},
           {"Referer": "https://evil.example/page.html"}]
# What the fuzzer sends as a file is always named "files" (refused for its suffix): a file the app
# takes, so that a foreign upload let through would change the store.
PLANTED = [("files", ("planted.txt", b"A document planted in the archive by another site.\n", "text/plain"))]


@pytest.mark.parametrize("token", [None, "s3cret"])
def test_nothing_from_a_foreign_origin_changes_the_store(seeds_db, tmp_path, token):
    # Issue 19: uploads included, since a foreign origin is refused before any upload is read.
    app = create_app(copy_store(seeds_db, tmp_path / "s.db"), token=token, upload_limit=50_000)
    ctx = app.state.ctx
    before = ctx.store().counts()
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app,
                                            headers={"Authorization": f"Bearer {token}"} if token else {})
    assert "/api/uploads" in {op.path for op in (r.ok() for r in schema.get_all_operations())}
    # With a token, its cookie goes along, as a browser would attach it; only the header lets a post through.
    cookie = {"Cookie": f"sourcetrace_token={token}"} if token else {}

    @given(case=schema.as_strategy(), foreign=st.sampled_from(FOREIGN))
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case, foreign) -> None:
        extra = {"files": PLANTED} if case.operation.path == "/api/uploads" else {}
        case.call_and_validate(headers={**foreign, **cookie}, checks=[not_a_server_error], **extra)

    run()
    assert ctx.jobs.all() == [] and not ctx.upload_dir.exists()
    assert ctx.store().counts() == before
