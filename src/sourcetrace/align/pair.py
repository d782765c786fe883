"""Aligning two documents: which spans of one carry which spans of the other, and how.

`align` works for any two documents, in one language or across Arabic and English, without
assuming that they are complete or in the same order (a report reorders, cuts and merges):

1. **Reuse** (same language only): passages that keep the wording are found at word precision
   by seed-and-extend with local alignment (:mod:`sourcetrace.align.reuse`); they are `verbatim` or
   `near-verbatim`.
2. **Units**: the sentences of each side, minus what reuse already explains. A sentence mostly
   covered by reuse is done; the uncovered part of a partly covered one becomes a unit of its own.
3. **Vectors**: every unit is encoded by a multilingual sentence encoder (through the `vectors`
   function the caller gives: a runner's cache, or plain encoding); within one language with
   USE (the encoder of a same-language pair of long documents when none is chosen), only the
   units that may be paraphrases (:mod:`sourcetrace.align.screen`).
4. **Pair scores**: cosine and margin (the cosine against both sentences' neighbourhoods, which
   discounts a shared topic), numbers and dates on both sides (language-independent anchors),
   the length ratio, and neighbour support (the units before or after also align: a translated
   paragraph stays a paragraph). A logistic combination gives a score in [0, 1].
5. **Best-pair search**: each unit keeps its best partner if the score passes the threshold, and
   a second partner when it is adjacent to the first (one sentence rendered as two). Both sides
   choose, so a source sentence quoted twice in a report is found twice; no order is assumed.
   Then **order** (:mod:`sourcetrace.align.beads`): mutual best pairs in ordered runs become
   anchors (and, once the texts share a run, mutual best pairs alone that do not cut across
   it: a block of a reordered text), the units between consecutive ordered pairs are aligned by
   a monotonic DP over beads of up to three units a side (1-1, 1-2, 2-1, 2-2, 1-3, 3-1), units on
   one side of a gap join a neighbouring bead whose length they complete, a text in order grows
   along its diagonals (a reordered one, after the path, at a block's edge where both units are
   each other's best free partner), and a unit next to an aligned one joins its partner when merged it
   matches better: what the global search left below its threshold, the order of a translation
   recovers. Last, once the pairs cover most of one side, the best path of beads
   (:mod:`sourcetrace.align.path`, vecalign's dynamic programming with jumps) redraws them
   where the found pairs bound it: a verse rendered in several sentences is one bead, a weak
   pair between two found ones is placed. A pair over ``windows.MAX_CELLS`` unit cells
   is aligned window by window (:mod:`sourcetrace.align.windows`), in memory linear in its length.
6. **Kinds**: across languages `translation` or, when the wording moved, `translated-paraphrase`;
   within a language the reuse kinds, or `paraphrase` for units that share meaning but little
   wording.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import accumulate

import numpy as np

from sourcetrace.align import path, screen, windows
from sourcetrace.align.beads import (
    BACKGROUND,
    EXTEND_FIT_WEIGHT,
    ORDER_KEPT,
    extend,
    fill_gaps,
    grow_diagonal,
    in_order_share,
    ordered_anchors,
    unit_vectors,
)
from sourcetrace.align.matching import cosine_matrix, margin_scores
from sourcetrace.align.reuse import Match, find_reuse, grow_exact
from sourcetrace.defaults import DEFAULT_THRESHOLD  # noqa: F401 (alignment's name for it)
from sourcetrace.encode import Encoder, get_encoder
from sourcetrace.encode.vectors import Vectors, encoded
from sourcetrace.progress import note
from sourcetrace.records import Document, Passage, Sentence, Span
from sourcetrace.text.normalize import TOKEN, normalize, normalize_text, tokens
from sourcetrace.text.sentences import NEWLINES, unwrapped

MIN_UNIT_CHARS = 25  # a shorter leftover of a sentence carries too little to align on its own
COVERED = 0.7  # share of a sentence's characters that reuse must cover for the sentence to be done

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass
class Side:
    """One document prepared for alignment."""

    doc: Document
    text: str  # the whole file text
    sentences: Sequence[Sentence]


@dataclass
class _Unit:
    start: int
    end: int
    text: str
    numbers: frozenset[str]
    free: bool  # not explained by reuse: it looks for a partner (a covered unit can only be found)


@lru_cache(maxsize=65536)  # a sentence meets many candidate partners in a corpus
def _numbers(text: str) -> frozenset[str]:
    norm = normalize_text(text)
    return frozenset(n.replace(",", "") for n in _NUMBER.findall(norm) if len(n.replace(",", "")) >= 2)


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _unit(text: str, start: int, end: int, free: bool) -> _Unit:
    chunk = text[start:end]
    return _Unit(start, end, chunk, _numbers(chunk), free)


def _units(side: Side, covered: Sequence[Span]) -> list[_Unit]:
    """Free units (sentences, or the uncovered rest of partly reused ones) and covered sentences.

    A covered sentence stays a candidate partner: a report may quote a sentence word for word in
    one place and paraphrase it in another.
    """
    units: list[_Unit] = []
    touching = _touching(covered)
    for s in side.sentences:
        pieces = [(s.start, s.end)]
        for cs, ce in touching(s.start, s.end):
            nxt = []
            for ps, pe in pieces:
                if ce <= ps or cs >= pe:
                    nxt.append((ps, pe))
                    continue
                if cs > ps:
                    nxt.append((ps, cs))
                if ce < pe:
                    nxt.append((ce, pe))
            pieces = nxt
        if pieces == [(s.start, s.end)]:
            units.append(_unit(side.text, s.start, s.end, True))
            continue
        units.append(_unit(side.text, s.start, s.end, False))
        left = sum(pe - ps for ps, pe in pieces)
        if left < (1 - COVERED) * (s.end - s.start):
            continue
        for ps, pe in pieces:
            ps, pe = _trim(side.text, ps, pe)
            if pe - ps >= MIN_UNIT_CHARS:
                units.append(_unit(side.text, ps, pe, True))
    return units


def _touching(covered: Sequence[Span]) -> Callable[[int, int], list[Span]]:
    """For spans ``covered``: a function of a sentence's start and end giving, in order, the spans
    that start before it ends and reach past its start (a sorted walk, not sentences x spans: that
    was the stage's cost on a long report of a long source)."""
    spans = sorted(covered)
    starts = [cs for cs, _ in spans]
    reach = list(accumulate((ce for _, ce in spans), max))  # the furthest end of the spans so far

    def touching(start: int, end: int) -> list[Span]:
        hi = bisect_left(starts, end)
        lo = hi
        while lo > 0 and reach[lo - 1] > start:
            lo -= 1
        return spans[lo:hi]

    return touching


def _cross(a: Document, b: Document) -> bool:
    return a.lang != b.lang


@dataclass(frozen=True)
class Calibration:
    """Logistic weights of the pair score for one encoder's cosine scale.

    ``chance``: the cosine of unrelated sentences on one topic (cross-lingual, monolingual);
    ``bias``: within one language, sentences on the same event ("the ministers met on Thursday …")
    score high without sharing text, so a monolingual paraphrase needs more evidence.
    """

    chance_cross: float
    chance_mono: float
    cos: float
    margin: float
    bias_cross: float = -1.75
    bias_mono: float = -3.0
    translation: float = 0.82  # a cross-lingual pair at or above this cosine kept the wording: translation


# Set by hand on the demo corpus and checked on the seeds (e5+USE), and from USE's cosines on the
# same pairs (USE's scale: unrelated sentences near 0.2, translations above 0.65).
CALIBRATIONS = {
    "combined": Calibration(chance_cross=0.78, chance_mono=0.86, cos=30.0, margin=25.0),
    "e5": Calibration(chance_cross=0.82, chance_mono=0.89, cos=40.0, margin=60.0, translation=0.86),
    "use": Calibration(chance_cross=0.55, chance_mono=0.62, cos=20.0, margin=1.0, translation=0.72),
}
_W = {"numbers": 1.5, "length": -2.0, "neighbour": 1.5}
LARGE_PAIR = 2000  # units on both sides together: above this the default encoder is the fast one
LONG_DOCUMENT = 8000  # characters: a same-language pair with a longer document is aligned with the fast encoder


def pair_encoder(cross: bool, units: int, longest: int) -> str:
    """The encoder spec of a pair aligned with none chosen (``units``: both sides' units together;
    ``longest``: the characters of its longer document): the default (E5+USE) up to
    ``LARGE_PAIR`` units, and within one language up to ``LONG_DOCUMENT`` characters; the fast
    one (USE, ~15x cheaper a character) beyond. Within one language the default screens nothing,
    so every unit of the pair pays E5 (USE's screen, :mod:`sourcetrace.align.screen`, sends only
    the units that may be paraphrases to the encoder): a folder of eleven books cut to 1-38
    thousand characters took 147 CPU s against 9 with USE, with the same relations. E5 still
    decides a news report's paraphrases of its sources (the seeds, whose longest document holds
    5,767 characters: with USE their report lost three paraphrases, reuse F1 0.958 -> 0.927).
    bench/README.md, e5pairs36."""
    if units > LARGE_PAIR or (not cross and longest > LONG_DOCUMENT):
        return "use"
    return "default"


def calibration_for(encoder: Encoder) -> Calibration:
    """The calibration of a known encoder family; others (a plugged-in model) get the default's."""
    for family, cal in CALIBRATIONS.items():
        if encoder.name.startswith(family):
            return cal
    return CALIBRATIONS["combined"]


SURE = 0.9  # a pair this strong stands whatever its partner's other options
RIVAL_GAP = 0.2  # how far below its partner's best pair a pair may be and still stand
CANDIDATES = 5  # per unit, the best pairs whose anchors are checked
ANCHOR_REACH = 2 * 1.5  # the most the number agreement can move a pair's logit (±numbers weight)
SHORT_ANCHOR_MARGIN = 1.3  # an anchor of short units this far out of both neighbourhoods stands alone
SHORT_UNIT_WORDS = 6  # a unit this short (a dateline, "For Immediate Release") aligns only inside a block


def _log_lengths(units: Sequence[_Unit], scale: float) -> np.ndarray:
    return np.log(np.maximum([len(u.text) * scale for u in units], 1.0)).astype(np.float32)


def _pair_scores(ua: list[_Unit], ub: list[_Unit], sim: np.ndarray, cross: bool, a_lang: str,
                 cal: Calibration = CALIBRATIONS["combined"], margin: np.ndarray | None = None) -> np.ndarray:
    """Calibrated pair scores in [0, 1] (see the module docstring for the features).

    Everything is a matrix operation except the number agreement, which is computed only for
    each unit's few best candidates: elsewhere it could not lift a pair over the threshold.
    """
    sim = sim.astype(np.float32, copy=False)
    margin = margin_scores(sim, k=4).astype(np.float32) if margin is None else margin
    chance, bias = (cal.chance_cross, cal.bias_cross) if cross else (cal.chance_mono, cal.bias_mono)
    z = cal.cos * (sim - chance) + cal.margin * (margin - 1.0) + bias
    # Length prior: Arabic runs about 0.8 the length of English.
    scale_a = 1 / 0.8 if cross and a_lang == "ar" else 1.0
    scale_b = 1 / 0.8 if cross and a_lang != "ar" else 1.0
    gap = np.abs(_log_lengths(ua, scale_a)[:, None] - _log_lengths(ub, scale_b)[None, :])
    z += _W["length"] * np.maximum(0.0, gap - 0.35)
    for i, j in _candidates(z, top=CANDIDATES):
        x, y = ua[i], ub[j]
        if x.numbers and y.numbers:  # from +w when the numbers agree to -w when none do
            agreement = len(x.numbers & y.numbers) / len(x.numbers | y.numbers)
            z[i, j] += _W["numbers"] * (2 * agreement - 1)
    # imported here: only aligning processes call this (a trace's document workers import it unused)
    from scipy.special import expit

    # Neighbour support: the diagonal neighbours also pair well (order kept locally).
    base = expit(z)
    support = np.zeros_like(base)
    if base.shape[0] > 1 and base.shape[1] > 1:
        support[1:, 1:] = np.maximum(support[1:, 1:], base[:-1, :-1])
        support[:-1, :-1] = np.maximum(support[:-1, :-1], base[1:, 1:])
    z += _W["neighbour"] * support
    return expit(z)


def _candidates(z: np.ndarray, top: int) -> set[tuple[int, int]]:
    """Pairs close enough to their row's or column's best that an anchor could change the choice
    (the anchors move a score by at most ANCHOR_REACH), capped at the `top` best of each row and
    column when a flat matrix would give too many."""
    n, m = z.shape
    if n == 0 or m == 0:
        return set()
    near = (z >= z.max(axis=1, keepdims=True) - ANCHOR_REACH) | (z >= z.max(axis=0, keepdims=True) - ANCHOR_REACH)
    if int(near.sum()) <= 2 * top * (n + m):
        return {(int(i), int(j)) for i, j in np.argwhere(near)}
    kc, kr = min(top, m), min(top, n)
    cols = np.argpartition(-z, kc - 1, axis=1)[:, :kc]
    rows = np.argpartition(-z, kr - 1, axis=0)[:kr, :]
    out = {(i, int(j)) for i in range(n) for j in cols[i]}
    out.update((int(i), j) for j in range(m) for i in rows[:, j])
    return out


def _choose(score: np.ndarray, free_a: Sequence[bool], free_b: Sequence[bool],
            threshold: float) -> set[tuple[int, int]]:
    """Best partner of every free unit on both sides, plus an adjacent second partner."""
    chosen: set[tuple[int, int]] = set()
    if score.size == 0:
        return chosen
    for axis in (1, 0):
        mat = score if axis == 1 else score.T
        free_rows = free_a if axis == 1 else free_b
        # Rivals are free units only: a sentence quoted word for word elsewhere may also be paraphrased.
        col_best = np.where(np.asarray(free_rows)[:, None], mat, -1.0).max(axis=0)
        for i in range(mat.shape[0]):
            if not free_rows[i]:
                continue
            row = mat[i]
            j = int(row.argmax())
            # A unit whose best partner prefers another unit by far (a sentence the other side
            # dropped) keeps it only when the pair is strong in its own right.
            if row[j] < threshold or (row[j] < SURE and row[j] < col_best[j] - RIVAL_GAP):
                continue
            pick = [(i, j)]
            for k in (j - 1, j + 1):
                if 0 <= k < row.shape[0] and row[k] >= threshold and row[k] >= row[j] - 0.15:
                    pick.append((i, k))
            chosen.update(pick if axis == 1 else [(b, a) for a, b in pick])
    return {(i, j) for i, j in chosen if free_a[i] or free_b[j]}


def _anchored(pairs: set[tuple[int, int]], short_a: Sequence[bool], short_b: Sequence[bool],
              score: np.ndarray) -> set[tuple[int, int]]:
    """Pairs of short units survive only next to a surviving pair (a header block of a
    translation), in a run of short pairs that keeps its order on both sides (a text of short
    sentences, translated: "Sami wanted money."), or when they are sure (score >= SURE) and the
    two texts share more than this one pair: alone, "March 12, 2025" or "For Immediate Release"
    prove nothing, but in a partial translation cut into shuffled blocks, a block's first sentence
    has no neighbour to lean on."""
    kept = {(i, j) for i, j in pairs
            if not (short_a[i] or short_b[j]) or (i + 1, j + 1) in pairs or (i - 1, j - 1) in pairs}
    sure = {(i, j) for i, j in pairs - kept if score[i, j] >= SURE}
    if kept or len(sure) > 1:
        kept |= sure
    pending = pairs - kept
    grew = True
    while grew and pending:
        grew = False
        for i, j in sorted(pending):
            if any((i + di, j + dj) in kept for di in (-1, 1) for dj in (-1, 1)):
                kept.add((i, j))
                pending.discard((i, j))
                grew = True
    return kept


def _standing(anchors: set[tuple[int, int]], chosen: set[tuple[int, int]], score: np.ndarray,
              margin: np.ndarray) -> set[tuple[int, int]]:
    """The pairs that stand however short their units: anchors, and chosen pairs that are their
    row's and column's best (as anchors are, but found by the search already), that stand out of
    both their neighbourhoods by SHORT_ANCHOR_MARGIN. A chosen pair of short verses that is such
    a pair was dropped when no neighbour stood by it (a block of a reordered partial translation:
    bench/realtext.py, partial Qur'an)."""
    row_best, col_best = score.argmax(axis=1), score.argmax(axis=0)
    mutual = {(i, j) for i, j in chosen if row_best[i] == j and col_best[j] == i}
    return {(i, j) for i, j in anchors | mutual if margin[i, j] >= SHORT_ANCHOR_MARGIN}


def _in_order(pairs: set[tuple[int, int]], ua: list[_Unit], ub: list[_Unit], va: np.ndarray, vb: np.ndarray,
              score: np.ndarray, sim: np.ndarray, margin: np.ndarray, cross: bool, a_lang: str,
              threshold: float) -> set[tuple[int, int]]:
    """The pairs plus what their order implies: the gaps between ordered pairs, the diagonals of
    a text in order, and the 2-1, 1-2 beads at them (:mod:`sourcetrace.align.beads`). Only free
    units are placed, and a unit whose best partner scores over the threshold elsewhere is left
    to it."""
    if not pairs:
        return pairs
    # Lengths in English characters: Arabic runs about 0.8 the length of English.
    scale_a = 1 / 0.8 if cross and a_lang == "ar" else 1.0
    scale_b = 1 / 0.8 if cross and a_lang != "ar" else 1.0
    len_a = [len(u.text) * scale_a for u in ua]
    len_b = [len(u.text) * scale_b for u in ub]
    strong_a = [not u.free or bool(score[i].max() >= threshold) for i, u in enumerate(ua)]
    strong_b = [not u.free or bool(score[:, j].max() >= threshold) for j, u in enumerate(ub)]
    wa, wb = unit_vectors(va), unit_vectors(vb)
    level = float(np.quantile(sim, BACKGROUND))
    num_a, num_b = [u.numbers for u in ua], [u.numbers for u in ub]
    pairs = fill_gaps(pairs, wa, wb, len_a, len_b, strong_a, strong_b, level, num_a, num_b)
    pairs = grow_diagonal(pairs, margin, [not s for s in strong_a], [not s for s in strong_b], num_a, num_b)
    pairs = extend(pairs, wa, wb, len_a, len_b, strong_a, strong_b, num_a, num_b)
    pairs = _on_path(pairs, sim, wa, wb, len_a, len_b, [u.free for u in ua], [u.free for u in ub], num_a, num_b)
    if in_order_share(pairs) < ORDER_KEPT:
        # a block's edge the path left: the next pair on a diagonal, each unit the other's best of
        # those nobody holds (before the path it took as many false pairs as true ones)
        pairs = grow_diagonal(pairs, margin, [not s for s in strong_a], [not s for s in strong_b], num_a, num_b,
                              sim=sim)
        # a verse cut into sentences on one side, whose partner the path placed or whose rest cost
        # a little cosine (:data:`EXTEND_FIT_WEIGHT`): its rest joins it, after the path (before,
        # the path drew other pairs around it: bench/README.md scripture40)
        pairs = extend(pairs, wa, wb, len_a, len_b, strong_a, strong_b, num_a, num_b, fit_weight=EXTEND_FIT_WEIGHT)
    return pairs


PATH_AFTER = 0.8  # share of one side's text the pairs must cover for the path to redraw them ...
PATH_AFTER_REORDERED = 0.3  # ... or, pairs not in one order, to add to them
NEW_RUN_AFTER = 3  # pairs the texts must share before a run that holds none of them counts ...
NEW_RUN_BEADS = 2  # ... when it has this many beads ...
NEW_RUN_GAIN = 0.4  # ... each gaining this much (a 1-1 bead: distance under 0.9)
STRETCH_SKIP = 2  # ... in a reordered pair, no more units skipped between two of them on either side
FILL = 3  # beads of a run the path may place between two that hold found pairs
EDGE = 2  # ... and before the first or after the last
FILL_DISTANCE = 1.0  # a placed bead must be nearer than this (1: its units' mean with the other text)


CUT_FINER = 1.25  # units of one side per unit of the other above which the path runs over the other
PATH_CELLS = 250_000  # a pair larger than this is drawn tile by tile
TILE = 250  # units of `a` a tile holds; its stretch of `b` is where their pairs are, widened by ...
TILE_MARGIN = 25  # ... this many units on each side, and at most 4 * TILE wide


def _tiles(pairs: set[tuple[int, int]], n: int, m: int) -> list[tuple[int, int, int, int]]:
    """The parts (a0, a1, b0, b1) of a pair the path is drawn through: the whole pair when it is
    small, else tiles of TILE units of `a` each with the stretch of `b` its found pairs reach (a
    tile whose pairs spread wider is left as the search found it), so that the cost stays linear
    in the length of a long translation."""
    if n * m <= PATH_CELLS:
        return [(0, n, 0, m)]
    out = []
    for a0 in range(0, n, TILE):
        a1 = min(n, a0 + TILE)
        js = [j for i, j in pairs if a0 <= i < a1]
        if not js:
            continue
        b0, b1 = max(0, min(js) - TILE_MARGIN), min(m, max(js) + TILE_MARGIN + 1)
        if b1 - b0 <= 4 * TILE:
            out.append((a0, a1, b0, b1))
    return out


def _length_ratio(pairs: set[tuple[int, int]], len_a: Sequence[float], len_b: Sequence[float]) -> float | None:
    """The median length ratio of a to b over the groups of units the pairs join (a unit paired
    with two is one group with both), or None under three groups."""
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def root(x: tuple[int, int]) -> tuple[int, int]:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for i, j in pairs:
        parent[root((0, i))] = root((1, j))
    groups: dict[tuple[int, int], list[float]] = {}
    for side, k in list(parent):
        g = groups.setdefault(root((side, k)), [0.0, 0.0])
        g[side] += len_a[k] if side == 0 else len_b[k]
    ratios = [a / b for a, b in groups.values() if a > 0 and b > 0]
    return float(np.median(ratios)) if len(ratios) >= 3 else None


def _on_path(pairs: set[tuple[int, int]], sim: np.ndarray, wa: np.ndarray, wb: np.ndarray,
             len_a: Sequence[float], len_b: Sequence[float], open_a: Sequence[bool], open_b: Sequence[bool],
             num_a: Sequence[frozenset[str]], num_b: Sequence[frozenset[str]]) -> set[tuple[int, int]]:
    """The pairs redrawn by the best path of beads (:mod:`sourcetrace.align.path`), once they
    cover PATH_AFTER of one side's text (PATH_AFTER_REORDERED when they do not keep one order):
    between two unrelated texts of one template (the planted bench's statements of one topic:
    title, office, date and paragraphs in the same places) chance pairs keep the order, and the
    path would carry them to their neighbours (at 0.3: 4 more false `derived`, all in order). The path measures lengths by the pair's own ratio (a vocalized Arabic text
    runs longer than the usual 0.8 of English). Of each run of the path, the beads the found
    pairs bound (:func:`_bounded`) are taken:

    * in a text whose pairs keep one order (ORDER_KEPT of them on one chain) they replace the
      pairs of their units (a verse found as one of its three sentences is found whole) and
      the path steps over units of `b` only at the cost of a jump;
    * in a reordered one the path steps over units of `b` cheaply (a block of kept verses skips
      the dropped ones) and only places units the pairs left out: a bead that takes a paired unit
      with a neighbour is as often a dropped sentence of the same topic (Tatoeba's partial
      documents) as a sentence cut in two; a bead that continues a block right after a bead
      holding found pairs takes the place of lone pairs it comes nearer than (:func:`_displacing`).
      Last, a unit the path left out takes its best partner if nobody holds it (:func:`_left_best`).

    A text in order whose `a` holds over CUT_FINER units per unit of `b` is drawn with `b` as the
    path's rows, as the text of fewer units is whichever side is `a` (handed, English first:
    complete Qur'an F1 0.975 -> 0.987).

    bench/realtext.py --handed-only --encoder use: complete P / R 0.977 / 0.945 -> 0.994 / 0.980,
    partial F1 0.864 -> 0.910."""
    if not pairs:
        return pairs
    ordered = in_order_share(pairs) >= ORDER_KEPT
    share_a = sum(len_a[i] for i in {i for i, _ in pairs}) / max(sum(len_a), 1)
    share_b = sum(len_b[j] for j in {j for _, j in pairs}) / max(sum(len_b), 1)
    if max(share_a, share_b) < (PATH_AFTER if ordered else PATH_AFTER_REORDERED):
        return pairs
    ratio = _length_ratio(pairs, len_a, len_b)
    if ratio is not None:
        len_b = [x * ratio for x in len_b]
    skip = path.SKIP_IN_ORDER if ordered else path.SKIP
    runs = []
    for a0, a1, b0, b1 in _tiles(pairs, len(len_a), len(len_b)):
        if ordered and a1 - a0 > CUT_FINER * (b1 - b0):
            # The path leaves a unit of its rows out for free and pays for one of its columns: a
            # text in order whose `a` holds many more units than `b` (a translation that renders a
            # verse in several sentences) is drawn with `b` as rows, so that a sentence of such a
            # verse joins its bead whichever document is `a`.
            beads = [replace(bead, a=bead.b, b=bead.a) for bead in path.best_path(
                sim[a0:a1, b0:b1].T, wb[b0:b1], wa[a0:a1], len_b[b0:b1], len_a[a0:a1], open_b[b0:b1],
                open_a[a0:a1], num_b[b0:b1], num_a[a0:a1], skip=skip)]
        else:
            beads = path.best_path(sim[a0:a1, b0:b1], wa[a0:a1], wb[b0:b1], len_a[a0:a1], len_b[b0:b1],
                                   open_a[a0:a1], open_b[b0:b1], num_a[a0:a1], num_b[b0:b1], skip=skip)
        runs += [[replace(bead, a=range(bead.a.start + a0, bead.a.stop + a0), b=range(bead.b.start + b0, bead.b.stop + b0))
                  for bead in run] for run in path.runs(beads)]
    paired_a, paired_b = {i for i, _ in pairs}, {j for _, j in pairs}
    by_a: dict[int, set[int]] = {}
    by_b: dict[int, set[int]] = {}
    for i, j in pairs:
        by_a.setdefault(i, set()).add(j)
        by_b.setdefault(j, set()).add(i)
    taken: set[tuple[int, int]] = set()
    rivals: list[path.Bead] = []
    for run in runs:
        run = _bounded(run, pairs, reordered=not ordered)
        if ordered:
            taken |= path.bead_pairs(run)
            continue
        for k, bead in enumerate(run):
            if not (set(bead.a) & paired_a or set(bead.b) & paired_b) or _completes(bead, by_a, by_b, len_a, len_b):
                taken |= path.bead_pairs([bead])
            elif _follows_held(run, k, pairs):
                rivals.append(bead)
    if rivals:
        taken |= _displacing(rivals, pairs, by_a, by_b, sim, taken)
    used_a, used_b = {i for i, _ in taken}, {j for _, j in taken}
    out = taken | {(i, j) for i, j in pairs if i not in used_a and j not in used_b}
    return out if ordered else out | _left_best(out, sim, open_a, open_b)


LEFT_DISTANCE = 0.8  # how near (path's normalised distance) a unit left out must come to its best partner ...
LEFT_MARGIN = 1.05  # ... and how far over the mean of its row's and its column's second best


def _left_best(pairs: set[tuple[int, int]], sim: np.ndarray, open_a: Sequence[bool],
               open_b: Sequence[bool]) -> set[tuple[int, int]]:
    """Units a reordered pair's path left out, paired with their best partner (by cosine, among
    all units of the other side) when nobody holds it, it comes nearer than LEFT_DISTANCE, and of
    the units left out it prefers this one, standing LEFT_MARGIN out of its row's and column's
    second best: a block of one long verse, whose own cosine the path does not follow
    (bench/realtext.py, partial Qur'an: quran61's first verse, 346 characters, left out for its
    partner lies after the next block's; margin 1.10). A headline among sentences of one event is
    near several (the seeds' 004 and 002a: 0.78 against 0.75 and 0.77, a false pair)."""
    used_a, used_b = {i for i, _ in pairs}, {j for _, j in pairs}
    left_a = [i for i in range(sim.shape[0]) if open_a[i] and i not in used_a]
    if not left_a:
        return set()
    distance = _distance(sim)
    out = set()
    for i in left_a:
        j = int(sim[i].argmax())
        if j in used_b or not open_b[j] or max(left_a, key=lambda x: sim[x, j]) != i:
            continue
        c = float(sim[i, j])
        second = (float(np.partition(sim[i], -2)[-2]) + float(np.partition(sim[:, j], -2)[-2])) / 2 \
            if min(sim.shape) > 1 else 0.0
        if distance(i, j) < LEFT_DISTANCE and c >= LEFT_MARGIN * second:
            out.add((i, j))
    return out


def _follows_held(run: list[path.Bead], k: int, pairs: set[tuple[int, int]]) -> bool:
    """Whether bead k of a run lies right next to a neighbour of the run that holds a found pair,
    with no unit skipped between them on either side (it continues a block the search found)."""
    bead = run[k]
    before = k > 0 and run[k - 1].a.stop == bead.a.start and run[k - 1].b.stop == bead.b.start and run[k - 1]
    after = k + 1 < len(run) and bead.a.stop == run[k + 1].a.start and bead.b.stop == run[k + 1].b.start and run[k + 1]
    return any(n and path.bead_pairs([n]) & pairs for n in (before, after))


LONE_REACH = 2  # units (each side) within which another found pair keeps a pair from being lone


def _distance(sim: np.ndarray) -> Callable[[int, int], float]:
    """The normalised distance of unit pair (i, j) (:mod:`sourcetrace.align.path`'s): its cosine's
    distance over the mean distance of its row and its column."""
    row_bg, col_bg = sim.mean(axis=1), sim.mean(axis=0)

    def distance(i: int, j: int) -> float:
        return (1.0 - float(sim[i, j])) / max(1.0 - float(row_bg[i] + col_bg[j]) / 2, 1e-3)
    return distance


def _displacing(beads: list[path.Bead], pairs: set[tuple[int, int]], by_a: dict[int, set[int]],
                by_b: dict[int, set[int]], sim: np.ndarray, taken: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The unit pairs of the beads of a reordered pair's path that take the place of found pairs:
    a bead holding none of the found pairs its units are in, each of them a lone pair (no other
    found pair within LONE_REACH units on a diagonal, its units paired with nothing else) that
    the bead comes nearer than (the normalised distance of :mod:`sourcetrace.align.path`). A
    lone pair across a block is as often a verse of the same words elsewhere as the verse's own
    partner; the path, which follows its block, decides (bench/realtext.py, partial Qur'an).
    Beads are taken nearest first, none on a unit another placed bead holds."""
    distance = _distance(sim)

    def lone(i: int, j: int) -> bool:
        if by_a[i] != {j} or by_b[j] != {i}:
            return False
        return not any((i + di, j + dj) in pairs for di in range(-LONE_REACH, LONE_REACH + 1)
                       for dj in range(-LONE_REACH, LONE_REACH + 1) if di * dj > 0)

    out: set[tuple[int, int]] = set()
    used_a, used_b = {i for i, _ in taken}, {j for _, j in taken}
    for bead in sorted(beads, key=lambda b: b.distance):
        cells = path.bead_pairs([bead])
        if cells & pairs or set(bead.a) & used_a or set(bead.b) & used_b:
            continue
        found = {(i, j) for i in bead.a for j in by_a.get(i, ())} | {(i, j) for j in bead.b for i in by_b.get(j, ())}
        if all(lone(i, j) and bead.distance < distance(i, j) for i, j in found):
            out |= cells
            used_a.update(bead.a)
            used_b.update(bead.b)
    return out


COMPLETES = 0.4  # how much nearer (|log length ratio|) a bead must bring a found pair's lengths


def _completes(bead: path.Bead, by_a: dict[int, set[int]], by_b: dict[int, set[int]],
               len_a: Sequence[float], len_b: Sequence[float]) -> bool:
    """Whether a bead of a reordered pair's path holds found pairs whole and adds to them units
    nobody paired that bring their lengths nearer by COMPLETES: a long verse found by its first
    sentence takes the formulae that close it ("That is best for you, if you should know"),
    which score low alone; a dropped neighbour of a pair whose lengths already fit is not taken,
    nor one of a short pair (Tatoeba's partial documents, whose few words vary in length)."""
    found_a = {i for i in bead.a if i in by_a}
    found_b = {j for j in bead.b if j in by_b}
    if not found_a or (found_a == set(bead.a) and found_b == set(bead.b)):
        return False
    partners_a = set().union(*(by_a[i] for i in found_a))
    partners_b = set().union(*(by_b[j] for j in found_b))
    if partners_a != found_b or partners_b != found_a:
        return False  # the bead cuts a found pair, or takes a unit paired elsewhere

    def misfit(xs: set[int] | range, ys: set[int] | range) -> float:
        return abs(float(np.log(max(sum(len_a[x] for x in xs), 1.0) / max(sum(len_b[y] for y in ys), 1.0))))

    # a short sentence's length says less (as in path.best_path): the nearer fit must be larger
    shorter = min(sum(len_a[x] for x in found_a), sum(len_b[y] for y in found_b))
    needed = COMPLETES / min(1.0, float(np.sqrt(max(shorter, 1.0) / path.LENGTH_REF)))
    return misfit(bead.a, bead.b) <= misfit(found_a, found_b) - needed


def _joined(x: path.Bead, y: path.Bead, skipped: int = 0) -> bool:
    """Whether bead y follows bead x with at most ``skipped`` units between them on either side."""
    return 0 <= y.a.start - x.a.stop <= skipped and 0 <= y.b.start - x.b.stop <= skipped


def _bounded(run: list[path.Bead], pairs: set[tuple[int, int]], reordered: bool = False) -> list[path.Bead]:
    """The beads of a run that the found pairs bound: those that hold a pair, those between two
    such beads at most FILL apart, and up to EDGE beyond the first and the last, each nearer
    than FILL_DISTANCE (order does not make sentences no nearer than chance a translation). Once
    the texts share NEW_RUN_AFTER pairs, so does every stretch of NEW_RUN_BEADS or more beads in
    a row each gaining NEW_RUN_GAIN, in a run that holds pairs or none: a block of a reordered
    text none of whose pairs the search found, the path running on into the weak beads of the
    next block (bench/realtext.py --handed-only --encoder use, partial Qur'an F1 0.840 -> 0.849).
    In a reordered pair (``reordered``) a block's edge is where the path's order stops meaning
    anything: an edge bead must follow its neighbour with no unit skipped on either side, and a
    stretch breaks where more than STRETCH_SKIP are (quran61's first verse, placed at score 0.02
    on another block's verses: bench/realtext.py --handed-only --encoder use, partial F1 0.934
    -> 0.938, Qur'an 0.851 -> 0.866; every pair as good or better)."""
    held = [k for k, bead in enumerate(run) if any((x, y) in pairs for x in bead.a for y in bead.b)]
    strong: set[int] = set()
    if len(pairs) >= NEW_RUN_AFTER:
        stretch: list[int] = []
        for k, bead in enumerate([*run, None]):
            if bead is not None and bead.gain >= NEW_RUN_GAIN and (
                    not (reordered and stretch) or _joined(run[stretch[-1]], bead, STRETCH_SKIP)):
                stretch.append(k)
                continue
            if len(stretch) >= NEW_RUN_BEADS:
                strong.update(stretch)
            stretch = [k] if bead is not None and bead.gain >= NEW_RUN_GAIN else []
    if not held:
        return [run[k] for k in sorted(strong)]
    keep = {held[0], held[-1]}
    # an edge bead continues its block: a bead the path reached over skipped units lies across a
    # block's edge (a reordered text), where the path's order says nothing of it
    for k in range(held[0] - 1, max(-1, held[0] - EDGE - 1), -1):
        if reordered and not _joined(run[k], run[k + 1]):
            break
        keep.add(k)
    for k in range(held[-1] + 1, min(len(run), held[-1] + EDGE + 1)):
        if reordered and not _joined(run[k - 1], run[k]):
            break
        keep.add(k)
    for k0, k1 in zip(held, held[1:], strict=False):
        if k1 - k0 - 1 <= FILL:
            keep.update(range(k0, k1 + 1))
        else:
            keep.update((k0, k1))
    held_set = set(held)
    return [run[k] for k in sorted(keep | strong) if k in held_set | strong or run[k].distance < FILL_DISTANCE]


def _merge(found: dict[tuple[int, int], tuple[float, float]]) -> list[tuple[list[int], list[int], float]]:
    """Group pairs (unit pair -> score, cosine) into passages: a unit paired with adjacent units
    on the other side is one passage."""
    by_a: dict[int, list[int]] = {}
    for i, j in sorted(found):
        by_a.setdefault(i, []).append(j)
    groups: list[tuple[list[int], list[int], float]] = []
    for i, js in sorted(by_a.items()):
        run = [js[0]]
        for j in js[1:]:
            if j == run[-1] + 1:
                run.append(j)
            else:
                groups.append(([i], run, max(found[i, x][0] for x in run)))
                run = [j]
        groups.append(([i], run, max(found[i, x][0] for x in run)))
    # Adjacent A units that chose the same single B unit become one passage (two sentences as one).
    merged: list[tuple[list[int], list[int], float]] = []
    for g in groups:
        if merged and merged[-1][1] == g[1] and merged[-1][0][-1] + 1 == g[0][0] and len(g[1]) == 1:
            prev = merged[-1]
            merged[-1] = (prev[0] + g[0], prev[1], max(prev[2], g[2]))
        else:
            merged.append(g)
    return merged


Found = dict[tuple[int, int], tuple[float, float]]  # unit pair -> (score, cosine)


def _pairs(ua: list[_Unit], ub: list[_Unit], va: np.ndarray, vb: np.ndarray, cross: bool, a_lang: str,
           cal: Calibration, threshold: float, plan: list[windows.Window] | None = None) -> Found:
    """The unit pairs of two documents: whole when the pair is short, else window by window
    (:mod:`sourcetrace.align.windows`: memory linear in the length), by ``plan`` when the screen
    made one (the windows its units were screened in), else by the plan of ``va`` and ``vb``."""
    if not windows.windowed(len(ua), len(ub)):
        return _pairs_whole(ua, ub, va, vb, cross, a_lang, cal, threshold)
    if plan is None:
        plan = windows.windows_of(unit_vectors(va), unit_vectors(vb))
    found: Found = {}
    for k, w in enumerate(plan):
        note("windows", k, len(plan))  # a long pair's (sourcetrace/progress.py)
        part = _pairs_whole(ua[w.a_lo:w.a_hi], ub[w.b_lo:w.b_hi], va[w.a_lo:w.a_hi], vb[w.b_lo:w.b_hi],
                            cross, a_lang, cal, threshold)
        found.update(((w.a_lo + i, w.b_lo + j), v) for (i, j), v in part.items()
                     if w.own_lo <= w.a_lo + i < w.own_hi)
    return found


def _pairs_whole(ua: list[_Unit], ub: list[_Unit], va: np.ndarray, vb: np.ndarray, cross: bool, a_lang: str,
                 cal: Calibration, threshold: float) -> Found:
    """The unit pairs of two documents (steps 4-5 of the module docstring), every unit of one
    scored against every unit of the other."""
    sim = cosine_matrix(va, vb)
    margin = margin_scores(sim, k=4).astype(np.float32)
    score = _pair_scores(ua, ub, sim, cross, a_lang, cal, margin)
    free_a, free_b = [u.free for u in ua], [u.free for u in ub]
    pairs = chosen = _choose(score, free_a, free_b, threshold)
    # Order is evidence of a translation. Within one language, texts on one event tell it in the
    # same order without sharing sentences: a paraphrase needs its own score (PAN's web texts,
    # bench/realtext.py: gap filling there added only false paraphrases).
    anchors = ordered_anchors(score, margin, free_a, free_b, pairs, [u.numbers for u in ua],
                              [u.numbers for u in ub]) if cross else set()
    pairs = _anchored(pairs | anchors, [len(u.text.split()) < SHORT_UNIT_WORDS for u in ua],
                      [len(u.text.split()) < SHORT_UNIT_WORDS for u in ub], score)
    if pairs:
        pairs |= _standing(anchors, chosen, score, margin)
    if cross:
        pairs = _in_order(pairs, ua, ub, va, vb, score, sim, margin, cross, a_lang, threshold)
    return {(i, j): (float(score[i, j]), float(sim[i, j])) for i, j in pairs}


@dataclass
class _Wanted:
    """What an alignment in progress (:func:`_aligning`) needs: ``encoder``'s vectors of each list
    of texts, one array a list."""

    encoder: Encoder
    lists: list[list[str]]


@dataclass
class _Screening:
    """A same-language pair about to compute its units' static vectors (:func:`screen.screened`),
    its two sides' unit texts: a batch of pairs keeps them at once (:func:`align_many`)."""

    sides: tuple[list[str], list[str]]


_Step = Generator[_Wanted | _Screening, list[np.ndarray] | None, list[Passage]]


def align(a: Side, b: Side, *, encoder: Encoder | None = None, vectors: Vectors = encoded,
          threshold: float = DEFAULT_THRESHOLD) -> list[Passage]:
    """Passages between two documents, sorted by their start in `a`. ``encoder`` None: the
    default one, or the fast one for a pair over ``LARGE_PAIR`` units or a same-language pair with
    a document over ``LONG_DOCUMENT`` characters (:func:`pair_encoder`)."""
    steps = _aligning(a, b, encoder, threshold)
    try:
        step = next(steps)
        while True:
            step = steps.send([vectors(step.encoder, texts) for texts in step.lists]
                              if isinstance(step, _Wanted) else None)
    except StopIteration as done:
        return done.value


def align_many(pairs: Sequence[tuple[Side, Side]], *, encoder: Encoder, vectors: Vectors = encoded,
               threshold: float = DEFAULT_THRESHOLD) -> list[list[Passage]]:
    """:func:`align` of each pair, in order, the same passages: the pairs step together, and the
    texts they all need encoded at a step go to ``vectors`` in one call per encoder (a pair
    worker's chunk: one store read, one write and one pass of the encoder for its on-demand units,
    where each pair paid a pass's fixed costs for a dozen units), as do the static rows their
    screens read (:func:`screen.keep_rows`). A vector is the same bits in whatever batch it is
    encoded (encode/products.py's fixed-block products in USE and its static head), so
    ``encoder`` must be one that holds that (USE): the caller's, as a pair worker's is."""
    out: list[list[Passage] | None] = [None] * len(pairs)
    steps = {i: _aligning(a, b, encoder, threshold) for i, (a, b) in enumerate(pairs)}
    asked: dict[int, _Wanted | _Screening] = {}

    def advance(i: int, answer: list[np.ndarray] | None) -> None:
        try:
            asked[i] = steps[i].send(answer)
        except StopIteration as done:
            out[i] = done.value
            asked.pop(i, None)

    for i in steps:
        advance(i, None)
    while asked:
        groups = [list(side) for step in asked.values() if isinstance(step, _Screening) for side in step.sides]
        if groups:
            screen.keep_rows(groups)
        answers: dict[int, list[np.ndarray] | None] = {i: None for i in asked}
        by_encoder: dict[str, list[int]] = {}
        for i, step in asked.items():
            if isinstance(step, _Wanted):
                by_encoder.setdefault(step.encoder.name, []).append(i)
        for ids in by_encoder.values():
            wanted = [asked[i] for i in ids]
            rows = vectors(wanted[0].encoder, [t for step in wanted for texts in step.lists for t in texts])
            at = 0
            for i, step in zip(ids, wanted, strict=True):
                answers[i] = []
                for texts in step.lists:
                    answers[i].append(rows[at:at + len(texts)])
                    at += len(texts)
        for i, answer in answers.items():
            advance(i, answer)
    return out  # type: ignore[return-value]


def _aligning(a: Side, b: Side, encoder: Encoder | None, threshold: float) -> _Step:
    """:func:`align`'s steps: it yields what it needs (vectors, :class:`_Wanted`; static rows about
    to be computed, :class:`_Screening`) and is sent the vectors (a list of arrays, one a list
    of texts) or None, and returns the passages."""
    cross = _cross(a.doc, b.doc)
    passages: list[Passage] = []
    covered_a: list[Span] = []
    covered_b: list[Span] = []
    reused: list[Passage] = []
    if not cross:
        # Sentences as regions: a passage never runs across a sentence end, so each passage pairs
        # what one sentence kept of another (and a quote spread over a paragraph is several).
        regions_a, regions_b = _regions(a), _regions(b)
        note("reuse")  # a long pair's first phase (sourcetrace/progress.py)
        reused = _grown(a, b, regions_a, regions_b,
                        _runs(a, b, _sentence_passages(a, b, find_reuse(a.text, regions_a, b.text, regions_b))))
        for p in reused:
            covered_a.append((p.a_start, p.a_end))
            covered_b.append((p.b_start, p.b_end))
    ua, ub = _units(a, covered_a), _units(b, covered_b)
    if ua and ub:
        longest = max(a.doc.end - a.doc.start, b.doc.end - b.doc.start)
        enc = encoder or get_encoder(pair_encoder(cross, len(ua) + len(ub), longest))
        texts_a, texts_b = [u.text for u in ua], [u.text for u in ub]
        both: tuple[np.ndarray, np.ndarray] | None
        plan = None
        if cross or not screen.screens(enc):
            va, vb = yield _Wanted(enc, [texts_a, texts_b])
            both = va, vb
        else:  # within one language, only units that may be paraphrases pay the encoder (align/screen.py)
            free_a, free_b = [u.free for u in ua], [u.free for u in ub]
            if screen.screens_any(free_a, free_b):
                yield _Screening((texts_a, texts_b))
            found = screen.screened(texts_a, free_a, texts_b, free_b)
            both = None
            if found is not None:
                (rows,) = yield _Wanted(enc, [found.wanted])
                both = found.filled(rows)
                plan = found.plan
        cal = calibration_for(enc)
        found_pairs = _pairs(ua, ub, *both, cross, a.doc.lang, cal, threshold, plan) if both else {}
        for ia, jb, s in _merge(found_pairs):
            x0, x1 = ua[ia[0]], ua[ia[-1]]
            y0, y1 = ub[jb[0]], ub[jb[-1]]
            cos = max(found_pairs[i, j][1] for i in ia for j in jb)
            kind = semantic_kind(cross, cos, cal)
            passages.append(Passage(a.doc.id, x0.start, x1.end, b.doc.id, y0.start, y1.end, kind, s))
    if not cross:
        # A unit too short for the reuse matcher (a heading of a few words) with the very words of
        # its partner was taken word for word, and belongs to the block around it (PAN's inserted
        # blocks open with such headings: "Step1 Choose colors").
        # one walk, not `p not in same` a passage: quadratic in a book's passages (bench/huge.py)
        kept: list[Passage] = []
        same: list[Passage] = []
        for p in passages:
            (same if _same_words(a.text[p.a_start:p.a_end], b.text[p.b_start:p.b_end]) else kept).append(p)
        if same:
            passages = kept
            reused = _runs(a, b, reused + [replace(p, kind="verbatim", score=1.0) for p in same])
        if reused:  # only texts that share wording: a line printed as two is their layout
            lines = _lines_reused(a, b, reused + passages)
            if lines:
                reused = _runs(a, b, reused + lines)
    passages += reused
    passages.sort(key=lambda p: (p.a_start, p.b_start))
    return passages


def prepare(pairs: Sequence[tuple[Side, Side]], encoder: Encoder | None) -> None:
    """Before aligning a batch of pairs with ``encoder``: the static rows the screen of its
    same-language pairs reads for their documents' sentences, in one batch
    (:func:`screen.keep_rows`; every sentence is a unit of each pair its document is in). The
    same vectors, so the same answers, as without it."""
    if encoder is None or not screen.screens(encoder):
        return
    sides = {s.doc.id: s for a, b in pairs if not _cross(a.doc, b.doc) for s in (a, b)}
    screen.keep_rows([[side.text[s.start:s.end] for s in side.sentences] for side in sides.values()])


def _grown(a: Side, b: Side, regions_a: list[Span], regions_b: list[Span], passages: list[Passage]) -> list[Passage]:
    """Word-for-word passages grown over the identical words around them (a short sentence at
    the edge of a copied block: :func:`reuse.grow_exact`), then joined into blocks again."""
    if not any(p.word_for_word for p in passages):
        return passages
    spans = [((p.a_start, p.a_end), (p.b_start, p.b_end)) for p in passages]
    grown = grow_exact(a.text, regions_a, b.text, regions_b, spans, grow=[p.word_for_word for p in passages])
    if grown == spans:
        return passages
    return _runs(a, b, [replace(p, a_start=ga[0], a_end=ga[1], b_start=gb[0], b_end=gb[1])
                        for p, (ga, gb) in zip(passages, grown, strict=True)])


MIN_LINE_WORDS = 6  # reuse's fewest identical words a passage needs (find_reuse's min_tokens)
_LINE_NUMBER = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]+[\s.)\-]*")


def _lines_reused(a: Side, b: Side, covered: Sequence[Passage]) -> list[Passage]:
    """Verbatim passages between sentences that no passage of ``covered`` (reuse's and the
    alignment's) touches on either side: a sentence with the very words (normalized) of one
    sentence, or of two sentences on consecutive lines, of the other side, each such text held once
    on each side and at least ``MIN_LINE_WORDS`` words long; a number opening the line on one
    side only is a line number and left out (on both sides and different, a date or a figure a
    copy changed: no match). One edition of a diwan prints a numbered verse on a line, the other each
    half on a line of its own (bench/README.md, verse35 and editions38): reuse's regions are
    sentences and a half-verse of 4-6 words gives it no passage, and the alignment pairs a unit
    only within its window's stretch, which a reordered diwan's poems leave. Hashing whole lines
    does neither: linear in the pair's sentences, whatever their order."""
    keys_a = _line_keys(a, [(p.a_start, p.a_end) for p in covered])
    keys_b = _line_keys(b, [(p.b_start, p.b_end) for p in covered])
    found = sorted((ka[:2], kb[:2]) for key, ka in keys_a.items() if ka is not None
                   and (kb := keys_b.get(key)) is not None and (ka[2] == kb[2] or None in (ka[2], kb[2])))
    out: list[Passage] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for (a0, a1), (b0, b1) in found:
        if used_a.intersection(range(a0, a1 + 1)) or used_b.intersection(range(b0, b1 + 1)):
            continue
        used_a.update(range(a0, a1 + 1))
        used_b.update(range(b0, b1 + 1))
        sa, sb = _line_span(a, a0, a1), _line_span(b, b0, b1)
        out.append(Passage(a.doc.id, sa[0], sa[1], b.doc.id, sb[0], sb[1], "verbatim", 1.0))
    return out


def _line_span(side: Side, first: int, last: int) -> Span:
    start = side.sentences[first].start
    number = _LINE_NUMBER.match(side.text, start)
    return _trim(side.text, number.end() if number else start, side.sentences[last].end)


def _line_keys(side: Side, covered: Sequence[Span]) -> dict[tuple[str, ...], tuple[int, int, str | None] | None]:
    """The words of each sentence no span of ``covered`` touches (a number opening it left out),
    and of each two such sentences on consecutive lines (one line break and nothing else between
    them), with the sentences they span and the number; None for words held more than once (a
    refrain, a heading), which say nothing of where their partner is."""
    touching = _touching(covered)
    words: list[tuple[str, ...] | None] = []
    numbers: list[str | None] = []
    for s in side.sentences:
        number = None
        if touching(s.start, s.end):
            words.append(None)
        else:
            number = _LINE_NUMBER.match(side.text, s.start, s.end)
            words.append(tuple(w for w, _, _ in tokens(normalize(side.text[number.end() if number else s.start:s.end]))))
        numbers.append(number.group().strip() if number else None)
    keys: dict[tuple[str, ...], tuple[int, int, str | None] | None] = {}

    def add(key: tuple[str, ...], at: tuple[int, int, str | None]) -> None:
        if len(key) >= MIN_LINE_WORDS:
            keys[key] = None if key in keys else at

    for i, w in enumerate(words):
        if w is None:
            continue
        add(w, (i, i, numbers[i]))
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt is not None and numbers[i + 1] is None:
            between = side.text[side.sentences[i].end:side.sentences[i + 1].start]
            if not between.strip() and sum(ch in NEWLINES for ch in between) == 1:
                add(w + nxt, (i, i + 1, numbers[i]))
    return keys


def _same_words(x: str, y: str) -> bool:
    """Whether two texts are the same words after normalization (diacritics, case, punctuation)."""
    wx = [w for w, _, _ in tokens(normalize(x))]
    return bool(wx) and wx == [w for w, _, _ in tokens(normalize(y))]


def _sentence_passages(a: Side, b: Side, matches: Sequence[Match]) -> list[Passage]:
    """One passage per pair of sentences: the reuse matches that fall in the same two sentences
    (a quote interrupted by a changed word or an aside) are joined from first to last."""
    # each side's sentence starts listed once: listed per match, two editions of a book cost
    # matches x sentences, the square of their length
    starts_a, starts_b = [s.start for s in a.sentences], [s.start for s in b.sentences]
    groups: dict[tuple[int, int], list[Match]] = {}
    for m in matches:
        groups.setdefault((bisect_right(starts_a, m.a_start) - 1, bisect_right(starts_b, m.b_start) - 1),
                          []).append(m)
    out = []
    for ms in groups.values():
        a0, a1 = min(m.a_start for m in ms), max(m.a_end for m in ms)
        b0, b1 = min(m.b_start for m in ms), max(m.b_end for m in ms)
        if len(ms) == 1:
            kind, score = ms[0].kind, ms[0].score
        else:
            # Scored from the first match to the last, the words between them included: counting
            # the matches' own words only made two sentences of one frame with other names, dates
            # and figures ("Speaking at a press conference in <place> on <date>, <person> said that
            # ...") 0.94 alike, a block "taken word for word".
            kind = "near-verbatim"
            score = sum(m.matched for m in ms) / max(_word_count(a.text, a0, a1), _word_count(b.text, b0, b1), 1)
        if kind != "verbatim":
            # A sentence mostly kept is kept as a sentence: the reworded rest belongs to the copy.
            kind = "near-verbatim"
            a0, a1 = _widen(a, starts_a, a0, a1)
            b0, b1 = _widen(b, starts_b, b0, b1)
        out.append(Passage(a.doc.id, a0, a1, b.doc.id, b0, b1, kind, score))
    return out


def _word_count(text: str, start: int, end: int) -> int:
    """Words of text[start:end] as the reuse matcher counts them (its tokens)."""
    return len(TOKEN.findall(normalize_text(text[start:end])))


_TERMINATORS = ".!?\u2026\u061f\u06d4"
_QUOTE_CLOSERS = "\"'\u201d\u2019\u00bb)]"  # a sentence may end inside these


def _regions(side: Side) -> list[Span]:
    """Sentences as regions of reuse, joined across the line breaks of hard-wrapped text (the
    splitter cuts at every line break)."""
    return unwrapped(side.text, [(s.start, s.end) for s in side.sentences])


RUN_GAP = 80  # characters a run of reuse passages may skip on each side (a word or two the matcher missed)


def _runs(a: Side, b: Side, passages: Sequence[Passage]) -> list[Passage]:
    """Reuse passages that follow each other in both documents are one passage when what lies
    between them is the same short stretch on both sides:

    * inside one sentence, spaces and line breaks or a few words the matcher missed at a line
      break: a sentence copied from a hard-wrapped text is one span, not a passage per line;
    * across a sentence end, when both passages are taken word for word, the stretch between them
      is the same characters on both sides but for spaces and line breaks, and a paragraph ends
      there on both sides or on neither: a block of running text copied whole (PAN's inserted
      passages, bench/realtext.py; the copy wraps its lines anew) is one passage, as its truth
      is, not one per sentence.

    A report that quotes consecutive sentences one by one frames each ("وتابع:", a closing
    quotation mark, a paragraph of its own where the source runs on), so its quotes stay one
    passage per sentence (the seeds' truth, tests/test_seeds_alignment.py); words on one side
    only keep passages apart."""
    def between(text: str, end: int, start: int) -> str | None:
        if start < end or start - end > RUN_GAP:
            return None
        return _alnum(text[end:start])

    def mid_sentence(text: str, end: int, start: int) -> bool:
        return not any(ch in _TERMINATORS for ch in text[end:start])

    def marks(text: str, end: int, start: int) -> tuple[str, bool]:
        """The characters between two passages but for spaces, and whether a paragraph ends there:
        a blank line after a sentence end (a blank line inside a sentence is layout: PAN's source
        texts break "... the cost of\n\ncomponents increases cost.")."""
        stretch = text[end:start]
        first = next((k for k, ch in enumerate(stretch) if ch in NEWLINES), -1)
        if first < 0 or sum(ch in NEWLINES for ch in stretch) < 2:
            return "".join(stretch.split()), False
        k = end + first - 1
        while k > 0 and text[k].isspace():
            k -= 1
        return "".join(stretch.split()), k >= 0 and text[k] in _TERMINATORS + _QUOTE_CLOSERS

    def copied(p: Passage) -> bool:
        return p.word_for_word or (p.kind == "near-verbatim" and _one_slip(
            _letters(a.text, p.a_start, p.a_end), _letters(b.text, p.b_start, p.b_end)))

    def block(q: Passage, p: Passage) -> bool:
        (ma, pa), (mb, pb) = marks(a.text, q.a_end, p.a_start), marks(b.text, q.b_end, p.b_start)
        same = _one_slip(ma, mb) or _REPEATS.sub(r"\1", ma) == _REPEATS.sub(r"\1", mb)
        return pa == pb and same and copied(q) and copied(p)

    out: list[Passage] = []
    for p in sorted(passages, key=lambda p: (p.a_start, p.b_start)):
        q = out[-1] if out else None
        ga = between(a.text, q.a_end, p.a_start) if q else None
        gb = between(b.text, q.b_end, p.b_start) if q else None
        if (q is not None and ga is not None and gb is not None and _one_slip(ga, gb)
                and (mid_sentence(a.text, q.a_end, p.a_start) or mid_sentence(b.text, q.b_end, p.b_start)
                     or block(q, p))):
            size_q, size_p = q.a_end - q.a_start, p.a_end - p.a_start
            kind = "verbatim" if q.kind == p.kind == "verbatim" else "near-verbatim"
            score = (q.score * size_q + p.score * size_p) / max(size_q + size_p, 1)
            out[-1] = Passage(q.a, q.a_start, p.a_end, q.b, q.b_start, p.b_end, kind, score)
        else:
            out.append(p)
    return out


_REPEATS = re.compile(r"(\W)\1+")  # "!!" for "!", ",," for ",": a mark doubled in a copy
SLIP = 2  # characters a copy may have garbled at one place and still count as the same text


_NOT_ALNUM = re.compile(r"[\W_]+")  # what str.isalnum() refuses, every code point alike (tests/test_align.py)


def _alnum(text: str) -> str:
    """The letters and digits of ``text``: one regex pass, not a generator per character (a
    pair's runs of reuse read them around every passage)."""
    return _NOT_ALNUM.sub("", text)


def _letters(text: str, start: int, end: int) -> str:
    return _alnum(text[start:end].lower())


def _one_slip(x: str, y: str) -> bool:
    """Whether two stretches of text (letters and digits only) are the same but for one place
    where at most ``SLIP`` characters differ on each side: a character garbled in a copy
    ("whatCls" for "what's", "&fracl2;" for "&frac12;": PAN's texts, bench/realtext.py) does not
    part a block copied word for word. A stretch must be some words long for a slip to pass:
    "an" against "a" is a changed word, not a garbled one."""
    if x == y:
        return True
    if min(len(x), len(y)) < 6 * SLIP:
        return False
    n = min(len(x), len(y))
    p = 0
    while p < n and x[p] == y[p]:
        p += 1
    q = 0
    while q < n - p and x[-1 - q] == y[-1 - q]:
        q += 1
    return len(x) - p - q <= SLIP and len(y) - p - q <= SLIP


def _widen(side: Side, starts: Sequence[int], start: int, end: int) -> Span:
    """The whole sentence around [start, end) if the span covers most of it. ``starts``: the
    sentences' starts (sorted, the sentences apart): only the last one starting at or before
    ``start`` can hold the span, found by bisection, not by a walk over the document's sentences."""
    k = bisect_right(starts, start) - 1
    if k >= 0:
        s = side.sentences[k]
        if s.start <= start and end <= s.end and end - start >= COVERED * (s.end - s.start):
            return _trim(side.text, s.start, s.end)
    return start, end


def semantic_kind(cross: bool, cos: float, cal: Calibration) -> str:
    """The kind of a pair that shares meaning: across languages by how close the wording stayed."""
    if cross:
        return "translation" if cos >= cal.translation else "translated-paraphrase"
    return "paraphrase"

