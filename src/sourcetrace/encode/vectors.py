"""Sentence vectors, plain or with a cache in the store: a text is encoded once per encoder, ever.

Stages that need vectors (topics, alignment) take a :class:`Vectors` function and never the
store: :func:`encoded` encodes outright; a runner passes :class:`StoreVectors` so that what it
already has comes from the cache.

Recently used vectors are also kept in memory, since candidate pairs meet each document several
times.

The cache key is a hash of the text as the encoder sees it (whitespace folded), so the same
sentence in two files, or in two runs, is encoded once.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from sourcetrace.encode import Encoder
from sourcetrace.encode.base import BatchRunner, LazyBatchEncoder

if TYPE_CHECKING:
    from sourcetrace.store.sqlite import Store


MEMO_SIZE = 50_000  # vectors per encoder kept in memory (about 100 MB at 512 floats)
_memo: dict[str, OrderedDict[str, bytes]] = {}


class Vectors(Protocol):
    """Unit vectors of `texts` (rows in order) from `encoder`: how a stage gets its vectors."""

    def __call__(self, encoder: Encoder, texts: Sequence[str]) -> np.ndarray: ...


def encoded(encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
    """Vectors with no cache: what a stage uses when its runner gives none."""
    return encode_cached(encoder, texts)


class StoreVectors:
    """Vectors through the store's cache (see :func:`encode_cached`): the local runner's."""

    def __init__(self, store: Store, *, keep: bool = True, run: BatchRunner | None = None) -> None:
        self.store, self.keep, self.run = store, keep, run

    def __call__(self, encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
        return encode_cached(encoder, texts, self.store, keep=self.keep, run=self.run)


def text_key(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def encode_cached(encoder: Encoder, texts: Sequence[str], store: Store | None = None, *,
                  keep: bool = True, run: BatchRunner | None = None) -> np.ndarray:
    """Unit vectors of `texts` (rows in order); cached in `store` when one is given.

    ``keep=False`` reads the cache but does not add to it (a bulk pass over every sentence, whose
    vectors live elsewhere, would otherwise double the store). ``run``: where a batching encoder
    (:class:`LazyBatchEncoder`) encodes its batches, the same vectors (worker processes).
    """
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    if store is None:
        return encoder.encode(list(texts))
    keys = [text_key(t) for t in texts]
    memo = _memo.setdefault(encoder.name, OrderedDict())
    found = {k: memo[k] for k in set(keys) if k in memo}
    wanted = sorted(set(keys) - found.keys())
    if wanted:
        found.update(store.get_vectors(encoder.name, wanted))
    missing = sorted({k for k in keys if k not in found})
    if missing:
        first = {}
        for k, t in zip(keys, texts, strict=True):
            first.setdefault(k, t)
        todo = [first[k] for k in missing]
        fresh = encoder.encode(todo, run=run) if run and isinstance(encoder, LazyBatchEncoder) else encoder.encode(todo)
        blobs = [(k, v.astype(np.float32).tobytes()) for k, v in zip(missing, fresh, strict=True)]
        if keep:
            store.put_vectors(encoder.name, blobs)
        found.update(blobs)
    for k in set(keys):  # keep the most recently used vectors in memory too
        memo[k] = found[k]
        memo.move_to_end(k)
    while len(memo) > MEMO_SIZE:
        memo.popitem(last=False)
    return np.stack([np.frombuffer(found[k], dtype=np.float32) for k in keys])
