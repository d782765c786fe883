"""Word shingles as MinHash tokens, hashed in numpy without making a string per shingle.

A shingle is ``" ".join(words[k:k + n])``; MinHash (``rensa``) hashes each token's UTF-8 bytes
and permutes the hashes. Every shingle of a run of words joined by single spaces is a slice of
that run's bytes, so the words of many documents are joined and encoded once, and each shingle's
hash is computed from its (start, end) byte span, for all shingles at once (:func:`span_hashes`):
building the shingle strings and handing them to rensa was most of the features' cost after the
words themselves. The hash is rensa's own token hash (``rensa.RMinHash.hash_token_sets``, a
foldhash-like mix of 16-byte blocks), so the signatures are bit for bit those of the strings;
tests/test_shingles.py checks it against rensa on every length class, and
:func:`signatures` against ``digest_matrix_from_token_sets``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

__all__ = ["Runs", "shingle_starts", "signatures", "span_hashes"]

_U = np.uint64
_M32 = _U(0xFFFFFFFF)
_SEED1, _SEED2 = _U(0x243F6A8885A308D3), _U(0x13198A2E03707344)
_NOT_ZERO = _U(0xA4093822299F31D0)  # keeps an all-zero block from zeroing the state
_K = _U(0xF1357AEA2E62A9C5)


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The low and high halves of each 128-bit product ``x * y``, xored (from 32-bit halves:
    numpy has no 128-bit integers)."""
    xl, xh = x & _M32, x >> _U(32)
    yl, yh = y & _M32, y >> _U(32)
    ll, lh, hl = xl * yl, xl * yh, xh * yl
    mid = (ll >> _U(32)) + (lh & _M32) + (hl & _M32)
    return (x * y) ^ (xh * yh + (lh >> _U(32)) + (hl >> _U(32)) + (mid >> _U(32)))


# Tokens hashed at a time: a chunk's temporaries stay in the cache (a batch's 2 million at once
# were written to fresh memory by every operation: twice the time).
_CHUNK = 1 << 16


def span_hashes(buf: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """rensa's token hash of each ``buf[starts[i]:ends[i]]`` (uint64): what
    ``rensa.RMinHash.hash_token_sets`` gives the same bytes as a token."""
    b8 = np.frombuffer(buf + bytes(8), dtype=np.uint8)
    # every byte offset as the start of a little-endian 8- or 4-byte word (unaligned views)
    w64 = np.ndarray((len(buf) + 1,), dtype="<u8", buffer=b8, strides=(1,))
    w32 = np.ndarray((len(buf) + 1,), dtype="<u4", buffer=b8, strides=(1,))
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    # The 16-byte blocks mixed before the last 16 bytes; tokens in decreasing order of them, so
    # those still mixing at each step are a prefix of a chunk (slices, not gathers).
    blocks = np.maximum(ends - starts - 1, 0) // 16
    if len(blocks) and blocks.max() > 255:  # a token of over 4 kB
        order = np.argsort(-blocks, kind="stable")
    else:
        order = np.argsort(blocks.astype(np.uint8) ^ np.uint8(255), kind="stable")  # a radix sort
    starts, ends, blocks = starts[order], ends[order], blocks[order]
    out = np.empty(len(starts), dtype=_U)
    for k in range(0, len(starts), _CHUNK):
        out[order[k:k + _CHUNK]] = _hashes(b8, w64, w32, starts[k:k + _CHUNK], ends[k:k + _CHUNK], blocks[k:k + _CHUNK])
    return out


def _hashes(b8: np.ndarray, w64: np.ndarray, w32: np.ndarray, starts: np.ndarray, ends: np.ndarray,
            blocks: np.ndarray) -> np.ndarray:
    size = ends - starts
    s0 = np.full(len(size), _SEED1)
    s1 = np.full(len(size), _SEED2)
    n_long = int(np.count_nonzero(blocks))  # more than 16 bytes: the first n_long
    if n_long:
        a0, a1, at = s0[:n_long], s1[:n_long], starts[:n_long]
        live = np.searchsorted(-blocks[:n_long], -np.arange(1, int(blocks[0]) + 1), side="right")
        for step, n in enumerate(live.tolist()):
            t = _mix(a0[:n] ^ w64[at[:n] + 16 * step], _NOT_ZERO ^ w64[at[:n] + (16 * step + 8)])
            a0[:n] = a1[:n]
            a1[:n] = t
        a0 ^= w64[ends[:n_long] - 16]  # then the last 16 bytes
        a1 ^= w64[ends[:n_long] - 8]
    short = size[n_long:]
    k = n_long + np.flatnonzero(short >= 8)
    s0[k] ^= w64[starts[k]]
    s1[k] ^= w64[ends[k] - 8]
    k = n_long + np.flatnonzero((short >= 4) & (short < 8))
    s0[k] ^= w32[starts[k]].astype(_U)
    s1[k] ^= w32[ends[k] - 4].astype(_U)
    k = n_long + np.flatnonzero((short > 0) & (short < 4))
    s0[k] ^= b8[starts[k]].astype(_U)
    s1[k] ^= (b8[ends[k] - 1].astype(_U) << _U(8)) | b8[starts[k] + size[k] // 2].astype(_U)
    h = _mix(s0, s1)
    h ^= size.astype(_U)
    h *= _K
    return (h << _U(26)) | (h >> _U(38))


class Runs:
    """Runs of words (a document's, a sentence's) gathered into one buffer: each word gets an
    index (:meth:`add` gives a run's first); a token is then ``(first word, number of words)``
    and its shingle's bytes a slice of the buffer. Words hold no space (they are regex words)."""

    def __init__(self) -> None:
        self.runs: list[Sequence[str]] = []
        self.words = 0

    def add(self, words: Sequence[str]) -> int:
        """Add a run of words; the index of its first word."""
        at = self.words
        if words:
            self.runs.append(words)
            self.words += len(words)
        return at

    def hashes(self, first: np.ndarray, size: np.ndarray) -> np.ndarray:
        """The token hash of each shingle of ``size[i]`` words from word ``first[i]`` (within
        one run)."""
        # each run joined, then the runs (no run is empty): join on a chain copied it to a list first
        buf = " ".join(map(" ".join, self.runs)).encode("utf-8")
        spaces = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8) == 32)
        word_starts = np.concatenate(([0], spaces + 1))
        word_ends = np.concatenate((spaces, [len(buf)]))
        return span_hashes(buf, word_starts[first], word_ends[first + size - 1])


def shingle_starts(firsts: Sequence[int], counts: Sequence[int]) -> np.ndarray:
    """``first, first + 1, ..., first + count - 1`` of each (first, count), in a row."""
    counts_ = np.asarray(counts, dtype=np.int64)
    total = int(counts_.sum())
    before = np.cumsum(counts_) - counts_
    return np.arange(total, dtype=np.int64) + np.repeat(np.asarray(firsts, dtype=np.int64) - before, counts_)


def signatures(hashes: np.ndarray, counts: Sequence[int], num_perm: int, seed: int) -> np.ndarray:
    """(n, num_perm) uint32 MinHash signatures (rensa R-MinHash) of n token sets given as their
    tokens' hashes in a row, ``counts[i]`` for set i (each at least 1)."""
    if not len(counts):
        return np.zeros((0, num_perm), dtype=np.uint32)
    import rensa

    offsets = np.zeros(len(counts) + 1, dtype=np.uint64)
    np.cumsum(counts, out=offsets[1:])
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(hashes, offsets, num_perm, seed)
    # to_rows is the only way out of the matrix (lists of ints); fromiter reads them without
    # asarray's nested-list inspection
    flat = chain.from_iterable(matrix.to_rows())
    return np.fromiter(flat, dtype=np.uint32, count=len(counts) * num_perm).reshape(len(counts), num_perm)
