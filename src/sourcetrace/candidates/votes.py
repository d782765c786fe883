"""Sentence votes: which cross-language neighbour a document's own sentences point to.

A topic vector is the mean of a document's sentences. Chapters of one book, or reports on one
subject, have close means, so a translation can rank anywhere among its topic neighbours: in
bench/realtext.py the partner of a Bible or Qur'an chapter was the mutual nearest by topic for 4
of 30 chapters. Its sentences, though, each have their translation on the other side. Here each
sentence of a document votes for the neighbour (among its :data:`~neighbours.K_POOL` nearest by
topic in the other language, and those listing it) that holds the sentence nearest to it, when
that sentence has it as its nearest in return; the neighbour with most votes is the
document's choice in that language. A pair both documents choose, each with at least
:data:`MIN_SHARE` of its sentences, is worth aligning on trial (:func:`sourcetrace.pipeline.alignment`).
One static sentence vector finds its translation among a thousand for about half of Tatoeba's
sentences (encode/static.py); a document's votes add those chances up, while a topic neighbour's
votes stay scattered.

Every function is pure and per document or per pair: a document's sentence vectors are computed
from its own sentences alone (no batch changes their bits), and a ballot reads one document's
vectors and its neighbours', so both engines, and a rerun, vote alike.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

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

BALLOT_VERSION = 2  # how a ballot is cast (2: mutual votes): a stored ballot of another is cast again
Ballot = tuple[str, float]  # (the chosen neighbour, the share of the document's sentences for it)


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
    """The neighbour most of `own`'s sentences point to, and the share of them it got. A sentence
    votes for the neighbour holding its nearest sentence when that sentence has it as its nearest
    among `own`'s (mutual nearest, float64 cosines; ties to the first); a sentence near everything
    (a formula, a generic line) is nobody's nearest back, so it no longer votes for its document.
    Ties between neighbours go to the one listed first. `pool`: the neighbours in list order, with
    their sentence vectors."""
    return verdict(tally(own, 0, [(d, 0, m) for d, m in pool]))


@dataclass
class Tally:
    """What a ballot read (a plain record, kept between runs): for each of its document's
    sentences, the pool member holding its nearest sentence, that cosine, and whether that
    sentence has it as its nearest in return. A pool that gains members is brought up to date by
    reading only them (:func:`retally`): a new document enters about 30 pools, and reading every
    member again made a rerun's ballots cost a third of a fresh run's."""

    own: int  # the document's topic fingerprint
    pool: list[str]  # the members holding sentences, in pool order
    keys: list[int]  # their topic fingerprints
    best: np.ndarray  # (n,) float64: each own sentence's cosine with its nearest pool sentence
    member: np.ndarray  # (n,) int64: that sentence's member (position in pool)
    mutual: np.ndarray  # (n,) bool: it has this own sentence as its nearest among own's


def tally(own: np.ndarray, own_key: int, pool: Sequence[tuple[str, int, np.ndarray]]) -> Tally:
    """A ballot's tally (:func:`ballot`), every member read; `pool`: (document, fingerprint,
    sentence vectors) in list order."""
    pool = [(d, k, m) for d, k, m in pool if len(m)]
    n = len(own)
    if not n or not pool:
        return Tally(own_key, [d for d, _, _ in pool], [k for _, k, _ in pool], np.full(n, -np.inf),
                     np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=bool))
    mat = np.concatenate([m for _, _, m in pool]).astype(np.float64)
    owner = np.repeat(np.arange(len(pool)), [len(m) for _, _, m in pool])
    sims = own.astype(np.float64) @ mat.T
    nearest = np.argmax(sims, axis=1)
    mutual = np.argmax(sims, axis=0)[nearest] == np.arange(n)
    return Tally(own_key, [d for d, _, _ in pool], [k for _, k, _ in pool], sims[np.arange(n), nearest],
                 owner[nearest].astype(np.int64), mutual)


def unread(before: Tally | None, own_key: int, pool: Sequence[tuple[str, int]]) -> list[str] | None:
    """The members of `pool` ((document, fingerprint) in list order) that :func:`retally` must read
    to bring `before` up to it, or None when only a full :func:`tally` can: none before, its
    document changed, a member some sentence chose is gone, or members it read changed order
    (ties go to the first)."""
    if before is None or before.own != own_key:
        return None
    was = {(d, k): i for i, (d, k) in enumerate(zip(before.pool, before.keys, strict=True))}
    kept = [was[x] for x in pool if x in was]
    if kept != sorted(kept) or not set(before.member[before.member >= 0].tolist()) <= set(kept):
        return None
    return [d for d, k in pool if (d, k) not in was]


def retally(own: np.ndarray, before: Tally, pool: Sequence[tuple[str, int]],
            vectors: Mapping[str, np.ndarray]) -> Tally:
    """`before` brought up to `pool`, reading only the members :func:`unread` named (`vectors`):
    the tally a full reading gives. Exact: voting vectors hold float16 values (11-bit
    significands), so each product is exact in float64 and so is every partial sum of a cosine of
    unit vectors (all are multiples of 2^-48 under 2), whatever order or block computes it."""
    was = {(d, k): i for i, (d, k) in enumerate(zip(before.pool, before.keys, strict=True))}
    members = [(d, k) for d, k in pool if (d, k) in was or len(vectors[d])]
    now = np.full(len(before.pool) + 1, -1, dtype=np.int64)  # old position -> new (last: none)
    for i, x in enumerate(members):
        if x in was:
            now[was[x]] = i
    member = now[before.member]
    best, mutual = before.best.copy(), before.mutual.copy()
    mine = own.astype(np.float64)
    n = np.arange(len(own))
    for i, (d, k) in enumerate(members):
        if (d, k) in was or not len(own):
            continue
        sims = mine @ vectors[d].astype(np.float64).T
        j = np.argmax(sims, axis=1)
        got = sims[n, j]
        # The first of the nearest, as one reading of the whole pool in order finds it.
        win = (got > best) | ((got == best) & ((member < 0) | (i < member)))
        best[win], member[win] = got[win], i
        mutual[win] = (np.argmax(sims, axis=0)[j] == n)[win]
    return Tally(before.own, [d for d, _ in members], [k for _, k in members], best, member, mutual)


def verdict(t: Tally) -> Ballot | None:
    """The ballot a tally makes (:func:`ballot`)."""
    if not len(t.best) or not t.pool:
        return None
    votes = np.bincount(t.member[t.mutual], minlength=len(t.pool))
    best = int(np.argmax(votes))  # the first of the most voted: the nearest by topic among them
    return t.pool[best], float(votes[best]) / len(t.best)


def tally_to_bytes(t: Tally) -> bytes:
    """A compact, code-free serialization (a JSON header, then the arrays)."""
    head = json.dumps({"own": t.own, "pool": t.pool, "keys": t.keys}, ensure_ascii=False).encode("utf-8")
    return b"".join([len(head).to_bytes(4, "little"), head, np.asarray(t.best, dtype="<f8").tobytes(),
                     np.asarray(t.member, dtype="<i4").tobytes(), np.asarray(t.mutual, dtype=np.uint8).tobytes()])


def tally_from_bytes(data: bytes) -> Tally:
    size = int.from_bytes(data[:4], "little")
    head = json.loads(data[4:4 + size].decode("utf-8"))
    rest = data[4 + size:]
    n = len(rest) // 13
    return Tally(head["own"], head["pool"], head["keys"], np.frombuffer(rest[:8 * n], dtype="<f8").astype(np.float64),
                 np.frombuffer(rest[8 * n:12 * n], dtype="<i4").astype(np.int64),
                 np.frombuffer(rest[12 * n:], dtype=np.uint8).astype(bool))


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
    """The pairs (a < b) both documents choose (:func:`agreed`)."""
    shares: dict[tuple[str, str], list[float]] = {}
    for (doc, _), (other, share) in votes.items():
        shares.setdefault(pair_key(doc, other), []).append(share)
    return {k for k, v in shares.items() if agreed(v)}


def agreed(shares: Sequence[float]) -> bool:
    """Whether the ballots naming a pair make it chosen: one from each document (a document has
    one ballot per language, so a pair is named at most twice), each with at least
    :data:`MIN_SHARE` of that document's sentences."""
    return len(shares) == 2 and min(shares) >= MIN_SHARE


def candidate(pair: tuple[str, str]) -> Candidate:
    """A pair both documents choose as a candidate of its own: the pool reaches past the
    :data:`~neighbours.K` nearest that are candidates by topic (bench/realtext.py: 2 of the 23
    complete scripture pairs chosen were 17th-47th by topic both ways, so never aligned)."""
    return Candidate(pair[0], pair[1], ["votes"], 0.0)
