from __future__ import annotations

import pytest

from sourcetrace.records import Document, Passage, Sentence
from sourcetrace.relate.coverage import merge_spans, orient, overlap, summarize


def doc(id_: str, start: int, end: int, boilerplate=()) -> Document:
    return Document(id=id_, path=f"{id_}.txt", start=start, end=end, lang="en", boilerplate=list(boilerplate))


def psg(a0: int, a1: int, b0: int, b1: int, kind: str = "verbatim", a: str = "A", b: str = "B") -> Passage:
    return Passage(a=a, a_start=a0, a_end=a1, b=b, b_start=b0, b_end=b1, kind=kind, score=0.9)


def test_merge_and_overlap():
    assert merge_spans([(5, 10), (0, 3), (8, 12), (12, 14), (20, 20)]) == [(0, 3), (5, 14)]
    assert overlap((2, 9), [(0, 3), (5, 14)]) == 1 + 4
    assert overlap((15, 18), [(0, 3), (5, 14)]) == 0


def test_coverage_counts_union_of_overlapping_passages():
    a, b = doc("A", 0, 100), doc("B", 0, 200)
    ps = [psg(0, 30, 0, 30), psg(20, 50, 100, 130, "paraphrase")]
    s = summarize(a, b, ps, [], [])
    assert s["covered_chars_a"] == 50 and s["content_chars_a"] == 100
    assert s["coverage_a"] == pytest.approx(0.5)
    assert s["coverage_b"] == pytest.approx(60 / 200)
    assert dict(s["kinds"]) == {"verbatim": 1, "paraphrase": 1}
    assert list(s["kinds"]) == ["verbatim", "paraphrase"]  # canonical order, not input order
    assert s["passages"] == 2


def test_boilerplate_is_not_content_and_document_offsets_are_file_offsets():
    # Document A is the span [100, 200) of its file; [180, 200) is a cookie banner.
    a = doc("A", 100, 200, boilerplate=[(180, 200)])
    b = doc("B", 0, 50)
    ps = [psg(90, 140, 0, 50), psg(170, 200, 0, 10)]  # clipped to the document, banner excluded
    s = summarize(a, b, ps, [], [])
    assert s["content_chars_a"] == 80
    assert s["covered_chars_a"] == 40 + 10
    assert s["coverage_a"] == pytest.approx(50 / 80)
    assert s["coverage_b"] == pytest.approx(1.0)


def test_sentence_is_covered_from_half_its_chars():
    a, b = doc("A", 0, 100), doc("B", 0, 100)
    sents_a = [Sentence("A", 0, 10), Sentence("A", 10, 20), Sentence("A", 20, 30), Sentence("A", 30, 40)]
    sents_b = [Sentence("B", 0, 40), Sentence("B", 40, 60), Sentence("X", 60, 70)]
    ps = [psg(0, 5, 0, 20), psg(10, 14, 40, 60), psg(20, 30, 20, 21)]
    s = summarize(a, b, ps, sents_a, sents_b)
    # [0,10): 5/10 covered -> kept; [10,20): 4/10 -> omitted; [20,30) kept; [30,40) omitted
    assert s["omitted"] == [(10, 20), (30, 40)]
    # B [0,40): 21/40 covered -> kept; [40,60) covered; sentence of another doc ignored
    assert s["added"] == []
    assert s["sentences_a"] == 4 and s["sentences_b"] == 2


def test_sentence_in_boilerplate_is_neither_kept_nor_omitted():
    a = doc("A", 0, 100, boilerplate=[(50, 100)])
    s = summarize(a, doc("B", 0, 10), [], [Sentence("A", 0, 50), Sentence("A", 60, 90)], [])
    assert s["omitted"] == [(0, 50)]
    assert s["sentences_a"] == 1


def test_passages_recorded_the_other_way_round_are_oriented():
    a, b = doc("A", 0, 100), doc("B", 0, 100)
    ps = [psg(0, 10, 50, 80, a="B", b="A"), psg(0, 10, 0, 10, a="A", b="C")]
    [p] = orient(a, b, ps)
    assert (p.a, p.a_start, p.a_end, p.b, p.b_start, p.b_end) == ("A", 50, 80, "B", 0, 10)
    s = summarize(a, b, ps, [], [])
    assert s["covered_chars_a"] == 30 and s["covered_chars_b"] == 10 and s["passages"] == 1


def test_empty_document_has_zero_coverage():
    s = summarize(doc("A", 5, 5), doc("B", 0, 0), [], [], [])
    assert s["coverage_a"] == 0.0 and s["coverage_b"] == 0.0
    assert s["omitted"] == [] and s["added"] == [] and s["kinds"] == {}


def test_a_sides_sentences_read_only_the_spans_near_them_with_the_same_counts():
    """`_side` looks each sentence's boilerplate and covered spans up by bisection: the same
    covered chars, content, uncovered sentences and count as reading every span (random books)."""
    import random

    from sourcetrace.relate.coverage import _clip, _side, _subtract

    def reference(doc, covered, sentences):
        boiler = merge_spans(_clip(doc.boilerplate, doc))
        content = _subtract([(doc.start, doc.end)], boiler)
        cov = merge_spans(_subtract(covered, boiler))
        uncovered, counted = [], 0
        for sent in sorted((x for x in sentences if x.doc == doc.id), key=lambda x: (x.start, x.end)):
            parts = _subtract(merge_spans(_clip([(sent.start, sent.end)], doc)), boiler)
            size = sum(e - s for s, e in parts)
            if size:
                counted += 1
                if sum(overlap(p, cov) for p in parts) < 0.5 * size:
                    uncovered.append((sent.start, sent.end))
        return sum(e - s for s, e in cov), sum(e - s for s, e in content), uncovered, counted

    rng = random.Random(39)

    def spans(n: int, k: int, w: int) -> list[tuple[int, int]]:
        return [(s, s + rng.randrange(1, w)) for s in sorted(rng.randrange(0, n) for _ in range(k))]

    for _ in range(40):
        n = rng.randrange(50, 3000)
        doc = Document(id="d#1", path="d", start=rng.randrange(0, 20), end=n - rng.randrange(0, 20), lang="ar",
                       boilerplate=spans(n, rng.randrange(0, 30), 40))
        covered = merge_spans(spans(n, rng.randrange(0, 60), 80))
        cuts = sorted({0, n, *(rng.randrange(0, n) for _ in range(rng.randrange(1, 80)))})
        sentences = [Sentence("d#1", s, e, "ar") for s, e in zip(cuts, cuts[1:], strict=False)]
        assert _side(doc, covered, sentences) == reference(doc, covered, sentences)
