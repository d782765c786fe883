"""Shingle hashes from byte spans are rensa's hashes of the shingle strings, and so are the
signatures made from them."""

from __future__ import annotations

import numpy as np
import rensa
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcetrace.candidates.pairs import SEED, _shingles
from sourcetrace.candidates.shingles import Runs, shingle_starts, signatures, span_hashes

# every length class of the hash: empty, 1-3, 4-7, 8-16 bytes, then 16-byte blocks (17, 32, 33, ...)
LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49, 100, 257, 4111, 5000]


def _rensa(tokens: list[str]) -> np.ndarray:
    return np.array(rensa.RMinHash.hash_token_sets([tokens])[0], dtype=np.uint64)


def test_every_length_class_hashes_as_rensa() -> None:
    rng = np.random.default_rng(7)
    alphabet = list("abcxyz0123 ") + ["é", "ع", "ة", "٢", "\u0640", "𝔸"]
    tokens = ["".join(rng.choice(alphabet, size=n)) for n in LENGTHS for _ in range(20)]
    raw = [t.encode("utf-8") for t in tokens]
    ends = np.cumsum([len(r) for r in raw])
    got = span_hashes(b"".join(raw), ends - [len(r) for r in raw], ends)
    assert (got == _rensa(tokens)).all()


def test_more_tokens_than_a_chunk_hash_as_rensa() -> None:
    tokens = [f"word{k} " * (k % 9) for k in range(70_000)]
    raw = [t.encode("utf-8") for t in tokens]
    ends = np.cumsum([len(r) for r in raw])
    assert (span_hashes(b"".join(raw), ends - [len(r) for r in raw], ends) == _rensa(tokens)).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(categories=["L", "Nd"]), min_size=1, max_size=12),
                         max_size=30), min_size=1, max_size=6),
       st.integers(min_value=1, max_value=6))
def test_shingles_of_runs_are_the_shingle_strings(runs_words: list[list[str]], size: int) -> None:
    runs = Runs()
    firsts, counts, sizes, strings = [], [], [], []
    for words in runs_words:
        at = runs.add(words)
        if words:
            firsts.append(at)
            counts.append(max(1, len(words) - size + 1))
            sizes.append(min(size, len(words)))
            strings += _shingles(words, size)
    starts = shingle_starts(firsts, counts)
    got = runs.hashes(starts, np.repeat(np.asarray(sizes, dtype=np.int64), counts))
    assert (got == (_rensa(strings) if strings else np.zeros(0, dtype=np.uint64))).all()


def test_signatures_are_rensas_of_the_strings() -> None:
    sets = [["a b c", "b c d", "c d e"], ["مرحبا بالعالم اليوم"], ["x"] * 3 + ["y z w"]]
    hashes = np.concatenate([_rensa(s) for s in sets])
    want = np.array(rensa.RMinHash.digest_matrix_from_token_sets(sets, 64, SEED).to_rows(), dtype=np.uint32)
    assert (signatures(hashes, [len(s) for s in sets], 64, SEED) == want).all()
    assert signatures(np.zeros(0, dtype=np.uint64), [], 64, SEED).shape == (0, 64)
