"""How `serve` runs uvicorn: worker processes that share the load of their connections.

A browser keeps its connections open (keep-alive), so whichever worker takes a connection
answers everything sent over it, and the split of connections is the split of the work.
uvicorn's workers accept from one shared socket: a burst of new connections went to whichever
worker woke first (50 clients on two workers: 48 and 2 in one run). A socket per worker on one
port (SO_REUSEPORT) lets the kernel spread them by a hash of their addresses, at random: 50
connections split 28/22 or worse about half the time, and the worker holding more queued every
search longer (bench/serve.py: the tail of the latencies was the busier worker's).

Here uvicorn's supervisor (which still pings, restarts and stops the workers) accepts every
connection itself, in a thread, and hands it to the ready worker that holds the fewest open
connections (its descriptor sent over a Unix socket pair, SCM_RIGHTS; ties in turn); a worker
says when it has started (so a worker still loading its model is handed nothing) and each
connection it closes. Where descriptors cannot be passed (not a Unix system), uvicorn's shared
socket is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import selectors
import socket
import sys
import threading
import time
from dataclasses import dataclass

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

logger = logging.getLogger("uvicorn.error")
HANDED = b"h"  # supervisor -> worker: a connection (its descriptor rides along)
READY = b"r"  # worker -> supervisor: serving from now on
CLOSED = b"c"  # worker -> supervisor: one of its connections closed


def hands_over_connections() -> bool:
    """Whether this system can pass a connection's descriptor to another process (Unix)."""
    return hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds")


class Connection(socket.socket):
    """A connection handed to this worker: closing it tells the supervisor."""

    channel: socket.socket | None = None

    def close(self) -> None:
        if self.fileno() != -1 and self.channel is not None:
            with contextlib.suppress(OSError):  # the supervisor is gone or not reading: nothing to tell
                self.channel.send(CLOSED)
        super().close()


class WorkerChannel(socket.socket):
    """A worker's end of its socket pair with the supervisor, served by asyncio as if it were a
    listening socket: `listen` (called once, when the worker has started) tells the supervisor
    it is ready, `accept` takes the next connection handed over."""

    def __reduce__(self):  # how the supervisor passes it to the worker it starts (spawned)
        from multiprocessing.reduction import DupFd

        return _worker_channel, (DupFd(self.fileno()),)

    def listen(self, backlog: int = 0) -> None:
        self.send(READY)

    def accept(self) -> tuple[socket.socket, object]:
        message, fds, _, _ = socket.recv_fds(self, 1, 1)  # BlockingIOError when none waits
        if not message:  # the supervisor is gone: no more connections will come
            asyncio.get_running_loop().remove_reader(self.fileno())
            raise BlockingIOError
        if not fds:
            raise BlockingIOError
        conn = Connection(fileno=fds[0])
        conn.channel = self
        try:
            # An answer goes out as two writes (headers, then body): with Nagle's algorithm the
            # body waited for the client's delayed ACK, ~40 ms an answer on a keep-alive
            # connection. asyncio sets TCP_NODELAY only on sockets whose protocol reads as TCP,
            # which uvicorn's and SO_REUSEPORT's accepted sockets (protocol 0) did not.
            if conn.family in (socket.AF_INET, socket.AF_INET6):
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return conn, conn.getpeername()
        except OSError:  # the client left before its worker took it: asyncio skips it
            conn.close()
            raise ConnectionAbortedError from None


def _worker_channel(dup) -> WorkerChannel:
    return WorkerChannel(fileno=dup.detach())


@dataclass
class _Worker:
    channel: socket.socket  # the supervisor's end
    child_end: WorkerChannel | None  # the worker's end, held until the worker has started
    ready: bool = False
    connections: int = 0
    last_handed: int = 0


class Dispatcher:
    """Accepts connections on `listener` and hands each to the ready worker with the fewest
    open connections (ties: the one handed a connection longest ago). Runs in a thread of the
    supervisor (`run`); `add_worker` from any thread."""

    def __init__(self, listener: socket.socket) -> None:
        self.listener = listener
        listener.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.workers: dict[socket.socket, _Worker] = {}
        self.lock = threading.Lock()
        self.new: list[_Worker] = []
        self.wake_r, self.wake_w = socket.socketpair()
        self.selector.register(self.wake_r, selectors.EVENT_READ)
        self.listening = False
        self.handed = 0
        self.holding: list[_Worker] = []  # workers whose end the supervisor still holds

    def add_worker(self) -> WorkerChannel:
        """A new worker's end of its channel (the worker serves it, see WorkerChannel).

        The supervisor starts each worker (which inherits its end) before it asks for the next
        channel, so the ends held for earlier workers are let go here: a worker that died before
        it was ready is restarted, and letting go of its end lets its channel's EOF drop it."""
        mine, theirs = socket.socketpair()
        child_end = WorkerChannel(fileno=theirs.detach())
        mine.setblocking(False)
        worker = _Worker(mine, child_end)
        with self.lock:
            for started in self.holding:
                self._let_go(started)
            self.holding = [worker]
            self.new.append(worker)
        self.wake_w.send(b".")
        return child_end

    def _let_go(self, worker: _Worker) -> None:
        """Closes the supervisor's copy of `worker`'s end (caller holds the lock)."""
        if worker.child_end is not None:
            worker.child_end.close()
            worker.child_end = None

    def run(self) -> None:
        while True:
            try:
                self.step()
            except Exception:  # the server accepts through this loop: it must outlive any one failure
                logger.exception("sourcetrace: handing a connection to a worker failed")
                time.sleep(0.1)

    def step(self, timeout: float | None = None) -> None:
        """Waits for one round of events (at most `timeout` seconds) and handles them."""
        for key, _ in self.selector.select(timeout):
            if key.fileobj is self.wake_r:
                self.wake_r.recv(4096)
                with self.lock:
                    new, self.new = self.new, []
                for worker in new:
                    self.workers[worker.channel] = worker
                    self.selector.register(worker.channel, selectors.EVENT_READ)
            elif key.fileobj is self.listener:
                self.accept()
            elif key.fileobj in self.workers:  # (not dropped earlier in this round)
                self.hear(self.workers[key.fileobj])
        self.listen_while_anyone_is_ready()

    def hear(self, worker: _Worker) -> None:
        try:
            said = worker.channel.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            said = b""
        if not said:  # the worker is gone (or stopping): its connections went with it
            self.drop(worker)
            return
        if READY in said and not worker.ready:
            worker.ready = True
            with self.lock:  # it has its own copy now
                self._let_go(worker)
        worker.connections = max(0, worker.connections - said.count(CLOSED))

    def drop(self, worker: _Worker) -> None:
        self.selector.unregister(worker.channel)
        del self.workers[worker.channel]
        worker.channel.close()
        with self.lock:
            self._let_go(worker)

    def accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:  # the client left while queued
                continue
            except OSError as exc:  # out of descriptors, say: the connections wait in the queue,
                logger.warning("sourcetrace: cannot accept a connection now: %s", exc)
                time.sleep(0.1)  # and the listener, still ready, must not spin this thread
                return
            with conn:
                self.hand(conn)

    def hand(self, conn: socket.socket) -> None:
        """Sends `conn` to the least busy ready worker; a worker that cannot take it (stopping,
        or not reading) is passed over. The supervisor's copy is closed by the caller."""
        for worker in sorted((w for w in self.workers.values() if w.ready),
                             key=lambda w: (w.connections, w.last_handed)):
            try:
                socket.send_fds(worker.channel, [HANDED], [conn.fileno()])
            except (BrokenPipeError, ConnectionResetError):
                worker.ready = False  # its end is closed: its EOF drops it
                continue
            except OSError:  # not reading now (its channel is full): the next one
                continue
            self.handed += 1
            worker.connections += 1
            worker.last_handed = self.handed
            return

    def listen_while_anyone_is_ready(self) -> None:
        """New connections are taken only while a worker can be handed them; else they wait in
        the kernel's queue (as they would for a worker still loading its model)."""
        anyone = any(w.ready for w in self.workers.values())
        if anyone and not self.listening:
            self.selector.register(self.listener, selectors.EVENT_READ)
        elif self.listening and not anyone:
            self.selector.unregister(self.listener)
        self.listening = anyone


class BalancedWorkers(Multiprocess):
    """uvicorn's supervisor, accepting the connections itself and handing them to its workers
    (module docstring); each worker it starts (or restarts) gets a channel of its own."""

    def __init__(self, config: uvicorn.Config) -> None:
        listener = config.bind_socket()
        listener.listen(config.backlog)
        self.dispatcher = Dispatcher(listener)
        super().__init__(config, sockets=[])

    @property
    def sockets(self) -> list[socket.socket]:
        """Read by the supervisor for each worker it starts: a new channel each time."""
        return [self.dispatcher.add_worker()]

    @sockets.setter
    def sockets(self, _: list[socket.socket]) -> None:
        pass  # the workers are handed connections, not a socket to accept on

    def run(self) -> None:
        threading.Thread(target=self.dispatcher.run, name="sourcetrace-dispatch", daemon=True).start()
        super().run()


def run(config: uvicorn.Config) -> None:
    """Serve with `config`'s workers: one process serves alone; several are handed their
    connections by the supervisor where the system allows, else share uvicorn's one socket."""
    server = uvicorn.Server(config)
    try:
        if config.workers <= 1:
            server.run()
        elif hands_over_connections():
            BalancedWorkers(config).run()
        else:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
    except KeyboardInterrupt:  # as uvicorn.run: Ctrl-C ends the server quietly
        pass
    if config.workers <= 1 and not server.started:  # as uvicorn.run: the app did not start
        sys.exit(STARTUP_FAILURE)
