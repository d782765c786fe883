"""Cross-lingual sentence matching over similarity matrices (pure numpy / scipy functions).

Rows are source sentences, columns target sentences, ``sim[i, j]`` the cosine of their vectors.
Raw cosines are not comparable across sentences: some sentences ("hubs") are close to everything.
The margin criterion (Artetxe & Schwenk 2019, used by LASER and vecalign) rescores each pair
against the neighbourhoods of both of its sentences, and a one-to-one assignment then stops two
source sentences from claiming the same target.

Near-duplicate targets ("Sami gave Layla the money" / "Layla gave Sami the money") get almost the
same margin; :func:`rerank` adds weighted surface cues (names and their order, numbers,
negation, question marks, a plural cue: :mod:`sourcetrace.align.cues`) to the few best candidates of
each sentence, and :func:`match_sentences` uses it when given the texts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sourcetrace.align.cues import FEATURES

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


def _floats(x: np.ndarray) -> np.ndarray:
    """float32 stays float32 (a 5,000 x 5,000 matrix: half the memory, twice the speed), other
    inputs become float64."""
    x = np.asarray(x)
    return x if x.dtype in (np.float32, np.float64) else x.astype(np.float64)


def knn_mean(sim: np.ndarray, k: int, axis: int) -> np.ndarray:
    """Mean of the ``k`` largest values along ``axis`` (k is clipped to the size of that axis).

    ``axis=1`` gives, per source sentence, the mean similarity of its k nearest targets;
    ``axis=0`` the same per target sentence.
    """
    sim = _floats(sim)
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
    sim = _floats(sim)
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
    # imported here: scipy.optimize is ~0.16 CPU s of a start, and only aligning processes call this
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(scores, maximize=True)
    out = [(int(i), int(j), float(scores[i, j])) for i, j in zip(rows, cols, strict=True)]
    if min_score is not None:
        out = [m for m in out if m[2] >= min_score]
    return out


# Cue weights, chosen by a grid sweep on the first half of Tatoeba ara-eng (bench/tatoeba.py
# prints it, and the held-out second half; ties go to the smallest total weight). Margins of rival
# near-duplicates differ by ~0.01-0.05. Only the name order measured useful (first half 0.920 ->
# 0.924 at 0.01 or 0.02, second half 0.968 unchanged); numbers, negation and question marks were
# neutral or slightly harmful there, the plural cue harmful, so they default to 0.
DEFAULT_CUE_WEIGHTS: dict[str, float] = {"names": 0.01}
# How many best candidates per row and per column are rescored.
DEFAULT_TOP = 5


def candidate_mask(scores: np.ndarray, top: int = DEFAULT_TOP) -> np.ndarray:
    """Boolean mask of the pairs among the ``top`` best of their row or of their column."""
    scores = np.asarray(scores)
    mask = np.zeros(scores.shape, dtype=bool)
    if scores.size == 0 or top <= 0:
        return mask
    n, m = scores.shape
    kr, kc = min(top, m), min(top, n)
    rows = np.argpartition(-scores, kr - 1, axis=1)[:, :kr]
    mask[np.arange(n)[:, None], rows] = True
    cols = np.argpartition(-scores, kc - 1, axis=0)[:kc, :]
    mask[cols, np.arange(m)[None, :]] = True
    return mask


def rerank(
    scores: np.ndarray,
    src_texts: Sequence[str],
    tgt_texts: Sequence[str],
    src_lang: str,
    tgt_lang: str,
    top: int = DEFAULT_TOP,
    weights: Mapping[str, float] | None = None,
    penalties_only: bool = True,
) -> np.ndarray:
    """``scores`` plus weighted cue scores for each row's and each column's ``top`` candidates.

    ``weights`` maps feature names of :data:`sourcetrace.align.cues.FEATURES` to weights (default
    :data:`DEFAULT_CUE_WEIGHTS`; unknown names raise KeyError, zero weights are skipped).
    Every cue is in [-1, 1] and 0 without evidence; pairs outside the candidate set keep
    their score. With ``penalties_only`` (the default) only disagreements (negative cues) are
    added: a bonus would reach the candidates but not a true pair ranked just outside the top
    of its row and column, and on Tatoeba that pushed such pairs out (first half 0.920 -> 0.906
    with bonuses, 0.924 without). Returns a new float64 array.
    """
    out = np.array(scores, dtype=np.float64, copy=True)
    if out.size == 0:
        return out
    if out.shape != (len(src_texts), len(tgt_texts)):
        raise ValueError(f"scores {out.shape} do not match {len(src_texts)} x {len(tgt_texts)} texts")
    w = dict(DEFAULT_CUE_WEIGHTS if weights is None else weights)
    feats = [(FEATURES[name], wt) for name, wt in w.items() if wt]
    if not feats:
        return out
    for i, j in zip(*np.nonzero(candidate_mask(out, top)), strict=True):
        a, b = src_texts[i], tgt_texts[j]
        vals = (wt * f(a, b, src_lang, tgt_lang) for f, wt in feats)
        out[i, j] += sum(min(v, 0.0) for v in vals) if penalties_only else sum(vals)
    return out


def match_sentences(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    k: int = DEFAULT_K,
    min_score: float | None = None,
    src_texts: Sequence[str] | None = None,
    tgt_texts: Sequence[str] | None = None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    weights: Mapping[str, float] | None = None,
    top: int = DEFAULT_TOP,
) -> list[Match]:
    """The matcher the product uses: cosine -> ratio margin (k neighbours) -> [cues] -> one-to-one.

    Vectors should come from the same encoder (``get_encoder("default")``). The score of each pair
    is its margin, so ``min_score=1.0`` keeps only pairs that beat both neighbourhoods. When the
    texts and languages of both sides are given, the margins of each sentence's ``top`` candidates
    are reranked with cue features first (:func:`rerank`; the pair's score then includes its
    cue bonus or penalty). On Tatoeba ara-eng this is the best variant measured
    (bench/tatoeba.py).
    """
    scores = margin_scores(cosine_matrix(src_vecs, tgt_vecs), k)
    if src_texts is not None and tgt_texts is not None and src_lang and tgt_lang:
        scores = rerank(scores, src_texts, tgt_texts, src_lang, tgt_lang, top=top, weights=weights)
    return one_to_one(scores, min_score=min_score)
