"""Several encoders as one: a weighted concatenation whose cosine is the weighted mean cosine."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sourcetrace.encode.base import Encoder, l2_normalize


class CombinedEncoder:
    """Concatenate unit vectors u_i (one per encoder) scaled by sqrt(w_i), w normalised to sum 1.

    For two texts with parts u_i and v_i, <concat sqrt(w_i) u_i, concat sqrt(w_i) v_i>
    = sum_i w_i <u_i, v_i> = sum_i w_i cos_i, and each concatenation already has norm
    sqrt(sum_i w_i) = 1, so the combined cosine is exactly the weighted mean of the cosines.
    (The final renormalisation only matters if a part returns a zero row.)
    """

    def __init__(self, parts: Sequence[tuple[Encoder, float]]) -> None:
        if not parts:
            raise ValueError("CombinedEncoder needs at least one encoder")
        total = float(sum(w for _, w in parts))
        if total <= 0 or any(w < 0 for _, w in parts):
            raise ValueError("weights must be non-negative and not all zero")
        self.parts = [(enc, w / total) for enc, w in parts]
        self.name = "combined(" + "+".join(f"{w:.3g}*{enc.name}" for enc, w in self.parts) + ")"

    @property
    def dim(self) -> int:
        return sum(enc.dim for enc, _ in self.parts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            texts = [texts]
        blocks = [np.sqrt(w, dtype=np.float32) * enc.encode(texts) for enc, w in self.parts]
        return l2_normalize(np.concatenate(blocks, axis=1))
