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
