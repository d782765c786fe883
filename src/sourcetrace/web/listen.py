"""How `serve` runs uvicorn: worker processes that share the load of their connections.

uvicorn's workers accept from one listening socket: a burst of new connections is taken by
whichever worker wakes first, and a client keeps its connection (keep-alive), so one worker may
queue most searches while the other idles (bench/serve.py, 50 clients on two workers: 48 and 2 in
one run, 26 and 24 in the next). Here each worker listens on a socket of its own, all bound to one
port with SO_REUSEPORT, and the kernel spreads new connections over them by a hash of their
addresses. Where SO_REUSEPORT does not spread connections (it does on Linux), uvicorn's shared
socket is kept. uvicorn's supervisor still pings, restarts and stops the workers.
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess


def spreads_connections() -> bool:
    """Whether sockets bound with SO_REUSEPORT share a port's new connections (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def worker_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) beside the other workers' (SO_REUSEPORT); its worker
    listens on it."""
    host = host.strip("[]")
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class SpreadWorkers(Multiprocess):
    """uvicorn's supervisor, each worker it starts (or restarts) given a socket of its own on the
    one port. A worker's socket dies with it: connections waiting in its queue are refused, and
    its replacement takes a new one."""

    def __init__(self, config: uvicorn.Config) -> None:
        self.host, self.port = config.host, config.port
        if not self.port:  # the port the system picks, then every worker's
            with worker_socket(self.host, 0) as probe:
                self.port = probe.getsockname()[1]
        super().__init__(config, sockets=[])

    @property
    def sockets(self) -> list[socket.socket]:
        """Read by the supervisor for each worker it starts: a new socket each time."""
        return [worker_socket(self.host, self.port)]

    @sockets.setter
    def sockets(self, _: list[socket.socket]) -> None:
        pass  # the supervisor's own shared socket is not used


def run(config: uvicorn.Config) -> None:
    """Serve with `config`'s workers: one process serves alone; several spread the connections
    where the system allows, else share uvicorn's one socket."""
    server = uvicorn.Server(config)
    try:
        if config.workers <= 1:
            server.run()
        elif spreads_connections():
            SpreadWorkers(config).run()
        else:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
    except KeyboardInterrupt:  # as uvicorn.run: Ctrl-C ends the server quietly
        pass
    if config.workers <= 1 and not server.started:  # as uvicorn.run: the app did not start
        sys.exit(STARTUP_FAILURE)
