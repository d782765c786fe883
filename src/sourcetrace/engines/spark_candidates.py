"""The candidate stage on Spark: :func:`sourcetrace.pipeline.candidates` as group-bys and joins,
pair for pair the local engine's set (candidates/pairs.py, candidates/neighbours.py).

* MinHash, documents: each document's bands keyed by (language, band, key), grouped (the keys
  travel as packed arrays per partition, not a Python record each); a bucket pairs its members
  (in id order, the local unit order; a bucket over ``MAX_BUCKET`` pairs each with its next
  ``BUCKET_WINDOW``); distinct pairs joined with both signatures for the Jaccard
  check. Copies (Jaccard >= ``COPY_JACCARD``) as connected components: one text each.
* MinHash, sentences: sentence units keyed the same way; unit pairs of two documents checked
  against both signatures; each unit's number of distinct partner texts (a group-by by unit);
  document pairs with two matched sentences on each side, one of them rare (a group-by by pair).
* vectors: per language, blocks of ``VECTOR_BLOCK`` topic vectors; every pair of a query block
  and an index block searched in one task (faiss, as the local search), each query's lists
  merged across blocks (float64 cosines, ties by id); the ratio margin joins both documents'
  usual cosines.
* rare terms: postings as a group-by by term, pairs counted by a reduce by pair.
* votes: each document's ballots in the partition of its id's hash, each pooled document's
  voting vectors (float16) sent once to each partition that reads them.
* union: one reduce by pair of small evidence tuples (sources, best margin, whether the pair
  crosses languages, chosen by votes, its ballots hold a run); a candidate's score is not read
  downstream.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext

import numpy as np
from pyspark import RDD

from sourcetrace import pipeline
from sourcetrace.candidates import neighbours as nb
from sourcetrace.candidates import pairs as cp
from sourcetrace.candidates import votes
from sourcetrace.candidates.pairs import Candidate, DocFeatures, DocInput
from sourcetrace.encode import get_encoder
from sourcetrace.engines import spark_pickling
from sourcetrace.engines.spark import by_index
from sourcetrace.text.terms import figures


def _doc_features(f: DocFeatures) -> tuple:
    return DocFeatures, (f.id, f.lang, f.doc_sig, f.quote_sigs, f.terms)


# Every document's features are kept and read by five jobs (bands twice, rare terms, figures twice):
# by their fields they pickle 4x faster and load 30% faster than as a dataclass' state (2,000
# planted documents: 0.30 -> 0.07 s, 0.15 -> 0.11 s).
spark_pickling.register((DocFeatures, _doc_features))

VECTOR_BLOCK = 20_000  # topic vectors per block of the neighbour search (40 MB at 512 floats)
VOTE_READS = 2 * nb.K_POOL + 1  # documents a ballot reads: its own, its list, about as many listing it
FEATURE_BATCH = 500  # documents whose signatures are computed in one call (rensa's batch API)


def candidate_pairs(stages, docs: RDD, topics: RDD, voting: RDD, keep: Callable[[str, RDD], int], parts: int,
                    n_docs: int, places=None) -> RDD:
    """``((a, b), (aligned?, ran))`` for every candidate pair (a < b) of the documents ``(id, DocRecord)``
    with their topic vectors ``(id, vector)`` and voting vectors ``(id, (voting, stretch, twin
    vectors))`` (:func:`vote_vectors`), both partitioned as the documents; aligned? as :func:`pipeline.alignment` gives it,
    ran: whether the pair's ballots hold a run (:attr:`pipeline.Pairs.ran`); every
    shuffle into ``parts`` partitions. ``places``: where the ballots run (engines/spark_places.py's
    TopicPlaces; None: by a hash)."""
    from sourcetrace.engines.spark import KEEP, with_both

    feats = docs.mapPartitions(_features, preservesPartitioning=True)  # keyed by id as the documents are
    keep("features", feats)
    langs = docs.mapValues(lambda r: r.doc.lang)
    neighbours, lists = vectors(topics, langs, keep, parts)
    # One reduce by pair over the three sources and the pairs chosen by votes, each record a
    # small tuple of evidence (Evidence) that knows whether its pair crosses languages: MinHash
    # pairs never do (buckets are per language), rare-term pairs always, a neighbour knows both
    # languages. It was Candidate records through a reduce, two joins with the languages and a
    # join with the chosen pairs (128 s at 10,000 documents).
    found = (minhash(stages, feats, keep, parts).union(neighbours).union(terms(feats, parts))
             .union(voted(voting, lists, keep, parts, n_docs, places, stages).mapValues(chosen_evidence)))
    how = found.reduceByKey(_merge, parts).map(_how).persist(KEEP)  # read twice
    # Pairs on trial read both documents' figures (pipeline.screened): a join of those pairs only.
    figs = feats.mapValues(lambda f: figures(f.terms))
    trial = with_both(how.filter(lambda kv: kv[1][0] == pipeline.TRIAL), figs, parts).mapValues(
        lambda v: (pipeline.screened(v[0][0], v[1], v[2]), v[0][1]))
    return how.filter(lambda kv: kv[1][0] != pipeline.TRIAL).union(trial)


# What the union knows of a pair: (MinHash, rare terms, best margin, across languages (None:
# not known here), chosen by votes, its ballots hold a run (votes.ran)). A pair chosen by votes
# is a candidate of its own (votes.candidate: the pool reaches past the lists' first K), across
# languages.
Evidence = tuple[bool, bool, float, "bool | None", bool, bool]
MINHASH: Evidence = (True, False, 0.0, False, False, False)
TERMS: Evidence = (False, True, 0.0, True, False, False)


def chosen_evidence(ran: bool) -> Evidence:
    """The evidence of a pair chosen by votes (:func:`voted`), its ballots holding a run or not."""
    return (False, False, 0.0, True, True, ran)


def _merge(x: Evidence, y: Evidence) -> Evidence:
    """Two records of one pair's evidence as one (cp.merge: sources merged, the best margin)."""
    return (x[0] or y[0], x[1] or y[1], max(x[2], y[2]), x[3] if x[3] is not None else y[3], x[4] or y[4],
            x[5] or y[5])


def _how(kv: tuple[tuple[str, str], Evidence]) -> tuple[tuple[str, str], tuple[bool | str, bool]]:
    """A candidate's alignment (:func:`pipeline.alignment`) from its merged evidence, and whether
    its ballots hold a run (:attr:`pipeline.Pairs.ran`)."""
    (a, b), (by_minhash, by_terms, margin, cross, chosen, ran) = kv
    sources = [s for s, on in (("minhash", by_minhash), ("terms", by_terms)) if on]
    return (a, b), (pipeline.alignment(Candidate(a, b, sources, 0.0, margin), bool(cross), chosen), ran)


def voted(voting: RDD, lists: RDD, keep: Callable[[str, RDD], int], parts: int, n_docs: int, places=None,
          stages=None) -> RDD:
    """``((a, b), ran)`` for the pairs both documents choose by their sentences' votes, ``ran``:
    whether their ballots hold a run (:func:`pipeline.voted`): each document's pool in every other language (its list and the
    lists naming it, votes.pool), a ballot per (document, language). The ballots are spread over
    the partitions by document; each pooled document's voting vectors (``voting``: :func:`vote_vectors`;
    float16 values, so they travel as float16) go once to every partition whose
    ballots read them (:func:`with_sides_local`), not once to every pool: a document is in about
    20 pools, and its 32 vectors joined to each pool, then grouped by pool, were 1.3 GB of
    shuffle at 2,000 documents (173 s of the candidate stage at load 12). ``places``: the
    ballots placed by their document's topic cluster (a pool is its document's topic
    neighbours), not by a hash: spread by a hash, each document's vectors went to 31 partitions
    at 10,000 documents."""
    from sourcetrace.engines.spark import placed_partitions, read_partitions, with_sides_local

    # A document's list in a language and the documents listing it there, in one group-by (a
    # join of the lists with the listings grouped first moved every listing twice).
    pools = (lists.filter(lambda kv: kv[0][1] != kv[0][2]).flatMap(_pool_sides).groupByKey(parts).map(_pool)
             .filter(lambda kv: len(kv[1]) > 0))
    spread = (read_partitions(voting.context, VOTE_READS * n_docs, n_docs) if places is None
              else placed_partitions(voting.context, n_docs))
    placed = None if places is None else lambda keyed: places.place(keyed, lambda key: key[2], spread)
    with stages.timed("candidates: votes") if stages is not None else nullcontext():  # the placement's count
        ballots = with_sides_local(pools, voting, parts, lambda r: (r[0][0], *r[1]), _ballots, None, spread, placed)
    chosen = (ballots.groupByKey(parts).mapValues(list).filter(lambda kv: votes.agreed(kv[1]))
              .mapValues(votes.ran))
    keep("candidates: votes", chosen)
    return chosen


def _pool_sides(kv: tuple) -> Iterator[tuple[tuple[str, str], tuple]]:
    """What one cross-language list ``((document, its index language, its language), [(cosine,
    neighbour), ...])`` gives the pools (votes.pool): ``((document, language), (its own language,
    None, its list))`` and, for each neighbour, ``((neighbour, document's language), (neighbour's
    own language, document, None))``: the neighbour's pool there holds the document."""
    (doc, ilang, qlang), found = kv
    yield (doc, ilang), (qlang, None, [d for _, d in found])
    for _, d in found:
        yield (d, qlang), (ilang, doc, None)


def _pool(kv: tuple) -> tuple[tuple[str, str, str], list[str]]:
    """A document's pool in a language (votes.pool) from its group of :func:`_pool_sides`, keyed
    ``(document, language, placed by)``: the document itself where its language comes first,
    else its nearest member, whose pools name it. A pair's two ballots are then mostly in one
    partition, where votes.tallies multiplies the pair once (placed each by its own document, 3%
    were: topic clusters hold one language; 10,000 planted documents, 62% this way, 4.8 copies of
    a document's vectors against 5.0)."""
    (doc, lang), sides = kv
    sides = list(sides)
    own, found, listing = sides[0][0], [], []  # the document's own language, in every side
    for _, by, ids in sides:
        if ids is None:
            listing.append(by)
        else:
            found = ids
    pool = votes.pool(found, listing)
    return (doc, lang, doc if own < lang or not pool else pool[0]), pool


def vote_vectors(inputs: list[DocInput], rows: dict[str, np.ndarray]
                 ) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Documents' voting vectors, stretch vectors and twin vectors (:func:`pipeline.vote_vectors`,
    :func:`pipeline.stretch_vectors`, :func:`pipeline.twin_vectors`: the local engine's, each
    document's encoded alone; no rows for a document without) as float16: their values are float16
    values (votes.sentence_vectors), so the float32 ones come back exactly. ``rows``: the
    documents' :func:`pipeline.topic_rows`, which are the voting vectors of a document whose voting
    sentences are its topic's (:func:`pipeline.votes_of_topics`; it has no stretches), as the
    local engine takes them."""
    from_topics = pipeline.votes_of_topics(inputs, rows)
    rest = [d for d in inputs if d.id not in from_topics]
    sentences = {**from_topics, **pipeline.vote_vectors(rest)}
    stretches, twins = pipeline.stretch_vectors(rest), pipeline.twin_vectors(inputs)
    none = np.zeros((0, get_encoder(pipeline.TOPIC_ENCODER).dim), dtype=np.float16)
    return {d.id: (sentences[d.id].astype(np.float16), stretches[d.id].astype(np.float16) if d.id in stretches else none,
                   twins[d.id].astype(np.float16)) for d in inputs}


def _ballots(pools: list[tuple], vecs: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
             ) -> Iterator[tuple[tuple[str, str], votes.Said]]:
    """The ballots of one partition's pools ``((document, language, ...), pool)``, with the float16
    voting, stretch and twin vectors of the documents they read: ``((a, b), what the ballot says
    of the pair)`` for each pair a ballot names (votes.named), the stretch ballot where the pool
    holds a long document (votes.stretched), the twin ballot where its document has twins
    (votes.twinned). Cast as the local engine casts them (votes.tallies, then votes.verdict): two
    documents in each other's pools in one partition (pools are placed by topic, so most are)
    are multiplied once, not once for each ballot (votes.ballot per pool did both)."""
    # As float16: the tallies cast them to float64 themselves (float16 values are exact in both),
    # so no float32 copy of every document read is made and kept.
    def vectors(d: str, kind: int) -> np.ndarray:  # twins, else stretches, else sentences
        return next((v for v in vecs[d][kind:0:-1] if len(v)), vecs[d][0])

    lists = [(doc, lang, pool) for (doc, lang, *_), pool in pools]
    long = {d for d, v in vecs.items() if len(v[1])}
    have = {d for d, v in vecs.items() if len(v[2])}
    for kind, prefix, cast in ((0, "", lists), (1, votes.STRETCH, votes.stretched(lists, long)),
                               (2, votes.TWIN, votes.twinned(lists, have))):
        if not cast:
            continue
        read = {d: vectors(d, kind) for doc, _, pool in cast for d in (doc, *pool)}
        # No fingerprints: a tally here is read once, by its verdict, and never kept.
        for (doc, _, _), t in zip(cast, votes.tallies([(doc, 0, [(d, 0) for d in pool]) for doc, _, pool in cast],
                                                      read), strict=True):
            got = votes.verdict(t)
            if got is not None:
                yield from votes.named(doc, got, prefix)


def _features(records: Iterable[tuple]) -> Iterator[tuple[str, DocFeatures]]:
    batch: list = []
    for _, record in records:
        batch.append(pipeline.doc_input(record.doc, record.text, record.sentences))
        if len(batch) >= FEATURE_BATCH:
            yield from ((f.id, f) for f in pipeline.features(batch))
            batch = []
    if batch:
        yield from ((f.id, f) for f in pipeline.features(batch))


# -- MinHash -----------------------------------------------------------------------------------------
def _band_rows(items: Iterable[tuple[str, str, np.ndarray, str]], rows: int, parts: int
               ) -> Iterator[tuple[int, tuple]]:
    """``(document, language, signatures, text)`` (one signature a row: a unit; text: the
    document's copy component, else itself) as band rows, split by the partition of their bucket
    (a bucket is (language, band, key), its partition the key's): ``(partition, (langs, bands,
    keys, unit refs, unit documents, unit numbers, unit signatures, unit texts))``, arrays; a unit
    whose bands go to that partition is in its unit table once, with its whole signature and its
    text, so that the bucket's task checks its pairs' Jaccard itself and names their texts."""
    cols: tuple[list, ...] = ([], [], [], [], [], [], [], [])
    for doc, lang, sigs, text in items:
        n_units = len(sigs)
        if not n_units:
            continue
        bands = sigs.shape[1] // rows
        cols[0].append(np.full(n_units * bands, lang))
        cols[1].append(np.tile(np.arange(bands, dtype=np.int16), n_units))
        cols[2].append(cp._band_keys(np.ascontiguousarray(sigs.reshape(-1, rows))))
        cols[4].append(np.full(n_units, doc))
        cols[5].append(np.arange(n_units, dtype=np.int32))
        cols[6].append(sigs)
        cols[7].append(np.full(n_units, text))
    if not cols[0]:
        return
    lang, band, key = (np.concatenate(c) for c in cols[:3])
    docs, units, sigs, texts = (np.concatenate(c) for c in cols[4:])
    ref = np.repeat(np.arange(len(units)), len(band) // len(units))  # every unit has as many bands
    target = (key % np.uint64(parts)).astype(np.int64)
    for t in np.unique(target).tolist():
        at = target == t
        used, local = np.unique(ref[at], return_inverse=True)
        yield t, (lang[at], band[at], key[at], local.astype(np.int32), docs[used], units[used], sigs[used], texts[used])


CHECK_BLOCK = 100_000  # unit pairs whose signatures are compared at once (2 x 25 MB at 64 permutations)


def _bucket_pairs(packed: Iterable[tuple[int, tuple]], min_jaccard: float) -> Iterator[tuple]:
    """``((doc, n, text), (doc, n, text), Jaccard)`` of the unit pairs of two documents that share a bucket in
    a partition's band rows (:func:`_band_rows`) and whose signatures agree on ``min_jaccard`` of
    their positions, each pair once. A bucket's members pair in (document, unit) order, as the
    local engine pairs a bucket (pairs._bucket_pairs: all, or each with its next BUCKET_WINDOW)."""
    chunks = [arrays for _, arrays in packed]
    if not chunks:
        return
    offsets = np.cumsum([0] + [len(c[4]) for c in chunks[:-1]])
    lang, band, key = (np.concatenate([c[i] for c in chunks]) for i in range(3))
    ref = np.concatenate([c[3].astype(np.int64) + off for c, off in zip(chunks, offsets.tolist(), strict=True)])
    docs, units, sigs, texts = (np.concatenate([c[i] for c in chunks]) for i in (4, 5, 6, 7))
    order = np.lexsort((units[ref], docs[ref], key, band, lang))
    lang, band, key, ref = lang[order], band[order], key[order], ref[order]
    new = np.concatenate(([True], (lang[1:] != lang[:-1]) | (band[1:] != band[:-1]) | (key[1:] != key[:-1])))
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(key)))
    xs, ys = [], []
    for size in np.unique(sizes[sizes >= 2]).tolist():  # all buckets of one size at once
        members = ref[starts[sizes == size][:, None] + np.arange(size)]
        i, j = cp._bucket_pairs(size)
        xs.append(members[:, i].ravel())
        ys.append(members[:, j].ravel())
    if not xs:
        return
    x, y = np.concatenate(xs), np.concatenate(ys)
    other = docs[x] != docs[y]
    pair = np.unique(x[other] * len(units) + y[other])  # a pair colliding in several bands once
    for lo in range(0, len(pair), CHECK_BLOCK):
        px, py = np.divmod(pair[lo:lo + CHECK_BLOCK], len(units))
        jac = np.count_nonzero(sigs[px] == sigs[py], axis=1) / sigs.shape[1]
        ok = jac >= min_jaccard
        px, py = px[ok], py[ok]
        yield from zip(zip(docs[px].tolist(), units[px].tolist(), texts[px].tolist(), strict=True),
                       zip(docs[py].tolist(), units[py].tolist(), texts[py].tolist(), strict=True), jac[ok].tolist(),
                       strict=True)


def minhash(stages, feats: RDD, keep: Callable[[str, RDD], int], parts: int) -> RDD:
    """``((a, b), MINHASH)`` of MinHash, documents and sentences, within a language (a pair may
    come more than once)."""
    from sourcetrace.engines.spark import components, joined

    # Documents.
    sigs = feats.filter(lambda kv: kv[1].doc_sig is not None).mapValues(lambda f: (f.lang, f.doc_sig))
    doc_jaccard = (sigs.mapPartitions(lambda kvs: _band_rows(((d, v[0], v[1][None, :], d) for d, v in kvs),
                                                             cp.DOC_ROWS, parts))
                   .partitionBy(parts, by_index).mapPartitions(lambda rows: _bucket_pairs(rows, cp.DOC_MIN_JACCARD))
                   .map(lambda p: ((p[0][0], p[1][0]), p[2])).distinct(parts))
    keep("candidates: document bands", doc_jaccard)
    copies = doc_jaccard.filter(lambda kv: kv[1] >= cp.COPY_JACCARD).keys()
    texts = components(stages, copies, "candidates: copies", keep, parts)  # (doc, its text); others are their own

    # Sentences: units (doc, n), pairs of units of two documents. A sentence has 16 band keys (a document 64); they travel packed, one record
    # of arrays per partition and bucket partition, not one Python record a key (each costs
    # microseconds to move), with each unit's signature and text (its document's copy
    # component: the documents are partitioned as the features, so only the few copies move), so
    # that the Jaccard check of its pairs (millions at 25,000 documents: stock sentences) runs
    # where its buckets are, and each pair names both texts.
    quotes = joined(feats, texts, parts, "leftOuterJoin").mapPartitions(
        lambda kvs: _band_rows(((d, v[0].lang, v[0].quote_sigs, v[1] or d) for d, v in kvs), cp.QUOTE_ROWS, parts))
    matched = quotes.partitionBy(parts, by_index).mapPartitions(lambda rows: _bucket_pairs(rows, cp.QUOTE_MIN_JACCARD))
    # Each unit's partners gathered once (a pair met in several band partitions is one in the
    # set): its number of distinct partner texts says whether it is rare, and it tells each of its
    # document pairs; a document pair then has both units' word (candidates/pairs.py's rare test:
    # both units of a matched pair under QUOTE_MAX_DF) and its matched units on each side. Two
    # shuffles of the matched pairs (the partners' texts joined, distinct, counted, then joined
    # with both units' counts and cogrouped with the pairs were six).
    partners = matched.flatMap(lambda p: (((p[0][0], p[0][1]), p[1]), ((p[1][0], p[1][1]), p[0]))).combineByKey(
        _partner, _add_partner, _add_partners, parts)
    shares = partners.flatMap(_unit_says).groupByKey(parts).filter(lambda kv: _shares(kv[1])).keys()
    keep("candidates: sentence bands", shares)
    return doc_jaccard.keys().union(shares).map(lambda pair: (pair, MINHASH))


def _partner(unit: tuple) -> set:
    return {unit}


def _add_partner(found: set, unit: tuple) -> set:
    found.add(unit)
    return found


def _add_partners(x: set, y: set) -> set:
    x |= y
    return x


def _unit_says(kv: tuple) -> Iterator[tuple[tuple[str, str], tuple[int, int, bool]]]:
    """What a unit ``((document, n), {(partner document, unit, text), ...})`` tells each of its
    document pairs ``(a, b)``, a < b: ``(unit of a, unit of b, whether it is rare)``; rare: its
    partners span at most QUOTE_MAX_DF distinct texts (copies of one text count once)."""
    (doc, n), found = kv
    rare = len({text for _, _, text in found}) <= cp.QUOTE_MAX_DF
    for other, m, _ in found:
        yield ((doc, other), (n, m, rare)) if doc < other else ((other, doc), (m, n, rare))


def _shares(said: Iterable[tuple[int, int, bool]]) -> bool:
    """Whether a document pair shares quotes (candidates/pairs.py): its matched units hold
    QUOTE_MIN_SENTENCES distinct sentences on each side, and one matched pair is rare on both
    sides (each unit of a pair said it once)."""
    rare: dict[tuple[int, int], int] = {}
    for u, w, r in said:
        rare[(u, w)] = rare.get((u, w), 0) + r
    return 2 in rare.values() and min(len({u for u, _ in rare}), len({w for _, w in rare})) >= cp.QUOTE_MIN_SENTENCES


# -- vectors ------------------------------------------------------------------------------------------
def vectors(topics: RDD, langs: RDD, keep: Callable[[str, RDD], int], parts: int) -> tuple[RDD, RDD]:
    """``((a, b), Evidence)`` of the nearest neighbours by topic (candidates/neighbours.py), and
    the lists: ``((document, index language, its language), [(cosine, neighbour), ...])``."""
    from sourcetrace.engines.spark import joined

    docs = joined(topics, langs, parts)  # (id, (vector, lang))
    keep("candidates: neighbours", docs)  # read twice: the sizes by language, then the blocks
    sizes = dict(docs.map(lambda kv: kv[1][1]).countByValue())  # documents per language: a few numbers
    blocks_of = {lang: max(1, -(-n // VECTOR_BLOCK)) for lang, n in sizes.items()}
    blocks = docs.map(lambda kv: ((kv[1][1], zlib.crc32(kv[0].encode("utf-8")) % blocks_of[kv[1][1]]),
                                  (kv[0], kv[1][0])))
    # A cartesian product has the product of its sides' partitions: one a block at most each side.
    blocks = blocks.groupByKey(min(parts, sum(blocks_of.values()))).mapValues(lambda v: sorted(v, key=lambda x: x[0]))
    wanted = {(q, i): _width(q, i, sizes) for q in sizes for i in sizes}
    found = (blocks.cartesian(blocks).filter(lambda b: wanted[(b[0][0][0], b[1][0][0])] > 0)
             .flatMap(lambda b: _search(b[0], b[1], wanted[(b[0][0][0], b[1][0][0])])))
    # Each query's lists from every index block merged, then cut to its width (a block's list is
    # wider: the float32 search's margin).
    lists = found.reduceByKey(lambda x, y: _best(x + y, len(x) + len(y)), parts).map(
        lambda kv: (kv[0], kv[1][:wanted[(kv[0][2], kv[0][1])]]))
    keep("candidates: neighbours", lists)
    tops = lists.filter(lambda kv: len(kv[1]) > 0).map(lambda kv: ((kv[0][0], kv[0][1]), _usual(kv[1])))
    hits = lists.flatMap(_hits).reduceByKey(lambda x, y: x if x[0] >= y[0] else y, parts)
    # ((a, b), (cosine, lang a, lang b)) joined with a's usual cosine in b's language, and b's in a's.
    with_a = hits.map(lambda kv: ((kv[0][0], kv[1][2]), kv)).leftOuterJoin(tops, parts).map(
        lambda kv: ((kv[1][0][0][1], kv[1][0][1][1]), (kv[1][0], kv[1][1])))
    both = with_a.leftOuterJoin(tops, parts).map(lambda kv: _margin(kv[1][0][0], kv[1][0][1], kv[1][1]))
    return both, lists


def _width(qlang: str, ilang: str, sizes: dict[str, int]) -> int:
    """How many neighbours a document keeps in a language (0: none searched), as nb.nearest."""
    same = qlang == ilang
    width = nb.K_SAME if same else nb.K_POOL
    return width if width > 0 and sizes[ilang] >= (2 if same else 1) else 0


def _search(query: tuple, index: tuple, width: int) -> list[tuple]:
    """The nearest of each query document in one index block: ``((id, index lang, query lang),
    [(cosine, id), ...])``, best first, float64 cosines (neighbours._search and _cosines)."""
    (qlang, _), qs = query
    (ilang, _), ix = index
    ids = sorted({d for d, _ in qs} | {d for d, _ in ix})
    row = {d: n for n, d in enumerate(ids)}
    vec = dict(qs) | dict(ix)
    mat = np.stack([np.asarray(vec[d], dtype=np.float32) for d in ids])
    qpos = np.asarray([row[d] for d, _ in qs], dtype=np.int64)
    ipos = np.asarray([row[d] for d, _ in ix], dtype=np.int64)
    cand, _ = nb._search(mat, qpos, ipos, width + nb.EXTRA, qlang == ilang)
    sims = nb._cosines(mat, qpos, cand)
    out = []
    for (d, _), found, cos in zip(qs, cand.tolist(), sims.tolist(), strict=True):
        pairs = [(c, ids[f]) for f, c in zip(found, cos, strict=True) if f >= 0 and np.isfinite(c)]
        out.append(((d, ilang, qlang), _best(pairs, width + nb.EXTRA)))
    return out


def _best(pairs: list[tuple[float, str]], width: int) -> list[tuple[float, str]]:
    """The ``width`` best by cosine, ties by id (neighbours._best's order)."""
    return sorted(pairs, key=lambda p: (-p[0], p[1]))[:width]


def _usual(found: list[tuple[float, str]]) -> float:
    """A document's usual cosine in a language: the mean of its MARGIN_K best (neighbours.pairs)."""
    head = [c for c, _ in found[:cp.MARGIN_K]]
    return sum(head) / len(head)


def _hits(kv: tuple) -> list[tuple]:
    """The candidates of one list: its first nb.K (the rest of a wider list is a voting pool)."""
    (q, ilang, qlang), found = kv
    out = []
    for cos, d in found[:nb.K]:
        if cos >= pipeline.TOPIC_MIN_COS:
            out.append(((q, d), (cos, qlang, ilang)) if q < d else ((d, q), (cos, ilang, qlang)))
    return out


def _margin(hit: tuple, usual_a: float | None, usual_b: float | None) -> tuple:
    (a, b), (cos, lang_a, lang_b) = hit
    # np.clip and np.round's arithmetic on a float (numpy's per call cost was most of this stage's
    # own time): rounding to 4 places is rint(x * 1e4) / 1e4 in both (round() is half to even, as rint).
    sim = min(max(float(cos), 0.0), 1.0)
    norm = ((sim if usual_a is None else usual_a) + (sim if usual_b is None else usual_b)) / 2
    margin = sim / norm if norm > 0 else 0.0
    return (a, b), (False, False, round(margin * 10_000.0) / 10_000.0, lang_a != lang_b, False, False)


# -- rare terms -------------------------------------------------------------------------------------------
def terms(feats: RDD, parts: int) -> RDD:
    """``((a, b), TERMS)`` of rare terms shared across languages (pairs._term_pairs)."""
    held = feats.flatMap(lambda kv: [(t, (kv[0], kv[1].lang)) for t in kv[1].terms])
    # Postings gathered in one shuffle, combined before it, each cut off (None) past TERMS_MAX_DF
    # documents: a common term ("2024") never gathers its millions of documents in a task.
    postings = held.combineByKey(_posting, _add_member, _add_postings, parts).filter(
        lambda kv: kv[1] is not None and len(kv[1]) >= 2).mapValues(sorted)
    shared = postings.flatMap(_posting_pairs).reduceByKey(lambda x, y: (x[0] + y[0], min(x[1], y[1])), parts).filter(
        lambda kv: kv[1][0] >= cp.TERMS_MIN_SHARED or kv[1][1] <= cp.TERMS_VERY_RARE)
    # Its score (shared terms over the rarer side's rare terms) is not read: pipeline.alignment
    # reads the sources, so the pairs need no join with each document's count.
    return shared.map(lambda kv: (kv[0], TERMS))


def _posting(member: tuple) -> list | None:
    return [member]


def _add_member(found: list | None, member: tuple) -> list | None:
    if found is None:
        return None
    found.append(member)
    return found if len(found) <= cp.TERMS_MAX_DF else None


def _add_postings(x: list | None, y: list | None) -> list | None:
    return None if x is None or y is None or len(x) + len(y) > cp.TERMS_MAX_DF else x + y


def _posting_pairs(kv: tuple) -> Iterator[tuple]:
    _, members = kv
    df = len(members)
    for i, (a, la) in enumerate(members):
        for b, lb in members[i + 1:]:
            if la != lb:
                yield (a, b), (1, df)
