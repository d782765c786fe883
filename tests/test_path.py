"""The best path of beads (sourcetrace.align.path) on vectors built so the right answer is known:
unit i of one side translates unit i of the other, blurred by noise."""

from __future__ import annotations

import numpy as np

from sourcetrace.align.beads import unit_vectors
from sourcetrace.align.path import bead_pairs, best_path, runs

DIM = 256


def _meanings(n: int, seed: int = 0) -> np.ndarray:
    return unit_vectors(np.random.default_rng(seed).normal(size=(n, DIM)))


def _blur(v: np.ndarray, noise: float, seed: int) -> np.ndarray:
    return unit_vectors(v + noise * _meanings(len(v), seed))


def _path(va, vb, len_a=None, len_b=None, open_a=None, open_b=None, num_a=None, num_b=None):
    n, m = len(va), len(vb)
    return best_path(va @ vb.T, va, vb, len_a or [40] * n, len_b or [40] * m, open_a or [True] * n,
                     open_b or [True] * m, num_a, num_b)


def test_a_translation_in_order_is_one_run_of_one_to_one_beads():
    va = _meanings(40)
    vb = _blur(va, 1.2, seed=1)  # true pairs' cosine about 0.64, unrelated ones near 0
    beads = _path(va, vb)
    assert len(runs(beads)) == 1
    assert bead_pairs(beads) == {(k, k) for k in range(40)}


def test_a_sentence_cut_in_several_on_one_side_is_one_bead():
    meanings = _meanings(6)
    noise = _meanings(3, 9)
    # b says meaning 2 in three sentences (parts of its vector), so b has 8 units
    parts = unit_vectors(np.stack([meanings[2] + 0.8 * noise[0], meanings[2] + 0.8 * noise[1],
                                   meanings[2] + 0.8 * noise[2]]))
    vb = np.concatenate([meanings[:2], parts, meanings[3:]])
    beads = _path(meanings, vb, len_a=[40, 40, 120, 40, 40, 40], len_b=[40] * 8)
    assert [(list(b.a), list(b.b)) for b in beads if len(b.b) > 1] == [([2], [2, 3, 4])]
    assert len(runs(beads)) == 1


def test_blocks_of_a_reordered_text_are_runs_each_starting_with_a_jump():
    va = _meanings(30, 4)
    order = [*range(12, 18), *range(0, 6), *range(24, 30)]  # b keeps three blocks, reordered
    vb = _blur(va[order], 0.8, seed=5)
    beads = _path(vb, va)
    assert bead_pairs(beads) == {(k, j) for k, j in enumerate(order)}
    assert [r[0].b.start for r in runs(beads)] == [12, 0, 24]


def test_a_lone_weak_pair_does_not_pay_for_its_jump():
    va = _meanings(20, 6)
    vb = _meanings(20, 7)  # unrelated texts ...
    vb[10:16] = _blur(va[10:16], 0.8, seed=12)  # ... that share a block in order
    vb[2] = unit_vectors(va[3:4] + 3.0 * _meanings(1, 8))[0]  # and one weak echo (cosine about 0.3)
    out = bead_pairs(_path(va, vb))
    assert {(k, k) for k in range(10, 16)} <= out
    assert (3, 2) not in out


def test_numbers_that_differ_on_both_sides_and_closed_units_forbid_a_bead():
    va = _meanings(8, 10)
    vb = _blur(va, 0.5, seed=11)
    nums_a = [frozenset()] * 8
    nums_b = [frozenset()] * 8
    nums_a[3], nums_b[3] = frozenset({"2019"}), frozenset({"2020"})
    out = bead_pairs(_path(va, vb, num_a=nums_a, num_b=nums_b))
    assert not any(i == 3 and j == 3 for i, j in out)
    assert {(k, k) for k in range(8) if k != 3} <= out
    closed = [True] * 8
    closed[5] = False
    assert not any(i == 5 for i, _ in bead_pairs(_path(va, vb, open_a=closed)))
