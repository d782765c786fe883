"""Which units of a same-language pair pay the full encoder (align/screen.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sourcetrace.align import screen
from sourcetrace.align.pair import align
from sourcetrace.encode import get_encoder
from sourcetrace.encode.static import HEAD_FROM
from sourcetrace.encode.vectors import encoded
from test_align import REPORT, _side


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_a_unit_may_pair_only_with_a_close_unit_one_of_the_two_free():
    a = np.stack([_unit(1, 0, 0), _unit(0, 1, 0), _unit(0, 0, 1)])
    b = np.stack([_unit(1, 0.1, 0), _unit(0, 1, 0.1), _unit(1, 1, 1)])
    # a0 (free) is close to b0; a1 and b1 are close but both covered; a2 is close to nothing
    ka, kb = screen.candidates(a, [True, False, True], b, [False, False, False], min_cos=0.9)
    assert ka.tolist() == [True, False, False]
    assert kb.tolist() == [True, False, False]
    ka, kb = screen.candidates(a, [True, False, True], b, [False, True, False], min_cos=0.9)
    assert ka.tolist() == [True, True, False] and kb.tolist() == [True, True, False]


def test_candidates_in_blocks_of_rows_are_those_of_the_whole_matrix(monkeypatch):
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(7, 5)).astype(np.float32), rng.normal(size=(6, 5)).astype(np.float32)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    free_a, free_b = [i % 2 == 0 for i in range(7)], [i % 3 == 0 for i in range(6)]
    whole = screen.candidates(a, free_a, b, free_b, min_cos=0.3)
    monkeypatch.setattr(screen, "BLOCK", 2)
    blocks = screen.candidates(a, free_a, b, free_b, min_cos=0.3)
    assert all(x.tolist() == y.tolist() for x, y in zip(whole, blocks, strict=True))
    assert whole[0].any() and not whole[0].all()  # the test reads both outcomes


def test_a_pair_reuse_explained_whole_is_not_encoded():
    def never(encoder, texts):
        raise AssertionError("encoded")

    assert screen.screened_vectors(["a sentence."], [False], ["a sentence."], [False], get_encoder("use"), never) is None



@pytest.mark.slow
def test_both_sides_units_are_encoded_in_one_call():
    calls = []

    def counted(encoder, texts):
        calls.append(list(texts))
        return encoded(encoder, texts)

    a = ["The ministers met in Rome in early May 2024 to discuss the basin's water plan.",
         "The home team won the final by three goals to one after a late penalty."]
    b = ["Council ministers gathered in Rome on May 5, 2024 to review the water plan for the basin."]
    got = screen.screened_vectors(a, [True, True], b, [True], get_encoder("use"), counted)
    assert got is not None and calls == [[a[0], b[0]]]  # one read and write of a cache a pair

@pytest.mark.slow
def test_static_vectors_are_the_static_encoders_bit_for_bit_from_kept_rows(monkeypatch):
    """Kept rows and rows whose head ran with few others (repeated to HEAD_FROM) are the rows the
    side's own head gives; a side under HEAD_FROM rows is encoded whole and keeps nothing."""
    from threadpoolctl import threadpool_limits

    monkeypatch.setattr(screen, "_rows", type(screen._rows)())
    monkeypatch.setattr(screen, "ROWS_KEPT", 2 * HEAD_FROM)
    static = get_encoder("static")
    words = ["ministers", "met", "rain", "fell", "plan", "approved", "fans", "celebrated", "city", "rome", "heavy",
             "water", "basin", "final"]
    texts = [f"The {words[i % 14]} {words[(3 * i) % 14]} of {words[(5 * i + 1) % 14]} in May {i}." for i in range(40)]
    pairs = [(texts[:9], texts[:8]), (texts[1:10], texts[3:9]), (texts[8:11], texts[5:15] + texts[:3]),
             (texts[30:40], texts[1:8]), (texts[20:29], texts[26:33]), (texts[12:14], texts[12:16])]
    new = []
    with threadpool_limits(1):  # as alignment runs it (screened_vectors)
        for pair in pairs:
            kept = set(screen._rows)
            got = screen.static_vectors(*pair)
            assert all(np.array_equal(v, static.encode(side)) for v, side in zip(got, pair, strict=True))
            new.append(len(set(screen._rows) - kept))
    # the second pair's head ran over one new row repeated; the last pair's sides, both short, keep nothing
    assert new[0] == 9 and new[1] == 1 and new[-1] == 0
    assert len(screen._rows) == 2 * HEAD_FROM and list(screen._rows)[-7:] == texts[26:33]
    one, none = screen.static_vectors(texts[:HEAD_FROM], [])
    assert np.array_equal(one, static.encode(texts[:HEAD_FROM])) and none.shape == (0, static.dim)


def test_rows_kept_for_a_batch_of_documents_are_the_rows_each_pair_would_compute(monkeypatch):
    """keep_rows computes the rows of groups of HEAD_FROM texts or more in one batch (a worker's
    chunk): static_vectors then reads the very bits it would have computed pair by pair; a short
    group keeps nothing, and no more than half of ROWS_KEPT are computed at once."""
    from threadpoolctl import threadpool_limits

    monkeypatch.setattr(screen, "_rows", type(screen._rows)())
    static = get_encoder("static")
    texts = [f"The council met in Rome on May {i} to review the water plan number {i * 7}." for i in range(40)]
    screen.keep_rows([texts[:12], texts[12:12 + HEAD_FROM - 1], texts[20:35]])
    assert set(screen._rows) == set(texts[:12]) | set(texts[20:35])
    with threadpool_limits(1):
        for side in (texts[:12], texts[20:35], texts[5:25]):
            (got,) = screen.static_vectors(side)
            assert np.array_equal(got, static.encode(side))
    monkeypatch.setattr(screen, "_rows", type(screen._rows)())
    monkeypatch.setattr(screen, "ROWS_KEPT", 2 * HEAD_FROM)
    screen.keep_rows([texts[:3 * HEAD_FROM]])
    assert list(screen._rows) == texts[:HEAD_FROM]


def test_a_long_sides_rows_are_kept_apart_and_not_computed_again_for_its_next_pair(monkeypatch):
    """A cycle of pairs over long sides whose rows together pass ROWS_KEPT computed every row again
    for each pair (the least recently used row is the next one read); a long side's rows are kept
    apart, up to LONG_ROWS_KEPT, so its next pair computes none, and they are the same bits."""
    from threadpoolctl import threadpool_limits

    monkeypatch.setattr(screen, "_rows", type(screen._rows)())
    monkeypatch.setattr(screen, "_long_rows", type(screen._long_rows)())
    monkeypatch.setattr(screen, "ROWS_KEPT", 2 * HEAD_FROM)
    monkeypatch.setattr(screen, "LONG_SIDE", 2 * HEAD_FROM)
    monkeypatch.setattr(screen, "LONG_ROWS_KEPT", 6 * HEAD_FROM)
    computed: list[int] = []
    keep = screen._keep
    monkeypatch.setattr(screen, "_keep", lambda todo, long=frozenset(): (computed.append(len(todo)), keep(todo, long)))
    static = get_encoder("static")
    books = [[f"Book {k}, line {i}: the council met in Rome on May {i} about plan {k * i}." for i in range(2 * HEAD_FROM)]
             for k in range(3)]
    short = [f"A note {i} on the basin's water." for i in range(HEAD_FROM)]
    with threadpool_limits(1):
        for a, b in [(books[0], books[1]), (books[1], books[2]), (books[0], books[2]), (short, books[1])]:
            got = screen.static_vectors(a, b)
            assert all(np.array_equal(v, static.encode(side)) for v, side in zip(got, (a, b), strict=True))
    # 6 HEAD_FROM rows of three books: each computed once; the short side's rows kept as before
    assert computed == [4 * HEAD_FROM, 2 * HEAD_FROM, 0, HEAD_FROM]
    assert set(screen._long_rows) == {t for book in books for t in book} and set(screen._rows) == set(short)
    screen.keep_rows([books[0] + short])  # a long group: nothing new but the short side's rows, kept
    assert computed[-1] == 0


def test_prepare_keeps_the_rows_of_same_language_pairs_sentences_with_uses_encoder(monkeypatch):
    from sourcetrace.align.pair import prepare

    a = _side(" ".join(f"Sentence {i} of the ministers' statement on the water plan." for i in range(9)), "a")
    b = _side(" ".join(f"Line {i} of the report on the basin." for i in range(8)), "b")
    monkeypatch.setattr(screen, "_rows", type(screen._rows)())
    prepare([(a, b)], get_encoder("static"))  # another encoder: no screen, nothing to keep
    assert not screen._rows
    prepare([(a, b)], get_encoder("use"))
    assert len(a.sentences) >= HEAD_FROM and len(b.sentences) >= HEAD_FROM
    assert set(screen._rows) == {x.text[s.start:s.end] for x in (a, b) for s in x.sentences}


def test_only_uses_encoder_is_screened():
    assert screen.screens(get_encoder("use"))
    assert not screen.screens(get_encoder("static"))


@pytest.mark.slow
def test_units_that_may_pair_get_uses_vectors_the_rest_static_ones():
    use, static = get_encoder("use"), get_encoder("static")
    a = ["The ministers met in Rome in early May 2024 to discuss the basin's water plan.",
         "The home team won the final by three goals to one after a late penalty."]
    b = ["Council ministers gathered in Rome on May 5, 2024 to review the water plan for the basin.",
         "Fans celebrated in the streets of the old city until midnight."]
    got = screen.screened_vectors(a, [True, True], b, [True, True], use, encoded)
    assert got is not None
    va, vb = got
    np.testing.assert_allclose(va[0], use.encode([a[0]])[0], atol=1e-6)
    np.testing.assert_allclose(vb[0], use.encode([b[0]])[0], atol=1e-6)
    np.testing.assert_allclose(va[1], static.encode([a[1]])[0], atol=1e-6)
    np.testing.assert_allclose(vb[1], static.encode([b[1]])[0], atol=1e-6)
    assert screen.screened_vectors(a[1:], [True], b[1:], [True], use, encoded) is None


@pytest.mark.slow
def test_a_screened_report_keeps_its_quote_and_paraphrase(monkeypatch):
    source = _side("وقال البيان إن الوزراء بحثوا خطة المياه.\n"
                   "ووافق المجلس على صندوق بقيمة 120 مليون دولار لمساعدة المزارعين المتضررين من الجفاف.\n"
                   "اجتمع وزراء المجلس في روما يوم 5 أيار/مايو 2024 لمراجعة خطة المياه في الحوض.\n", "source")
    report = _side(REPORT, "report")
    use = get_encoder("use")
    screened = align(report, source, encoder=use)
    monkeypatch.setattr(screen, "screens", lambda encoder: False)
    every = align(report, source, encoder=use)

    def spans(passages):
        return [(p.a_start, p.a_end, p.b_start, p.b_end, p.kind) for p in passages]

    # the same passages; a paraphrase's score moves a little: its margin's neighbourhood now
    # holds the football sentence's static vector, not its USE vector
    assert spans(screened) == spans(every)
    assert {p.kind for p in screened} == {"verbatim", "paraphrase"}
    assert all(abs(x.score - y.score) < 0.02 for x, y in zip(screened, every, strict=True))


def _rows(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=(n, 6)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_a_long_pairs_units_may_pair_only_within_the_stretches_their_windows_read():
    rng = np.random.default_rng(5)
    a, b = _rows(rng, 23), _rows(rng, 17)
    free_a, free_b = [i % 3 != 0 for i in range(23)], [i % 4 == 0 for i in range(17)]
    plan = [screen.windows.Window(0, 10, 0, 8, 0, 9), screen.windows.Window(6, 18, 8, 16, 5, 14),
            screen.windows.Window(14, 23, 16, 23, 9, 17)]
    ka, kb = screen.candidates_in(a, free_a, b, free_b, plan, min_cos=0.4)
    # brute force: a cell counts when a window reads both its units
    want_a, want_b = np.zeros(23, dtype=bool), np.zeros(17, dtype=bool)
    for i in range(23):
        for j in range(17):
            read = any(w.a_lo <= i < w.a_hi and w.b_lo <= j < w.b_hi for w in plan)
            if read and (free_a[i] or free_b[j]) and float(a[i] @ b[j]) >= 0.4:
                want_a[i] = want_b[j] = True
    assert ka.tolist() == want_a.tolist() and kb.tolist() == want_b.tolist()
    everywhere = screen.candidates(a, free_a, b, free_b, min_cos=0.4)
    assert ka.sum() + kb.sum() < everywhere[0].sum() + everywhere[1].sum()  # the windows left some out



def test_windows_that_each_read_all_of_b_screen_every_cell_once_as_a_whole_pair(monkeypatch):
    rng = np.random.default_rng(5)
    a, b = _rows(rng, 23), _rows(rng, 17)
    free_a, free_b = [i % 3 != 0 for i in range(23)], [i % 4 == 0 for i in range(17)]
    whole = screen.candidates(a, free_a, b, free_b, min_cos=0.4)
    calls = []
    real = screen.candidates
    monkeypatch.setattr(screen, "candidates", lambda *args, **kw: calls.append(len(args[0])) or real(*args, **kw))
    plan = [screen.windows.Window(0, 10, 0, 8, 0, 17), screen.windows.Window(6, 23, 8, 23, 0, 17)]
    got = screen.candidates_in(a, free_a, b, free_b, plan, min_cos=0.4)
    assert [x.tolist() for x in got] == [x.tolist() for x in whole] and calls == [23]  # one call, every row once
    calls.clear()
    screen.candidates_in(a, free_a, b, free_b, [plan[0], screen.windows.Window(6, 23, 8, 23, 2, 17)], min_cos=0.4)
    assert calls == [10, 17]  # a window reads part of b: window by window


def test_only_a_pair_over_max_cells_is_screened_in_its_windows_and_keeps_their_plan(monkeypatch):
    rng = np.random.default_rng(8)
    a, b = _rows(rng, 30), _rows(rng, 20)
    monkeypatch.setattr(screen, "static_vectors", lambda ta, tb: [a.copy(), b.copy()])
    texts_a, texts_b = [f"a{i}" for i in range(30)], [f"b{j}" for j in range(20)]
    free_a, free_b = [True] * 30, [False] * 20
    short = screen.screened(texts_a, free_a, texts_b, free_b)
    ka, kb = screen.candidates(a, free_a, b, free_b)
    assert short is not None and short.plan is None
    assert short.ka.tolist() == ka.tolist() and short.kb.tolist() == kb.tolist()
    monkeypatch.setattr(screen.windows, "MAX_CELLS", 30 * 20 - 1)
    monkeypatch.setattr(screen.windows, "WINDOW", 4)
    monkeypatch.setattr(screen.windows, "OVERLAP", 1)
    long = screen.screened(texts_a, free_a, texts_b, free_b)
    assert long is not None and long.plan == screen.windows.windows_of(a, b)
    ka, kb = screen.candidates_in(a, free_a, b, free_b, long.plan)
    assert long.ka.tolist() == ka.tolist() and long.kb.tolist() == kb.tolist()


def test_a_long_pair_is_aligned_in_the_very_windows_its_units_were_screened_in(monkeypatch):
    """align/pair.py aligns a long same-language pair by the screen's plan (from the static vectors),
    not by a plan of the filled vectors: a cell the alignment reads was screened."""
    from sourcetrace.align import pair

    monkeypatch.setattr(screen.windows, "MAX_CELLS", 40)
    monkeypatch.setattr(screen.windows, "WINDOW", 3)
    monkeypatch.setattr(screen.windows, "OVERLAP", 1)
    monkeypatch.setattr(screen.windows, "WIDTH", 1)
    topics = ["water plan of the basin", "final of the cup", "price of bread", "rain in the north",
              "new school year", "old city walls"]
    a = _side(" ".join(f"Ministers spoke on the {topics[i % 6]} for the {i + 1}th time in Rome." for i in range(12)), "a")
    b = _side(" ".join(f"The council discussed the {topics[(i + 2) % 6]} at meeting {i + 1} in May."
                       for i in range(10)), "b")
    static = get_encoder("static")
    rng = np.random.default_rng(4)

    def elsewhere(encoder, texts):  # "USE" vectors that plan other windows than the static ones
        v = rng.normal(size=(len(texts), static.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    made, planned, read = [], [], []
    real_screened, real_pairs, real_whole = screen.screened, pair._pairs, pair._pairs_whole
    monkeypatch.setattr(screen, "screened", lambda *args: made.append(real_screened(*args)) or made[-1])
    monkeypatch.setattr(pair, "_pairs", lambda *args: planned.append(args) or real_pairs(*args))
    monkeypatch.setattr(pair, "_pairs_whole", lambda ua, ub, *rest: read.append(
        (ua[0].start, len(ua), ub[0].start, len(ub))) or real_whole(ua, ub, *rest))
    align(a, b, encoder=get_encoder("use"), vectors=elsewhere)
    assert len(a.sentences) * len(b.sentences) > 40 and made[0] is not None
    plan = made[0].plan
    assert plan is not None and len(plan) >= 4 and [args[-1] for args in planned] == [plan]
    ua, ub = planned[0][:2]
    assert read == [(ua[w.a_lo].start, w.a_hi - w.a_lo, ub[w.b_lo].start, w.b_hi - w.b_lo) for w in plan]
    va, vb = made[0].va, made[0].vb  # filled: another plan would have been read
    assert plan != screen.windows.windows_of(pair.unit_vectors(va), pair.unit_vectors(vb))


def test_rows_computed_a_batch_at_a_time_are_the_same_bits(monkeypatch):
    """A book's static rows are computed KEEP_BATCH texts at a time (the head's temporaries of
    900,000 units were ~10 GB at once); each batch's rows, the last one's too (fewer than HEAD_FROM:
    repeated to that many), are the bits of the side's own head."""
    from threadpoolctl import threadpool_limits

    monkeypatch.setattr(screen, "_rows", type(screen._rows)())
    monkeypatch.setattr(screen, "KEEP_BATCH", HEAD_FROM + 1)
    static = get_encoder("static")
    heads = []
    finished = static.finished
    monkeypatch.setattr(static, "finished", lambda sums, lens: (heads.append(len(sums)), finished(sums, lens))[1])
    texts = [f"The council met in Rome on day {i} of May to review the water plan of basin {i % 7}." for i in range(3 * HEAD_FROM + 5)]
    with threadpool_limits(1):
        got, = screen.static_vectors(texts)
        # batches of HEAD_FROM + 1 texts, the last of 2 repeated to HEAD_FROM rows
        assert heads == [HEAD_FROM + 1] * 3 + [HEAD_FROM]
        assert np.array_equal(got, static.encode(texts))
