"""Locks that processes sharing one store take: a file beside the store, locked with ``flock``.

SQLite serialises writes to the store itself, but some work spans many transactions and files
beside it (the quote index's vector file, the web app's upload jobs). When several processes
serve one store (``sourcetrace serve --workers``, or a ``trace`` beside a running app), such work
must run in one process at a time. ``flock`` locks are released by the kernel when their holder
exits, however it exits, so a killed process never leaves a lock held. Where ``fcntl`` is missing
(Windows) the lock is a no-op: one process per store there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def lock_path(store_path: Path, name: str) -> Path:
    """The lock file of `name` beside the store at `store_path`."""
    return store_path.with_name(f"{store_path.name}.{name}.lock")


@contextmanager
def held(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold the exclusive lock on `path` (created if missing) while the block runs. With
    ``wait=False`` the block runs at once and is told whether the lock was taken."""
    try:
        import fcntl
    except ImportError:  # no flock here: the block runs alone in its process
        yield True
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock
