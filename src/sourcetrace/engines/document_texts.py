"""File texts of stored documents, read once per file: what typing relations, fact diffs and the
outputs' texts.jsonl read of a trace's documents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sourcetrace.records import Document
from sourcetrace.store.sqlite import Store


class DocumentTexts:
    """File texts of stored documents, read once per file (documents of one file share it)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.by_file: dict[str, str] = {}
        self.file_of: dict[str, str] = {}  # document id -> file key, as :meth:`read_all` found them
        self._sources: dict[str, str] | None = None

    def __call__(self, doc: Document) -> str:
        key = self.file_of.get(doc.id) or self.store.file_of(doc.id) or doc.id
        if key not in self.by_file:
            self.by_file[key] = self.store.document_text(doc.id) or ""
        return self.by_file[key]

    def read_all(self, docs: Sequence[Document]) -> None:
        """The files of all the documents read at once, in two queries (two queries per document
        were most of assembling a corpus's trace)."""
        self.file_of.update(self.store.document_files(d.id for d in docs if d.id not in self.file_of))
        self.by_file.update(self.store.file_texts(k for k in set(self.file_of.values()) if k not in self.by_file))

    def sources(self) -> dict[str, str]:
        """Every stored document's file as read (:meth:`Store.document_sources`), read once: the
        keys of both kinds of results a trace keeps per pair hold it (engines/kept.py), a query
        over every document each."""
        if self._sources is None:
            self._sources = self.store.document_sources()
        return self._sources

    def of(self, docs: Iterable[Document]) -> dict[str, str]:
        """Texts by document id."""
        return {d.id: self(d) for d in docs}

    def by_path(self, docs: Iterable[Document]) -> dict[str, str]:
        """Texts by the documents' file path (texts.jsonl's rows), in the documents' order."""
        return {d.path: self(d) for d in docs}
