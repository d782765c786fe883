"""What is costly to compute and cheap to keep: sentence vectors (a text is encoded once per
encoder, ever), per-document results (candidate features, topic vectors) and results over a
run's whole document set (nearest-neighbour lists). Each entry names the version that made it; a
different version is recomputed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from sourcetrace.store.schema import FEATURES_KIND, FEATURES_TRIGGERS, chunks, transaction

# Documents asked at once from which a cache look-up reads the kind's rows in one pass (when they
# are at least half of the store's): a rerun asks for every document's features, topic vector and
# facts, and 10,000 look-ups by id took 2-4 times as long (about 0.2 core-seconds a rerun at
# 10,000 documents).
WHOLE_KIND = 2000


class CacheTables:
    """Tables ``vectors``, ``doc_cache`` and ``corpus_cache``."""

    conn: sqlite3.Connection

    # -- per-document cache ------------------------------------------------------------------
    def cached(self, kind: str, version: str, doc_ids: Sequence[str]) -> dict[str, bytes]:
        """The cached `kind` data of those documents made by `version`."""
        if self._most(doc_ids):
            # most of the store's documents asked: their rows in one pass (a part, as a rerun's
            # ballots ask of the voting vectors, is still read by id)
            asked = set(doc_ids)
            return {doc: data for doc, data in self.conn.execute(
                "SELECT doc, data FROM doc_cache WHERE kind=? AND version=?", (kind, version)) if doc in asked}
        out: dict[str, bytes] = {}
        for chunk, marks in chunks(doc_ids, 500):
            out.update(self.conn.execute(
                f"SELECT doc, data FROM doc_cache WHERE kind=? AND version=? AND doc IN ({marks})",
                [kind, version, *chunk]))
        return out

    def cached_ids(self, kind: str, version: str, doc_ids: Sequence[str]) -> set[str]:
        """Which of those documents have cached `kind` data made by `version` (the data unread)."""
        if self._most(doc_ids):  # one pass over the kind's rows, not a look-up per document
            return {row[0] for row in self.conn.execute(
                "SELECT doc FROM doc_cache WHERE kind=? AND version=?", (kind, version))}.intersection(doc_ids)
        out: set[str] = set()
        for chunk, marks in chunks(doc_ids, 500):
            out.update(row[0] for row in self.conn.execute(
                f"SELECT doc FROM doc_cache WHERE kind=? AND version=? AND doc IN ({marks})", [kind, version, *chunk]))
        return out

    def uncached_count(self, kind: str, version: str) -> int:
        """How many of the store's documents have no cached `kind` data made by `version`: at
        least as many as lack it of any stored documents asked, in two counts (no id read: a
        rerun that reads them all only to find a few missing paid ~0.03 s a kind at 10,000)."""
        return self.conn.execute(
            "SELECT (SELECT count(*) FROM documents) - (SELECT count(*) FROM doc_cache c JOIN documents d"
            " ON d.id = c.doc WHERE c.kind=? AND c.version=?)", (kind, version)).fetchone()[0]

    def _most(self, doc_ids: Sequence[str]) -> bool:
        """Whether `doc_ids` are many, and at least half of the store's documents (a kind holds a
        row per document at most)."""
        return len(doc_ids) >= WHOLE_KIND and 2 * len(doc_ids) >= self.conn.execute(
            "SELECT count(*) FROM documents").fetchone()[0]

    def cached_sizes(self, kind: str, version: str) -> dict[str, int]:
        """The size in bytes of every document's cached `kind` data made by `version`, the data
        unread (SQLite reads a blob's length from its row header)."""
        return dict(self.conn.execute("SELECT doc, length(data) FROM doc_cache WHERE kind=? AND version=?",
                                      (kind, version)))

    def put_cached(self, kind: str, version: str, items: Iterable[tuple[str, bytes]]) -> None:
        # A row kept is updated in place, not deleted and inserted again (REPLACE): a +1% rerun at
        # 10,000 documents rewrites ~4,600 tallies of ~5 KB, and their writes took half the CPU.
        # Features: a row new to the kind leaves the features kept in columns (store/schema.py) as
        # they are (they name the documents they hold), a row updated drops them (its trigger).
        own = kind == FEATURES_KIND
        with transaction(self.conn) as cur:
            if own:
                cur.execute("DROP TRIGGER IF EXISTS features_inserted")
            cur.executemany("INSERT INTO doc_cache VALUES (?,?,?,?) ON CONFLICT (kind, doc) DO UPDATE SET "
                            "version=excluded.version, data=excluded.data",
                            ((kind, doc, version, data) for doc, data in items))
            if own:
                cur.execute(FEATURES_TRIGGERS["features_inserted"])

    # -- corpus cache ------------------------------------------------------------------------
    def corpus_cached(self, kind: str, version: str) -> bytes | None:
        """A result over a run's whole document set, as the last run left it (None: none, or
        made by another version)."""
        row = self.conn.execute("SELECT data FROM corpus_cache WHERE kind=? AND version=?", (kind, version)).fetchone()
        return row[0] if row else None

    def put_corpus_cached(self, kind: str, version: str, data: bytes) -> None:
        # Updated in place, as put_cached: the neighbour lists and ballots (MB each) put again 5x faster.
        self.conn.execute("INSERT INTO corpus_cache VALUES (?,?,?) ON CONFLICT (kind) DO UPDATE SET "
                          "version=excluded.version, data=excluded.data", (kind, version, data))

    # -- sentence vectors (cache: a text is encoded once per encoder, ever) --------------------
    def get_vectors(self, encoder: str, text_keys: Sequence[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for chunk, marks in chunks(text_keys, 500):
            out.update(self.conn.execute(
                f"SELECT text_key, vec FROM vectors WHERE encoder=? AND text_key IN ({marks})", [encoder, *chunk]))
        return out

    def put_vectors(self, encoder: str, items: Iterable[tuple[str, bytes]]) -> None:
        with transaction(self.conn) as cur:
            cur.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?)",
                            ((encoder, k, v) for k, v in items))
