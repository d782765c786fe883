"""Aligning two documents you can read: a statement, its translation, and a report of it."""

from __future__ import annotations

import numpy as np
import pytest

from sourcetrace import pipeline
from sourcetrace.align.pair import (
    COVERED,
    TILE,
    TILE_MARGIN,
    Side,
    _bounded,
    _length_ratio,
    _lines_reused,
    _tiles,
    _trim,
    _widen,
    align,
)
from sourcetrace.align.path import Bead
from sourcetrace.records import SourceFile

EN = (
    "The ministers of the council met in Rome on May 5, 2024 to review the water plan for the basin.\n"
    "They agreed to expand the monitoring network to 40 new stations by the end of next year.\n"
    "The council approved a fund of 120 million dollars to help farmers affected by the drought.\n"
    "The ministers thanked the government of Italy for hosting the meeting and for its support.\n"
)
AR = (
    "اجتمع وزراء المجلس في روما يوم 5 أيار/مايو 2024 لمراجعة خطة المياه في الحوض.\n"
    "واتفقوا على توسيع شبكة الرصد لتشمل 40 محطة جديدة بحلول نهاية العام المقبل.\n"
    "ووافق المجلس على صندوق بقيمة 120 مليون دولار لمساعدة المزارعين المتضررين من الجفاف.\n"
    "وشكر الوزراء حكومة إيطاليا على استضافة الاجتماع وعلى دعمها.\n"
)
REPORT = (
    "وقال البيان: \"ووافق المجلس على صندوق بقيمة 120 مليون دولار لمساعدة المزارعين المتضررين من الجفاف\".\n"
    "وفي سياق منفصل، فاز فريق المدينة لكرة القدم على ضيفه بثلاثة أهداف مقابل هدف واحد مساء أمس.\n"
    "وكان الوزراء قد التقوا في روما مطلع أيار/مايو 2024 للبحث في خطة الحوض المائية.\n"
)


def _side(text: str, name: str) -> Side:
    source = SourceFile(f"{name}.txt", text, "utf-8", "text", name, len(text))
    docs, sentences = pipeline.segment(source, name)
    assert len(docs) == 1
    return Side(docs[0], text, sentences)


@pytest.fixture(scope="module")
def sides():
    return _side(EN, "en"), _side(AR, "ar"), _side(REPORT, "report")


def _text(side: Side, start: int, end: int) -> str:
    return side.text[start:end]


def test_translation_aligns_every_sentence_one_to_one(sides):
    en, ar, _ = sides
    passages = align(en, ar)
    assert len(passages) == 4
    assert all(p.kind in ("translation", "translated-paraphrase") for p in passages)
    for p, (s_en, s_ar) in zip(passages, zip(en.sentences, ar.sentences, strict=True), strict=True):
        assert (p.a_start, p.a_end) == (s_en.start, s_en.end)
        assert (p.b_start, p.b_end) == (s_ar.start, s_ar.end)
        assert 0.5 <= p.score <= 1.0


def test_alignment_does_not_assume_order(sides):
    en, ar, _ = sides
    lines = AR.splitlines(keepends=True)
    shuffled = _side("".join([lines[2], lines[0], lines[3], lines[1]]), "shuffled")
    passages = align(en, shuffled)
    pairs = {(_text(en, p.a_start, p.a_end)[:12], _text(shuffled, p.b_start, p.b_end)[:12]) for p in passages}
    expected = {(EN.splitlines()[i][:12], AR.splitlines()[i][:12]) for i in range(4)}
    assert pairs == expected


def test_report_quotes_verbatim_and_paraphrases_and_adds(sides):
    _, ar, report = sides
    passages = align(report, ar)
    kinds = {p.kind for p in passages}
    assert "verbatim" in kinds
    quote = next(p for p in passages if p.kind == "verbatim")
    assert _text(report, quote.a_start, quote.a_end).startswith("ووافق المجلس")
    assert _text(report, quote.a_start, quote.a_end).endswith("الجفاف")  # quote marks left out
    football = REPORT.index("وفي سياق")
    assert not any(p.a_start <= football < p.a_end for p in passages), "an added sentence matched"
    meeting = REPORT.index("وكان الوزراء")
    para = [p for p in passages if p.a_start == meeting]
    assert para and para[0].kind == "paraphrase"
    assert _text(ar, para[0].b_start, para[0].b_end).startswith("اجتمع وزراء المجلس")


def test_cross_lingual_report_against_the_original(sides):
    en, _, report = sides
    passages = align(report, en)
    fund = [p for p in passages if "120" in _text(en, p.b_start, p.b_end)]
    assert fund and fund[0].kind in ("translation", "translated-paraphrase")
    football = REPORT.index("وفي سياق")
    assert not any(p.a_start <= football < p.a_end for p in passages)


def test_unrelated_documents_share_nothing(sides):
    en, _, _ = sides
    other = _side("The home team won the final by three goals to one after a late penalty.\n"
                  "Fans celebrated in the streets of the old city until midnight.\n", "football")
    assert align(en, other) == []


def test_threshold_trades_recall_for_precision(sides):
    en, ar, report = sides
    loose = align(report, en, threshold=0.2)
    strict = align(report, en, threshold=0.95)
    assert len(strict) <= len(align(report, en)) <= len(loose)


SHORT_EN = ["Sami came home.", "Where is your school?", "Your cake is delicious.", "We didn't forget.",
            "Tom is angry with Mary.", "I called my dog.", "The rumor isn't true.", "Sami ate his dog."]
SHORT_AR = ["جاء سامي إلى المنزل.", "أين مدرستك؟", "كعكتك شهية.", "لم ننس.",
            "توم غاضب من ماري.", "ناديت كلبي.", "تلك الإشاعة ليست صحيحة.", "أكل سامي كلبه."]


def test_a_partial_translation_of_short_sentences_in_shuffled_blocks_is_found():
    # Issue 17: short translated sentences were lost unless a long pair stood next to them; a
    # block of a shuffled partial translation has its own first sentence with no neighbour.
    en = _side("\n".join(SHORT_EN) + "\n", "short_en")
    kept = [6, 7, 0, 2, 3, 5]  # 1 and 4 left out; blocks [6, 7], [0], [2, 3], [5] (one of them alone)
    ar = _side("\n".join(SHORT_AR[k] for k in kept) + "\n", "short_ar")
    got = {(_text(en, p.a_start, p.a_end), _text(ar, p.b_start, p.b_end)) for p in align(en, ar)}
    want = {(SHORT_EN[k], SHORT_AR[k]) for k in kept}
    assert len(got & want) >= len(want) - 1 and len(got - want) <= 1, got


def test_short_lines_alone_prove_nothing():
    import numpy as np

    from sourcetrace.align.pair import _anchored

    score = np.full((4, 4), 0.1)
    score[0, 0] = 0.95  # "For Immediate Release" in two unrelated releases: sure, but alone
    assert _anchored({(0, 0)}, [True] * 4, [True] * 4, score) == set()
    score[2, 3] = 0.97  # two sure pairs confirm each other; a run keeps its short pairs
    assert _anchored({(0, 0), (2, 3)}, [True] * 4, [True] * 4, score) == {(0, 0), (2, 3)}
    assert _anchored({(1, 1), (2, 2)}, [True] * 4, [True] * 4, np.full((4, 4), 0.6)) == {(1, 1), (2, 2)}


WRAPPED_SOURCE = (
    "Heat stroke can kill a dog within minutes. Cool the animal at once by moving it into the\n"
    "shade and wetting its coat with cool, not cold, water. This is\n"
    "important because the pet may be dehydrated. Call a veterinarian on the way.\n"
)


def test_a_block_copied_from_hard_wrapped_text_is_one_passage():
    # The splitter cuts at every line break; a copy wrapped at other places is still one span per
    # copied stretch (issue 17: PAN's web texts): two sentences copied whole, in a row, with their
    # punctuation, are one block. A report that frames each quoted sentence (a paragraph of its
    # own, "he added:") keeps one passage per sentence.
    rewrapped = (
        "Owners should know this. Cool the animal at once by moving it into the shade and wetting\n"
        "its coat with cool, not cold, water. This is important because the pet may be\n"
        "dehydrated. Our own advice ends here.\n"
    )
    src, copy = _side(WRAPPED_SOURCE, "wrapped"), _side(rewrapped, "rewrapped")
    got = [(_text(copy, p.a_start, p.a_end), p.kind) for p in align(copy, src)]
    assert got == [("Cool the animal at once by moving it into the shade and wetting\nits coat with cool, not cold, "
                    "water. This is important because the pet may be\ndehydrated", "verbatim")], got
    # A blank line inside a sentence (the source's layout) does not end a paragraph.
    broken = _side(WRAPPED_SOURCE.replace("This is\n", "This is\n\n"), "broken")
    got = [_text(copy, p.a_start, p.a_end) for p in align(copy, broken)]
    assert got == ["Cool the animal at once by moving it into the shade and wetting\nits coat with cool, not cold, "
                   "water. This is important because the pet may be\ndehydrated"], got
    framed = (
        "Owners should know this: \"Cool the animal at once by moving it into the shade and wetting its coat\n"
        "with cool, not cold, water.\"\n\n"
        "He added: \"This is important because the pet may be dehydrated.\"\n"
    )
    report = _side(framed, "framed")
    got = [_text(report, p.a_start, p.a_end) for p in align(report, src) if p.kind == "verbatim"]
    assert got == [
        "Cool the animal at once by moving it into the shade and wetting its coat\nwith cool, not cold, water",
        "This is important because the pet may be dehydrated",
    ], got


def test_a_block_with_a_character_garbled_in_the_copy_is_one_passage():
    # Issue 17 (PAN): the copy garbled a character ("p(t" for "pet": two words for one) and
    # doubled a mark; the block is still the copied text, one passage, not three.
    source = ("Owners should know this. Cool the animal at once by moving it into the shade and wetting its coat "
              "with cool water! This is important because the pet may be dehydrated. Call a veterinarian on the "
              "way there and tell them what happened. Our own advice ends here.\n")
    copy = source.replace("the pet may", "the p(t may").replace("water!", "water!!").replace(
        "Owners should know this.", "The market opened lower.").replace("Our own", "Shares rose later. No")
    src, cp = _side(source, "source"), _side(copy, "copy")
    got = [_text(cp, p.a_start, p.a_end) for p in align(cp, src)]
    assert got == ["Cool the animal at once by moving it into the shade and wetting its coat with cool water!! This is "
                   "important because the p(t may be dehydrated. Call a veterinarian on the way there and tell them "
                   "what happened"], got
    # A word changed is no garbled character: "a" for "the" keeps the passages apart.
    changed = _side(copy.replace("the p(t may", "a pet may"), "changed")
    assert len([p for p in align(changed, src) if p.kind != "paraphrase"]) > 1


def test_one_slip_is_one_garbled_place_of_a_few_characters():
    from sourcetrace.align.pair import _one_slip

    assert _one_slip("whatclshotinthatgraphic", "whatjshotinthatgraphic")
    assert _one_slip("greasetwofrac12cupcapacity", "greasetwofracl2cupcapacity")
    assert not _one_slip("greasetwofrac12cupcapacity", "greasethreefrac12cupcapacity")  # a word changed
    assert not _one_slip("an", "a")  # too short to tell a slip from a change
    assert not _one_slip("whatclshotinthatgraphicxx", "whatjshotinthatgraphicyy")  # two places


def test_short_headings_copied_with_their_text_are_part_of_the_block():
    # Issue 17 (PAN): a block opens with headings too short for the reuse matcher; aligned by
    # meaning they have the very same words, so they are taken word for word, with the block.
    block = ("Wedding colors. Step one. Pick invitations in the base color of your wedding and have them printed "
             "in the accent color of your choice.")
    source = _side("Plan the day with care. " + block + " Ask the florist for a matching bouquet.\n", "plan")
    copy = _side("The market opened lower on Monday. " + block + " Shares rose later in the day.\n", "market")
    got = [(_text(copy, p.a_start, p.a_end), p.kind) for p in align(copy, source)]
    assert (block.rstrip("."), "verbatim") in got, got


FRAME = ("Speaking at a press conference in {place} on {date}, {who} that the {plan} to {act} the oil refinery "
         "was part of a wider policy to end power cuts by the summer and cut carbon emissions.\n")


def test_two_sentences_of_one_frame_are_not_taken_word_for_word():
    # Planted bench (bench/trace.py at 10,000 documents): two unrelated reports fill one sentence
    # frame with other places, dates, people and verbs. The reuse matches on either side of what
    # differs were joined into one passage scored over the matches' own words only (0.94), a
    # 41-word block "taken word for word" that made the two reports `derived`.
    one = _side(FRAME.format(place="Jisr Shamali", date="February 10, 2022", who="Director-General Dalia Kurdi stressed",
                             plan="plan", act="privatise"), "one")
    two = _side(FRAME.format(place="Ras Arish", date="October 20, 2026", who="Deputy Minister Ihab Rahal told reporters",
                             plan="blueprint", act="restructure"), "two")
    got = [p for p in align(one, two) if p.kind == "near-verbatim"]
    assert got and not any(p.word_for_word for p in got), got
    assert max(p.score for p in got) < 0.75, got  # 29 of its 42 words matched
    # A sentence copied with one name changed (3 words of 42) is still taken word for word.
    three = _side(FRAME.format(place="Jisr Shamali", date="February 10, 2022", who="Deputy Minister Ihab Rahal stressed",
                               plan="plan", act="privatise"), "three")
    got = [p for p in align(one, three) if p.kind == "near-verbatim"]
    assert len(got) == 1 and got[0].word_for_word and 0.9 < got[0].score < 1, got


def _bead(a: range, b: range, gain: float = 0.3) -> Bead:
    return Bead(a, b, gain, False)


def test_the_path_is_kept_only_where_found_pairs_bound_it():
    # Issue 17: a path through two texts of one template runs on in order from a few chance pairs;
    # only beads between found pairs (or just beyond them) are taken.
    run = [_bead(range(k, k + 1), range(k, k + 1)) for k in range(12)]
    found = {(2, 2), (5, 5), (11, 11)}
    kept = [b.a.start for b in _bounded(run, found)]
    assert kept == [0, 1, 2, 3, 4, 5, 11]  # 2..5 filled, two beyond the first; 6..10 too long a gap
    assert _bounded(run[:4], set()) == []  # a run that holds no found pair is no evidence


def test_a_stretch_of_strong_beads_counts_on_its_own():
    # Issue 17 (partial Qur'an, short verses): a block none of whose pairs the search found is a
    # stretch of beads that each gain NEW_RUN_GAIN, inside a run that also takes weak beads.
    strong = {7, 8, 16, 17}
    run = [_bead(range(k, k + 1), range(k, k + 1), 0.6 if k in strong else 0.3) for k in range(19)]
    found = {(2, 2), (5, 5), (11, 11)}
    kept = [b.a.start for b in _bounded(run, found)]
    assert kept == [0, 1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 16, 17]  # 7-8 and 16-17 too; not 6, 9-10, 14-15
    assert [b.a.start for b in _bounded(run[6:10], found)] == [7, 8]  # held nothing: the stretch alone
    assert _bounded(run[6:10], set()) == []  # ... once the texts share NEW_RUN_AFTER pairs
    lone = [_bead(range(k, k + 1), range(k, k + 1), 0.6 if k == 7 else 0.3) for k in range(6, 10)]
    assert _bounded(lone, found) == []  # one strong bead is no stretch


def test_a_reordered_pairs_edge_beads_continue_their_block():
    # Issue 17 (partial Qur'an, quran61): the path reaches a block's first verse over five skipped
    # units of `b` (where its partner is not) and runs on into the next block; in a reordered pair
    # that bead neither is an edge of the block nor makes a stretch with it. In order it still is.
    far = Bead(range(0, 1), range(6, 8), 0.5, True, 0.71)
    block = [Bead(range(1, 2), range(13, 15), 0.8, False, 0.5), Bead(range(2, 3), range(16, 18), 0.65, False, 0.65),
             Bead(range(3, 4), range(18, 19), 0.3, False, 0.7)]
    found = {(1, 14), (2, 16), (9, 13)}
    assert [b.a.start for b in _bounded([far, *block], found)] == [0, 1, 2, 3]
    assert [b.a.start for b in _bounded([far, *block], found, reordered=True)] == [1, 2, 3]
    near = Bead(range(0, 1), range(10, 12), 0.5, True, 0.71)  # a unit skipped: a stretch with the block
    assert [b.a.start for b in _bounded([near, *block], found, reordered=True)] == [0, 1, 2, 3]


def test_the_length_ratio_is_measured_over_groups_of_units():
    # a verse of 90 characters rendered as two sentences of 50: one group, ratio 0.9, not 1.8
    len_a, len_b = [90.0, 60.0, 30.0], [50.0, 50.0, 60.0, 30.0]
    assert _length_ratio({(0, 0), (0, 1), (1, 2), (2, 3)}, len_a, len_b) == pytest.approx(1.0)
    assert _length_ratio({(0, 0), (0, 1)}, len_a, len_b) is None  # under three groups: no estimate


def test_a_long_pair_is_drawn_tile_by_tile_where_its_pairs_are():
    n = m = 3 * TILE
    diagonal = {(k, k) for k in range(0, n, 7)}
    assert _tiles(diagonal, 40, 40) == [(0, 40, 0, 40)]  # a short pair is one tile
    tiles = _tiles(diagonal, n, m)
    assert [t[:2] for t in tiles] == [(0, TILE), (TILE, 2 * TILE), (2 * TILE, 3 * TILE)]
    assert all(b0 >= a0 - TILE_MARGIN and b1 <= a1 + TILE_MARGIN for a0, a1, b0, b1 in tiles)
    wide = 8 * TILE
    scattered = {(k, (k * 97) % wide) for k in range(0, TILE, 5)}  # a tile whose pairs run all over b
    assert _tiles(scattered | {(k, k) for k in range(TILE, n, 7)}, n, wide)[0][0] == TILE


def test_a_bead_of_a_reordered_path_completes_a_found_pair_whose_lengths_do_not_fit():
    from sourcetrace.align.pair import _completes

    def bead(a, b):
        return Bead(range(*a), range(*b), gain=1.0, jumped=False)

    # unit 3 of a (a long verse) was found with unit 5 of b (its first sentence); 6 and 7 close it
    by_a, by_b = {3: {5}}, {5: {3}}
    len_a, len_b = [300.0] * 10, [100.0] * 10
    assert _completes(bead((3, 4), (5, 8)), by_a, by_b, len_a, len_b)
    assert not _completes(bead((3, 4), (5, 6)), by_a, by_b, len_a, len_b)  # adds nothing
    # a pair whose lengths already fit takes no neighbour (a sentence the other side dropped)
    assert not _completes(bead((3, 4), (5, 7)), by_a, by_b, [100.0] * 10, len_b)
    # a bead that takes a unit paired elsewhere, or cuts a found pair, is no completion
    assert not _completes(bead((3, 4), (5, 8)), {3: {5}, 8: {7}}, {5: {3}, 7: {8}}, len_a, len_b)
    assert not _completes(bead((3, 4), (5, 8)), {3: {4, 5}}, {4: {3}, 5: {3}}, len_a, len_b)
    # short sentences' lengths vary: a short pair needs a far nearer fit
    assert not _completes(bead((3, 4), (5, 7)), by_a, by_b, [38.0] * 10, [19.0, 19.0, 19.0, 19.0, 19.0, 19.0, 15.0] + [15.0] * 3)


def test_a_chosen_short_pair_that_stands_out_of_both_neighbourhoods_stands():
    import numpy as np

    from sourcetrace.align.pair import SHORT_ANCHOR_MARGIN, _standing

    score, margin = np.full((4, 4), 0.1), np.full((4, 4), 1.0)
    score[1, 2], margin[1, 2] = 0.6, SHORT_ANCHOR_MARGIN + 0.2  # mutual best, far out: stands
    score[3, 0], margin[3, 0] = 0.6, SHORT_ANCHOR_MARGIN - 0.2  # mutual best, not far enough out
    score[0, 2] = 0.5  # chosen, but its column prefers row 1
    assert _standing(set(), {(1, 2), (3, 0), (0, 2)}, score, margin) == {(1, 2)}
    margin[0, 2] = 2.0
    assert _standing({(0, 2)}, set(), score, margin) == {(0, 2)}  # an anchor is taken as it was


def test_a_bead_that_continues_a_found_block_displaces_a_lone_pair_it_comes_nearer_than():
    import numpy as np

    from sourcetrace.align.pair import _displacing, _follows_held

    sim = np.full((8, 12), 0.1)
    for i, j in ((3, 2), (4, 3), (5, 4)):
        sim[i, j] = 0.7
    sim[5, 9] = 0.35  # the search paired 5 with 9, alone: a verse of the same words elsewhere
    run = [Bead(range(3, 4), range(2, 3), 0.8, True, 0.3), Bead(range(4, 5), range(3, 4), 0.8, False, 0.3),
           Bead(range(5, 6), range(4, 5), 0.8, False, 0.3)]
    pairs = {(3, 2), (4, 3), (5, 9)}
    by_a = {3: {2}, 4: {3}, 5: {9}}
    by_b = {2: {3}, 3: {4}, 9: {5}}
    assert _follows_held(run, 2, pairs)
    assert _displacing([run[2]], pairs, by_a, by_b, sim, set()) == {(5, 4)}
    # a pair with a found neighbour on its diagonal is no lone pair: it stays
    assert _displacing([run[2]], pairs | {(6, 10)}, by_a | {6: {10}}, by_b | {10: {6}}, sim, set()) == set()
    # a bead after a skipped unit does not continue the block
    skipped = [*run[:2], Bead(range(5, 6), range(5, 6), 0.8, False, 0.3)]
    assert not _follows_held(skipped, 2, pairs)


def test_a_text_in_order_is_drawn_alike_whichever_side_is_a():
    # Issue 17: the path leaves a unit of its rows out for free; a verse the other side cut into
    # two sentences, the second of them weak alone, is one bead either way.
    import numpy as np

    from sourcetrace.align.beads import unit_vectors
    from sourcetrace.align.pair import _on_path

    rng = np.random.default_rng(3)
    first, second = rng.normal(size=(5, 64)), rng.normal(size=(5, 64))
    verses = unit_vectors(first + 0.4 * second + rng.normal(size=(5, 64)))
    sentences = unit_vectors(np.stack([v for pair in zip(first, second, strict=True) for v in pair]))
    sim = verses @ sentences.T
    len_v, len_s = [120.0] * 5, [70.0, 50.0] * 5
    found = {(k, 2 * k) for k in range(5)}
    nums: list[frozenset[str]] = [frozenset()] * 10
    verses_first = _on_path(found, sim, verses, sentences, len_v, len_s, [True] * 5, [True] * 10, nums[:5], nums)
    sentences_first = _on_path({(j, i) for i, j in found}, sim.T, sentences, verses, len_s, len_v, [True] * 10,
                               [True] * 5, nums, nums[:5])
    assert verses_first == {(i, j) for j, i in sentences_first}
    assert verses_first == {(k, j) for k in range(5) for j in (2 * k, 2 * k + 1)}


def test_a_unit_the_path_left_out_takes_its_free_best_partner():
    # Issue 17 (partial Qur'an, quran61): a verse alone in its block, whose partner lies after the
    # next block's, is left out by the path; its best partner, held by nobody, takes it.
    from sourcetrace.align.pair import _left_best

    sim = np.array([[0.52, 0.20, 0.25, 0.20],
                    [0.20, 0.70, 0.20, 0.30],
                    [0.45, 0.20, 0.22, 0.21]], dtype=np.float32)
    opened = [True] * 4
    assert _left_best({(1, 1)}, sim, opened[:3], opened) == {(0, 0)}  # unit 2 prefers 0 less than unit 0 does
    assert _left_best({(1, 1), (2, 0)}, sim, opened[:3], opened) == set()  # its best is held
    assert _left_best({(1, 1)}, sim * 0.5, opened[:3], opened) == set()  # no nearer than chance


def test_alnum_keeps_what_isalnum_keeps_for_every_code_point() -> None:
    import sys

    from sourcetrace.align.pair import _alnum

    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert _alnum(every) == "".join(ch for ch in every if ch.isalnum())
    assert _alnum("Step_1: a-b, ١٢ «قال»") == "Step1ab١٢قال"


@pytest.mark.slow
def test_pairs_aligned_together_get_each_pairs_own_passages_with_fewer_calls_for_vectors(sides):
    """align_many (a pair worker's chunk): each pair's passages are align's, while the vectors its
    pairs need at a step are asked for in one call (cross-language pairs' units first, then the
    same-language pairs' screened ones). Vectors here are encoded a text at a time, so their bits
    do not depend on the calls' batches (BLAS's do, on some machines: bench/README align32)."""
    from sourcetrace.align.pair import align_many
    from sourcetrace.encode import get_encoder

    use = get_encoder("use")
    calls: list[int] = []

    def one_by_one(encoder, texts):
        calls.append(len(texts))
        return np.stack([encoder.encode([t])[0] for t in texts]) if texts else np.zeros((0, encoder.dim), np.float32)

    en, ar, report = sides
    paraphrase = _side("Council ministers gathered in Rome in early May 2024 to discuss the basin's water plan.\n"
                       "The home team won the final by three goals to one after a late penalty.\n", "para")
    pairs = [(en, ar), (report, ar), (ar, report), (paraphrase, en), (en, paraphrase), (ar, en)]
    alone = [align(a, b, encoder=use, vectors=one_by_one) for a, b in pairs]
    calls_alone = len(calls)
    calls.clear()
    together = align_many(pairs, encoder=use, vectors=one_by_one)
    assert together == alone
    assert any(p.kind == "paraphrase" for p in alone[3]) and any(p.kind == "translation" for p in alone[0])
    assert len(calls) == 2 < calls_alone


def test_widen_bisects_to_the_sentence_a_walk_finds():
    """_widen finds the sentence around a span by bisection: the same span as the walk over every
    sentence it replaced (the first sentence holding the span, widened to when mostly covered)."""
    side = _side(AR.replace("\n", " ") + "\n" + REPORT + AR, "w")

    def walked(start: int, end: int) -> tuple[int, int]:
        for s in side.sentences:
            if s.start <= start and end <= s.end:
                if end - start >= COVERED * (s.end - s.start):
                    return _trim(side.text, s.start, s.end)
                break
        return start, end

    starts = [s.start for s in side.sentences]
    rng = np.random.default_rng(3)
    spans = [tuple(sorted(rng.integers(0, len(side.text), 2))) for _ in range(3000)]
    spans += [(s.start + d, s.end - e) for s in side.sentences for d in (0, 1, 5) for e in (0, 2, 9)]
    assert len(side.sentences) > 5
    for start, end in spans:
        if end > start:
            assert _widen(side, starts, start, end) == walked(start, end)
    assert any(_widen(side, starts, s.start + 1, s.end) == _trim(side.text, s.start, s.end) for s in side.sentences)


def test_pair_encoder_picks_the_fast_one_for_long_pairs_and_same_language_pairs_of_long_documents():
    from sourcetrace.align.pair import LARGE_PAIR, LONG_DOCUMENT, pair_encoder

    assert pair_encoder(True, 40, 10 * LONG_DOCUMENT) == "default"  # a translation of a book: E5's pairs
    assert pair_encoder(True, LARGE_PAIR + 1, 100) == "use"
    assert pair_encoder(False, 40, LONG_DOCUMENT) == "default"  # a report and its source: E5's paraphrases
    assert pair_encoder(False, 40, LONG_DOCUMENT + 1) == "use"
    assert pair_encoder(False, LARGE_PAIR + 1, 100) == "use"


def test_a_same_language_pair_of_long_documents_asks_only_the_fast_encoder(sides, monkeypatch):
    """align with no encoder chosen: a same-language pair whose longer document passes
    LONG_DOCUMENT is aligned with USE (its screened units only), a shorter one and a
    cross-language one with the default encoder, which they ask for."""
    from sourcetrace.align import pair
    from sourcetrace.encode import get_encoder

    asked: list[str] = []

    def named(encoder, texts):
        asked.append(encoder.name)
        return np.zeros((len(texts), encoder.dim), np.float32)

    en, ar, report = sides
    paraphrase = _side("The council's ministers gathered in Rome in early May 2024 to discuss the basin's water plan.\n"
                       "The home team won the final by three goals to one after a late penalty.\n", "para")
    align(paraphrase, en, vectors=named)
    align(ar, en, vectors=named)
    assert set(asked) == {get_encoder("default").name}
    asked.clear()
    monkeypatch.setattr(pair, "LONG_DOCUMENT", min(len(paraphrase.text), len(en.text)) - 1)
    align(paraphrase, en, vectors=named)
    assert set(asked) == {get_encoder("use").name}
    asked.clear()
    align(ar, en, vectors=named)  # across languages, length alone never turns E5 off
    assert set(asked) == {get_encoder("default").name}


# Two editions of a diwan (bench/README.md, editions38): one prints a verse a line, numbered, its
# halves apart by "~"; the other each half on a line of its own, the poems in another order. Each
# half is under reuse's six words, so no reuse passage holds a verse; one long line both print alike
# is the wording the two share.
_VERSES = [
    ("الدهر كالربع لم يعلم", "هل عند ذي الدار خبر"),
    ("أما النجوم فإنهن ركائب", "تحت الزمان فهل لهن"),
    ("الخلق من أربع مجمعة", "نار وماء وتربة وهوا"),
    ("كم قبلة لك في الضمائر", "لم أخف فيها الحساب"),
    ("ما الثريا عنقود كرم", "ولا الليل يانع غربيب"),
    ("يا ليل طل يا نوم زل", "يا صبح قف لا تطلع"),
]
_SHARED = "وقال أبو العلاء في ذكر الزمان وأهله هذه الأبيات وهي من لزوم ما لا يلزم عنده"
_REFRAIN = ("فيا لك من دهر", "ويا لك من قوم")
_UNIT, _DATED = "وحدة الإعلام العام", "كانون الثاني يناير 2024"  # a number opening a line on both sides: a date


def test_a_verse_on_one_line_is_verbatim_with_its_halves_on_two_lines_in_another_order():
    a_lines = [_SHARED] + [f"{k + 1} {x} ، ~ {y}" for k, (x, y) in enumerate(_VERSES)]
    a_lines += [f"7 {_REFRAIN[0]} ، ~ {_REFRAIN[1]}", f"8 {_REFRAIN[0]} ، ~ {_REFRAIN[1]}", _UNIT, "21 " + _DATED]
    order = [3, 4, 5, 0, 1, 2]  # the second edition's poems in another order
    b_lines = [_SHARED] + [half for k in order for half in _VERSES[k]] + list(_REFRAIN) + [_UNIT, "22 " + _DATED]
    a, b = _side("\n".join(a_lines) + "\n", "diwan_a"), _side("\n".join(b_lines) + "\n", "diwan_b")
    passages = [p for p in align(a, b) if p.kind == "verbatim"]
    for x, y in _VERSES:
        at = a.text.index(x)
        (p,) = [p for p in passages if p.a_start <= at < p.a_end]
        assert a.text[p.a_start:p.a_end] == f"{x} ، ~ {y}"  # the line number left out
        assert b.text[p.b_start:p.b_end] == f"{x}\n{y}"
    # a refrain held twice on one side says nothing of where its partner is
    assert not any(a.text.index("7 ") <= p.a_start < a.text.index(_UNIT) for p in passages)
    # two lines whose second opens with another number on each side are two dates, not a line number
    assert not any(b.text[p.b_start:p.b_end].endswith("2024") for p in passages)


def test_a_number_opening_a_line_on_one_side_only_is_a_line_number_on_both_a_date():
    words = "من شهر كانون الثاني في مدينة الرباط"
    a = _side(f"3 {words}\n21 {words} وما حولها\n", "numbered_a")
    b = _side(f"{words}\n22 {words} وما حولها\n", "numbered_b")
    (p,) = _lines_reused(a, b, [])
    assert (a.text[p.a_start:p.a_end], b.text[p.b_start:p.b_end]) == (words, words)
