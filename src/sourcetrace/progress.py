"""How far one long step of a stage has got: the counts inside one long pair's alignment.

A stage's progress counts its items (the align stage: pairs), and two books are one pair: tracing
two 40 MB editions showed ``align 0/1`` for the whole of it, a stall and work alike. The engine
arms a note for such a pair (:func:`noting`); the code doing the work calls :func:`note` with
what it is at and how far (static rows, the window plan, the screen, the encoder's batches, the
windows aligned). With no note armed (every short pair, every other stage) :func:`note` reads one
context variable and returns: nothing to pay where nothing is shown.

A note is per thread (a context variable: a thread starts with none), so a pair aligned in
another thread or process reports only where its own caller armed one (engines/workers.py sends
a worker's notes back over a queue).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: What a note is given: what the step is at ("encode", "windows", ...), done and total (0, 0: a
#: phase with no count).
Note = Callable[[str, int, int], None]

_note: ContextVar[Note | None] = ContextVar("sourcetrace_note", default=None)


@contextmanager
def noting(note: Note | None) -> Iterator[None]:
    """Within the block, :func:`note` calls ``note`` (None: nothing)."""
    token = _note.set(note)
    try:
        yield
    finally:
        _note.reset(token)


def note(what: str, done: int = 0, total: int = 0) -> None:
    """Tell the armed note (if any) that the step is at ``what``, ``done`` of ``total``."""
    armed = _note.get()
    if armed is not None:
        armed(what, done, total)


class Throttled:
    """A note passed on at most every ``every`` seconds, and whenever the phase changes (so a
    short phase still shows): what a worker sends over a pipe, one message a half second."""

    def __init__(self, send: Note, every: float = 0.5) -> None:
        self.send, self.every = send, every
        self.what: str | None = None
        self.last = 0.0

    def __call__(self, what: str, done: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        if what != self.what or now - self.last >= self.every or (total and done >= total):
            self.what, self.last = what, now
            self.send(what, done, total)
