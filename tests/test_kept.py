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


def test_the_code_version_is_a_digest_of_the_source():
    assert len(kept.code_version()) == 40 and kept.code_version() == kept.code_version()
