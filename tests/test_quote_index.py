"""The quote index: words in FTS5 inside the store, vectors in faiss beside it, both incremental."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from conftest import DEMO
from sourcetrace.engines.ingest import ingest
from sourcetrace.quotes import index as quote_index
from sourcetrace.quotes.index import VectorIndex, lexical_text, update_index
from sourcetrace.store.sqlite import Store


class FakeEncoder:
    """Deterministic unit vectors from the text's hash: no model needed."""

    name, dim = "fake", 16

    def encode(self, texts):
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(self.dim) for t in texts]
        x = np.asarray(rows, dtype=np.float32).reshape(-1, self.dim)
        return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_words_are_indexed_once_and_found(tmp_path):
    with Store(tmp_path / "s.db") as st:
        ingest([str(DEMO)], st)
        n_docs = st.counts()["documents"]
        assert update_index(st, vectors=False) == n_docs
        assert update_index(st, vectors=False) == 0  # nothing new
        doc = next(st.documents())
        sent = st.sentences(doc.id)[0]
        text = st.span_text(doc.id, sent.start, sent.end)
        words = lexical_text(text).split()
        freq = st.term_frequencies(words)
        assert freq and all(n >= 1 for n in freq.values())
        found = st.numbered_sentences(st.match_sentences(sorted(freq, key=freq.get)[:5], 10))
        assert any(s.doc == doc.id and (s.start, s.end) == (sent.start, sent.end) and s.text == text
                   for s in found.values())


def test_a_file_read_again_is_indexed_again_and_its_old_numbers_stop_resolving(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("The first statement about the water plan was issued today in the capital.\n", encoding="utf-8")
    with Store(tmp_path / "s.db") as st:
        ingest([str(src)], st)
        update_index(st, vectors=False)
        old = st.match_sentences(["water"], 10)
        assert len(st.numbered_sentences(old)) == 1
        src.write_text("A second statement about the water plan replaced the first one entirely.\n", encoding="utf-8")
        ingest([str(src)], st)
        assert update_index(st, vectors=False) == 1
        assert st.numbered_sentences(old) == {}
        new = st.numbered_sentences(st.match_sentences(["water"], 10))
        assert [s.text for s in new.values()] == ["A second statement about the water plan replaced the first one entirely."]


def test_vectors_are_added_incrementally_and_persisted(tmp_path):
    enc = FakeEncoder()
    db = tmp_path / "s.db"
    with Store(db) as st:
        ingest([str(DEMO / "statement_en.txt")], st)
        update_index(st, encoder=enc)
        index = VectorIndex.of(st)
        first = index.size
        assert first == sum(len(st.sentences(d.id)) for d in st.documents())
        ingest([str(DEMO / "statement_ar.txt")], st)
        update_index(st, encoder=enc)
        assert index.size > first
        doc = next(st.documents())
        sent = st.sentences(doc.id)[0]
        vec = enc.encode([st.span_text(doc.id, sent.start, sent.end)])[0]
        (num, cos), *_ = index.search(vec, 3)
        assert abs(cos - 1) < 1e-2 and st.numbered_sentences([num])[num].doc == doc.id
    # Another process (a fresh object over the same file) sees the same index.
    assert VectorIndex(index.path).size == index.size


def _indexed_demo(st: Store, enc: FakeEncoder) -> VectorIndex:
    """The demo's English statement read into `st` and indexed with `enc`."""
    ingest([str(DEMO / "statement_en.txt")], st)
    update_index(st, encoder=enc)
    return VectorIndex.of(st)


def test_a_lost_vector_file_is_rebuilt(tmp_path):
    enc = FakeEncoder()
    with Store(tmp_path / "s.db") as st:
        index = _indexed_demo(st, enc)
        size = index.size
        index.path.unlink()
        update_index(st, encoder=enc)
        assert index.size == size


def test_a_large_index_moves_to_an_inverted_file(tmp_path, monkeypatch):
    monkeypatch.setattr(quote_index, "FLAT_UP_TO", 60)
    monkeypatch.setattr(quote_index, "IVF_BLOCK", 7)  # old vectors read back in several blocks
    monkeypatch.setattr(quote_index, "BATCH_DOCS", 2)  # and written at doubling intervals
    enc = FakeEncoder()
    corpus = tmp_path / "c"
    shutil.copytree(DEMO, corpus)
    with Store(tmp_path / "s.db") as st:
        ingest([str(corpus)], st)
        update_index(st, encoder=enc)
        index = VectorIndex.of(st)
        import faiss

        assert isinstance(index.index, faiss.IndexIVF)
        assert index.size == st.counts()["sentences"]
        assert st.quote_documents_without_vectors(None) == []  # every document saved and marked
        # Every old vector went over: a sentence finds itself.
        (first,) = st.conn.execute("SELECT first FROM quote_docs ORDER BY first LIMIT 1").fetchone()
        text = st.numbered_sentences([first])[first].text
        hits = index.search(enc.encode([text])[0], 1)
        assert hits and hits[0][0] == first


def test_the_index_says_when_new_documents_wait(tmp_path):
    # trace leaves the index to the first search (issue 18): the search must see what is new cheaply.
    enc = FakeEncoder()
    with Store(tmp_path / "s.db") as st:
        ingest([str(DEMO / "statement_en.txt")], st)
        assert quote_index.needs_index(st) and quote_index.unindexed_count(st) == 1
        update_index(st, vectors=False)
        assert not quote_index.needs_index(st, vectors=False)
        assert quote_index.needs_index(st)  # words indexed, vectors not yet
        update_index(st, encoder=enc)
        assert not quote_index.needs_index(st)
        ingest([str(DEMO / "statement_ar.txt")], st)
        assert quote_index.needs_index(st) and quote_index.unindexed_count(st) == 1
        update_index(st, encoder=enc)
        VectorIndex.of(st).path.unlink()  # the file beside the store lost: index its vectors again
        VectorIndex.of(st)._reload()
        assert quote_index.needs_index(st)


def test_a_run_killed_between_writing_vectors_and_marking_them_adds_them_once(tmp_path, monkeypatch):
    import faiss

    enc = FakeEncoder()
    with Store(tmp_path / "s.db") as st:
        ingest([str(DEMO / "statement_en.txt")], st)

        def killed(doc_ids):  # the index file is written; the documents are not marked
            raise KeyboardInterrupt

        monkeypatch.setattr(st, "mark_vectors_indexed", killed)
        with pytest.raises(KeyboardInterrupt):
            update_index(st, encoder=enc)
        monkeypatch.undo()
        monkeypatch.setattr(VectorIndex, "_open", {})  # the rerun is another process: it reads the file
        update_index(st, encoder=enc)
        ids = faiss.vector_to_array(VectorIndex.of(st).index.id_map).tolist()
        assert len(ids) == len(set(ids)) == st.counts()["sentences"]
        assert st.quote_documents_without_vectors(None) == []


def test_a_search_from_another_thread_runs_faiss_on_that_one_thread(tmp_path):
    # a web worker searches from its thread pool: OpenMP's thread count is each thread's own
    import threading

    import faiss

    enc = FakeEncoder()
    with Store(tmp_path / "s.db") as st:
        index = _indexed_demo(st, enc)
        seen: list[int] = []

        def searcher() -> None:
            faiss.omp_set_num_threads(4)  # what a new thread may start with (one per core)
            index.search(enc.encode(["a query"])[0], 3)
            seen.append(faiss.omp_get_max_threads())

        t = threading.Thread(target=searcher)
        t.start()
        t.join()
        assert seen == [1]


def test_a_store_indexed_before_sentences_were_kept_gains_them_under_the_same_numbers(tmp_path):
    with Store(tmp_path / "s.db") as st:
        ingest([str(DEMO)], st)
        update_index(st, vectors=True, encoder=FakeEncoder())
        before = st.conn.execute("SELECT * FROM quote_sentences ORDER BY num").fetchall()
        vectors = VectorIndex.of(st).size
        st.conn.execute("DELETE FROM quote_sentences")  # what an older sourcetrace left
        assert quote_index.needs_index(st)
        assert update_index(st, vectors=True, encoder=FakeEncoder()) == 0  # no document indexed again
        assert st.conn.execute("SELECT * FROM quote_sentences ORDER BY num").fetchall() == before
        assert VectorIndex.of(st).size == vectors and not quote_index.needs_index(st)
