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
        first.put(("a", "c"), "some key", None)  # no relation: kept too
        first.save(store)

        again = kept.KeptPairs(store, "relation of pair")
        hit, row = again.get(("a", "b"), key)
        assert hit and Relation(*row) == rel
        assert again.get(("a", "c"), "some key") == (True, None)
        assert again.get(("a", "b"), key.replace(key[0], "x" if key[0] != "x" else "y", 1)) == (False, None)
        again.save(store)
        third = kept.KeptPairs(store, "relation of pair")
        assert third.get(("a", "b"), key)[0]
        third.save(store)  # only what a run asked is kept: ("a", "c") is dropped
        assert kept.KeptPairs(store, "relation of pair").get(("a", "c"), "some key") == (False, None)

        monkeypatch.setattr(kept, "code_version", lambda: "changed code")
        assert kept.KeptPairs(store, "relation of pair").get(("a", "b"), key) == (False, None)


def test_a_result_json_would_not_give_back_equal_is_not_kept(tmp_path):
    with Store(tmp_path / "s.db") as store:
        pairs = kept.KeptPairs(store, "fact diffs of pair")
        pairs.put(("a", "b"), "k", [["a", 1, 2, "b", 3, 4, "date", "same", ("2020", 6), ("2020", 6)]])  # tuples
        pairs.put(("a", "c"), "k", [["a", 1, 2, "c", 3, 4, "number", "changed", 5, 6.5]])
        pairs.save(store)
        later = kept.KeptPairs(store, "fact diffs of pair")
        assert later.get(("a", "b"), "k") == (False, None)
        assert later.get(("a", "c"), "k") == (True, [["a", 1, 2, "c", 3, 4, "number", "changed", 5, 6.5]])


def test_pairs_kept_as_lines_read_back_whatever_their_ids_and_results_hold(tmp_path):
    """A pair a line (engines/kept.py): ids and results holding tabs, newlines and other scripts
    come back as they were put, those read back written again as they were, and a blob that is no
    such lines is read as nothing kept."""
    odd = ("a\tb\nc", "د\u2028e")
    result = [[0, 4, "name", "same", "x\ty\n", "«نص»"]]
    with Store(tmp_path / "s.db") as store:
        first = kept.KeptPairs(store, "fact diffs of pair")
        first.put(odd, "k1", result)
        first.put(("b", "c"), "k2", [])
        first.save(store)
        again = kept.KeptPairs(store, "fact diffs of pair")
        assert again.get(odd, "k1") == (True, result) and again.get(("b", "c"), "k2") == (True, [])
        again.save(store)
        assert kept.KeptPairs(store, "fact diffs of pair").get(odd, "k1") == (True, result)
        store.put_corpus_cached("fact diffs of pair", kept.code_version(), b'{"a\\tb": ["k", []]}')
        assert kept.KeptPairs(store, "fact diffs of pair").get(("a", "b"), "k") == (False, None)


def test_the_code_version_is_a_digest_of_the_source():
    assert len(kept.code_version()) == 40 and kept.code_version() == kept.code_version()
