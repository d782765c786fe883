import numpy as np

from sourcetrace.encode.products import BLOCK, fixed_block_product, transposed


def test_a_row_is_the_product_and_the_same_bits_in_any_batch():
    """x @ w to float32 rounding, and each row the same bits alone, in batches of any size, at
    any place in a block and in another order (the plain product fails this under OpenBLAS's
    Haswell kernels)."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((512, 320)).astype(np.float32)
    x = rng.standard_normal((5 * BLOCK + 3, 512)).astype(np.float32)
    wt = transposed(w)
    whole = fixed_block_product(x, wt)
    assert whole.shape == (len(x), 320) and np.allclose(whole, x @ w, atol=1e-3)
    for size in (1, 2, 3, 7, BLOCK - 1, BLOCK + 1, 2 * BLOCK + 5):
        for start in (0, 1, 5):
            got = np.concatenate([fixed_block_product(x[i:i + size], wt) for i in range(start, len(x), size)])
            assert np.array_equal(got, whole[start:]), (size, start)
    order = rng.permutation(len(x))
    assert np.array_equal(fixed_block_product(x[order], wt), whole[order])
    assert fixed_block_product(x[:0], wt).shape == (0, 320)


def test_the_bits_are_one_blas_threads():
    """Under two BLAS threads a row is what it is under one (OpenBLAS divides a call between two
    threads and sums otherwise: fixed_block_product holds one thread), and
    the caller's thread count is left as it was."""
    from threadpoolctl import ThreadpoolController, threadpool_limits

    rng = np.random.default_rng(1)
    wt = transposed(rng.standard_normal((512, 320)).astype(np.float32))
    x = rng.standard_normal((3 * BLOCK, 512)).astype(np.float32)
    with threadpool_limits(1):
        one = fixed_block_product(x, wt)
    with threadpool_limits(2):
        before = [lib["num_threads"] for lib in ThreadpoolController().select(user_api="blas").info()]
        assert np.array_equal(fixed_block_product(x, wt), one)
        assert [lib["num_threads"] for lib in ThreadpoolController().select(user_api="blas").info()] == before
