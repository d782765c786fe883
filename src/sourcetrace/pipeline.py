"""The pipeline, top-down, as a list of stages.

    read files -> documents (segment, boilerplate, language) -> sentences
      -> candidates -> passages -> relations + families -> store -> outputs

Each stage is a pure function over plain records (see records.py): the same function runs here in
one process and, unchanged, inside a distributed engine's task. I/O stays at the edges:
:func:`read_inputs` reads files, :func:`ingest` writes the store.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sourcetrace import __version__
from sourcetrace.align.compose import compose, merge_composed
from sourcetrace.align.pair import DEFAULT_THRESHOLD, Side, align
from sourcetrace.candidates import neighbours
from sourcetrace.candidates.neighbours import Neighbours
from sourcetrace.candidates.pairs import (
    FEATURES_VERSION,
    Candidate,
    DocFeatures,
    DocInput,
    candidate_pairs,
    document_features,
    document_vectors,
    features_from_bytes,
    features_to_bytes,
)
from sourcetrace.encode import Encoder, get_encoder
from sourcetrace.encode.vectors import encode_cached
from sourcetrace.engines.workers import align_pairs, default_workers
from sourcetrace.facts import document_facts
from sourcetrace.facts.diff import diff_pair
from sourcetrace.read import ReadError, discover, read_file
from sourcetrace.read.segment import content_spans, segment
from sourcetrace.records import (
    Document,
    Fact,
    FactDiff,
    Family,
    Passage,
    ReadFailure,
    Relation,
    Sentence,
    SourceFile,
    in_bulk,
)
from sourcetrace.relate.coverage import summarize
from sourcetrace.relate.families import families
from sourcetrace.relate.relations import PairText, relations_for
from sourcetrace.relate.timeline import Step, Version, steps, versions
from sourcetrace.search.index import update_index
from sourcetrace.store.sqlite import Store, file_key
from sourcetrace.text import language
from sourcetrace.text.sentences import split_sentences

DEFAULT_MAX_BYTES = 50_000_000
# Files written to the store per transaction: a killed run redoes at most this many.
BATCH_FILES = 200
BATCH_CHARS = 20_000_000
# Bump when segmentation or sentence splitting changes, so stored files are read again.
READING_VERSION = 2


def reading_settings(max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The settings a stored file was read with: stored with it, and stamped on outputs."""
    return json.dumps({"sourcetrace": __version__, "reading": READING_VERSION}, sort_keys=True)


# -- stage: documents and sentences (pure) -------------------------------------------------------
def split_document(text: str, doc: Document) -> list[Sentence]:
    """Sentences of one document: its content spans (boilerplate excluded), split."""
    out: list[Sentence] = []
    # Per-sentence language only where the document holds letters of another script at all.
    mixed = language.mixed_script(text[doc.start:doc.end], doc.lang)
    for start, end in content_spans(doc):
        for s, e in split_sentences(text, start, end, doc.lang):
            lang = language.sentence_language(text[s:e], doc.lang) if mixed else doc.lang
            out.append(Sentence(doc.id, s, e, lang))
    return out


def read_documents(source: SourceFile, id_prefix: str) -> tuple[list[Document], list[Sentence]]:
    """One file's documents and sentences."""
    docs = segment(source, id_prefix)
    sentences = [s for d in docs for s in split_document(source.text, d)]
    return docs, sentences


# -- edges: reading files, writing the store -----------------------------------------------------
@dataclass
class ReadReport:
    """What a reading run did: for the terminal, JSON output and the exit code."""

    files: list[str] = field(default_factory=list)  # keys of every file now in the store from the inputs
    read: int = 0  # files read this run
    unchanged: int = 0  # files skipped because the store already had them
    failures: list[ReadFailure] = field(default_factory=list)


def ingest(inputs: Sequence[str], store: Store, *, max_bytes: int = DEFAULT_MAX_BYTES,
           strict: bool = False, progress: Callable[[str], None] | None = None) -> ReadReport:
    """Read the inputs (files, directories, globs) into the store; skip files already current.

    Each file is stored in one transaction with its documents and sentences. With ``strict`` the
    first failure raises :class:`ReadError`; otherwise failures are collected and reading goes on.
    """
    report = ReadReport()
    paths, failures = discover(inputs)
    report.failures += failures
    if strict and failures:
        raise ReadError(failures[0].path, failures[0].reason)
    settings = reading_settings(max_bytes)
    known = store.file_states()
    stems: set[str] = set()
    batch: list = []
    batch_chars = 0

    def flush() -> None:
        nonlocal batch_chars
        store.put_files(batch)
        for key, source, *_ in batch:
            report.read += 1
            report.files.append(key)
            if progress:
                progress(source.path)
        batch.clear()
        batch_chars = 0

    for path in paths:
        key = file_key(path)
        try:
            # Hash first only files the store already knows: a new file is read either way.
            if key in known and known[key] == (_sha256_of(path), settings):
                report.unchanged += 1
                report.files.append(key)
                if progress:
                    progress(path)
                continue
            source = read_file(path, max_bytes=max_bytes, display_path=path)
        except ReadError as exc:
            if strict:
                raise
            report.failures.append(ReadFailure(exc.path, exc.reason))
            continue
        except OSError as exc:
            failure = ReadFailure(path, f"cannot read: {exc.strerror or exc}")
            if strict:
                raise ReadError(failure.path, failure.reason) from exc
            report.failures.append(failure)
            continue
        report.failures += source.problems
        stem = Path(path).stem
        prefix = store.id_prefix(key, stem, source.sha256, stems)
        stems.add(stem)
        docs, sentences = read_documents(source, prefix)
        batch.append((key, source, settings, docs, sentences))
        batch_chars += len(source.text)
        if len(batch) >= BATCH_FILES or batch_chars >= BATCH_CHARS:
            flush()
    if batch:
        flush()
    return report


def _sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def documents_of(store: Store, keys: Iterable[str]) -> list[Document]:
    return list(store.documents(list(keys)))


# -- stage: passages (pure given the store's texts) ----------------------------------------------

ALL_PAIRS_UP_TO = 60  # documents: below this, aligning every pair costs less than searching


def doc_inputs(store: Store, docs: Sequence[Document]) -> list[DocInput]:
    """What candidate search reads of each document: its content text and sentences."""
    out = []
    for d in docs:
        text = store.document_text(d.id) or ""
        sents = [text[s.start:s.end] for s in store.sentences(d.id)]
        out.append(DocInput(d.id, d.lang, "\n".join(text[s:e] for s, e in content_spans(d)), sents))
    return out


TOPIC_SENTENCES = 8
DOC_BATCH = 2000  # documents whose topic vector or features are computed (and stored) at a time


def _per_document(store: Store, kind: str, version: str, docs: Sequence[Document],
                  compute: Callable[[list[DocInput]], dict[str, bytes]],
                  progress: Callable[[int], None] | None = None, batch: int = DOC_BATCH) -> dict[str, bytes]:
    """A per-document result cached in the store: computed for the documents that lack it, in
    batches (memory stays bounded on a large corpus, and a killed run keeps what it computed)."""
    found = store.cached(kind, version, [d.id for d in docs])
    missing = [d for d in docs if d.id not in found]
    if progress and len(found):
        progress(len(docs) - len(missing))
    for i in range(0, len(missing), batch):
        fresh = compute(doc_inputs(store, missing[i:i + batch]))
        store.put_cached(kind, version, fresh.items())
        found.update(fresh)
        if progress:
            progress(len(missing[i:i + batch]))
    return found


SENTENCE_BATCH = 500  # documents whose sentences are encoded (and stored) at a time


def sentence_vectors(store: Store, docs: Sequence[Document], progress: Callable[[int], None] | None = None) -> None:
    """Every sentence of every document encoded once with the fast encoder and cached in the
    store. Topic vectors, alignment above ``LARGE_CORPUS`` documents and the quote index all read
    them from there, so encoding grows with the corpus and not with the pairs it holds (aligned
    pairs grow faster than documents: each document's share of pairs grows with the corpus)."""
    encoder = get_encoder("use")

    def compute(inputs: list[DocInput]) -> dict[str, bytes]:
        encode_cached(encoder, [s for d in inputs for s in d.sentences if s.strip()], store)
        return {d.id: b"" for d in inputs}  # a mark: this document's sentences are in the cache

    _per_document(store, "encoded", encoder.name, docs, compute, progress, SENTENCE_BATCH)


def topic_vectors(store: Store, docs: Sequence[Document]) -> dict[str, np.ndarray]:
    """Each document's topic: the mean of a few of its sentence vectors (fast encoder), cached
    per document in the store, so a rerun over a grown corpus encodes only the new documents."""
    encoder = get_encoder("use")

    def compute(inputs: list[DocInput]) -> dict[str, bytes]:
        vecs = document_vectors(inputs, encoder, store, max_sentences=TOPIC_SENTENCES)
        return {k: v.astype(np.float32).tobytes() for k, v in vecs.items()}

    blobs = _per_document(store, "topic", f"{encoder.name}:{TOPIC_SENTENCES}", docs, compute)
    return {k: np.frombuffer(v, dtype=np.float32) for k, v in blobs.items()}


def candidate_features(store: Store, docs: Sequence[Document]) -> list[DocFeatures]:
    """Each document's MinHash signatures and anchors, cached per document in the store."""
    def compute(inputs: list[DocInput]) -> dict[str, bytes]:
        return {f.id: features_to_bytes(f) for f in document_features(inputs)}

    blobs = _per_document(store, "features", FEATURES_VERSION, docs, compute)
    return [features_from_bytes(k, v) for k, v in blobs.items()]


def nearest_documents(store: Store, docs: Sequence[Document], vectors: dict[str, np.ndarray]) -> Neighbours:
    """Each document's nearest documents by topic (:func:`neighbours.nearest`), starting from the
    lists the last run stored: a grown corpus searches only for what its new documents change."""
    version = f"{get_encoder('use').name}:{TOPIC_SENTENCES}"
    blob = store.corpus_cached("neighbours", version)
    previous = None
    if blob is not None:
        try:
            previous = neighbours.from_bytes(blob)
        except (ValueError, KeyError, OSError):  # unreadable: search everything again
            previous = None
    found = neighbours.nearest(vectors, {d.id: d.lang for d in docs}, previous=previous)
    store.put_corpus_cached("neighbours", version, neighbours.to_bytes(found))
    return found


# Ratio margin (see candidates.Candidate.margin) above which a cross-language vector neighbour is
# aligned. Bench corpus of 1,000 (topic vectors of 8 spread sentences): planted translations min
# 1.14; other cross-language candidates median 0.96, p99 1.055, max 1.12. With a shared anchor, a neighbour
# at least as close as the document's usual neighbours (margin 1.0) is aligned too.
ALIGN_MARGIN = 1.06
ANCHORED_MARGIN = 1.0


@in_bulk()
def candidate_sets(store: Store, docs: Sequence[Document], vectors: dict[str, np.ndarray] | None = None
                   ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(pairs to align, pairs to relate). A small set: every pair, both. Else every candidate of
    MinHash + vector ANN + rare anchors is related, and aligned only on evidence of shared text:
    in one language a MinHash match (text they shared would show there; anchors or topic alone
    are most of the work on a large corpus and rarely a passage); across languages a vector
    neighbour that stands out (:data:`ALIGN_MARGIN`), or one that shares anchors."""
    ids = [d.id for d in docs]
    if len(ids) <= ALL_PAIRS_UP_TO:
        every = [(ids[i], ids[j]) for i in range(len(ids)) for j in range(i + 1, len(ids))]
        return every, every
    lang = {d.id: d.lang for d in docs}
    nb = nearest_documents(store, docs, vectors) if vectors else None
    found = candidate_pairs(candidate_features(store, docs), vectors, neighbours=nb)
    related = [(c.a, c.b) for c in found]
    aligned = [(c.a, c.b) for c in found if _worth_aligning(c, lang[c.a] != lang[c.b])]
    return aligned, related


def _worth_aligning(c: Candidate, cross: bool) -> bool:
    if not cross:
        return "minhash" in c.sources
    return c.margin >= ALIGN_MARGIN or ("anchors" in c.sources and c.margin >= ANCHORED_MARGIN)


def candidates(store: Store, docs: Sequence[Document], vectors: dict[str, np.ndarray] | None = None
               ) -> list[tuple[str, str]]:
    """Pairs worth relating (see :func:`candidate_sets`)."""
    return candidate_sets(store, docs, vectors)[1]


@in_bulk()
def relate_all(store: Store, docs: Sequence[Document], passages: Sequence[Passage],
               vectors: dict[str, np.ndarray], pairs: Sequence[tuple[str, str]]) -> tuple[list[Relation], list[Family]]:
    """Relations between the candidate pairs (typed from passages and topic), and families."""
    # Texts only of documents that share passages: a pair related by topic alone is typed
    # without reading either text (most pairs of a large corpus).
    shared = {x for p in passages for x in (p.a, p.b)}
    texts = [PairText(d, store.document_text(d.id) or "" if d.id in shared else "") for d in docs]
    relations = relations_for(texts, passages, vectors, pairs)
    store.put_relations([d.id for d in docs], relations)
    return relations, families(docs, relations)


def alignment_settings(encoder: Encoder | None, threshold: float) -> str:
    """What a stored alignment depends on: a change of any of these aligns the pair again."""
    return json.dumps({"encoder": encoder.name if encoder else "auto", "threshold": threshold,
                       "reading": READING_VERSION, "sourcetrace": __version__}, sort_keys=True)


def align_all(store: Store, docs: Sequence[Document], *, encoder: Encoder | None = None,
              threshold: float = DEFAULT_THRESHOLD, pairs: Sequence[tuple[str, str]] | None = None,
              progress: Callable[[int], None] | None = None,
              on_total: Callable[[int], None] | None = None, workers: int = 1) -> list[Passage]:
    """Passages between the given pairs of documents (every pair when None).

    Pairs already aligned with the same settings are not aligned again (a rerun after adding
    files only aligns what the new files need); each pair is stored with its passages in one
    transaction, so a killed run resumes where it stopped. With `workers` > 1, many pairs are
    aligned in that many processes (see workers.py: the calling script's main module must be
    import-safe, ``if __name__ == "__main__"``, as for any process pool). Passages through translations are
    composed over all the documents' passages at the end.
    """
    settings = alignment_settings(encoder, threshold)
    ids = [d.id for d in docs]
    if pairs is None:
        pairs = [(ids[i], ids[j]) for i in range(len(ids)) for j in range(i + 1, len(ids))]
    done = store.aligned(settings)
    todo = [(a, b) for a, b in pairs if (a, b) not in done and (b, a) not in done]
    if on_total:
        on_total(len(todo))
    by_id = {d.id: d for d in docs}
    for a, b, found in align_pairs(store, [(by_id[a], by_id[b]) for a, b in todo], encoder=encoder,
                                   threshold=threshold, workers=workers):
        store.put_alignment(a, b, settings, found)
        if progress:
            progress(1)
    # Only the current pairs: a pair aligned in an earlier run that is no longer a candidate must
    # not change the answer (a rerun answers as a fresh run over the same files would).
    with in_bulk():  # every passage of the corpus, as records
        current = {(a, b) if a < b else (b, a) for a, b in pairs}
        direct = [p for p in store.passages(ids) if ((p.a, p.b) if p.a < p.b else (p.b, p.a)) in current]
        return merge_composed(direct, compose(docs, direct))


# -- stage: facts and fact diffs (pure given the documents' texts) ------------------------------
def facts_of(store: Store, docs: Sequence[Document]) -> dict[str, list[Fact]]:
    """Each document's facts (numbers, money, percentages, dates, names), by document id."""
    texts: dict[str, str] = {}
    out: dict[str, list[Fact]] = {}
    for d in docs:
        key = d.path
        if key not in texts:
            texts[key] = store.document_text(d.id) or ""
        out[d.id] = document_facts(d, texts[key])
    return out


def fact_diffs(store: Store, docs: Sequence[Document], passages: Sequence[Passage],
               pairs: Sequence[tuple[str, str]], facts: dict[str, list[Fact]] | None = None) -> list[FactDiff]:
    """The fact diff of every pair, over its passages and the passages that map through a
    translation in the corpus (a report of the English original meets the Arabic translation)."""
    facts = facts if facts is not None else facts_of(store, docs)
    by_id = {d.id: d for d in docs}
    grouped: dict[frozenset[str], list[Passage]] = {}
    for p in [*passages, *compose(docs, passages, any_language=True)]:
        grouped.setdefault(frozenset((p.a, p.b)), []).append(p)
    texts: dict[str, str] = {}

    def text(doc_id: str) -> str:
        if doc_id not in texts:
            texts[doc_id] = store.document_text(doc_id) or ""
        return texts[doc_id]

    out: list[FactDiff] = []
    for a, b in pairs:
        if a not in by_id or b not in by_id:
            continue
        ps = grouped.get(frozenset((a, b)), [])
        out += diff_pair(by_id[a], text(a), facts.get(a, []), by_id[b], text(b), facts.get(b, []), ps)
    return out


# -- timeline: versions of a recurring statement ------------------------------------------------
@dataclass
class Timeline:
    versions: list[Version]
    left_out: list[Document]  # shared no text with another document: not a version
    steps: list[Step]
    texts: dict[str, str]  # file text of each document
    facts: dict[str, list[Fact]]


def timeline_of(store: Store, docs: Sequence[Document], *, encoder: Encoder | None = None,
                threshold: float = DEFAULT_THRESHOLD) -> Timeline:
    """The versions among ``docs`` in date order and what each changed from the one before (the
    documents are aligned pairwise, each pair once, to tell versions from unrelated texts)."""
    sides = {d.id: Side.of(store, d) for d in docs}
    cache: dict[frozenset[str], list[Passage]] = {}

    def passages_of(x: Document, y: Document) -> list[Passage]:
        key = frozenset((x.id, y.id))
        if key not in cache:
            cache[key] = align(sides[x.id], sides[y.id], encoder=encoder, store=store, threshold=threshold)
        return cache[key]

    def coverage(x: str, y: str) -> float:
        s = summarize(sides[x].doc, sides[y].doc, passages_of(sides[x].doc, sides[y].doc),
                      sides[x].sentences, sides[y].sentences)
        return max(s["coverage_a"], s["coverage_b"])

    facts = {d.id: document_facts(d, sides[d.id].text) for d in docs}
    texts = {d.id: sides[d.id].text for d in docs}
    vs, left_out = versions(docs, facts, coverage)
    return Timeline(vs, left_out, steps(vs, texts, {d.id: sides[d.id].sentences for d in docs}, passages_of, facts),
                    texts, facts)


LARGE_CORPUS = 200  # documents: above this, trace aligns with the fast encoder unless told otherwise


def trace_documents(store: Store, docs: Sequence[Document], *, encoder: Encoder | None = None,
                    threshold: float = DEFAULT_THRESHOLD, stage: Callable[[str], None] | None = None,
                    progress: Callable[[int], None] | None = None,
                    on_total: Callable[[int], None] | None = None) -> tuple[list[Passage], list[Relation], list[Family]]:
    """The stages after reading, over stored documents: sentence vectors, topics and candidates,
    passages, relations and families, then the quote index. ``encoder`` None: the default encoder, or the
    fast one above ``LARGE_CORPUS`` documents (whose vectors the topic step already cached)."""
    def say(name: str) -> None:
        if stage:
            stage(name)

    say("sentence vectors")
    if on_total:
        on_total(len(docs))
    sentence_vectors(store, docs, progress)
    say("topics and candidates")
    vectors = topic_vectors(store, docs)
    to_align, pairs = candidate_sets(store, docs, vectors)
    say("aligning")
    chosen = encoder or (get_encoder("use") if len(docs) > LARGE_CORPUS else None)
    passages = align_all(store, docs, encoder=chosen, threshold=threshold, pairs=to_align, progress=progress,
                         on_total=on_total, workers=default_workers())
    say("relations and families")
    relations, fams = relate_all(store, docs, passages, vectors, pairs)
    say("quote index")
    update_index(store)
    return passages, relations, fams


# -- compare: two documents named by id, file or FILE#N ------------------------------------------
class NotFound(Exception):
    """A document reference that names nothing in the store or on disk."""


def resolve(ref: str, store: Store, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Document]:
    """Documents a reference names: a document id in the store, a file (all its documents), or
    ``FILE#N`` (its N-th document, from 1). Files are read into the store first."""
    doc = store.document(ref)
    if doc is not None:
        return [doc]
    path, _, nth = ref.rpartition("#") if "#" in ref and not Path(ref).exists() else (ref, "", "")
    if not Path(path).exists():
        raise NotFound(f"{ref}: no such document id in the store, and no such file")
    report = ingest([path], store, max_bytes=max_bytes)
    if report.failures:
        raise NotFound(f"{report.failures[0].path}: {report.failures[0].reason}")
    docs = list(store.documents(report.files))
    if not nth:
        return docs
    if not nth.isdigit() or not 1 <= int(nth) <= len(docs):
        raise NotFound(f"{ref}: the file holds {len(docs)} document(s); use #1 … #{len(docs)}")
    return [docs[int(nth) - 1]]


@dataclass
class Comparison:
    a: Side
    b: Side
    passages: list[Passage]


def compare(ref_a: str, ref_b: str, store: Store, *, encoder: Encoder | None = None,
            threshold: float = DEFAULT_THRESHOLD) -> Comparison:
    """Align two documents. A file holding several documents contributes the one that shares
    most with the other side (by characters covered on both sides)."""
    docs_a, docs_b = resolve(ref_a, store), resolve(ref_b, store)
    best: Comparison | None = None
    best_cover = -1
    for da in docs_a:
        for db in docs_b:
            if da.id == db.id:
                continue
            sa, sb = Side.of(store, da), Side.of(store, db)
            passages = align(sa, sb, encoder=encoder, store=store, threshold=threshold)
            cover = sum(p.a_end - p.a_start + p.b_end - p.b_start for p in passages)
            if cover > best_cover:
                best, best_cover = Comparison(sa, sb, passages), cover
    if best is None:
        raise NotFound(f"{ref_a} and {ref_b} name the same single document")
    return best
