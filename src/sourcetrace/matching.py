"""Cross-lingual sentence matching over similarity matrices (pure numpy / scipy functions).

Rows are source sentences, columns target sentences, ``sim[i, j]`` the cosine of their vectors.
Raw cosines are not comparable across sentences: some sentences ("hubs") are close to everything.
The margin criterion (Artetxe & Schwenk 2019, used by LASER and vecalign) rescores each pair
against the neighbourhoods of both of its sentences, and a one-to-one assignment then stops two
source sentences from claiming the same target.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

Match = tuple[int, int, float]

# Neighbourhood size of the margin. Tatoeba ara-eng is flat from k=2 to k=8; 4 is LASER's choice.
DEFAULT_K = 4


def cosine_matrix(src_vecs: np.ndarray, tgt_vecs: np.ndarray) -> np.ndarray:
    """``S[i, j] = <x_i, y_j> / (|x_i| |y_j|)``; rows already of unit norm give their dot products."""
    x = np.asarray(src_vecs, dtype=np.float32)
    y = np.asarray(tgt_vecs, dtype=np.float32)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    y = y / np.maximum(np.linalg.norm(y, axis=1, keepdims=True), 1e-12)
    return x @ y.T


def knn_mean(sim: np.ndarray, k: int, axis: int) -> np.ndarray:
    """Mean of the ``k`` largest values along ``axis`` (k is clipped to the size of that axis).

    ``axis=1`` gives, per source sentence, the mean similarity of its k nearest targets;
    ``axis=0`` the same per target sentence.
    """
    sim = np.asarray(sim, dtype=np.float64)
    n = sim.shape[axis]
    if n == 0:
        return np.zeros(sim.shape[1 - axis])
    k = max(1, min(k, n))
    top = -np.partition(-sim, k - 1, axis=axis)  # the k largest come first along axis
    top = top[:, :k] if axis == 1 else top[:k, :]
    return top.mean(axis=axis)


def margin_scores(sim: np.ndarray, k: int = DEFAULT_K) -> np.ndarray:
    """Ratio margin: ``M[i, j] = sim[i, j] / ((r_src[i] + r_tgt[j]) / 2)``.

    ``r_src[i]`` is the mean similarity of source i to its k nearest targets and ``r_tgt[j]`` that
    of target j to its k nearest sources (k clipped to the matrix size, so a 1x1 matrix scores 1).
    A value above 1 means the pair stands out from both neighbourhoods. Denominators are floored
    at a small positive number so that negative or zero neighbourhoods cannot flip signs.
    """
    sim = np.asarray(sim, dtype=np.float64)
    if sim.size == 0:
        return sim.copy()
    r_src = knn_mean(sim, k, axis=1)
    r_tgt = knn_mean(sim, k, axis=0)
    denom = (r_src[:, None] + r_tgt[None, :]) / 2.0
    return sim / np.maximum(denom, 1e-6)


def csls_scores(sim: np.ndarray, k: int = DEFAULT_K) -> np.ndarray:
    """CSLS (Conneau et al. 2018): ``C[i, j] = 2 sim[i, j] - r_src[i] - r_tgt[j]``, the difference
    form of the margin (same neighbourhood means as :func:`margin_scores`)."""
    sim = np.asarray(sim, dtype=np.float64)
    if sim.size == 0:
        return sim.copy()
    return 2.0 * sim - knn_mean(sim, k, axis=1)[:, None] - knn_mean(sim, k, axis=0)[None, :]


def nearest(scores: np.ndarray) -> list[Match]:
    """Each source row paired with its best column: ``(i, argmax_j scores[i, j], max)``."""
    scores = np.asarray(scores)
    if scores.size == 0:
        return []
    best = scores.argmax(axis=1)
    return [(i, int(j), float(scores[i, j])) for i, j in enumerate(best)]


def mutual_best(scores: np.ndarray) -> list[Match]:
    """Pairs ``(i, j)`` where j is i's best column and i is j's best row (ties: first index)."""
    scores = np.asarray(scores)
    if scores.size == 0:
        return []
    row_best = scores.argmax(axis=1)
    col_best = scores.argmax(axis=0)
    return [(i, int(j), float(scores[i, j])) for i, j in enumerate(row_best) if col_best[j] == i]


def one_to_one(scores: np.ndarray, min_score: float | None = None) -> list[Match]:
    """Best one-to-one assignment: the pairing (at most one column per row and vice versa) that
    maximises the sum of ``scores`` (Hungarian method, scipy's linear_sum_assignment), then pairs
    below ``min_score`` are dropped. Returns ``(i, j, score)`` sorted by i.

    With a non-square matrix min(n, m) pairs are made before the threshold is applied.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return []
    rows, cols = linear_sum_assignment(scores, maximize=True)
    out = [(int(i), int(j), float(scores[i, j])) for i, j in zip(rows, cols, strict=True)]
    if min_score is not None:
        out = [m for m in out if m[2] >= min_score]
    return out


def match_sentences(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    k: int = DEFAULT_K,
    min_score: float | None = None,
) -> list[Match]:
    """The matcher the product uses: cosine -> ratio margin (k neighbours) -> one-to-one.

    Vectors should come from the same encoder (``get_encoder("default")``). The score of each pair
    is its margin, so ``min_score=1.0`` keeps only pairs that beat both neighbourhoods.
    On Tatoeba ara-eng this is the best variant measured (bench/tatoeba.py).
    """
    sim = cosine_matrix(src_vecs, tgt_vecs)
    return one_to_one(margin_scores(sim, k), min_score=min_score)
