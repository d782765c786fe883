"""Fact diffs: which figures, dates and names a text kept, changed, dropped or added.

    diff_passage(facts_a, facts_b, span_a, span_b) -> [(fact_a | None, fact_b | None, status)]
    diff_pair(doc_a, text_a, facts_a, doc_b, text_b, facts_b, passages) -> [FactDiff]

Within one aligned passage, facts of one type meet when their values agree (a date without a year
agrees with the same day of any year; a person's key by :func:`~sourcetrace.text.skeletons.same_name`), in order.
What is left pairs up as `changed` — numbers, money, percentages and dates of the same precision,
by their position in the passage; a person only when each side has exactly one left — and the
rest is `dropped` (only in a) or `added` (only in b). A name that one side's reader did not see
(Arabic has no capitals) is still `same` when the other side's words spell it (by skeleton).

Facts that no passage covers (the aligner missed a reworded sentence) can still meet in a pair of
one language that shares passages elsewhere: a fact pairs with the fact of the same type whose surrounding words it shares most
(weighted by rarity, at least :data:`MIN_CONTEXT_SCORE`, each the other's best), so a recalled date that a later
statement changed is found even where the sentences were not aligned.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
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
    strip_enclitic,
)
from sourcetrace.text.skeletons import same_name

QUANTITIES = ("number", "money", "percent", "date")
NAMES = ("person", "org", "place")
# Weight of the words two facts' contexts share (sum of inverse sentence frequencies) for facts outside
# passages to meet: on the seeds a welcomed decision's date shares 7.2 with its new version, 3.8 with
# an unrelated recalled date.
MIN_CONTEXT_SCORE = 5.0
CONTEXT_WORDS = 12  # words each side of a fact that make its context

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
        word = m.group(0)
        readings = clitic_readings(normalize_arabic(word)) if starts_arabic(word) else [word]
        if any(len(r) >= 3 and same_name(person_key(r), key) for r in readings):
            return m.start(), m.end()
    return None


# -- facts outside passages ------------------------------------------------------------------------
_STOP = frozenset(normalize_arabic("""في من الى إلى على عن مع او ثم قد ان أن التي الذي الذين هذا هذه ذلك تلك كان
كانت يوم خلال بعد قبل حول بشان بشأن عبر ضد لدى منذ حتى كما ايضا أيضا وقد حيث بين دون غير كل جميع ما لا لم لن
the of and to in on at for by with from that this was were is are be been has have had it its as an or
which who their they he she we our not also said""").split())


# Endings cut from a context word (pronouns, sound plurals, the nisba and feminine endings): two
# statements say «قرارها» and «القرارات» of one decision; a stem keeps three letters.
_CONTEXT_SUFFIXES = ("هما", "هم", "ها", "ات", "ون", "ين", "ية", "ه", "ة", "ي")


@lru_cache(maxsize=65536)  # a corpus's fact diffs meet the same words in pair after pair
def _stem(word: str) -> str:
    if starts_arabic(word):
        return strip_enclitic(clitic_readings(normalize_arabic(word))[-1], _CONTEXT_SUFFIXES, min_stem=3)
    w = word.lower()
    return w[:-1] if w.endswith("s") and len(w) > 4 else w


def _context(text: str, lo: int, hi: int, f: Fact) -> set[str]:
    before = [m.group(0) for m in _WORD.finditer(text, max(lo, f.start - 160), f.start)][-CONTEXT_WORDS:]
    after = [m.group(0) for m in _WORD.finditer(text, f.end, min(hi, f.end + 160))][:CONTEXT_WORDS]
    return {s for s in map(_stem, before + after) if len(s) >= 3 and s not in _STOP}


_SENTENCE_END = re.compile(r"[.!?؟\n]")


def _idf(texts: Sequence[str]) -> Callable[[str], float]:
    """Inverse sentence frequency of a stem over the given texts: words every sentence repeats
    (the coalition, the efforts) say little about which sentence a fact sits in."""
    sentences = [{_stem(w) for w in _WORD.findall(s)} for t in texts for s in _SENTENCE_END.split(t) if s.strip()]
    df: dict[str, int] = {}
    for words in sentences:
        for w in words:
            df[w] = df.get(w, 0) + 1
    n = len(sentences)
    return lambda w: math.log((n + 1) / (df.get(w, 0) + 0.5))


def context_pairs(text_a: str, doc_a: Document, facts_a: Sequence[Fact], text_b: str, doc_b: Document,
                  facts_b: Sequence[Fact]) -> list[Pairing]:
    """Figures and dates of two same-language documents that no passage covers, paired by the
    words around them: the shared words, each weighted by its inverse sentence frequency in the two
    documents, must weigh at least :data:`MIN_CONTEXT_SCORE`, and each fact be the other's best."""
    qa = [f for f in facts_a if f.type in QUANTITIES]
    qb = [f for f in facts_b if f.type in QUANTITIES]
    if not qa or not qb:
        return []
    ca = [_context(text_a, doc_a.start, doc_a.end, f) for f in qa]
    cb = [_context(text_b, doc_b.start, doc_b.end, f) for f in qb]
    idf = _idf([text_a[doc_a.start:doc_a.end], text_b[doc_b.start:doc_b.end]])
    score = {(i, j): sum(map(idf, ca[i] & cb[j])) for i in range(len(qa)) for j in range(len(qb))
             if _kind(qa[i]) == _kind(qb[j])}
    best_a: dict[int, float] = {}
    best_b: dict[int, float] = {}
    for (i, j), s in score.items():
        best_a[i] = max(best_a.get(i, 0.0), s)
        best_b[j] = max(best_b.get(j, 0.0), s)
    return [(qa[i], qb[j], "same" if same_value(qa[i], qb[j]) else "changed")
            for (i, j), s in score.items() if s >= MIN_CONTEXT_SCORE and s == best_a[i] == best_b[j]]


# -- a pair of documents ---------------------------------------------------------------------------
_RANK = {"same": 0, "changed": 1, "dropped": 2, "added": 2}


def _inside(f: Fact, span: tuple[int, int]) -> bool:
    """The fact overlaps the span: a passage may end inside a date («… 4» | «حزيران»)."""
    return f.start < span[1] and span[0] < f.end


def diff_pair(doc_a: Document, text_a: str, facts_a: Sequence[Fact], doc_b: Document, text_b: str,
              facts_b: Sequence[Fact], passages: Sequence[Passage]) -> list[FactDiff]:
    """The fact diff of two documents over their aligned passages (either orientation), plus the
    figures and dates outside passages that their context pairs up (same language only).

    Each fact is reported once, with its best status over the passages it lies in (same, then
    changed, then dropped/added). Texts are the FILE texts the spans point into.
    """
    pairings: list[Pairing] = []
    ps = sorted(orient(doc_a, doc_b, passages), key=lambda p: (p.a_start, p.b_start))
    index_a, index_b = _FactIndex(facts_a), _FactIndex(facts_b)
    for p in ps:
        span_a, span_b = (p.a_start, p.a_end), (p.b_start, p.b_end)
        fa, fb = index_a.within(span_a), index_b.within(span_b)
        if fa or fb:
            pairings += diff_passage(fa, fb, span_a, span_b, text_a=text_a, text_b=text_b)
    if doc_a.lang == doc_b.lang and ps:  # only texts that share passages: a template is no kinship
        in_a = {id(f) for p in ps for f in index_a.within((p.a_start, p.a_end))}
        in_b = {id(f) for p in ps for f in index_b.within((p.b_start, p.b_end))}
        free_a = [f for f in facts_a if id(f) not in in_a]
        free_b = [f for f in facts_b if id(f) not in in_b]
        pairings += context_pairs(text_a, doc_a, free_a, text_b, doc_b, free_b)
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
