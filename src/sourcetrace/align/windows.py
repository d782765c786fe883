"""Windows inside a long pair: aligning two books in memory linear in their length.

Scoring every unit of one document against every unit of the other costs n x m cells (two files
of 10,000 lines: 10^8 cells a matrix, several matrices, 3.9 GB). Above ``MAX_CELLS`` a pair is
aligned window by window instead:

1. **Where each unit points**: the best partner, by cosine, of every unit of `a`, or of every k-th
   when `a` has more than ``PROBES`` units (:func:`probes`, :func:`best_columns`, in blocks of rows
   so no block holds more than ``MAX_CELLS`` cells). Every unit against every unit is n x m
   products, the square of the pair's length; at most ``PROBES`` rows of `a` against `b` is linear
   in it, and a window still reads ``PROBES`` x WINDOW / n of its units' partners (at n = 20,000
   units, 160 of its 800: where most of them point stays where most of its units point). When `b`
   is no longer than a window's stretch, every window reads all of it and nothing is computed.
2. **Windows**: `a` is cut into windows of ``WINDOW`` units (each widened by ``OVERLAP`` units on
   both sides, so a pair at a cut still has its neighbours); each window is paired with the stretch
   of `b`, ``WIDTH`` x ``WINDOW`` units wide, where most of its probed units point (:func:`plan`). A
   translation or an edition runs along the diagonal and its stretch is where it goes; a report
   that reorders a long source is aligned where most of each window's text comes from.
3. Each window pair is aligned as a short pair is; a window keeps the pairs of its own units
   (not those of its overlap, which the neighbouring window owns).

Every matrix then has at most (WINDOW + 2 OVERLAP) x WIDTH WINDOW cells, whatever the length, and
the number of windows grows with the length: memory is linear in it, and so is time
(:func:`windows_of` gives the plan of two sides' unit vectors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sourcetrace.progress import note

MAX_CELLS = 4_000_000  # a pair up to about 2,000 x 2,000 units is aligned whole
WINDOW = 800  # units of `a` a window owns
OVERLAP = 100  # units it also reads on each side
WIDTH = 3  # its stretch of `b`, in windows
PROBES = 4096  # at most this many units of `a` look for their best partner in all of `b` (see 1.)


def windowed(n: int, m: int) -> bool:
    """Whether a pair of ``n`` and ``m`` units is aligned window by window (over ``MAX_CELLS``
    cells), not whole: one rule for the screen (screen.py, which plans such a pair's windows) and
    the alignment (pair.py, which aligns in them)."""
    return n * m > MAX_CELLS


@dataclass(frozen=True)
class Window:
    a_lo: int  # units of `a` read: a_lo..a_hi-1
    a_hi: int
    own_lo: int  # units of `a` whose pairs this window keeps
    own_hi: int
    b_lo: int  # units of `b` read
    b_hi: int

    @property
    def cells(self) -> int:
        return (self.a_hi - self.a_lo) * (self.b_hi - self.b_lo)


def best_columns(va: np.ndarray, vb: np.ndarray, max_cells: int | None = None) -> np.ndarray:
    """For each row of ``va`` (unit vectors), the row of ``vb`` with the highest cosine, computed
    in blocks of at most ``max_cells`` cells (default MAX_CELLS)."""
    n, m = len(va), len(vb)
    rows = max(1, (max_cells or MAX_CELLS) // max(m, 1))
    out = np.empty(n, dtype=np.int64)
    for lo in range(0, n, rows):
        note("plan", lo, n)  # a long pair's, as each block begins (sourcetrace/progress.py)
        out[lo:lo + rows] = (va[lo:lo + rows] @ vb.T).argmax(axis=1)
    note("plan", n, n)
    return out


def probes(n: int, most: int | None = None) -> np.ndarray:
    """The units of `a` (of ``n``) whose best partner a plan reads: every one up to ``most`` units
    (default PROBES), else every k-th, k the least that keeps them at ``most`` or fewer."""
    most = most or PROBES
    return np.arange(0, n, -(-n // most) if n > most else 1)


def plan(best: np.ndarray, m: int, window: int | None = None, overlap: int | None = None,
         width: int | None = None) -> list[Window]:
    """Windows over `a` (n = len(best) units) and the stretch of `b` (m units) each is paired with:
    the ``width * window`` units of `b` holding the most of the window's units' best partners
    (defaults: WINDOW, OVERLAP, WIDTH)."""
    return _planned(best, np.arange(len(best)), len(best), m, window, overlap, width)


def windows_of(wa: np.ndarray, wb: np.ndarray, window: int | None = None, overlap: int | None = None,
               width: int | None = None) -> list[Window]:
    """The plan (:func:`plan`) of two sides' unit vectors (rows of norm 1): the probed units'
    best partners, or none when `b` is no longer than a window's stretch (each window reads it all)."""
    n, m = len(wa), len(wb)
    if m <= (width or WIDTH) * (window or WINDOW):
        return _planned(np.zeros(n, dtype=np.int64), np.arange(n), n, m, window, overlap, width)
    at = probes(n)
    return _planned(best_columns(wa[at], wb), at, n, m, window, overlap, width)


def _planned(best: np.ndarray, at: np.ndarray, n: int, m: int, window: int | None, overlap: int | None,
             width: int | None) -> list[Window]:
    """:func:`plan` of n units of `a` from the best partners ``best`` of the units ``at`` (ascending)."""
    window, overlap, width = window or WINDOW, OVERLAP if overlap is None else overlap, width or WIDTH
    span = min(m, width * window)
    out = []
    b_lo = 0
    for own_lo in range(0, n, window):
        own_hi = min(n, own_lo + window)
        a_lo, a_hi = max(0, own_lo - overlap), min(n, own_hi + overlap)
        lo, hi = np.searchsorted(at, [a_lo, a_hi])
        if hi > lo:  # else (probes sparser than a window, never at PROBES and WINDOW) the last stretch
            cols = np.sort(best[lo:hi])
            # the start of the span-wide stretch of b that holds the most best partners
            ends = np.searchsorted(cols, cols + span, side="left")
            k = int((ends - np.arange(len(cols))).argmax())
            b_lo = int(max(0, min(cols[k] - (span - (cols[ends[k] - 1] - cols[k] + 1)) // 2, m - span)))
        out.append(Window(a_lo, a_hi, own_lo, own_hi, b_lo, b_lo + span))
    return out
