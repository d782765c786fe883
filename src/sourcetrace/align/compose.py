"""Passages through a translation: what a report took from the Arabic text, it took from the
English original too, through the translation.

A direct cross-lingual alignment of a report with the original finds the closely translated
sentences but misses the reworded ones. When the corpus also holds a translation Z of the
original Y, and the report X copies Z, every X~Z passage maps through the Z~Y sentence pairs
to X~Y passages, with exact spans on both ends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sourcetrace.records import Document, Passage

TRANSLATION_KINDS = ("translation", "translated-paraphrase")
MIN_TRANSLATION_COVERAGE = 0.6
MIN_SHARE = 0.4  # of a translated sentence that a copied span must cover to be mapped through it  # of each side's document span, for Z~Y to count as a translation


def coverage(spans: Sequence[tuple[int, int]], start: int, end: int) -> float:
    covered, last = 0, start
    for s, e in sorted(spans):
        s, e = max(s, last), min(e, end)
        if e > s:
            covered += e - s
            last = e
    return covered / max(end - start, 1)


def oriented(p: Passage, first: str) -> tuple[str, int, int, str, int, int]:
    if p.a == first:
        return p.a, p.a_start, p.a_end, p.b, p.b_start, p.b_end
    return p.b, p.b_start, p.b_end, p.a, p.a_start, p.a_end


def translation_pairs(docs: Sequence[Document], passages: Sequence[Passage]) -> dict[tuple[str, str], list[Passage]]:
    """Document pairs (both orders) whose translation passages cover most of both documents."""
    by_id = {d.id: d for d in docs}
    grouped: dict[frozenset[str], list[Passage]] = defaultdict(list)
    for p in passages:
        if p.kind in TRANSLATION_KINDS:
            grouped[frozenset((p.a, p.b))].append(p)
    out: dict[tuple[str, str], list[Passage]] = {}
    for key, ps in grouped.items():
        if len(key) != 2:
            continue
        z, y = sorted(key)
        dz, dy = by_id.get(z), by_id.get(y)
        if dz is None or dy is None:
            continue
        cz = coverage([oriented(p, z)[1:3] for p in ps], dz.start, dz.end)
        cy = coverage([oriented(p, z)[4:6] for p in ps], dy.start, dy.end)
        if cz >= MIN_TRANSLATION_COVERAGE and cy >= MIN_TRANSLATION_COVERAGE:
            out[(z, y)] = ps
            out[(y, z)] = ps
    return out


def translated_kind(kind: str) -> str:
    if kind in ("verbatim", "translation"):
        return "translation"
    if kind.startswith("translated-"):
        return kind
    return f"translated-{kind}"


def compose(docs: Sequence[Document], passages: Sequence[Passage], *, any_language: bool = False) -> list[Passage]:
    """Passages X~Y obtained through a translation Z~Y from monolingual passages X~Z.

    Only pairs X, Y of different languages are composed; the result does not repeat input passages.
    With ``any_language`` every X~Z passage (a report of Z in a third language too) is mapped, and
    X, Y may share a language: the fact diff uses this to see that a report paraphrasing the
    English original restates the Arabic translation's sentence.
    """
    lang = {d.id: d.lang for d in docs}
    translations = translation_pairs(docs, passages)
    if not translations:
        return []
    through: dict[str, list[str]] = defaultdict(list)  # Z -> the Ys it translates
    for z, y in translations:
        through[z].append(y)
    out: list[Passage] = []
    for p in passages:
        if not any_language and (lang.get(p.a) != lang.get(p.b) or p.kind in TRANSLATION_KINDS):
            continue
        for x, z in ((p.a, p.b), (p.b, p.a)):
            _, zs, ze, _, xs, xe = oriented(p, z)
            for y in through.get(z, ()):
                # A pair that is itself a translation is aligned directly, better than through anyone.
                if y == x or (x, y) in translations or (lang.get(y) == lang.get(x) and not any_language):
                    continue
                if (z, x) in translations:
                    continue  # p is itself part of a translation: nothing to map
                for t in translations[(z, y)]:
                    _, tzs, tze, _, tys, tye = oriented(t, z)
                    # The copied span must carry a good part of the translated sentence: a shared
                    # name or phrase does not make the whole sentence a translation of it.
                    overlap = min(ze, tze) - max(zs, tzs)
                    if overlap <= 0 or overlap < MIN_SHARE * (tze - tzs):
                        continue
                    out.append(Passage(x, xs, xe, y, tys, tye, translated_kind(p.kind), min(p.score, t.score)))
    return out


def merge_composed(direct: Sequence[Passage], composed: Sequence[Passage]) -> list[Passage]:
    """Composed passages win over direct ones of the same pair that they overlap on either side."""
    composed = _distinct(composed)
    by_pair: dict[frozenset[str], list[Passage]] = defaultdict(list)
    for c in composed:
        by_pair[frozenset((c.a, c.b))].append(c)
    out = list(composed)
    for p in direct:
        cs = by_pair.get(frozenset((p.a, p.b)))
        if cs and any(_overlaps(p, c) for c in cs):
            continue
        out.append(p)
    return out


def _distinct(composed: Sequence[Passage]) -> list[Passage]:
    """Two routes (through two translations of one text, or a translation and its revision) can
    give a pair the same region twice, once per route; the best scored stands (ties by span, so
    the choice does not depend on the order an engine hands the passages in). Passages that
    share one side only (a report saying one sentence twice) are both kept."""
    kept: dict[frozenset[str], list[Passage]] = defaultdict(list)
    for c in sorted(composed, key=lambda c: (-c.score, c.a, c.b, c.a_start, c.a_end, c.b_start, c.b_end, c.kind)):
        same_pair = kept[frozenset((c.a, c.b))]
        if not any(_overlaps(c, k, both=True) for k in same_pair):
            same_pair.append(c)
    chosen = {id(c) for cs in kept.values() for c in cs}
    return [c for c in composed if id(c) in chosen]


def _overlaps(p: Passage, c: Passage, both: bool = False) -> bool:
    _, ps, pe, _, qs, qe = oriented(p, c.a)
    on_a, on_b = min(pe, c.a_end) > max(ps, c.a_start), min(qe, c.b_end) > max(qs, c.b_start)
    return (on_a and on_b) if both else (on_a or on_b)
