"""Ordered runs, gap filling and merged beads (sourcetrace.align.beads) on vectors built so the
right answer is known: unit i of one side translates unit i of the other, blurred by noise."""

from __future__ import annotations

import numpy as np

from sourcetrace.align import beads
from sourcetrace.align.beads import (
    extend,
    fill_gaps,
    grow_diagonal,
    in_order_share,
    ordered_anchors,
    unit_vectors,
)
from sourcetrace.align.matching import margin_scores

DIM = 256


def _meanings(n: int, seed: int = 0) -> np.ndarray:
    return unit_vectors(np.random.default_rng(seed).normal(size=(n, DIM)))


def _blur(v: np.ndarray, noise: float, seed: int) -> np.ndarray:
    """The same meanings through a weak encoder: cosines with the original near 1/sqrt(1+noise^2)."""
    return unit_vectors(v + noise * _meanings(len(v), seed))


def _fill(pairs, va, vb, n=None, m=None):
    n, m = n or len(va), m or len(vb)
    sim = va @ vb.T
    return fill_gaps(set(pairs), va, vb, [40] * n, [40] * m, [False] * n, [False] * m,
                     level=float(np.quantile(sim, 0.5)))


def test_units_between_ordered_pairs_are_taken_though_their_cosine_is_low():
    va = _meanings(10)
    vb = _blur(va, 1.3, seed=1)  # true pairs' cosine about 0.6, unrelated ones near 0
    out = _fill({(0, 0), (4, 4), (9, 9)}, va, vb)
    assert {(k, k) for k in range(10)} <= out
    assert len(out) == 10


def test_a_gap_follows_the_order_between_its_anchors():
    va = _meanings(6)
    vb = va.copy()
    vb[[2, 3]] = vb[[3, 2]]  # b swapped two sentences: they stay in order as one 2-2 bead
    out = _fill({(0, 0), (5, 5)}, va, vb)
    assert out == {(0, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (4, 4), (5, 5)}
    vb = va.copy()
    vb[[1, 4]] = vb[[4, 1]]  # far apart, a swap is two units each with no partner in order
    out = _fill({(0, 0), (5, 5)}, va, vb)
    assert not {(1, 4), (4, 1)} <= out


def test_a_lone_pair_fills_nothing_and_a_step_back_opens_no_gap():
    va = _meanings(8)
    vb = _blur(va, 1.0, seed=2)
    assert _fill({(3, 3)}, va, vb) == {(3, 3)}  # edges are filled only next to a run
    # (2, 6) then (5, 1): the next block of a reordered text, not a gap
    assert _fill({(2, 6), (5, 1)}, va, vb) == {(2, 6), (5, 1)}


def test_a_unit_with_a_strong_partner_elsewhere_is_not_placed_in_a_gap():
    va = _meanings(5)
    vb = va.copy()
    sim = va @ vb.T
    strong_a = [False, False, True, False, False]
    out = fill_gaps({(0, 0), (4, 4)}, va, vb, [40] * 5, [40] * 5, strong_a, [False] * 5,
                    level=float(np.quantile(sim, 0.5)))
    assert (1, 1) in out and (3, 3) in out and not any(i == 2 for i, _ in out)


def test_a_sentence_cut_in_two_on_one_side_is_a_two_to_one_bead():
    meanings = _meanings(6)
    # b says meaning 2 in two sentences (halves of its vector), so b has 7 units
    halves = unit_vectors(np.stack([meanings[2] + 0.6 * _meanings(1, 9)[0], meanings[2] - 0.6 * _meanings(1, 9)[0]]))
    vb = np.concatenate([meanings[:2], halves, meanings[3:]])
    va = meanings
    lens_a, lens_b = [40, 40, 80, 40, 40, 40], [40, 40, 40, 40, 40, 40, 40]
    sim = va @ vb.T
    gap = fill_gaps({(0, 0), (1, 1), (3, 4), (4, 5)}, va, vb, lens_a, lens_b, [False] * 6, [False] * 7,
                    level=float(np.quantile(sim, 0.5)))
    assert {(2, 2), (2, 3)} <= gap  # both halves, one bead
    # next to an aligned unit, a half alone is extended by the other half
    ext = extend({(0, 0), (1, 1), (2, 2), (3, 4)}, va, vb, lens_a, lens_b, [False] * 6, [False] * 7)
    assert (2, 3) in ext
    # but a unit does not join a partner it does not help (different meanings)
    assert (4, 4) not in extend({(3, 4), (4, 5)}, va, vb, lens_a, lens_b, [False] * 6, [False] * 7)


def test_mutual_best_pairs_are_anchors_only_in_an_ordered_run():
    va = _meanings(12)
    vb = _blur(va, 1.0, seed=3)
    sim = va @ vb.T
    margin = margin_scores(sim, k=4)
    free = [True] * 12
    runs = ordered_anchors(sim, margin, free, free, set())
    assert runs and all(i == j for i, j in runs)
    # one mutual best pair far from any other is no run
    lone = np.full((12, 12), 0.1)
    lone[5, 7] = 0.9
    lone[0, 11] = 0.8
    assert ordered_anchors(lone, margin_scores(lone, k=4), free, free, set()) == set()


def test_a_lone_mutual_best_pair_counts_once_the_texts_share_a_run_unless_it_crosses_it():
    lone = np.full((20, 20), 0.1)
    lone[15, 3] = 0.9  # a block of a reordered translation, alone on its diagonal
    lone[5, 17] = 0.9  # inside the ordered stretch below, it cuts across its order
    free = [True] * 20
    margin = margin_scores(lone, k=4)
    assert ordered_anchors(lone, margin, free, free, set()) == set()  # nothing shared yet
    run = {(2, 12), (4, 14), (6, 16), (8, 18)}  # pairs already chosen, in order
    found = ordered_anchors(lone, margin, free, free, run)
    assert (15, 3) in found and (5, 17) not in found


def test_three_weak_pairs_in_order_stand_out_together():
    rng = np.random.default_rng(5)
    margin = rng.uniform(0.3, 1.0, size=(12, 12))
    for k in range(3):
        margin[4 + k, 7 + k] = 1.25  # a block of three translated in order, each alone unremarkable
    score = margin.copy()
    score[4:7, :] = 0.0  # not the best of their rows by score: no mutual best run
    score[4, 7], score[5, 8], score[6, 9] = 0.05, 0.05, 0.05
    free = [True] * 12
    found = ordered_anchors(score, margin, free, free, set())
    assert (5, 8) in found
    # the same values scattered off the diagonal are no run
    scattered = rng.uniform(0.3, 1.0, size=(12, 12))
    scattered[4, 7], scattered[5, 2], scattered[6, 11] = 1.25, 1.25, 1.25
    assert not {(4, 7), (5, 2), (6, 11)} & ordered_anchors(scattered, scattered, free, free, set())


def test_a_bead_whose_numbers_differ_on_both_sides_is_contradicted():
    va = _meanings(5)
    vb = _blur(va, 0.5, seed=4)
    sim = va @ vb.T
    nums_a = [frozenset(), frozenset({"232"}), frozenset({"15", "2017"}), frozenset(), frozenset()]
    nums_b = [frozenset(), frozenset({"232", "2017"}), frozenset({"5", "2017"}), frozenset(), frozenset()]
    out = fill_gaps({(0, 0), (4, 4)}, va, vb, [40] * 5, [40] * 5, [False] * 5, [False] * 5,
                    float(np.quantile(sim, 0.5)), nums_a, nums_b)
    assert (1, 1) in out  # b adds a year: a translation may make a date explicit
    assert (2, 2) not in out  # the 15th against the 5th: the same frame about another day
    assert (3, 3) in out


def test_sentences_on_one_side_between_neighbouring_partners_join_the_bead_they_fit():
    meanings = _meanings(6)
    # b says meaning 2 in four sentences, each a weak echo of it: a long verse that the
    # translation cut into four sentences; a's verse is as long as the four together
    parts = unit_vectors(np.stack([meanings[2] + 1.2 * _meanings(4, 11)[k] for k in range(4)]))
    vb = np.concatenate([meanings[:3], parts[1:], meanings[3:]])  # (2, 2) holds the first part
    vb[2] = parts[0]
    va = meanings
    lens_a = [40, 40, 160, 40, 40, 40]
    lens_b = [40, 40, 40, 40, 40, 40, 40, 40, 40]
    sim = va @ vb.T
    level = float(np.quantile(sim, 0.5))
    found = {(0, 0), (1, 1), (2, 2), (3, 6), (4, 7), (5, 8)}
    out = fill_gaps(found, va, vb, lens_a, lens_b, [False] * 6, [False] * 9, level=level)
    assert {(2, 3), (2, 4), (2, 5)} <= out
    # a's verse as short as one sentence: the bead would be four times too long, and stays one
    short = fill_gaps(found, va, vb, [40] * 6, lens_b, [False] * 6, [False] * 9, level=level)
    assert short == found


def test_a_long_gap_is_filled_when_both_sides_hold_as_many_units():
    va = _meanings(26)
    vb = _blur(va, 1.0, seed=6)
    out = _fill({(0, 0), (1, 1), (2, 2), (23, 23), (24, 24), (25, 25)}, va, vb)
    assert len({(k, k) for k in range(3, 23)} & out) >= 18  # 20 units a side, in order
    # as long, but one side holds five more units: no evidence of order
    vb2 = np.concatenate([vb[:23], _meanings(5, 7), vb[23:]])
    out = _fill({(0, 0), (1, 1), (2, 2), (23, 28), (24, 29), (25, 30)}, va, vb2)
    assert out == {(0, 0), (1, 1), (2, 2), (23, 28), (24, 29), (25, 30)}


def test_a_lone_unit_in_a_gap_takes_the_sentences_it_was_cut_into():
    meanings = _meanings(6)
    # b says meaning 2 in four weak sentences; a's unit 2, four times as long, lies alone in the gap
    parts = unit_vectors(np.stack([meanings[2] + 2.5 * _meanings(4, 12)[k] for k in range(4)]))
    topic = 0.6 * _meanings(1, 13)[0]  # one subject throughout: unrelated units score well over 0
    vb = unit_vectors(np.concatenate([meanings[:2], parts, meanings[3:]]) + topic)
    va = unit_vectors(meanings + topic)
    lens_a = [40, 40, 160, 40, 40, 40]
    lens_b = [40] * 9
    sim = va @ vb.T
    found = {(0, 0), (1, 1), (3, 6), (4, 7), (5, 8)}
    out = fill_gaps(found, va, vb, lens_a, lens_b, [False] * 6, [False] * 9, level=float(np.quantile(sim, 0.5)))
    assert {(2, 2), (2, 3), (2, 4), (2, 5)} <= out


def test_pairs_grow_along_their_diagonal_only_in_a_text_that_keeps_its_order():
    margin = np.full((10, 10), 0.2)
    for k in range(10):
        margin[k, k] = 0.6  # each pair of the translation stands out a little
    ok = [True] * 10
    in_order = {(2, 2), (3, 3), (7, 7)}
    assert in_order_share(in_order) == 1.0
    assert grow_diagonal(in_order, margin, ok, ok) == {(k, k) for k in range(10)}
    # blocks moved about: the next pair on a diagonal may be another block's
    shuffled = {(0, 6), (1, 7), (5, 0), (6, 1), (8, 3)}
    assert in_order_share(shuffled) < 0.8
    assert grow_diagonal(shuffled, margin, ok, ok) == shuffled
    # a unit with a strong partner elsewhere stops the growth
    closed = [k != 5 for k in range(10)]
    assert (5, 5) not in grow_diagonal(in_order, margin, closed, ok)


def test_a_reordered_block_grows_at_its_edge_only_to_each_units_best_free_partner():
    # `a` keeps b's verses 6-8, 0-2 and 9-11 in that order (3-5 dropped); the search found every
    # pair but the second block's first, (3, 0): a block's edge, with one found neighbour only
    blocks = [6, 7, 8, 0, 1, 2, 9, 10, 11]
    va = _meanings(12, seed=1)[blocks]
    vb = _meanings(12, seed=1)
    sim = _blur(va, 1.2, seed=2) @ _blur(vb, 1.2, seed=3).T
    margin = margin_scores(sim, k=4)
    found = {(i, j) for i, j in enumerate(blocks) if i != 3}
    ok_a, ok_b = [True] * 9, [True] * 12
    assert in_order_share(found) < 0.8
    assert grow_diagonal(found, margin, ok_a, ok_b) == found  # no cosines: no growth in a reordered text
    assert grow_diagonal(found, margin, ok_a, ok_b, sim=sim) == found | {(3, 0)}
    # a better partner among the free units (a dropped verse, 4) contradicts the order
    rival = sim.copy()
    rival[3, 4] = rival[3, 0] + 0.1
    assert grow_diagonal(found, margin, ok_a, ok_b, sim=rival) == found
    # ... as do numbers that differ on both sides, and a unit with a strong partner elsewhere
    numbers_a = [frozenset({"12"}) if i == 3 else frozenset() for i in range(9)]
    numbers_b = [frozenset({"40"}) if j == 0 else frozenset() for j in range(12)]
    assert grow_diagonal(found, margin, ok_a, ok_b, numbers_a, numbers_b, sim=sim) == found
    assert grow_diagonal(found, margin, [i != 3 for i in range(9)], ok_b, sim=sim) == found
    # a unit already held is not taken again: b's 0 paired elsewhere leaves (3, 0) out
    assert (3, 0) not in grow_diagonal((found - {(8, 11)}) | {(8, 0)}, margin, ok_a, ok_b, sim=sim)


def test_a_gap_pair_whose_units_both_have_nearer_partners_is_contradicted():
    from sourcetrace.align.beads import RIVALS, _unrivalled

    topics = _meanings(2, seed=7)
    # a's unit 0 and b's unit 0 are each closer to RIVALS units of the other side than to each other
    va = unit_vectors(np.vstack([topics[0] + 0.4 * topics[1]] + [topics[1] + 0.1 * _meanings(1, s)[0] for s in range(RIVALS)]))
    vb = unit_vectors(np.vstack([topics[1] + 0.4 * topics[0]] + [topics[0] + 0.1 * _meanings(1, s + 9)[0] for s in range(RIVALS)]))
    assert _unrivalled([(0, 0)], va @ vb.T) == []
    # one side without rivals: the pair stands (a verse the encoder ranks low but nothing beats twice)
    assert _unrivalled([(0, 0)], va @ vb[:1].T) == [(0, 0)]
    assert _unrivalled([], va @ vb.T) == []


def test_a_block_from_elsewhere_between_two_ordered_pairs_of_a_reordered_text_is_not_a_gap():
    topic, noise = _meanings(2, seed=3), _meanings(12, seed=4)
    # a: units 0-1 and 4-5 on their own; 2, 3, 6, 7 on one topic; 8-11 on another
    va = unit_vectors(np.vstack([noise[0:2], topic[0] + 0.5 * noise[2:4], noise[4:6],
                                 topic[0] + 0.5 * noise[6:8], topic[1] + 0.5 * noise[8:12]]))
    # b keeps 0, 1, 4, 5 in order, but between 1 and 4 it has two sentences a left out, on the
    # topic of a's 8-11 and echoing a's 2 and 3, which b gives after 8-11 (reordered)
    dropped = unit_vectors(topic[1] + 0.6 * va[2:4] + 0.3 * _meanings(2, seed=5))
    vb = np.vstack([va[0:2], dropped, va[4:6], va[8:12], va[2:4], va[6:8]])
    pairs = {(0, 0), (1, 1), (4, 4), (5, 5), (8, 6), (9, 7), (6, 12), (7, 13)}
    assert in_order_share(pairs) < 0.8
    out = _fill(pairs, va, vb)
    assert not {(2, 2), (3, 3)} & out  # each unit has nearer partners: the echo is not a gap's pair
    # in a text in order, the same gap is filled: order outweighs the rivals
    in_order = {(0, 0), (1, 1), (4, 4), (5, 5)}
    assert {(2, 2), (3, 3)} <= _fill(in_order, va, vb)


def test_in_a_reordered_text_a_neighbour_joins_a_bead_only_when_it_brings_the_length_nearer():
    va = _meanings(8, seed=11)
    vb = va.copy()
    vb[5] = unit_vectors((va[5] + 0.6 * va[6])[None, :])[0]  # b's 5 echoes a's 6 (one topic)
    lens_a, lens_b = [60] * 5 + [60, 20, 60], [50] * 8
    # in order, a short neighbour that keeps the length within the usual spread joins
    in_order = {(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (7, 7)}
    assert (6, 5) in extend(in_order, va, vb, lens_a, lens_b, [False] * 8, [False] * 8)
    # the same units in a reordered text (b's 5 now at 2): the pair's lengths already fit
    perm = [3, 4, 5, 0, 1, 2, 6, 7]  # b's unit k holds what was at perm[k]
    reordered = {(0, 3), (1, 4), (2, 5), (3, 0), (4, 1), (5, 2), (7, 7)}
    assert in_order_share(reordered) < 0.8
    assert (6, 2) not in extend(reordered, va, vb[perm], lens_a, lens_b, [False] * 8, [False] * 8)
    # ... but one that brings them nearer (a long verse's closing sentence) still does
    assert (6, 2) in extend(reordered, va, vb[perm], lens_a, [50, 50, 80, 50, 50, 50, 50, 50], [False] * 8, [False] * 8)


def test_in_a_reordered_text_the_rest_of_a_cut_verse_joins_at_a_little_cosine_when_it_is_near_its_partner(monkeypatch):
    m = _meanings(10, seed=21)
    noise = _meanings(3, seed=22)
    # a: six verses; b holds them in shuffled blocks, a's verse 0 (two meanings) cut in two sentences
    va = unit_vectors(np.vstack([m[0] + m[1], m[2:7]]))
    first = m[0] + 0.5 * m[1]
    rest = 0.7 * m[1] + 0.7 * noise[0]  # the rest of verse 0: far from the rest of a, nearest verse 0
    dropped = 0.6 * m[1] + 0.5 * m[5] + 0.5 * m[6]  # a verse a dropped, echoing verse 0: nearer a's 4 and 5
    vb = unit_vectors(np.vstack([m[4], m[5], m[6], first, rest, m[2], m[3], dropped]))
    pairs = {(3, 0), (4, 1), (5, 2), (0, 3), (1, 5), (2, 6)}
    assert in_order_share(pairs) < 0.8
    lens_a, lens_b = [100, 50, 50, 50, 50, 100], [50, 50, 50, 50, 45, 50, 50, 45]
    merged = vb[3] + vb[4]
    assert float(merged @ va[0]) / np.linalg.norm(merged) < float(vb[3] @ va[0])  # the rest costs cosine
    args = (va, vb, lens_a, lens_b, [False] * 6, [False] * 8)
    assert extend(pairs, *args) == pairs  # as before: no neighbour that lowers the cosine
    out = extend(pairs, *args, fit_weight=0.15)
    assert (0, 4) in out  # the rest of the cut verse joins its partner: the length nearer
    assert out == pairs | {(0, 4)}
    # a verse the other side dropped, next to a long verse's pair, brings the length as near at
    # a cosine the slack would pay, but two units of a are nearer to it: it stays out
    vb2 = vb.copy()
    vb2[[4, 7]] = vb[[7, 4]]
    args2 = (va, vb2, lens_a, lens_b, [False] * 6, [False] * 8)
    assert extend(pairs, *args2, fit_weight=0.15) == pairs
    monkeypatch.setattr(beads, "EXTEND_NEAREST", 3)
    assert extend(pairs, *args2, fit_weight=0.15) == pairs | {(0, 4)}
