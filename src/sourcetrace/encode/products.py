"""Matrix products whose rows have the same bits whatever other rows are multiplied with them.

OpenBLAS sums a row's terms of ``x @ w`` in an order that depends on the row's place in the block
and on the block's row count (its Haswell sgemm kernels, the default on AMD EPYC without AVX-512,
and the small-matrix kernels under 100^3): a vector computed in one batch had other last bits than
in another. Computed transposed, ``w.T @ x.T`` with ``w.T`` contiguous, a row's bits depend on the
number of columns of the call only, not on its place among them; so :func:`fixed_block_product`
multiplies :data:`BLOCK` rows at a time, the last block padded with zero rows (bench/README exact32).
That is the definition of the bits. :class:`BlockProduct` gives the same bits in fewer, larger
calls where the BLAS's kernels are the ones it was written against (bench/README exact33), and is
:func:`fixed_block_product` elsewhere.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import numpy as np

# Rows per call. 16 held under OpenBLAS's Haswell, Zen and SandyBridge kernels, with one or two
# threads; 32 and 64 did not under Haswell and Zen (a row's bits then moved with its place in the
# block), 8 did. Two threads give other bits than one: BlockProduct holds one.
BLOCK = 16

# BlockProduct's larger calls: SEGMENT rows a call between EDGE zero rows either side (the kernel
# takes a call's first and last 8 rows in other tiles, which sum in another order).
SEGMENT = 112
EDGE = 8
FEW = 2 * BLOCK  # up to this many rows, fixed_block_product's calls are as cheap


def transposed(w: np.ndarray) -> np.ndarray:
    """``w`` as :func:`fixed_block_product` takes it: transposed, C-contiguous, float32."""
    return np.ascontiguousarray(w.T, dtype=np.float32)


def fixed_block_product(x: np.ndarray, wt: np.ndarray) -> np.ndarray:
    """``x @ wt.T`` (``wt`` from :func:`transposed`), each row of it the same bits whatever rows
    are beside it in ``x``: computed :data:`BLOCK` rows at a time as ``wt @ block.T``."""
    x = np.ascontiguousarray(x, dtype=np.float32)  # the layout the blocks were checked in
    n = len(x)
    out = np.empty((n, len(wt)), dtype=np.float32)
    if n == 0:
        return out
    whole = n - n % BLOCK
    for start in range(0, whole, BLOCK):
        out[start:start + BLOCK] = (wt @ x[start:start + BLOCK].T).T
    if whole < n:
        last = np.zeros((BLOCK, x.shape[1]), dtype=np.float32)
        last[:n - whole] = x[whole:]
        out[whole:] = (wt @ last.T).T[:n - whole]
    return out


def k_chunks(k: int) -> list[tuple[int, int]]:
    """The stretches of the inner dimension OpenBLAS's sgemm sums one after another (its level-3
    driver: GEMM_Q 320, a remainder under twice that halved to a multiple of 8); an output is
    the sum, in order, of its stretches' partial sums."""
    out, lo = [], 0
    while lo < k:
        step = k - lo
        if step >= 640:
            step = 320
        elif step > 320:
            step = (step // 2 + 7) // 8 * 8
        out.append((lo, lo + step))
        lo += step
    return out


def paired_columns(n: int) -> np.ndarray:
    """Which of a block call's ``n`` output columns the Haswell sgemm kernel sums in two chains,
    even and odd terms apart (added at the end), rather than in one: in each 12 columns its
    first 6 (the kernel's 8-row tiles of a 16-row block), and a last 8 or 4 (taken 8 or 4 at a
    time, in two chains too)."""
    paired = np.zeros(n, dtype=bool)
    full = n - n % 12
    paired[:full] = np.arange(full) % 12 < 6
    lo = full
    while lo < n:  # the driver's remainders: 8 if it can, else 4 if more than 4, else the rest
        step = n - lo
        step = 8 if step >= 8 else 4 if step > 4 else step
        paired[lo:lo + step] = step in (4, 8)
        lo += step
    return paired


def _padded(w: np.ndarray) -> np.ndarray:
    """``w``'s rows, contiguous, with zero rows up to a multiple of 12 (whole 12-column groups: a
    call's columns all in the kernel's 12-wide path, whose 16-row tiles sum in one chain)."""
    out = np.zeros((-(-len(w) // 12) * 12, w.shape[1]), dtype=np.float32)
    out[:len(w)] = w
    return out


class BlockProduct:
    """``x @ wt.T`` with :func:`fixed_block_product`'s bits, for one ``wt``, in fewer calls.

    A 16-row call leaves the kernel far from its peak and packs all of ``wt`` for 16 rows. Its
    sums are known (OpenBLAS's Haswell sgemm kernel): per stretch of :func:`k_chunks`, one chain
    of fused multiply-adds per entry, or two (even and odd terms, added) for
    :func:`paired_columns`; the stretches added in order. The same sums come from calls of
    SEGMENT rows between EDGE zero rows, where every row is in the kernel's 16-row tiles (one
    chain per entry): the single columns' product, and the paired columns' as a product of the
    even terms plus one of the odd. Made once per weight matrix, it checks that on rows at every
    place of a call against :func:`fixed_block_product`, and is that where they differ (another
    BLAS, other kernels). One BLAS thread throughout: two split a call's rows among them, and
    give fixed_block_product other bits too."""

    def __init__(self, wt: np.ndarray) -> None:
        self.wt = wt
        self.out, k = wt.shape
        paired = paired_columns(self.out)
        self.groups = self.out // 12
        rest = paired[12 * self.groups:]
        # The last columns after whole groups: paired ones first (paired_columns), then single.
        self.rest_paired, self.rest_single = int(rest.sum()), int((~rest).sum())
        assert not rest[self.rest_paired:].any()
        single, pairs = np.flatnonzero(~paired), np.flatnonzero(paired)
        w = np.asarray(wt, dtype=np.float32)
        self.parts = [(lo, hi, _padded(w[single, lo:hi]), _padded(w[pairs, lo:hi:2]), _padded(w[pairs, lo + 1:hi:2]))
                      for lo, hi in k_chunks(k)]
        with one_blas_thread():
            probe = np.random.default_rng(0).standard_normal((SEGMENT + FEW + 1, k)).astype(np.float32)
            self.chained = np.array_equal(self._chained(probe), fixed_block_product(probe, wt))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        with one_blas_thread():
            if not self.chained or len(x) <= FEW:
                return fixed_block_product(x, self.wt)
            return self._chained(np.asarray(x, dtype=np.float32))

    def _chained(self, x: np.ndarray) -> np.ndarray:
        n = len(x)
        out = np.empty((n, self.out), dtype=np.float32)
        g = self.groups
        end = 12 * g + self.rest_paired
        rows = SEGMENT
        buf = np.zeros((rows + 2 * EDGE, x.shape[1]), dtype=np.float32)
        for start in range(0, n, rows):
            m = min(rows, n - start)
            buf[EDGE:EDGE + m] = x[start:start + m]
            if m < rows:
                buf[EDGE + m:] = 0
            single = paired = None
            for lo, hi, w_single, w_even, w_odd in self.parts:
                # wt @ block.T, as fixed_block_product's calls, over the block's rows between zeros.
                part = w_single @ buf[:, lo:hi].T
                single = part if single is None else np.add(single, part, out=single)
                if len(w_even):
                    even = w_even @ np.ascontiguousarray(buf[:, lo:hi:2]).T
                    even += w_odd @ np.ascontiguousarray(buf[:, lo + 1:hi:2]).T
                    paired = even if paired is None else np.add(paired, even, out=paired)
            o = out[start:start + m]
            inner = slice(EDGE, EDGE + m)
            # Each 12-column group: 6 paired columns, then 6 single ones.
            grouped = o[:, :12 * g].reshape(m, g, 2, 6)
            grouped[:, :, 1] = single[:6 * g, inner].reshape(g, 6, m).transpose(2, 0, 1)
            if paired is not None:
                grouped[:, :, 0] = paired[:6 * g, inner].reshape(g, 6, m).transpose(2, 0, 1)
                o[:, 12 * g:end] = paired[6 * g:6 * g + self.rest_paired, inner].T
            o[:, end:] = single[6 * g:6 * g + self.rest_single, inner].T
        return out


_blas: list = []  # OpenBLAS's threadpoolctl controller, found once (scanning the libraries costs)


def one_blas_thread() -> AbstractContextManager:
    """One BLAS thread for what follows, if not so already."""
    if not _blas:
        from threadpoolctl import ThreadpoolController

        _blas.append(ThreadpoolController().select(user_api="blas"))
    blas = _blas[0]
    if all(lib.num_threads == 1 for lib in blas.lib_controllers):
        return nullcontext()
    return blas.limit(limits=1)
