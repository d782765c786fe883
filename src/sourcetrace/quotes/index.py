"""The quote index: where search looks for candidate sentences.

Two indexes over every stored sentence, kept up to date by :func:`update_index`: `sourcetrace
index` runs it, and so does any search that finds documents not indexed yet (the first search
after a trace or an upload). `trace` does not wait for it: a corpus traced for its relations never
pays for an index nobody searches. Each batch of documents is indexed in one transaction, so a
killed run leaves a consistent index and the rerun carries on:

- **lexical**: the normalized sentence text (normalize.py: diacritics, alef/ya/ta-marbuta
  variants, digits, case) in a contentless SQLite FTS5 table inside the store, ranked by BM25.
  Finds verbatim and near-verbatim copies in the query's language.
- **vectors**: every sentence's USE-multilingual vector (the fast encoder: ~1,000 sentences/s)
  in a faiss index in a file beside the store (``STORE.quotes.faiss``). Finds translations and
  paraphrases. Up to ``FLAT_UP_TO`` vectors the index is exact (float16, 1 KB a sentence); above
  it the vectors move to an inverted file (IVF, float16 too, ``NPROBE`` lists searched), so a
  query scans a few percent of the vectors.

Both are keyed by sentence numbers that the store hands out per document and never reuses (see
store.py), so an index entry of a document read again simply stops resolving.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from sourcetrace.align.cues import numbers
from sourcetrace.encode import Encoder, get_encoder
from sourcetrace.encode.vectors import encode_cached
from sourcetrace.records import Document, IndexedSentence, Sentence
from sourcetrace.store.locks import held, lock_path
from sourcetrace.store.sqlite import Store
from sourcetrace.text.normalize import normalize_text

VECTOR_ENCODER = "use"
BATCH_DOCS = 500  # documents indexed per transaction
# Vectors: above this many, an inverted file. A scan of every vector is exact but costs about
# 55 ns a vector (142,624 sentences of 10,000 documents: 7.9 ms a query, a fifth of a search);
# the inverted file there costs 0.4 ms and keeps 98% of the exact 20 nearest (99.6% of the 5
# nearest) with NPROBE lists searched of its 1,510; bench/search.py's recall@10 is unchanged.
FLAT_UP_TO = 50_000
NPROBE = 48
# float16 codes, as in the exact index: with 8-bit codes the cosines moved enough to reorder hits
# (bench/search.py at 10,000 documents: near-verbatim recall@10 0.82 -> 0.80; float16 keeps 0.82)
IVF_CODES = "SQfp16"
TRAIN_PER_LIST = 40  # training vectors per inverted list (faiss asks for at least 39)
IVF_BLOCK = 50_000  # vectors read back at a time when moving to the inverted file
SAVE_AT_LEAST = 50_000  # vectors added between two writes of the index file (see VectorIndex.update)


def lexical_text(text: str) -> str:
    """What the FTS index holds of a sentence (and what a query is matched as)."""
    return normalize_text(text)


def update_index(store: Store, *, vectors: bool = True, encoder: Encoder | None = None,
                 progress: Callable[[int], None] | None = None) -> int:
    """Add the sentences of every document not yet indexed; returns how many documents were added.

    One process at a time (a lock beside the store): two processes indexing the same documents
    would give them two sets of numbers, and the later write of the vector file would drop the
    vectors only the other one added. A process that waited finds the work done."""
    with held(lock_path(store.path, "quotes")):
        return _update_index(store, vectors, encoder, progress)


def _update_index(store: Store, vectors: bool, encoder: Encoder | None,
                  progress: Callable[[int], None] | None) -> int:
    added = 0
    while ids := store.unindexed_documents(BATCH_DOCS):
        rows = []
        for doc_id, sents in _documents_sentences(store, ids):
            rows.append((doc_id, [lexical_text(s.text) for s in sents], sents))
        store.put_quote_index(rows)
        added += len(rows)
        if progress:
            progress(len(rows))
    # Documents indexed before their sentences were kept for search: the same numbers, so the
    # words and vectors indexed under them stand.
    while todo := store.quote_documents_without_sentences(BATCH_DOCS):
        firsts = {doc_id: first for doc_id, first, _ in todo}
        store.put_quote_sentences([(firsts[doc_id], sents)
                                   for doc_id, sents in _documents_sentences(store, list(firsts))])
    if vectors:
        VectorIndex.of(store).update(store, encoder)
    return added


def indexed_sentences(doc: Document, text: str, sentences: Sequence[Sentence]) -> list[IndexedSentence]:
    """A document's sentences as the quote index keeps them (`text`: its file's text)."""
    out = []
    for s in sentences:
        lang = s.lang or doc.lang
        stext = text[s.start:s.end]
        out.append(IndexedSentence(doc.id, s.start, s.end, lang, stext, tuple(numbers(stext, lang))))
    return out


def _documents_sentences(store: Store, ids: Sequence[str]) -> list[tuple[str, list[IndexedSentence]]]:
    """The indexed sentences of each document of `ids` that exists."""
    out = []
    texts: dict[str, str] = {}
    for doc_id in ids:
        doc = store.document(doc_id)
        if doc is None:
            continue
        if doc.path not in texts:  # one file may hold many documents (JSONL): read it once
            texts = {doc.path: store.document_text(doc_id) or ""}
        out.append((doc_id, indexed_sentences(doc, texts[doc.path], store.sentences(doc_id))))
    return out


def needs_index(store: Store, *, vectors: bool = True) -> bool:
    """Whether a document is missing from the index (cheap lookups, so every search can ask)."""
    if store.unindexed_documents(1) or store.quote_documents_without_sentences(1):
        return True
    if not vectors:
        return False
    if store.quote_documents_without_vectors(1):
        return True
    index = VectorIndex.of(store)
    # sentences marked as in the vector index while its file is empty or gone: index them again;
    # an exact index grown past FLAT_UP_TO (made by an earlier version): move it to an inverted file
    return (store.has_indexed_vectors() and index.size == 0) or index.outgrown()


def unindexed_count(store: Store) -> int:
    """Documents whose words are not indexed yet: what a progress bar of :func:`update_index` counts."""
    return len(store.unindexed_documents(-1))


class VectorIndex:
    """Sentence vectors of one store, searchable by inner product (cosine: vectors are unit)."""

    _open: dict[str, VectorIndex] = {}
    _named: dict[str, VectorIndex] = {}
    _open_lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        import faiss

        # One query at a time: OpenMP's thread start-up costs more than the scan (20 ms vs 1 ms).
        faiss.omp_set_num_threads(1)
        self.path = path
        self.lock = threading.RLock()
        self.index = None
        self.mtime = 0.0
        self.mapped = False
        self._reload()

    @classmethod
    def of(cls, store: Store) -> VectorIndex:
        """The (shared, per process) vector index beside `store`."""
        # A search asks three times: an absolute path as the store names it is remembered too,
        # since resolving it (a system call per component) cost more than the rest of the look-up.
        given = str(store.path)
        found = cls._named.get(given)
        if found is not None:
            return found
        path = store.path.with_name(store.path.name + ".quotes.faiss")
        with cls._open_lock:
            key = str(path.resolve())
            if key not in cls._open:
                cls._open[key] = cls(path)
            if store.path.is_absolute():  # a relative one names another file after a chdir
                cls._named[given] = cls._open[key]
            return cls._open[key]

    def _reload(self, writable: bool = False) -> None:
        import faiss

        mtime = self.file_mtime()
        if not mtime:
            self.index, self.mtime = None, 0.0
            return
        if mtime != self.mtime or (writable and self.mapped):
            # Searching maps the file's vectors instead of copying them: the worker processes of
            # a web app then share one copy in the page cache (150 MB at 10,000 documents). An
            # index that is added to is read whole.
            index = faiss.read_index(str(self.path), 0 if writable else faiss.IO_FLAG_MMAP_IFC)
            if isinstance(index, faiss.IndexIVF):
                index.nprobe = NPROBE
            self.index, self.mtime, self.mapped = index, mtime, not writable

    def file_mtime(self) -> float:
        """When the index file was last written (0 when there is none)."""
        try:
            return self.path.stat().st_mtime
        except FileNotFoundError:
            return 0.0

    def outgrown(self) -> bool:
        """An exact index holding more than FLAT_UP_TO vectors."""
        import faiss

        return self.size > FLAT_UP_TO and not isinstance(self.index, faiss.IndexIVF)

    @property
    def size(self) -> int:
        return 0 if self.index is None else int(self.index.ntotal)

    def update(self, store: Store, encoder: Encoder | None = None) -> int:
        """Encode and add the sentences of indexed documents that have no vectors yet.

        The file is written when the vectors added since the last write are as many as those it
        held (and at the end): rewriting it after every batch made a large corpus write its
        index hundreds of times. A killed run loses at most the unsaved half, whose documents are
        still marked as without vectors (any of their vectors the file holds are replaced), and their
        sentence vectors stay cached in the store."""
        enc = encoder or get_encoder(VECTOR_ENCODER)
        added = 0
        with self.lock:
            self._reload(writable=True)
            if self.index is None:
                store.reset_vectors_indexed()  # no file yet, or it was lost: every document again
            elif self.outgrown():
                self._to_ivf(np.zeros((0, self.index.d), np.float32), np.zeros(0, np.int64))
                self._save()
            todo = store.quote_documents_without_vectors(None)
            if self.index is not None and todo:
                # A run killed after writing the file but before marking its documents left their
                # vectors in it: without this they would be added twice (one scan of the index).
                self._remove(np.asarray([k for _, first, n in todo for k in range(first, first + n)], np.int64))
            unsaved: list[str] = []
            since_save = 0
            for i in range(0, len(todo), BATCH_DOCS):
                ids: list[int] = []
                texts: list[str] = []
                for doc_id, first, n in todo[i:i + BATCH_DOCS]:
                    text = store.document_text(doc_id) or ""
                    sents = store.sentences(doc_id)[:n]
                    texts += [text[s.start:s.end] for s in sents]
                    ids += range(first, first + len(sents))
                    unsaved.append(doc_id)
                vecs = encode_cached(enc, texts, store, keep=False) if texts else np.zeros((0, enc.dim), np.float32)
                self._add(vecs, np.asarray(ids, dtype=np.int64))
                added += len(ids)
                since_save += len(ids)
                last = i + BATCH_DOCS >= len(todo)
                if last or since_save >= max(SAVE_AT_LEAST, self.index.ntotal - since_save if self.index else 0):
                    self._save()
                    store.mark_vectors_indexed(unsaved)
                    unsaved, since_save = [], 0
        return added

    def _add(self, vecs: np.ndarray, ids: np.ndarray) -> None:
        import faiss

        if len(ids) == 0:
            return
        if self.index is None:
            self.index = faiss.index_factory(vecs.shape[1], "IDMap2,SQfp16", faiss.METRIC_INNER_PRODUCT)
        if not isinstance(self.index, faiss.IndexIVF) and self.index.ntotal + len(ids) > FLAT_UP_TO:
            self._to_ivf(vecs, ids)
            return
        self.index.add_with_ids(np.ascontiguousarray(vecs, dtype=np.float32), ids)

    def _remove(self, ids: np.ndarray) -> None:
        import faiss

        if len(ids) and self.index.ntotal:
            self.index.remove_ids(faiss.IDSelectorBatch(ids))

    def _to_ivf(self, vecs: np.ndarray, ids: np.ndarray) -> None:
        """Move every vector so far, and the new ones, into a trained inverted file. The old
        vectors are read back a block at a time (all of them at once, and a stacked copy, were
        most of a large trace's peak memory)."""
        import faiss

        old_ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        n_old, total = len(old_ids), len(old_ids) + len(ids)
        nlist = max(64, int(4 * math.sqrt(total)))
        index = faiss.index_factory(vecs.shape[1], f"IVF{nlist},{IVF_CODES}", faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        pick = rng.choice(total, size=min(total, TRAIN_PER_LIST * nlist), replace=False)
        sample = np.empty((len(pick), vecs.shape[1]), dtype=np.float32)
        new = pick >= n_old
        sample[new] = vecs[pick[new] - n_old]
        for s in range(0, n_old, IVF_BLOCK):
            block = self.index.index.reconstruct_n(s, min(IVF_BLOCK, n_old - s))
            here = (pick >= s) & (pick < s + len(block))
            sample[here] = block[pick[here] - s]
        index.train(sample)
        del sample
        for s in range(0, n_old, IVF_BLOCK):
            block = self.index.index.reconstruct_n(s, min(IVF_BLOCK, n_old - s))
            index.add_with_ids(np.ascontiguousarray(block, dtype=np.float32), old_ids[s:s + len(block)])
        self.index = None  # the flat index is no longer needed: free it before the new vectors go in
        if len(ids):
            index.add_with_ids(np.ascontiguousarray(vecs, dtype=np.float32), ids)
        index.nprobe = NPROBE
        self.index = index

    def _save(self) -> None:
        import faiss

        tmp = self.path.with_name(self.path.name + ".tmp")
        faiss.write_index(self.index, str(tmp))
        os.replace(tmp, self.path)  # readers never see half a file
        self.mtime = self.path.stat().st_mtime

    def search(self, vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The `k` nearest sentence numbers to one unit vector, with their cosines."""
        import faiss

        # OpenMP's thread count is a setting of each calling thread: a web worker searches in
        # its thread pool's threads, where faiss would otherwise start a team of one thread per
        # core for every query, whose spinning cost the server 20 ms of CPU a search (2,000
        # documents: 43 ms a request, 23 ms with one thread).
        faiss.omp_set_num_threads(1)
        with self.lock:
            self._reload()
            if self.index is None or self.index.ntotal == 0:
                return []
            scores, ids = self.index.search(np.ascontiguousarray(vec.reshape(1, -1), dtype=np.float32), k)
        # as Python numbers at once (numpy's scalars one by one cost more than the rest of this)
        return [(i, s) for i, s in zip(ids[0].tolist(), scores[0].tolist(), strict=True) if i >= 0]
