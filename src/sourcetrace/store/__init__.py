"""The store: everything read and found, behind one small interface (:class:`TraceStore`),
SQLite by default (:class:`Store`).

    schema.py    tables, opening a store (WAL, schema version), transactions
    files.py     files, documents, sentences; file_key
    results.py   aligned pairs, passages, relations
    cache.py     sentence vectors, per-document and corpus caches
    quotes.py    the quote index's tables
    loading.py   a run's outputs brought in (``sourcetrace load``), in one transaction
    sqlite.py    Store: one connection, the tables above
    interface.py what running the stages needs of a store
"""

from sourcetrace.store.interface import CacheStore, FileStore, ResultStore, TraceStore
from sourcetrace.store.sqlite import SCHEMA_VERSION, Store, StoreError, default_db_path, file_key

__all__ = ["SCHEMA_VERSION", "CacheStore", "FileStore", "ResultStore", "Store", "StoreError", "TraceStore",
           "default_db_path", "file_key"]
