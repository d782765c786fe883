"""What the passages between two documents cover: coverage, kinds, and the sentences left over.

Core arithmetic over records, read by the fact diff, the timeline and the pipeline, and shown by
the HTML and terminal views (:mod:`sourcetrace.report`), so that all of them give the same figures.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sourcetrace.records import Document, Passage, Sentence, Span

# Display order of the passage kinds: from closest to loosest, then the cross-language ones.
KINDS: tuple[str, ...] = ("verbatim", "near-verbatim", "paraphrase", "translation", "translated-paraphrase")

# A sentence counts as carried over when at least this share of its content chars lies in passages.
COVERED_SHARE = 0.5


def orient(doc_a: Document, doc_b: Document, passages: Iterable[Passage]) -> list[Passage]:
    """The passages between the two documents, each with side ``a`` in ``doc_a``.

    Passages are stored with whichever document the aligner saw first; a view of (A, B) must not
    depend on that, so a passage recorded as (B, A) is swapped and passages about other documents
    are dropped.
    """
    out: list[Passage] = []
    for p in passages:
        if p.a == doc_a.id and p.b == doc_b.id:
            out.append(p)
        elif p.a == doc_b.id and p.b == doc_a.id:
            out.append(replace(p, a=p.b, a_start=p.b_start, a_end=p.b_end,
                               b=p.a, b_start=p.a_start, b_end=p.a_end))
    return out


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sorted, disjoint union of ``[start, end)`` spans (empty spans dropped)."""
    merged: list[list[int]] = []
    for s, e in sorted((s, e) for s, e in spans if e > s):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def overlap(span: Span, merged: Sequence[Span]) -> int:
    """Chars of ``span`` inside the disjoint sorted spans ``merged``."""
    s, e = span
    total = 0
    for ms, me in merged:
        if me <= s:
            continue
        if ms >= e:
            break
        total += min(e, me) - max(s, ms)
    return total


def _clip(spans: Iterable[Span], doc: Document) -> list[Span]:
    return [(max(s, doc.start), min(e, doc.end)) for s, e in spans]


def _subtract(spans: Sequence[Span], holes: Sequence[Span]) -> list[Span]:
    """``spans`` minus ``holes`` (both merged)."""
    out: list[Span] = []
    for s, e in spans:
        cur = s
        for hs, he in holes:
            if he <= cur or hs >= e:
                continue
            if hs > cur:
                out.append((cur, hs))
            cur = max(cur, he)
        if cur < e:
            out.append((cur, e))
    return out


def _side(doc: Document, covered: list[Span], sentences: Sequence[Sentence]) -> tuple[int, int, list[Span], int]:
    """(covered content chars, content chars, uncovered sentence spans, sentences counted)."""
    boiler = merge_spans(_clip(doc.boilerplate, doc))
    # Content is the document's span minus its boilerplate: a cookie banner that no passage
    # covers must not lower the coverage of the text itself.
    content = _subtract([(doc.start, doc.end)], boiler)
    content_chars = sum(e - s for s, e in content)
    covered_content = merge_spans(_subtract(covered, boiler))
    covered_chars = sum(e - s for s, e in covered_content)
    uncovered: list[Span] = []
    counted = 0
    # Each sentence reads only the spans from the first that ends past its start (the spans are
    # disjoint and sorted, so their ends are too): from the first span on, a book's 125,000
    # sentences against its thousands of spans kept `compare` of two editions busy for minutes.
    def near(spans: list[Span], starts: list[int], ends: list[int], s: int, e: int) -> list[Span]:
        return spans[bisect_right(ends, s):bisect_left(starts, e)]  # the others touch nothing in [s, e)

    b_starts, b_ends = [s for s, _ in boiler], [e for _, e in boiler]
    c_starts, c_ends = [s for s, _ in covered_content], [e for _, e in covered_content]
    for sent in sorted((x for x in sentences if x.doc == doc.id), key=lambda x: (x.start, x.end)):
        holes = near(boiler, b_starts, b_ends, sent.start, sent.end)
        parts = _subtract(merge_spans(_clip([(sent.start, sent.end)], doc)), holes)
        size = sum(e - s for s, e in parts)
        if size == 0:  # a sentence wholly in boilerplate is neither kept nor omitted
            continue
        counted += 1
        inside = sum(overlap(p, near(covered_content, c_starts, c_ends, *p)) for p in parts)
        if inside < COVERED_SHARE * size:
            uncovered.append((sent.start, sent.end))
    return covered_chars, content_chars, uncovered, counted


def summarize(doc_a: Document, doc_b: Document, passages: Sequence[Passage],
              sentences_a: Sequence[Sentence], sentences_b: Sequence[Sentence]) -> dict[str, Any]:
    """Coverage of each side, passage counts per kind, omitted (A only) and added (B only) sentences.

    Coverage is the share of content code points (document span minus boilerplate) that lie in at
    least one passage. A sentence is covered when at least half of its content chars are.
    Keys: ``coverage_a``, ``coverage_b`` (0..1), ``covered_chars_a/b``, ``content_chars_a/b``,
    ``kinds`` (Counter, canonical kinds first), ``passages`` (count), ``omitted`` (sentence spans of
    A not carried into B), ``added`` (sentence spans of B not from A), ``sentences_a/b`` (counted).
    """
    ps = orient(doc_a, doc_b, passages)
    cov_a = merge_spans(_clip(((p.a_start, p.a_end) for p in ps), doc_a))
    cov_b = merge_spans(_clip(((p.b_start, p.b_end) for p in ps), doc_b))
    ca, na, omitted, sa = _side(doc_a, cov_a, sentences_a)
    cb, nb, added, sb = _side(doc_b, cov_b, sentences_b)
    raw = Counter(p.kind for p in ps)
    kinds: Counter[str] = Counter()
    for k in (*KINDS, *sorted(set(raw) - set(KINDS))):
        if raw[k]:
            kinds[k] = raw[k]
    return {
        "doc_a": doc_a.id,
        "doc_b": doc_b.id,
        "coverage_a": ca / na if na else 0.0,
        "coverage_b": cb / nb if nb else 0.0,
        "covered_chars_a": ca,
        "content_chars_a": na,
        "covered_chars_b": cb,
        "content_chars_b": nb,
        "kinds": kinds,
        "passages": len(ps),
        "omitted": omitted,
        "added": added,
        "sentences_a": sa,
        "sentences_b": sb,
    }
