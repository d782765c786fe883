"""Quote search: every stored document that carries a sentence, however it was rendered.

A query (a sentence or part of one, Arabic or English, perhaps reworded) is answered in four steps:

1. **Candidates** from the quote index (quote_index.py): sentences holding the query's rarest
   normalized words (FTS5, BM25), and sentences whose USE vector is nearest the query's (faiss),
   which is what finds translations and paraphrases.
2. **Rerank** each candidate sentence with the scorers alignment uses: seed-and-extend word
   alignment (reuse.py) gives verbatim / near-verbatim hits with the exact span and the matching
   words; the calibrated cosine (align.py) gives paraphrase / translation, moved by surface cues
   the vectors cannot see (the query's numbers, its names across languages, its rarest words in a
   sentence on the same pattern). A hit's score is the better of the two: lexically ``share of the
   query carried x share kept word for word where it is carried``, semantically the cosine's score.
3. **Passages**: a hit sentence that a stored passage (from ``trace``) pairs with a span of
   another document makes that span a hit too: translations and copies already aligned come for
   free, with the kind composed (a verbatim hit through a translation is a translation).
4. **Origin**: each hit carries its family's origin (families.py), walked through the store.

One hit per document (its best), strongest first, then the most faithful kind, then earliest.
"""

from __future__ import annotations

import heapq
import math
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from sourcetrace.align.cues import name_order_score
from sourcetrace.align.cues import numbers as cue_numbers
from sourcetrace.align.pair import DEFAULT_THRESHOLD, calibration_for, semantic_kind
from sourcetrace.align.reuse import Match, ReuseQuery, token_diff
from sourcetrace.encode import Encoder, USEEncoder, get_encoder
from sourcetrace.quotes import snapshot
from sourcetrace.quotes.index import VECTOR_ENCODER, VectorIndex, lexical_text, needs_index, update_index
from sourcetrace.quotes.snapshot import QuoteSnapshot
from sourcetrace.quotes.words import screen
from sourcetrace.records import DocumentLabel, IndexedSentence, Passage, Relation, Span
from sourcetrace.relate.families import component, origin_of
from sourcetrace.store.sqlite import Store
from sourcetrace.text.language import script_profile
from sourcetrace.text.normalize import normalize, normalized_tokens, token_words, tokens

MAX_QUERY_CHARS = 5_000  # a quote, not a document: longer queries are refused
LANGS = ("any", "ar", "en")
LEXICAL_CANDIDATES = 40  # best BM25 first: a sentence carrying the quote shares its rarest words
# Nearest vectors taken. A translation sits below the query's own language's sentences on the same
# subject (USE puts a language's sentences closer together): 10,000 synthetic documents put the
# true English sentence of an Arabic quote past the 20th neighbour for 1 query in 5; the surface
# cues below (numbers, names) bring it back up from among these.
VECTOR_CANDIDATES = 100
ALIGNED_NEAREST = 20  # of them, the nearest also word-aligned (the others are found by BM25 if copies)
NAMED_NEAREST = 30  # across languages, names are compared for the best this many (5 ms a sentence)
MAX_TERMS = 12  # the rarest words of the query are enough to find where it is carried
MIN_TERMS = 3
ALL_TERMS = 6  # a copy holds every one of the query's rarest words
# BM25 ranks every posting of the chosen words, at about 1 us a posting: rarer words are taken
# until this many postings (100,000 synthetic documents: 12 words ~ 150,000 postings, 100-150 ms).
# 10,000 documents, 200 quotes: 20,000 postings (13,000 taken on average) cost 13 ms of a 32 ms
# search, 2,000 cost 1-2 ms, and recall@10 stayed 1.00 verbatim and near-verbatim (also by words
# alone) and 0.955 translated; the 6 rarest words' AND query finds the copies either way.
POSTINGS_BUDGET = 2_000
TERM_CACHE = 200_000  # words whose sentence counts are remembered per store (a lookup is ~2 ms)
MIN_SCORE = DEFAULT_THRESHOLD
FAMILY_LIMIT = 300  # members walked to find a family's origin
STRENGTH = {"verbatim": 3, "near-verbatim": 2, "paraphrase": 1}
# Between hits of one score, the more faithful first: a translation as sure as a copy is still not one.
FIDELITY = {"verbatim": 0, "near-verbatim": 1, "translation": 2, "paraphrase": 3, "translated-paraphrase": 4}
# A lone quote has no neighbours and no margin, so alignment's pair calibration does not apply.
# USE cosines of a quote against single sentences (seeds, by hand): unrelated sentences on the same
# topic reach 0.45 across languages and 0.45-0.57 within one; a translation scores 0.55 and up, a
# sentence reworded by hand 0.6 and up. The score is 0.5 at these levels.
MEANING_CHANCE = {True: 0.50, False: 0.52}  # cross-language?
MEANING_SLOPE = 15.0
# Across languages a cosine above chance counts for more once the sentence states the query's
# numbers or transliterated names: a translation lies further from its original (Tatoeba ara-eng,
# USE: true pairs median 0.70) than sentences of one language written on one pattern lie from each
# other (the nearest other sentence of the query's language: median 0.61, 0.74 at the 75th
# percentile). Without such an anchor the cosine counts as within one language: an English
# paraphrase finds its English source before that source's Arabic translation.
ANCHORED_CROSS_SLOPE = 19.5
# What a vector cannot see: who, where and how much. Sentences written on one pattern with other
# names and figures ("The ministry recorded 412 cases in Hama" / "... 97 cases in Homs") are near in
# meaning and are not the quote. Logit added from the agreement, each in [-1, 1], of the numbers
# (the query's found in the sentence) and, across languages, of the names found transliterated
# (align.cues; a name translated, «مجلس الوزراء», is no evidence either way). Within one language, a
# sentence that repeats the query's wording (a word-aligned hit) without its rarest words is another
# statement on the same pattern: evidence against only, and only there (a paraphrase by hand
# rewords the common words, and may reword a rare one).
CUE_WEIGHTS = {"numbers": 1.5, "names": 1.5, "rare": 1.5}
RARE_CUE_TERMS = 4  # the query's rarest indexed words


def rare_cue(rare: Sequence[str], stext: str) -> float:
    """Logit from the share of the query's rarest words a sentence in its language lacks."""
    return _rare_logit(rare, _word_set(stext))


def _rare_logit(rare: Sequence[str], words: set[str]) -> float:
    if not rare:
        return 0.0
    return CUE_WEIGHTS["rare"] * (sum(w in words for w in rare) / len(rare) - 1.0)


def meaning_logit(cos: float, cross: bool) -> float:
    """A quote's logit against one sentence from their cosine alone."""
    return MEANING_SLOPE * (cos - MEANING_CHANCE[cross])


def meaning_score(cos: float, cross: bool, cues: float = 0.0) -> float:
    """A quote's score against one sentence from their cosine, moved by the surface cues' logit."""
    return _sigmoid(meaning_logit(cos, cross) + cues)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def anchored_gain(cos: float) -> float:
    """What a cross-language cosine gains once the sentence states the query's numbers or names."""
    return (ANCHORED_CROSS_SLOPE - MEANING_SLOPE) * max(0.0, cos - MEANING_CHANCE[True])


def number_cue(q_numbers: set[int], stated: Iterable[int]) -> float:
    """Logit from the share of the query's numbers a sentence states (`stated`: its numbers,
    align.cues.numbers; a sentence may say more than a quote of part of it); 0 when the query
    states none."""
    if not q_numbers:
        return 0.0
    s_numbers = set(stated)
    # a number written in words on one side only (an Arabic dual) is weaker evidence
    agreement = 2.0 * len(q_numbers & s_numbers) / len(q_numbers) - 1.0 if s_numbers else -0.5
    return CUE_WEIGHTS["numbers"] * agreement


def name_cue(query: str, qlang: str, stext: str, slang: str) -> float:
    """Logit from the names of a sentence in another language than the query's: the English side's
    names found in the Arabic, in order; names not found count for nothing (translated, not
    transliterated)."""
    if qlang == slang or "ar" not in (qlang, slang):
        return 0.0
    ar, en = (query, stext) if qlang == "ar" else (stext, query)
    return CUE_WEIGHTS["names"] * name_order_score(ar, en, missing=0.0)


class QueryError(ValueError):
    """A query that cannot be searched: empty, too long, or an unknown language filter."""


@dataclass
class Hit:
    """A span of a stored document that carries the query."""

    doc: str
    start: int  # the span, in file offsets of the document's file
    end: int
    kind: str  # verbatim, near-verbatim, paraphrase, translation, translated-paraphrase
    score: float
    lang: str
    sentence: Span  # the sentence that holds the span
    text: str  # that sentence's text
    highlights: list[Span] = field(default_factory=list)  # the matching words (file offsets)
    date: str | None = None
    title: str | None = None
    via: str | None = None  # the document whose stored passage led here
    origin: str | None = None  # the origin of the document's family
    # A lexical hit's word alignments with the query: its highlights are drawn from them only if
    # the hit is returned (a token diff for every candidate was a sixth of a search).
    matches: list[Match] = field(default_factory=list, repr=False, compare=False)
    # A hit by meaning highlights the query's words it shares, likewise drawn only if returned.
    shared: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def parts(self) -> list[tuple[str, bool]]:
        """The sentence cut into (text, highlighted) pieces, for display."""
        base = self.sentence[0]
        out: list[tuple[str, bool]] = []
        pos = 0
        for s, e in sorted(self.highlights):
            s, e = max(s - base, pos), min(e - base, len(self.text))
            if e <= s:
                continue
            if s > pos:
                out.append((self.text[pos:s], False))
            out.append((self.text[s:e], True))
            pos = e
        if pos < len(self.text):
            out.append((self.text[pos:], False))
        return out

    def to_json(self) -> dict[str, Any]:
        return {"doc": self.doc, "start": self.start, "end": self.end, "kind": self.kind,
                "score": round(self.score, 4), "lang": self.lang, "date": self.date, "title": self.title,
                "origin": self.origin, "via": self.via,
                "sentence": {"start": self.sentence[0], "end": self.sentence[1], "text": self.text},
                "highlights": [list(h) for h in self.highlights]}


def query_language(text: str) -> str:
    """``ar`` when the query is mostly Arabic letters, else ``en``."""
    profile = script_profile(text)
    return "ar" if profile.arabic > profile.latin else "en"


def check_query(text: str, lang: str = "any") -> str:
    """The query stripped, or :class:`QueryError` saying why it cannot be searched."""
    if lang not in LANGS:
        raise QueryError(f"unknown language filter {lang!r}: use {', '.join(LANGS)}")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text)} characters; a quote is at most {MAX_QUERY_CHARS}")
    query = " ".join(text.split())
    if not query or not tokens(normalize(query)):
        raise QueryError("the query has no words")
    return query


_indexing = threading.Lock()  # one indexer per process: two searches must not index one document twice
# Per connection, the state of the store (and of its vector file) in which nothing was left to
# index: asking the store again costs a scan of every document (10 ms at 10,000), so it is asked
# only when the store has been written since (by any connection), or the vector file changed.
_up_to_date: weakref.WeakKeyDictionary[Store, tuple[bool, tuple[int, int], float]] = weakref.WeakKeyDictionary()


def ensure_indexed(store: Store, vectors: bool = True, progress: Callable[[int], None] | None = None) -> int:
    """Index the documents added since the last search (after a trace, a read or an upload):
    `trace` leaves the index to its first search. Returns how many documents were indexed."""
    state = (vectors, store.version(), VectorIndex.of(store).file_mtime() if vectors else 0.0)
    if _up_to_date.get(store) == state:
        return 0
    with _indexing:
        # The state read before looking: a commit made while looking is looked at next time.
        state = (vectors, store.version(), VectorIndex.of(store).file_mtime() if vectors else 0.0)
        if not needs_index(store, vectors=vectors):
            _up_to_date[store] = state
            return 0
        return update_index(store, vectors=vectors, progress=progress)


def prepare(store: Store, vectors: bool = True) -> None:
    """Load what a search needs (the query encoder, the vector index, the quote index's copy in
    memory: quotes/snapshot.py), so that the first search does not wait for it: a web worker
    calls this before taking requests, and its searches read the copy from then on."""
    ensure_indexed(store, vectors)
    QuoteSnapshot.load(store)
    if vectors:
        VectorIndex.of(store).search(_query_vectors.encode("warm up"), 1)


def search(store: Store, text: str, *, lang: str = "any", limit: int = 20, vectors: bool = True,
           ticket: QueryTicket | None = None) -> list[Hit]:
    """Documents of the store that carry `text`, best first (one hit per document).

    ``lang`` keeps hits in one language (``ar``, ``en``) or all (``any``); ``vectors=False``
    searches the words only (no encoder: no translations or paraphrases, but no model to load).
    ``ticket``: the query's vector reserved earlier (:func:`reserve_query`), else it is encoded now.
    """
    query = check_query(text, lang)
    if ticket is not None and ticket.text != query:
        raise ValueError("the ticket is another query's")
    ensure_indexed(store, vectors)
    copy = QuoteSnapshot.of(store)
    state = copy.refresh(store) if copy is not None else None
    qlang = query_language(query)
    q_tokens = [w for w, _, _ in tokens(normalize(query))]
    q_words = _word_set(query)
    need = _words_needed(len(q_tokens))
    docs = _DocCache(store)

    cosines: dict[int, float] = {}
    if vectors:
        vec = ticket.vector() if ticket is not None else _query_vectors.encode(query)
        cosines = dict(VectorIndex.of(store).search(vec, VECTOR_CANDIDATES))
    # Sentences holding all the rarest words (a copy), then those holding the rarest few (a copy
    # with words changed).
    ranked, within_budget = _rare_terms(store, q_tokens, state)
    if state is not None:
        numbers = [*snapshot.match(state, ranked[:ALL_TERMS], LEXICAL_CANDIDATES, every=True),
                   *snapshot.match(state, within_budget, LEXICAL_CANDIDATES)]
    else:
        numbers = [*store.match_sentences(ranked[:ALL_TERMS], LEXICAL_CANDIDATES, every=True),
                   *store.match_sentences(within_budget, LEXICAL_CANDIDATES)]
    aligned = {*numbers, *list(cosines)[:ALIGNED_NEAREST]}
    q_numbers = set(cue_numbers(query, qlang))
    q_shared = frozenset(q_tokens)
    q_seeds = _ngrams(q_tokens, _seed_length(len(q_tokens)))

    cal = calibration_for(get_encoder(VECTOR_ENCODER))
    kept = _Kept(docs, lang, limit)
    aligner: ReuseQuery | None = None  # made for the first sentence worth aligning

    def settle(key: int, num: int, doc: DocumentLabel, z0: float | None, align: bool) -> None:
        """One sentence of the query's language: its word alignment (`align`), and its meaning
        (`z0`: its logit before the rare-word cue, None when it is not among the nearest)."""
        nonlocal aligner
        sent = found[num]
        hit = None
        if align:
            if aligner is None:
                aligner = _aligner(query, len(q_tokens))
            hit = _lexical_hit(aligner, len(q_tokens), doc, sent.lang, sent.start, sent.text)
        if z0 is None:
            if hit is not None:
                kept.add(hit, (0, 0.0, key))
            return
        rare = ranked[:RARE_CUE_TERMS]
        z = z0 + _rare_logit(rare, found.holding(num, rare)) if hit is not None else z0
        order = (1, -z, key)
        hit = _meant_hit(hit, z, doc, sent, False, cosines[num], order)
        if hit is not None:
            kept.add(hit, order)

    def _meant_hit(hit: Hit | None, z: float, doc: DocumentLabel, sent: IndexedSentence, cross: bool,
                   cos: float, order: tuple[int, float, int]) -> Hit | None:
        score = _sigmoid(z)
        # The words, where they carry the quote, say more than the meaning: a reworded word keeps
        # a near-verbatim hit near-verbatim, as strong as its meaning is (the words alone mark it
        # down for every word changed, below sentences that are merely like it).
        if hit is not None and hit.score >= MIN_SCORE:
            if score > hit.score:  # part of the query word for word, the rest reworded
                hit.score = score
                hit.kind = "near-verbatim"
        elif score >= MIN_SCORE and kept.beats(doc.id, score, order):  # made only where it may be kept
            hit = _semantic_hit(q_shared, doc, sent.lang, sent.start, sent.text, score, semantic_kind(cross, cos, cal))
        return hit

    # Word alignment costs a millisecond a sentence, so a sentence is aligned only where it could
    # change the answer: its score is at most the better of its meaning's (the rare-word cue only
    # lowers it) and the share of the query's words it holds. Sentences are settled best bound
    # first once the others are; those left below the limit-th hit's score cannot enter the answer
    # (a document's best hit is its strongest, ties to the one met first in candidate order, so
    # the order they are settled in changes nothing) unless a stored passage leads to their
    # document, whose hit there decides what the passage replaces: those are settled then.
    crossing: list[tuple[float, float, int, int, DocumentLabel]] = []  # (logit, numbers' cue, key, number, document)
    deferred: list[tuple[float, int, str, Callable[[], None]]] = []  # (bound, key, document, settle it)
    found = _Candidates(store, state, [*numbers, *cosines])
    docs.known(found.labels, (doc_id for doc_id, _ in found.placed.values()))
    # For a sentence of the query's language found by its words, or among the nearest, the word
    # check before alignment: the share of the query's words it holds, where alignment could find
    # anything (at least `need` of them, and a seed n-gram in common); all of them at once.
    worth = found.worth_aligning([num for num, (_, slang) in found.placed.items() if num in aligned and slang == qlang],
                                 q_words, q_tokens, q_seeds, need)
    for key, (num, (doc_id, slang)) in enumerate(found.placed.items()):
        doc = docs.get(doc_id)
        if doc is None:
            continue
        cross = slang != qlang
        z0: float | None = None
        numbers_cue = 0.0
        if num in cosines:
            numbers_cue = number_cue(q_numbers, found.numbers(num)) if q_numbers else 0.0
            z0 = meaning_logit(cosines[num], cross) + numbers_cue
            if cross:
                if numbers_cue > 0:
                    z0 += anchored_gain(cosines[num])
                crossing.append((z0, numbers_cue, key, num, doc))
                continue
        bound = -1.0
        # For a sentence found by its words alone, only where the query's words it holds could
        # make a hit (its score is at most their share of the query).
        held = worth.get(num)
        if held is not None:
            if num in cosines:
                bound = max(held, _sigmoid(z0))
            elif held >= MIN_SCORE:
                bound = held
        if bound >= 0.0:
            deferred.append((bound, key, doc.id, partial(settle, key, num, doc, z0, True)))
        elif z0 is not None and (score := _sigmoid(z0)) >= MIN_SCORE:  # its meaning's score, exactly
            deferred.append((score, key, doc.id, partial(settle, key, num, doc, z0, False)))

    def cross_settle(key: int, num: int, doc: DocumentLabel, z: float, numbers_cue: float, named: bool) -> None:
        """One sentence in another language: its meaning, moved by its names if it is among the
        nearest few."""
        sent, cos = found[num], cosines[num]
        order = (1, -z, key)
        if named:
            names_cue = name_cue(query, qlang, sent.text, sent.lang)
            z += names_cue
            if names_cue > 0 and numbers_cue <= 0:
                z += anchored_gain(cos)
        hit = _meant_hit(None, z, doc, sent, True, cos, order)
        if hit is not None:
            kept.add(hit, order)

    # Across languages names are compared for the nearest few only (nearest first), and, like word
    # alignment, only where the most they can add (their weight, and the anchored gain) could reach
    # the answer.
    crossing.sort(key=lambda m: -m[0])
    for rank, (z, numbers_cue, key, num, doc) in enumerate(crossing):
        if rank < NAMED_NEAREST:
            most = z + CUE_WEIGHTS["names"]
            if numbers_cue <= 0:
                most += anchored_gain(cosines[num])
            deferred.append((_sigmoid(most), key, doc.id,
                             partial(cross_settle, key, num, doc, z, numbers_cue, True)))
        elif (score := _sigmoid(z)) >= MIN_SCORE:
            deferred.append((score, key, doc.id, partial(cross_settle, key, num, doc, z, numbers_cue, False)))
    deferred.sort(key=lambda d: (-d[0], d[1]))
    left = len(deferred)
    for at, (bound, _key, _doc, settle_it) in enumerate(deferred):
        if bound < kept.floor():
            left = at
            break
        settle_it()
    unsettled = deferred[left:]
    best = kept.best

    # Passages fill in documents search did not reach, and replace a hit found by meaning alone
    # (a stored passage was aligned in context: its span and kind say more), keeping the
    # stronger score; a hit on the document's own words stands.
    top = _ranked(best.values())[:limit]
    paired = store.documents_with_passages([hit.doc for hit in top])
    partners = [p for hit in top if hit.doc in paired for p in _through_passages(store, docs, hit, qlang)]
    if unsettled and partners:
        reached = {p.doc for p in partners}
        for _bound, _key, doc_id, settle_it in unsettled:
            if doc_id in reached:
                settle_it()
    found: dict[str, Hit] = {}
    for partner in partners:
        mine = best.get(partner.doc)
        if mine is not None and mine.kind in ("verbatim", "near-verbatim"):
            continue
        if mine is not None:
            partner.score = max(partner.score, mine.score)
        if partner.doc not in found or partner.score > found[partner.doc].score:
            found[partner.doc] = partner
    best.update(found)
    # The language filter keeps hits of the whole search: filtering candidates instead lost the
    # Arabic documents an English query reaches through an English hit's passages (issue 19).
    hits = [h for h in _ranked(best.values()) if lang == "any" or _doc_lang(docs, h.doc) == lang][:limit]
    origins = _Origins(store, docs, [h.doc for h in hits])
    for hit in hits:
        hit.origin = origins.of(hit.doc)
        if hit.matches:
            hit.highlights = _matched_words(query, hit)
        elif hit.shared:
            hit.highlights = _shared_words(hit)
    return hits


class _Kept:
    """Each document's best hit strong enough: the strongest, between equal scores the one met
    first (`key`: the order the search met it in), whatever order the hits come in."""

    def __init__(self, docs: _DocCache, lang: str, limit: int) -> None:
        self.docs, self.lang, self.limit = docs, lang, limit
        self.best: dict[str, Hit] = {}
        self.keys: dict[str, tuple[int, float, int]] = {}
        self._floor: float | None = None

    def beats(self, doc_id: str, score: float, key: tuple[int, float, int] | None = None) -> bool:
        """Whether a hit of this score (met at `key`; None: last) would be its document's best."""
        mine = self.best.get(doc_id)
        return mine is None or score > mine.score or (
            score == mine.score and key is not None and key < self.keys[doc_id])

    def add(self, hit: Hit, key: tuple[int, float, int]) -> None:
        if hit.score >= MIN_SCORE and self.beats(hit.doc, hit.score, key):
            self.best[hit.doc] = hit
            self.keys[hit.doc] = key
            self._floor = None

    def floor(self) -> float:
        """The score a hit must reach to be among the first `limit` of the answer (in its language)."""
        if self._floor is None:
            scores = [h.score for h in self.best.values()] if self.lang == "any" else \
                [h.score for h in self.best.values() if _doc_lang(self.docs, h.doc) == self.lang]
            self._floor = heapq.nlargest(self.limit, scores)[-1] if len(scores) >= self.limit else MIN_SCORE
        return self._floor


def one_thread_encoder() -> Encoder:
    """The index's encoder (USE), the batcher's own, on one BLAS thread as USE always runs: a
    one-sentence forward pass takes 3 ms that way, and took 190 ms with two threads while the
    other core was busy (a thread waits for its descheduled peer; measured on this 2-core machine)."""
    return USEEncoder()


MAX_QUERY_BATCH = 16  # queries encoded together: 1.0 ms each at 16, 2.2 ms alone (USE, one thread)


class QueryTicket:
    """A query waiting to be encoded with others (:meth:`QueryBatcher.reserve`): a web worker
    reserves its place as a request arrives, and the search asks for the vector when it runs."""

    def __init__(self, batcher: QueryBatcher, text: str) -> None:
        self.batcher, self.text = batcher, text
        self.wake = threading.Event()
        self.waiting = False  # its caller waits for the vector (it may be handed the next batch)
        self.vec: np.ndarray | None = None
        self.error: BaseException | None = None

    def vector(self) -> np.ndarray:
        """The query's vector, encoded now (with the other queries waiting) if no batch did."""
        return self.batcher._wait(self)


class QueryBatcher:
    """Encodes the queries of concurrent searches together: one batch costs less per sentence
    than one call each (16 queries: 1.0 ms each, one alone 2.2 ms), and the encoder serves one
    call at a time anyway. A query joins the queue when it is reserved (a web worker reserves it
    as the request arrives, while earlier searches still hold the worker's threads), and is
    encoded by the first batch after that: a caller that finds no batch under way encodes its
    own query and the oldest others waiting, at most MAX_QUERY_BATCH; then, if callers wait,
    it hands the next batch to the first of them and returns: a caller that drained batch after
    batch for others made its own search wait (the tail of a loaded web worker's latencies)."""

    def __init__(self, make: Callable[[], Encoder] = one_thread_encoder, max_batch: int = MAX_QUERY_BATCH) -> None:
        self.make = make
        self.max_batch = max_batch
        self.encoder: Encoder | None = None
        self.lock = threading.Lock()
        self.pending: list[QueryTicket] = []
        self.leading = False

    def reserve(self, text: str) -> QueryTicket:
        """Queue `text` for the next batch; its vector is asked for later (:meth:`QueryTicket.vector`)."""
        ticket = QueryTicket(self, text)
        with self.lock:
            self.pending.append(ticket)
        return ticket

    def encode(self, text: str) -> np.ndarray:
        return self.reserve(text).vector()

    def _wait(self, ticket: QueryTicket) -> np.ndarray:
        with self.lock:
            done = ticket.vec is not None or ticket.error is not None
            if not done:
                ticket.waiting = True
                lead = not self.leading
                self.leading = True
        while not done:
            if lead:
                self._encode_pending(ticket)
            ticket.wake.wait()
            done = ticket.vec is not None or ticket.error is not None
            ticket.wake.clear()  # if not done: woken to encode the next batch, its own query first
            lead = True
        if ticket.error is not None:
            raise ticket.error
        assert ticket.vec is not None
        return ticket.vec

    def _encode_pending(self, own: QueryTicket) -> None:
        with self.lock:
            batch = [own] if own in self.pending else []
            batch += [t for t in self.pending if t is not own][: self.max_batch - len(batch)]
            taken = set(map(id, batch))
            self.pending = [t for t in self.pending if id(t) not in taken]
        try:
            if self.encoder is None:
                self.encoder = self.make()
            vecs = self.encoder.encode([t.text for t in batch]) if batch else []
            for ticket, vec in zip(batch, vecs, strict=True):
                ticket.vec = vec
        except Exception as exc:  # every query of the batch hears of it
            for ticket in batch:
                ticket.error = exc
        with self.lock:
            for ticket in batch:
                ticket.wake.set()
            waiting = next((t for t in self.pending if t.waiting), None)
            if waiting is not None:
                waiting.wake.set()  # its caller encodes the next batch
            else:
                self.leading = False


_query_vectors = QueryBatcher()


def reserve_query(text: str, lang: str = "any") -> QueryTicket:
    """Queue a query's vector for the next batch (see QueryBatcher), to be searched later with
    ``search(..., ticket=)``: :class:`QueryError` if it cannot be searched."""
    return _query_vectors.reserve(check_query(text, lang))


def earliest(hits: Sequence[Hit]) -> Hit | None:
    """The earliest dated hit (None when no hit has a date)."""
    dated = [h for h in hits if h.date]
    return min(dated, key=lambda h: (h.date, -h.score, h.doc)) if dated else None


def _ranked(hits) -> list[Hit]:
    # Scores are not rounded: a score by meaning comes near 1 for many sentences on one pattern, and
    # only its last digits tell them apart; copies of equal score stand earliest first.
    return sorted(hits, key=lambda h: (-h.score, FIDELITY.get(h.kind, 5), h.date or "\uffff", h.doc))


def _doc_lang(docs: _DocCache, doc_id: str) -> str | None:
    doc = docs.get(doc_id)
    return doc.lang if doc else None


class _Candidates:
    """A search's candidate sentences by number: each one's (document, language) at once
    (``placed``), its text and numbers when first asked for (a search ranks its hundred and fifty
    candidates on their cosines and reads the text of a third of them). From the copy in memory;
    without one, every sentence is read from the store in one query."""

    def __init__(self, store: Store, state: snapshot._State | None, numbers: list[int]) -> None:
        self.state = state
        if state is not None:
            self.placed, self.labels = snapshot.placed(state, numbers)
            self.sentences: dict[int, IndexedSentence] = {}
        else:
            self.sentences, self.labels = store.labelled_sentences(numbers)
            self.placed = {k: (s.doc, s.lang) for k, s in self.sentences.items()}

    def __getitem__(self, num: int) -> IndexedSentence:
        sent = self.sentences.get(num)
        if sent is None:
            assert self.state is not None  # read from the store, every sentence is at hand
            sent = self.sentences[num] = snapshot.sentence(self.state, num)
        return sent

    def worth_aligning(self, nums: list[int], q_words: set[str], q_tokens: Sequence[str],
                       q_seeds: frozenset[tuple[str, ...]], need: int) -> dict[int, float]:
        """Of the sentences `nums`, those word alignment could find the query in, with the share
        of the query's words each holds (see search); on the copy, all at once (words.py)."""
        if self.state is None:
            by_text = nums
            out: dict[int, float] = {}
        else:
            st = self.state
            out, by_text = screen(st.word_ids, st.word_at, st.joined, nums, st.words, q_words, q_tokens,
                                  _seed_length(len(q_tokens)), need)
        for num in by_text:
            held = _word_check(q_words, q_tokens, q_seeds, need, self[num].text)
            if held is not None:
                out[num] = held
        return out

    def holding(self, num: int, wanted: Sequence[str]) -> set[str]:
        """Which of the words `wanted` are among sentence `num`'s plain words."""
        if self.state is None:
            return set(wanted) & _word_set(self[num].text)
        st = self.state
        mine = set(st.word_ids[st.word_at[num]:st.word_at[num + 1]].tolist())
        return {w for w in wanted if st.words.get(w, -1) in mine}

    def numbers(self, num: int) -> tuple[int, ...]:
        """The numbers a sentence states, without reading its text."""
        sent = self.sentences.get(num)
        if sent is not None:
            return sent.numbers
        assert self.state is not None
        return snapshot.numbers_of(self.state, num)


class _DocCache:
    """The labels of the documents a search meets, each read once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.docs: dict[str, DocumentLabel | None] = {}

    def prefetch(self, doc_ids: Iterable[str]) -> None:
        """Fetch the documents not at hand yet in one query."""
        missing = {d for d in doc_ids if d not in self.docs}
        if missing:
            found = self.store.document_labels(missing)
            self.docs.update({d: found.get(d) for d in missing})

    def known(self, labels: dict[str, DocumentLabel], doc_ids: Iterable[str]) -> None:
        """Take the labels read already (``Store.labelled_sentences``); the other `doc_ids` have none."""
        self.docs.update({d: labels.get(d) for d in doc_ids})
        self.docs.update(labels)

    def get(self, doc_id: str) -> DocumentLabel | None:
        if doc_id not in self.docs:
            self.prefetch([doc_id])
        return self.docs[doc_id]


def _word_set(text: str) -> set[str]:
    """The normalized words of a text, cheaply (a filter: no offsets)."""
    return set(_WORD.findall(lexical_text(text)))


_WORD = re.compile(r"\w+")


_frequencies: dict[str, dict[str, int]] = {}


def _rare_terms(store: Store, q_tokens: Sequence[str], state: snapshot._State | None = None) -> tuple[list[str], list[str]]:
    """The query's indexed words rarest first, and those of them within the postings budget (at
    least MIN_TERMS).

    Sentence counts are cached per store: a count grown stale only shifts which words are taken
    (the copy in memory, `state`, counts them as they are).
    """
    words = {lexical_text(w) for w in q_tokens}
    known = snapshot.term_counts(state, words) if state is not None else _frequencies.setdefault(str(store.path), {})
    missing = [w for w in words if w not in known]
    if missing:
        if len(known) > TERM_CACHE:
            known.clear()
        found = store.term_frequencies(missing)
        known.update({w: found.get(w, 0) for w in missing})
    ranked = sorted((w for w in words if known[w] > 0), key=lambda w: (known[w], w))[:MAX_TERMS]
    terms: list[str] = []
    postings = 0
    for w in ranked:
        if len(terms) >= MIN_TERMS and postings + known[w] > POSTINGS_BUDGET:
            break
        terms.append(w)
        postings += known[w]
    return ranked, terms


def _word_check(q_words: set[str], q_tokens: Sequence[str], q_seeds: frozenset[tuple[str, ...]], need: int,
                stext: str) -> float | None:
    """The share of the query's words a sentence holds (:func:`_held_share`), or None where word
    alignment would find nothing: fewer than `need` of the query's distinct words, or none of
    its seed n-grams. (The copy in memory checks its sentences all at once: words.py.)"""
    normalized = lexical_text(stext)
    plain = _WORD.findall(normalized)
    if len(q_words & set(plain)) < need:
        return None
    s_tokens = token_words(normalized, plain)
    return _held_share(q_tokens, s_tokens) if _shares_seed(q_seeds, s_tokens) else None


def _held_share(q_tokens: Sequence[str], s_tokens: Sequence[str]) -> float:
    """The share of the query's words (with repeats) that a sentence's words hold: a bound on
    its word alignment's score, which counts each query word matched at most once."""
    held = set(s_tokens)
    return sum(w in held for w in q_tokens) / max(1, len(q_tokens))


def _seed_length(n_query: int) -> int:
    """The n-grams a word alignment with the query starts from (reuse's ``n``)."""
    return min(4 if n_query >= 12 else 3 if n_query >= 6 else 2, n_query)


def _ngrams(words: Sequence[str], n: int) -> frozenset[tuple[str, ...]]:
    return frozenset(zip(*(words[m:] for m in range(n)), strict=False))


def _shares_seed(q_seeds: frozenset[tuple[str, ...]], s_tokens: Sequence[str]) -> bool:
    """Whether a sentence's words hold one of the query's seed n-grams."""
    if not q_seeds:
        return False
    n = len(next(iter(q_seeds)))
    return not q_seeds.isdisjoint(zip(*(s_tokens[m:] for m in range(n)), strict=False))


def _words_needed(n_query: int) -> int:
    """The fewest identical words a lexical hit holds (reuse's ``min_tokens``)."""
    return min(6, max(1, n_query // 2))


def _aligner(query: str, n_query: int) -> ReuseQuery:
    """The query prepared for word alignment with the sentences of a search."""
    return ReuseQuery(query, [(0, len(query))], n=_seed_length(n_query), min_tokens=_words_needed(n_query))


def _lexical_hit(aligner: ReuseQuery, n_query: int, doc: DocumentLabel, lang: str, base: int, stext: str) -> Hit | None:
    """Word alignment of the query with one sentence: the span it carries and how faithfully."""
    matches = aligner.find(stext, [(0, len(stext))])
    if not matches:
        return None
    matched = sum(m.matched for m in matches)
    kept = matched / max(sum(m.a_tokens for m in matches), sum(m.b_tokens for m in matches))
    score = min(1.0, matched / n_query) * kept
    kind = "verbatim" if len(matches) == 1 and matches[0].kind == "verbatim" else "near-verbatim"
    return Hit(doc.id, base + min(m.b_start for m in matches), base + max(m.b_end for m in matches), kind, score,
               lang, (base, base + len(stext)), stext, [], doc.date, doc.title, matches=matches)


def _matched_words(query: str, hit: Hit) -> list[Span]:
    """The words of a lexical hit's sentence that its alignments with the query keep (file offsets)."""
    base = hit.sentence[0]
    return [(s + base, e + base) for m in hit.matches
            for op, _, b in token_diff(query, (m.a_start, m.a_end), hit.text, (m.b_start, m.b_end))
            if op == "same" and b for s, e in [b]]


def _semantic_hit(shared: frozenset[str], doc: DocumentLabel, lang: str, base: int, stext: str, score: float,
                  kind: str) -> Hit:
    """A sentence that carries the query's meaning: the whole sentence, its words shared with the
    query (`shared`: names, numbers) highlighted once it is returned."""
    lead = len(stext) - len(stext.lstrip())
    return Hit(doc.id, base + lead, base + len(stext.rstrip()), kind, score, lang, (base, base + len(stext)),
               stext, [], doc.date, doc.title, shared=shared)


def _shared_words(hit: Hit) -> list[Span]:
    """The words of a hit's sentence that the query holds too (file offsets)."""
    base = hit.sentence[0]
    return [(s + base, e + base) for w, s, e in normalized_tokens(hit.text) if w in hit.shared and len(w) > 2]


def _composed_kind(hit_kind: str, passage: Passage, cross: bool) -> str:
    """What a span is to the query when a hit reaches it through a stored passage; `cross`: the
    span is in another language than the query."""
    exact = ("verbatim", "near-verbatim", "translation")
    if cross:
        return "translation" if hit_kind in exact and passage.kind in exact else "translated-paraphrase"
    if hit_kind not in STRENGTH or passage.kind not in STRENGTH:
        return "paraphrase"
    return min(hit_kind, passage.kind, key=STRENGTH.__getitem__)


def _through_passages(store: Store, docs: _DocCache, hit: Hit, qlang: str) -> list[Hit]:
    """Spans of other documents that stored passages pair with the hit's span."""
    out = []
    for p in store.passages([hit.doc]):
        mine, other = ((p.a_start, p.a_end), (p.b, p.b_start, p.b_end)) if p.a == hit.doc else \
            ((p.b_start, p.b_end), (p.a, p.a_start, p.a_end))
        overlap = min(mine[1], hit.end) - max(mine[0], hit.start)
        if overlap <= 0.5 * min(mine[1] - mine[0], hit.end - hit.start):
            continue
        doc = docs.get(other[0])
        if doc is None:
            continue
        text = store.span_text(doc.id, other[1], other[2])
        kind = _composed_kind(hit.kind, p, doc.lang != qlang)
        out.append(Hit(doc.id, other[1], other[2], kind, hit.score * min(1.0, p.score), doc.lang,
                       (other[1], other[2]), text, [(other[1], other[2])], doc.date, doc.title, via=hit.doc))
    return out


class _Origins:
    """Family origins, one walk per family; the relations of the hits' documents, where every
    walk starts, are read in one query."""

    def __init__(self, store: Store, docs: _DocCache, doc_ids: Sequence[str]) -> None:
        self.store, self.docs = store, docs
        self.known: dict[str, str | None] = {}
        self.first = store.relations_touching(doc_ids)

    def relations(self, doc_id: str) -> list[Relation]:
        found = self.first.get(doc_id)
        return found if found is not None else self.store.relations(doc_id)

    def of(self, doc_id: str) -> str | None:
        if doc_id not in self.known:
            members, rels = component(doc_id, self.relations, FAMILY_LIMIT)
            dates = {m: (d.date if (d := self.docs.get(m)) else None) for m in members}
            origin = origin_of(members, rels, dates) if len(members) > 1 else None
            for m in members:
                self.known[m] = origin
        return self.known[doc_id]
