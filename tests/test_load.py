"""engines/load.py and store/loading.py: a run's outputs into a store, in one transaction. The
store then holds what the outputs say (whatever layout they came in), and a load that fails or is
interrupted leaves the store as it was."""

from __future__ import annotations

import json
import sqlite3

import pytest

from export_samples import TEXTS, sample_tables
from sourcetrace.engines.load import LoadError, load
from sourcetrace.engines.local import Progress
from sourcetrace.engines.stored import stored_tables
from sourcetrace.outputs import write_jsonl, write_texts
from sourcetrace.records import Document, Sentence
from sourcetrace.store import Store
from sourcetrace.store.files import file_key
from spark_layout import spark_layout

NAMES = ("documents", "sentences", "passages", "relations", "families")
MIXED = "The council met. قال المجلس إن السيادة مهمة جدا في هذا الشأن.\n"


def _jsonl_set(out, texts=True, tables=None):
    tables = tables or sample_tables()
    out.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        write_jsonl(out / f"{name}.jsonl", (r.to_json() for r in getattr(tables, name)))
    if texts:
        write_texts(out, TEXTS)
    return out


def _snapshot(db):
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _table_json(tables, names=NAMES):
    return {name: sorted(json.dumps(r.to_json(), sort_keys=True) for r in getattr(tables, name)) for name in names}


def test_the_store_holds_what_the_outputs_say(tmp_path):
    src = _jsonl_set(tmp_path / "out")
    with Store(tmp_path / "s.db") as store:
        report = load(src, store)
        assert report.counts == {"files": 3, "documents": 3, "sentences": 5, "passages": 3, "relations": 2}
        records = NAMES[:-1]  # the sample's family is named by hand; the store computes its own
        assert _table_json(stored_tables(store), records) == _table_json(sample_tables(), records)
        assert store.document_text("ar#1") == TEXTS["statement_ar.txt"]
        assert [(s.start, s.lang) for s in store.sentences("en#1")] == [(0, "en"), (25, "en")]
        rel = store.relations("report#1")[0]
        assert (rel.type, rel.source, rel.passages) == ("derived", "en#1", 1)
        assert store.file_info(file_key("report.txt"))["path"] == "report.txt"


@pytest.mark.parametrize("layout", ["json", "gz", "parquet"])
def test_part_files_load_as_the_json_lines_do(tmp_path, layout):
    src = _jsonl_set(tmp_path / "out")
    spark = spark_layout(src, tmp_path / "spark", layout, parts=4, seed=3)
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        load(src, a)
        load(spark, b)
        assert _table_json(stored_tables(b)) == _table_json(stored_tables(a))
        for doc in ("en#1", "ar#1", "report#1"):  # numbered in offset order, whatever the parts' order
            assert b.sentences(doc) == a.sentences(doc)
        assert list(b.documents()) == list(a.documents())


def test_sentence_languages_are_read_from_their_text(tmp_path):
    text = MIXED
    tables = sample_tables()
    tables.documents = [Document("mixed#1", "mixed.txt", 0, len(text) - 1, "en")]
    first = text.index(".") + 1
    tables.sentences = [Sentence("mixed#1", 0, first), Sentence("mixed#1", first + 1, len(text) - 1)]
    tables.passages, tables.relations, tables.families = [], [], []
    src = _jsonl_set(tmp_path / "out", texts=False, tables=tables)
    write_texts(src, {"mixed.txt": text})
    with Store(tmp_path / "s.db") as store:
        load(src, store)
        assert [s.lang for s in store.sentences("mixed#1")] == ["en", "ar"]


def test_loading_again_replaces_the_files(tmp_path):
    src = _jsonl_set(tmp_path / "out")
    with Store(tmp_path / "s.db") as store:
        load(src, store)
        load(src, store)
        assert store.counts() == {"files": 3, "documents": 3, "sentences": 5}
        assert len(store.passages()) == 3 and len(store.relations()) == 2


def test_without_texts_the_files_are_read_again(tmp_path, monkeypatch):
    src = _jsonl_set(tmp_path / "out", texts=False)
    for path, text in TEXTS.items():
        (tmp_path / path).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the documents' paths are relative, as trace was given them
    with Store(tmp_path / "s.db") as store:
        report = load(src, store)
        assert sorted(report.read_again) == sorted(TEXTS)
        assert store.document_text("report#1") == TEXTS["report.txt"]


def _break(src, name, edit):
    path = src / f"{name}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    edit(rows)
    write_jsonl(path, rows)


@pytest.mark.parametrize(("name", "edit", "message"), [
    ("passages", lambda rows: rows[-1].update(b="nope#1"),
     r"passages.jsonl:3: the passage names document nope#1, which is not in the documents table"),
    ("relations", lambda rows: rows.append({**rows[0], "a": "ghost#1"}),
     r"relations.jsonl:3: the relation names document ghost#1"),
    ("relations", lambda rows: rows[0].update(source="report#1"), r"source report#1 is neither"),
    ("sentences", lambda rows: rows[0].update(doc="ghost#1"), "sentences: document ghost#1 is not in the documents"),
    ("sentences", lambda rows: rows[-1].update(end=10_000), r"sentences: \[\d+, 10000\) of document report#1 is outside"),
    ("documents", lambda rows: rows[0].update(end=10_000), r"document en#1: its span \[0, 10000\) ends beyond"),
    ("documents", lambda rows: rows.append(rows[0]), "document en#1 is given twice"),
    ("texts", lambda rows: rows.append(rows[0]), "statement_en.txt: its text is given twice"),
    ("relations", lambda rows: rows.append({"a": 1}), r"relations.jsonl:3: not a record of this table"),
])
def test_a_malformed_set_leaves_the_store_as_it_was(tmp_path, name, edit, message):
    db = tmp_path / "s.db"
    with Store(db) as store:  # a store that already holds a run, loaded from elsewhere
        load(_jsonl_set(tmp_path / "first"), store)
    before = _snapshot(db)
    src = _jsonl_set(tmp_path / "out")
    _break(src, name, edit)
    with Store(db) as store, pytest.raises(LoadError, match=message):
        load(src, store)
    assert _snapshot(db) == before


def test_a_document_of_another_file_is_a_conflict(tmp_path):
    db = tmp_path / "s.db"
    with Store(db) as store:
        load(_jsonl_set(tmp_path / "first"), store)
    before = _snapshot(db)
    tables = sample_tables()  # another run that gave the same id to a document of another file
    tables.documents = [Document("en#1", "elsewhere.txt", 0, 10, "en")]
    tables.sentences = [Sentence("en#1", 0, 10)]
    tables.passages, tables.relations = [], []
    src = _jsonl_set(tmp_path / "out", texts=False, tables=tables)
    write_texts(src, {"elsewhere.txt": TEXTS["statement_en.txt"]})
    with Store(db) as store, pytest.raises(LoadError, match=r"document en#1 is already in the store, from another "
                                                            r"file \(statement_en.txt\)"):
        load(src, store)
    assert _snapshot(db) == before


def test_missing_tables_and_texts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = _jsonl_set(tmp_path / "out", texts=False)
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(LoadError, match="report.txt: its text is not in .* and the file cannot be read here"):
            load(src, store)
        (src / "relations.jsonl").unlink()
        with pytest.raises(LoadError, match=r"no relations table there \(relations.jsonl, relations/ part files"):
            load(src, store)
        with pytest.raises(LoadError, match="nowhere: no such directory"):
            load(tmp_path / "nowhere", store)
        assert store.counts() == {"files": 0, "documents": 0, "sentences": 0}


def test_an_interrupted_load_leaves_the_store_as_it_was(tmp_path):
    db = tmp_path / "s.db"
    with Store(db) as store:
        load(_jsonl_set(tmp_path / "first"), store)
    before = _snapshot(db)
    src = spark_layout(_jsonl_set(tmp_path / "out"), tmp_path / "spark", parts=3)
    heard = []
    total = sum(p.stat().st_size for p in src.glob("*/part-*"))

    def interrupt(n):
        heard.append(n)
        if sum(heard) > total // 2:  # in the middle: after the texts and documents
            raise KeyboardInterrupt

    with Store(db) as store, pytest.raises(KeyboardInterrupt):
        load(src, store, progress=Progress(advance=interrupt))
    assert _snapshot(db) == before
    with Store(db) as store:  # and the same load, run again, goes through
        assert load(src, store).counts["documents"] == 3


def test_a_load_drops_the_relations_kept_in_columns_and_keeps_the_triggers(tmp_path):
    """A load writes the relations table itself: the columns a trace's write kept beside it
    (store/results.py) no longer say what it holds, so they go; the triggers that drop them on
    other writes are there after it as before."""
    from sourcetrace.store.results import relation_rows
    from sourcetrace.store.schema import RELATIONS_KEPT, RELATIONS_TRIGGERS

    src = _jsonl_set(tmp_path / "out")
    with Store(tmp_path / "s.db") as store:
        load(src, store)
        ids = [d.id for d in store.documents()]
        rows = relation_rows(store.relations())
        moved = [r[:6] + (r[6] / 2,) + r[7:] for r in rows]
        assert store.put_relation_rows(ids, moved) == len(rows)
        kept = "SELECT 1 FROM corpus_cache WHERE kind=?"
        assert store.conn.execute(kept, (RELATIONS_KEPT,)).fetchone()
        load(src, store)  # the relations as the outputs say, the kept columns not
        assert store.conn.execute(kept, (RELATIONS_KEPT,)).fetchone() is None
        triggers = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
        assert triggers >= set(RELATIONS_TRIGGERS)
        assert store.put_relation_rows(ids, moved) == len(rows)
        assert sorted(relation_rows(store.relations())) == sorted(moved)
