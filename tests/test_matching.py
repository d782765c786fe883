"""Margin, CSLS and assignments on small hand-made matrices with exact expected outputs."""

import numpy as np
import pytest

from sourcetrace.align.matching import (
    candidate_mask,
    cosine_matrix,
    csls_scores,
    knn_mean,
    margin_scores,
    match_sentences,
    mutual_best,
    nearest,
    one_to_one,
    rerank,
)

SIM = np.array(
    [
        [0.9, 0.5, 0.1],
        [0.6, 0.8, 0.2],
        [0.3, 0.4, 0.7],
    ]
)


def test_knn_mean_rows_and_columns():
    assert knn_mean(SIM, 2, axis=1) == pytest.approx([0.7, 0.7, 0.55])
    assert knn_mean(SIM, 2, axis=0) == pytest.approx([0.75, 0.65, 0.45])


def test_margin_k2_exact():
    m = margin_scores(SIM, k=2)
    # M[i, j] = sim / ((r_src[i] + r_tgt[j]) / 2) with r_src = [.7, .7, .55], r_tgt = [.75, .65, .45]
    assert m[0, 0] == pytest.approx(0.9 / 0.725)
    assert m[1, 1] == pytest.approx(0.8 / 0.675)
    assert m[2, 2] == pytest.approx(0.7 / 0.5)
    assert m[1, 0] == pytest.approx(0.6 / 0.725)
    assert m[0, 2] == pytest.approx(0.1 / 0.575)


def test_margin_k_larger_than_matrix_is_clipped():
    # k=10 on a 3x3 matrix: every neighbourhood is the whole row/column
    m = margin_scores(SIM, k=10)
    r_src, r_tgt = SIM.mean(axis=1), SIM.mean(axis=0)
    assert np.allclose(m, SIM / ((r_src[:, None] + r_tgt[None, :]) / 2))


def test_margin_tiny_matrices():
    assert np.allclose(margin_scores(np.array([[0.42]]), k=4), [[1.0]])
    row = margin_scores(np.array([[0.8, 0.4]]), k=4)  # r_src = 0.6, r_tgt = [0.8, 0.4]
    assert np.allclose(row, [[0.8 / 0.7, 0.4 / 0.5]])
    assert margin_scores(np.zeros((0, 3))).shape == (0, 3)


def test_margin_breaks_a_hub():
    # target 0 is a hub close to every source; by raw cosine it wins row 1, by margin it does not
    # k=1: r_src = [.90, .85, .84], r_tgt = [.90, .82, .80]; M[1, 1] = .82 / .835 > M[1, 0] = .85 / .875
    sim = np.array([[0.90, 0.30, 0.20], [0.85, 0.82, 0.30], [0.84, 0.30, 0.80]])
    assert [j for _, j, _ in nearest(sim)] == [0, 0, 0]
    assert [j for _, j, _ in nearest(margin_scores(sim, k=1))] == [0, 1, 2]


def test_csls_k1_exact():
    c = csls_scores(SIM, k=1)  # 2 sim - row max - column max
    assert c[0, 0] == pytest.approx(0.0)
    assert c[1, 0] == pytest.approx(1.2 - 0.8 - 0.9)
    assert c[2, 2] == pytest.approx(0.0)


def test_one_to_one_exact_and_threshold():
    # greedy row by row would give row 0 -> 0 then row 1 -> 1 (total 1.6); optimal is 0->1, 1->0 (1.7)
    s = np.array([[0.9, 0.8], [0.9, 0.7]])
    assert one_to_one(s) == [(0, 1, 0.8), (1, 0, 0.9)]
    assert one_to_one(s, min_score=0.85) == [(1, 0, 0.9)]
    assert one_to_one(SIM) == [(0, 0, 0.9), (1, 1, 0.8), (2, 2, 0.7)]


def test_one_to_one_rectangular_and_empty():
    s = np.array([[0.1, 0.9, 0.3]])
    assert one_to_one(s) == [(0, 1, 0.9)]
    assert one_to_one(s.T) == [(1, 0, 0.9)]
    assert one_to_one(np.zeros((0, 0))) == []


def test_mutual_best_and_nearest():
    s = np.array([[0.9, 0.1, 0.0], [0.95, 0.2, 0.1], [0.1, 0.2, 0.8]])
    assert nearest(s) == [(0, 0, 0.9), (1, 0, 0.95), (2, 2, 0.8)]
    assert mutual_best(s) == [(1, 0, 0.95), (2, 2, 0.8)]
    assert mutual_best(np.zeros((0, 2))) == []


def test_match_sentences_recovers_a_permutation():
    rng = np.random.default_rng(0)
    src = rng.normal(size=(6, 16))
    perm = np.array([3, 0, 5, 1, 4, 2])
    tgt = np.empty_like(src)
    tgt[perm] = src + 0.3 * rng.normal(size=src.shape)  # source i's partner sits at perm[i]
    got = match_sentences(src, tgt)
    assert [(i, j) for i, j, _ in got] == list(enumerate(perm.tolist()))
    assert all(score > 1.0 for _, _, score in got)


def test_cosine_matrix_normalises():
    got = cosine_matrix(np.array([[3.0, 0.0]]), np.array([[0.0, 2.0], [1.0, 1.0]]))
    assert np.allclose(got, [[0.0, np.sqrt(0.5)]])


def test_candidate_mask_rows_and_columns():
    s = np.array([[0.9, 0.5, 0.1], [0.6, 0.8, 0.2], [0.3, 0.4, 0.7]])
    assert candidate_mask(s, 1).tolist() == [[True, False, False], [False, True, False], [False, False, True]]
    # top 2 of each row, plus top 2 of each column: only (0, 2) and (2, 0) stay out
    assert candidate_mask(s, 2).tolist() == [[True, True, False], [True, True, True], [False, True, True]]
    assert candidate_mask(s, 10).all()
    assert candidate_mask(np.zeros((0, 0)), 5).shape == (0, 0)


AR = ["قدّمت ليلى المال لسامي.", "أحضر سامي المال لليلى."]
EN = ["Sami brought Layla the money.", "Layla gave Sami the money."]  # EN[0] is AR[1]'s, EN[1] AR[0]'s


def test_rerank_breaks_a_name_order_tie():
    # the vectors prefer the wrong pairing by a hair; the swapped names decide
    margin = np.array([[1.00, 0.99], [0.99, 0.98]])
    assert [(i, j) for i, j, _ in one_to_one(margin)] == [(0, 0), (1, 1)]
    got = rerank(margin, AR, EN, "ar", "en", weights={"names": 0.02})
    assert got == pytest.approx(np.array([[0.98, 0.99], [0.99, 0.96]]))
    assert [(i, j) for i, j, _ in one_to_one(got)] == [(0, 1), (1, 0)]
    assert margin[0, 0] == 1.00  # input untouched


def test_rerank_bonuses_top_and_zero_weights():
    margin = np.array([[1.00, 0.99], [0.99, 0.98]])
    with_bonus = rerank(margin, AR, EN, "ar", "en", weights={"names": 0.02}, penalties_only=False)
    assert with_bonus == pytest.approx(np.array([[0.98, 1.01], [1.01, 0.96]]))
    only_best = rerank(margin, AR, EN, "ar", "en", top=1, weights={"names": 0.02})
    # top 1: rows pick (0, 0) and (1, 0), columns (0, 0) and (0, 1); (1, 1) is left as it was
    assert only_best[0, 0] == pytest.approx(0.98)
    assert only_best[1, 1] == 0.98
    assert np.array_equal(rerank(margin, AR, EN, "ar", "en", weights={"names": 0.0}), margin)
    with pytest.raises(KeyError):
        rerank(margin, AR, EN, "ar", "en", weights={"colour": 1.0})
    with pytest.raises(ValueError):
        rerank(margin, AR, EN[:1], "ar", "en")
    assert rerank(np.zeros((0, 0)), [], [], "ar", "en").shape == (0, 0)


def test_match_sentences_with_texts_uses_anchors():
    # two near-identical targets: the vectors alone pair 0-0 and 1-1, the name order 0-1 and 1-0
    src = np.array([[1.0, 0.0, 0.02], [1.0, 0.0, 0.0]])
    tgt = np.array([[1.0, 0.0, 0.02], [1.0, 0.0, 0.0]])
    src[1, 1] = tgt[1, 1] = 0.01
    assert [(i, j) for i, j, _ in match_sentences(src, tgt)] == [(0, 0), (1, 1)]
    got = match_sentences(src, tgt, src_texts=AR, tgt_texts=EN, src_lang="ar", tgt_lang="en")
    assert [(i, j) for i, j, _ in got] == [(0, 1), (1, 0)]
    # without languages, the texts are ignored
    assert match_sentences(src, tgt, src_texts=AR, tgt_texts=EN) == match_sentences(src, tgt)
