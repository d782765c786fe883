"""Nearest documents by topic vector, and reusing a former run's lists."""

import faiss
import numpy as np
import pytest

from sourcetrace.candidates import neighbours as nb


def _vectors(n: int, seed: int = 0, dim: int = 16) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    mat = rng.normal(size=(n, dim)).astype(np.float32)
    mat /= np.linalg.norm(mat, axis=1, keepdims=True)
    return {f"d{i:04d}": mat[i] for i in range(n)}


def _langs(vectors: dict[str, np.ndarray]) -> dict[str, str]:
    return {d: ("ar" if i % 3 == 0 else "en") for i, d in enumerate(sorted(vectors))}


def _brute(vectors, langs, k, k_same):
    """Every document's nearest by float64 cosine over all others, ties by id."""
    out = {}
    ids = sorted(vectors)
    for ql in sorted(set(langs.values())):
        for il in sorted(set(langs.values())):
            kk = k_same if ql == il else k
            rows = []
            for q in ids:
                if langs[q] != ql:
                    continue
                sims = [(float(np.dot(vectors[q].astype(np.float64), vectors[o].astype(np.float64))), o)
                        for o in ids if langs[o] == il and o != q]
                sims.sort(key=lambda x: (-x[0], x[1]))
                rows.append((q, [o for _, o in sims[:kk]]))
            out[(ql, il)] = rows
    return out


def _ids(found: nb.Neighbours):
    return {key: [(q, [o for o, _ in others]) for q, others in rows] for key, rows in found.rows().items()}


def test_nearest_matches_brute_force():
    vecs = _vectors(60)
    langs = _langs(vecs)
    assert _ids(nb.nearest(vecs, langs, k=5, k_same=2)) == _brute(vecs, langs, 5, 2)


@pytest.mark.parametrize("block", [7, 16, 2048])
def test_fresh_search_reads_each_block_both_ways_as_brute_force(monkeypatch: pytest.MonkeyPatch, block: int):
    """A fresh search computes each block of inner products once, for both directions (and in one
    language the blocks on and above the diagonal alone): blocks of every shape (partial ones,
    the diagonal's) give each document the nearest a brute-force search gives."""
    monkeypatch.setattr(nb, "_BLOCK", block)
    vecs = _vectors(90, seed=5)
    langs = _langs(vecs)
    assert _ids(nb.nearest(vecs, langs, k=6, k_same=3)) == _brute(vecs, langs, 6, 3)


def test_fresh_search_gives_each_direction_searched_apart_bit_for_bit(monkeypatch: pytest.MonkeyPatch):
    """The lists of a fresh search (each product read both ways) are those each direction's own
    search gives (``_search``: a rerun's, the Spark engine's), bit for bit."""
    vecs = _vectors(300, seed=4)
    langs = _langs(vecs)
    monkeypatch.setattr(nb, "_BLOCK", 64)
    both = nb.nearest(vecs, langs, k=5, k_same=2)
    monkeypatch.setattr(nb, "_searched_both", lambda *args: {})
    apart = nb.nearest(vecs, langs, k=5, k_same=2)
    monkeypatch.setattr(nb, "FEW_QUERIES", 0)
    by_faiss = nb.nearest(vecs, langs, k=5, k_same=2)
    assert both.rows() == apart.rows() == by_faiss.rows()


@pytest.mark.parametrize("few", [0.0, 1 / 16, 1.0])
def test_columns_offered_fill_heaps_as_the_turned_block_whole(monkeypatch: pytest.MonkeyPatch, few: float):
    """A block's columns offered without their values the heaps pass over (``_offer_columns``)
    leave every heap as ``addn`` over the turned block does: the same values and ids in the same
    places, bit for bit, ties (equal values, the diagonal's -inf) included, over blocks in turn;
    both ways (the turned copy whole when many enter, the filtered values when few)."""
    monkeypatch.setattr(nb, "_FEW_OFFERED", few)
    rng = np.random.default_rng(8)
    cols, k = 40, 5
    mine, theirs = nb._heaps(cols + 3, k), nb._heaps(cols + 3, k)
    for step in range(12):
        block = rng.normal(size=(30, cols)).astype(np.float32).round(1)  # rounded: many equal values
        block[rng.random(block.shape) < 0.05] = -np.inf
        if step % 4 == 3:  # a later block whose values all pass over the heaps
            block = np.minimum(block, -5.0)
        nb._offer_columns(mine, block, 3, 30 * step)
        turned = np.ascontiguousarray(block.T)
        theirs[0].addn(turned.shape[1], faiss.swig_ptr(turned), 30 * step, 3, turned.shape[0])
        assert np.array_equal(mine[1], theirs[1]) and np.array_equal(mine[2], theirs[2])
    assert (mine[2][3:] >= 0).all()  # the heaps filled


def test_many_queries_by_faiss_few_by_one_product_rank_alike(monkeypatch: pytest.MonkeyPatch):
    """A rerun's thousands of queries go to faiss, its few to one product: the lists are the same,
    bit for bit, and a rerun over either's lists answers as a fresh search."""
    vecs = _vectors(200, seed=3)
    langs = _langs(vecs)
    few = nb.nearest(vecs, langs, k=5, k_same=2)
    monkeypatch.setattr(nb, "FEW_QUERIES", 0)
    many = nb.nearest(vecs, langs, k=5, k_same=2)
    assert many.rows() == few.rows() and _ids(many) == _brute(vecs, langs, 5, 2)
    first = nb.nearest({d: v for d, v in vecs.items() if int(d[1:]) % 7}, langs, k=5, k_same=2)
    monkeypatch.setattr(nb, "FEW_QUERIES", 1024)
    assert nb.nearest(vecs, langs, k=5, k_same=2, previous=first).rows() == few.rows()


def test_grown_corpus_reuses_lists_and_answers_as_a_fresh_search():
    vecs = _vectors(200, seed=1)
    langs = _langs(vecs)
    before = {d: v for d, v in vecs.items() if int(d[1:]) % 10 != 0}  # 10% arrive later
    first = nb.nearest(before, langs)
    grown = nb.nearest(vecs, langs, previous=first)
    fresh = nb.nearest(vecs, langs)
    assert grown.rows() == fresh.rows()  # same neighbours and the same cosines, bit for bit


@pytest.mark.parametrize("share", [2, 3])
def test_lists_many_new_documents_enter_answer_as_a_fresh_search(share: int):
    """Half or a third of the corpus new, in few dimensions: many new documents come near each
    kept list (more than its length), every one is re-ranked, and the lists equal a fresh search's."""
    vecs = _vectors(300, seed=5, dim=4)
    langs = _langs(vecs)
    first = nb.nearest({d: v for d, v in vecs.items() if int(d[1:]) % share}, langs, k=4, k_same=2)
    grown = nb.nearest(vecs, langs, k=4, k_same=2, previous=first)
    assert grown.rows() == nb.nearest(vecs, langs, k=4, k_same=2).rows()
    assert _ids(grown) == _brute(vecs, langs, 4, 2)


def test_removed_or_changed_documents_are_searched_again():
    vecs = _vectors(120, seed=2)
    langs = _langs(vecs)
    first = nb.nearest(vecs, langs)
    later = dict(vecs)
    del later["d0005"]  # gone
    later["d0007"] = vecs["d0009"]  # its file read again: another vector
    later["d0011"] = -vecs["d0011"]
    again = nb.nearest(later, langs, previous=first)
    assert again.rows() == nb.nearest(later, langs).rows()
    assert all(o != "d0005" for rows in again.rows().values() for _, others in rows for o, _ in others)


def test_other_k_ignores_previous_lists():
    vecs = _vectors(50, seed=3)
    langs = _langs(vecs)
    first = nb.nearest(vecs, langs, k=2, k_same=1)
    assert nb.nearest(vecs, langs, k=4, k_same=2, previous=first).rows() == nb.nearest(
        vecs, langs, k=4, k_same=2).rows()


def test_serialization_round_trip():
    vecs = _vectors(40, seed=4)
    found = nb.nearest(vecs, _langs(vecs), k=3, k_same=2)
    back = nb.from_bytes(nb.to_bytes(found))
    assert back.rows() == found.rows()
    assert (back.k, back.k_same, back.ids) == (3, 2, found.ids)
    assert np.array_equal(back.keys, found.keys)
    empty = nb.nearest({}, {})
    assert nb.from_bytes(nb.to_bytes(empty)).ids == []


def test_pairs_and_margin():
    # Two translations stand out of a crowd of topic neighbours: their margin is well above 1.
    rng = np.random.default_rng(5)
    topic = rng.normal(size=16)
    vecs, langs = {}, {}
    for i in range(12):
        for lang in ("ar", "en"):
            v = topic + rng.normal(scale=0.6, size=16)
            vecs[f"{lang}{i:02d}"] = (v / np.linalg.norm(v)).astype(np.float32)
            langs[f"{lang}{i:02d}"] = lang
    v = vecs["en00"] + rng.normal(scale=0.05, size=16)
    vecs["ar00"] = (v / np.linalg.norm(v)).astype(np.float32)
    found = nb.nearest(vecs, langs, k=4, k_same=2)
    pairs, sims, margins = nb.pairs(found, min_cos=-1.0, margin_k=4)
    got = dict(zip(pairs, zip(sims.tolist(), margins.tolist(), strict=True), strict=True))
    assert all(a < b for a, b in pairs) and len(set(pairs)) == len(pairs)
    sim, margin = got[("ar00", "en00")]
    assert sim == pytest.approx(float(np.dot(vecs["ar00"].astype(np.float64), vecs["en00"])), abs=1e-6)
    assert margin > 1.1
    others = [m for (a, b), (_, m) in got.items() if (a, b) != ("ar00", "en00") and a[:2] != b[:2]]
    assert np.median(others) < margin
    assert nb.pairs(found, min_cos=2.0, margin_k=4)[0] == []
    # A wider list is a voting pool: only its first k neighbours are candidate pairs.
    wide = nb.nearest(vecs, langs, k=8, k_same=2)
    assert set(nb.pairs(wide, min_cos=-1.0, margin_k=4, k=4)[0]) == set(pairs)
    assert len(nb.pairs(wide, min_cos=-1.0, margin_k=4, k=8)[0]) > len(pairs)


def _clustered(n: int, seed: int, dim: int = 48) -> dict[str, np.ndarray]:
    """Unit vectors around a few centres (most of their energy in a few directions, as topic
    vectors' is), some of them repeated (equal cosines: ties broken by id)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(12, dim))
    mat = centres[rng.integers(len(centres), size=n)] + 0.35 * rng.normal(size=(n, dim))
    mat[7::13] = mat[6::13]
    mat = (mat / np.linalg.norm(mat, axis=1, keepdims=True)).astype(np.float32)
    return {f"d{i:04d}": mat[i] for i in range(n)}


@pytest.mark.parametrize("dims", [0, 3, 10, 48])
def test_pairs_skipped_by_their_bound_leave_the_lists_as_brute_force(monkeypatch: pytest.MonkeyPatch, dims: int):
    """The fresh search skips the pairs whose bound stays under their heaps' smallest kept: its
    lists are a brute-force search's, and those of every block computed whole (bit for bit), with
    the bound tight (all directions), loose, or no bound at all (0 directions: every pair reaches,
    every block falls back to its whole product)."""
    monkeypatch.setattr(nb, "_BLOCK", 16)
    monkeypatch.setattr(nb, "_DIMS", dims)
    monkeypatch.setattr(nb, "_FEW_REACHING", 1 / 2)
    vecs = _clustered(260, seed=dims)
    langs = _langs(vecs)
    reaching, ways = nb._reaching, []

    def counted(*args):
        at = reaching(*args)
        ways.append(at is None)
        return at

    monkeypatch.setattr(nb, "_reaching", counted)
    skipping = nb.nearest(vecs, langs, k=5, k_same=2)
    assert _ids(skipping) == _brute(vecs, langs, 5, 2)
    if dims == 0:
        assert all(ways)  # every block whole
    else:
        assert not all(ways)  # the first blocks whole (no bound: their heaps not full), later ones pair by pair
    monkeypatch.setattr(nb, "_reaching", lambda *args: None)
    assert skipping.rows() == nb.nearest(vecs, langs, k=5, k_same=2).rows()


@pytest.mark.parametrize("dims", [0, 2, 10, 48])
def test_bound_rows_bound_every_float32_inner_product(monkeypatch: pytest.MonkeyPatch, dims: int):
    """``_bound_rows``' products plus the slack are never under a pair's inner product, float32
    (as a block's product or pair by pair) or float64; and they are close when the directions hold
    most of the energy."""
    monkeypatch.setattr(nb, "_DIMS", dims)
    mat = np.stack(list(_clustered(300, seed=2).values()))
    bounds, slack = nb._bound_rows(mat)
    assert bounds.shape == (300, min(dims, 48) + 1) and 0 < slack < 1e-3
    top = bounds @ bounds.T + slack
    pairs = np.arange(300, dtype=np.int64)
    for j in range(0, 300, 37):  # pair by pair as the search computes those it does not skip
        got = np.empty(300, dtype=np.float32)
        cols = np.full(300, j, dtype=np.int64)
        faiss.pairwise_indexed_inner_product(48, 300, faiss.swig_ptr(mat), faiss.swig_ptr(pairs),
                                             faiss.swig_ptr(mat), faiss.swig_ptr(cols), faiss.swig_ptr(got))
        assert (got <= top[:, j]).all()
    assert (mat @ mat.T <= top).all()
    assert (mat.astype(np.float64) @ mat.T.astype(np.float64) <= top).all()
    if dims >= 48:
        assert np.abs(top - mat @ mat.T).max() < 1e-3
