"""export/bitext.py: cross-language passages as units, the relation's source side first."""

from __future__ import annotations

from export_samples import sample_tables
from sourcetrace.export import Selection
from sourcetrace.export.bitext import units


def test_source_side_first_with_exact_texts():
    got = list(units(sample_tables()))
    assert [(u.source.doc, u.target.doc, u.kind) for u in got] == [
        ("en#1", "ar#1", "translation"), ("en#1", "ar#1", "translated-near-verbatim")]
    assert (got[0].source.text, got[0].target.text) == ("The ministers met today.", "اجتمع الوزراء اليوم.")
    assert (got[0].source.lang, got[0].target.lang) == ("en", "ar")


def test_no_direction_keeps_the_passage_order_and_one_language_is_no_bitext():
    tables = sample_tables()
    tables.relations[0].source = None
    assert [u.source.doc for u in units(tables)] == ["ar#1", "ar#1"]
    assert list(units(Selection(kinds=("near-verbatim",)).apply(tables))) == []
