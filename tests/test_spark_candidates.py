"""The Spark candidate stage's packed band keys (engines/spark_candidates.py): buckets found
from arrays split across partitions pair the same units as grouping every key one by one."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

pytest.importorskip("pyspark")

from sourcetrace.candidates import pairs as cp  # noqa: E402
from sourcetrace.engines.spark_candidates import _band_rows, _bucket_pairs  # noqa: E402


def _by_key(items: list[tuple[str, str, np.ndarray]], rows: int) -> set[tuple]:
    """Every unit's band keys grouped one by one, each bucket paired as the local engine pairs it."""
    buckets: dict[tuple, list] = defaultdict(list)
    for doc, lang, sigs in items:
        for n, row in enumerate(sigs):
            for band, key in enumerate(cp._band_keys(row.reshape(-1, rows)).tolist()):
                buckets[(lang, band, key)].append((doc, n))
    found = set()
    for members in buckets.values():
        members.sort()
        i, j = cp._bucket_pairs(len(members))
        found |= {(members[x], members[y]) for x, y in zip(i.tolist(), j.tolist(), strict=True)}
    return found


def _packed(items: list[tuple[str, str, np.ndarray]], rows: int, parts: int) -> set[tuple]:
    by_target: dict[int, list] = defaultdict(list)
    for chunk in (items[:7], items[7:]):  # two source partitions
        for target, arrays in _band_rows(iter(chunk), rows, parts):
            by_target[target].append((target, arrays))
    assert set(by_target) <= set(range(parts))
    return {p for rows_of in by_target.values() for p in _bucket_pairs(iter(rows_of))}


def test_packed_buckets_pair_as_one_group_by():
    rng = np.random.default_rng(5)
    shared = rng.integers(0, 2**32, size=(1, cp.QUOTE_PERM), dtype=np.uint32)  # a stock sentence
    items = []
    for n in range(20):
        sigs = rng.integers(0, 2**32, size=(3, cp.QUOTE_PERM), dtype=np.uint32)
        sigs[0] = shared[0]
        if n % 4 == 0:
            sigs[1, :cp.QUOTE_ROWS] = shared[0, :cp.QUOTE_ROWS]  # collides in the first band only
        items.append((f"doc{n:02d}", "ar" if n == 7 else "en", sigs))
    items.append(("empty", "en", np.zeros((0, cp.QUOTE_PERM), dtype=np.uint32)))
    expected = _by_key(items, cp.QUOTE_ROWS)
    assert expected == _packed(items, cp.QUOTE_ROWS, 3)
    assert (("doc00", 0), ("doc00", 1)) in expected  # two units of one document share a bucket
    assert not any("doc07" in (a[0], b[0]) for a, b in expected)  # another language, another bucket


def test_a_bucket_over_max_bucket_pairs_each_with_its_next_window():
    sig = np.arange(cp.QUOTE_PERM, dtype=np.uint32)[None, :]
    items = [(f"d{n:03d}", "en", sig) for n in range(cp.MAX_BUCKET + 10)]
    found = _packed(items, cp.QUOTE_ROWS, 4)
    assert found == _by_key(items, cp.QUOTE_ROWS)
    assert (("d000", 0), ("d001", 0)) in found and (("d000", 0), (f"d{cp.BUCKET_WINDOW + 1:03d}", 0)) not in found
