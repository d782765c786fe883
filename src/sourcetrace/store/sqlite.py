"""The store: everything read, kept in an embedded database so spans can always be shown.

SQLite by default (one file, no server). A file is written in one transaction together with its
documents and sentences, so the store never holds half a file; a killed run leaves the previous
state, and the rerun redoes the file. Files are keyed by their resolved path; a file whose bytes
(sha256) and reading settings are unchanged is not read again.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from sourcetrace.records import Document, Passage, Relation, Sentence, SourceFile

SCHEMA_VERSION = 1

_SCHEMA = """
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
CREATE INDEX IF NOT EXISTS relations_b ON relations(b);
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
CREATE VIRTUAL TABLE IF NOT EXISTS quote_fts USING fts5(text, content='', tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS quote_vocab USING fts5vocab(quote_fts, 'row');
"""


class StoreError(Exception):
    """The store cannot be opened or used (wrong file, newer schema, locked)."""


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


def file_key(path: str | Path) -> str:
    """A file's identity in the store: its absolute path (not resolving links: cheaper, and a
    link is where the user says the file is)."""
    return os.path.abspath(path)


class Store:
    """SQLite store. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.executescript(_SCHEMA)
            row = self.conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a sourcetrace store ({exc})") from exc
        if row is None:
            self.conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: made by a newer sourcetrace (schema {row[0]})")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # -- files -------------------------------------------------------------------------------
    def file_states(self) -> dict[str, tuple[str, str]]:
        """Every stored file's (sha256, settings), by key: one query for a whole folder instead
        of two per file."""
        return {key: (sha, settings) for key, sha, settings in self.conn.execute("SELECT key, sha256, settings FROM files")}

    def id_prefix(self, key: str, stem: str, sha256: str, taken: set[str] | None = None) -> str:
        """A readable document-id prefix: the file's stem, made unique when another file has it."""
        owner = self.conn.execute("SELECT file_key FROM documents WHERE id=?", (f"{stem}#1",)).fetchone()
        clash = (owner is not None and owner[0] != key) or (taken is not None and stem in taken)
        return f"{stem}~{sha256[:8]}" if clash else stem

    def put_file(self, key: str, source: SourceFile, settings: str, documents: Sequence[Document],
                 sentences: Iterable[Sentence]) -> None:
        """Replace everything known of one file, in one transaction."""
        self.put_files([(key, source, settings, documents, sentences)])

    def put_files(self, batch: Sequence[tuple[str, SourceFile, str, Sequence[Document], Iterable[Sentence]]]
                  ) -> None:
        """Replace everything known of several files, in one transaction.

        Batching amortises the commit over many small files; a file is still all-or-nothing.
        """
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for key, source, settings, documents, sentences in batch:
                self._write_file(cur, key, source, settings, documents, sentences)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    @staticmethod
    def _write_file(cur: sqlite3.Cursor, key: str, source: SourceFile, settings: str,
                    documents: Sequence[Document], sentences: Iterable[Sentence]) -> None:
        cur.execute("DELETE FROM files WHERE key=?", (key,))
        cur.execute("INSERT INTO files VALUES (?,?,?,?,?,?,?,?)",
                    (key, source.path, source.sha256, source.size, source.encoding, source.format,
                     settings, source.text))
        cur.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(d.id, key, i, d.start, d.end, d.lang, d.title, d.date, d.url,
              json.dumps([list(b) for b in d.boilerplate])) for i, d in enumerate(documents)])
        seqs: dict[str, int] = {}
        rows = []
        for s in sentences:
            n = seqs.get(s.doc, 0)
            seqs[s.doc] = n + 1
            rows.append((s.doc, n, s.start, s.end, s.lang))
        cur.executemany("INSERT INTO sentences VALUES (?,?,?,?,?)", rows)

    def file_text(self, key: str) -> str | None:
        row = self.conn.execute("SELECT text FROM files WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def file_info(self, key: str) -> dict | None:
        row = self.conn.execute(
            "SELECT path, sha256, size, encoding, format FROM files WHERE key=?", (key,)).fetchone()
        if row is None:
            return None
        return dict(zip(("path", "sha256", "size", "encoding", "format"), row, strict=True))

    # -- documents and sentences ---------------------------------------------------------------
    def _doc(self, row: tuple) -> Document:
        doc_id, path, start, end, lang, title, date, url, boiler = row
        return Document(id=doc_id, path=path, start=start, end=end, lang=lang, title=title, date=date,
                        url=url, boilerplate=[tuple(b) for b in json.loads(boiler)])

    _DOC_SELECT = ('SELECT d.id, f.path, d.start, d."end", d.lang, d.title, d.date, d.url, d.boilerplate '
                   "FROM documents d JOIN files f ON f.key = d.file_key")

    def documents(self, keys: Sequence[str] | None = None) -> Iterator[Document]:
        """Documents of the given files (all files when None), in file then document order."""
        if keys is None:
            rows = self.conn.execute(self._DOC_SELECT + " ORDER BY f.path, d.seq")
            yield from map(self._doc, rows)
            return
        for key in keys:
            rows = self.conn.execute(self._DOC_SELECT + " WHERE d.file_key=? ORDER BY d.seq", (key,))
            yield from map(self._doc, rows)

    def documents_page(self, offset: int, limit: int) -> list[Document]:
        """Documents in file then document order, `limit` from `offset` (for listings)."""
        rows = self.conn.execute(self._DOC_SELECT + " ORDER BY f.path, d.seq LIMIT ? OFFSET ?", (limit, offset))
        return list(map(self._doc, rows))

    def document(self, doc_id: str) -> Document | None:
        row = self.conn.execute(self._DOC_SELECT + " WHERE d.id=?", (doc_id,)).fetchone()
        return self._doc(row) if row else None

    def document_text(self, doc_id: str) -> str | None:
        """The whole text of the file that holds the document (offsets point into it)."""
        row = self.conn.execute(
            "SELECT f.text FROM documents d JOIN files f ON f.key=d.file_key WHERE d.id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def file_of(self, doc_id: str) -> str | None:
        """The key of the file that holds the document (documents of one file share its text)."""
        row = self.conn.execute("SELECT file_key FROM documents WHERE id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def span_text(self, doc_id: str, start: int, end: int) -> str:
        """The characters [start, end) of the document's file, without loading the whole file."""
        row = self.conn.execute("SELECT substr(f.text, ?, ?) FROM documents d JOIN files f ON f.key=d.file_key "
                                "WHERE d.id=?", (start + 1, max(0, end - start), doc_id)).fetchone()
        return row[0] if row else ""

    def sentences(self, doc_id: str) -> list[Sentence]:
        rows = self.conn.execute(
            'SELECT start, "end", lang FROM sentences WHERE doc_id=? ORDER BY seq', (doc_id,))
        return [Sentence(doc_id, s, e, lang) for s, e, lang in rows]

    def counts(self) -> dict[str, int]:
        return {table: self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("files", "documents", "sentences")}

    # -- passages: aligned pairs are remembered so a rerun aligns only what is new -------------
    def aligned(self, settings: str) -> set[tuple[str, str]]:
        rows = self.conn.execute("SELECT a, b FROM aligned_pairs WHERE settings=?", (settings,))
        return {(a, b) for a, b in rows}

    def put_alignment(self, a: str, b: str, settings: str, passages: Iterable[Passage]) -> None:
        """Record one aligned pair and its passages in one transaction (replacing older ones)."""
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.execute("DELETE FROM passages WHERE (a=? AND b=?) OR (a=? AND b=?)", (a, b, b, a))
            cur.executemany("INSERT INTO passages VALUES (?,?,?,?,?,?,?,?)",
                            [(p.a, p.a_start, p.a_end, p.b, p.b_start, p.b_end, p.kind, p.score) for p in passages])
            cur.execute("INSERT OR REPLACE INTO aligned_pairs VALUES (?,?,?)", (a, b, settings))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def passages(self, doc_ids: Sequence[str] | None = None) -> list[Passage]:
        """Passages touching any of the documents (all passages when None)."""
        cols = "a, a_start, a_end, b, b_start, b_end, kind, score"
        if doc_ids is None:
            return [Passage(*row) for row in self.conn.execute(f"SELECT {cols} FROM passages")]
        if len(doc_ids) > 2000:  # most of a corpus: one scan beats thousands of index look-ups
            wanted = set(doc_ids)
            return [Passage(*row) for row in self.conn.execute(f"SELECT {cols} FROM passages")
                    if row[0] in wanted or row[3] in wanted]
        out: dict[tuple, Passage] = {}
        for i in range(0, len(doc_ids), 400):
            chunk = list(doc_ids[i:i + 400])
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(f"SELECT {cols} FROM passages WHERE a IN ({marks}) OR b IN ({marks})",
                                         chunk + chunk):
                out[row] = Passage(*row)
        return list(out.values())

    # -- relations ---------------------------------------------------------------------------
    def put_relations(self, doc_ids: Sequence[str], relations: Iterable[Relation]) -> int:
        """Make the relations among `doc_ids` be `relations`, in one transaction; returns how many
        rows changed. Only the difference is written: a rerun over a grown corpus changes few
        relations, and rewriting every row cost more than the rest of the stage."""
        ids = set(doc_ids)
        evidence: dict[tuple[str, ...], str] = {}  # most relations share a few evidence texts

        def as_json(ev: list[str]) -> str:
            key = tuple(ev)
            text = evidence.get(key)
            if text is None:
                text = evidence[key] = json.dumps(ev, ensure_ascii=False)
            return text

        rows = {(r.a, r.b): (r.a, r.b, r.type, r.source, r.coverage_a, r.coverage_b, r.score, r.passages,
                             as_json(r.evidence)) for r in relations}
        stored = {(row[0], row[1]): row for row in self.conn.execute(
            "SELECT a, b, type, source, coverage_a, coverage_b, score, passages, evidence FROM relations")
            if row[0] in ids and row[1] in ids}
        gone = [key for key in stored if key not in rows]
        changed = [row for key, row in rows.items() if stored.get(key) != row]
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.executemany("DELETE FROM relations WHERE a=? AND b=?", gone)
            cur.executemany("INSERT OR REPLACE INTO relations VALUES (?,?,?,?,?,?,?,?,?)", changed)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return len(gone) + len(changed)

    def relations(self, doc_id: str | None = None) -> list[Relation]:
        """Relations touching `doc_id` (all relations when None)."""
        cols = "a, b, type, source, coverage_a, coverage_b, score, passages, evidence"
        if doc_id is None:
            rows = self.conn.execute(f"SELECT {cols} FROM relations ORDER BY a, b")
        else:
            rows = self.conn.execute(f"SELECT {cols} FROM relations WHERE a=? OR b=? ORDER BY a, b", (doc_id, doc_id))
        return [Relation(a, b, t, ca, cb, sc, source=src, passages=n, evidence=json.loads(ev))
                for a, b, t, src, ca, cb, sc, n, ev in rows]

    # -- per-document cache ------------------------------------------------------------------
    def cached(self, kind: str, version: str, doc_ids: Sequence[str]) -> dict[str, bytes]:
        """The cached `kind` data of those documents made by `version`."""
        out: dict[str, bytes] = {}
        ids = list(doc_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            out.update(self.conn.execute(
                f"SELECT doc, data FROM doc_cache WHERE kind=? AND version=? AND doc IN ({marks})",
                [kind, version, *chunk]))
        return out

    def put_cached(self, kind: str, version: str, items: Iterable[tuple[str, bytes]]) -> None:
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.executemany("INSERT OR REPLACE INTO doc_cache VALUES (?,?,?,?)",
                            ((kind, doc, version, data) for doc, data in items))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def corpus_cached(self, kind: str, version: str) -> bytes | None:
        """A result over a run's whole document set, as the last run left it (None: none, or
        made by another version)."""
        row = self.conn.execute("SELECT data FROM corpus_cache WHERE kind=? AND version=?", (kind, version)).fetchone()
        return row[0] if row else None

    def put_corpus_cached(self, kind: str, version: str, data: bytes) -> None:
        self.conn.execute("INSERT OR REPLACE INTO corpus_cache VALUES (?,?,?)", (kind, version, data))

    # -- quote index: normalized sentences in FTS5, sentence numbers for the vector index -------
    def unindexed_documents(self, limit: int) -> list[str]:
        """Ids of documents whose sentences are not in the quote index yet."""
        rows = self.conn.execute("SELECT d.id FROM documents d LEFT JOIN quote_docs q ON q.doc_id = d.id "
                                 "WHERE q.doc_id IS NULL LIMIT ?", (limit,))
        return [r[0] for r in rows]

    def put_quote_index(self, docs: Sequence[tuple[str, Sequence[str]]]) -> dict[str, int]:
        """Index the normalized sentences of each (document id, texts in sentence order), in one
        transaction; returns each document's first sentence number."""
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            row = cur.execute("SELECT value FROM meta WHERE key='quote_next'").fetchone()
            nxt = int(row[0]) if row else 1
            firsts = {}
            for doc_id, texts in docs:
                cur.execute("DELETE FROM quote_docs WHERE doc_id=?", (doc_id,))
                cur.execute("INSERT INTO quote_docs VALUES (?,?,?,0)", (doc_id, nxt, len(texts)))
                cur.executemany("INSERT INTO quote_fts(rowid, text) VALUES (?,?)",
                                [(nxt + i, t) for i, t in enumerate(texts)])
                firsts[doc_id] = nxt
                nxt += len(texts)
            cur.execute("INSERT OR REPLACE INTO meta VALUES ('quote_next', ?)", (str(nxt),))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return firsts

    def quote_documents_without_vectors(self, limit: int | None) -> list[tuple[str, int, int]]:
        """(document id, first sentence number, sentences) of indexed documents not yet in the
        vector index (all of them when `limit` is None)."""
        return list(self.conn.execute("SELECT doc_id, first, n FROM quote_docs WHERE vectors=0 LIMIT ?",
                                      (-1 if limit is None else limit,)))

    def mark_vectors_indexed(self, doc_ids: Sequence[str]) -> None:
        self.conn.executemany("UPDATE quote_docs SET vectors=1 WHERE doc_id=?", [(d,) for d in doc_ids])

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

    def numbered_sentences(self, numbers: Sequence[int]) -> dict[int, tuple[Sentence, str]]:
        """The sentence (and its text) behind each sentence number that still resolves."""
        out: dict[int, tuple[Sentence, str]] = {}
        for k in set(numbers):
            row = self.conn.execute(
                'SELECT q.doc_id, ? - q.first, q.n FROM quote_docs q WHERE q.first <= ? '
                "ORDER BY q.first DESC LIMIT 1", (k, k)).fetchone()
            if row is None or row[1] >= row[2]:
                continue
            sent = self.conn.execute(
                'SELECT s.start, s."end", s.lang, substr(f.text, s.start + 1, s."end" - s.start) '
                "FROM sentences s JOIN documents d ON d.id = s.doc_id JOIN files f ON f.key = d.file_key "
                "WHERE s.doc_id=? AND s.seq=?", (row[0], row[1])).fetchone()
            if sent:
                out[k] = (Sentence(row[0], sent[0], sent[1], sent[2]), sent[3])
        return out

    # -- sentence vectors (cache: a text is encoded once per encoder, ever) --------------------
    def get_vectors(self, encoder: str, text_keys: Sequence[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for i in range(0, len(text_keys), 500):
            chunk = list(text_keys[i:i + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT text_key, vec FROM vectors WHERE encoder=? AND text_key IN ({marks})", [encoder, *chunk])
            out.update(rows)
        return out

    def put_vectors(self, encoder: str, items: Iterable[tuple[str, bytes]]) -> None:
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?)",
                            ((encoder, k, v) for k, v in items))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
