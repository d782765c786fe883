"""Sentence votes (candidates/votes.py): a document's sentences choose its translation among its
neighbours by topic."""

from __future__ import annotations

import numpy as np

from sourcetrace.candidates import votes
from sourcetrace.candidates.neighbours import nearest


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_a_ballot_goes_to_the_neighbour_holding_most_nearest_sentences():
    rng = np.random.default_rng(3)
    own = _unit(rng.normal(size=(6, 16)))
    partner = _unit(own + 0.1 * rng.normal(size=own.shape))  # each sentence's translation
    other = _unit(rng.normal(size=(8, 16)))
    assert votes.ballot(own, [("other", other), ("partner", partner)])[:2] == ("partner", 1.0)
    # Half the sentences each way: the tie goes to the neighbour listed first (nearest by topic).
    split = [("x", partner[:3]), ("y", partner[3:])]
    assert votes.ballot(own, split)[:2] == ("x", 0.5)
    assert votes.ballot(own, [("empty", own[:0])]) is None
    assert votes.ballot(own[:0], [("partner", partner)]) is None


def test_a_sentence_near_everything_votes_for_nobody():
    """A generic line (a formula every chapter repeats) is nearest to one own sentence at most: the
    others' nearest in a neighbour is that line, which does not have them as its nearest back."""
    rng = np.random.default_rng(5)
    own = _unit(np.eye(16)[:6] + 0.05 * rng.normal(size=(6, 16)))  # six unrelated sentences
    partner = _unit(own[:2] + 0.1 * rng.normal(size=(2, 16)))  # two sentences translated
    hub = _unit(own[2:].sum(axis=0, keepdims=True))  # close to each of the four others
    # Plain votes would give the hub's document the four sentences the partner does not hold.
    assert (np.argmax(own @ np.concatenate([partner, hub]).T, axis=1) == 2).sum() == 4
    assert votes.ballot(own, [("hub", hub), ("partner", partner)])[:2] == ("partner", 2 / 6)


def test_a_pair_is_chosen_when_both_documents_choose_each_other_with_enough_of_their_sentences():
    ballots = {("a1", "en"): ("e1", 0.5, ()), ("e1", "ar"): ("a1", 0.4, ()),  # both ways
               ("a2", "en"): ("e2", 0.6, ()), ("e2", "ar"): ("a3", 0.3, ()),  # one way only
               ("a4", "en"): ("e4", 0.5, ()), ("e4", "ar"): ("a4", votes.MIN_SHARE / 2, ())}  # too few votes
    assert votes.chosen(ballots) == {("a1", "e1")}
    assert votes.agreed([("share", 0.3), ("share", votes.MIN_SHARE)])
    assert not votes.agreed([("share", 0.9)])


def test_votes_in_order_choose_a_pair_whose_shares_are_low():
    """A long translation's spread sentences seldom hold each other's translations: few votes,
    each document's share under MIN_SHARE, or one voting elsewhere. Votes between sentences at
    the same place in both documents add up across both ballots; one vote cast both ways counts once."""
    n = votes.MIN_IN_ORDER
    order = tuple(("e1", 8 * i, 8 * i + 1) for i in range(n - 1))  # a1's sentence 8i, e1's 8i+1
    ballots = {("a1", "en"): ("e9", 0.2, order),  # a1 chose another
               ("e1", "ar"): ("a1", 0.06, (("a1", 1, 0), ("a1", 25, 24)))}  # (1, 0) is a1's (0, 1) again
    assert votes.chosen(ballots) == {("a1", "e1")}
    assert votes.chosen({("e1", "ar"): ballots[("e1", "ar")], ("a1", "en"): ("e9", 0.2, order[:1])}) == set()
    # Votes between sentences at different places are chance, however many.
    assert not votes.in_order(0, 32, 31, 32) and votes.in_order(10, 32, 12, 32)


def test_a_ballot_keeps_its_votes_in_order():
    """A partner translated in order gets its votes in order; a neighbour holding the same
    sentences in reverse gets none (they stand at other places)."""
    rng = np.random.default_rng(7)
    own = _unit(rng.normal(size=(12, 16)))
    partner = _unit(own + 0.1 * rng.normal(size=own.shape))
    best, share, order = votes.ballot(own, [("partner", partner)])
    assert (best, share) == ("partner", 1.0) and order == tuple(("partner", i, i) for i in range(12))
    assert votes.chosen({("a", "en"): ("partner", share, order)}) == {("a", "partner")}
    _, _, backwards = votes.ballot(own, [("reversed", partner[::-1])])
    assert [(i, j) for _, i, j in backwards] == [(i, 11 - i) for i in (5, 6)]  # the middle only


def test_a_pool_is_the_nearest_by_topic_then_the_documents_listing_this_one():
    assert votes.pool(["e3", "e1"], ["e2", "e1", "e0"]) == ["e3", "e1", "e0", "e2"]
    assert votes.pool([], ["e2"]) == ["e2"]


def test_translations_among_topic_neighbours_are_found_by_their_sentences():
    """Four Arabic 'chapters' and their English translations, all about one thing (one shared
    direction dominates every sentence): each document's sentences vote for its translation."""
    rng = np.random.default_rng(11)
    common = rng.normal(size=32) * 6
    sents, langs, topics = {}, {}, {}
    for n in range(4):
        own = _unit(common + rng.normal(size=(5, 32)))
        sents[f"a{n}"], sents[f"e{n}"] = own, _unit(own + 0.01 * rng.normal(size=own.shape))
        langs[f"a{n}"], langs[f"e{n}"] = "ar", "en"
    for d, m in sents.items():
        v = m.mean(axis=0)
        topics[d] = (v / np.linalg.norm(v)).astype(np.float32)
    nb = nearest(topics, langs, k=4, k_same=1)
    lists = votes.cross_lists(nb)
    assert sorted((d, lang) for d, lang, _ in lists) == sorted((d, "en" if d[0] == "a" else "ar") for d in sents)
    assert votes.chosen(votes.ballots(lists, sents)) == {(f"a{n}", f"e{n}") for n in range(4)}


def test_sentence_vectors_spread_over_the_document_and_do_not_depend_on_other_documents():
    from sourcetrace.encode import get_encoder

    enc = get_encoder("static")
    sentences = [f"Sentence number {i} of the statement on water." for i in range(50)]
    alone = votes.sentence_vectors(sentences, enc, n=8)
    assert alone.shape == (8, enc.dim)
    spread = enc.encode([sentences[round(i * 49 / 7)] for i in range(8)])
    assert np.array_equal(alone, spread.astype(np.float16).astype(np.float32))  # as a store keeps them
    assert votes.sentence_vectors(["", "  "], enc).shape == (0, enc.dim)
