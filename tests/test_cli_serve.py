"""`sourcetrace serve`'s settings for uvicorn (the server itself runs in tests/test_cli.py)."""

from __future__ import annotations

import pytest

from sourcetrace.cli import serve as serve_cli
from sourcetrace.store.sqlite import Store


def test_a_busy_worker_is_given_a_minute_to_answer_the_health_ping(tmp_path, monkeypatch):
    from sourcetrace.web import listen

    Store(tmp_path / "s.db").close()
    seen: list = []
    monkeypatch.setattr(listen, "run", seen.append)
    monkeypatch.setenv("SOURCETRACE_SERVE", "")  # serve writes its settings there: restored after the test
    serve_cli.serve(db=tmp_path / "s.db", host="127.0.0.1", port=0, token=None, workers=2)
    config = seen[0]
    assert config.workers == 2 and config.factory is True
    assert config.timeout_worker_healthcheck == serve_cli.WORKER_HEALTHCHECK_S >= 30


@pytest.mark.parametrize(("host", "expected"), [("127.0.0.1", ["http://127.0.0.1:8765"]),
                                                 ("::1", ["http://[::1]:8765"])])
def test_browser_urls_of_a_bound_address(host: str, expected: list[str]) -> None:
    assert serve_cli.browser_urls(host, 8765) == expected
