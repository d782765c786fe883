"""The trace pipeline: the stages a trace runs, in order, each a function from records to records.

    stage        records in                                  -> records out     module
    read         a file path                                 -> SourceFile      readers/
    segment      SourceFile                                  -> Document*       segment/documents.py
    split        Document + its file's text                  -> Sentence*       text/sentences.py
    encode       sentence texts                              -> unit vectors    encode/
    candidates   DocInput* (+ topic vectors, neighbours)     -> pairs           candidates/
    align        two Sides (+ their sentences' vectors)      -> Passage*        align/pair.py
    compose      Passage*                                    -> Passage*        align/compose.py
    relate       PairText* + Passage* + topics + pairs       -> Relation*       relate/relations.py
    facts        Document + its file's text                  -> Fact*           factcheck/
    fact diffs   pairs + Passage* + Fact* + texts            -> FactDiff*       factcheck/diff.py
    direct       Document* + Relation* + FactDiff*           -> Relation*       relate/direction.py
    families     Document* + Relation*                       -> Family*         relate/families.py
    outputs      all of the above                            -> JSONL files     outputs.py

No stage opens the store or knows where it runs. The local engine (:mod:`sourcetrace.engines.local`)
runs this list in one process and its workers, with SQLite as cache and checkpoint (a killed run
resumes; a rerun computes only what new files need); the CLI, the web app's uploads and the benches
call that engine. A distributed engine runs the same functions inside its tasks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sourcetrace import __version__
from sourcetrace.align.compose import compose as compose_through
from sourcetrace.align.compose import merge_composed
from sourcetrace.align.pair import DEFAULT_THRESHOLD, Side, align
from sourcetrace.candidates import votes
from sourcetrace.candidates.neighbours import Neighbours, nearest
from sourcetrace.candidates.pairs import (
    Banding,
    Candidate,
    DocFeatures,
    DocInput,
    candidate_union,
    document_features,
    mean_direction,
    minhash_of_features,
    topic_texts,
)
from sourcetrace.defaults import ALL_FACTS, DIFFED_FACTS, FACTS_CHOICES  # noqa: F401 (pipeline.DIFFED_FACTS: its users)
from sourcetrace.encode import Encoder, get_encoder
from sourcetrace.encode.vectors import Vectors, encoded
from sourcetrace.factcheck import document_facts
from sourcetrace.factcheck.diff import diff_pair
from sourcetrace.outputs import output_set, write_corpus_files, write_jsonl, write_lines, write_settings
from sourcetrace.readers import DEFAULT_MAX_BYTES, read_file
from sourcetrace.records import (
    CodedPairs,
    Document,
    Fact,
    FactDiff,
    Family,
    Passage,
    Relation,
    Sentence,
    SourceFile,
    fact_diff_lines,
    fact_lines,
    in_bulk,
    relation_lines,
)
from sourcetrace.relate.columns import KeptCosines, Relations
from sourcetrace.relate.direction import direct as direct_by_family
from sourcetrace.relate.families import families as families_of
from sourcetrace.relate.relations import (
    MIN_TRANSLATION_COVERAGE,
    TRANSLATION_KINDS,
    PairText,
    relations_for,
    typed_relations,
)
from sourcetrace.segment.documents import content_spans, segment_and_split
from sourcetrace.segment.documents import split as split  # the split stage, by its name here too
from sourcetrace.text.sentences import run_on, unwrapped
from sourcetrace.text.terms import figures

if TYPE_CHECKING:
    from sourcetrace.encode.static import RowMemo

STAGES = ("read", "segment", "split", "encode", "candidates", "align", "compose", "relate", "facts",
          "fact diffs", "direct", "families", "outputs")

# Bump when segmentation or sentence splitting changes, so stored files are read again.
READING_VERSION = 8  # 8: "US" in capitals is no first-person "us" (the change-of-voice rule); 7: a book is not cut by a repeated heading or closing note, a title inside a word, chapter markers
# Bump when fact extraction changes, so cached facts are extracted again.
FACTS_VERSION = 2
# Bump when alignment (align/) changes what a pair yields, so a store traced before aligns its
# pairs again instead of keeping their old passages.
ALIGNMENT_VERSION = 6  # 2: short mutual pairs stand, path rows by unit count; same-language USE screened;
# 3: a reordered pair grows at its blocks' edges (beads.grow_diagonal); 4: with no encoder chosen, a
# same-language pair of long documents is aligned with the fast one (align.pair.pair_encoder); 5: a
# line left uncovered with the very words of one or two lines of the other is verbatim (align.pair._lines_reused);
# 6: a reordered pair's cut verses joined after the path (beads.extend's fit_weight)
TOPIC_SENTENCES = 64  # sentences (spread over the document) whose mean vector is its topic: all of a
# news story, so a partial, reordered translation averages the same sentences (8 spread ones missed
# most such pairs: the two samples held different sentences)
# Topics come from static vectors (USE's token layer as a table, encode/static.py): about 25x
# cheaper than USE, so candidate search no longer waits for every sentence to be encoded. The
# full encoder then runs only on what alignment reads (see encoded_documents).
TOPIC_ENCODER = "static"
FAST_ENCODER = "use"  # the encoder of large corpora's alignment (and of the quote index)
ALL_PAIRS_UP_TO = 60  # documents: below this, aligning every pair costs less than searching
LARGE_CORPUS = 200  # documents: above this, trace aligns with the fast encoder unless told otherwise
# Cosine of static topic vectors above which a vector neighbour is a candidate. bench/candidates.py
# --calibrate, planted corpus: translations min 0.80; Tatoeba documents of 10 sentences lower.
TOPIC_MIN_COS = 0.6
# Ratio margin (see candidates.Candidate.margin) from which a cross-language vector neighbour
# sharing a rare term is aligned: at least as close as the document's usual neighbours. Without a
# shared term, margin decides nothing: the static topic vectors separate a translation from its
# topic neighbours too little (planted corpus of 2,000: translations from 1.022, other
# cross-language candidates p99.9 1.027; realtext's scripture chapters 0.95-1.04), and a pair is
# aligned only on trial, when both documents choose it by their sentences' votes.
TERMS_MARGIN = 1.0
# Topic cosine at or above which two documents sharing no text are "related" (same topic). Static
# vectors of unrelated documents are closer than USE's were (0.45 on USE's scale).
RELATED_COS = 0.45
# Cross-language pairs aligned on trial (:func:`tried`) keep what the alignment yields only as a
# translation, whole or of a part (one side covered at least TRIAL_CONTAINED by translated
# passages): the rest stay related by topic. On trial: a pair sharing no rare term that both
# documents choose by their sentences' votes among their topic neighbours (candidates/votes.py).
# Before the votes, a pair on topic vectors alone (margin 1.015) or both documents' best by
# margin (from 0.95) was on trial: planted bench of 2,000, 339 pairs, none kept, each paying the
# full encoding of its documents; by votes 94, none kept (the 80 planted translations share
# rare terms). bench/realtext.py's candidates: complete translations aligned 26 -> 33 of 45,
# partial 15 -> 18 of 24, 48 pairs on trial of which 41 true -> 51 of which 51.
# What a translation needs of both sides (relate's MIN_TRANSLATION_COVERAGE), here of one: the
# planted bench's false `derived` on trial cover at most 0.79 of a side; partial reordered
# translations of realtext 0.81-0.99 of their Arabic side (0.85 lost one, hebrews6 at 0.84).
TRIAL_CONTAINED = MIN_TRANSLATION_COVERAGE
TRIAL = "trial"  # the alignment of a pair on trial (:func:`alignment`)
# A reordered translation aligns otherwise with either document first (bench/README.md, xalign6):
# a pair on trial whose passages cover at least TRIAL_RETRY of a side, short of TRIAL_CONTAINED,
# is aligned the other way round once (:func:`on_trial`). bench/realtext.py: of its 67 pairs on
# trial (every one a translation), one falls short, quran61 at 0.69 (0.99 the other way); the
# planted bench of 2,000 has one pair on trial (no translation), at 0.30.
TRIAL_RETRY = 0.6
TRIAL_VERSION = 2  # what a stored trial's answer depends on (2: aligned the other way round when short)
# A translation keeps its figures: a pair on trial whose documents each state at least
# TRIAL_MIN_FIGURES numbers or full dates (text/terms.py), of which under TRIAL_SHARED_FIGURES of
# the smaller set are in the other, is not aligned (:func:`figures_disagree`). Planted corpus of
# 10,000: 1,143 pairs on trial, 1,127 of them ended `related` and 16 as false `derived`; their
# figures' share in common is p95 0.33 (max 0.80), that of the planted translations p5 0.76;
# 1,123 and 15 of them fail the test, so their 2,000 documents are no longer fully encoded.
# realtext's pairs on trial (scripture) state no figures: untouched.
TRIAL_MIN_FIGURES = 3
TRIAL_SHARED_FIGURES = 0.5


# -- read, segment, split -----------------------------------------------------------------------
def read(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, display_path: str | None = None) -> SourceFile:
    """One file's text (decoded, or extracted from HTML/JSONL); raises ReadError."""
    return read_file(path, max_bytes=max_bytes, display_path=display_path)


def segment(source: SourceFile, id_prefix: str) -> tuple[list[Document], list[Sentence]]:
    """One file's documents (segment, boilerplate, language, dateline) and their sentences."""
    return segment_and_split(source, id_prefix)


# -- encode --------------------------------------------------------------------------------------
def encode(texts: Sequence[str], *, encoder: Encoder | None = None, vectors: Vectors = encoded) -> np.ndarray:
    """Unit vectors of sentence texts, with the fast encoder unless one is given."""
    return vectors(encoder or get_encoder(FAST_ENCODER), [t for t in texts if t.strip()])


def encoded_documents(docs: Sequence[Document], aligned: Sequence[tuple[str, str]]) -> list[Document]:
    """The documents whose every sentence alignment reads with the full encoder: those in a
    cross-language pair to align (no sentence of theirs is explained by shared wording). A
    same-language pair needs vectors only for what reuse leaves, which the aligner encodes."""
    lang = {d.id: d.lang for d in docs}
    need = {x for a, b in aligned if lang.get(a) != lang.get(b) for x in (a, b)}
    return [d for d in docs if d.id in need]


def doc_input(doc: Document, text: str, sentences: Sequence[Sentence]) -> DocInput:
    """What candidate search reads of a document: its content text, its sentences' texts (a
    sentence of hard-wrapped text whole) and the units its quotes are matched by: sentences
    joined at every line break inside one, whatever the next line starts with (a copy wrapped
    elsewhere shares them only so: text.sentences.run_on)."""
    spans = [(s.start, s.end) for s in sentences]
    return DocInput(doc.id, doc.lang, "\n".join(text[s:e] for s, e in content_spans(doc)),
                    [text[s:e] for s, e in unwrapped(text, spans)], [text[s:e] for s, e in run_on(text, spans)])


def topic_rows(inputs: Sequence[DocInput], memo: RowMemo | None = None) -> dict[str, np.ndarray]:
    """Each document's static vectors of the texts its topic is the mean of (up to
    ``TOPIC_SENTENCES`` spread sentences), each document encoded alone (the static encoder's
    ``encode_each``): a document's topic does not depend on what else is in its batch, and
    where its voting sentences are these texts its voting vectors are these rows
    (:func:`votes_of_topics`). ``memo``: rows of texts met in earlier batches (the same bits)."""
    from threadpoolctl import threadpool_limits

    enc = get_encoder(TOPIC_ENCODER)
    with threadpool_limits(1):  # products of one document's rows: threads spinning cost more than they do
        rows = enc.encode_each([topic_texts(d, TOPIC_SENTENCES) for d in inputs], memo)
    return {d.id: r for d, r in zip(inputs, rows, strict=True) if len(r)}


def topics(inputs: Sequence[DocInput], rows: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Each document's topic: the mean of its sentences' static vectors (up to ``TOPIC_SENTENCES``);
    ``rows``: :func:`topic_rows` of ``inputs``, when the caller has them."""
    return {k: mean_direction(v) for k, v in (topic_rows(inputs) if rows is None else rows).items()}


def votes_of_topics(inputs: Sequence[DocInput], rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The voting vectors (:func:`vote_vectors`) of the documents of ``inputs`` whose voting
    sentences are their topic texts (up to :data:`votes.VOTE_SENTENCES` sentences, so no
    stretches either: :func:`stretch_vectors` gives them no rows), from their :func:`topic_rows`:
    the same texts encoded alone, the same bits. A trace computed every document's static
    vectors twice before, once for each. As float16, as stored (:func:`votes.as_stored`'s
    values: the float32 ones come back exactly); rounding them to float32 and again to float16
    to store them was 5% of the topics stage."""
    out = {}
    for d in inputs:
        voting = votes.voting_sentences(d.sentences)
        if not voting:
            out[d.id] = np.zeros((0, get_encoder(TOPIC_ENCODER).dim), dtype=np.float16)
        elif voting == topic_texts(d, TOPIC_SENTENCES):
            out[d.id] = np.asarray(rows[d.id], dtype=np.float16)
    return out


def topic_version() -> str:
    """What a stored topic vector (and neighbour list) depends on (alone: each document's static
    vectors encoded apart from its batch's)."""
    return f"{get_encoder(TOPIC_ENCODER).name}:{TOPIC_SENTENCES}:alone"


# -- candidates ----------------------------------------------------------------------------------
def features(inputs: Sequence[DocInput]) -> list[DocFeatures]:
    """Each document's MinHash signatures and rare terms (cached per document by a runner)."""
    return document_features(inputs)


def neighbours(topic_vectors: Mapping[str, np.ndarray], langs: Mapping[str, str],
               previous: Neighbours | None = None) -> Neighbours:
    """Each document's nearest documents by topic; ``previous`` lists are met with new documents only."""
    return nearest(dict(topic_vectors), dict(langs), previous=previous)


@dataclass
class Pairs:
    """Candidate pairs: every one is related (typed); those with evidence of shared text are
    aligned; those ``trial`` (also in ``aligned``) keep their passages only as a translation;
    those ``ran`` (chosen by votes) hold a run of votes (:func:`sourcetrace.candidates.votes.ran`),
    which :func:`relate` reads."""

    aligned: list[tuple[str, str]]
    related: list[tuple[str, str]]
    trial: list[tuple[str, str]] = field(default_factory=list)
    ran: list[tuple[str, str]] = field(default_factory=list)


def every_pair(docs: Sequence[Document]) -> Pairs:
    """A small set: every pair, aligned and related (cheaper than searching). Each pair in id
    order, as candidate search gives them: the answer must not depend on the order the files came
    in (an upload's store order is not the command line's)."""
    ids = sorted(d.id for d in docs)
    every = [(ids[i], ids[j]) for i in range(len(ids)) for j in range(i + 1, len(ids))]
    return Pairs(every, every)


def vote_vectors(inputs: Sequence[DocInput]) -> dict[str, np.ndarray]:
    """The static vectors of each document's voting sentences (:mod:`sourcetrace.candidates.votes`),
    each document encoded alone."""
    return _each_alone(inputs, votes.voting_sentences)


def stretch_vectors(inputs: Sequence[DocInput]) -> dict[str, np.ndarray]:
    """The static vectors of each long document's stretches (:func:`sourcetrace.candidates.votes.stretch_vectors`;
    no rows for a document of few sentences), each document encoded alone."""
    return _each_alone(inputs, votes.stretches)


def twin_vectors(inputs: Sequence[DocInput]) -> dict[str, np.ndarray]:
    """The static vectors of each document's twins (:func:`sourcetrace.candidates.votes.twins`; no
    rows for a document without), each document encoded alone."""
    return _each_alone(inputs, votes.twins)


def _each_alone(inputs: Sequence[DocInput], texts: Callable[[Sequence[str]], Sequence[str]]
                ) -> dict[str, np.ndarray]:
    from threadpoolctl import threadpool_limits

    enc = get_encoder(TOPIC_ENCODER)
    with threadpool_limits(1):  # small products: threads spinning around each cost 7-20x their work
        found = votes.encoded_alone([texts(d.sentences) for d in inputs], enc)
    return {d.id: v for d, v in zip(inputs, found, strict=True)}


def voted(nearest_docs: Neighbours, vectors: Mapping[str, np.ndarray],
          stretch: Mapping[str, np.ndarray] | None = None,
          twin: Mapping[str, np.ndarray] | None = None) -> dict[tuple[str, str], bool]:
    """The cross-language pairs chosen by their sentences' votes among their neighbours by topic,
    each with whether its ballots hold a run (:func:`sourcetrace.candidates.votes.choices`):
    both documents' choice, or votes in order (:func:`sourcetrace.candidates.votes.chosen`); by
    their sentences' or, where a document is long, their stretches' (``stretch``: :func:`stretch_vectors`),
    or, where it has twins, its twins' (``twin``: :func:`twin_vectors`)."""
    lists = votes.cross_lists(nearest_docs)
    long = {d for d, v in (stretch or {}).items() if len(v)}
    have = {d for d, v in (twin or {}).items() if len(v)}
    by_stretches = {d: stretch[d] if d in long else v for d, v in vectors.items()}
    by_twins = {d: twin[d] if d in have else by_stretches[d] for d in vectors}
    return votes.choices(ballots(lists, vectors), ballots(votes.stretched(lists, long), by_stretches),
                         ballots(votes.twinned(lists, have), by_twins))


def ballots(pools: Sequence[tuple[str, str, list[str]]], vectors: Mapping[str, np.ndarray]
            ) -> dict[tuple[str, str], tuple[str, float]]:
    """Each (document, language)'s ballot among its pool (:func:`sourcetrace.candidates.votes.ballots`)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return votes.ballots(pools, vectors)


def wanted_products(plans: Sequence[tuple[str, str, list[tuple[str, int]], votes.Tally | None, votes.Placement | None]]
                    ) -> votes.Shared:
    """The (new member, document) pairs the tallies brought up among ``plans`` (those placed) read:
    what :func:`tallies` keeps of the new members' own tallies read whole (:data:`votes.Shared`)."""
    return dict.fromkeys((d, doc) for doc, _, _, before, placed in plans if before is not None and placed is not None
                         for _, d in placed[1])


def tallies(plans: Sequence[tuple[str, str, list[tuple[str, int]], votes.Tally | None, votes.Placement | None]],
            vectors: Mapping[str, np.ndarray], keys: Mapping[str, int], shared: votes.Shared | None = None
            ) -> dict[tuple[str, str], votes.Tally]:
    """Each (document, language)'s tally among its pool ((document, fingerprint) in order): the
    one before brought up to it, else read whole (``before`` None). ``before``: a tally
    :func:`votes.unread` accepts for that pool (the caller asked it, to know which members to
    read: asking again cost a tenth of a rerun's ballots), with where its members are in the
    pool (:func:`votes.placements`; None: placed here). ``vectors``: the voting vectors of the
    documents whose tallies read members and of the members to read; ``keys``: the documents' topic
    fingerprints. A tally brought up reads a new member from the products of that member's own
    tally read whole, where its pool holds the tally's document (:data:`votes.Shared`): those made
    here, or ``shared``'s where given (its pairs wanted, filled with those made here)."""
    from threadpoolctl import threadpool_limits

    out: dict[tuple[str, str], votes.Tally | None] = {(doc, lang): None for doc, lang, _, _, _ in plans}
    whole = [(doc, lang, pool) for doc, lang, pool, before, _ in plans if before is None]
    brought = [(doc, lang, pool, before, placed) for doc, lang, pool, before, placed in plans if before is not None]
    if shared is None and whole and brought:  # the new members' products wanted of the tallies read whole
        shared = wanted_products(brought)
    shared = shared or None  # none wanted: nothing kept
    with threadpool_limits(1):
        # Those read whole at once: a pair of documents in each other's pools is multiplied once.
        for (doc, lang, _), t in zip(whole, votes.tallies([(doc, keys[doc], pool) for doc, _, pool in whole], vectors,
                                                          shared), strict=True):
            out[(doc, lang)] = t
        # A new member is read by the 40 or so tallies it joins: its vectors in float64 once (the
        # same values), not once per tally; the tallies brought up all at once.
        # A tally reading no new member needs only its number of rows of its document's vectors.
        entries = [(vectors[doc] if doc in vectors else np.empty((len(before.best), 0)), before, pool, placed)
                   for doc, _, pool, before, placed in brought]
        for (doc, lang, _, _, _), t in zip(brought, votes.retallies(entries, _Widened(vectors), [doc for doc, *_ in brought],
                                                                     shared), strict=True):
            out[(doc, lang)] = t
    return out


class _Widened(dict):
    """Voting vectors in float64, each converted when first asked (only the members a tally reads)."""

    def __init__(self, vectors: Mapping[str, np.ndarray]) -> None:
        super().__init__()
        self.vectors = vectors

    def __missing__(self, doc: str) -> np.ndarray:
        self[doc] = wide = self.vectors[doc].astype(np.float64)
        return wide


@in_bulk()
def candidates(docs: Sequence[Document], doc_features: Sequence[DocFeatures],
               topic_vectors: Mapping[str, np.ndarray] | None, nearest_docs: Neighbours | None,
               chosen: Set[tuple[str, str]] | Mapping[tuple[str, str], bool] = frozenset(),
               banding: Banding | None = None, minhash: Sequence[Candidate] | None = None) -> Pairs:
    """Every candidate of MinHash, vector neighbours and rare terms is related, and aligned only on
    evidence of shared text (:func:`alignment`); ``chosen``: the cross-language pairs both
    documents choose by their sentences' votes (:func:`voted`: each with whether its ballots hold
    a run; a set: none does); ``banding``: the quote banding kept between runs (:class:`Banding`);
    ``minhash``: :func:`minhash` of the same features and banding, when found first."""
    found = candidate_union(list(doc_features), dict(topic_vectors) if topic_vectors else None,
                            neighbours=nearest_docs, min_cos=TOPIC_MIN_COS,
                            more=[votes.candidate(k) for k in sorted(chosen)], banding=banding, minhash=minhash)
    # The union typed in columns (a +1% rerun at 10,000 documents types ~120,000 pairs, of which a
    # few hundred align): :func:`alignment` reads a pair's sources, whether it crosses languages,
    # whether it is chosen, and its margin only against TERMS_MARGIN, so it is asked once for
    # each such kind of pair, of the first pair of that kind.
    ids = found.ids
    code = {lang: i for i, lang in enumerate(sorted({d.lang for d in docs}))}
    lang_of = {d.id: code[d.lang] for d in docs}
    lang = np.fromiter((lang_of.get(d, -1) for d in ids), dtype=np.int64, count=len(ids))
    cross = lang[found.a] != lang[found.b]
    at = {d: i for i, d in enumerate(ids)}
    picked = np.fromiter((at[a] * len(ids) + at[b] for a, b in chosen), dtype=np.int64, count=len(chosen))
    is_chosen = np.isin(found.a * len(ids) + found.b, picked)
    kind = ((found.sources * 2 + cross) * 2 + is_chosen) * 2 + (found.margin >= TERMS_MARGIN)
    _, first, of_kind = np.unique(kind, return_index=True, return_inverse=True)
    how = [alignment(Candidate(ids[found.a[e]], ids[found.b[e]], found.source_names(int(found.sources[e])),
                               float(found.score[e]), float(found.margin[e])), bool(cross[e]), bool(is_chosen[e]))
           for e in first.tolist()]
    named = np.array(ids, dtype=object)
    related = CodedPairs(zip(named[found.a].tolist(), named[found.b].tolist(), strict=True), ids, found.a, found.b)
    trial_kinds = [k for k, v in enumerate(how) if v == TRIAL]
    aligned_kinds = [k for k, v in enumerate(how) if v is True]
    aligns = np.isin(of_kind, aligned_kinds)
    tried_rows = np.flatnonzero(np.isin(of_kind, trial_kinds)).tolist()
    # Figures only of the documents on trial (every document's cost a rerun a tenth of its candidates).
    on_trial = {x for e in tried_rows for x in related[e]}
    figs = {f.id: figures(f.terms) for f in doc_features if f.id in on_trial}
    trial = []
    for e in tried_rows:
        k = related[e]
        if screened(TRIAL, figs.get(k[0], frozenset()), figs.get(k[1], frozenset())) == TRIAL:
            trial.append(k)
            aligns[e] = True
    aligned = [related[e] for e in np.flatnonzero(aligns).tolist()]
    ran = sorted(k for k, v in chosen.items() if v) if isinstance(chosen, Mapping) else []
    return Pairs(aligned, related, trial, ran)


def minhash(doc_features: Sequence[DocFeatures], banding: Banding | None = None) -> list[Candidate]:
    """The MinHash candidates (pairs within one language) alone: :func:`candidates` aligns a
    same-language pair iff it is one of them (:func:`alignment`; votes and rare terms add
    cross-language pairs only), so a runner knows those pairs before the votes are cast."""
    return minhash_of_features(list(doc_features), banding)


def same_language_aligned(minhash_found: Sequence[Candidate]) -> list[tuple[str, str]]:
    """The same-language pairs :func:`candidates` will align, from :func:`minhash`'s candidates."""
    return [(c.a, c.b) for c in minhash_found]


def alignment(c: Candidate, cross: bool, chosen: bool = False) -> bool | str:
    """How a candidate is aligned: False (typed from topic alone), True, or :data:`TRIAL`. In one
    language on a MinHash match (text they shared would show there; rare terms or topic alone are
    most of the work on a large corpus and rarely a passage); across languages (``cross``) when
    they share a rare term and stand out of their neighbours (:data:`TERMS_MARGIN`), else on trial
    when both documents choose the pair by their sentences' votes (``chosen``)."""
    if not cross:
        return "minhash" in c.sources
    if "terms" in c.sources and c.margin >= TERMS_MARGIN:
        return True
    return TRIAL if chosen else False


def screened(how: bool | str, figures_a: frozenset[str], figures_b: frozenset[str]) -> bool | str:
    """How a candidate is aligned once its figures are read: a pair on trial whose figures
    disagree (:func:`figures_disagree`) is not aligned (typed from its topic alone, as a trial that
    kept nothing would be) and its documents pay no full encoding; ``how``: :func:`alignment`'s."""
    return False if how == TRIAL and figures_disagree(figures_a, figures_b) else how


def figures_disagree(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two documents' figures (:func:`sourcetrace.text.terms.figures`) rule out a
    translation of one in the other: both state at least :data:`TRIAL_MIN_FIGURES`, and fewer
    than :data:`TRIAL_SHARED_FIGURES` of the smaller set are in the other (a part translated
    keeps its figures too)."""
    fewer = min(len(a), len(b))
    return fewer >= TRIAL_MIN_FIGURES and len(a & b) < TRIAL_SHARED_FIGURES * fewer


def tried(a: PairText, b: PairText, passages: Sequence[Passage]) -> list[Passage]:
    """A pair aligned on trial keeps its passages only if they make it a translation (as
    :func:`relate` types it), or translate one side into part of the other (translated passages
    cover one side at least :data:`TRIAL_CONTAINED`); otherwise it stays related by topic alone."""
    return list(passages) if _translated_share(a, b, passages) >= TRIAL_CONTAINED else []


def on_trial(a: PairText, b: PairText, passages: Sequence[Passage],
             other_way: Callable[[], Sequence[Passage]]) -> list[Passage]:
    """What a pair on trial keeps (:func:`tried`) of its passages, `a` aligned first; when they
    fall short but cover at least :data:`TRIAL_RETRY` of a side, of its alignment the other way
    round (``other_way``: `b` first; the passages are turned back to `a` first)."""
    share = _translated_share(a, b, passages)
    if share >= TRIAL_CONTAINED:
        return list(passages)
    if share < TRIAL_RETRY:
        return []
    return tried(a, b, [Passage(p.b, p.b_start, p.b_end, p.a, p.a_start, p.a_end, p.kind, p.score)
                        for p in other_way()])


def _translated_share(a: PairText, b: PairText, passages: Sequence[Passage]) -> float:
    """The larger share of a side that translated passages cover; 1.0 for a translation."""
    rel = relations_for([a, b], [p for p in passages if p.kind in TRANSLATION_KINDS])
    return max((1.0 if r.type == "translation" else max(r.coverage_a, r.coverage_b) for r in rel), default=0.0)


# -- align, compose ------------------------------------------------------------------------------
def alignment_encoder(encoder: Encoder | None, n_docs: int) -> Encoder | None:
    """The encoder a trace aligns with: the one asked for; else the fast one above
    ``LARGE_CORPUS`` documents (whose vectors the encode stage cached); else None, which lets
    :func:`align` pick per pair (the default encoder, the fast one for a long pair)."""
    if encoder is not None:
        return encoder
    return get_encoder(FAST_ENCODER) if n_docs > LARGE_CORPUS else None


def align_pair(a: Side, b: Side, *, encoder: Encoder | None = None, vectors: Vectors = encoded,
               threshold: float = DEFAULT_THRESHOLD) -> list[Passage]:
    """Passages between two documents (see :func:`sourcetrace.align.pair.align`)."""
    return align(a, b, encoder=encoder, vectors=vectors, threshold=threshold)


def compose(docs: Sequence[Document], direct: Sequence[Passage]) -> list[Passage]:
    """The direct passages, plus those through a translation in the corpus (composed ones win
    where they overlap a direct passage of the same pair)."""
    return merge_composed(direct, compose_through(docs, direct))


# -- relate, families ----------------------------------------------------------------------------
@in_bulk()
def relate(texts: Sequence[PairText], passages: Sequence[Passage], topic_vectors: Mapping[str, np.ndarray],
           pairs: Sequence[tuple[str, str]], known: Mapping[tuple[str, str], Relation | None] | None = None,
           ran: Set[tuple[str, str]] = frozenset(), kept: KeptCosines | None = None,
           digests: Mapping[str, object] | None = None) -> Relations:
    """The relation of every candidate pair, typed from its passages and topics, in the order of
    the pairs, those by topic alone held in columns (:class:`sourcetrace.relate.columns.Relations`:
    read as a sequence, records). A document that shares no passage may come with an empty text:
    it is typed from its topic alone. ``known``: the relations (None: none) of pairs the caller
    has typed before from the same inputs (the smaller id first); a document only in those may
    come with an empty text too. ``ran``: the pairs (the smaller id first) whose ballots hold a
    run of votes (:attr:`Pairs.ran`). ``kept``, ``digests``: the topic cosines an earlier run
    left, taken for the pairs whose vectors have the same digests, and left as this run's
    (:func:`sourcetrace.relate.relations.typed_relations`)."""
    return typed_relations(texts, passages, topic_vectors, pairs, min_related_cosine=RELATED_COS, known=known, ran=ran,
                           kept=kept, digests=digests)


def direct(docs: Sequence[Document], relations: Sequence[Relation], diffs: Sequence[FactDiff]) -> Sequence[Relation]:
    """The relations' directions checked against the rest of their family: facts one side changed
    and the other keeps, the language of the shared wording, dates a translation resolved. Runs
    after the fact diffs, which it reads; a direction no evidence supports is left empty. A
    :class:`Relations` gives one back."""
    return direct_by_family(docs, relations, diffs)


def families(docs: Sequence[Document], relations: Sequence[Relation]) -> list[Family]:
    """Documents connected by relations, each family with its origin."""
    return families_of(docs, relations)


# -- facts, fact diffs ---------------------------------------------------------------------------

def every_fact(facts: str) -> bool:
    """Whether a trace asked for ``facts`` (:data:`FACTS_CHOICES`) holds every document's facts
    (:data:`ALL_FACTS`) or only the diffed documents' (:data:`DIFFED_FACTS`); another value is a
    ValueError, the same for both engines."""
    if facts not in FACTS_CHOICES:
        raise ValueError(f"facts: {facts!r} is not one of {FACTS_CHOICES}")
    return facts == ALL_FACTS

def facts(doc: Document, text: str) -> list[Fact]:
    """A document's facts (numbers, money, percentages, dates, names) with spans into ``text``."""
    return document_facts(doc, text)


def facts_version() -> str:
    """What a cached document's facts depend on (its text and date are the document's own)."""
    return f"{FACTS_VERSION}:{__version__}"


def fact_diffs(docs: Sequence[Document], texts: Mapping[str, str], passages: Sequence[Passage],
               pairs: Sequence[tuple[str, str]], doc_facts: Mapping[str, Sequence[Fact]]) -> list[FactDiff]:
    """The fact diff of every pair, over its passages and those that map through a translation in
    the corpus (a report of the English original meets the Arabic translation). ``texts``: each
    document's file text, by document id."""
    by_id = {d.id: d for d in docs}
    out: list[FactDiff] = []
    for a, b, ps in diffed_pairs(docs, passages, pairs):
        out += diff_pair(by_id[a], texts.get(a, ""), doc_facts.get(a, []),
                         by_id[b], texts.get(b, ""), doc_facts.get(b, []), ps)
    return out


def diffed_pairs(docs: Sequence[Document], passages: Sequence[Passage], pairs: Sequence[tuple[str, str]],
                 grouped: Mapping[frozenset[str], list[Passage]] | None = None) -> list[tuple[str, str, list[Passage]]]:
    """The pairs :func:`fact_diffs` compares, in order, each with the passages it reads: its own
    and those that map through a translation in the corpus. Texts that share no passage are not
    compared fact by fact (most related pairs). ``grouped``: :func:`diffable` of ``passages``,
    when the caller has it."""
    ids = {d.id for d in docs}
    grouped = diffable(docs, passages) if grouped is None else grouped
    return [(a, b, ps) for a, b in pairs if (ps := grouped.get(frozenset((a, b)))) and a in ids and b in ids]


def diffable(docs: Sequence[Document], passages: Sequence[Passage]) -> dict[frozenset[str], list[Passage]]:
    """The passages a fact diff of each pair of documents would read (:func:`diffed_pairs`), by
    pair: known before the relations are, whose pairs are those diffed."""
    grouped: dict[frozenset[str], list[Passage]] = {}
    for p in [*passages, *compose_through(docs, passages, any_language=True)]:
        grouped.setdefault(frozenset((p.a, p.b)), []).append(p)
    return grouped


# -- outputs -------------------------------------------------------------------------------------
@dataclass
class Trace:
    """Everything a trace found, as records: what :func:`outputs` writes."""

    documents: list[Document]
    sentences: list[Sentence]
    passages: list[Passage]
    relations: Sequence[Relation]  # a list, or engines/local.py's Relations (those by topic in columns)
    families: list[Family]
    facts: Mapping[str, list[Fact]]  # by document id (engines/local.py: made records when asked)
    fact_diffs: list[FactDiff]
    settings: dict
    pairs: Pairs | None = None  # the candidate pairs compared (not an output file)
    texts: dict[str, str] = field(default_factory=dict)  # each file's text, by path: texts.jsonl


def outputs(trace: Trace, out: Path) -> None:
    """The output contract (DESIGN.md): documents, sentences, passages, relations, families,
    facts, fact diffs and the files' texts as JSON lines, and a settings.json stamp; written as one set
    (:func:`sourcetrace.outputs.output_set`): a failure leaves the previous set in `out`."""
    with output_set(out) as staged:
        write_outputs(trace, staged)


def write_outputs(trace: Trace, staged: Path, *, corpus_files: bool = True) -> None:
    """:func:`outputs` into a set's staging directory. ``corpus_files`` False: all but
    :data:`sourcetrace.outputs.CORPUS_FILES`, which the caller writes (from the store, beside the
    trace's last stages: engines/corpus_files.py)."""
    # Records and their rows only: no cycle for the collector to look for (it walked the corpus's
    # records every few thousand rows made).
    with in_bulk():
        if corpus_files:
            write_corpus_files(staged, trace.documents, trace.sentences, trace.texts)
        # by pair and place: pairs are aligned in whatever order workers finish, and two runs over
        # the same files must write the same bytes
        write_jsonl(staged / "passages.jsonl", (p.to_json() for p in sorted(trace.passages, key=_passage_place)))
        rels = trace.relations
        write_lines(staged / "relations.jsonl", rels.lines() if isinstance(rels, Relations) else relation_lines(rels))
        write_jsonl(staged / "families.jsonl", (f.to_json() for f in trace.families))
        # a corpus's facts, made records here when the trace kept them as stored
        write_facts(staged, [f for d in trace.documents for f in trace.facts.get(d.id, [])], trace.fact_diffs)
        write_settings(staged, trace.settings)


def _passage_place(p: Passage) -> tuple[str, str, int, int, int, int, str]:
    return p.a, p.b, p.a_start, p.b_start, p.a_end, p.b_end, p.kind


def write_facts(out: Path, doc_facts: Sequence[Fact], diffs: Sequence[FactDiff]) -> None:
    """facts.jsonl and fact_diffs.jsonl into `out` (a set's staging directory)."""
    write_lines(out / "facts.jsonl", fact_lines(doc_facts))
    write_lines(out / "fact_diffs.jsonl", fact_diff_lines(diffs))


# -- settings: what a stored result depends on, stamped on outputs -------------------------------
def reading_settings() -> str:
    """The settings a stored file was read with. The size limit is not one of them: it refuses a
    file, it never changes what a file that was read yields."""
    return json.dumps({"sourcetrace": __version__, "reading": READING_VERSION}, sort_keys=True)


def alignment_settings(encoder: Encoder | None, threshold: float, *, trial: bool = False) -> str:
    """What a stored alignment depends on: a change of any of these aligns the pair again (a pair
    aligned on trial keeps only a translation's passages, so its stored answer is another one)."""
    settings = {"encoder": encoder.name if encoder else "auto", "threshold": threshold,
                "reading": READING_VERSION, "alignment": ALIGNMENT_VERSION, "sourcetrace": __version__}
    if trial:
        settings["trial"] = TRIAL_VERSION
    return json.dumps(settings, sort_keys=True)


def run_settings(command: str, encoder: Encoder | None, threshold: float) -> dict:
    """The settings.json stamp of an output: the encoder alignment used. ``encoder`` None: it was
    picked per pair (``align.pair.pair_encoder``), the default one and the fast one (long pairs,
    and same-language pairs of long documents), which the stamp names both."""
    settings = {"command": command, "sourcetrace": __version__, "threshold": threshold,
                "encoder": (encoder or get_encoder("default")).name, "reading": json.loads(reading_settings())}
    if encoder is None:
        settings["long_pair_encoder"] = get_encoder(FAST_ENCODER).name
    return settings
