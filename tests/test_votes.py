"""Sentence votes (candidates/votes.py): a document's sentences choose its translation among its
neighbours by topic."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from sourcetrace.candidates import votes
from sourcetrace.candidates.neighbours import nearest

NONE = ("", 0.0)  # a ballot's listed choice when it has none


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_a_ballot_goes_to_the_neighbour_holding_most_nearest_sentences():
    rng = np.random.default_rng(3)
    own = _unit(rng.normal(size=(6, 16)))
    partner = _unit(own + 0.1 * rng.normal(size=own.shape))  # each sentence's translation
    other = _unit(rng.normal(size=(8, 16)))
    assert votes.ballot(own, [("other", other), ("partner", partner)])[:2] == ("partner", 1.0)
    assert votes.ballot(own, [("empty", own[:0])]) is None
    assert votes.ballot(own[:0], [("partner", partner)]) is None
    # Half the sentences each way, as near (each its own vector): the tie goes to the neighbour
    # listed first (nearest by topic).
    basis = np.eye(16, dtype=np.float32)[:6]
    split = [("x", basis[:3]), ("y", basis[3:])]
    assert votes.ballot(basis, split)[:2] == ("x", 0.5)
    assert votes.ballot(basis, split[::-1])[:2] == ("y", 0.5)


def test_a_tie_goes_to_the_neighbour_whose_votes_are_nearer():
    """Two votes each: the translation's sentences are nearer to their originals than another
    text's sentences that happen to be each one's nearest (bench/realtext.py: a 10-verse sura)."""
    rng = np.random.default_rng(4)
    own = _half(rng.normal(size=(6, 16)))
    near = _half(own[:2] + 0.05 * rng.normal(size=(2, 16)))  # the translation of two of them
    far = _half(own[2:4] + 0.6 * rng.normal(size=(2, 16)))  # loosely like two others
    for pool in ([("far", far), ("near", near)], [("near", near), ("far", far)]):
        got = votes.ballot(own, pool)
        assert got[:2] == ("near", 2 / 6)
        keys = {"far": 2, "near": 3}
        assert votes.verdict(votes.tally(own, 1, [(d, keys[d], m) for d, m in pool])) == got


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


def _half(rows: np.ndarray) -> np.ndarray:
    """Unit rows as the store keeps voting vectors: float16 values."""
    return _unit(rows).astype(np.float16).astype(np.float32)


def _same_head(got: votes.Tally, whole: votes.Tally) -> None:
    """`got` lists, for each sentence, the head of what a full reading lists, the nearest first."""
    assert got.pool == whole.pool and got.keys == whole.keys and got.sizes == whole.sizes
    listed = got.member >= 0
    assert listed[:, 0].all() == bool(whole.pool) and (listed[:, :-1] >= listed[:, 1:]).all()
    width = max(got.best.shape[1], whole.best.shape[1])
    for a, b, empty in ((got.best, whole.best, -np.inf), (got.member, whole.member, -1), (got.mutual, whole.mutual, False),
                          (got.sentence, whole.sentence, -1)):
        a, b = (np.pad(x, ((0, 0), (0, width - x.shape[1])), constant_values=empty) for x in (a, b))
        assert np.array_equal(a[np.pad(listed, ((0, 0), (0, width - listed.shape[1])))],
                              b[np.pad(listed, ((0, 0), (0, width - listed.shape[1])))])


@pytest.mark.parametrize("seed", range(4))
def test_a_tally_brought_up_to_a_changing_pool_reads_only_its_new_members_and_equals_a_full_one(seed):
    """A pool grows, loses members (some sentence's nearest among them) and changes order, as
    reruns make it; copies give exact ties. Whenever the kept tally can be brought up to date,
    it heads what a full reading gives, and votes alike, votes in order included (members made
    of the document's sentences in order cast them)."""
    rng = np.random.default_rng(seed)
    own = _half(rng.normal(size=(12, 16)))
    mats = {f"d{i}": _half(own[rng.choice(12, 5)] + 0.6 * rng.normal(size=(5, 16))) for i in range(14)}
    mats.update({f"in{i}": _half(own[np.sort(rng.choice(12, 6, replace=False))] + 0.3 * rng.normal(size=(6, 16)))
                 for i in range(3)})
    mats.update({f"copy{i}": mats["d2"].copy() for i in range(5)} | {"copy5": mats["d5"].copy(), "empty": own[:0]})
    keys = {d: i + 100 for i, d in enumerate(mats)}

    def full(pool: list[str]) -> votes.Tally:
        return votes.tally(own, 1, [(d, keys[d], mats[d]) for d in pool])

    pool = ["d0", "d2", "d4", "d6"]
    kept = full(pool)
    brought = placed = 0
    for _ in range(60):
        pool = list(pool)
        move = rng.integers(3)
        if move == 0 or len(pool) < 3:  # a new document enters
            pool.insert(int(rng.integers(len(pool) + 1)), str(rng.choice([d for d in mats if d not in pool])))
        elif move == 1:  # one is pushed out
            pool.pop(int(rng.integers(len(pool))))
        else:  # one moves (out of the nearest, still listing this one)
            pool.append(pool.pop(int(rng.integers(len(pool)))))
        keyed = [(d, keys[d]) for d in pool]
        new = votes.unread(kept, 1, keyed)
        whole = full(pool)
        assert votes.verdict(whole) == votes.ballot(own, [(d, mats[d]) for d in pool])
        if new is None:
            kept = whole
            continue
        assert set(new) == {d for d in pool if d not in kept.pool}
        kept = votes.retally(own, kept, keyed, {d: mats[d] for d in new})
        _same_head(kept, whole)
        got = votes.verdict(kept)
        assert got == votes.ballot(own, [(d, mats[d]) for d in pool])
        brought += 1
        placed += len(got[2])
    assert brought >= 40 and placed > 0
    data = votes.tally_to_bytes(kept)
    with pytest.raises(ValueError):
        votes.tally_from_bytes(data[:-1])
    empty = votes.tally(own, 7, [])
    again = votes.tally_from_bytes(votes.tally_to_bytes(empty))
    assert (again.own, again.pool, again.keys, again.best.shape) == (7, [], [], empty.best.shape)
    _same_tally(votes.tally_from_bytes(data), kept)
    _same_tally(again, empty)


def test_a_retally_leaves_out_a_new_member_without_sentences_and_places_the_others_where_they_are_now():
    """A pool that gains a member without sentences (no tally lists it) and a real one, loses one
    and reorders the rest: the tally brought up to it names the members a full reading names, in
    the pool's order, with their sizes, and heads its lists."""
    rng = np.random.default_rng(5)
    own = _half(rng.normal(size=(8, 16)))
    mats = {f"d{i}": _half(own[rng.choice(8, 4)] + 0.5 * rng.normal(size=(4, 16))) for i in range(6)}
    mats["empty"] = own[:0]
    keys = {d: i + 10 for i, d in enumerate(mats)}
    before = votes.tally(own, 1, [(d, keys[d], mats[d]) for d in ("d0", "d1", "d2", "d3")])
    pool = [("empty", keys["empty"]), ("d3", keys["d3"]), ("d4", keys["d4"]), ("d0", keys["d0"]), ("d2", keys["d2"])]
    new = votes.unread(before, 1, pool)
    assert new is not None and sorted(new) == ["d4", "empty"]
    got = votes.retally(own, before, pool, {d: mats[d] for d in new})
    whole = votes.tally(own, 1, [(d, k, mats[d]) for d, k in pool])
    assert got.pool == ["d3", "d4", "d0", "d2"] == whole.pool
    _same_head(got, whole)
    assert votes.verdict(got) == votes.ballot(own, [(d, mats[d]) for d, _ in pool])


def test_a_tally_is_read_whole_when_its_document_changed_or_a_sentence_no_longer_knows_its_three_nearest():
    rng = np.random.default_rng(19)
    own = _half(rng.normal(size=(6, 16)))
    partner = _half(own + 0.05 * rng.normal(size=own.shape))
    others = {f"o{i}": _half(rng.normal(size=(4, 16))) for i in range(4)}
    pool = [("partner", 8, partner), *((d, i, m) for i, (d, m) in enumerate(others.items()))]
    before = votes.tally(own, 1, pool)
    keyed = [(d, k) for d, k, _ in pool]
    assert votes.unread(before, 1, keyed) == []
    assert votes.unread(before, 1, keyed[1:]) == []  # the chosen one left: each sentence knows the next
    assert votes.unread(before, 1, keyed[2:]) is None  # ... not its LISTED_DEPTH nearest once two it listed left
    assert votes.unread(before, 1, keyed[4:]) is None
    assert votes.unread(before, 1, [("partner", 9), *keyed[1:]]) == ["partner"]  # read again, changed
    assert votes.unread(before, 2, keyed) is None  # its own document changed
    assert votes.unread(None, 1, keyed) is None


def test_a_pair_is_chosen_when_both_documents_choose_each_other_with_enough_of_their_sentences():
    ballots = {("a1", "en"): ("e1", 0.5, (), NONE, ()), ("e1", "ar"): ("a1", 0.4, (), NONE, ()),  # both ways
               ("a2", "en"): ("e2", 0.6, (), NONE, ()), ("e2", "ar"): ("a3", 0.3, (), NONE, ()),  # one way only
               ("a4", "en"): ("e4", 0.5, (), NONE, ()), ("e4", "ar"): ("a4", votes.MIN_SHARE / 2, (), NONE, ())}  # too few votes
    assert votes.chosen(ballots) == {("a1", "e1")}
    assert votes.agreed([("share", 0.3), ("share", votes.MIN_SHARE)])
    assert not votes.agreed([("share", 0.9)])


def test_votes_in_order_choose_a_pair_whose_shares_are_low():
    """A long translation's spread sentences seldom hold each other's translations: few votes,
    each document's share under MIN_SHARE, or one voting elsewhere. Votes between sentences at
    the same place in both documents add up across both ballots; one vote cast both ways counts once."""
    n = votes.MIN_IN_ORDER
    order = tuple(("e1", 8 * i, 8 * i + 1) for i in range(n - 1))  # a1's sentence 8i, e1's 8i+1
    ballots = {("a1", "en"): ("e9", 0.2, order, NONE, ()),  # a1 chose another
               ("e1", "ar"): ("a1", 0.06, (("a1", 1, 0), ("a1", 25, 24)), NONE, ())}  # (1, 0) is a1's (0, 1) again
    assert votes.chosen(ballots) == {("a1", "e1")}
    assert votes.chosen({("e1", "ar"): ballots[("e1", "ar")], ("a1", "en"): ("e9", 0.2, order[:1], NONE, ())}) == set()
    # Votes between sentences at different places are chance, however many.
    assert not votes.in_order(0, 32, 31, 32) and votes.in_order(10, 32, 12, 32)


def test_a_ballot_keeps_its_votes_in_order():
    """A partner translated in order gets its votes in order; a neighbour holding the same
    sentences in reverse gets none (they stand at other places)."""
    rng = np.random.default_rng(7)
    own = _unit(rng.normal(size=(12, 16)))
    partner = _unit(own + 0.1 * rng.normal(size=own.shape))
    best, share, order, _, _ = votes.ballot(own, [("partner", partner)])
    assert (best, share) == ("partner", 1.0) and order == tuple(("partner", i, i) for i in range(12))
    assert votes.chosen({("a", "en"): ("partner", share, order, NONE, ())}) == {("a", "partner")}
    _, _, backwards, _, _ = votes.ballot(own, [("reversed", partner[::-1])])
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
    # Many documents encoded together: each gets the bits it gets alone.
    docs = [sentences[:3], [], sentences[10:40], sentences[5:6]]
    together = votes.encoded_alone([votes.voting_sentences(d, 8) for d in docs], enc)
    assert [v.shape[0] for v in together] == [3, 0, 8, 1]
    for d, v in zip(docs, together, strict=True):
        assert np.array_equal(v, votes.sentence_vectors(d, enc, n=8))


def test_many_documents_stretches_at_once_are_each_documents_alone():
    """encoded_alone (one encoder call for many documents) gives each document the stretch
    vectors it gets alone, to the bit, whatever its neighbours in the call."""
    from sourcetrace.encode import get_encoder

    enc = get_encoder("static")
    docs = [[f"Report {d}, sentence {i}: the council voted on water." for i in range(n)]
            for d, n in enumerate([1, 0, 3, 40, 6, 2, 100])]
    got = votes.encoded_alone([votes.stretches(d, 8) for d in docs], enc)
    assert [len(v) for v in got] == [len(votes.stretch_vectors(d, enc, 8)) for d in docs]
    assert all(np.array_equal(v, votes.stretch_vectors(d, enc, 8)) for v, d in zip(got, docs, strict=True))
    assert [len(v) for v in got] == [0, 0, 0, 8, 0, 0, 8]


def test_a_long_document_is_cut_into_stretches_of_about_equal_length():
    """Stretch i of a translation holds about what stretch i of its original does, however many
    sentences each side splits it into: cut by characters, a sentence where its middle falls."""
    n = 4
    ar = [f"verse{i} " + "x" * 20 for i in range(8)]  # 8 verses, each one sentence
    en = [s for i in range(8) for s in (f"verse{i}a " + "y" * 9, f"verse{i}b " + "y" * 9)]  # each verse two
    assert votes.stretches(ar[:n], n) == []  # no more sentences than stretches: its sentences vote
    cut_ar, cut_en = votes.stretches(ar, n), votes.stretches(en, n)
    assert len(cut_ar) == len(cut_en) == n
    for a, e in zip(cut_ar, cut_en, strict=True):  # the same verses, each stretch joined whole
        assert [w[:6] for w in a.split() if w.startswith("verse")] == sorted({w[:6] for w in e.split() if w.startswith("verse")})
    # One sentence as long as all the others: every stretch still holds a sentence of its own.
    uneven = ["z" * 1000, *(f"s{i}" for i in range(6))]
    assert [len(s.split()) for s in votes.stretches(uneven, n)] == [1, 1, 1, 4]
    # A stretch of many sentences is encoded from its first few.
    assert votes.stretches([f"s{i:02d}" for i in range(40)], 2) == [
        " ".join(f"s{i:02d}" for i in range(s, s + votes.STRETCH_SENTENCES)) for s in (0, 20)]


def test_a_document_of_short_sentences_votes_also_with_its_twins():
    """Each two consecutive sentences joined, for a document of TWINS_FROM to n sentences most of
    them short (verses, everyday sentences); none for news sentences, nor too few or too many."""
    short = [f"v{i} " + "x" * 20 for i in range(votes.TWINS_FROM)]
    assert votes.twins(short, 8) == [f"{x} {y}" for x, y in zip(short, short[1:], strict=False)]
    assert votes.twins(short[:-1], 8) == []
    assert len(votes.twins([f"v{i}" for i in range(8)], 8)) == 7
    assert votes.twins([f"v{i:02d}" for i in range(9)], 8) == []  # more sentences than vote: stretches
    news = [f"The council met on day {i} and agreed, after a long debate, on plan number {i}." for i in range(10)]
    assert all(len(s) >= votes.TWINS_CHARS for s in news) and votes.twins(news, 8) == []
    lists = [("a1", "en", ["e1", "e2"]), ("e1", "ar", ["a1"]), ("e2", "ar", ["a1"])]
    assert votes.twinned(lists, {"e1", "a9"}) == [lists[1]]


def test_twin_ballots_choose_apart_from_the_others():
    """Both documents' choice by their twins chooses a pair; one side's twin share and the other's
    sentence or stretch share do not."""
    low = votes.MIN_SHARE / 2
    sentences = {("a1", "en"): ("e1", low, (), NONE, ()), ("e1", "ar"): ("a1", low, (), NONE, ())}
    twins = {("a1", "en"): ("e1", 0.2, (), NONE, ()), ("e1", "ar"): ("a1", 0.3, (), NONE, ())}
    assert votes.chosen(sentences, {}, twins) == {("a1", "e1")}
    assert votes.chosen({("a1", "en"): ("e1", 0.3, (), NONE, ())}, {}, {("e1", "ar"): ("a1", 0.3, (), NONE, ())}) == set()
    assert votes.chosen({}, {("a1", "en"): ("e1", 0.3, (), NONE, ())}, {("e1", "ar"): ("a1", 0.3, (), NONE, ())}) == set()


def test_a_listed_choice_counts_each_sentence_s_nearest_neighbours_against_chance():
    """Sentences whose nearest sentence is elsewhere still list their partner among their
    LISTED_DEPTH nearest neighbours: the one listed most (ties to the nearer), by how many times chance
    (n * LISTED_DEPTH / members) lists one; ballot and tally say the same."""
    pool = ["e1", "e2", "e3", "e4", "e5", "e6"]
    heads = np.array([[0, 1, 2, 3], [0, 3, 4, 1], [0, 5, 1, 2], [2, 0, 3, 4]])  # e1 in every row's three
    near = np.tile([0.9, 0.8, 0.7, 0.6], (4, 1))
    assert votes.listed(near, heads, pool) == ("e1", 4 * 6 / (4 * 3))
    level = near.copy()
    level[3] = [0.9, 0.7, 0.7, 0.7]  # a row level with its third lists the fourth too
    assert votes.listed(level, heads, pool) == ("e1", 4 * 6 / 13)
    # e1 and e2 listed twice each: the tie goes to the nearer listings, then to the first listed.
    assert votes.listed(near[:2, :2], np.array([[0, 1], [1, 0]]), pool) == ("e1", 2 * 6 / 4)
    assert votes.listed(near[:2, :2] - [[0.0, 0.0], [0.0, 0.05]], np.array([[0, 1], [1, 0]]), pool) == ("e2", 2 * 6 / 4)
    assert votes.listed(near[:0, :2], np.zeros((0, 2), dtype=np.int64), pool) == ("", 0.0)
    rng = np.random.default_rng(5)
    own = _half(rng.normal(size=(8, 16)))
    others = [(f"o{i}", _half(rng.normal(size=(3, 16)))) for i in range(9)]
    near = _half(own + 0.8 * rng.normal(size=own.shape))  # near each sentence, seldom its nearest back
    b = votes.ballot(own, [("near", near), *others])
    assert b[3][0] == "near" and b[3][1] > 1
    assert votes.verdict(votes.tally(own, 1, [(d, i, m) for i, (d, m) in enumerate([("near", near), *others])])) == b


def test_both_documents_listed_choice_chooses_a_pair_their_votes_do_not():
    """Each document's listed choice (sentence ballots) at MIN_LISTED times chance or more, each
    the other, chooses the pair whatever their shares; one under it, one naming a third document,
    or stretch ballots' listed choices do not."""
    clear, low = ("e1", votes.MIN_LISTED), ("e1", votes.MIN_LISTED * 0.9)
    back = ("a1", votes.MIN_LISTED)
    assert votes.chosen({("a1", "en"): ("e9", 0.06, (), clear, ()), ("e1", "ar"): ("a7", 0.06, (), back, ())}) == {("a1", "e1")}
    assert votes.chosen({("a1", "en"): ("e9", 0.06, (), low, ()), ("e1", "ar"): ("a7", 0.06, (), back, ())}) == set()
    assert votes.chosen({("a1", "en"): ("e9", 0.06, (), clear, ()), ("e1", "ar"): ("a7", 0.06, (), ("a2", 9.0), ())}) == set()
    assert votes.chosen({}, {("a1", "en"): ("e9", 0.06, (), clear, ()), ("e1", "ar"): ("a7", 0.06, (), back, ())}) == set()


def test_stretch_ballots_choose_apart_from_sentence_ballots():
    """A pair either kind of ballot chooses is chosen, but a stretch's vote is no sentence's: a
    share or votes in order of one kind are never added to the other's."""
    low = votes.MIN_SHARE / 2
    sentences = {("a1", "en"): ("e1", low, (), NONE, ()), ("e1", "ar"): ("a1", low, (), NONE, ())}
    stretches = {("a1", "en"): ("e1", 0.3, (), NONE, ()), ("e1", "ar"): ("a1", votes.MIN_SHARE, (), NONE, ())}
    assert votes.chosen(sentences) == set()
    assert votes.chosen(sentences, stretches) == {("a1", "e1")}
    # One document's sentence share and the other's stretch share are not both documents' choice.
    assert votes.chosen({("a1", "en"): ("e1", 0.3, (), NONE, ())}, {("e1", "ar"): ("a1", 0.3, (), NONE, ())}) == set()
    half = votes.MIN_IN_ORDER // 2
    order = tuple(("e1", 8 * i, 8 * i) for i in range(half))
    other = tuple(("e1", 8 * i + 4, 8 * i + 4) for i in range(votes.MIN_IN_ORDER - half))
    assert votes.chosen({("a1", "en"): ("e9", 0.2, order, NONE, ())}, {("a1", "en"): ("e9", 0.2, other, NONE, ())}) == set()
    assert votes.chosen({}, {("a1", "en"): ("e9", 0.2, order + other, NONE, ())}) == {("a1", "e1")}


def test_only_pools_holding_a_long_document_cast_a_stretch_ballot():
    lists = [("a1", "en", ["e1", "e2"]), ("a2", "en", ["e1"]), ("e2", "ar", ["a1"]), ("e1", "ar", ["a1", "a2"])]
    assert votes.stretched(lists, {"e2"}) == [lists[0], lists[2]]
    assert votes.stretched(lists, set()) == []


def test_stretch_vectors_only_for_a_long_document():
    from sourcetrace.encode import get_encoder

    enc = get_encoder("static")
    short = ["The council met today.", "It agreed on a plan."]
    assert votes.stretch_vectors(short, enc).shape == (0, enc.dim)
    long = [f"The council met on day {i} and agreed on plan number {i}." for i in range(40)]
    got = votes.stretch_vectors(long, enc, 8)
    assert got.shape == (8, enc.dim) and np.allclose(np.linalg.norm(got, axis=1), 1, atol=1e-2)
    assert np.array_equal(got, votes.stretch_vectors(long, enc, 8))


@pytest.mark.parametrize("seed,stored,small,block", [(0, False, None, None), (1, False, None, None), (2, False, None, None),
                                                     (0, True, None, None), (1, True, None, None), (3, False, 100, None),
                                                     (4, True, 200, None), (5, False, None, 1), (6, True, None, 300),
                                                     (7, False, 100, 2000)])
def test_tallies_of_many_pools_equal_each_tally_alone(seed, stored, small, block, monkeypatch):
    """Each pair of documents in each other's pools is multiplied once, its block reduced for
    both (votes.tallies): every tally equals the one read alone, ties from copies, documents
    without sentences, and a pool listing a member whose own pool does not list it included;
    an entry repeated; ``stored``: the vectors handed over as float16, as the store keeps them; ``small``: the
    products cut in blocks of a few rows (votes.SMALL_PRODUCT), each ballot checked against
    votes.ballot's product in one piece; ``block``: the entries read in blocks of a few (votes.BLOCK_CELLS),
    a pair's products kept by one block and read by a later one."""
    if small is not None:
        monkeypatch.setattr(votes, "SMALL_PRODUCT", small)
    if block is not None:
        monkeypatch.setattr(votes, "BLOCK_CELLS", block)
    rng = np.random.default_rng(seed)
    ids = [f"d{i:02d}" for i in range(30)]
    mats = {d: _half(rng.normal(size=(int(rng.integers(1, 9)), 16))) for d in ids}
    mats["d03"], mats["d07"] = mats["d02"].copy(), mats["d00"][:0]
    keys = {d: i + 100 for i, d in enumerate(ids)}
    pools: dict[str, list[str]] = {d: [] for d in ids}
    for d in ids:
        for e in rng.choice(ids, 6, replace=False).tolist():
            if e != d and e not in pools[d]:
                pools[d].append(e)
                if rng.random() < 0.9:  # most pools are symmetric (votes.pool), not every caller's
                    pools[e].append(d)
    entries = [(d, keys[d], [(e, keys[e]) for e in dict.fromkeys(pools[d])]) for d in rng.permutation(ids).tolist()]
    entries.append(entries[1])  # a pool cast twice (its pairs each way round again)
    got = votes.tallies(entries, {d: m.astype(np.float16) for d, m in mats.items()} if stored else mats)
    assert len(got) == len(entries)
    for (d, k, pool), t in zip(entries, got, strict=True):
        alone = votes.tally(mats[d], k, [(e, ke, mats[e]) for e, ke in pool])
        assert (t.own, t.pool, t.keys, t.sizes) == (alone.own, alone.pool, alone.keys, alone.sizes)
        for a, b in ((t.best, alone.best), (t.member, alone.member), (t.mutual, alone.mutual),
                     (t.sentence, alone.sentence), (t.bound, alone.bound)):
            assert a.dtype == b.dtype and np.array_equal(a, b)
        assert votes.verdict(t) == votes.ballot(mats[d], [(e, mats[e]) for e, _ in pool])
    assert votes.verdicts(got) == [votes.verdict(t) for t in got]


def test_a_run_of_votes_chooses_a_translation_reordered_in_blocks():
    """A partial translation cut in shuffled blocks of three: no vote stands at the same place in
    both documents, few are in order, but each block's votes run on from sentence to sentence in
    both (MIN_RUN sentences spanned); a neighbour whose sentences match in no order has no run."""
    rng = np.random.default_rng(11)
    partner = _unit(rng.normal(size=(12, 16)))
    blocks = [3, 0, 2]  # the original's blocks of three the document keeps, in this order
    own = _unit(np.concatenate([partner[3 * b:3 * b + 3] for b in blocks]) + 0.1 * rng.normal(size=(9, 16)))
    got = votes.ballot(own, [("partner", partner)])
    assert got[4] == (("partner", 3),)
    assert votes.verdict(votes.tally(own, 1, [("partner", 2, partner)])) == got
    assert votes.chosen({("a1", "en"): ("e9", 0.05, (), NONE, (("e1", votes.MIN_RUN),))}) == {("a1", "e1")}
    assert votes.chosen({("a1", "en"): ("e9", 0.05, (), NONE, (("e1", votes.MIN_RUN - 1),))}) == set()
    # A run of twins spans one sentence more than its votes: two twins are three sentences.
    assert votes.chosen({}, {}, {("a1", "en"): ("e9", 0.05, (), NONE, (("e1", votes.MIN_RUN - 1),))}) == {("a1", "e1")}
    # Each chosen pair with whether a run chose it (relate reads it): a pair chosen by shares holds none.
    ran = {("a1", "en"): ("e9", 0.05, (), NONE, (("e1", votes.MIN_RUN),)),
           ("a2", "en"): ("e2", 0.5, (), NONE, (("e3", votes.MIN_RUN - 1),)), ("e2", "ar"): ("a2", 0.5, (), NONE, ())}
    assert votes.choices(ran) == {("a1", "e1"): True, ("a2", "e2"): False}
    assert votes.choices({}, {}, {("a1", "en"): ("e9", 0.05, (), NONE, (("e1", votes.MIN_RUN - 1),))}) == {("a1", "e1"): True}
    scattered = partner[rng.permutation(12)[:9]][::2]  # every other sentence, shuffled: no two in a row
    assert votes.ballot(_unit(scattered + 0.1 * rng.normal(size=scattered.shape)), [("partner", partner)])[4] == ()
    assert votes.runs(np.array([0, 0, 1, 0]), np.array([4, 5, 6, 6]), np.array([True, True, True, False]),
                      ["x", "y"]) == (("x", 2),)


def test_a_pair_one_ballot_alone_names_is_agreed_as_agreed_decides_it():
    # choices decides a pair named once by agreed_alone: the same answer as agreed for any one word.
    words = [(kind + word, value) for kind in votes.KINDS for word in ("share", "run")
             for value in (0.0, votes.MIN_SHARE, 1.0, votes.MIN_RUN - 2, votes.MIN_RUN - 1, votes.MIN_RUN, 9)]
    words += [(kind + "order", i, j) for kind in votes.KINDS for i, j in ((0, 0), (3, 2))]
    words += [(votes.LISTED, "a1"), (votes.LISTED, "e1")]
    assert any(votes.agreed([w]) for w in words) and not all(votes.agreed([w]) for w in words)
    for w in words:
        assert votes.agreed_alone(w) == votes.agreed([w]), w


def _agreed_word_by_word(said):
    """agreed as it was written, a pass a word and kind: what the one pass must answer."""
    def kind_agreed(kind):
        shares = [s[1] for s in said if s[0] == kind + "share"]
        return ((len(shares) == 2 and min(shares) >= votes.MIN_SHARE)
                or len({s for s in said if s[0] == kind + "order"}) >= votes.MIN_IN_ORDER
                or any(s[1] + (1 if kind == votes.TWIN else 0) >= votes.MIN_RUN for s in said if s[0] == kind + "run"))
    return any(kind_agreed(kind) for kind in votes.KINDS) or len({s for s in said if s[0] == votes.LISTED}) == 2


def test_agreed_in_one_pass_answers_as_each_word_and_kind_read_apart():
    rng = np.random.default_rng(4)
    shares = (0.0, votes.MIN_SHARE / 2, votes.MIN_SHARE, 0.5)
    runs = (votes.MIN_RUN - 2, votes.MIN_RUN - 1, votes.MIN_RUN)
    answers = set()
    for _ in range(4000):
        said = []
        for _ in range(int(rng.integers(1, 9))):
            kind = votes.KINDS[int(rng.integers(3))]
            what = int(rng.integers(4))
            if what == 0:
                said.append((kind + "share", shares[int(rng.integers(len(shares)))]))
            elif what == 1:  # few distinct orders: repeated votes count once
                said.append((kind + "order", int(rng.integers(3)), int(rng.integers(2))))
            elif what == 2:
                said.append((kind + "run", runs[int(rng.integers(len(runs)))]))
            else:
                said.append((votes.LISTED, ("a1", "b1")[int(rng.integers(2))]))
        got = votes.agreed(said)
        assert got == _agreed_word_by_word(said), said
        answers.add(got)
    assert answers == {True, False}


@pytest.mark.parametrize("seed,cells", [(0, 1 << 21), (1, 40), (2, 40), (3, 1)])
def test_tallies_brought_up_together_equal_each_brought_up_alone_and_head_a_full_reading(seed, cells, monkeypatch):
    """votes.retallies brings many tallies up at once, in groups of about one width (``cells``: a
    group's places, small to make many groups): each one the same arrays as brought up alone, the
    head of a full reading, and the same ballot. New members enter many pools; copies tie; a
    document without sentences keeps a tally without rows."""
    monkeypatch.setattr(votes, "RETALLY_CELLS", cells)
    rng = np.random.default_rng(seed)
    ids = [f"d{i:02d}" for i in range(40)]
    mats = {d: _half(rng.normal(size=(int(rng.integers(1, 12)), 16))) for d in ids}
    mats["d03"], mats["d05"], mats["d07"] = mats["d02"].copy(), mats["d02"].copy(), mats["d00"][:0]
    keys = {d: i + 100 for i, d in enumerate(ids)}
    old, new = ids[:30], ids[30:]
    entries, wholes = [], []
    for d in old:
        pool = [e for e in rng.choice(old, int(rng.integers(2, 12)), replace=False).tolist() if e != d]
        before = votes.tally(mats[d], keys[d], [(e, keys[e], mats[e]) for e in pool])
        if rng.random() < 0.3 and pool:  # pushed out
            pool.pop(int(rng.integers(len(pool))))
        for e in rng.choice(new, int(rng.integers(0, 4)), replace=False).tolist():  # the new ones enter
            pool.insert(int(rng.integers(len(pool) + 1)), e)
        keyed = [(e, keys[e]) for e in pool]
        if votes.unread(before, keys[d], keyed) is not None:
            entries.append((mats[d], before, keyed))
            wholes.append(votes.tally(mats[d], keys[d], [(e, keys[e], mats[e]) for e in pool]))
    assert len(entries) >= 15 and any(not len(own) for own, _, _ in entries)
    together = votes.retallies(entries, mats)
    for (own, before, keyed), t, whole in zip(entries, together, wholes, strict=True):
        alone = votes.retally(own, before, keyed, mats)
        assert (t.own, t.pool, t.keys, t.sizes) == (alone.own, alone.pool, alone.keys, alone.sizes)
        for a, b in ((t.best, alone.best), (t.member, alone.member), (t.mutual, alone.mutual),
                     (t.sentence, alone.sentence), (t.bound, alone.bound)):
            assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
        _same_head(t, whole)
        assert votes.verdict(t) == votes.ballot(own, [(e, mats[e]) for e, _ in keyed])
    assert votes.verdicts(together) == [votes.verdict(t) for t in together]
    for t in together:
        _same_tally(votes.tally_from_bytes(votes.tally_to_bytes(t)), t)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tallies_brought_up_read_new_members_from_their_whole_read_products(seed):
    """votes.tallies, given the (document, member) pairs wanted, keeps what a member's tally brought
    up reads of the document as a new member, and votes.retallies reads it from there instead of
    multiplying again: the same arrays as multiplied, the head of a full reading and its ballot,
    copies that tie included, whether a new member enters the cells or not and where a member left
    the pool; a pair not kept (a new member whose pool lacks the tally's document) is multiplied as
    before."""
    rng = np.random.default_rng(seed)
    ids = [f"d{i:02d}" for i in range(36)]
    mats = {d: _half(rng.normal(size=(int(rng.integers(1, 12)), 16))) for d in ids}
    mats["d03"], mats["d31"] = mats["d02"].copy(), mats["d30"].copy()  # an old copy, and a new one's
    mats["d07"] = mats["d00"][:0]
    keys = {d: i + 100 for i, d in enumerate(ids)}
    old, new = ids[:28], ids[28:]
    news = {d: [e for e in old if rng.random() < 0.6] for d in new}  # each new document's pool, read whole
    entries, owners, wanted, wholes = [], [], [], []
    for d in old:
        pool = [e for e in rng.choice(old, int(rng.integers(2, 10)), replace=False).tolist() if e != d]
        before = votes.tally(mats[d], keys[d], [(e, keys[e], mats[e]) for e in pool])
        if rng.random() < 0.3 and len(pool) > 2:  # pushed out
            pool.pop(int(rng.integers(len(pool))))
        for e in rng.choice(new, int(rng.integers(1, 4)), replace=False).tolist():
            pool.insert(int(rng.integers(len(pool) + 1)), e)
            wanted.append((e, d))
        keyed = [(e, keys[e]) for e in pool]
        if votes.unread(before, keys[d], keyed) is not None:
            entries.append((mats[d], before, keyed))
            owners.append(d)
            wholes.append(votes.tally(mats[d], keys[d], [(e, keys[e], mats[e]) for e in pool]))
    shared = dict.fromkeys(wanted)
    for t, plain in zip(votes.tallies([(d, keys[d], [(e, keys[e]) for e in news[d]]) for d in new], mats, shared),
                        votes.tallies([(d, keys[d], [(e, keys[e]) for e in news[d]]) for d in new], mats), strict=True):
        _same_tally(t, plain)
    kept = {k for k, v in shared.items() if v is not None}
    assert kept == {(e, d) for e, d in wanted if d in news[e] and len(mats[d])}  # read whole with it: kept
    assert len(kept) >= 10 and len(kept) < len(wanted)  # some read from there, some multiplied
    got = votes.retallies(entries, mats, owners, shared)
    for t, plain, whole, (own, _, keyed) in zip(got, votes.retallies(entries, mats), wholes, entries, strict=True):
        _same_tally(t, plain)
        _same_head(t, whole)
        assert votes.verdict(t) == votes.ballot(own, [(e, mats[e]) for e, _ in keyed])
    entered = [bool(np.isin(t.member, [i for i, (e, _) in enumerate(keyed) if e in new]).any())
               for t, (_, _, keyed) in zip(got, entries, strict=True)]
    assert any(entered) and not all(entered)  # new members in some tallies' cells, in others none
    assert any(len(before.pool) >= len([e for e, _ in keyed if e not in new]) + 1 for _, before, keyed in entries)


def _same_tally(a: votes.Tally, b: votes.Tally) -> None:
    assert (a.own, a.pool, a.keys, a.sizes) == (b.own, b.pool, b.keys, b.sizes)
    for x, y in ((a.best, b.best), (a.member, b.member), (a.mutual, b.mutual), (a.sentence, b.sentence),
                 (a.bound, b.bound)):
        assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y)


@pytest.mark.parametrize("seed", range(6))
def test_verdicts_at_once_equal_each_verdict(seed):
    """votes.verdicts of many tallies at once: each the ballot votes.verdict makes of it alone, with
    tied votes and listed choices, votes in order, runs, pools of one, rows without members, tallies
    of other widths, without rows or without a pool."""
    rng = np.random.default_rng(seed)
    tallies = []
    for _ in range(60):
        size, n, width = int(rng.integers(0, 7)), int(rng.integers(0, 9)), int(rng.integers(1, 7))
        pool = [f"m{i}" for i in range(size)]
        member = rng.integers(-1, max(size, 1), size=(n, width)) if size else np.full((n, width), -1)
        # A coarse grid of cosines: ties between members and rows level with the listed depth.
        best = np.where(member >= 0, rng.integers(0, 4, size=(n, width)) / 4, -np.inf)
        order = np.argsort(-best, axis=1, kind="stable")
        best, member = np.take_along_axis(best, order, 1), np.take_along_axis(member, order, 1)
        sentence = np.where(member >= 0, rng.integers(0, 5, size=(n, width)), -1)
        if n > 2 and rng.random() < 0.5:  # a run: consecutive sentences to consecutive sentences
            member[:3, 0], sentence[:3, 0], best[:3, 0] = 0 if size else -1, [1, 2, 3], 0.75
        mutual = (member >= 0) & (rng.random(size=(n, width)) < 0.7)
        sizes = rng.integers(1, 6, size=size).tolist()
        tallies.append(votes.Tally(1, pool, list(range(size)), sizes, best, member.astype(np.int64), mutual,
                                   sentence.astype(np.int64), np.full(n, -np.inf)))
    got = votes.verdicts(tallies)
    assert got == [votes.verdict(t) for t in tallies]
    for t in tallies:  # stored as each row's cells up to its last member, read back the same
        _same_tally(votes.tally_from_bytes(votes.tally_to_bytes(t)), t)
    assert any(b is not None and b[4] for b in got) and any(b is not None and b[2] for b in got)
    assert any(b is not None and b[3][1] for b in got) and any(b is None for b in got)


def test_verdicts_hold_no_matrix_as_wide_as_the_largest_pool_for_every_tally():
    """votes.verdicts with one pool of 6,000 members among 400 of 5: each tally's bins one after
    the other, not a (tallies, largest pool) matrix each (issue 17's everyday corpus: pools of up to
    4,858 members among 10,000 tallies, seven such matrices ~2 GB, the trace's peak). The same
    ballots as votes.verdict's; the numpy memory held at once well under one such matrix (19 MB)."""
    rng = np.random.default_rng(40)
    tallies = []
    for e in range(401):
        size, n = (6000 if e == 200 else 5), int(rng.integers(1, 9))
        member = rng.integers(0, size, size=(n, 3))
        best = np.sort(rng.integers(0, 4, size=(n, 3)) / 4, axis=1)[:, ::-1].copy()
        sentence = rng.integers(0, 5, size=(n, 3))
        tallies.append(votes.Tally(1, [f"m{i}" for i in range(size)], list(range(size)), [3] * size, best,
                                   member.astype(np.int64), rng.random(size=(n, 3)) < 0.7,
                                   sentence.astype(np.int64), np.full(n, -np.inf)))
    tracemalloc.start()
    try:
        got = votes.verdicts(tallies)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got == [votes.verdict(t) for t in tallies]
    assert peak < 401 * 6000 * 8 / 4, peak


def test_tallies_are_placed_at_once_where_one_at_a_time_places_them():
    """votes.placements of many tallies in their pools now (members gone, new, moved, read again
    with another fingerprint, a document no longer in the corpus) equals _placed of each, and a
    tally brought up with it equals one brought up without."""
    rng = np.random.default_rng(29)
    own = _half(rng.normal(size=(6, 16)))
    ids = [f"d{i:02d}" for i in range(40)]
    mats = {d: _half(own[rng.choice(6, 3)] + 0.6 * rng.normal(size=(3, 16))) for d in ids}
    keys = {d: int(rng.integers(1, 1 << 64, dtype=np.uint64)) for d in ids}
    befores, pools = [], []
    for e in range(60):
        was = [str(d) for d in rng.choice(ids, int(rng.integers(0, 12)), replace=False)]
        fingerprints = {d: keys[d] for d in was}
        if was and e % 3 == 0:  # read when its fingerprint was another: a new member now
            fingerprints[was[0]] ^= 1
        if e % 5 == 1:  # a member no longer in the corpus
            was.append("gone")
            fingerprints["gone"] = 7
        befores.append(votes.tally(own, 1, [(d, fingerprints[d], mats.get(d, own[:2])) for d in was]))
        now = [d for d in was if d != "gone" and rng.random() < 0.8]
        now += [str(d) for d in rng.choice([d for d in ids if d not in now], int(rng.integers(0, 4)), replace=False)]
        pools.append([str(d) for d in rng.permutation(now)])
    got = votes.placements(befores, pools, keys)
    assert len(got) == len(befores)
    moved = 0
    for before, pool, (to, new) in zip(befores, pools, got, strict=True):
        keyed = [(d, keys[d]) for d in pool]
        want_to, want_new = votes._placed(before, keyed)
        assert to.tolist() == want_to.tolist() and new == want_new
        members = votes.unread(before, 1, keyed, (to, new))
        assert members == votes.unread(before, 1, keyed)
        if members is not None and pool:
            a = votes.retallies([(own, before, keyed, (to, new))], mats)[0]
            _same_head(a, votes.retally(own, before, keyed, mats))
            moved += 1
    assert moved >= 20
    assert votes.placements([], [], keys) == []
    # Which members each must read, all at once (votes.unreads), as one at a time.
    want = [votes.unread(b, 1, [(d, keys[d]) for d in p], g) for b, p, g in zip(befores, pools, got, strict=True)]
    assert votes.unreads(befores, got) == want and None in want and votes.unreads([], []) == []


def test_a_member_joining_a_pool_can_make_a_pair_of_old_members_chosen_by_its_runner_up():
    """Why a rerun casts again every ballot whose pool a new document enters, and decides every pair
    those ballots name again, not only the pairs chosen before (bench/README, rerun30): a ballot
    chooses one member (the most votes), so a new member taking votes from the leader makes the
    runner-up the choice, and an old pair no ballot chose before is chosen (a rerun that rescored
    only the pairs chosen before and the new documents' would miss it)."""
    basis = np.eye(16)
    own = _half(basis[:6])  # six sentences, each its own direction
    leader = _half(basis[:3] + 0.1 * basis[15])  # nearest to sentences 0-2, not quite
    runner = _half(basis[3:5])  # exactly sentences 3 and 4
    joining = _half(basis[:2] + 0.05 * basis[14])  # nearer to sentences 0 and 1 than the leader
    mats = {"leader": leader, "runner": runner, "joining": joining}
    keys = {"leader": 11, "runner": 12, "joining": 13}
    before = votes.tally(own, 1, [(d, keys[d], mats[d]) for d in ("leader", "runner")])
    grown = [(d, keys[d]) for d in ("leader", "runner", "joining")]
    assert votes.unread(before, 1, grown) == ["joining"]
    after = votes.retally(own, before, grown, {"joining": joining})
    assert votes.verdict(before)[:2] == ("leader", 3 / 6)
    assert votes.verdict(after)[:2] == ("runner", 2 / 6)
    assert votes.verdict(after) == votes.ballot(own, [(d, mats[d]) for d in ("leader", "runner", "joining")])
    back = ("own", 0.5, (), NONE, ())  # the runner-up's own ballot chooses this document
    was = votes.chosen({("own", "en"): votes.verdict(before), ("runner", "ar"): back})
    now = votes.chosen({("own", "en"): votes.verdict(after), ("runner", "ar"): back})
    assert ("own", "runner") not in was and ("own", "runner") in now


def test_a_member_joining_a_pool_raises_the_listed_choice_over_chance_of_its_other_members():
    """The listed choice counts against chance over the whole pool (MIN_LISTED: its entries spread
    evenly over the members), so a member joining that no sentence lists still raises the old
    choice's times chance: one more member took a planted pair over MIN_LISTED in a +1% rerun
    (bench/README, rerun30; 3.94 -> 4.04 times chance, nothing else changed in that ballot)."""
    rng = np.random.default_rng(7)
    own = _half(rng.normal(size=(6, 32)))
    # Near each sentence (in its three nearest), in reverse order: no vote in order, no run.
    listed = _half((own + 0.3 * rng.normal(size=own.shape))[::-1])
    others = {f"o{i}": _half(rng.normal(size=(2, 32))) for i in range(10)}
    far = _half(-own.sum(axis=0, keepdims=True))  # listed by no sentence
    mats = {"listed": listed, **others, "far": far}
    keys = {d: i + 10 for i, d in enumerate(mats)}
    pool = ["listed", *others]
    before = votes.tally(own, 1, [(d, keys[d], mats[d]) for d in pool])
    after = votes.retally(own, before, [(d, keys[d]) for d in [*pool, "far"]], {"far": far})
    # Listed by each of the 6 sentences among its 3 nearest (18 entries) both times; 11 members, then 12.
    assert votes.verdict(before)[3] == ("listed", 6 * 11 / 18) and votes.verdict(after)[3] == ("listed", 6 * 12 / 18)
    assert 6 * 11 / 18 < votes.MIN_LISTED <= 6 * 12 / 18
    assert votes.verdict(after)[:3] == votes.verdict(before)[:3]  # nothing else changed
    back = ("x", 0.06, (), ("own", votes.MIN_LISTED), ())  # the other document lists this one
    assert votes.chosen({("own", "en"): votes.verdict(before), ("listed", "ar"): back}) == set()
    assert votes.chosen({("own", "en"): votes.verdict(after), ("listed", "ar"): back}) == {("listed", "own")}


def test_cross_lists_are_each_documents_nearest_then_those_listing_it_by_id():
    """cross_lists (every pool at once, in arrays) gives each pool as :func:`votes.pool` makes it:
    the document's nearest in that language in order, then the documents there listing it, by id,
    each once; a document whose list there is empty keeps its (empty) pool; three languages."""
    rng = np.random.default_rng(4)
    langs = {f"{lang}{i:02d}": lang for lang in ("ar", "en", "fr") for i in range(9)}
    topics = {d: (v / np.linalg.norm(v)).astype(np.float32) for d in langs for v in [rng.normal(size=6)]}
    nb = nearest(topics, langs, k=3, k_same=1)
    nb.lists[("ar", "fr")].found[0] = -1  # a document with no neighbour there
    nb.lists[("en", "ar")].found[2, 1:] = -1
    lists = votes.cross_lists(nb)
    want = []
    for d in nb.ids:
        for lang in sorted({"ar", "en", "fr"} - {langs[d]}):
            ls = nb.lists[(langs[d], lang)]
            row = [nb.ids[j] for j in ls.found[ls.queries == nb.ids.index(d)].ravel().tolist() if j >= 0]
            other = nb.lists[(lang, langs[d])]
            back = [nb.ids[q] for q, found in zip(other.queries.tolist(), other.found.tolist(), strict=True)
                    if nb.ids.index(d) in found]
            want.append((d, lang, votes.pool(row, back)))
    assert lists == want
    assert any(len(p) > 3 for _, _, p in lists)  # some listed back beyond their nearest


def test_cross_pools_are_cross_lists_by_position():
    """cross_pools' positions name the pools cross_lists gives as ids, in order: ids of several
    lengths and scripts, an empty pool, three languages."""
    rng = np.random.default_rng(6)
    langs = {f"{lang}{'x' * (i % 4)}{i}{'مقال' if i % 5 == 0 else ''}": lang for lang in ("ar", "en", "fr") for i in range(9)}
    topics = {d: (v / np.linalg.norm(v)).astype(np.float32) for d in langs for v in [rng.normal(size=6)]}
    nb = nearest(topics, langs, k=3, k_same=1)
    nb.lists[("ar", "fr")].found[0] = -1  # an empty pool: no neighbour there, none listing it
    back = nb.lists[("fr", "ar")].found
    back[back == nb.lists[("ar", "fr")].queries[0]] = -1
    at = votes.cross_pools(nb)
    by_position = [(nb.ids[d], lang, [nb.ids[m] for m in at.members[at.bounds[e]:at.bounds[e + 1]]])
                   for e, (d, lang) in enumerate(zip(at.docs.tolist(), at.langs, strict=True))]
    pools = votes.cross_lists(nb)
    assert by_position == pools and any(not p for _, _, p in pools)
    assert any(len(p) > 3 for _, _, p in pools)


@pytest.mark.parametrize("seed,scale,longest", [(0, 1.0, 8), (1, 1.0, 64), (2, 4096.0, 8), (3, 1.0, 65), (4, -1.0, 8)])
def test_firsts_by_integer_keys_equal_a_comparison(seed, scale, longest):
    """votes._firsts: each segment's column maxima and first row at each, as a float comparison
    finds them, ties (copied rows) to the first row: by integer keys for products of float16
    unit rows (``scale`` 1), by comparison where a segment is longer than the keys' free bits
    (``longest`` 65) or a product too large for them (``scale`` 4096: cosines to 4096)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, longest + 1, size=40)
    sizes[0] = longest
    own = _half(rng.normal(size=(5, 24)))
    rows = _half(rng.normal(size=(int(sizes.sum()), 24)))
    copies = rng.integers(0, len(rows), size=len(rows) // 3)
    rows[copies] = rows[rng.integers(0, len(rows), size=len(copies))]  # ties
    if scale != 1.0:
        own = (own * abs(scale)).astype(np.float16).astype(np.float32) if scale > 0 else -own
    sims = rows.astype(np.float64) @ own.astype(np.float64).T
    keys = np.empty(sims.shape, dtype=np.int64)
    with np.errstate(invalid="ignore"):  # as votes._block casts them: a product too large is cast to anything
        np.multiply(sims, votes._KEY_SCALE, out=keys, casting="unsafe")
    starts = np.cumsum(sizes) - sizes
    top, first = votes._firsts(sims, keys, starts, sizes, sims.max(axis=1))
    for p, (a, k) in enumerate(zip(starts.tolist(), sizes.tolist(), strict=True)):
        block = sims[a:a + k]
        assert np.array_equal(top[p], block.max(axis=0))
        assert np.array_equal(first[p], np.argmax(block, axis=0))


def test_a_hub_no_longer_takes_a_partners_votes():
    """A hub sentence (a long document of everyday sentences, near everything) is nearer to three
    own sentences than their translations, and has only the first as its nearest back: the other
    two vote past it, for their translation (before, they cast no vote: 3/6 for the partner)."""
    eye = np.eye(16)
    own = _unit(eye[:6])
    partner = _unit(eye[:6] + 1.5 * eye[6:12])  # each sentence's translation, cosine 0.555
    hub = _unit(eye[:3].sum(axis=0, keepdims=True))  # cosine 0.577 to the first three
    pool = [("hub", hub), ("partner", partner)]
    got = votes.ballot(own, pool)
    assert got[:2] == ("partner", 5 / 6)
    tallied = votes.tally(own, 1, [(d, k, m) for k, (d, m) in enumerate(pool)])
    assert votes.verdict(tallied) == got
    assert votes.verdicts([tallied]) == [got]
    rows, col = votes.voted(tallied.mutual)
    assert rows.tolist() == list(range(6)) and col.tolist() == [0, 1, 1, 0, 0, 0]
