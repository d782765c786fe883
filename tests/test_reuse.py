"""Tests for monolingual text-reuse detection (sourcetrace.align.reuse).

Fixtures are short texts written for these tests; the seed test reads the shared corpus at run
time only.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from sourcetrace.align import reuse as reuse_module
from sourcetrace.align.reuse import MAX_NGRAM_REPEAT, Match, ReuseQuery, find_reuse, grow_exact, token_diff
from work import lines_executed


def span_of(text: str, first: str, last: str, start: int = 0) -> tuple[int, int]:
    """File span from the first occurrence of ``first`` (at/after ``start``) to the end of the
    first ``last`` after it."""
    s = text.index(first, start)
    e = text.index(last, s) + len(last)
    return s, e


def check_invariants(matches: list[Match], spans_a: list[tuple[int, int]], spans_b: list[tuple[int, int]]) -> None:
    assert matches == sorted(matches, key=lambda m: m.a_start)
    for m in matches:
        assert any(s <= m.a_start < m.a_end <= e for s, e in spans_a), m
        assert any(s <= m.b_start < m.b_end <= e for s, e in spans_b), m
        assert 0 < m.matched <= min(m.a_tokens, m.b_tokens)
        assert 0.0 < m.score <= 1.0
        assert m.score == pytest.approx(m.matched / max(m.a_tokens, m.b_tokens))
    for m1, m2 in zip(matches, matches[1:], strict=False):
        assert m1.a_end <= m2.a_start, "matches overlap on side A"


def reuse(a: str, b: str, **kw: int) -> list[Match]:
    matches = find_reuse(a, [(0, len(a))], b, [(0, len(b))], **kw)
    check_invariants(matches, [(0, len(a))], [(0, len(b))])
    return matches


# --- Arabic fixtures (written for these tests) ----------------------------------------------

SOURCE_AR = (
    "عقد وزراء الخارجية اجتماعا في العاصمة يوم الثلاثاء لبحث الأوضاع الإنسانية في المنطقة. "
    "وأكد الوزراء التزامهم الثابت بمواصلة العمل المشترك لدعم الاستقرار وحماية المدنيين "
    "وتقديم المساعدات العاجلة إلى المتضررين في جميع المناطق. "
    "وفي ختام الاجتماع اتفق المشاركون على عقد لقاء جديد في فصل الخريف."
)
QUOTE_FIRST, QUOTE_LAST = "التزامهم الثابت", "في جميع المناطق"


def test_exact_quote_inside_paragraph() -> None:
    quote = SOURCE_AR[SOURCE_AR.index(QUOTE_FIRST) : SOURCE_AR.index(QUOTE_LAST) + len(QUOTE_LAST)]
    report = (
        "نشرت الصحف المحلية صباح اليوم تقارير مطولة عن نتائج المباحثات. "
        f"وقال البيان: «{quote}»، مشيرا إلى أن الجهود سوف تتواصل رغم الصعوبات الكبيرة."
    )
    [m] = reuse(report, SOURCE_AR)
    # Exact to the quote's first and last word: no «, no "قال البيان:", no closing ».
    assert (m.a_start, m.a_end) == span_of(report, QUOTE_FIRST, QUOTE_LAST)
    assert (m.b_start, m.b_end) == span_of(SOURCE_AR, QUOTE_FIRST, QUOTE_LAST)
    assert report[m.a_start - 1] == "«" and report[m.a_end] == "»"
    assert m.kind == "verbatim" and m.score == 1.0 and m.matched == m.a_tokens == m.b_tokens == 17


def test_quote_used_twice_in_a_and_repeated_in_b() -> None:
    sentence = "وشدد المتحدث الرسمي على أن الحكومة ماضية في تنفيذ خطة الإصلاح الاقتصادي الشاملة"
    a = f"قال المتحدث: {sentence}. ثم عاد في نهاية المؤتمر الصحفي فكرر: {sentence}."
    b = f"{sentence}. وأضاف أن التنفيذ سيبدأ قريبا.\nملخص: {sentence}."
    matches = reuse(a, b)
    assert len(matches) == 2  # side B may be used twice; side A never overlaps
    assert [a[m.a_start : m.a_end] for m in matches] == [sentence, sentence]
    assert all(b[m.b_start : m.b_end] == sentence for m in matches)


def test_near_verbatim_changed_number_and_inserted_word() -> None:
    b = (
        "أعلنت الوزارة أمس ما يلي: وافقت اللجنة على ميزانية قدرها 250 مليون دولار لإعادة بناء المدارس "
        "والمستشفيات في المحافظات الشمالية خلال السنوات الثلاث المقبلة."
    )
    a = (
        "وفي سياق متصل، وافقت اللجنة على ميزانية قدرها 300 مليون دولار لإعادة بناء المدارس "
        "والمستشفيات الحكومية في المحافظات الشمالية خلال السنوات الثلاث المقبلة، بحسب مصادر مطلعة."
    )
    [m] = reuse(a, b)
    assert (m.a_start, m.a_end) == span_of(a, "وافقت اللجنة", "المقبلة")
    assert (m.b_start, m.b_end) == span_of(b, "وافقت اللجنة", "المقبلة")
    assert m.b_tokens == 19 and m.a_tokens == 20  # one inserted word («الحكومية»)
    assert m.matched == 18  # the number differs
    assert m.score == pytest.approx(18 / 20)
    assert m.kind == "near-verbatim"


def test_orthographic_variants_are_verbatim() -> None:
    b = "أكدت الهيئة العامة للإحصاء أن معدل البطالة انخفض إلى 7.5 في المئة خلال عام 2020 مقارنة بالعام الذي سبقه."
    # Diacritics, tatweel, bare alef for hamza seats, ه for ة, ى/ي swapped, Arabic-Indic digits.
    a = (
        "ذكرت وكالة الأنباء أن "
        "الهيـئة العامـة للاحصاء أكّدت ذلك: "
        "اكدت الهيئه العامّة للإحصاءِ أنّ مُعدّل البطالة انخفض الى ٧٫٥ في المئه خلال عام ٢٠٢٠ مقارنةً بالعام الذى سبقه."
    )
    matches = reuse(a, b)
    assert len(matches) == 1
    [m] = matches
    assert (m.a_start, m.a_end) == span_of(a, "اكدت الهيئه", "سبقه")
    assert (m.b_start, m.b_end) == span_of(b, "أكدت", "سبقه")
    assert m.kind == "verbatim"
    assert m.matched == m.a_tokens == m.b_tokens == 19


def test_reordered_paragraphs_are_separate_matches() -> None:
    p1 = "The ministers met on Tuesday to review progress on the reconstruction of the northern districts."
    p2 = "They agreed that new funding for water, power and schools must reach the affected towns before winter."
    p3 = "A follow-up meeting on the humanitarian corridor will be held in the capital next spring."
    a = "\n".join([p1, p2, p3])
    b = "\n\n".join([p3, p2, p1])
    matches = reuse(a, b)
    assert [(a[m.a_start : m.a_end], b[m.b_start : m.b_end]) for m in matches] == [
        (p1[:-1], p1[:-1]),  # trimmed to the last word: no full stop
        (p2[:-1], p2[:-1]),
        (p3[:-1], p3[:-1]),
    ]
    assert all(m.kind == "verbatim" for m in matches)


def test_consecutive_paragraphs_with_interjection_split_at_line_breaks() -> None:
    p1 = "Despite the territorial defeat of the group, the threat it poses remains real and requires vigilance."
    p2 = "This includes dedicating adequate resources to support the partners and to stabilise liberated areas."
    b = f"{p1} {p2}"
    a = f'The statement said: "{p1}"\n\nIt added: "{p2}"'
    matches = reuse(a, b)
    assert len(matches) == 2
    assert [a[m.a_start : m.a_end] for m in matches] == [p1[:-1], p2[:-1]]


def test_unrelated_texts_on_the_same_topic_share_only_short_phrases() -> None:
    a = (
        "Foreign ministers of the coalition against the militants held a virtual meeting on Thursday. "
        "The meeting focused on the security situation in the region and on humanitarian aid. "
        "Officials said the coalition remains committed to its mission."
    )
    b = (
        "In a statement on Friday, the defence ministry said the security situation in the north had improved. "
        "Humanitarian aid convoys reached several villages. Analysts doubt that the coalition remains "
        "committed to its mission after the elections."
    )
    # Shared: "the security situation in the" (5 words), "the coalition remains committed to its mission" is 7
    # words -> a real (short) reuse; drop it to check the short phrases alone.
    b = b.replace("the coalition remains committed to its mission", "the alliance is still engaged")
    assert reuse(a, b) == []
    assert reuse(a, b, min_tokens=5) != []  # the five shared words do align when allowed


def test_boilerplate_excluded_via_spans() -> None:
    boiler = "اقرأ أيضا: تابعوا آخر الأخبار العاجلة على موقعنا واشتركوا في النشرة البريدية اليومية مجانا"
    body1 = "أعلنت وزارة الصحة اليوم عن افتتاح ثلاثة مستشفيات ميدانية جديدة في المناطق الحدودية"
    body2 = "وقالت الوزارة إن المستشفيات ستقدم خدماتها للسكان والنازحين على مدار الساعة"
    a = f"{body1}\n{boiler}\n{body2}\n"
    b = f"{body1} {body2}\n{boiler}\n"
    bp = a.index(boiler)
    spans_a = [(0, bp), (bp + len(boiler), len(a))]
    matches = find_reuse(a, spans_a, b, [(0, len(b))])
    check_invariants(matches, spans_a, [(0, len(b))])
    assert [a[m.a_start : m.a_end] for m in matches] == [body1, body2]
    assert all(not (m.a_start < bp + len(boiler) and bp < m.a_end) for m in matches)
    # Without the exclusion the boilerplate line is found too.
    assert boiler in [a[m.a_start : m.a_end] for m in reuse(a, b)]


def test_matches_never_cross_region_boundaries() -> None:
    s1 = "the council adopted a resolution calling for an immediate ceasefire"
    s2 = "and for unhindered humanitarian access to all areas of the country"
    a = f"{s1} {s2}"
    b = f"{s1} {s2}"
    cut = len(s1)
    spans_a = [(0, cut), (cut, len(a))]
    matches = find_reuse(a, spans_a, b, [(0, len(b))])
    check_invariants(matches, spans_a, [(0, len(b))])
    assert [a[m.a_start : m.a_end] for m in matches] == [s1, s2]


def test_repeated_ngrams_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    promo = "click here to read more about this story on our website"
    real = "The finance minister said the new tax on imported cars would take effect in March."
    reps = MAX_NGRAM_REPEAT + 5
    a = "\n".join([promo] * reps + ["Markets were calm on Sunday.", real, "Oil prices rose slightly."] + [promo] * reps)
    b = "\n".join(["In other news today:", real, "Traders expect more changes."] + [promo] * reps)
    matches = reuse(a, b)
    # Every n-gram of the promo line occurs more than MAX_NGRAM_REPEAT times: no seeds there.
    assert [(a[m.a_start : m.a_end], b[m.b_start : m.b_end]) for m in matches] == [(real[:-1], real[:-1])]
    # Without the cap (nor the anchors' rule for phrases repeated on both sides) the promo lines
    # would be matched (each A line once: A never overlaps; lines that run on in lowercase read
    # as one wrapped paragraph, so count their text).
    monkeypatch.setattr("sourcetrace.align.reuse.MAX_NGRAM_REPEAT", 10**6)
    monkeypatch.setattr("sourcetrace.align.reuse.REPEATED", 10**6)
    uncapped = reuse(a, b)
    assert sum(a[m.a_start : m.a_end].count(promo) for m in uncapped) >= 2 * reps - 2
    # A few repetitions are still seeds: the single A occurrence matches once.
    monkeypatch.undo()
    a2 = f"{real}\nSomething else entirely happened.\n{promo}"
    b2 = "\n".join([promo] * 3 + [real])
    matches2 = reuse(a2, b2)
    assert [a2[m.a_start : m.a_end] for m in matches2] == [real[:-1], promo]


def test_a_phrase_repeated_on_both_sides_pairs_only_along_a_copy() -> None:
    # An isnad's formula held 6 times on each side, in sentences that are not copies, and once
    # inside a copied paragraph: its 36 seeds pair only the copy's occurrence with its own (the
    # unique words around it anchor that diagonal); the 35 others pair unrelated occurrences.
    formula = "he said that the prophet told us in the mosque"
    rng = random.Random(5)
    words = [f"w{k}" for k in range(400)]

    def filler(length: int = 100) -> str:
        return " ".join(rng.choice(words) for _ in range(length))

    copy = f"the old scholar of the town wrote down {formula} that mercy is owed to every traveller on the road"
    a = "\n".join([f"{filler()} {formula} {filler()}" for _ in range(3)] + [copy]
                  + [f"{filler()} {formula} {filler()}" for _ in range(3)])
    # B's occurrences further apart than A's: each on a diagonal of its own, over 2 * ANCHOR_NEAR apart
    b = "\n".join([f"{filler(300)} {formula} {filler(300)}" for _ in range(4)] + [copy]
                  + [f"{filler(300)} {formula} {filler(300)}" for _ in range(2)])
    matches = reuse(a, b)
    assert [(a[m.a_start:m.a_end], b[m.b_start:m.b_end]) for m in matches] == [(copy, copy)]


def test_kind_thresholds() -> None:
    def mk(a_tokens: int, b_tokens: int, matched: int) -> Match:
        return Match(0, 1, 0, 1, a_tokens, b_tokens, matched, matched / max(a_tokens, b_tokens))

    assert mk(40, 40, 40).kind == "verbatim"
    assert mk(40, 40, 39).kind == "near-verbatim"  # score 0.975 but a word changed
    assert mk(40, 41, 40).kind == "near-verbatim"  # an inserted word
    assert mk(10, 10, 6).kind == "near-verbatim"
    assert mk(10, 12, 6).kind == "partial"


def test_a_copied_block_grows_over_the_short_sentences_at_its_edges() -> None:
    """A sentence too short for a passage of its own, at the edge of a block copied word for word,
    belongs to the block when both texts go on with the same words; one or two equal words do
    not grow it, nor does a word that differs."""
    block = "The cover is made from a soft material that can be washed at home without any trouble."
    a = f"Our dogs sleep outside in winter. Limited one-year warranty. {block} Ask the shop.\n\nto get a discount. Done."
    b = f"It keeps pets warm in the cold. Limited one-year warranty. {block} Ask the shop.\nto get a discount. Other."
    sa, sb = (a.index(block), a.index(block) + len(block) - 1), (b.index(block), b.index(block) + len(block) - 1)
    ((ga, gb),) = grow_exact(a, [(0, len(a))], b, [(0, len(b))], [(sa, sb)])
    assert a[ga[0]:ga[1]] == f"Limited one-year warranty. {block} Ask the shop.\n\nto get a discount"
    assert b[gb[0]:gb[1]] == f"Limited one-year warranty. {block} Ask the shop.\nto get a discount"
    # Two equal words ("Ask the" cut short) are chance as often as copy: not grown.
    c = b.replace("Ask the shop.\nto get a discount. Other.", "Ask the clerk now.")
    ((_, gc),) = grow_exact(a, [(0, len(a))], c, [(0, len(c))], [(sa, (c.index(block), c.index(block) + len(block) - 1))])
    assert c[gc[1]:].startswith(". Ask the clerk")
    # Never into the span of another pair.
    other = (a.index("Ask"), len(a) - 1), (b.index("Ask"), len(b) - 1)
    (g1, _), (g2, _) = grow_exact(a, [(0, len(a))], b, [(0, len(b))], [(sa, sb), other])
    assert a[g1[1]:].startswith(". Ask") and g2 == other[0]


def test_token_diff_changed_number() -> None:
    a = "«وافقت اللجنة على ميزانية قدرها 250 مليون دولار للمدارس»."
    b = "ذكر التقرير أن اللجنة وافقت على ميزانية قدرها ٣٠٠ مليون دولار للمدارس والمستشفيات"
    sa = (0, len(a))
    sb = span_of(b, "وافقت", "والمستشفيات")
    ops = token_diff(a, sa, b, sb)
    shown = [(op, a[x[0] : x[1]] if x else None, b[y[0] : y[1]] if y else None) for op, x, y in ops]
    assert shown == [
        ("same", "وافقت", "وافقت"),
        ("deleted", "اللجنة", None),
        ("same", "على ميزانية قدرها", "على ميزانية قدرها"),
        ("changed", "250", "٣٠٠"),
        ("same", "مليون دولار للمدارس", "مليون دولار للمدارس"),
        ("added", None, "والمستشفيات"),
    ]


def test_token_diff_deleted_and_identical() -> None:
    a = "The «council» met on Monday, and it adopted the plan."
    b = 'the "council" met on Monday and adopted the plan'
    ops = token_diff(a, (0, len(a)), b, (0, len(b)))
    assert [op for op, _, _ in ops] == ["same", "deleted", "same"]
    assert ops[1][1] is not None and a[ops[1][1][0] : ops[1][1][1]] == "it" and ops[1][2] is None
    assert token_diff(a, (0, len(a)), a, (0, len(a))) == [("same", (0, len(a) - 1), (0, len(a) - 1))]


# --- speed ------------------------------------------------------------------------------------


def _synthetic_pair(seed: int = 0, sentences: int = 5000) -> tuple[str, str]:
    """Two ~100k-token documents; B re-uses half of A (blocks of 10 sentences, lightly edited)."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(20000)]
    # Zipf-like frequencies: frequent function words repeat, as in real text.
    cum = list(itertools.accumulate(1 / (k + 1) for k in range(len(vocab))))

    def sentence() -> str:
        return " ".join(rng.choices(vocab, cum_weights=cum, k=rng.randint(12, 28))) + "."

    a = [sentence() for _ in range(sentences)]
    b = []
    for k, s in enumerate(a):
        if (k // 10) % 2:
            b.append(sentence())
            continue
        words = s.split()
        if rng.random() < 0.3:
            words[rng.randrange(len(words))] = "changed"
        if rng.random() < 0.2:
            words.insert(rng.randrange(len(words)), "inserted")
        b.append(" ".join(words))
    para = 5
    ta = "\n".join(" ".join(a[k : k + para]) for k in range(0, sentences, para))
    tb = "\n".join(" ".join(b[k : k + para]) for k in range(0, sentences, para))
    return ta, tb


def test_two_100k_token_documents() -> None:
    ta, tb = _synthetic_pair()
    assert len(ta.split()) > 95_000 and len(tb.split()) > 95_000
    matches = find_reuse(ta, [(0, len(ta))], tb, [(0, len(tb))])
    shared = sum(m.matched for m in matches)
    assert shared > 0.45 * len(ta.split())  # about half of A is re-used


def test_reuse_work_grows_linearly() -> None:
    # counted, not timed: 4x the text must cost at most ~4x the work of Python code (a loop per
    # pair of positions would make it 16x); the time is bench/align.py's to report
    def work(sentences: int) -> int:
        ta, tb = _synthetic_pair(sentences=sentences)
        return lines_executed(lambda: find_reuse(ta, [(0, len(ta))], tb, [(0, len(tb))]))

    small, large = work(100), work(400)
    assert large <= 4.8 * small, (small, large)


# --- the seed corpus (read at run time) -------------------------------------------------------


def _overlap(x: tuple[int, int], y: tuple[int, int]) -> int:
    return max(0, min(x[1], y[1]) - max(x[0], y[0]))


def test_seed_report_reuses_joint_statement(seeds: Path) -> None:
    gold = json.loads((seeds / "gold.json").read_text(encoding="utf-8"))["reuse"]["004<-000"]
    a = (seeds / "004_bb9c77e55452a9c2.txt").read_text(encoding="utf-8-sig")
    b = (seeds / "000_d1cb74700ad1c777.txt").read_text(encoding="utf-8-sig")
    spans_a, spans_b = [(0, 63), (122, 3101)], [(0, 4327)]
    matches = find_reuse(a, spans_a, b, spans_b)
    check_invariants(matches, spans_a, spans_b)
    rects = [((m.a_start, m.a_end), (m.b_start, m.b_end)) for m in matches]

    def covered(p: dict) -> float:
        d, s = tuple(p["derived"]), tuple(p["source"])
        inter = sum(_overlap(ra, d) * _overlap(rb, s) for ra, rb in rects)  # rects are disjoint on A
        return inter / ((d[1] - d[0]) * (s[1] - s[0]))

    wanted = [p for p in gold if p["kind"] in ("verbatim", "near-verbatim")]
    assert len(wanted) == 11
    missed = [p for p in wanted if covered(p) < 0.5]
    assert not missed, missed
    area = sum((ra[1] - ra[0]) * (rb[1] - rb[0]) for ra, rb in rects)
    inside = sum(
        _overlap(ra, tuple(p["derived"])) * _overlap(rb, tuple(p["source"])) for ra, rb in rects for p in gold
    )
    assert inside / area >= 0.85


def test_a_prepared_text_finds_in_each_of_many_texts_what_one_comparison_finds():
    # quote search prepares the query once (ReuseQuery) and aligns it with dozens of sentences:
    # nothing one comparison adds to the vocabulary may leak into the next
    rng = random.Random(5)
    words = SOURCE_AR.split()
    query = " ".join(words[5:30])
    prepared = ReuseQuery(query, [(0, len(query))], n=3, min_tokens=4)
    found = 0
    for _ in range(60):
        kept = [w if rng.random() < 0.8 else rng.choice(words) for w in words[rng.randrange(0, 10):][:30]]
        other = " ".join(rng.sample(words, 5)) + " " + " ".join(kept)
        expected = find_reuse(query, [(0, len(query))], other, [(0, len(other))], n=3, min_tokens=4)
        assert prepared.find(other, [(0, len(other))]) == expected
        found += bool(expected)
    assert found > 20


# --- The array code against plain references (ties and repeats are where answers could move) ----


def _reference_seeds(ids_a: list[int], bounds_a: list[tuple[int, int]], ids_b: list[int],
                     bounds_b: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    """Seeds as first written: n-gram tuples per region in a dict, every pair of occurrences."""
    def grams(ids: list[int], bounds: list[tuple[int, int]]) -> dict[tuple[int, ...], list[int]]:
        out: dict[tuple[int, ...], list[int]] = {}
        for lo, hi in bounds:
            for k in range(lo, hi - n + 1):
                out.setdefault(tuple(ids[k:k + n]), []).append(k)
        return out

    ga, gb = grams(ids_a, bounds_a), grams(ids_b, bounds_b)
    shared = [(g, pa, gb[g]) for g, pa in ga.items()
              if g in gb and len(pa) <= MAX_NGRAM_REPEAT and len(gb[g]) <= MAX_NGRAM_REPEAT]
    # A seed of an n-gram repeated past REPEATED on both sides only in or next to the cell
    # (ANCHOR_NEAR tokens of A by ANCHOR_NEAR diagonals) of a seed of an n-gram held once a side.
    span = reuse_module.ANCHOR_NEAR
    anchors = {(pa[0] // span, (pb[0] - pa[0]) // span) for _, pa, pb in shared if len(pa) == len(pb) == 1}
    return sorted((i, j) for _, pa, pb in shared for i, j in itertools.product(pa, pb)
                  if min(len(pa), len(pb)) <= reuse_module.REPEATED
                  or any((i // span + x, (j - i) // span + y) in anchors for x in (-1, 0, 1) for y in (-1, 0, 1)))


def _random_regions(rng: random.Random, length: int) -> tuple[list[int], list[tuple[int, int]]]:
    cuts = sorted(rng.sample(range(1, length), rng.randrange(0, min(6, length - 1) + 1))) if length > 1 else []
    bounds = list(zip([0, *cuts], [*cuts, length], strict=True))
    return [r for r, (lo, hi) in enumerate(bounds) for _ in range(lo, hi)], bounds


@pytest.mark.parametrize("span", [3, 64])  # ANCHOR_NEAR: small cells drop many repeated seeds
@pytest.mark.parametrize("vocab", [3, 40, 1 << 20])  # 2**20: n-grams of 4+ renumbered before packing
def test_seeds_are_the_reference_seeds(vocab: int, span: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reuse_module, "ANCHOR_NEAR", span)
    rng = random.Random(vocab)
    dropped = 0
    for _ in range(150):
        n = rng.randrange(1, 7)
        # A few distinct ids over long sides: n-grams repeat past MAX_NGRAM_REPEAT
        alphabet = rng.sample(range(vocab), min(vocab, rng.choice([2, 3, 8, 40])))
        ids_a = [rng.choice(alphabet) for _ in range(rng.randrange(1, 120))]
        ids_b = [rng.choice(alphabet) for _ in range(rng.randrange(1, 120))]
        if rng.random() < 0.5:  # shared stretches, as copies have
            k = rng.randrange(len(ids_a))
            ids_b[rng.randrange(len(ids_b)):] = ids_a[k:k + 30]
        region_a, bounds_a = _random_regions(rng, len(ids_a))
        region_b, bounds_b = _random_regions(rng, len(ids_b))
        got = reuse_module._seeds(ids_a, region_a, ids_b, region_b, n, vocab)
        assert got == _reference_seeds(ids_a, bounds_a, ids_b, bounds_b, n)
        with monkeypatch.context() as every:
            every.setattr(reuse_module, "REPEATED", MAX_NGRAM_REPEAT)
            dropped += len(reuse_module._seeds(ids_a, region_a, ids_b, region_b, n, vocab)) - len(got)
    assert dropped > 0


def _reference_extend(p: object, xs: list[int], ys: list[int]) -> list[tuple[int, int]]:
    """The extension's best cell found by a scan of every cell in row order (ties: the last)."""
    if not xs or not ys:
        return []
    rows, back = reuse_module._dp(p, xs, ys, xdrop=reuse_module._XDROP)
    best, bi, bj = 0, 0, 0
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v >= best and v > 0:
                best, bi, bj = v, i, j
    return reuse_module._trace(back, bi, bj, xs, ys) if best > 0 else []


def test_extension_takes_the_reference_best_cell() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        # two or three words, one stem shared by two of them: many cells tie
        ids_a = [rng.randrange(3) for _ in range(rng.randrange(0, 10))]
        ids_b = [rng.randrange(3) for _ in range(rng.randrange(0, 10))]
        p = reuse_module._Pair(ids_a, ids_b, [0, 0, 1])
        xs, ys = list(range(len(ids_a))), list(range(len(ids_b)))
        assert reuse_module._extend(p, xs, ys) == _reference_extend(p, xs, ys)


def test_passages_are_those_of_the_reference_code(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whole comparisons on texts of few words (repeats, ties in every alignment): the same
    # passages with the references swapped in.
    rng = random.Random(11)
    words = ["alpha", "alphas", "beta", "gamma", "delta", "epsilon", "zeta", "eta"]
    cases = []
    for _ in range(120):
        base = [rng.choice(words[:rng.randrange(3, 9)]) for _ in range(rng.randrange(5, 80))]
        copy = [w if rng.random() < 0.85 else rng.choice(words) for w in base[rng.randrange(0, 5):]]
        a = "\n".join(" ".join(base[k:k + 13]) + "." for k in range(0, len(base), 13))
        b = " ".join(rng.choice(words) for _ in range(rng.randrange(0, 9))) + " " + " ".join(copy)
        cases.append((a, b, rng.choice([2, 3, 4]), rng.choice([2, 4, 6])))
    got = [find_reuse(a, [(0, len(a))], b, [(0, len(b))], n=n, min_tokens=m) for a, b, n, m in cases]

    def seeds(ids_a, region_a, ids_b, region_b, n, vocab):  # noqa: ANN001, ANN202
        def bounds(region: list[int]) -> list[tuple[int, int]]:
            return [(k, k + len(list(g))) for k, g in
                    ((region.index(r), g) for r, g in itertools.groupby(region))]
        return _reference_seeds(ids_a, bounds(region_a), ids_b, bounds(region_b), n)

    monkeypatch.setattr(reuse_module, "_seeds", seeds)
    monkeypatch.setattr(reuse_module, "_extend", _reference_extend)
    expected = [find_reuse(a, [(0, len(a))], b, [(0, len(b))], n=n, min_tokens=m) for a, b, n, m in cases]
    assert got == expected
    assert sum(map(len, got)) > 60
