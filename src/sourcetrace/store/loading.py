"""A run's outputs brought into the store in one transaction (``sourcetrace load``; the records
are read by :mod:`sourcetrace.engines.load`).

Everything goes in as one write transaction, so a load that fails (malformed rows, a conflict)
or is killed leaves the store as it was: SQLite drops an uncommitted transaction when the store
is next opened. Documents and sentences are first staged in temporary tables, since a part-file
run gives them in any order: they are then placed file by file in offset order, which numbers
them (``seq``) as a trace does and reads each file's text once to check the spans.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from sourcetrace.records import Document, Passage, Relation, Sentence
from sourcetrace.store.schema import RELATIONS_KEPT, RELATIONS_TRIGGERS, transaction

BATCH = 5000  # rows a statement inserts at a time


class LoadError(Exception):
    """Outputs that cannot be loaded as they are (one line for the user); nothing was written."""


_TEMP = """
CREATE TEMP TABLE load_files (key TEXT PRIMARY KEY);
CREATE TEMP TABLE load_docs (id TEXT, file_key TEXT, path TEXT, start INTEGER, "end" INTEGER, lang TEXT, title TEXT,
                             date TEXT, url TEXT, boilerplate TEXT);
CREATE TEMP TABLE load_sents (doc TEXT, start INTEGER, "end" INTEGER);
"""
_DROP = "DROP TABLE IF EXISTS temp.load_files; DROP TABLE IF EXISTS temp.load_docs; DROP TABLE IF EXISTS temp.load_sents;"


class LoadTables:
    """:meth:`loading`: the one transaction of a load."""

    conn: sqlite3.Connection

    @contextmanager
    def loading(self) -> Iterator[Load]:
        """A :class:`Load` whose writes are committed together when the block ends, or not at all."""
        self.conn.executescript(_DROP)
        try:
            with transaction(self.conn) as cur:  # executescript would commit: one statement at a time
                for statement in filter(str.strip, _TEMP.split(";")):
                    cur.execute(statement)
                yield Load(cur)
        finally:
            self.conn.executescript(_DROP)


class Load:
    """The steps of one load, over the cursor of its transaction, in this order: files (with
    their texts), documents (staged, then placed), sentences (staged, then placed), passages,
    relations."""

    def __init__(self, cur: sqlite3.Cursor) -> None:
        self.cur = cur
        self.counts = {"files": 0, "documents": 0, "sentences": 0, "passages": 0, "relations": 0}

    # -- files ---------------------------------------------------------------------------------
    def put_file(self, key: str, path: str, text: str, fmt: str, sha256: str, settings: str) -> None:
        """One file and its text, replacing what the store knew of it (its documents, their
        sentences, passages and relations go with it, as when a trace reads a changed file)."""
        self.cur.execute("DELETE FROM files WHERE key=?", (key,))
        self.cur.execute("INSERT INTO files VALUES (?,?,?,?,?,?,?,?)",
                         (key, path, sha256, len(text.encode("utf-8")), "utf-8", fmt, settings, text))
        try:
            self.cur.execute("INSERT INTO load_files VALUES (?)", (key,))
        except sqlite3.IntegrityError as exc:
            raise LoadError(f"{path}: its text is given twice") from exc
        self.counts["files"] += 1

    def files_without_text(self) -> list[tuple[str, str]]:
        """(key, path) of the staged documents' files that no :meth:`put_file` gave."""
        return list(self.cur.execute("SELECT file_key, min(path) FROM load_docs WHERE file_key NOT IN "
                                     "(SELECT key FROM load_files) GROUP BY file_key"))

    # -- documents -----------------------------------------------------------------------------
    def stage_documents(self, docs: Iterable[tuple[str, Document]]) -> None:
        """(file key, document) of every document, in any order."""
        rows = ((d.id, key, d.path, d.start, d.end, d.lang, d.title, d.date, d.url,
                 json.dumps([list(b) for b in d.boilerplate])) for key, d in docs)
        for chunk in _chunked(rows):
            self.cur.executemany("INSERT INTO load_docs VALUES (?,?,?,?,?,?,?,?,?,?)", chunk)
        self.cur.execute("CREATE INDEX temp.load_docs_id ON load_docs(id)")

    def place_documents(self) -> None:
        """The staged documents into the store, numbered in file order; raises :class:`LoadError`
        for a document id given twice or held by another file, or a span beyond its file's text."""
        row = self.cur.execute("SELECT id FROM load_docs GROUP BY id HAVING count(*) > 1 LIMIT 1").fetchone()
        if row:
            raise LoadError(f"document {row[0]} is given twice in the documents table")
        row = self.cur.execute("SELECT l.id, f.path FROM load_docs l JOIN documents d ON d.id = l.id "
                               "JOIN files f ON f.key = d.file_key LIMIT 1").fetchone()
        if row:
            raise LoadError(f"document {row[0]} is already in the store, from another file ({row[1]}): "
                            "load into another --db")
        lengths = dict(self.cur.execute(
            "SELECT key, length(text) FROM files WHERE key IN (SELECT DISTINCT file_key FROM load_docs)").fetchall())
        reader = self.cur.connection.cursor()  # reads the staged rows while self.cur writes
        ordered = reader.execute('SELECT file_key, id, start, "end", lang, title, date, url, boilerplate '
                                 "FROM load_docs ORDER BY file_key, start, id")
        key, n = None, 0
        rows = []
        for file_key, doc_id, start, end, *rest in ordered:
            if end > lengths[file_key]:
                raise LoadError(f"document {doc_id}: its span [{start}, {end}) ends beyond its file's text "
                                f"({lengths[file_key]} characters): the texts do not match the documents")
            key, n = file_key, (n + 1 if file_key == key else 0)
            rows.append((doc_id, file_key, n, start, end, *rest))
            if len(rows) >= BATCH:
                self._put_rows("documents", rows)
                rows = []
        self._put_rows("documents", rows)

    # -- sentences -----------------------------------------------------------------------------
    def stage_sentences(self, sentences: Iterable[Sentence]) -> None:
        for chunk in _chunked((s.doc, s.start, s.end) for s in sentences):
            self.cur.executemany("INSERT INTO load_sents VALUES (?,?,?)", chunk)

    def place_sentences(self, language: Callable[[str, str], str]) -> None:
        """The staged sentences into the store, numbered in document order, each with its
        language (``language(sentence text, document language)``); raises :class:`LoadError` for
        a sentence of a document not loaded, or outside its document."""
        row = self.cur.execute("SELECT doc FROM load_sents WHERE doc NOT IN (SELECT id FROM load_docs) "
                               "LIMIT 1").fetchone()
        if row:
            raise LoadError(f"sentences: document {row[0]} is not in the documents table")
        reader = self.cur.connection.cursor()  # reads the staged rows while self.cur writes
        ordered = reader.execute('SELECT d.file_key, s.doc, s.start, s."end", d.start, d."end", d.lang '
                                 "FROM load_sents s JOIN load_docs d ON d.id = s.doc "
                                 "ORDER BY d.file_key, s.doc, s.start")
        key = text = doc = None
        n = 0
        rows = []
        for file_key, doc_id, start, end, doc_start, doc_end, lang in ordered:
            if file_key != key:
                key, text = file_key, self.cur.execute("SELECT text FROM files WHERE key=?", (file_key,)).fetchone()[0]
            if doc_id != doc:
                doc, n = doc_id, 0
            if not doc_start <= start <= end <= doc_end:
                raise LoadError(f"sentences: [{start}, {end}) of document {doc_id} is outside the document "
                                f"[{doc_start}, {doc_end})")
            rows.append((doc_id, n, start, end, language(text[start:end], lang)))
            n += 1
            if len(rows) >= BATCH:
                self._put_rows("sentences", rows)
                rows = []
        self._put_rows("sentences", rows)

    def _put_rows(self, table: str, rows: list[tuple]) -> None:
        if rows:
            self.cur.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(rows[0]))})", rows)
            self.counts[table] += len(rows)

    # -- passages and relations ----------------------------------------------------------------
    def put_passages(self, passages: Iterable[tuple[str, Passage]]) -> None:
        """(where, passage) of every passage; a passage naming a document the store does not
        hold is a :class:`LoadError` at its `where`."""
        for chunk in _chunked(passages):
            try:
                self.cur.executemany("INSERT INTO passages VALUES (?,?,?,?,?,?,?,?)",
                                     [(p.a, p.a_start, p.a_end, p.b, p.b_start, p.b_end, p.kind, p.score)
                                      for _, p in chunk])
            except sqlite3.IntegrityError as exc:
                raise self._unknown(chunk, lambda p: (p.a, p.b), "passage") from exc
            self.counts["passages"] += len(chunk)

    def put_relations(self, relations: Iterable[tuple[str, Relation]]) -> None:
        """(where, relation) of every relation, as :meth:`put_passages`."""
        # The relations kept in columns are no longer the table's: dropped once here, not by the
        # triggers a row at a time (store/schema.py), which are made again after the rows.
        self.cur.execute("DELETE FROM corpus_cache WHERE kind=?", (RELATIONS_KEPT,))
        for name in RELATIONS_TRIGGERS:
            self.cur.execute(f"DROP TRIGGER IF EXISTS {name}")
        for chunk in _chunked(relations):
            for where, r in chunk:
                if r.source is not None and r.source not in (r.a, r.b):
                    raise LoadError(f"{where}: the relation's source {r.source} is neither {r.a} nor {r.b}")
            try:
                self.cur.executemany("INSERT OR REPLACE INTO relations VALUES (?,?,?,?,?,?,?,?,?)",
                                     [(r.a, r.b, r.type, r.source, r.coverage_a, r.coverage_b, r.score, r.passages,
                                       json.dumps(r.evidence, ensure_ascii=False)) for _, r in chunk])
            except sqlite3.IntegrityError as exc:
                raise self._unknown(chunk, lambda r: (r.a, r.b), "relation") from exc
            self.counts["relations"] += len(chunk)
        for sql in RELATIONS_TRIGGERS.values():
            self.cur.execute(sql)

    def _unknown(self, chunk: list, ids: Callable, what: str) -> LoadError:
        """The error for a batch that named a document the store does not hold: which row, which id."""
        for where, rec in chunk:
            for doc_id in ids(rec):
                if self.cur.execute("SELECT 1 FROM documents WHERE id=?", (doc_id,)).fetchone() is None:
                    return LoadError(f"{where}: the {what} names document {doc_id}, which is not in the documents table")
        return LoadError(f"a {what} could not be stored")


def _chunked(items: Iterable) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
