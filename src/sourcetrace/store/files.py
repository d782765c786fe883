"""Files, their documents and sentences: what was read, so every span can always be shown.

A file is written in one transaction together with its documents and sentences, so the store
never holds half a file; a killed run leaves the previous state, and the rerun redoes the file.
Files are keyed by their absolute path; a file whose bytes (sha256) and reading settings are
unchanged is not read again.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain, count
from pathlib import Path

from sourcetrace.records import Document, DocumentLabel, Sentence, SourceFile
from sourcetrace.store.schema import transaction

# What :meth:`FileTables.put_files` writes for one file: its key, what was read, the reading
# settings, its documents and their sentences.
FileRows = tuple[str, SourceFile, str, Sequence[Document], Iterable[Sentence]]
# Files asked at once from which :meth:`FileTables.documents` reads theirs in one pass (when they
# are at least half of the store's).
MANY_FILES = 2000


def file_key(path: str | Path) -> str:
    """A file's identity in the store: its absolute path (not resolving links: cheaper, and a
    link is where the user says the file is)."""
    return os.path.abspath(path)


class FileTables:
    """Files, documents and sentences (tables ``files``, ``documents``, ``sentences``)."""

    conn: sqlite3.Connection

    # -- files -------------------------------------------------------------------------------
    def file_states(self) -> dict[str, tuple[str, str]]:
        """Every stored file's (sha256, settings), by key: one query for a whole folder instead
        of two per file."""
        return {key: (sha, settings) for key, sha, settings in self.conn.execute("SELECT key, sha256, settings FROM files")}

    def id_prefix(self, key: str, stem: str, sha256: str, taken: set[str] | None = None) -> str:
        """A readable document-id prefix for the file `key`: its stem; when another file (in the
        store, or a prefix in `taken`) has it, the stem and the first 8 hex digits of the file's
        sha256; when copies of the same bytes under the same name have that too, a number after
        it (``foo``, ``foo~1a2b3c4d``, ``foo~1a2b3c4d~2``, …)."""
        hashed = f"{stem}~{sha256[:8]}"
        candidates = chain((stem, hashed), (f"{hashed}~{n}" for n in count(2)))
        return next(p for p in candidates if p not in (taken or ()) and self._owned_by(f"{p}#1", key))

    def _owned_by(self, doc_id: str, key: str) -> bool:
        """Whether the document id is free or already the file `key`'s."""
        owner = self.conn.execute("SELECT file_key FROM documents WHERE id=?", (doc_id,)).fetchone()
        return owner is None or owner[0] == key

    def put_file(self, key: str, source: SourceFile, settings: str, documents: Sequence[Document],
                 sentences: Iterable[Sentence]) -> None:
        """Replace everything known of one file, in one transaction (raises if it cannot be stored)."""
        failed = self.put_files([(key, source, settings, documents, sentences)])
        if failed:
            raise failed[key]

    def put_files(self, batch: Sequence[FileRows]) -> dict[str, Exception]:
        """Replace everything known of several files, in one transaction; returns the files that
        could not be stored (by key, with the error), which keep their previous state.

        Batching amortises the commit over many small files; a file is still all-or-nothing, and
        one file's failure is its own: the other files of the batch are stored.
        """
        failed: dict[str, Exception] = {}
        with transaction(self.conn) as cur:
            for key, source, settings, documents, sentences in batch:
                cur.execute("SAVEPOINT file")
                try:
                    self._write_file(cur, key, source, settings, documents, sentences)
                except Exception as exc:  # whatever this file's rows do wrong fails this file only
                    cur.execute("ROLLBACK TO file")
                    failed[key] = exc
                cur.execute("RELEASE file")
        return failed

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

    def name_files(self, paths: Mapping[str, str]) -> None:
        """Give each stored file of `paths` (key -> path) the path it was given by now, in one
        transaction: a file read before from another folder, or before it moved, otherwise keeps
        the path it was first given. A file not in `paths` whose path is now another file's
        gets its absolute path (a path that opens it): no two files share a path."""
        stored = dict(self.conn.execute("SELECT key, path FROM files"))
        given = {key: path for key, path in paths.items() if key in stored}
        owner = {path: key for key, path in given.items()}
        rows = [(path, key) for key, path in given.items() if stored[key] != path]
        rows += [(key, key) for key, path in stored.items() if key not in given and path in owner]
        if rows:
            with transaction(self.conn) as cur:
                cur.executemany("UPDATE files SET path=? WHERE key=?", rows)

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
        # most documents have no boilerplate: their "[]" is not parsed (a listing reads thousands)
        spans = [tuple(b) for b in json.loads(boiler)] if boiler != "[]" else []
        return Document(id=doc_id, path=path, start=start, end=end, lang=lang, title=title, date=date,
                        url=url, boilerplate=spans)

    _DOC_SELECT = ('SELECT d.id, f.path, d.start, d."end", d.lang, d.title, d.date, d.url, d.boilerplate '
                   "FROM documents d JOIN files f ON f.key = d.file_key")

    def documents(self, keys: Sequence[str] | None = None) -> Iterator[Document]:
        """Documents of the given files (all files when None), in file then document order."""
        if keys is None:
            rows = self.conn.execute(self._DOC_SELECT + " ORDER BY f.path, d.seq")
            yield from map(self._doc, rows)
            return
        if len(keys) >= MANY_FILES and 2 * len(set(keys)) >= self.conn.execute("SELECT count(*) FROM files").fetchone()[0]:
            # Most of the store's files: one pass over their documents, not a query per file
            # (10,000 files: 0.12 -> 0.06 core-seconds on every run).
            by_file: dict[str, list[Document]] = {}
            for row in self.conn.execute(self._DOC_SELECT.replace("SELECT ", "SELECT d.file_key, ", 1)
                                         + " ORDER BY d.file_key, d.seq"):
                by_file.setdefault(row[0], []).append(self._doc(row[1:]))
            for key in keys:
                yield from by_file.get(key, ())
            return
        for key in keys:
            rows = self.conn.execute(self._DOC_SELECT + " WHERE d.file_key=? ORDER BY d.seq", (key,))
            yield from map(self._doc, rows)

    # The listing's order, total (two files may be given by one path): files by the index on
    # (path, key), walked first (CROSS JOIN); joined the other way round, SQLite sorted every
    # document for each page (10,000 documents: 45-100 ms a page).
    _LISTING = ('SELECT d.id, f.path, d.start, d."end", d.lang, d.title, d.date, d.url, d.boilerplate '
                "FROM files f CROSS JOIN documents d ON d.file_key = f.key")
    _LISTING_ORDER = " ORDER BY f.path, f.key, d.seq"

    def documents_page(self, offset: int, limit: int) -> list[Document]:
        """Documents in listing order (file, then document), `limit` from `offset`. SQLite still
        steps over the `offset` first: :meth:`documents_after` goes straight to its page."""
        rows = self.conn.execute(self._LISTING + self._LISTING_ORDER + " LIMIT ? OFFSET ?", (limit, offset))
        return list(map(self._doc, rows))

    def documents_after(self, after: str | None, limit: int) -> list[Document]:
        """Documents in listing order, `limit` of them after the document `after` (from the first
        when None): keyset paging, one index seek whatever the page. KeyError: no such document."""
        if after is None:
            rows = self.conn.execute(self._LISTING + self._LISTING_ORDER + " LIMIT ?", (limit,))
            return list(map(self._doc, rows))
        key = self.conn.execute("SELECT f.path, f.key, d.seq FROM documents d JOIN files f ON f.key = d.file_key "
                                "WHERE d.id=?", (after,)).fetchone()
        if key is None:
            raise KeyError(after)
        rows = self.conn.execute(self._LISTING + " WHERE (f.path, f.key, d.seq) > (?, ?, ?)" + self._LISTING_ORDER
                                 + " LIMIT ?", (*key, limit))
        return list(map(self._doc, rows))

    def document(self, doc_id: str) -> Document | None:
        row = self.conn.execute(self._DOC_SELECT + " WHERE d.id=?", (doc_id,)).fetchone()
        return self._doc(row) if row else None

    def document_labels(self, doc_ids: Iterable[str]) -> dict[str, DocumentLabel]:
        """Language, date and title of the documents of the given ids that exist, in one query
        (no join with their files: a search labels a hundred documents)."""
        rows = self.conn.execute("SELECT id, lang, date, title FROM documents WHERE id IN (SELECT value FROM json_each(?))",
                                 (json.dumps(sorted(set(doc_ids))),))
        return {row[0]: DocumentLabel(*row) for row in rows}

    def document_text(self, doc_id: str) -> str | None:
        """The whole text of the file that holds the document (offsets point into it)."""
        row = self.conn.execute(
            "SELECT f.text FROM documents d JOIN files f ON f.key=d.file_key WHERE d.id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def document_sources(self) -> dict[str, str]:
        """Every stored document's file as read: its sha256 and reading settings, by document id,
        in one query (what a document's text depends on besides its own record)."""
        return {doc: f"{sha}:{settings}" for doc, sha, settings in self.conn.execute(
            "SELECT d.id, f.sha256, f.settings FROM documents d JOIN files f ON f.key = d.file_key")}

    def document_files(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """Each document's file key, by document id, in one query (those not stored left out)."""
        ids = json.dumps(sorted(set(doc_ids)))
        return dict(self.conn.execute("SELECT d.id, d.file_key FROM json_each(?) j JOIN documents d ON d.id = j.value",
                                      (ids,)))

    def file_texts(self, keys: Iterable[str]) -> dict[str, str]:
        """The text of each of the files, by key, in one query."""
        return dict(self.conn.execute("SELECT f.key, f.text FROM json_each(?) j JOIN files f ON f.key = j.value",
                                      (json.dumps(sorted(set(keys))),)))

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

    def sentences_of(self, doc_ids: Sequence[str]) -> dict[str, list[Sentence]]:
        """:meth:`sentences` of each of the documents, by id: for most of the store's documents in
        one pass over the table (a query per document was most of assembling a corpus's trace)."""
        out: dict[str, list[Sentence]] = {d: [] for d in doc_ids}
        if len(out) < MANY_FILES or 2 * len(out) < self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]:
            return {d: self.sentences(d) for d in out}
        # The table's key is (doc_id, seq): a scan reads each document's sentences in order.
        for doc, s, e, lang in self.conn.execute('SELECT doc_id, start, "end", lang FROM sentences'):
            found = out.get(doc)
            if found is not None:
                found.append(Sentence(doc, s, e, lang))
        return out

    def sentence_counts(self) -> dict[str, int]:
        """Each document's number of sentences, in one query (documents without any left out)."""
        return dict(self.conn.execute("SELECT doc_id, count(*) FROM sentences GROUP BY doc_id"))

    def counts(self) -> dict[str, int]:
        return {table: self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("files", "documents", "sentences")}
