"""Sentence votes: which cross-language neighbour a document's own sentences point to.

A topic vector is the mean of a document's sentences. Chapters of one book, or reports on one
subject, have close means, so a translation can rank anywhere among its topic neighbours: in
bench/realtext.py the partner of a Bible or Qur'an chapter was the mutual nearest by topic for 4
of 30 chapters. Its sentences, though, each have their translation on the other side. Here each
sentence of a document votes for the neighbour (among its :data:`~neighbours.K_POOL` nearest by
topic in the other language, and those listing it) that holds the sentence nearest to it, when
that sentence has it as its nearest in return; the neighbour with most votes is the
document's choice in that language. A pair both documents choose, each with at least
:data:`MIN_SHARE` of its sentences, is worth aligning on trial (:func:`sourcetrace.pipeline.alignment`);
so is a pair whose votes join sentences at the same place in both documents (:data:`MIN_IN_ORDER`):
a long chapter's spread voting sentences seldom hold each other's translations, but the few
votes it gets are in order, where chance votes are not; and so is a pair whose votes run on from
sentence to sentence in both (:data:`MIN_RUN`): a partial translation cut in shuffled blocks keeps
no vote at the same place, but keeps the order within each block.
A long document (over :data:`VOTE_SENTENCES` sentences) casts a second ballot with its
stretches (:func:`stretches`): its text cut into that many runs of consecutive sentences, each
about as long, so the i-th stretch of a translation holds about what the i-th of its original does,
where the i-th of their spread sentences seldom translate each other (a sura's 50 verses are 80
English sentences). A document of short sentences (:func:`twins`) casts a third ballot with each two
consecutive sentences joined. A pair any ballot chooses is chosen; so is a pair whose documents'
sentences each list the other among their nearest neighbours most often, well above chance
(:data:`MIN_LISTED`), where no vote is above noise.
One static sentence vector finds its translation among a thousand for about half of Tatoeba's
sentences (encode/static.py); a document's votes add those chances up, while a topic neighbour's
votes stay scattered.

Every function is pure and per document or per pair: a document's sentence vectors are computed
from its own sentences alone (no batch changes their bits), and a ballot reads one document's
vectors and its neighbours', so both engines, and a rerun, vote alike.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from itertools import chain, repeat
from typing import TypeVar

import numpy as np

from sourcetrace.candidates.neighbours import Neighbours
from sourcetrace.candidates.pairs import Candidate, spread
from sourcetrace.encode import Encoder
from sourcetrace.records import pair_key

_Member = TypeVar("_Member", str, int)  # a document, by id or by position

# Sentences (spread over the document) that vote. bench: realtext's true pairs chosen by both ends
# with 16 / 32 / 64 sentences: 37 / 46 / 48 of 69 pairs in the lists; 32 costs half of 64.
VOTE_SENTENCES = 32
# A choice needs this share of the document's sentences (4 of 32). Mutual votes among the wider
# pools (neighbours.K_POOL), bench/realtext.py: true pairs both documents choose 58 of 69 at
# 0.12 (no other pair chosen), 54 at 0.13-0.15; planted 2,000 (bench/trace.py), pairs chosen that
# are no translation 56 at 0.12 (40 at 0.13). Plain votes among 10 neighbours and 0.15 (before):
# 51 of 69, and 96 on the planted bench.
MIN_SHARE = 0.12
# A translation's sentences keep their order, so a mutual vote between two sentences at about the
# same place in both documents (their places, as shares of each document's length, within
# IN_ORDER_BAND) is one chance rarely casts (about 1 in 5). A pair with MIN_IN_ORDER such votes
# (both documents' ballots together) is chosen whatever the shares: a long translation's 32
# spread sentences seldom hold each other's translations, so its shares stay low.
# bench/realtext.py: the true pairs not chosen by shares hold 2-5 of them (4 complete pairs 4-5:
# 3 Qur'an, 1 Bible), the other 1,700 pairs with mutual votes at most 3 (1 pair), 2 (22); at 3,
# one more true pair and one false. The planted 2,000 of bench/trace.py: 129 -> 145 pairs
# chosen, each aligned on trial.
IN_ORDER_BAND = 0.1
MIN_IN_ORDER = 4
# A translation keeps its sentences' order within any stretch it keeps whole, even when its
# stretches are reordered (a partial translation cut in shuffled blocks: no vote is then at the
# same place in both documents). A run of mutual votes for one member, from consecutive voting
# sentences to its consecutive sentences, spanning at least MIN_RUN sentences (a twin spans two:
# a run of two twins spans three), is one chance seldom casts: the pair is chosen. bench/realtext.py
# (whole pools): runs spanning 3 pick 44 true pairs by sentences, 50 by stretches, 26 by twins
# (two twins), none false; the planted 10,000 (bench/trace.py): 8 pairs chosen that are no
# translation (of 40 with such a run; 399 of its 400 translations have one). Spanning 2 (two
# sentences): 646 more there.
MIN_RUN = 3

BALLOT_VERSION = 7  # how a ballot is cast (3: with its votes in order; 4: ties to the nearer votes; 5: with its listed choice; 6: with its runs; 7: past a hub to the nearest mutual, listed ties to the nearer): a stored ballot of another is cast again
TALLY_VERSION = 5  # what a stored tally holds (2: each listed member's nearest sentence; 3: its header in binary; 4: 4 deep; 5: each row's cells up to its last member): another is read again whole
# Members a tally keeps per sentence, nearest first: a pool that lost a sentence's nearest (pushed
# out of the 30 by a new document) still knows the next. 10k planted corpus, +100 documents: of
# 4,196 ballots cast again, 696 had lost a sentence's nearest, 634 had members reordered.
# One more than the listed choice counts (LISTED_DEPTH): a sentence that lost one of them still
# knows its LISTED_DEPTH nearest (:func:`_lost`).
TALLY_DEPTH = 4
# A document's sentences each list their LISTED_DEPTH nearest neighbours (by their nearest sentence,
# mutual or not; every one level with the last); the neighbour listed most, strictly more often than
# any other, is its *listed* choice, by how many times chance lists one (its entries spread evenly
# over the pool). A pair both documents' sentence ballots choose so, each at least MIN_LISTED times
# chance, is chosen (:func:`agreed`): a translation's sentences whose nearest sentence is elsewhere
# still list their partner near the top. A weak signal, left to the trial: bench/realtext.py
# (traced store) 81 mutual listed choices, 80 translations; above MIN_SHARE's and the votes in
# order's pairs it adds quran41 (35 of 54 verses kept, no vote above noise; 4.69 / 6.88 times
# chance) and from 3.5 nothing else (the PAN web text with the Diwan at 3.2). The planted 10,000
# (bench/trace.py): every pair it adds is no translation (3.0: 104, 3.5: 61, 4.0: 28, 4.5: 15, 5.0: 4),
# each on trial unless the figures screen it. The stretch ballots' listed choices take the PAN /
# Diwan pair at any ratio: sentence ballots only.
MIN_LISTED = 4.0
LISTED_DEPTH = 3
# (the chosen neighbour, the share of the document's sentences for it, the votes in order: (neighbour,
# own sentence, neighbour's sentence), sentences as positions among the voting ones, the listed
# choice: (neighbour, times chance; "" and 0.0 for none), the runs: (neighbour, votes in its longest
# run, :data:`MIN_RUN`) for each neighbour with a run of two or more)
Ballot = tuple[str, float, tuple[tuple[str, int, int], ...], tuple[str, float], tuple[tuple[str, int], ...]]


def voting_sentences(sentences: Sequence[str], n: int = VOTE_SENTENCES) -> list[str]:
    """(Up to) `n` of a document's sentences, spread over it: those that vote."""
    return spread([s for s in sentences if s.strip()], n)


def sentence_vectors(sentences: Sequence[str], encoder: Encoder, n: int = VOTE_SENTENCES) -> np.ndarray:
    """The unit vectors of a document's :func:`voting_sentences`; encoded alone, so that they do
    not depend on what else is encoded with them (float16 values as float32)."""
    return encoded_alone([voting_sentences(sentences, n)], encoder)[0]


def encoded_alone(groups: Sequence[Sequence[str]], encoder: Encoder) -> list[np.ndarray]:
    """Each group of texts (a document's voting sentences or stretches) encoded as if alone,
    rounded to float16 values as a runner stores them (a rerun votes with the values a fresh run
    did); an encoder that can (the static one's ``encode_each``) reads all groups at once, with
    the same bits."""
    each = getattr(encoder, "encode_each", None)
    found = each(groups) if each is not None else [encoder.encode(list(g)) for g in groups]
    return [as_stored(v) for v in found]


def as_stored(vectors: np.ndarray) -> np.ndarray:
    """Voting vectors rounded to float16 values, as a runner stores them (float32)."""
    return np.asarray(vectors, dtype=np.float16).astype(np.float32)


# A stretch is encoded from its first sentences only (a book's stretch holds hundreds): realtext's
# chosen pairs were the same with 4 as with whole stretches.
STRETCH_SENTENCES = 4


def stretches(sentences: Sequence[str], n: int = VOTE_SENTENCES) -> list[str]:
    """A document of more than `n` sentences cut into `n` stretches of consecutive sentences, each
    about a 1/n share of its characters (a sentence belongs where its middle falls; each stretch
    holds at least one), each stretch's first :data:`STRETCH_SENTENCES` sentences joined; [] for
    a shorter document, whose stretches are its sentences."""
    texts = [s for s in sentences if s.strip()]
    if len(texts) <= n:
        return []
    sizes = np.array([len(s) for s in texts], dtype=np.float64)
    middles = (np.cumsum(sizes) - sizes / 2) / sizes.sum()
    cuts = [0]
    for k in range(1, n):
        cuts.append(min(max(int(np.searchsorted(middles, k / n)), cuts[-1] + 1), len(texts) - (n - k)))
    cuts.append(len(texts))
    return [" ".join(texts[a:min(b, a + STRETCH_SENTENCES)]) for a, b in zip(cuts, cuts[1:], strict=False)]


# A document of TWINS_FROM to VOTE_SENTENCES sentences, half of them shorter than TWINS_CHARS
# characters, votes once more with each two consecutive sentences joined (its twins): a short verse
# ("By the racers, panting") is nearer to some short everyday sentence of another document than
# to its own translation, where two verses joined are nearest to the two they translate.
# bench/realtext.py: quran100 (11 verses of 28 / 42 characters), one mutual vote each way by its
# sentences, both sides' choice by twins (2/10 and 3/10). Joined into the stretch ballot instead,
# twins drew a long sura's stretch votes (quran74, chosen by its stretches, was lost), so twins
# vote apart. News sentences (100-200 characters, bench/trace.py's planted corpus) have none.
TWINS_FROM = 4
TWINS_CHARS = 60


def twins(sentences: Sequence[str], n: int = VOTE_SENTENCES) -> list[str]:
    """A document of short sentences (:data:`TWINS_FROM` to `n` of them, their median under
    :data:`TWINS_CHARS` characters) as each two consecutive sentences joined; [] for any other."""
    texts = [s for s in sentences if s.strip()]
    if not TWINS_FROM <= len(texts) <= n or sorted(len(s) for s in texts)[len(texts) // 2] >= TWINS_CHARS:
        return []
    return [f"{x} {y}" for x, y in zip(texts, texts[1:], strict=False)]


def twin_vectors(sentences: Sequence[str], encoder: Encoder, n: int = VOTE_SENTENCES) -> np.ndarray:
    """The unit vectors of a document's :func:`twins` (float16 values as float32, as
    :func:`sentence_vectors`); no rows for a document without."""
    return encoded_alone([twins(sentences, n)], encoder)[0]


def twinned(lists: Iterable[tuple[str, str, list[str]]], have: Set[str]) -> list[tuple[str, str, list[str]]]:
    """The pools (:func:`cross_lists`) that cast a twin ballot: those of a document that `have`
    twins (:func:`twins`). In them a document with twins votes with them, the others with their
    stretches (:func:`stretches`) or, short ones, their sentences: twins drew the votes of
    single sentences (quran100's Arabic chose a long sura by its spread sentences)."""
    return [(doc, lang, pool) for doc, lang, pool in lists if doc in have]


def stretch_vectors(sentences: Sequence[str], encoder: Encoder, n: int = VOTE_SENTENCES) -> np.ndarray:
    """The unit vectors of a long document's :func:`stretches` (float16 values as float32, as
    :func:`sentence_vectors`); no rows for a document of `n` sentences or fewer."""
    return encoded_alone([stretches(sentences, n)], encoder)[0]


def stretched(lists: Iterable[tuple[str, str, list[str]]], long: Set[str]) -> list[tuple[str, str, list[str]]]:
    """The pools (:func:`cross_lists`) whose stretch ballot is not their sentence ballot: the
    document or a member is `long` (has stretches, :func:`stretches`). In them a long document
    votes with its stretches, the others with their sentences."""
    return [(doc, lang, pool) for doc, lang, pool in lists if doc in long or long.intersection(pool)]


def ballot(own: np.ndarray, pool: Sequence[tuple[str, np.ndarray]]) -> Ballot | None:
    """The neighbour most of `own`'s sentences point to, the share of them it got, and the votes
    in order (:func:`in_order`) to any neighbour. A sentence
    votes for the neighbour holding its nearest sentence when that sentence has it as its nearest
    among `own`'s (mutual nearest, float64 cosines; ties to the first); a sentence near everything
    (a formula, a generic line) is nobody's nearest back, so it no longer votes for its document,
    and the sentence it is nearest to votes past it, for the next nearest neighbour whose nearest
    sentence is mutual (:func:`voted`).
    Ties between neighbours go to the one whose votes are nearer (:func:`_top`). `pool`: the neighbours in list order, with
    their sentence vectors. (:func:`tally` keeps what a rerun needs to bring it up to date; this
    reads only what the vote needs, and a test holds the two to one answer.)"""
    pool = [(d, m) for d, m in pool if len(m)]
    if not len(own) or not pool:
        return None
    mat = np.concatenate([m for _, m in pool], dtype=np.float64)  # cast while joining: one pass, no float16 copy
    owner = np.repeat(np.arange(len(pool)), [len(m) for _, m in pool])
    sims = own.astype(np.float64) @ mat.T
    top = np.maximum.reduceat(sims, np.concatenate([[0], np.cumsum([len(m) for _, m in pool])[:-1]]), axis=1)
    heads = np.argsort(-top, axis=1, kind="stable")  # every member, nearest first
    start = np.concatenate([[0], np.cumsum([len(m) for _, m in pool])])
    back = np.argmax(sims, axis=0)  # each member sentence's nearest own sentence
    ranked = np.take_along_axis(top, heads, axis=1)
    cut = _cut(ranked)
    # Each sentence's vote (:func:`voted`): its nearest member, among those a tally lists, whose
    # nearest sentence to it has it as its nearest back; that member's nearest sentence.
    nearest = np.argmax(sims, axis=1)
    mutual = np.zeros(len(own), dtype=bool)
    for i in range(len(own)):
        for m in heads[i][ranked[i] >= cut[i]].tolist():
            j = int(start[m] + np.argmax(sims[i, start[m]:start[m + 1]]))
            if back[j] == i:
                nearest[i], mutual[i] = j, True
                break
    rows = np.flatnonzero(mutual)
    best = _top(owner[nearest[rows]], sims[rows, nearest[rows]], len(pool))
    placed = []
    for i in np.flatnonzero(mutual).tolist():
        o = int(owner[nearest[i]])
        j = int(nearest[i] - start[o])
        if in_order(i, len(own), j, len(pool[o][1])):
            placed.append((pool[o][0], i, j))
    return (pool[best][0], float(np.count_nonzero(owner[nearest[rows]] == best)) / len(own), tuple(placed),
            listed(ranked, heads, [d for d, _ in pool]),
            runs(owner[nearest], nearest - start[owner[nearest]], mutual, [d for d, _ in pool]))


def voted(mutual: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which sentences vote and for which of their listed members (a tally's columns, nearest
    first; `mutual`: (n, k)): a sentence votes for its nearest member whose nearest sentence has
    it as its nearest in return, among its :data:`TALLY_DEPTH` nearest. A hub (a long document of
    everyday sentences, near everything: bench/README.md vote35) often holds the nearest sentence
    to a verse without having it as its nearest back; voting for the hub's place alone, the verse
    cast no vote and its translation lost it (bench/realtext.py with TED talks: quran53's Arabic
    5 -> 3 votes). Returns (the voting rows, each one's column)."""
    rows = np.flatnonzero(mutual.any(axis=1)) if mutual.shape[1] else np.zeros(0, dtype=np.int64)
    return rows, np.argmax(mutual[rows], axis=1) if len(rows) else np.zeros(0, dtype=np.int64)


def listed(best: np.ndarray, members: np.ndarray, pool: Sequence[str]) -> tuple[str, float]:
    """The listed choice (:data:`MIN_LISTED`) of a document's sentences: `best` (n, k), each
    sentence's cosines to members nearest first (-inf: none), `members` (n, k) which (positions
    in `pool`, -1 none), at least :data:`LISTED_DEPTH` deep or every member. Each sentence lists
    its members level with its LISTED_DEPTH-th nearest or nearer (a sentence level with many, a
    formula, lists them all); the member listed most and its count over chance (the entries spread
    evenly over the pool); a tie goes to the member whose listings are nearer (their cosines
    summed, as :func:`_top`'s), then to the first: a pool that gains hubs ties more often
    (bench/realtext.py with TED talks: quran41's English listed its Arabic and another sura 8
    times each, and chose none)."""
    if not best.size or not len(pool):
        return "", 0.0
    cut = best[:, LISTED_DEPTH - 1] if best.shape[1] >= LISTED_DEPTH else np.full(len(best), -np.inf)
    on = (members >= 0) & (best >= cut[:, None])
    if not on.any():
        return "", 0.0
    counts = np.bincount(members[on], minlength=len(pool))
    strength = np.bincount(members[on], weights=best[on], minlength=len(pool))
    top = int(np.argmax(np.where(counts == counts.max(), strength, -np.inf)))
    return pool[top], float(counts[top] * len(pool) / on.sum())


def in_order(i: int, n: int, j: int, m: int) -> bool:
    """Whether voting sentence `i` of `n` and `j` of `m` stand at about the same place in their
    documents (:data:`IN_ORDER_BAND`): the voting sentences are spread evenly over a document
    (:func:`sentence_vectors`), so the i-th stands at about i / (n - 1) of it."""
    return abs(_place(i, n) - _place(j, m)) <= IN_ORDER_BAND


def _place(i: int, n: int) -> float:
    return i / (n - 1) if n > 1 else 0.5


def runs(members: np.ndarray, places: np.ndarray, mutual: np.ndarray, pool: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """Each member's longest run of votes (:data:`MIN_RUN`), where two or more: consecutive voting
    sentences each voting for it (``mutual``) with its consecutive sentences (``members``, ``places``:
    each sentence's nearest member and that member's sentence), in pool order."""
    if len(members) < 2 or not (mutual[1:] & mutual[:-1] & (members[1:] == members[:-1])
                                & (places[1:] == places[:-1] + 1)).any():
        return ()  # most ballots: no two votes in a row (a loop over each ballot's sentences cost more)
    best: dict[int, int] = {}
    run, prev = 0, (-1, -1)
    for m, j, on in zip(members.tolist(), places.tolist(), mutual.tolist(), strict=True):
        if not on:
            run, prev = 0, (-1, -1)
            continue
        run = run + 1 if (m, j) == (prev[0], prev[1] + 1) else 1
        prev = (m, j)
        if run >= 2 and run > best.get(m, 0):
            best[m] = run
    return tuple((pool[m], r) for m, r in sorted(best.items()))


@dataclass
class Tally:
    """What a ballot read (a plain record, kept between runs): for each of its document's
    sentences, its nearest pool members (up to :data:`TALLY_DEPTH`, nearest first: by the cosine
    of their nearest sentence to it, ties to the first listed), with those cosines, whether that
    sentence has it as its nearest among the document's in return, which of its sentences that
    is (for the votes in order, :func:`in_order`), and the cosine no unlisted member beats. The
    first is the one the sentence votes for. A pool that gains members is
    brought up to date by reading only them (:func:`retally`), and one that lost a member some
    sentence chose still knows the next: a new document enters about 40 pools, and reading every
    member of them again made a rerun's ballots cost a third of a fresh run's."""

    own: int  # the document's topic fingerprint
    pool: list[str]  # the members holding sentences, in pool order
    keys: list[int]  # their topic fingerprints
    sizes: list[int]  # their numbers of voting sentences
    best: np.ndarray  # (n, TALLY_DEPTH) float64 cosines, nearest first (-inf: none)
    member: np.ndarray  # (n, TALLY_DEPTH) int64 members (positions in pool; -1: none)
    mutual: np.ndarray  # (n, TALLY_DEPTH) bool
    sentence: np.ndarray  # (n, TALLY_DEPTH) int64: the member's sentence nearest (position in it; -1: none)
    bound: np.ndarray  # (n,) float64: no unlisted member is nearer (-inf: every member listed)


def tally(own: np.ndarray, own_key: int, pool: Sequence[tuple[str, int, np.ndarray]]) -> Tally:
    """A ballot's tally (:func:`ballot`), every member read; `pool`: (document, fingerprint,
    sentence vectors) in list order."""
    pool = [(d, k, m) for d, k, m in pool if len(m)]
    ids, keys, sizes = [d for d, _, _ in pool], [k for _, k, _ in pool], [len(m) for _, _, m in pool]
    if not len(own) or not pool:
        return _tallied(own_key, ids, keys, sizes, len(own))
    top, first, back, at, _, _ = _products(own, [m for _, _, m in pool])
    return _tallied(own_key, ids, keys, sizes, len(own), top, first, back, at)


# What a whole-read tally's products (:func:`tallies`) hold for a member's tally that reads the
# document as a new member (:func:`retallies`), by (document, member): each of the member's
# sentences' nearest cosine in the document and which sentence that is (the first at it), and each
# of the document's sentences' first member sentence at its nearest. A +1% rerun's new documents
# are read whole, and each enters ~40 pools that are brought up: the same products both ways.
Shared = dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray] | None]


def tallies(entries: Sequence[tuple[str, int, Sequence[tuple[str, int]]]], vectors: Mapping[str, np.ndarray],
            shared: Shared | None = None) -> list[Tally]:
    """The :func:`tally` of each entry ((document, fingerprint, pool: (document, fingerprint) in
    list order), every member read, the same tallies; each pair of documents' products computed
    once. A pool holds a member when the member's pool holds the document (:func:`pool`), and
    what the member's tally needs of the pair (each of its sentences' nearest in the document,
    and each of the document's sentences' nearest in it) is the same block's columns: the block
    computed for the first of the two is reduced for the second as well and kept until its
    entry comes (10k planted corpus: 46 members a pool, each block was computed twice). Entries
    are read in blocks of about one number of sentences (:func:`_block`), each block's products
    reduced and ranked at once. Exact as :func:`retally`: products of float16 values sum exactly
    in float64, in any order. ``shared``: where given, the (document, member) pairs wanted (None),
    each filled with what the member's tally brought up (:func:`retallies`) reads of the document
    as a new member (:data:`Shared`) where this multiplies them: the same block's products."""
    # Documents as positions (of `vectors`), each pool's members looked up once; which products
    # are shared planned for all entries at once (a few Python passes and a dict of kept blocks
    # over each pool's members cost the 25k planted store's ballots a fifth).
    index = {d: i for i, d in enumerate(vectors)}
    mats = list(vectors.values())
    sizes = np.fromiter(map(len, mats), dtype=np.int64, count=len(mats))
    # Every pool's members in one list, looked up at once, each entry's a slice of it (three
    # Python passes over each pool cost the 25k planted store's ballots a twelfth).
    lengths = [len(pool) for _, _, pool in entries]
    every_id = [d for _, _, pool in entries for d, _ in pool]
    every_key = [k for _, _, pool in entries for _, k in pool]
    every = np.fromiter(map(index.__getitem__, every_id), dtype=np.int64, count=len(every_id))
    without = set(np.repeat(np.arange(len(entries)), lengths)[sizes[every] == 0].tolist())
    named = []  # each entry's members, (ids, fingerprints), those without sentences left out
    members = []
    a = 0
    for e, length in enumerate(lengths):
        ids, keys, member = every_id[a:a + length], every_key[a:a + length], every[a:a + length]
        a += length
        if e in without:  # a member without sentences is not in a tally's pool
            on = sizes[member] > 0
            ids, keys = [d for d, o in zip(ids, on.tolist(), strict=True) if o], [k for k, o in zip(keys, on.tolist(), strict=True) if o]
            member = member[on]
        named.append((ids, keys))
        members.append(member)
    docs = np.fromiter((index[doc] for doc, _, _ in entries), dtype=np.int64, count=len(entries))
    counts = np.fromiter(map(len, members), dtype=np.int64, count=len(members))
    own_sizes = sizes[docs]
    counts[own_sizes == 0] = 0  # a document without sentences multiplies nothing
    out: list[Tally | None] = [None] * len(entries)
    for e in np.flatnonzero(counts == 0).tolist():
        out[e] = _tallied(entries[e][1], *named[e], sizes[members[e]].tolist(), int(own_sizes[e]))
    # Read in order of their numbers of sentences: a block's products padded to its widest row
    # (each document's sentences) pad little. Which row computes a shared block follows this order.
    live = np.flatnonzero(counts)
    order = live[np.lexsort((counts[live], own_sizes[live]))]
    row_doc = np.repeat(docs[order], counts[order])  # each row: an entry's document and one of its members
    row_member = np.concatenate([members[e] for e in order.tolist()] or [np.empty(0, dtype=np.int64)])
    source = _shared(row_doc, row_member, len(mats))
    kept = _Kept(source, sizes[row_member], sizes[row_doc])
    ends = np.cumsum(counts[order])
    starts = ends - counts[order]
    # About each entry's products (its members' sentences by its own), summed: where blocks end.
    work = np.cumsum(np.add.reduceat(sizes[row_member], starts) * own_sizes[order]) if len(order) else ends
    room = [np.empty((0, 0))]
    share = None
    if shared is not None:
        names = list(vectors)

        def share(rows: np.ndarray, at: np.ndarray, size: np.ndarray, near: np.ndarray, back: np.ndarray,
                  first: np.ndarray, n: np.ndarray) -> None:
            for p, (d, o, a, k, m) in enumerate(zip(row_doc[rows].tolist(), row_member[rows].tolist(), at.tolist(),
                                                    size.tolist(), n.tolist(), strict=True)):
                if (pair := (names[d], names[o])) in shared:
                    shared[pair] = (near[a:a + k], back[a:a + k], first[p, :m])
    a = 0
    while a < len(order):
        b = max(a + 1, int(np.searchsorted(work, work[a - 1] + BLOCK_CELLS if a else BLOCK_CELLS, side="right")))
        block = order[a:b].tolist()
        got = _block([mats[docs[e]] for e in block], [members[e] for e in block], counts[order[a:b]],
                     int(starts[a]), source, kept, mats, sizes, room, share)
        for e, (best, member, mutual, sentence, bound) in zip(block, got, strict=True):
            out[e] = Tally(entries[e][1], *named[e], sizes[members[e]].tolist(), best, member, mutual, sentence, bound)
        a = b
    return out  # type: ignore[return-value]


# Products :func:`tallies` reduces at once (member sentences x own sentences, about): one
# block's arrays a few MB.
BLOCK_CELLS = 1 << 19


def _block(owns: Sequence[np.ndarray], members: Sequence[np.ndarray], counts: np.ndarray, first_row: int,
           source: np.ndarray, kept: _Kept, mats: Sequence[np.ndarray], sizes: np.ndarray,
           room: list[np.ndarray], share: Callable[..., None] | None = None) -> list[tuple[np.ndarray, ...]]:
    """The tallies' arrays (best, member, mutual, sentence, bound) of a block of :func:`tallies`'
    entries (`owns`: their documents' sentence vectors; `members`: their pools' members, as
    positions of `mats`; `counts`: how many; their rows of `source` from `first_row` on, one
    after the other): each entry's products with the members whose block no earlier row
    computed, one product each, then every entry's reductions, the kept blocks read and the
    ranking at once, rows of all entries one after the other, padded to the widest. ``share``:
    handed each computed pair's rows, where its member sentences start, how many, their nearest
    cosines and sentences of the document's, each document sentence's first member sentence at
    its nearest (a row per pair), and the document's number of sentences (:func:`tallies`)."""
    n = np.fromiter(map(len, owns), dtype=np.int64, count=len(owns))
    entry_rows = np.repeat(np.arange(len(owns)), counts)  # each pair (row of `source`): its entry
    rows = first_row + np.arange(len(entry_rows))
    have = source[rows]
    fresh = np.flatnonzero(have < 0)
    old = np.flatnonzero(have >= 0)
    pair_member = np.concatenate(members) if len(members) > 1 else members[0]
    pair_size = sizes[pair_member]
    pair_n = n[entry_rows]
    wide = int(n.max())
    # The fresh pairs' products: (member sentences, own sentences) each, padded with -inf.
    f_size = pair_size[fresh]
    f_start = np.cumsum(f_size) - f_size
    total = int(f_size.sum())
    sims = np.empty((total, wide))
    keys = np.empty((total, wide), dtype=np.int64)  # the same products as integers (_firsts)
    f_entry = entry_rows[fresh]
    bounds = np.searchsorted(f_entry, np.arange(len(owns) + 1)).tolist()
    f_mats = [mats[i] for i in pair_member[fresh].tolist()]
    at = 0
    for e, own in enumerate(owns):
        p, q = bounds[e], bounds[e + 1]
        if p == q:
            continue
        part = f_mats[p:q]
        count = int(f_size[p:q].sum())
        if len(room[0]) < count or room[0].shape[1:] != part[0].shape[1:]:
            room[0] = np.empty((2 * count, *part[0].shape[1:]))
        mat = np.concatenate(part, out=room[0][:count], casting="same_kind")
        _sims(mat, own, sims[at:at + count, :len(own)])
        # As integers while in cache (the products of float16 values are multiples of 2**-48); a
        # product too large for the keys is cast to anything, and _firsts reads by comparison.
        with np.errstate(invalid="ignore"):
            np.multiply(sims[at:at + count, :len(own)], _KEY_SCALE, out=keys[at:at + count, :len(own)], casting="unsafe")
        if len(own) < wide:
            sims[at:at + count, len(own):] = -np.inf
            keys[at:at + count, len(own):] = 0
        at += count
    if total:
        back = np.argmax(sims, axis=1)  # each member sentence's nearest own sentence
        highest = sims[np.arange(total), back]  # its cosine: the row's max, read where argmax found it
        # (fresh pairs, wide): each member's nearest sentence to each own sentence and its first at it
        top, first = _firsts(sims, keys, f_start, f_size, highest)
        kept.keep(rows[fresh], f_start, highest, back, first, pair_n[fresh])
        if share is not None:
            share(rows[fresh], f_start, f_size, highest, back, first, pair_n[fresh])
    else:
        top = first = np.empty((0, wide))
        back = np.empty(0, dtype=np.int64)
    # Every entry's rows (its sentences) one after the other, a column per member in pool order.
    n_start = np.cumsum(n) - n
    cols = int(counts.max())
    cells = int(n.sum()) * cols
    near = np.full(cells, -np.inf)
    place = np.zeros(cells, dtype=np.int64)  # the member's sentence at that cosine
    column = np.arange(len(entry_rows)) - np.repeat(np.cumsum(counts) - counts, counts)  # each pair's place in its pool
    if len(fresh):
        fn = pair_n[fresh]
        cell = np.repeat(n_start[f_entry] * cols + column[fresh], fn) + _within(fn) * cols
        fcell = np.repeat(np.arange(len(fresh)) * wide, fn) + _within(fn)
        near[cell] = top.ravel()[fcell]
        place[cell] = first.ravel()[fcell]
    pair_back = np.zeros(len(entry_rows), dtype=np.int64)  # each pair's first member sentence in `backs`
    pair_back[fresh] = f_start
    backs = back
    if len(old):
        their_near, their_place, their_back = kept.read(have[old], pair_n[old], pair_size[old])
        o_entry = entry_rows[old]
        on_n = pair_n[old]
        cell = np.repeat(n_start[o_entry] * cols + column[old], on_n) + _within(on_n) * cols
        near[cell], place[cell] = their_near, their_place
        o_size = pair_size[old]
        pair_back[old] = total + np.cumsum(o_size) - o_size
        backs = np.concatenate((back, their_back))
    near, place = near.reshape(-1, cols), place.reshape(-1, cols)
    # Ranked as :func:`_tallied` ranks one entry's: nearest first, ties to the first listed; a
    # row's padding (-inf) after its members.
    order = np.argsort(-near, axis=1, kind="stable")
    ranked = _along(near, order)
    row_count = np.repeat(counts, n)
    listed = np.arange(cols) < row_count[:, None]
    cut = (np.where(row_count > TALLY_DEPTH, ranked[:, TALLY_DEPTH - 1], -np.inf) if cols >= TALLY_DEPTH
           else np.full(len(ranked), -np.inf))
    keep = listed & (ranked >= cut[:, None])
    kept_count = keep.sum(axis=1)
    width = np.maximum.reduceat(kept_count, n_start).tolist()  # each entry's columns: every row's kept members
    bound = np.where(kept_count < row_count, _along(ranked, np.minimum(kept_count, row_count - 1)[:, None])[:, 0], -np.inf)
    w = max(width)
    on, m = keep[:, :w], order[:, :w]
    j = _along(place, m)
    row_entry = np.repeat(np.arange(len(owns)), n)
    pair_at = np.zeros(len(owns) * cols, dtype=np.int64)
    pair_at[np.repeat(np.arange(len(owns)) * cols, counts) + column] = pair_back
    mine = np.arange(len(near)) - n_start[row_entry]
    mutual = on & (backs[np.where(on, pair_at[row_entry[:, None] * cols + m] + j, 0)] == mine[:, None])
    best = np.where(on, ranked[:, :w], -np.inf)
    member = np.where(on, m, -1)
    sentence = np.where(on, j, -1)
    return [(best[s:s + k, :c], member[s:s + k, :c], mutual[s:s + k, :c], sentence[s:s + k, :c], bound[s:s + k])
            for s, k, c in zip(n_start.tolist(), n.tolist(), width, strict=True)]


# _firsts' keys: a product p (a multiple of 2**-48 under 2**KEY_LIMIT in magnitude) is p * 2**54,
# an int64 whose low ROW_BITS bits are free for its row's place (2**54 * 2**KEY_LIMIT < 2**63).
_ROW_BITS = 6
_KEY_SCALE = 2.0 ** (48 + _ROW_BITS)
_KEY_LIMIT = 8


def _firsts(sims: np.ndarray, keys: np.ndarray, starts: np.ndarray, sizes: np.ndarray, highest: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Each segment's (rows from each of `starts`, `sizes` long) column maxima of `sims` and the
    first row at each (its place in the segment). `keys`: `sims` times :data:`_KEY_SCALE` as
    int64 (any value where `sims` is -inf), changed here; `highest`: each row's max. A product of
    float16 values (the voting vectors) sums exactly in float64, to a multiple of 2**-48, so
    ``sims * 2**48`` is an integer: with a row's place from the end in the free low bits, one
    integer max per column finds both the max and its first row, ties to the first as a float
    comparison breaks them (the maximum, then a second pass over rows equal to it, a fifth of
    the tallies' reductions). Read by comparison instead where a segment is too long for the free
    bits or a product too large for the scale (not voting vectors of unit rows)."""
    room = 1 << _ROW_BITS
    if len(sizes) and int(sizes.max()) <= room and float(highest.max()) < 2.0 ** _KEY_LIMIT:
        keys += (room - 1 - _within(sizes))[:, None]
        most = np.maximum.reduceat(keys, starts, axis=0)
        # A product below -2**(63 - 54) has no exact key (it is cast to about the int64 minimum),
        # but none is a column's max unless all its segment's are, which this sees.
        if int(most.min()) > -(1 << 61):
            return (most >> _ROW_BITS).astype(np.float64) * 2.0 ** -48, room - 1 - (most & (room - 1))
    top = np.maximum.reduceat(sims, starts, axis=0)
    # The first row at each max: one pass, the first row at the max by a reversed count.
    total = len(sims)
    pair_of = np.repeat(np.arange(len(starts)), sizes)
    first = total - np.maximum.reduceat(np.where(sims == top[pair_of], (total - np.arange(total))[:, None], 0),
                                        starts, axis=0) - starts[:, None]
    return top, first


def _within(lengths: np.ndarray) -> np.ndarray:
    """0, 1, ..., length - 1 for each of `lengths`, one after the other."""
    return np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def _shared(doc: np.ndarray, member: np.ndarray, documents: int) -> np.ndarray:
    """Which products :func:`tallies` computes once for two entries: for each row (an entry's
    `doc` and one of its members, `member`, entries in order), the row whose block of products
    it reads (-1: it computes its own). A pair's first row computes its block; a later row of the
    pair the other way round (the member's entry listing the document) reads it."""
    pair = np.minimum(doc, member) * documents + np.maximum(doc, member)
    order = np.argsort(pair, kind="stable")  # each pair's rows in entry order
    starts = np.flatnonzero(np.diff(pair[order], prepend=-1))
    head = np.empty(len(pair), dtype=np.int64)
    head[order] = np.repeat(order[starts], np.diff(np.append(starts, len(order))))
    return np.where(doc[head] != doc, head, -1)


class _Kept:
    """What the later entry of a pair of documents reads of the block :func:`tallies` multiplied
    for the first (:func:`_block`): each of the member's sentences' nearest cosine in the
    document and that sentence's place, and each of the document's sentences' nearest place in
    the member; in flat arrays made once (an array for each block cost the 25k planted store's
    ballots a tenth in small copies; 185 MB there), only for the rows some later row reads
    (`source`: :func:`_shared`; `members`, `sizes`: each row's member's and document's numbers
    of sentences)."""

    def __init__(self, source: np.ndarray, members: np.ndarray, sizes: np.ndarray) -> None:
        self.read_later = np.zeros(len(source), dtype=bool)
        self.read_later[source[source >= 0]] = True
        self.row_at = np.zeros(len(source), dtype=np.int64)  # each row's block: its first member sentence in near, back
        self.cell_at = np.zeros(len(source), dtype=np.int64)  # and its first document sentence in first
        self.rows = self.cells = 0
        rows, cells = int(members[self.read_later].sum()), int(sizes[self.read_later].sum())
        self.near = np.empty(rows)  # the blocks' member sentences, one after the other
        self.back = np.empty(rows, dtype=np.int32)
        self.first = np.empty(cells, dtype=np.int32)  # the blocks' document sentences, one after the other

    def keep(self, rows: np.ndarray, starts: np.ndarray, near: np.ndarray, back: np.ndarray, first: np.ndarray,
             n: np.ndarray) -> None:
        """Keep the blocks of `rows` (those computed) that a later row reads: `near`, `back`
        (their members' sentences, each row's from `starts` on) and `first` (a row per block,
        its document's `n` sentences, padded)."""
        which = np.flatnonzero(self.read_later[rows])
        if not len(which):
            return
        sizes = np.diff(starts, append=len(near))[which]
        at = np.cumsum(sizes) - sizes
        pick = np.repeat(starts[which] - at, sizes) + np.arange(int(sizes.sum()))
        count = len(pick)
        self.near[self.rows:self.rows + count], self.back[self.rows:self.rows + count] = near[pick], back[pick]
        own = n[which]
        cells = np.repeat(which * first.shape[1], own) + _within(own)
        self.first[self.cells:self.cells + len(cells)] = first.ravel()[cells]
        self.row_at[rows[which]] = self.rows + at
        self.cell_at[rows[which]] = self.cells + np.cumsum(own) - own
        self.rows, self.cells = self.rows + count, self.cells + len(cells)

    def read(self, rows: np.ndarray, n: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What the entries reading the blocks kept for `rows` (each its document's `n` sentences,
        its member's `sizes`) read: each member's nearest cosine and sentence to each of the
        document's sentences (rows after each other, each its `n`), and each member sentence's
        nearest of the document's (rows after each other, each its `sizes`)."""
        near = np.repeat(self.row_at[rows], n) + _within(n)
        cells = np.repeat(self.cell_at[rows], sizes) + _within(sizes)
        return self.near[near], self.back[near], self.first[cells]


def _products(own: np.ndarray, mats: Sequence[np.ndarray], room: list[np.ndarray] | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What a tally reads of the float64 products of `own`'s sentences and the members' (`mats`,
    in pool order): each member's nearest sentence to each of `own`'s (its cosine, (n, members),
    and its place in the member, the first at that cosine), each member sentence's nearest of
    `own`'s (members after each other) and where each member's sentences start there; and what
    each member's own tally reads of `own` (:func:`tallies`): each of its sentences' nearest
    cosine in `own` (the place is the one before), and each of `own`'s sentences' nearest place
    in it ((members, n): the first place transposed). ``room``: a float64 array (in a list, replaced when
    too small) the members are joined into, reused from call to call: a pool's members (about
    700 KB) in fresh memory each time cost as much as their products (py-spy)."""
    sizes = [len(m) for m in mats]
    if room is None:
        mat = np.concatenate(mats, dtype=np.float64)  # cast while joining: one pass, no float16 copy
    else:
        if len(room[0]) < sum(sizes) or room[0].shape[1:] != mats[0].shape[1:]:
            room[0] = np.empty((2 * sum(sizes), *mats[0].shape[1:]))
        mat = np.concatenate(mats, out=room[0][:sum(sizes)], casting="same_kind")
    starts = np.zeros(len(mats), dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    owner = np.repeat(np.arange(len(mats)), sizes)
    last = len(mat)
    sims = _sims(mat, own)  # (members' sentences, own's): each member sentence's row
    top = np.maximum.reduceat(sims, starts, axis=0)  # (members, n): each member's nearest sentence
    # Each member's first sentence at its nearest (one pass: the first row at the block's max).
    first = last - np.maximum.reduceat(np.where(sims == top[owner], (last - np.arange(last))[:, None], 0), starts, axis=0)
    first -= starts[:, None]
    back = np.argmax(sims, axis=1)  # each member sentence's nearest own sentence
    return top.T, first.T, back, starts, sims.max(axis=1), first


# Rows of the members' sentences multiplied at once: BLAS (OpenBLAS) multiplies a product of at
# most SMALL_PRODUCT multiply-adds without first copying its operands into its own layout, and a
# ballot's product (15 own sentences, 900 members' sentences) spent more in that copy than in
# multiplying.
SMALL_PRODUCT = 1_000_000


def _sims(mat: np.ndarray, own: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``mat @ own.T`` in float64 (exact: float16 values), in blocks of rows each a small product
    (:data:`SMALL_PRODUCT`); into `out` when given."""
    right = np.ascontiguousarray(own.T, dtype=np.float64)
    if out is None:
        out = np.empty((len(mat), right.shape[1]))
    step = max(1, SMALL_PRODUCT // max(1, right.size))
    for a in range(0, len(mat), step):
        np.matmul(mat[a:a + step], right, out=out[a:a + step])
    return out


def _tallied(own_key: int, ids: list[str], keys: list[int], sizes: list[int], n: int, top: np.ndarray | None = None,
             first: np.ndarray | None = None, back: np.ndarray | None = None, at: np.ndarray | None = None) -> Tally:
    """A tally of `n` sentences among members `ids` (their fingerprints `keys`, their numbers of
    sentences `sizes`) from what it reads of the products (:func:`_products`): `top`, each
    member's nearest cosine to each sentence (n, members); `first`, the place of that sentence in
    the member; `back`, each member sentence's nearest own sentence, member `m`'s from `at[m]`
    on. None: no sentences or no members."""
    if top is None or first is None or back is None or at is None:
        return Tally(own_key, ids, keys, sizes, np.full((n, TALLY_DEPTH), -np.inf),
                     np.full((n, TALLY_DEPTH), -1, dtype=np.int64), np.zeros((n, TALLY_DEPTH), dtype=bool),
                     np.full((n, TALLY_DEPTH), -1, dtype=np.int64), np.full(n, -np.inf))
    order = np.argsort(-top, axis=1, kind="stable")  # nearest first, ties to the first listed
    ranked = _along(top, order)
    kept = ranked >= _cut(ranked)[:, None]
    width = int(kept.sum(axis=1).max())  # columns to keep every row's kept members (a prefix of each)
    on, m = kept[:, :width], order[:, :width]
    j = _along(first, m)
    return Tally(own_key, ids, keys, sizes, np.where(on, ranked[:, :width], -np.inf), np.where(on, m, -1),
                 on & (back[at[m] + j] == np.arange(n)[:, None]), np.where(on, j, -1), _next(ranked, kept))


def _next(ranked: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Each row's first cosine not kept (rows sorted nearest first; -inf: every one kept)."""
    count = kept.sum(axis=1)
    at = np.minimum(count, ranked.shape[1] - 1)[:, None]
    return np.where(count < ranked.shape[1], _along(ranked, at)[:, 0], -np.inf)


def _along(a: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``np.take_along_axis(a, order, axis=1)`` of 2-d arrays, the same values: its index checks
    in Python cost a +1% rerun's 4,000 tallies a third of their time (py-spy)."""
    return a[np.arange(len(order))[:, None], order]


def _cut(ranked: np.ndarray) -> np.ndarray:
    """Each row's lowest cosine to keep: that of its :data:`TALLY_DEPTH`-th member (every member
    level with it is kept, so no unlisted member is level with a listed one)."""
    if ranked.shape[1] <= TALLY_DEPTH:
        return np.full(len(ranked), -np.inf)
    return ranked[:, TALLY_DEPTH - 1]


def _placed(before: Tally, pool: Iterable[tuple[str, int]]) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Where `before`'s members are in `pool` ((document, fingerprint) in order): each one's
    position (-1: gone), and a last -1 for no member (``to[before.member]`` moves its lists);
    and the pool's members it did not read, with their positions. One pass over the pool: a
    rerun asks this of about 4,000 tallies at 10,000 documents, twice."""
    was = {x: i for i, x in enumerate(zip(before.pool, before.keys, strict=True))}
    to = [-1] * (len(before.pool) + 1)
    new = []
    for i, (d, k) in enumerate(pool):
        o = was.get((d, k))
        if o is None:
            new.append((i, d))
        else:
            to[o] = i
    return np.asarray(to, dtype=np.int64), new


# Where a tally's members are in its pool now (:func:`_placed`): each old member's position (-1:
# gone) and a last -1 for no member; the members it did not read, with their positions.
Placement = tuple[np.ndarray, list[tuple[int, str]]]


def placements(befores: Sequence[Tally], pools: Sequence[Sequence[str]], keys: Mapping[str, int]) -> list[Placement]:
    """:func:`_placed` of each tally in its pool now (document ids in list order, distinct; `keys`:
    every document's topic fingerprint, each pool's members among them), all at once: a member
    stays where its document is in the pool with the same fingerprint. One pass over every pool
    in numpy: a +1% rerun at 10,000 documents places about 4,500 tallies of ~46 members, and
    looking each pool up in a dict of its tally's members cost them ~0.3 core-seconds."""
    if not befores:
        return []
    index = {d: i for i, d in enumerate(keys)}
    fingerprint = np.fromiter(keys.values(), dtype=np.uint64, count=len(keys))
    was = [d for t in befores for d in t.pool]
    was_key = np.fromiter((k for t in befores for k in t.keys), dtype=np.uint64, count=len(was))
    now = [d for members in pools for d in members]
    was_size = np.fromiter(map(len, (t.pool for t in befores)), dtype=np.int64, count=len(befores))
    now_size = np.fromiter(map(len, pools), dtype=np.int64, count=len(pools))
    was_entry, now_entry = np.repeat(np.arange(len(befores)), was_size), np.repeat(np.arange(len(pools)), now_size)
    now_start = np.cumsum(now_size) - now_size
    # Each member as (entry, document + 1): a document no longer in the corpus is 0, found in no pool.
    span = len(index) + 1
    now_code = now_entry * span + 1 + np.fromiter(map(index.__getitem__, now), dtype=np.int64, count=len(now))
    was_code = was_entry * span + 1 + np.fromiter(map(index.get, was, repeat(-1)), dtype=np.int64, count=len(was))
    to = np.full(len(was), -1, dtype=np.int64)
    found = np.zeros(len(now), dtype=bool)
    if len(now) and len(was):
        order = np.argsort(now_code, kind="stable")
        at = np.minimum(np.searchsorted(now_code[order], was_code), len(now) - 1)
        j = order[at]
        hit = (now_code[j] == was_code) & (fingerprint[now_code[j] - now_entry[j] * span - 1] == was_key)
        to[hit] = j[hit] - now_start[was_entry[hit]]
        found[j[hit]] = True
    # Each tally's positions with its last -1, one array (slices of it).
    moved = np.full(len(was) + len(befores), -1, dtype=np.int64)
    moved[np.arange(len(was)) + was_entry] = to
    starts = (np.cumsum(was_size) - was_size + np.arange(len(befores))).tolist()
    new: list[list[tuple[int, str]]] = [[] for _ in befores]
    for f, e in zip((fresh := np.flatnonzero(~found)).tolist(), now_entry[fresh].tolist(), strict=True):
        new[e].append((f - int(now_start[e]), now[f]))
    return [(moved[a:a + size + 1], n) for a, size, n in zip(starts, was_size.tolist(), new, strict=True)]


def _lost(before: Tally, live: np.ndarray) -> bool:
    """Whether a row no longer knows its :data:`LISTED_DEPTH` nearest (the listed choice counts
    them, :func:`listed`): fewer of the members it listed still there (``live``) while others
    remain unlisted."""
    known = np.minimum(LISTED_DEPTH, (before.member >= 0).sum(axis=1))
    return bool(((live.sum(axis=1) < known) & (before.bound > -np.inf)).any())


def unread(before: Tally | None, own_key: int, pool: Sequence[tuple[str, int]],
           placed: Placement | None = None) -> list[str] | None:
    """The members of `pool` ((document, fingerprint) in list order) that :func:`retally` must read
    to bring `before` up to it, or None when only a full :func:`tally` can: none before, its
    document changed, or a sentence no longer knows its nearest member (:func:`_lost`).
    ``placed``: :func:`_placed` of `before` in `pool`, when known (:func:`placements`)."""
    if before is None or before.own != own_key:
        return None
    to, new = placed if placed is not None else _placed(before, pool)
    if _lost(before, to[before.member] >= 0):  # :func:`_carry_all`'s test alone
        return None
    return [d for _, d in new]


def retally(own: np.ndarray, before: Tally, pool: Sequence[tuple[str, int]],
            vectors: Mapping[str, np.ndarray]) -> Tally:
    """`before` brought up to `pool`, reading only the members :func:`unread` named (`vectors`):
    the head of the tally a full reading gives (:func:`retallies` of this one)."""
    return retallies([(own, before, pool)], vectors)[0]


# Tallies :func:`retallies` brings up at once: of about one width (their lists and new members,
# the widest at most RETALLY_SPREAD times the narrowest), each row padded to its group's widest
# (a rerun's lists range from 2 to 70 members), at most RETALLY_CELLS places in all (tens of MB).
RETALLY_SPREAD = 1.5
RETALLY_CELLS = 1 << 21


def retallies(entries: Sequence[tuple[np.ndarray, Tally, Sequence[tuple[str, int]]]
                               | tuple[np.ndarray, Tally, Sequence[tuple[str, int]], Placement | None]],
              vectors: Mapping[str, np.ndarray], owners: Sequence[str] | None = None,
              shared: Shared | None = None) -> list[Tally]:
    """Each entry's tally (own sentence vectors, the tally before, the pool now) brought up to its
    pool, reading only the members :func:`unread` named (`vectors`): the head of the tally a full
    reading gives; an entry may come with :func:`_placed` of its tally in its pool
    (:func:`placements`; None: placed here). In groups of about one width (:data:`RETALLY_SPREAD`), each at once: a new
    member's products with the documents of the group's pools it enters in one product, and the
    group's lists ranked in one sort (one pool at a time, a +1% rerun's 4,000 tallies cost a
    fifth of its candidate stage in small numpy calls). Exact, and the same arrays as one at a
    time: voting vectors hold float16 values (11-bit significands), so each product is exact in
    float64 and so is every partial sum of a cosine of unit vectors (all are multiples of 2^-48
    under 2), whatever order or block computes it. ``owners``, ``shared``: each entry's document,
    and what :func:`tallies` multiplied of new members with them (a new member read from it, not
    multiplied again)."""
    plans = []
    for x, (own, before, pool, *known) in enumerate(entries):  # known: :func:`_placed` of the entry, when its caller has it
        members = list(pool)
        to, new = known[0] if known and known[0] is not None else _placed(before, members)
        if any(not len(vectors[d]) for _, d in new):  # a new member without sentences is not in a tally's pool
            empty = {i for i, d in new if not len(vectors[d])}
            members = [x for i, x in enumerate(members) if i not in empty]
            to, new = _placed(before, members)
        # A document without sentences reads no new member: its tally only names them. The lists
        # are carried in :func:`_brought_up`, every entry of a group at once (:func:`_carry_all`).
        plans.append((own, before, members, to, new, before.best.shape[1],
                      before.best.shape[1] + (len(new) if len(own) else 0), owners[x] if owners is not None else None))
    groups: list[list[int]] = [[]]
    rows = 0
    for e in sorted(range(len(plans)), key=lambda e: plans[e][6]):
        group, width = groups[-1], max(1, plans[e][6])
        if group and (width > RETALLY_SPREAD * max(1, plans[group[0]][6])
                      or (rows + len(plans[e][0])) * width > RETALLY_CELLS):
            groups.append([])
            rows = 0
        groups[-1].append(e)
        rows += len(plans[e][0])
    out: dict[int, Tally] = {}
    for group in filter(None, groups):
        out.update(zip(group, _brought_up([plans[e] for e in group], vectors, shared), strict=True))
    return [out[e] for e in range(len(plans))]


def _brought_up(plans: Sequence[tuple], vectors: Mapping[str, np.ndarray], shared: Shared | None = None) -> list[Tally]:
    """:func:`retallies` of a group of entries, as it planned them (own vectors, the tally
    before, the members now, where the old ones are, the new ones, the lists carried, the width,
    its document)."""
    # Every entry's rows one after the other, each row's lists carried then its new members'
    # columns, padded to the widest (-inf / -1: no member, as a list's own empty places).
    rows = np.array([len(p[0]) for p in plans], dtype=np.int64)
    start = np.zeros(len(plans) + 1, dtype=np.int64)
    np.cumsum(rows, out=start[1:])
    width = np.array([p[6] for p in plans], dtype=np.int64)
    total, wide = int(start[-1]), max(1, int(width.max(initial=0)))
    b = np.full((total, wide), -np.inf)
    m = np.full((total, wide), -1, dtype=np.int64)
    u = np.zeros((total, wide), dtype=bool)
    s = np.full((total, wide), -1, dtype=np.int64)
    _carry_all(plans, rows, (b, m, u, s))
    _read_new(plans, vectors, start, (b, m, u, s), shared)
    bound = np.concatenate([p[1].bound for p in plans])
    # Ranked whole, the lists carried and the new members' columns (a row's valid members are
    # distinct: one order; the padding sorts last, after the row's own empty places). A new
    # member no nearer than the bound may come after an unlisted one: it is left out.
    valid = (m >= 0) & (b > bound[:, None])
    near = np.where(valid, b, -np.inf)
    order = np.lexsort((np.where(valid, m, np.iinfo(np.int64).max), -near), axis=-1)
    ranked = _along(near, order)
    listed = _along(valid, order)
    cut = (np.where(np.repeat(width, rows) > TALLY_DEPTH, ranked[:, TALLY_DEPTH - 1], -np.inf) if wide >= TALLY_DEPTH
           else np.full(total, -np.inf))
    kept = listed & (ranked >= cut[:, None])  # with every member level with the last kept
    # The rest of a row is left out: its nearest is the new bound.
    bound = np.maximum(bound, _next(np.where(listed, ranked, -np.inf), kept))
    keep = int(kept.sum(axis=1).max(initial=0))
    order, kept = order[:, :keep], kept[:, :keep]
    heads = [np.where(kept, _along(a, order), empty) for a, empty in ((b, -np.inf), (m, -1), (u, False), (s, -1))]
    count = kept.sum(axis=1)
    out = []
    for e, (_, before, members, to, new, *_) in enumerate(plans):
        at = slice(start[e], start[e + 1])
        cols = min(int(width[e]), max(1, int(count[at].max(initial=0))))
        sizes = [0] * len(members)
        for o, i in enumerate(to[:-1].tolist()):
            if i >= 0:
                sizes[i] = before.sizes[o]
        for i, d in new:
            sizes[i] = len(vectors[d])
        best, member, mutual, sentence = (_columns(h[at], cols, empty)
                                          for h, empty in zip(heads, (-np.inf, -1, False, -1), strict=True))
        out.append(Tally(before.own, [d for d, _ in members], [k for _, k in members], sizes,
                         best, member, mutual, sentence, bound[at].copy()))
    return out


def _carry_all(plans: Sequence[tuple], rows: np.ndarray, into: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
               ) -> None:
    """Every entry's lists before, carried into the first columns of a :func:`retallies` group's
    padded best, member, mutual, sentence (`into`; `rows`: each entry's): its members at their
    new positions (its :func:`_placed`: each member's, -1 gone, and a last -1 for no member),
    those gone left out, in no order (:func:`_brought_up` ranks them with the new members).
    Each row stays the head of the ranking of the remaining members, whatever order they are in
    now: it lists every member nearer than its bound, and none level with it. ValueError where a
    row no longer knows its nearest (:func:`_lost`: every member it listed gone while others
    remain unlisted). All entries at once, their cells joined: one at a time, a +1% rerun's 4,400
    tallies spent a fifth of their bringing up in these small numpy calls."""
    befores = [p[1] for p in plans]
    width = np.fromiter((t.best.shape[1] for t in befores), dtype=np.int64, count=len(befores))
    if not (rows * width).any():
        return
    cell_row, row_width, member, moved, lost = _moved([p[1] for p in plans], [p[3] for p in plans])
    if lost.any():
        raise ValueError("the tally cannot be brought up to this pool: read it whole")
    live = moved >= 0
    b, m, u, s = into
    cell = cell_row * b.shape[1] + _within(row_width)
    b.reshape(-1)[cell] = np.where(live, np.concatenate([t.best.ravel() for t in befores]), -np.inf)
    m.reshape(-1)[cell] = moved
    u.reshape(-1)[cell] = np.concatenate([t.mutual.ravel() for t in befores]) & live
    s.reshape(-1)[cell] = np.where(live, np.concatenate([t.sentence.ravel() for t in befores]), -1)


def _moved(befores: Sequence[Tally], places: Sequence[np.ndarray]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every tally's cells joined (rows one after the other): each cell's row, each row's width,
    each cell's member before and where it is now (`places`: each tally's :func:`_placed`
    positions, -1 gone, with a last -1 for no member), and whether each tally lost a row's
    nearest (:func:`_lost`)."""
    rows = np.fromiter((len(t.best) for t in befores), dtype=np.int64, count=len(befores))
    width = np.fromiter((t.best.shape[1] for t in befores), dtype=np.int64, count=len(befores))
    size = np.fromiter(map(len, places), dtype=np.int64, count=len(places))  # each tally's members, and a last -1
    to = np.concatenate(places) if places else np.empty(0, dtype=np.int64)
    row_width = np.repeat(width, rows)
    row_entry = np.repeat(np.arange(len(befores)), rows)
    cell_row = np.repeat(np.arange(len(row_width)), row_width)
    cell_entry = row_entry[cell_row]
    member = np.concatenate([t.member.ravel() for t in befores]) if befores else np.empty(0, dtype=np.int64)
    moved = to[np.where(member < 0, size[cell_entry] - 1, member) + (np.cumsum(size) - size)[cell_entry]]
    # :func:`_lost` of each row: fewer of the LISTED_DEPTH members it listed still there, others unlisted.
    known = np.minimum(LISTED_DEPTH, np.bincount(cell_row, weights=member >= 0, minlength=len(row_width)))
    bound = np.concatenate([t.bound for t in befores]) if befores else np.empty(0)
    row_lost = (np.bincount(cell_row, weights=moved >= 0, minlength=len(row_width)) < known) & (bound > -np.inf)
    return cell_row, row_width, member, moved, np.bincount(row_entry[row_lost], minlength=len(befores)) > 0


def unreads(befores: Sequence[Tally], placed: Sequence[Placement]) -> list[list[str] | None]:
    """:func:`unread` of each tally (its document unchanged) with its :func:`placements` in its pool
    now, all at once: the new members to read, or None where a row lost its nearest."""
    if not befores:
        return []
    lost = _moved(befores, [to for to, _ in placed])[4].tolist()
    return [None if gone else [d for _, d in new] for gone, (_, new) in zip(lost, placed, strict=True)]


def _columns(head: np.ndarray, cols: int, empty: float | int | bool) -> np.ndarray:
    """An entry's first `cols` columns of the group's heads (a copy), padded with `empty` where the
    group kept fewer (a row of an entry wider than every row kept)."""
    if head.shape[1] >= cols:
        return head[:, :cols].copy()
    return np.pad(head, ((0, 0), (0, cols - head.shape[1])), constant_values=empty)


def _read_new(plans: Sequence[tuple], vectors: Mapping[str, np.ndarray], start: np.ndarray,
              into: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], shared: Shared | None = None) -> None:
    """The new members' columns of :func:`retallies` (`into`: its padded best, member, mutual,
    sentence), each new member's products with the documents of every pool it enters in one
    product: each row's nearest sentence in it (the first at that cosine, as :func:`ballot`
    takes it) and whether that sentence has the row as its nearest in return (the first row of
    its pool at that cosine). Where ``shared`` holds the pair (the new member's own tally read
    whole, with the entry's document among its members: :func:`tallies`), read from it instead,
    the same values (a +1% rerun at 10,000 documents: 4,887 of 4,889 new members' columns)."""
    b, m, u, s = into
    joins: dict[str, list[tuple[int, int, int]]] = {}  # new member: (entry, its position, its column)
    known: list[tuple[int, int, int, tuple[np.ndarray, np.ndarray, np.ndarray]]] = []  # as joins', and what is shared
    for e, (own, _, _, _, new, carried, _, owner) in enumerate(plans):
        for c, (i, d) in enumerate(new if len(own) else ()):
            got = shared.get((d, owner)) if shared else None
            if got is None:
                joins.setdefault(d, []).append((e, i, carried + c))
            else:
                known.append((e, i, carried + c, got))
    if known:  # every such column at once: each row's nearest in the member, and whether it is mutual
        es = np.array([e for e, _, _, _ in known], dtype=np.int64)
        lengths = start[es + 1] - start[es]
        near = np.concatenate([g[0] for _, _, _, g in known])
        j = np.concatenate([g[1] for _, _, _, g in known])
        firsts = [g[2] for _, _, _, g in known]
        offset = np.cumsum([len(f) for f in firsts]) - np.array([len(f) for f in firsts], dtype=np.int64)
        local = _within(lengths)
        target = np.repeat(start[es], lengths) + local
        col = np.repeat(np.array([c for _, _, c, _ in known], dtype=np.int64), lengths)
        b[target, col] = near
        m[target, col] = np.repeat(np.array([i for _, i, _, _ in known], dtype=np.int64), lengths)
        u[target, col] = np.concatenate(firsts)[np.repeat(offset, lengths) + j] == local
        s[target, col] = j
    for d, where in joins.items():
        es = np.array([e for e, _, _ in where], dtype=np.int64)
        mine = np.concatenate([plans[e][0] for e in es], dtype=np.float64)
        sims = mine @ np.asarray(vectors[d], dtype=np.float64).T  # no copy when given in float64
        lengths = start[es + 1] - start[es]
        first = np.zeros(len(es), dtype=np.int64)  # each pool's first row in `sims`
        np.cumsum(lengths[:-1], out=first[1:])
        local = np.arange(len(mine))
        pool_of = np.repeat(np.arange(len(es)), lengths)
        j = np.argmax(sims, axis=1)
        # Each of the member's sentences' nearest row within each pool: its first row at the pool's
        # column maximum (one pass, as _products finds a member's first sentence at its nearest).
        top = np.maximum.reduceat(sims, first, axis=0)
        back = len(mine) - np.maximum.reduceat(np.where(sims == top[pool_of], len(mine) - local[:, None], 0), first, axis=0)
        target = np.repeat(start[es], lengths) + (local - first[pool_of])  # each row's place in `into`
        col = np.repeat(np.array([c for _, _, c in where], dtype=np.int64), lengths)
        b[target, col] = sims[local, j]
        m[target, col] = np.repeat(np.array([i for _, i, _ in where], dtype=np.int64), lengths)
        u[target, col] = back[pool_of, j] == local
        s[target, col] = j


def verdict(t: Tally) -> Ballot | None:
    """The ballot a tally makes (:func:`ballot`): each sentence's vote goes to its first listed
    member that is mutual (:func:`voted`), and is in order by that member's nearest sentence."""
    if not len(t.best) or not t.pool:
        return None
    n = len(t.best)
    rows, col = voted(t.mutual)
    member, sentence, mutual = np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=bool)
    member[rows], sentence[rows], mutual[rows] = t.member[rows, col], t.sentence[rows, col], True
    best = _top(member[rows], t.best[rows, col], len(t.pool))
    placed = []
    for i in rows.tolist():
        o, j = int(member[i]), int(sentence[i])
        if in_order(i, n, j, t.sizes[o]):
            placed.append((t.pool[o], i, j))
    return (t.pool[best], float(np.count_nonzero(member[rows] == best)) / n, tuple(placed),
            listed(t.best, t.member, t.pool), runs(member, sentence, mutual, t.pool))


def verdicts(tallies: Sequence[Tally]) -> list[Ballot | None]:
    """:func:`verdict` of each tally, the same ballots, all at once: every tally's cells joined,
    each (tally, member) a bin. A +1% rerun at 10,000 documents makes ~4,600 ballots, and one at
    a time they cost ~110 us each in small numpy calls (this: ~45 us)."""
    out: list[Ballot | None] = [None] * len(tallies)
    live = [e for e, t in enumerate(tallies) if len(t.best) and t.pool and t.best.shape[1]]
    if not live:
        return out
    ts = [tallies[e] for e in live]
    n = np.fromiter((len(t.best) for t in ts), dtype=np.int64, count=len(ts))
    size = np.fromiter((len(t.pool) for t in ts), dtype=np.int64, count=len(ts))
    start = np.cumsum(n) - n
    total = int(n.sum())
    # Each tally's cells one after the other (not padded: a tally ties up to 70 members wide).
    width = np.fromiter((t.best.shape[1] for t in ts), dtype=np.int64, count=len(ts))
    row_width = np.repeat(width, n)
    head = np.cumsum(row_width) - row_width  # each row's first cell
    best = np.concatenate([t.best.ravel() for t in ts])
    member = np.concatenate([t.member.ravel() for t in ts])
    # Each row's vote (:func:`voted`): its first mutual cell (its head where none: no vote).
    marks = np.flatnonzero(np.concatenate([t.mutual.ravel() for t in ts]))
    mark_row = np.repeat(np.arange(total), row_width)[marks]
    firsts = np.flatnonzero(np.diff(mark_row, prepend=-1))  # cells sorted, so rows sorted: each row's first
    cell = head.copy()
    cell[mark_row[firsts]] = marks[firsts]
    mutual = np.zeros(total, dtype=bool)
    mutual[mark_row[firsts]] = True
    sentence = np.concatenate([t.sentence.ravel() for t in ts])[cell]
    best0, member0 = best[cell], member[cell]
    entry = np.repeat(np.arange(len(ts)), n)
    # Each (tally, member) a bin, each tally's bins one after the other (`bins[x]`: its first), not
    # padded to the largest pool: on issue 17's everyday corpus (10,000 documents) a few pools hold
    # 3,000-4,900 members while most hold ~70, and the padded (tallies, largest pool) matrices, seven
    # of them, were ~2 GB, the trace's memory peak (bench/README.md, memory40).
    bins = np.cumsum(size) - size
    # The votes (:func:`_top`): each tally's bins summed in sentence order, as its own bincount does.
    voted = np.flatnonzero(mutual)
    code = bins[entry[voted]] + member0[voted]
    nbins = int(size.sum())
    counts = np.bincount(code, minlength=nbins)
    strength = np.bincount(code, weights=best0[voted], minlength=nbins)
    tied = counts == np.repeat(np.maximum.reduceat(counts, bins), size)
    top = _first_max(np.where(tied, strength, -np.inf), bins, size)
    share = counts[bins + top] / n
    # The votes in order (:func:`in_order`), each vote's member's number of sentences.
    sizes = np.fromiter(chain.from_iterable(t.sizes for t in ts), dtype=np.int64, count=nbins)
    i = voted - start[entry[voted]]
    ordered = voted[np.abs(_places(i, n[entry[voted]]) - _places(sentence[voted], sizes[code]))
                    <= IN_ORDER_BAND]
    # The listed choice (:func:`listed`): each tally's entries level with its LISTED_DEPTH-th or nearer.
    cut = np.where(row_width >= LISTED_DEPTH, best[np.minimum(head + LISTED_DEPTH - 1, len(best) - 1)], -np.inf)
    on = (member >= 0) & (best >= np.repeat(cut, row_width))
    cell_entry = np.repeat(entry, row_width)
    entries = np.bincount(cell_entry[on], minlength=len(ts))
    heard_at = bins[cell_entry[on]] + member[on]
    heard = np.bincount(heard_at, minlength=nbins)
    near = np.bincount(heard_at, weights=best[on], minlength=nbins)
    chosen = _first_max(np.where(heard == np.repeat(np.maximum.reduceat(heard, bins), size), near, -np.inf), bins, size)
    # Runs (:func:`runs`) only where two votes stand in a row.
    row_ran = np.zeros(total, dtype=bool)
    row_ran[1:] = mutual[1:] & mutual[:-1] & (member0[1:] == member0[:-1]) & (sentence[1:] == sentence[:-1] + 1) & (entry[1:] == entry[:-1])
    ran = set(entry[row_ran].tolist())
    by_entry = np.searchsorted(entry[ordered], np.arange(len(ts) + 1)).tolist()
    placed_i, placed_m, placed_j = (i[np.searchsorted(voted, ordered)].tolist(), member0[ordered].tolist(),
                                    sentence[ordered].tolist())
    for x, (e, t) in enumerate(zip(live, ts, strict=True)):
        pool = t.pool
        a, b = by_entry[x], by_entry[x + 1]
        placed = tuple((pool[placed_m[y]], placed_i[y], placed_j[y]) for y in range(a, b))
        first = int(heard[bins[x] + chosen[x]])
        said = ("", 0.0) if not entries[x] else (pool[int(chosen[x])], float(first * len(pool) / int(entries[x])))
        s_ = slice(int(start[x]), int(start[x] + n[x]))
        r = (runs(member0[s_], sentence[s_], mutual[s_], pool) if x in ran else ())
        out[e] = (pool[int(top[x])], float(share[x]), placed, said, r)
    return out


def _first_max(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each segment's (``starts``, ``lengths``: one after the other, none empty) first place of its
    largest value, counted in the segment: :func:`np.argmax` of each (no NaN among ``values``)."""
    at = np.flatnonzero(values == np.repeat(np.maximum.reduceat(values, starts), lengths))
    return at[np.searchsorted(at, starts)] - starts


def _places(i: np.ndarray, n: np.ndarray) -> np.ndarray:
    """:func:`_place` of each (voting sentence, number of them), the same float64 values."""
    return np.where(n > 1, i / np.maximum(n - 1, 1), 0.5)


def _top(members: np.ndarray, cosines: np.ndarray, size: int) -> int:
    """The member most votes go to (`members`: each mutual vote's member, in sentence order;
    `cosines`: each vote's cosine). A tie goes to the one whose votes are nearer (their cosines
    summed, in sentence order, so a tally sums the same float64 values as a ballot), then to the
    first listed (nearest by topic). bench/realtext.py: a 10-verse sura's two votes for its
    translation tied with two for another sura's, and the nearer by topic won."""
    counts = np.bincount(members, minlength=size)
    strength = np.bincount(members, weights=cosines, minlength=size)
    tied = np.flatnonzero(counts == counts.max())
    return int(tied[np.argmax(strength[tied])])


def tally_to_bytes(t: Tally) -> bytes:
    """A compact, code-free serialization (:func:`tallies_to_bytes` of one)."""
    return tallies_to_bytes([t])[0]


def tally_from_bytes(data: bytes) -> Tally:
    """:func:`tally_to_bytes` read back (ValueError: not a tally)."""
    t = tallies_from_bytes([data])[0]
    if t is None:
        raise ValueError("not a tally")
    return t


# A stored tally: its numbers of members, rows, columns and bytes of ids, and its own fingerprint.
_HEAD = np.dtype([("sizes", "<u4", 4), ("own", "<u8")])
_SIZES = struct.Struct("<4I")


def tallies_to_bytes(tallies: Sequence[Tally]) -> list[bytes]:
    """Each tally serialized, code-free: its sizes and own fingerprint, its pool's ids (one a line),
    its members' fingerprints and numbers of sentences, each row's bound and number of cells, then
    each row's cells up to its last member (cosines, members, sentences, mutual). A tally is as
    wide as its widest row (members tied at the last kept: up to 70 at 10,000 documents) while
    most rows keep TALLY_DEPTH, so every cell kept doubled its bytes (5.4 KB: two more pages of
    the store each). All at once: a +1% rerun at 10,000 documents stores ~4,600 (a JSON header of
    the pool's fingerprints once cost reading 4,000 of them half a core-second)."""
    if not tallies:
        return []
    rows = np.fromiter((len(t.best) for t in tallies), dtype=np.int64, count=len(tallies))
    width = np.fromiter((t.best.shape[1] for t in tallies), dtype=np.int64, count=len(tallies))
    members = np.fromiter((len(t.pool) for t in tallies), dtype=np.int64, count=len(tallies))
    ids = ["\n".join(t.pool).encode("utf-8") for t in tallies]
    head = np.zeros(len(tallies), dtype=_HEAD)
    head["sizes"] = np.column_stack([members, rows, width, [len(x) for x in ids]])
    head["own"] = [t.own for t in tallies]
    best = np.concatenate([t.best.ravel() for t in tallies]).astype("<f8")
    member = np.concatenate([t.member.ravel() for t in tallies])
    sentence = np.concatenate([t.sentence.ravel() for t in tallies])
    mutual = np.concatenate([t.mutual.ravel() for t in tallies])
    # Each row's cells up to its last filled one (the rest empty: -inf, -1, False, -1).
    row_width = np.repeat(width, rows)
    col = _within(row_width)
    mark = np.where((member >= 0) | (best > -np.inf) | mutual | (sentence >= 0), col + 1, 0)
    first = np.minimum(np.cumsum(row_width) - row_width, max(len(mark) - 1, 0))
    used = np.where(row_width > 0, np.maximum.reduceat(mark, first), 0) if len(mark) else np.zeros(len(row_width), dtype=np.int64)
    on = col < np.repeat(used, row_width)
    member, sentence = member[on], sentence[on]
    if len(member) and (min(member.min(), sentence.min()) < -1 or max(member.max(), sentence.max()) >= 1 << 15):
        raise ValueError("a tally's members or sentences out of range")
    cells = np.bincount(np.repeat(np.arange(len(tallies)), rows), weights=used, minlength=len(tallies)).astype(np.int64)
    parts = [(head.tobytes(), 24 * np.ones(len(tallies), dtype=np.int64)),
             (np.fromiter(chain.from_iterable(t.keys for t in tallies), dtype="<u8", count=int(members.sum())).tobytes(), 8 * members),
             (np.fromiter(chain.from_iterable(t.sizes for t in tallies), dtype="<u4", count=int(members.sum())).tobytes(), 4 * members),
             (np.concatenate([t.bound for t in tallies]).astype("<f8").tobytes(), 8 * rows),
             (used.astype("<u2").tobytes(), 2 * rows), (best[on].tobytes(), 8 * cells),
             (member.astype("<i2").tobytes(), 2 * cells), (sentence.astype("<i2").tobytes(), 2 * cells),
             (mutual[on].astype(np.uint8).tobytes(), cells)]
    (h, _), (k, _), (z, _), (b, _), (u, _), (c, _), (m, _), (j, _), (v, _) = parts
    h_, k_, z_, b_, u_, c_, m_, j_, v_ = ([0, *np.cumsum(n).tolist()] for _, n in parts)
    return [b"".join((h[h_[e]:h_[e + 1]], ids[e], k[k_[e]:k_[e + 1]], z[z_[e]:z_[e + 1]], b[b_[e]:b_[e + 1]],
                      u[u_[e]:u_[e + 1]], c[c_[e]:c_[e + 1]], m[m_[e]:m_[e + 1]], j[j_[e]:j_[e + 1]], v[v_[e]:v_[e + 1]]))
            for e in range(len(tallies))]


def tallies_from_bytes(blobs: Sequence[bytes]) -> list[Tally | None]:
    """:func:`tallies_to_bytes` read back, all at once (None: not a tally)."""
    out: list[Tally | None] = [None] * len(blobs)
    fields = []  # each readable blob: (its place, members, rows, width, its ids' end)
    for e, data in enumerate(blobs):
        if len(data) < 24:
            continue
        members, rows, width, size = _SIZES.unpack_from(data)
        if len(data) >= 24 + size + 12 * members + 10 * rows:
            fields.append((e, members, rows, width, 24 + size))
    if not fields:
        return out
    e_of, members, rows, width, at = (np.array(x, dtype=np.int64) for x in zip(*fields, strict=True))
    length = np.fromiter((len(blobs[e]) for e in e_of.tolist()), dtype=np.int64, count=len(e_of))
    used_at = (at + 12 * members + 8 * rows).tolist()

    def joined(starts: Sequence[int], ends: Sequence[int], dtype: str) -> np.ndarray:
        """The blobs' sections from `starts` to `ends`, one after the other, as `dtype`."""
        return np.frombuffer(b"".join([blobs[e][a:b] for e, a, b in zip(e_of.tolist(), starts, ends, strict=True)]),
                             dtype=dtype)

    used = joined(used_at, (at + 12 * members + 10 * rows).tolist(), "<u2").astype(np.int64)
    row_tally = np.repeat(np.arange(len(e_of)), rows)
    cells = np.bincount(row_tally, weights=used, minlength=len(e_of)).astype(np.int64)
    widest = np.zeros(len(e_of), dtype=np.int64)
    np.maximum.at(widest, row_tally, used)
    good = (length == at + 12 * members + 10 * rows + 13 * cells) & (widest <= width)
    if not good.all():  # unreadable blobs left out, the rest read again
        again = tallies_from_bytes([blobs[e] if g else b"" for e, g in zip(e_of.tolist(), good.tolist(), strict=True)])
        for e, t in zip(e_of.tolist(), again, strict=True):
            out[e] = t
        return out
    keys = joined(at.tolist(), (at + 8 * members).tolist(), "<u8").tolist()
    sizes = joined((at + 8 * members).tolist(), (at + 12 * members).tolist(), "<u4").tolist()
    bound = joined((at + 12 * members).tolist(), used_at, "<f8").astype(np.float64)
    start = at + 12 * members + 10 * rows
    best = joined(start.tolist(), (start + 8 * cells).tolist(), "<f8")
    member = joined((start + 8 * cells).tolist(), (start + 10 * cells).tolist(), "<i2")
    sentence = joined((start + 10 * cells).tolist(), (start + 12 * cells).tolist(), "<i2")
    mutual = joined((start + 12 * cells).tolist(), length.tolist(), "<u1").astype(bool)
    # Every tally's (rows, width) cells one after the other, each row's used ones filled.
    dense = rows * width
    row_start = np.repeat(np.cumsum(dense) - dense, rows) + _within(rows) * np.repeat(width, rows)
    place = np.repeat(row_start, used) + _within(used)
    arrays = []
    for part, empty, dtype in ((best, -np.inf, np.float64), (member, -1, np.int64), (mutual, False, bool),
                               (sentence, -1, np.int64)):
        full = np.full(int(dense.sum()), empty, dtype=dtype)
        full[place] = part
        arrays.append(full)
    key_end, row_end, dense_end = np.cumsum(members).tolist(), np.cumsum(rows).tolist(), np.cumsum(dense).tolist()
    k = r = d = 0
    for x, (e, m, n, w, a) in enumerate(fields):
        data = blobs[e]
        try:
            pool = data[24:a].decode("utf-8").split("\n") if m else []
        except UnicodeDecodeError:
            pool = None
        if pool is not None and len(pool) == m:
            shape = (n, w)
            out[e] = Tally(int.from_bytes(data[16:24], "little"), pool, keys[k:key_end[x]],
                           sizes[k:key_end[x]], *(a_[d:dense_end[x]].reshape(shape) for a_ in arrays),
                           bound[r:row_end[x]])
        k, r, d = key_end[x], row_end[x], dense_end[x]
    return out


@dataclass(frozen=True)
class CrossPools:
    """Every document's pool in each other language (:func:`cross_pools`), by positions in the
    neighbour lists' ``ids``: pool ``e`` is document ``docs[e]``'s in language ``langs[e]``, its
    members ``members[bounds[e]:bounds[e + 1]]`` in order."""

    docs: np.ndarray
    langs: list[str]
    members: np.ndarray
    bounds: np.ndarray


def cross_pools(nb: Neighbours) -> CrossPools:
    """Every document's pool in each other language (:func:`pool`), by positions (:func:`cross_lists`
    gives them as ids)."""
    # Positions, not ids (a position orders as its id does), every pool's members at once in
    # arrays (a list and a set a pool cost a +1% rerun 0.15-0.2 core-seconds at 10,000 documents;
    # building every list as ids with their cosines, Neighbours.rows, 0.7).
    cross = [(q, i, ls) for (q, i), ls in sorted(nb.lists.items()) if q != i]
    langs = sorted({lang for q, i, _ in cross for lang in (q, i)})
    code = {lang: c for c, lang in enumerate(langs)}
    width = max(len(langs), 1)
    heads, keys, parts, orders, members = [], [], [], [], []
    for qlang, ilang, ls in cross:
        heads.append(ls.queries * width + code[ilang])  # each query's pool there, members or not
        hit = ls.found >= 0
        q = np.broadcast_to(ls.queries[:, None], ls.found.shape)[hit]
        f = ls.found[hit]
        rank = np.broadcast_to(np.arange(ls.found.shape[1]), ls.found.shape)[hit]
        keys += [q * width + code[ilang], f * width + code[qlang]]  # its nearest there; those listing it, by id
        parts += [np.zeros(len(q), dtype=np.int64), np.ones(len(q), dtype=np.int64)]
        orders += [rank, q]
        members += [f, q]
    if not cross:
        return CrossPools(np.zeros(0, dtype=np.int64), [], np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64))
    key, part, order, member = (np.concatenate(x).astype(np.int64) for x in (keys, parts, orders, members))
    n = len(nb.ids)
    # By pool and member, the found first: a member found and listing the document back, or
    # listing it back from two lists of one language, is in the pool once, where it comes first.
    by_member = _order((key * n + member) * 2 + part)
    k, m = key[by_member], member[by_member]
    again = np.zeros(len(k), dtype=bool)
    again[1:] = (k[1:] == k[:-1]) & (m[1:] == m[:-1])
    keep = by_member[~again]
    key, part, order, member = key[keep], part[keep], order[keep], member[keep]
    # Each pool's found in their order, then the rest by position (the order is the position there).
    sort = _order((key * 2 + part) * n + order)
    key, member = key[sort], member[sort]
    pools = np.union1d(np.concatenate(heads), key[np.concatenate(([True], key[1:] != key[:-1]))] if len(key) else key)
    bounds = np.append(np.searchsorted(key, pools), len(key))
    return CrossPools(pools // width, [langs[c] for c in (pools % width).tolist()], member, bounds)


def _order(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values)`` of non-negative integers that tie only where the entries are alike in
    every other respect: the values with their positions in their low bits, sorted (a sort of
    integers is 2-4x faster than an argsort); an argsort when they do not fit in 63 bits."""
    bits = max(len(values) - 1, 1).bit_length()
    if not len(values) or int(values.max()).bit_length() + bits > 63:
        return np.argsort(values)
    return np.sort((values << bits) | np.arange(len(values), dtype=np.int64)) & ((1 << bits) - 1)


def cross_lists(nb: Neighbours) -> list[tuple[str, str, list[str]]]:
    """Every document's pool in each other language (:func:`pool`): (document, language of the
    pool, [document, ...]): :func:`cross_pools` as ids."""
    at = cross_pools(nb)
    ids = nb.ids
    flat = np.asarray(ids, dtype=object)[at.members].tolist()
    bounds = at.bounds.tolist()
    return [(ids[d], lang, flat[bounds[e]:bounds[e + 1]])
            for e, (d, lang) in enumerate(zip(at.docs.tolist(), at.langs, strict=True))]


def pool(found: Sequence[_Member], listing: Iterable[_Member]) -> list[_Member]:
    """The documents a document's sentences vote among in one language: its nearest there by
    topic (`found`, nearest first), then those that list it among theirs (`listing`, by id). A
    translation ranked low by topic on one side is often high on the other (bench/realtext.py's
    Bible chapters: 30th one way, 3rd the other), and with the wider pool a topic neighbour's
    share of the votes falls (planted bench of 2,000: 126 pairs both chose that are not planted,
    96 with it)."""
    return [*found, *sorted(set(listing) - set(found))]


def ballots(lists: Iterable[tuple[str, str, list[str]]], vectors: Mapping[str, np.ndarray]
            ) -> dict[tuple[str, str], Ballot]:
    """{(document, language): its ballot among its neighbours in that language}."""
    out = {}
    for doc, lang, found in lists:
        b = ballot(vectors[doc], [(d, vectors[d]) for d in found])
        if b is not None:
            out[(doc, lang)] = b
    return out


def chosen(votes: Mapping[tuple[str, str], Ballot],
           stretch_votes: Mapping[tuple[str, str], Ballot] | None = None,
           twin_votes: Mapping[tuple[str, str], Ballot] | None = None) -> set[tuple[str, str]]:
    """The pairs (a < b) the ballots choose (:func:`agreed`): the sentence ballots, the
    stretch ballots (:func:`stretched`) or the twin ballots (:func:`twinned`)."""
    return set(choices(votes, stretch_votes, twin_votes))


def choices(votes: Mapping[tuple[str, str], Ballot],
            stretch_votes: Mapping[tuple[str, str], Ballot] | None = None,
            twin_votes: Mapping[tuple[str, str], Ballot] | None = None) -> dict[tuple[str, str], bool]:
    """{pair (a < b) the ballots choose (:func:`chosen`): whether they hold a run (:func:`ran`)}."""
    said: dict[tuple[str, str], list[Said]] = {}
    for ballots, kind in ((votes, ""), (stretch_votes or {}, STRETCH), (twin_votes or {}, TWIN)):
        for (doc, _), b in ballots.items():
            for k, what in named(doc, b, kind):
                said.setdefault(k, []).append(what)
    # Most pairs are named once (one ballot's choice; planted 10,000: ~30,000 of 40,000): one
    # word chooses a pair only as a long enough run (:func:`agreed_alone`).
    return {k: ran(v) for k, v in said.items() if (agreed_alone(v[0]) if len(v) == 1 else agreed(v))}


# ("share", share), ("order", sentence of the pair's first document, of its second) or ("run", votes
# in a run); a stretch ballot's words start with STRETCH ("stretch share", "stretch order"), a twin
# ballot's with TWIN.
Said = tuple
STRETCH = "stretch "
TWIN = "twin "
KINDS = ("", STRETCH, TWIN)  # each kind of ballot decides alone
_WORDS = tuple((kind + "share", kind + "order", kind + "run") for kind in KINDS)  # each kind's words
LISTED = "listed"  # what a sentence ballot says of its listed choice (:data:`MIN_LISTED`): (LISTED, document)


def named(doc: str, b: Ballot, kind: str = "") -> list[tuple[tuple[str, str], Said]]:
    """What `doc`'s ballot says of each pair (a < b) it names: the share its choice got, and each
    vote in order as the two sentences' positions, the pair's first document's first (the same
    vote cast by both documents counts once), and each run (:func:`runs`); ``kind``: which ballot (:data:`KINDS`: "" a sentence
    ballot, :data:`STRETCH` a stretch ballot, :data:`TWIN` a twin ballot)."""
    share, order = kind + "share", kind + "order"
    out: list[tuple[tuple[str, str], Said]] = [(pair_key(doc, b[0]), (share, b[1]))]
    for other, i, j in b[2]:
        k = pair_key(doc, other)
        out.append((k, (order, i, j) if k[0] == doc else (order, j, i)))
    for other, length in b[4]:
        out.append((pair_key(doc, other), (kind + "run", length)))
    if not kind and b[3][1] >= MIN_LISTED:  # sentence ballots only (MIN_LISTED)
        out.append((pair_key(doc, b[3][0]), (LISTED, doc)))
    return out


def agreed(said: Sequence[Said]) -> bool:
    """Whether what the ballots say of a pair makes it chosen: for the sentence, stretch or twin
    ballots alike (:data:`KINDS`), each document chose the other (a document has one ballot of
    each per language, so a pair is chosen at most twice) with at least :data:`MIN_SHARE` of its
    voters, or at least :data:`MIN_IN_ORDER` distinct votes in order, or a run spanning
    :data:`MIN_RUN` sentences (:func:`runs`); or both sentence ballots'
    listed choice is the other (:data:`MIN_LISTED`). A stretch or a twin is no sentence: the
    kinds' words are never counted together."""
    # The words sorted by what they are in one pass (a pass a word and kind was half of a rerun's
    # :func:`choices`: ~12,000 pairs named more than once at 10,000 documents).
    by: dict[str, list[Said]] = {}
    for s in said:
        by.setdefault(s[0], []).append(s)
    for share, order, run in _WORDS:
        shares = by.get(share)
        if shares is not None and len(shares) == 2 and min(shares[0][1], shares[1][1]) >= MIN_SHARE:
            return True
        orders = by.get(order)
        if orders is not None and len(orders) >= MIN_IN_ORDER and len(set(orders)) >= MIN_IN_ORDER:
            return True
        runs = by.get(run)
        if runs is not None and any(_long_run(s) for s in runs):
            return True
    listed = by.get(LISTED)
    return listed is not None and len(set(listed)) == 2


def ran(said: Sequence[Said]) -> bool:
    """Whether what the ballots say of a pair holds a run of votes spanning :data:`MIN_RUN`
    sentences (:func:`runs`), by any kind of ballot: evidence that the pair's contents match in
    order, which relate reads where no passage of the pair is found on its own
    (:data:`sourcetrace.relate.relations.FOUND_ALONE`)."""
    return any(_ran(said, kind) for kind in KINDS)


# Each kind's run word -> the sentences its run spans beyond its votes (a run of twins spans one
# sentence more than it has votes).
_RUN_SPAN = {kind + "run": 1 if kind == TWIN else 0 for kind in KINDS}


def _ran(said: Sequence[Said], kind: str) -> bool:
    word = kind + "run"
    return any(_long_run(s) for s in said if s[0] == word)


def _long_run(said: Said) -> bool:
    """Whether ``said``, a run word, spans :data:`MIN_RUN` sentences."""
    return said[1] + _RUN_SPAN[said[0]] >= MIN_RUN


def agreed_alone(said: Said) -> bool:
    """:func:`agreed` of a pair one ballot alone names (``said``, its one word): two shares, two
    listed choices or :data:`MIN_IN_ORDER` votes need more words, so only a run can choose it."""
    return said[0] in _RUN_SPAN and _long_run(said)


def candidate(pair: tuple[str, str]) -> Candidate:
    """A pair both documents choose as a candidate of its own: the pool reaches past the
    :data:`~neighbours.K` nearest that are candidates by topic (bench/realtext.py: 2 of the 23
    complete scripture pairs chosen were 17th-47th by topic both ways, so never aligned)."""
    return Candidate(pair[0], pair[1], ["votes"], 0.0)
