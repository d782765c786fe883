"""The API fuzzed from its own OpenAPI schema (schemathesis): no input makes a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from conftest import copy_store
from sourcetrace.web import create_app

pytestmark = pytest.mark.slow


def test_no_input_makes_a_server_error(seeds_db, tmp_path):
    app = create_app(copy_store(seeds_db, tmp_path / "s.db"), upload_limit=50_000)
    # Uploads start tracing jobs (minutes of CPU for a fuzzer's hundreds of files); their bad
    # input has its own tests in test_web_api.py.
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app).exclude(path="/api/uploads")
    assert len(list(schema.get_all_operations())) >= 7

    @given(case=schema.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case) -> None:
        case.call_and_validate(checks=[not_a_server_error])

    fuzz()
