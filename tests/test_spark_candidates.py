"""The Spark candidate stage's packed band keys (engines/spark_candidates.py): buckets found
from arrays split across partitions pair the same units as grouping every key one by one, and
keep the pairs whose signatures agree enough, with their Jaccard."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

pytest.importorskip("pyspark")

from sourcetrace.candidates import pairs as cp  # noqa: E402
from sourcetrace.candidates import votes  # noqa: E402
from sourcetrace.candidates.pairs import DocFeatures  # noqa: E402
from sourcetrace.engines.spark_candidates import (  # noqa: E402
    MINHASH,
    _add_partner,
    _ballots,
    _band_rows,
    _bucket_pairs,
    _how,
    _merge,
    _partner,
    _shares,
    _unit_says,
    chosen_evidence,
)


def _by_key(items: list[tuple[str, str, np.ndarray]], rows: int, min_jaccard: float) -> set[tuple]:
    """Every unit's band keys grouped one by one, each bucket paired as the local engine pairs it,
    pairs of two documents checked one by one."""
    buckets: dict[tuple, list] = defaultdict(list)
    sig = {}
    for doc, lang, sigs in items:
        for n, row in enumerate(sigs):
            sig[(doc, n)] = row
            for band, key in enumerate(cp._band_keys(row.reshape(-1, rows)).tolist()):
                buckets[(lang, band, key)].append((doc, n))
    found = set()
    for members in buckets.values():
        members.sort()
        i, j = cp._bucket_pairs(len(members))
        for x, y in zip(i.tolist(), j.tolist(), strict=True):
            a, b = members[x], members[y]
            jaccard = np.count_nonzero(sig[a] == sig[b]) / len(sig[a])
            if a[0] != b[0] and jaccard >= min_jaccard:
                found.add((a, b, jaccard))
    return found


def _packed_pairs(items: list[tuple[str, str, np.ndarray, str]], rows: int, parts: int, min_jaccard: float
                  ) -> list[tuple]:
    """Every partition's unit pairs ``((doc, n, text), (doc, n, text), Jaccard)``, a pair met in
    several partitions as often."""
    by_target: dict[int, list] = defaultdict(list)
    for chunk in (items[:7], items[7:]):  # two source partitions
        for target, arrays in _band_rows(iter(chunk), rows, parts):
            by_target[target].append((target, arrays))
    assert set(by_target) <= set(range(parts))
    found: list[tuple] = []
    for rows_of in by_target.values():
        here = list(_bucket_pairs(iter(rows_of), min_jaccard))
        assert len(here) == len(set(here)), "a pair found in several bands of one partition comes once"
        found += here
    return found


def _packed(items: list[tuple[str, str, np.ndarray]], rows: int, parts: int, min_jaccard: float) -> set[tuple]:
    found = _packed_pairs([(d, lang, sigs, f"text of {d}") for d, lang, sigs in items], rows, parts, min_jaccard)
    assert all(a[2] == f"text of {a[0]}" and b[2] == f"text of {b[0]}" for a, b, _ in found)
    return {((a[0], a[1]), (b[0], b[1]), j) for a, b, j in found}


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
    expected = _by_key(items, cp.QUOTE_ROWS, 0.0)
    assert expected == _packed(items, cp.QUOTE_ROWS, 3, 0.0)
    assert (("doc00", 0), ("doc04", 0), 1.0) in expected  # the stock sentence
    assert (("doc00", 1), ("doc04", 1), 0.0625) in expected  # its first band only: 4 of 64 positions
    assert not any("doc07" in (a[0], b[0]) for a, b, _ in expected)  # another language, another bucket
    strict = _by_key(items, cp.QUOTE_ROWS, cp.QUOTE_MIN_JACCARD)
    assert strict == _packed(items, cp.QUOTE_ROWS, 3, cp.QUOTE_MIN_JACCARD)
    assert strict and all(j >= cp.QUOTE_MIN_JACCARD for _, _, j in strict)


def test_a_bucket_over_max_bucket_pairs_each_with_its_next_window():
    sig = np.arange(cp.QUOTE_PERM, dtype=np.uint32)[None, :]
    items = [(f"d{n:03d}", "en", sig) for n in range(cp.MAX_BUCKET + 10)]
    found = _packed(items, cp.QUOTE_ROWS, 4, cp.QUOTE_MIN_JACCARD)
    assert found == _by_key(items, cp.QUOTE_ROWS, cp.QUOTE_MIN_JACCARD)
    pairs = {(a, b) for a, b, _ in found}
    assert (("d000", 0), ("d001", 0)) in pairs and (("d000", 0), (f"d{cp.BUCKET_WINDOW + 1:03d}", 0)) not in pairs


def test_quote_pairs_are_the_local_engines():
    """Document pairs sharing quotes from each unit's partners (:func:`_unit_says`, :func:`_shares`)
    are candidates/pairs.py's: two matched sentences on each side, one pair of them rare on both
    sides, copies of one text counted once."""
    rng = np.random.default_rng(11)

    def sentence() -> np.ndarray:
        return rng.integers(0, 2**32, size=cp.QUOTE_PERM, dtype=np.uint32)

    stock_a, stock_b, c, d = sentence(), sentence(), sentence(), sentence()
    feats = []
    copy_sig = rng.integers(0, 2**32, size=128, dtype=np.uint32)
    for n in range(24):
        rows = [sentence(), sentence()]
        rows += [stock_a] if n <= 21 else []  # 22 documents, two of them copies: rare (20 partner texts at most)
        rows += [stock_b] if n >= 2 else []  # 22 documents: 21 partner texts, not rare
        rows += [c] if n in (2, 3) else []
        rows += [d] if n in (22, 23) else []
        sig = copy_sig if n < 2 else rng.integers(0, 2**32, size=128, dtype=np.uint32)
        feats.append(DocFeatures(f"doc{n:02d}", "en", sig, np.stack(rows), frozenset()))
    local = set(cp._minhash_group(feats, cp.DOC_MIN_JACCARD))
    texts = {"doc00": "doc00", "doc01": "doc00"}  # the copy component, as engines/spark.py's components gives it
    items = [(f.id, f.lang, f.quote_sigs, texts.get(f.id, f.id)) for f in feats]
    partners: dict[tuple, set] = {}
    for a, b, _ in _packed_pairs(items, cp.QUOTE_ROWS, 3, cp.QUOTE_MIN_JACCARD):
        for unit, other in ((a, b), (b, a)):
            key = unit[:2]
            partners[key] = _add_partner(partners[key], other) if key in partners else _partner(other)
    said: dict[tuple, list] = defaultdict(list)
    for kv in partners.items():
        for pair, value in _unit_says(kv):
            said[pair].append(value)
    shared = {pair for pair, values in said.items() if _shares(values)}
    assert shared | {("doc00", "doc01")} == local
    assert ("doc02", "doc03") in shared and ("doc05", "doc06") in shared and ("doc22", "doc23") in shared
    assert ("doc21", "doc22") not in shared  # one sentence, not rare
    assert ("doc05", "doc21") in shared  # stock_a is rare only as copies count once
    assert ("doc05", "doc22") not in shared  # stock_b only


def test_ballots_of_a_partition_choose_what_the_local_engine_chooses():
    """Grouped by pair and kept by votes.agreed, what the partitions' ballots say (shares and
    votes in order) chooses the pairs votes.chosen does."""
    rng = np.random.default_rng(5)

    def unit(m: np.ndarray) -> np.ndarray:
        return (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float16)

    a1, a2 = unit(rng.normal(size=(8, 16))), unit(rng.normal(size=(40, 16)))
    e1 = unit(a1.astype(np.float32) + 0.05 * rng.normal(size=a1.shape))
    # e2 translates a2's sentences 0, 10, 20, 30 in order; the rest of both is unrelated.
    e2 = unit(np.concatenate([a2[i:i + 1].astype(np.float32) + 0.05 * rng.normal(size=(1, 16)) if i % 10 == 0
                              else rng.normal(size=(1, 16)) for i in range(40)]))
    # The long documents' stretches: a2's and e2's translate each other, a1's and e1's are none.
    s2 = unit(rng.normal(size=(32, 16)))
    stretches = {"a1": a1[:0], "a2": s2, "e1": e1[:0], "e2": unit(s2.astype(np.float32) + 0.05 * rng.normal(size=s2.shape))}
    # The short documents' twins: a1's and e1's translate each other.
    t1 = unit(rng.normal(size=(7, 16)))
    twins = {"a1": t1, "a2": a2[:0], "e1": unit(t1.astype(np.float32) + 0.05 * rng.normal(size=t1.shape)), "e2": e2[:0]}
    vecs = {k: (v, stretches[k], twins[k]) for k, v in {"a1": a1, "a2": a2, "e1": e1, "e2": e2}.items()}
    pools = [(("a1", "en"), ["e1", "e2"]), (("a2", "en"), ["e1", "e2"]),
             (("e1", "ar"), ["a1", "a2"]), (("e2", "ar"), ["a1", "a2"])]
    grouped: dict[tuple, list] = defaultdict(list)
    for chunk in (pools[:2], pools[2:]):  # two partitions
        for k, said in _ballots(chunk, vecs):
            grouped[k].append(said)
    spark_chosen = {k for k, v in grouped.items() if votes.agreed(v)}
    assert any(s[0] == "order" for s in grouped[("a2", "e2")])
    assert any(s[0] == votes.STRETCH + "share" for s in grouped[("a2", "e2")])
    assert [s for s in grouped[("a1", "e1")] if s[0] == votes.TWIN + "share"] == [(votes.TWIN + "share", 1.0)] * 2
    lists = [(d, lang, pool) for (d, lang), pool in pools]
    f32 = {k: (v[1] if len(v[1]) else v[0]).astype(np.float32) for k, v in vecs.items()}
    t32 = {k: (v[2] if len(v[2]) else f32[k]).astype(np.float32) for k, v in vecs.items()}  # twins, stretches, sentences
    local = votes.chosen(votes.ballots(lists, {k: v[0].astype(np.float32) for k, v in vecs.items()}),
                         votes.ballots(votes.stretched(lists, {"a2", "e2"}), f32),
                         votes.ballots(votes.twinned(lists, {"a1", "e1"}), t32))
    assert spark_chosen == local == {("a1", "e1"), ("a2", "e2")}
    # With whether each pair's ballots hold a run (votes.choices: relate reads it), as voted gives it.
    choices = votes.choices(votes.ballots(lists, {k: v[0].astype(np.float32) for k, v in vecs.items()}),
                            votes.ballots(votes.stretched(lists, {"a2", "e2"}), f32),
                            votes.ballots(votes.twinned(lists, {"a1", "e1"}), t32))
    assert {k: votes.ran(v) for k, v in grouped.items() if votes.agreed(v)} == choices


def test_a_pairs_run_of_votes_survives_the_union_of_its_evidence():
    """Chosen by votes with a run, the pair keeps the run whatever else found it (_merge), and
    its alignment comes with it (_how), as pipeline.candidates gives Pairs.ran."""
    ran, plain = chosen_evidence(True), chosen_evidence(False)
    neighbour = (False, False, 0.4, True, False, False)
    assert _how((("a", "e"), _merge(neighbour, ran))) == (("a", "e"), ("trial", True))
    assert _how((("a", "e"), _merge(plain, neighbour))) == (("a", "e"), ("trial", False))
    assert _how((("a", "b"), MINHASH)) == (("a", "b"), (True, False))


def test_a_pool_is_placed_where_its_pairs_other_ballot_is():
    """A document's pool holds its list, then the documents listing it (votes.pool); it goes where
    its document's language comes first by its document, else by its nearest member: the pair's two
    ballots then meet (votes.tallies multiplies the pair once)."""
    from sourcetrace.engines.spark_candidates import _pool, _pool_sides

    lists = [(("ar1", "en", "ar"), [(0.9, "e1"), (0.8, "e2")]), (("ar0", "en", "ar"), [(0.7, "e1")]),
             (("e2", "ar", "en"), [(0.6, "ar1")]), (("e1", "en", "en"), [(0.5, "e2")])]
    grouped: dict[tuple, list] = defaultdict(list)
    for kv in lists:
        if kv[0][1] != kv[0][2]:
            for k, v in _pool_sides(kv):
                grouped[k].append(v)
    pools = dict(_pool(kv) for kv in grouped.items())
    assert pools == {("ar1", "en", "ar1"): ["e1", "e2"], ("ar0", "en", "ar0"): ["e1"],  # "ar" < "en": by itself
                     ("e1", "ar", "ar0"): ["ar0", "ar1"],  # no list of its own: those listing it, by id
                     ("e2", "ar", "ar1"): ["ar1"]}  # listed by ar1 and listing it: once


def test_a_margin_is_rounded_as_the_local_engines_arrays_are():
    """_margin's plain float arithmetic gives candidates/neighbours.py's numpy values (np.clip, np.round)."""
    from sourcetrace.engines.spark_candidates import _margin

    rng = np.random.default_rng(3)
    cos = np.concatenate([rng.uniform(-0.2, 1.2, 5_000), (np.arange(1_000) + 0.5) / 1e4])
    usual = rng.uniform(0.0, 1.0, len(cos))
    got = [_margin((("a", "b"), (c, "en", "ar")), u, None)[1][2] for c, u in zip(cos.tolist(), usual.tolist(), strict=True)]
    sim = np.clip(cos, 0.0, 1.0)
    norm = (usual + sim) / 2
    want = np.round(np.divide(sim, norm, out=np.zeros_like(sim), where=norm > 0), 4)
    assert got == want.tolist()


def test_features_pickle_by_their_fields():
    import pickle

    from sourcetrace.candidates.pairs import DocFeatures

    f = DocFeatures("a", "en", np.arange(4, dtype=np.uint32), np.ones((2, cp.QUOTE_PERM), dtype=np.uint32),
                    frozenset({"2024", "name:x"}))
    data = pickle.dumps(f, 5)
    assert b"__dict__" not in data and b"quote_sigs" not in data  # its fields, not its state by name
    g = pickle.loads(data)
    assert (g.id, g.lang, g.terms) == (f.id, f.lang, f.terms)
    assert np.array_equal(g.doc_sig, f.doc_sig) and np.array_equal(g.quote_sigs, f.quote_sigs)
