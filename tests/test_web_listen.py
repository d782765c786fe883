"""How `serve` runs its workers (web.listen): each on a socket of its own, sharing one port."""

from __future__ import annotations

import signal
import socket

import pytest
import uvicorn

from sourcetrace.web import listen

pytestmark = pytest.mark.skipif(not listen.spreads_connections(), reason="SO_REUSEPORT spreads connections on Linux")


def test_new_connections_are_spread_over_the_workers_sockets():
    first = listen.worker_socket("127.0.0.1", 0)
    port = first.getsockname()[1]
    second = listen.worker_socket("127.0.0.1", port)
    clients = []
    try:
        for s in (first, second):
            s.listen(64)
            s.setblocking(False)
        for _ in range(40):  # a burst, as a page of clients opening their connections at once
            clients.append(socket.create_connection(("127.0.0.1", port)))
        accepted = []
        for s in (first, second):
            n = 0
            while True:
                try:
                    conn, _ = s.accept()
                except BlockingIOError:
                    break
                conn.close()
                n += 1
            accepted.append(n)
        assert sum(accepted) == 40 and min(accepted) >= 5, accepted  # both take a share
    finally:
        for c in clients:
            c.close()
        first.close()
        second.close()


def test_each_worker_the_supervisor_starts_gets_its_own_socket_on_one_port():
    handlers = {s: signal.getsignal(s) for s in listen_signals()}
    try:
        workers = listen.SpreadWorkers(uvicorn.Config("sourcetrace.web.app:app_from_environment", factory=True,
                                                      host="127.0.0.1", port=0, workers=2))
    finally:  # the supervisor takes the signals of the process it runs in
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    a, b = workers.sockets[0], workers.sockets[0]
    try:
        assert a is not b and a.getsockname() == b.getsockname() == ("127.0.0.1", workers.port) and workers.port
        assert a.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
    finally:
        a.close()
        b.close()


def listen_signals() -> list[signal.Signals]:
    """The signals uvicorn's supervisor takes over."""
    from uvicorn.supervisors.multiprocess import SIGNALS

    return list(SIGNALS)
