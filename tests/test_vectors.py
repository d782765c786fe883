import numpy as np

from sourcetrace.encode.vectors import encode_cached, text_key
from sourcetrace.store.sqlite import Store


class CountingEncoder:
    name = "counting@1"
    dim = 3

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen += list(texts)
        out = np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_text_key_folds_whitespace():
    assert text_key("a  b\nc") == text_key("a b c")
    assert text_key("a b") != text_key("a c")


def test_vectors_are_encoded_once_ever(tmp_path):
    enc = CountingEncoder()
    with Store(tmp_path / "s.db") as store:
        first = encode_cached(enc, ["one", "two", "one"], store)
        assert sorted(enc.seen) == ["one", "two"]
        again = encode_cached(enc, ["two", "three"], store)
        assert sorted(enc.seen) == ["one", "three", "two"]
    np.testing.assert_allclose(first[1], again[0])
    np.testing.assert_allclose(first[0], first[2])
    with Store(tmp_path / "s.db") as store:  # a new process: still cached
        encode_cached(enc, ["one", "three"], store)
    assert sorted(enc.seen) == ["one", "three", "two"]


def test_without_store_and_empty_input():
    enc = CountingEncoder()
    assert encode_cached(enc, [], None).shape == (0, 3)
    assert encode_cached(enc, ["x"], None).shape == (1, 3)


def test_stored_vectors_are_the_same_bits_whatever_the_batches(tmp_path):
    """Units met in another order, a few at a time (the pair workers' on-demand units) or all at
    once (the encode stage's batches): the store keeps the same bits, so which worker or pair
    encodes a sentence first cannot change a score (25k planted: one passage 1e-4 apart)."""
    from sourcetrace.encode import get_encoder
    from sourcetrace.encode.vectors import _memo

    enc = get_encoder("use")
    texts = [f"Sentence {i} of the report says that {i * 37 % 101} families had left the town."
             for i in range(40)] + ["قالت الوزارة إن الأسر تلقت مساعدات.", "Yes."]
    stored = []
    for name, batches in (("once", [texts]), ("few", [texts[i:i + 3] for i in range(0, len(texts), 3)][::-1])):
        _memo.pop(enc.name, None)  # each store as a fresh process would fill it
        with Store(tmp_path / f"{name}.db") as store:
            for batch in batches:
                encode_cached(enc, batch, store)
            stored.append(dict(store.get_vectors(enc.name, [text_key(t) for t in texts])))
    assert stored[0].keys() == stored[1].keys() and len(stored[0]) == len(texts)
    assert all(stored[0][k] == stored[1][k] for k in stored[0])
