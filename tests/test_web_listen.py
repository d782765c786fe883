"""How `serve` runs its workers (web.listen): the supervisor hands each connection to the ready
worker holding the fewest."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import socket

import pytest
import uvicorn

from sourcetrace.web import listen

pytestmark = pytest.mark.skipif(not listen.hands_over_connections(), reason="descriptors pass between processes on Unix")


def handed_to(channel: socket.socket) -> list[socket.socket]:
    """The connections waiting on a worker's end of its channel."""
    channel.setblocking(False)
    out = []
    while True:
        try:
            conn, _ = channel.accept()
        except BlockingIOError:
            return out
        out.append(conn)


def worker_end(dispatcher: listen.Dispatcher) -> listen.WorkerChannel:
    """A new worker's end of its channel, as a worker process holds it: a copy of the one the
    supervisor passes on (and closes once the worker is ready)."""
    return listen.WorkerChannel(fileno=os.dup(dispatcher.add_worker().fileno()))


def settle(dispatcher: listen.Dispatcher, rounds: int = 20) -> None:
    for _ in range(rounds):
        dispatcher.step(timeout=0.02)


@pytest.fixture
def dispatcher():
    listener = socket.create_server(("127.0.0.1", 0))
    d = listen.Dispatcher(listener)
    yield d
    listener.close()


def connect(dispatcher: listen.Dispatcher, n: int) -> list[socket.socket]:
    port = dispatcher.listener.getsockname()[1]
    return [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]


def test_a_burst_of_connections_is_split_evenly_and_only_over_ready_workers(dispatcher):
    ends = [worker_end(dispatcher) for _ in range(3)]
    ends[0].listen()
    ends[1].listen()  # the third is still loading its model
    clients = connect(dispatcher, 40)
    settle(dispatcher)
    got = [handed_to(end) for end in ends]
    ends[2].listen()
    clients += connect(dispatcher, 4)
    settle(dispatcher)
    then = [handed_to(end) for end in ends]
    try:
        assert [len(g) for g in got] == [20, 20, 0]
        assert [len(g) for g in then] == [0, 0, 4]  # the fewest connections first
        # an answer's body does not wait for the client's delayed ACK (Nagle's algorithm)
        assert all(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for g in got + then for c in g)
    finally:
        for c in [*clients, *(conn for g in got + then for conn in g), *ends]:
            c.close()


def test_a_worker_that_closes_its_connections_is_handed_the_next_ones(dispatcher):
    ends = [worker_end(dispatcher) for _ in range(2)]
    for end in ends:
        end.listen()
    clients = connect(dispatcher, 10)
    settle(dispatcher)
    first, second = (handed_to(end) for end in ends)
    assert len(first) == len(second) == 5
    for conn in first[:4]:
        conn.close()  # tells the supervisor
    clients += connect(dispatcher, 4)
    settle(dispatcher)
    again = handed_to(ends[0])
    assert len(again) == 4 and not handed_to(ends[1])
    for c in [*clients, *first, *second, *again, *ends]:
        c.close()


def test_a_stopped_worker_is_dropped_and_its_share_goes_to_the_others(dispatcher):
    ends = [worker_end(dispatcher) for _ in range(2)]
    for end in ends:
        end.listen()
    settle(dispatcher)
    ends[0].close()
    clients = connect(dispatcher, 6)
    settle(dispatcher)
    got = handed_to(ends[1])
    assert len(got) == 6 and len(dispatcher.workers) == 1
    for c in [*clients, *got, ends[1]]:
        c.close()


def test_a_worker_that_dies_before_it_is_ready_is_dropped_when_its_replacement_starts(dispatcher):
    dead = worker_end(dispatcher)
    settle(dispatcher, 3)
    dead.close()  # the worker process exited while loading its model: it never said it was ready
    settle(dispatcher, 3)
    assert len(dispatcher.workers) == 1  # the supervisor's copy of its end hides its EOF so far
    fresh = worker_end(dispatcher)  # uvicorn restarts it: the dead one's end is let go
    settle(dispatcher)
    assert len(dispatcher.workers) == 1
    assert [w.child_end for w in dispatcher.workers.values()] != [None]  # the new one's is held
    fresh.listen()
    clients = connect(dispatcher, 2)
    settle(dispatcher)
    got = handed_to(fresh)
    assert len(got) == 2
    for c in [*clients, *got, fresh]:
        c.close()


def test_nothing_is_accepted_until_a_worker_is_ready(dispatcher):
    end = worker_end(dispatcher)
    clients = connect(dispatcher, 3)  # they wait in the kernel's queue
    settle(dispatcher, 5)
    assert not handed_to(end)
    end.listen()
    settle(dispatcher)
    got = handed_to(end)
    assert len(got) == 3
    for c in [*clients, *got, end]:
        c.close()


def test_the_dispatcher_outlives_a_failure_to_hand_a_connection(dispatcher, monkeypatch):
    calls = []

    def step() -> None:
        calls.append(1)
        raise RuntimeError("boom") if len(calls) == 1 else SystemExit  # the test's way out

    monkeypatch.setattr(dispatcher, "step", step)
    monkeypatch.setattr(listen.time, "sleep", lambda _: None)
    with pytest.raises(SystemExit):
        dispatcher.run()
    assert len(calls) == 2


def test_out_of_descriptors_the_dispatcher_waits_instead_of_spinning(dispatcher, monkeypatch):
    class Full:
        def accept(self):
            raise OSError(errno.EMFILE, "Too many open files")

    slept: list[float] = []
    monkeypatch.setattr(listen.time, "sleep", slept.append)
    monkeypatch.setattr(dispatcher, "listener", Full())
    dispatcher.accept()
    assert slept == [0.1]


def test_a_worker_serves_its_channel_with_asyncio_as_a_listening_socket(dispatcher):
    end = worker_end(dispatcher)
    port = dispatcher.listener.getsockname()[1]

    async def serve_one() -> bytes:
        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(await reader.readline())
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(echo, sock=end)  # calls listen: the worker is ready
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, settle, dispatcher, 5)

        def client() -> bytes:
            with socket.create_connection(("127.0.0.1", port)) as c:
                settle(dispatcher, 5)
                c.sendall(b"hello\n")
                c.settimeout(5)
                return c.recv(100)

        answer = await loop.run_in_executor(None, client)
        await asyncio.sleep(0.05)
        server.close()
        return answer

    assert asyncio.run(serve_one()) == b"hello\n"
    settle(dispatcher, 5)
    assert not dispatcher.workers  # the connection's close was heard, then the worker's end closing


def greet_one(end: listen.WorkerChannel) -> None:
    """A spawned worker's part: ready, then answer the first connection handed over."""
    import select

    end.listen()
    end.setblocking(False)
    select.select([end], [], [], 10)
    conn, _ = end.accept()
    conn.sendall(type(end).__name__.encode())
    conn.close()


def test_a_spawned_worker_is_handed_its_channel_and_serves_it(dispatcher):
    import multiprocessing

    worker = multiprocessing.get_context("spawn").Process(target=greet_one, args=(dispatcher.add_worker(),))
    worker.start()
    try:
        for _ in range(500):
            dispatcher.step(timeout=0.02)
            if any(w.ready for w in dispatcher.workers.values()):
                break
        (client,) = connect(dispatcher, 1)
        settle(dispatcher)
        client.settimeout(10)
        assert client.recv(100) == b"WorkerChannel"
        client.close()
    finally:
        worker.join(10)


def test_each_worker_the_supervisor_starts_gets_its_own_channel():
    handlers = {s: signal.getsignal(s) for s in listen_signals()}
    try:
        workers = listen.BalancedWorkers(uvicorn.Config("sourcetrace.web.app:app_from_environment", factory=True,
                                                        host="127.0.0.1", port=0, workers=2))
    finally:  # the supervisor takes the signals of the process it runs in
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    a, b = workers.sockets[0], workers.sockets[0]
    try:
        assert a is not b and isinstance(a, listen.WorkerChannel)
        workers.dispatcher.step(timeout=0.1)
        assert len(workers.dispatcher.workers) == 2
    finally:
        a.close()
        b.close()
        workers.dispatcher.listener.close()


def listen_signals() -> list[signal.Signals]:
    """The signals uvicorn's supervisor takes over."""
    from uvicorn.supervisors.multiprocess import SIGNALS

    return list(SIGNALS)
