"""Candidate search: which pairs of documents are worth aligning (never all pairs).

Three generators, each a pure function over a list of :class:`DocInput` records; their union
(:func:`candidate_pairs`) is what the passage aligner sees.

**minhash** (within a language): lexical reuse, two granularities over normalized words.

* Document level: MinHash (``rensa`` R-MinHash, ``num_perm`` slots) of the document's word
  ``shingle``-grams; LSH with bands of ``r = 2`` rows, ``b = num_perm / 2`` bands; a colliding pair
  is kept when its estimated Jaccard is at least ``threshold``. P(pair collides in some band) =
  ``1 - (1 - J^2)^b``; with b = 64: J=0.1 -> 0.47, 0.15 -> 0.77, 0.2 -> 0.93, 0.3 -> 0.997,
  0.5 -> 1 - 1e-8. A near-copy with 15% of its words changed keeps about 0.85^5 = 44% of its
  5-shingles, J ~ 0.28 -> 0.994; copies J ~ 1. Unrelated text sharing stock phrases (J ~ 0.02)
  collides with probability 0.025 and is then dropped by the Jaccard check.
* Quote level (containment): a short report quoting three sentences of a long statement has a
  low document Jaccard (~0.05-0.15), so every sentence of at least ``QUOTE_MIN_TOKENS`` words is
  also a unit: MinHash of its word 3-grams with ``QUOTE_PERM = 64`` slots, bands of ``r = 4``,
  ``b = 16``: p = 1 - (1 - J^4)^16 per sentence: verbatim J=1 -> 1, J=0.8 -> 0.9987, one word
  changed in 20 (J ~ 0.7) -> 0.988, J=0.6 -> 0.89, J=0.3 -> 0.12. Colliding sentence pairs are kept
  when their estimated Jaccard is at least ``QUOTE_MIN_JACCARD`` (0.6), and a document pair needs
  ``QUOTE_MIN_SENTENCES`` (2) matched sentences on each side: one shared sentence is most often a
  stock line (a headline formula, "the statement said ..."), which on the planted corpus made 7
  false pairs per document, against 0.15 with two. Three quoted sentences at J ~ 0.7 are then
  found with probability p^3 + 3p^2(1-p) = 0.9996. A sentence matched in more than
  ``QUOTE_MAX_DF`` distinct texts is a formula of the genre: at least one of the matched sentences
  must be rarer than that, so texts sharing only stock lines are not paired. Documents that are
  copies of one text (document Jaccard >= ``COPY_JACCARD``) count as one text, so the sentences of
  a statement republished by many outlets stay rare. The pair's score is the share of the shorter
  document's sentences that matched.
* Buckets holding more than ``MAX_BUCKET`` units (stock sentences, mass-republished copies) do not
  emit all their pairs: each member is paired with its next ``BUCKET_WINDOW`` members in id
  order, so such a family stays connected at linear cost.

**vectors** (across languages, and cheaply within): each document's vector is the renormalized
mean of its first sentence vectors (:func:`document_vectors`, multilingual encoder); for each
document its ``k`` nearest documents in every other language and its ``k_same`` nearest in its own
language, with cosine >= ``min_cos`` (:mod:`sourcetrace.candidates.neighbours`: exact faiss search, kept
between runs so a grown corpus searches only for what its new documents change).

**rare terms** (any languages; source label ``"terms"``): terms that survive translation
(:func:`sourcetrace.text.terms.document_terms`: numbers of at least 3 digits or with decimals, full
dates, Latin-script capitalised names). Postings longer than ``max_df`` documents are dropped
(years, the month, the minister's name); a pair sharing at least 2 of the remaining terms, or one
held by only those two documents, is a candidate.

How each generator partitions in a distributed engine (each step is a map, a group-by or a join
over plain records; nothing needs the whole corpus in one process):

* minhash: map doc -> (lang, signature) and sentence units -> (lang, doc, signature);
  flatMap -> ((lang, band, band key), unit); group by key -> unit pairs (bucket cap applied per
  group); distinct pairs; join both signatures -> Jaccard check; reduce by document pair.
* vectors: map doc -> vector (encoder, cached); per language build an index (broadcast, or
  sharded by language and then by vector blocks, merging top-k per query); map each query
  document -> its top-k pairs; distinct.
* rare terms: flatMap doc -> (term, doc); group by term -> postings, drop > max_df; flatMap each
  posting -> (pair, df); reduce by pair -> count and rarest df; filter.
* union: group by pair, merge sources, max score.

Scores are in [0, 1]: minhash the larger of the estimated document Jaccard and the matched
sentence share; vectors the cosine (clipped at 0); rare terms the share of the pair's rarer side's
rare terms that are shared.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, repeat
from typing import TypeVar

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from sourcetrace.candidates.neighbours import Neighbours, nearest
from sourcetrace.candidates.neighbours import pair_positions as neighbour_positions
from sourcetrace.candidates.neighbours import pairs as neighbour_pairs
from sourcetrace.candidates.shingles import Runs, shingle_starts, signatures
from sourcetrace.encode.vectors import Vectors, encoded
from sourcetrace.records import in_bulk, pair_key
from sourcetrace.text.normalize import fold_parts, fold_text, normalize_text
from sourcetrace.text.terms import document_terms

__all__ = [
    "Candidate",
    "DocFeatures",
    "DocInput",
    "candidate_pairs",
    "candidate_union",
    "document_features",
    "document_vectors",
    "minhash_candidates",
    "term_candidates",
    "vector_candidates",
]

# Which generator proposed a pair (the labels the pipeline reads).
SOURCES = ("minhash", "vectors", "terms", "votes")

SEED = 20200604  # MinHash seed: fixed, so signatures (and candidates) are reproducible
DOC_ROWS = 2  # rows per band for document signatures
QUOTE_PERM = 64
QUOTE_ROWS = 4
QUOTE_SHINGLE = 3
QUOTE_MIN_TOKENS = 8
QUOTE_MIN_JACCARD = 0.6
QUOTE_MIN_SENTENCES = 2
# A sentence matched (J >= QUOTE_MIN_JACCARD) in more than this many other texts is a stock line;
# a quote-level pair needs at least one matched sentence under the limit (as passim's max-df for
# n-grams). Without it, 81% of the pairs aligned on the 50k bench corpus were same-language pairs
# typed "related" (templated texts sharing stock sentences), and their number grew 3.3x for twice
# the documents. Requiring every counted sentence to be under the limit cut more, but lost 2.7% of
# the planted derived reports at 50k (0.9% at 25k: sentences get commoner as the corpus grows);
# one rare sentence keeps them all, and the pairs MinHash adds grow 2.07x for 2x documents.
QUOTE_MAX_DF = 20
# Documents at least this alike at document level are copies of one text and count once towards
# QUOTE_MAX_DF: otherwise a statement republished by more than QUOTE_MAX_DF outlets would lose every
# report quoting a few of its sentences. Templated texts sharing stock lines stay far below it
# (J ~ 0.02-0.05 on the bench corpus).
COPY_JACCARD = 0.5
# A sentence of more words than CHUNK_ABOVE is matched as content-defined chunks (_units) of
# QUOTE_MIN_TOKENS + about CHUNK_SPREAD words, at most CHUNK_MAX: about 14 words, so a run-on
# passage of 55 words (PAN's shortest) holds two whole chunks in both texts. 40 words is about
# twice an English news sentence: most sentences stay whole units, as measured before.
CHUNK_ABOVE, CHUNK_SPREAD, CHUNK_MAX = 40, 6, 40
DOC_MIN_JACCARD = 0.1  # estimated document Jaccard a colliding pair must reach
# Rare terms: postings longer than TERMS_MAX_DF documents are dropped; a pair shares at least
# TERMS_MIN_SHARED of the rest, or one held by at most TERMS_VERY_RARE documents.
TERMS_MAX_DF, TERMS_MIN_SHARED, TERMS_VERY_RARE = 50, 2, 2
MAX_BUCKET = 50
BUCKET_WINDOW = 8
CHECK_PAIRS = 4_000_000  # colliding unit pairs pooled before their Jaccard check (32 MB of keys)

# Cosine of USE-multilingual document vectors (mean of the sentence vectors), measured by
# bench/candidates.py --calibrate: documents of 10 Tatoeba sentence pairs (300 en/ar pairs):
# translations min 0.688, median 0.804; unrelated median 0.376, p99 0.672 (short generic sentences
# make unrelated documents alike). Planted synthetic translations: min 0.811, median 0.888;
# unrelated p99 0.784. 0.65 sits below every translation measured; the k nearest bound the rest.
DEFAULT_MIN_COS = 0.65
MARGIN_K = 4
VECTOR_K, VECTOR_K_SAME = 10, 3  # nearest documents in each other language, in its own, when not given

_WORD = re.compile(r"\d+(?:[.,]\d+)+(?!\w)|[^\W_]+(?:'[^\W_]+)*")
# _WORD's words in text with no apostrophe and no "." or "," before a digit (most documents):
# its first branch cannot match there, its second is this (a third cheaper).
_PLAIN_WORD = re.compile(r"[^\W_]+")
_NUMBER_SEP = re.compile(r"[.,]\d")


@dataclass
class DocInput:
    """What candidate search needs of one document (a plain record)."""

    id: str
    lang: str
    text: str  # the document's content text
    sentences: list[str] = field(default_factory=list)
    # The units MinHash matches quotes by, when they are not the sentences: sentences joined
    # wherever a line breaks inside one (pipeline.doc_input). The sentences stay what topic vectors
    # encode, so those vectors are the sentence vectors alignment already has.
    units: list[str] = field(default_factory=list)


@dataclass
class DocFeatures:
    """What the lexical generators keep of one document (a plain record, cacheable per document):
    its MinHash signatures and terms (:func:`~sourcetrace.text.terms.document_terms`). Computing these is most of the candidate stage's
    per-document cost, so a rerun over a grown corpus reads them from the store."""

    id: str
    lang: str
    doc_sig: np.ndarray | None  # (num_perm,) uint32 over word shingles; None: no words
    quote_sigs: np.ndarray  # (n, QUOTE_PERM) uint32, one row per sentence of >= QUOTE_MIN_TOKENS words
    terms: frozenset[str]


@dataclass(slots=True)  # one per candidate pair: hundreds of thousands
class Candidate:
    a: str  # a < b (string order)
    b: str
    sources: list[str]  # which generators proposed it: "minhash", "vectors", "terms", "votes"
    score: float  # the best evidence, in [0, 1]
    # Vectors only: the cosine over the mean of both documents' top-MARGIN_K cosines (ratio margin,
    # as in bitext mining): a translation stands out of its neighbours, a topic neighbour does not.
    margin: float = 0.0


def _words(text: str) -> list[str]:
    """The words of ``normalize_text(text)`` (fold_text: its space runs do not change them)."""
    folded = fold_text(text)
    return _word_finder(folded)(folded)


def _word_finder(folded: str) -> Callable[[str], list[str]]:
    """``_WORD.findall``, or the cheaper one giving the same words in `folded` and its pieces."""
    return _WORD.findall if "'" in folded or _NUMBER_SEP.search(folded) else _PLAIN_WORD.findall


def _shingles(words: list[str], size: int) -> list[str]:
    """The word `size`-grams of `words` as strings (all of them as one when fewer): the tokens
    whose hashes :func:`document_features` computes from byte spans (shingles.py)."""
    if len(words) < size:
        return [" ".join(words)] if words else []
    # zip of shifted lists, not a slice per shingle: a third cheaper (one per word of the corpus)
    return list(map(" ".join, zip(*(words[k:] for k in range(size)), strict=False)))


# -- MinHash ---------------------------------------------------------------------------------------
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)


# Rows a column-by-column mix (:func:`_band_keys`, :func:`_marks`) runs over at once: its arrays stay
# in the core's cache through every column (a +1% rerun at 10,000 documents mixes ~145,000 quote
# units' 64 slots each run; over the whole length at once 0.16-0.19 CPU s, in rows of 8,192
# 0.07-0.09, the same keys).
MIX_ROWS = 8192


def _band_keys(block: np.ndarray) -> np.ndarray:
    """One uint64 key per row of a (n, r) uint32 band."""
    if len(block) > MIX_ROWS:
        return np.concatenate([_band_keys(block[a:a + MIX_ROWS]) for a in range(0, len(block), MIX_ROWS)])
    key = np.zeros(block.shape[0], dtype=np.uint64)
    for col in range(block.shape[1]):
        key = (key ^ block[:, col].astype(np.uint64)) * _M1
        key ^= key >> np.uint64(29)
    return key * _M2


def _band_pairs(sig: np.ndarray, rows: int, owner: np.ndarray, min_jaccard: float) -> np.ndarray:
    """Unit index pairs (i < j, different owners), sorted, that collide in at least one band and
    whose estimated Jaccard is at least `min_jaccard` (their Jaccard :func:`_jaccard`: the quote
    units' is not read, 0.2 CPU s at 50k documents). A pair is one int64 key
    (i << 32 | j): sorting keys is 25x faster than sorting rows. The bands' pairs are pooled up
    to ``CHECK_PAIRS`` and each distinct pair is checked once (a copy collides in every band);
    the pool keeps memory bounded when stock sentences fill the buckets."""
    n, perm = sig.shape
    if n >= 2**31:
        raise ValueError("too many units for one MinHash group")
    pending: list[np.ndarray] = []
    passed: list[np.ndarray] = []

    low = _low_bytes(sig)

    def check() -> None:
        keys = _distinct(np.concatenate(pending))
        pending.clear()
        passed.append(_passing(sig, keys, min_jaccard, low))

    pooled = 0
    for band in range(perm // rows):
        key = _band_keys(sig[:, band * rows:(band + 1) * rows])
        # Any order of a bucket's members will do (they are sorted by index below): the default
        # sort is 5x faster than a stable one on 150,000 keys.
        order = np.argsort(key)
        ks = key[order]
        same = ks[1:] == ks[:-1]
        if not same.any():
            continue
        starts = np.flatnonzero(np.concatenate(([True], ~same)))
        sizes = np.diff(np.append(starts, n))
        for size in np.unique(sizes[sizes >= 2]).tolist():  # all buckets of one size at once
            members = np.sort(order[starts[sizes == size][:, None] + np.arange(size)], axis=1).astype(np.int64)
            i, j = _bucket_pairs(size)
            x, y = members[:, i].ravel(), members[:, j].ravel()  # x < y: members are sorted
            other = owner[x] != owner[y]
            pending.append((x[other] << 32) | y[other])
            pooled += len(pending[-1])
        if pooled >= CHECK_PAIRS:
            check()
            pooled = 0
    if pending:
        check()
    return _unpack(_distinct(np.concatenate(passed))) if passed else np.zeros((0, 2), dtype=np.int64)


# What a kept quote banding (:class:`QuoteBands`) depends on besides the features: how units are
# banded, bucketed and checked, and its layout (bump QUOTE_BANDS_LAYOUT when that changes).
QUOTE_BANDS_LAYOUT = 1


def quote_bands_version() -> str:
    """The version a kept :class:`QuoteBands` is stored under (another is banded again whole)."""
    return (f"{QUOTE_BANDS_LAYOUT}:{FEATURES_VERSION}:{QUOTE_ROWS}:{QUOTE_MIN_JACCARD}:{MAX_BUCKET}:"
            f"{BUCKET_WINDOW}")


@dataclass
class QuoteBands:
    """One language's quote units as a run banded them, kept for the next run over a grown corpus
    (a plain record): its documents in order, a fingerprint of each one's unit signatures, and the
    unit pairs that passed (:func:`_band_pairs`: indices into those documents' units, in order)."""

    ids: list[str]
    marks: np.ndarray  # (documents,) uint64
    units: np.ndarray  # (documents,) int64: how many units each has
    pairs: np.ndarray  # (m, 2) int64, sorted, i < j


@dataclass
class Banding:
    """Quote bandings kept between runs, by language: ``before`` as the last run left them (empty:
    none), ``after`` as this run leaves them (:func:`candidate_pairs` fills it)."""

    before: dict[str, QuoteBands] = field(default_factory=dict)
    after: dict[str, QuoteBands] = field(default_factory=dict)


def quote_bands_to_bytes(bands: Mapping[str, QuoteBands]) -> bytes:
    """A code-free serialization: a JSON header (languages, their documents, sizes), then the arrays."""
    langs = sorted(bands)
    head = json.dumps({"langs": langs, "ids": [bands[lg].ids for lg in langs],
                       "pairs": [len(bands[lg].pairs) for lg in langs]}, ensure_ascii=False).encode("utf-8")
    parts = [len(head).to_bytes(4, "little"), head]
    for lg in langs:
        b = bands[lg]
        parts += [np.asarray(b.marks, dtype="<u8").tobytes(), np.asarray(b.units, dtype="<u4").tobytes(),
                  np.asarray(b.pairs, dtype="<u4").tobytes()]
    return b"".join(parts)


def quote_bands_from_bytes(data: bytes) -> dict[str, QuoteBands]:
    n = int.from_bytes(data[:4], "little")
    head = json.loads(data[4:4 + n].decode("utf-8"))
    out, at = {}, 4 + n
    for lg, ids, m in zip(head["langs"], head["ids"], head["pairs"], strict=True):
        marks = np.frombuffer(data[at:at + 8 * len(ids)], dtype="<u8").astype(np.uint64)
        at += 8 * len(ids)
        units = np.frombuffer(data[at:at + 4 * len(ids)], dtype="<u4").astype(np.int64)
        at += 4 * len(ids)
        pairs = np.frombuffer(data[at:at + 8 * m], dtype="<u4").astype(np.int64).reshape(m, 2)
        at += 8 * m
        out[lg] = QuoteBands(list(ids), marks, units, pairs)
    if at != len(data):
        raise ValueError("not quote bands")
    return out


def _marks(sig: np.ndarray, n_units: np.ndarray) -> np.ndarray:
    """A 64-bit fingerprint of each document's unit signatures (``sig``, ``n_units`` a document in
    order; a document read again may have others): each unit's slots mixed, then the units in
    order (vectorised: a digest per document cost a third of what the kept banding saves)."""
    rng = np.random.default_rng(SEED)
    weights = rng.integers(1, 2**63, size=sig.shape[1], dtype=np.int64).astype(np.uint64) | np.uint64(1)
    unit = np.concatenate([_unit_marks(sig[a:a + MIX_ROWS], weights) for a in range(0, len(sig), MIX_ROWS)]
                          or [np.zeros(0, dtype=np.uint64)])
    # a unit's place in its document counts (units swapped are another document)
    place = np.arange(len(sig), dtype=np.int64) - np.repeat(np.cumsum(n_units) - n_units, n_units)
    unit = (unit + place.astype(np.uint64) * _M2) * _M1
    out = np.zeros(len(n_units), dtype=np.uint64)
    has = n_units > 0
    if has.any():
        out[has] = np.add.reduceat(unit, (np.cumsum(n_units) - n_units)[has])
    return out ^ (n_units.astype(np.uint64) * _M2)


def _unit_marks(sig: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each unit's slots mixed (:func:`_marks`), for at most :data:`MIX_ROWS` units."""
    unit = np.zeros(len(sig), dtype=np.uint64)
    for col in range(sig.shape[1]):
        unit = (unit ^ (sig[:, col].astype(np.uint64) * weights[col])) * _M1
        unit ^= unit >> np.uint64(29)
    return unit


def _within(values: np.ndarray, members: np.ndarray) -> np.ndarray:
    """``np.isin(values, members)`` for few members: ``isin`` sorted both together, a tenth of a
    second per band at 70,000 units."""
    members = np.unique(members)
    out = np.zeros(len(values), dtype=bool)
    if not len(members):
        return out
    # their low 16 bits first (a table look-up), the few values that pass searched exactly
    low = np.zeros(1 << 16, dtype=bool)
    low[(members & 0xFFFF).astype(np.int64)] = True
    maybe = np.flatnonzero(low[(values & 0xFFFF).astype(np.int64)])
    at = np.minimum(np.searchsorted(members, values[maybe]), len(members) - 1)
    out[maybe] = members[at] == values[maybe]
    return out


def _kept_units(before: QuoteBands, ids: Sequence[str], marks: np.ndarray, units: np.ndarray) -> np.ndarray | None:
    """Each unit's index among ``before``'s (-1: a unit of a document new or changed since), or None
    when a document of ``before`` is gone or changed (its units left buckets: banded again whole)."""
    at = {d: i for i, d in enumerate(before.ids)}
    where = np.fromiter((at.get(d, -1) for d in ids), dtype=np.int64, count=len(ids))
    known = where >= 0
    same = known.copy()
    same[known] = (before.marks[where[known]] == marks[known]) & (before.units[where[known]] == units[known])
    if int(same.sum()) != len(before.ids) or (np.diff(where[same]) < 0).any():
        return None
    starts = np.concatenate(([0], np.cumsum(before.units)[:-1])).astype(np.int64)
    first = np.where(same, starts[np.maximum(where, 0)], -1)
    offset = np.arange(int(units.sum()), dtype=np.int64) - np.repeat(np.cumsum(units) - units, units)
    first = np.repeat(first, units)  # each unit's document's first index among before's
    return np.where(first >= 0, first + offset, -1)


def _grown_band_pairs(sig: np.ndarray, rows: int, owner: np.ndarray, min_jaccard: float, old: np.ndarray,
                      known: np.ndarray) -> np.ndarray:
    """:func:`_band_pairs` of units of which some are new (``old`` -1; the others in the same order
    as when ``known``, the pairs that passed then, was found, with the same signatures): only the
    buckets a new unit is in are read. Two old units a bucket pairs now it paired then (a bucket
    pairs all its members, or each with its next ``BUCKET_WINDOW``: new members only widen the
    gap); one past ``MAX_BUCKET`` may no longer pair two it paired, kept only where a band still
    pairs them."""
    perm = sig.shape[1]
    new = old < 0
    if not new.any():
        return known
    keys = [_band_keys(sig[:, b * rows:(b + 1) * rows]) for b in range(perm // rows)]
    found: list[np.ndarray] = []
    shifted: list[np.ndarray] = []  # pairs of old units a touched big bucket paired before
    for key in keys:
        touched = np.flatnonzero(_within(key, key[new]))
        order = touched[np.argsort(key[touched], kind="stable")]  # by bucket, members in index order
        ks = key[order]
        starts = np.flatnonzero(np.concatenate(([True], ks[1:] != ks[:-1])))
        sizes = np.diff(np.append(starts, len(order)))
        for size in np.unique(sizes[sizes >= 2]).tolist():
            members = order[starts[sizes == size][:, None] + np.arange(size)]
            i, j = _bucket_pairs(size)
            x, y = members[:, i].ravel(), members[:, j].ravel()
            # Two old units a bucket pairs now it paired before: new members only come between them.
            keep = (owner[x] != owner[y]) & (new[x] | new[y])
            found.append((x[keep] << 32) | y[keep])
            if size > MAX_BUCKET:
                for row in members:
                    was = row[~new[row]]
                    i, j = _bucket_pairs(len(was))
                    x, y = was[i], was[j]
                    shifted.append((x << 32) | y)
    checked = _distinct(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    passed = _passing(sig, checked, min_jaccard, _low_bytes(sig))
    kept = (known[:, 0] << 32) | known[:, 1]
    if shifted:
        doubt = _distinct(np.concatenate(shifted))
        doubt = doubt[_within(doubt, kept)]
        if len(doubt):
            kept = kept[~_within(kept, doubt[~_still_paired(keys, _unpack(doubt))])]
    return _unpack(_distinct(np.concatenate([kept, passed])))


def _still_paired(keys: Sequence[np.ndarray], pairs: np.ndarray) -> np.ndarray:
    """Whether some band pairs each of ``pairs`` (:func:`_bucket_pairs`: a bucket of at most
    ``MAX_BUCKET`` pairs all its members, a larger one each with its next ``BUCKET_WINDOW``), a
    bucket at a time (a stock sentence's may hold most of the doubted pairs)."""
    out = np.zeros(len(pairs), dtype=bool)
    for key in keys:
        todo = np.flatnonzero(~out & (key[pairs[:, 0]] == key[pairs[:, 1]]))
        shared = key[pairs[todo, 0]]
        for first in np.unique(shared, return_index=True)[1].tolist():
            at = todo[shared == shared[first]]
            members = np.flatnonzero(key == shared[first])
            gap = np.abs(np.searchsorted(members, pairs[at, 1]) - np.searchsorted(members, pairs[at, 0]))
            out[at] = (len(members) <= MAX_BUCKET) | (gap <= BUCKET_WINDOW)
    return out


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-D array (a sort and a mask: np.unique is slower)."""
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct value of a sorted 1-D array and how often it occurs."""
    if not len(values):
        return values, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    return values[starts], np.diff(np.append(starts, len(values)))


def _unpack(keys: np.ndarray) -> np.ndarray:
    return np.stack([keys >> 32, keys & 0xFFFFFFFF], axis=1)


def _unique_rows(rows: np.ndarray) -> np.ndarray:
    """The distinct rows of an (m, 2) array of non-negative integers, sorted: each row as one
    integer when the columns' ranges allow (np.unique(axis=0) and lexsort are many times slower)."""
    if len(rows) == 0:
        return rows.reshape(0, 2)
    span = int(rows[:, 1].max()) + 1
    if (int(rows[:, 0].max()) + 1) * span < 2**63:
        keys = _distinct(rows[:, 0].astype(np.int64) * span + rows[:, 1])
        return np.stack([keys // span, keys % span], axis=1)
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    keep = np.concatenate(([True], (rows[1:] != rows[:-1]).any(axis=1)))
    return rows[keep]


@lru_cache(maxsize=1024)
def _bucket_pairs(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Member index pairs of a bucket: all of them, or in a huge bucket each member with its next
    BUCKET_WINDOW members (the bucket stays connected at linear cost)."""
    if size <= MAX_BUCKET:
        return np.triu_indices(size, 1)
    i = np.repeat(np.arange(size), BUCKET_WINDOW)
    j = i + np.tile(np.arange(1, BUCKET_WINDOW + 1), size)
    keep = j < size
    return i[keep], j[keep]


def _jaccard(sig: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    out = np.empty(len(pairs), dtype=np.float64)
    for s in range(0, len(pairs), 100_000):  # bounded memory
        p = pairs[s:s + 100_000]
        out[s:s + len(p)] = np.count_nonzero(sig[p[:, 0]] == sig[p[:, 1]], axis=1) / sig.shape[1]
    return out


def _low_bytes(sig: np.ndarray) -> np.ndarray | None:
    """Each signature's slots' low bytes, 8 to a uint64 (None when the slots are not a multiple of 8)."""
    if sig.shape[1] % 8:
        return None
    return np.ascontiguousarray(sig.astype(np.uint8)).view(np.uint64)


_BYTE_LSB = np.uint64(0x0101010101010101)


def _passing(sig: np.ndarray, keys: np.ndarray, min_jaccard: float, low: np.ndarray | None) -> np.ndarray:
    """The pair keys (i << 32 | j) whose estimated Jaccard (:func:`_jaccard`) is at least
    ``min_jaccard``. ``low`` (:func:`_low_bytes` of ``sig``) first: equal slots have equal low bytes,
    so a pair whose low bytes agree in too few slots cannot pass, and only the rest are counted
    exactly. Most colliding pairs are unrelated units that share a band and little else: their low
    bytes are one cache line a unit, their slots four (the check grew as the square of the corpus,
    4.6x from 25k to 50k documents)."""
    if low is not None and len(keys):
        perm = sig.shape[1]
        maybe = np.zeros(len(keys), dtype=bool)
        for s in range(0, len(keys), 100_000):  # bounded memory
            k = keys[s:s + 100_000]
            x = low[k >> 32] ^ low[k & 0xFFFFFFFF]
            # each byte's lowest bit set iff the byte is not zero (shifts stay within the byte's bits)
            x |= x >> np.uint64(4)
            x |= x >> np.uint64(2)
            x |= x >> np.uint64(1)
            x &= _BYTE_LSB
            differ = ((x * _BYTE_LSB) >> np.uint64(56)).sum(axis=1)  # bytes that differ, a word's in its top byte
            maybe[s:s + len(k)] = (perm - differ) / perm >= min_jaccard
        keys = keys[maybe]
    return keys[_jaccard(sig, _unpack(keys)) >= min_jaccard]


def _texts(copies: np.ndarray, n: int) -> np.ndarray:
    """Each document's text: the connected component of the copy pairs it belongs to."""
    graph = coo_matrix((np.ones(len(copies), dtype=np.int8), (copies[:, 0], copies[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _minhash_group(feats: Sequence[DocFeatures], threshold: float,
                   banding: Banding | None = None) -> dict[tuple[str, str], float]:
    """Pairs within one language: {(a, b): score}. ``banding``: the quote banding the last run
    kept of this language, if any, and where this run's is kept (:func:`_quote_pairs`)."""
    out: dict[tuple[str, str], float] = {}
    # Document level.
    owners = [i for i, f in enumerate(feats) if f.doc_sig is not None]
    copies = np.zeros((0, 2), dtype=np.int64)
    if len(owners) > 1:
        sig = np.stack([feats[i].doc_sig for i in owners])
        owner = np.asarray(owners, dtype=np.int64)
        if banding is None:
            pairs = _band_pairs(sig, DOC_ROWS, owner, threshold)
        else:  # kept as the quote units' are, a document signature its one unit (64 bands re-sorted each run)
            one = np.zeros(len(feats), dtype=np.int64)
            one[owner] = 1
            pairs = _kept_band_pairs(feats, sig, owner, one, banding, f"{DOC_BANDS} {DOC_ROWS} {threshold!r} {feats[0].lang}",
                                     DOC_ROWS, threshold)
        jac = _jaccard(sig, pairs)
        copies = owner[pairs[jac >= COPY_JACCARD]]
        for (i, j), jv in zip(owner[pairs].tolist(), jac.tolist(), strict=True):
            key = pair_key(feats[i].id, feats[j].id)
            out[key] = max(out.get(key, 0.0), jv)
    # Quote level: sentences.
    n_units = np.asarray([len(f.quote_sigs) for f in feats], dtype=np.int64)
    if n_units.sum() > 1:
        sig = np.concatenate([f.quote_sigs for f in feats if len(f.quote_sigs)])
        owner = np.repeat(np.arange(len(feats), dtype=np.int64), n_units)
        pairs = _quote_pairs(feats, sig, owner, n_units, banding)
        i, j = owner[pairs[:, 0]], owner[pairs[:, 1]]
        # A sentence matched in many texts is a formula of the genre, not shared wording; copies
        # of one text are one text.
        text = _texts(copies, len(feats))
        partners = _unique_rows(np.stack([np.concatenate([pairs[:, 0], pairs[:, 1]]),
                                          text[np.concatenate([j, i])]], axis=1))
        df = np.bincount(partners[:, 0], minlength=len(sig))
        rare = (df[pairs[:, 0]] <= QUOTE_MAX_DF) & (df[pairs[:, 1]] <= QUOTE_MAX_DF)
        swap = i > j
        u, v = np.where(swap, pairs[:, 1], pairs[:, 0]), np.where(swap, pairs[:, 0], pairs[:, 1])
        key = np.minimum(i, j) * len(feats) + np.maximum(i, j)
        # Distinct matched sentences on each side of every document pair (both sides hold the
        # same document pairs, in the same sorted order).
        keys, on_a = _runs(_unique_rows(np.stack([key, u], axis=1))[:, 0])
        _, on_b = _runs(_unique_rows(np.stack([key, v], axis=1))[:, 0])
        matched = np.minimum(on_a, on_b)
        keep = (matched >= QUOTE_MIN_SENTENCES) & np.isin(keys, key[rare])
        di, dj = keys[keep] // len(feats), keys[keep] % len(feats)
        shares = np.minimum(1.0, matched[keep] / np.maximum(1, np.minimum(n_units[di], n_units[dj])))
        for x, y, share in zip(di.tolist(), dj.tolist(), shares.tolist(), strict=True):
            pk = pair_key(feats[x].id, feats[y].id)
            out[pk] = max(out.get(pk, 0.0), share)
    return out


def _quote_pairs(feats: Sequence[DocFeatures], sig: np.ndarray, owner: np.ndarray, n_units: np.ndarray,
                 banding: Banding | None) -> np.ndarray:
    """The quote units' pairs (:func:`_band_pairs`); with ``banding``, from the pairs the last run
    kept where only documents were added since (:func:`_kept_band_pairs`: a +1% rerun bands its
    new units alone, not the corpus's again), and this run's kept."""
    if banding is None:
        return _band_pairs(sig, QUOTE_ROWS, owner, QUOTE_MIN_JACCARD)
    return _kept_band_pairs(feats, sig, owner, n_units, banding, feats[0].lang, QUOTE_ROWS, QUOTE_MIN_JACCARD)


# A document banding's kept name begins with this (then its rows, bar and language): a quote
# banding's is its language alone.
DOC_BANDS = "documents"


def _kept_band_pairs(feats: Sequence[DocFeatures], sig: np.ndarray, owner: np.ndarray, n_units: np.ndarray,
                     banding: Banding, name: str, rows: int, min_jaccard: float) -> np.ndarray:
    """:func:`_band_pairs` of ``sig`` (``n_units`` rows a document of ``feats``, in order) from the
    pairs the banding kept as ``name`` where only documents were added since
    (:func:`_grown_band_pairs`), and this run's kept under ``name``."""
    ids = [f.id for f in feats]
    marks = _marks(sig, n_units)
    before = banding.before.get(name)
    old = _kept_units(before, ids, marks, n_units) if before is not None else None
    if old is None:
        pairs = _band_pairs(sig, rows, owner, min_jaccard)
    else:
        back = np.full(int(before.units.sum()), -1, dtype=np.int64)  # a kept unit's index now
        back[old[old >= 0]] = np.flatnonzero(old >= 0)
        pairs = _grown_band_pairs(sig, rows, owner, min_jaccard, old, back[before.pairs])
    banding.after[name] = QuoteBands(ids, marks, n_units.astype(np.int64), pairs)
    return pairs


@lru_cache(maxsize=65536)
def _word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


def _units(words: list[str]) -> list[tuple[int, int]]:
    """A sentence's words as quote units, each a (start, end) slice of `words`: the sentence, or
    a long one (over ``CHUNK_ABOVE`` words) in content-defined chunks. A chunk ends after a word
    pair whose hash is 0 modulo ``CHUNK_SPREAD``, at least ``QUOTE_MIN_TOKENS`` and at most
    ``CHUNK_MAX`` words after the last end (as rsync/LBFS cut files), so a passage copied from the
    middle of a long run-on sentence is cut at the same words in both texts once both have passed
    one chunk end inside it, wherever the sentence began: web text without full stops is one
    "sentence" of hundreds of words, of which a copy shares a part (PAN, bench/realtext.py), and a
    whole-sentence unit only collides when most of it is shared. Units stay disjoint, so one
    shared stretch does not count twice towards ``QUOTE_MIN_SENTENCES``."""
    if len(words) <= CHUNK_ABOVE:
        return [(0, len(words))]
    out: list[tuple[int, int]] = []
    start, prev = 0, 0
    for k, w in enumerate(words):
        h = _word_hash(w)
        size = k + 1 - start
        if size >= CHUNK_MAX or (size >= QUOTE_MIN_TOKENS and ((prev * 31) ^ h) % CHUNK_SPREAD == 0):
            out.append((start, k + 1))
            start = k + 1
        prev = h
    if start < len(words):
        if len(words) - start < QUOTE_MIN_TOKENS and out:
            out[-1] = (out[-1][0], len(words))  # a short tail joins the chunk before it
        else:
            out.append((start, len(words)))
    return out


def _sentence_words(doc: DocInput) -> tuple[list[list[str]], str]:
    """The words of each sentence (of the text, without sentences) and ``normalize_text`` of the
    text (its terms read it), from one fold of the text where the sentences are found in it in
    order (most often: folding was a fifth of the features' cost, done twice)."""
    parts = doc.sentences or [doc.text]
    both = fold_parts(doc.text, parts)
    if both is None:
        return [_words(s) for s in parts], normalize_text(doc.text)
    norm, folds = both
    find = _word_finder(norm)  # the folds are pieces of norm but for its space runs
    return [find(f) for f in folds], norm


def _quote_units(doc: DocInput, sentences: list[list[str]], at: int, runs: Runs) -> list[tuple[int, int]]:
    """The units a document's quotes are matched by that have at least ``QUOTE_MIN_TOKENS``
    words (shorter ones are not matched), each as its first word in `runs` and its number of
    word 3-shingles. The units: its sentences whole, as they always were, and, where they
    differ, its run-on units (``doc.units``: sentences joined across every line break inside
    one), with every unit over ``CHUNK_ABOVE`` words also cut in chunks (_units); each unit once
    (a repeated one would count twice), sentences first.
    Adding units never loses a pair the sentences find: joining a headline, a byline and a
    date line to the first sentence (news pages) must not replace that sentence's own unit.
    A shared sentence over CHUNK_ABOVE words counts more than once towards QUOTE_MIN_SENTENCES:
    forty words in a row are shared text, not a stock line. `sentences`: :func:`_sentence_words`
    of `doc`, whose words are in `runs` in a row from word `at`: a sentence's shingles are
    those of that run (a run-on unit's words are added to `runs` when it is kept)."""
    out: list[tuple[int, int]] = []
    seen: set[tuple[str, ...]] = set()
    starts = []
    for s in sentences:
        starts.append(at)
        if len(s) >= QUOTE_MIN_TOKENS:
            seen.add(tuple(s))
            out.append((at, len(s) - QUOTE_SHINGLE + 1))
        at += len(s)

    def kept(words: list[str], bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
        new = []
        for a, b in bounds:
            if b - a >= QUOTE_MIN_TOKENS and (key := tuple(words[a:b])) not in seen:
                seen.add(key)
                new.append((a, b - a - QUOTE_SHINGLE + 1))
        return new

    known = set(doc.sentences)
    for x in doc.units:
        if x not in known:
            u = _words(x)
            if new := kept(u, _units(u)):
                first = runs.add(u)
                out += [(first + a, n) for a, n in new]
    for s, at in zip(sentences, starts, strict=True):
        if len(s) > CHUNK_ABOVE:  # a shorter one is one unit, added above
            out += [(at + a, n) for a, n in kept(s, _units(s))]
    return out


@in_bulk()  # words and units: millions of objects, no cycles (the collector was a seventh of the time)
def document_features(docs: Sequence[DocInput], *, num_perm: int = 128, shingle: int = 5) -> list[DocFeatures]:
    """Signatures and terms of each document (a map over documents; batched for MinHash speed).
    A document's token set is its word `shingle`-grams (all its words as one token when it has
    fewer), a quote unit's its word 3-grams, hashed from one buffer of every word (shingles)."""
    if num_perm % DOC_ROWS:
        raise ValueError(f"num_perm must be a multiple of {DOC_ROWS}")
    runs = Runs()
    doc_first: list[int] = []  # per document with words: its first word, shingles, words a shingle
    doc_count: list[int] = []
    doc_size: list[int] = []
    quote_first: list[int] = []
    quote_count: list[int] = []
    has_doc: list[bool] = []
    n_quotes: list[int] = []
    norms: list[str] = []
    for d in docs:
        words, norm = _sentence_words(d)
        norms.append(norm)
        flat = list(chain.from_iterable(words))
        at = runs.add(flat)
        has_doc.append(bool(flat))
        if flat:
            doc_first.append(at)
            doc_count.append(max(1, len(flat) - shingle + 1))
            doc_size.append(min(shingle, len(flat)))
        units = _quote_units(d, words, at, runs)
        for first, count in units:
            quote_first.append(first)
            quote_count.append(count)
        n_quotes.append(len(units))
    doc_starts = shingle_starts(doc_first, doc_count)
    quote_starts = shingle_starts(quote_first, quote_count)
    hashes = runs.hashes(np.concatenate((doc_starts, quote_starts)),
                         np.concatenate((np.repeat(np.asarray(doc_size, dtype=np.int64), doc_count),
                                         np.full(len(quote_starts), QUOTE_SHINGLE, dtype=np.int64))))
    doc_sigs = iter(signatures(hashes[:len(doc_starts)], doc_count, num_perm, SEED))
    quote_sigs = signatures(hashes[len(doc_starts):], quote_count, QUOTE_PERM, SEED)
    out, q = [], 0
    for d, has, n, norm in zip(docs, has_doc, n_quotes, norms, strict=True):
        out.append(DocFeatures(d.id, d.lang, next(doc_sigs) if has else None, quote_sigs[q:q + n],
                               frozenset(document_terms(d.text, norm))))
        q += n
    return out


# What a cached DocFeatures depends on: bump when signatures or terms change (2: terms read from
# text.dates' month table, which adds misspelt Arabic months and "jun", "jul"; 3: sentences of
# hard-wrapped text whole, a verse line one sentence; 4: sentences joined at every open line
# break, long ones in content-defined chunks).
FEATURES_VERSION = f"4:{SEED}:128x5:{QUOTE_PERM}x{QUOTE_SHINGLE}:{QUOTE_MIN_TOKENS}:{CHUNK_ABOVE}/{CHUNK_SPREAD}/{CHUNK_MAX}"


def features_to_bytes(f: DocFeatures) -> bytes:
    """A compact, code-free serialization (a JSON header, then the raw signatures)."""
    head = json.dumps({"lang": f.lang, "doc": f.doc_sig is not None, "quotes": len(f.quote_sigs),
                       "terms": sorted(f.terms)}, ensure_ascii=False).encode("utf-8")
    parts = [len(head).to_bytes(4, "little"), head]
    if f.doc_sig is not None:
        parts.append(np.asarray(f.doc_sig, dtype="<u4").tobytes())
    parts.append(np.asarray(f.quote_sigs, dtype="<u4").tobytes())
    return b"".join(parts)


def features_from_bytes(doc_id: str, data: bytes) -> DocFeatures:
    n = int.from_bytes(data[:4], "little")
    head = json.loads(data[4:4 + n].decode("utf-8"))
    sigs = np.frombuffer(data[4 + n:], dtype="<u4").astype(np.uint32)
    split = len(sigs) - head["quotes"] * QUOTE_PERM  # the document signature comes first
    return DocFeatures(doc_id, head["lang"], sigs[:split] if head["doc"] else None,
                       sigs[split:].reshape(head["quotes"], QUOTE_PERM), frozenset(head["terms"]))


KEPT_FEATURES_LAYOUT = 2  # how :func:`kept_features_to_bytes` lays them out (2: terms as codes)


def kept_features_version() -> str:
    """The version every document's features kept in one blob are stored under (another: read per document)."""
    return f"{KEPT_FEATURES_LAYOUT}:{FEATURES_VERSION}"


class KeptFeatures(DocFeatures):
    """A document's features read from :func:`kept_features_to_bytes`: its terms as codes into
    the vocabulary of every document kept with it (``vocab``, one list they share), made a
    frozenset only when read (the rare-term pairs read the codes: :func:`term_codes`; making
    290,000 terms into 10,000 sets was a third of reading a 10,000-document corpus's features)."""

    def __init__(self, doc_id: str, lang: str, doc_sig: np.ndarray | None, quote_sigs: np.ndarray,
                 vocab: list[str], codes: np.ndarray) -> None:
        self.id, self.lang, self.doc_sig, self.quote_sigs = doc_id, lang, doc_sig, quote_sigs
        self.vocab, self.codes = vocab, codes

    @property
    def terms(self) -> frozenset[str]:  # type: ignore[override]
        return frozenset(map(self.vocab.__getitem__, self.codes.tolist()))


def term_codes(feats: Sequence[DocFeatures]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every document's terms as codes (:func:`numbered_terms`). Documents kept together
    (:class:`KeptFeatures` of one vocabulary) give theirs as they are; the others' are looked up
    (and new terms added) in that vocabulary."""
    kept = [f for f in feats if isinstance(f, KeptFeatures)]
    vocab = kept[0].vocab if kept else []
    coded = [f.codes if isinstance(f, KeptFeatures) and f.vocab is vocab else None for f in feats]
    new = [f.terms for f, c in zip(feats, coded, strict=True) if c is None]
    if len(new) == len(feats):  # none kept (a fresh run's)
        return numbered_terms(new)
    if new:  # only when a document was not kept with the others (a rerun's new ones)
        vocab, counts, codes = numbered_terms(new, vocab)
        split = iter(np.split(codes, np.cumsum(counts)[:-1]))
        coded = [next(split) if c is None else c for c in coded]
    counts = np.fromiter(map(len, coded), dtype=np.int64, count=len(coded))
    return vocab, counts, np.concatenate(coded).astype(np.int64)


def numbered_terms(terms: Sequence[Collection[str]], vocab: Sequence[str] = ()) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each set's terms as codes into ``vocab``, the terms it lacks added in the order first met:
    the vocabulary, each set's number of terms, and their codes one set after another (the terms
    in one flat list: a loop per term cost a rerun a tenth of its candidate search)."""
    flat = list(chain.from_iterable(terms))
    index = {t: i for i, t in enumerate(dict.fromkeys(chain(vocab, flat)))}
    codes = np.fromiter(map(index.__getitem__, flat), dtype=np.int64, count=len(flat))
    counts = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    return list(index), counts, codes


def kept_features_to_bytes(feats: Sequence[DocFeatures]) -> bytes:
    """Many documents' features in one code-free blob, as columns (a rerun reads a corpus's
    features in one piece, not a row and a parse a document: :func:`kept_features_from_bytes`): a
    JSON header (ids, languages, which have a document signature, units, the terms each once and
    each document's number of them), then every document signature, every unit signature and
    every document's terms as codes, each in one array."""
    widths = {len(f.doc_sig) for f in feats if f.doc_sig is not None}
    if len(widths) > 1:
        raise ValueError("document signatures of several widths")
    langs = sorted({f.lang for f in feats})
    code = {lang: i for i, lang in enumerate(langs)}
    vocab, counts, codes = term_codes(feats)
    head = json.dumps({"ids": [f.id for f in feats], "langs": langs, "lang": [code[f.lang] for f in feats],
                       "doc": [f.doc_sig is not None for f in feats], "width": next(iter(widths), 0),
                       "quotes": [len(f.quote_sigs) for f in feats], "vocab": vocab, "terms": counts.tolist()},
                      ensure_ascii=False).encode("utf-8")
    docs = [np.asarray(f.doc_sig, dtype="<u4") for f in feats if f.doc_sig is not None]
    quotes = [np.asarray(f.quote_sigs, dtype="<u4").reshape(-1) for f in feats]
    return b"".join([len(head).to_bytes(4, "little"), head, *(a.tobytes() for a in docs), *(a.tobytes() for a in quotes),
                     codes.astype("<u4").tobytes()])


def kept_features_from_bytes(data: bytes) -> list[KeptFeatures]:
    """The features :func:`kept_features_to_bytes` kept, the same values (each document's arrays
    read-only views into ``data``)."""
    n = int.from_bytes(data[:4], "little")
    head = json.loads(data[4:4 + n].decode("utf-8"))
    ids, has, width, quotes, counts = head["ids"], head["doc"], head["width"], head["quotes"], head["terms"]
    if not len(has) == len(quotes) == len(counts) == len(ids):
        raise ValueError("not kept features")
    sizes = (sum(has) * width, sum(quotes) * QUOTE_PERM, sum(counts))
    if 4 + n + 4 * sum(sizes) != len(data):
        raise ValueError("not kept features")
    arrays, at = [], 4 + n
    for size in sizes:
        # Views into the blob, read-only (no caller writes a signature): copying them was 44 MB of
        # fresh memory a +1% rerun at 10,000 documents faulted in (numpy asks huge pages for it),
        # 0.02-0.25 CPU s by the machine's state. A copy only where the bytes are not this
        # machine's order.
        view = np.frombuffer(data, dtype="<u4", count=size, offset=at)
        arrays.append(view if view.dtype == np.uint32 else view.astype(np.uint32))
        at += 4 * size
    doc_sigs, quote_sigs = arrays[0].reshape(-1, width), arrays[1].reshape(-1, QUOTE_PERM)
    codes, vocab = arrays[2].astype(np.int64), head["vocab"]
    if len(codes) and int(codes.max()) >= len(vocab):
        raise ValueError("not kept features")
    q_end, t_end = np.cumsum(quotes).tolist(), np.cumsum(counts).tolist()
    langs = [head["langs"][c] for c in head["lang"]]
    out, d = [], 0
    for doc_id, lang, h, qe, q, te, t in zip(ids, langs, has, q_end, quotes, t_end, counts, strict=True):
        out.append(KeptFeatures(doc_id, lang, doc_sigs[d] if h else None, quote_sigs[qe - q:qe], vocab, codes[te - t:te]))
        d += h
    return out


def minhash_candidates(docs: Sequence[DocInput], *, threshold: float = 0.1, num_perm: int = 128,
                       shingle: int = 5) -> list[Candidate]:
    """Lexical reuse within each language: MinHash LSH of documents and of their sentences."""
    return _minhash(document_features(_sorted(docs), num_perm=num_perm, shingle=shingle), threshold)


def minhash_of_features(features: Sequence[DocFeatures], banding: Banding | None = None) -> list[Candidate]:
    """The MinHash generator of :func:`candidate_pairs` alone (it fills ``banding.after``): pairs
    within one language, sorted by (a, b)."""
    return _minhash(_sorted(features), threshold=DOC_MIN_JACCARD, banding=banding)


def _minhash(feats: Sequence[DocFeatures], threshold: float, banding: Banding | None = None) -> list[Candidate]:
    by_lang: dict[str, list[DocFeatures]] = defaultdict(list)
    for f in feats:
        by_lang[f.lang].append(f)
    scores: dict[tuple[str, str], float] = {}
    for lang in sorted(by_lang):
        scores.update(_minhash_group(by_lang[lang], threshold, banding))
    return [Candidate(a, b, ["minhash"], round(s, 4)) for (a, b), s in sorted(scores.items())]


# -- vectors -----------------------------------------------------------------------------------------
def document_vectors(docs: Sequence[DocInput], encoder, vectors: Vectors = encoded,
                     max_sentences: int = 8) -> dict[str, np.ndarray]:
    """Mean of the unit vectors of (up to) `max_sentences` sentences spread over the document,
    renormalized (8: enough to set a translation apart from topic neighbours, at half the
    encoding of a whole news report).

    A document without sentences is represented by its text's first 1000 characters. Sentence
    vectors come from `vectors` (a runner passes its cache: computed once per store).
    """
    texts: list[str] = []
    spans: list[tuple[str, int, int]] = []
    for d in docs:
        sents = topic_texts(d, max_sentences)
        if sents:
            spans.append((d.id, len(texts), len(texts) + len(sents)))
            texts.extend(sents)
    if not texts:
        return {}
    vecs = np.asarray(vectors(encoder, texts), dtype=np.float32)
    return {doc_id: mean_direction(vecs[s:e]) for doc_id, s, e in spans}


def topic_texts(doc: DocInput, max_sentences: int) -> list[str]:
    """What a document's topic is the mean of (:func:`document_vectors`): (up to) `max_sentences`
    of its sentences spread over it, else its text's first 1000 characters."""
    return spread([s for s in doc.sentences if s.strip()], max_sentences) or (
        [doc.text[:1000]] if doc.text.strip() else [])


def mean_direction(rows: np.ndarray) -> np.ndarray:
    """The mean of unit vectors, renormalized (a zero mean stays zero)."""
    v = rows.mean(axis=0)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def spread(items: Sequence[str], n: int) -> list[str]:
    """At most `n` items spread evenly from first to last: a long document's topic is its whole."""
    if len(items) <= n:
        return list(items)
    step = (len(items) - 1) / (n - 1) if n > 1 else 0
    return [items[round(i * step)] for i in range(n)]


def vector_candidates(docs: Sequence[DocInput | DocFeatures], vectors: Mapping[str, np.ndarray], *, k: int = VECTOR_K,
                      min_cos: float = DEFAULT_MIN_COS, k_same: int = VECTOR_K_SAME,
                      neighbours: Neighbours | None = None) -> list[Candidate]:
    """Each document's `k` nearest documents in every other language (`k_same` in its own) above
    `min_cos`; `neighbours`: those lists already found (:func:`neighbours.nearest`)."""
    langs = {d.id: d.lang for d in docs if d.id in vectors}
    nb = neighbours if neighbours is not None else nearest(vectors, langs, k=k, k_same=k_same)
    return vector_pairs(nb, langs, min_cos)


def vector_pairs(nb: Neighbours, langs: Mapping[str, str], min_cos: float = DEFAULT_MIN_COS) -> list[Candidate]:
    """Candidates from nearest-neighbour lists, with each pair's ratio margin."""
    found, sims, margins = neighbour_pairs(nb, min_cos, MARGIN_K)
    sims, margins = np.round(sims, 4).tolist(), np.round(margins, 4).tolist()
    return [Candidate(a, b, ["vectors"], s, m)
            for (a, b), s, m in zip(found, sims, margins, strict=True) if a in langs and b in langs]


# -- rare terms --------------------------------------------------------------------------------------
def term_candidates(docs: Sequence[DocInput], *, max_df: int = TERMS_MAX_DF, min_shared: int = TERMS_MIN_SHARED,
                    very_rare: int = TERMS_VERY_RARE) -> list[Candidate]:
    """Pairs sharing >= `min_shared` terms held by <= `max_df` documents, or one held by <= `very_rare`."""
    docs = _sorted(docs)
    return _term_pairs([d.id for d in docs], [document_terms(d.text) for d in docs], max_df=max_df,
                    min_shared=min_shared, very_rare=very_rare)


def _term_pairs(ids: Sequence[str], terms: Sequence[set[str] | frozenset[str]], *, max_df: int = TERMS_MAX_DF,
                min_shared: int = TERMS_MIN_SHARED, very_rare: int = TERMS_VERY_RARE, langs: Sequence[str] | None = None) -> list[Candidate]:
    """With `langs`, only pairs across languages. Postings of one length are paired all at once."""
    i, j, score = _term_columns(ids, terms, max_df=max_df, min_shared=min_shared, very_rare=very_rare, langs=langs)
    out = []
    for a, b, sc in zip(i.tolist(), j.tolist(), score.tolist(), strict=True):
        a, b = pair_key(ids[a], ids[b])
        out.append(Candidate(a, b, ["terms"], sc))
    out.sort(key=lambda c: (c.a, c.b))
    return out


def _term_columns(ids: Sequence[str], terms: Sequence[set[str] | frozenset[str]], *, max_df: int = TERMS_MAX_DF,
                  min_shared: int = TERMS_MIN_SHARED, very_rare: int = TERMS_VERY_RARE,
                  langs: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_term_pairs` as positions in ``ids`` and each pair's score (rounded as a
    :class:`Candidate`'s), in no particular order."""
    _, counts, key = numbered_terms(terms)
    return _coded_term_columns(ids, counts, key, max_df=max_df, min_shared=min_shared, very_rare=very_rare, langs=langs)


def _coded_term_columns(ids: Sequence[str], counts: np.ndarray, key: np.ndarray, *, max_df: int = TERMS_MAX_DF,
                        min_shared: int = TERMS_MIN_SHARED, very_rare: int = TERMS_VERY_RARE,
                        langs: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_term_columns` of terms given as codes (:func:`term_codes`: each document's number of
    terms, their codes one document after another): how terms are numbered changes no pair."""
    none = np.zeros(0, dtype=np.int64)
    doc = np.repeat(np.arange(len(ids), dtype=np.int64), counts)
    df = np.bincount(key)[key] if len(key) else key
    rare = (df >= 2) & (df <= max_df)
    doc, key, df = doc[rare], key[rare], df[rare]
    rare_count = np.bincount(doc, minlength=len(ids))
    order = np.lexsort((doc, key))
    doc, key, df = doc[order], key[order], df[order]
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1]))) if len(key) else key
    sizes = df[starts]
    xs, ys, dfs = [], [], []
    for size in np.unique(sizes).tolist():
        members = doc[starts[sizes == size][:, None] + np.arange(size)]  # (postings, size), doc order
        i, j = np.triu_indices(size, 1)
        xs.append(members[:, i].ravel())
        ys.append(members[:, j].ravel())
        dfs.append(np.full(len(xs[-1]), size, dtype=np.int64))
    if not xs:
        return none, none, np.zeros(0)
    x, y, pdf = np.concatenate(xs), np.concatenate(ys), np.concatenate(dfs)
    if langs is not None:
        code = {lg: i for i, lg in enumerate(dict.fromkeys(langs))}
        lang = np.fromiter(map(code.__getitem__, langs), dtype=np.int64, count=len(langs))
        cross = lang[x] != lang[y]
        x, y, pdf = x[cross], y[cross], pdf[cross]
    pair = x * len(ids) + y
    order = np.lexsort((pdf, pair))  # per pair, its rarest shared term first
    pair, pdf = pair[order], pdf[order]
    first = np.concatenate(([True], pair[1:] != pair[:-1])) if len(pair) else np.zeros(0, dtype=bool)
    count = np.diff(np.append(np.flatnonzero(first), len(pair)))
    pair, rarest = pair[first], pdf[first]
    keep = (count >= min_shared) | (rarest <= very_rare)
    pair, count = pair[keep], count[keep]
    i, j = pair // len(ids), pair % len(ids)
    score = np.minimum(1.0, count / np.maximum(1, np.minimum(rare_count[i], rare_count[j])))
    # Python's round, not numpy's (they differ in the last bit on some values): the scores it gave
    return i, j, np.fromiter(map(round, score.tolist(), repeat(4)), dtype=np.float64, count=len(score))


_Doc = TypeVar("_Doc", DocInput, DocFeatures)


# -- union ----------------------------------------------------------------------------------------------
def _sorted(docs: Sequence[_Doc]) -> list[_Doc]:
    return sorted(docs, key=lambda d: d.id)


def merge(*lists: Sequence[Candidate]) -> list[Candidate]:
    """Union of candidate lists: one Candidate per pair, sources merged, best score; sorted by (a, b)."""
    merged: dict[tuple[str, str], Candidate] = {}
    for cands in lists:
        for c in cands:
            key = pair_key(c.a, c.b)
            cur = merged.get(key)
            if cur is None:
                merged[key] = Candidate(key[0], key[1], list(c.sources), c.score, c.margin)
                continue
            if c.sources != cur.sources:
                cur.sources = [s for s in SOURCES if s in cur.sources or s in c.sources]
            if c.score > cur.score:
                cur.score = c.score
            if c.margin > cur.margin:
                cur.margin = c.margin
    return [merged[k] for k in sorted(merged)]


@dataclass
class Union:
    """The candidates of :func:`candidate_union` as columns, sorted by (a, b): what :func:`merge`
    gives, without an object a pair (a +1% rerun at 10,000 documents merged ~120,000 of them, a
    tenth of its candidates stage). ``sources``: a bit per :data:`SOURCES` entry, in its order."""

    ids: list[str]  # sorted: positions order as the ids do
    a: np.ndarray  # (m,) int64 positions in ids, a < b
    b: np.ndarray
    sources: np.ndarray  # (m,) int64 bits
    score: np.ndarray  # (m,) float64: the best evidence
    margin: np.ndarray  # (m,) float64: the best ratio margin (0.0 without vectors)

    def source_names(self, bits: int) -> list[str]:
        """A row's ``sources`` bits as a :class:`Candidate`'s sources."""
        return [s for k, s in enumerate(SOURCES) if bits >> k & 1]

    def candidates(self) -> list[Candidate]:
        names = {bits: self.source_names(bits) for bits in np.unique(self.sources).tolist()}
        ids = self.ids
        return [Candidate(ids[a], ids[b], list(names[bits]), sc, m) for a, b, bits, sc, m in zip(
            self.a.tolist(), self.b.tolist(), self.sources.tolist(), self.score.tolist(), self.margin.tolist(),
            strict=True)]


def candidate_pairs(features: Sequence[DocFeatures], vectors: Mapping[str, np.ndarray] | None = None, *,
                    neighbours: Neighbours | None = None, min_cos: float = DEFAULT_MIN_COS,
                    progress: Callable[[str, float], None] | None = None,
                    more: Sequence[Candidate] = (), banding: Banding | None = None,
                    minhash: Sequence[Candidate] | None = None) -> list[Candidate]:
    """The union of the three generators (vectors only when given; rare terms across languages only)
    over the documents' features (:func:`document_features`), deduplicated, sorted by (a, b):
    :func:`candidate_union` as records."""
    return candidate_union(features, vectors, neighbours=neighbours, min_cos=min_cos, progress=progress, more=more,
                           banding=banding, minhash=minhash).candidates()


def candidate_union(features: Sequence[DocFeatures], vectors: Mapping[str, np.ndarray] | None = None, *,
                    neighbours: Neighbours | None = None, min_cos: float = DEFAULT_MIN_COS,
                    progress: Callable[[str, float], None] | None = None,
                    more: Sequence[Candidate] = (), banding: Banding | None = None,
                    minhash: Sequence[Candidate] | None = None) -> Union:
    """The union of the three generators (vectors only when given; rare terms across languages only)
    over the documents' features (:func:`document_features`), as :func:`merge` makes it, in columns.
    ``minhash``: :func:`minhash_of_features` of the same features, when the caller found them first.
    `neighbours`: the vectors' nearest-neighbour lists, when already found; `more`: candidates
    found otherwise (votes), in the same union (a second union of the whole list to add a few
    hundred cost a +1% rerun a tenth of a second at 10,000 documents); ``banding``: the quote
    banding kept between runs (:class:`Banding`), read and left for the next run."""
    feats = _sorted(features)
    t = time.perf_counter()
    listed = [list(minhash) if minhash is not None else _minhash(feats, threshold=DOC_MIN_JACCARD, banding=banding),
              list(more)]
    if progress:
        progress("minhash", time.perf_counter() - t)
    fids = [f.id for f in feats]
    nb = None
    if vectors:
        nb = neighbours if neighbours is not None else nearest(vectors, {f.id: f.lang for f in feats if f.id in vectors},
                                                               k=VECTOR_K, k_same=VECTOR_K_SAME)
    ids = sorted({*fids, *(nb.ids if nb is not None else ()), *(x for c in chain(*listed) for x in (c.a, c.b))})
    at = {d: i for i, d in enumerate(ids)}
    n = len(ids)
    fpos = np.fromiter((at[d] for d in fids), dtype=np.int64, count=len(fids))
    keys, bits, scores, margins = [], [], [], []

    def add(a: np.ndarray, b: np.ndarray, source: np.ndarray | int, score: np.ndarray,
            margin: np.ndarray | None = None) -> None:
        keys.append(np.minimum(a, b) * n + np.maximum(a, b))
        bits.append(np.broadcast_to(np.asarray(source, dtype=np.int64), a.shape))
        scores.append(np.asarray(score, dtype=np.float64))
        margins.append(np.zeros(len(a)) if margin is None else margin)

    for cands in listed:  # few (MinHash's and the votes'): as records
        pos = np.fromiter((at[x] for c in cands for x in (c.a, c.b)), dtype=np.int64, count=2 * len(cands))
        add(pos[0::2], pos[1::2], np.fromiter((_bits(c.sources) for c in cands), dtype=np.int64, count=len(cands)),
            np.fromiter((c.score for c in cands), dtype=np.float64, count=len(cands)),
            np.fromiter((c.margin for c in cands), dtype=np.float64, count=len(cands)))
    if nb is not None:
        t = time.perf_counter()
        # vector_pairs' pairs: both documents of the features, with a vector
        x, y, sims, margin = neighbour_positions(nb, min_cos, MARGIN_K)
        featured = set(fids)
        pos = np.fromiter((at[d] if d in vectors and d in featured else -1 for d in nb.ids), dtype=np.int64,
                          count=len(nb.ids))
        x, y = pos[x], pos[y]
        keep = (x >= 0) & (y >= 0)
        add(x[keep], y[keep], _bits(["vectors"]), np.round(sims, 4)[keep], np.round(margin, 4)[keep])
        if progress:
            progress("vectors", time.perf_counter() - t)
    t = time.perf_counter()
    # Across languages only: in one language MinHash sees shared text and vectors the topic, and
    # pairs sharing a "rare" term grow with the corpus (postings under the cap get longer).
    _, counts, codes = term_codes(feats)
    x, y, sc = _coded_term_columns(fids, counts, codes, langs=[f.lang for f in feats])
    add(fpos[x], fpos[y], _bits(["terms"]), sc)
    if progress:
        progress("terms", time.perf_counter() - t)
    key, bit, score, margin = (np.concatenate(c) for c in (keys, bits, scores, margins))
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1]))) if len(key) else np.zeros(0, dtype=np.int64)
    if not len(first):
        none = np.zeros(0, dtype=np.int64)
        return Union(ids, none, none, none, np.zeros(0), np.zeros(0))
    key = key[first]
    return Union(ids, key // n, key % n, np.bitwise_or.reduceat(bit[order], first),
                 np.maximum.reduceat(score[order], first), np.maximum.reduceat(margin[order], first))


def _bits(sources: Sequence[str]) -> int:
    """A candidate's sources as :class:`Union`'s bits."""
    return sum(1 << SOURCES.index(s) for s in sources)
