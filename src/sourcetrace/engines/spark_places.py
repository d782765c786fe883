"""Where the records of a per-partition stage run on Spark: near their documents' topic neighbours.

The ballots of the sentence votes, and align, relate and fact diffs, run per partition with each
document's side sent once to every partition whose records read it (engines/spark.py,
``with_sides_local``). Spread by a hash of their key, a partition's records read documents from
all over the corpus, and each document's side goes to about as many partitions as records read
it: a ballot reads ~46 documents, so at 10,000 documents 313,000 voting sides (32 KB each) were
shuffled, 31 a document. The documents a
record reads are its document's topic neighbours, or pairs found through them, so records placed
by their document's topic cluster read mostly the same documents as their partition's others:
spherical k-means on a bounded sample of the topic vectors, fitted on the driver, each record
placed by its first document's nearest centroid (45,900 sides at 10,000 documents, 4.6 a
document). Placement changes no answer: every record still meets the sides it reads.

Memory per task stays bounded: the clusters (four per partition of the stage with most) are
packed into partitions of at most the records a hash spread gives each (a larger cluster is
split by a hash of the key), so a partition reads no more sides than before, and mostly fewer.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain

import numpy as np
from pyspark import RDD

from sourcetrace.engines.spark import KEEP, joined

SAMPLE = 20_000  # topic vectors the centroids are fitted to, at most (40 MB on the driver, whatever the corpus)
PER_CLUSTER = 20  # sampled vectors per centroid, at least
ROUNDS = 6  # k-means rounds (placement, not answers, depends on them)
SEED = 7
CLUSTERS_PER_PARTITION = 4  # clusters a partition holds on average: smaller ones split less often


def centroids(sample: np.ndarray, k: int, rounds: int = ROUNDS, seed: int = SEED) -> np.ndarray:
    """``k`` unit centroids of the rows of ``sample`` by spherical k-means (cosine), at most one
    per :data:`PER_CLUSTER` rows; deterministic for a given sample."""
    x = _unit(np.asarray(sample, dtype=np.float32))
    k = max(1, min(k, len(x) // PER_CLUSTER))
    if not len(x):
        return np.zeros((1, 1), dtype=np.float32)
    # k-means++ seeding (cosine distance): a random start puts two centroids in one group as
    # often as not, and the rounds never move one to another group.
    rng = np.random.default_rng(seed)
    chosen = [int(rng.integers(len(x)))]
    near = x @ x[chosen[0]]
    for _ in range(1, k):
        far = np.maximum(1.0 - near, 0.0).astype(np.float64) ** 2
        total = far.sum()
        nxt = int(rng.choice(len(x), p=far / total)) if total > 0 else int(rng.integers(len(x)))
        chosen.append(nxt)
        near = np.maximum(near, x @ x[nxt])
    c = x[chosen].copy()
    for _ in range(rounds):
        label = np.argmax(x @ c.T, axis=1)
        for j in range(k):
            members = x[label == j]
            if len(members):
                c[j] = _unit(members.mean(axis=0, keepdims=True))[0]
    return c


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def cluster(c: np.ndarray, vector: np.ndarray) -> int:
    """The nearest centroid of a topic vector."""
    v = np.asarray(vector, dtype=np.float32).ravel()
    return int(np.argmax(c @ v)) if c.shape[1] == len(v) else 0


def clusters_of(c: np.ndarray, items: Iterable[tuple[str, np.ndarray]]) -> Iterator[tuple[str, int]]:
    """``(id, nearest centroid)`` of ``(id, topic vector)`` items, a block of them at a time."""
    batch: list[tuple[str, np.ndarray]] = []
    for item in chain(items, [None]):
        if item is not None:
            batch.append(item)
        if batch and (item is None or len(batch) >= 2_000):
            ids = [d for d, _ in batch]
            vs = [np.asarray(v, dtype=np.float32).ravel() for _, v in batch]
            if all(len(v) == c.shape[1] for v in vs):
                yield from zip(ids, np.argmax(np.stack(vs) @ c.T, axis=1).tolist(), strict=True)
            else:
                yield from ((d, cluster(c, v)) for d, v in zip(ids, vs, strict=True))
            batch = []


def packing(sizes: Mapping[int, int], spread: int) -> tuple[dict[int, tuple[int, int]], int]:
    """``{cluster: (first partition, partitions)}`` and the number of partitions, for clusters of
    ``sizes`` records: clusters packed in order into partitions of at most the records ``spread``
    partitions by hash hold on average; a larger cluster gets partitions of its own."""
    total = sum(sizes.values())
    cap = max(1, -(-total // max(1, spread)))
    table: dict[int, tuple[int, int]] = {}
    n, filled = 0, cap  # `filled` of the open partition (n - 1); none is open yet
    for c in sorted(sizes):
        m = sizes[c]
        if m > cap:
            chunks = -(-m // cap)
            table[c] = (n, chunks)
            n += chunks
            filled = cap
        else:
            if filled + m > cap:
                n += 1
                filled = 0
            table[c] = (n - 1, 1)
            filled += m
    return table, max(1, n)


def slot(where: tuple[int, int], key: str | tuple) -> int:
    """A record's partition: its cluster's, or one of its cluster's by a hash of its key (crc32,
    the same in every process)."""
    first, chunks = where
    if chunks == 1:
        return first
    text = key if isinstance(key, str) else "\x1f".join(key)
    return first + zlib.crc32(text.encode("utf-8")) % chunks


class TopicPlaces:
    """The topic clusters of a corpus' documents and the placement of records by them."""

    def __init__(self, topics: RDD, n_docs: int, clusters: int, parts: int) -> None:
        """``topics``: ``(id, vector)`` partitioned by id into ``parts``; ``clusters``: how many
        (at most one per PER_CLUSTER sampled vectors)."""
        sample = topics.values().takeSample(False, min(n_docs, PER_CLUSTER * clusters, SAMPLE), seed=SEED)
        fitted = centroids(np.stack(sample) if sample else np.zeros((0, 1), dtype=np.float32), clusters)
        shared = topics.context.broadcast(fitted)
        # Partitioned as the topics; computed once (a product with every centroid a document).
        self.labels = topics.mapPartitions(lambda kvs: clusters_of(shared.value, kvs), preservesPartitioning=True
                                           ).persist(KEEP)
        self.parts = parts
        self.held: list[RDD] = [self.labels]

    def place(self, keyed: RDD, doc_of: Callable[[tuple], str], spread: int) -> tuple[RDD, int]:
        """The records ``(key, value)`` as ``(partition, (key, value))`` by the cluster of their
        document ``doc_of(key)`` (a document without a topic vector: a cluster of its own), and
        the number of partitions (about ``spread`` or fewer)."""

        labelled = joined(keyed.map(lambda kv: (doc_of(kv[0]), kv)), self.labels, self.parts, "leftOuterJoin").map(
            lambda kv: (-1 if kv[1][1] is None else kv[1][1], kv[1][0])).persist(KEEP)  # counted, then placed
        self.held.append(labelled)
        table, n = packing(dict(labelled.countByKey()), spread)  # a number per cluster
        return labelled.map(lambda kv: (slot(table[kv[0]], kv[1][0]), kv[1])), n

    def place_by_document(self, keyed: RDD, spread: int) -> tuple[RDD, int]:
        """The records ``(key, value)`` grouped by their key's first document, placed by its
        cluster: ``(partition, (document, [(key, value), ...]))``, and the number of partitions
        (clusters packed by the records they hold, a larger one split by document). The join
        with the clusters groups them anyway, and every pass after it then moves one record a
        document, not one a key (relate: ~14 candidate pairs a document)."""
        grouped = joined(keyed.map(lambda kv: (kv[0][0], kv)), self.labels, self.parts, "cogroup").flatMap(
            lambda kv: [(next(iter(kv[1][1]), -1), (kv[0], list(kv[1][0])))] if len(kv[1][0]) else []).persist(KEEP)
        self.held.append(grouped)
        sizes = grouped.aggregate({}, lambda c, t: _added(c, {t[0]: len(t[1][1])}), _added)
        table, n = packing(sizes, spread)
        return grouped.map(lambda t: (slot(table[t[0]], t[1][0]), t[1])), n

    def release(self) -> None:
        for rdd in self.held:
            rdd.unpersist()
        self.held.clear()


def _added(into: dict[int, int], more: Mapping[int, int]) -> dict[int, int]:
    """Counts by cluster added up (``into`` changed and returned)."""
    for c, n in more.items():
        into[c] = into.get(c, 0) + n
    return into
