import sqlite3

import numpy as np
import pytest

from sourcetrace.records import Document, Sentence, SourceFile
from sourcetrace.store import Store, StoreError, default_db_path


def _file(text="Hello world. Second sentence.", sha="a" * 64) -> SourceFile:
    return SourceFile(path="in/a.txt", text=text, encoding="utf-8", format="text", sha256=sha, size=len(text))


def _put(store: Store, key="/abs/in/a.txt", sha="a" * 64):
    source = _file(sha=sha)
    doc = Document("a#1", source.path, 0, len(source.text), "en", boilerplate=[(0, 5)])
    store.put_file(key, source, "s1", [doc], [Sentence("a#1", 0, 12, "en"), Sentence("a#1", 13, 29, "en")])


def test_round_trip(tmp_path):
    with Store(tmp_path / "s.db") as store:
        _put(store)
        (doc,) = store.documents()
        assert (doc.id, doc.path, doc.start, doc.end, doc.boilerplate) == ("a#1", "in/a.txt", 0, 29, [(0, 5)])
        assert [(s.start, s.end) for s in store.sentences("a#1")] == [(0, 12), (13, 29)]
        assert store.document_text("a#1") == "Hello world. Second sentence."
        assert store.counts() == {"files": 1, "documents": 1, "sentences": 2}


def test_document_labels_in_one_query_leave_out_unknown_ids(tmp_path):
    with Store(tmp_path / "s.db") as store:
        _put(store)
        found = store.document_labels(["a#1", "nope", "a#1"])
        doc = store.document("a#1")
        assert list(found) == ["a#1"] and found["a#1"] == (doc.id, doc.lang, doc.date, doc.title)
        assert store.document_labels([]) == {}


def test_keyset_pages_list_every_document_in_the_offset_pages_order(tmp_path):
    with Store(tmp_path / "s.db") as store:
        # two files under one path (read from two folders), one holding two documents
        for key, path, n in [("/x/b.txt", "b.txt", 1), ("/y/a.txt", "a.txt", 2), ("/z/a.txt", "a.txt", 1)]:
            text = "One. Two. Three."
            source = SourceFile(path=path, text=text, encoding="utf-8", format="text", sha256=key * 8, size=len(text))
            docs = [Document(f"{key}#{i}", path, 6 * i, 6 * i + 4, "en") for i in range(n)]
            store.put_file(key, source, "s1", docs, [Sentence(d.id, d.start, d.end, "en") for d in docs])
        listing = [d.id for d in store.documents_page(0, 10)]
        assert listing == ["/y/a.txt#0", "/y/a.txt#1", "/z/a.txt#0", "/x/b.txt#0"]
        pages, after = [], None
        while page := store.documents_after(after, 3 if after is None else 1):
            pages.append([d.id for d in page])
            after = page[-1].id
        assert pages == [listing[:3], listing[3:]]
        assert [d.id for d in store.documents_page(1, 2)] == listing[1:3]
        with pytest.raises(KeyError):
            store.documents_after("nope", 3)
        plan = " ".join(str(r) for r in store.conn.execute(
            "EXPLAIN QUERY PLAN " + store._LISTING + " WHERE (f.path, f.key, d.seq) > (?, ?, ?)"
            + store._LISTING_ORDER + " LIMIT 3", ("a", "b", 0)))
        assert "files_path" in plan and "TEMP B-TREE FOR ORDER BY" not in plan  # a seek, not a sort of all


@pytest.mark.parametrize(("asked", "expected"), [
    (["/y/a.txt", "/x/b.txt", "/z/a.txt"], ["/y/a.txt#0", "/y/a.txt#1", "/y/a.txt#2", "/x/b.txt#0", "/z/a.txt#0", "/z/a.txt#1"]),
    (["/z/a.txt", "/y/a.txt", "/z/a.txt"], ["/z/a.txt#0", "/z/a.txt#1", "/y/a.txt#0", "/y/a.txt#1", "/y/a.txt#2",
                                            "/z/a.txt#0", "/z/a.txt#1"]),
    (["/y/a.txt", "/nope"], ["/y/a.txt#0", "/y/a.txt#1", "/y/a.txt#2"])])
def test_the_documents_of_many_files_come_in_the_order_asked(tmp_path, monkeypatch, asked, expected):
    from sourcetrace.store import files

    with Store(tmp_path / "s.db") as store:
        for key, path, n in [("/x/b.txt", "b.txt", 1), ("/y/a.txt", "a.txt", 3), ("/z/a.txt", "a.txt", 2)]:
            text = "One. Two. Three."
            source = SourceFile(path=path, text=text, encoding="utf-8", format="text", sha256=key * 8, size=len(text))
            docs = [Document(f"{key}#{i}", path, 6 * (2 - i), 6 * (2 - i) + 4, "en") for i in range(n)]
            store.put_file(key, source, "s1", docs, [Sentence(d.id, d.start, d.end, "en") for d in docs])
        one_by_one = [d for key in asked for d in store.documents([key])]
        monkeypatch.setattr(files, "MANY_FILES", 2)  # the look-up below reads the store's documents in one pass
        assert list(store.documents(asked)) == one_by_one
        assert [d.id for d in one_by_one] == expected


def test_file_state_is_hash_and_settings(tmp_path):
    with Store(tmp_path / "s.db") as store:
        _put(store)
        # A file is current when both its hash and the reading settings match: ingest compares both.
        assert store.file_states() == {"/abs/in/a.txt": ("a" * 64, "s1")}


def test_rewrite_replaces_everything_of_the_file(tmp_path):
    with Store(tmp_path / "s.db") as store:
        _put(store)
        _put(store, sha="b" * 64)
        assert store.counts() == {"files": 1, "documents": 1, "sentences": 2}


def test_failed_write_leaves_previous_state(tmp_path):
    with Store(tmp_path / "s.db") as store:
        _put(store)
        source = _file(sha="c" * 64)
        docs = [Document("a#1", "in/a.txt", 0, 5, "en"), Document("a#1", "in/a.txt", 5, 9, "en")]  # duplicate id
        with pytest.raises(sqlite3.IntegrityError):
            store.put_file("/abs/in/a.txt", source, "s1", docs, [])
        assert store.file_states() == {"/abs/in/a.txt": ("a" * 64, "s1")}
        assert store.counts() == {"files": 1, "documents": 1, "sentences": 2}


def test_id_prefix_is_unique_across_files(tmp_path):
    with Store(tmp_path / "s.db") as store:
        _put(store)
        assert store.id_prefix("/abs/in/a.txt", "a", "a" * 64) == "a"
        assert store.id_prefix("/other/a.txt", "a", "d" * 64) == "a~dddddddd"
        assert store.id_prefix("/new/b.txt", "b", "e" * 64, taken={"b"}) == "b~eeeeeeee"


def test_id_prefix_of_copies_with_one_name_and_the_same_bytes(tmp_path):
    """Mirrored copies (same name, same bytes, other folders) each get their own prefix, whether
    the others are in the store or earlier in the same batch."""
    with Store(tmp_path / "s.db") as store:
        _put(store)  # /abs/in/a.txt owns "a"
        second = store.id_prefix("/y/a.txt", "a", "a" * 64)
        assert second == "a~aaaaaaaa"
        assert store.id_prefix("/z/a.txt", "a", "a" * 64, taken={second}) == "a~aaaaaaaa~2"
        assert store.id_prefix("/w/a.txt", "a", "a" * 64, taken={second, "a~aaaaaaaa~2"}) == "a~aaaaaaaa~3"


def test_one_file_that_cannot_be_stored_leaves_the_others_of_its_batch(tmp_path):
    with Store(tmp_path / "s.db") as store:
        _put(store)
        rows = []
        for name in "bcd":
            source = SourceFile(f"in/{name}.txt", "Some text.", "utf-8", "text", name * 64, 10)
            doc_id = "a#1" if name == "c" else f"{name}#1"  # c's document id is a's: refused
            rows.append((f"/abs/in/{name}.txt", source, "s1", [Document(doc_id, source.path, 0, 10, "en")],
                         [Sentence(doc_id, 0, 10, "en")]))
        failed = store.put_files(rows)
        assert list(failed) == ["/abs/in/c.txt"] and isinstance(failed["/abs/in/c.txt"], sqlite3.IntegrityError)
        assert sorted(store.file_states()) == ["/abs/in/a.txt", "/abs/in/b.txt", "/abs/in/d.txt"]
        assert store.counts() == {"files": 3, "documents": 3, "sentences": 4}


def test_name_files_gives_the_paths_given_now_and_keeps_them_distinct(tmp_path):
    with Store(tmp_path / "s.db") as store:
        for key in ("/abs/x/r.txt", "/abs/y/r.txt"):
            source = SourceFile("r.txt", "Some text.", "utf-8", "text", "a" * 64, 10)  # both read as "r.txt"
            store.put_file(key, source, "s1", [Document(f"{key[5]}#1", "r.txt", 0, 10, "en")], [])
        store.name_files({"/abs/y/r.txt": "r.txt", "/gone.txt": "gone.txt"})  # y given as r.txt: x moves away
        assert {d.id: d.path for d in store.documents()} == {"x#1": "/abs/x/r.txt", "y#1": "r.txt"}
        store.name_files({"/abs/x/r.txt": "x/r.txt", "/abs/y/r.txt": "y/r.txt"})
        assert {d.id: d.path for d in store.documents()} == {"x#1": "x/r.txt", "y#1": "y/r.txt"}
        assert store.file_info("/abs/y/r.txt")["path"] == "y/r.txt"


def test_the_sqlite_store_is_a_trace_store(tmp_path):
    from sourcetrace.store import TraceStore

    with Store(tmp_path / "s.db") as store:
        assert isinstance(store, TraceStore)


def test_vectors_cache(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.put_vectors("enc", [("k1", b"\x00\x01"), ("k2", b"\x02")])
        assert store.get_vectors("enc", ["k1", "k2", "k3"]) == {"k1": b"\x00\x01", "k2": b"\x02"}
        assert store.get_vectors("other", ["k1"]) == {}


def test_cached_ids_and_sizes_name_the_documents_with_data_of_that_version(tmp_path):
    with Store(tmp_path / "s.db") as store:
        source = _file()
        docs = [Document(f"d{i}", source.path, 0, 5, "en") for i in range(1, 6)]
        store.put_file("/abs/in/a.txt", source, "s1", docs, [])
        store.put_cached("votes", "v1", [("d1", b"x" * 10), ("d2", b"")])
        store.put_cached("votes", "v2", [("d3", b"y")])
        store.put_cached("topic", "v1", [("d4", b"z")])
        ids = [d.id for d in docs] * 300  # more than one query's chunk
        assert store.cached_ids("votes", "v1", ids) == {"d1", "d2"} == set(store.cached("votes", "v1", ids))
        assert store.cached_ids("votes", "v3", ids) == set()
        # Their sizes, the data unread (an empty one is there, of size 0).
        assert store.cached_sizes("votes", "v1") == {"d1": 10, "d2": 0}
        assert store.cached_sizes("votes", "v3") == {}
        # Put again (a rerun's tallies): the row's data and version are the new ones, the others kept.
        store.put_cached("votes", "v2", [("d1", b"new"), ("d5", b"e")])
        assert store.cached("votes", "v2", ids) == {"d1": b"new", "d3": b"y", "d5": b"e"}
        assert store.cached("votes", "v1", ids) == {"d2": b""} and store.cached("topic", "v1", ids) == {"d4": b"z"}


def test_the_count_of_stored_documents_without_a_kind_bounds_those_asked(tmp_path):
    """uncached_count: the stored documents without the kind's data of that version, so at least
    as many as lack it of any stored documents asked (engines/local.py votes_ahead reads no id
    when it is small); a row of a document no longer stored (foreign keys off) is not counted."""
    with Store(tmp_path / "s.db") as store:
        source = _file()
        docs = [Document(f"d{i}", source.path, 0, 5, "en") for i in range(1, 6)]
        store.put_file("/abs/in/a.txt", source, "s1", docs, [])
        store.put_cached("votes", "v1", [("d1", b"x"), ("d2", b"")])
        store.put_cached("votes", "v2", [("d3", b"y")])
        store.put_cached("topic", "v1", [("d4", b"z")])
        assert store.uncached_count("votes", "v1") == 3 and store.uncached_count("votes", "v2") == 4
        assert store.uncached_count("votes", "v3") == 5 and store.uncached_count("topic", "v1") == 4
        store.conn.execute("PRAGMA foreign_keys=OFF")
        store.conn.execute("INSERT INTO doc_cache (kind, doc, version, data) VALUES ('votes', 'gone', 'v1', x'00')")
        assert store.uncached_count("votes", "v1") == 3
        for asked in (["d1"], ["d3", "d4"], ["d1", "d2", "d3", "d4", "d5"]):
            assert len(set(asked) - store.cached_ids("votes", "v1", asked)) <= store.uncached_count("votes", "v1")


@pytest.mark.parametrize("asked", [["d1", "d2", "d3", "d4", "d5"], ["d1", "d2", "d5"], ["d2", "x", "d5", "d5"]])
def test_a_look_up_of_many_documents_answers_as_one_by_one(tmp_path, monkeypatch, asked):
    from sourcetrace.store import cache

    with Store(tmp_path / "s.db") as store:
        source = _file()
        docs = [Document(f"d{i}", source.path, 0, 5, "en") for i in range(1, 6)]
        store.put_file("/abs/in/a.txt", source, "s1", docs, [])
        store.put_cached("votes", "v1", [("d1", b"a"), ("d2", b""), ("d4", b"c"), ("d5", b"d")])
        store.put_cached("votes", "v2", [("d3", b"y")])
        store.put_cached("topic", "v1", [("d3", b"z")])
        one_by_one = (store.cached_ids("votes", "v1", asked), store.cached("votes", "v1", asked))
        monkeypatch.setattr(cache, "WHOLE_KIND", 2)  # every look-up above reads the kind in one pass
        assert (store.cached_ids("votes", "v1", asked), store.cached("votes", "v1", asked)) == one_by_one
        assert one_by_one[1] == {d: data for d, data in [("d1", b"a"), ("d2", b""), ("d4", b"c"), ("d5", b"d")]
                                 if d in asked}


def test_not_a_store_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a sourcetrace store"):
        Store(bad)


def test_default_db_path_honours_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCETRACE_DB", str(tmp_path / "x.db"))
    assert default_db_path() == tmp_path / "x.db"
    monkeypatch.delenv("SOURCETRACE_DB")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sourcetrace.db").touch()
    assert str(default_db_path()) == "sourcetrace.db"


def test_alignments_and_relations_are_stored_and_cascade(tmp_path):
    from sourcetrace.records import Passage, Relation

    with Store(tmp_path / "s.db") as store:
        _put(store)
        source = SourceFile("in/b.txt", "Other text here.", "utf-8", "text", "b" * 64, 16)
        store.put_file("/abs/in/b.txt", source, "s1", [Document("b#1", "in/b.txt", 0, 16, "en")], [])
        store.put_alignment("a#1", "b#1", "cfg", [Passage("a#1", 0, 5, "b#1", 0, 5, "verbatim", 1.0)])
        assert store.aligned("cfg") == {("a#1", "b#1")}
        assert store.aligned("other") == set()
        assert len(store.passages(["b#1"])) == 1
        assert store.documents_with_passages(["b#1", "a#1", "c#1"]) == {"a#1", "b#1"}
        store.put_relations(["a#1", "b#1"], [Relation("a#1", "b#1", "copy", 0.9, 0.8, 0.95, source="a#1",
                                                      evidence=["word for word"], passages=1)])
        (rel,) = store.relations("b#1")
        assert (rel.type, rel.source, rel.evidence) == ("copy", "a#1", ["word for word"])
        store.put_relations(["a#1", "b#1"], [])  # recomputed: nothing left
        assert store.relations() == []
        # Re-reading a file drops what was known of its documents.
        store.put_alignment("a#1", "b#1", "cfg", [Passage("a#1", 0, 5, "b#1", 0, 5, "verbatim", 1.0)])
        _put(store, sha="f" * 64)
        assert store.passages() == [] and store.aligned("cfg") == set()
        assert store.documents_with_passages(["a#1", "b#1"]) == set()


def test_a_pairs_alignment_is_read_back_under_its_settings_either_way_round_and_gone_once_a_file_changes(tmp_path):
    from sourcetrace.records import Passage

    with Store(tmp_path / "s.db") as store:
        _put(store)
        source = SourceFile("in/b.txt", "Other text here.", "utf-8", "text", "b" * 64, 16)
        store.put_file("/abs/in/b.txt", source, "s1", [Document("b#1", "in/b.txt", 0, 16, "en")], [])
        found = [Passage("a#1", 6, 9, "b#1", 0, 5, "paraphrase", 0.7), Passage("a#1", 0, 5, "b#1", 6, 9, "verbatim", 1.0)]
        assert store.alignment("a#1", "b#1", "cfg") is None  # never aligned
        store.put_alignment("a#1", "b#1", "cfg", found)
        assert store.alignment("a#1", "b#1", "cfg") == (found, True)  # as stored, in its order
        assert store.alignment("b#1", "a#1", "cfg") == (found, False)  # stored the other way round
        assert store.alignment("a#1", "b#1", "other") is None  # other settings: not this alignment
        store.put_alignment("a#1", "b#1", "cfg", [])  # aligned, nothing shared: an answer too
        assert store.alignment("a#1", "b#1", "cfg") == ([], True)
        _put(store, sha="f" * 64)  # a's file read again: its alignments are gone
        assert store.alignment("a#1", "b#1", "cfg") is None


def test_put_relations_writes_only_the_difference(tmp_path):
    from sourcetrace.records import Relation

    with Store(tmp_path / "s.db") as store:
        for name in "abc":
            source = SourceFile(f"in/{name}.txt", "Some text.", "utf-8", "text", name * 64, 10)
            store.put_file(f"/abs/in/{name}.txt", source, "s1", [Document(f"{name}#1", f"in/{name}.txt", 0, 10, "en")],
                           [])
        ab = Relation("a#1", "b#1", "copy", 0.9, 0.8, 0.95, source="a#1", evidence=["word for word"], passages=1)
        bc = Relation("b#1", "c#1", "related", 0.1, 0.1, 0.5, evidence=["same topic"])
        ids = ["a#1", "b#1", "c#1"]
        assert store.put_relations(ids, [ab, bc]) == 2
        assert store.put_relations(ids, [ab, bc]) == 0  # nothing changed: nothing written
        ac = Relation("a#1", "c#1", "derived", 0.6, 0.3, 0.9, source="a#1", evidence=["quotes"], passages=2)
        bc2 = Relation("b#1", "c#1", "related", 0.2, 0.1, 0.5, evidence=["some shared text"], passages=1)
        assert store.put_relations(ids, [bc2, ac]) == 3  # ab gone, bc changed, ac new
        assert [(r.a, r.b, r.type, r.coverage_a) for r in store.relations()] == [
            ("a#1", "c#1", "derived", 0.6), ("b#1", "c#1", "related", 0.2)]
        touching = store.relations_touching(["c#1", "a#1", "nope", "c#1"])  # one query, as relations() each
        assert touching == {d: store.relations(d) for d in ("a#1", "c#1", "nope")}
        # Relations with a document outside `doc_ids` are left alone.
        assert store.put_relations(["a#1", "b#1"], []) == 0
        assert len(store.relations()) == 2


def test_relations_of_a_document_not_stored_fail_as_sqlite_s_foreign_keys_do_and_write_nothing(tmp_path):
    """put_relation_rows checks the rows' documents itself, with SQLite's own check off for its
    write (a check a row was half a fresh trace's INSERT): the same error, nothing written, the
    connection's foreign keys on again after."""
    from sourcetrace.records import Relation

    with Store(tmp_path / "s.db") as store:
        for name in "ab":
            source = SourceFile(f"in/{name}.txt", "Some text.", "utf-8", "text", name * 64, 10)
            store.put_file(f"/abs/in/{name}.txt", source, "s1", [Document(f"{name}#1", f"in/{name}.txt", 0, 10, "en")],
                           [])
        ab = Relation("a#1", "b#1", "copy", 0.9, 0.8, 0.95, source="a#1", evidence=["word for word"], passages=1)
        assert store.put_relations(["a#1", "b#1"], [ab]) == 1
        for stray in (Relation("a#1", "z#1", "related", 0.1, 0.1, 0.5), Relation("y#1", "b#1", "related", 0.1, 0.1, 0.5)):
            with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
                store.put_relations(["a#1", "b#1", stray.a, stray.b], [ab, stray])
            assert store.relations() == [ab]
            assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        store.conn.execute("PRAGMA foreign_keys=OFF")  # a connection without them: none checked, none turned on
        assert store.put_relations(["a#1", "b#1", "z#1"], [ab, Relation("a#1", "z#1", "related", 0.1, 0.1, 0.5)]) == 1
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 0


def test_a_bulk_write_of_relations_builds_their_index_again_and_keeps_the_rest(tmp_path, monkeypatch):
    """Most of the table new: the index on b is dropped and built again in the same transaction
    (store/results.py); the rows are those written, the index is there and used, older relations stay."""
    from sourcetrace.records import Relation
    from sourcetrace.store import results

    monkeypatch.setattr(results, "_BULK_ROWS", 3)
    with Store(tmp_path / "s.db") as store:
        names = [f"d{i}" for i in range(8)]
        for name in names:
            source = SourceFile(f"in/{name}.txt", "Some text.", "utf-8", "text", name * 32, 10)
            store.put_file(f"/abs/in/{name}.txt", source, "s1", [Document(f"{name}#1", f"in/{name}.txt", 0, 10, "en")],
                           [])
        ids = [f"{n}#1" for n in names]
        old = Relation(ids[0], ids[1], "copy", 0.9, 0.8, 0.95, source=ids[0], evidence=["word for word"], passages=1)
        assert store.put_relations(ids[:2], [old]) == 1  # one row: kept up row by row
        many = [Relation(a, b, "related", 0.1, 0.2, 0.5, evidence=["same topic"])
                for i, b in enumerate(ids[2:]) for a in reversed(ids[2:2 + i])]  # not in key order
        assert store.put_relations(ids[2:], many) == len(many)
        assert store.relations() == sorted([old, *many], key=lambda r: (r.a, r.b))
        assert store.relations(ids[5]) == sorted([r for r in many if ids[5] in (r.a, r.b)], key=lambda r: (r.a, r.b))
        plan = " ".join(row[-1] for row in store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT a FROM relations WHERE b=?", (ids[5],)))
        assert "relations_b" in plan
        assert store.put_relations(ids[2:], many) == 0


def test_a_lock_beside_the_store_is_held_by_one_holder_at_a_time(tmp_path):
    from sourcetrace.store.locks import held, lock_path

    path = lock_path(tmp_path / "s.db", "jobs")
    assert path == tmp_path / "s.db.jobs.lock"
    with held(path) as first:
        assert first
        with held(path, wait=False) as second:  # another open of the file: another holder
            assert not second
    with held(path, wait=False) as again:  # released when the block ended
        assert again


def test_sentence_counts_in_one_query(tmp_path):
    from sourcetrace.engines.ingest import ingest

    (tmp_path / "a.txt").write_text("The council met today. It agreed on a plan.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Rain fell.\n", encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        assert store.sentence_counts() == {d.id: len(store.sentences(d.id)) for d in docs}
        assert sorted(store.sentence_counts().values()) == [1, 2]


@pytest.mark.parametrize("asked", [["/x/b.txt#0", "/y/a.txt#1", "/y/a.txt#0"], ["/y/a.txt#2", "nope", "/x/b.txt#0"]])
def test_sentences_files_and_texts_of_many_documents_answer_as_one_by_one(tmp_path, monkeypatch, asked):
    from sourcetrace.store import files

    with Store(tmp_path / "s.db") as store:
        for key, n in [("/x/b.txt", 1), ("/y/a.txt", 3)]:
            text = f"One. Two. Three. {key}"
            source = SourceFile(path=key, text=text, encoding="utf-8", format="text", sha256=key * 8, size=len(text))
            docs = [Document(f"{key}#{i}", key, 0, len(text), "en") for i in range(n)]
            store.put_file(key, source, "s1", docs, [Sentence(d.id, s, s + 4, "en") for d in docs for s in (0, 5, 10)])
        one_by_one = {d: store.sentences(d) for d in asked}
        assert store.sentences_of(asked) == one_by_one
        monkeypatch.setattr(files, "MANY_FILES", 2)  # the look-up below reads the sentences table in one pass
        assert store.sentences_of(asked) == one_by_one
        assert [s.start for s in one_by_one[asked[0]]] == [0, 5, 10]
        known = [d for d in asked if d != "nope"]
        assert store.document_files(asked) == {d: store.file_of(d) for d in known}
        assert store.file_texts([*store.document_files(asked).values(), "/nope"]) == {
            store.file_of(d): store.document_text(d) for d in known}


def test_a_corpus_result_put_again_is_the_new_one(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.put_corpus_cached("neighbours", "v1", b"old")
        store.put_corpus_cached("ballots", "v1", b"kept")
        store.put_corpus_cached("neighbours", "v2", b"new")
        assert store.corpus_cached("neighbours", "v2") == b"new" and store.corpus_cached("neighbours", "v1") is None
        assert store.corpus_cached("ballots", "v1") == b"kept"


def _stores_with_documents(tmp_path, n: int):
    store = Store(tmp_path / "s.db")
    names = [f"d{i}" for i in range(n)]
    for name in names:
        source = SourceFile(f"in/{name}.txt", "Some text.", "utf-8", "text", name * (64 // len(name) + 1), 10)
        store.put_file(f"/abs/in/{name}.txt", source, "s1", [Document(f"{name}#1", f"in/{name}.txt", 0, 10, "en")], [])
    return store, [f"{n}#1" for n in names]


def _table(store: Store) -> list[tuple]:
    return store.conn.execute("SELECT * FROM relations ORDER BY a, b").fetchall()


def _reference(table: list[tuple], ids: set[str], new: list[tuple]) -> tuple[int, list[tuple]]:
    """What a write of relation rows does, read off the table (the code before the kept columns):
    how many rows change, and the table after."""
    rows = {(r[0], r[1]): r for r in new}
    stored = {(r[0], r[1]): r for r in table if r[0] in ids and r[1] in ids}
    gone = [k for k in stored if k not in rows]
    changed = [r for k, r in rows.items() if stored.get(k) != r]
    after = {(r[0], r[1]): r for r in table if (r[0], r[1]) not in gone}
    after.update(rows)
    return len(gone) + len(changed), sorted(after.values())


def _column_rows(rows: list[tuple], rng, ordered: bool):
    """``rows`` as :class:`ColumnRows`: those of the topic relations' shape (a score, "related",
    no source, coverages 0.0, no passages) in columns, in their order when ``ordered`` (as a trace
    gives them), the others as records at their places."""
    from sourcetrace.store.results import ColumnRows

    names = sorted({x for r in rows for x in r[:2]})
    code = {n: i for i, n in enumerate(names)}
    rests: dict[tuple, int] = {}
    positions, records, a, b, scores, which = [], [], [], [], [], []
    last = -1
    for i, r in enumerate(rows):
        key = code[r[0]] * len(names) + code[r[1]]
        columned = (r[2], r[3], r[4], r[5], r[7]) == ("related", None, 0.0, 0.0, 0) and type(r[6]) is float
        if columned and (not ordered or key > last) and rng.random() < 0.8:
            last = key if ordered else last
            a.append(code[r[0]])
            b.append(code[r[1]])
            scores.append(r[6])
            which.append(rests.setdefault((*r[2:6], r[7], r[8]), len(rests)))
        else:
            positions.append(i)
            records.append(r)
    return ColumnRows(records, np.array(positions, dtype=np.int64), names, np.array(a, dtype=np.int64),
                      np.array(b, dtype=np.int64), np.array(scores, dtype=np.float64), list(rests),
                      np.array(which, dtype=np.int64))


@pytest.mark.parametrize("form", ["tuples", "columns in order", "columns"])
def test_relation_rows_compared_with_the_kept_columns_write_what_reading_the_table_would(tmp_path, form):
    """Random writes over random subsets of documents, one after another: each changes the rows the
    table read back says it should, and leaves the table as that would (kept columns or not). The
    rows given as tuples, or as ColumnRows (most of the topic relations' shape in columns, in a
    trace's pair order or not; a pair given twice, a count as a float: the table read back)."""
    import random

    from sourcetrace.store.results import relation_rows
    from sourcetrace.store.schema import RELATIONS_KEPT

    rng = random.Random(5)
    store, ids = _stores_with_documents(tmp_path, 12)
    with store:
        kept_used = 0
        for step in range(60):
            among = set(rng.sample(ids, rng.randint(2, len(ids))))
            members = sorted(among)
            rows = []
            for _ in range(rng.randint(0, 25)):
                a, b = sorted(rng.sample(members, 2))
                score = rng.choice([0.5, 0.25, 0.75, rng.random()])
                if rng.random() < 0.5:  # a topic relation's shape
                    rows.append((a, b, "related", None, 0.0, 0.0, score, 0, rng.choice(['["t 0.50"]', '["t 0.25"]'])))
                    continue
                rows.append((a, b, rng.choice(["related", "copy"]), rng.choice([None, a]), rng.choice([0.0, 0.5]),
                             0.0, score, rng.choice([0, 1, 2]), rng.choice(['["x"]', '["y"]', '["é"]'])))
            if form != "tuples":  # a trace's: each pair once, in order
                rows = sorted({r[:2]: r for r in rows}.values())
            if step % 17 == 16:  # a count given as a float: not in columns, the table read
                rows.append((members[0], members[1], "related", None, 0.0, 0.0, 0.5, 1.0, '["x"]'))
            if form == "tuples" or step % 3 == 0:
                rows += rows[:2]  # a pair given twice: the last one kept
            if step % 19 == 18:  # the kept columns gone: the table read back
                store.conn.execute("DELETE FROM corpus_cache WHERE kind=?", (RELATIONS_KEPT,))
            given = rows if form == "tuples" else _column_rows(rows, rng, ordered=form == "columns in order")
            if form != "tuples":
                assert given.tolist() == rows and [given[i] for i in range(len(rows))] == rows
            kept = store.conn.execute("SELECT 1 FROM corpus_cache WHERE kind=?", (RELATIONS_KEPT,)).fetchone()
            kept_used += kept is not None
            expected, after = _reference(_table(store), among, rows)
            assert store.put_relation_rows(members, given) == expected
            assert _table(store) == after
        assert kept_used > 40
        rel = store.relations()
        assert relation_rows(rel) == _table(store)


@pytest.mark.parametrize("change", [
    "UPDATE relations SET score = score + 0.125 WHERE a = 'd0#1' AND b = 'd1#1'",
    "DELETE FROM relations WHERE a = 'd0#1'",
    "INSERT INTO relations VALUES ('d2#1', 'd3#1', 'related', NULL, 0.0, 0.0, 0.5, 0, '[]')",
    "DELETE FROM documents WHERE id = 'd1#1'",  # its relations go with it (a cascade)
])
def test_a_write_to_the_relations_table_elsewhere_drops_the_kept_columns(tmp_path, change):
    """Another writer (SQL, a document removed) changes the table: the next write reads it back
    and puts back what it changed; were the kept columns trusted, it would write nothing."""
    from sourcetrace.store.schema import RELATIONS_KEPT

    store, ids = _stores_with_documents(tmp_path, 4)
    with store:
        rows = [("d0#1", "d1#1", "copy", "d0#1", 0.9, 0.8, 0.95, 1, '["w"]'),
                ("d0#1", "d2#1", "related", None, 0.0, 0.0, 0.5, 0, '["t"]'),
                ("d1#1", "d3#1", "related", None, 0.0, 0.0, 0.625, 0, '["t"]')]
        assert store.put_relation_rows(ids, rows) == 3
        assert store.put_relation_rows(ids, rows) == 0
        store.conn.execute(change)
        assert store.conn.execute("SELECT 1 FROM corpus_cache WHERE kind=?", (RELATIONS_KEPT,)).fetchone() is None
        if "documents" in change:  # read again: its two relations are not in the table
            source = SourceFile("in/d1.txt", "Some text.", "utf-8", "text", "d1" * 33, 10)
            store.put_file("/abs/in/d1.txt", source, "s1", [Document("d1#1", "in/d1.txt", 0, 10, "en")], [])
        expected, after = _reference(_table(store), set(ids), rows)
        assert expected > 0
        assert store.put_relation_rows(ids, rows) == expected
        assert _table(store) == after == sorted(rows)
        assert store.put_relation_rows(ids, rows) == 0


def test_a_store_made_before_the_kept_columns_gains_them_and_its_triggers(tmp_path):
    """A store whose relations were written by older code (no kept columns, no triggers) is read back
    once; the write after that compares with the columns."""
    from sourcetrace.store.schema import RELATIONS_KEPT, RELATIONS_TRIGGERS

    store, ids = _stores_with_documents(tmp_path, 3)
    with store:
        for name in RELATIONS_TRIGGERS:
            store.conn.execute(f"DROP TRIGGER {name}")
        store.conn.execute("INSERT INTO relations VALUES ('d0#1', 'd1#1', 'related', NULL, 0.0, 0.0, 0.5, 0, '[]')")
    with Store(tmp_path / "s.db") as store:
        names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
        assert names >= set(RELATIONS_TRIGGERS)
        row = ("d1#1", "d2#1", "related", None, 0.0, 0.0, 0.5, 0, '[]')
        assert store.put_relation_rows(ids, [row]) == 2
        assert store.conn.execute("SELECT 1 FROM corpus_cache WHERE kind=?", (RELATIONS_KEPT,)).fetchone()
        assert store.put_relation_rows(ids, [row]) == 0
        assert _table(store) == [row]


def test_damaged_kept_columns_are_not_trusted_the_table_is_read_back(tmp_path):
    """Kept columns that cannot be read (damaged, or marshal's format of another Python) make the
    write read the table back, as with none, rather than fail the trace."""
    from sourcetrace.store.schema import RELATIONS_KEPT

    store, ids = _stores_with_documents(tmp_path, 3)
    with store:
        rows = [("d0#1", "d1#1", "copy", "d0#1", 0.9, 0.8, 0.95, 1, '["w"]'),
                ("d1#1", "d2#1", "related", None, 0.0, 0.0, 0.5, 0, '["t"]')]
        assert store.put_relation_rows(ids, rows) == 2
        for damaged in (b"not marshal", b"", __import__("marshal").dumps(([], [], b"\0" * 5, b"\0" * 8))):
            with store.conn:
                store.conn.execute("UPDATE corpus_cache SET data=? WHERE kind=?", (damaged, RELATIONS_KEPT))
            changed = [rows[0], rows[1][:6] + (0.625,) + rows[1][7:]]
            expected, after = _reference(_table(store), set(ids), changed)
            assert store.put_relation_rows(ids, changed) == expected == 1
            assert _table(store) == after
            rows = [rows[0], changed[1][:6] + (0.5,) + changed[1][7:]]
            assert store.put_relation_rows(ids, rows) == 1
