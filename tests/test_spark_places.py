"""Placement by topic (engines/spark_places.py): close topic vectors share a cluster, clusters are
packed into partitions no larger than a hash spread's, and every record is placed once, with the
records of one key together."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

pytest.importorskip("pyspark")

from sourcetrace.engines.spark_places import PER_CLUSTER, centroids, cluster, packing, slot  # noqa: E402


def _groups(n_groups: int, per: int, dim: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Vectors in tight groups around random directions, and each vector's group."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_groups, dim))
    group = np.repeat(np.arange(n_groups), per)
    return centres[group] + 0.01 * rng.normal(size=(len(group), dim)), group


def test_close_vectors_share_a_cluster_and_far_ones_do_not():
    x, group = _groups(4, 30)
    c = centroids(x, 4)
    label = np.asarray([cluster(c, v) for v in x])
    for g in range(4):
        assert len(set(label[group == g].tolist())) == 1
    assert len(set(label.tolist())) == 4
    assert np.array_equal(c, centroids(x, 4)), "fitted the same way every time"


def test_centroids_are_no_more_than_the_sample_supports():
    x, _ = _groups(2, PER_CLUSTER)
    assert len(centroids(x, 10)) == 2
    assert len(centroids(np.zeros((0, 16)), 3)) == 1


def test_packing_keeps_partitions_at_a_hash_spreads_size():
    sizes = {0: 5, 1: 40, 2: 7, 3: 3, 4: 12, -1: 1}
    table, n = packing(sizes, 4)
    cap = -(-sum(sizes.values()) // 4)  # 17: what 4 partitions by hash hold on average
    load: Counter = Counter()
    for c, m in sizes.items():
        first, chunks = table[c]
        for k in range(chunks):
            load[first + k] += m / chunks
    assert set(load) == set(range(n))
    assert max(load.values()) <= cap
    assert table[1][1] == 3  # 40 records: three partitions of their own
    assert n <= 2 * 4 + 1


def test_slot_keeps_a_key_in_one_partition_of_its_cluster():
    assert slot((3, 1), ("a", "b")) == 3
    got = {slot((5, 4), (f"d{i}", "x")) for i in range(200)}
    assert got == {5, 6, 7, 8}
    assert slot((5, 4), ("d1", "x")) == slot((5, 4), ("d1", "x"))


def _placed(sc, keyed_of, place) -> tuple[list, int, np.ndarray]:
    """On Spark (``sc``, conftest's local[2]): ``place(places, rdd)`` of the records ``keyed_of(group)``
    over 160 documents in 4 tight topic groups, collected; the number of partitions; each document's group."""
    from sourcetrace.engines.spark_places import TopicPlaces

    x, group = _groups(4, 40)
    topics = sc.parallelize([(f"d{i:03d}", v) for i, v in enumerate(x)]).partitionBy(3)
    places = TopicPlaces(topics, len(x), 4, 3)
    placed, n = place(places, sc.parallelize(keyed_of(group), 2))
    got = placed.collect()
    places.release()
    return got, n, group


def _spread_by_group(where: list[tuple[int, str]], group: np.ndarray) -> int:
    """Partitions summed over the topic groups: ``where`` holds ``(partition, document)``."""
    by_group: dict[int, set] = {}
    for p, doc in where:
        if doc != "zz":
            by_group.setdefault(int(group[int(doc[1:])]), set()).add(p)
    return sum(len(ps) for ps in by_group.values())


def _pairs(group: np.ndarray, steps: tuple[int, ...]) -> list[tuple]:
    """Two records of each pair within a group (``steps`` apart), and one of a document with no vector."""
    return [((f"d{i:03d}", f"d{i + k:03d}"), n) for i in range(0, 160 - max(steps)) for k in steps
            if group[i] == group[i + k] for n in (0, 1)] + [(("zz", "d000"), 0)]


@pytest.mark.slow
def test_records_placed_by_their_documents_cluster(spark_sc):
    """On Spark: each record once, those of one key together, and the records of documents in one
    tight topic group in few partitions (a hash spreads them over all)."""
    got, n, group = _placed(spark_sc, lambda group: _pairs(group, (1,)),
                            lambda places, rdd: places.place(rdd, lambda key: key[0], 4))
    assert sorted(kv for _, kv in got) == sorted(_pairs(group, (1,)))
    assert all(0 <= p < n for p, _ in got)
    where: dict[tuple, set] = {}
    for p, (key, _) in got:
        where.setdefault(key, set()).add(p)
    assert all(len(ps) == 1 for ps in where.values())
    assert _spread_by_group([(p, key[0]) for p, (key, _) in got], group) <= 4 + 4  # a group in one or two partitions


@pytest.mark.slow
def test_records_placed_as_one_group_per_first_document(spark_sc):
    """On Spark: every record once, in its first document's group (one record a document), the
    groups of one tight topic group in few partitions."""
    got, n, group = _placed(spark_sc, lambda group: _pairs(group, (1, 2)),
                            lambda places, rdd: places.place_by_document(rdd, 4))
    assert sorted(kv for _, (_, kvs) in got for kv in kvs) == sorted(_pairs(group, (1, 2)))
    assert all(0 <= p < n for p, _ in got)
    assert all(key[0] == doc for _, (doc, kvs) in got for key, _ in kvs)
    assert len({doc for _, (doc, _) in got}) == len(got)  # one group a document
    assert _spread_by_group([(p, doc) for p, (doc, _) in got], group) <= 4 + 4  # a group in one or two partitions
