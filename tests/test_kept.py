import sys

import numpy as np

from sourcetrace.engines import kept
from sourcetrace.records import Relation
from sourcetrace.store.sqlite import Store


def test_a_kept_result_is_given_back_only_under_its_key_and_code(tmp_path, monkeypatch):
    rel = Relation("a", "b", "copy", 0.9, 0.8, 0.97, source="a", evidence=["word for word"], passages=2)
    key = kept.digest(["a's file", {"id": "a"}], ["b's file", {"id": "b"}], [["a", 0, 10, "b", 0, 10, "verbatim", 1.0]])
    with Store(tmp_path / "s.db") as store:
        first = kept.KeptPairs(store, "relation of pair")
        assert first.get(("a", "b"), key) == (False, None)
        first.put(("a", "b"), key, kept.row_of(rel))
        first.put(("a", "c"), b"some key", None)  # no relation: kept too
        first.save(store)

        again = kept.KeptPairs(store, "relation of pair")
        hit, row = again.get(("a", "b"), key)
        assert hit and Relation(*row) == rel
        assert again.get(("a", "c"), b"some key") == (True, None)
        assert again.get(("a", "b"), bytes([key[0] ^ 1]) + key[1:]) == (False, None)
        again.save(store)
        third = kept.KeptPairs(store, "relation of pair")
        assert third.get(("a", "b"), key)[0]
        third.save(store)  # only what a run asked is kept: ("a", "c") is dropped
        assert kept.KeptPairs(store, "relation of pair").get(("a", "c"), b"some key") == (False, None)

        monkeypatch.setattr(kept, "code_version", lambda: "changed code")
        assert kept.KeptPairs(store, "relation of pair").get(("a", "b"), key) == (False, None)


def test_a_result_marshal_would_not_give_back_equal_is_not_kept(tmp_path):
    with Store(tmp_path / "s.db") as store:
        pairs = kept.KeptPairs(store, "fact diffs of pair")
        pairs.put(("a", "b"), b"k", [["a", 1, 2, "b", 3, 4, "number", "same", np.float64(5), 5.0]])  # kept as bytes
        pairs.put(("a", "c"), b"k", [["a", 1, 2, "c", 3, 4, "number", "changed", 5, 6.5]])
        pairs.put(("a", "d"), b"k", [["a", 1, 2, "d", 3, 4, "date", "same", ("2020", 6), float("nan")]])
        pairs.put(("a", "e"), b"k", [["a", 1, 2, "e", 3, 4, "date", "same", ("2020", 6), ("2020", 6)]])  # tuples
        pairs.save(store)
        later = kept.KeptPairs(store, "fact diffs of pair")
        assert later.get(("a", "b"), b"k") == (False, None)
        assert later.get(("a", "c"), b"k") == (True, [["a", 1, 2, "c", 3, 4, "number", "changed", 5, 6.5]])
        assert later.get(("a", "d"), b"k") == (False, None)
        hit, got = later.get(("a", "e"), b"k")
        assert hit and got == [["a", 1, 2, "e", 3, 4, "date", "same", ("2020", 6), ("2020", 6)]]
        assert type(got[0][8]) is tuple


def test_a_key_is_the_same_for_the_same_parts_and_differs_for_any_other():
    """marshal's format 2 writes no back-reference: a string interned (or held twice) keys as a
    fresh copy of it does; a float differs from the int of its value, and -0.0 from 0.0."""
    shared = sys.intern("shared text")
    parts = [shared, shared, {"id": shared, "n": 1}, [["a", 0, 10, 0.5]], True]
    copy = ["shared " + "text", "shared text", {"id": "shared text", "n": 1}, [["a", 0, 10, 0.5]], True]
    assert kept.digest(*parts) == kept.digest(*copy)
    assert len({kept.digest(x) for x in (1, 1.0, True, 0.0, -0.0, "1", b"1", None, [1], (1,))}) == 10
    assert kept.digest({1}) == kept.digest({1}) and kept.digest(object) != kept.digest(int)  # by JSON or repr


def test_pairs_kept_read_back_whatever_their_ids_and_results_hold(tmp_path):
    """Ids and results holding tabs, newlines and other scripts come back as they were put, those
    read back written again as they were, and a blob of another layout (JSON, lines: the layouts
    before) or cut short is read as nothing kept."""
    odd = ("a\tb\nc", "د\u2028e")
    result = [[0, 4, "name", "same", "x\ty\n", "«نص»"]]
    with Store(tmp_path / "s.db") as store:
        first = kept.KeptPairs(store, "fact diffs of pair")
        first.put(odd, b"k1", result)
        first.put(("b", "c"), b"k2", [])
        first.save(store)
        again = kept.KeptPairs(store, "fact diffs of pair")
        assert again.get(odd, b"k1") == (True, result) and again.get(("b", "c"), b"k2") == (True, [])
        again.save(store)
        assert kept.KeptPairs(store, "fact diffs of pair").get(odd, b"k1") == (True, result)
        blob = store.corpus_cached("fact diffs of pair", kept.code_version())
        for other in (b'{"a\\tb": ["k", []]}', b'["b\\tc", "k2"]\t[]', blob[:-3]):
            store.put_corpus_cached("fact diffs of pair", kept.code_version(), other)
            assert kept.KeptPairs(store, "fact diffs of pair").get(("b", "c"), b"k2") == (False, None)


def test_the_code_version_is_a_digest_of_the_source():
    assert len(kept.code_version()) == 40 and kept.code_version() == kept.code_version()
