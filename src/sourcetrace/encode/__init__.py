"""Sentence encoders behind one :class:`Encoder` protocol, chosen by a short spec string.

``get_encoder(spec)``: ``"e5"`` (multilingual-e5-small, 4-bit, "passage: " prefix), ``"e5:query"``,
``"use"`` (USE multilingual v3), ``"static"`` (USE's token layer as a static table: candidate
search's cheap document vectors), ``"m2v"`` (model2vec distilled from USE; both in
:mod:`sourcetrace.encode.static`), ``"default"`` (the combination that measures best on
bench/tatoeba.py: 0.8 e5 + 0.2 USE), or ``"st:/path/to/model"`` (a sentence-transformers model
on disk). Instances are cached per spec, so models load once per process.
"""

from __future__ import annotations

import threading

from sourcetrace.encode.base import Encoder, l2_normalize, strip_arabic_marks
from sourcetrace.encode.combined import CombinedEncoder
from sourcetrace.encode.e5 import E5Encoder
from sourcetrace.encode.local import SentenceTransformerEncoder
from sourcetrace.encode.static import (
    DIMS,
    DistilledTable,
    SentencePieceTokenizer,
    StaticEncoder,
    USETokenTable,
)
from sourcetrace.encode.use import USEEncoder, sentencepiece_path

__all__ = [
    "DEFAULT_WEIGHTS",
    "CombinedEncoder",
    "E5Encoder",
    "Encoder",
    "SentenceTransformerEncoder",
    "StaticEncoder",
    "USEEncoder",
    "get_encoder",
    "spec_of",
    "l2_normalize",
    "strip_arabic_marks",
]

# Weights of the default combination. Tatoeba ara-eng, margin + one-to-one: e5 alone 0.925,
# USE alone 0.894, 0.5/0.5 0.925, 0.8/0.2 0.935 (bench/tatoeba.py prints the whole sweep).
DEFAULT_WEIGHTS: dict[str, float] = {"e5": 0.8, "use": 0.2}

_cache: dict[str, Encoder] = {}
_lock = threading.RLock()  # re-entrant: "default" builds its parts through get_encoder


def get_encoder(spec: str = "default") -> Encoder:
    """Return the (cached) encoder for ``spec``; raise ValueError for an unknown spec."""
    spec = spec.strip()
    with _lock:
        if spec in _cache:
            return _cache[spec]
        enc: Encoder
        if spec == "e5":
            enc = E5Encoder("passage")
        elif spec == "e5:query":
            enc = E5Encoder("query")
        elif spec == "use":
            enc = USEEncoder()
        elif spec == "static":
            enc = StaticEncoder(USETokenTable(get_encoder("use")), USEEncoder.dim)
        elif spec == "m2v":
            enc = StaticEncoder(DistilledTable(get_encoder("use"), SentencePieceTokenizer(sentencepiece_path())), DIMS)
        elif spec == "default":
            enc = CombinedEncoder([(get_encoder(s), w) for s, w in DEFAULT_WEIGHTS.items()])
        elif spec.startswith("st:"):
            path = spec[3:]
            if not path:
                raise ValueError("'st:' needs a model directory, e.g. st:/models/LaBSE")
            enc = SentenceTransformerEncoder(path)
        else:
            raise ValueError(f"unknown encoder spec {spec!r}: use e5, e5:query, use, static, m2v, default or st:/path")
        _cache[spec] = enc
        return enc


def spec_of(encoder: Encoder | None) -> str | None:
    """The spec :func:`get_encoder` made this encoder from ("" for None: the caller's default),
    or None when it was built otherwise (a worker process could not build it again)."""
    if encoder is None:
        return ""
    with _lock:
        return next((spec for spec, enc in _cache.items() if enc is encoder), None)
