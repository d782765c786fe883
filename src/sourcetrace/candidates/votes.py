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
votes it gets are in order, where chance votes are not.
One static sentence vector finds its translation among a thousand for about half of Tatoeba's
sentences (encode/static.py); a document's votes add those chances up, while a topic neighbour's
votes stay scattered.

Every function is pure and per document or per pair: a document's sentence vectors are computed
from its own sentences alone (no batch changes their bits), and a ballot reads one document's
vectors and its neighbours', so both engines, and a rerun, vote alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from sourcetrace.candidates.neighbours import Neighbours
from sourcetrace.candidates.pairs import Candidate, spread
from sourcetrace.encode import Encoder
from sourcetrace.records import pair_key

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

BALLOT_VERSION = 3  # how a ballot is cast (3: with its votes in order): a stored ballot of another is cast again
# (the chosen neighbour, the share of the document's sentences for it, the votes in order: (neighbour,
# own sentence, neighbour's sentence), sentences as positions among the voting ones)
Ballot = tuple[str, float, tuple[tuple[str, int, int], ...]]


def sentence_vectors(sentences: Sequence[str], encoder: Encoder, n: int = VOTE_SENTENCES) -> np.ndarray:
    """The unit vectors of (up to) `n` of a document's sentences, spread over it; encoded alone,
    so that they do not depend on what else is encoded with them (float16 values as float32)."""
    texts = spread([s for s in sentences if s.strip()], n)
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    # Rounded to float16, as a runner stores them: a rerun votes with the values a fresh run did.
    return np.asarray(encoder.encode(texts), dtype=np.float16).astype(np.float32)


def read_by(doc: str, pool: Sequence[str], fingerprints: Mapping[str, int]) -> str:
    """What a ballot reads, as a key: its document, its pool in order, and their topic vectors'
    fingerprints (a document read again is another document). Equal keys, equal ballots."""
    parts = [f"ballot {BALLOT_VERSION}", *(f"{d}:{fingerprints[d]}" for d in (doc, *pool))]
    return hashlib.blake2b("\n".join(parts).encode("utf-8"), digest_size=12).hexdigest()


def ballot(own: np.ndarray, pool: Sequence[tuple[str, np.ndarray]]) -> Ballot | None:
    """The neighbour most of `own`'s sentences point to, the share of them it got, and the votes
    in order (:func:`in_order`) to any neighbour. A sentence
    votes for the neighbour holding its nearest sentence when that sentence has it as its nearest
    among `own`'s (mutual nearest, float64 cosines; ties to the first); a sentence near everything
    (a formula, a generic line) is nobody's nearest back, so it no longer votes for its document.
    Ties between neighbours go to the one listed first. `pool`: the neighbours in list order, with
    their sentence vectors."""
    pool = [(d, m) for d, m in pool if len(m)]
    if not len(own) or not pool:
        return None
    mat = np.concatenate([m for _, m in pool], dtype=np.float64)  # cast while joining: one pass, no float16 copy
    owner = np.repeat(np.arange(len(pool)), [len(m) for _, m in pool])
    sims = own.astype(np.float64) @ mat.T
    nearest = np.argmax(sims, axis=1)
    mutual = np.argmax(sims, axis=0)[nearest] == np.arange(len(own))
    votes = np.bincount(owner[nearest[mutual]], minlength=len(pool))
    best = int(np.argmax(votes))  # the first of the most voted: the nearest by topic among them
    start = np.concatenate([[0], np.cumsum([len(m) for _, m in pool])])
    placed = []
    for i in np.flatnonzero(mutual).tolist():
        o = int(owner[nearest[i]])
        j = int(nearest[i] - start[o])
        if in_order(i, len(own), j, len(pool[o][1])):
            placed.append((pool[o][0], i, j))
    return pool[best][0], float(votes[best]) / len(own), tuple(placed)


def in_order(i: int, n: int, j: int, m: int) -> bool:
    """Whether voting sentence `i` of `n` and `j` of `m` stand at about the same place in their
    documents (:data:`IN_ORDER_BAND`): the voting sentences are spread evenly over a document
    (:func:`sentence_vectors`), so the i-th stands at about i / (n - 1) of it."""
    return abs(_place(i, n) - _place(j, m)) <= IN_ORDER_BAND


def _place(i: int, n: int) -> float:
    return i / (n - 1) if n > 1 else 0.5


def cross_lists(nb: Neighbours) -> list[tuple[str, str, list[str]]]:
    """Every document's pool in each other language (:func:`pool`): (document, language of the
    pool, [document, ...])."""
    lists: dict[tuple[str, str], list[str]] = {}
    back: dict[tuple[str, str], list[str]] = {}
    for (qlang, ilang), rows in sorted(nb.rows().items()):
        if qlang != ilang:
            for doc, found in rows:
                lists[(doc, ilang)] = [d for d, _ in found]
                for d, _ in found:
                    back.setdefault((d, qlang), []).append(doc)
    return [(doc, lang, pool(lists.get((doc, lang), []), back.get((doc, lang), [])))
            for doc, lang in sorted(lists.keys() | back.keys())]


def pool(found: Sequence[str], listing: Iterable[str]) -> list[str]:
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


def chosen(votes: Mapping[tuple[str, str], Ballot]) -> set[tuple[str, str]]:
    """The pairs (a < b) the ballots choose (:func:`agreed`)."""
    said: dict[tuple[str, str], list[Said]] = {}
    for (doc, _), b in votes.items():
        for k, what in named(doc, b):
            said.setdefault(k, []).append(what)
    return {k for k, v in said.items() if agreed(v)}


Said = tuple  # ("share", share) or ("order", sentence of the pair's first document, of its second)


def named(doc: str, b: Ballot) -> list[tuple[tuple[str, str], Said]]:
    """What `doc`'s ballot says of each pair (a < b) it names: the share its choice got, and each
    vote in order as the two sentences' positions, the pair's first document's first (the same
    vote cast by both documents counts once)."""
    out: list[tuple[tuple[str, str], Said]] = [(pair_key(doc, b[0]), ("share", b[1]))]
    for other, i, j in b[2]:
        k = pair_key(doc, other)
        out.append((k, ("order", i, j) if k[0] == doc else ("order", j, i)))
    return out


def agreed(said: Sequence[Said]) -> bool:
    """Whether what the ballots say of a pair makes it chosen: each document chose the other
    (a document has one ballot per language, so a pair is chosen at most twice) with at least
    :data:`MIN_SHARE` of its sentences, or at least :data:`MIN_IN_ORDER` distinct votes in order."""
    shares = [s[1] for s in said if s[0] == "share"]
    return (len(shares) == 2 and min(shares) >= MIN_SHARE) or len({s for s in said if s[0] == "order"}) >= MIN_IN_ORDER


def candidate(pair: tuple[str, str]) -> Candidate:
    """A pair both documents choose as a candidate of its own: the pool reaches past the
    :data:`~neighbours.K` nearest that are candidates by topic (bench/realtext.py: 2 of the 23
    complete scripture pairs chosen were 17th-47th by topic both ways, so never aligned)."""
    return Candidate(pair[0], pair[1], ["votes"], 0.0)
