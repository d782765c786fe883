"""Fact diffs: which figures, dates and names a text kept, changed, dropped or added.

    diff_passage(facts_a, facts_b, span_a, span_b) -> [(fact_a | None, fact_b | None, status)]
    diff_pair(doc_a, text_a, facts_a, doc_b, text_b, facts_b, passages) -> [FactDiff]

Within one aligned passage, facts of one type meet when their values agree (a date without a year
agrees with the same day of any year; a person's key by :func:`~sourcetrace.text.skeletons.same_name`), in order.
What is left pairs up as `changed` — numbers, money, percentages and dates of the same precision,
by their position in the passage; a person only when each side has exactly one left — and the
rest is `dropped` (only in a) or `added` (only in b). A name that one side's reader did not see
(Arabic has no capitals) is still `same` when the other side's words spell it (by skeleton).

A fact that no passage covers is only in its own text: `dropped` (only in a) or `added` (only in b),
in any pair that shares passages. A change is claimed only between facts of aligned passages
(issue 19): pairing facts of unaligned sentences by the words around them paired a sentence the
report left out with the report's headline («300 ألف» -> 420). A pair with no passage at all has
no fact diff.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache

from sourcetrace.factcheck.dates import compatible, precision
from sourcetrace.factcheck.names import person_key
from sourcetrace.records import Document, Fact, FactDiff, Passage
from sourcetrace.relate.coverage import orient
from sourcetrace.text.arabic import (
    ARABIC_WORD,
    clitic_readings,
    normalize_arabic,
    starts_arabic,
)
from sourcetrace.text.skeletons import same_name

QUANTITIES = ("number", "money", "percent", "date")
NAMES = ("person", "org", "place")

Pairing = tuple[Fact | None, Fact | None, str]


def same_value(a: Fact, b: Fact) -> bool:
    """Do two facts of one type state the same thing?"""
    if a.type != b.type:
        return False
    if a.type == "date":
        return compatible(a.value, b.value)
    if a.type == "person":
        return a.value == b.value or same_name(a.value, b.value)
    return a.value == b.value


def _kind(f: Fact) -> tuple[str, str]:
    """What a changed fact must share with its new value: its type, and a date's precision."""
    return f.type, precision(f.value) if f.type == "date" else ""


def diff_passage(facts_a: Sequence[Fact], facts_b: Sequence[Fact], span_a: tuple[int, int],
                 span_b: tuple[int, int], *, text_b: str | None = None, text_a: str | None = None
                 ) -> list[Pairing]:
    """The facts of two aligned spans, paired: (a, b, "same"|"changed"), (a, None, "dropped"),
    (None, b, "added"). ``text_a``/``text_b`` (the file texts) let a name one reader missed be
    found by its spelling on the other side."""
    out: list[Pairing] = []
    left_b = list(facts_b)
    left_a: list[Fact] = []
    for fa in facts_a:  # in order: the first unused fact of equal value
        hit = next((fb for fb in left_b if same_value(fa, fb)), None)
        if hit is None:
            left_a.append(fa)
            continue
        left_b.remove(hit)
        out.append((fa, hit, "same"))
    # Names a reader did not see: look for the spelling in the other side's words.
    for side_left, other_text, other_span, flip in ((left_a, text_b, span_b, False), (left_b, text_a, span_a, True)):
        if other_text is None:
            continue
        for f in [f for f in side_left if f.type == "person"]:
            found = _spelled(other_text, other_span, f.value)
            if found:
                twin = Fact(f.doc, found[0], found[1], f.type, f.value)  # spelled, not read: only its span counts
                side_left.remove(f)
                out.append((twin, f, "same") if flip else (f, twin, "same"))
    out += _changed(left_a, left_b, span_a, span_b)
    return out


def _changed(left_a: list[Fact], left_b: list[Fact], span_a: tuple[int, int], span_b: tuple[int, int]
             ) -> list[Pairing]:
    out: list[Pairing] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for kind in {_kind(f) for f in left_a if f.type in QUANTITIES}:
        ia = [i for i, f in enumerate(left_a) if _kind(f) == kind]
        ib = [j for j, f in enumerate(left_b) if _kind(f) == kind]
        # nearest relative positions first: reordered clauses keep their figures roughly in place
        cands = sorted((abs(_rel(left_a[i], span_a) - _rel(left_b[j], span_b)), i, j) for i in ia for j in ib)
        for _, i, j in cands:
            if i not in used_a and j not in used_b:
                used_a.add(i)
                used_b.add(j)
                out.append((left_a[i], left_b[j], "changed"))
    pa = [i for i, f in enumerate(left_a) if f.type == "person"]
    pb = [j for j, f in enumerate(left_b) if f.type == "person"]
    if len(pa) == 1 and len(pb) == 1:  # one person each: the one named instead
        used_a.add(pa[0])
        used_b.add(pb[0])
        out.append((left_a[pa[0]], left_b[pb[0]], "changed"))
    out += [(f, None, "dropped") for i, f in enumerate(left_a) if i not in used_a]
    out += [(None, f, "added") for j, f in enumerate(left_b) if j not in used_b]
    return out


def _rel(f: Fact, span: tuple[int, int]) -> float:
    return (f.start - span[0]) / max(span[1] - span[0], 1)


_WORD = re.compile(rf"[A-Za-z][A-Za-z'’-]*|{ARABIC_WORD}")


def _spelled(text: str, span: tuple[int, int], key: str) -> tuple[int, int] | None:
    """The span of a word in ``text[span]`` that spells the person ``key``, if any."""
    for m in _WORD.finditer(text, span[0], span[1]):
        if any(same_name(k, key) for k in _word_keys(m.group(0))):
            return m.start(), m.end()
    return None


@lru_cache(maxsize=200_000)
def _word_keys(word: str) -> tuple[str, ...]:
    """The person keys a word may spell (its clitic readings of three letters or more): the same
    words recur in every passage of a corpus, and reading them was a third of the fact diffs."""
    readings = clitic_readings(normalize_arabic(word)) if starts_arabic(word) else [word]
    return tuple(person_key(r) for r in readings if len(r) >= 3)


# -- a pair of documents ---------------------------------------------------------------------------
_RANK = {"same": 0, "changed": 1, "dropped": 2, "added": 2}


def _inside(f: Fact, span: tuple[int, int]) -> bool:
    """The fact overlaps the span: a passage may end inside a date («… 4» | «حزيران»)."""
    return f.start < span[1] and span[0] < f.end


_SENTENCE_END = re.compile(r"[.!?؟](?=\s|$)|\n")
_REACH = 400  # characters looked at for a sentence's edge: a passage is never widened further


def _sentences(text: str, doc: Document, start: int, end: int) -> tuple[int, int]:
    """A passage's span widened to the sentences it begins and ends in: a passage of kept wording
    stops where the wording changes ("met in Rome on" | "14 November 2019"), and the figure that
    changed is still in an aligned sentence."""
    j = start
    while j > doc.start and text[j - 1].isspace():
        j -= 1
    if j > doc.start and text[j - 1] not in ".!?؟\n":
        ends = [m.end() for m in _SENTENCE_END.finditer(text, max(doc.start, start - _REACH), start)]
        start = ends[-1] if ends else start
    j = end
    while j > start and text[j - 1].isspace():
        j -= 1
    if text[j - 1:j] not in (".", "!", "?", "؟", "\n"):
        m = _SENTENCE_END.search(text, end, min(doc.end, end + _REACH))
        end = m.end() if m else end
    return start, end


def diff_pair(doc_a: Document, text_a: str, facts_a: Sequence[Fact], doc_b: Document, text_b: str,
              facts_b: Sequence[Fact], passages: Sequence[Passage]) -> list[FactDiff]:
    """The fact diff of two documents over their aligned passages (either orientation); the facts
    outside every passage are dropped (only in a) or added (only in b).

    Each fact is reported once, with its best status over the passages it lies in (same, then
    changed, then dropped/added). Texts are the FILE texts the spans point into.
    """
    pairings: list[Pairing] = []
    ps = sorted(orient(doc_a, doc_b, passages), key=lambda p: (p.a_start, p.b_start))
    index_a, index_b = _FactIndex(facts_a), _FactIndex(facts_b)
    in_a: set[int] = set()
    in_b: set[int] = set()
    for p in ps:
        span_a = _sentences(text_a, doc_a, p.a_start, p.a_end)
        span_b = _sentences(text_b, doc_b, p.b_start, p.b_end)
        fa, fb = index_a.within(span_a), index_b.within(span_b)
        in_a.update(map(id, fa))
        in_b.update(map(id, fb))
        if fa or fb:
            pairings += diff_passage(fa, fb, span_a, span_b, text_a=text_a, text_b=text_b)
    if ps:  # texts that share no passage are not compared fact by fact
        pairings += [(f, None, "dropped") for f in facts_a if id(f) not in in_a]
        pairings += [(None, f, "added") for f in facts_b if id(f) not in in_b]
    return _resolve(doc_a, doc_b, pairings)


class _FactIndex:
    """Facts by position, so that a long document's thousands of passages each find theirs fast."""

    def __init__(self, facts: Sequence[Fact]) -> None:
        self.facts = sorted(facts, key=lambda f: f.start)
        self.starts = [f.start for f in self.facts]
        self.longest = max((f.end - f.start for f in self.facts), default=0)

    def within(self, span: tuple[int, int]) -> list[Fact]:
        lo = bisect_left(self.starts, span[0] - self.longest)
        hi = bisect_left(self.starts, span[1])
        return [f for f in self.facts[lo:hi] if _inside(f, span)]


def _resolve(doc_a: Document, doc_b: Document, pairings: list[Pairing]) -> list[FactDiff]:
    used_a: set[tuple[int, int]] = set()
    used_b: set[tuple[int, int]] = set()
    out: list[FactDiff] = []
    for fa, fb, status in sorted(pairings, key=lambda x: _RANK[x[2]]):
        ka = (fa.start, fa.end) if fa else None
        kb = (fb.start, fb.end) if fb else None
        if (ka and ka in used_a) or (kb and kb in used_b):
            continue
        if ka:
            used_a.add(ka)
        if kb:
            used_b.add(kb)
        typ = (fa or fb).type  # type: ignore[union-attr]
        out.append(FactDiff(doc_a.id, fa.start if fa else None, fa.end if fa else None,
                            doc_b.id, fb.start if fb else None, fb.end if fb else None, typ, status,
                            fa.value if fa else None, fb.value if fb else None))
    out.sort(key=lambda d: (d.a_start if d.a_start is not None else 10**12,
                            d.b_start if d.b_start is not None else 10**12))
    return out
