"""Matrix products whose rows have the same bits whatever other rows are multiplied with them.

OpenBLAS sums a row's terms of ``x @ w`` in an order that depends on the row's place in the block
and on the block's row count (its Haswell sgemm kernels, the default on AMD EPYC without AVX-512,
and the small-matrix kernels under 100^3): a vector computed in one batch had other last bits than
in another. Computed transposed, ``w.T @ x.T`` with ``w.T`` contiguous, a row's bits depend on the
number of columns of the call only, not on its place among them; so :func:`fixed_block_product`
multiplies :data:`BLOCK` rows at a time, the last block padded with zero rows (bench/README exact32).
With one BLAS thread: under two, OpenBLAS divides a call between them and sums otherwise (other
bits than one thread's for 9 of USE's 12 weight matrices, so a vector's bits followed the machine's
load, from which USE chose its threads until exact33), and the threads spin for 5-15 times the CPU
of the product (bench/README exact33).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import numpy as np

# Rows per call. 16 held under OpenBLAS's Haswell, Zen and SandyBridge kernels, with one or two
# threads; 32 and 64 did not under Haswell and Zen (a row's bits then moved with its place in the
# block), 8 did. The bits are one BLAS thread's (fixed_block_product holds one).
BLOCK = 16


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
    with one_blas_thread():
        for start in range(0, whole, BLOCK):
            out[start:start + BLOCK] = (wt @ x[start:start + BLOCK].T).T
        if whole < n:
            last = np.zeros((BLOCK, x.shape[1]), dtype=np.float32)
            last[:n - whole] = x[whole:]
            out[whole:] = (wt @ last.T).T[:n - whole]
    return out


_blas: list = []  # threadpoolctl's BLAS controllers, found once: scanning the libraries per call costs


def one_blas_thread() -> AbstractContextManager:
    """One BLAS thread for what follows (nothing to do if so already, as in the workers)."""
    if not _blas:
        from threadpoolctl import ThreadpoolController

        _blas.append(ThreadpoolController().select(user_api="blas"))
    if all(lib.num_threads == 1 for lib in _blas[0].lib_controllers):
        return nullcontext()
    return _blas[0].limit(limits=1)
