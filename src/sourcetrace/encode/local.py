"""A sentence-transformers model the user already has on disk (e.g. LaBSE). Never downloads."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from sourcetrace.encode.base import l2_normalize, strip_arabic_marks


class SentenceTransformerEncoder:
    """Wrap ``sentence_transformers.SentenceTransformer`` loaded from a local directory.

    The path and the package are checked when the encoder is built, so a bad ``st:`` spec fails
    at once with a message saying what to fix; the model itself loads on the first ``encode``.
    """

    def __init__(self, path: str | os.PathLike[str], batch_size: int = 32, strip_marks: bool = True) -> None:
        self.path = Path(path).expanduser().resolve()
        if not self.path.is_dir():
            raise FileNotFoundError(
                f"sentence-transformers model directory not found: {self.path} "
                "(sourcetrace never downloads models: give the path of a model saved on disk)"
            )
        if importlib.util.find_spec("sentence_transformers") is None:
            raise ImportError(
                "the 'st:' encoder needs the sentence-transformers package: pip install sentence-transformers"
            )
        try:
            st_version = version("sentence-transformers")
        except PackageNotFoundError:  # importable from source without metadata
            st_version = "unknown"
        self.batch_size = batch_size
        self._strip = strip_marks
        self.name = f"st:{self.path}{'' if strip_marks else ':+marks'}@sentence-transformers-{st_version}"
        self._model: object | None = None
        self._dim: int | None = None
        self._lock = threading.Lock()

    def _ensure_loaded(self) -> object:
        with self._lock:
            if self._model is None:
                # Belt and braces: the hub client must not reach the network even if the directory
                # lacks a file and the library would otherwise try to fetch it.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                try:
                    model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
                except TypeError:  # versions before local_files_only; the env guards still apply
                    model = SentenceTransformer(str(self.path), device="cpu")
                self._dim = int(model.get_sentence_embedding_dimension())
                self._model = model
            return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._ensure_loaded()
        assert self._dim is not None
        return self._dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            texts = [texts]
        items = [strip_arabic_marks(t) if self._strip else t for t in texts]
        model = self._ensure_loaded()
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vecs = model.encode(  # type: ignore[attr-defined]
                items, batch_size=self.batch_size, convert_to_numpy=True, normalize_embeddings=True
            )
        return l2_normalize(vecs)
