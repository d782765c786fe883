"""Windows inside a long pair: aligning two books in memory linear in their length.

Scoring every unit of one document against every unit of the other costs n x m cells (two files
of 10,000 lines: 10^8 cells a matrix, several matrices, 3.9 GB). Above ``MAX_CELLS`` a pair is
aligned window by window instead:

1. **Where each unit points**: the best partner of every unit of `a`, by cosine, computed in
   blocks of rows, so no block holds more than ``MAX_CELLS`` cells (:func:`best_columns`).
2. **Windows**: `a` is cut into windows of ``WINDOW`` units (each widened by ``OVERLAP`` units on
   both sides, so a pair at a cut still has its neighbours); each window is paired with the stretch
   of `b`, ``WIDTH`` x ``WINDOW`` units wide, where most of its units point (:func:`plan`). A
   translation or an edition runs along the diagonal and its stretch is where it goes; a report
   that reorders a long source is aligned where most of each window's text comes from.
3. Each window pair is aligned as a short pair is; a window keeps the pairs of its own units
   (not those of its overlap, which the neighbouring window owns).

Every matrix then has at most (WINDOW + 2 OVERLAP) x WIDTH WINDOW cells, whatever the length, and
the number of windows grows with the length: memory is linear in it, and so is time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_CELLS = 4_000_000  # a pair up to about 2,000 x 2,000 units is aligned whole
WINDOW = 800  # units of `a` a window owns
OVERLAP = 100  # units it also reads on each side
WIDTH = 3  # its stretch of `b`, in windows


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
        out[lo:lo + rows] = (va[lo:lo + rows] @ vb.T).argmax(axis=1)
    return out


def plan(best: np.ndarray, m: int, window: int | None = None, overlap: int | None = None,
         width: int | None = None) -> list[Window]:
    """Windows over `a` (n = len(best) units) and the stretch of `b` (m units) each is paired with:
    the ``width * window`` units of `b` holding the most of the window's units' best partners
    (defaults: WINDOW, OVERLAP, WIDTH)."""
    n = len(best)
    window, overlap, width = window or WINDOW, OVERLAP if overlap is None else overlap, width or WIDTH
    span = min(m, width * window)
    out = []
    for own_lo in range(0, n, window):
        own_hi = min(n, own_lo + window)
        a_lo, a_hi = max(0, own_lo - overlap), min(n, own_hi + overlap)
        cols = np.sort(best[a_lo:a_hi])
        # the start of the span-wide stretch of b that holds the most best partners
        ends = np.searchsorted(cols, cols + span, side="left")
        k = int((ends - np.arange(len(cols))).argmax())
        b_lo = int(max(0, min(cols[k] - (span - (cols[ends[k] - 1] - cols[k] + 1)) // 2, m - span)))
        out.append(Window(a_lo, a_hi, own_lo, own_hi, b_lo, b_lo + span))
    return out
