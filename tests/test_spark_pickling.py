"""How the Spark engine's records are pickled (engines/spark_pickling.py): by their fields, the
same records back, smaller than dataclasses' own pickling of slots classes."""

from __future__ import annotations

import copyreg
import dataclasses
import pickle

import pytest

pytest.importorskip("pyspark")

from sourcetrace.engines import spark_pickling  # noqa: E402
from sourcetrace.engines.spark import DocRecord  # noqa: E402  # registers its records
from sourcetrace.records import Document, Fact, FactDiff, Passage, Relation, Sentence  # noqa: E402

SENTENCE = Sentence("a#1", 0, 12, "en")
PASSAGE = Passage("a#1", 0, 12, "b#1", 3, 15, "verbatim", 0.75)
RELATION = Relation("a#1", "b#1", "copy", 0.5, 0.25, 0.9, "a#1", ["shared text"], 2)
DOCUMENT = Document("a#2", "a.txt", 30, 60, "ar", "A title", "2024-05-01", "https://a.example", [(3, 9)])
FACT = Fact("a#1", 4, 6, "number", 42)
FACT_DIFF = FactDiff("a#1", 4, 6, "b#1", None, None, "money", "dropped", "5000000 USD", None)
RECORD = DocRecord(Document("a#1", "a.txt", 0, 30, "en"), (0, 0), "Twelve words. And some more.",
                   [SENTENCE, Sentence("a#1", 14, 28)])


@pytest.mark.parametrize("record", [SENTENCE, PASSAGE, RELATION, RECORD, DOCUMENT, FACT, FACT_DIFF])
def test_records_come_back_the_same(record):
    assert pickle.loads(pickle.dumps(record, 5)) == record
    assert pickle.loads(spark_pickling.serializer().dumps(record)) == record


@pytest.mark.parametrize("record", [SENTENCE, PASSAGE, RELATION, RECORD, DOCUMENT, FACT, FACT_DIFF])
def test_every_field_travels(record):
    """A field added to a record must be added to its reducer: this fails until it is."""
    cls, args = copyreg.dispatch_table[type(record)](record)
    assert cls is type(record)
    assert list(args) == [getattr(record, f.name) for f in dataclasses.fields(record)]


def test_fewer_bytes_than_dataclass_state():
    many = [Sentence(f"d#{i // 20}", i, i + 9) for i in range(1000)]
    own = copyreg.dispatch_table.pop(Sentence)
    try:
        before = len(pickle.dumps(many, 5))
    finally:
        copyreg.pickle(Sentence, own)
    assert len(pickle.dumps(many, 5)) < 0.8 * before
