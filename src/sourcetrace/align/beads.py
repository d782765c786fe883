"""Sentence pairs a translation keeps in order: ordered runs, the gaps between their pairs, and
beads of merged neighbouring sentences (1-2, 2-1, 2-2, 1-3, 3-1).

The best-pair search of :mod:`sourcetrace.align.pair` takes a pair on its own evidence: a score
over a threshold. On real translations many true pairs score low (scripture through an encoder
trained on news: cosines of 0.25-0.6 where unrelated verses reach 0.4), yet their order gives them
away, as vecalign and Bertalign use it:

1. **Ordered runs** (:func:`ordered_anchors`): a pair that is its row's and its column's best and
   stands out of both neighbourhoods (margin) is an anchor when another anchor or chosen pair lies
   a few sentences away on the same diagonal. Mutual best pairs of two unrelated texts fall
   anywhere; two of them on one short diagonal is the mark of a translation. Once two texts
   share such runs, a mutual best pair alone (a block of a reordered text) is an anchor too,
   unless it cuts across the order of the runs around it.
2. **Gaps** (:func:`fill_gaps`): between two consecutive anchors (a step forward on both sides),
   the units in between are aligned by a monotonic DP over beads of up to three units a side
   (SHAPES), each scored by the cosine of the merged units' vectors against the pair's background
   level (the median of all its cosines): a sentence between two aligned neighbours, with a
   partner between theirs, is taken unless its cosine falls to the background or it has a strong
   partner elsewhere (a reordered report). The documents' edges count as pairs next to a run of
   three. Gaps are bounded (MAX_GAP), so the cost stays linear in the length.
   Then the gaps with units on one side only, or one unit on the other (:func:`_attach`), in
   a text in order: each unit joins the bead before, the lone unit's or the bead after, where
   it brings the bead's length closer to its partner's (a long verse the other side cut into
   several sentences). A gap holding as many units on both sides may run to MAX_EVEN_GAP.
3. **Diagonals** (:func:`grow_diagonal`): in a text whose pairs keep one order and already
   cover GROW_AFTER of the shorter side, the next pair on a pair's diagonal joins at margin
   GROW_MARGIN; in a reordered one (given the cosines: the caller does it after the path), only
   when its two units are each other's best partner among the units nobody holds (a block's edge).
4. **Beads at anchors** (:func:`extend`): a unit next to an aligned one, itself unaligned, joins
   its neighbour's partner when the two together match that partner better than its neighbour
   alone (a verse the splitter cut in two on one side only); in a reordered text only when it
   also brings the bead's length nearer its partner's.

Merged units are the normalised sum of their vectors: no second encoding is needed, and the sum
tracks the encoding of the joined text closely for sentence encoders averaged over tokens.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import combinations_with_replacement

import numpy as np

Pair = tuple[int, int]

RUN_MARGIN = 1.1  # an anchor's cosine over the mean of both its neighbourhoods' best
# An anchor's calibrated pair score, however low, must not be nil: between an Arabic chapter and an
# unrelated English web text (bench/realtext.py), mutual best pairs of cosine 0.15-0.27 stood out of
# a background of 0.05 and made runs; true anchors of the weakest pairs (scripture, USE) score 0.01+.
MIN_ANCHOR_SCORE = 0.003
# A mutual best pair alone in its neighbourhood (a block of a reordered partial translation)
# counts once the two texts share a run, unless it cuts across the order of one.
LONE_AFTER = 3  # pairs the two texts must already share (chosen or in runs) before lone anchors count
RUN_REACH = 3  # how far (units) another anchor may lie on the diagonal to confirm a run
ONE_SIDED = 4  # units a gap with none on the other side may hold (a long verse cut into five sentences)
MAX_GAP = 12  # units on either side of a gap: a longer one is no evidence of order
MAX_EVEN_GAP = 30  # ... unless both sides hold as many units, give or take one
BACKGROUND = 0.5  # quantile of a pair's cosines that counts as unrelated
MERGE_COST = 0.15  # a merged bead pays this (cosine units) per unit beyond one on each side
LENGTH_WEIGHT = 0.1  # cosine units per unit of log-length ratio beyond the usual spread
LENGTH_SPREAD = 0.5  # log-length ratio a translation's sentence pair may differ by at no cost


def unit_vectors(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def ordered_anchors(score: np.ndarray, margin: np.ndarray, free_a: Sequence[bool], free_b: Sequence[bool],
                    pairs: set[Pair], numbers_a: Sequence[frozenset[str]] | None = None,
                    numbers_b: Sequence[frozenset[str]] | None = None) -> set[Pair]:
    """Anchors of two kinds, pairs with a free unit (not already in ``pairs``) and a score of at
    least MIN_ANCHOR_SCORE, whose two units do not each state a number the other does not:

    * mutual best pairs (by ``score``) with a margin of at least RUN_MARGIN that sit in an
      ordered run: another such pair or a chosen one within RUN_REACH units on a near diagonal
      (both sides step the same way, by amounts that differ by at most one);
    * mutual best pairs of the least margin of a cell and its two diagonal neighbours (a run of
      three in one cell) when that is at least RUN_MARGIN: three sentences translated in order
      stand out together where none is its row's and its column's best by score (a block of a
      reordered partial translation; Tatoeba's partial documents, sentence-pair R 0.76 -> 0.82);
    * once the two texts share LONE_AFTER pairs (chosen or anchors of the kinds above), any such
      mutual best pair, alone on its diagonal, that does not cut across an ordered step of them
      (:func:`_not_crossing`): a block of a reordered partial translation often has one pair
      that stands out and neighbours that do not (bench/realtext.py --small, USE, handed:
      partial sentence-pair F1 Bible 0.606 -> 0.733, Qur'an 0.463 -> 0.653; complete Qur'an
      R 0.829 -> 0.861; without the crossing check complete Bible R fell 0.864 -> 0.80)."""
    n, m = score.shape
    if n == 0 or m == 0:
        return set()
    row_best, col_best = score.argmax(axis=1), score.argmax(axis=0)
    mutual = {(i, int(j)) for i, j in enumerate(row_best)
              if col_best[j] == i and margin[i, j] >= RUN_MARGIN and score[i, j] >= MIN_ANCHOR_SCORE and (free_a[i] or free_b[j])}
    # the least margin of a cell and its two diagonal neighbours (a cell at an edge has none)
    diagonal = np.full(margin.shape, -np.inf, dtype=np.float32)
    if n > 2 and m > 2:
        diagonal[1:-1, 1:-1] = np.minimum(np.minimum(margin[:-2, :-2], margin[1:-1, 1:-1]), margin[2:, 2:])
    row_best, col_best = diagonal.argmax(axis=1), diagonal.argmax(axis=0)
    runs = {(i, int(j)) for i, j in enumerate(row_best)
            if col_best[j] == i and diagonal[i, j] >= RUN_MARGIN and score[i, j] >= MIN_ANCHOR_SCORE and (free_a[i] or free_b[j])}
    found = (runs - pairs) | _runs_of(mutual, pairs)
    if len(found | pairs) >= LONE_AFTER:
        found |= _not_crossing(mutual - pairs, found | pairs)
    if numbers_a is None or numbers_b is None:
        return found
    return {(i, j) for i, j in found if not (numbers_a[i] - numbers_b[j] and numbers_b[j] - numbers_a[i])}


def _runs_of(mutual: set[Pair], pairs: set[Pair]) -> set[Pair]:
    """The pairs of ``mutual`` (not in ``pairs``) with another pair of either set a step away on
    the diagonal."""
    known = sorted(mutual | pairs)
    keys = [i for i, _ in known]
    out: set[Pair] = set()
    for i, j in mutual - pairs:
        lo, hi = bisect_right(keys, i - RUN_REACH - 1), bisect_right(keys, i + RUN_REACH)
        for k, q in known[lo:hi]:
            di, dj = k - i, q - j
            if di * dj > 0 and abs(di - dj) <= 1 and abs(dj) <= RUN_REACH:
                out.add((i, j))
                break
    return out


def _not_crossing(lone: set[Pair], known: set[Pair]) -> set[Pair]:
    """The pairs of ``lone`` that do not cut across an ordered step of ``known``: a pair whose
    nearest known pairs before and after it in `a` step forward in `b` by at most MAX_GAP (the
    order of a translated stretch) must fall between their partners."""
    by_row: dict[int, list[int]] = {}
    for i, j in known:
        by_row.setdefault(i, []).append(j)
    rows = sorted(by_row)
    out = set()
    for i, j in lone:
        k = bisect_right(rows, i)
        if 0 < k < len(rows) and rows[k - 1] != i:
            i0, i1 = rows[k - 1], rows[k]
            j0, j1 = max(by_row[i0]), min(by_row[i1])
            if j0 < j1 and i1 - i0 <= MAX_GAP and j1 - j0 <= MAX_GAP and not j0 < j < j1:
                continue
        out.add((i, j))
    return out


ORDER_KEPT = 0.8  # share of a pair's pairs on one forward chain for it to count as in order
GROW_AFTER = 0.3  # share of the shorter side's units the ordered chain must hold before growing
GROW_MARGIN = 0.5  # the margin of the next pair on a diagonal, to grow it in a text in order
MAX_BEAD = 3  # units on one side of a bead
# A reordered text's neighbour may cost this much cosine per unit of log-length ratio it brings nearer
# (:func:`extend`, after the path) ...
EXTEND_FIT_WEIGHT = 0.15
EXTEND_NEAREST = 2  # ... and joins only when its partner is among its this many nearest units on the other side
SHAPES = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1))  # units on each side of a bead


def _merged(v: np.ndarray, k: int) -> np.ndarray:
    """Row x: units x..x+k-1 of ``v`` merged (normalised sum of their vectors)."""
    if k == 1:
        return v
    if len(v) < k:
        return np.zeros((0, v.shape[1]), np.float32)
    return unit_vectors(sum(v[x:len(v) - k + 1 + x] for x in range(k)))


def _summed(x: np.ndarray, k: int) -> np.ndarray:
    return x if k == 1 else sum(x[t:len(x) - k + 1 + t] for t in range(k)) if len(x) >= k else x[:0]


def _bead_lengths(la: np.ndarray, lb: np.ndarray, p: int, q: int) -> np.ndarray:
    """|log length ratio| beyond LENGTH_SPREAD of each bead of shape (p, q)."""
    sa, sb = _summed(la, p), _summed(lb, q)
    gap = np.abs(np.log(np.maximum(sa, 1.0))[:, None] - np.log(np.maximum(sb, 1.0))[None, :])
    return np.maximum(0.0, gap - LENGTH_SPREAD)


def _disagree(na: Sequence[frozenset[str]], nb: Sequence[frozenset[str]], p: int, q: int) -> np.ndarray:
    """For each bead of shape (p, q): each side states a number the other does not (a translation
    keeps its numbers; a sentence of the same frame about another event changes them)."""
    ua = [frozenset().union(*na[x:x + p]) for x in range(len(na) - p + 1)]
    ub = [frozenset().union(*nb[y:y + q]) for y in range(len(nb) - q + 1)]
    return np.array([[bool(x - y and y - x) for y in ub] for x in ua], dtype=bool).reshape(len(ua), len(ub))


def _gap_beads(va: np.ndarray, vb: np.ndarray, la: np.ndarray, lb: np.ndarray, open_a: np.ndarray,
               open_b: np.ndarray, level: float, na: Sequence[frozenset[str]],
               nb: Sequence[frozenset[str]]) -> list[Pair]:
    """The best monotonic beads over one gap (DP); returns the unit pairs (gap indices) they make.

    A bead's gain is (cosine - level) per unit it covers, less the length and merge costs; a unit
    not ``open`` (it has a strong partner elsewhere) can only be skipped, and a bead whose two
    sides state different numbers (``na``, ``nb``: the numbers of each unit) is no bead."""
    n, m = len(va), len(vb)
    gains = {}
    for p, q in SHAPES:
        c = _merged(va, p) @ _merged(vb, q).T
        g = (c - level) * (p + q) / 2 - LENGTH_WEIGHT * _bead_lengths(la, lb, p, q) - MERGE_COST * (p + q - 2)
        ok_a = np.array([open_a[x:x + p].all() for x in range(n - p + 1)], dtype=bool)
        ok_b = np.array([open_b[y:y + q].all() for y in range(m - q + 1)], dtype=bool)
        ok = ok_a[:, None] & ok_b[None, :] & ~_disagree(na, nb, p, q) if g.size else ok_a[:, None]
        gains[(p, q)] = np.where(ok, g, -np.inf) if g.size else g
    dp = np.zeros((n + 1, m + 1))
    back: dict[Pair, Pair | None] = {}
    for a in range(n + 1):
        for b in range(m + 1):
            if a == 0 and b == 0:
                continue
            best, step = -np.inf, None
            if a > 0 and dp[a - 1, b] > best:
                best, step = dp[a - 1, b], None
            if b > 0 and dp[a, b - 1] > best:
                best, step = dp[a, b - 1], (0, 0)
            for (p, q), g in gains.items():
                if a >= p and b >= q:
                    v = dp[a - p, b - q] + g[a - p, b - q]
                    if v > best:
                        best, step = v, (p, q)
            dp[a, b] = best
            back[(a, b)] = step
    out: list[Pair] = []
    a, b = n, m
    while a > 0 or b > 0:
        step = back[(a, b)]
        if step is None:
            a -= 1
        elif step == (0, 0):
            b -= 1
        else:
            p, q = step
            out.extend((x, y) for x in range(a - p, a) for y in range(b - q, b))
            a, b = a - p, b - q
    return out


def _attach(units: range, mine: np.ndarray, theirs: np.ndarray, partners: Sequence[int], open_mine: np.ndarray,
            open_theirs: np.ndarray, num_mine: Sequence[frozenset[str]], num_theirs: Sequence[frozenset[str]],
            level: float, len_mine: np.ndarray, len_theirs: np.ndarray, bead_len: dict[int, float]) -> list[Pair]:
    """Units of one side in a gap whose other side holds at most one unit: each belongs to the bead
    before, to the lone unit's, or to the bead after (``partners``: those units of the other side
    in order; -1 or the length for a document edge): a verse the other side cut into several
    sentences. The cut points are those that give the units the most cosine over ``level`` (the
    pair's background) with their partner, among those that bring each bead's length closer to
    its partner's (a bead that already fits takes nothing: at a block edge of a reordered text
    the next sentence is another verse's); a unit at or under the background, not open (strong
    elsewhere or aligned) or stating a number its partner does not is left out, and the lone
    unit takes part only when it is open. ``bead_len``: the length of my units already paired
    with each of their units. Returns (my unit, their unit) pairs."""
    ys = list(units)

    def gains(t: int, lone: bool) -> np.ndarray:
        if not 0 <= t < len(theirs) or (lone and not open_theirs[t]):
            return np.full(len(ys), -np.inf)
        g = mine[ys] @ theirs[t] - level
        bad = [not open_mine[y] or bool(num_mine[y] - num_theirs[t]) for y in ys]
        return np.where(bad, -np.inf, g)

    def fits(t: int, taken: list[int]) -> bool:
        if not taken:
            return True
        was = bead_len.get(t, 0.0)
        now = was + float(len_mine[taken].sum())
        misfit = abs(np.log(max(now, 1.0) / max(len_theirs[t], 1.0)))
        return misfit < abs(np.log(max(was, 1.0) / max(len_theirs[t], 1.0)))

    g = [gains(t, 0 < k < len(partners) - 1) for k, t in enumerate(partners)]
    best, picks = 0.0, []
    for cuts in combinations_with_replacement(range(len(ys) + 1), len(partners) - 1):
        bounds = (0, *cuts, len(ys))
        taken = [[y for y, v in zip(ys[lo:hi], g[k][lo:hi], strict=True) if v > 0]
                 for k, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False))]
        total = sum(float(g[k][lo:hi][g[k][lo:hi] > 0].sum()) for k, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False)))
        if total > best and all(fits(t, ts) for t, ts in zip(partners, taken, strict=True)):
            best, picks = total, [(y, t) for t, ts in zip(partners, taken, strict=True) for y in ts]
    return picks


def _ordered_gaps(pairs: set[Pair], n_a: int, n_b: int) -> list[tuple[int, int, int, int]]:
    """The gaps (i0, i1, j0, j1: the units strictly between are the gap's) between consecutive
    ordered pairs: the next pair in `a`'s order, when it also lies ahead in `b`'s, not too far
    (MAX_GAP) and not too lopsided; a pair that goes back (the next block of a reordered text)
    opens no gap. The documents' edges (-1, and n_a / n_b) count as pairs next to a run."""
    ends: dict[int, tuple[int, int]] = {}  # a unit -> the first and last b unit it is paired with
    for i, j in pairs:
        lo, hi = ends.get(i, (j, j))
        ends[i] = (min(lo, j), max(hi, j))
    rows = sorted(ends)

    def gap(i0: int, i1: int) -> tuple[int, int, int, int] | None:
        j0, j1 = ends[i0][1], ends[i1][0]
        n, m = i1 - i0 - 1, j1 - j0 - 1
        if n < 0 or m < 0 or max(n, m) > (MAX_GAP if abs(n - m) > 1 else MAX_EVEN_GAP) \
                or max(n, m) > 2 * min(n, m) + (ONE_SIDED if min(n, m) == 0 else 2):
            return None  # a step back (another block of a reordered text), or too far to tell
        return i0, i1, j0, j1

    gaps = [g for i0, i1 in zip(rows, rows[1:], strict=False) if (g := gap(i0, i1))]
    # The documents' edges count as ordered pairs next to a run (three pairs in order): a
    # translation starts and ends with its original; a pair or two prove no order.
    ends[-1], ends[n_a] = (-1, -1), (n_b, n_b)
    if len(rows) > 2 and gap(rows[0], rows[1]) and gap(rows[1], rows[2]) and (g := gap(-1, rows[0])):
        gaps.append(g)
    if len(rows) > 2 and gap(rows[-3], rows[-2]) and gap(rows[-2], rows[-1]) and (g := gap(rows[-1], n_a)):
        gaps.append(g)
    return gaps


RIVALS = 2  # nearer partners each unit of a gap's pair may have elsewhere, in a reordered text


def _unrivalled(pairs: Sequence[Pair], sim: np.ndarray) -> list[Pair]:
    """The pairs but those whose two units each have RIVALS partners nearer than each other
    (``sim``: the units' cosines; a pair between two ordered pairs of a reordered text, whose
    units both belong elsewhere: bench/realtext.py --handed-only --encoder use, partial Qur'an
    F1 0.791 -> 0.812)."""
    if not pairs:
        return []
    i, j = np.array(pairs).T
    c = sim[i, j]
    rivals_a, rivals_b = (sim[i] > c[:, None]).sum(axis=1), (sim[:, j] > c[None, :]).sum(axis=0)
    return [p for p, ra, rb in zip(pairs, rivals_a, rivals_b, strict=True) if ra < RIVALS or rb < RIVALS]


def fill_gaps(pairs: set[Pair], va: np.ndarray, vb: np.ndarray, len_a: Sequence[int], len_b: Sequence[int],
              strong_elsewhere_a: Sequence[bool], strong_elsewhere_b: Sequence[bool], level: float,
              numbers_a: Sequence[frozenset[str]] | None = None,
              numbers_b: Sequence[frozenset[str]] | None = None, sim: np.ndarray | None = None) -> set[Pair]:
    """``pairs`` plus the beads found in the gaps between consecutive ordered pairs
    (:func:`_ordered_gaps`): first the gaps with units on both sides (:func:`_gap_beads`), then,
    over the pairs so found, the gaps with units on one side only (:func:`_attach`).

    ``va``/``vb``: unit vectors of the units; ``level``: the pair's background cosine;
    ``numbers_a``/``numbers_b``: the numbers each unit states (a pair of units that state
    different numbers contradicts the order); ``sim``: ``va @ vb.T`` if the caller has it."""
    if not pairs:
        return set(pairs)
    la, lb = np.asarray(len_a, dtype=np.float64), np.asarray(len_b, dtype=np.float64)
    na = list(numbers_a) if numbers_a is not None else [frozenset()] * len(va)
    nb = list(numbers_b) if numbers_b is not None else [frozenset()] * len(vb)

    def opened(strong: Sequence[bool], aligned: set[int]) -> np.ndarray:
        return np.array([not s and i not in aligned for i, s in enumerate(strong)], dtype=bool)

    open_a = opened(strong_elsewhere_a, {i for i, _ in pairs})
    open_b = opened(strong_elsewhere_b, {j for _, j in pairs})
    out = set(pairs)
    filled: list[Pair] = []
    for i0, i1, j0, j1 in _ordered_gaps(pairs, len(va), len(vb)):
        if i1 - i0 < 2 or j1 - j0 < 2:
            continue
        filled += [(i0 + 1 + x, j0 + 1 + y) for x, y in _gap_beads(
            va[i0 + 1:i1], vb[j0 + 1:j1], la[i0 + 1:i1], lb[j0 + 1:j1], open_a[i0 + 1:i1], open_b[j0 + 1:j1],
            level, na[i0 + 1:i1], nb[j0 + 1:j1])]
    # In a reordered text two ordered pairs may hold between them a block that came from elsewhere.
    out.update(_unrivalled(filled, va @ vb.T if sim is None else sim) if in_order_share(pairs) < ORDER_KEPT
               else filled)
    # Units of one side where the other holds one unit or none, in a text in order: they belong to
    # its bead or to a neighbour's (a verse the other side cut into several sentences).
    open_a = opened(strong_elsewhere_a, {i for i, _ in out})
    open_b = opened(strong_elsewhere_b, {j for _, j in out})
    bead_a: dict[int, float] = {}  # a unit of b -> the length of the a units paired with it
    bead_b: dict[int, float] = {}
    for i, j in out:
        bead_a[j] = bead_a.get(j, 0.0) + float(la[i])
        bead_b[i] = bead_b.get(i, 0.0) + float(lb[j])
    if in_order_share(out) < ORDER_KEPT:
        # In a reordered text the units between two blocks are often verses the other side left
        # out (bench/realtext.py, partial Bible: P 0.915 without this, 0.958 with it).
        return out
    added: set[Pair] = set()
    for i0, i1, j0, j1 in _ordered_gaps(out, len(va), len(vb)):
        if i1 - i0 <= 2 and j1 - j0 >= 2 and j1 - j0 > i1 - i0:
            added.update((t, y) for y, t in _attach(range(j0 + 1, j1), vb, va, range(i0, i1 + 1), open_b, open_a,
                                                    nb, na, level, lb, la, bead_b))
        elif j1 - j0 <= 2 and i1 - i0 >= 2 and i1 - i0 > j1 - j0:
            added.update(_attach(range(i0 + 1, i1), va, vb, range(j0, j1 + 1), open_a, open_b, na, nb, level,
                                 la, lb, bead_a))
    return out | added


def _chain(pairs: set[Pair]) -> int:
    """The number of ``pairs`` on their longest chain that never goes back on either side (the
    pairs of a bead share a unit: all of them are on the chain)."""
    tails: list[int] = []  # patience sorting over b, in a's order
    for _, j in sorted(pairs):
        k = bisect_right(tails, j)
        if k == len(tails):
            tails.append(j)
        else:
            tails[k] = j
    return len(tails)


def in_order_share(pairs: set[Pair]) -> float:
    """The share of ``pairs`` on their longest chain that never goes back on either side: near 1 for
    a translation in order, about one over the number of blocks for a reordered one."""
    return _chain(pairs) / len(pairs) if pairs else 0.0


def grow_diagonal(pairs: set[Pair], margin: np.ndarray, open_a: Sequence[bool], open_b: Sequence[bool],
                  numbers_a: Sequence[frozenset[str]] | None = None,
                  numbers_b: Sequence[frozenset[str]] | None = None, sim: np.ndarray | None = None) -> set[Pair]:
    """``pairs`` grown along their diagonals, when the pairs keep one order (ORDER_KEPT of them on
    one forward chain, :func:`in_order_share`) and that chain already holds GROW_AFTER of the
    shorter side's units (three pairs in order between two statements of one coalition, issued a
    year apart, grew into 14 through their shared formulae: the seeds' 002a and 001): the next pair on a pair's diagonal, both of its
    units unaligned and open, joins when its margin is at least GROW_MARGIN and it states no
    number the other does not. In a reordered text the next pair on a diagonal is as often the
    next block's as its own (bench/realtext.py: half of them false), so it grows there only given
    ``sim`` (the units' cosines) and only where each of its two units is the other's best partner
    among the units nobody holds: a block's first or last sentence, one found neighbour beside it
    and no better free partner. Measured at the block edges of bench/realtext.py's partials
    (--handed-only --encoder use, Qur'an, Bible, Tatoeba, TICO; after the path): pairs whose
    units are free and each other's best free partner 2, both true; one unit's best 14, 5 true;
    either unit's best overall, a unit held by a lone pair displaced, 33, 12 true. Partial F1
    Bible 0.923 -> 0.927, the others unchanged (full run: Bible 0.928 -> 0.932, all partials
    0.892 -> 0.893, no other figure moved; bench/trace.py --docs 10000 unchanged); grown before
    the path, partial P fell (Bible 0.967 -> 0.959)."""
    n, m = margin.shape
    in_order = in_order_share(pairs) >= ORDER_KEPT
    if (in_order and _chain(pairs) < GROW_AFTER * min(n, m)) or (not in_order and sim is None):
        return set(pairs)
    na = list(numbers_a) if numbers_a is not None else [frozenset()] * n
    nb = list(numbers_b) if numbers_b is not None else [frozenset()] * m
    out = set(pairs)
    used_a, used_b = {i for i, _ in out}, {j for _, j in out}

    def evidence(x: int, y: int) -> bool:
        if in_order:
            return bool(margin[x, y] >= GROW_MARGIN)
        # at a block's edge: each unit's best partner among the units nobody holds is the other
        held_a, held_b = np.zeros(n, bool), np.zeros(m, bool)
        held_a[list(used_a)], held_b[list(used_b)] = True, True
        return (int(np.where(held_b, -np.inf, sim[x]).argmax()) == y
                and int(np.where(held_a, -np.inf, sim[:, y]).argmax()) == x)

    todo = sorted(out)
    while todo:
        i, j = todo.pop()
        for d in (-1, 1):
            x, y = i + d, j + d
            if (0 <= x < n and 0 <= y < m and x not in used_a and y not in used_b and open_a[x] and open_b[y]
                    and not (na[x] - nb[y] and nb[y] - na[x]) and evidence(x, y)):
                out.add((x, y))
                used_a.add(x)
                used_b.add(y)
                todo.append((x, y))
    return out


def extend(pairs: set[Pair], va: np.ndarray, vb: np.ndarray, len_a: Sequence[int], len_b: Sequence[int],
           strong_elsewhere_a: Sequence[bool], strong_elsewhere_b: Sequence[bool],
           numbers_a: Sequence[frozenset[str]] | None = None,
           numbers_b: Sequence[frozenset[str]] | None = None, fit_weight: float = 0.0) -> set[Pair]:
    """``pairs`` plus beads grown at aligned units, up to MAX_BEAD units a side: an unaligned
    neighbour joins a unit's (or a group's) single partner when the merged units match that
    partner at least as well as without it, their length fits it no worse (or, in a text in
    order, within LENGTH_SPREAD), and it states no number the partner does not. In a reordered
    text (pairs not ORDER_KEPT on one chain) the neighbour must bring the length nearer: next to
    a block's edge lies as often a sentence the other side dropped, of the same topic, as the
    rest of a cut one (bench/realtext.py --handed-only, partial F1: trace's default encoder
    Bible 0.891 -> 0.911, Qur'an 0.750 -> 0.792; USE Bible 0.912 -> 0.918, Qur'an 0.824 -> 0.837).
    ``fit_weight`` (a reordered text, after the path): a neighbour joins only if its partner is
    among its :data:`EXTEND_NEAREST` nearest units on the other side, and may then lower the
    cosine by ``fit_weight`` per unit of log-length ratio it brings nearer: USE gives a verse cut
    into three English sentences a lower cosine with its whole Arabic verse than its first
    sentence alone (quran61: 0.611 -> 0.587, the length ratio 0.46 -> 0.17; bench/README.md scripture40)."""
    out = set(pairs)
    na = list(numbers_a) if numbers_a is not None else [frozenset()] * len(va)
    nb = list(numbers_b) if numbers_b is not None else [frozenset()] * len(vb)
    spread = 0.0 if in_order_share(out) < ORDER_KEPT else LENGTH_SPREAD
    for side in (0, 1):
        mine, theirs = (va, vb) if side == 0 else (vb, va)
        num_mine, num_theirs = (na, nb) if side == 0 else (nb, na)
        lm, lt = (len_a, len_b) if side == 0 else (len_b, len_a)
        strong = strong_elsewhere_a if side == 0 else strong_elsewhere_b
        partners: dict[int, set[int]] = {}
        for p in out:
            partners.setdefault(p[side], set()).add(p[1 - side])
        groups: dict[int, list[int]] = {}  # their unit -> my units paired with it alone
        for i, js in partners.items():
            if len(js) == 1:
                groups.setdefault(next(iter(js)), []).append(i)
        for j, units in sorted(groups.items()):
            units.sort()
            if units[-1] - units[0] + 1 != len(units):
                continue  # not one run of units
            while len(units) < MAX_BEAD:
                length = sum(lm[u] for u in units)
                fit_alone = abs(np.log(max(length, 1) / max(lt[j], 1)))
                # the neighbours free to join, stating no number the partner does not, whose
                # length fits no worse (checked first: they are few, the cosines cost more)
                ks = [k for k in (units[0] - 1, units[-1] + 1)
                      if 0 <= k < len(mine) and k not in partners and not strong[k]
                      and not (num_mine[k] - num_theirs[j] and num_theirs[j] - num_mine[k])
                      and abs(np.log(max(length + lm[k], 1) / max(lt[j], 1))) <= max(fit_alone, spread)]
                if not ks:
                    break
                best = None
                merged = mine[units].sum(axis=0)
                alone = float(merged @ theirs[j]) / max(float(np.linalg.norm(merged)), 1e-12)
                for k in ks:
                    with_k = merged + mine[k]
                    both = float(with_k @ theirs[j]) / max(float(np.linalg.norm(with_k)), 1e-12)
                    # in a reordered text the length it brings nearer pays for a little cosine
                    slack = 0.0
                    if fit_weight and not spread:
                        # the rest of a cut verse speaks of what its partner says: the partner is
                        # among its EXTEND_NEAREST nearest units on the other side
                        near = theirs @ mine[k]
                        if int(np.count_nonzero(near > near[j])) >= EXTEND_NEAREST:
                            continue
                        slack = fit_weight * (fit_alone - abs(np.log(max(length + lm[k], 1) / max(lt[j], 1))))
                    if both >= alone - slack and (best is None or both > best[0]):
                        best = (both, k)
                if best is None:
                    break
                k = best[1]
                out.add((k, j) if side == 0 else (j, k))
                partners[k] = {j}
                units = sorted([*units, k])
    return out
