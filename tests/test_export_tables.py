"""export/tables.py: selections narrow the tables; a trace --out directory reads back as records,
its texts from texts.jsonl (or, for an older set, from the files)."""

from __future__ import annotations

import json

import pytest

from export_samples import TEXTS, sample_tables
from sourcetrace.export import ExportError, Selection, read_outputs
from sourcetrace.outputs import write_jsonl, write_texts


def test_no_selection_keeps_everything():
    tables = sample_tables()
    assert Selection().apply(tables) == tables


def test_pair_narrows_documents_passages_and_relations():
    got = Selection(pair=("en#1", "ar#1")).apply(sample_tables())
    assert {d.id for d in got.documents} == {"en#1", "ar#1"}
    assert {s.doc for s in got.sentences} == {"en#1", "ar#1"}
    assert [(p.a, p.b) for p in got.passages] == [("ar#1", "en#1")] * 2
    assert [(r.a, r.b) for r in got.relations] == [("ar#1", "en#1")]
    assert [f.id for f in got.families] == ["f1"]


@pytest.mark.parametrize(("kinds", "expected"), [
    (("translation",), ["translation"]),
    (("translated-*",), ["translated-near-verbatim"]),
    (("translation", "translated-*"), ["translation", "translated-near-verbatim"]),
    (("near-verbatim",), ["near-verbatim"]),
])
def test_kinds_with_a_trailing_star(kinds, expected):
    assert [p.kind for p in Selection(kinds=kinds).apply(sample_tables()).passages] == expected


def test_min_score_and_family():
    tables = sample_tables()
    assert [p.score for p in Selection(min_score=0.9).apply(tables).passages] == [0.97, 0.9]
    assert Selection(family="f1").apply(tables).passages == tables.passages


@pytest.mark.parametrize(("selection", "message"), [
    (Selection(pair=("en#1", "nope#1")), "--pair: no document 'nope#1'"),
    (Selection(family="f9"), "--family: no family 'f9'"),
])
def test_unknown_names_are_one_line_errors(selection, message):
    with pytest.raises(ExportError, match=message):
        selection.apply(sample_tables())


def _write_set(tables, out, texts=True):
    for name in ("documents", "sentences", "passages", "relations", "families"):
        write_jsonl(out / f"{name}.jsonl", (r.to_json() for r in getattr(tables, name)))
    if texts:
        write_texts(out, TEXTS)


def test_outputs_read_back_as_the_records_written(tmp_path):
    tables = sample_tables()
    _write_set(tables, tmp_path)
    back = read_outputs(tmp_path)
    for name in ("documents", "sentences", "passages", "relations", "families"):
        assert [r.to_json() for r in getattr(back, name)] == [r.to_json() for r in getattr(tables, name)]
    assert all(back.text(path) == text for path, text in TEXTS.items())


def test_a_set_without_texts_reads_the_files_again(tmp_path, monkeypatch):
    _write_set(sample_tables(), tmp_path / "out", texts=False)
    for path, text in TEXTS.items():
        (tmp_path / path).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the documents' paths are relative, as trace was given them
    back = read_outputs(tmp_path / "out")
    assert back.text("statement_ar.txt") == TEXTS["statement_ar.txt"]
    (tmp_path / "report.txt").unlink()
    with pytest.raises(ExportError, match="report.txt: its text is not in"):
        back.text("report.txt")


def test_not_an_output_directory(tmp_path):
    with pytest.raises(ExportError, match="no documents.jsonl"):
        read_outputs(tmp_path)
    (tmp_path / "documents.jsonl").write_text(json.dumps({"id": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(ExportError, match="documents.jsonl:1: not a record"):
        read_outputs(tmp_path)
    (tmp_path / "documents.jsonl").write_text("{oops\n", encoding="utf-8")
    with pytest.raises(ExportError, match="documents.jsonl:1: not JSON"):
        read_outputs(tmp_path)
