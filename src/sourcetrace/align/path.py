"""The best path of beads through two texts: vecalign's dynamic programming, with jumps.

vecalign (Thompson & Koehn 2019) aligns a complete translation by one monotonic path of beads
(1-1, 1-2, 2-1, 2-2, ...) that maximises the similarity of the merged sentences, each cosine
normalised by how close the sentences come to the other text at random, with a length-ratio term.
A translation cut and reordered in blocks (a report, a partial translation) has no single
monotonic path; here the path may **jump** to any other place of `b` at a cost (a hidden Markov
model over `b`'s positions, as word aligners use), so a complete translation is one run of
beads and a reordered one is a few runs, each earning its jump.

Scores (:func:`best_path`), as vecalign's costs turned into gains:

* a bead of ``p`` units of `a` and ``q`` of `b` gains ``(p + q) * UNIT - p * q * d``, where the
  distance ``d = (1 - c) / (1 - bg)``: ``c`` is the cosine of the merged units (normalised sums
  of their vectors, computed from the cosine matrix without a second encoding) and ``bg`` the
  mean of both merged units' mean cosine with the other text (vecalign's normalisation: a
  sentence close to everything earns less, one scale serves encoders whose cosines spread
  differently, and ``d`` is 1 for units no nearer than chance); ``p * q`` is vecalign's price of
  a merged bead (a sum of vectors matches as well as its best part);
* less ``LENGTH_WEIGHT`` per unit of log length ratio beyond ``LENGTH_SPREAD`` (Gale & Church's
  evidence: a verse the other side cut in three is three times as long as one of its parts),
  weighed down for units under ``LENGTH_REF`` characters;
* a unit left out gains nothing; a run that steps over ``s`` units of `b` pays ``s * skip``;
  starting a run anywhere else pays ``jump`` (the first run starts free).

A bead whose units are not open (explained elsewhere) or state numbers the other side does not
(each side a number the other lacks) is not allowed. The dynamic programming runs row by row
over `a` with vector operations over `b`, so its cost is ``len(a) * len(b)`` cells, in memory
linear in ``len(b)`` (the caller keeps a pair under ``windows.MAX_CELLS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Pair = tuple[int, int]

SHAPES = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1), (2, 3), (3, 2), (1, 4), (4, 1), (1, 5), (5, 1))
UNIT = 0.65  # what placing a unit earns, against the bead's distance (vecalign's deletion penalty)
JUMP = 0.4  # what a run of beads that does not continue the last one must earn first
SKIP = 0.05  # per unit of `b` a run steps over (a sentence the other side left out) ...
SKIP_IN_ORDER = 0.3  # ... in a text whose pairs keep one order, where `b` leaves out little
LENGTH_WEIGHT = 1.0  # per unit of |log length ratio| beyond the spread of a translation's
LENGTH_SPREAD = 0.2  # 80% of verse pairs within 0.19-0.35 of their text's median (realtext)
LENGTH_REF = 100.0  # characters: a shorter unit's length ratio weighs less

_SKIP, _ORIGIN = -1, -2


@dataclass(frozen=True)
class Bead:
    a: range  # units of `a`
    b: range  # units of `b`
    gain: float
    jumped: bool  # starts a run (the first bead, or one that does not continue the last)
    distance: float = 0.0  # (1 - c) / (1 - bg): 1 for units no nearer than the other text at random


def _box(x: np.ndarray, k: int, axis: int = -1) -> np.ndarray:
    """Sums of ``k`` consecutive entries along ``axis``."""
    if k == 1:
        return x
    # Along the axis in place, not moved last and back (np.moveaxis's checks were most of the
    # cost of a pair's few short rows); a cumulative sum adds in order either way: the same sums.
    axis %= x.ndim
    head = (slice(None),) * axis
    zero = np.zeros(x.shape[:axis] + (1,) + x.shape[axis + 1:], x.dtype)
    c = np.concatenate([zero, np.cumsum(x, axis=axis)], axis=axis)
    return c[(*head, slice(k, None))] - c[(*head, slice(None, -k))]


def _merged_norms(v: np.ndarray, k: int) -> np.ndarray:
    """|sum of units x..x+k-1| for each x, from the dot products of neighbouring unit vectors."""
    n = len(v)
    if n < k:
        return np.zeros(0, np.float32)
    sq = np.full(n - k + 1, float(k), np.float64)
    for d in range(1, k):
        dots = np.einsum("ij,ij->i", v[:-d], v[d:])  # unit x with unit x+d
        # pairs (x+s, x+s+d) inside the window: s = 0..k-1-d
        sq += 2 * _box(dots.astype(np.float64), k - d)[: n - k + 1]
    return np.sqrt(np.maximum(sq, 1e-12)).astype(np.float32)


def _windows_all(ok: np.ndarray, k: int) -> np.ndarray:
    return _box(ok.astype(np.int32), k) == k if len(ok) >= k else np.zeros(0, bool)


def number_states(numbers: Sequence[frozenset[str]], vocab: dict[str, int]) -> np.ndarray:
    """Which numbers of ``vocab`` each unit states (units x vocab, 0 or 1)."""
    states = np.zeros((len(numbers), len(vocab)), np.float32)
    for x, ns in enumerate(numbers):
        for v in ns:
            states[x, vocab[v]] = 1.0
    return states


class _Gains:
    """Bead gains of one shape, row by row (a row: the beads whose `a` units start at x)."""

    def __init__(self, sim: np.ndarray, wa: np.ndarray, wb: np.ndarray, la: np.ndarray, lb: np.ndarray,
                 open_a: np.ndarray, open_b: np.ndarray, states_a: np.ndarray | None,
                 states_b: np.ndarray | None, p: int, q: int, unit: float) -> None:
        n, m = sim.shape
        self.sim, self.p, self.q, self.unit = sim, p, q, unit
        self.norm_a, self.norm_b = _merged_norms(wa, p), _merged_norms(wb, q)
        # mean cosine of each merged unit with the other text's units (its background)
        row_sum, col_sum = sim.sum(axis=1), sim.sum(axis=0)
        self.bg_a = _box(row_sum, p) / (m * np.maximum(self.norm_a, 1e-6))
        self.bg_b = _box(col_sum, q) / (n * np.maximum(self.norm_b, 1e-6))
        self.log_a = np.log(np.maximum(_box(la, p), 1.0)).astype(np.float32)
        self.log_b = np.log(np.maximum(_box(lb, q), 1.0)).astype(np.float32)
        # a short sentence's length says less (Gale & Church: the spread of a length ratio
        # shrinks with the square root of the length): its weight, per merged unit
        self.weight_a = LENGTH_WEIGHT * np.minimum(1.0, np.sqrt(np.exp(self.log_a) / LENGTH_REF)).astype(np.float32)
        self.weight_b = LENGTH_WEIGHT * np.minimum(1.0, np.sqrt(np.exp(self.log_b) / LENGTH_REF)).astype(np.float32)
        self.bg_a, self.bg_b = self.bg_a.astype(np.float32), self.bg_b.astype(np.float32)
        self.norm_a, self.norm_b = self.norm_a.astype(np.float32), self.norm_b.astype(np.float32)
        self.ok_a, self.ok_b = _windows_all(open_a, p), _windows_all(open_b, q)
        self.states_a, self.states_b = states_a, states_b  # the numbers each unit states, or None

    def distance(self, x: int, y: int) -> float:
        """The normalised distance of one bead (see :meth:`rows`)."""
        p, q = self.p, self.q
        c = float(self.sim[x:x + p, y:y + q].sum()) / (self.norm_a[x] * self.norm_b[y])
        bg = (self.bg_a[x] + self.bg_b[y]) / 2
        return (1.0 - c) / max(1.0 - bg, 1e-3)

    def rows(self, x0: int, x1: int) -> np.ndarray:
        """The gains of the beads whose `a` units start at x0..x1-1: (x1 - x0) x (m - q + 1)."""
        p, q = self.p, self.q
        box = _box(_box(self.sim[x0:x1 + p - 1], p, axis=0), q, axis=1)
        c = box / (self.norm_a[x0:x1, None] * self.norm_b[None, :])
        bg = (self.bg_a[x0:x1, None] + self.bg_b[None, :]) / 2
        # vecalign's normalisation: the distance 1 - c as a share of the units' distance to the
        # other text at random, so that one scale serves encoders whose cosines spread differently
        far = (1.0 - c) / np.maximum(1.0 - bg, np.float32(1e-3))
        misfit = np.maximum(0.0, np.abs(self.log_a[x0:x1, None] - self.log_b[None, :]) - np.float32(LENGTH_SPREAD))
        weight = np.minimum(self.weight_a[x0:x1, None], self.weight_b[None, :])
        g = np.float32((p + q) * self.unit) - np.float32(p * q) * far - weight * misfit
        g[~self.ok_a[x0:x1]] = -np.inf
        g[:, ~self.ok_b] = -np.inf
        if self.states_a is not None and self.states_b is not None:
            # each side states a number the other does not: shared < each side's count
            mine = np.minimum(_box(self.states_a[x0:x1 + p - 1], p, axis=0), 1.0)
            theirs = np.minimum(_box(self.states_b, q, axis=0), 1.0)
            shared = mine @ theirs.T
            count_a, count_b = mine.sum(axis=1)[:, None], theirs.sum(axis=1)[None, :]
            g[(shared < count_a) & (shared < count_b)] = -np.inf
        return g


BLOCK_CELLS = 1 << 13  # gains computed for this many cells of a shape at a time (memory, not speed)


def best_path(sim: np.ndarray, wa: np.ndarray, wb: np.ndarray, len_a: Sequence[float], len_b: Sequence[float],
              open_a: Sequence[bool], open_b: Sequence[bool],
              numbers_a: Sequence[frozenset[str]] | None = None,
              numbers_b: Sequence[frozenset[str]] | None = None, unit: float = UNIT,
              jump: float = JUMP, skip: float = SKIP) -> list[Bead]:
    """The beads of the best path through `a` (rows of ``sim``) and `b` (columns), in `a`'s order
    (see the module docstring). ``wa``/``wb``: the units' unit vectors (``sim = wa @ wb.T``);
    ``len_*``: their lengths on one scale; ``open_*``: units a bead may take."""
    n, m = sim.shape
    if n == 0 or m == 0:
        return []
    sim = np.asarray(sim, np.float32)
    la, lb = np.asarray(len_a, np.float64), np.asarray(len_b, np.float64)
    oa, ob = np.asarray(open_a, bool), np.asarray(open_b, bool)
    na = list(numbers_a) if numbers_a is not None else [frozenset()] * n
    nb = list(numbers_b) if numbers_b is not None else [frozenset()] * m
    shapes = [(p, q) for p, q in SHAPES if p <= n and q <= m]
    vocab = {v: t for t, v in enumerate(sorted(set().union(*na, *nb)))}
    states_a, states_b = (number_states(na, vocab), number_states(nb, vocab)) if any(na) and any(nb) else (None, None)
    gains = [_Gains(sim, wa, wb, la, lb, oa, ob, states_a, states_b, p, q, unit) for p, q in shapes]
    block = max(1, BLOCK_CELLS // m)
    blocks: dict[tuple[int, int], np.ndarray] = {}  # (shape, first row) -> gains of a block of rows

    def gains_row(s: int, x: int) -> np.ndarray:
        x0 = x - x % block
        got = blocks.get((s, x0))
        if got is None:
            for key in [key for key in blocks if key[0] == s]:
                del blocks[key]  # rows are asked in order: the block before is done
            got = blocks[(s, x0)] = gains[s].rows(x0, min(x0 + block, n - shapes[s][0] + 1))
        return got[x - x0]

    # value[i, k]: the best score with units 0..i-1 of `a` placed and the last bead ending before
    # unit k of `b` (k = 0: none yet). Every k starts free: the first run may begin anywhere.
    value = np.zeros((n + 1, m + 1), np.float32)
    shape_of = np.full((n + 1, m + 1), _ORIGIN, np.int8)  # the step into (i, k): a shape, or a skip
    jumped = np.zeros((n + 1, m + 1), bool)
    best_k = np.zeros(n + 1, np.int64)  # argmax of each row: where a jump comes from
    steps = np.arange(m + 1, dtype=np.float32) * skip

    def reach(x: int) -> tuple[np.ndarray, np.ndarray]:
        """Row x after skipping units of `b` at ``skip`` each: the best value at each k, and the k
        it comes from."""
        lifted = value[x] + steps
        best = np.maximum.accumulate(lifted)
        origin = np.maximum.accumulate(np.where(lifted >= best, np.arange(m + 1), 0))
        return best - steps, origin

    reached = {0: reach(0)[0]}
    longest = max(p for p, _ in shapes)
    # Each row's candidates in one array: line 0 unit i-1 of `a` left out (for free), line s + 1
    # a bead of shape s ending at k (-inf where it cannot); the first line of the best value at
    # each k wins, as when the shapes were tried in turn and only a better one replaced the last.
    cands = np.full((len(shapes) + 1, m + 1), -np.inf, np.float32)
    far_of = np.zeros((len(shapes) + 1, m + 1), bool)
    columns = np.arange(m + 1)
    for i in range(1, n + 1):
        cands[0] = value[i - 1]
        for s, (p, q) in enumerate(shapes):
            if p > i:
                continue
            x = i - p
            cont = reached[x][: m + 1 - q]
            far = value[x, best_k[x]] - jump
            np.add(np.maximum(cont, far), gains_row(s, x), out=cands[s + 1, q:])
            np.greater(far, cont, out=far_of[s + 1, q:])
        won = cands.argmax(axis=0)
        value[i] = cands[won, columns]
        shape_of[i] = won - 1  # line 0: _SKIP
        jumped[i] = far_of[won, columns]
        best_k[i] = int(value[i].argmax())
        reached[i] = reach(i)[0]
        reached.pop(i - longest, None)  # a bead reaches back at most as far as its longest shape
    # trace back from the best end
    beads: list[Bead] = []
    i, k = n, int(best_k[n])
    while i > 0:
        s = int(shape_of[i, k])
        if s == _SKIP:
            i -= 1
            continue
        if s == _ORIGIN:
            break
        p, q = shapes[s]
        x, y = i - p, k - q
        if jumped[i, k]:
            before, k_before = value[x, best_k[x]] - jump, int(best_k[x])
        else:
            best, origin = reach(x)
            before, k_before = best[y], int(origin[y])
        beads.append(Bead(range(x, i), range(y, k), float(value[i, k] - before), bool(jumped[i, k]),
                          gains[s].distance(x, y)))
        i, k = x, k_before
    beads.reverse()
    if beads:
        first = beads[0]
        beads[0] = Bead(first.a, first.b, first.gain, True, first.distance)
    return beads


def runs(beads: Sequence[Bead]) -> list[list[Bead]]:
    """The beads cut into runs: each starts with a jump."""
    out: list[list[Bead]] = []
    for bead in beads:
        if bead.jumped or not out:
            out.append([bead])
        else:
            out[-1].append(bead)
    return out


def bead_pairs(beads: Sequence[Bead]) -> set[Pair]:
    return {(x, y) for bead in beads for x in bead.a for y in bead.b}
