"""The SQLite store: one file, no server; the tables by concern in files.py, results.py, cache.py
and quotes.py, a whole run's outputs at once in loading.py, the schema and transactions in schema.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sourcetrace.store.cache import CacheTables
from sourcetrace.store.files import FileTables, file_key
from sourcetrace.store.loading import LoadTables
from sourcetrace.store.quotes import QuoteTables
from sourcetrace.store.results import ResultTables
from sourcetrace.store.schema import MMAP_BYTES, SCHEMA_VERSION, StoreError, connect

__all__ = ["SCHEMA_VERSION", "Store", "StoreError", "default_db_path", "file_key"]


def default_db_path() -> Path:
    """``$SOURCETRACE_DB``, else ``./sourcetrace.db`` if present, else the user's data dir."""
    env = os.environ.get("SOURCETRACE_DB")
    if env:
        return Path(env)
    local = Path("sourcetrace.db")
    if local.exists():
        return local
    from platformdirs import user_data_dir

    return Path(user_data_dir("sourcetrace", appauthor=False)) / "sourcetrace.db"


class Store(FileTables, ResultTables, CacheTables, QuoteTables, LoadTables):
    """SQLite store over one connection. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path, *, create: bool = True):
        """``create=False``: the store must exist (a command that only reads one never makes one)."""
        self.path = Path(path)
        self.conn = connect(self.path, create=create)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def version(self) -> tuple[int, int]:
        """A value that changes whenever anything is written to the store, by this connection
        (its count of changed rows) or by another of any process (SQLite's data_version): a
        cheap answer to "has anything changed since I last looked?"."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes

    @contextmanager
    def unmapped(self) -> Iterator[None]:
        """Reads within the block go through SQLite's page cache, not the memory map: a read of
        whole tables (a web worker's copy of the quote index) would leave each of their pages
        mapped, and counted in every worker's memory."""
        self.conn.execute("PRAGMA mmap_size=0")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")

    def close(self) -> None:
        self.conn.close()
