"""Documents a user names (an id, a file, ``FILE#N``) and what the pair commands do with them:
compare two, the timeline of several. The store is read and written here; the stages are
:mod:`sourcetrace.pipeline`'s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sourcetrace import pipeline
from sourcetrace.align.pair import DEFAULT_THRESHOLD, Side
from sourcetrace.encode import Encoder
from sourcetrace.encode.vectors import StoreVectors
from sourcetrace.engines.ingest import ingest
from sourcetrace.engines.sides import side_of
from sourcetrace.readers import DEFAULT_MAX_BYTES
from sourcetrace.records import Document, Fact, FactDiff, Passage
from sourcetrace.relate.coverage import summarize
from sourcetrace.relate.timeline import Step, Version, steps, versions
from sourcetrace.store.sqlite import Store


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
    #: where the passages come from: ``aligned`` now, or the ``store``'s (a trace aligned the pair,
    #: a first, with the same settings: what aligning now gives), or ``store-reversed`` (it aligned
    #: b first: its passages turned round, which aligning a first may not give exactly)
    source: str = "aligned"


#: :attr:`Comparison.source`'s values.
ALIGNED, STORED, STORED_REVERSED = "aligned", "store", "store-reversed"


def compare(ref_a: str, ref_b: str, store: Store, *, encoder: Encoder | None = None,
            threshold: float = DEFAULT_THRESHOLD, realign: bool = False) -> Comparison:
    """Align two documents, or take their passages from the store when a trace aligned them with
    the same settings (:func:`pipeline.alignment_settings`: the encoder, the threshold, the reading
    and alignment versions; a trace keeps a pair's direct passages, those :func:`align` gives),
    unless ``realign``. A file holding several documents contributes the one that shares most
    with the other side (by characters covered on both sides)."""
    docs_a, docs_b = resolve(ref_a, store), resolve(ref_b, store)
    vectors = StoreVectors(store)
    settings = pipeline.alignment_settings(encoder, threshold)
    best: Comparison | None = None
    best_cover = -1
    for da in docs_a:
        for db in docs_b:
            if da.id == db.id:
                continue
            sa, sb = side_of(store, da), side_of(store, db)
            found = None if realign else stored_passages(store, da.id, db.id, settings)
            if found is None:
                passages = pipeline.align_pair(sa, sb, encoder=encoder, vectors=vectors, threshold=threshold)
                source = ALIGNED
            else:
                passages, source = found[0], STORED if found[1] else STORED_REVERSED
            cover = sum(p.a_end - p.a_start + p.b_end - p.b_start for p in passages)
            if cover > best_cover:
                best, best_cover = Comparison(sa, sb, passages, source), cover
    if best is None:
        raise NotFound(f"{ref_a} and {ref_b} name the same single document")
    return best


def stored_passages(store: Store, a: str, b: str, settings: str) -> tuple[list[Passage], bool] | None:
    """The passages of documents a and b the store holds from an alignment with ``settings``, a's
    spans first and in :func:`align`'s order, and whether the pair was aligned a first (else b
    first: its passages turned round, not aligned again); None when it was not aligned so."""
    found = store.alignment(a, b, settings)
    if found is None:
        return None
    passages, as_asked = found
    if not as_asked:
        passages = [Passage(p.b, p.b_start, p.b_end, p.a, p.a_start, p.a_end, p.kind, p.score) for p in passages]
    return sorted(passages, key=lambda p: (p.a_start, p.b_start)), as_asked


def pair_fact_diff(result: Comparison) -> tuple[list[Fact], list[FactDiff]]:
    """Both documents' facts and their diff over the passages of a comparison."""
    sa, sb = result.a, result.b
    fa, fb = pipeline.facts(sa.doc, sa.text), pipeline.facts(sb.doc, sb.text)
    return fa + fb, pipeline.fact_diffs([sa.doc, sb.doc], {sa.doc.id: sa.text, sb.doc.id: sb.text},
                                        result.passages, [(sa.doc.id, sb.doc.id)], {sa.doc.id: fa, sb.doc.id: fb})


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
    sides = {d.id: side_of(store, d) for d in docs}
    vectors = StoreVectors(store)
    cache: dict[frozenset[str], list[Passage]] = {}

    def passages_of(x: Document, y: Document) -> list[Passage]:
        key = frozenset((x.id, y.id))
        if key not in cache:
            cache[key] = pipeline.align_pair(sides[x.id], sides[y.id], encoder=encoder, vectors=vectors, threshold=threshold)
        return cache[key]

    def coverage(x: str, y: str) -> float:
        s = summarize(sides[x].doc, sides[y].doc, passages_of(sides[x].doc, sides[y].doc),
                      sides[x].sentences, sides[y].sentences)
        return max(s["coverage_a"], s["coverage_b"])

    facts = {d.id: pipeline.facts(d, sides[d.id].text) for d in docs}
    texts = {d.id: sides[d.id].text for d in docs}
    vs, left_out = versions(docs, facts, coverage)
    return Timeline(vs, left_out, steps(vs, texts, {d.id: sides[d.id].sentences for d in docs}, passages_of, facts),
                    texts, facts)
