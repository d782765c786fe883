"""engines/corpus_files.py: documents, sentences and texts written from the store by a process of
their own, the same bytes as written by the tracing process, and the trace's relations stored by it
when given their rows (its files then only some, the caller's the others: together the same set);
a process that fails leaves them to its caller, one still running when its trace fails is ended."""

import signal

import numpy as np
import pytest

from sourcetrace.engines import corpus_files
from sourcetrace.engines.corpus_files import BESIDE_RELATIONS, CorpusFiles, write_from_store
from sourcetrace.engines.document_texts import DocumentTexts
from sourcetrace.engines.ingest import ingest
from sourcetrace.outputs import CORPUS_FILES, write_corpus_files
from sourcetrace.records import Relation
from sourcetrace.store.results import ColumnRows, relation_rows
from sourcetrace.store.sqlite import Store


def _corpus(tmp_path, store: Store) -> list:
    (tmp_path / "a.txt").write_text("The council met today. It agreed on a plan of 2.4 million dollars.\n",
                                    encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "Première ligne. Une autre phrase ici."}\n{"text": "مرحبا بكم. '
                                      'هذه جملة أخرى."}\n', encoding="utf-8")
    return list(store.documents(ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.jsonl")], store).files))


def test_the_corpus_files_written_by_their_process_are_those_written_here(tmp_path):
    with Store(tmp_path / "s.db") as store:
        docs = _corpus(tmp_path, store)
        assert len(docs) == 3
        (tmp_path / "there").mkdir()
        with CorpusFiles(store, docs, tmp_path / "there", min_docs=0) as there:
            assert there.proc is not None and there.written()
        by_doc = store.sentences_of([d.id for d in docs])
        texts = DocumentTexts(store)
        write_corpus_files(tmp_path / "here", docs, [s for d in docs for s in by_doc[d.id]], texts.by_path(docs))
    for name in CORPUS_FILES:
        assert (tmp_path / "there" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "there").iterdir()) == sorted(CORPUS_FILES)  # no .tmp left


@pytest.mark.parametrize("form", ["tuples", "columns"])
def test_given_the_relations_rows_the_process_stores_them_as_the_store_would(tmp_path, form):
    """Given as tuples or as a trace gives them (ColumnRows: a topic relation in columns, pickled
    to the process as arrays)."""
    with Store(tmp_path / "s.db") as store:
        docs = _corpus(tmp_path, store)
        a, b, c = (d.id for d in docs)
        store.put_relations([a, b, c], [Relation(a, c, "related", 0.1, 0.2, 0.3)])  # a previous run's: replaced
        relations = [Relation(a, b, "translation", 0.5, 0.25, 0.9, source=a, evidence=["cue", "é"], passages=2),
                     Relation(b, c, "related", 0.0, 0.0, 0.61, evidence=["cue", "é"])]
        rows = relation_rows(relations)
        given = rows if form == "tuples" else ColumnRows(
            rows[:1], np.array([0]), [b, c], np.array([0]), np.array([1]), np.array([0.61]),
            [(*rows[1][2:6], *rows[1][7:])], np.array([0]))
        assert form == "tuples" or given.tolist() == rows
        (tmp_path / "there").mkdir()
        with CorpusFiles(store, docs, tmp_path / "there", min_docs=0, relations=given) as there:
            assert there.relations and there.stored() and there.written()
            assert there.files == BESIDE_RELATIONS and set(BESIDE_RELATIONS) < set(CORPUS_FILES)
            # the caller's share, as the trace writes it: with the process's, the whole set
            write_from_store(store, docs, tmp_path / "there", [n for n in CORPUS_FILES if n not in there.files])
        assert store.relations() == relations
        by_doc = store.sentences_of([d.id for d in docs])
        write_corpus_files(tmp_path / "here", docs, [s for d in docs for s in by_doc[d.id]],
                           DocumentTexts(store).by_path(docs))
    for name in CORPUS_FILES:
        assert (tmp_path / "there" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "there").iterdir()) == sorted(CORPUS_FILES)
    with Store(tmp_path / "s.db") as store:
        # not started: the caller stores them and writes every file
        assert not CorpusFiles(store, docs, tmp_path, relations=[]).stored()
        assert CorpusFiles(store, docs, tmp_path, relations=[]).files == ()


def test_the_files_asked_from_the_store_are_those_and_only_those(tmp_path):
    with Store(tmp_path / "s.db") as store:
        docs = _corpus(tmp_path, store)
        for names in (["sentences.jsonl"], ["documents.jsonl", "texts.jsonl"], []):
            (tmp_path / str(len(names))).mkdir()
            write_from_store(store, docs, tmp_path / str(len(names)), names)
            assert sorted(p.name for p in (tmp_path / str(len(names))).iterdir()) == sorted(names)


def test_no_process_below_its_size_or_without_a_set_or_for_a_store_in_memory(tmp_path):
    with Store(tmp_path / "s.db") as store:
        docs = _corpus(tmp_path, store)
        assert CorpusFiles(store, docs, tmp_path).proc is None  # 3 documents < MIN_DOCS
        assert CorpusFiles(store, docs, None, min_docs=0).proc is None
        assert not CorpusFiles(store, docs, tmp_path).written()  # the caller writes them
        assert not CorpusFiles(store, docs, tmp_path).stored()
    with Store(":memory:") as store:
        assert CorpusFiles(store, _corpus(tmp_path, store), tmp_path, min_docs=0).proc is None


def test_a_process_that_fails_leaves_the_files_to_its_caller(tmp_path):
    (tmp_path / "a file").write_text("not a directory")
    with Store(tmp_path / "s.db") as store:
        docs = _corpus(tmp_path, store)
        with CorpusFiles(store, docs, tmp_path / "a file", min_docs=0) as failed:
            assert failed.proc is not None and not failed.written()


def test_a_process_still_running_when_its_block_fails_is_ended(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_files, "_CHILD", "import time; time.sleep(120)")
    with Store(tmp_path / "s.db") as store:
        docs = _corpus(tmp_path, store)
        try:
            with CorpusFiles(store, docs, tmp_path, min_docs=0) as running:
                raise KeyError("the trace failed")
        except KeyError:
            pass
        assert running.proc.returncode == -signal.SIGKILL
