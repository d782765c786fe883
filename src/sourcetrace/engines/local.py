"""The local engine: the pipeline's stages run in this process and its workers, with the store
as cache and checkpoint.

A stage (:mod:`sourcetrace.pipeline`) receives and returns records; this runner decides what comes
from the store and what is written back. What each document costs is computed once and kept
(sentence vectors, topic vector, candidate features, aligned pairs with their passages), in
batches, so a killed run keeps what it computed and a rerun over a grown corpus computes only
what its new documents need. The cheap corpus-wide steps (banding, rare terms, typing relations,
facts) run again over the cached features, so the answers equal a fresh run's over the same files.
"""

from __future__ import annotations

import gc
import hashlib
import json
import marshal
import os
import pickle
import select
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, Sequence, Set, ValuesView
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from sourcetrace import pipeline
from sourcetrace.align.pair import DEFAULT_THRESHOLD
from sourcetrace.candidates import neighbours as neighbour_lists
from sourcetrace.candidates import votes
from sourcetrace.candidates.neighbours import Neighbours
from sourcetrace.candidates.pairs import (
    FEATURES_VERSION,
    Banding,
    DocFeatures,
    DocInput,
    features_from_bytes,
    features_to_bytes,
    kept_features_from_bytes,
    kept_features_to_bytes,
    kept_features_version,
    quote_bands_from_bytes,
    quote_bands_to_bytes,
    quote_bands_version,
)
from sourcetrace.encode import Encoder, get_encoder
from sourcetrace.encode.static import RowMemo
from sourcetrace.encode.vectors import StoreVectors
from sourcetrace.engines.corpus_files import CorpusFiles, write_from_store
from sourcetrace.engines.document_texts import DocumentTexts
from sourcetrace.engines.ingest import ReadReport, ingest
from sourcetrace.engines.kept import (
    KeptPairs,
    digest,
    fact_diff_rows,
    fact_diffs_of_rows,
    row_of,
)
from sourcetrace.engines.workers import (
    FACT_CHUNK,
    FEATURE_CHUNK,
    MIN_FACT_DOCS,
    MIN_PAIRS,
    MIN_VOTE_DOCS,
    VOTE_CHUNK,
    DocumentWork,
    PairWork,
    align_pairs,
    default_workers,
    diff_chunk,
    document_facts,
    in_workers,
)
from sourcetrace.outputs import CORPUS_FILES, output_set, write_corpus_files
from sourcetrace.pipeline import Pairs, Trace
from sourcetrace.readers import DEFAULT_MAX_BYTES
from sourcetrace.records import Document, Fact, FactDiff, Passage, Relation, Sentence, in_bulk, pair_key
from sourcetrace.relate.columns import KeptCosines, Relations
from sourcetrace.relate.relations import PairText
from sourcetrace.store.schema import FEATURES_KEPT, FEATURES_KIND
from sourcetrace.store.sqlite import Store

DOC_BATCH = 2000  # documents whose topic vector or features are computed (and stored) at a time
SENTENCE_BATCH = 500  # documents whose sentences are encoded (and stored) at a time
TOPIC_COSINES = "topic cosines of pairs"  # a run's typed pairs' cosines, kept for the next (relate/columns.py)
# What a kept cosine depends on besides its vectors (their digests are kept with it): the layout,
# and numpy's products (not the rest of the code: a kept pair's relation is under code_version()).
TOPIC_COSINES_VERSION = f"1:numpy {np.__version__}"
# Documents to encode from which encoder worker processes pay their start: two workers took 2.2 s
# to start (a model load each) and encode about 720 sentences a second each, about 15 sentences a
# document, so the pool gains from about 210 documents.
MIN_POOL_DOCS = 300


@dataclass
class Progress:
    """How a caller hears about a long run: the stage's name, its total, and steps done; and
    ``inside``, how far a long pair of the align stage has got (engines/workers.py ``Within``: a, b,
    what it is at or None once done, done, total), since two books are one step of the stage."""

    stage: Callable[[str], None] | None = None
    total: Callable[[int], None] | None = None
    advance: Callable[[int], None] | None = None
    inside: Callable[[str, str, str | None, int, int], None] | None = None

    def start(self, name: str, total: int | None = None) -> None:
        if self.stage:
            self.stage(name)
        if total is not None and self.total:
            self.total(total)

    def step(self, n: int = 1) -> None:
        if self.advance:
            self.advance(n)


QUIET = Progress()


def trace(inputs: Sequence[str], store: Store, *, encoder: Encoder | None = None,
          threshold: float = DEFAULT_THRESHOLD, max_bytes: int = DEFAULT_MAX_BYTES,
          progress: Progress = QUIET, facts: str = pipeline.DIFFED_FACTS,
          out: Path | None = None, corpus: bool = True) -> tuple[ReadReport, Trace]:
    """Read the inputs into the store and trace their documents: every stage of
    :mod:`sourcetrace.pipeline`; ``facts``, ``out``, ``corpus``: see :func:`trace_documents`."""
    report = ingest(inputs, store, max_bytes=max_bytes, workers=default_workers())
    docs = list(store.documents(report.files))
    return report, trace_documents(store, docs, encoder=encoder, threshold=threshold, progress=progress, facts=facts,
                                   out=out, corpus=corpus)


def trace_documents(store: Store, docs: Sequence[Document], *, encoder: Encoder | None = None,
                    threshold: float = DEFAULT_THRESHOLD, progress: Progress = QUIET,
                    facts: str = pipeline.DIFFED_FACTS, out: Path | None = None, corpus: bool = True) -> Trace:
    """The stages after reading, over stored documents (the quote index is left to the first
    search: :func:`sourcetrace.quotes.search.ensure_indexed`). ``encoder`` None:
    :func:`pipeline.alignment_encoder` picks it. ``facts``: whose facts the trace holds
    (:data:`pipeline.FACTS_CHOICES`): :data:`pipeline.DIFFED_FACTS`, those of the documents of
    the pairs whose facts it diffs, or :data:`pipeline.ALL_FACTS`, every document's. With
    ``out``, the trace's output set is written there too (:func:`pipeline.outputs`), while the
    store takes its relations: the same files as writing it after, sooner. ``corpus`` False: the
    Trace's ``sentences`` and ``texts`` are left empty, for a caller that reads neither (the
    command line: its output set and the store hold them); reading a corpus's sentences and texts
    back from the store as records was a fifth of a +1% rerun's CPU outside its stages."""
    every_fact = pipeline.every_fact(facts)
    docs = list(docs)
    # Voting vectors need only the documents: they start now, in worker processes, and run
    # beside the stages this process runs alone (topics, candidates); so do every document's
    # facts when all are asked for (most documents are in no fact diff: the others' wait for
    # the candidates, :func:`_trace_stages`).
    work = DocumentWork(store, default_workers())
    chosen = pipeline.alignment_encoder(encoder, len(docs))
    pool = PairWork(store, chosen, threshold, default_workers())  # the encode stage's and alignment's
    # The facts begun after candidates share the cores with the pair workers, at their priority:
    # below it they waited for alignment's end, and the stages after it for them.
    after = DocumentWork(store, default_workers(), nice=0)
    ahead = AlignAhead(store, docs, chosen, threshold, pool)
    try:
        features_ahead(store, docs, work)
        votes_ahead(store, docs, work)
        pending_facts = FactsOf(docs, store, work=work) if every_fact else None
        # The pair workers' start-up (a model load each) where the document workers leave the
        # cores idle: this process alone is searching candidates then, most often.
        work.when_done(pool.warm)
        return _trace_stages(store, docs, chosen, threshold, progress, pending_facts, work, pool, after, ahead, out,
                             corpus)
    finally:
        ahead.stop()  # a failed trace submits no more pairs
        pool.close()
        work.close()
        after.close()


def _trace_stages(store: Store, docs: list[Document], chosen: Encoder | None, threshold: float,
                  progress: Progress, pending_facts: FactsOf | None, work: DocumentWork, pool: PairWork,
                  after: DocumentWork, ahead: AlignAhead, out: Path | None = None, corpus: bool = True) -> Trace:
    progress.start("topics")
    topics = topic_vectors(store, docs)
    progress.start("candidates")
    every_fact = pending_facts is not None
    # Facts are diffed only between documents that share passages, which only the pairs to align
    # can give (planted 25,000: 8,206 documents in them, 8,191 in a fact diff): theirs begin as
    # those pairs become known.
    facts_pending = pending_facts or FactsOf([], store, work=after)

    def known(same_language: list[tuple[str, str]]) -> None:
        # While this process casts the ballots one core idles, the document workers with it: the
        # same-language pairs to align begin aligning in the pair workers (one chunk at a time),
        # and their documents' facts (most of those a trace diffs) in the document workers,
        # below this process's priority.
        ahead.start(same_language)
        if not every_fact:
            facts_pending.add(aligned_documents(docs, same_language), work)

    pairs = candidate_sets(store, docs, topics, work, known)
    if not every_fact:
        # The other documents' facts begin now, beside the encode stage and alignment, at the pair
        # workers' priority (below it they waited for alignment's end, and the stages after it).
        facts_pending.add(aligned_documents(docs, pairs.aligned), after)
    # The full encoder only for what alignment reads whole: every sentence of a document in a
    # cross-language pair to align. Same-language pairs encode on demand only the sentences their
    # shared wording leaves unexplained (align.pair), most of a copy being reuse; with no encoder
    # chosen (a small corpus) align picks one per pair. The stage is announced either way, so the
    # log names the same stages on every run.
    need = pipeline.encoded_documents(docs, pairs.aligned) if chosen is not None else []
    facts_pending.release()  # most often done by now: the encoder's and aligner's workers come next
    ahead.stop()  # the encode stage's batches first: none queue behind pairs aligned ahead
    progress.start("encode", len(need))
    if need:  # in the workers that align next: one spawn and model load for both
        sentence_vectors(store, need, progress.step, encoder=chosen, pool=pool)
    facts_pending.release()
    passages = align_all(store, docs, encoder=chosen, threshold=threshold, pairs=pairs.aligned, trial=pairs.trial,
                         progress=progress, pool=pool, aligned_ahead=ahead.join())  # announces "align" with its total
    progress.start("relate")
    texts = DocumentTexts(store)  # read once for typing and the fact diffs
    with in_bulk(), ThreadPoolExecutor(1) as beside:  # facts, diffs and relations of the whole corpus, as records
        # The pairs diffed are the related ones that share passages: those that may be are known
        # now (every pair typed sharing passages is related so far), and are diffed in the pair
        # workers while this process types the relations (one core idled through both before).
        grouped = pipeline.diffable(docs, passages)
        maybe = pipeline.diffed_pairs(docs, passages, sorted(tuple(sorted(k)) for k in grouped if len(k) == 2), grouped)
        facts = facts_pending.result(texts, None if every_fact else diffed_documents(docs, maybe))
        diffing = FactDiffs(store, docs, maybe, facts, texts, pool)
        typed = relate_all(store, docs, passages, topics, pairs.related, texts, pairs.ran)
        progress.start("facts")
        # The pairs typed are in order, each the smaller id first, as `maybe`'s: those of them typed.
        diffed = [m for m in maybe if typed.holds(m[0], m[1])]
        if not every_fact and len(diffed) < len(maybe):  # a pair sharing passages typed as none: its facts unwritten
            facts = StoredFacts([d.id for d in diffed_documents(docs, diffed)], facts.stored, facts.made)
        diffs = diffing.result(diffed)
        pool.close()  # its workers' memory, before the stages still to come
        # Directions read the fact diffs; only then are relations final, and stored: beside the
        # rest, which reads only records and the store's other tables (the trace returns once stored).
        relations = pipeline.direct(docs, typed, diffs)
        rows = relations.row_columns()  # the topic relations' rows in columns: coded so by the store

        def put(st: Store) -> int:
            return st.put_relation_rows([d.id for d in docs], rows)

        fams = pipeline.families(docs, relations)
        progress.start("done")
        # The relations are stored by a process of their own (engines/corpus_files.py), on the other
        # core, which then writes some of the files the corpus's reading decided, from the store,
        # while this one writes the rest (else a thread of this one stores them).
        stored: Future | None = None
        early: CorpusFiles | None = None
        try:
            with (output_set(out) if out is not None else nullcontext()) as staged, \
                    CorpusFiles(store, docs, staged, relations=rows) as early:
                if not early.relations:
                    stored = _store_beside(beside, store, put)
                trace = Trace(docs, [], passages, relations, fams, facts, diffs,
                              pipeline.run_settings("trace", chosen, threshold), pairs)
                if corpus:
                    trace.sentences, trace.texts = _corpus_records(store, docs, texts)
                if staged is not None:
                    # Beside the relations being stored, by that process (or a thread of this one, which
                    # mostly waits on SQLite and the disk with the GIL let go).
                    pipeline.write_outputs(trace, staged, corpus_files=False)

                    def write_here(names: Sequence[str]) -> None:
                        if corpus:
                            write_corpus_files(staged, trace.documents, trace.sentences, trace.texts, names)
                        else:
                            write_from_store(store, docs, staged, names, texts)

                    write_here([name for name in CORPUS_FILES if name not in early.files])
                    if early.files and not early.written():
                        write_here(early.files)
        finally:  # not stored by that process (not started, failed, or the block failed): here
            if stored is None and not (early is not None and early.stored()):
                stored = _store_beside(beside, store, put)
        if stored is not None:
            stored.result()
    return trace


def _corpus_records(store: Store, docs: Sequence[Document], texts: DocumentTexts) -> tuple[list[Sentence], dict[str, str]]:
    """Every sentence of the documents, as records, in their order, and their files' texts by path
    (a Trace's ``sentences`` and ``texts``), read from the store."""
    # every document's sentences, as records: the collector walking them was half of this step
    by_doc = store.sentences_of([d.id for d in docs])
    texts.read_all(docs)
    return [s for d in docs for s in by_doc[d.id]], texts.by_path(docs)


def _store_beside(beside: Executor, store: Store, write: Callable[[Store], object]) -> Future:
    """`write` to the store in ``beside``'s thread over a connection of its own: SQLite lets go
    of the GIL while it writes (a fresh 25k trace's 340k relations, seconds of a core that was
    idle), and WAL lets this process's connection read meanwhile. A store that is no file (an
    in-memory one has no second connection) is written here."""
    if not store.path.is_file():
        done: Future = Future()
        done.set_result(write(store))
        return done

    def written() -> object:
        with Store(store.path) as own:
            return write(own)

    return beside.submit(written)


# -- the store's side of each stage ----------------------------------------------------------------
def doc_inputs(store: Store, docs: Sequence[Document]) -> list[DocInput]:
    """What candidate search reads of each document (:func:`pipeline.doc_input`), from the store;
    documents of one file (a JSONL of many records) read its text once."""
    texts = DocumentTexts(store)
    return [pipeline.doc_input(d, texts(d), store.sentences(d.id)) for d in docs]


def _per_document(store: Store, kind: str, version: str, docs: Sequence[Document],
                  compute: Callable[[list[DocInput]], dict[str, bytes]],
                  progress: Callable[[int], None] | None = None, batch: int = DOC_BATCH,
                  stores: bool = False) -> dict[str, bytes]:
    """A per-document result cached in the store: computed for the documents that lack it, in
    batches (memory stays bounded on a large corpus, and a killed run keeps what it computed).
    ``stores``: ``compute`` stores its results itself."""
    found = store.cached(kind, version, [d.id for d in docs])
    missing = [d for d in docs if d.id not in found]
    if progress and len(found):
        progress(len(docs) - len(missing))
    for i in range(0, len(missing), batch):
        fresh = compute(doc_inputs(store, missing[i:i + batch]))
        if not stores:
            store.put_cached(kind, version, fresh.items())
        found.update(fresh)
        if progress:
            progress(len(missing[i:i + batch]))
    return found


def put_in_batches(store: Store, kind: str, version: str, items: Iterable[tuple[str, bytes]]) -> None:
    """Per-document results cached as they come, ``DOC_BATCH`` at a time: a killed run keeps what
    was computed, and memory stays bounded."""
    batch: list[tuple[str, bytes]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= DOC_BATCH:
            store.put_cached(kind, version, batch)
            batch = []
    store.put_cached(kind, version, batch)


def sentence_vectors(store: Store, docs: Sequence[Document], progress: Callable[[int], None] | None = None,
                     encoder: Encoder | None = None, workers: int = 1, pool: PairWork | None = None) -> None:
    """Every sentence of the documents encoded once (the fast encoder unless one is given) and
    cached in the store, in large batches: alignment workers and the quote index read them from
    there, and a document in many pairs is encoded once, not per pair. With at least
    ``MIN_POOL_DOCS`` documents to encode, the encoder's batches run in ``pool``'s processes (the
    alignment's, holding the same encoder) or, without one, in ``workers`` processes of its own
    when more than one (the same batches, so the same vectors)."""
    enc = encoder or get_encoder(pipeline.FAST_ENCODER)
    missing = len(docs) - len(store.cached("encoded", enc.name, [d.id for d in docs]))
    with nullcontext(pool) if pool is not None else PairWork(store, enc, DEFAULT_THRESHOLD, workers) as work:
        run = work.runner() if missing >= MIN_POOL_DOCS else None
        vectors = StoreVectors(store, run=run)

        def compute(inputs: list[DocInput]) -> dict[str, bytes]:
            pipeline.encode([s for d in inputs for s in d.sentences], encoder=enc, vectors=vectors)
            return {d.id: b"" for d in inputs}  # a mark: this document's sentences are in the cache

        _per_document(store, "encoded", enc.name, docs, compute, progress, SENTENCE_BATCH)


def topic_vectors(store: Store, docs: Sequence[Document]) -> dict[str, np.ndarray]:
    """Each document's topic vector (:func:`pipeline.topics`), cached per document in the store
    (its static sentence vectors are not: recomputing them costs less than storing them); the
    voting vectors its sentence vectors give (:func:`pipeline.votes_of_topics`: a document of
    up to ``votes.VOTE_SENTENCES`` sentences) stored too, which :func:`votes_ahead` leaves to it.
    A batch is stored beside the next one's computing (:func:`_store_beside`: 380 MB of voting
    vectors at 25,000 documents, a sixth of the stage in this thread), one batch at a time;
    texts met again in later batches keep their rows (:class:`RowMemo`: the same bits)."""
    memo = RowMemo()
    # No cycles among what the stage makes (inputs, piece lists, rows), but the collector ran
    # every few hundred of them over every object alive (sentencepiece's lists of piece ids most).
    with in_bulk(), ThreadPoolExecutor(1) as beside:
        writing: list[Future] = []

        def compute(inputs: list[DocInput]) -> dict[str, bytes]:
            rows = pipeline.topic_rows(inputs, memo)
            voting = pipeline.votes_of_topics(inputs, rows)  # float16, as stored
            fresh = {k: v.astype(np.float32).tobytes() for k, v in pipeline.topics(inputs, rows).items()}
            kinds = [("votes", votes_version(), [(k, v.tobytes()) for k, v in voting.items()]),
                     ("stretch votes", stretch_version(), [(k, b"") for k in voting]),
                     ("twin votes", twin_version(), list(twin_bytes(inputs).items())),
                     ("topic", pipeline.topic_version(), list(fresh.items()))]  # last: a topic stored means all are
            if writing:  # the batch before stored first: memory stays bounded, and an error is raised here
                writing.pop().result()
            writing.append(_store_beside(beside, store, lambda st: [st.put_cached(*kind) for kind in kinds]))
            return fresh

        blobs = _per_document(store, "topic", pipeline.topic_version(), docs, compute, stores=True)
        for written in writing:
            written.result()
    return {k: np.frombuffer(v, dtype=np.float32) for k, v in blobs.items()}


def candidate_features(store: Store, docs: Sequence[Document]) -> list[DocFeatures]:
    """Each document's MinHash signatures and rare terms, cached per document in the store, and
    kept together in one blob as well (:func:`kept_features`): a rerun reads the blob and the
    rows of the documents it does not hold (planted 10,000, +1%: 10,000 rows read and parsed were
    ~0.35 CPU s of its candidates stage). The blob is written again once the documents it does not
    hold are more than 1/:data:`KEPT_FEATURES_SPLIT` of those asked (a +1% rerun writes none)."""
    def compute(inputs: list[DocInput]) -> dict[str, bytes]:
        return {f.id: features_to_bytes(f) for f in pipeline.features(inputs)}

    kept = kept_features(store)
    held = [kept[d.id] for d in docs if d.id in kept]
    blobs = _per_document(store, FEATURES_KIND, FEATURES_VERSION, [d for d in docs if d.id not in kept], compute)
    found = held + [features_from_bytes(k, v) for k, v in blobs.items()]
    if len(blobs) * KEPT_FEATURES_SPLIT > len(docs):
        try:
            store.put_corpus_cached(FEATURES_KEPT, kept_features_version(), kept_features_to_bytes(found))
        except ValueError:  # not kept together (document signatures of several widths): read per document
            store.conn.execute("DELETE FROM corpus_cache WHERE kind=?", (FEATURES_KEPT,))
    return found


KEPT_FEATURES_SPLIT = 16


def kept_features(store: Store) -> dict[str, DocFeatures]:
    """The features kept in one blob by the last run (:func:`candidate_features`), by document:
    each equal to its row in the store's cache (store/schema.py's triggers drop the blob on any
    other write to those rows); none when unreadable."""
    blob = store.corpus_cached(FEATURES_KEPT, kept_features_version())
    if blob is None:
        return {}
    try:
        return {f.id: f for f in kept_features_from_bytes(blob)}
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):  # unreadable: every row read
        return {}


def nearest_documents(store: Store, docs: Sequence[Document], vectors: dict[str, np.ndarray],
                      beside: bool = False) -> Neighbours:
    """Each document's nearest documents by topic, starting from the lists the last run stored
    (:func:`kept_neighbours`): a grown corpus searches only for what its new documents change;
    the lists stored for the next run. ``beside``: see :func:`search_neighbours`."""
    found = search_neighbours(docs, vectors, kept_neighbours(store), beside)
    keep_neighbours(store, found)
    return found


def kept_neighbours(store: Store) -> Neighbours | None:
    """The neighbour lists the last run stored, None when none is readable."""
    blob = store.corpus_cached("neighbours", pipeline.topic_version())
    if blob is None:
        return None
    try:
        return neighbour_lists.from_bytes(blob)
    except (ValueError, KeyError, OSError):  # unreadable: search everything again
        return None


def keep_neighbours(store: Store, found: Neighbours) -> None:
    """The lists stored for the next run (:func:`kept_neighbours`)."""
    store.put_corpus_cached("neighbours", pipeline.topic_version(), neighbour_lists.to_bytes(found))


def search_neighbours(docs: Sequence[Document], vectors: dict[str, np.ndarray], previous: Neighbours | None,
                      beside: bool = False) -> Neighbours:
    """:func:`pipeline.neighbours` of the documents, from the ``previous`` lists; no store read, so
    it may run in a thread of its own. ``beside``: other work holds the other cores meanwhile (a
    trace's workers, this process's MinHash), so the search runs in one thread (set in the thread
    that searches: faiss's OpenMP limit is per thread): faiss's threads only took turns with them,
    spinning (planted 10,000: 3.0 -> 2.25 CPU seconds, the same lists)."""
    neighbour_lists.load_search()  # before the limit, or faiss's own OpenMP and OpenBLAS escape it
    with threadpool_limits(1) if beside else nullcontext():
        return pipeline.neighbours(vectors, {d.id: d.lang for d in docs}, previous)


def candidate_sets(store: Store, docs: Sequence[Document], vectors: dict[str, np.ndarray] | None = None,
                   work: DocumentWork | None = None,
                   ahead: Callable[[list[tuple[str, str]]], None] | None = None) -> Pairs:
    """Pairs to align and to relate (:func:`pipeline.candidates`; every pair for a small set);
    ``work``: where :func:`votes_ahead` computes voting vectors; ``ahead``: called with the
    same-language pairs to align as soon as they are known, before the ballots are cast (a
    trace begins their alignment and their documents' facts then: :func:`_trace_stages`)."""
    if len(docs) <= pipeline.ALL_PAIRS_UP_TO:
        return pipeline.every_pair(docs)
    # every document's features, lists and ballots, as records; the topic search in a thread of its
    # own, one BLAS thread, beside the MinHash candidates here and then the pairs they give aligning
    # ahead: it let go of the GIL in faiss and numpy, and before them it held the stage's start with
    # a core mostly idle (planted 25,000: ~7 s at 1.0-1.5 cores, the pairs aligned ahead waiting).
    # One BLAS/OpenMP thread in this thread too, for the whole stage, taken before the search
    # thread starts (every limit nested in either thread gives back one): the other core is the
    # workers' all along. faiss is loaded first: it brings an OpenMP and an OpenBLAS of its own,
    # which limits taken before it was loaded never reached, its second thread spinning beside the
    # workers (planted 25,000: 5.2 of the stage's 84 CPU seconds, none once loaded first;
    # bench/stage_threads.py, bench/search_threads.py).
    neighbour_lists.load_search()
    with threadpool_limits(1), in_bulk(), ThreadPoolExecutor(1) as beside:
        searching = beside.submit(search_neighbours, docs, vectors, kept_neighbours(store), True) if vectors else None
        if work is not None:
            work.wait("features")
        found = candidate_features(store, docs)  # first: ``work`` may still be computing voting vectors
        banding = kept_banding(store)
        # The same-language pairs to align are MinHash's alone (the votes add cross-language pairs):
        # known before the ballots, which hold this process (planted 25,000: 38 s, a core idle).
        minhash = pipeline.minhash(found, banding)
        if ahead is not None:
            ahead(pipeline.same_language_aligned(minhash))
        nb = searching.result() if searching is not None else None
        if nb is not None:
            keep_neighbours(store, nb)
        chosen = chosen_by_votes(store, docs, nb, work) if nb is not None else set()
        pairs = pipeline.candidates(docs, found, vectors, nb, chosen, banding, minhash)
        store.put_corpus_cached("quote bands", quote_bands_version(), quote_bands_to_bytes(banding.after))
        return pairs


class AlignAhead:
    """Same-language pairs aligned in the pair workers from a thread of this process while it casts
    the ballots, each pair stored with its passages over a connection of its own as it comes (a
    killed run keeps them). One chunk in flight at a time: this process holds the other core, and
    the ballots are the trace's critical path. :meth:`stop` when the encode stage begins (its
    batches would queue behind chunks of pairs), :meth:`join` before :func:`align_all`, which
    aligns the pairs not stored.

    The workers store none of the sentence vectors they encode on demand (``keep=False``): the
    encode stage encodes what it would without this. A vector is the same bits in whatever batch
    it is encoded (encode/products.py), so a pair aligned ahead gets the passages,
    to the last bit of their scores, it gets when aligned after (and how far the thread got, which
    varies between runs, changes no answer).

    Fewer pairs than the workers take (:func:`in_workers`: under :data:`MIN_PAIRS` and their
    work, a rerun's new documents' pairs) are aligned by that thread itself, one at a time, as
    :func:`align_all` would align them here (its vectors stored), on a machine of two or more cores: the ballots hold the GIL only part of the
    time (numpy and SQLite let it go), and so does alignment (USE's products), so both run at once
    on two cores where they ran one after the other (a +1% rerun at 10,000 documents: ~50 new
    pairs, ~0.8 CPU s). :meth:`stop` then waits for the pair in hand: this process's encoders are
    not shared between threads."""

    def __init__(self, store: Store, docs: Sequence[Document], encoder: Encoder | None, threshold: float,
                 pool: PairWork) -> None:
        self.store, self.by_id, self.encoder, self.threshold, self.pool = store, {d.id: d for d in docs}, encoder, threshold, pool
        self.settings = pipeline.alignment_settings(encoder, threshold)
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.aligned = 0  # pairs stored
        self.here = False  # aligned by the thread itself, not by the workers

    def start(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Begin aligning those of ``pairs`` not stored yet: in the workers when there are enough
        for them (:func:`in_workers`: pairs or work) and they can run, else in the thread itself
        when there is a second core; never with an in-memory store (no second connection)."""
        if self.pool.workers < 2 or not self.store.path.is_file() or self.stopped.is_set():
            return
        done = self.store.aligned(self.settings)
        todo = [(self.by_id[a], self.by_id[b]) for a, b in pairs if (a, b) not in done and (b, a) not in done]
        if not todo or (len(todo) >= MIN_PAIRS and not self.pool.usable()):
            return
        self.here = not in_workers(todo, self.pool)
        self.thread = threading.Thread(target=self._run, args=(todo,), name="align ahead", daemon=True)
        self.thread.start()

    def _run(self, todo: list[tuple[Document, Document]]) -> None:
        try:
            with Store(self.store.path) as own:
                # Too few for the workers: align_pairs aligns them in this thread, storing their vectors.
                for a, b, found in align_pairs(own, todo, encoder=self.encoder, threshold=self.threshold,
                                               pool=self.pool, in_flight=self._in_flight, keep=False):
                    own.put_alignment(a, b, self.settings, found)
                    self.aligned += 1
                    if self.here and self.stopped.is_set():  # the pairs left are the align stage's
                        break
        except sqlite3.OperationalError as e:
            # The store still locked by another writer after the connection's wait (30 s): the
            # pairs left are aligned by :func:`align_all` as without this; a run never fails here.
            if not getattr(e, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                self.error = e
            self.stopped.set()
        except BaseException as e:  # raised again in :meth:`join`
            self.error = e

    def _in_flight(self) -> int:
        return 0 if self.stopped.is_set() else 1

    def stop(self) -> None:
        """Submit no more chunks; the one in flight is still stored. Aligning in the thread itself:
        wait for the pair in hand to be stored."""
        self.stopped.set()
        if self.here and self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join()

    def join(self) -> int:
        """Stop, wait for the chunk in flight, and give the number of pairs stored."""
        self.stop()
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        return self.aligned


def kept_banding(store: Store) -> Banding:
    """The quote banding the last run left (:class:`pipeline.Banding`): a rerun over a grown
    corpus bands only its new documents' units (banding every unit again was a tenth of a +1%
    rerun's candidates at 10,000 documents). Kept in one row, written after the stage: a killed
    run leaves the last run's, valid for the documents it names."""
    blob = store.corpus_cached("quote bands", quote_bands_version())
    try:
        return Banding(quote_bands_from_bytes(blob) if blob else {})
    except (ValueError, KeyError, UnicodeDecodeError):  # unreadable: band everything again
        return Banding()


def store_features(store: Store, docs: Sequence[Document]) -> list[tuple[str, None]]:
    """:func:`pipeline.features` of stored documents, cached in the store: the job
    :func:`features_ahead` gives worker processes."""
    fresh = {f.id: features_to_bytes(f) for f in pipeline.features(doc_inputs(store, docs))}
    store.put_cached(FEATURES_KIND, FEATURES_VERSION, fresh.items())
    return [(k, None) for k in fresh]


def features_ahead(store: Store, docs: Sequence[Document], work: DocumentWork) -> None:
    """Begin computing, in ``work``'s processes, the candidate features :func:`candidate_features`
    will read, when at least ``MIN_FACT_DOCS`` lack them: they need only the documents, and
    this process has the topics stage to run meanwhile (since the topics give most voting
    vectors, the workers had only facts to do while it ran the whole candidates stage alone)."""
    if len(docs) <= pipeline.ALL_PAIRS_UP_TO or work.workers <= 1:
        return
    if store.uncached_count(FEATURES_KIND, FEATURES_VERSION) < MIN_FACT_DOCS:  # a rerun: fewer lack them, no id read
        return
    found = store.cached_ids(FEATURES_KIND, FEATURES_VERSION, [d.id for d in docs])
    missing = [d for d in docs if d.id not in found]
    if len(missing) >= MIN_FACT_DOCS and work.workers > 1:
        work.submit("features", store_features, missing, FEATURE_CHUNK)


def votes_version() -> str:
    """What a document's stored voting vectors (and the ballots) depend on."""
    return f"{pipeline.topic_version()}:{votes.VOTE_SENTENCES}"


def stretch_version() -> str:
    """What a document's stored stretch vectors (and the stretch ballots) depend on."""
    return f"{votes_version()}:{votes.STRETCH_SENTENCES}"


def twin_version() -> str:
    """What a document's stored twin vectors (and the twin ballots) depend on."""
    return f"{stretch_version()}:twins {votes.TWINS_FROM} {votes.TWINS_CHARS}"  # a twin ballot reads stretches too


# The three ballots a document casts in each other language (votes.chosen): (its kind of stored
# vectors and their version, its kind of stored ballots, its tallies' kind before the language).
SENTENCE_BALLOTS = ("votes", votes_version, "ballots", "tally")
STRETCH_BALLOTS = ("stretch votes", stretch_version, "stretch ballots", "stretch tally")
TWIN_BALLOTS = ("twin votes", twin_version, "twin ballots", "twin tally")


def tally_version(ballots: tuple = SENTENCE_BALLOTS) -> str:
    """What a stored tally depends on: the voting vectors and how a ballot is cast."""
    return f"{ballots[1]()}:{votes.BALLOT_VERSION}:{votes.TALLY_VERSION}"


def vote_bytes(inputs: Sequence[DocInput]) -> dict[str, bytes]:
    """Each document's voting vectors (:func:`pipeline.vote_vectors`) as the store keeps them."""
    return {k: v.astype(np.float16).tobytes() for k, v in pipeline.vote_vectors(inputs).items()}


def stretch_bytes(inputs: Sequence[DocInput]) -> dict[str, bytes]:
    """Each document's stretch vectors (:func:`pipeline.stretch_vectors`) as the store keeps them
    (empty for a document of few sentences)."""
    return {k: v.astype(np.float16).tobytes() for k, v in pipeline.stretch_vectors(inputs).items()}


def twin_bytes(inputs: Sequence[DocInput]) -> dict[str, bytes]:
    """Each document's twin vectors (:func:`pipeline.twin_vectors`) as the store keeps them
    (empty for a document without twins)."""
    return {k: v.astype(np.float16).tobytes() for k, v in pipeline.twin_vectors(inputs).items()}


def store_vote_bytes(store: Store, docs: Sequence[Document]) -> list[tuple[str, None]]:
    """:func:`vote_bytes` and :func:`stretch_bytes` of stored documents, cached in the store: the
    job :func:`votes_ahead` gives worker processes. They store what they compute (32 KB a
    document): held as results, a corpus's vectors waited in the calling process's memory, and
    storing them took its time."""
    inputs = doc_inputs(store, docs)
    fresh = vote_bytes(inputs)
    store.put_cached("votes", votes_version(), fresh.items())
    store.put_cached("stretch votes", stretch_version(), stretch_bytes(inputs).items())
    store.put_cached("twin votes", twin_version(), twin_bytes(inputs).items())
    return [(k, None) for k in fresh]


def votes_ahead(store: Store, docs: Sequence[Document], work: DocumentWork) -> None:
    """Begin computing, in ``work``'s processes, the voting vectors :func:`chosen_by_votes` will
    read, when at least ``MIN_VOTE_DOCS`` lack them: before the neighbours are known, those of
    every document of a corpus in several languages (every one of them has neighbours in another
    language, so a fresh trace votes with them all); a document not voting after all only costs
    its vectors."""
    if len(docs) <= pipeline.ALL_PAIRS_UP_TO or len({d.lang for d in docs}) < 2:
        return
    kinds = (("votes", votes_version()), ("stretch votes", stretch_version()), ("twin votes", twin_version()))
    if sum(store.uncached_count(kind, version) for kind, version in kinds) < MIN_VOTE_DOCS:
        return  # a rerun: fewer of the stored documents lack any of them (the run's are stored), no id read
    ids = [d.id for d in docs]  # 32 KB a document unread
    found = (store.cached_ids("votes", votes_version(), ids) & store.cached_ids("stretch votes", stretch_version(), ids)
             & store.cached_ids("twin votes", twin_version(), ids))
    # The topics stage gives the voting vectors of a document it encodes that has no more sentences
    # than vote (:func:`topic_vectors`): most news reports, so most often no job is left here.
    topics_give = topics_give_votes(store, docs)
    missing = [d for d in docs if d.id not in found and d.id not in topics_give]
    if len(missing) >= MIN_VOTE_DOCS:
        work.submit("votes", store_vote_bytes, missing, VOTE_CHUNK)


def topics_give_votes(store: Store, docs: Sequence[Document]) -> set[str]:
    """The documents whose voting vectors :func:`topic_vectors` will compute and store: those
    without a stored topic vector, of no more sentences than vote (a stored sentence joined
    with the next when unwrapped only lowers the count)."""
    counts = store.sentence_counts()
    topics = store.cached_ids("topic", pipeline.topic_version(), [d.id for d in docs])
    return {d.id for d in docs if d.id not in topics and counts.get(d.id, 0) <= votes.VOTE_SENTENCES}


def chosen_by_votes(store: Store, docs: Sequence[Document], nb: Neighbours,
                    work: DocumentWork | None = None) -> dict[tuple[str, str], bool]:
    """The cross-language pairs both documents choose by their sentences' votes, or by their
    stretches', each with whether its ballots hold a run (:func:`pipeline.voted`). Each document's voting vectors are kept in the store
    (float16, 32 KB a document), each ballot with what it read (its document's and pool's topic
    fingerprints), and each ballot's tally (:class:`votes.Tally`): a rerun encodes only new
    documents, casts again only the ballots whose pool changed, and of those reads only the new
    members where it can. ``work``: where :func:`votes_ahead` began computing and storing them
    (the rest are computed here)."""
    if work is not None:
        work.wait("votes")
    key_of = dict(zip(nb.ids, nb.keys.tolist(), strict=True))
    pools = votes.cross_lists(nb)
    long, have = long_documents(store, docs), voting_apart(store, docs, TWIN_BALLOTS)
    return votes.choices(kept_ballots(store, docs, pools, key_of, SENTENCE_BALLOTS),
                         kept_ballots(store, docs, votes.stretched(pools, long), key_of, STRETCH_BALLOTS,
                                      {"stretch votes": long}),
                         kept_ballots(store, docs, votes.twinned(pools, have), key_of, TWIN_BALLOTS,
                                      {"twin votes": have, "stretch votes": long - have}))


def long_documents(store: Store, docs: Sequence[Document]) -> set[str]:
    """The documents that vote with their stretches (:func:`voting_apart`)."""
    return voting_apart(store, docs, STRETCH_BALLOTS)


def voting_apart(store: Store, docs: Sequence[Document], ballots: tuple = STRETCH_BALLOTS) -> set[str]:
    """The documents that vote with vectors of their own in ``ballots`` (:data:`STRETCH_BALLOTS`:
    their stretches; :data:`TWIN_BALLOTS`: their twins): those whose stored vectors of that kind
    (:func:`stretch_bytes`, :func:`twin_bytes`: empty for most documents) are not empty, known from
    the stored vectors' sizes (reading every document's vectors cost each rerun a core-second at
    10,000 documents); computed and stored for the documents that lack them."""
    version = ballots[1]()
    sizes = store.cached_sizes(ballots[0], version)
    fresh = _per_document(store, ballots[0], version, [d for d in docs if d.id not in sizes], _OWN_BYTES[ballots[0]][1])
    return {d.id for d in docs if sizes.get(d.id) or fresh.get(d.id)}


# Each kind of vectors a document votes with apart from its sentences, and how they are computed.
_OWN_BYTES = {"stretch votes": (stretch_version, stretch_bytes), "twin votes": (twin_version, twin_bytes)}


def kept_ballots(store: Store, docs: Sequence[Document], pools: Sequence[tuple[str, str, list[str]]],
                 key_of: dict[str, int], ballots: tuple = SENTENCE_BALLOTS,
                 apart: Mapping[str, Set[str]] | None = None) -> dict[tuple[str, str], votes.Ballot]:
    """The ballots of ``pools`` of one kind (``ballots``: :data:`SENTENCE_BALLOTS`,
    :data:`STRETCH_BALLOTS` or :data:`TWIN_BALLOTS`; ``apart``: the documents that vote there
    with vectors other than their sentences, by kind of stored vectors: their stretches, twins), those whose pool is unchanged read from the store, the rest cast again
    (:func:`cast_ballots`); all of them stored. A ballot reads its document and its pool in
    order, each with its topic fingerprint (``key_of``: a document read again is another
    document): equal, the same ballot. Kept as each pool with its ballot and every document's
    fingerprint (:func:`stored_ballots`), compared as they are (each pool's key hashed from its
    members' names, and the ballots as JSON, were ~0.3 CPU s of a +1% rerun at 10,000 documents)."""
    version = ballots_version(ballots)
    keys, kept = stored_ballots(store, ballots)
    moved = {d for d, k in keys.items() if key_of.get(d, k) != k}  # read again since
    todo = []
    for doc, lang, pool in pools:
        was = kept.get((doc, lang))
        if was is None or was[0] != pool or (moved and (doc in moved or not moved.isdisjoint(pool))):
            todo.append((doc, lang, pool))
    # A rerun's recast (a few thousand pools, not all: never a fresh trace's, whose other core is its
    # workers') is split with a forked child (:func:`_tallied_in_two`).
    split = MIN_SPLIT_POOLS <= len(todo) < len(pools)
    fresh = {k: _plain(b) for k, b in cast_ballots(store, docs, todo, key_of, ballots, apart, split).items()}
    recast = {(doc, lang) for doc, lang, _ in todo}
    now = {(doc, lang): (pool, fresh.get((doc, lang)) if (doc, lang) in recast else kept[(doc, lang)][1])
           for doc, lang, pool in pools}
    # Kept again only when changed: with nothing recast, the same pools (each found among the kept
    # ones) and fingerprints, the stored blob holds these values (a rerun with nothing new
    # marshalled and rewrote 4.6 MB).
    if todo or len(now) != len(kept) or keys != key_of:
        store.put_corpus_cached(ballots[2], version, marshal.dumps((dict(key_of), now)))
    return {k: b for k, (_, b) in now.items() if b is not None}


# How kept ballots are laid out (2: marshal, each pool with its ballot; 1 was JSON by each pool's key).
KEPT_BALLOTS_LAYOUT = 2


def ballots_version(ballots: tuple = SENTENCE_BALLOTS) -> str:
    """What a kind's kept ballots depend on: its voting vectors, how a ballot is cast, their layout."""
    return f"{ballots[1]()}:{votes.BALLOT_VERSION}:{KEPT_BALLOTS_LAYOUT}"


def stored_ballots(store: Store, ballots: tuple = SENTENCE_BALLOTS
                   ) -> tuple[dict[str, int], dict[tuple[str, str], tuple[list[str], votes.Ballot | None]]]:
    """A kind's ballots as the last run kept them (:func:`kept_ballots`): every document's topic
    fingerprint then, and each (document, language)'s pool with its ballot (None: it cast none);
    none when unreadable or of another version."""
    blob = store.corpus_cached(ballots[2], ballots_version(ballots))
    try:
        keys, kept = marshal.loads(blob) if blob else ({}, {})
    except (ValueError, EOFError, TypeError):  # unreadable (damaged, another Python's format): cast again
        return {}, {}
    return (keys, kept) if isinstance(keys, dict) and isinstance(kept, dict) else ({}, {})


def _plain(b: votes.Ballot) -> votes.Ballot:
    """A ballot in plain Python values (marshal keeps no numpy scalar), the same values."""
    choice, share, placed, (listed, times), runs = b
    return (str(choice), float(share), tuple((str(d), int(i), int(j)) for d, i, j in placed), (str(listed), float(times)),
            tuple((str(d), int(n)) for d, n in runs))


def cast_ballots(store: Store, docs: Sequence[Document], todo: Sequence[tuple[str, str, list[str]]],
                 key_of: dict[str, int], ballots: tuple = SENTENCE_BALLOTS,
                 apart: Mapping[str, Set[str]] | None = None, split: bool = False) -> dict[tuple[str, str], votes.Ballot]:
    """The ballots of ``todo`` ((document, language, pool)), each tally brought up from the one the
    last run stored where that reads only the pool's new members (:func:`pipeline.tallies`); the
    new tallies stored, the voting vectors read only of the documents read (those ``apart`` names
    their vectors of that kind, the others' sentences). ``split``: the tallies made in two halves,
    one in a forked child, where this process may (:func:`_tallied_in_two`)."""
    if not todo:
        return {}
    version = tally_version(ballots)
    before: dict[tuple[str, str], votes.Tally] = {}
    for lang in sorted({lang for _, lang, _ in todo}):
        found = store.cached(f"{ballots[3]} {lang}", version, [doc for doc, lg, _ in todo if lg == lang])
        for doc, t in zip(found, votes.tallies_from_bytes(list(found.values())), strict=True):
            if t is not None:  # unreadable: read the pool whole
                before[(doc, lang)] = t
    # Where each tally's members are in its pool now, all tallies at once (votes.placements).
    kept = [e for e, (doc, lang, _) in enumerate(todo) if (t := before.get((doc, lang))) is not None and t.own == key_of[doc]]
    placed = dict(zip(kept, votes.placements([before[todo[e][:2]] for e in kept], [todo[e][2] for e in kept], key_of),
                      strict=True))
    unread = dict(zip(kept, votes.unreads([before[todo[e][:2]] for e in kept], [placed[e] for e in kept]), strict=True))
    plans = []
    listed: set[str] = set()
    for e, (doc, lang, pool) in enumerate(todo):
        keyed = list(zip(pool, map(key_of.__getitem__, pool), strict=True))
        members = unread.get(e)
        if members is None:  # read whole
            plans.append((doc, lang, keyed, None, None))
            listed.update((doc, *pool))
        else:  # its own vectors only to read new members with (pipeline.tallies)
            plans.append((doc, lang, keyed, before[(doc, lang)], placed[e]))
            listed.update((doc, *members) if members else ())
    apart = apart or {}
    by_sentences = listed.difference(*apart.values())  # once: a set per document cost a tenth of the ballots
    blobs = _per_document(store, "votes", votes_version(), [d for d in docs if d.id in by_sentences], vote_bytes)
    for kind, ids in apart.items():
        if ids & listed:
            of, compute = _OWN_BYTES[kind]
            blobs.update(_per_document(store, kind, of(), [d for d in docs if d.id in ids and d.id in listed], compute))
    dim = get_encoder(pipeline.TOPIC_ENCODER).dim

    def keep(lang: str, rows: list[tuple[str, bytes]]) -> None:
        store.put_cached(f"{ballots[3]} {lang}", version, rows)

    vectors = _vectors32(blobs, dim)
    made = (_tallied_in_two if split else _tallied)(plans, vectors, key_of, keep)
    return {k: b for k, b in made.items() if b is not None}


def _vectors32(blobs: dict[str, bytes], dim: int) -> dict[str, np.ndarray]:
    """The stored float16 voting vectors ``blobs`` as float32, the same values, the bytes let go as
    converted (twice their memory, 380 -> 760 MB at 25k): a ballot reads them as float64, and joining
    a pool's float32 members into its float64 products costs less than float16 ones (25k planted
    store, float16 and float32 alternately on the same pools, loaded machine: the tallies 47.3 ->
    42.5 CPU s with the conversion, the same bytes). Each document in an array of its own (at most
    32 rows: 64 KB, the heap's memory, much of it the bytes just let go): joined DOC_BATCH documents
    at a time, arrays of tens of MB were fresh memory the kernel gave in huge pages, and faulting
    them in cost a +1% rerun at 10,000 documents 0.35-0.7 CPU s for 5,600 documents' vectors (one
    at a time 0.13-0.16)."""
    vectors = {}
    while blobs:
        doc, data = blobs.popitem()
        vectors[doc] = np.frombuffer(data, dtype=np.float16).reshape(-1, dim).astype(np.float32)
    return vectors


def _tallied(plans: Sequence[tuple], vectors: Mapping[str, np.ndarray], key_of: Mapping[str, int],
             keep: Callable[[str, list[tuple[str, bytes]]], None], made: Mapping[tuple[str, str], votes.Tally] | None = None,
             shared: votes.Shared | None = None) -> dict[tuple[str, str], votes.Ballot | None]:
    """Each plan's ballot (:func:`votes.verdicts` of its tally: :func:`pipeline.tallies`), in the
    plans' order; the tallies as stored (:func:`votes.tallies_to_bytes`), each language's
    DOC_BATCH at a time, handed to ``keep`` (language, [(document, bytes)]) as made. Each tally is
    its pool's alone, and so are its bytes and its ballot: the same whatever plans are made with it.
    ``made``: tallies of some plans made already; ``shared``: the new members' products kept of
    them (:func:`pipeline.tallies`)."""
    if made is None and shared is None:
        tallied = pipeline.tallies(plans, vectors, key_of)
    else:
        rest = pipeline.tallies([p for p in plans if (p[0], p[1]) not in (made or {})], vectors, key_of, shared)
        tallied = {(p[0], p[1]): made[(p[0], p[1])] if made and (p[0], p[1]) in made else rest[(p[0], p[1])]
                   for p in plans}
    for lang in sorted({lang for _, lang in tallied}):
        ours = [(doc, t) for (doc, lg), t in tallied.items() if lg == lang]
        for a in range(0, len(ours), DOC_BATCH):  # serialized all at once, a batch at a time
            batch = ours[a:a + DOC_BATCH]
            keep(lang, list(zip([doc for doc, _ in batch], votes.tallies_to_bytes([t for _, t in batch]), strict=True)))
    return dict(zip(tallied, votes.verdicts(list(tallied.values())), strict=True))


def _tallied_in_two(plans: Sequence[tuple], vectors: Mapping[str, np.ndarray], key_of: Mapping[str, int],
                    keep: Callable[[str, list[tuple[str, bytes]]], None]) -> dict[tuple[str, str], votes.Ballot | None]:
    """:func:`_tallied` of ``plans``, a part made in a forked child while this process makes the
    rest and ``keep``s (stores) its tallies, on a machine of two or more cores: a rerun runs in one
    process, and its recast was most of its candidates stage with the other core idle (a +1% rerun
    at 10,000 documents: ~4,600 pools, ~1 CPU s of tallies, ballots and bytes). The child inherits
    the voting vectors converted and the tallies read whole, made before it (no store read, no
    second conversion, no import: a worker process costs a core-second to start; the new members'
    products of those read whole, :data:`votes.Shared`) and sends back its tallies' bytes and ballots through a pipe,
    which this process then keeps. Each is its pool's alone (:func:`_tallied`), so the same as made
    here; the ballots in the plans' order. Where the child fails or is not heard from in time, or
    forking is not possible, this process makes the child's part too."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if not hasattr(os, "fork") or cores < 2 or len(plans) < 2:
        return _tallied(plans, vectors, key_of, keep)
    # The tallies read whole made first, here, together (a pair of them in each other's pools shares
    # its products: votes.tallies): a tally brought up, in either part, then reads its new members
    # from their products (votes.Shared), not multiplied again.
    shared = pipeline.wanted_products(plans)
    ready = pipeline.tallies([p for p in plans if p[3] is None], vectors, key_of, shared)
    # Each plan's work after it, about: the new members it reads and as much again as a few members
    # for its own (its tally's rows carried, its ballot, its bytes); those read whole here, the child
    # the later part of the rest.
    order = sorted(range(len(plans)), key=lambda e: plans[e][3] is not None)
    cost = np.fromiter((0 if plans[e][3] is None else len(plans[e][4][1]) for e in order),
                       dtype=np.float64, count=len(plans)) + PLAN_COST
    cut = min(max(1, int(np.searchsorted(np.cumsum(cost), cost.sum() * (1 - CHILD_SHARE)))), len(plans) - 1)
    mine, theirs = [plans[e] for e in order[:cut]], [plans[e] for e in order[cut:]]
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return _tallied(plans, vectors, key_of, keep, ready, shared)
    if pid == 0:  # the child: its part, its bytes to the pipe, and out without the parent's cleanups
        code = 1
        try:
            os.close(read)
            gc.disable()  # short-lived: no cycle to free, and no walk over the parent's objects (their pages copied)
            rows: list[tuple[str, list[tuple[str, bytes]]]] = []
            made = _tallied(theirs, vectors, key_of, lambda lang, batch: rows.append((lang, batch)), None, shared)
            data = pickle.dumps((rows, list(made.items())), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    data = None
    try:
        start = time.monotonic()
        here = _tallied(mine, vectors, key_of, keep, ready, shared)
        data = _read_child(read, pid, time.monotonic() + max(CHILD_WAIT, 4 * (time.monotonic() - start)))
    finally:
        os.close(read)  # raised here: the child, writing, stops on the closed pipe
        if data is None:  # not heard from in time (a lock another thread held at the fork?): stopped
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    try:
        rows, made = pickle.loads(data) if data is not None and status == 0 else ([], None)
    except (pickle.UnpicklingError, EOFError, ValueError):
        made = None
    there = dict(made) if made is not None else None
    if there is None or list(there) != [(doc, lang) for doc, lang, *_ in theirs]:  # the child failed: made here
        there = _tallied(theirs, vectors, key_of, keep, None, shared)
    else:  # its ballots' names as this process's objects: marshal keeps a name met again as a reference
        for lang, batch in rows:
            keep(lang, batch)
        names = {d: d for d in key_of}
        there = {k: _named(b, names) for k, b in there.items()}
    return {(doc, lang): here[(doc, lang)] if (doc, lang) in here else there[(doc, lang)] for doc, lang, *_ in plans}


def _read_child(fd: int, pid: int, deadline: float) -> bytes | None:
    """All the child ``pid`` writes to the pipe ``fd`` until it closes it, None if not by ``deadline``
    (:func:`time.monotonic`)."""
    chunks = []
    while (left := deadline - time.monotonic()) > 0:
        if not select.select([fd], [], [], left)[0]:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
    return None


def _named(b: votes.Ballot | None, names: Mapping[str, str]) -> votes.Ballot | None:
    """A ballot with each document's name the object ``names`` holds (the same values): the kept
    ballots' bytes (:func:`kept_ballots`, marshal) then the same as for a ballot made here."""
    if b is None:
        return None
    choice, share, placed, (listed, times), runs = b
    return (names.get(choice, choice), share, tuple((names.get(d, d), i, j) for d, i, j in placed),
            (names.get(listed, listed), times), tuple((names.get(d, d), n) for d, n in runs))


# Pools recast from which a rerun splits their tallies with a forked child (:func:`_tallied_in_two`):
# a +1% rerun at 10,000 documents recasts ~4,600.
MIN_SPLIT_POOLS = 1000
# A split recast's part of each plan's cost (:func:`_tallied_in_two`) beside its members read, and
# the child's share (the child's work costs it more, its pages copied as it writes them; this process
# also stores both parts and unpickles the child's: about even on a loaded machine).
PLAN_COST = 6.0
CHILD_SHARE = 0.5
# How long this process waits for a split recast's child once its own part is made, at least
# (else four times what its own part took): a forked child may hang on a lock another thread of
# this process held at the fork; it is then stopped and its part made here.
CHILD_WAIT = 30.0


def align_all(store: Store, docs: Sequence[Document], *, encoder: Encoder | None = None,
              threshold: float = DEFAULT_THRESHOLD, pairs: Sequence[tuple[str, str]] | None = None,
              trial: Sequence[tuple[str, str]] = (), progress: Progress = QUIET, workers: int = 1,
              pool: PairWork | None = None, aligned_ahead: int = 0) -> list[Passage]:
    """Passages between the given pairs of documents (every pair when None), composed through
    translations at the end. A pair also in ``trial`` keeps its passages only as a translation,
    either document aligned first (:func:`pipeline.on_trial`).

    Pairs already aligned with the same settings are not aligned again; each pair is stored with
    its passages in one transaction, so a killed run resumes where it stopped. With ``workers`` > 1
    pairs are aligned in that many processes, or in ``pool``'s (engines/workers.py: the calling
    script's main module must be import-safe, ``if __name__ == "__main__"``, as for any process pool).
    ``aligned_ahead``: how many of the pairs this run aligned and stored already (:class:`AlignAhead`):
    the stage's total counts them, done at its start, so a user sees the whole job.
    """
    settings = pipeline.alignment_settings(encoder, threshold)
    on_trial = {pair_key(a, b) for a, b in trial}
    tried_settings = pipeline.alignment_settings(encoder, threshold, trial=True)
    if pairs is None:
        pairs = pipeline.every_pair(docs).aligned
    done = store.aligned(settings)
    done_trial = store.aligned(tried_settings) if on_trial else set()

    def is_done(a: str, b: str) -> bool:
        key = pair_key(a, b)
        stored = done_trial if key in on_trial else done
        return key in stored or key[::-1] in stored

    todo = [(a, b) for a, b in pairs if not is_done(a, b)]
    progress.start("align", len(todo) + aligned_ahead)
    if aligned_ahead:
        progress.step(aligned_ahead)
    by_id = {d.id: d for d in docs}
    text_of = DocumentTexts(store)
    # One BLAS thread for the pairs aligned here, as in the workers (workers.one_thread): a product's
    # last bits depend on how OpenBLAS splits it between threads (exact33), so a pair aligned here
    # (under MIN_PAIRS and MIN_WORK) got other last bits of its scores than in a worker. AlignAhead
    # has stopped by now (:meth:`AlignAhead.join`): no other thread of this process sets the limit.
    with threadpool_limits(1):
        for a, b, found in align_pairs(store, [(by_id[a], by_id[b]) for a, b in todo], encoder=encoder,
                                       threshold=threshold, workers=workers, pool=pool, within=progress.inside):
            if pair_key(a, b) in on_trial:
                def other_way(a: str = a, b: str = b) -> list[Passage]:  # seldom: here, not in the workers
                    return next(align_pairs(store, [(by_id[b], by_id[a])], encoder=encoder, threshold=threshold))[2]

                found = pipeline.on_trial(PairText(by_id[a], text_of(by_id[a])), PairText(by_id[b], text_of(by_id[b])),
                                          found, other_way)
                store.put_alignment(a, b, tried_settings, found)
            else:
                store.put_alignment(a, b, settings, found)
            progress.step()
    # Only the current pairs: a pair aligned in an earlier run that is no longer a candidate must
    # not change the answer (a rerun answers as a fresh run over the same files would).
    with in_bulk():  # every passage of the corpus, as records
        current = {pair_key(a, b) for a, b in pairs}
        direct = [p for p in store.passages([d.id for d in docs])
                  if pair_key(p.a, p.b) in current]
        return pipeline.compose(docs, direct)


def relate_all(store: Store, docs: Sequence[Document], passages: Sequence[Passage],
               vectors: dict[str, np.ndarray], pairs: Sequence[tuple[str, str]],
               texts: DocumentTexts | None = None, ran: Sequence[tuple[str, str]] = ()) -> Relations:
    """Relations of the candidate pairs (:func:`pipeline.relate`), typed from each pair alone:
    the caller directs them against the family (:func:`pipeline.direct`) and stores them.
    ``texts``: the file texts read so far, to share with the next stages; ``ran``: the pairs
    whose ballots hold a run of votes (:attr:`pipeline.Pairs.ran`)."""
    # Texts only of documents that share passages, and of those only in pairs not typed before
    # from the same inputs (engines/kept.py): a pair related by topic alone is typed without
    # reading either text (most pairs of a large corpus).
    kept = KeptPairs(store, "relation of pair")
    by_id = {d.id: d for d in docs}
    text_of = texts or DocumentTexts(store)
    # Each vector's digest: a pair's key part, and what its topic cosine is kept under.
    digests = {d: _vector_digest(v) for d, v in vectors.items()}
    part = _DocumentParts(text_of.sources(), by_id, digests.get)
    grouped: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        grouped.setdefault(pair_key(p.a, p.b), []).append(p)
    keys, known = {}, {}
    ran = set(ran)
    for pair, ps in grouped.items():
        if pair[0] in by_id and pair[1] in by_id and pair[0] != pair[1]:
            # With the pair's run of votes: a rerun whose votes changed types it again.
            keys[pair] = digest(part(pair[0]), part(pair[1]), [row_of(p) for p in ps], pair in ran)
            hit, row = kept.get(pair, keys[pair])
            if hit:
                known[pair] = None if row is None else Relation(*row)
    shared = {x for pair in keys if pair not in known for x in pair}
    text_of.read_all([d for d in docs if d.id in shared])  # in two queries, not two a document
    cosines = KeptCosines(store.corpus_cached(TOPIC_COSINES, TOPIC_COSINES_VERSION))
    typed = pipeline.relate([PairText(d, text_of(d) if d.id in shared else "") for d in docs],
                            passages, vectors, pairs, known, ran, cosines, digests)
    store.put_corpus_cached(TOPIC_COSINES, TOPIC_COSINES_VERSION, cosines.dumps())
    fresh = {(r.a, r.b): r for r in typed.records if (r.a, r.b) in keys and (r.a, r.b) not in known}
    for pair, key in keys.items():
        if pair not in known:
            kept.put(pair, key, row_of(fresh[pair]) if pair in fresh else None)
    kept.save(store)
    return typed


class _DocumentParts:
    """What a kept pair's key holds of each of its documents (engines/kept.py): a digest of its
    file as read, its record and ``extra`` (what else the result reads of it), worked out once
    per document (a pair's key digests its documents' digests, not their records again)."""

    def __init__(self, sources: Mapping[str, str], by_id: dict[str, Document], extra: Callable[[str], object]) -> None:
        self.sources, self.by_id, self.extra = sources, by_id, extra  # sources: DocumentTexts.sources
        self.parts: dict[str, bytes] = {}

    def __call__(self, doc_id: str) -> bytes:
        part = self.parts.get(doc_id)
        if part is None:
            # Not the path it was read by (no result reads it; the same files given by another
            # path would miss every pair): the code is in the key too, should that change.
            record = {k: v for k, v in self.by_id[doc_id].to_json().items() if k != "path"}
            part = self.parts[doc_id] = digest(self.sources.get(doc_id), record, self.extra(doc_id))
        return part


def _vector_digest(vector: np.ndarray | None) -> str | None:
    # The array's own buffer hashed (the same bytes): no copy of each of a corpus's vectors each run.
    return None if vector is None else hashlib.sha1(np.ascontiguousarray(vector)).hexdigest()


class StoredFacts(Mapping[str, list[Fact]]):
    """Documents' facts by id, in order: those read from the store kept as stored and made records
    when first asked. A rerun diffs again the facts of the few pairs whose inputs changed, and
    making every document's records (a corpus's, each run) was a tenth of a +1% rerun; whoever
    reads them all (the outputs) makes them all, once."""

    def __init__(self, ids: Sequence[str], stored: Mapping[str, bytes], made: Mapping[str, list[Fact]]) -> None:
        self.ids = list(ids)
        self.made = {d: made[d] for d in self.ids if d in made}
        # a document's facts as the store holds them: JSON rows
        self.stored = {d: stored[d] for d in self.ids if d not in made}

    def __getitem__(self, doc_id: str) -> list[Fact]:
        got = self.made.get(doc_id)
        if got is None:
            with in_bulk():  # records only: no cycle to collect
                got = self._make(doc_id)
        return got

    def _make(self, doc_id: str) -> list[Fact]:
        made = self.made[doc_id] = [Fact(doc_id, *row) for row in json.loads(self.stored[doc_id])]
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def values(self) -> ValuesView[list[Fact]]:
        self._make_all()
        return super().values()

    def items(self) -> ItemsView[str, list[Fact]]:
        self._make_all()
        return super().items()

    def _make_all(self) -> None:
        """Every document's records at once, before a walk over all of them: one pause of the
        cycle collector, not one a document (twice the time, with a corpus's records alive)."""
        with in_bulk():
            for doc_id in self.stored:
                if doc_id not in self.made:
                    self._make(doc_id)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.made or doc_id in self.stored


class FactsOf:
    """Each document's facts (:func:`facts_of`), begun when made: cached ones are read at once and,
    when many are missing and there are workers (``work``'s, else ``workers`` of its own), the
    missing ones are extracted in worker processes from then on, beside whatever this process does
    next (a trace begins them during the ballots and after candidates, :meth:`add`, or before its
    single-process stages when it writes every document's facts). :meth:`result` gathers them;
    :meth:`close` stops what is left of its own workers."""

    def __init__(self, docs: Sequence[Document], store: Store, workers: int = 1,
                 work: DocumentWork | None = None) -> None:
        self.docs: list[Document] = []
        self.store, self.version = store, pipeline.facts_version()
        self.out: dict[str, list[Fact]] = {}
        self.stored: dict[str, bytes] = {}  # facts read from the store, as stored (see StoredFacts)
        self.missing: list[Document] = []  # those extracted here (too few for workers)
        self.jobs: list[tuple[DocumentWork, str]] = []  # the facts jobs begun in workers
        self.own = work is None  # its own workers, else ``work``'s (stopped by its owner)
        self.work = work if work is not None else DocumentWork(store, workers)
        self.add(docs)

    def add(self, docs: Sequence[Document], work: DocumentWork | None = None) -> None:
        """The facts of more documents (those not added before), begun in ``work``'s processes
        (else those it was made with) when many are missing."""
        work = work if work is not None else self.work
        seen = {d.id for d in self.docs}
        docs = [d for d in docs if d.id not in seen]
        self.docs += docs
        missing = []
        for i in range(0, len(docs), DOC_BATCH):
            batch = docs[i:i + DOC_BATCH]
            found = self.store.cached("facts", self.version, [d.id for d in batch])
            self.stored.update(found)
            missing += [d for d in batch if d.id not in found]
        if len(missing) >= MIN_FACT_DOCS and work.workers > 1:
            name = f"facts {len(self.jobs)}" if self.jobs else "facts"
            work.submit(name, document_facts, missing, FACT_CHUNK)
            self.jobs.append((work, name))
        else:
            self.missing += missing

    def result(self, texts: Callable[[Document], str],
               wanted: Sequence[Document] | None = None) -> StoredFacts:
        """Facts by document id, the fresh ones stored (in batches: a killed run keeps what it
        extracted); ``texts`` gives a document's file text where this process extracts.
        ``wanted``: the documents whose facts to give, in order (else those added); one not
        added is read from the store or extracted here, and where this process extracts, only
        the wanted are."""
        wanted = self.docs if wanted is None else wanted
        ids = {d.id for d in wanted}
        here = ((d.id, pipeline.facts(d, texts(d))) for d in self.missing if d.id in ids)
        fresh_facts = chain(*(work.results(name) for work, name in self.jobs), here)

        def stored() -> Iterator[tuple[str, bytes]]:
            for doc_id, found_facts in fresh_facts:
                self.out[doc_id] = found_facts
                yield doc_id, json.dumps([[f.start, f.end, f.type, f.value] for f in found_facts],
                                         ensure_ascii=False).encode("utf-8")

        put_in_batches(self.store, "facts", self.version, stored())
        outside = [d for d in wanted if d.id not in self.out and d.id not in self.stored]
        if outside:
            self.out.update(facts_of(outside, texts, self.store))
        return StoredFacts([d.id for d in wanted], self.stored, self.out)

    def release(self) -> None:
        """Stop the workers if they are done (see :meth:`DocumentWork.release`)."""
        for work in {id(w): w for w, _ in [*self.jobs, (self.work, "")]}.values():
            work.release()

    def close(self) -> None:
        if self.own:
            self.work.close()


def facts_of(docs: Sequence[Document], texts: Callable[[Document], str],
             store: Store | None = None, workers: int = 1) -> Mapping[str, list[Fact]]:
    """Each document's facts, by document id; ``texts`` gives a document's file text. With a
    store, cached per document there: a rerun extracts the facts of new documents only (2.5 ms a
    document otherwise, every run); many documents are extracted in ``workers`` processes."""
    if store is None:
        return {d.id: pipeline.facts(d, texts(d)) for d in docs}
    pending = FactsOf(docs, store, workers)
    try:
        return pending.result(texts)
    finally:
        pending.close()


def aligned_documents(docs: Sequence[Document], pairs: Iterable[tuple[str, str]]) -> list[Document]:
    """The documents of ``pairs``, in ``docs``' order: those that may share passages, and so be
    in a fact diff."""
    ids = {x for pair in pairs for x in pair}
    return [d for d in docs if d.id in ids]


def diffed_documents(docs: Sequence[Document], diffed: Sequence[tuple[str, str, list[Passage]]]) -> list[Document]:
    """The documents of the pairs whose facts are diffed (:func:`pipeline.diffed_pairs`), in
    ``docs``' order: those whose facts a trace writes unless it is asked for all."""
    return aligned_documents(docs, ((a, b) for a, b, _ in diffed))


def fact_diffs_of(store: Store, docs: Sequence[Document], passages: Sequence[Passage],
                  pairs: Sequence[tuple[str, str]], facts: Mapping[str, list[Fact]] | None = None,
                  texts: DocumentTexts | None = None,
                  diffed: Sequence[tuple[str, str, list[Passage]]] | None = None) -> list[FactDiff]:
    """The fact diff of every pair (:func:`pipeline.fact_diffs`) over stored documents.
    ``diffed``: :func:`pipeline.diffed_pairs` of them when the caller has it (``pairs`` unread)."""
    texts = texts or DocumentTexts(store)
    facts = facts if facts is not None else facts_of(docs, texts)
    diffed = pipeline.diffed_pairs(docs, passages, pairs) if diffed is None else diffed
    return FactDiffs(store, docs, diffed, facts, texts).result(diffed)


MIN_DIFF_PAIRS = 200  # pairs to diff from which they go to the pair workers (pickling them costs less)
DIFF_CHUNK = 64  # pairs per fact diff task: consecutive pairs share documents, read once a task


class FactDiffs:
    """The fact diffs of pairs (:func:`pipeline.diff_pair`, each over the passages
    :func:`pipeline.diffed_pairs` gives it) over stored documents, begun when made. A pair is
    diffed again only when its inputs changed since the last run (engines/kept.py), and texts are
    read only for those: a pair related by topic alone has no fact diff, and reading every text
    made a rerun's facts stage cost a fifth of a fresh run's. With ``pool``'s workers up (a
    trace's, after alignment) and enough pairs, those are diffed there from then on, beside
    what this process does next (a trace types relations meanwhile, on one core): the workers
    read the texts and the facts from the store, so ``facts`` must be stored
    (:meth:`FactsOf.result`). :meth:`result` gathers them, the rest diffed here."""

    def __init__(self, store: Store, docs: Sequence[Document], diffed: Sequence[tuple[str, str, list[Passage]]],
                 facts: Mapping[str, list[Fact]], texts: DocumentTexts | None = None,
                 pool: PairWork | None = None) -> None:
        self.store, self.facts, self.texts = store, facts, texts or DocumentTexts(store)
        self.by_id = {d.id: d for d in docs}
        # A document's facts are not in the key: they are its text's (cached with it, and dropped
        # when its file changes) under the facts' version, which the code's digest covers.
        self.kept = KeptPairs(store, "fact diffs of pair")
        self.part = _DocumentParts(self.texts.sources(), self.by_id, lambda d: None)
        self.keys: dict[tuple[str, str], bytes] = {}
        self.found: dict[tuple[str, str], list[FactDiff]] = {}
        todo = [(a, b, ps) for a, b, ps in diffed if not self._kept(a, b, ps)]
        self.futures: list[Future] = []
        if pool is not None and pool.running() and len(todo) >= MIN_DIFF_PAIRS:
            version = pipeline.facts_version()
            self.futures = [pool.submit(diff_chunk, [(self.by_id[a], self.by_id[b], ps) for a, b, ps in chunk],
                                        version)
                            for chunk in (todo[i:i + DIFF_CHUNK] for i in range(0, len(todo), DIFF_CHUNK))]

    def _kept(self, a: str, b: str, ps: Sequence[Passage]) -> bool:
        """Whether the pair's diffs were kept under the same key (then found)."""
        key = self.keys[(a, b)] = digest(self.part(a), self.part(b), [row_of(p) for p in ps])
        hit, rows = self.kept.get((a, b), key)
        if hit:  # kept without the pair's ids, most of what each row held
            self.found[(a, b)] = fact_diffs_of_rows(a, b, rows)
        return hit

    def result(self, diffed: Sequence[tuple[str, str, list[Passage]]]) -> list[FactDiff]:
        """The diffs of ``diffed`` (those it was made with, or some of them), in order; the
        fresh ones kept for the next run."""
        for fut in self.futures:
            for a, b, rows, kept in fut.result():
                if kept:
                    self.found[(a, b)] = fact_diffs_of_rows(a, b, rows)
                    self.kept.put((a, b), self.keys[(a, b)], rows, checked=True)
                else:
                    self._fresh(a, b, [FactDiff(*row) for row in rows])
        self.futures = []
        out: list[FactDiff] = []
        for a, b, ps in diffed:
            if (a, b) not in self.found and ((a, b) in self.keys or not self._kept(a, b, ps)):
                da, db = self.by_id[a], self.by_id[b]
                self._fresh(a, b, pipeline.diff_pair(da, self.texts(da), self.facts.get(a, []),
                                                     db, self.texts(db), self.facts.get(b, []), ps))
            out += self.found[(a, b)]
        self.kept.save(self.store)
        return out

    def _fresh(self, a: str, b: str, diffs: list[FactDiff]) -> None:
        self.found[(a, b)] = diffs
        if (rows := fact_diff_rows(a, b, diffs)) is not None:
            self.kept.put((a, b), self.keys[(a, b)], rows)
