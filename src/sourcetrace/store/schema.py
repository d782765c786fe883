"""The store's tables, how a connection is opened on them, and transactions.

Opening creates what is missing (``CREATE ... IF NOT EXISTS``: a store made by an older
sourcetrace gains new tables) and refuses a store whose schema is newer than this code's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

SCHEMA_VERSION = 1
MMAP_BYTES = 1 << 30
# The quote index's tokenizer: a search process's in-memory copy of the index (quotes/snapshot.py)
# tokenizes newly indexed sentences with it too.
QUOTE_TOKENIZER = "unicode61 remove_diacritics 2"
# The relations' second index; a bulk write of relations builds it again after the rows (store/results.py).
RELATIONS_B_INDEX = "CREATE INDEX IF NOT EXISTS relations_b ON relations(b)"
# The relations table as its last write through the store left it, in columns (corpus_cache, this
# kind: store/results.py): a rerun compares its relations with them rather than read every row back.
# Any other write to the table (a load, a document removed and its relations with it, another tool)
# drops them, through these triggers, so they are only ever read while they are the table's rows;
# the store's own write drops the triggers in its transaction and makes them again after.
RELATIONS_KEPT = "relations as written"
RELATIONS_TRIGGERS = {name: f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {verb} ON relations BEGIN "
                      f"DELETE FROM corpus_cache WHERE kind='{RELATIONS_KEPT}'; END"
                      for name, verb in (("relations_inserted", "INSERT"), ("relations_updated", "UPDATE"),
                                         ("relations_deleted", "DELETE"))}

# Every document's candidate features (doc_cache kind ``features``) kept together in one corpus_cache
# row as well (engines/local.py: a rerun reads them in one blob, not a row and a parse a document).
# The row names the documents it holds: a rerun reads the rows of the others. Any write to a
# ``features`` row drops it, through these triggers, but the store's own insert of rows new to the
# kind (:meth:`CacheTables.put_cached`, which drops the insert trigger in its transaction and makes
# it again after): an insert by anything else may be a REPLACE of a row the blob holds (which
# fires no delete trigger), an update or a delete (a document read again or removed, by cascade)
# changes one.
FEATURES_KIND = "features"
FEATURES_KEPT = "features in columns"
FEATURES_TRIGGERS = {name: f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {verb} ON doc_cache WHEN {when} BEGIN "
                     f"DELETE FROM corpus_cache WHERE kind='{FEATURES_KEPT}'; END"
                     for name, verb, when in (
                         ("features_inserted", "INSERT", f"NEW.kind='{FEATURES_KIND}'"),
                         ("features_updated", "UPDATE", f"OLD.kind='{FEATURES_KIND}' OR NEW.kind='{FEATURES_KIND}'"),
                         ("features_deleted", "DELETE", f"OLD.kind='{FEATURES_KIND}'"))}

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    key TEXT PRIMARY KEY,          -- resolved absolute path
    path TEXT NOT NULL,            -- the path as the user gave it
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    encoding TEXT NOT NULL,
    format TEXT NOT NULL,
    settings TEXT NOT NULL,        -- reading settings; a change re-reads the file
    text TEXT NOT NULL             -- the file's text: every offset points into it
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    file_key TEXT NOT NULL REFERENCES files(key) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    lang TEXT NOT NULL,
    title TEXT, date TEXT, url TEXT,
    boilerplate TEXT NOT NULL      -- JSON list of [start, end]
);
CREATE INDEX IF NOT EXISTS documents_file ON documents(file_key);
CREATE INDEX IF NOT EXISTS files_path ON files(path, key);  -- the documents listing's order (keyset pages)
CREATE TABLE IF NOT EXISTS sentences (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    lang TEXT,
    PRIMARY KEY (doc_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS aligned_pairs (  -- pairs already aligned with these settings: not redone
    a TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    b TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    settings TEXT NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aligned_pairs_b ON aligned_pairs(b);
CREATE TABLE IF NOT EXISTS passages (
    a TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    a_start INTEGER NOT NULL, a_end INTEGER NOT NULL,
    b TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    b_start INTEGER NOT NULL, b_end INTEGER NOT NULL,
    kind TEXT NOT NULL,
    score REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_a ON passages(a);
CREATE INDEX IF NOT EXISTS passages_b ON passages(b);
CREATE TABLE IF NOT EXISTS relations (
    a TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    b TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    source TEXT,
    coverage_a REAL NOT NULL, coverage_b REAL NOT NULL, score REAL NOT NULL,
    passages INTEGER NOT NULL,
    evidence TEXT NOT NULL,        -- JSON list of strings
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
{RELATIONS_B_INDEX};
CREATE TABLE IF NOT EXISTS doc_cache (  -- per-document results a rerun can reuse (candidate features, topic vectors)
    kind TEXT NOT NULL,
    doc TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    version TEXT NOT NULL,         -- what made it: a different version is recomputed
    data BLOB NOT NULL,
    PRIMARY KEY (kind, doc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS corpus_cache (  -- results over a run's whole document set (nearest neighbours)
    kind TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    data BLOB NOT NULL
);
{";".join(RELATIONS_TRIGGERS.values())};
{";".join(FEATURES_TRIGGERS.values())};
CREATE TABLE IF NOT EXISTS vectors (
    encoder TEXT NOT NULL,
    text_key TEXT NOT NULL,        -- sha1 of the normalized sentence text
    vec BLOB NOT NULL,
    PRIMARY KEY (encoder, text_key)
) WITHOUT ROWID;
-- Quote index (search.py): each indexed document owns a range of sentence numbers, its sentences
-- in order. Numbers are never reused, so a number left in the FTS or vector index by a document
-- read again or removed no longer resolves (contentless FTS5 cannot delete without the text).
CREATE TABLE IF NOT EXISTS quote_docs (
    doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    first INTEGER NOT NULL,        -- number of its first sentence
    n INTEGER NOT NULL,            -- its sentences: first .. first + n - 1
    vectors INTEGER NOT NULL DEFAULT 0  -- 1 once its sentences are in the vector index
);
CREATE INDEX IF NOT EXISTS quote_docs_first ON quote_docs(first);
-- Each indexed sentence as search reads it, by number: its text and what is derived from it once
-- at index time (a store indexed before this table existed gains its rows at the next index check).
CREATE TABLE IF NOT EXISTS quote_sentences (
    num INTEGER PRIMARY KEY,       -- sentence number
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    lang TEXT NOT NULL,            -- the sentence's, else its document's
    text TEXT NOT NULL,
    numbers TEXT NOT NULL          -- the numbers it states (align.cues.numbers), space-separated
);
CREATE INDEX IF NOT EXISTS quote_sentences_doc ON quote_sentences(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS quote_fts USING fts5(text, content='', tokenize='{QUOTE_TOKENIZER}');
CREATE VIRTUAL TABLE IF NOT EXISTS quote_vocab USING fts5vocab(quote_fts, 'row');
"""


class StoreError(Exception):
    """The store cannot be opened or used (wrong file, newer schema, locked)."""


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """A connection to the store at `path`: WAL journal, foreign keys on, autocommit outside
    explicit :func:`transaction` blocks, the schema in place. ``create=False`` (commands that
    read a store) never makes one: a missing store is a :class:`StoreError`."""
    if not create and not path.is_file():
        raise StoreError(f"no store at {path} (run `sourcetrace trace` or `read` first)")
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        else:  # mode=rw: SQLite itself refuses to create the file
            conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=rw", timeout=30, isolation_level=None,
                                   uri=True)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        # Pages read through a memory map rather than a read() each: a quote search reads a few
        # hundred pages of the FTS index and the sentences (10,000 documents: 8% less CPU).
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        conn.executescript(SCHEMA)
        row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None:
            conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
    except OSError as exc:  # its folder cannot be made
        blocking = next((p for p in path.parents if p.exists()), None)
        reason = f"{blocking} is a file" if blocking and not blocking.is_dir() else exc.strerror or exc
        raise StoreError(f"{path}: cannot create the store ({reason})") from exc
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: {_why(path, exc)}") from exc
    if row is not None and int(row[0]) > SCHEMA_VERSION:
        raise StoreError(f"{path}: made by a newer sourcetrace (schema {row[0]})")
    return conn


def _why(path: Path, exc: sqlite3.DatabaseError) -> str:
    """The real reason a store could not be opened: only a file that is not an SQLite database
    is "not a sourcetrace store"."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_READONLY"):
        return f"cannot write the store: read-only file or filesystem ({exc})"
    if name.startswith("SQLITE_CANTOPEN"):
        if path.is_dir():
            return "cannot open the store: it is a directory"
        return f"cannot open or create the store: its folder is not writable or does not exist ({exc})"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return f"the store is locked by another process ({exc})"
    if name.startswith("SQLITE_FULL"):
        return f"cannot write the store: the disk is full ({exc})"
    if name.startswith(("SQLITE_IOERR", "SQLITE_PERM", "SQLITE_AUTH")):
        return f"cannot read or write the store ({exc})"
    return f"not a sourcetrace store ({exc})"


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Cursor]:
    """One write transaction: committed when the block ends, rolled back if it raises (even on
    an interrupt), so the store never holds half of it."""
    cur = conn.cursor()
    cur.execute("BEGIN IMMEDIATE")
    try:
        yield cur
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise


T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[tuple[list[T], str]]:
    """`items` in lists of at most `size`, each with its SQL placeholders (``?,?,?``): SQLite
    limits the variables of one statement."""
    items = list(items)
    for i in range(0, len(items), size):
        chunk = items[i:i + size]
        yield chunk, ",".join("?" * len(chunk))
