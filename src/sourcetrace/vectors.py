"""Sentence vectors with a cache in the store: a text is encoded once per encoder, ever.

The cache key is a hash of the text as the encoder sees it (whitespace folded), so the same
sentence in two files, or in two runs, is encoded once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .encoders import Encoder

if TYPE_CHECKING:
    from .store import Store


def text_key(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def encode_cached(encoder: Encoder, texts: Sequence[str], store: Store | None = None) -> np.ndarray:
    """Unit vectors of `texts` (rows in order); cached in `store` when one is given."""
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    if store is None:
        return encoder.encode(list(texts))
    keys = [text_key(t) for t in texts]
    found = store.get_vectors(encoder.name, sorted(set(keys)))
    missing = sorted({k for k in keys if k not in found})
    if missing:
        first = {}
        for k, t in zip(keys, texts, strict=True):
            first.setdefault(k, t)
        fresh = encoder.encode([first[k] for k in missing])
        blobs = [(k, v.astype(np.float32).tobytes()) for k, v in zip(missing, fresh, strict=True)]
        store.put_vectors(encoder.name, blobs)
        found.update(blobs)
    return np.stack([np.frombuffer(found[k], dtype=np.float32) for k in keys])
