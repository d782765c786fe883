"""The quote index's copy in memory: the candidates FTS5 ranks and the sentences the store reads,
the same, also after another connection adds, reads again or removes documents."""

from __future__ import annotations

import re
import shutil

from conftest import DEMO
from sourcetrace.engines.ingest import ingest
from sourcetrace.quotes import snapshot
from sourcetrace.quotes.index import lexical_text, update_index
from sourcetrace.quotes.snapshot import QuoteSnapshot
from sourcetrace.store.sqlite import Store


def same_as_the_store(copy: QuoteSnapshot, st: Store) -> int:
    """Check every indexed sentence's words as queries both ways; returns how many sentences."""
    state = copy.refresh(st)
    numbers = list(range(0, state.next + 5))
    assert snapshot.labelled_sentences(state, numbers) == st.labelled_sentences(numbers)
    assert list(snapshot.labelled_sentences(state, numbers)[0]) == list(st.labelled_sentences(numbers)[0])
    sentences = st.numbered_sentences(numbers)
    names = list(state.words)
    for num, sent in sentences.items():
        # each sentence's plain words, as the word check before alignment reads them (words.py)
        assert [names[k] for k in state.word_ids[state.word_at[num]:state.word_at[num + 1]]] == \
            re.findall(r"\w+", lexical_text(sent.text))
        words = sorted(set(lexical_text(sent.text).split()))
        counts = st.term_frequencies(words)
        assert snapshot.term_counts(state, set(words)) == {w: counts.get(w, 0) for w in words}
        rare = sorted(counts, key=lambda w: (counts[w], w))
        for terms in (rare[:6], rare[:3], rare, [*rare[:2], "absentword"]):
            for every in (True, False):
                assert snapshot.match(state, terms, 5, every) == st.match_sentences(terms, 5, every=every), terms
    return len(sentences)


def test_the_copy_ranks_and_reads_what_the_store_does_as_documents_come_and_go(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("statement_ar.txt", "report_ar.txt", "bulletin_two_docs.txt"):
        shutil.copy(DEMO / name, corpus / name)
    db = tmp_path / "s.db"
    with Store(db) as st:
        ingest([str(corpus)], st)
        update_index(st, vectors=False)
        copy = QuoteSnapshot.load(st)
        assert QuoteSnapshot.of(st) is copy
        first = same_as_the_store(copy, st)
        # another connection (another process) adds documents, reads one again, removes one
        for name in ("statement_en.txt", "statement_2024_en.txt", "unrelated_en.txt"):
            shutil.copy(DEMO / name, corpus / name)
        (corpus / "report_ar.txt").write_text((DEMO / "report_ar.txt").read_text(encoding="utf-8") + "\nسطر أضيف.\n",
                                              encoding="utf-8")
        with Store(db) as other:
            ingest([str(corpus)], other)
            update_index(other, vectors=False)
        grown = same_as_the_store(copy, st)
        assert grown > first
        with Store(db) as other:  # the store has no command for it: as a file's rows go, with their own
            other.conn.execute("DELETE FROM files WHERE path LIKE '%unrelated_en.txt'")
        assert 0 < same_as_the_store(copy, st) < grown
