"""The quote index's tables (quotes/index.py): normalized sentences in FTS5, and the sentence
numbers the vector index beside the store is keyed by.

Each indexed document owns a range of sentence numbers, its sentences in order. Numbers are never
reused, so a number left in the FTS or vector index by a document read again or removed no
longer resolves (contentless FTS5 cannot delete without the text).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from sourcetrace.records import DocumentLabel, IndexedSentence
from sourcetrace.store.schema import QUOTE_TOKENIZER, transaction


class QuoteTables:
    """Tables ``quote_docs``, ``quote_sentences``, ``quote_fts`` and ``quote_vocab``, and the next sentence number
    (``meta.quote_next``)."""

    conn: sqlite3.Connection

    def unindexed_documents(self, limit: int) -> list[str]:
        """Ids of documents whose sentences are not in the quote index yet."""
        rows = self.conn.execute("SELECT d.id FROM documents d LEFT JOIN quote_docs q ON q.doc_id = d.id "
                                 "WHERE q.doc_id IS NULL LIMIT ?", (limit,))
        return [r[0] for r in rows]

    def put_quote_index(self, docs: Sequence[tuple[str, Sequence[str], Sequence[IndexedSentence]]]) -> dict[str, int]:
        """Index each (document id, normalized texts, sentences) in sentence order, in one
        transaction; returns each document's first sentence number."""
        with transaction(self.conn) as cur:
            row = cur.execute("SELECT value FROM meta WHERE key='quote_next'").fetchone()
            nxt = int(row[0]) if row else 1
            firsts = {}
            for doc_id, texts, sents in docs:
                cur.execute("DELETE FROM quote_docs WHERE doc_id=?", (doc_id,))
                cur.execute("DELETE FROM quote_sentences WHERE doc_id=?", (doc_id,))
                cur.execute("INSERT INTO quote_docs VALUES (?,?,?,0)", (doc_id, nxt, len(texts)))
                cur.executemany("INSERT INTO quote_fts(rowid, text) VALUES (?,?)",
                                [(nxt + i, t) for i, t in enumerate(texts)])
                _put_sentences(cur, nxt, sents)
                firsts[doc_id] = nxt
                nxt += len(texts)
            cur.execute("INSERT OR REPLACE INTO meta VALUES ('quote_next', ?)", (str(nxt),))
        return firsts

    def quote_documents_without_sentences(self, limit: int) -> list[tuple[str, int, int]]:
        """(document id, first sentence number, sentences) of indexed documents whose sentences
        are not in ``quote_sentences`` (indexed before it existed)."""
        return list(self.conn.execute(
            "SELECT doc_id, first, n FROM quote_docs q WHERE n > 0 AND NOT EXISTS "
            "(SELECT 1 FROM quote_sentences s WHERE s.num = q.first) LIMIT ?", (limit,)))

    def put_quote_sentences(self, docs: Sequence[tuple[int, Sequence[IndexedSentence]]]) -> None:
        """Add the sentences of already indexed documents, each (first number, sentences), in one
        transaction."""
        with transaction(self.conn) as cur:
            for first, sents in docs:
                _put_sentences(cur, first, sents)

    def quote_documents_without_vectors(self, limit: int | None) -> list[tuple[str, int, int]]:
        """(document id, first sentence number, sentences) of indexed documents not yet in the
        vector index (all of them when `limit` is None)."""
        return list(self.conn.execute("SELECT doc_id, first, n FROM quote_docs WHERE vectors=0 LIMIT ?",
                                      (-1 if limit is None else limit,)))

    def mark_vectors_indexed(self, doc_ids: Sequence[str]) -> None:
        with transaction(self.conn) as cur:  # one commit, not one a document
            cur.executemany("UPDATE quote_docs SET vectors=1 WHERE doc_id=?", [(d,) for d in doc_ids])

    def has_indexed_vectors(self) -> bool:
        """Whether any sentence is marked as in the vector index."""
        return self.conn.execute("SELECT 1 FROM quote_docs WHERE vectors=1 AND n>0 LIMIT 1").fetchone() is not None

    def reset_vectors_indexed(self) -> None:
        self.conn.execute("UPDATE quote_docs SET vectors=0")

    def term_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """How many indexed sentences hold each term (terms the index has never seen are left out)."""
        out: dict[str, int] = {}
        for term in set(terms):
            row = self.conn.execute("SELECT doc FROM quote_vocab WHERE term=?", (term,)).fetchone()
            if row:
                out[term] = row[0]
        return out

    def match_sentences(self, terms: Sequence[str], limit: int, *, every: bool = False) -> list[int]:
        """Numbers of the indexed sentences holding any of `terms` (all of them with `every`),
        best BM25 first."""
        if not terms:
            return []
        query = (" AND " if every else " OR ").join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = self.conn.execute("SELECT rowid FROM quote_fts WHERE quote_fts MATCH ? ORDER BY rank LIMIT ?",
                                 (query, limit))
        return [r[0] for r in rows]

    def numbered_sentences(self, numbers: Sequence[int]) -> dict[int, IndexedSentence]:
        """The sentence behind each sentence number that still resolves, in one query (a search
        resolves a hundred candidates)."""
        return self.labelled_sentences(numbers)[0]

    def labelled_sentences(self, numbers: Sequence[int]) -> tuple[dict[int, IndexedSentence], dict[str, DocumentLabel]]:
        """:meth:`numbered_sentences`, and the labels of their documents that exist (as
        ``document_labels``), read in the same query: a search labels the documents of its
        candidates, and a second query for them cost a third as much again."""
        wanted = set(numbers)
        if not wanted:
            return {}, {}
        rows = self.conn.execute(
            'SELECT s.num, s.doc_id, s.start, s."end", s.lang, s.text, s.numbers, d.lang, d.date, d.title '
            "FROM json_each(?) k JOIN quote_sentences s ON s.num = k.value "
            "JOIN quote_docs q ON q.doc_id = s.doc_id AND s.num - q.first BETWEEN 0 AND q.n - 1 "
            "LEFT JOIN documents d ON d.id = s.doc_id",
            (json.dumps(sorted(wanted)),))
        found: dict[int, IndexedSentence] = {}
        labels: dict[str, DocumentLabel] = {}
        for num, doc, start, end, lang, text, numbers_, dlang, date, title in rows:
            found[num] = IndexedSentence(doc, start, end, lang, text, tuple(map(int, numbers_.split())))
            if dlang is not None and doc not in labels:
                labels[doc] = DocumentLabel(doc, dlang, date, title)
        return {k: found[k] for k in wanted if k in found}, labels  # the order of the set, as before

    # What a process's in-memory copy of the quote index (quotes/snapshot.py) reads.

    def quote_state(self) -> tuple[int, int, int]:
        """(next sentence number, indexed documents, sum of their first numbers): changes whenever
        a document is indexed, indexed again or removed (its numbers are never reused)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='quote_next'").fetchone()
        count, firsts = self.conn.execute("SELECT count(*), coalesce(sum(first), 0) FROM quote_docs").fetchone()
        return (int(row[0]) if row else 1), count, firsts

    def quote_ranges(self) -> dict[str, tuple[int, int]]:
        """Each indexed document's (first sentence number, sentences)."""
        return {doc: (first, n) for doc, first, n in self.conn.execute("SELECT doc_id, first, n FROM quote_docs")}

    def quote_rows_from(self, first: int) -> Iterator[tuple]:
        """Every sentence numbered `first` or later that resolves (as :meth:`labelled_sentences`),
        with its document's label: (number, document, start, end, language, text, numbers,
        document language, date, title), by number."""
        return self.conn.execute(
            'SELECT s.num, s.doc_id, s.start, s."end", s.lang, s.text, s.numbers, d.lang, d.date, d.title '
            "FROM quote_sentences s JOIN quote_docs q ON q.doc_id = s.doc_id AND s.num - q.first BETWEEN 0 AND q.n - 1 "
            "LEFT JOIN documents d ON d.id = s.doc_id WHERE s.num >= ? ORDER BY s.num", (first,))

    def quote_fts_totals(self) -> tuple[int, int]:
        """(rows, tokens) of the FTS index, as its BM25 counts them (the averages record: rows of
        documents read again included)."""
        row = self.conn.execute("SELECT block FROM quote_fts_data WHERE id=1").fetchone()
        values, pos = [0, 0], 0  # no record, or an empty one, before anything is indexed
        for k in range(2):
            if row is None or pos >= len(row[0]):
                break
            values[k], pos = _varint(row[0], pos)
        return values[0], values[1]

    def quote_instances(self) -> Iterator[tuple[str, int]]:
        """(term, row) for every token of the FTS index, by term then row (a row holding a term
        twice gives it twice)."""
        self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.quote_instances "
                          "USING fts5vocab(main, quote_fts, instance)")
        return self.conn.execute("SELECT term, doc FROM temp.quote_instances")

    def quote_tokens(self, rows: Iterable[tuple[int, str]]) -> list[tuple[str, int]]:
        """(term, row) for every token of the given (row, normalized text), tokenized as the FTS
        index tokenizes them (in a temporary table: nothing is written to the store)."""
        self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.quote_new "
                          f"USING fts5(text, tokenize='{QUOTE_TOKENIZER}')")
        self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.quote_new_instances "
                          "USING fts5vocab(temp, quote_new, instance)")
        # No transaction: one would take the store's write lock, and these writes are the
        # temporary database's only.
        self.conn.execute("DELETE FROM temp.quote_new")
        self.conn.executemany("INSERT INTO temp.quote_new(rowid, text) VALUES (?,?)", rows)
        out = self.conn.execute("SELECT term, doc FROM temp.quote_new_instances").fetchall()
        self.conn.execute("DELETE FROM temp.quote_new")
        return out


def _put_sentences(cur: sqlite3.Cursor, first: int, sents: Sequence[IndexedSentence]) -> None:
    cur.executemany("INSERT OR REPLACE INTO quote_sentences VALUES (?,?,?,?,?,?,?)",
                    [(first + i, s.doc, s.start, s.end, s.lang, s.text, " ".join(map(str, s.numbers)))
                     for i, s in enumerate(sents)])


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """SQLite's variable-length integer at `pos` (as FTS5 writes its records), and the position after it."""
    value = 0
    for i in range(9):
        byte = data[pos + i]
        if i == 8:
            return (value << 8) | byte, pos + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    raise AssertionError("unreachable")
