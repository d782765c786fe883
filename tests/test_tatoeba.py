"""The product's matcher on Tatoeba ara-eng (1,000 pairs, English side shuffled): >= 0.90.

The product path: default encoder, margin, anchor reranking with the texts, one-to-one.
"""

import numpy as np
import pytest

from conftest import SHARED, need_shared
from sourcetrace.align.matching import match_sentences
from sourcetrace.encode import get_encoder

pytestmark = pytest.mark.slow

CORPUS = SHARED / "corpora" / "tatoeba"


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
