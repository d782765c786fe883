"""The product's matcher on Tatoeba ara-eng (1,000 pairs, English side shuffled): >= 0.90.

The product path: default encoder, margin, anchor reranking with the texts, one-to-one. Also
bench/tatoeba.py's count of near-ties.
"""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import SHARED, need_shared
from sourcetrace.align.matching import match_sentences, one_to_one
from sourcetrace.encode import get_encoder

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

_environ = dict(os.environ)
from tatoeba import near_ties  # noqa: E402  # the bench sets BLAS thread counts for itself on import:

os.environ.clear()  # not for the rest of the suite (a subprocess inherits them)
os.environ.update(_environ)

CORPUS = SHARED / "corpora" / "tatoeba"


def test_near_ties_count_the_settled_ones_both_ways():
    # Rows 0/1, 2/3 and 4/5 each score their swap within 0.005 of the truth; the assignment swaps
    # 0/1 (2.004 against 2.0) and keeps 2/3 and 4/5 (2.0 against 1.997).
    scores = np.full((6, 6), 0.5)
    scores[np.arange(6), np.arange(6)] = 1.0
    scores[0, 1], scores[1, 0] = 1.005, 0.999
    scores[2, 3], scores[3, 2], scores[4, 5], scores[5, 4] = 0.998, 0.999, 0.998, 0.999
    matches = one_to_one(scores)
    gold = np.arange(6)
    assert near_ties(scores, matches, gold, eps=0.01) == (2, 1, 0)
    assert near_ties(scores, matches, gold, eps=0.001) == (0, 0, 0)
    # The English side in another order: gold follows the columns, the count does not change.
    perm = np.array([2, 0, 5, 3, 1, 4])
    shuffled = scores[:, perm]
    assert near_ties(shuffled, one_to_one(shuffled), np.argsort(perm), eps=0.01) == (2, 1, 0)


@pytest.mark.slow
def test_default_matcher_on_tatoeba():
    need_shared(CORPUS / "ara-eng.ara", "the Tatoeba matcher test")
    ara = (CORPUS / "ara-eng.ara").read_text(encoding="utf-8").splitlines()
    eng = (CORPUS / "ara-eng.eng").read_text(encoding="utf-8").splitlines()
    assert len(ara) == len(eng) == 1000
    perm = np.random.default_rng(7).permutation(len(eng))
    shuffled = [eng[p] for p in perm]
    gold = np.argsort(perm)

    enc = get_encoder("default")
    matches = match_sentences(
        enc.encode(ara), enc.encode(shuffled), src_texts=ara, tgt_texts=shuffled, src_lang="ar", tgt_lang="en"
    )
    accuracy = sum(1 for i, j, _ in matches if gold[i] == j) / len(ara)
    assert accuracy >= 0.90, f"Tatoeba ara-eng accuracy {accuracy:.3f} < 0.90"
